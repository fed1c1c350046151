"""babycry.modeling.predictor: CryModel.predict on recordings (rates, loudness, long recordings)."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.audio import from_array, resample
from babycry.config import AudioConfig, WindowConfig
from babycry.modeling import load_detector, load_reason
from babycry.synth import synth_cry


def test_same_cry_at_8k_and_16k_gets_the_same_answer(tiny_models, cry16k: np.ndarray) -> None:
    model = load_detector(tiny_models.detector_dir)
    a16 = from_array(cry16k, 16000)
    a8 = from_array(resample(cry16k, orig_sr=16000, target_sr=8000), 8000)
    p16 = model.predict(a16.samples, sample_rate=16000)
    p8 = model.predict(a8.samples, sample_rate=16000)
    assert np.abs(p16.window_probabilities - p8.window_probabilities).max() < 0.03
    assert np.abs(p16.logits - p8.logits).max() < 0.1 * (np.abs(p16.logits).max() + 1)


def test_quiet_and_loud_get_the_same_answer(tiny_models, cry16k: np.ndarray) -> None:
    model = load_reason(tiny_models.reason_dir)
    loud = model.predict(cry16k / np.abs(cry16k).max() * 0.9, sample_rate=16000)
    quiet = model.predict(cry16k / np.abs(cry16k).max() * 0.005, sample_rate=16000)
    np.testing.assert_allclose(loud.probabilities, quiet.probabilities, atol=1e-3)


def test_timeline_on_a_long_recording(tiny_models) -> None:
    model = load_detector(tiny_models.detector_dir)
    x = synth_cry(seconds=20.0, sample_rate=16000, seed=5).samples
    pred = model.predict(x, sample_rate=16000, window=WindowConfig(window_seconds=3.0, hop_seconds=1.5))
    assert len(pred.spans) == 13 and pred.spans[0] == (0.0, 3.0) and pred.spans[-1] == (17.0, 20.0)
    assert pred.window_probabilities.shape == (13, 2)
    np.testing.assert_allclose(pred.window_probabilities.sum(axis=1), 1.0)
    np.testing.assert_allclose(pred.logits, pred.window_logits.mean(axis=0))


def test_predict_rejects_other_rates(tiny_models) -> None:
    from babycry.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="16000 Hz"):
        load_detector(tiny_models.detector_dir).predict(np.zeros(8000, np.float32), sample_rate=8000,
                                                        audio_config=AudioConfig())
