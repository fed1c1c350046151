"""The detector's last conv block fine-tuned against the frozen encoder: grouped CV and leave-one-category-out.

Both recipes on the same grouped folds of the data folder (issue 19): the bundled one (frozen pretrained
sound-effects CNN, logistic-regression head on a recording's pooled embeddings) and the same with
``model.tune_last_block`` (``babycry.training.tune``: per fit, block 4 fine-tuned on the fold's cached block-3
maps, then the head refitted). Each: ``--seeds`` × 5-fold grouped CV, calibrated and reported as ``babycry cv``
does (balanced accuracy with its family-bootstrap interval, ROC AUC, recall per category), plus each category's
rejection where 92% of cries are found (the ranking, whatever the threshold), and leave-one-category-out for
``--categories``. The tuned recipe's window cache holds ~1.9 GB of maps (~17 min to build on 2 cores); each
tuned fit takes minutes. Writes ``benchmarks/results/detector_tune.json``.

    python benchmarks/detector_tune.py [--data DIR] [--seeds 1] [--categories laugh adult_laugh]
        [--set fit.epochs=6 ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from babycry.calibration import apply_calibration
from babycry.data import default_data_dir, load_task
from babycry.training.cache import build_cache
from babycry.training.cv import cross_validate
from babycry.training.pipeline import calibrate_oof, category_holdout, report_oof
from babycry.training.recipes import recipe_for

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "detector_tune.json"
#: The tuning that the fold-0 probe found best (docs/experiments.md): 6 × 8,000 windows of 64, peak rate 1e-3.
TUNED = {"model.tune_last_block": True, "fit.epochs": 6, "fit.samples_per_epoch": 8000, "fit.batch_size": 64,
         "fit.learning_rate": 1e-3, "fit.weight_decay": 0.01, "fit.warmup_fraction": 0.1}


def _at_cry_recall(p: np.ndarray, y: np.ndarray, cats: np.ndarray, *, recall: float = 0.92) -> dict[str, float]:
    """Each not-cry category's share below the P(cry) that keeps ``recall`` of the cries."""
    line = np.quantile(p[y == 1], 1.0 - recall)
    return {c: round(float((p[cats == c] < line).mean()), 3) for c in sorted(set(cats[y == 0].tolist()))}


def run(name: str, overrides: dict, *, data_dir: str, seeds: int, categories: list[str]) -> dict:
    data = load_task(data_dir, task="detector")
    recipe = recipe_for("detector").replace(**overrides)
    t0 = time.time()
    cache = build_cache(data, recipe=recipe)
    result = cross_validate(data, cache, recipe=recipe, folds=recipe.cv.folds, seeds=seeds)
    calibration, temperature = calibrate_oof(result, data, recipe=recipe)
    report = report_oof(result, data, recipe=recipe, calibration=calibration, temperature=temperature)
    metrics = report.get("grouped", report)["metrics"]
    p = apply_calibration(result.logits.mean(axis=0), temperature=temperature)[:, 1]
    cats = data.table["category"].to_numpy().astype(str)
    holdout = category_holdout(data, cache, recipe=recipe, temperature=temperature, categories=categories)
    row = {
        "variant": name, "overrides": overrides, "seconds": round(time.time() - t0),
        "balanced_accuracy": metrics["balanced_accuracy"], "roc_auc": metrics.get("roc_auc"),
        "category_accuracy": {k.split("/", 1)[1]: v for k, v in metrics.items()
                              if k.startswith("category_accuracy/")},
        "rejected_at_92pct_cries": _at_cry_recall(p, data.y, cats),
        "leave_category_out": {c: {"held_out": v["held_out"], "cries": v["cries"]}
                               for c, v in holdout["categories"].items()},
    }
    print(json.dumps(row, default=float), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--categories", nargs="+", default=["laugh", "adult_laugh"])
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=JSON",
                        help="change the tuned recipe (dotted recipe key, JSON value)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    tuned = dict(TUNED)
    for item in args.sets:
        key, _, value = item.partition("=")
        tuned[key] = json.loads(value)
    rows = [run(name, overrides, data_dir=args.data, seeds=args.seeds, categories=args.categories)
            for name, overrides in (("frozen (bundled)", {}), ("last block tuned", tuned))]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"data": args.data, "seeds": args.seeds, "rows": rows}, indent=1, default=float) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
