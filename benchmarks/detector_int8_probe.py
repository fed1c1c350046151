"""Probe: the detector's CNN encoder quantised to int8 (ONNX Runtime), served to a float-trained head or trained on.

On a CPU without AMX the float32 encoder is ~75% of a 7 s analysis; ONNX Runtime's int8 convolutions (VNNI) run
it several times faster. Two questions, on grouped 5-fold × 3-seed CV of the bundled recipe:

1. ``serve``: the recipe's out-of-fold heads fitted on the float32 window cache (``encoder_precision="float32"``)
   scoring int8 embeddings of the held-out clips' clean windows — what the app would answer if it served a
   float-trained checkpoint's encoder in int8. Compared with the same heads on the float32 embeddings, calibrated
   with the checkpoint's temperature and unsure band.
2. ``train``: the whole window cache embedded by the int8 graph, then ``babycry cv`` (heads fitted and calibrated on
   int8 embeddings) — what an int8-trained checkpoint measures. Since the bundled recipe trains on the graph
   (``encoder_precision="int8"``) this is ``babycry cv --task detector`` itself.

The graph of question 1: ``babycry.modeling.sfx.quantized.quantize_encoder`` on the bundled checkpoint's encoder,
its MinMax ranges from one window of up to 12 clips per category (``sample_windows``: unsupervised, labels unused);
question 2 uses the cache's own graph (made the same way from the cache's choice of windows).
Not part of the library (docs/experiments.md, "Serving the detector's encoder in int8"); ~25 minutes.

    python benchmarks/detector_int8_probe.py [--data DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results" / "detector_int8_probe.json"


def _quantise(work: Path, data: str) -> Path:
    from babycry.modeling import load_detector
    from babycry.modeling.onnx_export import sample_windows
    from babycry.modeling.sfx.quantized import quantize_encoder

    det = load_detector(runtime="transformers")
    calib = det.feature_extractor(sample_windows(data, task="detector", per_category=12),
                                  return_tensors="np")["input_values"]
    return quantize_encoder(det.model.encoder, calib, work / "enc_int8.onnx")


def _serve(graph: Path, data_dir: str) -> dict:
    from sklearn.metrics import roc_auc_score

    from babycry.calibration import softmax
    from babycry.data import grouped_folds, load_task
    from babycry.modeling import load_detector
    from babycry.modeling.sfx.quantized import Int8Encoder
    from babycry.training.cache import FeatureCache, build_cache, clean_windows
    from babycry.training.fit import clip_logits, fit
    from babycry.training.recipes import recipe_for

    data = load_task(data_dir, task="detector")
    recipe = recipe_for("detector").replace(progress=False, threads=1, **{"model.encoder_precision": "float32"})
    cache = build_cache(data, recipe=recipe)
    det = load_detector()
    index, encoder = cache.index, Int8Encoder(graph)
    int8 = np.array(cache.features)
    for clip in range(len(data)):  # the cache's clean windows
        rows = np.flatnonzero((index["clip"].to_numpy() == clip) & (index["kind"].to_numpy() == "clean"))
        _, windows = clean_windows(data.table.loc[clip, "path"], recipe=recipe)
        int8[rows] = encoder.embed(det.feature_extractor(windows, return_tensors="np")["input_values"])
    cache8 = FeatureCache(features=int8, index=index)
    y, groups = data.y, data.groups
    cats = data.table["category"].to_numpy().astype(str)
    logits = {"float32": np.zeros((3, len(data), 2)), "int8": np.zeros((3, len(data), 2))}
    for s in range(3):
        for k, (train, test) in enumerate(grouped_folds(y, groups, n_splits=5, seed=recipe.seed + s)):
            model = fit(cache, recipe=recipe, train_clips=train, seed=(recipe.seed + s) * 100 + k,
                        exclude_groups=set(groups[test].tolist()))
            logits["float32"][s, test] = clip_logits(model, cache, test)
            logits["int8"][s, test] = clip_logits(model, cache8, test)
    calibration = det.calibration
    low, high = calibration.cry_band
    out: dict = {}
    p = {}
    for name, lg in logits.items():
        p[name] = softmax(lg / calibration.temperature)[..., 1]
        right = (p[name] >= 0.5) == (y == 1)
        row = {"balanced_accuracy": 0.5 * (right[:, y == 1].mean() + right[:, y == 0].mean()),
               "roc_auc": float(np.mean([roc_auc_score(y, p[name][s]) for s in range(3)]))}
        row.update({c: right[:, cats == c].mean() for c in sorted(set(cats.tolist()))})
        out[name] = {k: round(float(v), 4) for k, v in row.items()}
    diff = np.abs(p["float32"] - p["int8"])
    out["scored"] = int(diff.size)
    out["moved_across_unsure_band"] = int((np.digitize(p["float32"], [low, high])
                                           != np.digitize(p["int8"], [low, high])).sum())
    out["p_cry_difference_median_p99_max"] = [round(float(v), 4) for v in
                                              (np.median(diff), np.quantile(diff, 0.99), diff.max())]
    return out


def _train(data_dir: str) -> dict:
    from babycry.training.pipeline import run_cv
    from babycry.training.recipes import recipe_for

    recipe = recipe_for("detector")
    assert recipe.model.encoder_precision == "int8"  # the bundled recipe trains on the int8 graph
    t0 = time.time()
    report = run_cv(data_dir, task="detector", recipe=recipe)
    report["seconds"] = round(time.time() - t0)
    return report


def main() -> None:
    from babycry.data import default_data_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--work", default="artifacts/int8_probe", help="graphs and the int8 window cache")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    graph = _quantise(work, args.data)
    served = _serve(graph, args.data)
    print(json.dumps(served, indent=1))
    trained = _train(args.data)
    keep = ("metrics", "per_seed_balanced_accuracy", "temperature", "cry_band", "phone_codec", "leave_category_out",
            "seconds")
    result = {"serve_float_trained_head": served, "trained_on_int8": {k: trained.get(k) for k in keep}}
    RESULTS.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(json.dumps(result["trained_on_int8"], indent=1, default=str))


if __name__ == "__main__":
    main()
