"""What the browser's microphone does to a cry: the bundled detector on cries played through Chromium's microphone.

Each of ``--clips`` Donate-a-Cry cries (every 40th of the data folder's, in path order) is resampled to 48 kHz and
played by Chromium's fake microphone into a bare page that records 5 s with ``getUserMedia`` and MediaRecorder
(WebM/Opus, what Gradio's recorder does), once with the browser's default voice processing (``{audio: true}``:
noise suppression, automatic gain, echo cancellation; what Gradio asks for) and once without it (what the app asks
for since issue 19, ``demo.ui.RAW_MICROPHONE_JS``). Prints and writes (``benchmarks/results/microphone_path.json``)
P(cry) of the upload and of both recordings, and how many get a confident "crying".

Needs Debian's ``chromium`` and Playwright (``make setup``); ~2 min.

    python benchmarks/microphone_path.py [--data DIR] [--clips 12] [--out JSON]
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.server
import json
import socketserver
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from babycry.analysis import analyse
from babycry.audio import load, resample
from babycry.data import default_data_dir
from babycry.modeling import load_detector, load_reason
from babycry.synth import write_wav

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PAGE = """<!doctype html><html><body><script>
async function rec(constraints, ms) {
  const stream = await navigator.mediaDevices.getUserMedia({audio: constraints});
  const recorder = new MediaRecorder(stream); const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const done = new Promise((resolve) => recorder.onstop = resolve);
  recorder.start(); await new Promise((resolve) => setTimeout(resolve, ms)); recorder.stop(); await done;
  stream.getTracks().forEach((t) => t.stop());
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let s = ''; for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}
</script></body></html>"""
#: The browser's default processing, and none (what the app asks for).
CAPTURES = {"browser_default": True,
            "raw": {"echoCancellation": False, "noiseSuppression": False, "autoGainControl": False}}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no request log between the results
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--clips", type=int, default=12)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "microphone_path.json"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    detector, reason = load_detector(), load_reason()
    manifest = pd.read_csv(Path(args.data) / "manifest.csv")
    cries = manifest[(manifest["source"] == "donateacry") & (manifest["is_cry"] == 1)].sort_values("path")
    paths = cries["path"].iloc[::40].head(args.clips).tolist()
    folder = Path(tempfile.mkdtemp(prefix="babycry-mic-"))
    (folder / "index.html").write_text(PAGE)
    server = socketserver.TCPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    with sync_playwright() as p:
        for i, rel in enumerate(paths):
            audio = load(Path(args.data) / rel)
            at_48k = resample(audio.samples, orig_sr=audio.sample_rate, target_sr=48_000)
            played = write_wav(folder / f"cry{i}.wav", at_48k, sample_rate=48_000)
            row = {"clip": rel, "upload": analyse(audio, detector=detector, reason=reason).to_dict()}
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={played}"])
            try:
                page = browser.new_context(permissions=["microphone"]).new_page()
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
                for name, constraints in CAPTURES.items():
                    recorded = folder / f"cry{i}_{name}.webm"
                    recorded.write_bytes(base64.b64decode(page.evaluate(f"rec({json.dumps(constraints)}, 5000)")))
                    row[name] = analyse(load(recorded), detector=detector, reason=reason).to_dict()
            finally:
                browser.close()
            rows.append(row)
            print(f"{rel[-40:]:>40}  " + "  ".join(f"{k} {row[k]['cry_probability']:.3f}"
                                                    for k in ("upload", *CAPTURES)), flush=True)
    server.shutdown()

    def confident(name: str) -> int:
        return sum(r[name]["is_cry"] and not r[name]["cry_unsure"] for r in rows)

    summary = {"clips": len(rows), "confident_crying": {k: confident(k) for k in ("upload", *CAPTURES)}}
    for name in CAPTURES:
        moved = [abs(r[name]["cry_probability"] - r["upload"]["cry_probability"]) for r in rows]
        summary[name] = {"median_abs_shift": round(float(np.median(moved)), 4), "max_abs_shift": round(max(moved), 4),
                         "not_a_cry": sum(not r[name]["is_cry"] for r in rows)}
    print(json.dumps(summary, indent=1))
    Path(args.out).write_text(json.dumps({"summary": summary, "recordings": [
        {"clip": r["clip"], **{k: r[k]["cry_probability"] for k in ("upload", *CAPTURES)}} for r in rows]},
        indent=1) + "\n")


if __name__ == "__main__":
    main()
