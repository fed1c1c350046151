"""Experiment (not kept): the detector's CNN as an int8 ONNX graph, against torch float32 and bfloat16.

Exports the bundled detector's window embeddings to ONNX (opset 17), quantises it statically to int8 (ONNX Runtime
``quantize_static``: QDQ, per-channel int8 weights, uint8 activations, MinMax ranges from ``sample_windows`` of the
data folder, 12 clips per category, seed 0), then runs the detector on up to ``--per-category`` clips of every
category (seed 1) in torch float32 (the reference), torch bfloat16 and ONNX Runtime int8 (one thread each) and
prints the calibrated P(cry) differences, the verdicts that move across an edge of the unsure band, and the time
per window.  Recorded in docs/experiments.md; removed from the tree in the commit after the one that adds it.

    python benchmarks/detector_int8.py [--data DIR] [--per-category 60]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from babycry.audio import load
from babycry.data import default_data_dir, load_task
from babycry.errors import BabyCryError
from babycry.modeling import load_detector
from babycry.modeling.onnx_export import OPSET, sample_windows
from babycry.modeling.onnx_runtime import session
from babycry.modeling.predictor import _outputs_class
from babycry.modeling.windows import frame_windows


def _verdict(model: object, p: float) -> str:
    if model.is_cry_unsure(p):  # type: ignore[attr-defined]
        return "unsure"
    return "cry" if p >= 0.5 else "not_cry"


def main() -> None:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--per-category", type=int, default=60)
    args = parser.parse_args()

    base = load_detector(runtime="transformers")
    fp32, bf16 = (dataclasses.replace(base, precision=p) for p in ("float32", "bfloat16"))
    table = load_task(args.data, task="detector").table
    rng = np.random.default_rng(1)
    picked = []
    for _, rows in table.groupby("category"):
        picked += list(rng.choice(rows.index.to_numpy(), size=min(args.per_category, len(rows)), replace=False))
    clips, cats = [], []
    for index in sorted(picked):
        try:
            audio = load(table.loc[index, "path"])
        except BabyCryError:
            continue
        windows, spans = frame_windows(audio.samples, sample_rate=audio.sample_rate)
        clips.append((base.features(windows), spans))
        cats.append(table.loc[index, "category"])
    n_windows = sum(len(f) for f, _ in clips)
    probs: dict[str, list[float]] = {}
    seconds: dict[str, float] = {}

    def score(name: str, run: object) -> None:
        probs[name], seconds[name] = [], 0.0
        for features, spans in clips:
            run(features[:1])  # type: ignore[operator]
            start = time.perf_counter()
            outputs = run(features)  # type: ignore[operator]
            seconds[name] += time.perf_counter() - start
            probs[name].append(float(fp32.prediction(outputs, spans=spans).probabilities[1]))

    # torch first, then the export (which leaves the model in the wrapper's training mode: hence .eval() below)
    score("float32", fp32.window_outputs)
    score("bfloat16", bf16.window_outputs)

    calibration = fp32.features(sample_windows(args.data, task="detector", per_category=12, seed=0))
    tmp = Path(tempfile.mkdtemp())
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(_outputs_class()(base.model.eval()).eval(), (torch.as_tensor(calibration[:2]),),
                          str(tmp / "f32.onnx"), input_names=["input_values"], output_names=["outputs"],
                          dynamic_axes={"input_values": {0: "n"}, "outputs": {0: "n"}}, opset_version=OPSET,
                          dynamo=False)
    quant_pre_process(str(tmp / "f32.onnx"), str(tmp / "prepared.onnx"))

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = iter([calibration[i : i + 8] for i in range(0, len(calibration), 8)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            batch = next(self._batches, None)
            return None if batch is None else {"input_values": np.ascontiguousarray(batch, np.float32)}

    quantize_static(str(tmp / "prepared.onnx"), str(tmp / "int8.onnx"), Reader(), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    int8 = session(tmp / "int8.onnx")
    score("onnxruntime_int8",
          lambda f: int8.run(None, {"input_values": f.astype(np.float32)})[0].astype(np.float64))
    cats_a = np.asarray(cats)
    p32 = np.asarray(probs["float32"])
    v32 = np.array([_verdict(base, p) for p in p32])
    result: dict[str, object] = {"clips": len(cats), "windows": n_windows, "calibration_windows": len(calibration)}
    for name in ("bfloat16", "onnxruntime_int8"):
        p = np.asarray(probs[name])
        diff = np.abs(p - p32)
        moved = np.array([_verdict(base, q) for q in p]) != v32
        result[name] = {
            "p_cry_abs_diff": {"median": round(float(np.median(diff)), 5),
                               "p99": round(float(np.quantile(diff, 0.99)), 4), "max": round(float(diff.max()), 4)},
            "verdicts_moved": int(moved.sum()),
            "moved_by_category": {str(c): int(moved[cats_a == c].sum()) for c in sorted(set(cats)) if
                                  moved[cats_a == c].any()},
        }
    result["ms_per_window"] = {k: round(1000 * v / n_windows, 2) for k, v in seconds.items()}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
