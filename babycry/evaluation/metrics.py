"""Point metrics, the family bootstrap behind every interval, and the reference figures beside them.

Every confidence interval comes from a bootstrap over **groups** (families,
recordings, speakers), not clips: clips of one family are not independent, so
resampling clips would give intervals that are far too narrow.

Everything here takes arrays (labels, probabilities, group keys, folds); nothing
trains or loads a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..calibration import class_recalls, expected_calibration_error, log_loss
from ..config import N_BOOTSTRAP

__all__ = [
    "Folds",
    "point_metrics",
    "compute_metrics",
    "bootstrap_draws",
    "majority_baseline",
    "band_report",
    "group_leakage",
    "category_holdout_report",
]

#: Per seed, the list of ``(train_indices, test_indices)`` of a cross-validation.
Folds = Sequence[Sequence[tuple[np.ndarray, np.ndarray]]]


def point_metrics(
    y: np.ndarray,
    probs: np.ndarray,
    *,
    k: int,
    categories: np.ndarray | None = None,
    n_bins: int = 10,
    decisions: np.ndarray | None = None,
    families: np.ndarray | None = None,
) -> dict[str, Any]:
    """Metrics of one set of predictions (no intervals).

    Parameters
    ----------
    y : np.ndarray
        True class ids.
    probs : np.ndarray
        Predicted probabilities ``(n, k)``.
    k : int
        Number of classes.
    categories : np.ndarray, optional
        Per-clip category (detector: silence, noise, …, cry) for per-category accuracy.
    n_bins : int
        Bins of the expected calibration error.
    decisions : np.ndarray, optional
        Predicted class ids for the decision metrics (default: ``probs.argmax``).  The reason model decides
        on prior-corrected scores while its probabilities keep the class prior.
    families : np.ndarray, optional
        Per-clip family (group) key: with ``categories``, also each category's accuracy per family.

    Returns
    -------
    dict
        ``balanced_accuracy``, ``macro_f1``, ``recall`` (list), ``log_loss``,
        ``ece``, ``accuracy`` (and ``roc_auc`` for two classes,
        ``category_accuracy`` when categories are given, ``family_accuracy`` with families too: the mean over
        a category's families of each family's share of right answers, so a recording cut into 88 chunks
        counts once, as a video does).

    Examples
    --------
    >>> import numpy as np
    >>> m = point_metrics(np.array([0, 1, 1]), np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]), k=2)
    >>> m["balanced_accuracy"], round(m["roc_auc"], 2)
    (0.75, 1.0)
    """
    y = np.asarray(y, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    pred = probs.argmax(axis=1) if decisions is None else np.asarray(decisions, dtype=np.int64)
    rec = class_recalls(y, pred, k)
    f1s = []
    for c in range(k):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        if tp + fn == 0:
            continue
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    out: dict[str, Any] = {
        "balanced_accuracy": float(np.nanmean(rec)),
        "macro_f1": float(np.mean(f1s)) if f1s else float("nan"),
        "recall": [float(r) for r in rec],
        "accuracy": float(np.mean(pred == y)),
        "log_loss": log_loss(probs, y),
        "ece": expected_calibration_error(probs, y, n_bins=n_bins),
    }
    if k == 2:
        from sklearn.metrics import roc_auc_score

        out["roc_auc"] = float(roc_auc_score(y, probs[:, 1])) if len(set(y.tolist())) == 2 else float("nan")
    if categories is not None:
        cats, right = np.asarray(categories), pred == y
        out["category_accuracy"] = {str(c): float(np.mean(right[cats == c])) for c in sorted(set(cats))}
        if families is not None:
            out["family_accuracy"] = {str(c): _family_mean(right[cats == c], np.asarray(families)[cats == c])
                                      for c in sorted(set(cats))}
    return out


def _family_mean(right: np.ndarray, families: np.ndarray) -> float:
    """The mean over families of each family's share of ``right``."""
    _, family = np.unique(families, return_inverse=True)
    counts = np.bincount(family)
    return float(np.mean(np.bincount(family, weights=right.astype(np.float64)) / counts))


