"""The sound-effects CNN's input features in numpy alone: what :class:`~.feature_extraction.SfxFeatureExtractor`
computes, without transformers.

:class:`SfxFeatureMath` holds the settings and the arithmetic; the transformers extractor (saving, loading,
``BatchFeature``) and :class:`SfxFeatures` (serving a local checkpoint: :mod:`babycry.modeling.serving`) both
inherit it, so their features are the same numbers.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy as np
import scipy.fft

from ...errors import InvalidParameterError
from ..fbank import one_thread_matmul
from ..melbank import triangular_mel_bank

__all__ = ["SfxFeatureMath", "SfxFeatures"]

#: Builds the filter bank once: the app's first answer computes its windows' features on two threads, and
#: ``warnings.catch_warnings`` is not thread-safe (one thread leaving it re-enabled the warning inside the other).
_FILTERS_LOCK = threading.Lock()

#: The settings (keyword arguments of both classes) and their defaults.
SETTINGS: dict[str, Any] = {
    "sampling_rate": 16_000, "encoder_sampling_rate": 44_100, "n_fft": 2048, "hop_length": 1024, "n_mels": 96,
    "log_scale": 9.457798957824707, "window_seconds": 3.0, "remove_dc": True, "padding_value": 0.0,
    "input_bands": None, "stft_at_sampling_rate": False, "frequency_scale": 1.0,
}


class SfxFeatureMath:
    """Windows ``(n, samples)`` at ``sampling_rate`` → features ``(n, frames, input_bands)`` (see
    :class:`~.feature_extraction.SfxFeatureExtractor` for what each setting does)."""

    sampling_rate: int

    def _configure(self, *, encoder_sampling_rate: int, n_fft: int, hop_length: int, n_mels: int, log_scale: float,
                   window_seconds: float, remove_dc: bool, input_bands: int | None, stft_at_sampling_rate: bool,
                   frequency_scale: float) -> None:
        """Check and keep the settings (``sampling_rate`` and ``padding_value`` are the caller's)."""
        kept = int(n_mels) if input_bands is None else int(input_bands)
        if not 1 <= kept <= int(n_mels):
            raise InvalidParameterError(f"input_bands must lie in [1, n_mels={n_mels}], got {input_bands!r}.")
        if not (np.isfinite(frequency_scale) and 0.25 <= float(frequency_scale) <= 8.0):
            raise InvalidParameterError(f"frequency_scale must lie in [0.25, 8], got {frequency_scale!r}.")
        self.encoder_sampling_rate = int(encoder_sampling_rate)
        self.n_fft = int(n_fft)
        self.hop_length = int(hop_length)
        self.n_mels = int(n_mels)
        self.log_scale = float(log_scale)
        self.window_seconds = float(window_seconds)
        self.remove_dc = bool(remove_dc)
        self.input_bands = kept
        self.stft_at_sampling_rate = bool(stft_at_sampling_rate)
        self.frequency_scale = float(frequency_scale)
        self._filters: np.ndarray | None = None

    def _frame_sizes(self) -> tuple[int, int, int, int]:
        """(frame length, hop, FFT size, rate) of the STFT: the encoder's, or the same durations at the input rate."""
        if not self.stft_at_sampling_rate:
            return self.n_fft, self.hop_length, self.n_fft, self.encoder_sampling_rate
        ratio = self.sampling_rate / self.encoder_sampling_rate
        length, hop = round(self.n_fft * ratio), round(self.hop_length * ratio)
        return length, hop, 2 * scipy.fft.next_fast_len((length + 1) // 2), self.sampling_rate

    def _mel_filters(self) -> np.ndarray:
        if self._filters is not None:
            return self._filters
        with _FILTERS_LOCK:
            if self._filters is None:
                self._filters = self._build_mel_filters()
        return self._filters

    def _build_mel_filters(self) -> np.ndarray:
        # HTK triangles, each scaled to unit area: librosa's mel(htk=True, norm=1) within 4e-8 (test), without
        # librosa's ~1 s first import (numba) on the app's first answer
        _, _, n_fft, rate = self._frame_sizes()
        with warnings.catch_warnings():  # at the input rate the top bands lie above its Nyquist: never read
            warnings.simplefilter("ignore", UserWarning)
            bank = triangular_mel_bank(n_bins=n_fft // 2 + 1, n_filters=self.n_mels, min_hz=0.0,
                                       max_hz=self.encoder_sampling_rate / 2,
                                       sampling_rate=rate * self.frequency_scale, scale="htk").T
        bank = bank[: self.input_bands]  # the bands the encoder reads
        # and only the frequency bins they cover (219 of 1,025 for the lowest 56 bands): the rest weigh zero
        bank = bank[:, : int(np.flatnonzero(bank.any(axis=0)).max()) + 1]
        area = bank.sum(axis=1, keepdims=True)
        return (bank / np.where(area > 0, area, 1.0)).astype(np.float32)

    def compute(self, windows: Any, *, sampling_rate: int | None = None) -> np.ndarray:
        """The features of ``windows`` (``(n, samples)``, one window, or a list of windows), float32."""
        if sampling_rate is not None and sampling_rate != self.sampling_rate:
            raise InvalidParameterError(
                f"SfxFeatureExtractor expects {self.sampling_rate} Hz audio, got {sampling_rate} Hz.")
        x = np.asarray(windows if not isinstance(windows, list) else np.stack(windows), dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        if self.remove_dc:
            x = x - x.mean(axis=1, keepdims=True)
        if self.stft_at_sampling_rate:
            up, scale = x, (self.encoder_sampling_rate / self.sampling_rate) ** 2
        else:  # soxr resamples channels side by side: (samples, n) in, (samples', n) out
            import soxr

            up = np.ascontiguousarray(soxr.resample(x.T, self.sampling_rate, self.encoder_sampling_rate,
                                                    quality="HQ").T)
            scale = 1.0
        peak = np.abs(up).max(axis=1, keepdims=True)
        up = up / np.where(peak > 0, peak, 1.0)
        filters = self._mel_filters()
        mel = one_thread_matmul(self._power_frames(up, bins=filters.shape[1]), filters.T)
        if scale != 1.0:
            mel *= np.float32(scale)
        return (np.log10(mel * 1e4 + 1.0) / self.log_scale).astype(np.float32)

    def _power_frames(self, x: np.ndarray, *, bins: int) -> np.ndarray:
        """Centred Hann-window power spectra of the lowest ``bins`` frequency bins ``(n, frames, bins)``
        (librosa's ``stft`` framing)."""
        length, hop, n_fft, _ = self._frame_sizes()
        pad = length // 2
        padded = np.pad(x, ((0, 0), (pad, pad)))
        n_frames = 1 + (padded.shape[1] - length) // hop
        frames = np.lib.stride_tricks.sliding_window_view(padded, length, axis=1)[:, ::hop]
        frames = frames[:, :n_frames]
        window = np.hanning(length + 1)[:-1].astype(np.float32)  # periodic Hann, as scipy/librosa use
        # scipy's FFT keeps float32 (numpy's works in float64): half the time, features within 1e-5 of librosa's (test)
        spectra = scipy.fft.rfft(frames * window, n=n_fft, axis=2)[:, :, :bins]
        return spectra.real**2 + spectra.imag**2


class SfxFeatures(SfxFeatureMath):
    """A saved ``SfxFeatureExtractor`` (its ``preprocessor_config.json`` settings) without transformers: called
    as the extractor is, it returns ``{"input_values": features}``.

    Examples
    --------
    >>> fe = SfxFeatures(stft_at_sampling_rate=True, input_bands=72, frequency_scale=2.0)
    >>> fe(np.zeros((2, 48000), np.float32), sampling_rate=16000)["input_values"].shape
    (2, 130, 72)
    """

    def __init__(self, **settings: Any) -> None:
        unknown = set(settings) - set(SETTINGS)
        if unknown:
            raise InvalidParameterError(f"Unknown SfxFeatureExtractor settings: {sorted(unknown)}.")
        values = {**SETTINGS, **settings}
        self.sampling_rate = int(values.pop("sampling_rate"))
        self.padding_value = float(values.pop("padding_value"))
        self._configure(**values)

    def __call__(self, windows: Any, *, sampling_rate: int | None = None, return_tensors: str | None = None,
                 **kwargs: Any) -> dict[str, np.ndarray]:
        return {"input_values": self.compute(windows, sampling_rate=sampling_rate)}

    def to_dict(self) -> dict[str, Any]:
        """The settings (for :func:`~babycry.modeling.fbank.same_features`)."""
        return {name: getattr(self, name) for name in SETTINGS}
