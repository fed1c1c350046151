"""One exception hierarchy for everything babycry rejects.

Every error derives from :class:`BabyCryError`, so an application can catch
that one class and show ``str(error)``: each message says what was wrong in
words a parent can read, and echoes the offending value.
"""

from __future__ import annotations

__all__ = [
    "BabyCryError",
    "InvalidAudioError",
    "EmptyAudioError",
    "AudioTooShortError",
    "SilentAudioError",
    "NonFiniteAudioError",
    "AudioDecodeError",
    "UnsupportedFormatError",
    "InvalidParameterError",
    "ModelLoadError",
    "DataError",
    "ModelInputWarning",
]


class BabyCryError(Exception):
    """Base class of every error babycry raises on purpose.

    Examples
    --------
    >>> import numpy as np
    >>> from babycry.audio import from_array
    >>> try:
    ...     from_array(np.zeros(100, np.int16), 16000)
    ... except BabyCryError as error:
    ...     print(type(error).__name__)
    AudioTooShortError
    """


class InvalidAudioError(BabyCryError, ValueError):
    """Audio was decoded but cannot be analysed."""


class EmptyAudioError(InvalidAudioError):
    """The recording holds no samples."""


class AudioTooShortError(InvalidAudioError):
    """The recording is shorter than the minimum analysed duration."""


class SilentAudioError(InvalidAudioError):
    """The recording is digital silence (nothing was captured)."""


class NonFiniteAudioError(InvalidAudioError):
    """The samples hold NaN or infinite values."""


class AudioDecodeError(BabyCryError, ValueError):
    """The input could not be read as audio."""


class UnsupportedFormatError(AudioDecodeError):
    """The input is not in any audio format babycry can decode."""


class InvalidParameterError(BabyCryError, ValueError):
    """A parameter (filter band, augmentation setting, …) is out of range."""


class ModelLoadError(BabyCryError, OSError):
    """A model checkpoint is missing, incomplete or corrupt."""


class DataError(BabyCryError, ValueError):
    """A data folder or its ``manifest.csv`` is missing or malformed."""


class ModelInputWarning(UserWarning):
    """A checkpoint was trained on audio prepared otherwise than babycry now prepares it (another rate, band or
    level): its answers may be off. Retrain it, or use the babycry version that trained it."""
