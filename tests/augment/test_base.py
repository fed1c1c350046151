"""babycry.augment.base: Param checks, resolve, seeding."""

from __future__ import annotations

import random

import numpy as np
import pytest

from babycry.augment import Param, get, seeded
from babycry.errors import InvalidParameterError


def test_param_check_rules() -> None:
    p = Param("x", 0.0, 10.0, 5.0, "Hz", "test", step=2.0)
    assert p.check("4") == 4.0
    with pytest.raises(InvalidParameterError, match="multiple of 2"):
        p.check(3)
    with pytest.raises(InvalidParameterError, match=r"\[0, 10\] Hz, got 11"):
        p.check(11)
    for bad in (True, "loud", float("nan"), None):
        with pytest.raises(InvalidParameterError):
            p.check(bad)


def test_resolve_merges_fixed_values_ranges_and_defaults() -> None:
    aug = get("band_pass")
    assert aug.resolve({"centre_hz": 900}, ranges={"rolloff": (6, 12)}) == {
        "centre_hz": (900.0, 900.0), "bandwidth_fraction": (1.33, 1.33), "rolloff": (6.0, 12.0)}
    with pytest.raises(InvalidParameterError, match="empty"):
        get("gain").resolve(ranges={"gain_db": (3, -3)})
    with pytest.raises(InvalidParameterError, match=r"\(low, high\)"):
        get("gain").resolve(ranges={"gain_db": (1, 2, 3)})
    with pytest.raises(InvalidParameterError, match="both"):
        get("gain").resolve({"gain_db": 1}, ranges={"gain_db": (0, 2)})
    with pytest.raises(InvalidParameterError, match="its parameters are: none"):
        get("mic_filter").resolve({"cutoff": 3})
    with pytest.raises(InvalidParameterError, match="p must"):
        get("gain").transform(p=1.5)


def test_seeded_restores_the_callers_random_state() -> None:
    random.seed(5)
    np.random.seed(5)
    with seeded(1):
        a = (random.random(), np.random.rand())
    with seeded(1):
        assert (random.random(), np.random.rand()) == a
    assert random.random() == random.Random(5).random()
    with pytest.raises(InvalidParameterError, match="seed"):
        with seeded(-1):
            pass
