"""One fit: a fresh compact AST trained on cached windows with ``transformers.Trainer``; clip logits of a model."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, InvalidParameterError
from ..modeling import build_model
from ..modeling.config import SfxModelConfig
from ..modeling.windows import window_runs
from .cache import FeatureCache
from .recipes import Recipe

__all__ = ["sampling_weights", "training_rows", "fit", "clip_logits"]


def sampling_weights(index: pd.DataFrame, *, stratum_weights: dict | None = None) -> np.ndarray:
    """Each class gets the same total weight; within a class each stratum does too (times its weight).

    Examples
    --------
    >>> idx = pd.DataFrame({"y": [0, 0, 0, 1], "stratum": ["noise", "speech", "speech", "cry"]})
    >>> sampling_weights(idx).round(3).tolist()
    [0.25, 0.125, 0.125, 0.5]
    """
    w = np.zeros(len(index))
    for label, sub in index.groupby("y"):
        strata = sub["stratum"].unique()
        share = {s: float((stratum_weights or {}).get(s, 1.0)) for s in strata}
        total = sum(share.values())
        for s in strata:
            mask = (index["y"] == label) & (index["stratum"] == s)
            w[mask.to_numpy()] = share[s] / (total * mask.sum())
    return w / w.sum()


def training_rows(
    index: pd.DataFrame, *, train_clips: np.ndarray | None = None, exclude_groups: set[str] | None = None
) -> np.ndarray:
    """Cache rows a fold may train on.

    A window is kept when its clip is in ``train_clips`` (training-only negatives
    always are), unless it was mixed with noise from an excluded group or is a
    training-only negative recorded in one. Evaluation-only windows never are.

    Examples
    --------
    >>> idx = pd.DataFrame({"clip": [0, 1, 1, 9, 9], "kind": ["clean", "clean", "cry_aug", "train_only", "train_only"],
    ...                     "noise_group": ["", "", "n1", "", ""], "group": ["", "", "", "fam1", "fam2"]})
    >>> training_rows(idx, train_clips=np.array([1]), exclude_groups={"n1", "fam2"}).tolist()
    [1, 3]
    """
    train_only = (index["kind"] == "train_only").to_numpy()
    mask = (index["kind"] != "phone_eval").to_numpy().copy()
    if train_clips is not None:
        mask &= index["clip"].isin(set(np.asarray(train_clips).tolist())).to_numpy() | train_only
    if exclude_groups:
        mixed = index["noise_group"].astype(str).str.split("|")  # a window's noise and talking recordings
        mask &= ~mixed.map(lambda gs: not exclude_groups.isdisjoint(gs)).to_numpy()
        mask &= ~(train_only & index["group"].astype(str).isin(exclude_groups).to_numpy())
    return np.flatnonzero(mask)


class _WindowDataset:
    """Torch map-style dataset over cached features (float16 -> float32) in a sampled order."""

    def __init__(self, features: np.ndarray, labels: np.ndarray, order: np.ndarray) -> None:
        self.features, self.labels, self.order = features, labels, order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int) -> dict[str, Any]:
        import torch

        j = int(self.order[i])
        return {"input_values": torch.from_numpy(np.array(self.features[j], dtype=np.float32)),
                "labels": int(self.labels[j])}


def fit(
    cache: FeatureCache,
    *,
    recipe: Recipe,
    train_clips: np.ndarray | None = None,
    exclude_groups: set[str] | None = None,
    seed: int | None = None,
    output_dir: str | os.PathLike | None = None,
) -> Any:
    """Train a fresh compact AST on the cached windows of ``train_clips`` with ``transformers.Trainer``.

    Parameters
    ----------
    cache : FeatureCache
    recipe : Recipe
    train_clips : np.ndarray, optional
        Rows of the task table to train on (default: all).
    exclude_groups : set of str, optional
        The test fold's groups: drop augmented windows mixed with noise from them
        and training-only negatives recorded in them.
    seed : int, optional
        Overrides ``recipe.seed`` (initialisation, sampling, dropout).
    output_dir : path, optional
        Trainer's scratch folder (a temporary one by default; nothing is saved there).

    Returns
    -------
    transformers.ASTForAudioClassification
        The trained model, in eval mode.

    Examples
    --------
    >>> model = fit(cache, recipe=DetectorRecipe())  # doctest: +SKIP
    """
    if isinstance(recipe.model, SfxModelConfig):
        return _fit_head(cache, recipe=recipe, train_clips=train_clips, exclude_groups=exclude_groups, seed=seed)
    import torch
    from transformers import Trainer, TrainingArguments
    from transformers.utils import logging as hf_logging

    settings = recipe.fit
    seed = recipe.seed if seed is None else seed
    torch.set_num_threads(max(1, recipe.threads))
    index = cache.index
    rows = training_rows(index, train_clips=train_clips, exclude_groups=exclude_groups)
    if rows.size == 0:
        raise DataError("No training windows left for this fold.")
    weights = sampling_weights(index.iloc[rows].reset_index(drop=True), stratum_weights=settings.stratum_weights)
    rng = np.random.default_rng(seed)
    order = rows[rng.choice(rows.size, size=settings.samples_per_epoch * settings.epochs, p=weights)]
    dataset = _WindowDataset(cache.features, index["y"].to_numpy(), order)

    model = build_model(task=recipe.task, model_config=recipe.model, seed=seed)
    if settings.init_from:  # a self-supervised encoder (babycry pretrain); the head stays freshly initialised
        from ..modeling.masked import load_encoder

        load_encoder(model, settings.init_from)
    steps = int(np.ceil(len(dataset) / settings.batch_size))
    with tempfile.TemporaryDirectory(prefix="babycry-trainer-") as scratch:
        args = TrainingArguments(
            output_dir=str(output_dir or scratch),
            per_device_train_batch_size=settings.batch_size,
            num_train_epochs=1,  # the sampled order already holds `epochs` class-balanced passes
            learning_rate=settings.learning_rate,
            weight_decay=settings.weight_decay,
            warmup_steps=int(settings.warmup_fraction * steps),
            lr_scheduler_type="cosine",
            label_smoothing_factor=settings.label_smoothing,
            save_strategy="no",
            eval_strategy="no",
            report_to="none",
            logging_strategy="steps" if recipe.progress else "no",
            logging_steps=max(1, steps // 10),
            disable_tqdm=not recipe.progress,
            seed=seed,
            data_seed=seed,
            dataloader_num_workers=0,
            use_cpu=not torch.cuda.is_available(),
            remove_unused_columns=False,
        )
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            trainer = Trainer(model=model, args=args, train_dataset=dataset)
            if not recipe.progress:  # PrinterCallback would still print the final summary dict
                from transformers.trainer_callback import PrinterCallback

                trainer.remove_callback(PrinterCallback)
            trainer.train()
        finally:
            hf_logging.set_verbosity(verbosity)
    model.eval()
    return model.cpu()


def _fit_head(cache: FeatureCache, *, recipe: Recipe, train_clips: np.ndarray | None,
              exclude_groups: set[str] | None, seed: int | None) -> Any:
    """The sound-effects CNN: its frozen encoder's cached embeddings → a weighted logistic-regression head.

    The windows weigh what the AST's sampler would draw (:func:`sampling_weights`: each class the same total,
    each stratum its share), as sample weights of one convex fit instead of sampled epochs.
    """
    import torch
    from sklearn.linear_model import LogisticRegression

    seed = recipe.seed if seed is None else seed
    index = cache.index
    rows = training_rows(index, train_clips=train_clips, exclude_groups=exclude_groups)
    y = index["y"].to_numpy()[rows]
    if rows.size == 0 or np.unique(y).size < 2:
        raise DataError("No training windows of both classes left for this fold.")
    if recipe.model.pooling == "recording":
        x, y, weights = _recording_items(cache, rows, recipe=recipe)
        weights = weights * weights.size / weights.sum()
    else:
        weights = sampling_weights(index.iloc[rows].reset_index(drop=True),
                                   stratum_weights=recipe.fit.stratum_weights)
        weights = weights * rows.size  # mean weight 1, so C means the same whatever the fold's size
        x = np.asarray(cache.features[rows], dtype=np.float32)
    # float32 throughout: scikit-learn's L-BFGS keeps float32 input, and its two passes over the (rows, 2304)
    # matrix a step are memory-bound: half the bytes, 2.3x faster fits, the optimum within its tolerance
    # (docs/experiments.md); the weighted moments as float32 matrix-vector products too
    share = (weights / weights.sum()).astype(np.float32)
    mean = share @ x
    standardised = x - mean
    scale = np.sqrt(share @ np.square(standardised))
    scale = np.where(scale > 1e-8, scale, np.float32(1.0))
    standardised /= scale
    head = LogisticRegression(C=recipe.model.head_l2, max_iter=5000, random_state=seed)
    head.fit(standardised, y, sample_weight=weights)
    coef, intercept = head.coef_, head.intercept_
    if coef.shape[0] == 1:  # binary: softmax over (-z/2, z/2) is the sigmoid of z
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    model = build_model(task=recipe.task, model_config=recipe.model, seed=seed)
    with torch.no_grad():
        model.embedding_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        model.embedding_scale.copy_(torch.as_tensor(scale, dtype=torch.float32))
        model.classifier.weight.copy_(torch.as_tensor(coef, dtype=torch.float32))
        model.classifier.bias.copy_(torch.as_tensor(intercept, dtype=torch.float32))
    return model.eval()


def pool_clips(features: np.ndarray, clips: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each clip's mean and max over its windows' embeddings, side by side: the sorted clip ids and
    ``(unique clips, 2 * dim)`` (what a recording-pooling head reads).

    Examples
    --------
    >>> pool_clips(np.array([[1.0], [3.0], [5.0]]), np.array([4, 4, 2]))
    (array([2, 4]), array([[5., 5.],
           [2., 3.]]))
    """
    order, inverse = np.unique(clips, return_inverse=True)
    features = np.asarray(features, dtype=np.float64)
    total = np.zeros((order.size, features.shape[1]))
    peak = np.full_like(total, -np.inf)
    np.add.at(total, inverse, features)
    np.maximum.at(peak, inverse, features)
    return order, np.hstack([total / np.bincount(inverse)[:, None], peak])


