"""The window cache: every clip decoded, band-limited, windowed, augmented and featurised once.

Speed on a 2-core CPU comes from doing the expensive part once: each fit then
trains on cached AST fbank features.  The cache is keyed by a hash of the
recipe's window-making settings (:meth:`Recipe.window_settings`), the feature
extractor's configuration and the data, so no setting can be forgotten from
the key.  Augmented windows are only ever used when their clip is in the
training fold (see :func:`babycry.training.fit.training_rows`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..audio import load as load_audio
from ..augment import NoiseBank, VoiceBank, get, random_crop
from ..codec import CodecBatch
from ..data import TaskData, read_manifest, with_absolute_paths
from ..errors import DataError, InvalidParameterError
from ..modeling import build_config, build_feature_extractor, build_model, fit_window, frame_windows
from ..modeling.config import SfxModelConfig
from ..modeling.fbank import fbank_features
from ..modeling.predictor import inference_copy, resolve_precision
from ..preprocess import band_limit
from .parallel import WORKER, in_worker_process, limit_worker_threads, map_in_processes, worker_count
from .recipes import Recipe
from .windows import OWN_STRATUM, channel_windows, choose_phone_coded, cry_voicing, detector_windows, reason_windows

__all__ = ["FeatureCache", "cache_key", "build_cache", "clean_windows", "train_only_rows"]

logger = logging.getLogger(__name__)

# Bump when the way windows are made changes without a recipe change.
_CACHE_VERSION = 16  # 16: reason windows mix the folder's recorded noise


@dataclass
class FeatureCache:
    """Precomputed features of every window of a task.

    Attributes
    ----------
    features : np.ndarray
        AST: float16 ``(n_windows, max_length, num_mel_bins)`` (feature-extractor output); sound-effects CNN:
        float32 ``(n_windows, embedding_size)``, the frozen encoder's pooled embeddings.
    index : pandas.DataFrame
        One row per window: ``clip`` (row of the task table), ``y``, ``kind``
        (``clean`` = an inference window, ``phone_eval`` = evaluation only; anything
        else = training-only), ``stratum`` (for balanced sampling), ``noise_group``,
        ``group`` (of a training-only negative).
    path : Path or None
        Where it is stored.
    encoder_graph : Path or None
        The int8 encoder graph that embedded the windows (``encoder_precision="int8"``): the trained checkpoint
        carries it, so the app's embeddings are the ones its head was trained on.
    pooled : dict
        Per window kind, each clip's pooled windows once computed (:mod:`babycry.training.fit` fills it); not an
        argument, so a cache made with ``dataclasses.replace`` (other features) starts without them.
    """

    features: np.ndarray
    index: pd.DataFrame
    path: Path | None = None
    encoder_graph: Path | None = None
    pooled: dict = field(default_factory=dict, init=False, repr=False, compare=False)


def cache_key(data: TaskData, recipe: Recipe, *, graph: str | os.PathLike | None = None) -> str:
    """A hash of everything the cached windows depend on.

    Examples
    --------
    >>> cache_key(load_task("../shared/data", task="reason"), ReasonRecipe())  # doctest: +SKIP
    '3f0c...'
    """
    relevant = {
        "data": [data.manifest_hash, str(data.root.resolve()), data.task, len(data)],
        "recipe": recipe.window_settings(),
        "features": build_feature_extractor(model_config=recipe.model).to_dict(),
        "version": _CACHE_VERSION,
    }
    if isinstance(recipe.model, SfxModelConfig):
        # the cached features are the frozen encoder's embeddings: its weights key them too
        relevant["encoder"] = {"channels": recipe.model.channels, "pretrained": recipe.model.pretrained}
        for name in ("block3_stats", "block2_stats"):  # a wider embedding; caches without it keep their key
            if getattr(recipe.model, name):
                relevant["encoder"][name] = True
        if not recipe.model.last_block:  # a narrower one; caches with the last block keep their key
            relevant["encoder"]["last_block"] = False
        dtype = encoder_dtype(recipe)
        if dtype != "float32":  # float32 caches keep the key they had before the setting
            relevant["encoder"]["dtype"] = dtype
        if dtype == "int8":
            # embedded with the graph's integers summed exactly (Int8Encoder, since 2026-11-29): a cache built
            # before on a CPU whose fused int8 kernels saturate holds embeddings 6% off, so it is not reused
            relevant["encoder"]["int8_exact"] = True
            if recipe.model.int8_weight_bits != 8:  # 8-bit caches keep the key they had before the setting
                relevant["encoder"]["int8_weight_bits"] = recipe.model.int8_weight_bits
            if graph is not None:  # a given graph (a checkpoint's) instead of one quantised here
                relevant["encoder"]["graph_sha256"] = hashlib.sha256(Path(graph).read_bytes()).hexdigest()
            from ..modeling.sfx.quantized import graph_weight_bits

            bits = graph_weight_bits(graph) if graph is not None else recipe.model.int8_weight_bits
            if bits == 7:  # on the fused kernels (Int8Encoder): their rounding differs from the unfused sums'
                relevant["encoder"]["int8_kernels"] = "fused"
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:16]


def train_only_rows(data: TaskData, *, recipe: Recipe) -> pd.DataFrame:
    """The unreviewed manifest rows a detector trains on as negatives (``augment.train_only_labels``).

    Returns an empty frame for the reason task, when the setting is empty, or when
    the folder holds no such rows.

    Examples
    --------
    >>> train_only_rows(load_task("../shared/data", task="detector"), recipe=DetectorRecipe()).shape[0] > 0
    ... # doctest: +SKIP
    True
    """
    labels = getattr(recipe.augment, "train_only_labels", ())
    if data.task != "detector" or not labels:
        return pd.DataFrame(columns=["path", "rel_path", "group", "label"])
    manifest = read_manifest(data.root)
    rows = manifest[manifest["is_cry"].isna() & manifest["label"].isin(labels)]
    return with_absolute_paths(rows, data.root).reset_index(drop=True)


@dataclass(frozen=True)
class _ClipJob:
    """One clip for the cache builder."""

    clip: int
    path: str
    rel_path: str
    y: int
    category: str
    group: str
    copies: int
    train_only: bool = False


def _init_cache_worker(recipe: Recipe, noise: NoiseBank, graph: Path | None = None,
                       voices: VoiceBank | None = None) -> None:
    """Per-process state of the cache builder (the feature extractor is built once per process)."""
    limit_worker_threads()
    WORKER.update(recipe=recipe, noise=noise, voices=voices,
                  extractor=build_feature_extractor(model_config=recipe.model))
    if isinstance(recipe.model, SfxModelConfig):
        import torch

        torch.set_num_threads(1 if in_worker_process() else max(1, recipe.threads))
        # the frozen encoder (its int8 graph, or the float model): its pooled embedding is what each fit's head
        # trains on
        if graph is not None:
            from ..modeling.sfx.quantized import Int8Encoder

            WORKER["encoder"], WORKER["int8"] = Int8Encoder(graph), True
        else:
            encoder = build_model(task=recipe.task, model_config=recipe.model, seed=recipe.seed)
            WORKER["encoder"], WORKER["int8"] = inference_copy(encoder, encoder_dtype(recipe)), False
        WORKER["embedding_size"] = build_config(task=recipe.task, model_config=recipe.model).embedding_size


#: Clips featurised together: their phone-codec round trips share ffmpeg runs (:class:`babycry.codec.CodecBatch`).
#: Fixed batches of consecutive clips, so the cache is the same whatever the number of processes.
_BATCH_CLIPS = 64
#: The int8 encoder graph's file in a cache folder (``encoder_precision="int8"``).
_INT8_GRAPH = "encoder-int8.onnx"


@dataclass
class _ClipPlan:
    """One clip's windows once every random choice is made, before the phone codecs have run.

    ``extra`` holds ``(segment, label, kind, noise_group, crop start)``; ``coded`` the indices of ``extra`` that
    the ``extra_ticket`` round trip replaces; ``phone_ticket`` the whole clip's evaluation round trip.
    """

    job: _ClipJob
    windows: list[np.ndarray]
    rows: list[dict[str, Any]]
    extra: list[tuple[np.ndarray, int, str, str, int]]
    coded: list[int]
    extra_ticket: int | None = None
    phone_ticket: int | None = None


def clean_windows(path: str | os.PathLike, *, recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    """A clip as the cache reads it: its band-limited samples and its clean windows (the windows inference sees).

    Examples
    --------
    >>> x, windows = clean_windows("../shared/data/donateacry/hungry/a.wav", recipe=DetectorRecipe())  # doctest: +SKIP
    """
    audio = recipe.audio
    a = load_audio(path, config=audio, validate_audio=False)
    x = band_limit(a.samples, sample_rate=audio.sample_rate, config=audio)
    windows, _ = frame_windows(x, sample_rate=audio.sample_rate, window=recipe.window, audio_config=audio,
                               band_limited=True)
    return x, windows


def _row(job: _ClipJob, *, y: int, kind: str, stratum: str, noise_group: str = "", group: str = "") -> dict:
    return {"clip": job.clip, "y": int(y), "kind": kind, "stratum": stratum, "noise_group": noise_group,
            "group": group}


def _plan_clip(job: _ClipJob, codecs: CodecBatch) -> _ClipPlan:
    """Decode, window and augment one clip, queueing its phone-codec round trips on ``codecs``."""
    recipe: Recipe = WORKER["recipe"]
    audio, window = recipe.audio, recipe.window
    sr = audio.sample_rate
    length = int(round(window.window_seconds * sr))
    # One generator per clip, seeded by (seed, clip): the cache is the same whatever the number of processes.
    # audiomentations draws from the global numpy / random generators, so they are seeded the same way.
    rng = np.random.default_rng([recipe.seed, job.clip])
    np.random.seed((recipe.seed * 1_000_003 + job.clip) % (1 << 32))
    random.seed(recipe.seed * 1_000_003 + job.clip)
    try:
        x, clean = clean_windows(job.path, recipe=recipe)
    except Exception as exc:  # noqa: BLE001 - name the clip that failed
        raise DataError(f"Cannot read training clip {job.rel_path!r}: {exc}") from exc
    plan = _ClipPlan(job=job, windows=[], rows=[], extra=[], coded=[])

    if job.train_only:
        aug = recipe.augment
        silent = np.max(np.abs(x), initial=0.0) == 0.0
        if not silent and cry_voicing(x, sample_rate=sr) <= aug.train_only_max_cry_voicing:
            for _ in range(aug.train_only_windows_per_clip):
                seg = random_crop(x, rng, sample_rate=sr, window_s=window.window_seconds, p_short=0.2)
                plan.windows.append(fit_window(seg, length=length, target_rms_dbfs=audio.target_rms_dbfs))
                plan.rows.append(_row(job, y=0, kind="train_only", stratum=f"train_only_{job.category}",
                                      group=job.group))
        return plan
    plan.windows += list(clean)
    plan.rows += [_row(job, y=job.y, kind="clean", stratum=job.category) for _ in clean]
    if recipe.task == "detector" and recipe.augment.phone_eval and job.category != "speech":
        # its own generator: the training windows do not depend on it
        eval_rng = np.random.default_rng([recipe.seed, job.clip, 7])
        codec, kbps = get("phone_codec").transform(sample_rate=sr, rng=eval_rng, codecs=None).draw()
        plan.phone_ticket = codecs.ask([x], codec=codec, bitrate_kbps=kbps)
    if recipe.task == "detector":
        extra = detector_windows(x, job.category, rng, WORKER["noise"], voices=WORKER.get("voices"),
                                 recipe=recipe.augment, sample_rate=sr,
                                 window_s=window.window_seconds)
        extra, plan.coded, drawn = choose_phone_coded(extra, x, job.category, rng, recipe=recipe.augment,
                                                      sample_rate=sr, window_s=window.window_seconds)
        if drawn is not None:
            plan.extra_ticket = codecs.ask([extra[i][0] for i in plan.coded], codec=drawn[0],
                                           bitrate_kbps=drawn[1])
        # each channel from a generator of its own, after the codec's choice: every other window stays as drawn
        for stream, (kind, use, copies) in enumerate(recipe.augment.channels, start=8):
            stream_rng = np.random.default_rng([recipe.seed, job.clip, stream])
            extra = extra + channel_windows(x, job.category, job.y, stream_rng, use=use, copies=copies, kind=kind,
                                            sample_rate=sr, window_s=window.window_seconds)
    else:
        extra = reason_windows(x, job.y, job.copies, rng, WORKER["noise"], recipe=recipe.augment, sample_rate=sr,
                               window_s=window.window_seconds)
    for seg, label, kind, g in extra:
        # a codec keeps the length, so where each window is cut from can be drawn before it has run
        start = int(rng.integers(0, seg.size - length + 1)) if seg.size > length else 0
        plan.extra.append((seg, label, kind, g, start))
    return plan


def _finish_clip(plan: _ClipPlan, codecs: CodecBatch) -> tuple[list[np.ndarray], list[dict[str, Any]]]:
    """The clip's windows and index rows, with the coded segments in place (clean, phone-coded, augmented)."""
    recipe: Recipe = WORKER["recipe"]
    audio, window = recipe.audio, recipe.window
    sr = audio.sample_rate
    length = int(round(window.window_seconds * sr))
    windows, rows = list(plan.windows), list(plan.rows)
    job = plan.job
    if plan.phone_ticket is not None:
        coded = band_limit(codecs.result(plan.phone_ticket)[0], sample_rate=sr, config=audio)
        phone, _ = frame_windows(coded, sample_rate=sr, window=window, audio_config=audio, band_limited=True)
        windows += list(phone)
        rows += [_row(job, y=job.y, kind="phone_eval", stratum=job.category) for _ in phone]
    extra = list(plan.extra)
    if plan.extra_ticket is not None:
        for i, seg in zip(plan.coded, codecs.result(plan.extra_ticket), strict=True):
            extra[i] = (seg, *extra[i][1:])
    for seg, label, kind, g, start in extra:
        seg = band_limit(seg, sample_rate=sr, config=audio)
        windows.append(fit_window(seg[start : start + length], length=length, target_rms_dbfs=audio.target_rms_dbfs))
        rows.append(_row(job, y=label, kind=kind, stratum=kind if kind in OWN_STRATUM else job.category,
                         noise_group=g))
    return windows, rows


