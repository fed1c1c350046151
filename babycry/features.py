"""Features: log-mel spectrogram, level range, dominant frequency, per-clip summaries.

Every function takes mono float samples and their rate, checks them once with
:func:`babycry.audio.check_samples`, and returns a small frozen dataclass.  The per-clip
summary holds the values the origin project's EDA looked at (duration, sample
rate, RMS magnitude, dominant frequency, F0, number of harmonics).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import librosa
import numpy as np

from .audio import check_samples
from .config import AudioConfig, MelConfig, SteadySoundConfig
from .errors import InvalidAudioError, InvalidParameterError
from .pitch import f0_track, harmonic_count, power_spectrum
from .preprocess import rms_dbfs

__all__ = [
    "Spectrogram",
    "ClipSummary",
    "log_mel",
    "dominant_frequency",
    "level_range_db",
    "clip_summary",
]

def level_range_db(samples: np.ndarray, *, sample_rate: int, config: SteadySoundConfig = SteadySoundConfig()) -> float:
    """How much a sound's level moves: the spread of its short-frame levels in dB.

    The level of each non-overlapping ``config.frame_seconds`` frame is taken
    (10 log10 of its mean square, floored at -120 dB so that digital silence
    counts as a large drop), and the distance between its
    ``config.low_percentile`` and ``config.high_percentile`` is returned.  A cry,
    which comes in breaths, spans far more than a hum, a fan or a steady tone.

    Parameters
    ----------
    samples : np.ndarray
        Mono samples.
    sample_rate : int
        Their rate in Hz.
    config : SteadySoundConfig
        Frame length and percentiles.

    Returns
    -------
    float
        The level range in dB (0 for a perfectly steady sound).

    Raises
    ------
    InvalidAudioError
        If there are fewer than two frames to compare.
    InvalidParameterError
        If the frame length is not positive or the percentiles are not ``0 <= low < high <= 100``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> round(level_range_db(np.sin(2 * np.pi * 440 * t), sample_rate=16000), 1)
    0.0
    """
    if not config.frame_seconds > 0:
        raise InvalidParameterError(f"frame_seconds must be positive, got {config.frame_seconds!r}.")
    if not 0.0 <= config.low_percentile < config.high_percentile <= 100.0:
        raise InvalidParameterError(
            f"Percentiles must satisfy 0 <= low < high <= 100, got {config.low_percentile!r} and "
            f"{config.high_percentile!r}."
        )
    x = check_samples(samples, sample_rate=sample_rate).astype(np.float64)
    frame = max(1, int(round(config.frame_seconds * sample_rate)))
    n = x.size // frame
    if n < 2:
        raise InvalidAudioError(
            f"{x.size / sample_rate:.3f} s is too short to measure how the level moves "
            f"(needs two {config.frame_seconds:g} s frames)."
        )
    levels = 10.0 * np.log10(np.maximum(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1), 1e-12))
    low, high = np.percentile(levels, [config.low_percentile, config.high_percentile])
    return float(high - low)


# --------------------------------------------------------------------------- #
# Log-mel spectrogram
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Spectrogram:
    """A log-magnitude spectrogram on a mel (or linear) frequency axis.

    Attributes
    ----------
    values : np.ndarray
        Levels in dB, shape ``(n_freqs, n_frames)``; 0 dB is the loudest bin.
    times_s : np.ndarray
        Centre time of each frame in seconds, shape ``(n_frames,)``.
    freqs_hz : np.ndarray
        Centre frequency of each row in Hz, shape ``(n_freqs,)``.

    Examples
    --------
    >>> import numpy as np
    >>> log_mel(np.ones(1600), sample_rate=16000).shape
    (64, 11)
    """

    values: np.ndarray
    times_s: np.ndarray
    freqs_hz: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_freqs, n_frames)``."""
        return tuple(self.values.shape)  # type: ignore[return-value]


