"""babycry.modeling.sfx: the sound-effects CNN family (feature extraction, model, pretrained weights, loading)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from babycry.errors import InvalidParameterError, ModelLoadError
from babycry.modeling import build_feature_extractor, build_model, load_model
from babycry.modeling.config import SfxModelConfig
from babycry.modeling.sfx import SfxConfig, SfxFeatureExtractor, SfxForAudioClassification
from babycry.modeling.sfx.serving import SfxServingModel
from babycry.training.recipes import SfxDetectorRecipe

TINY = SfxModelConfig(channels=4, pretrained="")
HAS_AISFX = importlib.util.find_spec("aisfx") is not None


def test_features_are_librosas_log_mel_of_the_resampled_window(cry16k: np.ndarray) -> None:
    import librosa
    import soxr

    window = cry16k[:48000]
    fe = build_feature_extractor(model_config=TINY)
    out = fe(window[None, :], sampling_rate=16000, return_tensors="np")["input_values"]
    assert out.shape == (1, 130, TINY.input_bands) and out.dtype == np.float32
    up = soxr.resample(window - window.mean(), 16000, 44100, quality="HQ")  # each window loses its DC offset
    mel = librosa.feature.melspectrogram(y=up / np.abs(up).max(), sr=44100, n_fft=2048, hop_length=1024, n_mels=96,
                                         fmin=0.0, fmax=22050.0, htk=True, norm=1.0, power=2.0)
    np.testing.assert_allclose(out[0], (np.log10(mel[: TINY.input_bands] * 1e4 + 1) / TINY.log_scale).T, atol=1e-5)


def test_the_stft_at_the_input_rate_gives_the_resampled_windows_features(cry16k: np.ndarray) -> None:
    from babycry.modeling.windows import frame_windows

    noise = np.random.default_rng(0).normal(0.0, 0.3, 48000).astype(np.float32)
    windows = np.concatenate([frame_windows(x, sample_rate=16000)[0] for x in (cry16k[:64000], noise)])
    resampled = SfxFeatureExtractor(input_bands=56)(windows)["input_values"]
    direct_fe = SfxFeatureExtractor(input_bands=56, stft_at_sampling_rate=True)
    direct = direct_fe(windows)["input_values"]
    assert direct.shape == resampled.shape
    # the same bands of the same band-limited sound: measured median 0.005, max 0.08 (features span 0 to ~0.9)
    assert np.median(np.abs(direct - resampled)) < 0.01 and np.abs(direct - resampled).max() < 0.15
    assert direct_fe._frame_sizes() == (743, 372, 750, 16000)
    assert direct_fe.to_dict()["stft_at_sampling_rate"] is True
    assert "stft_at_sampling_rate" not in SfxFeatureExtractor().to_dict()  # the key checkpoints saved before


@pytest.mark.parametrize("config", [SfxModelConfig(), SfxDetectorRecipe().model], ids=["as pretrained", "bundled"])
def test_the_bands_left_out_hold_nothing_of_any_model_input(config: SfxModelConfig) -> None:
    # every band whose filter starts below the band edge (heard frequency_scale times higher) is read; those above
    # hold only the log floor
    import librosa

    from babycry.config import AudioConfig
    from babycry.modeling.windows import frame_windows

    edge = AudioConfig().band_limit_hz * config.frequency_scale
    # band i spans mel points i to i + 2 (HTK scale, 0-22.05 kHz)
    points_hz = librosa.mel_frequencies(n_mels=config.n_mels + 2, fmin=0.0, fmax=22050.0, htk=True)
    lower_edges_hz, upper_edges_hz = points_hz[: config.n_mels], points_hz[2:]
    assert (lower_edges_hz < edge).sum() <= config.input_bands and config.input_bands % 8 == 0
    noise = np.random.default_rng(0).normal(0.0, 0.3, 48000).astype(np.float32)
    windows, _ = frame_windows(noise, sample_rate=16000)  # band-limited as every model input is
    every = SfxFeatureExtractor(frequency_scale=config.frequency_scale)(windows, sampling_rate=16000)["input_values"]
    # (the first and last frames straddle the window's own edges: a broadband step in every band); the last band
    # wholly below the edge holds signal
    assert every[:, 1:-1, config.input_bands :].max() < 0.02 < every[..., (upper_edges_hz < edge).sum() - 1].mean()
    kept = SfxFeatureExtractor(input_bands=config.input_bands, frequency_scale=config.frequency_scale)(
        windows, sampling_rate=16000)["input_values"]
    np.testing.assert_allclose(kept, every[..., : config.input_bands], atol=1e-6)
    with pytest.raises(ValueError, match="input_bands"):
        SfxFeatureExtractor(input_bands=97)


def test_a_frequency_scale_lays_the_bands_over_a_higher_pitch() -> None:
    """At scale 2 a 500 Hz tone lands in the band an unscaled 1,000 Hz tone does; the empty lowest filters stay 0."""
    t = np.arange(48000) / 16000
    kw = dict(input_bands=72, stft_at_sampling_rate=True)

    def loudest(fe: SfxFeatureExtractor, hz: float) -> int:
        out = fe(np.sin(2 * np.pi * hz * t)[None, :].astype(np.float32))["input_values"]
        assert np.isfinite(out).all()
        return int(out[0, 10:-10].mean(axis=0).argmax())

    scaled, plain = SfxFeatureExtractor(frequency_scale=2.0, **kw), SfxFeatureExtractor(**kw)
    assert loudest(scaled, 500.0) == loudest(plain, 1000.0) > loudest(plain, 500.0)
    assert scaled.to_dict()["frequency_scale"] == 2.0 and "frequency_scale" not in plain.to_dict()
    for bad in (0.0, float("nan"), 100.0):
        with pytest.raises(InvalidParameterError, match="frequency_scale"):
            SfxFeatureExtractor(frequency_scale=bad)


def test_the_filter_bank_is_built_once_and_quietly_from_several_threads() -> None:
    # the app's first answer computes its windows' features on two threads at once
    import threading
    import warnings

    config = SfxDetectorRecipe().model
    extractors = [SfxFeatureExtractor(input_bands=config.input_bands, frequency_scale=config.frequency_scale,
                                      stft_at_sampling_rate=True) for _ in range(8)]
    got: list = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threads = [threading.Thread(target=lambda fe=fe: got.append((fe, fe._mel_filters())))
                   for fe in extractors for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not [w for w in caught if "mel filter" in str(w.message)]
    assert len(got) == 32 and all(bank is fe._mel_filters() for fe, bank in got)


def test_features_of_a_batch_equal_each_window_alone(cry16k: np.ndarray) -> None:
    fe = SfxFeatureExtractor()
    windows = np.stack([cry16k[:48000], cry16k[48000 - 16000 : 96000 - 16000] * 0.1])
    both = fe(windows, sampling_rate=16000)["input_values"]
    one = fe(windows[1:], sampling_rate=16000)["input_values"]
    np.testing.assert_allclose(both[1], one[0], atol=1e-6)


def test_a_dc_offset_changes_nothing(cry16k: np.ndarray) -> None:
    fe = SfxFeatureExtractor()
    window = cry16k[:48000]
    np.testing.assert_allclose(fe(window + 0.3, sampling_rate=16000)["input_values"],
                               fe(window, sampling_rate=16000)["input_values"], atol=1e-4)


def test_features_refuse_another_rate_and_impossible_bands() -> None:
    with pytest.raises(InvalidParameterError, match="16000 Hz"):
        SfxFeatureExtractor()(np.zeros((1, 8000), np.float32), sampling_rate=8000)
    with pytest.raises(InvalidParameterError, match="input_bands"):
        SfxFeatureExtractor(input_bands=97)


def test_the_head_on_the_embedding_is_the_forward_pass() -> None:
    model = build_model(task="detector", model_config=TINY)
    x = torch.rand(3, 130, 96)
    with torch.no_grad():
        full = model(input_values=x).logits
        split = model.logits_from_embeddings(model.embed(x))
    assert full.shape == (3, 2) and model.config.id2label == {0: "not_cry", 1: "cry"}
    torch.testing.assert_close(full, split)
    assert model.embed(x).shape == (3, SfxConfig(channels=4).embedding_size)


def test_the_middle_blocks_summaries_follow_the_last_blocks_embedding() -> None:
    # the same weights with and without them: the first part is the last block's embedding unchanged, then the
    # third block's maps averaged over frequency (max, mean and spread over time), then the second block's
    plain = build_model(task="detector", model_config=TINY, seed=1)
    config = SfxModelConfig(channels=4, pretrained="", block3_stats=True, block2_stats=True)
    both = build_model(task="detector", model_config=config, seed=1)
    both.encoder.load_state_dict(plain.encoder.state_dict())
    x = torch.rand(2, 130, 56)
    with torch.no_grad():
        e0, e1 = plain.embed(x), both.embed(x)
        h, summaries = x.unsqueeze(1), {}
        for b in (1, 2, 3):
            h = getattr(plain.encoder, f"conv_block{b}")(h, (2, 2))
            m = h.mean(dim=3)
            summaries[b] = torch.cat([m.amax(2), m.mean(2), m.std(2)], 1)
    assert e1.shape == (2, both.config.embedding_size) == (2, 64 + 48 + 24)
    torch.testing.assert_close(e1[:, :64], e0)
    torch.testing.assert_close(e1[:, 64:112], summaries[3])
    torch.testing.assert_close(e1[:, 112:], summaries[2])
    third_only = build_model(task="detector", model_config=SfxModelConfig(channels=4, pretrained="", block3_stats=True))
    third_only.encoder.load_state_dict(plain.encoder.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(third_only.embed(x), e1[:, :112])


def test_without_the_last_block_the_network_stops_after_the_third(tmp_path: Path, cry16k: np.ndarray) -> None:
    # the same weights: the embedding is the full network's summaries alone, and the fourth block is not there
    # (nor in the saved weights); loaded back, the served model gives the same logits
    full = build_model(task="detector", model_config=SfxModelConfig(channels=4, pretrained="", block3_stats=True,
                                                                      block2_stats=True), seed=1)
    config = SfxModelConfig(channels=4, pretrained="", block3_stats=True, block2_stats=True, last_block=False)
    short = build_model(task="detector", model_config=config, seed=1)
    assert not hasattr(short.encoder, "conv_block4")
    short.encoder.load_state_dict({k: v for k, v in full.encoder.state_dict().items()
                                   if not k.startswith("conv_block4.")})
    x = torch.rand(2, 130, 56)
    with torch.no_grad():
        assert short.embed(x).shape == (2, short.config.embedding_size) == (2, 48 + 24)
        torch.testing.assert_close(short.embed(x), full.embed(x)[:, 64:])
    short.save_pretrained(tmp_path)
    build_feature_extractor(model_config=config).save_pretrained(tmp_path)
    loaded = load_model(tmp_path, task="detector")
    loaded.precision = "float32"
    assert loaded.model.config.last_block is False
    windows = np.stack([cry16k[:48000], cry16k[16000:64000]])
    with torch.no_grad():
        expected = short(input_values=torch.as_tensor(loaded.features(windows))).logits.numpy()
    np.testing.assert_allclose(loaded.window_logits(windows), expected, atol=1e-5)
    with pytest.raises(InvalidParameterError, match="block3_stats"):
        SfxConfig(channels=4, last_block=False, id2label={0: "not_cry", 1: "cry"})


@pytest.mark.skipif(not HAS_AISFX, reason="needs the aisfx package")
def test_the_pretrained_encoder_without_its_last_block_keeps_the_first_three() -> None:
    short = build_model(task="detector", model_config=SfxModelConfig(block3_stats=True, last_block=False))
    full = build_model(task="detector", model_config=SfxModelConfig(block3_stats=True))
    for name, value in short.encoder.state_dict().items():
        torch.testing.assert_close(value, full.encoder.state_dict()[name])


def test_save_and_load_roundtrip_as_a_babycry_checkpoint(tmp_path: Path, cry16k: np.ndarray) -> None:
    model = build_model(task="detector", model_config=TINY, seed=3)
    with torch.no_grad():
        model.embedding_mean.fill_(0.5)  # buffers travel with the weights
    model.save_pretrained(tmp_path)
    build_feature_extractor(model_config=TINY).save_pretrained(tmp_path)
    windows = np.stack([cry16k[:48000], cry16k[16000:64000]])
    # the transformers model, and the plain-torch one the app serves (runtime="auto"): the same weights and logits
    for runtime, cls in (("transformers", SfxForAudioClassification), ("auto", SfxServingModel)):
        loaded = load_model(tmp_path, task="detector", runtime=runtime)
        loaded.precision = "float32"  # the saved weights, as saved
        assert isinstance(loaded.model, cls) and loaded.window_seconds == 3.0
        assert float(loaded.model.embedding_mean[0]) == 0.5
        with torch.no_grad():
            expected = model(input_values=torch.as_tensor(loaded.features(windows))).logits.numpy()
        np.testing.assert_allclose(loaded.window_logits(windows), expected, atol=1e-5)


def test_transformers_pipeline_loads_the_family(tmp_path: Path, cry16k: np.ndarray) -> None:
    from transformers import pipeline

    build_model(task="detector", model_config=TINY).save_pretrained(tmp_path)
    build_feature_extractor(model_config=TINY).save_pretrained(tmp_path)
    scores = pipeline("audio-classification", model=str(tmp_path))(cry16k[:48000])
    assert {s["label"] for s in scores} == {"cry", "not_cry"}


def test_an_unknown_pretrained_encoder_is_a_typed_error() -> None:
    from babycry.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="pretrained encoder"):
        build_model(task="detector", model_config=SfxModelConfig(channels=4, pretrained="yamnet"))


@pytest.mark.skipif(not HAS_AISFX, reason="aisfx is not installed (make setup installs it)")
def test_pretrained_encoder_matches_the_aisfx_package() -> None:
    """Our encoder with the package's weights gives the package's own embedding (its max over time)."""
    from aisfx.models.cnn2d import EmbeddingNet

    from babycry.modeling.sfx.pretrained import load_aisfx_encoder_state

    state = load_aisfx_encoder_state()
    theirs = EmbeddingNet("max", 3, 1, 64)
    theirs.load_state_dict(state)
    ours = build_model(task="detector", model_config=SfxModelConfig())
    x = torch.rand(2, 100, 96)
    with torch.no_grad():
        torch.testing.assert_close(ours.embed(x)[:, :512], theirs.eval()(x))


def test_missing_aisfx_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from babycry.modeling.sfx import pretrained

    monkeypatch.setattr(pretrained.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelLoadError, match="pip install --no-deps aisfx"):
        pretrained.aisfx_checkpoint()
