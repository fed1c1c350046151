"""babycry.augment.clipping."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.augment import apply, get
from babycry.errors import InvalidParameterError

from .conftest import RATE


@pytest.mark.parametrize("percent", [4, 20])
def test_the_asked_share_of_samples_is_cut_off(cry, percent) -> None:
    out = apply(cry, sample_rate=RATE, name="clipping", params={"clipped_percent": percent}, seed=0)
    y = out.samples
    assert y.shape == cry.shape and out.params_used == {"clipped_percent": float(percent)}
    at_the_rails = np.mean((y >= y.max()) | (y <= y.min()))
    assert at_the_rails == pytest.approx(percent / 100, abs=0.01)
    assert np.abs(y).max() < np.abs(cry).max()


def test_ranges_are_drawn_in_whole_percent_and_seeded(cry) -> None:
    a = apply(cry, sample_rate=RATE, name="clipping", ranges={"clipped_percent": (2, 25)}, seed=5)
    b = apply(cry, sample_rate=RATE, name="clipping", ranges={"clipped_percent": (2, 25)}, seed=5)
    assert a.params_used["clipped_percent"] in range(2, 26)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(InvalidParameterError):
        get("clipping").resolve({"clipped_percent": 60})
