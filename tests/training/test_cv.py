"""babycry.training.cv: grouped folds, phone-codec scoring, parallel = serial."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from babycry.data import load_task
from babycry.errors import InvalidParameterError
from babycry.training.cache import build_cache
from babycry.training.cv import cross_validate, fold_plan
from babycry.training.fit import clip_logits, fit, training_rows
from babycry.training.recipes import tiny_recipe


@pytest.fixture(scope="module")
def tiny(tiny_data: Path):
    data = load_task(tiny_data, task="detector")
    recipe = tiny_recipe("detector").replace(**{"fit.epochs": 1})
    return data, recipe, build_cache(data, recipe=recipe)


def test_grouped_cv_never_puts_a_group_on_both_sides(tiny) -> None:
    data, recipe, cache = tiny
    grouped = cross_validate(data, cache, recipe=recipe, folds=2, seeds=2)
    assert grouped.logits.shape == (2, len(data), 2) and np.isfinite(grouped.logits).all()
    for folds in grouped.folds:
        tested = np.concatenate([te for _, te in folds])
        assert sorted(tested.tolist()) == list(range(len(data)))  # every clip out-of-fold once per seed
        for tr, te in folds:
            assert set(data.groups[tr]).isdisjoint(data.groups[te])
    with pytest.raises(InvalidParameterError):
        cross_validate(data, cache, recipe=recipe, split="stratified")


def test_a_fold_refitted_from_the_plan_gives_the_cv_logits(tiny) -> None:
    # benchmarks refit folds from fold_plan to score held-out clips their own way: same folds, seeds, exclusions
    data, recipe, cache = tiny
    result = cross_validate(data, cache, recipe=recipe, folds=2, seeds=2)
    plan = fold_plan(data, recipe=recipe, folds=2, seeds=2)
    assert [(f.seed_index, f.fold, f.seed) for f in plan] == [(0, 0, 0), (0, 1, 1), (1, 0, 100), (1, 1, 101)]
    fold = plan[3]
    assert fold.exclude_groups == set(data.groups[fold.test].tolist())
    model = fit(cache, recipe=recipe, train_clips=fold.train, seed=fold.seed, exclude_groups=fold.exclude_groups)
    np.testing.assert_allclose(clip_logits(model, cache, fold.test), result.logits[1, fold.test], atol=1e-5)
    with pytest.raises(InvalidParameterError):
        fold_plan(data, recipe=recipe, seeds=0)


def test_phone_codec_windows_are_scored_out_of_fold_but_never_trained_on(tiny) -> None:
    data, recipe, cache = tiny
    phone_rows = set(np.flatnonzero((cache.index["kind"] == "phone_eval").to_numpy()))
    assert phone_rows and not phone_rows & set(training_rows(cache.index))
    assert set(cache.index.loc[list(phone_rows), "stratum"]) == set(data.table["category"]) - {"speech"}
    result = cross_validate(data, cache, recipe=recipe, folds=2, seeds=1)
    speech = (data.table["category"] == "speech").to_numpy()
    assert np.isnan(result.phone_logits[0, speech]).all() and np.isfinite(result.phone_logits[0, ~speech]).all()
    # without coded copies in the head, the clean logits are the ones the same run without phone windows gives:
    # scoring them changes no fit
    uncoded = recipe.replace(**{"model.coded_share": 0.0})
    off = uncoded.replace(**{"augment.phone_eval": False})
    plain = cross_validate(data, build_cache(data, recipe=off), recipe=off, folds=2, seeds=1)
    np.testing.assert_allclose(cross_validate(data, cache, recipe=uncoded, folds=2, seeds=1).logits, plain.logits,
                               atol=1e-5)
    assert plain.phone_logits is None


def test_with_coded_copies_a_fold_learns_its_training_clips_phone_windows_never_the_held_out_ones(tiny) -> None:
    """``model.coded_share`` (the bundled recipe): the head pools each training clip's phone windows as a recording,
    so moving them changes the fit, while moving the held-out clips' changes nothing."""
    import dataclasses

    data, recipe, cache = tiny
    assert recipe.model.coded_share > 0
    fold = fold_plan(data, recipe=recipe, folds=2, seeds=1)[0]
    index = cache.index

    def logits_with_moved(clips: np.ndarray) -> np.ndarray:
        features = np.array(cache.features, copy=True)
        features[((index["kind"] == "phone_eval") & index["clip"].isin(set(clips.tolist()))).to_numpy()] += 5.0
        model = fit(dataclasses.replace(cache, features=features), recipe=recipe, train_clips=fold.train,
                    seed=fold.seed, exclude_groups=fold.exclude_groups)
        return clip_logits(model, cache, fold.test)

    plain = logits_with_moved(np.array([], dtype=int))
    np.testing.assert_allclose(logits_with_moved(fold.test), plain, atol=1e-6)
    assert not np.allclose(logits_with_moved(fold.train), plain, atol=1e-3)


