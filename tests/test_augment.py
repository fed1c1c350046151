"""babycry.augment: registry, validation, fixed vs random mode, seeding, background noise."""

from __future__ import annotations

import math
import random
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from babycry import augment
from babycry.augment import (
    NOISE_KINDS,
    AugmentResult,
    Param,
    apply,
    available,
    background_noise_files,
    describe,
    get,
    make_noise,
    seeded,
    training_pipeline,
)
from babycry.errors import InvalidAudioError, InvalidParameterError
from babycry.features import f0_track
from babycry.preprocess import rms_dbfs
from babycry.synth import synth_cry

RATE = 16000


@pytest.fixture(autouse=True)
def _noise_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated noise goes to a per-session temp cache, not the user's ~/.cache."""
    monkeypatch.setenv("BABYCRY_CACHE", str(tmp_path_factory.getbasetemp() / "babycry-cache"))


@pytest.fixture(scope="module")
def cry() -> np.ndarray:
    return synth_cry(seconds=2.0, seed=0, f0_hz=450.0).samples


def test_registry_lists_the_required_augmentations() -> None:
    assert available() == ["time_stretch", "pitch_shift", "background_noise", "gaussian_noise", "gain", "band_pass",
                           "phone_codec"]
    for spec in describe():
        assert spec["description"]
        for p in spec["params"]:
            assert set(p) == {"name", "min", "max", "default", "unit", "description", "step"}
            assert p["min"] <= p["default"] <= p["max"]


def test_unknown_name_lists_valid_ones() -> None:
    with pytest.raises(InvalidParameterError, match="'reverb'.*pitch_shift"):
        get("reverb")


def test_unknown_param_lists_valid_ones(cry) -> None:
    with pytest.raises(InvalidParameterError, match="'semitone'.*semitones"):
        apply(cry, sample_rate=RATE, name="pitch_shift", params={"semitone": 1})


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("pitch_shift", {"semitones": 7}, "got 7"),
        ("time_stretch", {"rate": 0.1}, "got 0.1"),
        ("gain", {"gain_db": float("nan")}, "got nan"),
        ("gaussian_noise", {"snr_db": "loud"}, "'loud'"),
        ("background_noise", {"snr_db": -30}, "got -30"),
        ("band_pass", {"rolloff": 10}, "multiple of 6"),
        ("band_pass", {"centre_hz": 10}, "got 10"),
        ("gain", {"gain_db": True}, "True"),
    ],
)
def test_out_of_range_params_rejected_with_value(cry, name, params, match) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        apply(cry, sample_rate=RATE, name=name, params=params)


def test_band_pass_edge_must_stay_below_nyquist(cry) -> None:
    with pytest.raises(InvalidParameterError, match="upper band edge"):
        apply(cry[:8000], sample_rate=8000, name="band_pass", params={"centre_hz": 3000})


def test_bad_ranges_rejected(cry) -> None:
    with pytest.raises(InvalidParameterError, match="empty"):
        apply(cry, sample_rate=RATE, name="gain", ranges={"gain_db": (3, -3)})
    with pytest.raises(InvalidParameterError, match=r"\(low, high\)"):
        apply(cry, sample_rate=RATE, name="gain", ranges={"gain_db": (1, 2, 3)})
    with pytest.raises(InvalidParameterError, match="both"):
        apply(cry, sample_rate=RATE, name="gain", params={"gain_db": 1}, ranges={"gain_db": (0, 2)})


@pytest.mark.parametrize(
    ("samples", "match"),
    [
        (np.zeros(0, np.float32), "empty"),
        (np.array([0.1, np.nan] * 100, np.float32), "NaN"),
        (np.zeros((100, 2), np.float32), r"\(100, 2\)"),
        (np.zeros(100, np.int16), "int16"),
    ],
)
def test_bad_samples_rejected(samples, match) -> None:
    with pytest.raises(InvalidAudioError, match=match):
        apply(samples, sample_rate=RATE, name="gain")


def test_bad_seed_and_rate_rejected(cry) -> None:
    with pytest.raises(InvalidParameterError, match="seed"):
        apply(cry, sample_rate=RATE, name="gain", seed=-1)
    with pytest.raises(InvalidParameterError, match="sample_rate"):
        apply(cry, sample_rate=0, name="gain")


def test_fixed_gain_is_exact(cry) -> None:
    result = apply(cry, sample_rate=RATE, name="gain", params={"gain_db": -6.0})
    assert isinstance(result, AugmentResult) and result.applied
    assert result.params_used["gain_db"] == pytest.approx(-6.0, abs=1e-9)
    np.testing.assert_allclose(result.samples, cry * 10 ** (-6 / 20), rtol=1e-6)


