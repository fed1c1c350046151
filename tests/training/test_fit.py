"""babycry.training.fit: balanced sampling, fold rows, a real tiny fit and its clip logits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from babycry.data import load_task
from babycry.errors import InvalidParameterError
from babycry.training.cache import build_cache
from babycry.training.fit import clip_logits, fit, sampling_weights, training_rows
from babycry.training.recipes import tiny_recipe


def test_each_class_and_stratum_gets_its_share() -> None:
    idx = pd.DataFrame({"y": [0, 0, 0, 0, 1, 1], "stratum": ["noise", "speech", "speech", "speech", "cry", "synth"]})
    w = sampling_weights(idx, stratum_weights={"noise": 3.0})
    assert np.isclose(w[idx["y"] == 0].sum(), 0.5) and np.isclose(w[0], 0.5 * 3 / 4)
    assert np.allclose(w[1:4], 0.5 / 4 / 3)


def test_fold_rows_drop_evaluation_windows_and_held_out_noise() -> None:
    idx = pd.DataFrame({"clip": [0, 0, 1, 1], "kind": ["clean", "phone_eval", "clean", "cry_aug"],
                        "noise_group": ["", "", "", "esc-9"], "group": ["", "", "", ""]})
    assert training_rows(idx).tolist() == [0, 2, 3]
    assert training_rows(idx, train_clips=np.array([1]), exclude_groups={"esc-9"}).tolist() == [2]
    # a window with noise and talking mixed in names both recordings: either held out drops it
    idx["noise_group"] = ["", "", "", "esc-9|jackson"]
    for held_out in ({"esc-9"}, {"jackson"}):
        assert training_rows(idx, exclude_groups=held_out).tolist() == [0, 2]
    assert training_rows(idx, exclude_groups={"theo"}).tolist() == [0, 2, 3]


def test_a_fit_is_seeded_and_scores_clips(tiny_data: Path) -> None:
    data = load_task(tiny_data, task="reason")
    recipe = tiny_recipe("reason").replace(**{"fit.epochs": 1})
    cache = build_cache(data, recipe=recipe)
    a, b = fit(cache, recipe=recipe, seed=4), fit(cache, recipe=recipe, seed=4)
    la, lb = clip_logits(a, cache, np.arange(len(data))), clip_logits(b, cache, np.arange(len(data)))
    assert la.shape == (len(data), 4) and np.isfinite(la).all()
    np.testing.assert_allclose(la, lb, atol=1e-6)
    assert np.isnan(clip_logits(a, cache, np.arange(3), kind="phone_eval")).all()  # the reason cache has none


def test_the_sound_effects_cnn_fits_its_head_on_cached_embeddings(tiny_data: Path) -> None:
    """The sfx family caches the frozen encoder's embeddings; a fit is one weighted logistic regression."""
    data = load_task(tiny_data, task="detector")
    recipe = tiny_recipe("detector", family="sfx")
    cache = build_cache(data, recipe=recipe)
    # 3 x 4 x 4 and 3 x 2 x 4 (the third and second blocks' max, mean and spread; the recipe's encoder stops
    # after its third block)
    assert cache.features.ndim == 2 and cache.features.shape[1] == 72
    a, b = fit(cache, recipe=recipe), fit(cache, recipe=recipe)
    la = clip_logits(a, cache, np.arange(len(data)))
    np.testing.assert_allclose(la, clip_logits(b, cache, np.arange(len(data))), atol=1e-6)  # convex: deterministic
    # the head scores the training clips it was fitted on better than chance, and the full model agrees with it
    assert ((la[:, 1] > la[:, 0]) == (data.y == 1)).mean() > 0.6
    assert not a.training and float(a.embedding_scale.min()) > 0


def test_the_float32_head_reaches_the_float64_optimum(tiny_data: Path) -> None:
    """The head is fitted on float32 features (half the memory traffic of scikit-learn's float64 copy); the
    objective is strictly convex, so its answers are a float64 fit's within the solver's tolerance."""
    from sklearn.linear_model import LogisticRegression

    from babycry.training.fit import _recording_items, pool_clips

    data = load_task(tiny_data, task="detector")
    recipe = tiny_recipe("detector", family="sfx")
    cache = build_cache(data, recipe=recipe)
    model = fit(cache, recipe=recipe)
    x, y, w = _recording_items(cache, training_rows(cache.index), recipe=recipe)
    x = x.astype(np.float64)
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale = np.where(scale > 1e-8, scale, 1.0)
    reference = LogisticRegression(C=recipe.model.head_l2, max_iter=5000).fit((x - mean) / scale, y,
                                                                              sample_weight=w * w.size / w.sum())
    clips = np.arange(len(data))
    logits = clip_logits(model, cache, clips)
    clean = cache.index["kind"].to_numpy() == "clean"
    ids, pooled = pool_clips(cache.features[clean], cache.index["clip"].to_numpy()[clean])
    want = reference.decision_function((pooled - mean) / scale)
    got = (logits[:, 1] - logits[:, 0])[ids]
    np.testing.assert_allclose(got, want, atol=1e-3)  # here within 1e-5 of logits up to ~3


