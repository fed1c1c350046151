"""CryModel.precision: the sound-effects CNN may run in bfloat16 (AMX CPUs); the answer stays the float32 one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from babycry.errors import InvalidParameterError
from babycry.modeling import load_detector, load_reason
from babycry.modeling.predictor import _cpu_has_amx
from babycry.modeling.windows import frame_windows


@pytest.fixture(scope="module")
def bundled_detector():
    return load_detector()


def test_precision_is_validated(bundled_detector) -> None:
    with pytest.raises(InvalidParameterError, match="precision must be one of"):
        dataclasses.replace(bundled_detector, precision="float16")


def test_auto_picks_bfloat16_only_for_the_cnn_on_a_cpu_with_amx(bundled_detector) -> None:
    assert bundled_detector.inference_dtype == ("bfloat16" if _cpu_has_amx() else "float32")
    assert load_reason().inference_dtype == "float32"  # the compact AST: Python-bound, float32 always


def test_bfloat16_gives_the_float32_answer_on_a_real_cry(bundled_detector, cry16k: np.ndarray) -> None:
    fp32 = dataclasses.replace(bundled_detector, precision="float32")
    bf16 = dataclasses.replace(bundled_detector, precision="bfloat16")
    a, b = (m.predict(cry16k, sample_rate=16000) for m in (fp32, bf16))
    assert abs(a.probabilities[1] - b.probabilities[1]) < 0.04  # benchmarks/detector_precision.py: max 0.039
    assert a.decision == b.decision
    assert b.window_logits.dtype == np.float64


def test_the_bfloat16_copy_follows_changes_to_the_weights(tiny_models, cry16k: np.ndarray) -> None:
    model = load_detector(tiny_models.detector_dir)
    model.precision = "bfloat16"
    windows, _ = frame_windows(cry16k, sample_rate=16000)
    before = model.window_logits(windows[:2])
    with torch.no_grad():
        model.model.classifier.bias += torch.tensor([0.0, 3.0])
    after = model.window_logits(windows[:2])
    np.testing.assert_allclose(after[:, 1] - before[:, 1], 3.0, atol=0.1)
