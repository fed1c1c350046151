"""babycry.augment.gaussian_noise."""

from __future__ import annotations

import pytest

from babycry.augment import apply
from babycry.preprocess import rms_dbfs

from .conftest import RATE


@pytest.mark.parametrize("snr", [0.0, 10.0, 30.0])
def test_gaussian_noise_at_snr(cry, snr: float) -> None:
    result = apply(cry, sample_rate=RATE, name="gaussian_noise", params={"snr_db": snr}, seed=1)
    assert result.params_used["snr_db"] == pytest.approx(snr, abs=1e-3)
    assert rms_dbfs(cry) - rms_dbfs(result.samples - cry) == pytest.approx(snr, abs=0.3)
