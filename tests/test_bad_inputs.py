"""Every row of docs/bad-inputs.md at library and CLI level: a result, or one typed error with a clear message.

The library answers with an :class:`~babycry.analysis.Analysis` or raises the case's
:class:`~babycry.errors.BabyCryError`; ``babycry predict`` prints the answer (exit 0) or exactly one line,
``babycry predict: error: <the library's message>`` (exit 1), never a traceback.  The app level is
tests/app/test_bad_inputs.py.  The bundled checkpoints serve (they load in a second; no training).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from babycry import errors
from babycry.analysis import Analysis, analyse
from babycry.audio import from_array, load
from babycry.cli import main
from babycry.modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR, load_detector, load_reason
from babycry.synth import synth_cry
from tests.bad_input_files import CASES, Case, make_case

ROOT = Path(__file__).resolve().parents[1]
IDS = [re.sub(r"[^a-z0-9]+", "-", c.name.lower()).strip("-") for c in CASES]


@pytest.fixture(scope="module")
def models():
    return load_detector(DEFAULT_DETECTOR_DIR), load_reason(DEFAULT_REASON_DIR)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-inputs")


def _analyse(path: Path, models) -> Analysis:
    det, rea = models
    return analyse(load(path), detector=det, reason=rea)


# --------------------------------------------------------------------------- #
# Library
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_library(case: Case, folder: Path, models) -> None:
    path = make_case(case, folder)
    if case.error is None:
        result = _analyse(path, models)
        assert isinstance(result, Analysis) and 0.0 <= result.cry_probability <= 1.0
        assert result.seconds_analysed >= 1.0
        return
    with pytest.raises(errors.BabyCryError) as err:
        _analyse(path, models)
    assert type(err.value).__name__ == case.error
    assert case.match in str(err.value)
    assert str(folder) not in str(err.value)  # the file's name at most, never the server's folder


def test_formats_are_named(folder: Path) -> None:
    expected = {"8-bit WAV": "pcm_u8", "24-bit WAV": "pcm_24", "32-bit float WAV": "float", "WebM/Opus": "opus",
                "MP4/AAC": "aac", "MP3": "mp3", "OGG/Vorbis": "vorbis", "3GP/AMR": "amr_nb"}
    for case in CASES:
        if case.name in expected:
            try:
                path = make_case(case, folder)
            except pytest.skip.Exception:
                continue
            assert expected[case.name] in load(path).source_format


def test_stereo_48k_is_mixed_and_resampled(folder: Path) -> None:
    audio = load(make_case(next(c for c in CASES if c.name == "stereo 48 kHz"), folder))
    assert (audio.source_channels, audio.source_sample_rate, audio.sample_rate) == (2, 48_000, 16_000)


def test_ten_minutes_are_truncated_with_a_note(folder: Path, models) -> None:
    result = _analyse(make_case(next(c for c in CASES if c.name == "10-minute recording"), folder), models)
    assert result.truncated and result.seconds_analysed == pytest.approx(60.0)
    assert len(result.windows) == 30


def test_dc_offset_does_not_make_a_cry_a_steady_sound(folder: Path, models) -> None:
    """Regression: the offset dominated every frame's level, the steady-sound rule fired, a cry became 'not a cry'."""
    result = _analyse(make_case(next(c for c in CASES if c.name == "DC offset"), folder), models)
    assert not result.steady_sound
    assert result.is_cry


@pytest.mark.parametrize("case", [c for c in CASES if c.name.startswith("decode bomb")], ids=["amr", "3gp"])
def test_decode_bomb_is_refused_in_bounded_time_and_memory(case: Case, folder: Path) -> None:
    path = make_case(case, folder)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(errors.AudioDecodeError, match="lasts 1 h 0 min"):
        load(path)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The duration is read from the header (ffprobe) before anything is decoded.
    assert seconds < 5.0 and peak < 20e6, (seconds, peak)