def test_a_recording_pooling_head_trains_on_pooled_clips_and_single_augmented_windows() -> None:
    from babycry.training.cache import FeatureCache
    from babycry.training.fit import _recording_items

    features = np.array([[1.0, 0.0], [3.0, 2.0], [5.0, 5.0], [7.0, 1.0], [9.0, 9.0]], np.float32)
    index = pd.DataFrame({"clip": [0, 0, 1, 0, 1], "y": [1, 1, 0, 1, 0],
                          "kind": ["clean", "clean", "clean", "cry_aug", "noise_aug"],
                          "stratum": ["cry", "cry", "noise", "cry", "noise"], "noise_group": [""] * 5,
                          "group": [""] * 5})
    recipe = tiny_recipe("detector").replace(**{"model.augmented_share": 0.25, "model.coded_share": 0.0})
    x, y, w = _recording_items(FeatureCache(features=features, index=index, path=None), np.arange(5),
                               recipe=recipe)
    # clip 0: mean (2, 1) and max (3, 2) of its clean windows; clip 1 its one window twice; then each
    # augmented window as a recording of its own
    np.testing.assert_allclose(x, [[2, 1, 3, 2], [5, 5, 5, 5], [7, 1, 7, 1], [9, 9, 9, 9]])
    assert y.tolist() == [1, 0, 1, 0]
    np.testing.assert_allclose(w[:2].sum() / w.sum(), 0.75)
    with pytest.raises(InvalidParameterError, match="augmented_share"):
        _recording_items(FeatureCache(features=features, index=index, path=None), np.arange(5),
                         recipe=recipe.replace(**{"model.augmented_share": 1.0}))


def test_a_coded_share_pools_each_training_clips_codec_copy_as_a_recording() -> None:
    """``model.coded_share``: each clip's phone-codec windows (evaluation-only rows, which training_rows leaves
    out) pooled as one more recording of its class, at that share of the weight; a clip outside the fold's
    training clips contributes nothing."""
    from babycry.training.cache import FeatureCache
    from babycry.training.fit import _recording_items, training_rows

    features = np.array([[1.0, 0.0], [5.0, 5.0], [7.0, 1.0], [2.0, 4.0], [0.0, 6.0], [8.0, 8.0], [4.0, 4.0]],
                        np.float32)
    index = pd.DataFrame({"clip": [0, 1, 0, 0, 0, 1, 2], "y": [1, 0, 1, 1, 1, 0, 0],
                          "kind": ["clean", "clean", "cry_aug", "phone_eval", "phone_eval", "phone_eval", "clean"],
                          "stratum": ["cry", "noise", "cry", "cry", "cry", "noise", "noise"],
                          "noise_group": [""] * 7, "group": [""] * 7})
    cache = FeatureCache(features=features, index=index, path=None)
    rows = training_rows(index, train_clips=np.array([0, 1]))
    assert rows.tolist() == [0, 1, 2]
    recipe = tiny_recipe("detector").replace(**{"model.augmented_share": 0.2, "model.coded_share": 0.3})
    x, y, w = _recording_items(cache, rows, recipe=recipe)
    # clean clips 0 and 1, the augmented window, then clip 0's two coded windows pooled (mean, max) and clip 1's
    np.testing.assert_allclose(x, [[1, 0, 1, 0], [5, 5, 5, 5], [7, 1, 7, 1], [1, 5, 2, 6], [8, 8, 8, 8]])
    assert y.tolist() == [1, 0, 1, 1, 0]
    np.testing.assert_allclose([w[:2].sum() / w.sum(), w[2] / w.sum(), w[3:].sum() / w.sum()], [0.5, 0.2, 0.3])
    with pytest.raises(InvalidParameterError, match="coded_share"):
        _recording_items(cache, rows, recipe=recipe.replace(**{"model.coded_share": 0.8}))


def test_cross_validation_scores_a_long_clip_as_the_model_reads_a_recording() -> None:
    """A clip of more than ``pooling_max_windows`` windows: CV's clip logits are the model's recording answer (the
    mean over runs of consecutive windows), so the figures describe what the app answers."""
    import torch

    from babycry.modeling import build_model
    from babycry.training.cache import FeatureCache

    recipe = tiny_recipe("detector", family="sfx")
    model = build_model(task="detector", model_config=recipe.model, seed=0).eval()
    assert model.config.pooling_max_windows == 5
    rng = np.random.default_rng(0)
    size = model.config.embedding_size
    features = rng.standard_normal((16, size)).astype(np.float32)  # clip 3: 13 windows, clip 8: 3
    index = pd.DataFrame({"clip": [3] * 13 + [8] * 3, "y": 1, "kind": "clean", "stratum": "cry",
                          "noise_group": "", "group": ""})
    with torch.no_grad():
        model.embedding_scale.copy_(torch.rand(2 * size) + 0.5)
        model.classifier.weight.copy_(torch.randn(2, 2 * size))
    logits = clip_logits(model, FeatureCache(features=features, index=index), np.array([8, 3]))
    with torch.no_grad():
        expected = [model.recording_logits_from_embeddings(torch.as_tensor(features[13:])).numpy(),
                    model.recording_logits_from_embeddings(torch.as_tensor(features[:13])).numpy()]
        whole = model.head_logits(torch.cat([torch.as_tensor(features[:13]).mean(0),
                                             torch.as_tensor(features[:13]).amax(0)])).numpy()
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-5)
    assert np.abs(logits[1] - whole).max() > 1e-3  # read in runs of 5, 4 and 4 windows, not at once
