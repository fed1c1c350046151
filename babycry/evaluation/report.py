"""The cross-validation report (``metrics.json``) and its one text and one Markdown rendering.

:func:`cv_report` turns pooled out-of-fold logits (arrays, however they were
made) into the report stored in ``metrics.json``; :func:`render_text` prints it
for the terminal (``babycry cv`` / ``babycry evaluate``), :func:`render_markdown`
writes its evaluation section for the model card and the app's Model tab, and
both show every value with its interval through :func:`format_value_ci`.

Headline metrics use calibrated probabilities in which each fold's calibration
was fitted on the *other* folds' out-of-fold predictions (cross-fitted), so
calibration is never scored on what it was fitted to.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from ..calibration import (
    apply_calibration,
    choose_unsure_threshold,
    fit_temperature,
    fit_temperature_and_bias,
    softmax,
)
from ..config import N_BOOTSTRAP
from ..errors import InvalidParameterError
from .metrics import Folds, band_report, compute_metrics, group_leakage, majority_baseline, point_metrics

__all__ = [
    "Interval",
    "CVReport",
    "ModelMetrics",
    "cv_report",
    "format_value_ci",
    "render_text",
    "render_markdown",
    "write_json",
]


class Interval(TypedDict):
    """One metric of a report: its value and 95% family-bootstrap interval (``None`` where undefined)."""

    value: float | None
    ci95: list[float | None]


class CVReport(TypedDict, total=False):
    """What :func:`cv_report` returns: ``metrics.json``'s ``grouped`` and ``random`` entries.

    ``metrics`` maps a metric name (``balanced_accuracy``, ``recall/<label>``,
    ``category_accuracy/<category>``, …) to an :class:`Interval`, plus ``confusion_matrix``.
    ``temperature``, ``phone_codec``, ``cry_band`` (detector) and ``unsure`` (reason) are optional.
    """

    split: str
    leaky: bool
    split_description: str
    n_clips: int
    n_groups: int
    n_seeds: int
    n_boot: int
    class_counts: dict[str, int]
    metrics: dict[str, Any]
    decision_rule: str
    calibration: str
    uncalibrated: dict[str, float]
    majority_baseline: dict[str, Any]
    per_seed_balanced_accuracy: list[float]
    wall_time_s: float
    group_leakage: dict[str, int]
    temperature: float
    phone_codec: dict[str, Any]
    cry_band: dict[str, Any]
    unsure: dict[str, Any]


class ModelMetrics(TypedDict, total=False):
    """A checkpoint's ``metrics.json``: its task and labels, the grouped report and the leaky one."""

    task: str
    labels: list[str]
    grouped: CVReport
    random: CVReport


