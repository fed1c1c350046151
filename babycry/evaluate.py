"""Evaluation a researcher can trust: grouped CV reports, family-bootstrap CIs, checkpoint scoring.

Every confidence interval comes from a bootstrap over **groups** (families,
recordings, speakers), not clips: clips of one family are not independent, so
resampling clips would give intervals that are far too narrow.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from .calibration import class_recalls, softmax
from .config import AudioConfig, WindowConfig
from .data import TaskData, load_task
from .errors import DataError
from .modeling import CryModel, load_model

__all__ = [
    "point_metrics",
    "compute_metrics",
    "cv_report",
    "run_cv",
    "evaluate_checkpoint",
    "format_table",
]

_N_BOOT = 500


def point_metrics(
    y: np.ndarray,
    probs: np.ndarray,
    *,
    k: int,
    categories: np.ndarray | None = None,
    n_bins: int = 10,
    decisions: np.ndarray | None = None,
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
    decisions : np.ndarray, optional
        Predicted class ids for the decision metrics (default: ``probs.argmax``).  The reason model decides
        on prior-corrected scores while its probabilities keep the class prior.

    Returns
    -------
    dict
        ``balanced_accuracy``, ``macro_f1``, ``recall`` (list), ``log_loss``,
        ``ece``, ``accuracy`` (and ``roc_auc`` for two classes,
        ``category_accuracy`` when categories are given).

    Examples
    --------
    >>> import numpy as np
    >>> m = point_metrics(np.array([0, 1, 1]), np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]), k=2)
    >>> m["balanced_accuracy"], round(m["roc_auc"], 2)
    (0.75, 1.0)
    """
    from .calibration import expected_calibration_error, log_loss

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
        cats = np.asarray(categories)
        out["category_accuracy"] = {str(c): float(np.mean(pred[cats == c] == y[cats == c])) for c in sorted(set(cats))}
    return out


def _flatten(m: dict[str, Any], labels: tuple[str, ...]) -> dict[str, float]:
    flat = {key: v for key, v in m.items() if isinstance(v, float)}
    for name, r in zip(labels, m["recall"], strict=False):
        flat[f"recall/{name}"] = r
    for name, acc in m.get("category_accuracy", {}).items():
        flat[f"category_accuracy/{name}"] = acc
    return flat


def compute_metrics(
    y: np.ndarray,
    probs: np.ndarray,
    groups: np.ndarray,
    *,
    labels: tuple[str, ...],
    categories: np.ndarray | None = None,
    n_boot: int = _N_BOOT,
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
    labels : tuple of str
        Class names.
    categories : np.ndarray, optional
        Per-prediction category for per-category accuracy.
    n_boot : int
        Bootstrap draws.
    decisions : np.ndarray, optional
        Predicted class ids (default: argmax of ``probs``).

    Returns
    -------
    dict
        ``{metric: {"value": v, "ci95": [lo, hi]}}`` with recalls and
        category accuracies under ``recall/<name>`` and
        ``category_accuracy/<name>``, plus ``confusion_matrix`` (rows: true).

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
    point = _flatten(point_metrics(y, probs, k=k, categories=categories, decisions=dec), labels)
    uniq, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(uniq))]
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {key: [] for key in point}
    for _ in range(n_boot):
        pick = rng.integers(0, len(uniq), len(uniq))
        rows = np.concatenate([members[g] for g in pick])
        cats = None if categories is None else np.asarray(categories)[rows]
        m = _flatten(point_metrics(y[rows], probs[rows], k=k, categories=cats,
                                   decisions=None if dec is None else dec[rows]), labels)
        for key in draws:
            draws[key].append(m.get(key, np.nan))
    out: dict[str, Any] = {}
    for key, value in point.items():
        d = np.asarray(draws[key], dtype=np.float64)
        d = d[np.isfinite(d)]
        ci = [round(float(np.percentile(d, q)), 4) for q in (2.5, 97.5)] if d.size else [None, None]
        out[key] = {"value": round(float(value), 4) if np.isfinite(value) else None, "ci95": ci}
    pred = probs.argmax(axis=1) if dec is None else dec
    out["confusion_matrix"] = {
        "labels": list(labels),
        "rows_true_cols_predicted": [[int(np.sum((y == t) & (pred == p))) for p in range(k)] for t in range(k)],
    }
    return out


