"""Serving runtimes: a checkpoint served from its exported ONNX graph, or the sound-effects CNN in plain torch,
answers as the transformers model does (babycry.modeling.onnx_export, onnx_runtime, sfx.serving)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from babycry.analysis import analyse
from babycry.audio import from_array
from babycry.errors import InvalidParameterError, ModelLoadError
from babycry.modeling import frame_windows, load_detector, load_model, load_reason
from babycry.modeling.onnx_export import export_onnx
from babycry.modeling.onnx_runtime import ONNX_DIR, ONNX_FILE, ONNX_INFO, onnx_available
from babycry.synth import synth_cry

ROOT = Path(__file__).resolve().parents[2]


def _windows() -> np.ndarray:
    """Windows of synthesised cries and of noise."""
    rng = np.random.default_rng(0)
    parts = [synth_cry(seconds=4.0, sample_rate=16000, f0_hz=f0, seed=s).samples for s, f0 in enumerate((380, 450))]
    parts.append((0.05 * rng.normal(size=64000)).astype(np.float32))
    return np.concatenate([frame_windows(p, sample_rate=16000)[0] for p in parts])


@pytest.fixture(scope="module")
def exported(tiny_models, tmp_path_factory) -> Path:
    """A copy of the tiny reason checkpoint with its exported graph (what ``babycry export-onnx`` does)."""
    folder = tmp_path_factory.mktemp("onnx") / "reason"
    shutil.copytree(tiny_models.reason_dir, folder)
    export_onnx(load_model(folder, runtime="transformers"), folder, parity_windows=_windows())
    return folder


def test_export_writes_the_graph_and_its_record(exported) -> None:
    assert (exported / ONNX_DIR / ONNX_FILE).is_file()
    info = json.loads((exported / ONNX_DIR / ONNX_INFO).read_text())
    assert info["parity_windows"] == len(_windows()) and info["outputs"] == "logits"
    assert info["dtype"] == "float32" and info["max_abs_difference"] < 1e-4
    assert (exported / "model.safetensors").is_file()  # the transformers files are untouched


def test_auto_serves_the_exported_graph_and_transformers_on_request(exported) -> None:
    assert load_model(exported).runtime == "onnxruntime"
    assert load_model(exported, runtime="transformers").runtime == "transformers"


def test_graph_gives_the_transformers_models_answer(exported) -> None:
    served, reference = (load_reason(exported, runtime=r) for r in ("onnxruntime", "transformers"))
    features = reference.features(_windows())
    np.testing.assert_allclose(served.window_outputs(features), reference.window_outputs(features), atol=1e-4)
    cry = synth_cry(seconds=7.0, sample_rate=16000, f0_hz=420.0, seed=3).samples
    a, b = (m.predict(cry, sample_rate=16000) for m in (served, reference))
    np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-5)
    np.testing.assert_allclose(a.window_probabilities, b.window_probabilities, atol=1e-5)
    assert a.window_logits.dtype == np.float64


def test_plain_torch_cnn_gives_the_transformers_models_answer(tiny_models, tmp_path) -> None:
    import dataclasses

    # without its int8 graph, "auto" serves the CNN in plain torch
    folder = tmp_path / "no-int8"
    shutil.copytree(tiny_models.detector_dir, folder, ignore=shutil.ignore_patterns("encoder-int8.*"))
    served = dataclasses.replace(load_detector(folder), precision="float32")
    assert served.runtime == "torch" and type(served.model).__name__ == "SfxServingModel"
    reference = dataclasses.replace(load_detector(tiny_models.detector_dir, runtime="transformers"),
                                    precision="float32")
    cry = synth_cry(seconds=7.0, sample_rate=16000, f0_hz=420.0, seed=3).samples
    a, b = (m.predict(cry, sample_rate=16000) for m in (served, reference))
    np.testing.assert_allclose(a.window_logits, b.window_logits, atol=1e-5)
    np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-6)


def test_analyse_with_the_served_models_matches_transformers(exported, tiny_models) -> None:
    import dataclasses

    audio = from_array(synth_cry(seconds=5.0, sample_rate=16000, f0_hz=400.0, seed=5).samples, 16000)
    ours = analyse(audio, detector=load_detector(tiny_models.detector_dir), reason=load_reason(exported))
    detector = dataclasses.replace(load_detector(tiny_models.detector_dir, runtime="transformers"),
                                   precision=load_detector(tiny_models.detector_dir).inference_dtype)
    ref = analyse(audio, detector=detector, reason=load_reason(exported, runtime="transformers"))
    assert ours.to_dict() == ref.to_dict()


def test_runtime_is_validated_and_a_missing_graph_named(tiny_models) -> None:
    with pytest.raises(InvalidParameterError, match="runtime must be one of"):
        load_model(tiny_models.detector_dir, runtime="tensorflow")
    assert not onnx_available(tiny_models.detector_dir)
    with pytest.raises(ModelLoadError, match="no exported graph"):
        load_model(tiny_models.detector_dir, runtime="onnxruntime")
    assert load_model(tiny_models.reason_dir).runtime == "transformers"  # auto: an AST without a graph


def test_export_needs_the_transformers_model_and_no_recording_pooling(tiny_models, tmp_path) -> None:
    with pytest.raises(InvalidParameterError, match="runtime='transformers'"):
        export_onnx(load_model(tiny_models.detector_dir), tmp_path)  # runtime "auto": the plain-torch CNN
    with pytest.raises(InvalidParameterError, match="pools a recording.s windows"):
        export_onnx(load_model(tiny_models.detector_dir, runtime="transformers"), tmp_path)
    assert not (tmp_path / ONNX_DIR).exists()


def test_bundled_checkpoints_are_served_without_transformers_modeling_stack() -> None:
    """What serving gains: the app's worker loads both bundled models and analyses without transformers or torch
    (transformers.modeling_utils alone imports torch._dynamo and torch.distributed: ~2 s of the app's start-up;
    babycry.modeling.serving)."""
    code = ("import sys, numpy as np\n"
            "from babycry.modeling import load_detector, load_reason\n"
            "from babycry.analysis import analyse\n"
            "from babycry.audio import from_array\n"
            "d, r = load_detector(), load_reason()\n"
            "print(d.runtime, r.runtime, 'transformers.modeling_utils' in sys.modules)\n"
            "analyse(from_array(np.zeros(32000, np.float32) + 0.01 * np.sin(np.arange(32000)), 16000),\n"
            "        detector=d, reason=r)\n"
            "print('torch' in sys.modules, 'transformers' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["onnxruntime", "onnxruntime", "False", "False", "False"], out.stderr[-2000:]


def test_bundled_checkpoints_served_answer_as_transformers() -> None:
    cry = synth_cry(seconds=7.0, sample_rate=16000, f0_hz=420.0, seed=3).samples
    noise = 0.05 * np.random.default_rng(0).standard_normal(16000 * 12).astype(np.float32)
    served = load_detector(), load_reason()
    reference = load_detector(runtime="transformers"), load_reason(runtime="transformers")
    for samples in (cry, noise):
        audio = from_array(samples, 16000)
        ours = analyse(audio, detector=served[0], reason=served[1])
        ref = analyse(audio, detector=reference[0], reason=reference[1])
        assert ours.to_dict() == ref.to_dict()
        assert ours.cry_probability == pytest.approx(ref.cry_probability, abs=1e-5)
        for reason, p in ref.reasons.items():
            assert ours.reasons[reason] == pytest.approx(p, abs=1e-5)


def test_a_graph_of_older_weights_is_never_served(exported, tmp_path) -> None:
    """A retrain rewrites model.safetensors: the graph left beside it would answer for the old model."""
    import torch

    folder = tmp_path / "retrained"
    shutil.copytree(exported, folder)
    model = load_model(folder, runtime="transformers").model
    with torch.no_grad():
        model.classifier.dense.bias.add_(1.0)
    model.save_pretrained(folder)
    assert not onnx_available(folder)
    assert load_model(folder).runtime == "transformers"
    with pytest.raises(ModelLoadError, match="before a retrain"):
        load_model(folder, runtime="onnxruntime")


def test_exporting_leaves_the_torch_model_as_it_was(tiny_models, tmp_path) -> None:
    folder = tmp_path / "reason"
    shutil.copytree(tiny_models.reason_dir, folder)
    model = load_model(folder, runtime="transformers")
    features = model.features(_windows())
    before = model.window_outputs(features)
    export_onnx(model, folder)
    assert not model.model.training
    np.testing.assert_array_equal(model.window_outputs(features), before)
