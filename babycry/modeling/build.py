"""Build the compact AST from a :class:`~babycry.modeling.config.ModelConfig`.

The split follows transformers' AST files: :func:`build_config` (an
``ASTConfig`` sized for a 2-core CPU, labels in the config),
:func:`build_feature_extractor` (an ``ASTFeatureExtractor`` whose
``max_length`` is exactly one analysis window) and :func:`build_model` (a fresh
``ASTForAudioClassification``).  transformers is imported inside each function,
so importing this module stays cheap.
"""

from __future__ import annotations

from typing import Any

from ..config import labels_for_task
from ..errors import InvalidParameterError
from .config import ModelConfig, SfxModelConfig

__all__ = ["build_config", "build_feature_extractor", "build_model"]


def build_config(*, task: str, model_config: ModelConfig | SfxModelConfig = ModelConfig()) -> Any:
    """Build the compact ``ASTConfig`` for a task (labels in ``id2label``).

    Parameters
    ----------
    task : {"detector", "reason"}
    model_config : ModelConfig

    Returns
    -------
    transformers.ASTConfig

    Examples
    --------
    >>> build_config(task="reason").id2label[0]
    'hungry'
    """
    labels = labels_for_task(task)
    # the labels live in the config, the same way for either family
    label_maps = {"id2label": dict(enumerate(labels)), "label2id": {name: i for i, name in enumerate(labels)}}
    if isinstance(model_config, SfxModelConfig):
        from .sfx import SfxConfig

        return SfxConfig(channels=model_config.channels, n_mels=model_config.n_mels,
                         pretrained=model_config.pretrained, pooling=model_config.pooling,
                         block3_stats=model_config.block3_stats, block2_stats=model_config.block2_stats,
                         last_block=model_config.last_block,
                         pooling_max_windows=model_config.pooling_max_windows, **label_maps)
    from transformers import ASTConfig

    return ASTConfig(
        hidden_size=model_config.hidden_size,
        num_hidden_layers=model_config.num_hidden_layers,
        num_attention_heads=model_config.num_attention_heads,
        intermediate_size=model_config.intermediate_size,
        patch_size=model_config.patch_size,
        frequency_stride=model_config.frequency_stride,
        time_stride=model_config.time_stride,
        max_length=model_config.max_length,
        num_mel_bins=model_config.num_mel_bins,
        hidden_dropout_prob=model_config.hidden_dropout_prob,
        attention_probs_dropout_prob=model_config.attention_probs_dropout_prob,
        **label_maps,
    )


def build_feature_extractor(*, model_config: ModelConfig | SfxModelConfig = ModelConfig()) -> Any:
    """Build the ``ASTFeatureExtractor`` matching :class:`ModelConfig`.

    ``sampling_rate`` is 16 kHz, so ``transformers.pipeline("audio-classification")``
    fed the same band-limited 16 kHz window computes the same features.

    Examples
    --------
    >>> import numpy as np
    >>> fe = build_feature_extractor()
    >>> fe(np.zeros(48000, np.float32), sampling_rate=16000, return_tensors="np")["input_values"].shape
    (1, 300, 64)
    """
    if isinstance(model_config, SfxModelConfig):
        from .sfx import SfxFeatureExtractor

        return SfxFeatureExtractor(sampling_rate=model_config.sampling_rate,
                                   encoder_sampling_rate=model_config.encoder_sampling_rate,
                                   n_fft=model_config.n_fft, hop_length=model_config.hop_length,
                                   n_mels=model_config.n_mels, log_scale=model_config.log_scale,
                                   input_bands=model_config.input_bands,
                                   stft_at_sampling_rate=model_config.stft_at_sampling_rate,
                                   frequency_scale=model_config.frequency_scale)
    from transformers import ASTFeatureExtractor

    return ASTFeatureExtractor(
        sampling_rate=model_config.sampling_rate,
        num_mel_bins=model_config.num_mel_bins,
        max_length=model_config.max_length,
        mean=model_config.feature_mean,
        std=model_config.feature_std,
    )


def build_model(*, task: str, model_config: ModelConfig | SfxModelConfig = ModelConfig(), seed: int = 0) -> Any:
    """A freshly initialised ``ASTForAudioClassification`` for a task (or a sound-effects CNN whose encoder holds
    its pretrained weights, for a :class:`SfxModelConfig`).

    Examples
    --------
    >>> sum(p.numel() for p in build_model(task="detector").parameters()) < 1_000_000
    True
    """
    import torch

    torch.manual_seed(seed)
    if isinstance(model_config, SfxModelConfig):
        from .sfx import SfxForAudioClassification

        model = SfxForAudioClassification(build_config(task=task, model_config=model_config))
        if model_config.pretrained == "aisfx":
            from .sfx.pretrained import load_aisfx_encoder_state

            state = load_aisfx_encoder_state()
            if not model_config.last_block:  # the network stops after the third block
                state = {key: value for key, value in state.items() if not key.startswith("conv_block4.")}
            model.encoder.load_state_dict(state)
        elif model_config.pretrained:
            raise InvalidParameterError(f"Unknown pretrained encoder {model_config.pretrained!r}: use 'aisfx' or ''.")
        return model.eval()
    from transformers import ASTForAudioClassification

    return ASTForAudioClassification(build_config(task=task, model_config=model_config))
