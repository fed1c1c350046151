"""Shared audio for the augmentation tests."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.synth import synth_cry

RATE = 16000


@pytest.fixture(scope="session")
def cry() -> np.ndarray:
    return synth_cry(seconds=2.0, seed=0, f0_hz=450.0).samples
