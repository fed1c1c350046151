"""``analyse`` on the 7 s example with two detector checkpoints, interleaved run by run in one process.

For a retrain that changes how the detector runs rather than what it answers (2026-11-29: the encoder's int8 graph
with 7-bit weights, which ONNX Runtime's fused kernels sum exactly on an x86 CPU without VNNI, against the 8-bit
graph that such a CPU runs unfused). Both use the bundled reason model; each figure is the median of ``--repeats``
runs after ``--warmup`` (``inference_speed.timed``), repeated ``--rounds`` times. The answer (P(cry)) of each is
printed beside its time.

    git archive <commit> assets/models/cry-detector | tar -x -C OLD   # or any checkpoint folder
    python benchmarks/detector_ab_speed.py --a OLD/assets/models/cry-detector --b assets/models/cry-detector

Writes benchmarks/results/detector_ab_speed.json; docs/performance.md quotes it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from inference_speed import timed  # noqa: E402

from babycry import analyse, load_detector, load_reason  # noqa: E402
from babycry.audio import load  # noqa: E402
from babycry.modeling.onnx_runtime import weights_digest  # noqa: E402
from babycry.modeling.sfx.quantized import int8_kernels_exact  # noqa: E402


def _where(checkpoint: str) -> dict:
    """What names a checkpoint in the results: its path inside the repository (or its hub id), never a temporary
    folder's, and its weights' digest."""
    path = Path(checkpoint).resolve()
    if not path.is_dir():
        return {"checkpoint": checkpoint}
    try:
        name = str(path.relative_to(ROOT))
    except ValueError:  # an extracted older checkpoint: its digest says which one
        name = f"(outside the repository)/{path.parent.name}/{path.name}"
    return {"checkpoint": name, "weights_sha256": weights_digest(path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--a", required=True, help="a detector checkpoint folder (or hub id)")
    parser.add_argument("--b", required=True, help="the other one")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_ab_speed.json"))
    args = parser.parse_args()

    reason = load_reason()
    clip = load(ROOT / "assets" / "examples" / "synth_cry_7s.wav")
    detectors = {"a": load_detector(args.a), "b": load_detector(args.b)}
    report: dict = {"cpu": platform.processor() or platform.machine(), "fused_int8_exact_here": int8_kernels_exact(),
                    "clip": "assets/examples/synth_cry_7s.wav", "checkpoints": {}}
    for name, det in detectors.items():
        encoder = det.int8_encoder
        report["checkpoints"][name] = {
            **_where(getattr(args, name)), "int8_weight_bits": encoder.weight_bits if encoder else None,
            "cry_probability": analyse(clip, detector=det, reason=reason).cry_probability}
    rounds = [timed({name: (lambda d=det: analyse(clip, detector=d, reason=reason))
                     for name, det in detectors.items()}, repeats=args.repeats, warmup=args.warmup)
              for _ in range(args.rounds)]
    for name in detectors:
        report["checkpoints"][name]["analyse_median_ms_per_round"] = [r[name]["median_ms"] for r in rounds]
        print(name, report["checkpoints"][name])
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