def _flatten(m: dict[str, Any], labels: Sequence[str]) -> dict[str, float]:
    """One float per key: recalls and category accuracies as ``recall/<name>``, ``category_accuracy/<name>``."""
    flat = {key: v for key, v in m.items() if isinstance(v, float)}
    for name, r in zip(labels, m["recall"], strict=False):
        flat[f"recall/{name}"] = r
    for kind in ("category_accuracy", "family_accuracy"):
        for name, acc in m.get(kind, {}).items():
            flat[f"{kind}/{name}"] = acc
    return flat


def compute_metrics(
    y: np.ndarray,
    probs: np.ndarray,
    groups: np.ndarray,
    *,
    labels: Sequence[str],
    categories: np.ndarray | None = None,
    n_boot: int = N_BOOTSTRAP,
    seed: int = 0,
    decisions: np.ndarray | None = None,
) -> dict[str, Any]:
    """Metrics with 95% CIs from a bootstrap over groups (families).

    Each bootstrap draw resamples whole groups with replacement and keeps every
    prediction of each drawn group (all seeds of a repeated CV).

    Parameters
    ----------
    y, probs, groups : np.ndarray
        True ids, probabilities ``(n, k)`` and group keys of every prediction.
    labels : sequence of str
        Class names.
    categories : np.ndarray, optional
        Per-prediction category for per-category accuracy.
    n_boot : int
        Bootstrap draws.
    seed : int
        Seed of the bootstrap's generator.
    decisions : np.ndarray, optional
        Predicted class ids (default: argmax of ``probs``).

    Returns
    -------
    dict
        ``{metric: {"value": v, "ci95": [lo, hi]}}`` with recalls and
        category accuracies under ``recall/<name>``,
        ``category_accuracy/<name>`` and (per family) ``family_accuracy/<name>``,
        plus ``confusion_matrix`` (rows: true).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200); p = np.stack([1 - y * 0.8 - 0.1, y * 0.8 + 0.1], 1)
    >>> m = compute_metrics(y, p, np.arange(200) % 40, labels=("a", "b"), n_boot=50)
    >>> m["balanced_accuracy"]["value"]
    1.0
    """
    y = np.asarray(y, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    groups = np.asarray(groups).astype(str)
    k = len(labels)
    dec = None if decisions is None else np.asarray(decisions, dtype=np.int64)
    point = _flatten(point_metrics(y, probs, k=k, categories=categories, decisions=dec, families=groups), labels)
    uniq, inverse = np.unique(groups, return_inverse=True)
    rng = np.random.default_rng(seed)
    picks = [rng.integers(0, len(uniq), len(uniq)) for _ in range(n_boot)]
    draws = bootstrap_draws(y, probs, inverse, picks, labels=labels, categories=categories, decisions=dec)
    out: dict[str, Any] = {}
    for key, value in point.items():
        d = draws.get(key, np.full(n_boot, np.nan))
        d = d[np.isfinite(d)]
        ci = [round(float(np.percentile(d, q)), 4) for q in (2.5, 97.5)] if d.size else [None, None]
        out[key] = {"value": round(float(value), 4) if np.isfinite(value) else None, "ci95": ci}
        # A figure drawn from one recording has no family-bootstrap interval: say so instead of [v, v].
        n_groups = _groups_behind(key, y=y, groups=groups, categories=categories, labels=labels)
        if n_groups is not None:
            out[key]["n_groups"] = n_groups
    pred = probs.argmax(axis=1) if dec is None else dec
    out["confusion_matrix"] = {
        "labels": list(labels),
        "rows_true_cols_predicted": [[int(np.sum((y == t) & (pred == p))) for p in range(k)] for t in range(k)],
    }
    return out


def bootstrap_draws(
    y: np.ndarray,
    probs: np.ndarray,
    group_ids: np.ndarray,
    picks: Sequence[np.ndarray],
    *,
    labels: Sequence[str],
    categories: np.ndarray | None = None,
    decisions: np.ndarray | None = None,
    n_bins: int = 10,
) -> dict[str, np.ndarray]:
    """Every bootstrap draw's figures at once: what :func:`point_metrics` gives for the rows of the drawn groups.

    A draw that takes group ``g`` ``n`` times holds each of ``g``'s rows ``n`` times (and, for the per-family
    figures, ``n`` families), so each figure is a ratio of group sums weighted by the draw's counts: one
    ``(draws, groups)`` matrix product per kind of figure instead of :func:`point_metrics` on every draw's rows
    (a detector report of 15,000 predictions and 500 draws: 15.6 s to 1.8 s, all of it).

    Parameters
    ----------
    y, probs : np.ndarray
        True class ids and probabilities ``(n, k)``.
    group_ids : np.ndarray
        Each row's group as an integer ``0 .. n_groups - 1``.
    picks : sequence of np.ndarray
        Per draw, the group ids drawn (with replacement).
    labels : sequence of str
        Class names (keys ``recall/<name>``).
    categories : np.ndarray, optional
        Per-row category (keys ``category_accuracy/<name>``, ``family_accuracy/<name>``).
    decisions : np.ndarray, optional
        Predicted class ids (default: argmax of ``probs``).
    n_bins : int
        Bins of the expected calibration error.

    Returns
    -------
    dict
        Figure name (as :func:`compute_metrics` names them) -> one value per draw; NaN where a draw lacks what the
        figure needs (a class or category not drawn).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1, 1, 0]); p = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.4, 0.6]])
    >>> d = bootstrap_draws(y, p, np.array([0, 0, 1, 1]), [np.array([0, 0]), np.array([0, 1])], labels=("a", "b"))
    >>> d["accuracy"].tolist(), d["recall/a"].tolist()
    ([1.0, 0.5], [1.0, 0.5])
    """
    if not len(picks):
        return {}
    k = len(labels)
    y = np.asarray(y, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    group_ids = np.asarray(group_ids, dtype=np.int64)
    n_groups = int(group_ids.max()) + 1 if group_ids.size else 0
    pred = probs.argmax(axis=1) if decisions is None else np.asarray(decisions, dtype=np.int64)
    counts = np.stack([np.bincount(p, minlength=n_groups) for p in picks]).astype(np.float64)  # (draws, groups)

    def per_group(columns: np.ndarray) -> np.ndarray:
        """Each group's sums of ``columns`` ``(n, m)``: ``(groups, m)``."""
        return np.stack([np.bincount(group_ids, weights=c, minlength=n_groups) for c in columns.T], axis=1)

    def drawn(columns: np.ndarray) -> np.ndarray:
        """Per draw, the sums of ``columns`` over the drawn rows: ``(draws, m)``."""
        return counts @ per_group(columns)

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)

    out: dict[str, np.ndarray] = {}
    cells = drawn(np.eye(k * k)[y * k + pred]).reshape(-1, k, k)  # confusion matrices, rows true
    support, tp = cells.sum(axis=2), np.diagonal(cells, axis1=1, axis2=2)
    recall = ratio(tp, support)
    present = (support > 0).sum(axis=1)
    out["balanced_accuracy"] = ratio(np.where(support > 0, recall, 0.0).sum(axis=1), present)
    # F1 = 2 tp / (2 tp + fp + fn) = 2 tp / (predicted + true), over the classes present
    f1 = np.where(tp > 0, 2 * tp / np.maximum(support + cells.sum(axis=1), 1.0), 0.0)
    out["macro_f1"] = ratio(np.where(support > 0, f1, 0.0).sum(axis=1), present)
    total = support.sum(axis=1)
    out["accuracy"] = np.trace(cells, axis1=1, axis2=2) / total
    nll = -np.log(np.clip(probs[np.arange(y.size), y], 1e-12, 1.0))
    out["log_loss"] = drawn(nll[:, None])[:, 0] / total
    # expected calibration error: equal-width bins of the top probability, the first one closed at 0
    conf = probs.max(axis=1)
    bins = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:], conf, side="left")
    inside = bins < n_bins
    onehot = np.eye(n_bins)[np.minimum(bins, n_bins - 1)] * inside[:, None]
    correct = (probs.argmax(axis=1) == y).astype(np.float64)
    per_bin = drawn(np.hstack([onehot, onehot * conf[:, None], onehot * correct[:, None]])).reshape(-1, 3, n_bins)
    gap = np.abs(per_bin[:, 1] - per_bin[:, 2]) / total[:, None]
    out["ece"] = np.round(np.where(per_bin[:, 0] > 0, gap, 0.0).sum(axis=1), 6)
    if k == 2:
        out["roc_auc"] = _drawn_auc(y, probs[:, 1], group_ids, counts)
    for name, r in zip(labels, recall.T, strict=False):
        out[f"recall/{name}"] = r
    if categories is not None:
        cats = np.asarray(categories).astype(str)
        names, cat_ids = np.unique(cats, return_inverse=True)
        member = np.eye(names.size)[cat_ids]
        right = (pred == y).astype(np.float64)[:, None]
        in_group, hit_group = per_group(member), per_group(member * right)
        rows, hits = counts @ in_group, counts @ hit_group
        # each drawn family (a family drawn twice is two) its share of right answers, then their mean
        has = (in_group > 0).astype(np.float64)
        share = np.where(in_group > 0, hit_group / np.where(in_group > 0, in_group, 1.0), 0.0)
        families, family_hits = counts @ has, counts @ share
        for j, name in enumerate(names):
            out[f"category_accuracy/{name}"] = ratio(hits[:, j], rows[:, j])
            out[f"family_accuracy/{name}"] = ratio(family_hits[:, j], families[:, j])
    return out


