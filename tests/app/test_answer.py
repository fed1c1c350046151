"""demo.answer: /classify on real files with tiny checkpoints, and its JSON in plain words."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest

from babycry.config import REASONS
from demo import answer
from demo.models import Models

#: Words of the research vocabulary the Listen tab's answer must never use (the Model tab explains them).
RESEARCH_TERMS = ("balanced accuracy", "calibrat", "prior", "out-of-fold", "StratifiedGroupKFold", "bootstrap",
                  "logit", "softmax", "ECE", "dBFS", "cross-validation", "baseline", "0.", "CI")


def test_classify_returns_the_documented_json(models, audio_files):
    out = answer.classify(str(audio_files["cry"]), models=models)
    assert list(out) == ["is_cry", "cry_probability", "cry_unsure", "verdict", "unsure", "reasons",
                         "reasons_balanced", "reason_quality", "seconds_analysed", "sound", "windows",
                         "steady_sound", "model", "truncated"]
    assert list(out["reasons"]) == list(out["reasons_balanced"]) == list(REASONS)
    assert sum(out["reasons"].values()) == pytest.approx(1.0, abs=1e-3)
    assert out["seconds_analysed"] == pytest.approx(7.0, abs=0.05)
    assert out["sound"]["pattern"] == "continuous" and out["sound"]["loudness"] == "loud"
    assert len(out["windows"]) >= 2
    assert out["truncated"] is False and out["steady_sound"] is False
    assert set(out["model"]) == {"detector", "reason"} and set(out["model"]["reason"]) == {"name", "version"}
    text = json.dumps(out)  # what the API sends must be plain JSON, and name no server path
    assert str(models.path("detector")) not in text and "/tmp" not in text


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
    view = answer.render_answer(out)
    assert "Only the first minute was listened to." in view.verdict_md
    assert view.timeline is not None


def test_missing_checkpoint_is_reported_without_a_server_path(tmp_path, audio_files):
    broken = Models(detector_path=tmp_path / "nope", reason_path=tmp_path / "nope", worker=False)
    assert "nope" in broken.load_error()  # the reason, for the server log
    with pytest.raises(gr.Error) as err:
        answer.classify(str(audio_files["cry"]), models=broken)
    assert "could not be loaded" in err.value.message and str(tmp_path) not in err.value.message
    assert "not known" in answer.quality_brief(broken)


# --------------------------------------------------------------------------- the plain-words answer
def _result(**kw):
    base = {
        "is_cry": True,
        "cry_probability": 0.97,
        "cry_unsure": False,
        "verdict": "tired",
        "unsure": False,
        "reasons": {"hungry": 0.81, "belly_pain": 0.05, "discomfort": 0.06, "tired": 0.08},
        "reasons_balanced": {"hungry": 0.22, "belly_pain": 0.2, "discomfort": 0.18, "tired": 0.4},
        "reason_quality": {"balanced_accuracy": 0.31, "ci95": [0.23, 0.41], "chance": 0.25, "experimental": True},
        "seconds_analysed": 7.0,
        "sound": {"level_dbfs": -12.0, "peak_dbfs": -3.0, "loudness": "loud", "sound_seconds": 6.9,
                  "pattern": "continuous", "bouts": [{"start_s": 0.1, "end_s": 7.0}], "clipped_share": 0.0},
        "windows": [],
        "steady_sound": False,
    }
    base.update(kw)
    return base


def test_the_headline_is_what_the_app_can_answer():
    view = answer.render_answer(_result())
    head, facts = view.verdict_md.splitlines()[:2]
    assert head == "## A baby crying"
    assert facts == ("The app is very sure: 97% chance of a cry. Loud, continuous (pausing only to breathe), "
                     "about 7 seconds.")
    assert "tired" not in view.verdict_md  # the reason is not the headline
    assert view.timeline is None


def test_the_named_reason_is_the_longest_bar_and_is_called_an_experiment():
    view = answer.render_answer(_result())
    assert max(view.reasons, key=view.reasons.get) == "tired"
    assert "closest match is **tired**, the longest bar" in view.reason_md
    assert view.reason_md.startswith("### Why? An experiment")
    assert "better than guessing" in view.reason_md
    # a reason model shown to beat chance is no longer called an experiment
    proven = answer.render_answer(_result(reason_quality={"experimental": False}))
    assert proven.reason_md.startswith("### Why is the baby crying?") and "experiment" not in proven.reason_md
    # no reason stands out: none is named
    unsure = answer.render_answer(_result(unsure=True))
    assert "No reason stands out" in unsure.reason_md and "**" not in unsure.reason_md
    assert list(unsure.reasons) == ["hungry", "belly pain", "discomfort", "tired"]
    # nor when the two longest bars show the same whole percent (a model near chance: all four at 25%)
    level = answer.render_answer(_result(reasons_balanced={"hungry": 0.2497, "belly_pain": 0.2501,
                                                           "discomfort": 0.2499, "tired": 0.2503}))
    assert "No reason stands out" in level.reason_md and "**" not in level.reason_md
    assert "closest match is **tired**" in answer.render_answer(_result(reasons_balanced={
        "hungry": 0.24, "belly_pain": 0.24, "discomfort": 0.24, "tired": 0.28})).reason_md


def test_not_a_cry_has_no_reason_and_says_what_to_do():
    view = answer.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.08))
    assert view.verdict_md.startswith("## This doesn't sound like a baby crying")
    assert "8% chance" in view.verdict_md and "record again closer" in view.verdict_md
    assert view.reasons is None and view.reason_md == ""
    steady = answer.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.81, steady_sound=True))
    assert steady.verdict_md.startswith("## A steady sound, not a baby crying") and "fan" in steady.verdict_md
    maybe_not = answer.render_answer(_result(is_cry=False, verdict="not_cry", cry_probability=0.41, cry_unsure=True))
    assert maybe_not.verdict_md.startswith("## Probably not a baby crying") and "41%" in maybe_not.verdict_md


def test_maybe_a_cry_and_how_sure():
    view = answer.render_answer(_result(cry_probability=0.66, cry_unsure=True))
    assert view.verdict_md.startswith("## Maybe a baby crying") and "66%" in view.verdict_md
    assert "laughter" in view.verdict_md and view.reasons is not None
    assert "fairly sure" in answer.render_answer(_result(cry_probability=0.9)).verdict_md
    assert "more than 99%" in answer.render_answer(_result(cry_probability=0.998)).verdict_md


@pytest.mark.parametrize(("p", "said"), [(0.0, "less than 1%"), (1.0, "more than 99%")])
def test_a_rounded_certainty_is_not_said_as_one(p, said):
    # the JSON rounds to four digits: a clear cough arrives as 0.0, yet no model is certain
    view = answer.render_answer(_result(is_cry=p > 0.5, verdict="hungry" if p > 0.5 else "not_cry", cry_probability=p))
    assert said in view.verdict_md and " 0% " not in view.verdict_md and "100%" not in view.verdict_md


@pytest.mark.parametrize(("sound", "expected"), [
    ({"pattern": "bursts", "sound_seconds": 5.2, "bouts": [{}, {}, {}], "loudness": "moderate"},
     "Moderately loud, in 3 bursts: about 5 seconds of crying in a 12-second recording."),
    ({"pattern": "one burst", "sound_seconds": 1.6, "bouts": [{}], "loudness": "quiet"},
     "Quiet, one burst: about 2 seconds of crying in a 12-second recording."),
])
def test_how_long_and_in_bursts(sound, expected):
    base = _result()["sound"]
    view = answer.render_answer(_result(seconds_analysed=12.0, sound={**base, **sound}))
    assert expected in view.verdict_md


def test_a_clipped_recording_says_what_to_do():
    view = answer.render_answer(_result(sound={**_result()["sound"], "clipped_share": 0.01}))
    assert "distorted" in view.verdict_md and "further away" in view.verdict_md


def test_the_answer_uses_no_research_terms():
    for kw in ({}, {"unsure": True}, {"cry_unsure": True, "cry_probability": 0.6},
               {"is_cry": False, "verdict": "not_cry", "cry_probability": 0.1}, {"steady_sound": True, "is_cry": False},
               {"truncated": True, "seconds_analysed": 60.0}):
        view = answer.render_answer(_result(**kw))
        text = view.verdict_md + view.reason_md
        assert not [t for t in RESEARCH_TERMS if t in text], (kw, text)


def test_empty_answer():
    assert answer.render_answer(None).verdict_md == answer.EMPTY_ANSWER


def test_answer_draws_a_timeline_for_several_windows(models, audio_files):
    view = answer.render_answer(answer.classify(str(audio_files["cry"]), models=models))
    assert view.timeline is not None and len(view.timeline.data[0].y) >= 2


def test_quality_brief_is_short_plain_and_read_from_the_checkpoint():
    bundled = Models(worker=False)  # the bundled checkpoints' metrics.json (no model loaded)
    brief = answer.quality_brief(bundled)
    assert brief == ("On families it never heard, the app recognises 9 in 10 cries but also calls 1 in 12 baby "
                     "laughs a cry. Details on the **Model** tab.")
    assert len(brief.split()) < 40
    assert not [t for t in RESEARCH_TERMS if t in brief]
