"""The named augmentations: lookup, description, and applying one with a report of what it did."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .background_noise import BackgroundNoiseAugmentation
from .band_pass import BandPassAugmentation
from .base import Augmentation, AugmentResult, seeded
from .clipping import ClippingAugmentation
from .gain import GainAugmentation
from .gaussian_noise import GaussianNoiseAugmentation
from .mic_filter import MicFilterAugmentation
from .phone_codec import PhoneCodecAugmentation
from .pitch_shift import PitchShiftAugmentation
from .room_reverb import RoomReverbAugmentation
from .talk_over import TalkOverAugmentation
from .time_stretch import TimeStretchAugmentation
from .voice_bursts import VoiceBurstsAugmentation

__all__ = ["REGISTRY", "available", "get", "describe", "apply"]

#: name -> augmentation, in the order the app lists them.
REGISTRY: dict[str, Augmentation] = {
    aug.name: aug
    for aug in (
        TimeStretchAugmentation(),
        PitchShiftAugmentation(),
        BackgroundNoiseAugmentation(),
        TalkOverAugmentation(),
        MicFilterAugmentation(),
        RoomReverbAugmentation(),
        ClippingAugmentation(),
        PhoneCodecAugmentation(),
        VoiceBurstsAugmentation(),
        GaussianNoiseAugmentation(),
        GainAugmentation(),
        BandPassAugmentation(),
    )
}


def available() -> list[str]:
    """Names of the registered augmentations.

    Examples
    --------
    >>> available()[:3]
    ['time_stretch', 'pitch_shift', 'background_noise']
    """
    return list(REGISTRY)


def get(name: str) -> Augmentation:
    """The augmentation registered as ``name``.

    Raises
    ------
    InvalidParameterError
        If no augmentation has that name (the message lists the valid ones).

    Examples
    --------
    >>> get("pitch_shift").name
    'pitch_shift'
    >>> get("flanger")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    babycry.errors.InvalidParameterError: Unknown augmentation 'flanger'; choose one of: time_stretch, ...
    """
    from ..errors import InvalidParameterError

    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise InvalidParameterError(f"Unknown augmentation {name!r}; choose one of: {', '.join(REGISTRY)}.") from None


def describe() -> list[dict[str, Any]]:
    """Every augmentation with its parameters, as plain data (what the app builds sliders from).

    Examples
    --------
    >>> describe()[0]["params"][0]["name"]
    'rate'
    """
    return [aug.to_dict() for aug in REGISTRY.values()]


def apply(
    samples: np.ndarray,
    *,
    sample_rate: int,
    name: str,
    params: Mapping[str, Any] | None = None,
    ranges: Mapping[str, Sequence[Any]] | None = None,
    seed: int | None = None,
    **options: Any,
) -> AugmentResult:
    """Apply one named augmentation and report the parameters it used.

    Parameters in ``params`` are fixed (applied exactly, with probability 1:
    the preview mode); parameters in ``ranges`` are drawn uniformly from
    ``(low, high)`` (the training mode); the rest take their defaults.

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples.
    sample_rate : int
        Their rate in Hz.
    name : str
        A registry name (see :func:`available`).
    params : mapping, optional
        Fixed values, e.g. ``{"semitones": 1}``.
    ranges : mapping, optional
        Random ranges, e.g. ``{"semitones": (-1.1, 1.1)}``.
    seed : int, optional
        Seed of every random draw (both the global generators audiomentations uses and the project's own).
    **options
        Passed to the transform (e.g. ``data_dir`` for recorded background noise).

    Returns
    -------
    AugmentResult

    Raises
    ------
    InvalidParameterError
        Unknown name or parameter, a value outside its range (echoed).
    InvalidAudioError
        Samples that are not mono finite float audio.

    Examples
    --------
    >>> import numpy as np
    >>> x = 0.1 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    >>> result = apply(x, sample_rate=16000, name="gain", params={"gain_db": 6}, seed=0)
    >>> round(result.params_used["gain_db"], 6), round(float(result.samples.max() / x.max()), 3)
    (6.0, 1.995)
    >>> apply(x, sample_rate=16000, name="gain", params={"gain_db": 60})
    Traceback (most recent call last):
    ...
    babycry.errors.InvalidParameterError: gain: gain_db must lie in [-24, 12] dB, got 60.
    """
    from ..audio import check_samples

    aug = get(name)
    x = check_samples(samples, sample_rate=sample_rate, what="augment")
    with seeded(seed):  # checks the seed, then seeds audiomentations' global generators
        transform = aug.transform(params, ranges=ranges, p=1.0, sample_rate=int(sample_rate),
                                  rng=np.random.default_rng(seed), **options)
        out = transform(x, sample_rate=int(sample_rate))
    used = aug.read_params(transform, x)
    return AugmentResult(samples=np.asarray(out, dtype=np.float32), sample_rate=int(sample_rate), name=aug.name,
                         params_used=used, applied=bool(used), seed=seed)
