"""CryModel.precision: the sound-effects CNN may run in bfloat16 (AMX CPUs); the answer stays the float32 one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from babycry.errors import InvalidParameterError
from babycry.modeling import load_detector, load_reason
from babycry.modeling.predictor import _cpu_has_amx, inference_copy
from babycry.modeling.windows import frame_windows


@pytest.fixture(scope="module")
def bundled_detector():
    return load_detector(runtime="transformers")  # the encoder in torch, whose precisions are tested here


def test_precision_is_validated(bundled_detector) -> None:
    with pytest.raises(InvalidParameterError, match="precision must be one of"):
        dataclasses.replace(bundled_detector, precision="float16")


def test_auto_picks_bfloat16_only_for_the_cnn_on_a_cpu_with_amx(bundled_detector) -> None:
    # without the int8 graph its head was trained on (tests/modeling/test_int8.py), the float encoder's rule
    float_trained = dataclasses.replace(bundled_detector, int8_encoder=None)
    assert float_trained.inference_dtype == ("bfloat16" if _cpu_has_amx() else "float32")
    assert load_reason().inference_dtype == "float32"  # the compact AST: Python-bound, float32 always


def test_bfloat16_gives_the_float32_answer_on_a_real_cry(bundled_detector, cry16k: np.ndarray) -> None:
    fp32 = dataclasses.replace(bundled_detector, precision="float32")
    bf16 = dataclasses.replace(bundled_detector, precision="bfloat16")
    a, b = (m.predict(cry16k, sample_rate=16000) for m in (fp32, bf16))
    assert abs(a.probabilities[1] - b.probabilities[1]) < 0.04  # benchmarks/detector_precision.py: max 0.039
    assert a.decision == b.decision
    assert b.window_logits.dtype == np.float64


def test_the_bfloat16_copy_follows_changes_to_the_weights(tiny_models, cry16k: np.ndarray) -> None:
    model = load_detector(tiny_models.detector_dir, runtime="transformers")
    model.precision = "bfloat16"
    windows, _ = frame_windows(cry16k, sample_rate=16000)
    before = model.window_logits(windows[:2])
    with torch.no_grad():
        model.model.classifier.bias += torch.tensor([0.0, 3.0])
    after = model.window_logits(windows[:2])
    np.testing.assert_allclose(after[:, 1] - before[:, 1], 3.0, atol=0.1)


def test_the_float32_cnn_runs_a_channels_last_copy_with_the_model_s_outputs(tiny_models, cry16k: np.ndarray) -> None:
    model = load_detector(tiny_models.detector_dir, runtime="transformers")
    model.precision = "float32"
    copy = inference_copy(model.model, "float32")
    assert copy is not model.model  # oneDNN's fast layout, without changing the loaded model's
    assert copy.encoder.conv_block1.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    assert model.model.encoder.conv_block1.conv1.weight.is_contiguous()
    windows, _ = frame_windows(cry16k, sample_rate=16000)
    features = model.features(windows[:3])
    with torch.inference_mode():
        eager = model.model.embed(torch.as_tensor(features)).numpy()
    np.testing.assert_allclose(model.window_outputs(features), eager, rtol=1e-4, atol=1e-4)
    before = model.window_logits(windows[:2])
    with torch.no_grad():
        model.model.classifier.bias += torch.tensor([0.0, 3.0])
    np.testing.assert_allclose(model.window_logits(windows[:2])[:, 1] - before[:, 1], 3.0, atol=1e-4)


def test_an_ast_runs_itself_in_float32(tiny_models) -> None:
    reason = load_reason(tiny_models.reason_dir, runtime="transformers")
    assert inference_copy(reason.model, "float32") is reason.model