def _featurise_batch(jobs: tuple[_ClipJob, ...]) -> list[tuple[np.ndarray, list[dict[str, Any]]]]:
    """Decode, window, augment and featurise a batch of clips: per clip (features, index rows)."""
    recipe: Recipe = WORKER["recipe"]
    codecs = CodecBatch(sample_rate=recipe.audio.sample_rate)
    plans = [_plan_clip(job, codecs) for job in jobs]
    codecs.run()
    done = [_finish_clip(plan, codecs) for plan in plans]
    if not isinstance(recipe.model, SfxModelConfig):
        return [(_fbank(ws, recipe=recipe), rows) for ws, rows in done]
    # the encoder in full batches across clips
    features = _embed_windows([w for ws, _ in done for w in ws])
    bounds = np.cumsum([0] + [len(ws) for ws, _ in done])
    return [(features[a:b], rows) for (_, rows), a, b in zip(done, bounds[:-1], bounds[1:], strict=True)]


def _fbank(windows: list[np.ndarray], *, recipe: Recipe) -> np.ndarray:
    """The AST's float16 fbank features of one clip's windows."""
    if not windows:
        return np.zeros((0, recipe.model.max_length, recipe.model.num_mel_bins), np.float16)
    # the extractor's arithmetic on every window at once (same values, several times faster than its frame loop)
    return np.asarray(fbank_features(np.stack(windows), feature_extractor=WORKER["extractor"]), dtype=np.float16)