def log_mel(
    samples: np.ndarray,
    *,
    sample_rate: int,
    config: MelConfig = MelConfig(),
    reference_rate: int = AudioConfig().sample_rate,
) -> Spectrogram:
    """Log-mel spectrogram in dB relative to the loudest bin.

    The mel bank spans ``config.fmin_hz`` to ``min(config.fmax_hz, sample_rate / 2)``,
    so an 8 kHz and a 16 kHz copy of the same band-limited signal give the same
    picture.  ``config.n_fft`` and ``config.hop_length`` are meant at
    ``reference_rate`` (the target rate, 16 kHz); at other rates they are scaled
    so that frames keep their duration (and a 48 kHz input gets no empty mel
    filters).  About 15 ms for a 7 s clip at 16 kHz.

    Parameters
    ----------
    samples : np.ndarray
        Mono samples.
    sample_rate : int
        Their rate in Hz.
    config : MelConfig
        FFT size, hop, number of mel bands, frequency range, dynamic range.
    reference_rate : int
        Rate at which ``config.n_fft`` / ``config.hop_length`` apply unchanged.

    Returns
    -------
    Spectrogram
        ``values`` of shape ``(config.n_mels, n_frames)``, floored at ``-config.top_db``.

    Raises
    ------
    InvalidAudioError
        If the samples are empty, not 1-D or not finite.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> spec = log_mel(np.sin(2 * np.pi * 1000 * t), sample_rate=16000)
    >>> spec.values.shape
    (64, 101)
    >>> bool(abs(spec.freqs_hz[spec.values.mean(axis=1).argmax()] - 1000) < 60)
    True
    """
    x = check_samples(samples, sample_rate=sample_rate)
    fmax = min(config.fmax_hz, sample_rate / 2.0)
    if not 0 <= config.fmin_hz < fmax:
        raise InvalidParameterError(
            f"The mel range must satisfy 0 <= fmin < fmax <= sample_rate/2; got fmin={config.fmin_hz:g} Hz, "
            f"fmax={fmax:g} Hz at {sample_rate} Hz."
        )
    scale = sample_rate / float(reference_rate)
    n_fft = config.n_fft if scale == 1 else int(2 ** round(math.log2(config.n_fft * scale)))
    hop = config.hop_length if scale == 1 else max(1, int(round(config.hop_length * scale)))
    power = librosa.feature.melspectrogram(
        y=x,
        sr=sample_rate,
        n_fft=n_fft,
        hop_length=hop,
        n_mels=config.n_mels,
        fmin=config.fmin_hz,
        fmax=fmax,
        power=2.0,
    )
    ref = float(power.max())
    if ref <= 0:  # all-zero input: a flat picture at the floor, not a division by zero
        values = np.full(power.shape, -config.top_db, dtype=np.float32)
    else:
        values = librosa.power_to_db(power, ref=ref, amin=1e-10, top_db=config.top_db).astype(np.float32)
    times = librosa.frames_to_time(np.arange(values.shape[1]), sr=sample_rate, hop_length=hop)
    freqs = librosa.mel_frequencies(n_mels=config.n_mels, fmin=config.fmin_hz, fmax=fmax)
    return Spectrogram(values=values, times_s=times.astype(np.float64), freqs_hz=freqs.astype(np.float64))


# --------------------------------------------------------------------------- #
# Spectrum-based values
# --------------------------------------------------------------------------- #
def dominant_frequency(samples: np.ndarray, *, sample_rate: int, max_hz: float = 4000.0) -> float:
    """Frequency (Hz) of the strongest peak of the Welch power spectrum below ``max_hz``.

    Parameters
    ----------
    samples : np.ndarray
        Mono samples.
    sample_rate : int
        Their rate in Hz.
    max_hz : float
        Upper end of the searched band (the analysis band edge).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> x = np.sin(2 * np.pi * 700 * t) + 0.3 * np.sin(2 * np.pi * 5000 * t)
    >>> round(dominant_frequency(x, sample_rate=16000) / 10) * 10
    700
    """
    x = check_samples(samples, sample_rate=sample_rate)
    freqs, power = power_spectrum(x, sample_rate)
    band = (freqs > 20.0) & (freqs <= max_hz)  # skip DC and sub-audio rumble
    if not band.any():
        raise InvalidParameterError(f"No frequency bin lies in (20, {max_hz:g}] Hz at {sample_rate} Hz.")
    return float(freqs[band][np.argmax(power[band])])


