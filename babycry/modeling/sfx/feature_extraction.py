"""The sound-effects CNN's input: log-mel bands of 44.1 kHz audio, from babycry's 16 kHz windows."""

from __future__ import annotations

from typing import Any

from transformers import BatchFeature, SequenceFeatureExtractor

from .features import SfxFeatureMath

__all__ = ["SfxFeatureExtractor"]


class SfxFeatureExtractor(SfxFeatureMath, SequenceFeatureExtractor):
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
    >>> import numpy as np
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
        super().__init__(feature_size=kept, sampling_rate=sampling_rate, padding_value=padding_value, **kwargs)
        self._configure(encoder_sampling_rate=encoder_sampling_rate, n_fft=n_fft, hop_length=hop_length,
                        n_mels=n_mels, log_scale=log_scale, window_seconds=window_seconds, remove_dc=remove_dc,
                        input_bands=input_bands, stft_at_sampling_rate=stft_at_sampling_rate,
                        frequency_scale=frequency_scale)

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
        return BatchFeature({"input_values": self.compute(windows, sampling_rate=sampling_rate)},
                            tensor_type=return_tensors)
