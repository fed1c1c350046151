"""babycry.preprocess: exact filter behaviour on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from babycry.config import AudioConfig, BandPassConfig
from babycry.errors import InvalidAudioError, InvalidParameterError
from babycry.preprocess import (
    band_limit,
    band_pass,
    band_pass_sos,
    normalise_loudness,
    prepare,
    rms_dbfs,
    validate_band,
)

RATES = [8000, 16000, 44100, 48000]


def _sine(freq: float, rate: int, seconds: float = 2.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return amp * np.sin(2 * np.pi * freq * t)


def _middle(x: np.ndarray) -> np.ndarray:
    """Drop the filter's edge transients (a quarter of the signal on each side)."""
    q = x.size // 4
    return x[q:-q]


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("freq", [700.0, 1500.0, 2200.0])
def test_peak_bin_survives_band_pass(rate: int, freq: float) -> None:
    x = _sine(freq, rate)
    y = band_pass(x, sample_rate=rate)
    assert y.dtype == np.float32 and y.shape == x.shape
    spectrum = np.abs(np.fft.rfft(_middle(y) * np.hanning(_middle(y).size)))
    freqs = np.fft.rfftfreq(_middle(y).size, 1 / rate)
    assert freqs[np.argmax(spectrum)] == pytest.approx(freq, abs=rate / _middle(y).size + 1e-9)
    # In the pass band the gain is |H|^2 of the same SOS (forward-backward), within 0.1 dB.
    _, h = signal.sosfreqz(band_pass_sos(sample_rate=rate), worN=[freq], fs=rate)
    gain_db = 20 * np.log10(np.std(_middle(y)) / np.std(_middle(x)))
    assert gain_db == pytest.approx(40 * np.log10(abs(h[0])), abs=0.1)
    assert gain_db > -6.0  # inside the band: above the -6 dB edges


def test_geometric_centre_has_unity_gain() -> None:
    low, high = BandPassConfig().edges_hz
    x = _sine(np.sqrt(low * high), 16000)
    assert np.std(_middle(band_pass(x, sample_rate=16000))) / np.std(_middle(x)) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("freq", [100.0, 250.0, 3500.0])
def test_out_of_band_tone_attenuated_as_designed(rate: int, freq: float) -> None:
    config = BandPassConfig()
    sos = band_pass_sos(sample_rate=rate, config=config)
    _, h = signal.sosfreqz(sos, worN=[freq], fs=rate)
    expected_db = 40.0 * np.log10(abs(h[0]))  # forward-backward: |H|^2 -> 40 log10 |H|
    y = band_pass(_sine(freq, rate), sample_rate=rate, config=config)
    measured_db = 20.0 * np.log10(np.std(_middle(y)) / np.std(_middle(_sine(freq, rate))))
    assert measured_db == pytest.approx(expected_db, abs=0.1)
    assert measured_db < -6.0


def test_band_edges_are_minus_6_db_zero_phase() -> None:
    # A Butterworth is -3 dB at each edge per pass: -6 dB after forward-backward filtering.
    low, high = BandPassConfig().edges_hz
    for edge in (low, high):
        x = _sine(edge, 16000, seconds=4.0)
        y = band_pass(x, sample_rate=16000)
        assert 20 * np.log10(np.std(_middle(y)) / np.std(_middle(x))) == pytest.approx(-6.02, abs=0.15)


def test_steeper_rolloff_attenuates_more() -> None:
    x = _sine(150, 16000)
    gentle = band_pass(x, sample_rate=16000, config=BandPassConfig(rolloff_db_per_octave=12))
    steep = band_pass(x, sample_rate=16000, config=BandPassConfig(rolloff_db_per_octave=36))
    assert np.std(_middle(steep)) < np.std(_middle(gentle)) / 10


def test_band_pass_is_zero_phase() -> None:
    x = _sine(1500, 16000)
    y = band_pass(x, sample_rate=16000)
    lag = np.argmax(signal.correlate(_middle(y), _middle(x), mode="full", method="fft")) - (_middle(x).size - 1)
    assert lag == 0


def test_band_pass_is_deterministic() -> None:
    x = np.random.default_rng(0).standard_normal(16000)
    np.testing.assert_array_equal(band_pass(x, sample_rate=16000), band_pass(x, sample_rate=16000))


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
def test_band_limit_removes_6khz_tone(rate: int) -> None:
    x = _sine(6000, rate)
    y = band_limit(x, sample_rate=rate, cutoff_hz=4000, low_hz=0)
    assert 20 * np.log10(np.std(_middle(y)) / np.std(_middle(x))) < -60


