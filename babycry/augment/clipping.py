"""Clipping: an overloaded microphone cuts the loudest part of the wave off (audiomentations ``ClippingDistortion``)."""

from __future__ import annotations

from typing import Any

from .base import Augmentation, Param

__all__ = ["ClippingAugmentation"]


class ClippingAugmentation(Augmentation):
    """Clip the wave at a level that cuts off a given share of its samples (the loudest ones).

    A phone held close to a screaming baby overloads: out of fold, cries clipped so that their loudest 10% of
    samples are cut were found less often than as recorded, while laughter was not (docs/experiments.md), so
    training clips every class alike. The share is drawn in whole percent (as audiomentations does).

    Examples
    --------
    >>> ClippingAugmentation().param("clipped_percent").max
    40.0
    """

    name = "clipping"
    description = "Clip the loudest samples off, as an overloaded microphone does (a phone too close to the baby)."
    params = (Param("clipped_percent", 0.0, 40.0, 10.0, "%", "Share of the samples cut off at the clipping level."),)

    def _build(self, bounds, *, p, sample_rate, rng, **options: Any):
        from audiomentations import ClippingDistortion  # on first use: its import (scipy.signal) costs ~1 s

        low, high = bounds["clipped_percent"]
        return ClippingDistortion(min_percentile_threshold=int(round(low)), max_percentile_threshold=int(round(high)),
                                  p=p)

    def _read(self, transform, samples):
        return {"clipped_percent": float(transform.parameters["percentile_threshold"])}
