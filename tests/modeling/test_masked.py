"""babycry.modeling.masked: patch targets in the embedding's order, masks, a loss that learns, encoder transfer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from babycry.errors import InvalidParameterError, ModelLoadError
from babycry.modeling import build_config, build_model
from babycry.modeling.config import ModelConfig
from babycry.modeling.masked import ENCODER_DIR, MaskedPatchAST, load_encoder, patch_targets, random_patch_mask

TINY = ModelConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)


def test_patches_follow_the_patch_embedding_order() -> None:
    config = build_config(task="reason", model_config=TINY)
    x = torch.randn(1, 300, 64)
    targets = patch_targets(x, config=config)
    assert targets.shape == (1, 4 * 18, 256)
    # patch 1 is the second time step of the lowest frequency row, as the embedding's conv output flattens
    block = x[0, 16:32, 0:16].T.reshape(-1)  # (frequency, time) inside the patch
    expected = (block - block.mean()) / (block.std() + 1e-4)
    torch.testing.assert_close(targets[0, 1], expected)
    # and the embedding of that patch is the conv of the same values
    emb = build_model(task="reason", model_config=TINY).audio_spectrogram_transformer.embeddings.patch_embeddings
    direct = torch.nn.functional.conv2d(block.reshape(1, 1, 16, 16), emb.projection.weight, emb.projection.bias)
    torch.testing.assert_close(emb(x)[0, 1], direct.reshape(-1), rtol=1e-4, atol=1e-5)


def test_masks_hide_the_asked_share_and_reject_impossible_ratios() -> None:
    mask = random_patch_mask(4, 72, ratio=0.25, generator=torch.Generator().manual_seed(1))
    assert mask.dtype == torch.bool and mask.sum(dim=1).tolist() == [18] * 4
    assert not torch.equal(mask[0], mask[1])
    for ratio in (0.0, 1.0, -0.5):
        with pytest.raises(InvalidParameterError, match="mask ratio"):
            random_patch_mask(1, 72, ratio=ratio)


def test_the_reconstruction_loss_falls_when_trained() -> None:
    torch.manual_seed(0)
    model = MaskedPatchAST(build_config(task="reason", model_config=TINY))
    # smooth, structured "spectrograms": the visible patches say what the hidden ones hold
    t = torch.linspace(0, 6.28, 300)[:, None]
    f = torch.linspace(0, 3.14, 64)[None, :]
    x = torch.stack([torch.sin(t * (k + 1) + f * (k + 2)) for k in range(8)])
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    mask = random_patch_mask(8, 72, ratio=0.5, generator=torch.Generator().manual_seed(0))
    first = float(model(x, mask).detach())
    for _ in range(60):
        loss = model(x, mask)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    assert float(loss.detach()) < 0.5 * first


def test_an_encoder_moves_into_a_classifier(tmp_path: Path) -> None:
    pretrained = MaskedPatchAST(build_config(task="reason", model_config=TINY))
    pretrained.encoder.save_pretrained(tmp_path / ENCODER_DIR)
    model = load_encoder(build_model(task="reason", model_config=TINY, seed=3), tmp_path)
    for name, value in pretrained.encoder.state_dict().items():
        torch.testing.assert_close(model.audio_spectrogram_transformer.state_dict()[name], value)
    with pytest.raises(ModelLoadError, match="hidden_size 32 vs 64"):
        load_encoder(build_model(task="reason"), tmp_path)
    with pytest.raises(ModelLoadError, match="babycry pretrain"):
        load_encoder(build_model(task="reason"), tmp_path / "nothing-here")
    assert np.isfinite(model(torch.zeros(1, 300, 64)).logits.detach().numpy()).all()


def test_the_encoder_of_a_trained_ast_classifier_transfers(tmp_path: Path) -> None:
    detector = build_model(task="detector", model_config=TINY, seed=1)  # e.g. a compact-AST cry detector
    detector.save_pretrained(tmp_path)
    reason = load_encoder(build_model(task="reason", model_config=TINY, seed=2), tmp_path)
    for name, value in detector.audio_spectrogram_transformer.state_dict().items():
        torch.testing.assert_close(reason.audio_spectrogram_transformer.state_dict()[name], value)
    assert reason.config.id2label[0] == "hungry" and reason.classifier.dense.out_features == 4