def _drawn_auc(y: np.ndarray, scores: np.ndarray, group_ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per draw, the ROC AUC of the drawn rows: the weighted share of (cry, not-cry) pairs ranked right, ties
    half (what ``sklearn.metrics.roc_auc_score`` gives on the rows repeated); NaN when a class is not drawn."""
    ranks = np.unique(scores, return_inverse=True)[1].ravel()
    n_ranks = int(ranks.max()) + 1 if ranks.size else 0
    positive = y == 1
    out = np.full(counts.shape[0], np.nan)
    for b, row_weights in enumerate(counts[:, group_ids]):
        neg = np.bincount(ranks[~positive], weights=row_weights[~positive], minlength=n_ranks)
        pos = np.bincount(ranks[positive], weights=row_weights[positive], minlength=n_ranks)
        if pos.sum() > 0 and neg.sum() > 0:
            below = np.cumsum(neg) - neg
            out[b] = float(pos @ (below + 0.5 * neg)) / (pos.sum() * neg.sum())
    return out


def _groups_behind(key: str, *, y: np.ndarray, groups: np.ndarray, categories: np.ndarray | None,
                   labels: Sequence[str]) -> int | None:
    """How many groups a per-class or per-category figure is computed from (``None`` for whole-set figures)."""
    kind, _, name = key.partition("/")
    if kind == "recall" and name in labels:
        return int(np.unique(groups[y == list(labels).index(name)]).size)
    if kind in ("category_accuracy", "family_accuracy") and categories is not None:
        return int(np.unique(groups[np.asarray(categories).astype(str) == name]).size)
    return None


def majority_baseline(y: np.ndarray, *, k: int, folds: Folds | None = None) -> dict[str, Any]:
    """Majority-class predictor with the class prior as its probabilities.

    ``log_loss`` uses the prior of all of ``y`` (in-sample). With ``folds`` (per seed, a list of
    ``(train, test)``), ``log_loss_out_of_fold`` scores each test fold with the prior of its training
    folds, the way the model's out-of-fold predictions are made: the like-for-like reference.

    Parameters
    ----------
    y : np.ndarray
        True class ids, one per clip.
    k : int
        Number of classes.
    folds : sequence, optional
        Per seed, the ``(train, test)`` index pairs of a cross-validation.

    Returns
    -------
    dict
        ``balanced_accuracy``, ``macro_f1``, ``accuracy``, ``log_loss``, ``prior``, ``majority_class``
        (and ``log_loss_out_of_fold`` with ``folds``).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 1])
    >>> majority_baseline(y, k=2)["log_loss"]
    0.5623
    >>> folds = [[(np.array([0, 1]), np.array([2, 3])), (np.array([2, 3]), np.array([0, 1]))]]
    >>> majority_baseline(y, k=2, folds=folds)["log_loss_out_of_fold"] > 0.5623
    True
    """
    y = np.asarray(y, dtype=np.int64)
    prior = np.bincount(y, minlength=k) / len(y)
    probs = np.tile(prior, (len(y), 1))
    majority = int(prior.argmax())
    f1 = 2 * prior[majority] / (prior[majority] + 1.0)
    out: dict[str, Any] = {
        "balanced_accuracy": round(1.0 / k, 4),
        "macro_f1": round(float(f1) / k, 4),
        "accuracy": round(float(prior[majority]), 4),
        "log_loss": round(log_loss(probs, y), 4),
        "prior": [round(float(p), 4) for p in prior],
        "majority_class": majority,
    }
    if folds:
        fold_probs, fold_y = [], []
        for seed_folds in folds:
            for train, test in seed_folds:
                # add-one smoothing: a class absent from the training folds must not get probability 0
                fold_prior = (np.bincount(y[train], minlength=k) + 1.0) / (len(train) + k)
                fold_probs.append(np.tile(fold_prior, (len(test), 1)))
                fold_y.append(y[test])
        out["log_loss_out_of_fold"] = round(log_loss(np.concatenate(fold_probs), np.concatenate(fold_y)), 4)
    return out


def band_report(cry_probabilities: np.ndarray, categories: np.ndarray, *, band: tuple[float, float]) -> dict[str, Any]:
    """Per category of sound: the share the detector calls a cry, is unsure about, and calls not a cry.

    Parameters
    ----------
    cry_probabilities : np.ndarray
        Calibrated P(cry) of every prediction.
    categories : np.ndarray
        The category of sound of every prediction (cry, laugh, noise, …).
    band : (float, float)
        The "unsure" band ``[low, high)`` of P(cry).

    Returns
    -------
    dict
        ``low``, ``high``, ``categories`` (``{category: {"cry", "unsure", "not_cry", "n_predictions"}}``,
        cries first) and ``note``.

    Examples
    --------
    >>> r = band_report(np.array([0.9, 0.6, 0.1, 0.95]), np.array(["cry", "cry", "noise", "laugh"]), band=(0.3, 0.8))
    >>> r["categories"]["cry"]
    {'cry': 0.5, 'unsure': 0.5, 'not_cry': 0.0, 'n_predictions': 2}
    """
    low, high = (float(v) for v in band)
    p = np.asarray(cry_probabilities, dtype=np.float64)
    cats = np.asarray(categories).astype(str)
    shares = {}
    for cat in sorted(set(cats.tolist()), key=lambda c: (c != "cry", c)):
        q = p[cats == cat]
        shares[cat] = {"cry": round(float(np.mean(q >= high)), 4),
                       "unsure": round(float(np.mean((q >= low) & (q < high))), 4),
                       "not_cry": round(float(np.mean(q < low)), 4), "n_predictions": int(q.size)}
    return {
        "low": low,
        "high": high,
        "categories": shares,
        # metrics.json schema: this sentence is stored verbatim in the bundled reports
        "note": "P(cry) in [low, high) is reported as unsure whether it is a cry; the band is chosen on the cries' "
        "out-of-fold probabilities only (recipe cv.cry_band_*), the shares use cross-fitted calibration. The yes/no "
        "figures above are unchanged by it.",
    }


def group_leakage(groups: np.ndarray, folds: Folds) -> dict[str, int]:
    """How many (seed, fold) pairs put a group on both sides (0 for a grouped split).

    Parameters
    ----------
    groups : np.ndarray
        Group key of every clip.
    folds : sequence
        Per seed, the ``(train, test)`` index pairs.

    Returns
    -------
    dict
        ``folds_with_shared_groups`` and ``folds`` (the number of (seed, fold) pairs).

    Examples
    --------
    >>> import numpy as np
    >>> g = np.array(["a", "a", "b", "c"])
    >>> group_leakage(g, [[(np.array([0, 2]), np.array([1, 3])), (np.array([1, 3]), np.array([0, 2]))]])
    {'folds_with_shared_groups': 2, 'folds': 2}
    """
    groups = np.asarray(groups).astype(str)
    shared = sum(bool(set(groups[tr].tolist()) & set(groups[te].tolist())) for seed_folds in folds
                 for tr, te in seed_folds)
    return {"folds_with_shared_groups": int(shared), "folds": int(sum(len(f) for f in folds))}


def category_holdout_report(
    cry_probabilities: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    categories: np.ndarray,
    held_out: np.ndarray,
    *,
    threshold: float,
    n_boot: int = N_BOOTSTRAP,
) -> dict[str, Any]:
    """Leave-one-category-out figures: per left-out category, its accuracy and the cries' accuracy.

    Parameters
    ----------
    cry_probabilities : np.ndarray
        Calibrated P(cry) of every scored clip.
    y, groups, categories : np.ndarray
        Each scored clip's class id (1 = cry), group and category of sound.
    held_out : np.ndarray
        The category left out of the model that scored each clip.
    threshold : float
        P(cry) at or above which a clip is called a cry.

    Returns
    -------
    dict
        ``{"categories": {category: {"held_out": Interval, "held_out_per_family": Interval, "cries": Interval,
        "n_clips": n}}, "note": ...}``.

    Examples
    --------
    >>> r = category_holdout_report(np.array([0.1, 0.7, 0.9, 0.8]), np.array([0, 0, 1, 1]), np.arange(4),
    ...                             np.array(["cough", "cough", "cry", "cry"]), np.array(["cough"] * 4),
    ...                             threshold=0.5, n_boot=20)
    >>> r["categories"]["cough"]["held_out"]["value"], r["categories"]["cough"]["cries"]["value"]
    (0.5, 1.0)
    """
    p = np.asarray(cry_probabilities, dtype=np.float64)
    y, groups = np.asarray(y, dtype=np.int64), np.asarray(groups).astype(str)
    categories, held_out = np.asarray(categories).astype(str), np.asarray(held_out).astype(str)
    out: dict[str, Any] = {}
    for cat in sorted(set(held_out.tolist())):
        rows = held_out == cat
        probs = np.stack([1.0 - p[rows], p[rows]], axis=1)
        m = compute_metrics(y[rows], probs, groups[rows], labels=("not_cry", "cry"), categories=categories[rows],
                            n_boot=n_boot, decisions=(p[rows] >= threshold).astype(np.int64))
        out[cat] = {"held_out": m[f"category_accuracy/{cat}"], "cries": m.get("category_accuracy/cry"),
                    "held_out_per_family": m.get(f"family_accuracy/{cat}"),
                    "n_clips": int((rows & (categories == cat)).sum())}
    return {"categories": out,
            "note": "each category scored by models trained without any of its clips, one per grouped fold (a "
            "clip's logits the mean over them, then calibrated), and each fold's cries by that fold's model, which "
            "never heard their families: how the detector meets a kind of sound it never heard"}
