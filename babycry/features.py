"""Features: log-mel spectrogram, F0 track (pYIN), harmonic count, per-clip summaries.

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
from scipy import signal

from .audio import check_samples, resample
from .config import AudioConfig, MelConfig, SteadySoundConfig
from .errors import InvalidAudioError, InvalidParameterError
from .preprocess import rms_dbfs

__all__ = [
    "Spectrogram",
    "F0Track",
    "ClipSummary",
    "log_mel",
    "f0_track",
    "harmonic_count",
    "dominant_frequency",
    "level_range_db",
    "clip_summary",
]

# pYIN runs on an 8 kHz copy: F0 of an infant cry (150-1000 Hz) needs nothing above 4 kHz,
# and halving the rate halves the cost.
_F0_RATE = 8_000


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
# F0
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class F0Track:
    """Fundamental-frequency track from pYIN.

    Attributes
    ----------
    times_s : np.ndarray
        Frame times in seconds from the start of the analysed input.
    f0_hz : np.ndarray
        F0 per frame in Hz, NaN where unvoiced.
    voiced : np.ndarray
        bool per frame: pYIN's voicing decision.
    voiced_probability : np.ndarray
        pYIN's voicing probability per frame.
    offset_s : float
        Where the analysed stretch starts in the input (see ``max_seconds``).

    Examples
    --------
    >>> import numpy as np
    >>> track = F0Track(np.array([0.0, 0.1]), np.array([400.0, np.nan]), np.array([True, False]), np.array([0.9, 0.1]))
    >>> track.median_hz, track.voiced_fraction
    (400.0, 0.5)
    """

    times_s: np.ndarray
    f0_hz: np.ndarray
    voiced: np.ndarray
    voiced_probability: np.ndarray
    offset_s: float = 0.0

    @property
    def median_hz(self) -> float:
        """Median F0 of the voiced frames (NaN when none is voiced)."""
        voiced = self.f0_hz[self.voiced & np.isfinite(self.f0_hz)]
        return float(np.median(voiced)) if voiced.size else float("nan")

    @property
    def voiced_fraction(self) -> float:
        """Fraction of frames judged voiced."""
        return float(np.mean(self.voiced)) if self.voiced.size else 0.0


def _loudest_stretch(x: np.ndarray, *, sample_rate: int, seconds: float) -> int:
    """Start index of the ``seconds``-long stretch with the most energy (0 if x is shorter)."""
    n = int(round(seconds * sample_rate))
    if x.size <= n:
        return 0
    energy = np.concatenate([[0.0], np.cumsum(x.astype(np.float64) ** 2)])
    step = max(1, sample_rate // 20)  # 50 ms grid is plenty
    starts = np.arange(0, x.size - n + 1, step)
    return int(starts[np.argmax(energy[starts + n] - energy[starts])])


def f0_track(
    samples: np.ndarray,
    *,
    sample_rate: int,
    fmin_hz: float = 150.0,
    fmax_hz: float = 1000.0,
    max_seconds: float = 3.0,
    frame_length: int = 512,
    hop_length: int = 128,
) -> F0Track:
    """Track F0 with pYIN on at most ``max_seconds`` of the input.

    pYIN is slow in librosa (a Viterbi pass over hundreds of pitch candidates per
    frame), so the signal is resampled to 8 kHz, analysed with 64 ms frames and
    a 16 ms hop (``frame_length`` / ``hop_length`` are in samples at 8 kHz), and
    only the loudest ``max_seconds`` stretch is used: about 0.15 s for 3 s of
    audio on one core (the first call in a fresh environment also compiles
    librosa's numba kernels, a few seconds, cached on disk afterwards).

    Parameters
    ----------
    samples : np.ndarray
        Mono samples.
    sample_rate : int
        Their rate in Hz.
    fmin_hz, fmax_hz : float
        Search range; the defaults cover infant cries (roughly 250-700 Hz, with
        excursions) but not adult speech.
    max_seconds : float
        Longest stretch analysed; the loudest one is chosen.
    frame_length, hop_length : int
        pYIN frame and hop, in samples at 8 kHz.

    Returns
    -------
    F0Track

    Raises
    ------
    InvalidParameterError
        If the search range or frame settings are invalid.
    InvalidAudioError
        If the samples are unusable.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> track = f0_track(np.sin(2 * np.pi * 440 * t), sample_rate=16000)
    >>> round(track.median_hz / 440, 2), track.voiced_fraction > 0.9
    (1.0, True)
    """
    x = check_samples(samples, sample_rate=sample_rate)
    if not (0 < fmin_hz < fmax_hz < _F0_RATE / 2):
        raise InvalidParameterError(
            f"The F0 search range must satisfy 0 < fmin < fmax < {_F0_RATE // 2} Hz; "
            f"got fmin={fmin_hz!r}, fmax={fmax_hz!r}."
        )
    if not max_seconds > 0:
        raise InvalidParameterError(f"max_seconds must be positive, got {max_seconds!r}.")
    if hop_length <= 0 or frame_length < 2 * _F0_RATE / fmin_hz:
        raise InvalidParameterError(
            f"frame_length must hold two periods of fmin ({math.ceil(2 * _F0_RATE / fmin_hz)} samples at 8 kHz) "
            f"and hop_length must be positive; got frame_length={frame_length!r}, hop_length={hop_length!r}."
        )
    start = _loudest_stretch(x, sample_rate=sample_rate, seconds=max_seconds)
    stretch = x[start : start + int(round(max_seconds * sample_rate))]
    y = resample(stretch, orig_sr=sample_rate, target_sr=_F0_RATE)
    if y.size < frame_length:  # pYIN needs one whole frame
        y = np.pad(y, (0, frame_length - y.size))
    f0, voiced, prob = librosa.pyin(
        y,
        fmin=fmin_hz,
        fmax=fmax_hz,
        sr=_F0_RATE,
        frame_length=frame_length,
        hop_length=hop_length,
        center=True,
    )
    times = librosa.times_like(f0, sr=_F0_RATE, hop_length=hop_length)
    return F0Track(
        times_s=times.astype(np.float64),
        f0_hz=np.asarray(f0, dtype=np.float64),
        voiced=np.asarray(voiced, dtype=bool),
        voiced_probability=np.asarray(prob, dtype=np.float64),
        offset_s=start / float(sample_rate),
    )


# --------------------------------------------------------------------------- #
# Spectrum-based values
# --------------------------------------------------------------------------- #
def _power_spectrum(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectrum with ~4 Hz resolution at 16 kHz (fine enough to resolve harmonics)."""
    nperseg = min(x.size, 4096 if sample_rate > 12_000 else 2048)
    freqs, power = signal.welch(x.astype(np.float64), fs=sample_rate, nperseg=nperseg, detrend="constant")
    return freqs, power


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
    freqs, power = _power_spectrum(x, sample_rate)
    band = (freqs > 20.0) & (freqs <= max_hz)  # skip DC and sub-audio rumble
    if not band.any():
        raise InvalidParameterError(f"No frequency bin lies in (20, {max_hz:g}] Hz at {sample_rate} Hz.")
    return float(freqs[band][np.argmax(power[band])])


def _count_peaks(
    freqs: np.ndarray, power: np.ndarray, *, f0_hz: float, max_hz: float, threshold_db: float, tolerance: float
) -> int:
    """Harmonics of ``f0_hz`` whose strongest nearby bin stands ``threshold_db`` above the band's floor."""
    band = (freqs > 20.0) & (freqs <= max_hz)
    if not band.any():
        return 0
    # The floor is the band's median power, but never more than 60 dB below its peak: a clean
    # synthetic signal has a floor of window leakage that would otherwise count as "harmonics".
    floor = max(float(np.median(power[band])), float(power[band].max()) * 1e-6, float(np.finfo(np.float64).tiny))
    df = freqs[1] - freqs[0]
    count = 0
    for k in range(1, int(max_hz // f0_hz) + 1):
        centre = k * f0_hz
        half = max(tolerance * centre, 2 * df)
        near = (freqs >= centre - half) & (freqs <= min(centre + half, max_hz))
        if near.any() and 10.0 * np.log10(power[near].max() / floor) >= threshold_db:
            count += 1
    return count


def harmonic_count(
    samples: np.ndarray,
    *,
    sample_rate: int,
    f0_hz: float | F0Track,
    max_hz: float = 4000.0,
    threshold_db: float = 10.0,
    tolerance: float = 0.04,
) -> int:
    """Count the harmonics of the F0 that stand above the noise floor below ``max_hz``.

    With a number ``f0_hz`` the whole input's Welch power spectrum is searched
    (right for a steady tone).  With an :class:`F0Track` (the input must be the
    stretch the track analysed) each voiced frame's 64 ms spectrum is searched
    around the harmonics of *that frame's* F0 and the median count is returned:
    a cry's F0 glides by a quarter or more within a burst, which smears the upper
    harmonics of a long-term spectrum into the floor.

    The noise floor is the median power over the band; harmonic ``k`` counts
    when the strongest bin within ``±tolerance · k · f0`` (at least ±2 bins)
    lies at least ``threshold_db`` above it (the floor is raised to 60 dB below
    the band's peak when the signal is cleaner than that).

    Parameters
    ----------
    samples : np.ndarray
        Mono samples.
    sample_rate : int
        Their rate in Hz.
    f0_hz : float or F0Track
        Fundamental frequency (NaN gives 0), or an F0 track of ``samples``.
    max_hz : float
        Upper end of the band searched.
    threshold_db : float
        How far above the noise floor a harmonic must stand.
    tolerance : float
        Relative search half-width around each harmonic.

    Returns
    -------
    int
        The number of harmonics (the fundamental counts as the first).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> x = sum(np.sin(2 * np.pi * 500 * k * t) / k for k in range(1, 6))
    >>> harmonic_count(x + 0.001 * np.random.default_rng(0).standard_normal(t.size), sample_rate=16000, f0_hz=500)
    5
    >>> harmonic_count(x, sample_rate=16000, f0_hz=f0_track(x, sample_rate=16000))
    5
    """
    x = check_samples(samples, sample_rate=sample_rate)
    max_hz = min(max_hz, sample_rate / 2.0)
    if isinstance(f0_hz, F0Track):
        return _track_harmonics(
            x, sample_rate=sample_rate, track=f0_hz, max_hz=max_hz, threshold_db=threshold_db, tolerance=tolerance
        )
    if not np.isfinite(f0_hz):
        return 0
    if f0_hz <= 0:
        raise InvalidParameterError(f"f0_hz must be a positive frequency, got {f0_hz!r}.")
    freqs, power = _power_spectrum(x, sample_rate)
    return _count_peaks(freqs, power, f0_hz=float(f0_hz), max_hz=max_hz, threshold_db=threshold_db,
                        tolerance=tolerance)


def _track_harmonics(
    x: np.ndarray, *, sample_rate: int, track: F0Track, max_hz: float, threshold_db: float, tolerance: float
) -> int:
    """Median per-frame harmonic count over the voiced frames of ``track``."""
    n_fft = int(2 ** math.ceil(math.log2(0.064 * sample_rate)))
    window = np.hanning(n_fft)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    counts = []
    for t, f0, is_voiced in zip(track.times_s, track.f0_hz, track.voiced, strict=True):
        if not (is_voiced and np.isfinite(f0)):
            continue
        centre = int(round(t * sample_rate))
        frame = x[max(0, centre - n_fft // 2) : centre + n_fft // 2]
        if frame.size < n_fft // 2:
            continue
        frame = np.pad(frame, (0, n_fft - frame.size))
        power = np.abs(np.fft.rfft(frame * window)) ** 2
        counts.append(_count_peaks(freqs, power, f0_hz=float(f0), max_hz=max_hz, threshold_db=threshold_db,
                                   tolerance=tolerance))
    return int(np.median(counts)) if counts else 0


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

    F0 comes from :func:`f0_track` on the loudest ``f0_max_seconds`` (so this
    takes about 0.2 s per clip); the harmonic count is the median per-frame
    count over that stretch's voiced frames (see :func:`harmonic_count`).

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
