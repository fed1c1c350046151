"""Masked-patch pretraining of the compact AST's encoder (SSAST's generative objective).

A share of the spectrogram's patches is replaced by a learned mask token before the
transformer; a linear decoder predicts each masked patch's (per-patch normalised)
log-mel values from its output token.  This is the self-supervised modern form of the
origin project's U-Net reconstruction: the encoder learns what cries and household
sound look like from audio that has no reason label.  Only the encoder
(``transformers.ASTModel``) is kept: :func:`load_encoder` puts it into an
``ASTForAudioClassification`` before the reason model is fine-tuned.

Imported only by pretraining and fine-tuning code (it imports torch).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from ..errors import InvalidParameterError, ModelLoadError
from .checkpoint import quiet_transformers

__all__ = ["ENCODER_DIR", "MaskedPatchAST", "patch_targets", "random_patch_mask", "load_encoder"]

#: Sub-folder of a pretraining output holding the encoder (``ASTModel.save_pretrained``).
ENCODER_DIR = "encoder"


def patch_targets(input_values: Any, *, config: Any) -> Any:
    """Every patch's values in the patch embedding's order, normalised per patch: ``(batch, patches, size**2)``.

    The patch embedding convolves ``(batch, 1, mel bins, frames)`` with stride ``(frequency_stride,
    time_stride)``; ``unfold`` with the same kernel and strides yields the same patches in the same order.
    Per-patch normalisation (as MAE's ``norm_pix_loss``) makes loud and quiet patches count alike.

    Examples
    --------
    >>> from babycry.modeling import build_config
    >>> patch_targets(torch.zeros(2, 300, 64), config=build_config(task="reason")).shape
    torch.Size([2, 72, 256])
    """
    x = input_values.unsqueeze(1).transpose(2, 3)  # (batch, 1, mel bins, frames), as ASTPatchEmbeddings
    k = config.patch_size
    patches = torch.nn.functional.unfold(x, kernel_size=(k, k), stride=(config.frequency_stride,
                                                                         config.time_stride)).transpose(1, 2)
    mean = patches.mean(dim=-1, keepdim=True)
    std = patches.std(dim=-1, keepdim=True)
    return (patches - mean) / (std + 1e-4)


def random_patch_mask(batch: int, patches: int, *, ratio: float, generator: Any = None) -> Any:
    """A boolean ``(batch, patches)`` mask with ``round(ratio * patches)`` random patches set in every row.

    Examples
    --------
    >>> random_patch_mask(3, 72, ratio=0.5, generator=torch.Generator().manual_seed(0)).sum(dim=1).tolist()
    [36, 36, 36]
    """
    if not 0.0 < ratio < 1.0:
        raise InvalidParameterError(f"The mask ratio must lie between 0 and 1 (exclusive), got {ratio}.")
    n = max(1, min(patches - 1, round(ratio * patches)))
    order = torch.rand(batch, patches, generator=generator).argsort(dim=1)
    mask = torch.zeros(batch, patches, dtype=torch.bool)
    mask.scatter_(1, order[:, :n], True)
    return mask


class MaskedPatchAST(torch.nn.Module):
    """An ``ASTModel`` encoder, a mask token and a linear patch decoder; ``forward`` returns the masked-patch MSE.

    Examples
    --------
    >>> from babycry.modeling import build_config
    >>> from babycry.modeling.config import ModelConfig
    >>> config = build_config(task="reason", model_config=ModelConfig(hidden_size=32, num_hidden_layers=1))
    >>> loss = MaskedPatchAST(config)(torch.randn(2, 300, 64), random_patch_mask(2, 72, ratio=0.5))
    >>> loss.ndim
    0
    """

    def __init__(self, config: Any) -> None:
        from transformers import ASTModel

        super().__init__()
        self.config = config
        self.encoder = ASTModel(config)
        self.mask_token = torch.nn.Parameter(torch.zeros(1, 1, config.hidden_size))
        torch.nn.init.normal_(self.mask_token, std=0.02)
        self.decoder = torch.nn.Linear(config.hidden_size, config.patch_size * config.patch_size)

    def forward(self, input_values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        emb = self.encoder.embeddings
        tokens = emb.patch_embeddings(input_values)  # (batch, patches, hidden)
        tokens = torch.where(mask.unsqueeze(-1), self.mask_token.to(tokens.dtype), tokens)
        b = tokens.shape[0]
        hidden = torch.cat((emb.cls_token.expand(b, -1, -1), emb.distillation_token.expand(b, -1, -1), tokens), dim=1)
        hidden = emb.dropout(hidden + emb.position_embeddings)
        for layer in self.encoder.layers:
            hidden = layer(hidden, None)
        hidden = self.encoder.layernorm(hidden)[:, 2:]  # the patch tokens (cls and distillation dropped)
        predicted = self.decoder(hidden[mask])
        target = patch_targets(input_values, config=self.config)[mask]
        return torch.nn.functional.mse_loss(predicted, target)


def load_encoder(model: Any, path: str | os.PathLike) -> Any:
    """Put a pretrained encoder into an AST classifier: from a ``babycry pretrain`` output folder (or its
    ``encoder/``), or from any AST checkpoint, such as a compact-AST detector (its encoder; the head is dropped).

    Raises
    ------
    ModelLoadError
        No encoder there, or its architecture differs from the model's (name both shapes).

    Examples
    --------
    >>> load_encoder(build_model(task="reason"), "artifacts/pretrain/reason-ast")  # doctest: +SKIP
    """
    from transformers import ASTModel

    folder = Path(path)
    if (folder / ENCODER_DIR / "config.json").exists():
        folder = folder / ENCODER_DIR
    if not (folder / "config.json").exists():
        raise ModelLoadError(f"No pretrained encoder in {str(path)!r}: run `babycry pretrain --out DIR` first.")
    with quiet_transformers():
        encoder = ASTModel.from_pretrained(str(folder))
    target = model.audio_spectrogram_transformer
    keys = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "patch_size",
            "frequency_stride", "time_stride", "max_length", "num_mel_bins")
    mismatch = [f"{k} {getattr(encoder.config, k)} vs {getattr(target.config, k)}" for k in keys
                if getattr(encoder.config, k) != getattr(target.config, k)]
    if mismatch:
        raise ModelLoadError(f"The pretrained encoder in {str(path)!r} does not fit this model: "
                             + "; ".join(mismatch) + ".")
    target.load_state_dict(encoder.state_dict())
    return model
