"""babycry.augment.noise: generated noise, mixing, the noise bank."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from babycry.augment import NoiseBank, coloured_noise, mix_at_snr
from babycry.preprocess import rms_dbfs


def test_coloured_noise_is_seeded() -> None:
    a = coloured_noise(4000, np.random.default_rng(1), sample_rate=16000)
    np.testing.assert_array_equal(a, coloured_noise(4000, np.random.default_rng(1), sample_rate=16000))
    assert a.dtype == np.float32 and np.isfinite(a).all()


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
