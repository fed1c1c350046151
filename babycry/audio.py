"""Audio in: channel mixing, resampling and the one validator.

Every entry point returns an :class:`Audio`: float32 mono samples in [-1, 1]
at :attr:`AudioConfig.sample_rate`, validated once.  Files and bytes are
decoded by :mod:`babycry.decode` (libsndfile for WAV, FLAC, OGG and MP3;
a locked-down ``ffmpeg`` for the formats browsers and phones record: WebM/Opus,
MP4/M4A/AAC, 3GP/AMR, CAF), within its size, duration, rate and channel limits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soxr

from .config import AudioConfig
from .decode import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, AudioSource, decode
from .errors import (
    AudioTooShortError,
    EmptyAudioError,
    InvalidAudioError,
    InvalidParameterError,
    NonFiniteAudioError,
    SilentAudioError,
)

__all__ = [
    "Audio", "AudioSource", "load", "from_array", "check_samples", "validate", "resample", "to_mono", "to_float32",
]


@dataclass(frozen=True)
class Audio:
    """Decoded, validated mono audio at the target rate.

    Attributes
    ----------
    samples : np.ndarray
        float32 mono samples in [-1, 1].
    sample_rate : int
        Rate of ``samples`` (the configured target rate).
    source_sample_rate : int
        Rate the input arrived at.
    source_channels : int
        Channel count of the input before mixing to mono.
    source_format : str
        Container/codec the input was decoded from (``"WAV"``, ``"webm/opus"``, ``"array"``…).
    source_duration_s : float
        Duration of the whole input, before any truncation.
    truncated : bool
        True when only the first ``AudioConfig.max_seconds`` were kept.

    Examples
    --------
    >>> import numpy as np
    >>> audio = from_array(np.sin(np.arange(24000) / 4).astype(np.float32), 8000)
    >>> audio.duration_s, audio.source_duration_s, audio.truncated
    (3.0, 3.0, False)
    """

    samples: np.ndarray
    sample_rate: int
    source_sample_rate: int
    source_channels: int
    source_format: str
    source_duration_s: float
    truncated: bool = False

    @property
    def duration_s(self) -> float:
        """Duration of :attr:`samples` in seconds."""
        return len(self.samples) / float(self.sample_rate)


# --------------------------------------------------------------------------- #
# Array conversion
# --------------------------------------------------------------------------- #
def to_float32(data: np.ndarray) -> np.ndarray:
    """Convert integer or float samples to float32 in [-1, 1].

    Integer PCM is scaled by its full-scale value (int16 by 32768, int32 by
    2**31, uint8 is offset by 128).  Float input whose peak exceeds 1 is scaled
    down by its peak rather than clipped, so its shape is kept.

    Parameters
    ----------
    data : np.ndarray
        Samples of any integer or floating dtype.

    Returns
    -------
    np.ndarray
        float32 samples, same shape.

    Raises
    ------
    InvalidAudioError
        If the dtype is not numeric audio (e.g. strings or complex numbers).

    Examples
    --------
    >>> import numpy as np
    >>> to_float32(np.array([0, 16384, -32768], dtype=np.int16)).tolist()
    [0.0, 0.5, -1.0]
    """
    data = np.asarray(data)
    if data.dtype == np.uint8:
        return ((data.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    if np.issubdtype(data.dtype, np.signedinteger):
        full_scale = float(2 ** (8 * data.dtype.itemsize - 1))
        return (data.astype(np.float64) / full_scale).astype(np.float32)
    if np.issubdtype(data.dtype, np.floating):
        if data.size and np.all(np.isfinite(data)):
            peak = float(np.max(np.abs(data)))
            if peak > 1.0:
                # Scaled in the input's own precision: float64 samples beyond float32's range stay finite.
                return (data / peak).astype(np.float32)
        return data.astype(np.float32)
    raise InvalidAudioError(f"Audio samples must be integers or floats, got dtype {data.dtype!s}.")


def to_mono(data: np.ndarray) -> np.ndarray:
    """Average the channels of ``(N,)``, ``(N, C)`` or ``(C, N)`` audio.

    Gradio and soundfile hand ``(N, C)``; librosa-style arrays are ``(C, N)``.
    The channel axis is taken to be the short one (at most 8 channels).

    Parameters
    ----------
    data : np.ndarray
        One- or two-dimensional samples.

    Returns
    -------
    np.ndarray
        One-dimensional samples.

    Raises
    ------
    InvalidAudioError
        If the array has more than two dimensions or no recognisable channel axis.

    Examples
    --------
    >>> import numpy as np
    >>> to_mono(np.array([[1.0, 0.0], [0.5, 0.5]])).tolist()
    [0.5, 0.5]
    """
    data = np.asarray(data)
    if data.ndim == 1:
        return data
    return data.mean(axis=_channel_axis(data.shape))


def _channel_axis(shape: tuple[int, ...]) -> int:
    """Axis holding the channels of a 2-D array: the short one, at most 8 long."""
    if len(shape) != 2:
        raise InvalidAudioError(f"Audio must be 1-D or 2-D (samples, channels), got shape {shape}.")
    rows, cols = shape
    if cols <= 8 and rows >= cols:
        return 1
    if rows <= 8:
        return 0
    raise InvalidAudioError(f"Cannot tell which axis holds the channels in audio of shape {shape}.")


def resample(samples: np.ndarray, *, orig_sr: int, target_sr: int) -> np.ndarray:
    """Resample with soxr (high quality), returning float32.

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples.
    orig_sr, target_sr : int
        Input and output rates in Hz.

    Returns
    -------
    np.ndarray
        Resampled float32 samples (the input itself when the rates match).

    Examples
    --------
    >>> import numpy as np
    >>> len(resample(np.zeros(8000, np.float32), orig_sr=8000, target_sr=16000))
    16000
    """
    if orig_sr == target_sr:
        return samples.astype(np.float32, copy=False)
    # soxr directly (librosa's own backend): librosa.resample pulls in numba, ~2 s on first call.
    return soxr.resample(samples.astype(np.float32, copy=False), orig_sr, target_sr, quality="HQ").astype(np.float32)


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #
def check_samples(
    samples: np.ndarray,
    *,
    sample_rate: int,
    what: str = "analyse",
    allow_empty: bool = False,
    min_seconds: float = 0.0,
    silence_peak_dbfs: float | None = None,
) -> np.ndarray:
    """The one check of samples handed to babycry; returns them as contiguous 1-D float32.

    Every function that takes raw samples (features, filters, codecs,
    augmentations, the model windows) checks them here, so the same input gets
    the same answer everywhere.  The rules, in order: ``sample_rate`` is a
    positive whole number; the samples are 1-D; their dtype is floating point
    (integer PCM goes through :func:`to_float32` or :func:`from_array` first, so
    its scale is right); not empty (unless ``allow_empty``); finite; at least
    ``min_seconds`` long; peak above ``silence_peak_dbfs`` (when given).

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples.
    sample_rate : int
        Their rate in Hz.
    what : str
        The verb the messages use ("analyse", "augment", "filter", ...).
    allow_empty : bool
        Accept zero samples (a filter maps nothing to nothing).
    min_seconds : float
        Shortest accepted duration.
    silence_peak_dbfs : float, optional
        Reject a peak below this level as digital silence; ``None``: silence is fine.

    Returns
    -------
    np.ndarray
        The samples as contiguous float32 (the input itself when it already is).

    Raises
    ------
    InvalidParameterError
        ``sample_rate`` is not a positive whole number.
    InvalidAudioError
        Not 1-D or not floating point; its subclasses ``EmptyAudioError``,
        ``NonFiniteAudioError``, ``AudioTooShortError``, ``SilentAudioError``
        for the other rules.

    Examples
    --------
    >>> import numpy as np
    >>> check_samples(np.zeros(4), sample_rate=16000).dtype
    dtype('float32')
    >>> check_samples(np.zeros((2, 4)), sample_rate=16000, what="augment")
    Traceback (most recent call last):
    ...
    babycry.errors.InvalidAudioError: Expected mono (1-D) samples to augment, got an array of shape (2, 4).
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise InvalidParameterError(f"sample_rate must be a positive whole number of Hz, got {sample_rate!r}.")
    arr = np.asarray(samples)
    if arr.ndim != 1:
        raise InvalidAudioError(f"Expected mono (1-D) samples to {what}, got an array of shape {arr.shape}.")
    if not np.issubdtype(arr.dtype, np.floating):
        raise InvalidAudioError(
            f"Expected float samples in [-1, 1] to {what}, got dtype {arr.dtype!s} "
            "(convert integer PCM with babycry.audio.to_float32 first)."
        )
    if arr.size == 0:
        if allow_empty:
            return np.ascontiguousarray(arr, dtype=np.float32)
        raise EmptyAudioError("The recording is empty: it holds no sound at all. Please record again.")
    # checked as returned: a float64 sample beyond float32's range becomes infinite in the cast (Hypothesis found it)
    with np.errstate(over="ignore"):
        arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise NonFiniteAudioError(f"The audio holds {bad} invalid (NaN or infinite) samples: babycry cannot {what} it.")
    seconds = arr.size / float(sample_rate)
    if seconds < min_seconds:
        raise AudioTooShortError(
            f"The recording is too short ({seconds:.2f} s): please record at least {min_seconds:g} s of crying."
        )
    if silence_peak_dbfs is not None:
        peak = float(np.max(np.abs(arr)))
        peak_dbfs = 20.0 * np.log10(peak) if peak > 0 else -np.inf
        if peak_dbfs < silence_peak_dbfs:
            level = "-inf" if not np.isfinite(peak_dbfs) else f"{peak_dbfs:.0f}"
            raise SilentAudioError(
                f"The recording is silent (peak level {level} dBFS): check that the microphone is on and close to "
                "the baby."
            )
    return arr