def test_band_limit_keeps_in_band_tone() -> None:
    x = _sine(1000, 16000)
    y = band_limit(x, sample_rate=16000, cutoff_hz=4000, low_hz=0)
    assert np.std(_middle(y)) / np.std(_middle(x)) == pytest.approx(1.0, abs=1e-3)


def test_band_limit_is_flat_below_and_silent_above_the_edge() -> None:
    # the default band edge sits below Donate-a-Cry's own 8 kHz roll-off (~3.7 kHz), and nothing of a 16 kHz
    # source survives above it: log-mel features would show even -100 dB
    edge = AudioConfig().band_limit_hz
    for hz, low, high in [(0.9 * edge, -0.25, 0.25), (edge, -500, -120), (edge + 300, -500, -120)]:
        x = _sine(hz, 16000)
        y = band_limit(x, sample_rate=16000, cutoff_hz=edge, low_hz=0)
        gain_db = 20 * np.log10(np.std(_middle(y)) / np.std(_middle(x)) + 1e-30)
        assert low < gain_db < high, (hz, gain_db)


def test_band_limit_in_float32_matches_the_float64_filter() -> None:
    # the analysis filters in float32 for speed: the same zero-phase elliptic filter to well below the features' floor
    from babycry.preprocess import _band_limit_sos

    x = np.random.default_rng(0).normal(size=7 * 16000).astype(np.float32) * 0.3
    sos = _band_limit_sos(AudioConfig().band_limit_hz, 16000)
    reference = signal.sosfiltfilt(sos, x.astype(np.float64), padlen=3 * (2 * len(sos) + 1))
    y = band_limit(x, sample_rate=16000, cutoff_hz=AudioConfig().band_limit_hz, low_hz=0)
    assert y.dtype == np.float32
    assert np.max(np.abs(y - reference)) < 1e-5


def test_the_high_pass_removes_rumble_and_keeps_a_cry_s_pitch() -> None:
    # below 100 Hz lie rumble, handling noise and a microphone's low end (a source fingerprint); an infant's F0
    # lies above 250 Hz
    low = AudioConfig().high_pass_hz
    assert low == 100.0
    for hz, lo, hi in [(30, -500, -70), (50, -500, -40), (low, -7, -5), (250, -0.3, 0.1), (450, -0.1, 0.1)]:
        x = _sine(hz, 16000)
        y = band_limit(x, sample_rate=16000, cutoff_hz=AudioConfig().band_limit_hz, low_hz=low)
        gain_db = 20 * np.log10(np.std(_middle(y)) / np.std(_middle(x)) + 1e-30)
        assert lo < gain_db < hi, (hz, gain_db)


def test_the_high_pass_in_float32_stays_far_below_the_features_floor() -> None:
    from babycry.preprocess import _band_limit_sos

    config = AudioConfig()
    x = np.random.default_rng(0).normal(size=7 * 16000).astype(np.float32) * 0.3
    sos = _band_limit_sos(config.band_limit_hz, 16000, config.high_pass_hz)
    reference = signal.sosfiltfilt(sos, x.astype(np.float64), padlen=3 * (2 * len(sos) + 1))
    y = band_limit(x, sample_rate=16000, cutoff_hz=config.band_limit_hz, low_hz=config.high_pass_hz)
    assert 20 * np.log10(np.max(np.abs(y - reference)) / np.std(reference)) < -75


def test_prepare_applies_both_band_edges() -> None:
    x = _sine(40, 16000) + 0.1 * _sine(500, 16000)
    y = prepare(x, sample_rate=16000)
    spectrum = np.abs(np.fft.rfft(_middle(y)))
    freqs = np.fft.rfftfreq(_middle(y).size, 1 / 16000)
    assert spectrum[np.argmin(np.abs(freqs - 40))] < 0.01 * spectrum[np.argmin(np.abs(freqs - 500))]


@pytest.mark.parametrize("low", [-1.0, 3600.0, 5000.0, float("nan")])
def test_a_high_pass_edge_outside_the_band_is_a_typed_error(low: float) -> None:
    with pytest.raises(InvalidParameterError, match="high-pass"):
        band_limit(np.zeros(1000), sample_rate=16000, cutoff_hz=3600.0, low_hz=low)


def test_band_limit_is_a_no_op_at_8khz() -> None:
    x = _sine(3000, 8000)
    np.testing.assert_allclose(band_limit(x, sample_rate=8000, cutoff_hz=4000, low_hz=0), x.astype(np.float32))


