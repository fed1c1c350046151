"""Exploratory data analysis of a data folder, grouped by family.

The origin project's EDA plotted, per class, each clip's duration, sample
rate, RMS magnitude, dominant frequency and number of harmonics.  Here the
same values (plus F0 and the voiced fraction, see
:func:`babycry.features.clip_summary`) are computed for a deterministic sample
of every class and aggregated **by family** (the manifest's ``group``): a
family that uploaded 13 clips is one data point, not 13, exactly as every
split and reported number in babycry is grouped.

Data flow: ``manifest.csv`` (:func:`babycry.data.read_manifest`) → a
family-spread sample of each class (:func:`sample_clips`) → per clip
:func:`babycry.audio.load` → band limit → :func:`~babycry.features.clip_summary`
(values at the recording's own level) and :func:`~babycry.features.log_mel` of
the prepared (band-limited, loudness-normalised) first window → per class
family-weighted statistics and a family-averaged mel spectrogram →
:class:`EDAResult` (``to_dict()`` is JSON-safe; :func:`load_summary` reads it
back for the app, which has no data).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import REASONS, AudioConfig, MelConfig, WindowConfig
from ..errors import BabyCryError, DataError, InvalidParameterError
from ..features import ClipSummary
from .summary import SUMMARY_VALUES, ClassSummary, ClipRecord, EDAResult

__all__ = ["family_weighted_stats", "sample_clips", "run_eda", "example_result"]


# --------------------------------------------------------------------------- #
# Family-weighted statistics
# --------------------------------------------------------------------------- #
def family_weighted_stats(values: Sequence[float] | np.ndarray, groups: Sequence[str] | np.ndarray) -> dict[str, Any]:
    """Median and quartiles over families: each family's clips are averaged first.

    Clips with a NaN value (e.g. no voiced frame, so no F0) are left out; a
    family with no finite value drops out.

    Parameters
    ----------
    values : sequence of float
        One value per clip.
    groups : sequence of str
        Each clip's family (the manifest's ``group``).

    Returns
    -------
    dict
        ``median``, ``q1``, ``q3`` over family means; ``clip_median`` over clips
        (for contrast); ``n_families`` and ``n_clips`` with a finite value.
        Statistics are NaN when no value is finite.

    Raises
    ------
    InvalidParameterError
        If ``values`` and ``groups`` differ in length.

    Examples
    --------
    One family with five clips at 300 Hz and two families with one clip at
    500 Hz each: by clip the median is 300 Hz, by family it is 500 Hz.

    >>> s = family_weighted_stats([300, 300, 300, 300, 300, 500, 500], ["a"] * 5 + ["b", "c"])
    >>> s["clip_median"], s["median"], s["n_families"], s["n_clips"]
    (300.0, 500.0, 3, 7)
    """
    vals = np.asarray(values, dtype=np.float64)
    keys = np.asarray(groups, dtype=object)
    if vals.shape != keys.shape:
        raise InvalidParameterError(f"values and groups differ in length: {vals.shape} vs {keys.shape}.")
    ok = np.isfinite(vals)
    nan = float("nan")
    if not ok.any():
        return {"median": nan, "q1": nan, "q3": nan, "clip_median": nan, "n_families": 0, "n_clips": 0}
    means = pd.Series(vals[ok]).groupby(keys[ok]).mean().to_numpy()
    q1, median, q3 = np.percentile(means, [25, 50, 75])
    return {
        "median": float(median),
        "q1": float(q1),
        "q3": float(q3),
        "clip_median": float(np.median(vals[ok])),
        "n_families": int(means.size),
        "n_clips": int(ok.sum()),
    }


# --------------------------------------------------------------------------- #
# Sampling
# --------------------------------------------------------------------------- #
def sample_clips(table: pd.DataFrame, *, max_per_class: int = 60, seed: int = 0) -> pd.DataFrame:
    """At most ``max_per_class`` clips per label, spread over as many families as possible.

    Within each label the families are shuffled and their clips are taken one
    family at a time in turn (every family's first clip, then every family's
    second, ...), so a capped class keeps the most families.  Deterministic for
    a given ``seed`` (each label draws from its own stream, so adding a class
    does not change the others' samples).

    Parameters
    ----------
    table : pandas.DataFrame
        Manifest rows with ``path``, ``label`` and ``group``.
    max_per_class : int
        Cap per label (at least 1).
    seed : int
        Sampling seed.

    Returns
    -------
    pandas.DataFrame
        The chosen rows, by label in order of first appearance, then by draw.

    Examples
    --------
    >>> t = pd.DataFrame({"path": list("abcdef"), "label": ["x"] * 6, "group": ["f1"] * 4 + ["f2", "f3"]})
    >>> sorted(sample_clips(t, max_per_class=3)["group"])
    ['f1', 'f2', 'f3']
    """
    if int(max_per_class) < 1:
        raise InvalidParameterError(f"max_per_class must be at least 1, got {max_per_class!r}.")
    parts = []
    for label, sub in table.groupby("label", sort=False):
        rng = np.random.default_rng([int(seed), zlib.crc32(str(label).encode())])
        sub = sub.sort_values("path", kind="stable")  # independent of the manifest's row order
        sub = sub.iloc[rng.permutation(len(sub))]
        families = sub["group"].unique()
        order = {g: i for i, g in enumerate(rng.permutation(families))}
        ranked = sub.assign(_turn=sub.groupby("group").cumcount(), _family=sub["group"].map(order))
        ranked = ranked.sort_values(["_turn", "_family"], kind="stable").head(int(max_per_class))
        parts.append(ranked.drop(columns=["_turn", "_family"]))
    return pd.concat(parts) if parts else table.iloc[:0]


# --------------------------------------------------------------------------- #
# The analysis
# --------------------------------------------------------------------------- #
def _class_order(manifest: pd.DataFrame, labels: Sequence[str]) -> list[str]:
    """The reasons, other cry labels of the reasons' sources, other cries, non-cries, unreviewed; larger first."""
    reason = {name: i for i, name in enumerate(REASONS)}
    reason_sources = set(manifest.loc[manifest["label"].isin(REASONS), "source"].fillna("").astype(str)) - {""}

    def key(label: str) -> tuple[int, int, int]:
        rows = manifest[manifest["label"] == label]
        cry = rows["is_cry"].dropna()
        if label in reason:
            rank = 0
        elif len(cry) and int(cry.max()) == 1:
            rank = 1 if set(rows["source"].fillna("").astype(str)) & reason_sources else 2
        else:
            rank = 3 if len(cry) else 4
        return (rank, reason.get(label, 0), -len(rows))

    return sorted(labels, key=key)


def _first_window_mel(prepared: np.ndarray, *, sample_rate: int, mel: MelConfig, seconds: float, pool: int) -> Any:
    """Log-mel of the first ``seconds`` (zero-padded, as a model's first window), averaged over ``pool`` frames."""
    from ..features import log_mel

    n = int(round(seconds * sample_rate))
    x = prepared[:n] if prepared.size >= n else np.pad(prepared, (0, n - prepared.size))
    spec = log_mel(x, sample_rate=sample_rate, config=mel)
    frames = spec.values.shape[1] // pool * pool
    pooled = spec.values[:, :frames].reshape(spec.values.shape[0], -1, pool).mean(axis=2)
    times = spec.times_s[:frames].reshape(-1, pool).mean(axis=1)
    return pooled, spec.freqs_hz, times


def _analyse_clip(
    path: Path, *, audio: AudioConfig, mel: MelConfig, window_seconds: float, pool: int
) -> tuple[Any, ...]:
    from ..audio import load
    from ..features import clip_summary
    from ..preprocess import band_limit, normalise_loudness

    # Reference clips may be shorter than the app's 1 s minimum (spoken digits) or near-silent: describe them anyway.
    clip = load(path, config=audio, validate_audio=False)
    limited = band_limit(clip.samples, sample_rate=clip.sample_rate, config=audio)
    summary = clip_summary(limited, sample_rate=clip.sample_rate, max_hz=audio.band_limit_hz)
    prepared = normalise_loudness(limited, target_rms_dbfs=audio.target_rms_dbfs)
    spec, freqs, times = _first_window_mel(
        prepared, sample_rate=clip.sample_rate, mel=mel, seconds=window_seconds, pool=pool
    )
    return clip, summary, spec, freqs, times


def _rates_and_durations(rows: pd.DataFrame, records: list[ClipRecord]) -> tuple[dict[int, int], dict[str, float]]:
    """Sample-rate counts and duration range over the manifest rows when it has the columns, else the records."""
    if "sample_rate" in rows and "duration_s" in rows and rows["sample_rate"].notna().all():
        rates = pd.to_numeric(rows["sample_rate"], errors="coerce").dropna().astype(int).tolist()
        durations = pd.to_numeric(rows["duration_s"], errors="coerce").dropna().to_numpy(dtype=np.float64)
    else:
        rates = [r.source_sample_rate for r in records]
        durations = np.array([r.source_duration_s for r in records], dtype=np.float64)
    counts = pd.Series(rates, dtype=np.int64).value_counts().sort_index()
    span = (
        {"min": float(durations.min()), "median": float(np.median(durations)), "max": float(durations.max())}
        if durations.size
        else {}
    )
    return {int(k): int(v) for k, v in counts.items()}, span


def run_eda(
    data_dir: str | os.PathLike,
    *,
    labels: Sequence[str] | None = None,
    max_per_class: int = 60,
    seed: int = 0,
    audio: AudioConfig = AudioConfig(),
    mel: MelConfig = MelConfig(),
    window: WindowConfig = WindowConfig(),
    mel_pool: int = 5,
    progress: bool = False,
) -> EDAResult:
    """Summarise a data folder class by class, grouped by family.

    For each class a family-spread sample (:func:`sample_clips`) is decoded at
    the analysis rate and band-limited; :func:`babycry.features.clip_summary`
    gives its values at the recording's own level (so the RMS differences
    between sources stay visible; loudness normalisation would erase them), and
    the loudness-normalised first window (``window.window_seconds``, zero-padded
    like the models' first window) gives a log-mel spectrogram.  Statistics and
    the mean spectrogram are averaged within each family first, then across
    families.  Clip and family counts, sample rates and durations cover the
    whole manifest.  About 0.3 s per clip on one core: the default 60 clips per
    class take about 2-3 minutes on ``../shared/data``.

    Parameters
    ----------
    data_dir : path
        A folder holding ``manifest.csv`` (columns ``path``, ``is_cry``,
        ``label``, ``group``; ``source``, ``sample_rate``, ``duration_s`` used when present).
    labels : sequence of str, optional
        Classes to summarise.  Default: every label with reviewed rows
        (``is_cry`` 0 or 1) — the cleaned Donate-a-Cry reasons, extra cries,
        silence, noise, laughter, speech — leaving out unreviewed raw uploads.
    max_per_class : int
        Most clips analysed per class.
    seed : int
        Sampling seed.
    audio : AudioConfig
        Analysis rate, band edge and loudness target.
    mel : MelConfig
        Mel settings of the mean spectrograms.
    window : WindowConfig
        ``window_seconds`` is the length of the mean spectrograms.
    mel_pool : int
        Frames averaged into one column of the mean spectrograms (keeps the JSON small).
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    EDAResult

    Raises
    ------
    DataError
        If the folder or manifest is missing or malformed, a requested label is
        absent, a listed file is missing, or no clip could be analysed.
    InvalidParameterError
        If ``max_per_class`` or ``mel_pool`` is below 1.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd, soundfile as sf
    >>> from babycry.synth import synth_cry
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for i, f0 in enumerate([300, 500]):
    ...     sf.write(root / f"c{i}.wav", synth_cry(seconds=1.0, f0_hz=f0, seed=i).samples, 16000)
    >>> pd.DataFrame({"path": ["c0.wav", "c1.wav"], "is_cry": [1, 1], "label": ["tired", "tired"],
    ...               "group": ["f0", "f1"]}).to_csv(root / "manifest.csv", index=False)
    >>> res = run_eda(root)
    >>> res.labels, res.get("tired").families, res.get("tired").stats["f0_median_hz"]["n_families"]
    (('tired',), 2, 2)
    >>> run_eda(root / "nowhere")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    babycry.errors.DataError: Data folder '.../nowhere' does not exist.
    """
    from tqdm.auto import tqdm

    from ..data import manifest_hash, read_manifest

    if int(mel_pool) < 1:
        raise InvalidParameterError(f"mel_pool must be at least 1, got {mel_pool!r}.")
    if int(max_per_class) < 1:
        raise InvalidParameterError(f"max_per_class must be at least 1, got {max_per_class!r}.")
    root = Path(data_dir)
    manifest = read_manifest(root)
    present = list(dict.fromkeys(manifest["label"]))
    if labels is None:
        chosen = [lab for lab in present if lab and manifest.loc[manifest["label"] == lab, "is_cry"].notna().any()]
        if not chosen:
            raise DataError(f"{str(root / 'manifest.csv')!r} has no reviewed rows (is_cry 0 or 1); pass labels=.")
    else:
        chosen = list(dict.fromkeys(str(lab) for lab in labels))
        absent = [lab for lab in chosen if lab not in present]
        if absent or not chosen:
            raise DataError(
                f"{str(root / 'manifest.csv')!r} has no clip labelled "
                f"{', '.join(map(repr, absent)) or '(none given)'}; "
                f"its labels: {', '.join(x for x in present if x)}."
            )
    chosen = _class_order(manifest, chosen)
    rows = manifest[manifest["label"].isin(chosen)]
    missing = [p for p in rows["path"] if not (root / p).is_file()]
    if missing:
        raise DataError(f"{len(missing)} file(s) listed in the manifest are missing, e.g. {missing[0]!r}.")
    sample = sample_clips(rows, max_per_class=max_per_class, seed=seed)

    records: list[ClipRecord] = []
    skipped: list[tuple[str, str]] = []
    mels: dict[str, list[tuple[str, np.ndarray]]] = {lab: [] for lab in chosen}
    freqs = times = np.zeros(0)
    for row in tqdm(list(sample.itertuples(index=False)), disable=not progress, desc="eda", unit="clip"):
        try:
            clip, summary, spec, freqs, times = _analyse_clip(
                root / row.path, audio=audio, mel=mel, window_seconds=window.window_seconds, pool=int(mel_pool)
            )
        except BabyCryError as exc:  # one undecodable file must not sink a 3-minute run: report it
            skipped.append((str(row.path), str(exc)))
            continue
        rate = getattr(row, "sample_rate", None)
        dur = getattr(row, "duration_s", None)
        records.append(
            ClipRecord(
                path=str(row.path),
                label=str(row.label),
                group=str(row.group),
                source="" if pd.isna(row.source) else str(row.source),
                source_sample_rate=int(rate) if rate is not None and pd.notna(rate) else int(clip.source_sample_rate),
                source_duration_s=float(dur) if dur is not None and pd.notna(dur) else float(clip.source_duration_s),
                summary=summary,
            )
        )
        mels[str(row.label)].append((str(row.group), spec))
    if not records:
        raise DataError(f"No clip in {str(root)!r} could be analysed: {skipped[0][1] if skipped else 'none chosen'}")

    classes = []
    for label in chosen:
        sub = manifest[manifest["label"] == label]
        recs = [r for r in records if r.label == label]
        groups = [r.group for r in recs]
        cry = sub["is_cry"].dropna().unique()
        rates, span = _rates_and_durations(sub, recs)
        stats = {
            name: family_weighted_stats([r.value(name) for r in recs], groups) for name in SUMMARY_VALUES
        }
        mean_mel = None
        if mels[label]:
            by_family: dict[str, list[np.ndarray]] = {}
            for g, spec in mels[label]:
                by_family.setdefault(g, []).append(spec)
            mean_mel = np.mean([np.mean(v, axis=0) for v in by_family.values()], axis=0).astype(np.float32)
        sources = sub["source"].fillna("").astype(str)
        classes.append(
            ClassSummary(
                label=label,
                is_cry=str(int(cry[0])) if len(cry) == 1 else "",
                sources=tuple(sorted({s for s in sources if s})),
                clips=int(len(sub)),
                families=int(sub["group"].nunique()),
                max_clips_per_family=int(sub.groupby("group").size().max()),
                clips_analysed=len(recs),
                families_analysed=len(set(groups)),
                sample_rates=rates,
                duration_s=span,
                stats=stats,
                mean_mel=mean_mel,
            )
        )
    settings = {
        "analysis_sample_rate": audio.sample_rate,
        "band_limit_hz": audio.band_limit_hz,
        "high_pass_hz": audio.high_pass_hz,
        "target_rms_dbfs": audio.target_rms_dbfs,
        "mel": {"n_fft": mel.n_fft, "hop_length": mel.hop_length, "n_mels": mel.n_mels, "fmin_hz": mel.fmin_hz,
                "fmax_hz": mel.fmax_hz, "top_db": mel.top_db, "pool": int(mel_pool)},
        "window_seconds": window.window_seconds,
        "values": dict(SUMMARY_VALUES),
        "weighting": "family: each family's clips averaged first, statistics over families",
    }
    return EDAResult(
        data_dir=str(data_dir),
        manifest_hash=manifest_hash(root),
        manifest_clips=int(len(manifest)),
        max_per_class=int(max_per_class),
        seed=int(seed),
        classes=tuple(classes),
        clips=tuple(records),
        skipped=tuple(skipped),
        mel_freqs_hz=np.asarray(freqs, dtype=np.float64),
        mel_times_s=np.asarray(times, dtype=np.float64),
        settings=settings,
    )


def example_result() -> EDAResult:
    """A tiny hand-made result (two classes, no audio) for examples and figure tests.

    ``tired`` has one family (``a``) with two clips and another (``b``) with one;
    ``noise`` has one family whose clip has no F0.

    Examples
    --------
    >>> res = example_result()
    >>> res.labels, res.get("tired").stats["f0_median_hz"]["median"]
    (('tired', 'noise'), 405.0)
    """

    def clip(i: int, label: str, group: str, rate: int, f0: float) -> ClipRecord:
        summary = ClipSummary(7.0, 16000, -30.0 + i, -6.0, 600.0 + 10 * i, f0, 5 if f0 == f0 else 0, 0.6)
        return ClipRecord(f"{label}/{i}.wav", label, group, "example", rate, 7.0 if label == "tired" else 5.0, summary)

    clips = (clip(0, "tired", "a", 8000, 300.0), clip(1, "tired", "a", 8000, 320.0),
             clip(2, "tired", "b", 16000, 500.0), clip(3, "noise", "n", 16000, float("nan")))
    freqs, times = np.linspace(50.0, 4000.0, 4), np.array([0.5, 1.5, 2.5])
    classes = []
    for label, is_cry in (("tired", "1"), ("noise", "0")):
        recs = [c for c in clips if c.label == label]
        groups = [c.group for c in recs]
        rates = [c.source_sample_rate for c in recs]
        classes.append(ClassSummary(
            label=label, is_cry=is_cry, sources=("example",), clips=len(recs), families=len(set(groups)),
            max_clips_per_family=max(groups.count(g) for g in groups), clips_analysed=len(recs),
            families_analysed=len(set(groups)),
            sample_rates={r: rates.count(r) for r in sorted(set(rates))},
            duration_s={"min": recs[0].source_duration_s, "median": recs[0].source_duration_s,
                        "max": recs[0].source_duration_s},
            stats={name: family_weighted_stats([c.value(name) for c in recs], groups) for name in SUMMARY_VALUES},
            mean_mel=np.linspace(-80.0, 0.0, freqs.size * times.size).reshape(freqs.size, times.size)[::-1],
        ))
    return EDAResult("example", "0" * 64, len(clips), 60, 0, tuple(classes), clips, (), freqs, times,
                     {"values": dict(SUMMARY_VALUES)})
