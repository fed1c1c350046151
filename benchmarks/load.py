"""Load test of the launched app on loopback: concurrent gradio_client clients sending valid and invalid audio.

Starts the real app in a child process (``python app.py`` with ``GRADIO_SERVER_NAME=127.0.0.1`` and a free
``GRADIO_SERVER_PORT``, :mod:`demo.launch`; its stderr goes to a file, quoted if it exits), warms it up, then
``--clients`` threads (10), each with its own ``gradio_client.Client``, send
``--requests`` (20) ``/classify`` calls each, cycling through valid recordings (WAV 16 kHz, stereo 48 kHz WAV,
WebM/Opus, MP3) and invalid ones (a text file, a PNG, digital silence, 50 ms, an empty file).  Checked:

Each burst follows a warm-up of every file three times by two clients (and one ``/spectrogram`` each).

- every valid request is answered, and correctly: the same verdict and cry probability as ``babycry.analyse``
  with the same checkpoints in this process;
- every invalid one gets the library's own message as the error, no traceback;
- none is lost (each call returns or raises within ``--timeout`` s);
- latency p50 / p95 (all, valid, invalid) and the app's resident memory (``/proc/<pid>/status`` of the app
  and its child processes) after warm-up and after the burst (the growth should stay under 50 MB).

    python benchmarks/load.py [--clients 10] [--requests 20] [--timeout 120]

Writes benchmarks/results/load.json.  Bounded: at most clients x requests calls, ``--deadline`` s in all.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's demo package (run as a script from benchmarks/)
from demo.launch import free_port, start_app, wait_until_served  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (the app may run its models in a worker process)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [c for c, pp in parents.items() if pp == parent and c not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(_rss_kb(p) for p in tree) / 1024


def make_files(folder: Path) -> dict[str, tuple[Path, bool]]:
    """name -> (file, valid?)."""
    from babycry.synth import synth_cry

    cry16 = synth_cry(seconds=7.0, sample_rate=16_000, seed=7).samples
    cry48 = synth_cry(seconds=5.0, sample_rate=48_000, seed=8).samples
    files: dict[str, tuple[Path, bool]] = {}
    sf.write(folder / "cry16k.wav", cry16, 16_000)
    files["wav16k"] = (folder / "cry16k.wav", True)
    sf.write(folder / "stereo48k.wav", np.stack([cry48, 0.7 * cry48], axis=1), 48_000)
    files["stereo48k"] = (folder / "stereo48k.wav", True)
    for name, args in (("webm", ["-c:a", "libopus"]), ("mp3", ["-c:a", "libmp3lame"])):
        out = folder / f"cry.{name}"
        proc = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(folder / "stereo48k.wav"),
                               *args, str(out)], capture_output=True, check=False)
        if proc.returncode == 0:
            files[name] = (out, True)
    (folder / "notes.wav").write_text("not audio\n" * 40)
    files["text"] = (folder / "notes.wav", False)
    (folder / "photo.wav").write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d"
        "0000000049454e44ae426082"))
    files["png"] = (folder / "photo.wav", False)
    sf.write(folder / "silence.wav", np.zeros(32_000, np.float32), 16_000)
    files["silence"] = (folder / "silence.wav", False)
    sf.write(folder / "short.wav", cry16[:800], 16_000)
    files["short_50ms"] = (folder / "short.wav", False)
    (folder / "empty.wav").write_bytes(b"")
    files["empty"] = (folder / "empty.wav", False)
    return files


def expected_answers(files: dict[str, tuple[Path, bool]]) -> dict[str, dict]:
    """What the library says for each file, with the checkpoints the app serves."""
    from babycry.analysis import analyse
    from babycry.audio import load
    from babycry.errors import BabyCryError
    from babycry.modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR, load_detector, load_reason

    det = load_detector(os.environ.get("BABYCRY_DETECTOR", DEFAULT_DETECTOR_DIR))
    rea = load_reason(os.environ.get("BABYCRY_REASON", DEFAULT_REASON_DIR))
    out = {}
    for name, (path, valid) in files.items():
        try:
            result = analyse(load(path), detector=det, reason=rea).to_dict()
            out[name] = {"verdict": result["verdict"], "cry_probability": result["cry_probability"]}
        except BabyCryError as exc:
            out[name] = {"error": str(exc)}
        assert ("error" not in out[name]) == valid, (name, out[name])
    return out


def one_call(client, path: Path) -> tuple[str, object, float]:
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    start = time.perf_counter()
    try:
        out = client.predict(handle_file(str(path)), api_name="/classify")
        return "answer", out, time.perf_counter() - start
    except AppError as exc:
        return "error", str(exc), time.perf_counter() - start


def percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)) * 1e3, 1) if values else None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--requests", type=int, default=20, help="requests per client")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one request may take")
    p.add_argument("--deadline", type=float, default=900.0, help="seconds the whole burst may take")
    p.add_argument("--out", default=str(RESULTS / "load.json"))
    args = p.parse_args()
    from gradio_client import Client, handle_file

    from babycry.config import BandPassConfig

    band = BandPassConfig()  # the page's default filter

    tmp = Path(tempfile.mkdtemp(prefix="babycry-load-"))
    uploads = tmp / "uploads"
    files = make_files(tmp)
    expected = expected_answers(files)
    names = list(files)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    t_launch = time.perf_counter()
    app_log = tmp / "app-stderr.log"
    with app_log.open("w") as log:  # a file, not a pipe: a pipe nobody reads would stall a chatty app
        proc = start_app(port, env={"GRADIO_TEMP_DIR": str(uploads)}, stderr=log)
    report: dict[str, object] = {"clients": args.clients, "requests_per_client": args.requests,
                                 "files": {n: ("valid" if v else "invalid") for n, (_, v) in files.items()}}
    try:
        try:
            wait_until_served(url, proc, timeout_s=180)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {app_log.read_text(errors='replace')[-2000:]}") from None
        report["start_s"] = round(time.perf_counter() - t_launch, 1)
        # Warm-up: every file three times by as many clients as the app serves at once (models loaded, first-call
        # costs paid, the allocator's pools filled the way a busy app fills them).
        # Also one /spectrogram each, as every Analyse on the page sends: the server's view libraries (scipy.signal,
        # librosa, plotly; loaded in the background once the models are ready) are then in memory before the
        # "after warm-up" figure, not counted as the burst's growth.
        def warm_up(k: int) -> None:
            client = Client(url, verbose=False)
            for name in names * 3:
                one_call(client, files[name][0])
            client.predict(handle_file(str(files[names[0]][0])), band.centre_hz, band.bandwidth_fraction,
                           band.rolloff_db_per_octave, api_name="/spectrogram")

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(warm_up, range(2)))
        rss_before = rss_mb(proc.pid)
        results: list[dict] = []
        lock = threading.Lock()

        def client_run(k: int) -> None:
            client = Client(url, verbose=False)
            for i in range(args.requests):
                name = names[(k + i) % len(names)]
                kind, value, seconds = one_call(client, files[name][0])
                with lock:
                    results.append({"client": k, "file": name, "kind": kind, "value": value, "seconds": seconds})

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            futures = [pool.submit(client_run, k) for k in range(args.clients)]
            done, not_done = wait(futures, timeout=args.deadline)
        wall = time.perf_counter() - start
        crashed = [repr(f.exception()) for f in done if f.exception() is not None]
        time.sleep(1.0)
        rss_after = rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()

    wrong, unclear = [], []
    for r in results:
        exp = expected[r["file"]]
        if "error" in exp:
            ok = r["kind"] == "error" and exp["error"].split(": ", 1)[-1][-40:] in r["value"] \
                and "Traceback" not in r["value"]
            if not ok:
                unclear.append({k: r[k] for k in ("file", "kind", "value")})
        else:
            v = r["value"]
            ok = r["kind"] == "answer" and v["verdict"] == exp["verdict"] \
                and abs(v["cry_probability"] - exp["cry_probability"]) <= 1e-3
            if not ok:
                wrong.append({k: r[k] for k in ("file", "kind", "value")})
    sent = args.clients * args.requests
    lat = [r["seconds"] for r in results]
    lat_valid = [r["seconds"] for r in results if files[r["file"]][1]]
    lat_invalid = [r["seconds"] for r in results if not files[r["file"]][1]]
    left = sorted(str(q.relative_to(uploads)) for q in uploads.rglob("*") if q.is_file()) if uploads.exists() else []
    report.update({
        "sent": sent, "returned": len(results), "lost": sent - len(results) + len(not_done), "client_crashes": crashed,
        "valid_answered_correctly": sum(1 for r in results if files[r["file"]][1]) - len(wrong),
        "valid_sent": sum(1 for r in results if files[r["file"]][1]), "wrong_answers": wrong[:10],
        "invalid_clear_errors": sum(1 for r in results if not files[r["file"]][1]) - len(unclear),
        "invalid_sent": sum(1 for r in results if not files[r["file"]][1]), "unclear_errors": unclear[:10],
        "wall_s": round(wall, 1), "requests_per_s": round(len(results) / wall, 2),
        "latency_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "max": percentile(lat, 100),
                       "valid_p50": percentile(lat_valid, 50), "valid_p95": percentile(lat_valid, 95),
                       "invalid_p50": percentile(lat_invalid, 50), "invalid_p95": percentile(lat_invalid, 95)},
        "app_rss_mb": {"after_warmup": round(rss_before, 1), "after_burst": round(rss_after, 1),
                       "growth": round(rss_after - rss_before, 1)},
        "upload_files_left_after_burst": len(left),
        "load_average": os.getloadavg(),
    })
    ok = (report["lost"] == 0 and not crashed and not wrong and not unclear
          and report["app_rss_mb"]["growth"] < 50)
    report["passed"] = ok
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    lm = report["latency_ms"]
    print(f"{len(results)}/{sent} returned, lost {report['lost']}; valid answered correctly "
          f"{report['valid_answered_correctly']}/{report['valid_sent']}; invalid with the library's message "
          f"{report['invalid_clear_errors']}/{report['invalid_sent']}")
    print(f"latency p50 {lm['p50']} ms, p95 {lm['p95']} ms (valid p50 {lm['valid_p50']} / p95 {lm['valid_p95']}; "
          f"invalid p50 {lm['invalid_p50']} / p95 {lm['invalid_p95']}); {report['requests_per_s']} requests/s")
    rss = report["app_rss_mb"]
    print(f"app RSS after warm-up {rss['after_warmup']} MB, after the burst {rss['after_burst']} MB "
          f"(growth {rss['growth']} MB); {'PASSED' if ok else 'FAILED'}; wrote {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
