"""babycry.augment.crop."""

from __future__ import annotations

import numpy as np

from babycry.augment import random_crop


def test_crops_are_full_windows_or_short_stretches_of_the_clip() -> None:
    x = np.arange(5 * 8000, dtype=np.float32)
    sizes = {random_crop(x, np.random.default_rng(s), sample_rate=8000, window_s=3.0).size for s in range(30)}
    assert 24000 in sizes and min(sizes) >= 0.4 * 8000 and max(sizes) == 24000
    short = np.ones(1000, np.float32)
    assert random_crop(short, np.random.default_rng(0), sample_rate=8000, window_s=3.0, p_short=0.0).size == 1000