def test_parallel_cross_validation_matches_the_serial_one(tiny_data: Path) -> None:
    """Folds fitted in two worker processes give the same out-of-fold logits as one after the other.

    Run in a fresh interpreter: forking a process whose torch thread pool is already running (this pytest
    process has trained models) is exactly what the library avoids.
    """
    script = (
        "import numpy as np\n"
        "from babycry.data import load_task\n"
        "from babycry.training.cache import build_cache\n"
        "from babycry.training.cv import cross_validate\n"
        "from babycry.training.recipes import tiny_recipe\n"
        f"data = load_task({str(tiny_data)!r}, task='detector')\n"
        "recipe = tiny_recipe('detector').replace(**{'fit.epochs': 1})\n"
        "cache = build_cache(data, recipe=recipe)\n"
        "a = cross_validate(data, cache, recipe=recipe.replace(threads=2), folds=2, seeds=2)\n"
        "b = cross_validate(data, cache, recipe=recipe.replace(threads=1), folds=2, seeds=2)\n"
        "assert np.isfinite(a.logits).all() and np.abs(a.logits).sum() > 0\n"
        "assert np.allclose(a.logits, b.logits, atol=1e-5), np.abs(a.logits - b.logits).max()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def test_leave_one_category_out_scores_each_category_with_a_model_that_never_heard_it(tiny) -> None:
    from babycry.training.cv import leave_category_out

    data, recipe, cache = tiny
    result = leave_category_out(data, cache, recipe=recipe)
    cats = data.table["category"].to_numpy()
    negatives = sorted(set(cats[data.y == 0]))
    assert sorted(set(result.held_out)) == negatives and np.isfinite(result.logits).all()
    assert recipe.cv.folds == recipe.cv.leave_category_out_folds  # so every grouped fold's model is trained
    per_clip = result.mean_per_clip()
    for cat in negatives:
        scored = result.clips[result.held_out == cat]
        # every clip of the category is scored once per fold, plus the cries of each grouped test fold, nothing else
        mine = scored[cats[scored] == cat]
        assert set(mine) == set(np.flatnonzero(cats == cat)) and mine.size == recipe.cv.folds * (cats == cat).sum()
        assert set(cats[scored]) <= {cat, "cry"}
        cries = scored[cats[scored] == "cry"]
        assert sorted(cries) == sorted(np.flatnonzero(data.y == 1))  # each cry once: its own fold's model
        # averaged: one row per clip, the mean of its folds' logits
        rows = per_clip.held_out == cat
        assert sorted(per_clip.clips[rows]) == sorted(set(scored))
        k = np.flatnonzero(cats == cat)[0]
        expected = result.logits[(result.held_out == cat) & (result.clips == k)].mean(axis=0)
        assert np.allclose(per_clip.logits[rows & (per_clip.clips == k)][0], expected)
    with pytest.raises(InvalidParameterError, match="No not-cry clips"):
        leave_category_out(data, cache, recipe=recipe, categories=["giraffe"])
    with pytest.raises(InvalidParameterError, match="leave_category_out_folds"):
        leave_category_out(data, cache, recipe=recipe.replace(**{"cv.leave_category_out_folds": 0}))


def test_leaving_a_set_of_cries_out_scores_it_with_models_that_never_heard_it(tiny) -> None:
    # what benchmarks/detector_unseen_sources.py does with a whole source of cries: each fold's model trains
    # without the set (nor its families) and scores the set and the fold's test not-cries
    from babycry.training.cv import _folds_of, leave_rows_out

    data, recipe, cache = tiny
    cries = np.flatnonzero(data.y == 1)
    held = cries[: max(2, cries.size // 3)]
    result = leave_rows_out(data, cache, recipe=recipe, held_out={"some cries": held}, folds=(0, 1), what="source")
    assert np.isfinite(result.logits).all() and set(result.held_out) == {"some cries"}
    plan = _folds_of(data.y, data.groups, folds=recipe.cv.folds, seed=recipe.seed, split="grouped")
    for fold in (0, 1):
        scored = result.clips[result.folds == fold]
        assert set(scored[np.isin(scored, held)]) == set(held)  # every held clip, once per fold
        others = scored[~np.isin(scored, held)]
        assert (data.y[others] == 0).all() and set(others) <= set(plan[fold][1])
    with pytest.raises(InvalidParameterError, match="one class"):
        mixed = np.array([cries[0], np.flatnonzero(data.y == 0)[0]])
        leave_rows_out(data, cache, recipe=recipe, held_out={"mixed": mixed})


def test_a_category_model_refitted_from_the_holdout_plan_gives_its_logits(tiny) -> None:
    # benchmarks/detector_probe.py refits leave-one-category-out's model of one category and fold from the plan
    from babycry.training.cv import category_sets, holdout_plan, leave_category_out

    data, recipe, cache = tiny
    result = leave_category_out(data, cache, recipe=recipe)
    plan = holdout_plan(data, recipe=recipe, held_out=category_sets(data),
                        folds=range(recipe.cv.leave_category_out_folds))
    assert sorted({name for name, _ in plan}) == sorted(set(result.held_out))
    name, fold = plan[-1]
    assert not set(data.groups[fold.train]) & fold.exclude_groups
    model = fit(cache, recipe=recipe, train_clips=fold.train, seed=fold.seed, exclude_groups=fold.exclude_groups)
    mine = (result.held_out == name) & (result.folds == fold.fold)
    np.testing.assert_array_equal(result.clips[mine], fold.test)
    np.testing.assert_allclose(clip_logits(model, cache, fold.test), result.logits[mine], atol=1e-5)
    with pytest.raises(InvalidParameterError, match="No not-cry clips"):
        category_sets(data, categories=["giraffe"])


def test_cv_reports_leave_one_category_out_when_the_recipe_asks(tiny_data: Path) -> None:
    from babycry.evaluation.report import render_markdown, render_text
    from babycry.training.pipeline import run_cv

    recipe = tiny_recipe("detector").replace(**{"fit.epochs": 1, "cv.leave_category_out": True})
    report = run_cv(tiny_data, task="detector", recipe=recipe, n_boot=20)
    holdout = report["leave_category_out"]["categories"]
    data = load_task(tiny_data, task="detector")
    negatives = set(data.table.loc[data.y == 0, "category"])  # real clips or, without the data folder, synthesised
    assert set(holdout) == negatives and {"noise", "silence", "speech"} <= negatives
    assert all(0.0 <= v["held_out"]["value"] <= 1.0 and v["n_clips"] > 0 for v in holdout.values())
    assert "leave-one-category-out" in render_text(report)
    md = render_markdown({"task": "detector", "labels": ["not_cry", "cry"], "grouped": report})
    assert "Sounds it never heard" in md and all(f"| {cat} (" in md for cat in negatives)
