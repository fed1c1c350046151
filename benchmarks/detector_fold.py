"""Training-set and held-out accuracy per category of sound, for detector recipes, on one grouped fold.

Fits the bundled detector recipe (and each ``--try NAME=JSON`` variant: dotted recipe overrides) on the training
side of the first grouped fold (seed 0, the recipe's 5 folds) and prints, per category, the share of clips it gets
right (uncalibrated P(cry) at the 0.5 threshold) on 1,500 of its own training clips and on the held-out fold, with
balanced accuracy and ROC AUC. A category it gets wrong on its own training clips is one it cannot fit; one it gets
wrong only when held out is one it does not generalise to. One fit per variant: minutes once the window cache
(``artifacts/cache``) exists, and the variants share it as long as they change no window setting.

    python benchmarks/detector_fold.py [--data DIR] [--family ast|sfx] [--try 'strata={"fit.epochs": 24, ...}']
"""

from __future__ import annotations

import argparse
import json
import logging

import numpy as np
from sklearn.metrics import roc_auc_score

from babycry.calibration import softmax
from babycry.config import CRY_THRESHOLD
from babycry.data import default_data_dir, grouped_folds, load_task
from babycry.training.cache import build_cache
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import recipe_for


def _scores(p: np.ndarray, y: np.ndarray, cats: np.ndarray) -> dict[str, float]:
    right = (p >= CRY_THRESHOLD) == (y == 1)
    ba = 0.5 * (right[y == 1].mean() + right[y == 0].mean())
    return {"balanced_accuracy": round(float(ba), 3), "roc_auc": round(float(roc_auc_score(y, p)), 4),
            **{c: round(float(right[cats == c].mean()), 3) for c in sorted(set(cats.tolist()))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--try", dest="variants", action="append", default=[], metavar="NAME=JSON",
                        help="a recipe variant: a name and a JSON object of (dotted) recipe overrides")
    parser.add_argument("--family", choices=["ast", "sfx"], default=None, help="model family (default: the bundled)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    variants = {"bundled": {}}
    for item in args.variants:
        name, _, overrides = item.partition("=")
        variants[name] = json.loads(overrides)
    data = load_task(args.data, task="detector")
    base = recipe_for("detector", family=args.family).replace(progress=False)
    cats = data.table["category"].to_numpy().astype(str)
    train, test = grouped_folds(data.y, data.groups, n_splits=base.cv.folds, seed=base.seed)[0]
    own = np.sort(np.random.default_rng(0).choice(train, size=min(1500, train.size), replace=False))
    for name, overrides in variants.items():
        recipe = base.replace(**overrides)
        variant_cache = build_cache(data, recipe=recipe)
        model = fit(variant_cache, recipe=recipe, train_clips=train, exclude_groups=set(data.groups[test].tolist()),
                    seed=base.seed)
        row = {"variant": name, "overrides": overrides}
        for split, clips in (("own training clips", own), ("held-out fold", test)):
            p = softmax(clip_logits(model, variant_cache, clips), axis=-1)[:, 1]
            row[split] = _scores(p, data.y[clips], cats[clips])
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
