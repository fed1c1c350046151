"""Inference speed of the bundled checkpoints on this machine (not a test: numbers vary with load).

Times model loading, and ``babycry.analysis.analyse`` (both models) on synthesised cries of 3, 7, 30 and 60 s,
with 2 torch threads; prints the median of several runs and the peak resident memory.

    python benchmarks/inference_speed.py [--detector DIR] [--reason DIR] [--repeats 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

import torch

from babycry.analysis import analyse
from babycry.audio import from_array
from babycry.modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR, load_detector, load_reason
from babycry.synth import synth_cry


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--detector", default=str(DEFAULT_DETECTOR_DIR))
    p.add_argument("--reason", default=str(DEFAULT_REASON_DIR))
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args()
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    det, rea = load_detector(args.detector), load_reason(args.reason)
    print(f"load both models: {time.perf_counter() - t0:.2f} s")
    for seconds in (3, 7, 30, 60):
        audio = from_array(synth_cry(seconds=float(seconds), seed=seconds).samples, 16000)
        analyse(audio, detector=det, reason=rea)  # warm-up
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            result = analyse(audio, detector=det, reason=rea)
            times.append(time.perf_counter() - t)
        median_ms = statistics.median(times) * 1e3
        print(f"analyse {seconds:3d} s clip ({len(result.windows):2d} windows): median {median_ms:7.1f} ms"
              f"  (min {min(times) * 1e3:.1f} ms)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
