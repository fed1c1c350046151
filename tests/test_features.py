"""babycry.features: log-mel, dominant frequency, level range, clip summary on known signals."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from babycry.config import MelConfig
from babycry.errors import InvalidAudioError, InvalidParameterError
from babycry.features import (
    ClipSummary,
    Spectrogram,
    clip_summary,
    dominant_frequency,
    level_range_db,
    log_mel,
)
from babycry.preprocess import band_limit
from babycry.synth import synth_cry


def _harmonic_tone(f0: float, rate: int, *, n: int = 5, seconds: float = 1.0, noise: float = 1e-3) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    x = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, n + 1))
    return (0.2 * x + noise * np.random.default_rng(0).standard_normal(t.size)).astype(np.float32)


# --------------------------------------------------------------------------- #
# log-mel
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_log_mel_peak_row_matches_tone(rate: int) -> None:
    t = np.arange(rate) / rate
    spec = log_mel(np.sin(2 * np.pi * 1000 * t), sample_rate=rate)
    assert isinstance(spec, Spectrogram)
    assert spec.values.shape == (64, spec.times_s.size) and spec.freqs_hz.size == 64
    assert spec.freqs_hz[0] == pytest.approx(50) and spec.freqs_hz[-1] == pytest.approx(4000)
    assert float(spec.values.max()) == pytest.approx(0.0, abs=1e-4) and float(spec.values.min()) >= -80.0
    peak_row = int(np.argmax(spec.values.mean(axis=1)))
    spacing = np.diff(spec.freqs_hz)[max(peak_row - 1, 0)]
    assert spec.freqs_hz[peak_row] == pytest.approx(1000, abs=spacing)


def test_log_mel_hop_gives_frame_times() -> None:
    spec = log_mel(np.random.default_rng(0).standard_normal(16000), sample_rate=16000, config=MelConfig(hop_length=320))
    assert spec.values.shape[1] == 51
    assert spec.times_s[1] - spec.times_s[0] == pytest.approx(0.02)


def test_log_mel_of_silence_is_flat_floor() -> None:
    spec = log_mel(np.zeros(16000), sample_rate=16000)
    assert np.all(spec.values == -80.0)


def test_log_mel_rejects_bad_input() -> None:
    with pytest.raises(InvalidAudioError, match="empty"):
        log_mel(np.zeros(0), sample_rate=16000)
    with pytest.raises(InvalidAudioError, match="NaN"):
        log_mel(np.array([0.0, np.nan] * 1000), sample_rate=16000)
    with pytest.raises(InvalidAudioError, match=r"\(2, 100\)"):
        log_mel(np.zeros((2, 100)), sample_rate=16000)
    with pytest.raises(InvalidParameterError, match="fmin"):
        log_mel(np.ones(8000), sample_rate=8000, config=MelConfig(fmin_hz=5000))
    with pytest.raises(InvalidParameterError, match="-1"):
        log_mel(np.ones(8000), sample_rate=-1)


# --------------------------------------------------------------------------- #
# Dominant frequency
# --------------------------------------------------------------------------- #
def test_dominant_frequency_ignores_content_above_band() -> None:
    t = np.arange(16000) / 16000
    x = 0.2 * np.sin(2 * np.pi * 750 * t) + 0.9 * np.sin(2 * np.pi * 6000 * t)
    assert dominant_frequency(x, sample_rate=16000) == pytest.approx(750, abs=4)
    assert dominant_frequency(x, sample_rate=16000, max_hz=8000) == pytest.approx(6000, abs=4)


# --------------------------------------------------------------------------- #
# Clip summary
# --------------------------------------------------------------------------- #
def test_clip_summary_of_known_signal() -> None:
    x = _harmonic_tone(400, 16000, n=4, seconds=2.0)
    s = clip_summary(x, sample_rate=16000)
    assert isinstance(s, ClipSummary)
    assert s.duration_s == 2.0 and s.sample_rate == 16000
    expected_rms = 20 * math.log10(0.2 * math.sqrt(sum(1 / k**2 for k in range(1, 5)) / 2))
    assert s.rms_dbfs == pytest.approx(expected_rms, abs=0.05)
    assert s.dominant_hz == pytest.approx(400, abs=4)
    assert s.f0_median_hz == pytest.approx(400, rel=0.01)
    assert s.n_harmonics == 4
    assert s.voiced_fraction > 0.9


def test_clip_summary_of_synth_cry_and_json() -> None:
    cry = synth_cry(seconds=2.5, seed=9, f0_hz=500)
    s = clip_summary(cry.samples, sample_rate=16000)
    assert s.f0_median_hz == pytest.approx(cry.f0_median_hz, rel=0.05)
    assert s.n_harmonics >= 4
    d = s.to_dict()
    assert set(d) == {"duration_s", "sample_rate", "rms_dbfs", "peak_dbfs", "dominant_hz", "f0_median_hz",
                      "n_harmonics", "voiced_fraction"}
    json.dumps(d, allow_nan=False)


def test_clip_summary_of_noise_has_no_f0() -> None:
    s = clip_summary(0.1 * np.random.default_rng(2).standard_normal(16000), sample_rate=16000)
    d = s.to_dict()
    assert s.voiced_fraction < 0.2
    if d["f0_median_hz"] is None:
        assert s.n_harmonics == 0
    json.dumps(d, allow_nan=False)


def test_clip_summary_of_real_cry(data_dir) -> None:
    path = next((data_dir / "donateacry" / "hungry").glob("*.wav"))
    from babycry.audio import load

    audio = load(path)
    s = clip_summary(band_limit(audio.samples, sample_rate=16000, cutoff_hz=4000, low_hz=0), sample_rate=16000)
    assert s.duration_s == pytest.approx(audio.duration_s)
    assert s.dominant_hz <= 4000
    assert s.f0_median_hz is None or math.isnan(s.f0_median_hz) or 150 <= s.f0_median_hz <= 1000


def test_log_mel_frames_keep_their_duration_at_any_rate() -> None:
    shapes = {}
    for rate in (8000, 16000, 48000):
        t = np.arange(2 * rate) / rate
        spec = log_mel(np.sin(2 * np.pi * 700 * t), sample_rate=rate)
        shapes[rate] = spec.values.shape
        assert spec.times_s[1] - spec.times_s[0] == pytest.approx(0.01, abs=1e-4)
        assert np.all(np.isfinite(spec.values))
    assert len(set(shapes.values())) == 1


def test_level_range_db_tells_breaths_from_a_drone() -> None:
    sr = 16000
    t = np.arange(3 * sr) / sr
    tone = np.sin(2 * np.pi * 440 * t)
    assert level_range_db(tone, sample_rate=sr) == pytest.approx(0.0, abs=0.1)
    pulsed = tone * np.where((t % 1.0) < 0.6, 1.0, 0.05)  # 0.6 s on, 0.4 s at -26 dB
    assert level_range_db(pulsed, sample_rate=sr) == pytest.approx(26.0, abs=1.0)
    assert level_range_db(synth_cry(seconds=3.0, seed=2).samples, sample_rate=sr) > 10.0
    with pytest.raises(InvalidAudioError, match="too short"):
        level_range_db(tone[:500], sample_rate=sr)
    with pytest.raises(InvalidAudioError):
        level_range_db(np.full(1000, np.nan), sample_rate=sr)
    from babycry.config import SteadySoundConfig

    for bad in ({"frame_seconds": 0.0}, {"low_percentile": 90.0, "high_percentile": 10.0}):
        with pytest.raises(InvalidParameterError):
            level_range_db(tone, sample_rate=sr, config=SteadySoundConfig(**bad))
