"""babycry.evaluation.report: cv_report on arrays, the bundled reports reproduced, text and Markdown renderings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from babycry.data import grouped_folds, random_folds
from babycry.errors import InvalidParameterError
from babycry.evaluation.report import cv_report, format_value_ci, render_markdown, render_text

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"


def _detector_report(oof, **kw):
    args = dict(logits=oof.logits, y=oof.y, groups=oof.groups, labels=oof.labels, task="detector", folds=oof.folds,
                categories=oof.categories, temperature=1.3, n_boot=50)
    return cv_report(**{**args, **kw})


def test_grouped_report_never_puts_a_group_on_both_sides(detector_oof) -> None:
    report = _detector_report(detector_oof, seconds=12.34)
    assert report["group_leakage"]["folds_with_shared_groups"] == 0
    assert not report["leaky"] and report["n_seeds"] == 2 and report["n_clips"] == 120 and report["n_groups"] == 40
    assert report["split_description"].startswith("StratifiedGroupKFold on group, 5 folds x 2 seeds")
    assert report["temperature"] == 1.3 and report["wall_time_s"] == 12.3 and report["calibration"] == "temperature"
    m = report["metrics"]
    for key in ("balanced_accuracy", "macro_f1", "log_loss", "ece", "roc_auc", "recall/cry", "recall/not_cry",
                "category_accuracy/cry", "category_accuracy/noise"):
        assert key in m and m[key]["value"] is not None
    assert m["balanced_accuracy"]["value"] > 0.7
    assert report["majority_baseline"]["balanced_accuracy"] == 0.5
    # the like-for-like reference: each test fold scored with the prior of its own training folds
    assert np.isfinite(report["majority_baseline"]["log_loss_out_of_fold"])
    assert sum(map(sum, m["confusion_matrix"]["rows_true_cols_predicted"])) == 2 * 120
    text = render_text({"task": "detector", **report})
    assert text.splitlines()[0] == "detector — grouped" and "training folds' prior" in text
    assert "phone_codec" not in report and "cry_band" not in report and "unsure" not in report


def test_random_split_is_labelled_leaky(detector_oof) -> None:
    report = _detector_report(detector_oof, folds=detector_oof.random_folds, split="random")
    assert report["leaky"] and report["split_description"].startswith("LEAKY")
    assert report["group_leakage"]["folds_with_shared_groups"] > 0
    assert "LEAKY" in render_text({"task": "detector", **report})


def test_phone_codec_and_cry_band(detector_oof) -> None:
    report = _detector_report(detector_oof, phone_logits=detector_oof.phone_logits, cry_band=(0.3, 0.8))
    phone = report["phone_codec"]
    assert phone["n_clips"] == int((detector_oof.categories != "speech").sum())
    assert "category_accuracy/cry" in phone["metrics"] and "category_accuracy/speech" not in phone["metrics"]
    assert "confusion_matrix" not in phone["metrics"]
    band = report["cry_band"]
    assert (band["low"], band["high"]) == (0.3, 0.8) and list(band["categories"])[0] == "cry"
    assert all(sum(s[k] for k in ("cry", "unsure", "not_cry")) == pytest.approx(1.0, abs=1e-3)
               for s in band["categories"].values())
    assert "through a phone codec" in render_text({"task": "detector", **report})
    md = render_markdown({"task": "detector", "labels": ["not_cry", "cry"], "grouped": report})
    assert "### Through a phone codec" in md and "| cry |" in md and "### Unsure whether it is a cry" in md


def test_reason_report_abstains_and_decides_without_the_prior(reason_oof) -> None:
    report = cv_report(logits=reason_oof.logits, y=reason_oof.y, groups=reason_oof.groups, labels=reason_oof.labels,
                       task="reason", folds=reason_oof.folds, temperature=1.0, fit_bias=True, n_boot=30)
    assert report["calibration"] == "temperature + class bias" and "prior-corrected" in report["decision_rule"]
    unsure = report["unsure"]
    assert unsure["threshold"] > 0 and 0.5 <= unsure["coverage"] <= 1.0  # chosen here: answers at least half
    assert unsure["answered_balanced_accuracy"] is not None
    stored = cv_report(logits=reason_oof.logits, y=reason_oof.y, groups=reason_oof.groups, labels=reason_oof.labels,
                       task="reason", folds=reason_oof.folds, temperature=1.0, fit_bias=True, n_boot=30,
                       unsure_threshold=0.99)
    assert stored["unsure"]["threshold"] == 0.99 and stored["unsure"]["coverage"] < unsure["coverage"]
    md = render_markdown({"task": "reason", "labels": list(reason_oof.labels), "grouped": report})
    assert "### Unsure" in md and "60% of the cries are `hungry`" in md and "recall/tired" in md


def test_inputs_that_do_not_fit_are_rejected(detector_oof, reason_oof) -> None:
    with pytest.raises(InvalidParameterError, match="n_seeds, n_clips, n_labels"):
        _detector_report(detector_oof, logits=detector_oof.logits[0])
    with pytest.raises(InvalidParameterError, match="one set of folds per seed"):
        _detector_report(detector_oof, folds=detector_oof.folds[:1])
    with pytest.raises(InvalidParameterError, match="detector"):
        cv_report(logits=reason_oof.logits, y=reason_oof.y, groups=reason_oof.groups, labels=reason_oof.labels,
                  task="reason", folds=reason_oof.folds, temperature=1.0, cry_band=(0.3, 0.8))


def _bundled(name: str):
    folder = MODELS / name
    read = lambda f: json.loads((folder / f).read_text())  # noqa: E731
    return read("metrics.json"), read("training.json")["config"], read("calibration.json"), np.load(
        folder / "cv_predictions.npz")


@pytest.mark.parametrize("name", ["cry-detector", "cry-reason"])
def test_bundled_reports_are_reproduced_from_their_out_of_fold_predictions(name: str) -> None:
    """metrics.json is what cv_report makes of the stored out-of-fold logits (folds rebuilt from y and groups)."""
    metrics, config, calibration, oof = _bundled(name)
    task, labels, y, groups = metrics["task"], tuple(metrics["labels"]), oof["y"], oof["groups"]
    # the detector's category of a clip: "cry", or its folder under negatives/ (the manifest label)
    categories = np.where(y == 1, "cry", [p.split("/")[1] for p in oof["paths"]]) if task == "detector" else None
    for split, key in (("grouped", "grouped_logits"), ("random", "random_logits")):
        expected = metrics[split]
        logits = oof[key]
        folds = [grouped_folds(y, groups, n_splits=5, seed=s) if split == "grouped" else
                 random_folds(y, n_splits=5, seed=s) for s in range(logits.shape[0])]
        stored = split == "grouped"  # the stored calibration and phone-codec logits are the grouped run's
        report = cv_report(
            logits=logits, y=y, groups=groups, labels=labels, task=task, folds=folds, categories=categories,
            phone_logits=oof["grouped_phone_logits"] if stored and "grouped_phone_logits" in oof else None,
            split=split, temperature=expected["temperature"], fit_bias=task == "reason",
            unsure_threshold=calibration["unsure_threshold"] if stored else 0.0,
            cry_band=tuple(calibration["cry_band"]) if stored and calibration.get("cry_band") else None,
            n_boot=expected["n_boot"], seconds=expected["wall_time_s"])
        if split == "random":
            expected = {k: v for k, v in expected.items() if k != "phone_codec"}  # its coded logits are not stored
        # leave-one-category-out comes from other models' logits (category_holdout), not from these
        expected = {k: v for k, v in expected.items() if k != "leave_category_out"}
        assert _without_n_groups(json.loads(json.dumps(report))) == _without_n_groups(expected)
        # reports written since n_groups was recorded carry it for every per-class and per-category figure
        assert all("n_groups" in v for k, v in report["metrics"].items() if k.startswith(("recall/", "category_")))


def _without_n_groups(node):
    """A report less its ``n_groups`` annotations (bundled reports written before they were recorded lack them)."""
    if isinstance(node, dict):
        return {k: _without_n_groups(v) for k, v in node.items() if k != "n_groups"}
    if isinstance(node, list):
        return [_without_n_groups(v) for v in node]
    return node


def test_format_value_ci_is_the_one_formatter() -> None:
    assert format_value_ci({"value": 0.3, "ci95": [0.2, 0.4]}) == "0.300 [0.200, 0.400]"
    assert format_value_ci({"value": 0.3, "ci95": [0.2, 0.4]}, digits=2) == "0.30 [0.20, 0.40]"
    assert format_value_ci({"value": 0.5, "ci95": [None, None]}) == "0.500"
    assert format_value_ci({"value": None, "ci95": [None, None]}) == format_value_ci(None) == "n/a"


def test_markdown_shows_the_leaky_column_only_when_a_random_split_was_run(detector_oof) -> None:
    grouped = _detector_report(detector_oof)
    alone = render_markdown({"task": "detector", "labels": ["not_cry", "cry"], "grouped": grouped})
    assert "LEAKY" not in alone and "| balanced_accuracy | " in alone and "| 0.500 |" in alone
    leaky = _detector_report(detector_oof, folds=detector_oof.random_folds, split="random")
    both = render_markdown({"task": "detector", "labels": ["not_cry", "cry"], "grouped": grouped, "random": leaky})
    assert "LEAKY random split" in both and "must not be quoted as performance" in both
    assert render_markdown({}).startswith("This checkpoint has no grouped evaluation")