def _cross_fitted_calibration(
    logits: np.ndarray, y: np.ndarray, folds: Folds, *, fit_bias: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated OOF probabilities where each fold's calibration is fitted on the other folds' OOF logits.

    Returns the calibrated probabilities and the prior-free ("balanced") ones, ``softmax(logits / T)``.
    """
    probs = np.zeros_like(logits)
    balanced = np.zeros_like(logits)
    for s, seed_folds in enumerate(folds):
        for _, te in seed_folds:
            others = np.setdiff1d(np.arange(len(y)), te)
            if fit_bias:
                t, b = fit_temperature_and_bias(logits[s, others], y[others])
            else:
                t, b = fit_temperature(logits[s, others], y[others]), None
            probs[s, te] = apply_calibration(logits[s, te], temperature=t, bias=b)
            balanced[s, te] = apply_calibration(logits[s, te], temperature=t)
    return probs, balanced


def cv_report(
    *,
    logits: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    labels: tuple[str, ...] | list[str],
    task: str,
    folds: Folds,
    categories: np.ndarray | None = None,
    phone_logits: np.ndarray | None = None,
    split: str = "grouped",
    temperature: float | None,
    fit_bias: bool = False,
    unsure_threshold: float = 0.0,
    cry_band: tuple[float, float] | None = None,
    n_boot: int = N_BOOTSTRAP,
    seconds: float = 0.0,
    leakage: dict[str, int] | None = None,
) -> CVReport:
    """Turn pooled out-of-fold logits into the report stored in ``metrics.json``.

    Parameters
    ----------
    logits : np.ndarray
        ``(n_seeds, n_clips, n_labels)`` uncalibrated out-of-fold clip logits.
    y, groups : np.ndarray
        Per clip: true class id and group (family, recording, speaker).
    labels : sequence of str
        Class names in id order.
    task : {"detector", "reason"}
    folds : sequence
        Per seed, the ``(train, test)`` index pairs the logits came from.
    categories : np.ndarray, optional
        Detector only: per clip, the category of sound (cry, laugh, noise, …) for per-category accuracy.
    phone_logits : np.ndarray, optional
        Like ``logits``, on the clips sent through a phone codec (NaN for clips without any).
    split : {"grouped", "random"}
        ``"random"`` marks the report as LEAKY (the same family on both sides of a fold).
    temperature : float or None
        The temperature fitted on all pooled logits (recorded; the figures use cross-fitted ones).
    fit_bias : bool
        Calibrate with a per-class bias too (the reason model), deciding on the prior-free probabilities.
    unsure_threshold : float
        Reason only: the stored abstention threshold; ``0`` chooses one on these predictions.
    cry_band : (float, float), optional
        Detector only: the stored "unsure" band of P(cry); the report then says, per category of sound, what share
        the detector calls a cry, is unsure about, and calls not a cry.
    n_boot : int
        Family-bootstrap draws behind each interval.
    seconds : float
        Wall time of the cross-validation (recorded).
    leakage : dict, optional
        ``group_leakage`` of the folds; computed from ``groups`` and ``folds`` when not given.

    Returns
    -------
    CVReport
        The ``metrics.json`` entry (schema unchanged since ``babycry.evaluate``).

    Raises
    ------
    InvalidParameterError
        Shapes that do not match, or detector-only inputs for the reason model.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile([0, 1], 20); groups = np.arange(40) // 2
    >>> logits = rng.normal(size=(1, 40, 2)) + 2 * np.eye(2)[y]
    >>> folds = [[(np.arange(20, 40), np.arange(20)), (np.arange(20), np.arange(20, 40))]]
    >>> r = cv_report(logits=logits, y=y, groups=groups, labels=("not_cry", "cry"), task="detector", folds=folds,
    ...               temperature=1.0, n_boot=20)
    >>> r["split"], r["group_leakage"]["folds_with_shared_groups"], r["metrics"]["balanced_accuracy"]["value"] > 0.5
    ('grouped', 0, True)
    """
    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    groups = np.asarray(groups).astype(str)
    labels = tuple(labels)
    if logits.ndim != 3 or logits.shape[1:] != (len(y), len(labels)) or len(groups) != len(y):
        raise InvalidParameterError(
            f"logits must be (n_seeds, n_clips, n_labels) = (?, {len(y)}, {len(labels)}) with one group per clip; "
            f"got logits {logits.shape}, {len(groups)} groups.")
    if len(folds) != logits.shape[0]:
        raise InvalidParameterError(f"folds must list one set of folds per seed ({logits.shape[0]}), got {len(folds)}.")
    if task != "detector" and (categories is not None or cry_band is not None):
        raise InvalidParameterError("categories and cry_band describe the detector; the reason report has neither.")
    n_seeds, n, k = logits.shape
    pooled_y = np.tile(y, n_seeds)
    pooled_groups = np.tile(groups, n_seeds)
    cats = None if categories is None else np.tile(np.asarray(categories).astype(str), n_seeds)
    cal, bal = _cross_fitted_calibration(logits, y, folds, fit_bias=fit_bias)
    cal, bal = cal.reshape(-1, k), bal.reshape(-1, k)
    decisions = bal.argmax(axis=1)  # = cal.argmax without a class bias
    raw = softmax(logits.reshape(-1, k))
    report: CVReport = {
        "split": split,
        "leaky": split == "random",
        "split_description": (
            f"StratifiedGroupKFold on group, {len(folds[0])} folds x {n_seeds} seeds, pooled out-of-fold"
            if split == "grouped"
            else f"LEAKY: ungrouped StratifiedKFold, {len(folds[0])} folds x {n_seeds} seeds "
            "(the same family/recording on both sides; for comparison only)"
        ),
        "n_clips": int(n),
        "n_groups": int(len(set(groups.tolist()))),
        "n_seeds": int(n_seeds),
        "n_boot": int(n_boot),
        "class_counts": {name: int((y == i).sum()) for i, name in enumerate(labels)},
        "metrics": compute_metrics(pooled_y, cal, pooled_groups, labels=labels, categories=cats, n_boot=n_boot,
                                   decisions=decisions),
        "decision_rule": "argmax of the prior-corrected probabilities softmax(logits / T) (maximises balanced "
        "accuracy); log-loss and ECE use the calibrated probabilities softmax(logits / T + b)" if fit_bias
        else "argmax of the calibrated probabilities",
        "calibration": "temperature + class bias" if fit_bias else "temperature",
        "uncalibrated": {key: round(v, 4) for key, v in point_metrics(pooled_y, raw, k=k).items()
                         if key in ("log_loss", "ece", "balanced_accuracy", "macro_f1")},
        "majority_baseline": majority_baseline(y, k=k, folds=folds),
        "per_seed_balanced_accuracy": [
            round(point_metrics(y, softmax(logits[s]), k=k)["balanced_accuracy"], 4) for s in range(n_seeds)
        ],
        "wall_time_s": round(float(seconds), 1),
        "group_leakage": leakage if leakage is not None else group_leakage(groups, folds),
    }
    if temperature is not None:
        report["temperature"] = round(float(temperature), 4)
    if phone_logits is not None:
        report["phone_codec"] = _phone_codec_report(np.asarray(phone_logits, dtype=np.float64), pooled_y,
                                                    pooled_groups, cats, labels=labels, n_boot=n_boot)
    if cry_band is not None:
        report["cry_band"] = band_report(cal[:, 1], cats, band=cry_band)
    if task == "reason":
        report["unsure"] = _unsure_report(cal, bal, decisions, pooled_y, pooled_groups, labels=labels,
                                          threshold=unsure_threshold, n_boot=n_boot)
    return report


def _unsure_report(cal: np.ndarray, bal: np.ndarray, decisions: np.ndarray, y: np.ndarray, groups: np.ndarray, *,
                   labels: tuple[str, ...], threshold: float, n_boot: int) -> dict[str, Any]:
    """Coverage and answered balanced accuracy of the reason model's abstention (on prior-corrected scores)."""
    if threshold <= 0:
        threshold = choose_unsure_threshold(bal, y)["threshold"]
    answered = bal.max(axis=1) >= threshold
    ans = compute_metrics(y[answered], cal[answered], groups[answered], labels=labels, n_boot=n_boot,
                          decisions=decisions[answered]) if answered.any() else {}
    return {
        "threshold": float(threshold),
        "coverage": round(float(answered.mean()), 4),
        "answered_balanced_accuracy": ans.get("balanced_accuracy", {}).get("value"),
        "answered_balanced_accuracy_ci95": ans.get("balanced_accuracy", {}).get("ci95"),
        "note": "threshold chosen on out-of-fold predictions; the model answers when its top prior-corrected "
        "probability is at least the threshold",
    }


def _phone_codec_report(phone_logits: np.ndarray, y: np.ndarray, groups: np.ndarray, cats: np.ndarray | None, *,
                        labels: tuple[str, ...], n_boot: int) -> dict[str, Any]:
    """Out-of-fold metrics of the same models on the held-out clips sent through a random phone codec."""
    k = phone_logits.shape[-1]
    logits = phone_logits.reshape(-1, k)
    scored = np.isfinite(logits).all(axis=1)
    metrics = compute_metrics(y[scored], softmax(logits[scored]), groups[scored], labels=labels,
                              categories=None if cats is None else cats[scored], n_boot=n_boot)
    return {
        "description": "the same grouped out-of-fold models on every held-out non-speech clip after a round trip "
        "through one random phone/browser codec (GSM, G.723.1, Speex, Opus, IMA ADPCM or MP3; babycry.codec), "
        "decided by the uncalibrated argmax",
        "n_clips": int(scored.sum() // max(1, phone_logits.shape[0])),
        "metrics": {key: v for key, v in metrics.items() if key != "confusion_matrix"},
    }


# --------------------------------------------------------------------------- #
# Rendering
# --------------------------------------------------------------------------- #
def format_value_ci(entry: Interval | dict[str, Any] | float | None, *, digits: int = 3) -> str:
    """A metric and its 95% interval as text: ``"0.300 [0.200, 0.400]"``.

    The one formatter behind the terminal table, the model card and the app.

    Parameters
    ----------
    entry : dict, float or None
        ``{"value": v, "ci95": [lo, hi]}`` (a report's metric) or a bare number.
    digits : int
        Decimals.

    Returns
    -------
    str
        ``"n/a"`` without a value; the value alone without an interval; ``"(one recording: no interval)"``
        where the figure comes from a single group, whose bootstrap can only repeat the value.

    Examples
    --------
    >>> format_value_ci({"value": 0.3, "ci95": [0.2, 0.4]})
    '0.300 [0.200, 0.400]'
    >>> format_value_ci({"value": 0.5, "ci95": [None, None]}), format_value_ci(None), format_value_ci(0.25)
    ('0.500', 'n/a', '0.250')
    >>> format_value_ci({"value": 0.26, "ci95": [0.26, 0.26], "n_groups": 1})
    '0.260 (one recording: no interval)'
    >>> format_value_ci({"value": 0.26, "ci95": [0.26, 0.26]})  # a report from before n_groups was recorded
    '0.260 (no interval)'
    """
    value, ci = (entry.get("value"), entry.get("ci95")) if isinstance(entry, dict) else (entry, None)
    if value is None:
        return "n/a"
    text = f"{float(value):.{digits}f}"
    n_groups = entry.get("n_groups") if isinstance(entry, dict) else None
    if n_groups == 1:
        return text + " (one recording: no interval)"
    if ci and len(ci) == 2 and ci[0] is not None and ci[1] is not None:
        if ci[0] == ci[1] and n_groups is None:
            return text + " (no interval)"
        text += f" [{float(ci[0]):.{digits}f}, {float(ci[1]):.{digits}f}]"
    return text


def render_text(report: dict[str, Any]) -> str:
    """A plain-text table of a report's headline metrics (``babycry cv``, ``babycry evaluate``, benchmarks).

    Parameters
    ----------
    report : dict
        A :func:`cv_report` (with ``task``), or a ``babycry evaluate`` result / its ``summary``.

    Returns
    -------
    str

    Examples
    --------
    >>> r = {"task": "reason", "split": "grouped", "metrics": {"balanced_accuracy": {"value": 0.3, "ci95": [0.2, 0.4]}},
    ...      "majority_baseline": {"balanced_accuracy": 0.25}}
    >>> print(render_text(r).splitlines()[1])
    balanced_accuracy              0.300 [0.200, 0.400]  baseline 0.250
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
        lines.append(f"{key:<30} {format_value_ci(v)}{extra}")
    if "confusion_matrix" in m:
        cm = m["confusion_matrix"]
        lines.append("confusion (rows true, cols predicted): " + ", ".join(cm["labels"]))
        lines += ["  " + " ".join(f"{c:6d}" for c in row) for row in cm["rows_true_cols_predicted"]]
    holdout = report.get("leave_category_out")
    if holdout:
        lines.append("leave-one-category-out (per grouped fold, a model that never heard the category; "
                     "each fold's cries):")
        for cat, v in holdout["categories"].items():
            per_family = (f"  per family {format_value_ci(v['held_out_per_family'])}"
                          if v.get("held_out_per_family") else "")
            lines.append(f"  {cat:<14} held out {format_value_ci(v['held_out'])}{per_family}  "
                         f"cries {format_value_ci(v['cries'])}")
    phone = report.get("phone_codec")
    if phone:
        lines.append(f"through a phone codec ({phone['n_clips']} non-speech clips, same out-of-fold models):")
        for key, v in phone["metrics"].items():
            if key.startswith("category_accuracy/") or key in ("balanced_accuracy", "roc_auc"):
                lines.append(f"  {key:<28} {format_value_ci(v)}")
    return "\n".join(lines)


def _metrics_table(grouped: CVReport, leaky: CVReport | None, labels: list[str]) -> str:
    """Grouped figures beside the majority baseline (and the LEAKY random split when it was run)."""
    m, base = grouped["metrics"], grouped["majority_baseline"]
    header = "| metric | grouped CV (95% CI, family bootstrap) | majority baseline |"
    rows = [header + (" LEAKY random split |" if leaky else ""), "|---|---|---|" + ("---|" if leaky else "")]
    keys = ["balanced_accuracy", "macro_f1", "accuracy", "log_loss", "ece", "roc_auc"]
    keys += [f"recall/{name}" for name in labels]
    keys += sorted(k for k in m if k.startswith("category_accuracy/"))
    keys += sorted(k for k in m if k.startswith("family_accuracy/"))
    for key in keys:
        if key not in m:
            continue
        b = base.get(key)
        shown = f"{b:.3f}" if isinstance(b, float) else "—"
        if key == "log_loss" and isinstance(base.get("log_loss_out_of_fold"), float):
            shown += f" (all data's prior); {base['log_loss_out_of_fold']:.3f} (training folds' prior)"
        rows.append(f"| {key} | {format_value_ci(m[key])} | {shown} |")
        if leaky:
            rows[-1] += f" {format_value_ci(leaky['metrics'].get(key))} |"
    return "\n".join(rows)


def _confusion_caption(grouped: CVReport) -> str:
    """What the confusion matrix counts: each clip once per seed of the repeated cross-validation."""
    n, seeds = int(grouped.get("n_clips", 0)), int(grouped.get("n_seeds", 1))
    counted = (f"{n:,} clips x {seeds} seeds = {n * seeds:,} out-of-fold predictions" if seeds > 1
               else f"{n:,} clips, one out-of-fold prediction each")
    return f"Confusion matrix (grouped cross-validation; {counted}; rows are true classes):"


def _confusion_table(grouped: CVReport) -> str:
    cm = grouped["metrics"]["confusion_matrix"]
    labels = cm["labels"]
    rows = ["| true \\ predicted | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for name, row in zip(labels, cm["rows_true_cols_predicted"], strict=False):
        rows.append(f"| {name} | " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(rows)


def _phone_codec_section(grouped: CVReport) -> str:
    """The phone-codec robustness table: clean vs coded held-out clips, per category."""
    phone, clean = grouped["phone_codec"], grouped["metrics"]
    description = phone["description"][0].upper() + phone["description"][1:]
    rows = ["### Through a phone codec", "",
            "Parents record on phones and in browsers, whose speech codecs change the sound. "
            f"{description} ({phone['n_clips']} clips):", "",
            "| accuracy | clean (as above) | through a phone codec |", "|---|---|---|"]
    coded = phone["metrics"]
    for key in [k for k in coded if k.startswith("category_accuracy/")] + ["balanced_accuracy", "roc_auc"]:
        if key in clean and key in coded:
            name = key.split("/")[-1] + (" (coded: without speech)" if "/" not in key else "")
            rows.append(f"| {name} | {format_value_ci(clean[key])} | {format_value_ci(coded[key])} |")
    return "\n".join(rows)


def _reading_note(grouped: CVReport) -> str:
    """Why the reason model's verdict need not be its longest bar (calibrated to the base rates)."""
    counts = grouped["class_counts"]
    common = max(counts, key=counts.get)
    unc = grouped.get("uncalibrated", {})
    return (
        "How to read this: the probabilities the model reports are calibrated to this data's base rates "
        f"({counts[common] / sum(counts.values()):.0%} of the cries are `{common}`), which is what makes their "
        "log-loss match the class prior's and their ECE small — they never claim more than the data supports. Its "
        "*answer* (the verdict) is the reason whose probability is highest relative to how common that reason is, "
        f"the rule that maximises balanced accuracy; so a verdict of `tired` can come with a `{common}` bar that is "
        f"still the longest. Uncalibrated softmax for comparison: log-loss {unc.get('log_loss')}, "
        f"ECE {unc.get('ece')}."
    )


def _unsure_section(unsure: dict[str, Any]) -> str:
    return "\n".join([
        "### Unsure", "",
        f"The model abstains when its top prior-corrected probability is below **{unsure['threshold']:.2f}** "
        f"(chosen on grouped out-of-fold predictions to maximise the balanced accuracy of the answered clips "
        f"while answering at least half). Coverage: **{unsure['coverage']:.1%}** of clips answered; balanced "
        f"accuracy of the answered clips: **{unsure['answered_balanced_accuracy']}** "
        f"(95% CI {unsure.get('answered_balanced_accuracy_ci95')}).",
    ])


def _cry_band_section(band: dict[str, Any]) -> str:
    """The detector's "unsure" band: what share of each category of sound it calls a cry, is unsure about, or not."""
    rows = ["### Unsure whether it is a cry", "",
            f"Between P(cry) **{band['low']:.2f}** and **{band['high']:.2f}** the detector says it is unsure whether "
            "the recording is a cry (the yes/no figures above still split at 0.5). The band is chosen on the cries' "
            "out-of-fold probabilities alone, since the non-cries a home produces are mostly missing from the "
            "training data. Shares of grouped out-of-fold predictions:", "",
            "| sound | called a cry | unsure | called not a cry |", "|---|---|---|---|"]
    for cat, s in band["categories"].items():
        rows.append(f"| {cat} | {s['cry']:.1%} | {s['unsure']:.1%} | {s['not_cry']:.1%} |")
    return "\n".join(rows)


def render_markdown(metrics: ModelMetrics | dict[str, Any]) -> str:
    """The evaluation of a checkpoint as Markdown: the model card's section and the app's Model tab.

    Parameters
    ----------
    metrics : dict
        A checkpoint's ``metrics.json``: ``task``, ``labels``, ``grouped`` and optionally ``random`` (LEAKY).

    Returns
    -------
    str
        How it was evaluated, the metrics beside the majority baseline (and the LEAKY split), class counts, the
        confusion matrix, the decision rule, and where present the phone-codec, "unsure" and cry-band sections;
        a sentence saying so when there is no grouped evaluation.

    Examples
    --------
    >>> render_markdown({"task": "reason"}).startswith("This checkpoint has no grouped evaluation")
    True
    """
    grouped, leaky = metrics.get("grouped"), metrics.get("random")
    if not grouped or not grouped.get("metrics"):
        return "This checkpoint has no grouped evaluation (`metrics.json`), so its accuracy is unknown."
    labels = list(metrics.get("labels") or grouped["metrics"]["confusion_matrix"]["labels"])
    intro = (
        f"{grouped['split_description']}; {grouped['n_clips']} clips from {grouped['n_groups']} groups "
        "(families, recordings, speakers). No group is ever on both sides of a fold. Probabilities are "
        f"calibrated ({grouped['calibration']}) with parameters fitted on the other folds' "
        f"out-of-fold predictions. 95% intervals: bootstrap over groups ({grouped['n_boot']} draws)."
    )
    if leaky:
        intro += (" The LEAKY column is the same model under an ungrouped random split "
                  "(the same families on both sides of the split): it is shown only to make the leakage visible and "
                  "must not be quoted as performance.")
    blocks = [
        intro,
        _metrics_table(grouped, leaky, labels),
        f"Class counts: {grouped['class_counts']}. Majority baseline: always the most frequent class with the "
        "class prior as probabilities.",
        _confusion_caption(grouped),
        _confusion_table(grouped),
    ]
    if grouped.get("decision_rule"):
        blocks.append(f"Decision rule: {grouped['decision_rule']}.")
    if grouped.get("phone_codec"):
        blocks.append(_phone_codec_section(grouped))
    if metrics.get("task") == "reason":
        blocks.append(_reading_note(grouped))
    if grouped.get("unsure"):
        blocks.append(_unsure_section(grouped["unsure"]))
    if grouped.get("cry_band"):
        blocks.append(_cry_band_section(grouped["cry_band"]))
    if grouped.get("leave_category_out"):
        blocks.append(_holdout_section(grouped["leave_category_out"]))
    return "\n\n".join(blocks)


def _holdout_section(holdout: dict[str, Any]) -> str:
    """Leave-one-category-out: the share of each category a model that never heard it gets right."""
    rows = [f"| {cat} ({v['n_clips']} clips) | {format_value_ci(v['held_out'])} | "
            f"{format_value_ci(v.get('held_out_per_family'))} | {format_value_ci(v['cries'])} |"
            for cat, v in holdout["categories"].items()]
    return "\n".join([
        "### Sounds it never heard (leave one category out)",
        "",
        f"{holdout['note'][:1].upper()}{holdout['note'][1:]}.",
        "",
        "| category left out | its accuracy | the same per family | accuracy on cries |",
        "|---|---|---|---|",
        *rows,
    ])


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write a report as indented JSON (creating the folder).

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
