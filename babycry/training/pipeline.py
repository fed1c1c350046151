"""The one path behind ``babycry train`` and ``babycry cv``: cache, cross-validate, calibrate, report, (fit, save).

Both commands calibrate and report out-of-fold logits with the same
:func:`calibrate_oof` and :func:`babycry.evaluation.report.cv_report`, so the
figures ``babycry cv`` prints are the ones ``babycry train`` stores.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..calibration import (
    Calibration,
    apply_calibration,
    choose_cry_band,
    choose_unsure_threshold,
    fit_temperature,
    fit_temperature_and_bias,
    save_calibration,
)
from ..config import CRY_THRESHOLD
from ..data import TaskData, load_task
from ..errors import InvalidParameterError
from ..evaluation.card import write_model_card
from ..evaluation.metrics import category_holdout_report
from ..evaluation.report import cv_report
from ..modeling import build_feature_extractor
from ..modeling.config import SfxModelConfig
from ..modeling.onnx_runtime import ONNX_DIR
from .cache import FeatureCache, build_cache, encoder_dtype, train_only_rows
from .cv import CVResult, cross_validate, leave_category_out
from .fit import fit
from .recipes import Recipe, recipe_for

__all__ = ["calibrate_oof", "report_oof", "category_holdout", "run_cv", "train", "library_versions"]


def calibrate_oof(result: CVResult, data: TaskData, *, recipe: Recipe) -> tuple[Calibration, float]:
    """Calibration fitted on pooled out-of-fold logits: temperature (+ per-class bias when the recipe says so),
    the reason model's "unsure" threshold, the detector's "unsure" band.

    Returns the calibration (stored rounded) and the unrounded temperature the report is computed with.

    Examples
    --------
    >>> calibrate_oof(cross_validate(data, cache, recipe=recipe), data, recipe=recipe)  # doctest: +SKIP
    """
    cv = recipe.cv
    logits, y = result.pooled(data.y)
    if cv.calibrate_bias:
        temperature, bias = fit_temperature_and_bias(logits, y)
    else:
        temperature, bias = fit_temperature(logits, y), None
    unsure = band = None
    if data.task == "reason":
        # abstain on the prior-corrected probabilities the decision is made on
        unsure = choose_unsure_threshold(apply_calibration(logits, temperature=temperature), y,
                                         min_coverage=cv.min_coverage)
    else:
        band = choose_cry_band(apply_calibration(logits, temperature=temperature)[:, 1], y,
                               max_dismissed=cv.cry_band_max_dismissed, min_confident=cv.cry_band_min_confident)
    return Calibration(
        temperature=round(temperature, 6),
        bias=tuple(round(float(v), 6) for v in bias) if bias is not None else None,
        method="temperature + per-class bias (minimum log-loss)" if bias is not None
        else "temperature scaling (minimum log-loss)",
        unsure_threshold=float(unsure["threshold"]) if unsure else 0.0,
        fitted_on=f"pooled grouped out-of-fold logits ({len(result.folds[0])} folds x {len(result.folds)} seeds)",
        n_predictions=int(y.size),
        coverage=unsure["coverage"] if unsure else None,
        answered_balanced_accuracy=unsure["answered_balanced_accuracy"] if unsure else None,
        cry_band=(band["low"], band["high"]) if band else None,
    ), temperature


def report_oof(result: CVResult, data: TaskData, *, recipe: Recipe, calibration: Calibration | None = None,
               temperature: float | None = None, n_boot: int | None = None) -> dict[str, Any]:
    """The metrics report of out-of-fold logits (:func:`babycry.evaluation.report.cv_report` on arrays).

    Without ``calibration`` (the leaky random split) only a temperature is fitted, and no abstention rule.
    """
    if temperature is None:
        temperature = calibration.temperature if calibration is not None else fit_temperature(*result.pooled(data.y))
    categories = data.table["category"].to_numpy().astype(str) if data.task == "detector" else None
    return cv_report(
        logits=result.logits, y=data.y, groups=data.groups.astype(str), labels=tuple(data.labels), task=data.task,
        folds=result.folds, categories=categories, phone_logits=result.phone_logits, split=result.split,
        temperature=temperature, fit_bias=recipe.cv.calibrate_bias,
        unsure_threshold=calibration.unsure_threshold if calibration is not None else 0.0,
        cry_band=calibration.cry_band if calibration is not None else None,
        n_boot=n_boot or recipe.cv.bootstrap, seconds=result.seconds)


def category_holdout(data: TaskData, cache: FeatureCache, *, recipe: Recipe, temperature: float) -> dict[str, Any]:
    """Leave-one-category-out figures of the detector (calibrated with the grouped CV's temperature)."""
    holdout = leave_category_out(data, cache, recipe=recipe).mean_per_clip()
    p = apply_calibration(holdout.logits, temperature=temperature)[:, 1]
    rows = holdout.clips
    return category_holdout_report(p, data.y[rows], data.groups[rows].astype(str),
                                   data.table["category"].to_numpy().astype(str)[rows], holdout.held_out,
                                   threshold=CRY_THRESHOLD, n_boot=recipe.cv.bootstrap)


def run_cv(
    data_dir: str | os.PathLike,
    *,
    task: str,
    recipe: Recipe | None = None,
    folds: int | None = None,
    seeds: int | None = None,
    split: str = "grouped",
    n_boot: int | None = None,
) -> dict[str, Any]:
    """``babycry cv``: build the cache, cross-validate, calibrate and report, as ``babycry train`` does.

    Parameters
    ----------
    data_dir : path
        Folder with ``manifest.csv``.
    task : {"detector", "reason"}
    recipe : Recipe, optional
        Defaults to the bundled :func:`recipe_for` ``(task)``.
    folds, seeds : int, optional
        Default to the recipe's.
    split : {"grouped", "random"}
        ``"random"`` is the leaky split (labelled as such in the report).

    Returns
    -------
    dict
        The report plus the task, data hash and recipe.

    Examples
    --------
    >>> run_cv("../shared/data", task="reason")  # doctest: +SKIP
    """
    recipe = recipe or recipe_for(task)
    if recipe.task != task:
        raise InvalidParameterError(f"The recipe trains {recipe.task!r}, not {task!r}.")
    data = load_task(data_dir, task=task, min_clips=4)
    cache = build_cache(data, recipe=recipe)
    result = cross_validate(data, cache, recipe=recipe, folds=folds or recipe.cv.folds, seeds=seeds or recipe.cv.seeds,
                            split=split)
    calibration, temperature = calibrate_oof(result, data, recipe=recipe) if split == "grouped" else (None, None)
    report = report_oof(result, data, recipe=recipe, calibration=calibration, temperature=temperature, n_boot=n_boot)
    if split == "grouped" and task == "detector" and recipe.cv.leave_category_out:
        report["leave_category_out"] = category_holdout(data, cache, recipe=recipe, temperature=temperature)
    return {"task": task, "data": str(data_dir), "manifest_sha256": data.manifest_hash, "labels": list(data.labels),
            "config": recipe.to_dict(), **report}


def library_versions() -> dict[str, str]:
    """Versions of the libraries a checkpoint depends on.

    Examples
    --------
    >>> "torch" in library_versions()
    True
    """
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("babycry", "torch", "transformers", "accelerate", "numpy", "scikit-learn", "audiomentations",
                 "soundfile", "soxr", "scipy"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _training_record(data: TaskData, cache: FeatureCache, *, recipe: Recipe, command: str, t0: float) -> dict:
    return {
        "command": command,
        "config": recipe.to_dict(),
        "data": {"root": str(data.root), "manifest_sha256": data.manifest_hash, "n_clips": len(data),
                 "n_groups": int(len(set(data.groups.tolist()))),
                 "class_counts": {name: int((data.y == i).sum()) for i, name in enumerate(data.labels)},
                 **({"category_counts": {str(k): int(v) for k, v in
                                         data.table["category"].value_counts().sort_index().items()}}
                    if "category" in data.table else {}),
                 "train_only_clips": int(len(train_only_rows(data, recipe=recipe))),
                 "train_only_clips_kept": int(cache.index.loc[cache.index["kind"] == "train_only", "clip"].nunique())},
        "cache_windows": int(len(cache.index)),
        **({"encoder_dtype": encoder_dtype(recipe)} if isinstance(recipe.model, SfxModelConfig) else {}),
        "libraries": library_versions(),
        "wall_time_s": round(time.time() - t0, 1),
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def train(data: TaskData, out_dir: str | os.PathLike, *, recipe: Recipe, command: str = "",
          cv: bool = True) -> dict[str, Any]:
    """Train a checkpoint: grouped CV (metrics + calibration), leaky random-split CV, final fit, save.

    Writes ``config.json``, ``model.safetensors``, ``preprocessor_config.json``,
    ``calibration.json``, ``metrics.json``, ``cv_predictions.npz``, ``training.json``
    and the model card ``README.md`` into ``out_dir``.

    Parameters
    ----------
    data : TaskData
        The task's clips (``data.task`` must equal ``recipe.task``).
    out_dir : path
        Checkpoint folder (created).
    recipe : Recipe
    command : str
        The command line, recorded in ``training.json`` and the card.
    cv : bool
        Run the cross-validations (off only for quick smoke runs: no calibration then).

    Returns
    -------
    dict
        The ``metrics.json`` content.

    Examples
    --------
    >>> train(load_task("../shared/data", task="detector"), "out", recipe=DetectorRecipe())  # doctest: +SKIP
    """
    if data.task != recipe.task:
        raise InvalidParameterError(f"The data are selected for {data.task!r} but the recipe trains {recipe.task!r}.")
    t0 = time.time()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = build_cache(data, recipe=recipe)
    metrics: dict[str, Any] = {"task": data.task, "labels": list(data.labels)}
    calibration = Calibration(temperature=1.0, fitted_on="none (trained without cross-validation)")
    if cv:
        grouped = cross_validate(data, cache, recipe=recipe, folds=recipe.cv.folds, seeds=recipe.cv.seeds)
        calibration, temperature = calibrate_oof(grouped, data, recipe=recipe)
        metrics["grouped"] = report_oof(grouped, data, recipe=recipe, calibration=calibration, temperature=temperature)
        if data.task == "detector" and recipe.cv.leave_category_out:
            metrics["grouped"]["leave_category_out"] = category_holdout(data, cache, recipe=recipe,
                                                                        temperature=temperature)
        if "unsure" in metrics["grouped"]:
            # store the cross-fitted coverage and answered accuracy (the card's), not the in-sample ones
            # the threshold was chosen on
            u = metrics["grouped"]["unsure"]
            calibration = dataclasses.replace(calibration, coverage=u["coverage"],
                                              answered_balanced_accuracy=u["answered_balanced_accuracy"])
        oof = {"grouped_logits": grouped.logits, "y": data.y, "groups": data.groups.astype(str),
               "paths": data.table["rel_path"].to_numpy().astype(str)}
        if grouped.phone_logits is not None:
            oof["grouped_phone_logits"] = grouped.phone_logits  # NaN for clips without coded windows (speech)
        if recipe.cv.random_split_seeds > 0:
            leaky = cross_validate(data, cache, recipe=recipe, folds=recipe.cv.folds,
                                   seeds=recipe.cv.random_split_seeds, split="random")
            metrics["random"] = report_oof(leaky, data, recipe=recipe)
            oof["random_logits"] = leaky.logits
        # the pooled out-of-fold logits behind metrics.json and calibration.json, for re-analysis
        np.savez_compressed(out / "cv_predictions.npz", **oof)
    model = fit(cache, recipe=recipe)
    # an exported graph of the previous weights would no longer be served (its digest differs); remove it so the
    # folder holds no stale file (`babycry export-onnx` makes a new one)
    shutil.rmtree(out / ONNX_DIR, ignore_errors=True)
    model.save_pretrained(out)
    build_feature_extractor(model_config=recipe.model).save_pretrained(out)
    if cache.encoder_graph is not None:
        _save_int8_graph(cache.encoder_graph, out)
    save_calibration(calibration, out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    training = _training_record(data, cache, recipe=recipe, command=command, t0=t0)
    (out / "training.json").write_text(json.dumps(training, indent=2) + "\n")
    # the card is rendered from the files as saved, so it can be regenerated from them alone
    write_model_card(out, metrics=metrics, training=training,
                     calibration=json.loads((out / "calibration.json").read_text()))
    return metrics


def _save_int8_graph(graph: Path, out: Path) -> None:
    """The int8 encoder graph that embedded the training windows, saved where the loader serves it from, with the
    weights it belongs to (a later retrain without it makes it stale, and loading then says so)."""
    import onnxruntime

    from ..modeling.onnx_runtime import weights_digest
    from ..modeling.sfx.quantized import INT8_FILE, INT8_INFO, graph_weight_bits

    (out / INT8_FILE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(graph, out / INT8_FILE)
    bits = graph_weight_bits(graph)
    info = {"what": f"the frozen encoder, statically quantised (QDQ, per-channel int8 weights in {bits} bits, "
                    "uint8 activations); the head was trained on its embeddings",
            "weight_bits": bits, "onnxruntime": onnxruntime.__version__, "weights_sha256": weights_digest(out)}
    (out / INT8_INFO).write_text(json.dumps(info, indent=2) + "\n")