def encoder_dtype(recipe: Recipe) -> str:
    """The number format the cache's frozen encoder runs in (``"int8"``, ``"bfloat16"``, ``"float32"``), resolved
    here."""
    from ..modeling.sfx import SfxForAudioClassification

    return resolve_precision(SfxForAudioClassification, recipe.model.encoder_precision)


def _embed_windows(windows: list[np.ndarray], *, batch_size: int = 32) -> np.ndarray:
    """The frozen encoder's pooled embeddings of windows, float32 ``(n, embedding_size)``."""
    import torch

    encoder = WORKER["encoder"]
    out = [np.zeros((0, WORKER["embedding_size"]), np.float32)]
    with torch.inference_mode():
        for i in range(0, len(windows), batch_size):
            x = WORKER["extractor"](np.stack(windows[i : i + batch_size]), return_tensors="pt")["input_values"]
            out.append(encoder.embed(x.numpy()) if WORKER["int8"]
                       else encoder.embed(x.to(encoder.dtype)).float().numpy())
    return np.concatenate(out)


def int8_calibration_features(data: TaskData, *, recipe: Recipe, per_category: int = 12) -> np.ndarray:
    """The features an int8 encoder graph takes its activation ranges from: one clean window of up to
    ``per_category`` clips of each category, drawn with the recipe's seed (no label is used).

    Examples
    --------
    >>> data = load_task("../shared/data", task="detector")  # doctest: +SKIP
    >>> int8_calibration_features(data, recipe=DetectorRecipe()).shape  # doctest: +SKIP
    (96, 130, 72)
    """
    rng = np.random.default_rng([recipe.seed, 8])
    column = "category" if "category" in data.table.columns else "label"
    windows = []
    for _, rows in data.table.groupby(column, sort=True):
        for i in rng.choice(len(rows), size=min(per_category, len(rows)), replace=False):
            _, clean = clean_windows(rows["path"].iloc[int(i)], recipe=recipe)
            windows.append(clean[rng.integers(len(clean))])
    extractor = build_feature_extractor(model_config=recipe.model)
    return extractor(np.stack(windows), return_tensors="np")["input_values"]


