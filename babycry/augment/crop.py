"""Random crops: the stretch of a clip a training window is cut from."""

from __future__ import annotations

import numpy as np

__all__ = ["random_crop"]


def random_crop(
    x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, window_s: float, p_short: float = 0.4
) -> np.ndarray:
    """A random crop: a full window (or the whole clip) or, with ``p_short``, 0.4 s to the window.

    Short crops are padded back to a full window later, so that duration and padding are no cue to the
    class (every source is cropped the same way).

    Examples
    --------
    >>> x = np.arange(16000, dtype=np.float32)
    >>> random_crop(x, np.random.default_rng(0), sample_rate=8000, window_s=1.0, p_short=0.0).size
    8000
    """
    full = int(window_s * sample_rate)
    length = min(full, x.size)
    if rng.random() < p_short:
        length = min(x.size, int(rng.uniform(0.4, window_s) * sample_rate))
    start = int(rng.integers(0, x.size - length + 1)) if x.size > length else 0
    return x[start : start + length]