def _baseline(y: np.ndarray, *, k: int, folds: list | None = None) -> dict[str, float]:
    """Majority-class predictor with the class prior as its probabilities.

    ``log_loss`` uses the prior of all of ``y`` (in-sample). With ``folds`` (per seed, a list of
    ``(train, test)``), ``log_loss_out_of_fold`` scores each test fold with the prior of its training
    folds, the way the model's out-of-fold predictions are made: the like-for-like reference.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 1])
    >>> _baseline(y, k=2)["log_loss"]
    0.5623
    >>> _baseline(y, k=2, folds=[[(np.array([0, 1]), np.array([2, 3])), (np.array([2, 3]), np.array([0, 1]))]])[
    ...     "log_loss_out_of_fold"] > 0.5623
    True
    """
    from .calibration import log_loss

    prior = np.bincount(y, minlength=k) / len(y)
    probs = np.tile(prior, (len(y), 1))
    majority = int(prior.argmax())
    f1 = 2 * prior[majority] / (prior[majority] + 1.0)
    out = {
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


def _cross_fitted_calibration(
    result: Any, y: np.ndarray, *, fit_bias: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated OOF probabilities where each fold's calibration is fitted on the other folds' OOF logits.

    Returns the calibrated probabilities and the prior-free ("balanced") ones, ``softmax(logits / T)``.
    """
    from .calibration import apply_calibration, fit_temperature, fit_temperature_and_bias

    probs = np.zeros_like(result.logits)
    balanced = np.zeros_like(result.logits)
    for s, folds in enumerate(result.folds):
        for _, te in folds:
            others = np.setdiff1d(np.arange(len(y)), te)
            if fit_bias:
                t, b = fit_temperature_and_bias(result.logits[s, others], y[others])
            else:
                t, b = fit_temperature(result.logits[s, others], y[others]), None
            probs[s, te] = apply_calibration(result.logits[s, te], temperature=t, bias=b)
            balanced[s, te] = apply_calibration(result.logits[s, te], temperature=t)
    return probs, balanced


def cv_report(
    data: TaskData,
    result: Any,
    *,
    temperature: float | None = None,
    unsure_threshold: float = 0.0,
    cry_band: tuple[float, float] | None = None,
    n_boot: int = _N_BOOT,
    fit_bias: bool = False,
) -> dict[str, Any]:
    """Turn pooled OOF logits (:class:`babycry.train.CVResult`) into the metrics JSON.

    ``cry_band`` (detector): the stored "unsure" band of P(cry); the report then
    says, per category of sound, what share the detector calls a cry, is unsure
    about, and calls not a cry.

    Headline metrics use calibrated probabilities in which each fold's
    temperature was fitted on the *other* folds' OOF predictions
    (cross-fitted), so calibration is never scored on what it was fitted to.
    The uncalibrated figures are given beside them.

    Examples
    --------
    >>> cv_report(data, cross_validate(data, cache, config=cfg))  # doctest: +SKIP
    """
    from .calibration import choose_unsure_threshold

    y = data.y
    n_seeds, n, k = result.logits.shape
    pooled_y = np.tile(y, n_seeds)
    groups = np.tile(data.groups.astype(str), n_seeds)
    cats = np.tile(data.table["category"].to_numpy().astype(str), n_seeds) if data.task == "detector" else None
    cal, bal = _cross_fitted_calibration(result, y, fit_bias=fit_bias)
    cal, bal = cal.reshape(-1, k), bal.reshape(-1, k)
    decisions = bal.argmax(axis=1)  # = cal.argmax without a class bias
    raw = softmax(result.logits.reshape(-1, k))
    report: dict[str, Any] = {
        "split": result.split,
        "leaky": result.split == "random",
        "split_description": (
            f"StratifiedGroupKFold on group, {len(result.folds[0])} folds x {n_seeds} seeds, pooled out-of-fold"
            if result.split == "grouped"
            else f"LEAKY: ungrouped StratifiedKFold, {len(result.folds[0])} folds x {n_seeds} seeds "
            "(the same family/recording on both sides; for comparison only)"
        ),
        "n_clips": int(n),
        "n_groups": int(len(set(data.groups.tolist()))),
        "n_seeds": int(n_seeds),
        "n_boot": int(n_boot),
        "class_counts": {name: int((y == i).sum()) for i, name in enumerate(data.labels)},
        "metrics": compute_metrics(pooled_y, cal, groups, labels=data.labels, categories=cats, n_boot=n_boot,
                                   decisions=decisions),
        "decision_rule": "argmax of the prior-corrected probabilities softmax(logits / T) (maximises balanced "
        "accuracy); log-loss and ECE use the calibrated probabilities softmax(logits / T + b)" if fit_bias
        else "argmax of the calibrated probabilities",
        "calibration": "temperature + class bias" if fit_bias else "temperature",
        "uncalibrated": {key: round(v, 4) for key, v in point_metrics(pooled_y, raw, k=k).items()
                         if key in ("log_loss", "ece", "balanced_accuracy", "macro_f1")},
        "majority_baseline": _baseline(y, k=k, folds=result.folds),
        "per_seed_balanced_accuracy": [
            round(point_metrics(y, softmax(result.logits[s]), k=k)["balanced_accuracy"], 4) for s in range(n_seeds)
        ],
        "wall_time_s": round(result.seconds, 1),
        "group_leakage": _leakage(data, result),
    }
    if temperature is not None:
        report["temperature"] = round(float(temperature), 4)
    if getattr(result, "phone_logits", None) is not None:
        report["phone_codec"] = _phone_codec_report(result, pooled_y, groups, cats, labels=data.labels,
                                                    n_boot=n_boot)
    if data.task == "detector" and cry_band is not None:
        report["cry_band"] = band_report(cal[:, 1], cats, band=cry_band)
    if data.task == "reason":
        if unsure_threshold <= 0:
            unsure_threshold = choose_unsure_threshold(bal, pooled_y)["threshold"]
        conf = bal.max(axis=1)
        answered = conf >= unsure_threshold
        ans = compute_metrics(pooled_y[answered], cal[answered], groups[answered], labels=data.labels,
                              n_boot=n_boot, decisions=decisions[answered]) if answered.any() else {}
        report["unsure"] = {
            "threshold": float(unsure_threshold),
            "coverage": round(float(answered.mean()), 4),
            "answered_balanced_accuracy": ans.get("balanced_accuracy", {}).get("value"),
            "answered_balanced_accuracy_ci95": ans.get("balanced_accuracy", {}).get("ci95"),
            "note": "threshold chosen on out-of-fold predictions; the model answers when its top prior-corrected "
            "probability is at least the threshold",
        }
    return report


def band_report(cry_probabilities: np.ndarray, categories: np.ndarray, *, band: tuple[float, float]) -> dict[str, Any]:
    """Per category of sound: the share the detector calls a cry, is unsure about, and calls not a cry.

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
        "note": "P(cry) in [low, high) is reported as unsure whether it is a cry; the band is chosen on the cries' "
        "out-of-fold probabilities only (TrainConfig.cry_band_*), the shares use cross-fitted calibration. The yes/no "
        "figures above are unchanged by it.",
    }


def _phone_codec_report(result: Any, y: np.ndarray, groups: np.ndarray, cats: np.ndarray | None, *,
                        labels: tuple[str, ...], n_boot: int) -> dict[str, Any]:
    """Out-of-fold metrics of the same models on the held-out clips sent through a random phone codec."""
    k = result.phone_logits.shape[-1]
    logits = result.phone_logits.reshape(-1, k)
    scored = np.isfinite(logits).all(axis=1)
    metrics = compute_metrics(y[scored], softmax(logits[scored]), groups[scored], labels=labels,
                              categories=None if cats is None else cats[scored], n_boot=n_boot)
    return {
        "description": "the same grouped out-of-fold models on every held-out non-speech clip after a round trip "
        "through one random phone/browser codec (GSM, G.723.1, Speex, Opus, IMA ADPCM or MP3; babycry.codec), "
        "decided by the uncalibrated argmax",
        "n_clips": int(scored.sum() // max(1, result.phone_logits.shape[0])),
        "metrics": {key: v for key, v in metrics.items() if key != "confusion_matrix"},
    }


def _leakage(data: TaskData, result: Any) -> dict[str, int]:
    """How many (seed, fold) pairs put a group on both sides (0 for a grouped split)."""
    groups = data.groups.astype(str)
    shared = sum(
        bool(set(groups[tr].tolist()) & set(groups[te].tolist())) for folds in result.folds for tr, te in folds
    )
    return {"folds_with_shared_groups": int(shared), "folds": int(sum(len(f) for f in result.folds))}


def run_cv(
    data_dir: str | os.PathLike,
    *,
    task: str,
    folds: int = 5,
    seeds: int = 3,
    split: str = "grouped",
    config: Any = None,
    n_boot: int | None = None,
) -> dict[str, Any]:
    """``babycry cv``: build the cache, cross-validate, report.

    Parameters
    ----------
    data_dir : path
        Folder with ``manifest.csv``.
    task : {"detector", "reason"}
    folds, seeds : int
    split : {"grouped", "random"}
    config : TrainConfig, optional
        Defaults to :func:`babycry.train.for_task`.

    Returns
    -------
    dict
        The report (see :func:`cv_report`) plus the task, data hash and config.

    Examples
    --------
    >>> run_cv("../shared/data", task="reason", folds=5, seeds=3)  # doctest: +SKIP
    """
    from .calibration import fit_temperature
    from .train import build_cache, cross_validate, cry_band_from_oof, for_task

    config = config or for_task(task)
    data = load_task(data_dir, task=task, min_clips=4)
    cache = build_cache(data, config=config)
    result = cross_validate(data, cache, config=config, folds=folds, seeds=seeds, split=split)
    k = len(data.labels)
    pooled_logits, pooled_y = result.logits.reshape(-1, k), np.tile(data.y, seeds)
    temperature = fit_temperature(pooled_logits, pooled_y)
    band = cry_band_from_oof(pooled_logits, pooled_y, temperature=temperature, config=config) \
        if task == "detector" else None
    report = cv_report(data, result, temperature=temperature, n_boot=n_boot or config.bootstrap,
                       fit_bias=config.calibrate_bias, cry_band=(band["low"], band["high"]) if band else None)
    return {"task": task, "data": str(data_dir), "manifest_sha256": data.manifest_hash, "labels": list(data.labels),
            "config": config.to_dict(), **report}


def evaluate_checkpoint(
    model: str | os.PathLike | CryModel,
    data_dir: str | os.PathLike,
    *,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    n_boot: int = _N_BOOT,
    progress: bool = False,
) -> dict[str, Any]:
    """``babycry evaluate``: score a saved checkpoint on every applicable clip of a folder.

    Detector checkpoints use the rows with ``is_cry`` 0/1; reason checkpoints
    the rows labelled with one of the four reasons.

    Parameters
    ----------
    model : path, hub id or CryModel
    data_dir : path
        Folder with ``manifest.csv``.

    Returns
    -------
    dict
        ``summary`` (metrics with group-bootstrap CIs, majority baseline) and
        ``clips`` (one record per clip: ``path``, ``group``, ``true``,
        ``probabilities``, ``verdict``; for a detector with an "unsure" band also
        ``cry_unsure``, while ``verdict`` stays the yes/no answer).

    Examples
    --------
    >>> evaluate_checkpoint("assets/models/cry-detector", "../shared/data")  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from .audio import load as load_audio

    cry_model = model if isinstance(model, CryModel) else load_model(model)
    data = load_task(data_dir, task=cry_model.task)
    t0 = time.time()
    records, probs, decisions = [], [], []
    for row in tqdm(list(data.table.itertuples(index=False)), disable=not progress, desc="evaluating"):
        try:
            audio = load_audio(row.path, config=audio_config, validate_audio=False)
        except Exception as exc:  # noqa: BLE001 - name the clip
            raise DataError(f"Cannot read {row.rel_path!r}: {exc}") from exc
        pred = cry_model.predict(audio.samples, sample_rate=audio.sample_rate, window=window, audio_config=audio_config)
        p = pred.probabilities
        probs.append(p)
        if cry_model.task == "detector":
            verdict = "cry" if p[1] >= 0.5 else "not_cry"
        else:
            verdict = "unsure" if pred.is_unsure(cry_model.unsure_threshold) else cry_model.labels[pred.decision]
        decisions.append(pred.decision)
        records.append({
            "path": row.rel_path,
            "group": str(row.group),
            "category": str(row.category),
            "true": data.labels[int(row.y)],
            "probabilities": {name: round(float(v), 6) for name, v in zip(cry_model.labels, p, strict=False)},
            "verdict": verdict,
            "windows": len(pred.spans),
        })
        if cry_model.task == "detector" and cry_model.cry_band is not None:
            records[-1]["cry_unsure"] = cry_model.is_cry_unsure(float(p[1]))
    probs_arr = np.asarray(probs)
    cats = data.table["category"].to_numpy().astype(str) if cry_model.task == "detector" else None
    summary = {
        "model": cry_model.model_id,
        "task": cry_model.task,
        "data": str(data_dir),
        "manifest_sha256": data.manifest_hash,
        "n_clips": len(data),
        "n_groups": int(len(set(data.groups.tolist()))),
        "metrics": compute_metrics(data.y, probs_arr, data.groups, labels=data.labels, categories=cats, n_boot=n_boot,
                                   decisions=np.asarray(decisions)),
        "majority_baseline": _baseline(data.y, k=len(data.labels)),
        "seconds": round(time.time() - t0, 1),
    }
    if cry_model.task == "detector" and cry_model.cry_band is not None:
        summary["cry_band"] = band_report(probs_arr[:, 1], cats, band=cry_model.cry_band)
    if cry_model.task == "reason" and cry_model.unsure_threshold > 0:
        answered = np.array([r["verdict"] != "unsure" for r in records])
        summary["unsure"] = {
            "threshold": cry_model.unsure_threshold,
            "coverage": round(float(answered.mean()), 4),
            "answered_balanced_accuracy": round(point_metrics(
                data.y[answered], probs_arr[answered], k=len(data.labels),
                decisions=np.asarray(decisions)[answered])["balanced_accuracy"], 4)
            if answered.any() else None,
        }
    return {"summary": summary, "clips": records}


def format_table(report: dict[str, Any]) -> str:
    """A plain-text table of a CV report's headline metrics (for the terminal and benchmarks).

    Examples
    --------
    >>> r = {"task": "reason", "split": "grouped", "metrics": {"balanced_accuracy": {"value": 0.3, "ci95": [0.2, 0.4]}},
    ...      "majority_baseline": {"balanced_accuracy": 0.25}}
    >>> print(format_table(r).splitlines()[1])
    balanced_accuracy              0.300  [0.200, 0.400]  baseline 0.250
    """
    m = report.get("metrics") or report.get("summary", {}).get("metrics", {})
    base = report.get("majority_baseline") or report.get("summary", {}).get("majority_baseline", {})
    title = f"{report.get('task', '?')} — {report.get('split', 'evaluate')}"
    if report.get("leaky"):
        title += " (LEAKY: ungrouped split)"
    lines = [title]
    for key, v in m.items():
        if key == "confusion_matrix" or v.get("value") is None:
            continue
        extra = f"  baseline {base[key]:.3f}" if isinstance(base.get(key), float) else ""
        if key == "log_loss" and isinstance(base.get("log_loss_out_of_fold"), float):
            extra += f" (training folds' prior {base['log_loss_out_of_fold']:.3f})"
        lines.append(f"{key:<30} {_value_and_ci(v)}{extra}")
    if "confusion_matrix" in m:
        cm = m["confusion_matrix"]
        lines.append("confusion (rows true, cols predicted): " + ", ".join(cm["labels"]))
        lines += ["  " + " ".join(f"{c:6d}" for c in row) for row in cm["rows_true_cols_predicted"]]
    phone = report.get("phone_codec")
    if phone:
        lines.append(f"through a phone codec ({phone['n_clips']} non-speech clips, same out-of-fold models):")
        for key, v in phone["metrics"].items():
            if key.startswith("category_accuracy/") or key in ("balanced_accuracy", "roc_auc"):
                lines.append(f"  {key:<28} {_value_and_ci(v)}")
    return "\n".join(lines)


def _value_and_ci(metric: dict[str, Any]) -> str:
    """``"0.300  [0.200, 0.400]"`` (``[n/a]`` when the bootstrap gave no interval)."""
    lo, hi = metric["ci95"]
    ci = f"[{lo:.3f}, {hi:.3f}]" if lo is not None else "[n/a]"
    return f"{metric['value']:.3f}  {ci}"


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write JSON (creating the folder).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_json({"a": 1}, os.path.join(d, "x", "o.json")).name
    'o.json'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2) + "\n")
    return path
