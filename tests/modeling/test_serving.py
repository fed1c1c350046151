"""babycry.modeling.serving: a local checkpoint served with numpy and ONNX Runtime computes what the transformers
classes compute (its answers and imports: tests/modeling/test_onnx.py)."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from babycry.errors import InvalidParameterError
from babycry.modeling import load_detector, load_reason
from babycry.modeling.melbank import triangular_mel_bank
from babycry.modeling.serving import AstFbank, JsonConfig, SfxHead
from babycry.modeling.sfx.features import SfxFeatures


@pytest.fixture(scope="module")
def served():
    return load_detector(), load_reason()


@pytest.fixture(scope="module")
def through_transformers():
    return load_detector(runtime="transformers"), load_reason(runtime="transformers")


def test_the_mel_banks_are_transformers_own_bit_for_bit() -> None:
    from transformers.audio_utils import mel_filter_bank

    kaldi = mel_filter_bank(num_frequency_bins=257, num_mel_filters=64, min_frequency=20, max_frequency=8000,
                            sampling_rate=16000, norm=None, mel_scale="kaldi", triangularize_in_mel_space=True)
    assert np.array_equal(kaldi, triangular_mel_bank(n_bins=257, n_filters=64, min_hz=20, max_hz=8000,
                                                     sampling_rate=16000, scale="kaldi", in_mel_space=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        htk = mel_filter_bank(num_frequency_bins=513, num_mel_filters=96, min_frequency=0.0, max_frequency=22050.0,
                              sampling_rate=32000.0, norm=None, mel_scale="htk")
    assert np.array_equal(htk, triangular_mel_bank(n_bins=513, n_filters=96, min_hz=0.0, max_hz=22050.0,
                                                   sampling_rate=32000.0, scale="htk"))


def test_both_extractors_compute_the_transformers_extractors_features(served, through_transformers, cry16k) -> None:
    windows = np.stack([cry16k[:48000], cry16k[48000:96000]]).astype(np.float32)
    for light, full in zip(served, through_transformers, strict=True):
        assert type(light.feature_extractor) in (SfxFeatures, AstFbank)
        assert np.array_equal(light.features(windows), full.features(windows))


def test_served_models_say_what_runs_them(served) -> None:
    detector, reason = served
    assert detector.runtime == reason.runtime == "onnxruntime"
    assert isinstance(detector.model, SfxHead) and detector.inference_dtype == "int8"
    assert detector.labels == ("not_cry", "cry") and reason.labels[0] == "hungry"
    with pytest.raises(InvalidParameterError, match="runtime='transformers'"):
        dataclasses.replace(detector, precision="float32")


def test_the_head_reads_torch_tensors_too(served, through_transformers) -> None:
    torch = pytest.importorskip("torch")
    emb = np.random.default_rng(1).normal(size=(7, 1152)).astype(np.float32)
    ours = served[0].model.recording_logits_from_embeddings(torch.as_tensor(emb))
    with torch.inference_mode():
        theirs = through_transformers[0].model.recording_logits_from_embeddings(torch.as_tensor(emb)).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_a_json_config_keys_labels_by_integer() -> None:
    config = JsonConfig({"id2label": {"1": "cry", "0": "not_cry"}, "pooling": "recording"})
    assert config.id2label == {0: "not_cry", 1: "cry"} and config.num_labels == 2 and config.pooling == "recording"


def test_an_unknown_extractor_setting_is_a_clear_error() -> None:
    with pytest.raises(InvalidParameterError, match="Unknown SfxFeatureExtractor settings"):
        SfxFeatures(n_melz=96)
    with pytest.raises(InvalidParameterError, match="at least 400 samples"):
        AstFbank(num_mel_bins=64, max_length=300)(np.zeros((1, 100), np.float32))


def test_the_served_sfx_defaults_are_the_extractors_own() -> None:
    """A saved preprocessor_config.json leaves out settings at their defaults (input_bands, frequency_scale, ...),
    so the served extractor must fill them in with the very defaults SfxFeatureExtractor's signature has."""
    import inspect

    from babycry.modeling.sfx.feature_extraction import SfxFeatureExtractor
    from babycry.modeling.sfx.features import SETTINGS

    signature = inspect.signature(SfxFeatureExtractor.__init__).parameters
    assert {name: p.default for name, p in signature.items() if name in SETTINGS} == SETTINGS
    assert set(SETTINGS) <= set(signature)
