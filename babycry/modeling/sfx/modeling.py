"""The sound-effects CNN for audio classification: a 9-layer CNN encoder, pooled, and a linear head."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from transformers import PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput

from .configuration import SfxConfig
from .network import SfxConvBlock, SfxEncoder, SfxHeadMixin

__all__ = ["SfxConvBlock", "SfxEncoder", "SfxForAudioClassification"]


class SfxForAudioClassification(SfxHeadMixin, PreTrainedModel):
    """Frozen pretrained encoder → standardised pooled embedding → linear head.

    ``forward(input_values)`` takes :class:`~babycry.modeling.sfx.SfxFeatureExtractor` output
    ``(n, frames, n_mels)`` and returns each window's logits like any transformers audio classifier;
    :meth:`embed` and :meth:`logits_from_embeddings` split it where training caches the embedding.  With
    ``config.pooling == "recording"`` a recording's answer is :meth:`recording_logits_from_embeddings` (the
    head on the mean and max of its windows' embeddings), and a single window is a recording of its own.

    Examples
    --------
    >>> m = SfxForAudioClassification(SfxConfig(channels=4, id2label={0: "not_cry", 1: "cry"}))
    >>> m(input_values=torch.zeros(2, 130, 96)).logits.shape
    torch.Size([2, 2])
    """

    config_class = SfxConfig
    base_model_prefix = "sfx"
    main_input_name = "input_values"

    def __init__(self, config: SfxConfig) -> None:
        super().__init__(config)
        self._build_network(config)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_uniform_(module.weight, nonlinearity="leaky_relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, input_values: torch.Tensor, labels: torch.Tensor | None = None,
                **kwargs: Any) -> SequenceClassifierOutput:
        logits = self.logits_from_embeddings(self.embed(input_values))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def register_auto_classes() -> None:
    """Register the family with transformers' Auto classes (idempotent); done when this module is imported."""
    from transformers import AutoConfig, AutoFeatureExtractor, AutoModelForAudioClassification

    from .feature_extraction import SfxFeatureExtractor

    AutoConfig.register(SfxConfig.model_type, SfxConfig, exist_ok=True)
    AutoModelForAudioClassification.register(SfxConfig, SfxForAudioClassification, exist_ok=True)
    AutoFeatureExtractor.register(SfxConfig, SfxFeatureExtractor, exist_ok=True)


register_auto_classes()
