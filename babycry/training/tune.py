"""Fine-tuning the sound-effects CNN's last convolution block on cached block-3 maps.

The frozen embedding fits its own training clips almost perfectly yet lets unseen laughter through: the
limit is the representation, not the head (docs/experiments.md).  Retraining the whole encoder is out of
reach on two CPU cores, but its first three blocks can run once: the window cache stores their maps
(:meth:`SfxEncoder.maps <babycry.modeling.sfx.network.SfxEncoder.maps>`, as bfloat16 bits) and each fit
trains only the last block (:meth:`~babycry.modeling.sfx.network.SfxEncoder.from_maps`) with a linear head,
window by window, on the recipe's class- and stratum-balanced sample.  The recording head is then fitted on
the tuned embeddings as for the frozen encoder.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import numpy as np

from .recipes import Recipe

__all__ = ["MAPS_DTYPE", "holds_maps", "maps_to_bits", "bits_to_maps", "embed_maps", "tune_last_block"]

logger = logging.getLogger(__name__)

#: How a window cache stores block-3 maps ``(n, channels, frames, bands)``: the bits of bfloat16 values (what
#: the encoder computes on an AMX CPU, so the cached maps are exact there).
MAPS_DTYPE = np.int16


def holds_maps(features: np.ndarray) -> bool:
    """Whether cached features are block-3 maps (a tuned encoder's cache) rather than embeddings or fbanks.

    Examples
    --------
    >>> holds_maps(np.zeros((2, 4, 16, 7), np.int16)), holds_maps(np.zeros((2, 64), np.float32))
    (True, False)
    """
    return features.ndim == 4 and features.dtype == MAPS_DTYPE


def maps_to_bits(maps: Any) -> np.ndarray:
    """Block-3 maps (a torch tensor ``(n, c, f, b)``) as the cache stores them: their bfloat16 bits.

    Examples
    --------
    >>> import torch
    >>> bits = maps_to_bits(torch.tensor([[[[1.5, -2.0]]]]))
    >>> bits.dtype, bits.shape
    (dtype('int16'), (1, 1, 1, 2))
    """
    import torch

    return maps.to(torch.bfloat16).contiguous().view(torch.int16).numpy()


def bits_to_maps(bits: np.ndarray) -> Any:
    """The inverse of :func:`maps_to_bits`: a bfloat16 tensor ``(n, channels, frames, bands)``.

    Examples
    --------
    >>> import torch
    >>> x = torch.randn(2, 3, 4, 5).to(torch.bfloat16)
    >>> bool(torch.equal(bits_to_maps(maps_to_bits(x)), x))
    True
    """
    import torch

    return torch.from_numpy(np.array(bits, dtype=MAPS_DTYPE)).view(torch.bfloat16)


def embed_maps(model: Any, bits: np.ndarray, *, rows: np.ndarray | None = None, precision: str = "bfloat16",
               batch_size: int = 256) -> np.ndarray:
    """Embeddings ``(n, 16c)`` of cached block-3 maps through ``model``'s last block, in ``precision``.

    Parameters
    ----------
    model : SfxForAudioClassification
        Whose ``encoder.from_maps`` runs (its last block as it stands: pretrained or tuned).
    bits : np.ndarray
        A maps cache's features (:data:`MAPS_DTYPE`; memory-mapped: only ``rows`` are read, a batch at a time).
    rows : np.ndarray, optional
        Which rows to embed (default: all).
    precision : {"bfloat16", "float32"}
        The number format of the last block, as inference runs it (:func:`~babycry.modeling.predictor.inference_copy`).
    """
    import torch

    from ..modeling.predictor import inference_copy

    encoder = inference_copy(model, precision).encoder.eval()
    dtype = next(encoder.parameters()).dtype
    out = [np.zeros((0, int(model.config.embedding_size)), np.float32)]
    rows = np.arange(len(bits)) if rows is None else np.asarray(rows)
    with torch.inference_mode():
        for i in range(0, len(rows), batch_size):
            maps = bits_to_maps(bits[rows[i : i + batch_size]]).to(dtype)
            out.append(encoder.from_maps(maps).float().numpy())
    return np.concatenate(out)


def tune_last_block(model: Any, bits: np.ndarray, rows: np.ndarray, labels: np.ndarray, weights: np.ndarray, *,
                    recipe: Recipe, seed: int, precision: str = "bfloat16") -> Any:
    """``model`` with its encoder's last block fine-tuned on cached block-3 maps (a new model; ``model`` is kept).

    Each step draws ``fit.batch_size`` windows with probability ``weights`` (class- and stratum-balanced, as the
    AST's sampler), ``fit.epochs × fit.samples_per_epoch`` windows in all; AdamW with a one-cycle schedule
    (``fit.learning_rate`` at its peak after ``fit.warmup_fraction``, ``fit.weight_decay``).  The loss is
    cross-entropy of a linear head on the standardised embedding, started from ``model``'s own head (fitted on
    the pretrained embedding) and trained along at three times the rate; batch norm keeps its pretrained
    statistics (batches of 64 windows of ten sound categories would make poor ones).

    Parameters
    ----------
    model : SfxForAudioClassification
        The pretrained encoder with a recording head fitted on its embeddings.
    bits : np.ndarray
        A maps cache's features (:data:`MAPS_DTYPE`; memory-mapped: only the drawn rows are read).
    rows : np.ndarray
        The rows of ``bits`` to train on.
    labels : np.ndarray
        The class of every row of ``bits``.
    weights : np.ndarray
        The sampling weight of each of ``rows``.
    recipe : Recipe
        ``recipe.fit``: the optimisation; ``recipe.progress``: a progress bar.
    seed : int
        Sampling and the order of the draws.
    precision : {"bfloat16", "float32"}
        The forward pass's number format (bfloat16 autocast where the CPU multiplies it in hardware).
    """
    import torch
    from torch.nn import functional as F
    from tqdm.auto import tqdm

    settings = recipe.fit
    tuned = copy.deepcopy(model).float()
    block = tuned.encoder.conv_block4
    block.train()
    for module in block.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eval()
    head = torch.nn.Linear(tuned.classifier.in_features, tuned.classifier.out_features)
    with torch.no_grad():
        head.load_state_dict(tuned.classifier.state_dict())
    mean, scale = tuned.embedding_mean.clone(), tuned.embedding_scale.clone()
    lr = settings.learning_rate
    optimiser = torch.optim.AdamW([{"params": block.parameters(), "lr": lr},
                                   {"params": head.parameters(), "lr": 3 * lr}], weight_decay=settings.weight_decay)
    steps = max(1, settings.epochs * settings.samples_per_epoch // settings.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=[lr, 3 * lr], total_steps=steps,
                                                   pct_start=settings.warmup_fraction)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    p = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    autocast = precision == "bfloat16"
    for _ in tqdm(range(steps), desc="tuning the last block", disable=not recipe.progress, mininterval=5.0):
        batch = np.sort(rows[rng.choice(len(rows), size=settings.batch_size, p=p)])
        maps = bits_to_maps(bits[batch]).float()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            embedding = tuned.encoder.from_maps(maps).float()
        if tuned.pools_recordings:  # a single window is a recording of its own: its mean and max are itself
            embedding = torch.cat([embedding, embedding], dim=1)
        loss = F.cross_entropy(head((embedding - mean) / scale), torch.as_tensor(labels[batch], dtype=torch.long))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
    logger.info("tuned the last block: %d steps of %d windows", steps, settings.batch_size)
    return tuned.eval()
