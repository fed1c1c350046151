"""Voice bursts: cut voiced audio into short rhythmic bursts, the rhythm of laughter and babble."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Augmentation, GeneratorTransform

__all__ = ["VoiceBurstsAugmentation", "VoiceBursts"]


class VoiceBursts(GeneratorTransform):
    """Hann-windowed bursts of 80-450 ms cut at random from the input, with 80-300 ms of silence between."""

    def __init__(self, bounds, *, p: float, rng: np.random.Generator, max_seconds: float) -> None:
        super().__init__(bounds, p=p, rng=rng)
        self.max_seconds = max_seconds

    def apply(self, samples: np.ndarray, *, sample_rate: int) -> np.ndarray:
        rng, x = self.rng, samples
        out = []
        total = 0
        target = int(rng.uniform(1.0, self.max_seconds) * sample_rate)
        while total < target:
            burst = int(rng.uniform(0.08, 0.45) * sample_rate)
            start = int(rng.integers(0, max(1, x.size - burst)))
            seg = x[start : start + burst]
            seg = seg * np.hanning(seg.size).astype(np.float32)
            gap = np.zeros(int(rng.uniform(0.08, 0.3) * sample_rate), dtype=np.float32)
            out += [seg, gap]
            total += seg.size + gap.size
        self.parameters.update(seconds=round(target / sample_rate, 3), bursts=len(out) // 2)
        return np.concatenate(out)[:target]


class VoiceBurstsAugmentation(Augmentation):
    """Rhythmic voiced bursts cut from the recording (a hard negative: a cry's timbre without its sustained voice).

    Baby laughter in the data is voiced a third of the time in runs of ~0.3 s at a median F0 near 260 Hz,
    against two thirds in runs up to 1.3 s at 400-520 Hz for cries; training also lowers the pitch of these.
    Option ``max_seconds`` (default 3): the result lasts 1 s to that.

    Examples
    --------
    >>> VoiceBurstsAugmentation().name
    'voice_bursts'
    """

    name = "voice_bursts"
    description = ("Cut the cry into short bursts with pauses (the rhythm of laughter or babble): "
                   "training teaches the detector that this is not a cry.")
    params = ()

    def _build(self, bounds, *, p, sample_rate, rng, max_seconds: float = 3.0, **options: Any):
        return VoiceBursts(bounds, p=p, rng=rng, max_seconds=float(max_seconds))
