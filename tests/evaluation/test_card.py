"""babycry.evaluation.card: the bundled cards regenerate; every setting a card states comes from the recipe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babycry.evaluation.card import render_model_card, write_model_card
from babycry.evaluation.report import render_markdown
from babycry.training.recipes import recipe_for

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"


def _read(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text())


def _recipe(task: str, **changes) -> dict:
    """A recipe as training.json records it (plain JSON: tuples become lists)."""
    return json.loads(json.dumps(recipe_for(task).replace(**changes).to_dict()))


@pytest.mark.parametrize("name", ["cry-detector", "cry-reason"])
def test_bundled_cards_regenerate(name: str) -> None:
    """The committed README.md is exactly what the card code makes of the checkpoint's JSON files."""
    folder = MODELS / name
    comparison = folder / "comparison.md"
    onnx = folder / "onnx" / "onnx.json"
    text = render_model_card(metrics=_read(folder, "metrics.json"), training=_read(folder, "training.json"),
                             calibration=_read(folder, "calibration.json"),
                             comparison=comparison.read_text() if comparison.exists() else None,
                             onnx=json.loads(onnx.read_text()) if onnx.exists() else None)
    assert text == (folder / "README.md").read_text()


def test_the_reason_card_holds_the_comparison_table_make_compare_wrote() -> None:
    folder = MODELS / "cry-reason"
    table = (folder / "comparison.md").read_text().strip()
    card = (folder / "README.md").read_text()
    assert "## Compared with other models (`make compare`)" in card and table in card
    assert "majority baseline" in table and "VGG-style CNN on MFCCs" in table


@pytest.mark.parametrize("name", ["cry-detector", "cry-reason"])
def test_bundled_cards_hold_their_evaluation_and_command(name: str) -> None:
    folder = MODELS / name
    metrics, training = _read(folder, "metrics.json"), _read(folder, "training.json")
    training["config"] = _recipe(metrics["task"])
    text = render_model_card(metrics=metrics, training=training, calibration=_read(folder, "calibration.json"))
    assert text.startswith("---\nlicense:") and "Not a medical device" in text
    assert render_markdown(metrics) in text and training["command"] in text
    assert f"value: {metrics['grouped']['metrics']['balanced_accuracy']['value']}" in text


def test_card_states_the_recipe_it_was_given() -> None:
    metrics = {"task": "detector", "labels": ["not_cry", "cry"]}
    training = {"command": "babycry train --task detector", "data": {"root": "DATA"}, "config": _recipe("detector")}
    bundled = render_model_card(metrics=metrics, training=training, calibration={})
    assert "3.6 kHz" in bundled and "3 s windows" in bundled and "2 s hop" in bundled
    assert "--folds 5 --seeds 3" in bundled and "--data DATA" in bundled
    assert "machine tones" in bundled and "random codecs" in bundled and "`removed`" in bundled
    assert "third block's 256 maps" in bundled  # what the bundled detector's embedding holds
    assert "fourth block is not run" in bundled and "last block's" not in bundled
    assert "lowest 72 of 96 mel bands" in bundled and "heard an octave higher" in bundled
    changed = _recipe("detector", **{"cv.folds": 7, "audio.band_limit_hz": 3000.0, "window.window_seconds": 2.0,
                                     "augment.synth_tones_per_cry": 0, "augment.phone_codec.p": 0.0,
                                     "augment.train_only_labels": []})
    text = render_model_card(metrics=metrics, training={**training, "config": changed}, calibration={})
    assert "3 kHz" in text and "2 s windows" in text and "--folds 7" in text
    assert "machine tones" not in text and "trained without codec augmentation" in text
    assert "were not used" in text and "`removed`" not in text


def test_write_model_card_reads_the_json_files_beside_it(tmp_path: Path) -> None:
    (tmp_path / "metrics.json").write_text(json.dumps({"task": "reason", "labels": ["hungry", "tired"]}))
    (tmp_path / "training.json").write_text(json.dumps({"command": "babycry train --task reason", "data": {},
                                                        "config": _recipe("reason")}))
    path = write_model_card(tmp_path)
    text = path.read_text()
    assert path.name == "README.md" and "# babycry cry-reason" in text and "babycry train --task reason" in text
    assert "## Evaluation" not in text  # no grouped report: no evaluation section
    assert "## Compared with other models" not in text
    (tmp_path / "comparison.md").write_text("| model | balanced accuracy |\n|---|---|\n| majority | 0.25 |\n")
    assert "## Compared with other models" in write_model_card(tmp_path).read_text()


def test_the_detector_card_names_its_int8_graphs_weight_bits() -> None:
    card = (MODELS / "cry-detector" / "README.md").read_text()
    assert "per-channel int8 weights in 7 bits" in card and "sum exactly on every x86 CPU" in card
    assert _read(MODELS / "cry-detector", "training.json")["config"]["model"]["int8_weight_bits"] == 7
