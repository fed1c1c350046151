"""babycry.augment.voice_bursts: short voiced bursts with silent gaps (laughter's rhythm)."""

from __future__ import annotations

import numpy as np

from babycry.augment import apply, get

from .conftest import RATE


def test_bursts_alternate_with_silence(cry) -> None:
    t = get("voice_bursts").transform(rng=np.random.default_rng(0), max_seconds=2.0)
    out = t(cry, sample_rate=RATE)
    assert RATE <= out.size <= 2 * RATE and t.parameters["bursts"] >= 2
    frames = np.sqrt((out[: out.size // 400 * 400].reshape(-1, 400) ** 2).mean(1))
    assert (frames == 0).mean() > 0.1  # pauses between bursts
    assert apply(cry, sample_rate=RATE, name="voice_bursts", seed=1).applied
