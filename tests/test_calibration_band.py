"""babycry.calibration.choose_cry_band: the detector's "unsure" band of P(cry)."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.calibration import choose_cry_band
from babycry.errors import InvalidParameterError


def test_band_keeps_the_asked_shares_of_cries_outside_it() -> None:
    rng = np.random.default_rng(0)
    cries = rng.beta(8, 1, 2000)  # mostly high P(cry), a long low tail
    others = rng.beta(1, 8, 2000)
    p, y = np.r_[cries, others], np.r_[np.ones(2000), np.zeros(2000)]
    band = choose_cry_band(p, y, max_dismissed=0.03, min_confident=0.8)
    assert band["low"] <= 0.5 <= band["high"]
    assert band["cries_dismissed"] <= 0.03 and band["cries_confident"] >= 0.8
    assert np.mean(cries < band["low"]) == pytest.approx(band["cries_dismissed"])
    # the non-cries do not move it: the band is set by the cries alone
    assert choose_cry_band(np.r_[cries, others * 0 + 0.99], y) == choose_cry_band(p, y)


def test_band_always_holds_the_yes_no_decision() -> None:
    y = np.ones(100)
    assert choose_cry_band(np.full(100, 0.99), y) == pytest.approx(
        {"low": 0.5, "high": 0.99, "cries_dismissed": 0.0, "cries_unsure": 0.0, "cries_confident": 1.0,
         "max_dismissed": 0.03, "min_confident": 0.8})
    band = choose_cry_band(np.full(100, 0.1), y)
    assert (band["low"], band["high"]) == (0.1, 0.5)


@pytest.mark.parametrize("kwargs", [{"max_dismissed": -0.1}, {"max_dismissed": 1.0}, {"min_confident": 0.0},
                                    {"max_dismissed": 0.5, "min_confident": 0.6}])
def test_band_rejects_impossible_shares(kwargs: dict) -> None:
    with pytest.raises(InvalidParameterError):
        choose_cry_band(np.array([0.9, 0.1]), np.array([1, 0]), **kwargs)


def test_band_needs_a_cry() -> None:
    with pytest.raises(InvalidParameterError, match="at least one cry"):
        choose_cry_band(np.array([0.2, 0.1]), np.array([0, 0]))
