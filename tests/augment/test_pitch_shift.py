"""babycry.augment.pitch_shift."""

from __future__ import annotations

import pytest

from babycry.augment import apply
from babycry.pitch import f0_track

from .conftest import RATE


@pytest.mark.parametrize("semitones", [-2.0, 2.0])
def test_fixed_pitch_shift_moves_f0(cry, semitones: float) -> None:
    result = apply(cry, sample_rate=RATE, name="pitch_shift", params={"semitones": semitones}, seed=0)
    assert result.params_used == {"semitones": semitones}
    before = f0_track(cry, sample_rate=RATE).median_hz
    after = f0_track(result.samples, sample_rate=RATE).median_hz
    assert after / before == pytest.approx(2 ** (semitones / 12), rel=0.02)
