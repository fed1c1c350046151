"""The models' input features, computed for many windows at once.

transformers' ``ASTFeatureExtractor`` (without torchaudio, as here) computes
its Kaldi-style log-mel filter bank one 25 ms frame at a time in a Python loop:
about 20 ms per 3 s window on this CPU, more than both compact models together.
:func:`fbank_features` does the same arithmetic on every frame of every window
at once (strided frames, one batched FFT, one matrix product), in float32, and
returns the same values within rounding (a test holds it to the extractor within
1e-4; ~5e-5 in practice); any extractor whose arithmetic it does not repeat is
simply called instead.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["fbank_features", "one_thread_matmul", "same_features", "torch_threads"]

# The fixed framing of ASTFeatureExtractor's numpy path (25 ms / 10 ms at 16 kHz, Kaldi's defaults).
_FRAME, _HOP, _NFFT, _PREEMPHASIS, _MEL_FLOOR = 400, 160, 512, 0.97, 1.192092955078125e-07
# Windows per chunk: one window's float64 frames (~1 MB) stay in a core's L2 cache. Measured: 4 windows per chunk
# twice as fast as 32 on one CPU; on another, one window per chunk 1.7x faster than 4 for a 60 s recording's 39.
_CHUNK = 1


def _reproducible(extractor: Any) -> bool:
    """Whether ``extractor`` is the numpy-path ASTFeatureExtractor whose arithmetic this module repeats (or its
    stand-in without transformers, :class:`~babycry.modeling.serving.AstFbank`)."""
    return (
        type(extractor).__name__ in ("ASTFeatureExtractor", "AstFbank")
        and getattr(extractor, "mel_filters", None) is not None  # absent when torchaudio computes the fbank
        and getattr(extractor, "window", None) is not None
        and len(extractor.window) == _FRAME
    )


def same_features(a: Any, b: Any) -> bool:
    """Whether two feature extractors turn a window into the same features (so they can be computed once).

    Examples
    --------
    >>> from babycry.modeling import build_feature_extractor
    >>> from babycry.modeling.config import ModelConfig
    >>> same_features(build_feature_extractor(), build_feature_extractor())
    True
    >>> same_features(build_feature_extractor(), build_feature_extractor(model_config=ModelConfig(feature_std=1.0)))
    False
    """
    return a is b or (type(a) is type(b) and a.to_dict() == b.to_dict())


def _log_mel(windows: np.ndarray, extractor: Any) -> np.ndarray:
    """``(n, samples)`` float32 -> ``(n, frames, mels)`` float32 log-mel: ``audio_utils.spectrogram``'s steps.

    In float32 throughout (the extractor works in float64 and rounds the spectrum to complex64): half the time of
    float64 on a 7 s analysis (4 windows: 10 ms -> 4-5 ms), within ~5e-5 of the extractor's normalised values.
    """
    import scipy.fft

    x = np.asarray(windows, dtype=np.float32)
    n_frames = 1 + (x.shape[1] - _FRAME) // _HOP
    frames = np.lib.stride_tricks.sliding_window_view(x, _FRAME, axis=1)[:, ::_HOP][:, :n_frames]
    frames = frames - frames.mean(axis=2, keepdims=True)  # remove_dc_offset, per frame
    emphasised = np.empty_like(frames)
    emphasised[..., 1:] = frames[..., 1:] - np.float32(_PREEMPHASIS) * frames[..., :-1]
    emphasised[..., 0] = frames[..., 0] * np.float32(1 - _PREEMPHASIS)
    emphasised *= np.asarray(extractor.window, np.float32)
    spectrum = scipy.fft.rfft(emphasised, n=_NFFT, axis=2)
    power = spectrum.real**2 + spectrum.imag**2
    mel = one_thread_matmul(power, np.asarray(extractor.mel_filters, np.float32))
    return np.log(np.maximum(np.float32(_MEL_FLOOR), mel))


def one_thread_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` on one BLAS thread: the mel projections of the models' features.

    numpy's OpenBLAS splits even these small products over both cores; on a busy 2-core machine it waits for the
    second one (measured: 370 ms instead of 12 ms for 32 windows), and on a quiet one its threads spin after each
    product, so a 7 s analysis used 107 ms of CPU for 53 ms of wall time (47 ms of each with one BLAS thread).
    The limit (threadpoolctl, ~0.1 ms) holds while any thread is inside and is lifted when the last one leaves,
    so the process's own BLAS setting is back afterwards.  numpy, not torch: serving imports no torch.

    Examples
    --------
    >>> import numpy as np
    >>> one_thread_matmul(np.ones((2, 3, 4), np.float32), np.ones((4, 5), np.float32)).shape
    (2, 3, 5)
    """
    with _one_blas_thread():
        return np.matmul(a, b)


