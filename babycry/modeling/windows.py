"""The fixed model windows: every window any model sees, in training and in use, is made here.

:func:`frame_windows` cuts the band-limited signal into windows of
``WindowConfig.window_seconds``, loudness-normalises each on its own content,
then fills it to the window's length when the recording is shorter (by
repeating it, :class:`~babycry.config.WindowConfig`).  Training builds its
windows through the same functions, so filling, duration and level cannot
tell the sources apart.
"""

from __future__ import annotations

import numpy as np

from ..audio import check_samples
from ..config import AudioConfig, WindowConfig
from ..errors import InvalidParameterError
from ..preprocess import band_limit, normalise_loudness

__all__ = ["window_bounds", "fit_window", "window_of", "frame_windows"]


def window_bounds(n_samples: int, *, sample_rate: int, window: WindowConfig = WindowConfig()) -> list[tuple[int, int]]:
    """Sample ranges of the analysis windows of a recording.

    Windows of ``window_seconds`` start every ``hop_seconds``; the last one is
    aligned to the end of the recording so that every window is full.  A
    recording shorter than one window gives a single (short) range.

    Parameters
    ----------
    n_samples : int
        Length of the recording in samples.
    sample_rate : int
        Its rate in Hz.
    window : WindowConfig
        Window and hop length.

    Returns
    -------
    list of (start, end)
        Sample indices, ``end`` exclusive.

    Examples
    --------
    >>> window_bounds(7 * 16000, sample_rate=16000)
    [(0, 48000), (32000, 80000), (64000, 112000)]
    """
    if window.window_seconds <= 0 or window.hop_seconds <= 0:
        raise InvalidParameterError(
            f"Window and hop must be positive, got window={window.window_seconds!r} s, hop={window.hop_seconds!r} s."
        )
    length = int(round(window.window_seconds * sample_rate))
    hop = int(round(window.hop_seconds * sample_rate))
    if n_samples <= length:
        return [(0, int(n_samples))]
    starts = list(range(0, n_samples - length + 1, hop))
    if starts[-1] + length < n_samples:
        starts.append(n_samples - length)
    return [(s, s + length) for s in starts]


def fit_window(segment: np.ndarray, *, length: int, target_rms_dbfs: float, fill: str = "zeros",
               fade: int = 0) -> np.ndarray:
    """Loudness-normalise one segment on its own content and fill/crop it to ``length``.

    Parameters
    ----------
    segment : np.ndarray
        Mono float samples.
    length : int
        Window length in samples.
    target_rms_dbfs : float
        Loudness target (on the segment's own content).
    fill : {"repeat", "zeros"}
        How a shorter segment reaches ``length``: played again (each copy faded in and out over ``fade``
        samples, so no join clicks) or padded with zeros.
    fade : int
        Fade length in samples for ``"repeat"`` (at most a quarter of the segment).

    Examples
    --------
    >>> import numpy as np
    >>> w = fit_window(np.ones(10, np.float32), length=16, target_rms_dbfs=-20.0, fill="repeat")
    >>> w.shape, bool(w[12] > 0)
    ((16,), True)
    >>> float(fit_window(np.ones(10, np.float32), length=16, target_rms_dbfs=-20.0)[12])
    0.0
    """
    if fill not in ("repeat", "zeros"):
        raise InvalidParameterError(f"fill must be 'repeat' or 'zeros', got {fill!r}.")
    segment = normalise_loudness(np.asarray(segment, dtype=np.float32)[:length], target_rms_dbfs=target_rms_dbfs)
    segment = np.asarray(segment, dtype=np.float32)
    if segment.size == length:
        return segment
    out = np.zeros(length, dtype=np.float32)
    if fill == "zeros" or segment.size == 0:
        out[: segment.size] = segment
        return out
    n = segment.size
    f = min(int(fade), n // 4)
    if f > 0:
        # fade every copy in and out: the joins dip instead of stepping (a step is a broadband click)
        ramp = np.linspace(0.0, 1.0, f + 2, dtype=np.float32)[1:-1]
        segment = segment.copy()
        segment[:f] *= ramp
        segment[-f:] *= ramp[::-1]
    return np.tile(segment, -(-length // n))[:length]


def window_of(segment: np.ndarray, *, sample_rate: int, window: WindowConfig = WindowConfig(),
              audio_config: AudioConfig = AudioConfig()) -> np.ndarray:
    """One model window from a segment: :func:`fit_window` with the window's length, fill and fade.

    Examples
    --------
    >>> import numpy as np
    >>> window_of(np.ones(16000, np.float32), sample_rate=16000).shape
    (48000,)
    """
    return fit_window(segment, length=int(round(window.window_seconds * sample_rate)),
                      target_rms_dbfs=audio_config.target_rms_dbfs, fill=window.short_fill,
                      fade=int(round(window.fade_seconds * sample_rate)))


def frame_windows(
    samples: np.ndarray,
    *,
    sample_rate: int,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    band_limited: bool = False,
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Cut a recording into the fixed model windows.

    The signal is band-limited to ``audio_config.band_limit_hz`` (unless
    ``band_limited``), each window is loudness-normalised to
    ``audio_config.target_rms_dbfs`` on its own content and filled to
    ``window.window_seconds`` when the recording is shorter (``window.short_fill``).

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples at ``sample_rate`` (16 kHz for the models).
    sample_rate : int
        Their rate in Hz.
    window : WindowConfig
        Window and hop.
    audio_config : AudioConfig
        Band edge and loudness target.
    band_limited : bool
        The samples are already band-limited (skip the filter).

    Returns
    -------
    windows : np.ndarray
        float32 array ``(n_windows, window_samples)``.
    spans : list of (start_s, end_s)
        Where each window lies in the recording (the real, unpadded extent).

    Raises
    ------
    InvalidAudioError
        The samples are empty, not 1-D float or not finite (:func:`babycry.audio.check_samples`).

    Examples
    --------
    >>> import numpy as np
    >>> w, spans = frame_windows(np.random.default_rng(0).normal(size=16000 * 4) * 0.1, sample_rate=16000)
    >>> w.shape, spans
    ((2, 48000), [(0.0, 3.0), (1.0, 4.0)])
    """
    samples = check_samples(samples, sample_rate=sample_rate, what="analyse")
    if not band_limited:
        samples = band_limit(samples, sample_rate=sample_rate, cutoff_hz=audio_config.band_limit_hz)
    bounds = window_bounds(samples.size, sample_rate=sample_rate, window=window)
    windows = np.stack([window_of(samples[s:e], sample_rate=sample_rate, window=window, audio_config=audio_config)
                        for s, e in bounds])
    spans = [(round(s / sample_rate, 3), round(e / sample_rate, 3)) for s, e in bounds]
    return windows, spans
