"""babycry.augment.time_stretch."""

from __future__ import annotations

import pytest

from babycry.augment import apply, get
from babycry.pitch import f0_track

from .conftest import RATE


def test_fixed_time_stretch_keeps_length_and_pitch(cry) -> None:
    result = apply(cry, sample_rate=RATE, name="time_stretch", params={"rate": 1.2})
    assert result.params_used == {"rate": 1.2}
    assert result.samples.shape == cry.shape
    assert f0_track(result.samples, sample_rate=RATE).median_hz == pytest.approx(
        f0_track(cry, sample_rate=RATE).median_hz, rel=0.03)


def test_training_lets_the_length_change(cry) -> None:
    t = get("time_stretch").transform({"rate": 1.25}, keep_length=False)
    assert abs(t(cry, sample_rate=RATE).size - cry.size / 1.25) < 0.01 * cry.size
