"""White Gaussian noise at a signal-to-noise ratio (audiomentations ``AddGaussianSNR``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import Augmentation, Param

__all__ = ["GaussianNoiseAugmentation"]


class GaussianNoiseAugmentation(Augmentation):
    """Add white Gaussian noise at a signal-to-noise ratio.

    Examples
    --------
    >>> GaussianNoiseAugmentation().param("snr_db").max
    60.0
    """

    name = "gaussian_noise"
    description = "Add white (hiss-like) noise at a given signal-to-noise ratio."
    params = (Param("snr_db", 0.0, 60.0, 20.0, "dB", "Signal-to-noise ratio; lower means louder hiss."),)

    def _build(self, bounds, *, p, sample_rate, rng, **options: Any):
        from audiomentations import AddGaussianSNR  # on first use: its import (scipy.signal) costs ~1 s

        low, high = bounds["snr_db"]
        return AddGaussianSNR(min_snr_db=low, max_snr_db=high, p=p)

    def _read(self, transform, samples):
        # audiomentations stores the noise level, not the SNR it drew: recover the SNR from both RMS values.
        clean_rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
        std = float(transform.parameters["noise_std"])
        snr = 20.0 * math.log10(clean_rms / std) if std > 0 and clean_rms > 0 else float("inf")
        return {"snr_db": snr, "noise_std": std}
