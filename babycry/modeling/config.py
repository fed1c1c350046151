"""The compact AST's architecture and feature settings."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ModelConfig", "SfxModelConfig", "SFX_MODEL_TYPE"]

#: ``model_type`` in the ``config.json`` of a sound-effects CNN checkpoint.
SFX_MODEL_TYPE = "babycry-sfx-cnn"


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and feature settings of the compact AST.

    The default AST-base (12 layers, 768 wide, 1212 overlapping patches) takes
    seconds per clip on a 2-core CPU and has ~86 M parameters for a few thousand
    clips.  These defaults (the reason model) have ~0.1 M (2 layers, 64 wide; the
    detector uses 3 x 96, ~0.25 M): 64 Kaldi mel bins (16 kHz, 20 Hz–8 kHz; 47 of
    them start below the 3.6 kHz analysis band edge), one 3 s
    window of 300 frames, non-overlapping 16×16 patches (4 × 18 = 72 patches;
    overlapping strides cost >10× more per training step on this CPU).

    Examples
    --------
    >>> ModelConfig().max_length
    300
    """

    sampling_rate: int = 16_000
    num_mel_bins: int = 64
    max_length: int = 300
    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 128
    patch_size: int = 16
    frequency_stride: int = 16
    time_stride: int = 16
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    # AST's normalisation constants, measured on this project's band-limited, loudness-normalised windows
    # rather than AudioSet's, so the inputs to the patch embedding are roughly unit-scale.
    feature_mean: float = -6.0
    feature_std: float = 3.5


