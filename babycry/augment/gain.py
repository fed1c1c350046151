"""Gain: louder or quieter (audiomentations ``Gain``)."""

from __future__ import annotations

import math
from typing import Any

from .base import Augmentation, Param

__all__ = ["GainAugmentation"]


class GainAugmentation(Augmentation):
    """Make the recording louder or quieter.

    Every model input is loudness-normalised, so training does not use it; it is here to show what
    level does (and does not) change in the spectrogram.

    Examples
    --------
    >>> GainAugmentation().param("gain_db").min
    -24.0
    """

    name = "gain"
    description = "Make the recording louder or quieter (a baby nearer to or further from the phone)."
    params = (Param("gain_db", -24.0, 12.0, 0.0, "dB", "Volume change; +6 dB doubles the amplitude."),)

    def _build(self, bounds, *, p, sample_rate, rng, **options: Any):
        from audiomentations import Gain  # on first use: its import (scipy.signal) costs ~1 s

        low, high = bounds["gain_db"]
        return Gain(min_gain_db=low, max_gain_db=high, p=p)

    def _read(self, transform, samples):
        return {"gain_db": 20.0 * math.log10(float(transform.parameters["amplitude_ratio"]))}
