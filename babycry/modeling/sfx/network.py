"""The sound-effects CNN in plain torch: the encoder and the head's arithmetic, without transformers.

:class:`~babycry.modeling.sfx.modeling.SfxForAudioClassification` (the transformers model: training, saving,
``pipeline``) and :class:`~babycry.modeling.sfx.serving.SfxServingModel` (what the app answers with: no
transformers modeling stack to import) are both built from these, with the same parameter names, so one
``model.safetensors`` loads into either.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ..windows import window_runs

__all__ = ["SfxConvBlock", "SfxEncoder", "SfxHeadMixin"]


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
    """Four conv blocks (``c``, ``2c``, ``4c``, ``8c`` maps); mean over frequency, then max and mean over time.

    With ``block3_stats`` (and ``block2_stats``) the third (second) block's maps are summarised too: mean over
    frequency, then max, mean and standard deviation over time, in float32, after the last block's embedding
    (third block first).  Maps the encoder computes anyway, less specific to its pretraining task than the last
    block's, whose summary (with how much they vary over time) sets laughter apart from cries a little better
    than the last block alone (docs/experiments.md, "Summarising the third block too").  Without ``last_block`` the
    network stops after the third block and the embedding is those summaries alone (docs/experiments.md, "Without
    the last block").
    """

    def __init__(self, channels: int, *, block3_stats: bool = False, block2_stats: bool = False,
                 last_block: bool = True) -> None:
        super().__init__()
        widths = [1, channels, 2 * channels, 4 * channels, 8 * channels]
        # each block's max pooling; without the last block (its summary left out of the embedding) the network
        # stops after the third
        self.pools = ((2, 2), (2, 2), (2, 2), (1, 1))[: 4 if last_block else 3]
        for i in range(len(self.pools)):
            setattr(self, f"conv_block{i + 1}", SfxConvBlock(widths[i], widths[i + 1]))
        self.block3_stats = bool(block3_stats)
        self.block2_stats = bool(block2_stats)
        self.last_block = bool(last_block)

    def forward(self, input_values: torch.Tensor) -> torch.Tensor:
        # (n, 1, frames, mels), channels-last: oneDNN's fastest convolution layout on CPU (same values)
        x = input_values.unsqueeze(1).contiguous(memory_format=torch.channels_last)
        summarised = {1: self.block2_stats, 2: self.block3_stats}
        summaries = {}
        for i, pool in enumerate(self.pools):
            x = getattr(self, f"conv_block{i + 1}")(x, pool)
            if summarised.get(i):
                middle = x.float().mean(dim=3)  # (n, maps, frames at this depth)
                summaries[i] = torch.cat([middle.amax(dim=2), middle.mean(dim=2), middle.std(dim=2)], dim=1)
        if not self.last_block:
            return torch.cat([summaries[i] for i in (2, 1) if i in summaries], dim=1)
        x = x.mean(dim=3)  # (n, maps, frames)
        pooled = torch.cat([x.amax(dim=2), x.mean(dim=2)], dim=1)
        if not summaries:
            return pooled
        return torch.cat([pooled.float(), *(summaries[i] for i in (2, 1) if i in summaries)], dim=1)


class SfxHeadMixin:
    """The head's arithmetic over ``self.encoder``, ``self.classifier`` and the standardisation buffers
    ``embedding_mean`` / ``embedding_scale``; ``self.config.pooling`` says how a recording's windows are pooled."""

    #: Convolutions dominate its cost, so inference may run in bfloat16 where the CPU has AMX (CryModel.precision;
    #: a checkpoint trained on the encoder's int8 graph serves that graph instead).
    bf16_inference = True
    #: ... and runs a channels-last copy in either precision (CryModel's inference_copy).
    channels_last_inference = True
    #: Windows per forward pass: a 64-clip batch in one pass holds ~0.4 GB of activations and runs slower.
    inference_batch_size = 16

    encoder: SfxEncoder
    classifier: nn.Linear
    embedding_mean: torch.Tensor
    embedding_scale: torch.Tensor
    config: Any

    def _build_network(self, config: Any) -> None:
        """The encoder, the standardisation buffers and the linear head of an
        :class:`~babycry.modeling.sfx.SfxConfig` (the checkpoint's parameter names)."""
        head_input_size = int(config.head_input_size)
        self.encoder = SfxEncoder(int(config.channels), block3_stats=config.block3_stats,
                                  block2_stats=config.block2_stats, last_block=config.last_block)
        # the head's standardisation of its input, fitted with it and saved with the weights
        self.register_buffer("embedding_mean", torch.zeros(head_input_size))  # type: ignore[attr-defined]
        self.register_buffer("embedding_scale", torch.ones(head_input_size))  # type: ignore[attr-defined]
        self.classifier = nn.Linear(head_input_size, int(config.num_labels))

    def embed(self, input_values: torch.Tensor) -> torch.Tensor:
        """Pooled encoder embedding ``(n, embedding_size)`` (before standardisation)."""
        return self.encoder(input_values)

    @property
    def pools_recordings(self) -> bool:
        """Whether the head reads a whole recording's windows (mean and max of their embeddings)."""
        return getattr(self.config, "pooling", "window") == "recording"

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
        the head on their mean and max (a long recording: on each run of at most ``config.pooling_max_windows``
        consecutive windows, the runs' logits averaged), or (window pooling) the mean of the windows' logits."""
        if self.pools_recordings:
            runs = window_runs(int(embeddings.shape[0]),
                               max_windows=int(getattr(self.config, "pooling_max_windows", 0)))
            pooled = [torch.cat([run.mean(dim=0), run.amax(dim=0)])
                      for run in torch.split(embeddings, np.bincount(runs).tolist())]
            return self.head_logits(torch.stack(pooled)).mean(dim=0)
        return self.logits_from_embeddings(embeddings).mean(dim=0)
