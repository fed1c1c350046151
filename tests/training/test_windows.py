"""babycry.training.windows: augmented windows and hard negatives, all from babycry.augment."""

from __future__ import annotations

import dataclasses

import numpy as np

from babycry.augment import NoiseBank, VoiceBank
from babycry.codec import CODECS
from babycry.synth import synth_cry
from babycry.training.recipes import DetectorRecipe, ReasonRecipe, Use
from babycry.training.windows import (
    OWN_STRATUM,
    channel_windows,
    choose_phone_coded,
    cry_voicing,
    detector_windows,
    reason_windows,
)

SR = 16000


def _cry() -> np.ndarray:
    return synth_cry(seconds=4.0, sample_rate=SR, f0_hz=450.0, seed=5).samples


def test_a_cry_gives_still_cries_and_labelled_hard_negatives() -> None:
    items = detector_windows(_cry(), "cry", np.random.default_rng(0), NoiseBank(), recipe=DetectorRecipe().augment,
                             sample_rate=SR, window_s=3.0)
    kinds = [k for _, _, k, _ in items]
    assert kinds.count("cry_aug") == 3 and kinds.count("laugh_like") == 2 and kinds.count("low_voice") == 1
    assert {"synth_cry", "synth_laugh", "synth_adult", "synth_burst", "synth_tone"} <= set(kinds)
    for seg, label, kind, _ in items:
        assert label == (1 if kind in ("cry_aug", "synth_cry") else 0)
        assert seg.dtype == np.float32 and seg.size > 0.3 * SR and np.isfinite(seg).all()
        assert kind in OWN_STRATUM or kind == "cry_aug"


def _channel(recipe, name: str, x: np.ndarray, category: str, label: int, seed: int) -> list:
    kind, use, copies = next(c for c in recipe.channels if c[0] == name)
    return channel_windows(x, category, label, np.random.default_rng(seed), use=use, copies=copies, kind=kind,
                           sample_rate=SR, window_s=3.0)


def test_the_recipe_hears_every_clip_through_a_room_and_an_overloaded_microphone() -> None:
    recipe = DetectorRecipe().augment
    assert recipe.channels == (("room", recipe.room, recipe.room_copies),
                               ("clipped", recipe.clipped, recipe.clipped_copies))


def test_every_clip_gets_a_reverberant_window_of_its_own_class() -> None:
    recipe = DetectorRecipe().augment
    x = _cry()
    for category, label in (("cry", 1), ("laugh", 0)):
        items = _channel(recipe, "room", x, category, label, 1)
        assert [(y, k, g) for _, y, k, g in items] == [(label, f"{category}_room", "")] * recipe.room_copies
    (seg, *_), = _channel(recipe, "room", x, "cry", 1, 1)
    again, *_ = _channel(recipe, "room", x, "cry", 1, 1)[0]
    np.testing.assert_array_equal(seg, again)  # the clip's own generator decides everything
    assert seg.dtype == np.float32 and 0.3 * SR < seg.size <= 3 * SR  # a crop, as every training window
    dry = dataclasses.replace(recipe, room=Use("room_reverb", 0.0))
    (plain, *_), = _channel(dry, "room", x, "cry", 1, 1)
    assert not np.allclose(plain, seg)  # the echo is what differs


def test_every_clip_gets_a_clipped_window_of_its_own_class() -> None:
    recipe = DetectorRecipe().augment
    items = _channel(recipe, "clipped", _cry(), "laugh", 0, 2)
    assert [(y, k, g) for _, y, k, g in items] == [(0, "laugh_clipped", "")] * recipe.clipped_copies
    seg = items[0][0]
    assert seg.dtype == np.float32 and 0.3 * SR < seg.size <= 3 * SR  # a crop, as every training window
    assert np.mean(np.abs(seg) >= np.abs(seg).max() * 0.999) > 0.005  # flat tops: the wave was cut


