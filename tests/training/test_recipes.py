"""babycry.training.recipes: nested recipes, overrides, JSON, the augmentation uses the app lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babycry import augment
from babycry.errors import InvalidParameterError
from babycry.training.recipes import (
    DetectorRecipe,
    ReasonRecipe,
    Recipe,
    SfxDetectorRecipe,
    SfxReasonRecipe,
    Use,
    checkpoint_recipe,
    recipe_for,
    tiny_recipe,
)


def test_bundled_recipes_hold_the_shipped_settings() -> None:
    d, r = recipe_for("detector"), recipe_for("reason")
    assert isinstance(d, SfxDetectorRecipe) and isinstance(r, ReasonRecipe) and not isinstance(r, SfxReasonRecipe)
    assert (d.model.channels, d.model.pretrained, d.model.head_l2, d.cv.leave_category_out) == (64, "aisfx", 0.01, True)
    assert d.model.pooling == "recording" and recipe_for("reason", family="sfx").model.pooling == "window"
    assert d.augment.phone_codec.p == 0.7 and d.augment.train_only_labels == ("removed",)
    ast = recipe_for("detector", family="ast")  # the compact-AST detector stays trainable (--family ast)
    assert type(ast) is DetectorRecipe
    assert (ast.model.hidden_size, ast.model.num_hidden_layers, ast.fit.epochs, ast.fit.samples_per_epoch) == \
        (96, 3, 8, 2000)
    assert ast.augment == d.augment and ast.fit.stratum_weights == d.fit.stratum_weights  # same windows and mix
    assert isinstance(recipe_for("reason", family="sfx"), SfxReasonRecipe)
    with pytest.raises(InvalidParameterError, match="model family"):
        recipe_for("detector", family="yamnet")
    assert (r.fit.learning_rate, r.fit.label_smoothing, r.cv.calibrate_bias, r.fit.stratum_weights) == \
        (5e-4, 0.1, True, {})
    with pytest.raises(InvalidParameterError, match="Unknown task"):
        recipe_for("burping")


def test_dotted_and_nested_overrides_and_typed_errors() -> None:
    r = DetectorRecipe().replace(**{"fit.epochs": 40, "augment.cry_pitch.ranges": {"semitones": (-1.0, 1.0)}},
                                 model={"hidden_size": 48})
    assert r.fit.epochs == 40 and r.model.hidden_size == 48 and r.model.num_hidden_layers == 3
    assert r.augment.cry_pitch == Use("pitch_shift", 0.5, {"semitones": (-1.0, 1.0)})
    assert DetectorRecipe().fit.epochs == 8  # frozen: the original is untouched
    r = r.replace(**{"augment.train_only_labels": ["removed", "unknown"]})
    assert r.augment.train_only_labels == ("removed", "unknown")
    for bad in ({"epochs": 3}, {"fit.epoch": 3}, {"augment.nope": 1}, {"augment.cry_pitch.nope": 1}):
        with pytest.raises(InvalidParameterError, match="Unknown training setting"):
            DetectorRecipe().replace(**bad)


def test_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps({"fit": {"epochs": 3}, "model": {"hidden_size": 48}, "window": {"hop_seconds": 1.0}}))
    r = ReasonRecipe.from_json(path)
    assert (r.task, r.fit.epochs, r.model.hidden_size, r.window.hop_seconds) == ("reason", 3, 48, 1.0)
    assert ReasonRecipe.from_json(json.loads(json.dumps(r.to_dict()))) == r
    with pytest.raises(InvalidParameterError, match="Cannot read"):
        Recipe.from_json(tmp_path / "missing.json")


def test_window_settings_key_only_what_makes_windows() -> None:
    base = DetectorRecipe()
    assert base.replace(**{"fit.epochs": 1}, threads=1, progress=False).window_settings() == base.window_settings()
    assert base.replace(**{"augment.cry_copies": 1}).window_settings() != base.window_settings()
    assert base.replace(seed=1).window_settings() != base.window_settings()


def test_augmentation_uses_name_registered_transforms_with_valid_ranges() -> None:
    for task in ("detector", "reason"):
        uses = recipe_for(task).augmentation_uses()
        assert uses
        for use in uses:
            aug = augment.get(use["name"])
            aug.resolve(ranges=use["ranges"])  # every range lies inside the transform's parameter bounds
            assert 0.0 <= use["p"] <= 1.0 and use["applies_to"]
    names = {u["name"] for u in recipe_for("detector").augmentation_uses()}
    assert {"pitch_shift", "time_stretch", "background_noise", "mic_filter", "voice_bursts", "phone_codec"} <= names


@pytest.mark.parametrize("changes, message", [
    ({"cv.folds": 1}, "cv.folds"),
    ({"cv.seeds": 0}, "cv.seeds"),
    ({"cv.leave_category_out_folds": 0}, "leave_category_out_folds"),
    ({"cv.folds": 3}, "leave_category_out_folds"),  # 5 of 3 folds: said, not silently capped
    ({"cv.min_coverage": 1.5}, "min_coverage"),
])
def test_cv_settings_are_checked_where_a_recipe_is_made(changes: dict, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        recipe_for("detector").replace(**changes)
    assert recipe_for("detector").replace(**{"cv.folds": 3, "cv.leave_category_out_folds": 3}).cv.folds == 3


def test_tiny_recipe_is_tiny() -> None:
    t = tiny_recipe("detector", family="ast")
    assert (t.model.hidden_size, t.cv.folds, t.cv.seeds, t.cache_dir, t.augment.phone_codec.p) == (32, 2, 1, "", 0.0)
    assert (tiny_recipe("detector").model.channels, tiny_recipe("detector").model.pretrained) == (4, "")
    assert tiny_recipe("reason").augment.target_per_class == 4


def test_a_checkpoints_recipe_is_its_training_record_over_the_bundled_recipe_of_its_family(tmp_path: Path) -> None:
    """What benchmarks refit folds with: the record's settings win, a setting it lacks takes the bundled recipe's
    value, and an AST detector's record is read over the AST recipe (its model settings are not the CNN's)."""
    for recipe in (recipe_for("detector").replace(**{"model.head_l2": 0.5}), recipe_for("detector", family="ast"),
                   recipe_for("reason")):
        folder = tmp_path / type(recipe).__name__
        folder.mkdir()
        (folder / "training.json").write_text(json.dumps({"config": recipe.to_dict()}))
        got = checkpoint_recipe(folder)
        assert type(got) is type(recipe) and got.to_dict() == recipe.to_dict()
    record = recipe_for("detector").replace(**{"model.head_l2": 0.5}).to_dict()
    record["model"].pop("coded_share")  # a record saved before the setting existed
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "training.json").write_text(json.dumps({"config": record}))
    old = checkpoint_recipe(tmp_path / "old")
    assert (old.model.head_l2, old.model.coded_share) == (0.5, recipe_for("detector").model.coded_share)
    with pytest.raises(InvalidParameterError, match="training recipe"):
        checkpoint_recipe(tmp_path / "nowhere")
