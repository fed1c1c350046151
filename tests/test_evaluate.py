"""babycry.evaluate: grouped CV on a tiny folder, family bootstrap, checkpoint scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from babycry.data import load_task
from babycry.evaluate import compute_metrics, cv_report, evaluate_checkpoint, format_table, point_metrics
from babycry.train import build_cache, cross_validate, tiny_config


@pytest.fixture(scope="module")
def tiny_cv(tiny_data: Path):
    data = load_task(tiny_data, task="detector")
    config = tiny_config("detector").replace(epochs=1)
    cache = build_cache(data, config=config)
    grouped = cross_validate(data, cache, config=config, folds=2, seeds=2, split="grouped")
    leaky = cross_validate(data, cache, config=config, folds=2, seeds=1, split="random")
    return data, grouped, leaky


def test_grouped_cv_never_puts_a_group_on_both_sides(tiny_cv) -> None:
    data, grouped, _ = tiny_cv
    groups = data.groups
    assert grouped.logits.shape == (2, len(data), 2)
    for folds in grouped.folds:
        tested = np.concatenate([te for _, te in folds])
        assert sorted(tested.tolist()) == list(range(len(data)))  # every clip out-of-fold once per seed
        for tr, te in folds:
            assert set(groups[tr]).isdisjoint(groups[te])
    report = cv_report(data, grouped, n_boot=50)
    assert report["group_leakage"]["folds_with_shared_groups"] == 0
    assert not report["leaky"] and report["n_seeds"] == 2
    m = report["metrics"]
    for key in ("balanced_accuracy", "macro_f1", "log_loss", "ece", "roc_auc", "recall/cry", "recall/not_cry",
                "category_accuracy/cry", "category_accuracy/noise"):
        assert key in m and m[key]["value"] is not None
    assert report["majority_baseline"]["balanced_accuracy"] == 0.5
    # the like-for-like reference: each test fold scored with the prior of its own training folds
    assert np.isfinite(report["majority_baseline"]["log_loss_out_of_fold"])
    assert "training folds' prior" in format_table({"task": "detector", **report})
    assert sum(map(sum, m["confusion_matrix"]["rows_true_cols_predicted"])) == 2 * len(data)
    assert "grouped" in format_table({"task": "detector", **report})


def test_phone_codec_windows_are_scored_out_of_fold_but_never_trained_on(tiny_data: Path) -> None:
    from babycry.card import render_model_card
    from babycry.train import training_rows

    data = load_task(tiny_data, task="detector")
    config = tiny_config("detector").replace(epochs=1, phone_eval=True)
    cache = build_cache(data, config=config)
    phone_rows = set(np.flatnonzero((cache.index["kind"] == "phone_eval").to_numpy()))
    assert phone_rows and not phone_rows & set(training_rows(cache.index))
    assert set(cache.index.loc[list(phone_rows), "stratum"]) == set(data.table["category"]) - {"speech"}
    result = cross_validate(data, cache, config=config, folds=2, seeds=1)
    speech = (data.table["category"] == "speech").to_numpy()
    assert np.isnan(result.phone_logits[0, speech]).all() and np.isfinite(result.phone_logits[0, ~speech]).all()
    # the clean logits are the ones the same run without phone windows gives: scoring them changes no fit
    plain = cross_validate(data, build_cache(data, config=config.replace(phone_eval=False)),
                           config=config.replace(phone_eval=False), folds=2, seeds=1)
    np.testing.assert_allclose(result.logits, plain.logits, atol=1e-5)
    assert plain.phone_logits is None
    report = cv_report(data, result, n_boot=20)
    phone = report["phone_codec"]
    assert phone["n_clips"] == int((~speech).sum())
    assert "category_accuracy/cry" in phone["metrics"] and "category_accuracy/speech" not in phone["metrics"]
    assert "through a phone codec" in format_table({"task": "detector", **report})
    card = render_model_card(metrics={"task": "detector", "labels": ["not_cry", "cry"], "grouped": report},
                             training={"config": {"phone_codec_p": 0.5}}, calibration={})
    assert "### Through a phone codec" in card and "| cry |" in card


def test_random_split_is_labelled_leaky(tiny_cv) -> None:
    data, _, leaky = tiny_cv
    report = cv_report(data, leaky, n_boot=20)
    assert report["leaky"] and report["split_description"].startswith("LEAKY")
    assert "LEAKY" in format_table({"task": "detector", **report})


def test_bootstrap_is_over_groups_not_clips() -> None:
    rng = np.random.default_rng(0)
    # 10 groups of 50 clips; each group entirely right or entirely wrong -> clip bootstrap would be far too narrow
    groups = np.repeat(np.arange(10), 50)
    y = rng.integers(0, 2, 500)
    right = np.isin(groups, np.arange(7))
    p1 = np.where(right, y, 1 - y) * 0.8 + 0.1
    m = compute_metrics(y, np.stack([1 - p1, p1], 1), groups, labels=("a", "b"), n_boot=300)
    lo, hi = m["accuracy"]["ci95"]
    assert m["accuracy"]["value"] == pytest.approx(0.7)
    assert hi - lo > 0.3  # ~10 independent units, not 500


def test_point_metrics_known_values() -> None:
    y = np.array([0, 0, 1, 1])
    p = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]])
    m = point_metrics(y, p, k=2, categories=np.array(["speech", "noise", "cry", "cry"]))
    assert m["balanced_accuracy"] == 0.75 and m["roc_auc"] == 1.0
    assert m["category_accuracy"] == {"cry": 1.0, "noise": 0.0, "speech": 1.0}


def test_evaluate_a_checkpoint_on_a_folder(tiny_models) -> None:
    report = evaluate_checkpoint(tiny_models.detector_dir, tiny_models.data_dir, n_boot=20)
    data = load_task(tiny_models.data_dir, task="detector")
    assert report["summary"]["n_clips"] == len(data) == len(report["clips"])
    rec = report["clips"][0]
    assert set(rec) >= {"path", "true", "probabilities", "verdict"}
    assert rec["verdict"] in ("cry", "not_cry") and set(rec["probabilities"]) == {"cry", "not_cry"}
    # the stored unsure band: each clip says whether it fell in it; the summary gives the shares per category
    low, high = report["summary"]["cry_band"]["low"], report["summary"]["cry_band"]["high"]
    assert all(r["cry_unsure"] == (low <= r["probabilities"]["cry"] < high) for r in report["clips"])
    assert set(report["summary"]["cry_band"]["categories"]) == set(data.table["category"])
    reason = evaluate_checkpoint(tiny_models.reason_dir, tiny_models.data_dir, n_boot=20)
    assert all(r["verdict"] in ("hungry", "belly_pain", "discomfort", "tired", "unsure") for r in reason["clips"])