@dataclass(frozen=True)
class SfxModelConfig:
    """Architecture and feature settings of the sound-effects CNN family (a recipe's ``model``).

    The encoder is the 9-layer CNN of Ma & Lerch (ISMIR 2022, "Representation Learning for the Automatic
    Indexing of Sound Effects Libraries"), pretrained on sound-effects libraries and shipped inside the
    ``aisfx`` PyPI package (MIT). Its input is 96 HTK mel bands of 44.1 kHz audio (2048-sample frames,
    1024 hop, 0-22.05 kHz), ``log10(1 + 10^4 · power) / 9.458``; babycry feeds it the same band-limited,
    loudness-normalised 3 s windows every model sees, resampled, so content above 3.6 kHz stays absent for
    every source, and reads only the bands that can hold any (``input_bands``). Only the linear head is
    trained: a few thousand clips cannot retrain ~4.7 M parameters, and the frozen embedding
    is what carries knowledge of laughter, speech and household sound from outside this data.

    Parameters
    ----------
    channels : int
        Width of the first convolution block (64 for the pretrained encoder; tests use a tiny random one).
    pretrained : str
        ``"aisfx"``: load the encoder's weights from the installed ``aisfx`` package; ``""``: random (tests).
    head_l2 : float
        Inverse L2 strength ``C`` of the logistic-regression head on standardised embeddings.
    pooling : {"window", "recording"}
        ``"window"``: the head scores each window and a recording's logits are their mean; ``"recording"``: the
        head scores a recording's mean and max over its windows' embeddings (one window: itself twice).
    pooling_max_windows : int
        A recording-pooling head reads at most this many consecutive windows at once: a longer recording is read
        as the fewest near-equal runs of them (:func:`~babycry.modeling.windows.window_runs`) and its logits are
        the mean of the runs'. 5 windows (11 s at the 3 s window and 2 s hop) is the longest clip the head trains
        on, so every training and test clip of up to 11 s is read whole as before; read whole, a minute of
        crying was called a cry far less often than its parts (docs/experiments.md). 0: every window at once
        (checkpoints before).
    augmented_share : float
        A recording-pooling head's training weight on augmented and training-only windows (each a recording
        of its own), against ``1 - augmented_share - coded_share`` on the clips' pooled clean windows.
    coded_share : float
        A recording-pooling head's training weight on each training clip's windows through a phone codec, pooled
        as a recording of its own (the cache's evaluation copy): a recording's codec then tells neither class.
        0: not used (checkpoints before).
    input_bands : int
        How many of the lowest mel bands the encoder reads: the 56 of 96 whose filters start below 4.4 kHz.  Every
        model input is band-limited to 3.6 kHz (band 50 is the last whose filter starts below it; 56 is the next
        multiple of 8, as the encoder halves frequency three times), so the bands above hold no signal from any
        source, and leaving them out takes ~40% off the encoder's cost.  96: every band (checkpoints saved before);
        72 at ``frequency_scale`` 2 (the bundled detector).
    block3_stats : bool
        Also summarise the third block's maps (max, mean and standard deviation over time of their mean over
        frequency): 768 more numbers from maps the encoder computes anyway; the bundled detector's ROC AUC rose
        from 0.990 to 0.993 with them (docs/experiments.md).  False: the last block alone (checkpoints before).
    block2_stats : bool
        The second block's maps summarised the same way (384 more numbers, at twice the third block's time
        resolution), after the third block's.
    last_block : bool
        Run the encoder's fourth block and put its summary first in the embedding.  False: the network stops after
        the third block and the embedding is the third and second blocks' summaries alone (needs ``block3_stats``):
        27% fewer multiply-adds a window (1.89 G -> 1.38 G), and on grouped CV the head on those summaries ranked
        and separated at least as well as with the last block's (docs/experiments.md).  True: checkpoints before.
    stft_at_sampling_rate : bool
        Compute the encoder's mel bands from an STFT at the 16 kHz input rate (same frame duration and hop)
        instead of resampling each window to 44.1 kHz first: the same features within ~0.08 on band-limited noise,
        about a quarter of the cost (the resampling and 2048-point FFTs were most of the detector's feature time).
        False: resampled (checkpoints before; docs/performance.md).
    frequency_scale : float
        The encoder hears each window this many times higher in pitch, at the same time resolution (its mel
        filters laid over ``frequency_scale · f``; :class:`~babycry.modeling.sfx.SfxFeatureExtractor`); raise
        ``input_bands`` with it to keep the whole band edge (2: 72 bands).  1: as pretrained (checkpoints before).
    encoder_precision : {"auto", "float32", "bfloat16", "int8"}
        Number format of the frozen encoder when the window cache is built: ``"int8"`` embeds every window with
        an int8 graph of the encoder (ONNX Runtime, :mod:`babycry.modeling.sfx.quantized`) that the checkpoint
        then carries and serves on every CPU; ``"auto"`` is bfloat16 on a CPU with AMX tiles and float32
        elsewhere.  The format used keys the cache and is recorded in ``training.json``.
    int8_weight_bits : {8, 7}
        Bits of the int8 graph's weights.  7 (ONNX Runtime's ``reduce_range``; the detector recipe's): the fused
        int8 kernels of an x86 CPU without VNNI sum the graph exactly too, as fast, and it lies no further from
        float32 (``benchmarks/detector_int8_range_probe.py``); 8: checkpoints before 2026-11-29, served unfused on
        such a CPU, 1.7x slower.  7 keys the cache.

    Examples
    --------
    >>> SfxModelConfig().n_mels
    96
    """

    sampling_rate: int = 16_000
    encoder_sampling_rate: int = 44_100
    n_fft: int = 2048
    hop_length: int = 1024
    n_mels: int = 96
    input_bands: int = 56
    stft_at_sampling_rate: bool = False
    frequency_scale: float = 1.0
    log_scale: float = 9.457798957824707
    channels: int = 64
    pretrained: str = "aisfx"
    head_l2: float = 0.05
    encoder_precision: str = "auto"
    int8_weight_bits: int = 8
    pooling: str = "window"
    pooling_max_windows: int = 5
    augmented_share: float = 0.2
    coded_share: float = 0.0
    block3_stats: bool = False
    block2_stats: bool = False
    last_block: bool = True

    def __post_init__(self) -> None:
        # a typo in a --set fails here, before minutes of window embedding, not when the graph is built
        from ..errors import InvalidParameterError

        if self.int8_weight_bits not in (7, 8):
            raise InvalidParameterError(f"model.int8_weight_bits must be 7 or 8, got {self.int8_weight_bits!r}.")
        if self.encoder_precision not in ("auto", "float32", "bfloat16", "int8"):
            raise InvalidParameterError("model.encoder_precision must be one of auto, float32, bfloat16, int8, "
                                        f"got {self.encoder_precision!r}.")
        if self.pooling not in ("window", "recording"):
            raise InvalidParameterError(f"model.pooling must be window or recording, got {self.pooling!r}.")