def _recording_items(cache: FeatureCache, rows: np.ndarray, *,
                     recipe: Recipe) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A recording-pooling head's training set: each clip's clean windows pooled (mean and max) as one item,
    and every augmented or training-only window as a recording of its own (its mean and max are itself).

    Each part is class- and stratum-balanced like :func:`sampling_weights`; the augmented part weighs
    ``recipe.model.augmented_share`` of the total: the clips are what a recording is, the augmented windows
    add the laughter-like, noisy and codec-coded variation the clips lack.  With ``recipe.model.coded_share``
    each clip's phone-codec windows (the cache's ``phone_eval`` copy) are pooled as a recording too, at that
    share: every Donate-a-Cry cry came through a phone codec, so heard only clean, a not-cry's codec read as
    "cry"; pooled coded the same clip is a lesson about the whole recording, not one window.
    """
    share, coded_share = recipe.model.augmented_share, recipe.model.coded_share
    if not 0.0 <= share < 1.0:
        raise InvalidParameterError(f"model.augmented_share must lie in [0, 1), got {share!r}.")
    if not (0.0 <= coded_share and share + coded_share < 1.0):
        raise InvalidParameterError("model.coded_share must lie in [0, 1 - augmented_share), got "
                                    f"{coded_share!r}.")
    index = cache.index.iloc[rows]
    clean = (index["kind"] == "clean").to_numpy()
    clips, pooled = _pooled_clips(cache, "clean", index["clip"].to_numpy()[clean])
    first = index[clean].drop_duplicates("clip").set_index("clip").loc[clips]
    single = np.asarray(cache.features[rows[~clean]], dtype=np.float32)
    parts = [(pooled, first["y"].to_numpy(), first[["y", "stratum"]].reset_index(drop=True),
              1.0 - share - coded_share),
             (np.hstack([single, single]), index["y"].to_numpy()[~clean],
              index.loc[~clean, ["y", "stratum"]].reset_index(drop=True), share)]
    if coded_share > 0.0:  # evaluation-only rows of the fold's own training clips (training_rows leaves them out)
        coded_clips, coded_pooled = _pooled_clips(cache, "phone_eval", clips)
        meta = first.loc[coded_clips]
        parts.append((coded_pooled, meta["y"].to_numpy(), meta[["y", "stratum"]].reset_index(drop=True),
                      coded_share))
    parts = [p for p in parts if len(p[1])]
    x = np.vstack([p[0] for p in parts], dtype=np.float32)
    y = np.concatenate([p[1] for p in parts])
    w = np.concatenate([sampling_weights(p[2], stratum_weights=recipe.fit.stratum_weights) * p[3] for p in parts])
    return x, y, w


def _pooled_clips(cache: FeatureCache, kind: str, clips: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pool_clips` of the windows of ``kind`` of those of ``clips`` that have any: the sorted clip ids and
    their pooled float32 rows.  Every clip is pooled once per cache (kept in ``cache.pooled``): the folds' fits
    differ in which clips they read, not in a clip's windows."""
    if kind not in cache.pooled:
        rows = np.flatnonzero((cache.index["kind"] == kind).to_numpy())
        ids, pooled = pool_clips(cache.features[rows], cache.index["clip"].to_numpy()[rows])
        cache.pooled[kind] = (ids, pooled.astype(np.float32))
    ids, pooled = cache.pooled[kind]
    keep = np.isin(ids, clips)
    return ids[keep], pooled[keep]


