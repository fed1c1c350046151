"""babycry.playback: int16 at the true level (no peak normalisation), clipped."""

from __future__ import annotations

import numpy as np

from babycry.audio import to_float32
from babycry.playback import to_int16


def test_level_is_kept_and_overs_are_clipped() -> None:
    quiet = 0.01 * np.sin(np.linspace(0, 100, 16000))
    out = to_int16(quiet)
    assert out.dtype == np.int16 and np.abs(out).max() == round(0.01 * 32767)  # not scaled up to full scale
    np.testing.assert_allclose(to_float32(out), quiet, atol=1 / 32767)
    assert to_int16(np.array([1.5, -3.0])).tolist() == [32767, -32767]
