"""babycry.cli.training: `babycry train` and `babycry cv` (recipes from --config / --set)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babycry.cli import main
from babycry.cli.training import recipe_from_args
from babycry.errors import InvalidParameterError
from babycry.training.recipes import tiny_recipe


def test_recipe_from_args_applies_json_then_set(tmp_path: Path) -> None:
    cfg = tmp_path / "r.json"
    cfg.write_text(json.dumps({"fit": {"epochs": 2}, "augment": {"cry_copies": 1}}))
    r = recipe_from_args("detector", str(cfg), ["fit.epochs=7", 'model={"hidden_size": 48}'], quiet=True,
                         family="ast")
    assert (r.fit.epochs, r.augment.cry_copies, r.model.hidden_size, r.progress) == (7, 1, 48, False)
    with pytest.raises(InvalidParameterError, match="KEY=VALUE"):
        recipe_from_args("detector", None, ["epochs"])


def test_train_writes_a_checkpoint(tiny_data: Path, tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(tiny_recipe("reason").to_dict()))
    out = tmp_path / "ckpt"
    assert main(["train", "--task", "reason", "--data", str(tiny_data), "--out", str(out), "--config", str(cfg),
                 "--set", "fit.epochs=1", "--no-cv", "--quiet"]) == 0
    assert (out / "model.safetensors").exists() and "saved" in capsys.readouterr().out
    assert json.loads((out / "training.json").read_text())["config"]["fit"]["epochs"] == 1


def test_cv_command_on_a_tiny_folder(tiny_data: Path, tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps({**tiny_recipe("reason").to_dict(), "fit": {"epochs": 1}}))
    out = tmp_path / "cv.json"
    assert main(["cv", "--task", "reason", "--data", str(tiny_data), "--folds", "2", "--seeds", "1",
                 "--json", str(out), "--config", str(cfg), "--quiet"]) == 0
    report = json.loads(out.read_text())
    assert report["split"] == "grouped" and report["group_leakage"]["folds_with_shared_groups"] == 0
    assert "balanced_accuracy" in capsys.readouterr().out
    assert main(["cv", "--task", "reason", "--data", str(tiny_data), "--folds", "2", "--seeds", "1", "--split",
                 "random", "--json", str(out), "--config", str(cfg), "--quiet"]) == 0
    assert json.loads(out.read_text())["leaky"] is True


def test_detector_cv_command_reports_the_unsure_band(tiny_data: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(tiny_recipe("detector").to_dict()))
    out = tmp_path / "cv.json"
    assert main(["cv", "--task", "detector", "--data", str(tiny_data), "--folds", "2", "--seeds", "1",
                 "--json", str(out), "--config", str(cfg), "--quiet"]) == 0
    band = json.loads(out.read_text())["cry_band"]
    assert band["low"] <= 0.5 <= band["high"] and {"cry", "speech"} <= set(band["categories"])
