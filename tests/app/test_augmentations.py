"""demo.augmentations: /augment previews, and the training recipes' augmentations as the tab lists them."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest

from demo import augmentations


def test_augment_gain_is_heard_at_true_level(audio_files):
    path = str(audio_files["cry"])
    _, _, _, (sr, plain), _ = augmentations.augment_preview(path, "gain", '{"gain_db": 0}', 0)
    before, after, wave, (sr2, louder), used = augmentations.augment_preview(path, "gain", '{"gain_db": -6}', 0)
    assert plain.dtype == louder.dtype == np.int16 and sr == sr2 == 16_000
    ratio = np.abs(louder.astype(float)).max() / np.abs(plain.astype(float)).max()
    assert ratio == pytest.approx(10 ** (-6 / 20), rel=0.01)
    assert used == {"name": "gain", "seed": 0, "params_used": {"gain_db": pytest.approx(-6.0)}, "clipped_share": 0.0,
                    "clipping": "none"}
    assert before.data[0].type == after.data[0].type == "heatmap" and len(wave.data) == 2


def test_before_and_after_are_both_visible_and_clipping_is_reported(audio_files):
    _, _, wave, (_, louder), used = augmentations.augment_preview(str(audio_files["cry"]), "gain",
                                                                  '{"gain_db": 12}', 0)
    # two rows, one trace each: the louder "after" cannot hide "before"
    assert [t.name for t in wave.data] == ["before", "after"]
    assert {t.yaxis for t in wave.data} == {"y", "y2"}
    assert used["clipped_share"] > 0 and "distorted" in used["clipping"]
    assert used["clipped_share"] == pytest.approx(np.mean(np.abs(louder.astype(float)) >= 32767 * 0.999), abs=1e-4)


def test_both_spectrograms_share_one_colour_scale(audio_files):
    before, after, _, _, _ = augmentations.augment_preview(str(audio_files["cry"]), "background_noise",
                                                           '{"snr_db": 5}', 0)
    b, a = before.data[0], after.data[0]
    # the noise raises the floor; on one scale that shows as brighter, not as the same colours re-stretched
    assert (b.zmin, b.zmax) == (a.zmin, a.zmax)
    assert b.zmin == pytest.approx(min(np.min(b.z), np.min(a.z)))
    assert np.min(a.z) > np.min(b.z) + 10


def test_augment_every_registry_entry_with_defaults(audio_files):
    for name in augmentations.augmentation_names():
        *_, (_, out), used = augmentations.augment_preview(str(audio_files["cry"]), name, "{}", 3)
        assert out.dtype == np.int16 and out.size > 0
        assert used["name"] == name and used["seed"] == 3


def test_augment_is_reproducible_with_a_seed(audio_files):
    a = augmentations.augment_preview(str(audio_files["cry"]), "gaussian_noise", '{"snr_db": 10}', 5)[3][1]
    b = augmentations.augment_preview(str(audio_files["cry"]), "gaussian_noise", '{"snr_db": 10}', 5)[3][1]
    c = augmentations.augment_preview(str(audio_files["cry"]), "gaussian_noise", '{"snr_db": 10}', 6)[3][1]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("flanger", "{}", "Unknown augmentation 'flanger'"),
        ("gain", '{"gain_db": 60}', "gain_db must lie in"),
        ("gain", '{"volume": 1}', "no parameter 'volume'"),
        ("gain", "not json", "must be a JSON object"),
        ("gain", "[1, 2]", "must be a JSON object"),
        (None, "{}", "name must be one of"),
        (3, "{}", "name must be one of"),
    ],
)
def test_augment_bad_parameters(audio_files, name, params, match):
    with pytest.raises(gr.Error, match=match):
        augmentations.augment_preview(str(audio_files["cry"]), name, params, 0)


def test_collect_params_keeps_only_the_chosen_augmentation():
    layout = [("gain", "gain_db"), ("pitch_shift", "semitones")]
    assert json.loads(augmentations.collect_params("pitch_shift", 3.0, 1.5, layout=layout)) == {"semitones": 1.5}


def test_sliders_come_from_the_registry():
    specs = augmentations.augmentation_specs()
    assert list(specs) == augmentations.augmentation_names()
    for params in specs.values():
        for p in params:
            assert p.min <= p.default <= p.max


# --------------------------------------------------------------------------- what training applies
def test_the_tab_lists_each_recipe_as_the_recipe_states_it():
    from babycry.training.recipes import recipe_for

    for task in augmentations.TASK_NAMES:
        uses = recipe_for(task).augmentation_uses()
        rows = augmentations.recipe_markdown(task).splitlines()[2:]
        assert len(rows) == len(uses)
        for row, use in zip(rows, uses, strict=True):
            assert row.startswith(f"| {use['applies_to']} | `{use['name']}` | {use['p']:.0%} |")
            for param, (lo, hi) in use["ranges"].items():
                assert f"{param} {lo:g} to {hi:g}" in row
        # every transform training applies can be previewed here
        assert {u["name"] for u in uses} <= set(augmentations.augmentation_names())


def test_each_augmentation_says_where_training_uses_it():
    assert augmentations.uses_markdown("gain") == "Not used in training (preview only)."
    pitch = augmentations.uses_markdown("pitch_shift")
    assert pitch.startswith("In training: cry detector, cries (50%, semitones -2 to 2)")
    assert "reason classifier, labelled cries (50%, semitones -1.1 to 1.1)" in pitch
    assert augmentations.uses_markdown("mic_filter") == (
        "In training: cry detector, cries (30%); cry detector, other not-cries (50%).")


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", 2**40, True])
def test_a_bad_seed_is_a_clear_error(audio_files, seed):
    with pytest.raises(gr.Error, match="seed must be a whole number"):
        augmentations.augment_preview(str(audio_files["cry"]), "gain", "{}", seed)
