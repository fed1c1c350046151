"""babycry.augment.room_reverb."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.augment import apply, get
from babycry.augment.room_reverb import room_impulse_response
from babycry.errors import InvalidParameterError

from .conftest import RATE


@pytest.mark.parametrize(("rt60", "drr"), [(0.3, 10.0), (1.0, 0.0)])
def test_the_impulse_response_rings_as_long_and_as_loud_as_asked(rt60, drr) -> None:
    h = room_impulse_response(rt60_s=rt60, drr_db=drr, sample_rate=RATE, rng=np.random.default_rng(1))
    assert h[0] == 1.0 and 10 * np.log10(1.0 / np.sum(h[1:] ** 2)) == pytest.approx(drr)
    # Schroeder backward integration: the energy left falls ~60 dB over rt60 (a 20-dB stretch, extrapolated)
    energy = np.cumsum(h[1:][::-1] ** 2)[::-1]
    db = 10 * np.log10(energy / energy[0])
    t5, t25 = np.argmax(db <= -5) / RATE, np.argmax(db <= -25) / RATE
    assert 3 * (t25 - t5) == pytest.approx(rt60, rel=0.35)


def test_reverb_keeps_length_and_level_and_smears_the_pauses(cry) -> None:
    out = apply(cry, sample_rate=RATE, name="room_reverb", params={"rt60_s": 0.8, "drr_db": 0.0}, seed=0)
    assert out.samples.shape == cry.shape and out.samples.dtype == np.float32
    x, y = cry.astype(np.float64), out.samples.astype(np.float64)
    assert np.sqrt(np.mean(y**2)) == pytest.approx(np.sqrt(np.mean(x**2)), rel=1e-3)
    assert out.params_used == {"rt60_s": 0.8, "drr_db": 0.0}
    # the quiet after each burst now holds the room ringing on
    quiet = np.abs(x) < 1e-3 * np.abs(x).max()
    assert quiet.any() and np.sqrt(np.mean(y[quiet] ** 2)) > 10 * np.sqrt(np.mean(x[quiet] ** 2) + 1e-12)


def test_ranges_are_drawn_and_reported_and_seeded(cry) -> None:
    a = apply(cry, sample_rate=RATE, name="room_reverb", ranges={"rt60_s": (0.2, 1.0), "drr_db": (0, 12)}, seed=3)
    b = apply(cry, sample_rate=RATE, name="room_reverb", ranges={"rt60_s": (0.2, 1.0), "drr_db": (0, 12)}, seed=3)
    assert 0.2 <= a.params_used["rt60_s"] <= 1.0 and 0 <= a.params_used["drr_db"] <= 12
    np.testing.assert_array_equal(a.samples, b.samples)


@pytest.mark.parametrize("params", [{"rt60_s": 3.0}, {"drr_db": -20}, {"room": 1}])
def test_out_of_range_is_a_clear_error(params) -> None:
    with pytest.raises(InvalidParameterError):
        get("room_reverb").resolve(params)
