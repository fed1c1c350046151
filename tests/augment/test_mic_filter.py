"""babycry.augment.mic_filter."""

from __future__ import annotations

import numpy as np

from babycry.augment import apply

from .conftest import RATE


def test_each_seed_draws_a_filter_it_reports(cry) -> None:
    kinds = set()
    for seed in range(12):
        used = apply(cry, sample_rate=RATE, name="mic_filter", seed=seed).params_used
        kinds.add(used["kind"])
        assert all(50 < c < 4000 for c in used["corners_hz"])
    assert kinds == {"lowpass", "highpass", "bandpass"}
    out = apply(cry, sample_rate=RATE, name="mic_filter", seed=0).samples
    assert out.shape == cry.shape and not np.array_equal(out, cry)
