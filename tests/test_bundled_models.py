"""The checkpoints shipped in assets/models: complete, small, documented, and answering sensibly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from babycry.audio import from_array, resample
from babycry.modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR, load_detector, load_reason
from babycry.synth import EXAMPLES, NOT_CRY_EXAMPLES, synth_cry

FILES = ("config.json", "model.safetensors", "preprocessor_config.json", "calibration.json", "metrics.json",
         "training.json", "README.md")


@pytest.mark.parametrize("folder", [DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR], ids=["detector", "reason"])
def test_bundled_checkpoint_is_complete(folder) -> None:
    if not (folder / "config.json").exists():
        pytest.skip(f"no bundled checkpoint at {folder}")
    for name in FILES:
        assert (folder / name).is_file(), name
    assert sum(p.stat().st_size for p in folder.iterdir()) < 20e6
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["grouped"]["group_leakage"]["folds_with_shared_groups"] == 0
    assert metrics["random"]["leaky"] is True
    card = (folder / "README.md").read_text()
    training = json.loads((folder / "training.json").read_text())
    assert training["command"].startswith("babycry train") and training["command"] in card
    assert "Not a medical device" in card and "LEAKY" in card


@pytest.mark.parametrize("folder", [DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR], ids=["detector", "reason"])
def test_bundled_checkpoint_heard_the_signal_the_app_prepares(folder) -> None:
    # the app prepares every recording with AudioConfig(): a checkpoint trained on another band or rate would be
    # served inputs it never saw
    from dataclasses import asdict

    from babycry.config import AudioConfig

    if not (folder / "training.json").exists():
        pytest.skip(f"no bundled checkpoint at {folder}")
    recorded = json.loads((folder / "training.json").read_text())["config"]["audio"]
    assert recorded == asdict(AudioConfig())


def test_bundled_detector_is_invariant_to_rate_and_level() -> None:
    if not (DEFAULT_DETECTOR_DIR / "config.json").exists():
        pytest.skip("no bundled detector")
    model = load_detector()
    cry = synth_cry(seconds=7.0, seed=21).samples
    p16 = model.predict(from_array(cry, 16000).samples, sample_rate=16000).probabilities
    p8 = model.predict(from_array(resample(cry, orig_sr=16000, target_sr=8000), 8000).samples,
                       sample_rate=16000).probabilities
    quiet = model.predict(from_array(cry * 0.01, 16000).samples, sample_rate=16000).probabilities
    assert abs(p16[1] - p8[1]) < 0.05 and abs(p16[1] - quiet[1]) < 1e-3


def test_a_minute_of_crying_is_as_much_a_cry_as_seven_seconds_of_it() -> None:
    """A long recording is read in runs of at most 11 s (read whole, its max embedding kept rising: a minute of
    crying was called a cry less often than its parts; docs/experiments.md)."""
    if not (DEFAULT_DETECTOR_DIR / "config.json").exists():
        pytest.skip("no bundled detector")
    from babycry.audio import load

    model = load_detector()
    cry = load(DEFAULT_DETECTOR_DIR.parents[1] / "examples" / "synth_cry_7s.wav").samples
    short = model.predict(cry, sample_rate=16000).probabilities[1]
    minute = model.predict(np.tile(cry, 8)[: 60 * 16000], sample_rate=16000).probabilities[1]
    assert short > 0.95 and minute > 0.95 and abs(short - minute) < 0.05


@pytest.mark.parametrize("name", [*EXAMPLES, *NOT_CRY_EXAMPLES])
def test_the_app_examples_get_the_answer_their_names_promise(name) -> None:
    # the Listen tab offers them to show both answers: a cry, and a sound that is not one
    if not (DEFAULT_DETECTOR_DIR / "config.json").exists():
        pytest.skip("no bundled detector")
    from babycry.analysis import analyse
    from babycry.audio import load

    result = analyse(load(DEFAULT_DETECTOR_DIR.parents[1] / "examples" / name), detector=load_detector(),
                     reason=load_reason())
    assert result.is_cry == (name in EXAMPLES)
    if not result.is_cry:
        assert not result.cry_unsure  # a plain "not a cry" (the short cry may land in the "maybe" band)


def test_bundled_reason_model_loads() -> None:
    if not (DEFAULT_REASON_DIR / "config.json").exists():
        pytest.skip("no bundled reason model")
    model = load_reason()
    pred = model.predict(synth_cry(seconds=5.0, seed=2).samples, sample_rate=16000)
    assert np.isclose(pred.probabilities.sum(), 1.0) and 0 <= pred.decision < 4
    assert model.summary()["chance"] == 0.25


def _through_the_browser(path, tmp_path):
    """A recording as a browser's MediaRecorder delivers it: 48 kHz, Opus in WebM (ffmpeg's libopus, 32 kb/s).

    The browser's echo cancellation, noise suppression and automatic gain are not reproduced here (the browser
    test's fake microphone goes through them); loudness is normalised per window anyway.
    """
    import shutil
    import subprocess

    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    out = tmp_path / (path.stem + ".webm")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(path), "-ar", "48000", "-ac", "1", "-c:a", "libopus",
                    "-b:a", "32k", str(out)], check=True)
    return out


def test_a_cry_gets_the_same_verdict_uploaded_and_recorded_in_a_browser(tmp_path) -> None:
    """The microphone path (issue 19): 48 kHz Opus/WebM must not turn a cry into a "no", and rarely into a "maybe"."""
    if not (DEFAULT_DETECTOR_DIR / "config.json").exists():
        pytest.skip("no bundled detector")
    import pandas as pd

    from babycry.analysis import analyse
    from babycry.audio import load

    from .conftest import _real_data_root

    detector, reason = load_detector(), load_reason()
    paths = [DEFAULT_DETECTOR_DIR.parents[1] / "examples" / "synth_cry_7s.wav"]
    data_dir = _real_data_root()  # Donate-a-Cry cries too, where the data folder is beside the project
    if data_dir is not None:
        m = pd.read_csv(data_dir / "manifest.csv")
        paths += [data_dir / p for p in m[m["label"] == "hungry"].sort_values("path")["path"].head(30)]
    moved, now_unsure = [], []
    for path in paths:
        uploaded = analyse(load(path), detector=detector, reason=reason)
        recorded = analyse(load(_through_the_browser(path, tmp_path)), detector=detector, reason=reason)
        assert recorded.is_cry == uploaded.is_cry, path.name  # never a cry uploaded and "not a cry" recorded
        if recorded.cry_unsure != uploaded.cry_unsure:
            now_unsure.append(path.name)
        moved.append(abs(recorded.cry_probability - uploaded.cry_probability))
    # Measured on these 31 (docs/experiments.md): P(cry) moves by a median 0.005-0.007 and at most 0.19-0.25, and
    # 2 of them drop from "crying" into "maybe", for the 96-band and the 56-band detector alike.
    assert float(np.median(moved)) < 0.03 and max(moved) < 0.3, moved
    assert len(now_unsure) <= max(1, round(0.1 * len(paths))), now_unsure