def test_windows_depend_only_on_the_generator_and_the_global_seed() -> None:
    import random

    def run() -> list[np.ndarray]:
        np.random.seed(1)
        random.seed(1)
        return [s for s, *_ in detector_windows(_cry(), "cry", np.random.default_rng(3), NoiseBank(),
                                                recipe=DetectorRecipe().augment, sample_rate=SR, window_s=3.0)]

    for a, b in zip(run(), run(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_recorded_noise_is_tracked_by_its_group() -> None:
    bank = NoiseBank(clips=[np.random.default_rng(0).normal(size=SR).astype(np.float32)], groups=["esc-1"],
                     p_recorded=1.0)
    noisy = Use("background_noise", 1.0, {"snr_db": (0.0, 5.0)})
    recipe = dataclasses.replace(DetectorRecipe().augment, cry_noise=noisy, hard_negatives_per_cry=0,
                                 synth_pairs_per_cry=0, synth_negatives_per_cry=0, synth_tones_per_cry=0)
    items = detector_windows(_cry(), "cry", np.random.default_rng(0), bank, recipe=recipe, sample_rate=SR,
                             window_s=3.0)
    assert [g for *_, g in items] == ["esc-1"] * 3


def test_talking_over_cries_and_not_cries_is_tracked_by_speaker_beside_the_noise() -> None:
    bank = NoiseBank(clips=[np.random.default_rng(0).normal(size=SR).astype(np.float32)], groups=["esc-1"],
                     p_recorded=1.0)
    voices = VoiceBank(clips=[synth_cry(seconds=0.5, sample_rate=SR, f0_hz=140.0, seed=2).samples], groups=["ann"])
    always = {"cry_noise": Use("background_noise", 1.0, {"snr_db": (0.0, 5.0)}),
              "cry_talk": Use("talk_over", 1.0, {"snr_db": (3.0, 3.0)}),
              "negative_noise": Use("background_noise", 0.0, {"snr_db": (0.0, 5.0)}),
              "negative_talk": Use("talk_over", 1.0, {"snr_db": (3.0, 3.0)})}
    recipe = dataclasses.replace(DetectorRecipe().augment, hard_negatives_per_cry=0, synth_pairs_per_cry=0,
                                 synth_negatives_per_cry=0, synth_tones_per_cry=0, **always)
    cries = detector_windows(_cry(), "cry", np.random.default_rng(0), bank, recipe=recipe, sample_rate=SR,
                             window_s=3.0, voices=voices)
    assert [(label, g) for _, label, _, g in cries] == [(1, "esc-1|ann")] * 3
    laugh = detector_windows(_cry()[: 3 * SR], "laugh", np.random.default_rng(0), bank, recipe=recipe,
                             sample_rate=SR, window_s=3.0, voices=voices)
    assert [(label, g) for _, label, _, g in laugh] == [(0, "ann")] * 2


def test_speech_is_raised_and_negatives_get_noisy_copies() -> None:
    speech = synth_cry(seconds=1.0, sample_rate=SR, f0_hz=120.0, seed=1).samples
    recipe = DetectorRecipe().augment
    items = detector_windows(speech, "speech", np.random.default_rng(0), NoiseBank(), recipe=recipe, sample_rate=SR,
                             window_s=3.0)
    assert [(label, kind) for _, label, kind, _ in items] == [(0, "speech_high")]
    noise = np.random.default_rng(1).normal(size=3 * SR).astype(np.float32) * 0.1
    items = detector_windows(noise, "noise", np.random.default_rng(0), NoiseBank(), recipe=recipe, sample_rate=SR,
                             window_s=3.0)
    assert [(label, kind) for _, label, kind, _ in items] == [(0, "noise_aug")] * 2


def test_phone_coding_picks_windows_and_one_codec_per_clip_and_leaves_speech_alone() -> None:
    recipe = DetectorRecipe().augment
    x = _cry()
    items = [(x[: 3 * SR], 0, "noise_aug", "")] * 4
    out, chosen, drawn = choose_phone_coded(items, x, "noise", np.random.default_rng(1), recipe=recipe,
                                            sample_rate=SR, window_s=3.0)
    # one codec-only copy appended, always coded; the rest each with the recipe's probability
    assert len(out) == 5 and out[4][2] == "noise_phone" and 4 in chosen and set(chosen) <= set(range(5))
    assert drawn is not None and drawn[0] in CODECS
    assert choose_phone_coded(items, x, "speech", np.random.default_rng(1), recipe=recipe, sample_rate=SR,
                              window_s=3.0) == (items, [], None)
    never = dataclasses.replace(recipe, phone_codec=dataclasses.replace(recipe.phone_codec, p=0.0))
    assert choose_phone_coded(items, x, "cry", np.random.default_rng(1), recipe=never, sample_rate=SR,
                              window_s=3.0)[1:] == ([], None)


def test_reason_copies_keep_the_label() -> None:
    items = reason_windows(_cry(), 2, 4, np.random.default_rng(0), NoiseBank(), recipe=ReasonRecipe().augment,
                           sample_rate=SR, window_s=3.0)
    assert [(label, kind) for _, label, kind, _ in items] == [(2, "reason_aug")] * 4


def test_cry_voicing_separates_a_cry_from_a_hum() -> None:
    t = np.arange(2 * SR) / SR
    hum = (0.1 * np.sin(2 * np.pi * 100 * t)).astype(np.float32)
    assert cry_voicing(_cry(), sample_rate=SR) > 0.4 > 0.1 > cry_voicing(hum, sample_rate=SR)