def _int8_graph(data: TaskData, *, recipe: Recipe, path: Path) -> Path:
    """The int8 graph of the recipe's frozen encoder, its activation ranges from
    :func:`int8_calibration_features`, written to ``path``."""
    from ..modeling.sfx.quantized import quantize_encoder

    features = int8_calibration_features(data, recipe=recipe)
    encoder = build_model(task=recipe.task, model_config=recipe.model, seed=recipe.seed)
    return quantize_encoder(encoder.encoder, features, path, reduce_range=recipe.model.int8_weight_bits == 7)


def _reason_copies(y: np.ndarray, *, recipe: Recipe) -> np.ndarray:
    """Augmented copies per clip: more for the rarer reasons, up to ``max_per_clip``."""
    aug = recipe.augment
    counts = np.bincount(y, minlength=int(y.max()) + 1)
    per_class = np.clip(np.round(aug.target_per_class / np.maximum(counts, 1)), 1, aug.max_per_clip).astype(int)
    return per_class[y]


def checkpoint_int8_graph(folder: str | os.PathLike) -> Path | None:
    """A local checkpoint's int8 encoder graph (what its head was trained on), or ``None``.

    Examples
    --------
    >>> checkpoint_int8_graph("assets/models/cry-detector").name  # doctest: +SKIP
    'encoder-int8.onnx'
    """
    from ..modeling.sfx.quantized import INT8_FILE

    graph = Path(folder) / INT8_FILE
    return graph if graph.is_file() else None


