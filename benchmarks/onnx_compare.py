"""Would ONNX Runtime serve the compact models faster than torch? Parity and speed of the forward pass.

Exports each bundled checkpoint's window outputs (features -> logits, or the pooling detector's embeddings) to ONNX
(opset 17, dynamic batch, float32), runs it in ONNX Runtime on one thread, and compares it with torch's forward pass
(TorchScript-traced, one thread, in the precision babycry picks: bfloat16 for the CNN on an AMX CPU, and float32)
on the features of a 7 s clip's windows (4 with the 1.5 s hop of the results file, 3 since the 2 s hop): the
largest difference from torch's float32 outputs, the medians of ``--repeats`` runs, the export and session
start-up times.  This is the measurement behind which runtime serves
which model (``load_model(runtime="auto")``: the reason AST from its graph, the CNN in torch).

    python benchmarks/onnx_compare.py [--repeats 30]

Writes benchmarks/results/onnx_compare.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from babycry.modeling import frame_windows, load_detector, load_reason
from babycry.modeling.onnx_export import export_graph
from babycry.modeling.onnx_runtime import session as onnx_session
from babycry.synth import synth_cry

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def median_ms(fn, repeats: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1e3, 2)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=30)
    args = p.parse_args()
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime is not installed: pip install onnxruntime==1.31.1 onnx==1.23.2")
        return 1
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    det, rea = load_detector(runtime="transformers"), load_reason(runtime="transformers")
    windows, _ = frame_windows(synth_cry(seconds=7.0, seed=7).samples, sample_rate=16_000)
    report: dict[str, object] = {"windows": len(windows), "onnxruntime": ort.__version__, "torch": torch.__version__}
    tmp = tempfile.mkdtemp()
    for name, model in (("detector", det), ("reason", rea)):
        feats = model.features(windows)
        reference = dataclasses.replace(model, precision="float32")
        path = Path(tmp) / f"{name}.onnx"
        export_s = export_graph(model, path, windows=windows)
        start = time.perf_counter()
        session = onnx_session(path)  # one thread, as babycry serves it
        session_s = time.perf_counter() - start
        diff = float(np.abs(session.run(None, {"input_values": feats})[0] - reference.window_outputs(feats)).max())
        report[name] = {
            "max_abs_difference_from_torch_float32": diff, "export_s": round(export_s, 2),
            "session_start_s": round(session_s, 3), "torch_dtype": model.inference_dtype,
            "torch_traced_ms": median_ms(lambda m=model, f=feats: m.window_outputs(f), args.repeats),
            "torch_float32_traced_ms": median_ms(lambda m=reference, f=feats: m.window_outputs(f), args.repeats),
            "onnxruntime_ms": median_ms(lambda s=session, f=feats: s.run(None, {"input_values": f}), args.repeats),
        }
        print(name, report[name], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "onnx_compare.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
