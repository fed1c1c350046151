"""Fixtures shared by the babycry.evaluation tests: out-of-fold logits as arrays, no training."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from babycry.data import grouped_folds, random_folds

CATEGORIES = ("cry", "laugh", "noise", "speech")


@pytest.fixture(scope="module")
def detector_oof() -> SimpleNamespace:
    """Two seeds of 5-fold out-of-fold detector logits on 120 clips from 40 families (3 clips each).

    Cries are one category, not-cries three; the logits carry the label plus noise, so the figures lie
    well above chance without being perfect. ``phone_logits`` are noisier and NaN for speech (no coded windows).
    """
    rng = np.random.default_rng(0)
    groups = np.repeat([f"family{i}" for i in range(40)], 3)
    family_cat = np.array(CATEGORIES)[np.arange(40) % 4]
    categories = np.repeat(family_cat, 3)
    y = (categories == "cry").astype(int)
    seeds = 2
    logits = rng.normal(0.0, 1.0, (seeds, len(y), 2)) + 2.0 * np.eye(2)[y]
    phone = rng.normal(0.0, 1.5, (seeds, len(y), 2)) + 2.0 * np.eye(2)[y]
    phone[:, categories == "speech"] = np.nan
    return SimpleNamespace(
        logits=logits, phone_logits=phone, y=y, groups=groups, categories=categories, labels=("not_cry", "cry"),
        folds=[grouped_folds(y, groups, n_splits=5, seed=s) for s in range(seeds)],
        random_folds=[random_folds(y, n_splits=5, seed=s) for s in range(seeds)],
    )


@pytest.fixture(scope="module")
def reason_oof() -> SimpleNamespace:
    """One seed of 4-fold out-of-fold reason logits: 4 classes, the first far more common (like hungry)."""
    rng = np.random.default_rng(1)
    y = np.array([0] * 60 + [1] * 12 + [2] * 14 + [3] * 14)
    groups = np.array([f"family{i // 2}" for i in range(len(y))])
    logits = rng.normal(0.0, 1.0, (1, len(y), 4)) + 1.5 * np.eye(4)[y] + np.array([1.0, 0, 0, 0])
    return SimpleNamespace(logits=logits, y=y, groups=groups, labels=("hungry", "belly_pain", "discomfort", "tired"),
                           folds=[grouped_folds(y, groups, n_splits=4, seed=0)])
