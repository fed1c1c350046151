"""The fixed model windows: every window any model sees, in training and in use, is made here.

:func:`frame_windows` cuts the band-limited signal into windows of
``WindowConfig.window_seconds``, loudness-normalises each on its own content,
then zero-pads it at the end when the recording is shorter.  Training builds
its windows through the same functions, so padding, duration and level cannot
tell the sources apart.
"""

from __future__ import annotations

import numpy as np

from ..audio import check_samples
from ..config import AudioConfig, WindowConfig
from ..errors import InvalidParameterError
from ..preprocess import band_limit, normalise_loudness

__all__ = ["window_bounds", "fit_window", "frame_windows", "window_runs"]


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


def fit_window(segment: np.ndarray, *, length: int, target_rms_dbfs: float) -> np.ndarray:
    """Loudness-normalise one segment on its own content and zero-pad/crop it to ``length``.

    Examples
    --------
    >>> import numpy as np
    >>> fit_window(np.ones(10, np.float32), length=16, target_rms_dbfs=-20.0).shape
    (16,)
    """
    segment = np.asarray(segment, dtype=np.float32)[:length]
    out = np.zeros(length, dtype=np.float32)
    out[: segment.size] = normalise_loudness(segment, target_rms_dbfs=target_rms_dbfs)
    return out


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
    ``audio_config.target_rms_dbfs`` on its own content and zero-padded to
    ``window.window_seconds`` when the recording is shorter.

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
        samples = band_limit(samples, sample_rate=sample_rate, config=audio_config)
    length = int(round(window.window_seconds * sample_rate))
    bounds = window_bounds(samples.size, sample_rate=sample_rate, window=window)
    windows = np.stack(
        [fit_window(samples[s:e], length=length, target_rms_dbfs=audio_config.target_rms_dbfs) for s, e in bounds]
    )
    spans = [(round(s / sample_rate, 3), round(e / sample_rate, 3)) for s, e in bounds]
    return windows, spans


def window_runs(n_windows: int, *, max_windows: int) -> np.ndarray:
    """Which run of consecutive windows each of a recording's windows belongs to: the fewest near-equal runs of
    at most ``max_windows`` (0: one run, however long the recording).

    A recording-pooling head learned from clips of one to five windows; over many more windows the max of each
    embedding dimension keeps rising, and out of fold a minute of crying read at once was called a cry less than
    half as often as its 5 s chunks (docs/experiments.md), so a long recording is read a run at a time.

    Examples
    --------
    >>> window_runs(13, max_windows=5).tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    >>> window_runs(5, max_windows=5).tolist(), window_runs(3, max_windows=0).tolist()
    ([0, 0, 0, 0, 0], [0, 0, 0])
    """
    if n_windows < 0 or max_windows < 0:
        raise InvalidParameterError(f"n_windows and max_windows must be >= 0, got {n_windows} and {max_windows}.")
    if max_windows == 0 or n_windows <= max_windows:
        return np.zeros(n_windows, dtype=int)
    runs = -(-n_windows // max_windows)
    return np.arange(n_windows) * runs // n_windows
