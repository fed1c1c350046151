"""Audio for people to hear: samples a player plays at their true level.

Players and Gradio peak-normalise the float arrays they are given, which would
hide a gain change or a filter's attenuation; int16 is played as is.  (The
inverse of :func:`babycry.audio.to_float32` for int16.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["to_int16"]


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] -> int16 PCM, clipped, so they are heard at their true level.

    Parameters
    ----------
    samples : np.ndarray
        Float samples; values beyond [-1, 1] are clipped.

    Returns
    -------
    np.ndarray
        int16, same shape.

    Examples
    --------
    >>> import numpy as np
    >>> to_int16(np.array([0.0, 0.5, -1.0, 2.0])).tolist()
    [0, 16384, -32767, 32767]
    """
    clipped = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.round(clipped * 32767.0).astype(np.int16)
