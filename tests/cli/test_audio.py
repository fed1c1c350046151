"""The babycry command line: info, spectrogram, augment, synth, and its error handling."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from babycry.cli import main
from babycry.synth import synth_cry


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BABYCRY_CACHE", str(tmp_path_factory.getbasetemp() / "babycry-cache"))


@pytest.fixture(scope="module")
def cry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cry.wav"
    cry = synth_cry(seconds=2.5, sample_rate=44100, seed=3, f0_hz=480.0)
    sf.write(path, np.stack([cry.samples, cry.samples], axis=1), 44100, subtype="PCM_16")
    return path


def _one_line_error(capsys: pytest.CaptureFixture[str], command: str) -> str:
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"babycry {command}: error: ")
    assert "Traceback" not in captured.err
    return lines[0]


# --------------------------------------------------------------------------- #
# Happy paths
# --------------------------------------------------------------------------- #
def test_info_text(cry_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(cry_file)]) == 0
    out = capsys.readouterr().out
    for needle in ("format", "wav/pcm_16", "44100 Hz", "channels            2", "2.50 s", "dBFS", "F0 median"):
        assert needle in out


def test_info_json(cry_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(cry_file), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["source_sample_rate"] == 44100 and info["channels"] == 2
    assert info["duration_s"] == pytest.approx(2.5) and info["truncated"] is False
    assert info["analysis"]["f0_median_hz"] == pytest.approx(synth_cry(seconds=2.5, sample_rate=44100, seed=3,
                                                                      f0_hz=480.0).f0_median_hz, rel=0.05)
    assert info["analysis"]["n_harmonics"] >= 3


def test_spectrogram_png(cry_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "spec.png"
    assert main(["spectrogram", str(cry_file), "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote" in capsys.readouterr().out


def test_augment_prints_params_used(cry_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "shifted.wav"
    argv = ["augment", str(cry_file), "--name", "pitch_shift", "--param", "semitones=1", "--seed", "0", "-o", str(out)]
    assert main(argv) == 0
    assert "semitones=1" in capsys.readouterr().out
    info = sf.info(str(out))
    assert info.samplerate == 16000 and info.channels == 1 and info.duration == pytest.approx(2.5, abs=0.01)
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params_used"] == {"semitones": 1.0}


def test_augment_background_noise_without_data(cry_file: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["augment", str(cry_file), "--name", "background_noise", "--param", "snr_db=5", "-o",
            str(tmp_path / "noisy.flac"), "--data", str(tmp_path / "no-data-here"), "--json"]
    assert main(argv) == 0
    used = json.loads(capsys.readouterr().out)["params_used"]
    assert used["snr_db"] == 5.0 and used["noise_group"] == ""  # generated noise: no recording


def test_augment_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["augment", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("time_stretch", "pitch_shift", "background_noise", "gaussian_noise", "gain", "band_pass",
                 "phone_codec", "mic_filter", "room_reverb", "clipping", "voice_bursts", "talk_over"):
        assert name in out
    # the ranges training uses come from the recipes
    assert "training: reason: labelled cries, p=0.5, semitones -1.1 to 1.1" in out
    assert "training: not used by the bundled recipes" in out  # gain: every input is loudness-normalised
    assert main(["augment", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 12 and listed[1]["training"]


def test_synth_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cry.wav"
    assert main(["synth", "-o", str(out), "--seconds", "2", "--seed", "4", "--f0", "380", "--rate", "8000"]) == 0
    info = sf.info(str(out))
    assert info.samplerate == 8000 and info.duration == pytest.approx(2.0)
    median = float(re.search(r"median F0 (\d+) Hz", capsys.readouterr().out).group(1))
    assert median == pytest.approx(380, rel=0.1)


def test_synth_examples(tmp_path: Path) -> None:
    assert main(["synth", "--examples", str(tmp_path / "ex")]) == 0
    assert sorted(p.name for p in (tmp_path / "ex").iterdir()) == [
        "synth_coughs.wav", "synth_cry_7s.wav", "synth_cry_high_pitch.wav", "synth_cry_short.wav"]


def test_info_on_real_data_file(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = next((data_dir / "negatives" / "noise").glob("*.flac"))
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["format"].startswith("flac") and info["source_sample_rate"] == 16000


# --------------------------------------------------------------------------- #
# Bad input: exit 1 and one line, never a traceback
# --------------------------------------------------------------------------- #
def _bad_files(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(exist_ok=True)
    files = {
        "missing": tmp / "missing.wav",
        "folder": tmp,
        "zero_bytes": tmp / "empty.webm",
        "not_audio": tmp / "notes.wav",
        "silent": tmp / "silent.wav",
        "too_short": tmp / "short.wav",
    }
    files["zero_bytes"].touch()
    files["not_audio"].write_text("not a recording")
    sf.write(files["silent"], np.zeros(16000 * 2), 16000, subtype="PCM_16")
    sf.write(files["too_short"], 0.5 * np.sin(np.arange(4000) / 3), 16000)
    return files


@pytest.mark.parametrize("case", ["missing", "folder", "zero_bytes", "not_audio", "silent", "too_short"])
@pytest.mark.parametrize("command", ["info", "spectrogram", "augment"])
def test_bad_input_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: str) -> None:
    path = _bad_files(tmp_path / "bad")[case]
    argv = {
        "info": ["info", str(path)],
        "spectrogram": ["spectrogram", str(path), "-o", str(tmp_path / "s.png")],
        "augment": ["augment", str(path), "--name", "gain", "-o", str(tmp_path / "a.wav")],
    }[command]
    assert main(argv) == 1
    message = _one_line_error(capsys, command)
    expected = {"missing": "No such audio file", "folder": "folder", "zero_bytes": "0 bytes",
                "not_audio": "not a recording", "silent": "silent", "too_short": "too short"}[case]
    assert expected in message


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--name", "flanger"], "Unknown augmentation 'flanger'"),
        (["--name", "pitch_shift", "--param", "semitones=99"], "got '99'"),
        (["--name", "pitch_shift", "--param", "semitones"], "NAME=VALUE"),
        (["--name", "pitch_shift", "--param", "octaves=1"], "no parameter 'octaves'"),
    ],
)
def test_augment_bad_params(cry_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra, expected):
    assert main(["augment", str(cry_file), *extra, "-o", str(tmp_path / "x.wav")]) == 1
    assert expected in _one_line_error(capsys, "augment")


@pytest.mark.parametrize(
    ("argv", "command", "expected"),
    [
        (["synth", "-o", "{tmp}/no/such/dir/x.wav"], "synth", "does not exist"),
        (["synth", "-o", "{tmp}/x.mp4"], "synth", ".wav, .flac or .ogg"),
        (["synth", "-o", "{tmp}/x.wav", "--seconds", "0"], "synth", "seconds"),
        (["synth", "-o", "{tmp}/x.wav", "--f0", "5000"], "synth", "f0_hz"),
        (["spectrogram", "{cry}", "-o", "{tmp}/no/such/dir/s.png"], "spectrogram", "does not exist"),
        (["spectrogram", "{cry}", "-o", "{tmp}/s.txt"], "spectrogram", ".png"),
        (["augment", "{cry}", "--name", "gain", "-o", "{tmp}/no/dir/a.wav"], "augment", "does not exist"),
        (["synth", "-o", "{tmp}/taken.wav"], "synth", "it is a folder"),
        (["spectrogram", "{cry}", "-o", "{tmp}/taken.png"], "spectrogram", "it is a folder"),
    ],
)
def test_unwritable_or_bad_outputs(cry_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   argv, command, expected) -> None:
    argv = [a.format(tmp=tmp_path, cry=cry_file) for a in argv]
    (tmp_path / "taken.wav").mkdir()  # an output path that is a folder cannot be written, even by root
    (tmp_path / "taken.png").mkdir()
    assert main(argv) == 1
    assert expected in _one_line_error(capsys, command)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_read_only_output_folder(cry_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["synth", "-o", str(folder / "x.wav")]) == 1
        _one_line_error(capsys, "synth")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    "argv",
    [[], ["nonsense"], ["info"], ["augment", "x.wav"], ["synth"], ["synth", "--seconds", "abc", "-o", "x.wav"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_console_script_runs(cry_file: Path, tmp_path: Path) -> None:
    exe = shutil.which("babycry", path=str(Path(sys.executable).parent)) or shutil.which("babycry")
    if exe is None:
        pytest.skip("the babycry console script is not installed (pip install -e .)")
    ok = subprocess.run([exe, "info", str(cry_file)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "F0 median" in ok.stdout
    bad = subprocess.run([exe, "info", str(tmp_path / "missing.wav")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr
    assert "No such audio file" in bad.stderr
