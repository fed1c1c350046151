"""``babycry pretrain``: masked-patch self-supervised pretraining of the reason AST's encoder.

The data are the manifest's rows that the reason labels do not use and whose families have no reason
label (:func:`pretraining_rows`): unlabeled and cleaner-removed Donate-a-Cry uploads of other families,
the extra cries, and the not-cry audio.  Their clean windows are featurised once
(:func:`build_pretraining_windows`, cached like the training windows); :func:`pretrain` then fits
:class:`babycry.modeling.masked.MaskedPatchAST` with a plain torch loop that saves a resumable checkpoint
(model, optimiser, schedule, step, random state) every ``checkpoint_every`` steps and when its time runs
out, so a rerun of the same command continues where the last one stopped.  It runs on a GPU when one is
present.  The encoder is written with ``save_pretrained`` to ``OUT/encoder`` with the feature extractor
and ``pretraining.json`` (recipe, data, loss curve, held-out reconstruction loss).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..audio import load as load_audio
from ..data import manifest_hash, read_manifest, select_task, with_absolute_paths
from ..errors import DataError, InvalidParameterError
from ..modeling import build_feature_extractor, frame_windows
from ..modeling.fbank import fbank_features
from ..preprocess import band_limit
from .parallel import WORKER, in_worker_process, map_in_processes, worker_count
from .recipes import PretrainRecipe

__all__ = ["pretraining_rows", "build_pretraining_windows", "pretrain", "CHECKPOINT_FILE", "RECORD_FILE"]

logger = logging.getLogger(__name__)

CHECKPOINT_FILE = "checkpoint.pt"
RECORD_FILE = "pretraining.json"
_CACHE_VERSION = 1


def pretraining_rows(manifest: pd.DataFrame, *, recipe: PretrainRecipe = PretrainRecipe()) -> pd.DataFrame:
    """The manifest rows the encoder may learn from: no reason label, and no family that has one.

    A label with more than ``recipe.max_clips_per_label`` clips is subsampled (seeded by ``recipe.seed``).

    Examples
    --------
    >>> m = pd.DataFrame({"path": list("abcd"), "label": ["hungry", "unknown", "unknown", "laugh"],
    ...                   "group": ["f1", "f1", "f2", "v1"], "is_cry": [1, None, None, 0]})
    >>> pretraining_rows(m)["path"].tolist()
    ['c', 'd']
    """
    if recipe.exclude_task != "reason":
        raise InvalidParameterError(f"Pretraining excludes the reason task's families; got {recipe.exclude_task!r}.")
    families = set(select_task(manifest, task=recipe.exclude_task)["group"].astype(str))
    rows = manifest[~manifest["group"].astype(str).isin(families)]
    rng = np.random.default_rng(recipe.seed)
    keep = []
    for _, sub in rows.groupby("label", sort=True):
        idx = sub.index.to_numpy()
        if idx.size > recipe.max_clips_per_label:
            idx = np.sort(rng.choice(idx, size=recipe.max_clips_per_label, replace=False))
        keep.append(idx)
    return rows.loc[np.sort(np.concatenate(keep))] if keep else rows


def _init_worker(recipe: PretrainRecipe) -> None:
    if in_worker_process():
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    WORKER.update(recipe=recipe, extractor=build_feature_extractor(model_config=recipe.model))


def _clip_windows(path: str) -> np.ndarray:
    """Up to ``windows_per_clip`` clean windows of one clip (evenly spread), featurised; none if silent."""
    recipe: PretrainRecipe = WORKER["recipe"]
    audio = recipe.audio
    empty = np.zeros((0, recipe.model.max_length, recipe.model.num_mel_bins), np.float16)
    try:
        a = load_audio(path, config=audio, validate_audio=False)
    except Exception as exc:  # noqa: BLE001 - a clip that cannot be read is skipped, and said so
        logger.warning("pretraining: skipped %s (%s)", Path(path).name, exc)
        return empty
    x = band_limit(a.samples, sample_rate=audio.sample_rate, config=audio)
    if x.size == 0 or np.max(np.abs(x)) == 0.0:  # digital silence teaches the reconstruction nothing
        return empty
    windows, _ = frame_windows(x, sample_rate=audio.sample_rate, window=recipe.window, audio_config=audio,
                               band_limited=True)
    if len(windows) > recipe.windows_per_clip:
        windows = windows[np.linspace(0, len(windows) - 1, recipe.windows_per_clip).round().astype(int)]
    return np.asarray(fbank_features(windows, feature_extractor=WORKER["extractor"]), dtype=np.float16)


def build_pretraining_windows(root: str | os.PathLike, *, recipe: PretrainRecipe) -> tuple[np.ndarray, pd.DataFrame]:
    """Features of the pretraining windows, float16 ``(n, frames, mel bins)``, and one index row per window.

    Cached under ``recipe.cache_dir`` keyed by the recipe's window settings and the manifest.

    Raises
    ------
    DataError
        The folder has no clip to pretrain on.
    """
    from tqdm.auto import tqdm

    manifest = read_manifest(root)
    rows = with_absolute_paths(pretraining_rows(manifest, recipe=recipe), root)
    if rows.empty:
        raise DataError(f"No clips to pretrain on in {str(root)!r}: every family there has a reason label.")
    key = hashlib.sha256(json.dumps([_CACHE_VERSION, recipe.window_settings(), manifest_hash(root)],
                                    sort_keys=True, default=str).encode()).hexdigest()[:16]
    folder = Path(recipe.cache_dir) / f"pretrain-{key}" if recipe.cache_dir else None
    if folder is not None and (folder / "features.npy").exists():
        return np.load(folder / "features.npy", mmap_mode="r"), pd.read_csv(folder / "index.csv", dtype=str)
    workers = worker_count(recipe.threads, len(rows), min_jobs=64)
    feats, index = [], []
    progress = tqdm(total=len(rows), desc="featurising pretraining clips", disable=not recipe.progress,
                    mininterval=2.0)
    for row, f in zip(rows.itertuples(index=False),
                      map_in_processes(_clip_windows, rows["path"].tolist(), workers=workers, initializer=_init_worker,
                                       initargs=(recipe,), chunksize=8), strict=True):
        feats.append(f)
        index += [{"path": row.rel_path, "label": row.label, "group": row.group}] * len(f)
        progress.update()
    progress.close()
    features = np.concatenate(feats)
    index_df = pd.DataFrame(index, columns=["path", "label", "group"])
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "features.tmp.npy", features)
        index_df.to_csv(folder / "index.csv", index=False)
        os.replace(folder / "features.tmp.npy", folder / "features.npy")
    return features, index_df


def _held_out(groups: np.ndarray, *, fraction: float, seed: int) -> np.ndarray:
    """A boolean mask of the windows whose family is held out to score the reconstruction."""
    unique = np.array(sorted(set(groups.tolist())))
    rng = np.random.default_rng([seed, 1])
    chosen = set(rng.choice(unique, size=max(1, int(round(fraction * unique.size))), replace=False).tolist())
    return np.array([g in chosen for g in groups.tolist()])


def _evaluate(model: Any, features: np.ndarray, *, recipe: PretrainRecipe, device: Any) -> float:
    """Masked-patch MSE on held-out windows with a fixed mask (1.0 is predicting each patch's mean)."""
    import torch

    from ..modeling.masked import random_patch_mask

    generator = torch.Generator().manual_seed(recipe.seed + 7)
    model.eval()
    losses, weights = [], []
    with torch.no_grad():
        for i in range(0, len(features), 256):
            x = torch.from_numpy(np.asarray(features[i : i + 256], dtype=np.float32))
            mask = random_patch_mask(x.shape[0], _n_patches(model), ratio=recipe.mask_ratio, generator=generator)
            losses.append(float(model(x.to(device), mask.to(device))))
            weights.append(x.shape[0])
    model.train()
    return float(np.average(losses, weights=weights)) if losses else float("nan")


def _n_patches(model: Any) -> int:
    return int(model.encoder.embeddings.position_embeddings.shape[1] - 2)


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)  # a run killed mid-save leaves the previous checkpoint intact


