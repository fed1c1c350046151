"""Honest confidence: softmax, temperature scaling, the "unsure" threshold and band, ECE.

Both are fitted on grouped out-of-fold logits (never on clips the model was
trained on) and stored beside the checkpoint in ``calibration.json``, so every
consumer of the checkpoint gets the same calibrated probabilities.  This module
writes that file (:func:`save_calibration`) and is the one place that reads and
checks it (:func:`load_calibration`); it knows nothing of the model itself.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .config import CRY_THRESHOLD, labels_for_task
from .errors import InvalidParameterError, ModelLoadError
from .hub import read_json

__all__ = [
    "CALIBRATION_FILE",
    "softmax",
    "Calibration",
    "fit_temperature",
    "fit_temperature_and_bias",
    "apply_calibration",
    "expected_calibration_error",
    "choose_unsure_threshold",
    "choose_cry_band",
    "save_calibration",
    "load_calibration",
    "class_recalls",
    "log_loss",
]

#: The file stored beside ``config.json`` / ``model.safetensors``.
CALIBRATION_FILE = "calibration.json"


def softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax.

    Examples
    --------
    >>> import numpy as np
    >>> softmax(np.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def log_loss(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes (natural log).

    Examples
    --------
    >>> import numpy as np
    >>> round(log_loss(np.array([[0.5, 0.5]]), np.array([1])), 4)
    0.6931
    """
    p = np.clip(np.asarray(probabilities, dtype=np.float64)[np.arange(len(y)), y], 1e-12, 1.0)
    return float(-np.mean(np.log(p)))


def fit_temperature(logits: np.ndarray, y: np.ndarray, *, bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The temperature that minimises the log-loss of ``softmax(logits / T)``.

    Parameters
    ----------
    logits : np.ndarray
        Uncalibrated out-of-fold logits ``(n, k)``.
    y : np.ndarray
        True class ids.
    bounds : (float, float)
        Search range for T.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 2000)
    >>> logits = np.stack([np.zeros(2000), (2 * y - 1) + rng.normal(size=2000)], axis=1)
    >>> round(fit_temperature(4 * logits, y) / fit_temperature(logits, y), 2)
    4.0
    """
    from scipy.optimize import minimize_scalar

    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if logits.ndim != 2 or len(logits) != len(y) or len(y) == 0:
        raise InvalidParameterError(f"Expected logits (n, k) matching {len(y)} labels, got shape {logits.shape}.")

    def nll(log_t: float) -> float:
        return log_loss(softmax(logits / np.exp(log_t)), y)

    res = minimize_scalar(nll, bounds=(np.log(bounds[0]), np.log(bounds[1])), method="bounded")
    return float(np.exp(res.x))


def fit_temperature_and_bias(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature plus per-class bias, ``softmax(logits / T + b)``, by minimum log-loss (``b[0] = 0``).

    A model trained on class-balanced batches predicts as if the classes were equally common; the bias puts
    the class prior back, so that an uninformative model scores the prior's log-loss, not log(k).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 80 + [1] * 20); logits = np.zeros((100, 2))
    >>> t, b = fit_temperature_and_bias(logits, y)
    >>> round(float(b[1]), 2)  # log(0.2 / 0.8)
    -1.39
    """
    from scipy.optimize import minimize

    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if logits.ndim != 2 or len(logits) != len(y) or len(y) == 0:
        raise InvalidParameterError(f"Expected logits (n, k) matching {len(y)} labels, got shape {logits.shape}.")
    k = logits.shape[1]

    def nll(params: np.ndarray) -> float:
        t = np.exp(np.clip(params[0], np.log(0.05), np.log(50.0)))
        b = np.concatenate([[0.0], params[1:]])
        return log_loss(softmax(logits / t + b), y)

    t0 = np.log(fit_temperature(logits, y))
    res = minimize(nll, np.concatenate([[t0], np.zeros(k - 1)]), method="Powell",
                   options={"maxiter": 4000, "xtol": 1e-4, "ftol": 1e-7})
    t = float(np.exp(np.clip(res.x[0], np.log(0.05), np.log(50.0))))
    return t, np.concatenate([[0.0], res.x[1:]])


