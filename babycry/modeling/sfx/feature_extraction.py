"""The sound-effects CNN's input: log-mel bands of 44.1 kHz audio, from babycry's 16 kHz windows."""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy as np
import scipy.fft
from transformers import BatchFeature, SequenceFeatureExtractor

from ...errors import InvalidParameterError
from ..fbank import one_thread_matmul

__all__ = ["SfxFeatureExtractor"]

#: Builds the filter bank once: the app's first answer computes its windows' features on two threads, and
#: ``warnings.catch_warnings`` is not thread-safe (one thread leaving it re-enabled the warning inside the other).
_FILTERS_LOCK = threading.Lock()


class SfxFeatureExtractor(SequenceFeatureExtractor):
    """Windows ``(n, samples)`` at ``sampling_rate`` → ``input_values`` ``(n, frames, n_mels)``.

    Each window loses its mean (a DC offset would otherwise set the peak the window is normalised by and fill the
    lowest band; the AST's Kaldi fbank removes it per frame), is resampled to the encoder's 44.1 kHz (soxr),
    peak-normalised as the encoder was trained,
    and turned into HTK mel power bands (librosa, slaney-area normalised filters), compressed with
    ``log10(1 + 10^4 · power) / log_scale``. A 3 s window gives 130 frames.  ``input_bands`` keeps only the
    lowest bands: above babycry's band edge the others hold no signal from any source, and the encoder's cost
    grows with the bands it convolves.

    With ``stft_at_sampling_rate`` the window is not resampled: the same bands come from an STFT of the same
    frame duration and hop at ``sampling_rate`` (743-sample frames, 372 hop, zero-padded to a fast FFT size;
    power scaled by the squared rate ratio, as a resampled signal's bins hold). A band-limited window has
    nothing above 8 kHz that resampling could add, so the features match the resampled ones closely (a test
    bounds the difference) at a quarter of the cost: soxr and 2048-point FFTs were most of the detector's
    feature time.

    With ``frequency_scale`` the encoder hears each window that many times higher in pitch, at the same time
    resolution: its mel filters are laid over ``frequency_scale · f`` instead of ``f``, so with 2 babycry's
    0-3.6 kHz band spreads over the encoder's first 68 bands instead of 50 (finer frequency detail in the bands
    it resolves best) and a cry's 400-600 Hz voice sits where the encoder's sound effects had most of theirs.
    Filters narrower than the STFT's bin spacing (the lowest few, below ~30 Hz of real frequency) catch no bin
    and stay zero.

    Examples
    --------
    >>> fe = SfxFeatureExtractor()
    >>> fe(np.zeros((2, 48000), np.float32), sampling_rate=16000, return_tensors="np")["input_values"].shape
    (2, 130, 96)
    >>> SfxFeatureExtractor(input_bands=56)(np.zeros((1, 48000), np.float32))["input_values"].shape
    (1, 130, 56)
    """

    model_input_names = ["input_values"]

    def __init__(self, *, sampling_rate: int = 16_000, encoder_sampling_rate: int = 44_100, n_fft: int = 2048,
                 hop_length: int = 1024, n_mels: int = 96, log_scale: float = 9.457798957824707,
                 window_seconds: float = 3.0, remove_dc: bool = True, padding_value: float = 0.0,
                 input_bands: int | None = None, stft_at_sampling_rate: bool = False, frequency_scale: float = 1.0,
                 **kwargs: Any) -> None:
        kwargs.pop("feature_size", None)  # always the bands returned (present in a saved preprocessor_config.json)
        kept = int(n_mels) if input_bands is None else int(input_bands)
        if not 1 <= kept <= int(n_mels):
            raise InvalidParameterError(f"input_bands must lie in [1, n_mels={n_mels}], got {input_bands!r}.")
        if not (np.isfinite(frequency_scale) and 0.25 <= float(frequency_scale) <= 8.0):
            raise InvalidParameterError(f"frequency_scale must lie in [0.25, 8], got {frequency_scale!r}.")
        super().__init__(feature_size=kept, sampling_rate=sampling_rate, padding_value=padding_value, **kwargs)
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
        # transformers' filter bank, each filter scaled to unit area: librosa's mel(htk=True, norm=1) within
        # 4e-8 (test), without librosa's ~1 s first import (numba) on the app's first answer
        from transformers.audio_utils import mel_filter_bank

        _, _, n_fft, rate = self._frame_sizes()
        with warnings.catch_warnings():  # at the input rate the top bands lie above its Nyquist: never read
            warnings.simplefilter("ignore", UserWarning)
            bank = mel_filter_bank(num_frequency_bins=n_fft // 2 + 1, num_mel_filters=self.n_mels,
                                   min_frequency=0.0, max_frequency=self.encoder_sampling_rate / 2,
                                   sampling_rate=rate * self.frequency_scale, norm=None, mel_scale="htk").T
        bank = bank[: self.input_bands]  # the bands the encoder reads
        # and only the frequency bins they cover (219 of 1,025 for the lowest 56 bands): the rest weigh zero
        bank = bank[:, : int(np.flatnonzero(bank.any(axis=0)).max()) + 1]
        area = bank.sum(axis=1, keepdims=True)
        return (bank / np.where(area > 0, area, 1.0)).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.pop("_filters", None)
        if out.get("input_bands") == self.n_mels:  # every band: the configuration (and cache key) saved before it
            out.pop("input_bands")
        if not out.get("stft_at_sampling_rate"):  # resampled: as saved before the option
            out.pop("stft_at_sampling_rate", None)
        if out.get("frequency_scale") == 1.0:  # as saved (and cache-keyed) before the option
            out.pop("frequency_scale")
        return out

    def __call__(self, windows: Any, *, sampling_rate: int | None = None, return_tensors: str | None = None,
                 **kwargs: Any) -> BatchFeature:
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
        features = (np.log10(mel * 1e4 + 1.0) / self.log_scale).astype(np.float32)
        return BatchFeature({"input_values": features}, tensor_type=return_tensors)

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