def pretrain(root: str | os.PathLike, out_dir: str | os.PathLike, *, recipe: PretrainRecipe = PretrainRecipe(),
             command: str = "") -> dict[str, Any]:
    """Pretrain the encoder for up to ``recipe.steps`` steps or ``recipe.minutes``, resuming ``OUT/checkpoint.pt``.

    Parameters
    ----------
    root : path
        Data folder with ``manifest.csv``.
    out_dir : path
        Output folder: ``checkpoint.pt`` (resumable), and once all steps are done ``encoder/`` (an
        ``ASTModel`` saved with ``save_pretrained``), ``preprocessor_config.json`` and ``pretraining.json``.
    recipe : PretrainRecipe
    command : str
        The command line, recorded in ``pretraining.json``.

    Returns
    -------
    dict
        The record: ``finished`` (all steps done), ``step``, ``train_loss`` / ``held_out_loss`` (masked-patch
        MSE on per-patch normalised values; 1.0 = predicting each patch's mean), data counts, times.

    Raises
    ------
    InvalidParameterError
        ``OUT/checkpoint.pt`` belongs to a different recipe (a resumed run must not change what it trains).

    Examples
    --------
    >>> pretrain("../shared/data", "artifacts/pretrain/reason-ast")  # doctest: +SKIP
    """
    import torch
    from tqdm.auto import tqdm
    from transformers import get_cosine_schedule_with_warmup

    from ..modeling import build_config
    from ..modeling.masked import ENCODER_DIR, MaskedPatchAST, random_patch_mask

    t0 = time.time()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.set_num_threads(max(1, recipe.threads))
    features, index = build_pretraining_windows(root, recipe=recipe)
    held = _held_out(index["group"].astype(str).to_numpy(), fraction=recipe.held_out_fraction, seed=recipe.seed)
    train_idx, held_idx = np.flatnonzero(~held), np.flatnonzero(held)
    if train_idx.size == 0:
        raise DataError("Every pretraining window is held out: add clips or lower held_out_fraction.")

    torch.manual_seed(recipe.seed)
    config = build_config(task="reason", model_config=recipe.model)
    model = MaskedPatchAST(config).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate, weight_decay=recipe.weight_decay)
    schedule = get_cosine_schedule_with_warmup(optimiser, int(recipe.warmup_fraction * recipe.steps), recipe.steps)
    rng = np.random.default_rng([recipe.seed, 2])
    generator = torch.Generator().manual_seed(recipe.seed)
    step, curve, seconds_before = 0, [], 0.0
    checkpoint = out / CHECKPOINT_FILE
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        if state["recipe"] != recipe.run_settings():
            raise InvalidParameterError(
                f"{checkpoint} was written by a different pretraining recipe: use another --out, or delete it "
                "to start again.")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        rng.bit_generator.state = state["numpy_rng"]
        generator.set_state(state["torch_rng"])
        step, curve, seconds_before = state["step"], state["curve"], state["seconds"]
        logger.info("resuming pretraining at step %d of %d", step, recipe.steps)

    def save() -> None:
        _save_checkpoint(checkpoint, {
            "recipe": recipe.run_settings(), "model": model.state_dict(), "optimiser": optimiser.state_dict(),
            "schedule": schedule.state_dict(), "numpy_rng": rng.bit_generator.state,
            "torch_rng": generator.get_state(), "step": step, "curve": curve,
            "seconds": seconds_before + time.time() - t_loop})

    n_patches = _n_patches(model)
    deadline = t0 + 60.0 * recipe.minutes
    model.train()
    t_loop = time.time()
    running: list[float] = []
    progress = tqdm(total=recipe.steps, initial=step, desc="pretraining", disable=not recipe.progress,
                    mininterval=2.0)
    while step < recipe.steps and time.time() < deadline:
        batch = np.sort(rng.choice(train_idx, size=min(recipe.batch_size, train_idx.size), replace=False))
        x = torch.from_numpy(np.asarray(features[batch], dtype=np.float32)).to(device)
        mask = random_patch_mask(x.shape[0], n_patches, ratio=recipe.mask_ratio, generator=generator).to(device)
        loss = model(x, mask)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        step += 1
        running.append(float(loss.detach()))
        progress.update()
        if step % recipe.checkpoint_every == 0 or step == recipe.steps:
            curve.append({"step": step, "train_loss": round(float(np.mean(running)), 4)})
            progress.set_postfix(loss=curve[-1]["train_loss"])
            running = []
            save()
    progress.close()
    if running:
        curve.append({"step": step, "train_loss": round(float(np.mean(running)), 4)})
    save()
    finished = step >= recipe.steps
    record: dict[str, Any] = {
        "command": command, "recipe": recipe.to_dict(), "finished": finished, "step": step, "device": device.type,
        "data": {"manifest_sha256": manifest_hash(root), "windows": int(len(index)),
                 "train_windows": int(train_idx.size), "held_out_windows": int(held_idx.size),
                 "families": int(index["group"].nunique()),
                 "windows_per_label": index["label"].value_counts().sort_index().to_dict(),
                 "excluded": "every family with a reason-labelled clip (no reason test family is pretrained on)"},
        "curve": curve,
        "train_loss": curve[-1]["train_loss"] if curve else None,
        "held_out_loss": round(_evaluate(model, features[held_idx], recipe=recipe, device=device), 4)
        if held_idx.size else None,
        "seconds": round(seconds_before + time.time() - t_loop, 1),
    }
    if finished:
        from ..modeling.checkpoint import quiet_transformers

        with quiet_transformers():  # no "writing shards" bar
            model.encoder.cpu().save_pretrained(out / ENCODER_DIR)
        build_feature_extractor(model_config=recipe.model).save_pretrained(out)
        from .pipeline import library_versions

        record["libraries"] = library_versions()
    (out / RECORD_FILE).write_text(json.dumps(record, indent=2, default=str) + "\n")
    return record
