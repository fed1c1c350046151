"""The sound-effects CNN for audio classification: a 9-layer CNN encoder, pooled, and a linear head."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from transformers import PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput

from .configuration import SfxConfig

__all__ = ["SfxConvBlock", "SfxEncoder", "SfxForAudioClassification"]


class SfxConvBlock(nn.Module):
    """Two 3×3 convolutions with batch norm and ReLU, then max pooling (the encoder's parameter names)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor, pool: tuple[int, int]) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.max_pool2d(x, kernel_size=pool) if pool != (1, 1) else x


class SfxEncoder(nn.Module):
    """Four conv blocks (``c``, ``2c``, ``4c``, ``8c`` maps); mean over frequency, then max and mean over time."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        widths = [1, channels, 2 * channels, 4 * channels, 8 * channels]
        for i in range(4):
            setattr(self, f"conv_block{i + 1}", SfxConvBlock(widths[i], widths[i + 1]))

    def forward(self, input_values: torch.Tensor) -> torch.Tensor:
        # (n, 1, frames, mels), channels-last: oneDNN's fastest convolution layout on CPU (same values)
        x = input_values.unsqueeze(1).contiguous(memory_format=torch.channels_last)
        for i, pool in enumerate([(2, 2), (2, 2), (2, 2), (1, 1)]):
            x = getattr(self, f"conv_block{i + 1}")(x, pool)
        x = x.mean(dim=3)  # (n, maps, frames)
        return torch.cat([x.amax(dim=2), x.mean(dim=2)], dim=1)


class SfxForAudioClassification(PreTrainedModel):
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
    #: Convolutions dominate its cost, so inference may run in bfloat16 where the CPU has AMX (CryModel.precision).
    bf16_inference = True
    #: Windows per forward pass: a 64-clip batch in one pass holds ~0.4 GB of activations and runs slower.
    inference_batch_size = 16

    def __init__(self, config: SfxConfig) -> None:
        super().__init__(config)
        self.encoder = SfxEncoder(config.channels)
        size = config.head_input_size
        # the head's standardisation of its input, fitted with it and saved with the weights
        self.register_buffer("embedding_mean", torch.zeros(size))
        self.register_buffer("embedding_scale", torch.ones(size))
        self.classifier = nn.Linear(size, config.num_labels)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_uniform_(module.weight, nonlinearity="leaky_relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def embed(self, input_values: torch.Tensor) -> torch.Tensor:
        """Pooled encoder embedding ``(n, embedding_size)`` (before standardisation)."""
        return self.encoder(input_values)

    @property
    def pools_recordings(self) -> bool:
        """Whether the head reads a whole recording's windows (mean and max of their embeddings)."""
        return self.config.pooling == "recording"

    def head_logits(self, head_input: torch.Tensor) -> torch.Tensor:
        """The head's logits of what it reads (:attr:`SfxConfig.head_input_size` wide), standardised first."""
        return self.classifier((head_input - self.embedding_mean) / self.embedding_scale)

    def logits_from_embeddings(self, embeddings: torch.Tensor) -> torch.Tensor:
        """Each window's logits from its embedding ``(n, embedding_size)``: a recording-pooling head scores each
        window as a recording of its own (its mean and its max are itself)."""
        if self.pools_recordings:
            embeddings = torch.cat([embeddings, embeddings], dim=-1)
        return self.head_logits(embeddings)

    def recording_logits_from_embeddings(self, embeddings: torch.Tensor) -> torch.Tensor:
        """One recording's logits ``(num_labels,)`` from its windows' embeddings ``(n_windows, embedding_size)``:
        the head on their mean and max, or (window pooling) the mean of the windows' logits."""
        if self.pools_recordings:
            return self.head_logits(torch.cat([embeddings.mean(dim=0), embeddings.amax(dim=0)]))
        return self.logits_from_embeddings(embeddings).mean(dim=0)

    def forward(self, input_values: torch.Tensor, labels: torch.Tensor | None = None,
                **kwargs: Any) -> SequenceClassifierOutput:
        logits = self.logits_from_embeddings(self.embed(input_values))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)
