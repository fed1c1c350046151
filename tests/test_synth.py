"""babycry.synth: deterministic, validated, with the structure a cry has."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from babycry.errors import BabyCryError, InvalidParameterError
from babycry.synth import EXAMPLES, NOT_CRY_EXAMPLES, SynthCry, synth_cry, write_examples, write_wav

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_shape_dtype_peak_at_each_rate(rate: int) -> None:
    cry = synth_cry(seconds=1.5, sample_rate=rate, seed=0, peak=0.5)
    assert isinstance(cry, SynthCry)
    assert cry.samples.dtype == np.float32 and cry.samples.shape == (int(1.5 * rate),)
    assert cry.f0_hz.shape == cry.samples.shape and cry.voiced.shape == cry.samples.shape
    assert float(np.max(np.abs(cry.samples))) == pytest.approx(0.5, abs=1e-6)
    assert np.all(np.isfinite(cry.samples))


def test_same_seed_same_samples_other_seed_differs() -> None:
    a, b, c = (synth_cry(seconds=2.0, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.samples, b.samples)
    assert not np.array_equal(a.samples, c.samples)


def test_f0_contour_rises_and_falls_within_each_burst() -> None:
    cry = synth_cry(seconds=7.0, seed=3, f0_hz=450.0, jitter=0.0)
    edges = np.flatnonzero(np.diff(cry.voiced.astype(int)))
    starts = edges[::2] + 1 if cry.voiced[edges[0] + 1] else edges[1::2] + 1
    assert 3 <= starts.size <= 9  # bursts of 0.6-1.5 s with pauses in 7 s
    for start in starts:
        end = start + np.argmin(cry.voiced[start:]) if not cry.voiced[start:].all() else cry.voiced.size
        contour = cry.f0_hz[start:end]
        peak = int(np.argmax(contour))
        assert 0 < peak < contour.size - 1  # rises, then falls
        assert contour[peak] > 1.1 * contour[0] and contour[peak] > 1.1 * contour[-1]
        assert 0.6 * 16000 * 0.99 <= contour.size <= 1.5 * 16000 + 1 or end == cry.voiced.size


def test_f0_stays_in_the_cry_range_and_pauses_are_unvoiced() -> None:
    cry = synth_cry(seconds=7.0, seed=0)
    voiced_f0 = cry.f0_hz[cry.voiced]
    assert 300 < np.percentile(voiced_f0, 5) and np.percentile(voiced_f0, 95) < 600
    assert np.all(cry.f0_hz[~cry.voiced] == 0)
    assert 0.6 < cry.voiced.mean() < 0.95
    # Pauses are quieter than bursts but never digital silence.
    quiet = cry.samples[~cry.voiced]
    assert 0 < np.sqrt(np.mean(quiet**2)) < 0.3 * np.sqrt(np.mean(cry.samples[cry.voiced] ** 2))


def test_jitter_is_the_requested_size() -> None:
    smooth = synth_cry(seconds=3.0, seed=5, jitter=0.0)
    jittery = synth_cry(seconds=3.0, seed=5, jitter=0.02)
    ratio = jittery.f0_hz[jittery.voiced] / smooth.f0_hz[smooth.voiced]
    assert np.std(ratio) == pytest.approx(0.02, rel=0.3)


def test_formants_shape_the_spectrum() -> None:
    cry = synth_cry(seconds=3.0, seed=2, formants_hz=(1000.0, 2500.0))
    freqs = np.fft.rfftfreq(cry.samples.size, 1 / 16000)
    power = np.abs(np.fft.rfft(cry.samples)) ** 2

    def band(lo: float, hi: float) -> float:
        return float(power[(freqs >= lo) & (freqs < hi)].mean())

    assert band(900, 1100) > band(1500, 1700)
    assert band(2400, 2600) > band(3300, 3500)


def test_no_energy_above_nyquist_fraction() -> None:
    cry = synth_cry(seconds=2.0, sample_rate=8000, f0_hz=650, seed=1)
    freqs = np.fft.rfftfreq(cry.samples.size, 1 / 8000)
    power = np.abs(np.fft.rfft(cry.samples)) ** 2
    assert power[freqs > 3700].sum() < 0.01 * power.sum()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seconds": 0.1}, "seconds"),
        ({"seconds": float("nan")}, "seconds"),
        ({"sample_rate": 4000}, "sample_rate"),
        ({"sample_rate": 16000.5}, "sample_rate"),
        ({"f0_hz": 50}, "f0_hz"),
        ({"jitter": 0.5}, "jitter"),
        ({"shimmer": -1}, "shimmer"),
        ({"peak": 2}, "peak"),
        ({"tilt_db_per_octave": 3}, "tilt"),
        ({"formants_hz": (1000.0,), "formant_bandwidths_hz": (100.0, 200.0)}, "same length"),
        ({"formants_hz": (9000.0,), "formant_bandwidths_hz": (100.0,)}, "9000"),
        ({"burst_seconds": (1.5, 0.6)}, "burst_seconds"),
        ({"pause_seconds": (0.0, 0.2)}, "pause_seconds"),
    ],
)
def test_rejects_bad_options(kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        synth_cry(**kwargs)


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        synth_cry(3.0)  # type: ignore[misc]


def test_write_wav_formats_and_errors(tmp_path: Path) -> None:
    cry = synth_cry(seconds=1.0)
    for suffix, fmt in ((".wav", "WAV"), (".flac", "FLAC"), (".ogg", "OGG")):
        path = write_wav(tmp_path / f"x{suffix}", cry.samples, sample_rate=16000)
        assert sf.info(str(path)).format == fmt
    loud = write_wav(tmp_path / "loud.wav", 3 * cry.samples, sample_rate=16000)
    assert float(np.max(np.abs(sf.read(loud)[0]))) <= 1.0
    with pytest.raises(BabyCryError, match=r"\.mp4"):
        write_wav(tmp_path / "x.mp4", cry.samples, sample_rate=16000)
    with pytest.raises(BabyCryError, match="does not exist"):
        write_wav(tmp_path / "missing" / "x.wav", cry.samples, sample_rate=16000)


def test_bundled_examples_are_reproducible(tmp_path: Path) -> None:
    written = write_examples(tmp_path)
    assert [p.name for p in written] == list(EXAMPLES) + list(NOT_CRY_EXAMPLES)
    for path in written:
        info = sf.info(str(path))
        assert info.samplerate == 16000 and info.channels == 1 and info.subtype == "PCM_16"
        bundled = ROOT / "assets" / "examples" / path.name
        assert bundled.exists(), f"run `babycry synth --examples assets/examples` to create {bundled}"
        assert hashlib.sha256(bundled.read_bytes()).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
        assert bundled.stat().st_size < 300_000


def test_synth_bursts_are_short_unpitched_and_reproducible() -> None:
    from babycry.synth import synth_bursts
    from babycry.training.windows import cry_voicing

    x = synth_bursts(seconds=3.0, seed=4)
    assert x.dtype == np.float32 and x.shape == (48000,)
    assert np.isclose(np.abs(x).max(), 0.7, atol=1e-3)
    assert np.array_equal(x, synth_bursts(seconds=3.0, seed=4))
    assert cry_voicing(x, sample_rate=16000) < 0.1
    assert cry_voicing(synth_cry(seconds=3.0, seed=4).samples, sample_rate=16000) > 0.4


@pytest.mark.parametrize("kwargs", [{"seconds": 0.0}, {"voicing": 1.5}, {"n_bursts": (3, 1)},
                                    {"burst_seconds": (0.0, 0.1)}, {"sample_rate": 4000}, {"peak": 2.0}])
def test_synth_bursts_rejects_bad_parameters(kwargs) -> None:
    from babycry.errors import InvalidParameterError
    from babycry.synth import synth_bursts

    with pytest.raises(InvalidParameterError):
        synth_bursts(**kwargs)


@pytest.mark.parametrize("kind", ["steady", "siren", "beeps", "chirps", "engine", "bell"])
def test_synth_tones_every_kind(kind: str) -> None:
    from babycry.synth import TONE_KINDS, synth_tones

    assert kind in TONE_KINDS
    x = synth_tones(seconds=2.0, kind=kind, seed=5, sample_rate=8000)
    assert x.dtype == np.float32 and x.shape == (16000,) and np.isfinite(x).all()
    assert np.isclose(np.abs(x).max(), 0.7, atol=1e-3)
    assert np.array_equal(x, synth_tones(seconds=2.0, kind=kind, seed=5, sample_rate=8000))
    # no partial above 0.45 fs, so nothing folds back: the top of the spectrum (0.46-0.5 fs) is nearly empty
    spectrum = np.abs(np.fft.rfft(x))
    assert spectrum[int(0.92 * spectrum.size) :].max() < 0.05 * spectrum.max()


def test_synth_tones_rejects_unknown_kind() -> None:
    from babycry.synth import synth_tones

    with pytest.raises(InvalidParameterError, match="kind must be one of"):
        synth_tones(kind="doorbell")