def test_normalise_loudness_hits_target_and_respects_ceiling() -> None:
    quiet = 0.001 * np.random.default_rng(1).standard_normal(16000)
    assert rms_dbfs(normalise_loudness(quiet, target_rms_dbfs=-20)) == pytest.approx(-20, abs=0.01)
    spiky = np.zeros(16000)
    spiky[::4000] = 1.0
    out = normalise_loudness(spiky, target_rms_dbfs=-3, peak_ceiling=0.9)
    assert float(np.max(np.abs(out))) == pytest.approx(0.9, abs=1e-6)


def test_normalise_loudness_leaves_silence_alone() -> None:
    np.testing.assert_array_equal(normalise_loudness(np.zeros(100)), np.zeros(100, np.float32))


def test_rms_dbfs_values() -> None:
    assert rms_dbfs(np.ones(10)) == pytest.approx(0.0)
    assert rms_dbfs(_sine(440, 16000, amp=1.0)) == pytest.approx(-3.01, abs=0.01)
    assert rms_dbfs(np.zeros(5)) == float("-inf")


def test_prepare_is_band_limited_and_normalised() -> None:
    x = _sine(1000, 16000) + _sine(6000, 16000)
    y = prepare(x, sample_rate=16000, config=AudioConfig(target_rms_dbfs=-23))
    assert rms_dbfs(y) == pytest.approx(-23, abs=0.05)
    spectrum = np.abs(np.fft.rfft(_middle(y)))
    freqs = np.fft.rfftfreq(_middle(y).size, 1 / 16000)
    assert spectrum[np.argmin(abs(freqs - 6000))] < 1e-3 * spectrum[np.argmin(abs(freqs - 1000))]


def test_rejects_band_above_nyquist() -> None:
    with pytest.raises(InvalidParameterError, match="high=9000"):
        validate_band(low_hz=500, high_hz=9000, sample_rate=16000)


def test_rejects_inverted_band() -> None:
    with pytest.raises(InvalidParameterError, match="low=3000"):
        validate_band(low_hz=3000, high_hz=1000, sample_rate=16000)


def test_rejects_band_too_wide_for_8khz() -> None:
    # 3000 Hz centre, fraction 1.33 -> upper edge 4995 Hz, above 8 kHz audio's 4000 Hz Nyquist.
    with pytest.raises(InvalidParameterError, match="4000"):
        band_pass_sos(sample_rate=8000, config=BandPassConfig(centre_hz=3000))


@pytest.mark.parametrize("rolloff", [0, 6, 18, 108, 12.5])
def test_rejects_bad_rolloff(rolloff) -> None:
    with pytest.raises(InvalidParameterError, match=str(rolloff)):
        band_pass_sos(sample_rate=16000, config=BandPassConfig(rolloff_db_per_octave=rolloff))


@pytest.mark.parametrize("fraction", [0.0, 2.0, float("nan")])
def test_rejects_bad_bandwidth_fraction(fraction: float) -> None:
    with pytest.raises(InvalidParameterError, match="bandwidth fraction"):
        band_pass_sos(sample_rate=16000, config=BandPassConfig(bandwidth_fraction=fraction))


def test_rejects_bad_cutoff() -> None:
    with pytest.raises(InvalidParameterError, match="-5"):
        band_limit(np.zeros(100), sample_rate=16000, cutoff_hz=-5)


def test_rejects_stereo_input_to_filter() -> None:
    with pytest.raises(InvalidAudioError, match="mono"):
        band_pass(np.zeros((100, 2)), sample_rate=16000)
    with pytest.raises(InvalidAudioError, match="mono"):
        band_limit(np.zeros((100, 2)), sample_rate=16000, cutoff_hz=3600.0)


def test_filters_reject_non_finite_input_but_pass_empty_input_through() -> None:
    with pytest.raises(InvalidAudioError, match="NaN"):
        band_limit(np.array([0.0, np.nan, 0.0]), sample_rate=16000, cutoff_hz=3600.0)
    assert band_pass(np.zeros(0), sample_rate=16000).size == 0


def test_rejects_bad_peak_ceiling() -> None:
    with pytest.raises(InvalidParameterError, match="peak_ceiling"):
        normalise_loudness(np.ones(10), peak_ceiling=1.5)


def test_band_limit_takes_its_edges_from_the_config_unless_given() -> None:
    x = np.random.default_rng(1).normal(size=16000).astype(np.float32) * 0.3
    config = AudioConfig()
    np.testing.assert_array_equal(band_limit(x, sample_rate=16000),
                                  band_limit(x, sample_rate=16000, cutoff_hz=config.band_limit_hz,
                                             low_hz=config.high_pass_hz))
    custom = AudioConfig(band_limit_hz=3000.0, high_pass_hz=0.0)
    np.testing.assert_array_equal(band_limit(x, sample_rate=16000, config=custom),
                                  band_limit(x, sample_rate=16000, cutoff_hz=3000.0, low_hz=0.0))
