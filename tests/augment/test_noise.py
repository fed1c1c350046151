"""babycry.augment.noise: generated noise, mixing, the noise bank."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from babycry.augment import NOISE_KINDS, NoiseBank, coloured_noise, mix_at_snr
from babycry.errors import InvalidParameterError
from babycry.preprocess import rms_dbfs


def test_coloured_noise_is_seeded() -> None:
    a = coloured_noise(4000, np.random.default_rng(1), sample_rate=16000)
    np.testing.assert_array_equal(a, coloured_noise(4000, np.random.default_rng(1), sample_rate=16000))
    assert a.dtype == np.float32 and np.isfinite(a).all()


def test_kind_drawn_from_the_generator_is_the_named_kind() -> None:
    # kind=None draws the kind first, then generates it from the same stream: what training mixes in
    kinds = set()
    for seed in range(60):
        drawn = np.random.default_rng(seed)
        kind = str(drawn.choice(list(NOISE_KINDS)))
        kinds.add(kind)
        np.testing.assert_array_equal(coloured_noise(800, np.random.default_rng(seed), sample_rate=16000),
                                      coloured_noise(800, drawn, sample_rate=16000, kind=kind))
    assert kinds == set(NOISE_KINDS)


def test_buzz_has_harmonics_through_the_cry_band() -> None:
    # a motor or ground-loop buzz: harmonic lines well above the mains hum's 420 Hz, up to the 3.6 kHz band edge
    sr = 16000
    x = coloured_noise(sr, np.random.default_rng(3), sample_rate=sr, kind="buzz")
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / sr)
    f0 = freqs[1:][np.argmax(power[1:])]
    assert 50.0 <= f0 <= 300.0
    lines = freqs[power > 1e-3 * power.max()]
    assert lines.max() > 2000.0 and lines.max() <= 4000.0
    hum = coloured_noise(sr, np.random.default_rng(3), sample_rate=sr, kind="hum")
    hum_power = np.abs(np.fft.rfft(hum)) ** 2
    assert freqs[hum_power > 1e-3 * hum_power.max()].max() < 450.0


def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(InvalidParameterError, match="buzz"):
        coloured_noise(100, np.random.default_rng(0), sample_rate=16000, kind="thunder")


@pytest.mark.parametrize("snr", [-5.0, 0.0, 25.0])
def test_mix_at_snr(snr: float) -> None:
    rng = np.random.default_rng(0)
    s, n = rng.normal(size=8000).astype(np.float32) * 0.1, rng.normal(size=8000).astype(np.float32)
    assert rms_dbfs(s) - rms_dbfs(mix_at_snr(s, n, snr) - s) == pytest.approx(snr, abs=0.01)


def test_bank_draws_recorded_or_generated_noise(data_dir: Path) -> None:
    bank = NoiseBank.from_data_folder(data_dir)
    assert len(bank.clips) == len(bank.groups) > 10
    groups = {bank.draw(np.random.default_rng(s), 16000, sample_rate=16000)[1] for s in range(20)}
    assert "" in groups and len(groups) > 2
    assert NoiseBank.from_data_folder(None).clips == []
