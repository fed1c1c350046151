"""Microphone colour: a random gentle low-pass, high-pass or band-pass, as phones and rooms colour sound."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Augmentation, GeneratorTransform

__all__ = ["MicFilterAugmentation", "RandomFilter"]


class RandomFilter(GeneratorTransform):
    """A 2nd-order Butterworth of a random kind and corner(s), drawn from the generator."""

    def apply(self, samples: np.ndarray, *, sample_rate: int) -> np.ndarray:
        from scipy import signal  # on first use: the app's page needs this module, not scipy.signal (~1 s)

        rng = self.rng
        kind = rng.choice(["lowpass", "highpass", "bandpass"])
        if kind == "lowpass":
            corners: list[float] = [float(rng.uniform(1200, 3800))]
        elif kind == "highpass":
            corners = [float(rng.uniform(80, 500))]
        else:
            lo = float(rng.uniform(150, 600))
            corners = [lo, float(rng.uniform(lo * 3, 3900))]
        sos = signal.butter(2, corners if len(corners) == 2 else corners[0], btype=str(kind), fs=sample_rate,
                            output="sos")
        self.parameters.update(kind=str(kind), corners_hz=[round(c, 1) for c in corners])
        return signal.sosfilt(sos, samples).astype(np.float32)


class MicFilterAugmentation(Augmentation):
    """A random gentle filter: low-pass at 1.2-3.8 kHz, high-pass at 80-500 Hz, or band-pass in between.

    It has no settings: each seed draws another microphone.

    Examples
    --------
    >>> MicFilterAugmentation().params
    ()
    """

    name = "mic_filter"
    description = "Colour the sound like another microphone or room: a random gentle low-, high- or band-pass."
    params = ()

    def _build(self, bounds, *, p, sample_rate, rng, **options: Any):
        return RandomFilter(bounds, p=p, rng=rng)
