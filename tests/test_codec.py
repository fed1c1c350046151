"""babycry.codec: real ffmpeg speech-codec round trips, aligned, level-preserving, validated."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.codec import CODECS, CodecBatch, phone_codec, phone_codec_many
from babycry.errors import BabyCryError, InvalidAudioError, InvalidParameterError
from babycry.synth import synth_cry

RATE = 16_000


@pytest.fixture(scope="module")
def cry() -> np.ndarray:
    return synth_cry(seconds=2.0, sample_rate=RATE, seed=4, f0_hz=420.0).samples * 0.5


@pytest.mark.parametrize("name", list(CODECS))
def test_every_codec_keeps_length_alignment_and_level(cry: np.ndarray, name: str) -> None:
    coded = phone_codec(cry, sample_rate=RATE, codec=name)
    assert coded.dtype == np.float32 and coded.shape == cry.shape and np.all(np.isfinite(coded))
    # the codec's delay is removed: the coded cry lines up with the original
    assert float(np.corrcoef(cry, coded)[0, 1]) > 0.8
    assert float(np.max(np.abs(coded))) == pytest.approx(float(np.max(np.abs(cry))), rel=0.25)
    assert not np.array_equal(coded, cry)


def test_narrowband_codecs_remove_what_lies_above_4_khz() -> None:
    t = np.arange(RATE) / RATE
    tones = (0.3 * np.sin(2 * np.pi * 500 * t) + 0.3 * np.sin(2 * np.pi * 6000 * t)).astype(np.float32)
    spectrum = np.abs(np.fft.rfft(phone_codec(tones, sample_rate=RATE, codec="gsm")))
    freqs = np.fft.rfftfreq(RATE, 1 / RATE)
    assert spectrum[np.argmin(np.abs(freqs - 500))] > 50 * spectrum[np.argmin(np.abs(freqs - 6000))]


def test_low_bitrates_lose_more_than_high_ones(cry: np.ndarray) -> None:
    def error(kbps: float) -> float:
        return float(np.mean((phone_codec(cry, sample_rate=RATE, codec="mp3", bitrate_kbps=kbps) - cry) ** 2))

    assert error(16.0) > error(32.0)


def test_digital_silence_passes_through_unchanged() -> None:
    np.testing.assert_array_equal(phone_codec(np.zeros(800, np.float32), sample_rate=RATE), np.zeros(800))


def test_many_segments_in_one_round_trip_keep_their_sizes_and_levels(cry: np.ndarray) -> None:
    segments = [cry, cry[:5000] * 0.01, cry[:12000] * 0.9]
    coded = phone_codec_many(segments, sample_rate=RATE, codec="speex")
    assert [c.size for c in coded] == [s.size for s in segments]
    for seg, out in zip(segments, coded, strict=True):
        assert float(np.max(np.abs(out))) == pytest.approx(float(np.max(np.abs(seg))), rel=0.3)
        assert float(np.corrcoef(seg, out)[0, 1]) > 0.7
    assert phone_codec_many([], sample_rate=RATE) == []


def test_a_batch_codes_each_codec_once_and_returns_every_request_in_its_own_order(cry: np.ndarray) -> None:
    batch = CodecBatch(sample_rate=RATE)
    first = batch.ask([cry, cry[:4000] * 0.1], codec="gsm")
    opus = batch.ask([cry[:9000]], codec="opus", bitrate_kbps=12.0)
    empty = batch.ask([], codec="mp3", bitrate_kbps=16.0)
    second = batch.ask([cry[3000:11000] * 0.5], codec="gsm")
    with pytest.raises(InvalidParameterError, match="before reading"):
        batch.result(first)
    batch.run()
    # the two gsm requests went through one round trip: the same as coding their segments together
    together = phone_codec_many([cry, cry[:4000] * 0.1, cry[3000:11000] * 0.5], sample_rate=RATE, codec="gsm")
    for got, want in zip(batch.result(first) + batch.result(second), together, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert [c.size for c in batch.result(opus)] == [9000] and batch.result(empty) == []
    assert float(np.corrcoef(cry[:9000], batch.result(opus)[0])[0, 1]) > 0.7
    with pytest.raises(InvalidParameterError, match="already run"):
        batch.ask([cry], codec="gsm")


def test_a_batch_checks_each_request_when_it_is_asked(cry: np.ndarray) -> None:
    batch = CodecBatch(sample_rate=RATE)
    with pytest.raises(InvalidParameterError, match="Unknown codec"):
        batch.ask([cry], codec="amr")
    with pytest.raises(InvalidAudioError):
        batch.ask([np.array([0.1, np.nan])], codec="gsm")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"codec": "amr"}, InvalidParameterError, "Unknown codec 'amr'; choose one of: gsm"),
        ({"codec": "opus", "bitrate_kbps": 64.0}, InvalidParameterError, r"\[6, 16\] kbit/s, got 64"),
        ({"codec": "gsm", "bitrate_kbps": 13.0}, InvalidParameterError, "fixed bitrate"),
        ({"sample_rate": 100}, InvalidParameterError, "sample_rate must be"),
    ],
)
def test_bad_settings_raise_typed_errors(cry: np.ndarray, kwargs: dict, error: type, match: str) -> None:
    kwargs = {"sample_rate": RATE, **kwargs}
    with pytest.raises(error, match=match):
        phone_codec(cry, **kwargs)


@pytest.mark.parametrize("samples", [np.zeros(0), np.zeros((100, 2)), np.array([0.1, np.nan, 0.2])])
def test_bad_samples_raise_invalid_audio(samples: np.ndarray) -> None:
    with pytest.raises(InvalidAudioError):
        phone_codec(samples, sample_rate=RATE)
    with pytest.raises(BabyCryError):
        phone_codec_many([np.ones(100), samples], sample_rate=RATE)