def apply_calibration(logits: np.ndarray, *, temperature: float, bias: np.ndarray | None = None) -> np.ndarray:
    """Calibrated probabilities ``softmax(logits / temperature + bias)`` over the last axis.

    Parameters
    ----------
    logits : np.ndarray
        Uncalibrated logits ``(..., k)``: one clip ``(k,)`` or many ``(n, k)``.
    temperature : float
        Divide the logits by this.
    bias : np.ndarray, optional
        Added to the scaled logits, ``(k,)``.

    Returns
    -------
    np.ndarray
        Probabilities of the same shape as ``logits``.

    Examples
    --------
    >>> import numpy as np
    >>> apply_calibration(np.array([[0.0, 2.0]]), temperature=2.0).round(3).tolist()
    [[0.269, 0.731]]
    """
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    if bias is not None:
        z = z + np.asarray(bias, dtype=np.float64)
    return softmax(z)


def expected_calibration_error(probabilities: np.ndarray, y: np.ndarray, *, n_bins: int = 10) -> float:
    """Top-label expected calibration error with equal-width confidence bins.

    Examples
    --------
    >>> import numpy as np
    >>> expected_calibration_error(np.array([[0.9, 0.1], [0.9, 0.1]]), np.array([0, 1]))
    0.4
    """
    p = np.asarray(probabilities, dtype=np.float64)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == np.asarray(y)).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        mask = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(conf[mask].mean() - correct[mask].mean())
    return round(float(ece), 6)


