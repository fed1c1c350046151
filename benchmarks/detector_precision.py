"""Does the detector answer the same in another number format than the one its head was trained on?

The bundled detector's head was trained on the embeddings of its int8 encoder graph (``encoder_precision="int8"``),
and the app serves that graph (``CryModel.precision="auto"``). This script takes up to ``--per-category`` clips of
every detector category of a data folder (a fixed random choice among the clips the app accepts), runs the
detector on each whole recording in the format it was trained in and in the float formats (float32; bfloat16 too
on a CPU with AMX tiles, where it is fast), and prints and writes (``benchmarks/results/detector_precision.json``),
per other format:

* the calibrated P(cry) difference per recording (median, 99th percentile, max),
* how many verdicts change (cry / unsure / not a cry, with the checkpoint's unsure band), per category,

and the forward pass's time per 3 s window in each format (1 thread, medians).

    python benchmarks/detector_precision.py [--data DIR] [--model DIR] [--per-category 60]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from pathlib import Path

import numpy as np

from babycry.audio import load
from babycry.data import default_data_dir, load_task
from babycry.errors import BabyCryError
from babycry.modeling import DEFAULT_DETECTOR_DIR, load_detector
from babycry.modeling.predictor import _cpu_has_amx
from babycry.modeling.windows import frame_windows

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "detector_precision.json"


def _verdict(model: object, p: float) -> str:
    if model.is_cry_unsure(p):  # type: ignore[attr-defined]
        return "unsure"
    return "cry" if p >= 0.5 else "not_cry"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--per-category", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    base = load_detector(args.model, runtime="transformers")
    trained = "int8" if base.int8_encoder is not None else "float32"
    formats = [trained] + [p for p in ("float32", "bfloat16") if p != trained and (p != "bfloat16" or _cpu_has_amx())]
    models = {p: dataclasses.replace(base, precision=p) for p in formats}
    table = load_task(args.data, task="detector").table
    rng = np.random.default_rng(args.seed)
    # per category, the first clips of a fixed random order that the app accepts (most speech clips are spoken
    # digits shorter than its 1 s minimum: sampling before loading kept 1 of 60)
    audios: dict[int, object] = {}
    for _, rows in table.groupby("category"):
        taken = 0
        for index in rng.permutation(rows.index.to_numpy()):
            if taken == args.per_category:
                break
            try:
                audios[index] = load(table.at[index, "path"])
            except BabyCryError:  # e.g. shorter than the app accepts: not what the app would answer
                continue
            taken += 1
    rows = table.loc[sorted(audios)]

    probs: dict[str, list[float]] = {p: [] for p in models}
    seconds: dict[str, float] = {p: 0.0 for p in models}
    n_windows = 0
    for index in rows.index:
        audio = audios.pop(index)
        windows, spans = frame_windows(audio.samples, sample_rate=audio.sample_rate)
        features = base.features(windows)
        n_windows += len(windows)
        for name, model in models.items():
            model.window_outputs(features[:1])  # traced once, outside the timing
            t = time.perf_counter()
            outputs = model.window_outputs(features)
            seconds[name] += time.perf_counter() - t
            probs[name].append(float(model.prediction(outputs, spans=spans).probabilities[model.labels.index("cry")]))

    cats = rows["category"].to_numpy()
    reference = np.asarray(probs[trained])
    v_ref = np.array([_verdict(base, p) for p in reference])
    against: dict[str, dict] = {}
    for name in formats[1:]:
        other = np.asarray(probs[name])
        diff = np.abs(other - reference)
        changed = v_ref != np.array([_verdict(base, p) for p in other])
        against[name] = {
            "p_cry_abs_diff": {"median": round(float(np.median(diff)), 5),
                               "p99": round(float(np.quantile(diff, 0.99)), 4), "max": round(float(diff.max()), 4)},
            "verdicts_changed": int(changed.sum()),
            "per_category": {str(c): {"clips": int((cats == c).sum()),
                                      "verdicts_changed": int(changed[cats == c].sum()),
                                      "max_abs_diff": round(float(diff[cats == c].max()), 4)}
                             for c in sorted(set(cats))},
        }
    result = {
        "data": str(Path(args.data).name), "model": Path(args.model).name, "clips": int(len(rows)),
        "windows": n_windows, "cpu": platform.processor() or platform.machine(), "amx": _cpu_has_amx(),
        "trained_on": trained, "against_trained": against,
        "ms_per_window": {k: round(1000 * v / n_windows, 2) for k, v in seconds.items()},
    }
    print(json.dumps(result, indent=1))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
