"""babycry.training.pretrain: family-separated corpus, a real tiny run, resuming, and a reason fit from it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from babycry.cli.main import main
from babycry.data import load_task, read_manifest, select_task
from babycry.errors import InvalidParameterError
from babycry.training.cache import build_cache
from babycry.training.fit import fit
from babycry.training.pretrain import CHECKPOINT_FILE, RECORD_FILE, pretrain, pretraining_rows
from babycry.training.recipes import PretrainRecipe, tiny_recipe

TINY = PretrainRecipe().replace(
    model={"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64},
    steps=6, batch_size=8, checkpoint_every=2, held_out_fraction=0.2, progress=False, cache_dir="", threads=1)


def test_no_family_with_a_reason_label_is_pretrained_on(tiny_data: Path) -> None:
    manifest = read_manifest(tiny_data)
    rows = pretraining_rows(manifest)
    reason_families = set(select_task(manifest, task="reason")["group"])
    assert len(rows) and not reason_families & set(rows["group"])
    assert {"removed", "noise"} <= set(rows["label"])  # unlabeled uploads and not-cries are in
    capped = pretraining_rows(manifest, recipe=PretrainRecipe(max_clips_per_label=1))
    assert capped["label"].value_counts().max() == 1


def test_a_run_saves_an_encoder_and_resumes_where_it_stopped(tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "pt"
    stopped = pretrain(tiny_data, out, recipe=TINY.replace(minutes=1e-9))  # the time limit hits at once
    assert not stopped["finished"] and stopped["step"] == 0 and (out / CHECKPOINT_FILE).exists()
    assert not (out / "encoder").exists()
    first = pretrain(tiny_data, out, recipe=TINY)
    assert first["finished"] and first["step"] == TINY.steps and (out / "encoder" / "model.safetensors").exists()
    record = json.loads((out / RECORD_FILE).read_text())
    assert record["data"]["held_out_windows"] > 0 and np.isfinite(record["held_out_loss"])
    assert "reason-labelled" in record["data"]["excluded"]
    # a recipe that trains differently must not silently continue the checkpoint
    with pytest.raises(InvalidParameterError, match="different pretraining recipe"):
        pretrain(tiny_data, out, recipe=TINY.replace(mask_ratio=0.3))


def test_resuming_gives_the_same_weights_as_one_uninterrupted_run(tiny_data: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    pretrain(tiny_data, whole, recipe=TINY)
    parts = tmp_path / "parts"
    state = torch.load(whole / CHECKPOINT_FILE, weights_only=False)
    # stopped by its time limit (fewer steps would be another schedule, so another recipe), then resumed
    pretrain(tiny_data, parts, recipe=TINY.replace(minutes=1e-9))
    resumed = pretrain(tiny_data, parts, recipe=TINY)
    assert resumed["step"] == TINY.steps
    other = torch.load(parts / CHECKPOINT_FILE, weights_only=False)
    for name, value in state["model"].items():
        torch.testing.assert_close(other["model"][name], value)


def test_the_reason_model_fine_tunes_from_the_encoder_and_the_cli_runs(tiny_data: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cli"
    code = main(["pretrain", "--data", str(tiny_data), "--out", str(out), "--steps", "2", "--quiet",
                 "--set", "model.hidden_size=32", "--set", "model.num_hidden_layers=1",
                 "--set", "model.num_attention_heads=2", "--set", "model.intermediate_size=64",
                 "--set", "batch_size=8", "--set", "cache_dir=", "--set", "held_out_fraction=0.2"])
    printed = capsys.readouterr().out
    assert code == 0 and "saved" in printed and "fit.init_from" in printed
    data = load_task(tiny_data, task="reason")
    recipe = tiny_recipe("reason").replace(**{"fit.epochs": 1, "fit.init_from": str(out)})
    model = fit(build_cache(data, recipe=recipe), recipe=recipe)
    assert model.config.id2label[0] == "hungry"
    assert main(["pretrain", "--data", str(tiny_data), "--out", str(tmp_path / "x"), "--steps", "0"]) == 1
