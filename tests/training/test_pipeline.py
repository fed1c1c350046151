"""babycry.training.pipeline: the checkpoint folder `babycry train` writes, and `babycry cv` on the same path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from babycry.data import load_task
from babycry.errors import InvalidParameterError
from babycry.training.pipeline import run_cv, train
from babycry.training.recipes import tiny_recipe


def test_checkpoint_folder_is_complete(tiny_models) -> None:
    for folder, task in ((tiny_models.detector_dir, "detector"), (tiny_models.reason_dir, "reason")):
        names = {p.name for p in Path(folder).iterdir()}
        assert {"config.json", "model.safetensors", "preprocessor_config.json", "calibration.json", "metrics.json",
                "training.json", "README.md", "cv_predictions.npz"} <= names
        assert (Path(folder) / "model.safetensors").stat().st_size < 20e6
        config = json.loads((Path(folder) / "config.json").read_text())
        # the detector is the sound-effects CNN, the reason model the compact AST
        assert config["model_type"] == ("babycry-sfx-cnn" if task == "detector" else "audio-spectrogram-transformer")
        assert len(config["id2label"]) == (2 if task == "detector" else 4)
        training = json.loads((Path(folder) / "training.json").read_text())
        assert len(training["data"]["manifest_sha256"]) == 64
        assert training["config"]["task"] == task and "augment" in training["config"]  # the whole recipe
        assert {"torch", "transformers", "accelerate"} <= set(training["libraries"])
        assert training["command"] and training["wall_time_s"] > 0
        metrics = json.loads((Path(folder) / "metrics.json").read_text())
        assert metrics["grouped"]["group_leakage"]["folds_with_shared_groups"] == 0
        card = (Path(folder) / "README.md").read_text()
        assert card.startswith("---\nlicense:") and "Not a medical device" in card
        assert "majority baseline" in card and training["command"] in card
        # the detector's CV also scores its held-out clips through a phone codec, end to end into the card
        assert ("phone_codec" in metrics["grouped"]) == (task == "detector")
        oof = np.load(Path(folder) / "cv_predictions.npz")
        assert ("grouped_phone_logits" in oof.files) == (task == "detector")


def test_reason_calibration_stores_the_cross_fitted_unsure_figures(tiny_models) -> None:
    calibration = json.loads((Path(tiny_models.reason_dir) / "calibration.json").read_text())
    assert 0.0 <= calibration["unsure_threshold"] < 1.0 and calibration["temperature"] > 0
    assert calibration["bias"] is not None and calibration["cry_band"] is None
    unsure = json.loads((Path(tiny_models.reason_dir) / "metrics.json").read_text())["grouped"]["unsure"]
    assert calibration["coverage"] == unsure["coverage"]
    assert calibration["answered_balanced_accuracy"] == unsure["answered_balanced_accuracy"]


def test_detector_stores_and_reports_its_unsure_band(tiny_models) -> None:
    folder = Path(tiny_models.detector_dir)
    calibration = json.loads((folder / "calibration.json").read_text())
    band = json.loads((folder / "metrics.json").read_text())["grouped"]["cry_band"]
    low, high = calibration["cry_band"]
    assert low <= 0.5 <= high and [band["low"], band["high"]] == [low, high]
    for shares in band["categories"].values():
        assert shares["cry"] + shares["unsure"] + shares["not_cry"] == pytest.approx(1.0, abs=1e-3)


def test_cv_reports_what_train_stores(tiny_models) -> None:
    """One path: `babycry cv` with the recipe `babycry train` used gives the same grouped report and band."""
    report = run_cv(tiny_models.data_dir, task="detector", recipe=tiny_recipe("detector"))
    stored = json.loads((Path(tiny_models.detector_dir) / "metrics.json").read_text())["grouped"]
    for key in ("metrics", "majority_baseline", "cry_band", "temperature"):
        assert json.loads(json.dumps(report[key])) == stored[key], key
    assert report["config"]["task"] == "detector" and not report["leaky"]


def test_task_mismatch_is_a_typed_error(tiny_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="recipe trains"):
        train(load_task(tiny_data, task="reason"), tmp_path, recipe=tiny_recipe("detector"))
    with pytest.raises(InvalidParameterError):
        run_cv(tiny_data, task="reason", recipe=tiny_recipe("detector"))


def test_a_sound_effects_cnn_detector_trains_saves_loads_and_analyses(tiny_data, tmp_path) -> None:
    """babycry train --family sfx end to end on the tiny folder: checkpoint, calibration, card; analyse uses it."""
    from babycry.analysis import analyse
    from babycry.audio import from_array
    from babycry.modeling import load_detector, load_reason
    from babycry.synth import synth_cry

    out = tmp_path / "sfx"
    metrics = train(load_task(tiny_data, task="detector"), out, recipe=tiny_recipe("detector", family="sfx"),
                    command="test")
    assert metrics["grouped"]["metrics"]["balanced_accuracy"]["value"] is not None
    assert "sound-effects CNN" in (out / "README.md").read_text()
    detector = load_detector(out)
    assert type(detector.model).__name__ == "SfxHead"  # its int8 graph, then the head in numpy (runtime="auto")
    assert type(load_detector(out, runtime="transformers").model).__name__ == "SfxForAudioClassification"
    cry = synth_cry(seconds=5.0, seed=2)
    result = analyse(from_array(cry.samples, sample_rate=cry.sample_rate), detector=detector, reason=load_reason())
    assert 0.0 <= result.cry_probability <= 1.0 and len(result.windows) >= 2
