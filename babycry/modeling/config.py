"""The compact AST's architecture and feature settings."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ModelConfig"]


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