def class_recalls(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Recall of each class (NaN for a class absent from ``y``).

    Examples
    --------
    >>> import numpy as np
    >>> class_recalls(np.array([0, 0, 1]), np.array([0, 1, 1]), 3).tolist()
    [0.5, 1.0, nan]
    """
    return np.array([np.mean(pred[y == c] == c) if np.any(y == c) else np.nan for c in range(n_classes)])


def _balanced_accuracy(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    recalls = class_recalls(y, pred, n_classes)
    recalls = recalls[~np.isnan(recalls)]
    return float(np.mean(recalls)) if recalls.size else float("nan")


def choose_unsure_threshold(
    probabilities: np.ndarray, y: np.ndarray, *, min_coverage: float = 0.5, grid: np.ndarray | None = None
) -> dict[str, float]:
    """Pick the abstention threshold on calibrated out-of-fold probabilities.

    The model answers when its top probability is at least the threshold.  The
    threshold maximises the balanced accuracy of the answered clips while
    answering at least ``min_coverage`` of them (ties: the lower threshold, so
    more answers).

    Parameters
    ----------
    probabilities : np.ndarray
        Calibrated OOF probabilities ``(n, k)``.
    y : np.ndarray
        True class ids.
    min_coverage : float
        Least fraction of clips that must be answered.

    Returns
    -------
    dict
        ``threshold``, ``coverage``, ``answered_balanced_accuracy``,
        ``all_balanced_accuracy``, ``min_coverage``.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.55, 0.45]])
    >>> choose_unsure_threshold(p, np.array([0, 1, 1, 1]))["threshold"]
    0.61
    """
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    k = p.shape[1]
    conf = p.max(axis=1)
    pred = p.argmax(axis=1)
    if grid is None:
        grid = np.round(np.arange(0.0, 1.0, 0.01), 2)
    best = None
    for t in grid:
        answered = conf >= t
        coverage = float(answered.mean())
        if coverage < min_coverage or answered.sum() == 0:
            continue
        score = _balanced_accuracy(y[answered], pred[answered], k)
        if best is None or score > best[1] + 1e-9:
            best = (float(t), score, coverage)
    if best is None:
        best = (0.0, _balanced_accuracy(y, pred, k), 1.0)
    return {
        "threshold": round(best[0], 4),
        "coverage": round(best[2], 4),
        "answered_balanced_accuracy": round(best[1], 4),
        "all_balanced_accuracy": round(_balanced_accuracy(y, pred, k), 4),
        "min_coverage": float(min_coverage),
    }


def choose_cry_band(
    cry_probabilities: np.ndarray, y: np.ndarray, *, max_dismissed: float = 0.03, min_confident: float = 0.8
) -> dict[str, float]:
    """Pick the detector's "unsure" band of P(cry) on calibrated out-of-fold predictions.

    Inside ``[low, high)`` the detector says it is unsure whether the recording
    is a cry.  The band is set by the cries alone, because the non-cries a home
    produces (laughter, coughs, screams) are mostly absent from the training
    data: ``low`` is the highest value (on a 0.01 grid) below which at most
    ``max_dismissed`` of the cries fall, ``high`` the highest value that still
    leaves at least ``min_confident`` of the cries at or above it.  The band
    always contains ``CRY_THRESHOLD`` (0.5), the yes/no decision.

    Parameters
    ----------
    cry_probabilities : np.ndarray
        Calibrated out-of-fold P(cry), ``(n,)``.
    y : np.ndarray
        1 for a cry, 0 otherwise.
    max_dismissed : float
        Largest share of cries confidently called "not a cry".
    min_confident : float
        Least share of cries confidently called "a cry".

    Returns
    -------
    dict
        ``low``, ``high``, and the shares of cries below, inside and above the band
        (``cries_dismissed``, ``cries_unsure``, ``cries_confident``).

    Raises
    ------
    InvalidParameterError
        If the shares are outside (0, 1), leave no band, or there are no cries.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.r_[np.linspace(0.0, 1.0, 101), np.zeros(50)]
    >>> band = choose_cry_band(p, np.r_[np.ones(101), np.zeros(50)], max_dismissed=0.1, min_confident=0.5)
    >>> band["low"], band["high"]
    (0.1, 0.5)
    """
    if not (0.0 <= max_dismissed < 1.0 and 0.0 < min_confident <= 1.0 and max_dismissed + min_confident <= 1.0):
        raise InvalidParameterError(
            "max_dismissed must lie in [0, 1), min_confident in (0, 1], and together they may not exceed 1; "
            f"got {max_dismissed!r} and {min_confident!r}."
        )
    p = np.asarray(cry_probabilities, dtype=np.float64).ravel()
    cries = p[np.asarray(y).ravel() == 1]
    if cries.size == 0:
        raise InvalidParameterError("choose_cry_band needs at least one cry among the predictions.")
    grid = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    below = np.array([np.mean(cries < t) for t in grid])
    low = float(grid[below <= max_dismissed + 1e-12].max())
    high = float(grid[below <= 1.0 - min_confident + 1e-12].max())
    low, high = min(low, CRY_THRESHOLD), max(high, CRY_THRESHOLD)
    return {
        "low": low,
        "high": high,
        "cries_dismissed": round(float(np.mean(cries < low)), 4),
        "cries_unsure": round(float(np.mean((cries >= low) & (cries < high))), 4),
        "cries_confident": round(float(np.mean(cries >= high)), 4),
        "max_dismissed": float(max_dismissed),
        "min_confident": float(min_confident),
    }


@dataclass(frozen=True)
class Calibration:
    """What ``calibration.json`` holds.

    Attributes
    ----------
    temperature : float
        Divide the logits by this before the softmax.
    bias : tuple of float, optional
        Added to the scaled logits (the class prior a class-balanced model lacks); ``None``: none.
    unsure_threshold : float
        Calibrated top probability below which the model abstains (0: never).
    cry_band : tuple of float, optional
        The detector's "unsure" band ``(low, high)`` of calibrated P(cry)
        (:func:`choose_cry_band`); ``None``: no band (the reason model).
    method : str
        How it was fitted.
    fitted_on : str
        Which predictions it was fitted on.

    Examples
    --------
    >>> Calibration(temperature=1.5).unsure_threshold
    0.0
    """

    temperature: float = 1.0
    unsure_threshold: float = 0.0
    bias: tuple[float, ...] | None = None
    method: str = "temperature scaling (minimum log-loss)"
    fitted_on: str = "grouped out-of-fold logits"
    n_predictions: int = 0
    coverage: float | None = None
    answered_balanced_accuracy: float | None = None
    cry_band: tuple[float, float] | None = None


def save_calibration(calibration: Calibration, folder: str | os.PathLike) -> Path:
    """Write ``calibration.json`` into a checkpoint folder.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save_calibration(Calibration(temperature=2.0), d).name
    'calibration.json'
    """
    path = Path(folder) / CALIBRATION_FILE
    path.write_text(json.dumps(asdict(calibration), indent=2) + "\n")
    return path


def load_calibration(path_or_id: str | os.PathLike, *, task: str | None = None) -> Calibration:
    """Read and check ``calibration.json`` beside a checkpoint (a local folder or a hub id).

    Parameters
    ----------
    path_or_id : str or os.PathLike
        The checkpoint folder or hub id.
    task : {"detector", "reason"}, optional
        The checkpoint's task: the bias must have one value per label, and only
        the detector may carry a ``cry_band``.  ``None``: those two checks are
        skipped.

    Returns
    -------
    Calibration
        ``Calibration()`` (temperature 1, no bias, never unsure) when the file is absent.

    Raises
    ------
    ModelLoadError
        The file is corrupt or holds an invalid temperature, bias, unsure threshold or band.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = save_calibration(Calibration(temperature=2.0, cry_band=(0.3, 0.8)), d)
    ...     load_calibration(d, task="detector").cry_band
    (0.3, 0.8)
    """
    source = str(path_or_id)
    stored = read_json(source, CALIBRATION_FILE)
    if stored is None:
        return Calibration()
    if not isinstance(stored, dict):
        raise ModelLoadError(f"The calibration of {source!r} is not a JSON object.")
    temperature = _finite(stored.get("temperature", 1.0))
    if not (math.isfinite(temperature) and temperature > 0):
        raise ModelLoadError(
            f"The calibration of {source!r} holds an invalid temperature {stored.get('temperature')!r}."
        )
    bias = stored.get("bias")
    if bias is not None:
        values = [_finite(v) for v in bias] if isinstance(bias, (list, tuple)) else [math.nan]
        n_labels = len(labels_for_task(task)) if task is not None else len(values)
        if len(values) != n_labels or not all(math.isfinite(v) for v in values):
            raise ModelLoadError(f"The calibration of {source!r} holds an invalid bias {bias!r}.")
        bias = tuple(values)
    band = stored.get("cry_band")
    if band is not None:
        bounds = [_finite(v) for v in band] if isinstance(band, (list, tuple)) else []
        low, high = bounds if len(bounds) == 2 else (math.nan, math.nan)
        # the band always holds the yes/no decision, and only the detector has one
        if task not in (None, "detector") or not (0.0 <= low <= CRY_THRESHOLD <= high <= 1.0):
            raise ModelLoadError(f"The calibration of {source!r} holds an invalid cry_band {band!r}.")
        band = (low, high)
    unsure = _finite(stored.get("unsure_threshold", 0.0))
    if not 0.0 <= unsure <= 1.0:
        raise ModelLoadError(
            f"The calibration of {source!r} holds an invalid unsure_threshold {stored.get('unsure_threshold')!r}."
        )
    rest = {f.name: stored[f.name] for f in fields(Calibration)
            if f.name in stored and f.name not in ("temperature", "bias", "cry_band", "unsure_threshold")}
    return Calibration(temperature=temperature, bias=bias, cry_band=band,
                       unsure_threshold=unsure, **rest)


def _finite(value: Any) -> float:
    """``float(value)``, NaN for anything that is not a number (so the caller's range check rejects it)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
