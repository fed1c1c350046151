"""The app's handlers called directly: real audio files, the real library, tiny trained checkpoints."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest

from babycry import audio as bc_audio
from babycry.config import REASONS, BandPassConfig
from babycry.errors import BabyCryError
from demo import handlers

BAND = BandPassConfig()
DEFAULT_BAND = (BAND.centre_hz, BAND.bandwidth_fraction, BAND.rolloff_db_per_octave)


@pytest.fixture(scope="module")
def models(tiny_models) -> handlers.Models:
    m = handlers.Models(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir)
    assert m.warm_up() is None
    return m


# --------------------------------------------------------------------------- bad input -> readable gr.Error
@pytest.mark.parametrize("case", ["empty", "silence", "short", "text", "fake_wav"])
def test_bad_input_gives_the_library_message(audio_files, case):
    with pytest.raises(BabyCryError) as lib:
        bc_audio.load(audio_files[case])
    with pytest.raises(gr.Error) as ui:
        handlers.load_recording(str(audio_files[case]))
    assert ui.value.message == str(lib.value)
    assert "Traceback" not in ui.value.message


def test_no_recording_and_expired_upload(tmp_path):
    with pytest.raises(gr.Error, match="No recording yet"):
        handlers.load_recording(None)
    with pytest.raises(gr.Error, match="no longer on the server"):
        handlers.load_recording(str(tmp_path / "gone.wav"))


def test_unexpected_errors_become_a_short_message():
    with pytest.raises(gr.Error, match="Something went wrong while testing"):
        with handlers.readable_errors("testing"):
            raise RuntimeError("internal detail")


# --------------------------------------------------------------------------- /classify
def test_classify_returns_the_design_json(models, audio_files):
    out = handlers.classify(str(audio_files["cry"]), models=models)
    assert set(out) >= {"is_cry", "cry_probability", "verdict", "unsure", "reasons", "seconds_analysed", "windows"}
    assert list(out["reasons"]) == list(REASONS)
    assert sum(out["reasons"].values()) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 <= out["cry_probability"] <= 1.0
    assert out["seconds_analysed"] == pytest.approx(7.0, abs=0.05)
    assert len(out["windows"]) >= 2
    assert out["truncated"] is False and out["steady_sound"] is False
    json.dumps(out)  # what the API sends must be plain JSON


def test_a_steady_hum_is_not_a_cry_whatever_the_detector_says(models, tmp_path):
    import soundfile as sf

    t = np.arange(5 * 16000) / 16000
    hum = sum(0.5 / k * np.sin(2 * np.pi * 50.0 * k * t) for k in range(1, 8))
    path = tmp_path / "fridge.wav"
    sf.write(path, (0.1 * hum).astype(np.float32), 16000)
    out = handlers.classify(str(path), models=models)
    assert out["steady_sound"] is True and out["is_cry"] is False and out["verdict"] == "not_cry"
    assert 0.0 <= out["cry_probability"] <= 1.0  # the detector's own figure is still reported


def test_classify_decodes_browser_formats(models, audio_files):
    if "webm" not in audio_files:
        pytest.skip("ffmpeg not installed")
    out = handlers.classify(str(audio_files["webm"]), models=models)
    assert out["seconds_analysed"] == pytest.approx(7.0, abs=0.1)


def test_a_long_recording_is_cut_and_the_answer_says_so(models, tmp_path):
    from babycry.config import AudioConfig
    from babycry.synth import synth_cry, write_wav

    limit = AudioConfig().max_seconds
    long_file = write_wav(tmp_path / "long.wav", synth_cry(seconds=limit + 5, seed=2).samples, sample_rate=16_000)
    out = handlers.classify(str(long_file), models=models)
    assert out["truncated"] is True
    assert out["seconds_analysed"] == pytest.approx(limit, abs=0.05)
    text, _, timeline = handlers.render_answer(out)
    assert f"Only the first {limit:g} s were analysed" in text
    assert timeline is not None


def test_missing_checkpoint_is_reported_not_raised(tmp_path, audio_files):
    broken = handlers.Models(detector_path=tmp_path / "nope", reason_path=tmp_path / "nope")
    assert "nope" in broken.warm_up()
    assert "could not be loaded" in handlers.model_quality_note(broken)
    with pytest.raises(gr.Error, match="nope"):
        handlers.classify(str(audio_files["cry"]), models=broken)


# --------------------------------------------------------------------------- the plain-words answer
def _result(**kw):
    base = {
        "is_cry": True,
        "cry_probability": 0.93,
        "verdict": "hungry",
        "unsure": False,
        "reasons": {"hungry": 0.61, "belly_pain": 0.12, "discomfort": 0.17, "tired": 0.10},
        "seconds_analysed": 7.0,
        "windows": [],
    }
    base.update(kw)
    return base


def test_answer_confident_unsure_and_not_a_cry():
    text, probs, timeline = handlers.render_answer(_result())
    assert text.startswith("## Sounds most like: hungry")
    assert "93% sure" in text
    assert probs == {"hungry": 0.61, "belly pain": 0.12, "discomfort": 0.17, "tired": 0.10}
    assert timeline is None

    text, _, _ = handlers.render_answer(_result(unsure=True))
    assert text.startswith("## Crying — no reason stands out") and "closest is **hungry**" in text

    text, probs, _ = handlers.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.08))
    assert text.startswith("## This doesn't sound like a baby crying")
    assert "8%" in text and len(probs) == 4

    text, _, _ = handlers.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.81,
                                                steady_sound=True))
    assert text.startswith("## This sounds like a steady background sound, not a baby crying")
    assert "81%" in text and "hum" in text

    text, _, _ = handlers.render_answer(_result(truncated=True, seconds_analysed=60.0))
    assert "Only the first 60 s" in text
    assert handlers.render_answer(None)[0] == handlers.EMPTY_ANSWER


def test_answer_says_when_the_detector_is_unsure_whether_it_is_a_cry():
    text, probs, _ = handlers.render_answer(_result(cry_probability=0.66, cry_unsure=True))
    assert text.startswith("## Maybe a baby crying: the detector isn't sure")
    assert "66%" in text and "laughter" in text and "If it is a cry, it sounds most like **hungry**." in text
    assert len(probs) == 4
    text, _, _ = handlers.render_answer(_result(cry_probability=0.66, cry_unsure=True, unsure=True))
    assert "no reason stands out clearly" in text
    text, _, _ = handlers.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.41,
                                                cry_unsure=True))
    assert text.startswith("## Probably not a baby crying, but the detector isn't sure") and "41%" in text


def test_answer_explains_a_verdict_that_is_not_the_longest_bar():
    """The verdict allows for base rates; the bars include them (most crying babies are hungry)."""
    rates = {"hungry": 0.85, "belly_pain": 0.04, "discomfort": 0.06, "tired": 0.05}
    text, probs, _ = handlers.render_answer(_result(verdict="tired"), base_rates=rates)
    assert text.startswith("## Sounds most like: tired")
    assert "lean towards hungry" in text and "85% of the cries it learned from" in text
    assert max(probs, key=probs.get) == "hungry"
    text, _, _ = handlers.render_answer(_result(verdict="hungry"), base_rates=rates)
    assert "lean towards" not in text


def test_base_rates_are_read_from_the_checkpoint(models):
    rates = handlers.reason_base_rates(models)
    _, reason = models.get()
    counts = reason.metrics["grouped"]["class_counts"]
    assert rates == pytest.approx({k: v / sum(counts.values()) for k, v in counts.items()})


def test_answer_draws_a_timeline_for_several_windows(models, audio_files):
    _, _, fig = handlers.render_answer(handlers.classify(str(audio_files["cry"]), models=models))
    assert fig is not None and len(fig.data[0].y) >= 2


def test_quality_note_is_read_from_the_checkpoint(models):
    note = handlers.model_quality_note(models)
    _, reason = models.get()
    summary = reason.summary()
    assert f"{summary['balanced_accuracy']:.2f}" in note
    assert "0.25" in note  # chance for four reasons
    brief = handlers.model_quality_brief(models)
    assert f"{summary['balanced_accuracy']:.2f}" in brief and "0.25" in brief


def test_quality_note_names_the_sounds_the_bundled_detector_mistakes_for_cries():
    from babycry.modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR

    bundled = handlers.Models(detector_path=DEFAULT_DETECTOR_DIR, reason_path=DEFAULT_REASON_DIR)
    detector, _ = bundled.get()
    laugh = detector.summary()["category_accuracy"]["laugh"]
    note = handlers.model_quality_note(bundled)
    assert laugh < 0.9 and f"{round(100 * (1 - laugh))}% of baby laughter" in note
    # and where it says it is unsure (the stored band and its shares, from metrics.json)
    band = detector.summary()["cry_band"]
    assert f"between {round(100 * band['low'])}% and {round(100 * band['high'])}%" in note
    assert f"{round(100 * band['categories']['laugh']['unsure'])}% of baby laughter" in note


# --------------------------------------------------------------------------- /spectrogram
def test_spectrogram_views(audio_files):
    mel, wave, response, (sr, filtered), info = handlers.spectrogram_views(str(audio_files["cry"]), *DEFAULT_BAND)
    assert mel.data[0].type == "heatmap"
    assert [t.name for t in wave.data] == ["analysed", "band-passed"]
    assert response.data[0].type == "scatter"
    assert sr == 16_000 and filtered.dtype == np.int16 and filtered.size == 7 * 16_000
    assert info["band_hz"] == [502.5, 2497.5]
    assert info["rms_dbfs_after"] < info["rms_dbfs_before"]
    # A narrower band keeps less of the cry.
    *_, narrow = handlers.spectrogram_views(str(audio_files["cry"]), 1500, 0.2, 48)
    assert narrow["rms_dbfs_after"] < info["rms_dbfs_after"]


@pytest.mark.parametrize(("centre", "fraction", "rolloff"), [(7000, 1.9, 12), (1500, 1.33, 18), (1500, 2.5, 12)])
def test_spectrogram_rejects_an_impossible_band(audio_files, centre, fraction, rolloff):
    with pytest.raises(gr.Error) as err:
        handlers.spectrogram_views(str(audio_files["cry"]), centre, fraction, rolloff)
    assert str(rolloff) in err.value.message or "Hz" in err.value.message


# --------------------------------------------------------------------------- /augment
def test_augment_gain_is_heard_at_true_level(audio_files):
    path = str(audio_files["cry"])
    _, _, _, (sr, plain), _ = handlers.augment_preview(path, "gain", '{"gain_db": 0}', 0)
    before, after, wave, (sr2, louder), used = handlers.augment_preview(path, "gain", '{"gain_db": -6}', 0)
    assert plain.dtype == louder.dtype == np.int16 and sr == sr2 == 16_000
    ratio = np.abs(louder.astype(float)).max() / np.abs(plain.astype(float)).max()
    assert ratio == pytest.approx(10 ** (-6 / 20), rel=0.01)
    assert used == {"name": "gain", "seed": 0, "params_used": {"gain_db": pytest.approx(-6.0)}}
    assert before.data[0].type == after.data[0].type == "heatmap" and len(wave.data) == 2


def test_augment_every_registry_entry_with_defaults(audio_files):
    for name in handlers.augmentation_names():
        *_, (_, out), used = handlers.augment_preview(str(audio_files["cry"]), name, "{}", 3)
        assert out.dtype == np.int16 and out.size > 0
        assert used["name"] == name and used["seed"] == 3


def test_augment_is_reproducible_with_a_seed(audio_files):
    a = handlers.augment_preview(str(audio_files["cry"]), "gaussian_noise", '{"snr_db": 10}', 5)[3][1]
    b = handlers.augment_preview(str(audio_files["cry"]), "gaussian_noise", '{"snr_db": 10}', 5)[3][1]
    c = handlers.augment_preview(str(audio_files["cry"]), "gaussian_noise", '{"snr_db": 10}', 6)[3][1]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("reverb", "{}", "Unknown augmentation 'reverb'"),
        ("gain", '{"gain_db": 60}', "gain_db must lie in"),
        ("gain", '{"volume": 1}', "no parameter 'volume'"),
        ("gain", "not json", "must be a JSON object"),
        ("gain", "[1, 2]", "must be a JSON object"),
    ],
)
def test_augment_bad_parameters(audio_files, name, params, match):
    with pytest.raises(gr.Error, match=match):
        handlers.augment_preview(str(audio_files["cry"]), name, params, 0)


def test_collect_params_keeps_only_the_chosen_augmentation():
    layout = [("gain", "gain_db"), ("pitch_shift", "semitones")]
    assert json.loads(handlers.collect_params("pitch_shift", 3.0, 1.5, layout=layout)) == {"semitones": 1.5}


def test_sliders_come_from_the_registry():
    specs = handlers.augmentation_specs()
    assert list(specs) == handlers.augmentation_names()
    for params in specs.values():
        for p in params:
            assert p.min <= p.default <= p.max


# --------------------------------------------------------------------------- research tabs
def test_model_reports_show_grouped_metrics_beside_the_baseline(models):
    reports = dict(handlers.model_reports(models))
    assert set(reports) == {"Cry detector", "Reason classifier"}
    table = reports["Reason classifier"]["table_md"]
    assert "grouped CV" in table and "majority baseline" in table
    assert "0.250" in table  # the baseline's balanced accuracy for four classes
    assert reports["Reason classifier"].get("confusion_fig") is not None


def test_dataset_overview(data_dir):
    text, table = handlers.dataset_overview(data_dir)
    assert table is not None and {"label", "clips", "families"} <= set(table.columns)
    assert "Families" in text


def test_dataset_overview_without_data(tmp_path):
    text, table = handlers.dataset_overview(tmp_path / "none")
    assert table is None and "BABYCRY_DATA" in text
