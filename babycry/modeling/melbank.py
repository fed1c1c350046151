"""Triangular mel filter banks and the symmetric Hann window, in numpy alone.

The models' feature extractors take their filter banks from ``transformers.audio_utils``; serving a checkpoint
without transformers (:mod:`babycry.modeling.serving`: its import is ~1.2 s of the app's start-up on a CPU
without AVX-512) needs the same matrices. They are the textbook triangles (HTK's and Kaldi's mel scales), computed
here in the same float64 steps, so they equal transformers' bit for bit (tests).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["MEL_SCALES", "hz_to_mel", "mel_to_hz", "triangular_mel_bank", "symmetric_hann"]

#: ``"htk"``: 2595 log10(1 + f/700); ``"kaldi"``: 1127 ln(1 + f/700) (the same curve, Kaldi's constants).
MEL_SCALES = ("htk", "kaldi")


def hz_to_mel(hz: float | np.ndarray, *, scale: str = "htk") -> float | np.ndarray:
    """Frequency in Hz on the mel scale ``scale``.

    Examples
    --------
    >>> round(float(hz_to_mel(1000.0)), 1), round(float(hz_to_mel(1000.0, scale="kaldi")), 1)
    (1000.0, 1000.0)
    """
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + hz / 700.0)
    if scale == "kaldi":
        return 1127.0 * np.log(1.0 + hz / 700.0)
    raise InvalidParameterError(f"scale must be one of {MEL_SCALES}, got {scale!r}.")


def mel_to_hz(mel: float | np.ndarray, *, scale: str = "htk") -> float | np.ndarray:
    """Inverse of :func:`hz_to_mel`.

    Examples
    --------
    >>> round(float(mel_to_hz(hz_to_mel(440.0))), 6)
    440.0
    """
    if scale == "htk":
        return 700.0 * (np.power(10, mel / 2595.0) - 1.0)
    if scale == "kaldi":
        return 700.0 * (np.exp(mel / 1127.0) - 1.0)
    raise InvalidParameterError(f"scale must be one of {MEL_SCALES}, got {scale!r}.")


def triangular_mel_bank(*, n_bins: int, n_filters: int, min_hz: float, max_hz: float, sampling_rate: float,
                        scale: str = "htk", in_mel_space: bool = False) -> np.ndarray:
    """``(n_bins, n_filters)`` float64 triangles, unnormalised (peak 1), over an STFT's ``n_bins`` bins.

    The filters' corners lie evenly on the mel scale between ``min_hz`` and ``max_hz``. With ``in_mel_space``
    (Kaldi) each triangle is drawn in mels over the bins' mel positions, otherwise in Hz over bins spread evenly
    from 0 to ``sampling_rate // 2``.

    Examples
    --------
    >>> bank = triangular_mel_bank(n_bins=257, n_filters=64, min_hz=20, max_hz=8000, sampling_rate=16000,
    ...                            scale="kaldi", in_mel_space=True)
    >>> bank.shape, float(bank.max()) <= 1.0
    ((257, 64), True)
    """
    if n_bins < 2 or n_filters < 1 or not 0 <= min_hz <= max_hz:
        raise InvalidParameterError(f"Need n_bins >= 2, n_filters >= 1 and 0 <= min_hz <= max_hz, got {n_bins}, "
                                    f"{n_filters}, {min_hz}, {max_hz}.")
    corners_mel = np.linspace(hz_to_mel(min_hz, scale=scale), hz_to_mel(max_hz, scale=scale), n_filters + 2)
    if in_mel_space:
        bin_width = sampling_rate / ((n_bins - 1) * 2)
        centres, corners = hz_to_mel(bin_width * np.arange(n_bins), scale=scale), corners_mel
    else:
        centres, corners = np.linspace(0, sampling_rate // 2, n_bins), mel_to_hz(corners_mel, scale=scale)
    width = np.diff(corners)
    distance = corners[None, :] - centres[:, None]  # (bins, corners): how far each corner lies above each bin
    rising = -distance[:, :-2] / width[:-1]
    falling = distance[:, 2:] / width[1:]
    return np.maximum(np.zeros(1), np.minimum(rising, falling))


def symmetric_hann(length: int) -> np.ndarray:
    """The symmetric Hann window of ``length`` samples (``numpy.hanning``), float64.

    Examples
    --------
    >>> symmetric_hann(5).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    return np.hanning(length)
