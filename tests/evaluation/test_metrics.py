"""babycry.evaluation.metrics: point metrics, the family bootstrap, the baseline, group leakage."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.evaluation.metrics import compute_metrics, group_leakage, majority_baseline, point_metrics


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


def test_decisions_override_the_argmax() -> None:
    y = np.array([0, 1, 1])
    p = np.array([[0.6, 0.4], [0.6, 0.4], [0.2, 0.8]])
    assert point_metrics(y, p, k=2)["accuracy"] == pytest.approx(2 / 3)
    assert point_metrics(y, p, k=2, decisions=np.array([0, 1, 1]))["accuracy"] == 1.0


def test_majority_baseline_scores_each_test_fold_with_its_training_prior() -> None:
    y = np.array([0] * 8 + [1] * 2)
    folds = [[(np.arange(5), np.arange(5, 10)), (np.arange(5, 10), np.arange(5))]]
    base = majority_baseline(y, k=2, folds=folds)
    assert base["balanced_accuracy"] == 0.5 and base["majority_class"] == 0 and base["prior"] == [0.8, 0.2]
    assert base["log_loss_out_of_fold"] > base["log_loss"]  # the in-sample prior flatters the baseline
    assert "log_loss_out_of_fold" not in majority_baseline(y, k=2)


def test_group_leakage_counts_folds_that_share_a_group(detector_oof) -> None:
    assert group_leakage(detector_oof.groups, detector_oof.folds) == {"folds_with_shared_groups": 0, "folds": 10}
    leaky = group_leakage(detector_oof.groups, detector_oof.random_folds)
    assert leaky["folds"] == 10 and leaky["folds_with_shared_groups"] > 0


def test_family_accuracy_counts_each_family_once() -> None:
    # laughter: one recording cut into 8 chunks, all wrong, and 4 videos, all right
    y = np.zeros(12, dtype=np.int64)
    probs = np.array([[0.2, 0.8]] * 8 + [[0.9, 0.1]] * 4)
    groups = np.array(["recording"] * 8 + ["v1", "v2", "v3", "v4"])
    m = compute_metrics(y, probs, groups, labels=("not_cry", "cry"), categories=np.array(["laugh"] * 12), n_boot=200)
    assert m["category_accuracy/laugh"]["value"] == pytest.approx(4 / 12, abs=1e-4)
    assert m["family_accuracy/laugh"]["value"] == pytest.approx(4 / 5, abs=1e-4)
    assert m["family_accuracy/laugh"]["n_groups"] == 5
    lo, hi = m["family_accuracy/laugh"]["ci95"]
    assert 0.0 <= lo < 0.8 < hi <= 1.0  # the bootstrap redraws families, each draw counting once


def test_point_metrics_without_families_has_no_family_accuracy() -> None:
    m = point_metrics(np.array([0, 1]), np.array([[0.9, 0.1], [0.2, 0.8]]), k=2, categories=np.array(["a", "cry"]))
    assert "family_accuracy" not in m
    m = point_metrics(np.array([0, 1]), np.array([[0.9, 0.1], [0.2, 0.8]]), k=2, categories=np.array(["a", "cry"]),
                      families=np.array(["f", "g"]))
    assert m["family_accuracy"] == {"a": 1.0, "cry": 1.0}


def test_bootstrap_draws_equal_point_metrics_of_the_drawn_rows() -> None:
    """Each vectorised draw is what point_metrics gives for the drawn groups' rows (a group drawn twice: its rows
    twice, and two families), classes or categories missing from a draw included."""
    from babycry.evaluation.metrics import _flatten, bootstrap_draws, point_metrics

    rng = np.random.default_rng(3)
    n, groups = 300, 40
    group_ids = rng.integers(0, groups, n)
    y = (rng.random(n) < 0.3).astype(int)
    probs = np.clip(np.stack([1 - y * 0.5 - rng.random(n) * 0.5, np.zeros(n)], 1), 0, 1)
    probs[:, 1] = 1 - probs[:, 0]
    probs[::7] = [0.5, 0.5]  # ties for the AUC, a confidence on a bin edge for the ECE
    cats = np.array(["cry", "laugh", "noise", "rare"])[np.where(y == 1, 0, 1 + rng.integers(0, 2, n))]
    cats[group_ids == 5] = "rare"
    y[group_ids == 5] = 0
    picks = [rng.integers(0, groups, groups) for _ in range(25)] + [np.full(groups, 7)]
    for decisions in (None, (probs[:, 1] > 0.3).astype(int)):
        draws = bootstrap_draws(y, probs, group_ids, picks, labels=("not_cry", "cry"), categories=cats,
                                decisions=decisions)
        for b, pick in enumerate(picks):
            rows = np.concatenate([np.flatnonzero(group_ids == g) for g in pick])
            drawn = np.concatenate([np.full((group_ids == g).sum(), i) for i, g in enumerate(pick)])
            want = _flatten(point_metrics(y[rows], probs[rows], k=2, categories=cats[rows], families=drawn,
                                          decisions=None if decisions is None else decisions[rows]),
                            ("not_cry", "cry"))
            for key, values in draws.items():
                if key == "roc_auc" and len(set(y[rows].tolist())) < 2:
                    assert np.isnan(values[b])
                    continue
                np.testing.assert_allclose(values[b], want.get(key, np.nan), rtol=1e-9, atol=1e-12, err_msg=key)
            assert set(want) <= set(draws)
