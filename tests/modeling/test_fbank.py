"""babycry.modeling.fbank: the batched fbank gives what ASTFeatureExtractor gives (within float32 rounding)."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.modeling import build_feature_extractor, frame_windows
from babycry.modeling.config import ModelConfig
from babycry.modeling.fbank import fbank_features, same_features


@pytest.mark.parametrize("samples", [48_000, 30_000, 80_000, 400, 399], ids=["window", "short", "long", "one-frame",
                                                                              "less-than-a-frame"])
def test_same_values_as_the_extractor(samples: int) -> None:
    fe = build_feature_extractor()
    windows = (0.1 * np.random.default_rng(samples).standard_normal((3, samples))).astype(np.float32)
    ours = fbank_features(windows, feature_extractor=fe)
    theirs = np.stack([fe(w, sampling_rate=16_000, return_tensors="np")["input_values"][0] for w in windows])
    assert ours.dtype == np.float32 and ours.shape == theirs.shape == (3, 300, 64)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4)


def test_same_values_on_a_cry_in_chunks(cry16k: np.ndarray) -> None:
    fe = build_feature_extractor()
    windows, _ = frame_windows(np.tile(cry16k, 6), sample_rate=16_000)  # 27 windows, more than one chunk with 40+
    windows = np.concatenate([windows, windows])
    theirs = fe(list(windows), sampling_rate=16_000, return_tensors="np")["input_values"]
    np.testing.assert_allclose(fbank_features(windows, feature_extractor=fe), theirs, rtol=0, atol=1e-4)


def test_unnormalised_extractor() -> None:
    fe = build_feature_extractor()
    fe.do_normalize = False
    w = (0.1 * np.random.default_rng(0).standard_normal((1, 48_000))).astype(np.float32)
    np.testing.assert_allclose(fbank_features(w, feature_extractor=fe),
                               fe(list(w), sampling_rate=16_000, return_tensors="np")["input_values"],
                               rtol=1e-4, atol=1e-4)  # un-normalised log-mels run to ~15: float32's rounding


def test_same_features() -> None:
    assert same_features(build_feature_extractor(), build_feature_extractor())
    other = build_feature_extractor(model_config=ModelConfig(feature_mean=0.0))
    assert not same_features(build_feature_extractor(), other)


def test_rejects_no_windows() -> None:
    with pytest.raises(ValueError, match="n > 0"):
        fbank_features(np.zeros((0, 48_000), np.float32), feature_extractor=build_feature_extractor())