@pytest.mark.parametrize("semitones", [-2.0, 2.0])
def test_fixed_pitch_shift_moves_f0(cry, semitones: float) -> None:
    result = apply(cry, sample_rate=RATE, name="pitch_shift", params={"semitones": semitones}, seed=0)
    assert result.params_used == {"semitones": semitones}
    before = f0_track(cry, sample_rate=RATE).median_hz
    after = f0_track(result.samples, sample_rate=RATE).median_hz
    assert after / before == pytest.approx(2 ** (semitones / 12), rel=0.02)


def test_fixed_time_stretch_keeps_length_and_pitch(cry) -> None:
    result = apply(cry, sample_rate=RATE, name="time_stretch", params={"rate": 1.2})
    assert result.params_used == {"rate": 1.2}
    assert result.samples.shape == cry.shape
    assert f0_track(result.samples, sample_rate=RATE).median_hz == pytest.approx(
        f0_track(cry, sample_rate=RATE).median_hz, rel=0.03
    )


@pytest.mark.parametrize("snr", [0.0, 10.0, 30.0])
def test_gaussian_noise_at_snr(cry, snr: float) -> None:
    result = apply(cry, sample_rate=RATE, name="gaussian_noise", params={"snr_db": snr}, seed=1)
    assert result.params_used["snr_db"] == pytest.approx(snr, abs=1e-3)
    noise = result.samples - cry
    measured = rms_dbfs(cry) - rms_dbfs(noise)
    assert measured == pytest.approx(snr, abs=0.3)


@pytest.mark.parametrize("snr", [0.0, 20.0])
def test_background_noise_without_data_at_snr(cry, snr: float) -> None:
    result = apply(cry, sample_rate=RATE, name="background_noise", params={"snr_db": snr}, seed=2)
    used = result.params_used
    assert used["snr_db"] == snr
    assert Path(used["noise_file"]).stem in NOISE_KINDS
    measured = rms_dbfs(cry) - rms_dbfs(result.samples - cry)
    assert measured == pytest.approx(snr, abs=0.5)


def test_background_noise_uses_data_noise(cry, data_dir: Path) -> None:
    names = set()
    for seed in range(12):
        result = apply(cry, sample_rate=RATE, name="background_noise", seed=seed, data_dir=data_dir)
        names.add(result.params_used["noise_file"])
    assert any(n.endswith(".flac") for n in names), names  # ESC-50 noise clips, used at their own 16 kHz


def test_background_noise_at_8khz_writes_noise_at_that_rate(tmp_path: Path) -> None:
    files = background_noise_files(sample_rate=8000, cache_dir=tmp_path)
    assert sorted(p.stem for p in files) == sorted(NOISE_KINDS)
    assert all(sf.info(str(p)).samplerate == 8000 for p in files)
    x = synth_cry(seconds=1.5, sample_rate=8000, seed=0).samples
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # audiomentations warns when it has to resample
        result = apply(x, sample_rate=8000, name="background_noise", params={"snr_db": 5}, seed=0)
    assert result.samples.shape == x.shape


