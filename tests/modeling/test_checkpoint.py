"""babycry.modeling.checkpoint: loading a folder or hub id, and every way a checkpoint can be wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from babycry.errors import ModelLoadError
from babycry.modeling import ModelConfig, build_feature_extractor, build_model, load_detector, load_model, load_reason


def test_fresh_tiny_ast_saved_to_a_folder_loads(tmp_path: Path) -> None:
    model = build_model(task="reason", model_config=ModelConfig(hidden_size=32, num_hidden_layers=1,
                                                                num_attention_heads=2, intermediate_size=64))
    model.save_pretrained(tmp_path)
    build_feature_extractor().save_pretrained(tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.task == "reason" and loaded.temperature == 1.0 and loaded.metrics == {}
    assert loaded.summary() is None


def test_tiny_checkpoints_load_through_the_public_loaders(tiny_models) -> None:
    det = load_detector(tiny_models.detector_dir)
    rea = load_reason(str(tiny_models.reason_dir))
    assert det.labels == ("not_cry", "cry") and rea.labels == ("hungry", "belly_pain", "discomfort", "tired")
    assert det.summary()["chance"] == 0.5 and rea.summary()["chance"] == 0.25
    assert 0 <= det.summary()["balanced_accuracy"] <= 1


def test_missing_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="No model found"):
        load_model(tmp_path / "missing-model")
    with pytest.raises(ModelLoadError, match="could not load|Could not load"):
        load_model("nobody-here/no-such-model")  # a hub id, offline / absent: same code path, same error type


def test_incomplete_and_corrupt_checkpoints(tiny_models, tmp_path: Path) -> None:
    folder = tmp_path / "ckpt"
    shutil.copytree(tiny_models.detector_dir, folder)
    (folder / "model.safetensors").write_bytes(b"this is not a safetensors file")
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_model(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="missing model.safetensors"):
        load_model(folder)
    shutil.copytree(tiny_models.detector_dir, tmp_path / "c2")
    (tmp_path / "c2" / "config.json").write_text("{broken")
    with pytest.raises(ModelLoadError):
        load_model(tmp_path / "c2")


def test_wrong_task_is_refused(tiny_models) -> None:
    with pytest.raises(ModelLoadError, match="reason model"):
        load_detector(tiny_models.reason_dir)


def test_a_checkpoint_trained_on_audio_prepared_otherwise_warns(tiny_models, tmp_path: Path) -> None:
    # every analysis prepares recordings with AudioConfig(): a checkpoint trained before the 100 Hz high-pass (its
    # training.json records no high_pass_hz) or on another band would hear inputs it never saw
    import json
    import warnings

    from babycry.errors import ModelInputWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelInputWarning)
        load_detector(tiny_models.detector_dir)  # trained by this version: no warning
    folder = tmp_path / "old"
    shutil.copytree(tiny_models.detector_dir, folder)
    training = json.loads((folder / "training.json").read_text())
    del training["config"]["audio"]["high_pass_hz"]
    training["config"]["audio"]["band_limit_hz"] = 4000.0
    (folder / "training.json").write_text(json.dumps(training))
    expected = r"band_limit_hz 4000\.0 \(now 3600\.0\), high_pass_hz 0\.0 \(now 100\.0\)"
    with pytest.warns(ModelInputWarning, match=expected):
        model = load_detector(folder)
    assert model.task == "detector"  # it still loads: the warning says what to do