_BLAS = {"lock": threading.Lock(), "inside": 0, "limiter": None}


@functools.lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # made after numpy (imported above), so it finds numpy's BLAS


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """One BLAS thread while any thread is inside (a per-call limit would let two overlapping threads restore
    each other's setting in the wrong order)."""
    with _BLAS["lock"]:
        if _BLAS["inside"] == 0:
            _BLAS["limiter"] = _blas_controller().limit(limits=1, user_api="blas")
        _BLAS["inside"] += 1
    try:
        yield
    finally:
        with _BLAS["lock"]:
            _BLAS["inside"] -= 1
            if _BLAS["inside"] == 0:
                _BLAS["limiter"].restore_original_limits()
                _BLAS["limiter"] = None


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """torch's intra-op thread count for the calling thread, restored on exit (``None``: unchanged).

    Examples
    --------
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch

    before = torch.get_num_threads()
    if threads is None or threads == before:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def fbank_features(windows: np.ndarray, *, feature_extractor: Any) -> np.ndarray:
    """The model inputs of prepared windows: what ``feature_extractor(list(windows))`` returns, batched.

    Parameters
    ----------
    windows : np.ndarray
        ``(n, samples)`` float windows at the extractor's rate (from :func:`~babycry.modeling.frame_windows`).
    feature_extractor : ASTFeatureExtractor
        The checkpoint's extractor (its mel bank, ``max_length``, ``mean``/``std``).

    Returns
    -------
    np.ndarray
        float32 ``(n, max_length, num_mel_bins)``: log-mel frames, zero-padded or cut to ``max_length``, then
        normalised ``(x - mean) / (2 std)`` when the extractor normalises.

    Examples
    --------
    >>> import numpy as np
    >>> from babycry.modeling import build_feature_extractor
    >>> fe = build_feature_extractor()
    >>> w = np.random.default_rng(0).normal(size=(2, 48000)).astype(np.float32) * 0.1
    >>> ours = fbank_features(w, feature_extractor=fe)
    >>> theirs = fe(list(w), sampling_rate=16000, return_tensors="np")["input_values"]
    >>> ours.shape, bool(np.abs(ours - theirs).max() < 1e-4)
    ((2, 300, 64), True)
    """
    windows = np.asarray(windows, dtype=np.float32)
    if windows.ndim != 2 or windows.shape[0] == 0:
        raise InvalidParameterError(f"Expected windows of shape (n, samples) with n > 0, got {windows.shape}.")
    rate = int(feature_extractor.sampling_rate)
    if not _reproducible(feature_extractor) or windows.shape[1] < _FRAME:
        return np.asarray(
            feature_extractor(list(windows), sampling_rate=rate, return_tensors="np")["input_values"], np.float32
        )
    max_length, n_mels = int(feature_extractor.max_length), int(feature_extractor.num_mel_bins)
    out = np.zeros((windows.shape[0], max_length, n_mels), dtype=np.float32)
    for start in range(0, windows.shape[0], _CHUNK):
        logmel = _log_mel(windows[start : start + _CHUNK], feature_extractor)[:, :max_length]
        out[start : start + logmel.shape[0], : logmel.shape[1]] = logmel
    if getattr(feature_extractor, "do_normalize", True):
        # float32 throughout, as the extractor's normalize() on its float32 arrays
        out = (out - np.float32(feature_extractor.mean)) / np.float32(feature_extractor.std * 2)
    return out