def test_band_pass_reports_its_band(cry) -> None:
    params = {"centre_hz": 1000.0, "bandwidth_fraction": 0.5, "rolloff": 24}
    result = apply(cry, sample_rate=RATE, name="band_pass", params=params)
    assert result.params_used["centre_hz"] == pytest.approx(1000.0)
    assert result.params_used["bandwidth_fraction"] == pytest.approx(0.5)
    assert result.params_used["rolloff"] == 24
    t = np.arange(RATE) / RATE
    tone = (0.3 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    out = apply(tone, sample_rate=RATE, name="band_pass", params=params).samples
    assert rms_dbfs(out) < rms_dbfs(tone) - 20


@pytest.mark.parametrize("name", ["time_stretch", "pitch_shift", "background_noise", "gaussian_noise", "gain",
                                  "band_pass", "phone_codec"])
def test_same_seed_same_output_and_random_state_restored(cry, name: str) -> None:
    ranges = {p.name: (p.min, p.max) for p in get(name).params if p.step is None}
    random.seed(123)
    np.random.seed(123)
    a = apply(cry, sample_rate=RATE, name=name, ranges=ranges, seed=7)
    assert random.random() == random.Random(123).random()  # the caller's state is untouched
    b = apply(cry, sample_rate=RATE, name=name, ranges=ranges, seed=7)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.params_used == b.params_used
    for key, (low, high) in ranges.items():
        assert low - 1e-6 <= a.params_used[key] <= high + 1e-6


def test_random_mode_draws_different_values_per_seed(cry) -> None:
    drawn = {
        apply(cry, sample_rate=RATE, name="pitch_shift", ranges={"semitones": (-1.1, 1.1)}, seed=s).params_used[
            "semitones"
        ]
        for s in range(5)
    }
    assert len(drawn) == 5 and all(-1.1 <= v <= 1.1 for v in drawn)


def test_training_pipeline_defaults_and_seeding(cry) -> None:
    chain = training_pipeline(p=1.0)
    stretch, shift, noise = chain.transforms
    assert (stretch.min_rate, stretch.max_rate) == (0.9, 1.1)
    assert (shift.min_semitones, shift.max_semitones) == (-1.1, 1.1)
    assert type(noise).__name__ == "AddBackgroundNoise"
    with seeded(3):
        a = chain(cry, sample_rate=RATE)
    with seeded(3):
        b = chain(cry, sample_rate=RATE)
    np.testing.assert_array_equal(a, b)
    assert a.shape == cry.shape and not np.array_equal(a, cry)


def test_training_pipeline_overrides_and_errors() -> None:
    chain = training_pipeline(names=["gain"], ranges={"gain": {"gain_db": (-3, 3)}})
    assert (chain.transforms[0].min_gain_db, chain.transforms[0].max_gain_db) == (-3.0, 3.0)
    with pytest.raises(InvalidParameterError, match="pitch_shift"):
        training_pipeline(names=["gain"], ranges={"pitch_shift": {"semitones": (0, 1)}})
    with pytest.raises(InvalidParameterError, match="p must"):
        training_pipeline(p=1.5)


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_generated_noise(kind: str) -> None:
    x = make_noise(kind, seconds=2.0, sample_rate=RATE, seed=0)
    assert x.dtype == np.float32 and x.shape == (2 * RATE,)
    assert float(np.max(np.abs(x))) == pytest.approx(0.5)
    np.testing.assert_array_equal(x, make_noise(kind, seconds=2.0, sample_rate=RATE, seed=0))
    freqs = np.fft.rfftfreq(x.size, 1 / RATE)
    power = np.abs(np.fft.rfft(x)) ** 2
    low = power[(freqs > 20) & (freqs < 500)].sum()
    high = power[(freqs > 2000) & (freqs < 4000)].sum()
    assert low > high  # all of them are low-frequency heavy, like household noise
    if kind.startswith("hum"):
        mains = 50 if kind == "hum50" else 60
        assert abs(freqs[np.argmax(power)] - mains) < 1


def test_generated_noise_spectral_slopes() -> None:
    def slope(kind: str) -> float:
        x = make_noise(kind, seconds=4.0, sample_rate=RATE, seed=0)
        freqs = np.fft.rfftfreq(x.size, 1 / RATE)
        power = np.abs(np.fft.rfft(x)) ** 2

        def band(lo: float) -> float:
            return float(power[(freqs >= lo) & (freqs < 2 * lo)].mean())

        return 10 * math.log10(band(1000) / band(250)) / 2  # dB per octave

    assert slope("pink") == pytest.approx(-3.0, abs=0.7)
    assert slope("brown") == pytest.approx(-6.0, abs=0.7)


def test_make_noise_rejects_unknown_kind() -> None:
    with pytest.raises(InvalidParameterError, match="'white'"):
        make_noise("white")


def test_param_check_rules() -> None:
    p = Param("x", 0.0, 10.0, 5.0, "Hz", "test", step=2.0)
    assert p.check("4") == 4.0
    with pytest.raises(InvalidParameterError, match="multiple of 2"):
        p.check(3)
    with pytest.raises(InvalidParameterError, match=r"\[0, 10\] Hz, got 11"):
        p.check(11)


def test_module_has_no_gradio_dependency() -> None:
    assert "gradio" not in augment.__dict__


def test_phone_codec_preview_is_an_opus_round_trip_at_the_chosen_bitrate(cry) -> None:
    low = apply(cry, sample_rate=RATE, name="phone_codec", params={"bitrate_kbps": 6})
    high = apply(cry, sample_rate=RATE, name="phone_codec", params={"bitrate_kbps": 16})
    assert low.params_used == {"bitrate_kbps": 6.0} and high.samples.shape == cry.shape
    assert np.mean((low.samples - cry) ** 2) > np.mean((high.samples - cry) ** 2)
    with pytest.raises(InvalidParameterError, match=r"bitrate_kbps must lie in \[6, 16\] kbit/s, got 64"):
        apply(cry, sample_rate=RATE, name="phone_codec", params={"bitrate_kbps": 64})
