"""Background noise mixed in at a signal-to-noise ratio: recorded household noise or generated noise and hum."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .base import Augmentation, GeneratorTransform, Param
from .noise import NoiseBank, VoiceBank, mix_at_snr

__all__ = ["BackgroundNoiseAugmentation", "MixNoise"]


class MixNoise(GeneratorTransform):
    """Mix a stretch drawn from a bank at a drawn SNR; ``parameters["noise_group"]`` names its recording.

    The bank is a :class:`NoiseBank` (background noise) or a :class:`~babycry.augment.noise.VoiceBank` (talking):
    anything whose ``draw(rng, n, sample_rate=)`` returns ``(samples, group)``.
    """

    def __init__(self, bounds, *, p: float, rng: np.random.Generator, bank: NoiseBank | VoiceBank) -> None:
        super().__init__(bounds, p=p, rng=rng)
        self.bank = bank

    def apply(self, samples: np.ndarray, *, sample_rate: int) -> np.ndarray:
        noise, group = self.bank.draw(self.rng, samples.size, sample_rate=sample_rate)
        snr = self.uniform("snr_db")
        self.parameters.update(snr_db=snr, noise_group=group, recorded=bool(group))
        return mix_at_snr(samples, noise, snr)


class BackgroundNoiseAugmentation(Augmentation):
    """Mix in background noise at a signal-to-noise ratio.

    The noise is what training mixes cries with: with a data folder, 60% of the time a stretch of one of its
    recorded ``noise`` clips (ESC-50 household and street sounds), otherwise generated white, pink or brown
    noise, mains hum or a motor-like buzz (:func:`~babycry.augment.noise.coloured_noise`). Options: ``noise`` (a
    :class:`NoiseBank`) or ``data_dir`` (a folder with a ``manifest.csv``, whose noise clips are decoded once per
    process).

    Examples
    --------
    >>> BackgroundNoiseAugmentation().param("snr_db").unit
    'dB'
    """

    name = "background_noise"
    description = ("Add household background noise (recorded noises, hum, hiss, rumble) at a given "
                   "signal-to-noise ratio.")
    params = (Param("snr_db", -5.0, 40.0, 10.0, "dB", "Signal-to-noise ratio; lower means louder noise."),)

    def _build(self, bounds, *, p, sample_rate, rng, noise: NoiseBank | None = None,
               data_dir: str | os.PathLike | None = None, **options: Any):
        bank = noise if noise is not None else NoiseBank.from_data_folder(data_dir)
        return MixNoise(bounds, p=p, rng=rng, bank=bank)