def test_header_claiming_hours_is_read_for_what_it_holds(tmp_path: Path) -> None:
    """A WAV whose header promises 4 GB holds one second: libsndfile reads what is there."""
    import struct

    pcm = (synth_cry(seconds=1.5, sample_rate=16_000, seed=1).samples * 20_000).astype("<i2").tobytes()
    header = (b"RIFF" + struct.pack("<I", 0xFFFFFFF0) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16_000,
              32_000, 2, 16) + b"data" + struct.pack("<I", 0xFFFFFF00))
    (tmp_path / "liar.wav").write_bytes(header + pcm)
    assert load(tmp_path / "liar.wav").duration_s == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("data", "rate", "error", "match"),
    [
        (np.where(np.arange(16_000 * 3) == 5, np.nan, 0.1), 16_000, errors.NonFiniteAudioError, "NaN or infinite"),
        (np.where(np.arange(16_000 * 3) == 5, np.inf, 0.1), 16_000, errors.NonFiniteAudioError, "NaN or infinite"),
        (np.full(16_000 * 3, -np.inf), 16_000, errors.NonFiniteAudioError, "NaN or infinite"),
        (np.zeros((0, 2), np.int16), 16_000, errors.EmptyAudioError, "empty"),
        (np.ones(16_000 * 3) * 0.1, 1, errors.InvalidAudioError, "between 8000 and 192000 Hz"),
        (np.ones(16_000 * 3) * 0.1, 10**9, errors.InvalidAudioError, "between 8000 and 192000 Hz"),
        (np.ones(16_000 * 3) * 0.1, 16_000.5, errors.InvalidAudioError, "whole number"),
        (np.ones(16_000 * 3) * 0.1, float("nan"), errors.InvalidAudioError, "whole number"),
        (np.ones(16_000 * 3) > 0, 16_000, errors.InvalidAudioError, "dtype bool"),
        (np.ones((1, 1, 16_000)), 16_000, errors.InvalidAudioError, "1-D or 2-D"),
        (np.ones((16_000, 16_000), np.uint8), 16_000, errors.InvalidAudioError, "which axis"),
    ],
    ids=["nan", "inf", "all-inf", "empty-2d", "rate-1", "rate-1e9", "rate-fraction", "rate-nan", "bool", "3d",
         "square"],
)
def test_arrays_given_to_the_library(data, rate, error, match) -> None:
    with pytest.raises(error, match=match):
        from_array(data, rate)


# --------------------------------------------------------------------------- #
# CLI: babycry predict
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli(case: Case, folder: Path, models, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> None:
    # The checkpoints loaded once for the module (the command would load them per call; the bad input is under
    # test here, not loading: test_cli_process_prints_one_line runs the real command end to end).
    import babycry.modeling

    monkeypatch.setattr(babycry.modeling, "load_detector", lambda *a, **k: models[0])
    monkeypatch.setattr(babycry.modeling, "load_reason", lambda *a, **k: models[1])
    path = make_case(case, folder)
    code = main(["predict", str(path)])
    out, err = capsys.readouterr()
    if case.error is None:
        assert code == 0, err
        assert "cry" in out and "analysed" in out
        assert ("(truncated)" in out) == (case.name == "10-minute recording")
        return
    assert code == 1
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("babycry predict: error: ") and case.match in err
    assert "Traceback" not in err


def test_cli_process_prints_one_line(folder: Path) -> None:
    """The installed entry point, in its own process: one line on stderr, exit 1."""
    path = make_case(next(c for c in CASES if c.name == "PNG renamed .wav"), folder)
    proc = subprocess.run([sys.executable, "-m", "babycry", "info", str(path)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "is not a recording babycry can read" in proc.stderr


def test_docs_table_lists_every_case() -> None:
    table = (ROOT / "docs" / "bad-inputs.md").read_text()
    missing = [c.name for c in CASES if f"| {c.name} |" not in table]
    assert not missing, f"docs/bad-inputs.md has no row for {missing}"
