"""Time stretch: faster or slower without changing pitch (audiomentations ``TimeStretch``)."""

from __future__ import annotations

from typing import Any

from .base import Augmentation, Param

__all__ = ["TimeStretchAugmentation"]


class TimeStretchAugmentation(Augmentation):
    """Speed up or slow down without changing pitch.

    Option ``keep_length`` (default True, the preview) crops or pads the result to the input's length;
    training passes False and cuts its window from the stretched audio.

    Examples
    --------
    >>> TimeStretchAugmentation().param("rate").default
    1.0
    """

    name = "time_stretch"
    description = "Speed the cry up (rate > 1) or slow it down (rate < 1) without changing its pitch."
    params = (Param("rate", 0.7, 1.4, 1.0, "×", "Playback speed factor."),)

    def _build(self, bounds, *, p, sample_rate, rng, keep_length: bool = True, **options: Any):
        from audiomentations import TimeStretch  # on first use: its import (scipy.signal) costs ~1 s

        low, high = bounds["rate"]
        return TimeStretch(min_rate=low, max_rate=high, leave_length_unchanged=keep_length, p=p)

    def _read(self, transform, samples):
        return {"rate": float(transform.parameters["rate"])}
