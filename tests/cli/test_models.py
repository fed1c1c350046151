"""babycry.cli.models: `babycry predict` and `babycry evaluate` (and one-line errors of every model command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from babycry.cli import main
from babycry.synth import synth_cry, write_wav


@pytest.fixture(scope="module")
def cry_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cry.wav"
    write_wav(path, synth_cry(seconds=5.0, seed=4).samples, sample_rate=16000)
    return path


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    return err


def test_predict_json(tiny_models, cry_wav: Path, capsys) -> None:
    code = main(["predict", str(cry_wav), "--json", "--detector", str(tiny_models.detector_dir),
                 "--reason", str(tiny_models.reason_dir)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"is_cry", "cry_probability", "cry_unsure", "verdict", "unsure", "reasons",
                        "reasons_balanced", "reason_quality", "sound", "seconds_analysed", "windows", "steady_sound",
                        "model", "truncated"}
    assert out["truncated"] is False
    assert not any("/" in str(v) for v in out["model"].values())  # names and versions, no server paths


def test_predict_text(tiny_models, cry_wav: Path, capsys) -> None:
    assert main(["predict", str(cry_wav), "--detector", str(tiny_models.detector_dir),
                 "--reason", str(tiny_models.reason_dir)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    # the cry verdict leads; the reasons follow the sound, as an experiment while their interval includes chance
    assert "cry (cry probability" in lines[0] and "sound:" in out and "dBFS" in out
    if "a cry" in lines[0] and "not a cry" not in lines[0]:
        assert any(line.startswith(("reasons (an experiment", "reason: sounds most like")) for line in lines)
        assert "as if every reason were equally common" in out


def test_predict_says_when_the_detector_is_unsure(tiny_models, cry_wav: Path, tmp_path: Path, capsys) -> None:
    import shutil

    from babycry.calibration import Calibration, save_calibration

    folder = tmp_path / "det"
    shutil.copytree(tiny_models.detector_dir, folder)
    save_calibration(Calibration(temperature=1.0, cry_band=(0.0, 1.0)), folder)  # unsure about everything
    assert main(["predict", str(cry_wav), "--detector", str(folder), "--reason", str(tiny_models.reason_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("probably ") and "the cry detector is unsure" in out


def test_predict_says_a_steady_hum_is_not_a_cry(tiny_models, tmp_path: Path, capsys) -> None:
    import numpy as np

    t = np.arange(5 * 16000) / 16000
    path = tmp_path / "hum.wav"
    write_wav(path, (0.05 * sum(np.sin(2 * np.pi * 60.0 * k * t) / k for k in range(1, 8))).astype(np.float32),
              sample_rate=16000)
    assert main(["predict", str(path), "--detector", str(tiny_models.detector_dir),
                 "--reason", str(tiny_models.reason_dir)]) == 0
    assert capsys.readouterr().out.startswith("not a cry: a steady sound")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["predict", "no-such-file.wav"], "No such audio file"),
        (["predict", "{cry}", "--detector", "/no/such/model"], "No model found"),
        (["cv", "--task", "reason", "--data", "/no/such/data"], "does not exist"),
        (["cv", "--task", "reason", "--data", "/no/such/data", "--folds", "1"], "--folds"),
        (["evaluate", "--model", "/no/such/model", "--data", "{data}"], "No model found"),
        (["evaluate", "--model", "{det}", "--data", "/no/such/data"], "does not exist"),
        (["export-onnx", "/no/such/model", "--data", "{data}"], "No model found"),
        (["export-onnx", "{det}", "--data", "/no/such/data"], "does not exist"),
        (["train", "--task", "reason", "--data", "/no/such/data", "--out", "{tmp}"], "does not exist"),
        (["train", "--task", "reason", "--data", "{data}", "--out", "{tmp}", "--set", "fit.epochz=1"],
         "Unknown training"),
    ],
)
def test_bad_input_exits_1_with_one_line(argv, message, tiny_models, cry_wav, tmp_path, capsys) -> None:
    subs = {"{cry}": str(cry_wav), "{data}": str(tiny_models.data_dir), "{det}": str(tiny_models.detector_dir),
            "{tmp}": str(tmp_path / "out")}
    assert main([subs.get(a, a) for a in argv]) == 1
    err = _one_line_error(capsys)
    assert message in err


def test_bad_predict_file_through_the_console(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-m", "babycry", "predict", str(bad)], capture_output=True, text=True,
                          timeout=120, cwd=root, env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("babycry predict: error:") and "Traceback" not in proc.stderr


def test_evaluate_writes_json(tiny_models, tmp_path: Path, capsys) -> None:
    out = tmp_path / "eval.json"
    assert main(["evaluate", "--model", str(tiny_models.reason_dir), "--data", str(tiny_models.data_dir),
                 "--json", str(out), "--quiet"]) == 0
    report = json.loads(out.read_text())
    assert report["summary"]["task"] == "reason" and len(report["clips"]) == report["summary"]["n_clips"]


def test_export_onnx_then_predict_serves_the_graph(tiny_models, cry_wav: Path, tmp_path: Path, capsys) -> None:
    import shutil

    from babycry.modeling import load_reason

    folder = tmp_path / "reason"
    shutil.copytree(tiny_models.reason_dir, folder)
    assert main(["export-onnx", str(folder), "--data", str(tiny_models.data_dir), "--per-category", "2"]) == 0
    said = capsys.readouterr().out
    assert "exported its logits in float32" in said and "largest difference from torch" in said
    assert load_reason(folder).runtime == "onnxruntime"
    assert "`onnx/model.onnx` holds the forward pass" in (folder / "README.md").read_text()  # the card says so
    assert main(["predict", str(cry_wav), "--json", "--detector", str(tiny_models.detector_dir),
                 "--reason", str(folder)]) == 0
    served = json.loads(capsys.readouterr().out)
    assert main(["predict", str(cry_wav), "--json", "--detector", str(tiny_models.detector_dir),
                 "--reason", str(tiny_models.reason_dir)]) == 0
    reference = json.loads(capsys.readouterr().out)
    assert served["reasons"] == pytest.approx(reference["reasons"], abs=1e-4)