def validate(samples: np.ndarray, *, sample_rate: int, config: AudioConfig = AudioConfig()) -> None:
    """Check that a recording can be analysed: :func:`check_samples` with the analysis limits of ``config``.

    Not empty; finite; at least ``config.min_seconds`` long; peak above
    ``config.silence_peak_dbfs`` (not digital silence).

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples.
    sample_rate : int
        Their rate in Hz.
    config : AudioConfig
        Thresholds.

    Raises
    ------
    EmptyAudioError, NonFiniteAudioError, AudioTooShortError, SilentAudioError

    Examples
    --------
    >>> import numpy as np
    >>> validate(np.zeros(0, np.float32), sample_rate=16000)
    Traceback (most recent call last):
    ...
    babycry.errors.EmptyAudioError: The recording is empty: it holds no sound at all. Please record again.
    """
    check_samples(samples, sample_rate=sample_rate, min_seconds=config.min_seconds,
                  silence_peak_dbfs=config.silence_peak_dbfs)


def _finish(
    data: np.ndarray,
    *,
    sample_rate: int,
    source_format: str,
    source_duration_s: float | None,
    config: AudioConfig,
    validate_audio: bool,
) -> Audio:
    """Shared tail of every loader: mono, float, truncate, resample, validate."""
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        # Outside this range resampling would make nonsense (1 Hz "audio" lasting days) or take GBs.
        raise InvalidAudioError(
            f"The sample rate must lie between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} Hz, got {sample_rate} Hz."
        )
    data = np.asarray(data)
    channels = 1 if data.ndim == 1 else data.shape[_channel_axis(data.shape)]
    if data.size == 0:
        # Before mixing: the mean over no samples would be NaN, and the message would blame "invalid samples".
        raise EmptyAudioError("The recording is empty: it holds no sound at all. Please record again.")
    with np.errstate(over="ignore", invalid="ignore"):
        # NaN/inf (or float64 beyond float32 with them) only warn here; the validator rejects them with a message.
        mono = to_mono(to_float32(data))
    total_s = source_duration_s if source_duration_s is not None else mono.size / float(sample_rate)
    max_frames = int(round(config.max_seconds * sample_rate))
    truncated = total_s > config.max_seconds + 1e-6
    mono = mono[:max_frames]
    if validate_audio:
        # Validate before resampling: the checks are cheaper and the messages speak of what was sent.
        validate(mono, sample_rate=sample_rate, config=config)
    samples = resample(mono, orig_sr=sample_rate, target_sr=config.sample_rate)
    return Audio(
        samples=np.ascontiguousarray(samples, dtype=np.float32),
        sample_rate=config.sample_rate,
        source_sample_rate=int(sample_rate),
        source_channels=int(channels),
        source_format=source_format,
        source_duration_s=float(total_s),
        truncated=bool(truncated),
    )


