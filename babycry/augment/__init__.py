"""Augmentations: one transform per module on a shared base, and the registry the app, CLI and training use.

Training builds every augmented window from these transforms with the ranges
of its recipe (:mod:`babycry.training.recipes`); the app's augmentation tab
previews the same transforms and lists those ranges.
"""

from .base import Augmentation, AugmentResult, GeneratorTransform, Param, seeded
from .crop import random_crop
from .noise import NOISE_KINDS, NoiseBank, VoiceBank, coloured_noise, mix_at_snr
from .registry import REGISTRY, apply, available, describe, get

__all__ = ["Augmentation", "AugmentResult", "GeneratorTransform", "Param", "seeded", "random_crop", "NOISE_KINDS",
           "NoiseBank", "VoiceBank", "coloured_noise", "mix_at_snr", "REGISTRY", "apply", "available", "describe",
           "get"]
