"""demo.answer: /classify on real files with tiny checkpoints, and its JSON in plain words."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest

from babycry.config import REASONS
from demo import answer
from demo.models import Models


def test_classify_returns_the_design_json(models, audio_files):
    out = answer.classify(str(audio_files["cry"]), models=models)
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
    out = answer.classify(str(path), models=models)
    assert out["steady_sound"] is True and out["is_cry"] is False and out["verdict"] == "not_cry"
    assert 0.0 <= out["cry_probability"] <= 1.0  # the detector's own figure is still reported


def test_classify_decodes_browser_formats(models, audio_files):
    if "webm" not in audio_files:
        pytest.skip("ffmpeg not installed")
    out = answer.classify(str(audio_files["webm"]), models=models)
    assert out["seconds_analysed"] == pytest.approx(7.0, abs=0.1)


def test_a_long_recording_is_cut_and_the_answer_says_so(models, tmp_path):
    from babycry.config import AudioConfig
    from babycry.synth import synth_cry, write_wav

    limit = AudioConfig().max_seconds
    long_file = write_wav(tmp_path / "long.wav", synth_cry(seconds=limit + 5, seed=2).samples, sample_rate=16_000)
    out = answer.classify(str(long_file), models=models)
    assert out["truncated"] is True
    assert out["seconds_analysed"] == pytest.approx(limit, abs=0.05)
    text, _, timeline = answer.render_answer(out)
    assert f"Only the first {limit:g} s were analysed" in text
    assert timeline is not None


def test_missing_checkpoint_is_reported_not_raised(tmp_path, audio_files):
    broken = Models(detector_path=tmp_path / "nope", reason_path=tmp_path / "nope")
    assert "nope" in broken.warm_up()
    assert "could not be loaded" in answer.model_quality_note(broken)
    with pytest.raises(gr.Error, match="nope"):
        answer.classify(str(audio_files["cry"]), models=broken)


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
    text, probs, timeline = answer.render_answer(_result())
    assert text.startswith("## Sounds most like: hungry")
    assert "93% sure" in text
    assert probs == {"hungry": 0.61, "belly pain": 0.12, "discomfort": 0.17, "tired": 0.10}
    assert timeline is None

    text, _, _ = answer.render_answer(_result(unsure=True))
    assert text.startswith("## Crying — no reason stands out") and "closest is **hungry**" in text

    text, probs, _ = answer.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.08))
    assert text.startswith("## This doesn't sound like a baby crying")
    assert "8%" in text and len(probs) == 4

    text, _, _ = answer.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.81,
                                                steady_sound=True))
    assert text.startswith("## This sounds like a steady background sound, not a baby crying")
    assert "81%" in text and "hum" in text

    text, _, _ = answer.render_answer(_result(truncated=True, seconds_analysed=60.0))
    assert "Only the first 60 s" in text
    assert answer.render_answer(None)[0] == answer.EMPTY_ANSWER


def test_answer_says_when_the_detector_is_unsure_whether_it_is_a_cry():
    text, probs, _ = answer.render_answer(_result(cry_probability=0.66, cry_unsure=True))
    assert text.startswith("## Maybe a baby crying: the detector isn't sure")
    assert "66%" in text and "laughter" in text and "If it is a cry, it sounds most like **hungry**." in text
    assert len(probs) == 4
    text, _, _ = answer.render_answer(_result(cry_probability=0.66, cry_unsure=True, unsure=True))
    assert "no reason stands out clearly" in text
    text, _, _ = answer.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.41,
                                                cry_unsure=True))
    assert text.startswith("## Probably not a baby crying, but the detector isn't sure") and "41%" in text


def test_answer_explains_a_verdict_that_is_not_the_longest_bar():
    """The verdict allows for base rates; the bars include them (most crying babies are hungry)."""
    rates = {"hungry": 0.85, "belly_pain": 0.04, "discomfort": 0.06, "tired": 0.05}
    text, probs, _ = answer.render_answer(_result(verdict="tired"), base_rates=rates)
    assert text.startswith("## Sounds most like: tired")
    assert "lean towards hungry" in text and "85% of the cries it learned from" in text
    assert max(probs, key=probs.get) == "hungry"
    text, _, _ = answer.render_answer(_result(verdict="hungry"), base_rates=rates)
    assert "lean towards" not in text


def test_base_rates_are_read_from_the_checkpoint(models):
    rates = answer.reason_base_rates(models)
    _, reason = models.get()
    counts = reason.metrics["grouped"]["class_counts"]
    assert rates == pytest.approx({k: v / sum(counts.values()) for k, v in counts.items()})


def test_answer_draws_a_timeline_for_several_windows(models, audio_files):
    _, _, fig = answer.render_answer(answer.classify(str(audio_files["cry"]), models=models))
    assert fig is not None and len(fig.data[0].y) >= 2


def test_quality_note_is_read_from_the_checkpoint(models):
    note = answer.model_quality_note(models)
    _, reason = models.get()
    summary = reason.summary()
    assert f"{summary['balanced_accuracy']:.2f}" in note
    assert "0.25" in note  # chance for four reasons
    brief = answer.model_quality_brief(models)
    assert f"{summary['balanced_accuracy']:.2f}" in brief and "0.25" in brief


def test_quality_note_names_the_sounds_the_bundled_detector_mistakes_for_cries():
    from babycry.modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR

    bundled = Models(detector_path=DEFAULT_DETECTOR_DIR, reason_path=DEFAULT_REASON_DIR)
    detector, _ = bundled.get()
    laugh = detector.summary()["category_accuracy"]["laugh"]
    note = answer.model_quality_note(bundled)
    assert laugh < 0.9 and f"{round(100 * (1 - laugh))}% of baby laughter" in note
    # and where it says it is unsure (the stored band and its shares, from metrics.json)
    band = detector.summary()["cry_band"]
    assert f"between {round(100 * band['low'])}% and {round(100 * band['high'])}%" in note
    assert f"{round(100 * band['categories']['laugh']['unsure'])}% of baby laughter" in note
