"""What an EDA run produces: per-clip records, per-class summaries and the JSON they are saved as.

:class:`EDAResult` is what :func:`babycry.research.eda.run_eda` returns;
``to_dict()`` is JSON-safe and :func:`load_summary` reads a saved summary back
(the app, which has no data, shows the bundled ``assets/eda/summary.json``).
Every statistic in it is family-weighted
(:func:`babycry.research.eda.family_weighted_stats`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, InvalidParameterError
from ..features import ClipSummary

__all__ = ["SUMMARY_VALUES", "ClipRecord", "ClassSummary", "EDAResult", "load_summary"]

#: Per-clip values aggregated per class (keys of :attr:`ClassSummary.stats`), with their units.
SUMMARY_VALUES: Mapping[str, str] = {
    "rms_dbfs": "dBFS",
    "peak_dbfs": "dBFS",
    "dominant_hz": "Hz",
    "f0_median_hz": "Hz",
    "n_harmonics": "",
    "voiced_fraction": "",
    "source_duration_s": "s",
}

_SCHEMA = "babycry.eda/1"


def _clean(value: Any, digits: int = 4) -> Any:
    """A JSON-safe copy: numpy scalars to Python, NaN/inf to None, floats rounded."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v, digits) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist(), digits)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return round(value, digits) if math.isfinite(value) else None
    return value