def _complete(folder: Path, *, int8: bool) -> bool:
    """Whether a cache folder holds a finished cache (and its int8 graph where the encoder runs in int8)."""
    return (folder / "index.csv").exists() and (folder / "features.npy").exists() and (
        not int8 or (folder / _INT8_GRAPH).exists())


def build_cache(data: TaskData, *, recipe: Recipe, cache_root: str | os.PathLike | None = None,
                int8_graph: str | os.PathLike | None = None) -> FeatureCache:
    """Decode, window, augment and featurise every clip once (reused when already on disk).

    Parameters
    ----------
    data : TaskData
        The task's clips.
    recipe : Recipe
        Window, audio, feature and augmentation settings (they key the cache).
    cache_root : path, optional
        Where caches live (default ``recipe.cache_dir``); an empty ``recipe.cache_dir`` keeps it in memory only.
    int8_graph : path, optional
        An int8 encoder graph to embed with (a checkpoint's ``onnx/encoder-int8.onnx``) instead of quantising the
        encoder here: the activation ranges ONNX Runtime calibrates differ in the last float bit from one CPU to
        another, so a benchmark that refits a checkpoint's heads embeds with the checkpoint's own graph.  Its hash
        keys the cache.

    Returns
    -------
    FeatureCache

    Examples
    --------
    >>> build_cache(load_task("../shared/data", task="reason"), recipe=ReasonRecipe())  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    where = cache_root if cache_root is not None else recipe.cache_dir
    int8 = isinstance(recipe.model, SfxModelConfig) and encoder_dtype(recipe) == "int8"
    if int8_graph is not None and not (int8 and Path(int8_graph).is_file()):
        raise InvalidParameterError(f"An int8 encoder graph {Path(int8_graph).name!r} applies to an existing file "
                                    "and a recipe whose encoder runs in int8.")
    folder = Path(where) / f"{data.task}-{cache_key(data, recipe, graph=int8_graph)}" if where else None
    if folder is not None and int8_graph is not None and not _complete(folder, int8=True):
        # the recipe's own cache embedded with the very same graph (a checkpoint trained from it) holds the same
        # windows: reused rather than embedded again
        own = Path(where) / f"{data.task}-{cache_key(data, recipe)}"
        if _complete(own, int8=True) and (own / _INT8_GRAPH).read_bytes() == Path(int8_graph).read_bytes():
            folder = own
    if folder is not None and _complete(folder, int8=int8):
        index = pd.read_csv(folder / "index.csv", keep_default_na=False, dtype={"noise_group": str, "group": str})
        return FeatureCache(features=np.load(folder / "features.npy", mmap_mode="r"), index=index, path=folder,
                            encoder_graph=folder / _INT8_GRAPH if int8 else None)
    graph = None
    if int8:  # made once, before the workers fork: every window is embedded by the same graph
        graph_dir = folder if folder is not None else Path(tempfile.mkdtemp(prefix="babycry-int8-"))
        graph_dir.mkdir(parents=True, exist_ok=True)
        if int8_graph is not None:
            graph = graph_dir / _INT8_GRAPH
            shutil.copyfile(int8_graph, graph)
            record = Path(int8_graph).with_suffix(".json")  # its weight bits, which choose the kernels
            if record.is_file():
                shutil.copyfile(record, graph.with_suffix(".json"))
        else:
            graph = _int8_graph(data, recipe=recipe, path=graph_dir / _INT8_GRAPH)

    table = data.table
    # The folder's recorded noise and voices, as the app's augmentation preview draws them: both tasks mix with
    # them (the reason task's own rows hold no noise, so it used to get generated noise only).
    noise = NoiseBank.from_data_folder(data.root, config=recipe.audio)
    voices = VoiceBank.from_data_folder(data.root, config=recipe.audio) if data.task == "detector" else VoiceBank()
    copies = _reason_copies(data.y, recipe=recipe) if data.task == "reason" else np.zeros(len(table), dtype=int)
    jobs = [_ClipJob(clip=i, path=row.path, rel_path=row.rel_path, y=int(row.y), category=str(row.category),
                     group=str(row.group), copies=int(copies[i]))
            for i, row in enumerate(table.itertuples(index=False))]
    # Training-only negatives get clip ids after the task's rows, so no fold ever scores them; fit() keeps
    # them out of a fold through their group.
    aux = train_only_rows(data, recipe=recipe)
    jobs += [_ClipJob(clip=len(table) + j, path=row.path, rel_path=row.rel_path, y=0, category=str(row.label),
                      group=str(row.group), copies=0, train_only=True)
             for j, row in enumerate(aux.itertuples(index=False))]

    feats: list[np.ndarray] = []
    rows: list[dict[str, Any]] = []
    workers = worker_count(recipe.threads, len(jobs), min_jobs=64)
    progress = tqdm(total=len(jobs), desc=f"caching {data.task} windows", disable=not recipe.progress,
                    mininterval=2.0)
    batches = [tuple(jobs[i : i + _BATCH_CLIPS]) for i in range(0, len(jobs), _BATCH_CLIPS)]
    for done in map_in_processes(_featurise_batch, batches, workers=workers, initializer=_init_cache_worker,
                                 initargs=(recipe, noise, graph, voices)):
        for f, r in done:
            feats.append(f)
            rows += r
        progress.update(len(done))
    progress.close()
    if not aux.empty:
        kept = len({r["clip"] for r in rows if r["kind"] == "train_only"})
        logger.info("train-only negatives: kept %d of %d clips", kept, len(aux))
    features = np.concatenate([f for f in feats if len(f)], axis=0)
    index = pd.DataFrame(rows)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "features.tmp.npy"
        np.save(tmp, features)
        index.to_csv(folder / "index.csv", index=False)
        os.replace(tmp, folder / "features.npy")
    return FeatureCache(features=features, index=index, path=folder, encoder_graph=graph)
