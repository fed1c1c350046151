"""Fixtures shared by the babycry.modeling tests."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.synth import synth_cry


@pytest.fixture(scope="module")
def cry16k() -> np.ndarray:
    """Seven seconds of synthesised cry at 16 kHz."""
    return synth_cry(seconds=7.0, sample_rate=16000, f0_hz=420.0, seed=3).samples