def _num(value: Any) -> float:
    """None (a JSON-ified NaN) back to NaN."""
    return float("nan") if value is None else float(value)


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ClipRecord:
    """One analysed clip.

    Attributes
    ----------
    path : str
        As listed in the manifest (relative to the data folder).
    label, group, source : str
        From the manifest.
    source_sample_rate : int
        The file's own rate (the manifest's ``sample_rate``, else the decoder's).
    source_duration_s : float
        The file's own duration.
    summary : ClipSummary
        Values of the band-limited signal at the analysis rate and the
        recording's own level (not loudness-normalised).

    Examples
    --------
    >>> rec = ClipRecord("a.wav", "tired", "f1", "x", 8000, 7.0, ClipSummary(7.0, 16000, -30, -6, 600, 450, 5, 0.6))
    >>> ClipRecord.from_dict(rec.to_dict()) == rec
    True
    """

    path: str
    label: str
    group: str
    source: str
    source_sample_rate: int
    source_duration_s: float
    summary: ClipSummary

    def value(self, name: str) -> float:
        """One of :data:`SUMMARY_VALUES` as a float (NaN when undefined).

        Examples
        --------
        >>> rec = ClipRecord("a", "l", "g", "", 8000, 7.0, ClipSummary(7.0, 16000, -30, -6, 600, 450, 5, 0.6))
        >>> rec.value("n_harmonics")
        5.0
        """
        if name == "source_duration_s":
            return float(self.source_duration_s)
        if name not in SUMMARY_VALUES:
            raise InvalidParameterError(f"Unknown summary value {name!r}; expected one of {', '.join(SUMMARY_VALUES)}.")
        return float(getattr(self.summary, name))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (NaN/inf become ``None``).

        Examples
        --------
        >>> rec = ClipRecord("a", "l", "g", "", 8000, 7.0, ClipSummary(7.0, 16000, -30, -6, 600, 450, 5, 0.6))
        >>> sorted(rec.to_dict())
        ['group', 'label', 'path', 'source', 'source_duration_s', 'source_sample_rate', 'summary']
        """
        return {
            "path": self.path,
            "label": self.label,
            "group": self.group,
            "source": self.source,
            "source_sample_rate": int(self.source_sample_rate),
            "source_duration_s": _clean(self.source_duration_s),
            "summary": self.summary.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClipRecord:
        """Inverse of :meth:`to_dict` (``None`` becomes NaN).

        Examples
        --------
        >>> d = {"path": "a", "label": "l", "group": "g", "source": "", "source_sample_rate": 8000,
        ...      "source_duration_s": 7.0, "summary": {"duration_s": 7.0, "sample_rate": 16000, "rms_dbfs": -30.0,
        ...      "peak_dbfs": -6.0, "dominant_hz": 600.0, "f0_median_hz": None, "n_harmonics": 0,
        ...      "voiced_fraction": 0.0}}
        >>> ClipRecord.from_dict(d).value("f0_median_hz")
        nan
        """
        s = data["summary"]
        summary = ClipSummary(
            duration_s=_num(s["duration_s"]),
            sample_rate=int(s["sample_rate"]),
            rms_dbfs=_num(s["rms_dbfs"]),
            peak_dbfs=_num(s["peak_dbfs"]),
            dominant_hz=_num(s["dominant_hz"]),
            f0_median_hz=_num(s["f0_median_hz"]),
            n_harmonics=int(s["n_harmonics"]),
            voiced_fraction=_num(s["voiced_fraction"]),
        )
        return cls(
            path=str(data["path"]),
            label=str(data["label"]),
            group=str(data["group"]),
            source=str(data.get("source", "")),
            source_sample_rate=int(data["source_sample_rate"]),
            source_duration_s=_num(data["source_duration_s"]),
            summary=summary,
        )


@dataclass(frozen=True)
class ClassSummary:
    """Aggregates of one class (one manifest ``label``).

    Attributes
    ----------
    label : str
    is_cry : str
        ``"1"``, ``"0"`` or ``""`` (not reviewed).
    sources : tuple of str
    clips, families : int
        In the whole manifest.
    max_clips_per_family : int
        The largest family's clip count.
    clips_analysed, families_analysed : int
        In the analysed sample.
    sample_rates : dict
        Clip count per source sample rate (Hz), over the whole manifest when it
        has a ``sample_rate`` column, else over the analysed clips.
    duration_s : dict
        ``min``, ``median``, ``max`` of the source durations (same rows).
    stats : dict
        For each of :data:`SUMMARY_VALUES`, :func:`family_weighted_stats` over the analysed clips.
    mean_mel : np.ndarray or None
        Family-averaged log-mel spectrogram (dB re each clip's loudest bin) of the
        first window, shape ``(n_mels, n_frames)``; ``None`` when nothing was analysed.

    Examples
    --------
    >>> c = ClassSummary("tired", "1", ("donateacry",), 24, 16, 3, 2, 2, {8000: 24}, {"median": 7.0},
    ...                  {}, np.zeros((2, 3)))
    >>> ClassSummary.from_dict(c.to_dict()).sample_rates
    {8000: 24}
    """

    label: str
    is_cry: str
    sources: tuple[str, ...]
    clips: int
    families: int
    max_clips_per_family: int
    clips_analysed: int
    families_analysed: int
    sample_rates: dict[int, int]
    duration_s: dict[str, float]
    stats: dict[str, dict[str, Any]]
    mean_mel: np.ndarray | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; the mean mel spectrogram is rounded to 0.1 dB.

        Examples
        --------
        >>> ClassSummary("a", "0", (), 1, 1, 1, 1, 1, {16000: 1}, {}, {}).to_dict()["sample_rates"]
        {'16000': 1}
        """
        return {
            "label": self.label,
            "is_cry": self.is_cry,
            "sources": list(self.sources),
            "clips": int(self.clips),
            "families": int(self.families),
            "max_clips_per_family": int(self.max_clips_per_family),
            "clips_analysed": int(self.clips_analysed),
            "families_analysed": int(self.families_analysed),
            "sample_rates": {str(k): int(v) for k, v in sorted(self.sample_rates.items())},
            "duration_s": _clean(self.duration_s),
            "stats": _clean(self.stats),
            "mean_mel_db": None if self.mean_mel is None else _clean(self.mean_mel, 1),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClassSummary:
        """Inverse of :meth:`to_dict` (``None`` statistics become NaN).

        Examples
        --------
        >>> ClassSummary.from_dict({"label": "a", "is_cry": "0", "sources": [], "clips": 1, "families": 1,
        ...     "max_clips_per_family": 1, "clips_analysed": 0, "families_analysed": 0, "sample_rates": {},
        ...     "duration_s": {}, "stats": {}, "mean_mel_db": None}).mean_mel is None
        True
        """
        mel = data.get("mean_mel_db")
        return cls(
            label=str(data["label"]),
            is_cry=str(data.get("is_cry", "")),
            sources=tuple(data.get("sources", ())),
            clips=int(data["clips"]),
            families=int(data["families"]),
            max_clips_per_family=int(data.get("max_clips_per_family", 0)),
            clips_analysed=int(data.get("clips_analysed", 0)),
            families_analysed=int(data.get("families_analysed", 0)),
            sample_rates={int(k): int(v) for k, v in data.get("sample_rates", {}).items()},
            duration_s={k: _num(v) for k, v in data.get("duration_s", {}).items()},
            stats={
                name: {k: (_num(v) if k not in ("n_families", "n_clips") else int(v)) for k, v in s.items()}
                for name, s in data.get("stats", {}).items()
            },
            mean_mel=None if mel is None else np.asarray(mel, dtype=np.float32),
        )


@dataclass(frozen=True)
class EDAResult:
    """The dataset research view: per-class aggregates and per-clip summary numbers.

    Attributes
    ----------
    data_dir : str
        The data folder as given.
    manifest_hash : str
        SHA-256 of its ``manifest.csv``.
    manifest_clips : int
        Rows in the manifest.
    max_per_class, seed : int
        The sampling settings.
    classes : tuple of ClassSummary
        In display order: the four reasons, other cry labels, then non-cries.
    clips : tuple of ClipRecord
        Every analysed clip.
    skipped : tuple of (path, message)
        Clips that could not be decoded.
    mel_freqs_hz, mel_times_s : np.ndarray
        Axes of :attr:`ClassSummary.mean_mel`.
    settings : dict
        Analysis settings (band edge, analysis rate, mel settings, window length).

    Examples
    --------
    >>> res = EDAResult("d", "h", 1, 60, 0, (), (), (), np.zeros(0), np.zeros(0), {})
    >>> EDAResult.from_dict(res.to_dict()) == res
    True
    """

    data_dir: str
    manifest_hash: str
    manifest_clips: int
    max_per_class: int
    seed: int
    classes: tuple[ClassSummary, ...]
    clips: tuple[ClipRecord, ...]
    skipped: tuple[tuple[str, str], ...]
    mel_freqs_hz: np.ndarray = field(compare=False)
    mel_times_s: np.ndarray = field(compare=False)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        """Class labels in display order.

        Examples
        --------
        >>> EDAResult("d", "h", 1, 60, 0, (), (), (), np.zeros(0), np.zeros(0)).labels
        ()
        """
        return tuple(c.label for c in self.classes)

    def get(self, label: str) -> ClassSummary:
        """The summary of one class.

        Raises
        ------
        InvalidParameterError
            If the class is not in the result.

        Examples
        --------
        >>> EDAResult("d", "h", 1, 60, 0, (), (), (), np.zeros(0), np.zeros(0)).get("tired")
        Traceback (most recent call last):
        ...
        babycry.errors.InvalidParameterError: No class 'tired' in this summary; it has: (none).
        """
        for c in self.classes:
            if c.label == label:
                return c
        raise InvalidParameterError(
            f"No class {label!r} in this summary; it has: {', '.join(self.labels) or '(none)'}."
        )

    def family_values(self, name: str) -> dict[str, tuple[list[str], np.ndarray]]:
        """Per class, each family's mean of one summary value (what the family-weighted statistics use).

        Parameters
        ----------
        name : str
            One of :data:`SUMMARY_VALUES`.

        Returns
        -------
        dict
            ``label -> (families, means)``; families with no finite value are left out.

        Examples
        --------
        >>> s = lambda f0: ClipSummary(7.0, 16000, -30, -6, 600, f0, 5, 0.6)
        >>> clips = tuple(ClipRecord(f"{i}", "tired", g, "", 8000, 7.0, s(f0))
        ...               for i, (g, f0) in enumerate([("a", 300), ("a", 400), ("b", 500)]))
        >>> res = EDAResult("d", "h", 3, 60, 0, (), clips, (), np.zeros(0), np.zeros(0))
        >>> fams, means = res.family_values("f0_median_hz")["tired"]
        >>> fams, means.tolist()
        (['a', 'b'], [350.0, 500.0])
        """
        out: dict[str, tuple[list[str], np.ndarray]] = {}
        labels = list(self.labels) or sorted({c.label for c in self.clips})
        for label in labels:
            recs = [c for c in self.clips if c.label == label]
            vals = pd.Series([r.value(name) for r in recs], dtype=np.float64)
            keys = pd.Series([r.group for r in recs], dtype=object)
            ok = np.isfinite(vals.to_numpy())
            means = vals[ok].groupby(keys[ok]).mean()
            out[label] = ([str(k) for k in means.index], means.to_numpy(dtype=np.float64))
        return out

    def table(self) -> pd.DataFrame:
        """One row per class: counts and each value's family-weighted median [quartiles], as text.

        Examples
        --------
        >>> from babycry.research import example_result
        >>> example_result().table()[["class", "clips", "families", "F0 median (Hz)"]].values.tolist()
        [['tired', 3, 2, '405 [358, 452]'], ['noise', 1, 1, 'n/a']]
        """
        columns = {  # value: (column title, decimals)
            "f0_median_hz": ("F0 median (Hz)", 0), "dominant_hz": ("dominant (Hz)", 0), "n_harmonics": ("harmonics", 1),
            "voiced_fraction": ("voiced fraction", 2), "rms_dbfs": ("RMS (dBFS)", 1),
            "source_duration_s": ("duration (s)", 2),
        }

        def fmt(s: Mapping[str, Any], digits: int) -> str:
            if not np.isfinite(s.get("median", np.nan)):
                return "n/a"
            return f"{s['median']:.{digits}f} [{s['q1']:.{digits}f}, {s['q3']:.{digits}f}]"

        rows = []
        for c in self.classes:
            row: dict[str, Any] = {"class": c.label, "clips": c.clips, "families": c.families,
                                   "analysed (families)": f"{c.clips_analysed} ({c.families_analysed})",
                                   "sample rates (Hz)": ", ".join(str(r) for r in sorted(c.sample_rates))}
            row.update({title: fmt(c.stats.get(key, {}), digits) for key, (title, digits) in columns.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (no audio: aggregates and per-clip numbers only).

        Examples
        --------
        >>> EDAResult("d", "h", 1, 60, 0, (), (), (), np.zeros(0), np.zeros(0)).to_dict()["schema"]
        'babycry.eda/1'
        """
        return {
            "schema": _SCHEMA,
            "data_dir": self.data_dir,
            "manifest_hash": self.manifest_hash,
            "manifest_clips": int(self.manifest_clips),
            "max_per_class": int(self.max_per_class),
            "seed": int(self.seed),
            "settings": _clean(self.settings),
            "mel_freqs_hz": _clean(self.mel_freqs_hz, 1),
            "mel_times_s": _clean(self.mel_times_s, 3),
            "classes": [c.to_dict() for c in self.classes],
            "skipped": [{"path": p, "error": m} for p, m in self.skipped],
            "clips": [c.to_dict() for c in self.clips],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EDAResult:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        DataError
            If ``data`` is not an EDA summary.

        Examples
        --------
        >>> EDAResult.from_dict({"schema": "something else"})
        Traceback (most recent call last):
        ...
        babycry.errors.DataError: Not a babycry EDA summary (schema 'something else', expected 'babycry.eda/1').
        """
        schema = data.get("schema") if isinstance(data, Mapping) else None
        if schema != _SCHEMA:
            raise DataError(f"Not a babycry EDA summary (schema {schema!r}, expected {_SCHEMA!r}).")
        try:
            return cls(
                data_dir=str(data["data_dir"]),
                manifest_hash=str(data["manifest_hash"]),
                manifest_clips=int(data["manifest_clips"]),
                max_per_class=int(data["max_per_class"]),
                seed=int(data["seed"]),
                classes=tuple(ClassSummary.from_dict(c) for c in data["classes"]),
                clips=tuple(ClipRecord.from_dict(c) for c in data["clips"]),
                skipped=tuple((str(s["path"]), str(s["error"])) for s in data.get("skipped", [])),
                mel_freqs_hz=np.asarray(data.get("mel_freqs_hz") or [], dtype=np.float64),
                mel_times_s=np.asarray(data.get("mel_times_s") or [], dtype=np.float64),
                settings=dict(data.get("settings", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"Malformed EDA summary: {type(exc).__name__}: {exc}") from exc

    def save(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as JSON (strict: no NaN).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> res = EDAResult("d", "h", 1, 60, 0, (), (), (), np.zeros(0), np.zeros(0))
        >>> out = res.save(pathlib.Path(tempfile.mkdtemp()) / "summary.json")
        >>> load_summary(out) == res
        True
        """
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":")) + "\n")
        return path


def load_summary(path: str | os.PathLike) -> EDAResult:
    """Read a summary written by :meth:`EDAResult.save` (e.g. the bundled ``assets/eda/summary.json``).

    Raises
    ------
    DataError
        If the file is missing, not JSON, or not an EDA summary.

    Examples
    --------
    >>> load_summary("/no/such/summary.json")
    Traceback (most recent call last):
    ...
    babycry.errors.DataError: No EDA summary at '/no/such/summary.json'.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"No EDA summary at {str(path)!r}.")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"Cannot read the EDA summary {str(path)!r}: {exc}") from exc
    return EDAResult.from_dict(data)
