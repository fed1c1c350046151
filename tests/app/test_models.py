"""demo.models: the checkpoints loaded in the background, analysis in a worker process, JSON files read directly."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time

import pytest

from babycry.audio import load
from babycry.errors import BabyCryError
from demo.models import AnalysisFailed, Models


@pytest.fixture(scope="module")
def worker_models(tiny_models):
    m = Models(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir, worker=True)
    m.start()
    yield m
    m.close()


def test_the_worker_answers_like_the_library(worker_models, models, audio_files):
    audio = load(audio_files["cry"])
    assert worker_models.load_error() is None
    # the server process never loads torch for this; the worker does (checked in test_app.py on app.py itself)
    assert worker_models.analyse(audio) == models.analyse(audio)


def test_a_rejected_recording_is_the_librarys_message(worker_models):
    import numpy as np

    from babycry.audio import Audio

    bad = Audio(samples=np.zeros(8000, np.float32), sample_rate=44_100, source_sample_rate=44_100,
                source_channels=1, source_format="array", source_duration_s=0.5)
    with pytest.raises(BabyCryError) as err:
        worker_models.analyse(bad)
    assert not isinstance(err.value, AnalysisFailed) and "Hz" in str(err.value)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_dead_worker_is_replaced(worker_models, audio_files):
    audio = load(audio_files["cry"])
    worker_models.analyse(audio)
    pids = [p.pid for p in worker_models._pool._processes.values()]  # noqa: SLF001 - the test kills it on purpose
    os.kill(pids[0], signal.SIGKILL)
    time.sleep(0.5)
    with pytest.raises(AnalysisFailed, match="press Analyse again"):
        worker_models.analyse(audio)
    assert worker_models.analyse(audio)["seconds_analysed"] > 0  # a new worker took over


def test_missing_checkpoints_in_the_worker(tmp_path, audio_files):
    broken = Models(detector_path=tmp_path / "none", reason_path=tmp_path / "none", worker=True)
    try:
        assert "none" in broken.load_error()
        with pytest.raises(AnalysisFailed, match="could not be loaded") as err:
            broken.analyse(load(audio_files["cry"]))
        assert str(tmp_path) not in str(err.value)
    finally:
        broken.close()


def test_close_waits_for_the_worker_and_its_threads(tiny_models):
    # Closing without waiting left the executor's manager thread to race the interpreter's exit hook, which printed
    # "OSError: Bad file descriptor" when the app stopped (seen once in CI). After close nothing of it is left.
    threads, children = set(threading.enumerate()), set(multiprocessing.active_children())
    m = Models(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir, worker=True)
    m.start()
    assert m.load_error() is None and set(multiprocessing.active_children()) - children
    m.close()
    assert set(threading.enumerate()) <= threads and set(multiprocessing.active_children()) <= children


def test_close_stops_a_worker_that_will_not_finish(tiny_models, worker_models, audio_files):
    children = set(multiprocessing.active_children())
    m = Models(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir, worker=True)
    m.start()
    assert m.load_error() is None
    m._pool.submit(time.sleep, 60)  # noqa: SLF001 - a request that outlasts the close bound
    start = time.perf_counter()
    m.close(timeout=1.0)
    assert time.perf_counter() - start < 10 and set(multiprocessing.active_children()) <= children
    assert worker_models.analyse(load(audio_files["cry"]))["seconds_analysed"] > 0  # another worker is untouched


def test_json_files_are_read_without_loading_a_model(tiny_models, tmp_path):
    m = Models(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir, worker=False)
    assert m.metrics("reason")["task"] == "reason" and m.card("detector")
    assert m._loaded is None  # noqa: SLF001 - nothing was loaded to read them
    assert Models(detector_path=tmp_path, reason_path=tmp_path, worker=False).metrics("detector") == {}


def test_from_env(monkeypatch):
    monkeypatch.setenv("BABYCRY_REASON", "/some/reason")
    monkeypatch.delenv("BABYCRY_DETECTOR", raising=False)
    m = Models.from_env()
    assert m.path("reason") == "/some/reason" and m.path("detector").endswith("assets/models/cry-detector")
    assert m.detector_path is None  # resolved where it is used: the worker loads the bundled default itself
