"""Start-up of the app: from ``python app.py`` to the page, and to the first answer of a 7 s clip.

Launches the real app on loopback (``GRADIO_SERVER_NAME=127.0.0.1``, a free ``GRADIO_SERVER_PORT``), polls the page
every 50 ms, then sends the bundled 7 s example to ``/classify`` through ``gradio_client`` at once (the request waits
for the models, which load in the app's worker process meanwhile).  ``--runs`` starts, each a fresh process
(the first may pay for a cold disk cache; the median is reported).  Writes ``benchmarks/results/startup.json``
(``--out``: elsewhere).

    python benchmarks/startup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's demo package (run as a script from benchmarks/)
from demo.launch import free_port, start_app, wait_until_served  # noqa: E402

CLIP = ROOT / "assets" / "examples" / "synth_cry_7s.wav"
OUT = ROOT / "benchmarks" / "results" / "startup.json"


def one_start() -> dict[str, float]:
    from gradio_client import Client, handle_file

    port = free_port()
    t0 = time.perf_counter()
    app = start_app(port)
    try:
        wait_until_served(f"http://127.0.0.1:{port}/", app, timeout_s=600)
        page = time.perf_counter() - t0
        answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(handle_file(str(CLIP)),
                                                                              api_name="/classify")
        first = time.perf_counter() - t0
        if not answer.get("is_cry"):
            raise SystemExit(f"unexpected first answer: {answer}")
        return {"page_s": round(page, 2), "first_answer_s": round(first, 2)}
    finally:
        app.terminate()
        app.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        load = os.getloadavg()[0]
        runs.append({**one_start(), "load_average": round(load, 2)})
        print(json.dumps(runs[-1]), flush=True)
    result = {
        "runs": runs,
        "median_page_s": statistics.median(r["page_s"] for r in runs),
        "median_first_answer_s": statistics.median(r["first_answer_s"] for r in runs),
        "cpu_cores": os.cpu_count(),
    }
    print(json.dumps(result, indent=1))
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
