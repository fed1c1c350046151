"""babycry.modeling.build: the compact AST config, its feature extractor, agreement with transformers.pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.audio import from_array, resample
from babycry.calibration import softmax
from babycry.config import AudioConfig
from babycry.modeling import ModelConfig, build_feature_extractor, build_model, frame_windows, load_detector


def test_compact_config_is_small() -> None:
    model = build_model(task="detector")
    n = sum(p.numel() for p in model.parameters())
    assert 50_000 < n < 1_000_000  # float32: well under the 20 MB budget
    assert model.config.id2label == {0: "not_cry", 1: "cry"}
    fe = build_feature_extractor()
    assert fe.sampling_rate == 16000 and fe.max_length == ModelConfig().max_length


def test_transformers_pipeline_agrees_with_babycry(tiny_models, cry16k: np.ndarray) -> None:
    from transformers import pipeline

    model = load_detector(tiny_models.detector_dir, runtime="transformers")
    model.precision = "float32"  # transformers runs float32; bfloat16's distance is tested in test_precision.py
    windows, _ = frame_windows(cry16k, sample_rate=16000)
    ours = softmax(model.window_logits(windows[:1]))[0]  # uncalibrated
    pipe = pipeline("audio-classification", model=str(tiny_models.detector_dir), device="cpu")
    theirs = {d["label"]: d["score"] for d in pipe({"raw": windows[0], "sampling_rate": 16000}, top_k=None)}
    assert theirs["cry"] == pytest.approx(ours[1], abs=1e-4)
    assert theirs["not_cry"] == pytest.approx(ours[0], abs=1e-4)


def _mel_lower_edges_hz(n_mels: int, *, low_hz: float = 20.0, high_hz: float = 8000.0) -> np.ndarray:
    """Lower edge of each Kaldi mel bin (the AST feature extractor's filterbank)."""
    mel = 1127.0 * np.log1p(np.array([low_hz, high_hz]) / 700.0)
    return 700.0 * np.expm1(np.linspace(mel[0], mel[1], n_mels + 2)[:-2] / 1127.0)


def test_model_input_above_the_band_edge_does_not_show_the_source_rate(cry16k: np.ndarray) -> None:
    # Log-mel features show content 100 dB down: a gentle low-pass left a 16 kHz recording faint energy above
    # the band edge where the same cry from an 8 kHz file has none, and the detector learned that fingerprint.
    extractor, audio = build_feature_extractor(), AudioConfig()
    a16 = from_array(cry16k, 16000)
    a8 = from_array(resample(cry16k, orig_sr=16000, target_sr=8000), 8000)
    f16, f8 = (extractor(list(frame_windows(a.samples, sample_rate=16000, audio_config=audio)[0]),
                         sampling_rate=16000, return_tensors="np")["input_values"] for a in (a16, a8))
    above = _mel_lower_edges_hz(f16.shape[-1]) >= audio.band_limit_hz
    assert above.sum() >= 15
    np.testing.assert_allclose(f16[..., above], f8[..., above], atol=0.02)
    # and they sit at the log floor there, bar window leakage (the extractor's last frames are its own padding)
    floor = f16[:, :290][..., above].min()
    assert f16[:, :290][..., above].mean() < floor + 0.02