def clip_logits(
    model: Any, cache: FeatureCache, clips: np.ndarray, *, batch_size: int = 256, kind: str = "clean"
) -> np.ndarray:
    """Aggregated (mean over windows) logits of clips, as :meth:`babycry.modeling.CryModel.predict` computes them.

    ``kind="phone_eval"`` scores the clips' phone-codec windows instead; clips without any get NaN rows.

    Examples
    --------
    >>> clip_logits(model, cache, np.arange(10))  # doctest: +SKIP
    """
    import torch

    index = cache.index
    chosen = index[(index["kind"] == kind) & index["clip"].isin(set(np.asarray(clips).tolist()))]
    rows = chosen.index.to_numpy()
    if rows.size == 0:
        return np.full((len(clips), model.config.num_labels), np.nan)
    if getattr(model, "pools_recordings", False):
        # the head reads each clip's windows at once, or a long clip's runs of windows (their logits averaged), as
        # the model reads a recording (recording_logits_from_embeddings); a clip's windows are in time order
        clip_ids = chosen["clip"].to_numpy()
        max_windows = int(getattr(model.config, "pooling_max_windows", 0))
        run = np.zeros(clip_ids.size, dtype=int)
        for where in chosen.groupby("clip").indices.values():
            run[where] = window_runs(where.size, max_windows=max_windows)
        keys, owner = np.unique(np.stack([clip_ids, run], axis=1), axis=0, return_inverse=True)
        _, pooled = pool_clips(cache.features[rows], owner.ravel())
        with torch.inference_mode():
            logits = model.head_logits(torch.as_tensor(pooled, dtype=torch.float32)).numpy()
        frame = pd.DataFrame(logits.astype(np.float64)).groupby(keys[:, 0]).mean()
        return frame.reindex(np.asarray(clips)).to_numpy()
    out = []
    with torch.inference_mode():
        for i in range(0, rows.size, batch_size):
            x = torch.as_tensor(np.asarray(cache.features[rows[i : i + batch_size]], dtype=np.float32))
            # a 2-D cache holds the frozen encoder's embeddings (sound-effects CNN): only the head runs
            logits = model.logits_from_embeddings(x) if x.ndim == 2 else model(input_values=x).logits
            out.append(logits.float().numpy())
    frame = pd.DataFrame(np.concatenate(out).astype(np.float64))
    frame["clip"] = chosen["clip"].to_numpy()
    return frame.groupby("clip").mean().reindex(np.asarray(clips)).to_numpy()
