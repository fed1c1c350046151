"""babycry.training.cache: clean windows, training-only windows, train-only negatives, the key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from babycry.data import load_task
from babycry.modeling import window_bounds
from babycry.training.cache import build_cache, cache_key, train_only_rows
from babycry.training.fit import training_rows
from babycry.training.recipes import tiny_recipe


@pytest.fixture(scope="module")
def detector(tiny_data: Path):
    data = load_task(tiny_data, task="detector")
    return data, build_cache(data, recipe=tiny_recipe("detector", family="ast"))


def test_cache_holds_clean_windows_and_training_only_augmentations(detector) -> None:
    data, cache = detector
    idx = cache.index
    assert cache.features.shape[1:] == (300, 64) and len(idx) == len(cache.features)
    from babycry.audio import load

    for clip, row in enumerate(data.table.itertuples()):
        n = load(row.path, validate_audio=False).samples.size
        assert (idx[(idx["clip"] == clip) & (idx["kind"] == "clean")].shape[0]
                == len(window_bounds(n, sample_rate=16000)))
    assert {"laugh_like", "low_voice", "cry_aug", "speech_high", "synth_adult", "synth_tone"} <= set(idx["kind"])
    assert (idx.loc[idx["kind"].isin(["laugh_like", "low_voice", "synth_adult", "synth_burst"]), "y"] == 0).all()
    # one reverberant and one clipped window of every clip, labelled as its clip
    for kind in ("_room", "_clipped"):
        rows = idx[idx["kind"].str.endswith(kind)]
        assert sorted(rows["clip"]) == list(range(len(data.table)))
        assert (rows["y"].to_numpy() == data.y[rows["clip"].to_numpy()]).all()
    assert np.isfinite(np.asarray(cache.features, dtype=np.float32)).all()


def test_training_only_negatives_are_cached_filtered_and_kept_out_of_their_groups_folds(detector, tiny_data) -> None:
    data, cache = detector
    aux = train_only_rows(data, recipe=tiny_recipe("detector"))
    assert sorted(aux["rel_path"]) == ["removed_cry.wav", "removed_hum.wav"]
    assert "removed" not in set(data.table["label"])  # never scored
    idx = cache.index
    only = idx[idx["kind"] == "train_only"]
    # the hum is a negative; the synthetic cry among the unreviewed uploads is filtered out by its voicing
    assert set(only["group"]) == {"removed-family-1"} and (only["y"] == 0).all()
    assert (only["clip"] >= len(data)).all()
    assert set(only.index) <= set(training_rows(idx))
    held_out = training_rows(idx, train_clips=np.arange(len(data)), exclude_groups={"removed-family-1"})
    assert not set(only.index) & set(held_out)
    assert train_only_rows(load_task(tiny_data, task="reason"), recipe=tiny_recipe("reason")).empty
    off = tiny_recipe("detector").replace(**{"augment.train_only_labels": []})
    assert train_only_rows(data, recipe=off).empty


def test_phone_codec_windows_are_cached_for_negatives_and_change_the_features(detector) -> None:
    data, plain = detector
    phone = build_cache(data, recipe=tiny_recipe("detector", family="ast").replace(
        **{"augment.phone_codec.p": 1.0, "augment.phone_copies_per_negative": 1}))
    idx = phone.index
    not_speech = (data.table["y"] == 0) & (data.table["category"] != "speech")
    copies = idx[idx["kind"].str.endswith("_phone")]
    assert {k.removesuffix("_phone") for k in copies["kind"]} == set(data.table.loc[not_speech, "category"])
    assert (copies["y"] == 0).all() and len(copies) == int(not_speech.sum())
    # clean (inference) windows are never coded; augmented cry windows are; speech is left alone
    for kind, same in (("clean", True), ("cry_aug", False), ("speech_high", True)):
        a = np.asarray(plain.features)[(plain.index["kind"] == kind).to_numpy()]
        b = np.asarray(phone.features)[(idx["kind"] == kind).to_numpy()]
        assert np.array_equal(a, b) == same, kind


def test_the_key_follows_the_recipe_not_how_it_runs(detector, tiny_data) -> None:
    data, _ = detector
    base = tiny_recipe("detector", family="ast")
    assert cache_key(data, base) == cache_key(data, base.replace(threads=2, progress=True, **{"fit.epochs": 9}))
    assert cache_key(data, base) != cache_key(data, base.replace(**{"augment.cry_noise.p": 0.1}))
    assert cache_key(data, base) != cache_key(data, base.replace(model={"num_mel_bins": 32}))
    assert cache_key(data, base) != cache_key(load_task(tiny_data, task="reason"), tiny_recipe("reason"))
    # the sound-effects CNN caches its encoder's embeddings: the encoder keys them, the head's settings do not
    sfx = tiny_recipe("detector")
    assert cache_key(data, sfx) != cache_key(data, base)
    assert cache_key(data, sfx) == cache_key(data, sfx.replace(model={"head_l2": 1.0}))
    assert cache_key(data, sfx) != cache_key(data, sfx.replace(model={"channels": 8}))
    assert cache_key(data, sfx) != cache_key(data, sfx.replace(model={"block3_stats": False}))
    assert cache_key(data, sfx) != cache_key(data, sfx.replace(model={"block2_stats": False}))


def test_a_disk_cache_is_reused(tiny_data: Path, tmp_path: Path) -> None:
    data = load_task(tiny_data, task="reason")
    recipe = tiny_recipe("reason").replace(cache_dir=str(tmp_path))
    first = build_cache(data, recipe=recipe)
    again = build_cache(data, recipe=recipe)
    assert first.path == again.path and (first.path / "features.npy").exists()
    np.testing.assert_array_equal(np.asarray(first.features), np.asarray(again.features))


def test_reason_windows_mix_the_folders_recorded_noise_as_the_preview_does(tiny_data: Path) -> None:
    # the Augmentations tab previews background noise drawn from the folder's noise clips; training must too
    cache = build_cache(load_task(tiny_data, task="reason"), recipe=tiny_recipe("reason"))
    noise_groups = set(cache.index["noise_group"]) - {""}
    folder_noise = set(load_task(tiny_data, task="detector").table.query("category == 'noise'")["group"].astype(str))
    assert noise_groups and noise_groups <= folder_noise


def test_the_encoders_number_format_keys_the_cache_and_changes_little(tiny_data: Path) -> None:
    data = load_task(tiny_data, task="reason")
    fp32 = tiny_recipe("reason", family="sfx").replace(**{"model.encoder_precision": "float32"})
    bf16 = fp32.replace(**{"model.encoder_precision": "bfloat16"})
    assert cache_key(data, fp32) != cache_key(data, bf16)
    assert cache_key(data, fp32.replace(**{"model.encoder_precision": "auto"})) in {
        cache_key(data, fp32), cache_key(data, bf16)}
    a, b = (np.asarray(build_cache(data, recipe=r).features, dtype=np.float64) for r in (fp32, bf16))
    assert a.shape == b.shape and b.dtype == np.float64
    assert np.abs(a - b).max() <= 0.02 * np.abs(a).max()  # bfloat16 keeps ~3 significant digits
