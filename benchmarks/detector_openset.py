"""An open-set rule for the detector, measured: "a cry only if it also lies near the cries it learned".

For the sound-effects CNN detector (its window cache must exist: ``make train-detector`` builds it), each clip's
embedding is the mean of its clean windows' pooled embeddings, standardised as the head sees them.  Per fold, the
reference is the training cries' clip embeddings; a clip's distance is the mean distance to its ``k`` nearest
reference cries; the threshold is the ``q``-quantile of the training cries' own distances to the cries of *other*
families (so a threshold never rests on a cry's own recording).  The rule: cry iff P(cry) ≥ 0.5 and distance ≤
threshold.  Measured both ways the issue asks:

* grouped 5-fold CV (the recipe's seed): recall per category, the classifier alone vs with the rule;
* leave-one-category-out (the recipe's first grouped fold, as ``babycry cv``): each not-cry category left out of
  training and scored, with the fold's held-out cries.

Prints a table and writes ``benchmarks/results/detector_openset.json``.  ~2 minutes with a warm cache.

    python benchmarks/detector_openset.py [--data DIR] [--k 1 5] [--q 0.9 0.95 0.98]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from reason_rows import clip_embeddings
from sklearn.neighbors import NearestNeighbors

from babycry.calibration import softmax
from babycry.data import default_data_dir, grouped_folds, load_task
from babycry.training.cache import build_cache
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import recipe_for

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "detector_openset.json"


class OpenSet:
    """Clip embeddings and the fold-wise distance-to-cries rule."""

    def __init__(self, data, cache, ks: list[int], qs: list[float]) -> None:
        self.emb = clip_embeddings(cache, len(data))
        self.has_clean = np.bincount(cache.index.loc[cache.index["kind"] == "clean", "clip"],
                                     minlength=len(data))[: len(data)] > 0
        self.groups, self.y, self.ks, self.qs = data.groups, data.y, ks, qs

    def fold(self, model, train: np.ndarray, test: np.ndarray) -> tuple[dict, dict]:
        """Distances of the test clips and the thresholds, per k (and q), from the training cries."""
        mean = model.embedding_mean.numpy().astype(np.float64)
        scale = model.embedding_scale.numpy().astype(np.float64)
        ref = train[(self.y[train] == 1) & self.has_clean[train]]
        z = (self.emb[ref] - mean) / scale
        nn = NearestNeighbors(n_neighbors=min(len(ref), max(self.ks) + 50)).fit(z)
        dist, nb = nn.kneighbors(z)
        other = self.groups[ref][nb] != self.groups[ref][:, None]  # neighbours from other families only
        thresholds = {}
        for k in self.ks:
            own = np.array([d[o][:k].mean() for d, o in zip(dist, other, strict=True)])
            thresholds[k] = {q: float(np.quantile(own, q)) for q in self.qs}
        d_test, _ = nn.kneighbors((self.emb[test] - mean) / scale, n_neighbors=max(self.ks))
        return {k: d_test[:, :k].mean(1) for k in self.ks}, thresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--k", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--q", type=float, nargs="+", default=[0.9, 0.95, 0.98])
    args = parser.parse_args()

    data = load_task(args.data, task="detector")
    recipe = recipe_for("detector").replace(progress=False)
    cache = build_cache(data, recipe=recipe)
    rule = OpenSet(data, cache, args.k, args.q)
    y, groups = data.y, data.groups
    cats = data.table["category"].to_numpy().astype(str)
    variants = ["classifier"] + [f"k={k} q={q}" for k in args.k for q in args.q]

    def decide(p: np.ndarray, d: dict, thr: dict) -> dict[str, np.ndarray]:
        out = {"classifier": p >= 0.5}
        for k in args.k:
            for q in args.q:
                out[f"k={k} q={q}"] = (p >= 0.5) & (d[k] <= thr[k][q])
        return out

    def run(train: np.ndarray, test: np.ndarray, exclude: set) -> dict[str, np.ndarray]:
        model = fit(cache, recipe=recipe, train_clips=train, exclude_groups=exclude)
        p = softmax(clip_logits(model, cache, test))[:, 1]
        return decide(p, *rule.fold(model, train, test))

    folds = grouped_folds(y, groups, n_splits=recipe.cv.folds, seed=recipe.seed)
    called = {v: np.zeros(len(y), dtype=bool) for v in variants}
    for train, test in folds:
        for v, c in run(train, test, set(groups[test].tolist())).items():
            called[v][test] = c
    grouped = {}
    for v in variants:
        right = called[v] == (y == 1)
        per = {c: round(float(right[cats == c].mean()), 3) for c in sorted(set(cats))}
        ba = 0.5 * (right[y == 1].mean() + right[y == 0].mean())
        grouped[v] = {"balanced_accuracy": round(float(ba), 4), **per}

    train0, test0 = folds[0]
    cries0 = test0[y[test0] == 1]
    loco = {}
    for cat in sorted(set(cats[y == 0])):
        held = np.flatnonzero(cats == cat)
        test = np.concatenate([held, cries0])
        res = run(np.setdiff1d(train0, held), test, set(groups[test0].tolist()) | set(groups[held].tolist()))
        is_held = np.arange(test.size) < held.size
        loco[cat] = {v: {"held_out_rejected": round(float((~c[is_held]).mean()), 3),
                         "cries": round(float(c[~is_held].mean()), 3)} for v, c in res.items()}

    print("grouped 5-fold CV, recall per category (P(cry) >= 0.5, with and without the distance rule)")
    names = sorted(set(cats))
    print(f"{'variant':<16} {'BA':>6} " + " ".join(f"{c[:11]:>11}" for c in names))
    for v in variants:
        print(f"{v:<16} {grouped[v]['balanced_accuracy']:>6.3f} " + " ".join(f"{grouped[v][c]:>11.3f}" for c in names))
    print("\nleave-one-category-out (fold 0): held-out category rejected / cries kept")
    print(f"{'variant':<16} " + " ".join(f"{c[:13]:>13}" for c in loco))
    for v in variants:
        print(f"{v:<16} " + " ".join(f"{loco[c][v]['held_out_rejected']:.3f}/{loco[c][v]['cries']:.3f}".rjust(13)
                                     for c in loco))
    OUT.write_text(json.dumps({"data": Path(args.data).name, "clips": int(len(y)), "grouped": grouped,
                               "leave_one_category_out": loco}, indent=1) + "\n")


if __name__ == "__main__":
    main()