def from_array(
    data: np.ndarray,
    sample_rate: int,
    *,
    config: AudioConfig = AudioConfig(),
    validate_audio: bool = True,
) -> Audio:
    """Build :class:`Audio` from an in-memory array, e.g. Gradio's ``(sr, ndarray)``.

    Parameters
    ----------
    data : np.ndarray
        Samples, shape ``(N,)``, ``(N, C)`` or ``(C, N)``; int16, int32, uint8 or float.
    sample_rate : int
        Rate of ``data`` in Hz (8 kHz to 192 kHz).
    config : AudioConfig
        Target rate, limits and validation thresholds.
    validate_audio : bool
        Apply :func:`validate` (the analysis limits).  Training code reading
        short reference clips turns this off.

    Returns
    -------
    Audio

    Raises
    ------
    InvalidAudioError
        If the array is not audio, its rate is out of range, or it fails validation.

    Examples
    --------
    >>> import numpy as np
    >>> tone = (np.sin(np.arange(48000) / 10) * 20000).astype(np.int16)
    >>> from_array(np.stack([tone, tone], axis=1), 48000).sample_rate
    16000
    """
    if data is None:
        raise EmptyAudioError("No audio was received: please record or upload a recording.")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float, np.integer, np.floating)):
        raise InvalidAudioError(f"The sample rate must be a whole number of Hz, got {sample_rate!r}.")
    if isinstance(sample_rate, (float, np.floating)) and not float(sample_rate).is_integer():
        raise InvalidAudioError(f"The sample rate must be a whole number of Hz, got {sample_rate!r}.")
    return _finish(
        np.asarray(data),
        sample_rate=int(sample_rate),
        source_format="array",
        source_duration_s=None,
        config=config,
        validate_audio=validate_audio,
    )


