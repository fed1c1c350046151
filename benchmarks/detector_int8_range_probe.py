"""Probe: the detector's encoder graph with 7-bit weights, exact under the fused int8 kernels of any x86 CPU?

On x86 without VNNI, ONNX Runtime's fused uint8 x int8 convolutions add pairs of products in 16 bits, which
saturate with 8-bit weights (255 x 127 x 2 > 32,767) but not with 7-bit ones (255 x 64 x 2 = 32,640): ONNX Runtime's
``reduce_range``. A graph with 8-bit weights is therefore served unfused on such a CPU
(``babycry.modeling.sfx.quantized.int8_kernels_exact``), at two to three times its time. Here the bundled encoder is
quantised with 8-bit and with 7-bit weights from the same calibration windows as the cache's graph (the probe
of 2026-11-29 that made the detector's graph 7-bit; its results file names the 8-bit graph then bundled), and
both embed one clean window of every 25th clip of the data, fused (ONNX Runtime's optimisations on) and exact
(off: Q/DQ pairs around float convolutions): how far fused is from exact, the time of 4 windows on one thread, and
each graph's median relative error against the float32 encoder.
Not part of the library (docs/experiments.md); ~3 minutes.

    python benchmarks/detector_int8_range_probe.py [--data DIR] [--model DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from babycry.data import default_data_dir, load_task
from babycry.modeling import DEFAULT_DETECTOR_DIR, build_feature_extractor, load_detector
from babycry.modeling.sfx.quantized import int8_kernels_exact, quantize_encoder
from babycry.training.cache import clean_windows, int8_calibration_features
from babycry.training.recipes import checkpoint_recipe

ROOT = Path(__file__).resolve().parents[1]


def _embed(path: Path, features: np.ndarray, *, fused: bool) -> tuple[np.ndarray, float]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if fused
                                        else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    out = session.run(None, {"input_values": features})[0]
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        session.run(None, {"input_values": features[:4]})
        times.append(time.perf_counter() - t0)
    return out, float(np.median(times) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_int8_range_probe.json"))
    args = parser.parse_args()

    import torch

    recipe = checkpoint_recipe(args.model)
    data = load_task(args.data, task="detector", min_clips=4)
    extractor = build_feature_extractor(model_config=recipe.model)
    # the calibration windows the cache's graph takes
    calibration = np.asarray(int8_calibration_features(data, recipe=recipe), dtype=np.float32)
    test = [clean_windows(path, recipe=recipe)[1][:1] for path in data.table["path"].iloc[::25]]
    features = extractor(np.concatenate(test), return_tensors="np")["input_values"].astype(np.float32)

    detector = load_detector(args.model)
    encoder = detector.model.encoder.float().eval()
    with torch.no_grad():
        reference = encoder(torch.as_tensor(features)).numpy()
    with tempfile.TemporaryDirectory() as tmp:
        graphs = {f"{bits}-bit weights": quantize_encoder(encoder, calibration, Path(tmp) / f"w{bits}.onnx",
                                                          reduce_range=bits == 7) for bits in (8, 7)}
        rows = []
        for name, path in graphs.items():
            exact, t_exact = _embed(path, features, fused=False)
            fused, t_fused = _embed(path, features, fused=True)
            rel = lambda a: float(np.median(np.linalg.norm(a - reference, axis=1) / np.linalg.norm(reference, axis=1)))  # noqa: E731
            rows.append({"graph": name,
                         "fused_vs_exact_share_differing": round(float(np.mean(np.abs(fused - exact) > 1e-4)), 4),
                         "fused_vs_exact_mean_abs": round(float(np.abs(fused - exact).mean()), 5),
                         "ms_4_windows_fused": round(t_fused, 1), "ms_4_windows_exact": round(t_exact, 1),
                         "median_relative_error_vs_float32_exact": round(rel(exact), 4),
                         "median_relative_error_vs_float32_fused": round(rel(fused), 4)})
            print(rows[-1])
    out = {"cpu": platform.processor() or platform.machine(), "fused_kernels_exact_here": int8_kernels_exact(),
           "windows": int(len(features)), "rows": rows}
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
