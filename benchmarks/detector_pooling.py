"""Recording-level pooling for the detector's head on clean clips alone, measured on its cached embeddings (issue 19).

The shipped head pools too, and also trains on the augmented windows (``babycry.training.fit._recording_items``;
docs/experiments.md compares them).  This pools clean windows only: each clip's clean-window embeddings (from
the bundled recipe's window cache; ``make train-detector`` builds it) as their mean, or mean and max, then one
class-balanced logistic regression per grouped fold (each not-cry category the same total weight, as the
probe in docs/experiments.md).  Clean windows only, no augmented ones.  Grouped 5-fold CV of the recipe's seed,
P(cry) at 0.5, recall per category; the per-window head of the time, on the same folds, is the "classifier" row
of ``benchmarks/results/detector_openset.json``.  Writes ``benchmarks/results/detector_pooling.json``.

    python benchmarks/detector_pooling.py [--data DIR] [--C 0.01 0.05]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from reason_rows import clip_embeddings
from sklearn.linear_model import LogisticRegression

from babycry.data import default_data_dir, grouped_folds, load_task
from babycry.training.cache import build_cache
from babycry.training.recipes import recipe_for

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "detector_pooling.json"


def category_weights(cats: np.ndarray) -> np.ndarray:
    """Cries weigh 1 each; each not-cry category the same total, all of them together as much as the cries."""
    w = np.ones(cats.size)
    for c in set(cats.tolist()) - {"cry"}:
        w[cats == c] = 1.0 / (cats == c).sum()
    neg = cats != "cry"
    w[neg] *= (~neg).sum() / w[neg].sum()
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--C", type=float, nargs="+", default=[0.01, 0.05])
    args = parser.parse_args()
    data = load_task(args.data, task="detector")
    recipe = recipe_for("detector").replace(progress=False)
    cache = build_cache(data, recipe=recipe)
    n = len(data)
    both = clip_embeddings(cache, n, with_max=True)  # the clips' clean-window mean, then max
    mean = both[:, : both.shape[1] // 2]
    y, cats = data.y, data.table["category"].to_numpy().astype(str)
    folds = grouped_folds(y, data.groups, n_splits=recipe.cv.folds, seed=recipe.seed)
    results = []
    for name, x in (("mean", mean), ("mean+max", both)):
        for c in args.C:
            p = np.zeros(n)
            for train, test in folds:
                mu, sd = x[train].mean(0), x[train].std(0) + 1e-8
                head = LogisticRegression(C=c, max_iter=3000).fit((x[train] - mu) / sd, y[train],
                                                                  sample_weight=category_weights(cats[train]))
                p[test] = head.predict_proba((x[test] - mu) / sd)[:, 1]
            right = (p >= 0.5) == (y == 1)
            row = {"pooling": name, "C": c,
                   "balanced_accuracy": round(float(0.5 * (right[y == 1].mean() + right[y == 0].mean())), 4),
                   **{k: round(float(right[cats == k].mean()), 3) for k in sorted(set(cats))}}
            results.append(row)
            print(json.dumps(row), flush=True)
    OUT.write_text(json.dumps({"data": Path(args.data).name, "clips": n, "rows": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