def load(
    source: AudioSource,
    *,
    config: AudioConfig = AudioConfig(),
    validate_audio: bool = True,
) -> Audio:
    """Load audio from a path, bytes or a binary file object.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        The recording.  WAV/FLAC/OGG/MP3 are read directly; WebM/Opus,
        MP4/M4A/AAC, 3GP/AMR and CAF are decoded by ``ffmpeg``
        (:func:`babycry.decode.decode`, with its limits).
    config : AudioConfig
        Target rate, limits and validation thresholds.  At most
        ``config.max_seconds`` are kept (``Audio.truncated`` says so).
    validate_audio : bool
        Apply :func:`validate`.

    Returns
    -------
    Audio

    Raises
    ------
    AudioDecodeError
        The path does not exist, the input is too large or too long, or the
        bytes are not audio (``UnsupportedFormatError``).
    InvalidAudioError
        The audio is empty, too short, silent or non-finite, or its rate or
        channel count is out of range.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.sin(np.arange(16000) / 5) * 0.5, 8000, format="WAV")
    >>> audio = load(buf.getvalue())
    >>> audio.source_sample_rate, audio.sample_rate, round(audio.duration_s, 2)
    (8000, 16000, 2.0)
    """
    decoded = decode(source, max_seconds=config.max_seconds)
    return _finish(
        decoded.data,
        sample_rate=decoded.sample_rate,
        source_format=decoded.source_format,
        source_duration_s=decoded.duration_s,
        config=config,
        validate_audio=validate_audio,
    )
