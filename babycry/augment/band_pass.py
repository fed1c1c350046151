"""Butterworth band-pass (audiomentations ``BandPassFilter``): the origin project's filter, randomised."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParameterError
from .base import Augmentation, Param

__all__ = ["BandPassAugmentation"]


class BandPassAugmentation(Augmentation):
    """Butterworth band-pass filter (not zero-phase).

    The pass band is ``centre_hz ± centre_hz · bandwidth_fraction / 2``, like
    :class:`babycry.config.BandPassConfig`; its upper edge must stay below the
    Nyquist frequency of the audio.

    Examples
    --------
    >>> [p.name for p in BandPassAugmentation().params]
    ['centre_hz', 'bandwidth_fraction', 'rolloff']
    """

    name = "band_pass"
    description = "Keep only a band of frequencies, like a small phone speaker or microphone."
    params = (
        Param("centre_hz", 200.0, 3500.0, 1500.0, "Hz", "Centre of the pass band."),
        Param("bandwidth_fraction", 0.2, 1.99, 1.33, "× centre", "Width of the pass band relative to its centre."),
        Param("rolloff", 6.0, 48.0, 12.0, "dB/octave", "Steepness of the filter skirts.", step=6.0),
    )

    def _check_rate(self, bounds, sample_rate):
        high_edge = bounds["centre_hz"][1] * (1.0 + bounds["bandwidth_fraction"][1] / 2.0)
        if high_edge >= sample_rate / 2.0:
            raise InvalidParameterError(
                f"band_pass: the upper band edge ({high_edge:g} Hz) must stay below half the sample rate "
                f"({sample_rate / 2:g} Hz); lower centre_hz or bandwidth_fraction."
            )

    def _build(self, bounds, *, p, sample_rate, rng, **options: Any):
        from audiomentations import BandPassFilter  # on first use: its import (scipy.signal) costs ~1 s

        return BandPassFilter(
            min_center_freq=bounds["centre_hz"][0],
            max_center_freq=bounds["centre_hz"][1],
            min_bandwidth_fraction=bounds["bandwidth_fraction"][0],
            max_bandwidth_fraction=bounds["bandwidth_fraction"][1],
            min_rolloff=int(bounds["rolloff"][0]),
            max_rolloff=int(bounds["rolloff"][1]),
            zero_phase=False,
            p=p,
        )

    def _read(self, transform, samples):
        centre = float(transform.parameters["center_freq"])
        return {
            "centre_hz": centre,
            "bandwidth_fraction": float(transform.parameters["bandwidth"]) / centre,
            "rolloff": int(transform.parameters["rolloff"]),
        }
