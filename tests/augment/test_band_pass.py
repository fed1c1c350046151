"""babycry.augment.band_pass."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.augment import apply
from babycry.errors import InvalidParameterError
from babycry.preprocess import rms_dbfs

from .conftest import RATE


def test_band_pass_reports_its_band_and_removes_what_is_outside(cry) -> None:
    params = {"centre_hz": 1000.0, "bandwidth_fraction": 0.5, "rolloff": 24}
    used = apply(cry, sample_rate=RATE, name="band_pass", params=params).params_used
    assert used["centre_hz"] == pytest.approx(1000.0) and used["bandwidth_fraction"] == pytest.approx(0.5)
    assert used["rolloff"] == 24
    tone = (0.3 * np.sin(2 * np.pi * 3000 * np.arange(RATE) / RATE)).astype(np.float32)
    assert rms_dbfs(apply(tone, sample_rate=RATE, name="band_pass", params=params).samples) < rms_dbfs(tone) - 20


def test_band_pass_edge_must_stay_below_nyquist(cry) -> None:
    with pytest.raises(InvalidParameterError, match="upper band edge"):
        apply(cry[:8000], sample_rate=8000, name="band_pass", params={"centre_hz": 3000})
