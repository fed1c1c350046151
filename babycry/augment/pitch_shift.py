"""Pitch shift in semitones, tempo kept (audiomentations ``PitchShift``)."""

from __future__ import annotations

from typing import Any

from .base import Augmentation, Param

__all__ = ["PitchShiftAugmentation"]


class PitchShiftAugmentation(Augmentation):
    """Shift the pitch by a number of semitones, keeping the tempo.

    The range reaches an octave either way because training also makes hard negatives from cries: lowered
    6-12 semitones they sound like an adult's voice, and speech raised 4-10 semitones like a child's.

    Examples
    --------
    >>> PitchShiftAugmentation().param("semitones").max
    12.0
    """

    name = "pitch_shift"
    description = "Raise or lower the pitch (a higher or deeper cry) without changing its speed."
    params = (Param("semitones", -12.0, 12.0, 0.0, "semitones", "Pitch change; 12 semitones is an octave."),)

    def _build(self, bounds, *, p, sample_rate, rng, **options: Any):
        from audiomentations import PitchShift  # on first use: its import (scipy.signal) costs ~1 s

        low, high = bounds["semitones"]
        return PitchShift(min_semitones=low, max_semitones=high, p=p)

    def _read(self, transform, samples):
        return {"semitones": float(transform.parameters["num_semitones"])}