# --------------------------------------------------------------------------- #
# Per-clip summary (the EDA values)
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ClipSummary:
    """The per-clip values the origin project's EDA plotted.

    Attributes
    ----------
    duration_s : float
        Length of the analysed samples.
    sample_rate : int
        Their rate in Hz.
    rms_dbfs : float
        RMS magnitude in dB full scale.
    peak_dbfs : float
        Peak magnitude in dB full scale.
    dominant_hz : float
        Strongest spectral peak below the band edge.
    f0_median_hz : float
        Median pYIN F0 over voiced frames (NaN when nothing is voiced).
    n_harmonics : int
        Harmonics of the F0 above the noise floor below the band edge (median over voiced frames).
    voiced_fraction : float
        Fraction of pYIN frames judged voiced.

    Examples
    --------
    >>> ClipSummary(7.0, 16000, -20.0, -3.0, 450.0, 440.0, 6, 0.8).n_harmonics
    6
    """

    duration_s: float
    sample_rate: int
    rms_dbfs: float
    peak_dbfs: float
    dominant_hz: float
    f0_median_hz: float
    n_harmonics: int
    voiced_fraction: float

    def to_dict(self) -> dict[str, float | int | None]:
        """A JSON-ready dict; NaN and infinite values become ``None``.

        Examples
        --------
        >>> ClipSummary(1.0, 16000, -20.0, -3.0, 500.0, float("nan"), 0, 0.0).to_dict()["f0_median_hz"] is None
        True
        """
        out: dict[str, float | int | None] = {}
        for key, value in asdict(self).items():
            if isinstance(value, float) and not math.isfinite(value):
                out[key] = None
            elif isinstance(value, float):
                out[key] = round(value, 4)
            else:
                out[key] = value
        return out


def clip_summary(
    samples: np.ndarray,
    *,
    sample_rate: int,
    max_hz: float = 4000.0,
    f0_max_seconds: float = 3.0,
    fmin_hz: float = 150.0,
    fmax_hz: float = 1000.0,
) -> ClipSummary:
    """Compute the EDA values for one clip.

    F0 comes from :func:`babycry.pitch.f0_track` on the loudest ``f0_max_seconds`` (so this
    takes about 0.2 s per clip); the harmonic count is the median per-frame
    count over that stretch's voiced frames (see :func:`babycry.pitch.harmonic_count`).

    Parameters
    ----------
    samples : np.ndarray
        Mono samples (usually band-limited, not loudness-normalised, so the RMS
        level is the recording's own).
    sample_rate : int
        Their rate in Hz.
    max_hz : float
        Band edge for the dominant frequency and harmonics.
    f0_max_seconds : float
        Longest stretch given to pYIN.
    fmin_hz, fmax_hz : float
        F0 search range.

    Returns
    -------
    ClipSummary

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> x = 0.1 * sum(np.sin(2 * np.pi * 400 * k * t) / k for k in range(1, 4))
    >>> s = clip_summary(x, sample_rate=16000)
    >>> s.duration_s, int(round(s.dominant_hz, -1)), round(s.f0_median_hz / 400, 2), s.n_harmonics
    (1.0, 400, 1.0, 3)
    """
    x = check_samples(samples, sample_rate=sample_rate)
    track = f0_track(x, sample_rate=sample_rate, fmin_hz=fmin_hz, fmax_hz=fmax_hz, max_seconds=f0_max_seconds)
    start = int(round(track.offset_s * sample_rate))
    stretch = x[start : start + int(round(f0_max_seconds * sample_rate))]
    peak = float(np.max(np.abs(x)))
    return ClipSummary(
        duration_s=x.size / float(sample_rate),
        sample_rate=int(sample_rate),
        rms_dbfs=rms_dbfs(x),
        peak_dbfs=20.0 * math.log10(peak) if peak > 0 else float("-inf"),
        dominant_hz=dominant_frequency(x, sample_rate=sample_rate, max_hz=max_hz),
        f0_median_hz=track.median_hz,
        n_harmonics=harmonic_count(stretch, sample_rate=sample_rate, f0_hz=track, max_hz=max_hz),
        voiced_fraction=track.voiced_fraction,
    )
