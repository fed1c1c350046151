"""Coverage-guided fuzzing of the decoding entry point (``babycry.audio.load`` on bytes), bounded in time.

libFuzzer (through atheris) mutates a seed corpus of small valid recordings (WAV 8/16/24/32-bit float, FLAC,
OGG, MP3, WebM/Opus, M4A/AAC, AMR), guided by the coverage of babycry.decode / babycry.audio; every input must
give an Audio or a BabyCryError.  Anything else is a crash: libFuzzer stops and writes the input as
``crash-<sha1>`` into the artifact folder (fix it, then add it to tests/test_fuzz.py as an ``@example``).
Without atheris, a Hypothesis run of the same property stands in (tests/test_fuzz.py with
BABYCRY_FUZZ_EXAMPLES).

    python benchmarks/fuzz_decode.py [--seconds 120] [--out benchmarks/results/fuzz]

Writes ``fuzz_decode.json`` (runs, seconds, crashes) into benchmarks/results/.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def seed_corpus(folder: Path) -> list[Path]:
    """Small valid recordings, one per format the loader reads (ffmpeg ones when its encoder exists)."""
    import numpy as np
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    x = (0.3 * np.sin(np.arange(16_000) / 7.0)).astype(np.float32)
    paths = []
    for name, fmt, subtype in (("s16.wav", "WAV", "PCM_16"), ("u8.wav", "WAV", "PCM_U8"), ("s24.wav", "WAV", "PCM_24"),
                               ("f32.wav", "WAV", "FLOAT"), ("a.flac", "FLAC", "PCM_16"), ("a.ogg", "OGG", "VORBIS")):
        buf = io.BytesIO()
        sf.write(buf, x, 16_000, format=fmt, subtype=subtype)
        (folder / name).write_bytes(buf.getvalue())
        paths.append(folder / name)
    if shutil.which("ffmpeg"):
        src = folder / "s16.wav"
        for name, args in (("a.webm", ["-c:a", "libopus", "-b:a", "16k"]), ("a.m4a", ["-c:a", "aac", "-b:a", "32k"]),
                           ("a.mp3", ["-c:a", "libmp3lame", "-b:a", "32k"])):
            proc = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), *args,
                                   str(folder / name)], capture_output=True, check=False)
            if proc.returncode == 0:
                paths.append(folder / name)
        amr = folder / "a.amr"
        amr.write_bytes(b"#!AMR\n" + (bytes([0x3C]) + bytes(range(31))) * 60)
        paths.append(amr)
    return paths


def _atheris_child(seconds: int, corpus: Path, artifacts: Path) -> None:
    """Run libFuzzer in this process (it exits the process when done)."""
    import atheris

    with atheris.instrument_imports(include=["babycry"]):
        from babycry.audio import load
        from babycry.errors import BabyCryError

    def one_input(data: bytes) -> None:
        try:
            load(data)
        except BabyCryError:
            pass

    artifacts.mkdir(parents=True, exist_ok=True)
    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-rss_limit_mb=3072", "-timeout=60",
                   f"-artifact_prefix={artifacts}/", "-max_len=65536", "-print_final_stats=1"], one_input)
    atheris.Fuzz()


def _run_atheris(seconds: int, corpus: Path, artifacts: Path) -> int:
    """libFuzzer in a child process (it ends its process), its statistics read back from its output."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", str(corpus), "--seconds", str(seconds), "--out",
                           str(artifacts)], capture_output=True, text=True, check=False, cwd=ROOT,
                          timeout=seconds + 300)
    sys.stderr.write(proc.stderr[-4000:])
    stats = dict(re.findall(r"stat::(\w+):\s+(\d+)", proc.stderr))
    _write({"engine": "atheris (libFuzzer)", "seconds": round(time.perf_counter() - start, 1),
            "runs": int(stats.get("number_of_executed_units", 0)),
            "new_units": int(stats.get("new_units_added", 0)), "peak_rss_mb": int(stats.get("peak_rss_mb", 0)),
            "exit_code": proc.returncode}, artifacts)
    return proc.returncode


def _write(summary: dict, artifacts: Path) -> None:
    crashes = sorted(p.name for p in artifacts.glob("crash-*")) + sorted(p.name for p in artifacts.glob("timeout-*"))
    summary["crashes"] = crashes
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fuzz_decode.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary), flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=int, default=120, help="total fuzzing time (default 120)")
    p.add_argument("--out", default=str(RESULTS / "fuzz"), help="where crash inputs are written")
    p.add_argument("--child", metavar="CORPUS", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        _atheris_child(args.seconds, Path(args.child), Path(args.out))
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    artifacts = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="babycry-fuzz-") as tmp:
        corpus = Path(tmp) / "corpus"
        seed_corpus(corpus)
        try:
            import atheris  # noqa: F401
        except ImportError:
            print("atheris is not installed: running the Hypothesis properties instead", flush=True)
            start = time.perf_counter()
            env = {**os.environ, "BABYCRY_FUZZ_EXAMPLES": str(max(30, args.seconds * 4))}
            code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                    str(ROOT / "tests" / "test_fuzz.py"), "-k", "bytes or headers or damaged"],
                                   env=env, cwd=ROOT)
            _write({"engine": "hypothesis", "seconds": round(time.perf_counter() - start, 1),
                    "exit_code": code}, artifacts)
            return code
        return _run_atheris(args.seconds, corpus, artifacts)


if __name__ == "__main__":
    sys.exit(main())
