"""babycry.augment.gain."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.augment import apply

from .conftest import RATE


def test_fixed_gain_is_exact(cry) -> None:
    result = apply(cry, sample_rate=RATE, name="gain", params={"gain_db": -6.0})
    assert result.params_used["gain_db"] == pytest.approx(-6.0, abs=1e-9)
    np.testing.assert_allclose(result.samples, cry * 10 ** (-6 / 20), rtol=1e-6)
