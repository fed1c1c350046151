"""babycry.analysis: the /classify result from both models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from babycry.analysis import Analysis, Window, analyse, is_steady_sound, model_identity, reason_quality
from babycry.audio import from_array
from babycry.config import REASONS
from babycry.errors import InvalidParameterError
from babycry.modeling import load_detector, load_reason
from babycry.synth import synth_cry


@pytest.fixture(scope="module")
def models(tiny_models):
    return load_detector(tiny_models.detector_dir), load_reason(tiny_models.reason_dir)


@pytest.fixture(scope="module")
def cry():
    return from_array(synth_cry(seconds=7.0, seed=11).samples, 16000)


def test_to_dict_is_exactly_the_classify_json(models, cry) -> None:
    det, rea = models
    d = analyse(cry, detector=det, reason=rea).to_dict()
    assert list(d) == ["is_cry", "cry_probability", "cry_unsure", "verdict", "unsure", "reasons", "reasons_balanced",
                       "reason_quality", "seconds_analysed", "sound", "windows", "steady_sound", "model", "truncated"]
    assert d["truncated"] is False
    assert d["cry_unsure"] == det.is_cry_unsure(d["cry_probability"])
    assert d["steady_sound"] is False
    assert isinstance(d["is_cry"], bool) and isinstance(d["unsure"], bool)
    assert 0.0 <= d["cry_probability"] <= 1.0
    assert list(d["reasons"]) == list(REASONS)
    assert sum(d["reasons"].values()) == pytest.approx(1.0, abs=1e-3)
    assert d["seconds_analysed"] == pytest.approx(7.0)
    assert [list(w) for w in d["windows"]] == [["start_s", "end_s", "cry_probability"]] * 3
    assert set(d["model"]) == {"detector", "reason"}
    assert d["model"]["detector"]["name"] == Path(str(det.model_id)).name
    assert str(Path(str(det.model_id)).parent) not in json.dumps(d)  # no server path in the answer
    assert d["sound"]["pattern"] == "continuous" and d["sound"]["loudness"] == "loud"
    assert d["verdict"] in ("not_cry", *REASONS)
    decision = rea.labels[rea.predict(cry.samples, sample_rate=16000).decision]
    assert d["verdict"] == ("not_cry" if not d["is_cry"] else decision)
    json.dumps(d)  # plain types only


def _unsaturated(det):
    """The detector with its logits divided by 1,000, so P(cry) lies strictly inside (0, 1): a tiny detector
    trained on synthesised audio (no data folder) calls a synthesised cry a cry with probability exactly 1.0,
    which no threshold or band below 1 can turn into "not a cry" or "not sure"."""
    import dataclasses

    return dataclasses.replace(det, calibration=dataclasses.replace(
        det.calibration, temperature=det.calibration.temperature * 1000))


def test_not_a_cry_says_not_cry_and_keeps_reasons(models, cry) -> None:
    det, rea = models
    det = _unsaturated(det)
    result = analyse(cry, detector=det, reason=rea, cry_threshold=0.999999)
    assert not result.is_cry and result.verdict == "not_cry"
    assert set(result.reasons) == set(REASONS)
    sure = analyse(cry, detector=det, reason=rea, cry_threshold=1e-6)
    assert sure.is_cry and sure.verdict in REASONS and sure.top_reason in REASONS


def test_unsure_follows_the_stored_threshold(models, cry) -> None:
    det, rea = models
    result = analyse(cry, detector=det, reason=rea)
    pred = rea.predict(cry.samples, sample_rate=16000)
    assert result.unsure == pred.is_unsure(rea.unsure_threshold)
    assert result.unsure == bool(pred.balanced_probabilities.max() < rea.unsure_threshold)
    assert result.unsure_threshold == rea.unsure_threshold


def test_cry_unsure_follows_the_detectors_band_but_never_for_a_steady_sound(models, cry) -> None:
    import dataclasses

    det, rea = models
    det = _unsaturated(det)

    def with_band(band: tuple[float, float] | None):
        return dataclasses.replace(det, calibration=dataclasses.replace(det.calibration, cry_band=band))

    wide = with_band((0.0, 1.0))  # unsure about everything below 1
    assert analyse(cry, detector=wide, reason=rea).cry_unsure
    assert not analyse(cry, detector=with_band(None), reason=rea).cry_unsure
    assert not analyse(from_array(_hum(), 16000), detector=wide, reason=rea).cry_unsure


def test_swapped_models_are_refused(models, cry) -> None:
    det, rea = models
    with pytest.raises(InvalidParameterError, match="cry detector"):
        analyse(cry, detector=rea, reason=det)
    with pytest.raises(InvalidParameterError, match="cry_threshold"):
        analyse(cry, detector=det, reason=rea, cry_threshold=1.5)


def test_long_recording_timeline(models) -> None:
    det, rea = models
    audio = from_array(np.concatenate([synth_cry(seconds=10.0, seed=2).samples,
                                       0.01 * np.random.default_rng(0).standard_normal(16000 * 10)]), 16000)
    result = analyse(audio, detector=det, reason=rea)
    assert len(result.windows) == 10
    assert all(isinstance(w, Window) for w in result.windows)
    assert result.windows[-1].end_s == pytest.approx(20.0)


def test_analysis_dataclass_round_trip() -> None:
    a = Analysis(is_cry=True, cry_probability=0.9, verdict="tired", unsure=False,
                 reasons={"hungry": 0.1, "belly_pain": 0.1, "discomfort": 0.1, "tired": 0.7}, seconds_analysed=3.0)
    assert a.top_reason == "tired" and a.to_dict()["windows"] == []


def _hum(seconds: float = 5.0, base_hz: float = 50.0) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.05 * sum(np.sin(2 * np.pi * base_hz * k * t) / k for k in range(1, 8))).astype(np.float32)


def test_a_steady_sound_is_never_a_cry(models) -> None:
    det, rea = models
    rng = np.random.default_rng(0)
    t = np.arange(5 * 16000) / 16000
    steady = {"hum": _hum(), "whine": (0.1 * np.sin(2 * np.pi * 600 * t) + 0.01 * rng.normal(size=t.size)),
              "hiss": 0.05 * rng.normal(size=t.size)}
    for name, x in steady.items():
        audio = from_array(np.asarray(x, np.float32), 16000)
        assert is_steady_sound(audio), name
        result = analyse(audio, detector=det, reason=rea)
        assert result.steady_sound and not result.is_cry and result.verdict == "not_cry", name
        assert result.to_dict()["steady_sound"] is True
    # a cry comes in breaths; so does a cry over a loud hum
    cry = synth_cry(seconds=5.0, seed=3).samples
    assert not is_steady_sound(from_array(cry, 16000))
    assert not is_steady_sound(from_array(cry + 4 * _hum(), 16000))


def test_no_labelled_cry_in_the_data_is_steady(data_dir) -> None:
    # The rule overrides the detector, so it must never fire on a real cry: not on one of the 544 labelled cries.
    import pandas as pd

    from babycry.audio import load

    manifest = pd.read_csv(data_dir / "manifest.csv", dtype=str, keep_default_na=False)
    cries = manifest[manifest["is_cry"] == "1"]
    assert len(cries) > 0
    steady = [p for p in cries["path"] if is_steady_sound(load(data_dir / p, validate_audio=False))]
    assert steady == []


def test_the_verdict_is_the_largest_balanced_reason(models, cry) -> None:
    # What the app's bars show (reasons_balanced) singles out exactly the reason the verdict names.
    det, rea = models
    d = analyse(cry, detector=det, reason=rea, cry_threshold=1e-6).to_dict()
    assert list(d["reasons_balanced"]) == list(REASONS)
    assert sum(d["reasons_balanced"].values()) == pytest.approx(1.0, abs=1e-3)
    assert d["verdict"] == max(d["reasons_balanced"], key=d["reasons_balanced"].get)


def test_reason_quality_reads_the_grouped_interval_against_chance(models) -> None:
    import dataclasses

    _, rea = models
    q = reason_quality(rea)
    assert q["chance"] == 0.25 and set(q) == {"balanced_accuracy", "ci95", "chance", "experimental"}

    def with_ci(lo: float, hi: float):
        metrics = {"grouped": {"metrics": {"balanced_accuracy": {"value": (lo + hi) / 2, "ci95": [lo, hi]}}}}
        return dataclasses.replace(rea, metrics=metrics)

    assert reason_quality(with_ci(0.23, 0.41))["experimental"] is True   # the bundled model's: reaches chance
    assert reason_quality(with_ci(0.30, 0.50))["experimental"] is False  # clears chance
    nothing = reason_quality(dataclasses.replace(rea, metrics={}))
    assert nothing["experimental"] is True and nothing["ci95"] is None and nothing["balanced_accuracy"] is None


def test_model_identity_is_a_name_and_a_version_never_a_path(models) -> None:
    det, _ = models
    ident = model_identity(det)
    assert ident["name"] == Path(str(det.model_id)).name and "/" not in ident["name"]
    date, digest = ident["version"].split("+")
    assert len(date) == 10 and date[4] == "-" and len(digest) == 8
    bundled = model_identity(load_detector())
    assert bundled["name"] == "cry-detector" and bundled["version"].count("+") == 1


def _analyse_in_child(models, cry, queue) -> None:
    det, rea = models
    queue.put(analyse(cry, detector=det, reason=rea).cry_probability)


def test_a_forked_child_analyses_too(models, cry) -> None:
    """The reason model runs on a background thread, which a forked child does not inherit: it makes its own."""
    import multiprocessing

    det, rea = models
    here = analyse(cry, detector=det, reason=rea).cry_probability  # the parent's thread exists before the fork
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_analyse_in_child, args=(models, cry, queue))
    child.start()
    child.join(timeout=60)
    if child.is_alive():  # waiting on a thread that does not exist in the child
        child.kill()
    assert child.exitcode == 0
    assert queue.get(timeout=5) == pytest.approx(here)


def test_the_same_answer_from_threads_at_once(models, cry) -> None:
    """Requests served side by side share the background thread and get the answer each gets alone."""
    from concurrent.futures import ThreadPoolExecutor

    det, rea = models
    alone = analyse(cry, detector=det, reason=rea).to_dict()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: analyse(cry, detector=det, reason=rea).to_dict(), range(8)))
    assert all(a == alone for a in answers)
