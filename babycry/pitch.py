"""Pitch: the F0 track of a cry (pYIN) and how many of its harmonics stand above the noise.

An infant cry is a harmonic sound whose fundamental (F0, roughly 250-700 Hz)
glides within each burst.  :func:`f0_track` follows it on the loudest stretch
of a recording; :func:`harmonic_count` counts its harmonics below the analysis
band edge, frame by frame along that track.  :func:`babycry.features.clip_summary`
reports both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import librosa
import numpy as np
from scipy import signal

from .audio import check_samples, resample
from .errors import InvalidParameterError

__all__ = ["F0Track", "f0_track", "harmonic_count", "power_spectrum"]

# pYIN runs on an 8 kHz copy: F0 of an infant cry (150-1000 Hz) needs nothing above 4 kHz,
# and halving the rate halves the cost.
_F0_RATE = 8_000


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
# Harmonics
# --------------------------------------------------------------------------- #
def power_spectrum(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectrum with ~4 Hz resolution at 16 kHz (fine enough to resolve harmonics).

    Parameters
    ----------
    x : np.ndarray
        Checked mono samples (:func:`babycry.audio.check_samples`).
    sample_rate : int
        Their rate in Hz.

    Returns
    -------
    freqs, power : np.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> freqs, power = power_spectrum(np.sin(2 * np.pi * 500 * np.arange(16000) / 16000), 16000)
    >>> round(float(freqs[np.argmax(power)]) / 10) * 10
    500
    """
    nperseg = min(x.size, 4096 if sample_rate > 12_000 else 2048)
    freqs, power = signal.welch(x.astype(np.float64), fs=sample_rate, nperseg=nperseg, detrend="constant")
    return freqs, power


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
    freqs, power = power_spectrum(x, sample_rate)
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
