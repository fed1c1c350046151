"""Fixtures for the app tests: audio files, the launched app, a gradio_client, a headless browser.

The app is launched once per session, in this process, exactly as ``app.py``
configures it (queue limits, ``launch_options()``), on a free localhost port
and with the tiny checkpoints the ``tiny_models`` fixture trains.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from demo.launch import free_port
from tests.conftest import _real_data_root

# Gradio reads GRADIO_TEMP_DIR when it is imported: give the tests' uploads a folder of their own.
_UPLOADS = tempfile.mkdtemp(prefix="babycry-test-uploads-")
os.environ["GRADIO_TEMP_DIR"] = _UPLOADS
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"




@pytest.fixture(scope="session")
def audio_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real files for every case: a 7 s synthesised cry (WAV and browser-style WebM/Opus), and bad inputs."""
    import shutil
    import subprocess

    from babycry.synth import synth_cry, write_wav

    d = tmp_path_factory.mktemp("app-audio")
    cry = synth_cry(seconds=7.0, sample_rate=16_000, seed=7)
    files = {"cry": write_wav(d / "cry_7s.wav", cry.samples, sample_rate=16_000)}
    # Chromium's fake microphone wants 48 kHz; a cry long enough to record for a few seconds.
    mic = synth_cry(seconds=12.0, sample_rate=48_000, seed=5)
    files["mic"] = write_wav(d / "mic_cry_48k.wav", mic.samples, sample_rate=48_000)
    real = _real_data_root()
    if real is not None:  # a real Donate-a-Cry phone cry too (issue 19's microphone case), at 48 kHz
        import pandas as pd

        from babycry.audio import load, resample

        m = pd.read_csv(real / "manifest.csv")
        first = load(real / m[m["label"] == "hungry"].sort_values("path")["path"].iloc[0])
        at_48k = resample(first.samples, orig_sr=first.sample_rate, target_sr=48_000)
        files["mic_real"] = write_wav(d / "mic_donateacry_48k.wav", at_48k, sample_rate=48_000)
    files["silence"] = write_wav(d / "silence.wav", np.zeros(32_000, np.float32), sample_rate=16_000)
    files["short"] = write_wav(d / "short.wav", cry.samples[:4_000], sample_rate=16_000)
    files["empty"] = d / "empty.wav"
    files["empty"].write_bytes(b"")
    files["text"] = d / "notes.txt"
    files["text"].write_text("this is not audio\n" * 50)
    files["fake_wav"] = d / "not_really.wav"
    files["fake_wav"].write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + bytes(range(256)) * 8)
    if shutil.which("ffmpeg"):
        webm = d / "cry.webm"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-i", str(files["cry"]), "-c:a", "libopus", str(webm)],
            check=True,
        )
        files["webm"] = webm
    return files


@pytest.fixture(scope="module")
def models(tiny_models):
    """The tiny checkpoints, loaded in this process (the launched app uses a worker process, as app.py does)."""
    from demo.models import Models

    loaded = Models(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir, worker=False)
    assert loaded.load_error() is None
    return loaded


def _launched(demo) -> Iterator[str]:
    """Launch ``demo`` like app.py (queue, limits, theme) on a free port; yield its URL, close it after."""
    from demo import LIMITS, launch_options

    assert demo.models.load_error() is None  # the worker process is up
    demo.queue(default_concurrency_limit=LIMITS.concurrency_limit, max_size=LIMITS.queue_size)
    port = free_port()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        max_file_size=LIMITS.max_file_size,
        **launch_options(),
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
        demo.models.close()


@pytest.fixture(scope="session")
def app_url(tiny_models) -> Iterator[str]:
    """The app with the tiny checkpoints.

    ``BABYCRY_TEST_REAL_MODELS=1`` serves the bundled (or ``BABYCRY_DETECTOR``/``BABYCRY_REASON``)
    checkpoints instead, e.g. to time the real models in the browser test.
    """
    from demo import build_demo

    if os.environ.get("BABYCRY_TEST_REAL_MODELS") == "1":
        yield from _launched(build_demo())
    else:
        yield from _launched(build_demo(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir))


@pytest.fixture(scope="module")
def bundled_app_url() -> Iterator[str]:
    """The app with the bundled checkpoints: for what only the real detector can show (the microphone path)."""
    from demo import build_demo

    yield from _launched(build_demo())


@pytest.fixture(scope="session")
def client(app_url: str):
    """A gradio_client connected to the launched app."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ (git-ignored): screenshots and timings."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
