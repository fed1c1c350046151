"""babycry.pitch: pYIN F0 and the harmonic count on known signals."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.errors import InvalidParameterError
from babycry.pitch import F0Track, f0_track, harmonic_count
from babycry.preprocess import band_limit
from babycry.synth import synth_cry


def _harmonic_tone(f0: float, rate: int, *, n: int = 5, seconds: float = 1.0, noise: float = 1e-3) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    x = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, n + 1))
    return (0.2 * x + noise * np.random.default_rng(0).standard_normal(t.size)).astype(np.float32)


# --------------------------------------------------------------------------- #
# F0 (pYIN)
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("f0", [220.0, 440.0, 880.0])
def test_f0_of_pure_tone(f0: float) -> None:
    track = f0_track(_harmonic_tone(f0, 16000), sample_rate=16000)
    assert isinstance(track, F0Track)
    assert track.median_hz == pytest.approx(f0, rel=0.01)
    assert track.voiced_fraction > 0.9


@pytest.mark.parametrize(("f0", "seed", "rate"), [(300.0, 1, 16000), (450.0, 2, 8000), (600.0, 3, 44100)])
def test_synth_cry_f0_recovered_within_5_percent(f0: float, seed: int, rate: int) -> None:
    cry = synth_cry(seconds=3.0, f0_hz=f0, seed=seed, sample_rate=rate)
    track = f0_track(cry.samples, sample_rate=rate)
    assert track.median_hz == pytest.approx(cry.f0_median_hz, rel=0.05)
    # Frame by frame too: the voiced frames follow the known contour.
    truth = np.interp(track.times_s + track.offset_s, np.arange(cry.samples.size) / rate, cry.f0_hz)
    both = track.voiced & (truth > 0)
    assert both.mean() > 0.6
    assert np.median(np.abs(track.f0_hz[both] / truth[both] - 1)) < 0.05


def test_f0_of_noise_is_mostly_unvoiced() -> None:
    track = f0_track(np.random.default_rng(0).standard_normal(16000), sample_rate=16000)
    assert track.voiced_fraction < 0.2


def test_f0_analyses_at_most_max_seconds_loudest_stretch() -> None:
    rate = 16000
    quiet = 0.001 * np.random.default_rng(0).standard_normal(3 * rate)
    x = np.concatenate([quiet, _harmonic_tone(500, rate, seconds=1.0)])
    track = f0_track(x, sample_rate=rate, max_seconds=1.0)
    assert track.times_s[-1] <= 1.0 + 1e-9
    assert track.offset_s == pytest.approx(3.0, abs=0.05)
    assert track.median_hz == pytest.approx(500, rel=0.01)


def test_f0_of_input_shorter_than_a_frame() -> None:
    track = f0_track(_harmonic_tone(500, 16000, seconds=0.03), sample_rate=16000)
    assert track.f0_hz.size >= 1


def test_f0_rejects_bad_settings() -> None:
    x = _harmonic_tone(500, 16000)
    with pytest.raises(InvalidParameterError, match="fmin=900"):
        f0_track(x, sample_rate=16000, fmin_hz=900, fmax_hz=500)
    with pytest.raises(InvalidParameterError, match="max_seconds"):
        f0_track(x, sample_rate=16000, max_seconds=0)
    with pytest.raises(InvalidParameterError, match="frame_length=64"):
        f0_track(x, sample_rate=16000, frame_length=64)


# --------------------------------------------------------------------------- #
# Harmonics
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n", [1, 3, 6])
def test_harmonic_count_exact_on_synthetic_tone(n: int) -> None:
    x = _harmonic_tone(400, 16000, n=n)
    assert harmonic_count(x, sample_rate=16000, f0_hz=400) == n


def test_harmonic_count_stops_at_band_edge() -> None:
    x = _harmonic_tone(500, 16000, n=12)  # harmonics up to 6 kHz
    assert harmonic_count(x, sample_rate=16000, f0_hz=500, max_hz=4000) == 8
    assert harmonic_count(band_limit(x, sample_rate=16000, cutoff_hz=4000, low_hz=0), sample_rate=16000, f0_hz=500) <= 8


def test_harmonic_count_with_track_follows_gliding_f0() -> None:
    cry = synth_cry(seconds=2.0, seed=4, tilt_db_per_octave=-6.0)
    track = f0_track(cry.samples, sample_rate=16000)
    per_frame = harmonic_count(cry.samples, sample_rate=16000, f0_hz=track)
    long_term = harmonic_count(cry.samples, sample_rate=16000, f0_hz=track.median_hz)
    assert per_frame >= 5 and per_frame >= long_term


def test_harmonic_count_nan_f0_is_zero_and_bad_f0_rejected() -> None:
    x = _harmonic_tone(400, 16000)
    assert harmonic_count(x, sample_rate=16000, f0_hz=float("nan")) == 0
    with pytest.raises(InvalidParameterError, match="-5"):
        harmonic_count(x, sample_rate=16000, f0_hz=-5)
