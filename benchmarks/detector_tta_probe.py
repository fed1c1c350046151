"""A probe: the detector reading a recording twice, as recorded and through a phone codec, its two logits averaged.

The head learned every training clip both ways (``model.coded_share``), and cries of a source never heard were
found more often through a codec (docs/experiments.md). The window cache already holds each clip's phone-codec
copy (``phone_eval``), so both readings cost no new embedding here:

* grouped CV: the checkpoint's own out-of-fold logits, clean and coded (``cv_predictions.npz``), combined;
* sources never heard: each source of cries and of baby laughter left out whole, as ``make bench-unseen``, each
  grouped fold's model scoring the set's clips both ways.

    python benchmarks/detector_tta_probe.py [--data DIR] [--model DIR]

Writes benchmarks/results/detector_tta_probe.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from babycry.data import default_data_dir, load_task  # noqa: E402
from babycry.modeling.checkpoint import DEFAULT_DETECTOR_DIR  # noqa: E402
from babycry.training.cache import build_cache, checkpoint_int8_graph  # noqa: E402
from babycry.training.cv import Fold, _folds_of, _init_fold_worker, _run_fold  # noqa: E402
from babycry.training.parallel import map_in_processes, worker_count  # noqa: E402
from babycry.training.recipes import checkpoint_recipe  # noqa: E402

COMBINE = {"clean": lambda c, p: c, "coded": lambda c, p: p, "mean of both": lambda c, p: (c + p) / 2}


def _z(logits: np.ndarray) -> np.ndarray:
    return logits[..., 1] - logits[..., 0]


def grouped(model: Path, data_dir: Path) -> dict:
    saved = np.load(model / "cv_predictions.npz", allow_pickle=True)
    manifest = pd.read_csv(data_dir / "manifest.csv", dtype=str, keep_default_na=False).set_index("path")
    label = manifest.loc[[str(p) for p in saved["paths"]], "label"].to_numpy()
    y = saved["y"].astype(int)
    category = np.where(y == 1, "cry", label)
    clean, coded = _z(saved["grouped_logits"]), _z(saved["grouped_phone_logits"])
    coded = np.where(np.isnan(coded), clean, coded)  # speech has no coded copy: read as recorded
    out = {}
    for name, how in COMBINE.items():
        z = how(clean, coded)
        out[name] = {"balanced_accuracy": round(float(np.mean([balanced_accuracy_score(y, s > 0) for s in z])), 4),
                     "roc_auc": round(float(np.mean([roc_auc_score(y, s) for s in z])), 4),
                     **{c: round(float(np.mean([((s[category == c] > 0) == (y[category == c] == 1)).mean()
                                                for s in z])), 3) for c in sorted(set(category))}}
        print(name, out[name])
    return out


def unseen(model: Path, data_dir: Path, folds: list[int]) -> dict:
    recipe = checkpoint_recipe(model)
    data = load_task(data_dir, task="detector", min_clips=4)
    cache = build_cache(data, recipe=recipe, int8_graph=checkpoint_int8_graph(model))
    source = data.table["source"].to_numpy().astype(str)
    category = data.table["category"].to_numpy().astype(str)
    sets = {f"{c}: {s}": np.flatnonzero((category == c) & (source == s))
            for c in ("cry", "laugh") for s in sorted(set(source[category == c]))}
    plan = _folds_of(data.y, data.groups, folds=recipe.cv.folds, seed=recipe.seed, split="grouped")
    jobs, names = [], []
    for k, (name, rows) in enumerate(sets.items()):
        for fold in folds:
            train, test = plan[fold]
            other = test[data.y[test] != data.y[rows[0]]]
            exclude = set(data.groups[test].tolist()) | set(data.groups[rows].tolist())
            jobs.append(Fold(seed_index=0, fold=fold, seed=recipe.seed * 100 + 50 + k + 1000 * fold,
                             train=np.setdiff1d(train, rows), test=np.concatenate([rows, other]),
                             exclude_groups=exclude, score_phone=True))
            names.append(name)
    results = list(map_in_processes(_run_fold, jobs, workers=worker_count(recipe.threads, len(jobs)),
                                    initializer=_init_fold_worker, initargs=(cache, recipe)))
    out = {}
    for name, rows in sets.items():
        mine = [(job, res) for n, job, res in zip(names, jobs, results, strict=True) if n == name]
        y_set = int(data.y[rows[0]])
        out[name] = {"clips": int(rows.size)}
        for how_name, how in COMBINE.items():
            held = np.mean([how(_z(c[: rows.size]), _z(p[: rows.size])) for _, (c, p) in mine], axis=0)
            others = np.concatenate([how(_z(c[rows.size :]), _z(p[rows.size :])) for _, (c, p) in mine])
            y_other = np.concatenate([data.y[job.test[rows.size :]] for job, _ in mine])
            keep = ~np.isnan(others)
            score = np.r_[held, others[keep]] * (1 if y_set == 1 else -1)
            truth = np.r_[np.ones(held.size), np.zeros(int(keep.sum()))]
            out[name][how_name] = {"right": round(float(((held > 0) == (y_set == 1)).mean()), 3),
                                   "roc_auc_vs_other_class": round(float(roc_auc_score(truth, score)), 4),
                                   "other_class_right": round(float(((others[keep] > 0) == (y_other[keep] == 1))
                                                                    .mean()), 3)}
        print(name, out[name])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--folds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_tta_probe.json"))
    args = parser.parse_args()
    model, data_dir = Path(args.model), Path(args.data)
    report = {"model": model.name, "threshold_logit": 0.0, "grouped": grouped(model, data_dir),
              "sources_never_heard": unseen(model, data_dir, args.folds)}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
