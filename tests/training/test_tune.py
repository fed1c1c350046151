"""babycry.training.tune: the sound-effects CNN's last block fine-tuned on cached block-3 maps, end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from babycry.audio import load
from babycry.config import DETECTOR_LABELS
from babycry.data import load_task
from babycry.modeling import CryModel, build_feature_extractor, build_model, frame_windows
from babycry.training.cache import build_cache, cache_key
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import tiny_recipe
from babycry.training.tune import embed_maps, holds_maps


def _tuned_recipe():
    return tiny_recipe("detector").replace(**{"model.tune_last_block": True, "fit.epochs": 2,
                                              "fit.samples_per_epoch": 64, "fit.batch_size": 16})


@pytest.fixture(scope="module")
def caches(tiny_data: Path):
    data = load_task(tiny_data, task="detector")
    frozen, tuned = tiny_recipe("detector"), _tuned_recipe()
    return data, build_cache(data, recipe=frozen), build_cache(data, recipe=tuned)


def test_the_cache_holds_block3_maps_under_its_own_key(caches) -> None:
    data, frozen, tuned = caches
    assert cache_key(data, tiny_recipe("detector")) != cache_key(data, _tuned_recipe())
    # 4 * 4 channels; 130 frames and 56 bands halved three times
    assert holds_maps(tuned.features) and tuned.features.shape[1:] == (16, 16, 7)
    assert not holds_maps(frozen.features)
    assert tuned.index.equals(frozen.index)  # the same windows, only what is stored of them differs


def test_the_last_block_on_cached_maps_is_the_encoder(caches) -> None:
    """Embedding the cached maps through the pretrained last block gives the frozen cache's embeddings (exact
    where the encoder runs in bfloat16, as the maps are stored; within bfloat16 rounding elsewhere)."""
    _, frozen, tuned = caches
    recipe = _tuned_recipe()
    from babycry.training.cache import encoder_dtype

    model = build_model(task="detector", model_config=recipe.model, seed=recipe.seed)
    ours = embed_maps(model, tuned.features, precision=encoder_dtype(recipe))
    ref = np.asarray(frozen.features)
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() <= 0.02 * np.abs(ref).max()


def test_a_fit_tunes_only_the_last_block_and_scores_clips_as_inference_does(caches) -> None:
    data, _, cache = caches
    recipe = _tuned_recipe()
    pretrained = build_model(task="detector", model_config=recipe.model, seed=recipe.seed)
    model = fit(cache, recipe=recipe)
    before, after = pretrained.state_dict(), model.state_dict()
    changed = {k for k in before if k.startswith("encoder.") and not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("encoder.conv_block4.") for k in changed)
    assert not any(k.endswith(("running_mean", "running_var")) for k in changed)  # batch norm keeps its statistics
    clips = np.arange(len(data))
    logits = clip_logits(model, cache, clips)
    assert logits.shape == (len(data), 2) and np.isfinite(logits).all()
    # the fitted model as the app runs it, on a clip's audio: the same answer as its cached maps give
    served = CryModel(model_id="tuned", task="detector", labels=DETECTOR_LABELS, model=model,
                      feature_extractor=build_feature_extractor(model_config=recipe.model))
    audio = load(data.table["path"].iloc[0])
    windows, _ = frame_windows(audio.samples, sample_rate=audio.sample_rate)
    outputs = served.window_outputs(served.features(windows))
    with torch.inference_mode():
        live = model.recording_logits_from_embeddings(torch.as_tensor(outputs, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(live, logits[0], atol=0.05 * np.abs(logits[0]).max() + 1e-3)
