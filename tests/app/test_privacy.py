"""Privacy, end to end: no uploaded or recorded audio outlives the documented sweep, nothing of it is logged, and a
full queue answers with a message instead of hanging.

Each test launches its own app (tiny checkpoints) with its own limits: a sweep of seconds instead of minutes, a
queue of one.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import time
import uuid
from pathlib import Path

import pytest

from demo.launch import free_port

pytestmark = pytest.mark.slow


def _launch(tiny_models, limits, *, models=None):
    from demo.ui import build_demo, launch_options

    demo = build_demo(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir, worker=False,
                      models=models, limits=limits)
    demo.queue(default_concurrency_limit=limits.concurrency_limit, max_size=limits.queue_size)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                max_file_size=limits.max_file_size, **launch_options())
    return demo, f"http://127.0.0.1:{port}/"


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_a_burst_of_uploads_is_swept_and_nothing_of_it_is_logged(tiny_models, audio_files, tmp_path, caplog, capfd):
    from gradio_client import Client, handle_file

    from demo.ui import AppLimits

    uploads = Path(os.environ["GRADIO_TEMP_DIR"])
    limits = AppLimits(cache_sweep_s=1, cache_max_age_s=2)
    private = f"private-{uuid.uuid4().hex[:8]}"
    recordings = []
    from babycry.synth import synth_cry, write_wav

    # Recordings of their own (Gradio's cache is addressed by content: another test's copy would be reused) and
    # names of their own, so the test can tell them in the folder and in the logs.
    seed = uuid.uuid4().int % 10_000
    for i in range(6):
        cry = synth_cry(seconds=4.0, seed=seed + i).samples
        recordings.append(write_wav(tmp_path / f"{private}-{i}.wav", cry, sample_rate=16_000))
    caplog.set_level(logging.DEBUG)
    demo, url = _launch(tiny_models, limits)
    try:
        before = _files(uploads)
        # the client keeps its downloads elsewhere (by default gradio_client uses GRADIO_TEMP_DIR too)
        client = Client(url, verbose=False, download_files=str(tmp_path / "client"))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:  # a burst: four at a time
            jobs = [pool.submit(client.predict, handle_file(str(p)), api_name="/classify") for p in recordings]
            jobs += [pool.submit(client.predict, handle_file(str(p)), 1500, 1.33, 12, api_name="/spectrogram")
                     for p in recordings[:2]]
            results = [j.result(timeout=120) for j in jobs]
        assert all(r for r in results)
        created = _files(uploads) - before
        assert any(private in p.name for p in created)  # the uploads were cached, as Gradio does
        assert any(p.suffix == ".wav" and private not in p.name for p in created)  # and the filtered audio played
        deadline = time.monotonic() + limits.cache_max_age_s + 3 * limits.cache_sweep_s + 5
        while (left := created & _files(uploads)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not left, f"still on the server after the sweep: {sorted(p.name for p in left)}"
    finally:
        demo.close()
    # The server's log (the test's own client logs its requests through httpx: not the server's)
    server = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "gradio_client"))]
    logged = "\n".join(server) + "".join(capfd.readouterr())
    assert private not in logged and str(uploads) not in logged


def test_a_full_queue_answers_with_a_message_not_a_hang(tiny_models, audio_files):
    from gradio_client import Client, handle_file

    from demo.models import Models
    from demo.ui import AppLimits

    class SlowModels(Models):
        def analyse(self, audio):  # one recording at a time, slowly: the queue fills
            time.sleep(1.5)
            return super().analyse(audio)

    slow = SlowModels(detector_path=tiny_models.detector_dir, reason_path=tiny_models.reason_dir, worker=False)
    limits = AppLimits(concurrency_limit=1, queue_size=1)
    demo, url = _launch(tiny_models, limits, models=slow)
    try:
        client = Client(url, verbose=False)
        start = time.monotonic()
        jobs = [client.submit(handle_file(str(audio_files["cry"])), api_name="/classify") for _ in range(6)]
        answered, refused = 0, []
        for job in jobs:
            try:
                job.result(timeout=60)
                answered += 1
            except Exception as exc:  # noqa: BLE001 - the client's error type differs by what the server said
                refused.append(str(exc))
        assert time.monotonic() - start < 60  # nothing hangs
        assert answered >= 1 and refused, (answered, refused)
        assert all("Queue is full" in message for message in refused), refused
    finally:
        demo.close()
