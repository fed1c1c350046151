"""Probe (issue 19): does projecting out the directions along which recordings differ within a class (nuisance
attribute projection) help the detector's head find cries of a source it never heard?

Clips: every cry, baby laugh, adult laugh, ESC-50 noise clip and household background; per clip the mean and max
of the bundled recipe's cached clean-window embeddings (the frozen aiSFX encoder). Per training side: standardise,
then take the top ``k`` right singular vectors of the class-wise recording (group) or source means around their
class mean (each weighted by the square root of its clips) and remove them from every clip; then the
category-balanced logistic regression (C = 0.01). Grouped 5-fold CV (seed 0): baby laughter etc. rejected where 92%
of cries are found; and each source left out whole (right at the threshold that finds 92% of the fold's other
cries), the directions estimated without it.

    python benchmarks/detector_nap_probe.py [--data DIR]

Writes benchmarks/results/detector_nap_probe.json (~3 minutes, the window cache built).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import StandardScaler

from babycry.data import default_data_dir, load_task
from babycry.training.cache import build_cache
from babycry.training.fit import pool_clips
from babycry.training.recipes import recipe_for

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("laugh", "adult_laugh", "noise", "background")
VARIANTS = (("none", 0), ("group", 2), ("group", 8), ("group", 32), ("source", 2), ("source", 4))


def category_weights(y: np.ndarray, cat: np.ndarray) -> np.ndarray:
    """Cries half the weight, each not-cry category an equal share of the other half."""
    w = np.zeros(len(y))
    w[y == 1] = 0.5 / max(1, (y == 1).sum())
    negatives = sorted(set(cat[y == 0]))
    for c in negatives:
        k = (y == 0) & (cat == c)
        w[k] = 0.5 / len(negatives) / k.sum()
    return w * len(y)


def nuisance(z: np.ndarray, y: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """The top ``k`` directions of the recordings' (or sources') mean offsets from their class mean."""
    if k == 0:
        return np.zeros((z.shape[1], 0))
    rows = []
    for c in (0, 1):
        m = y == c
        mu = z[m].mean(0)
        for g in np.unique(key[m]):
            mg = m & (key == g)
            rows.append(np.sqrt(mg.sum()) * (z[mg].mean(0) - mu))
    return np.linalg.svd(np.array(rows), full_matrices=False)[2][:k].T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_nap_probe.json"))
    args = parser.parse_args()
    data = load_task(args.data, task="detector", min_clips=4)
    cache = build_cache(data, recipe=recipe_for("detector"))
    cat = data.table["category"].astype(str).to_numpy()
    keep = np.flatnonzero((data.y == 1) | np.isin(cat, CATEGORIES))
    clean = cache.index["kind"].to_numpy() == "clean"
    ids, x = pool_clips(cache.features[clean], cache.index["clip"].to_numpy()[clean])
    x = x[np.searchsorted(ids, keep)]
    y, cat, groups = data.y[keep], cat[keep], data.groups[keep].astype(str)
    source = data.table["source"].astype(str).to_numpy()[keep]
    folds = list(StratifiedGroupKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y, groups))
    held_out = {"ESC-50 cries": (source == "esc") & (y == 1), "Donate-a-Cry cries": (source == "donateacry") & (y == 1),
                "giulbia cries": (source == "giulbia") & (y == 1),
                "AudioSet baby laughter": (source == "audioset") & (cat == "laugh"),
                "the home laughter recording": (source == "giulbia") & (cat == "laugh")}
    rows = []
    for mode, k in VARIANTS:
        key = groups if mode == "group" else source

        def fit_score(train: np.ndarray, test: np.ndarray, key: np.ndarray = key, k: int = k) -> np.ndarray:
            scaler = StandardScaler().fit(x[train])
            zt, ze = scaler.transform(x[train]), scaler.transform(x[test])
            v = nuisance(zt, y[train], key[train], k)
            zt, ze = zt - zt @ v @ v.T, ze - ze @ v @ v.T
            clf = LogisticRegression(C=0.01, max_iter=5000)
            clf.fit(zt, y[train], sample_weight=category_weights(y[train], cat[train]))
            return clf.decision_function(ze)

        score = np.zeros(len(y))
        for train, test in folds:
            score[test] = fit_score(train, test)
        threshold = np.quantile(score[y == 1], 0.08)
        m = (y == 1) | (cat == "laugh")
        row = {"projected_out": f"{k} directions of the {mode} means" if k else "nothing (reference)",
               "roc_auc_cries_vs_laughter": round(float(roc_auc_score(y[m], score[m])), 4),
               "rejected_at_92pct_cries": {c: round(float((score[cat == c] < threshold).mean()), 3)
                                           for c in CATEGORIES},
               "left_out_right_at_92pct": {}}
        for name, mask in held_out.items():
            right = []
            for train, test in folds:
                held = np.flatnonzero(mask)
                tr, te = np.setdiff1d(train, held), np.union1d(np.setdiff1d(test, held), held)
                s, h = fit_score(tr, te), mask[te]
                t92 = np.quantile(s[(y[te] == 1) & ~h], 0.08)
                right.extend((s[h] >= t92) if y[te][h][0] else (s[h] < t92))
            row["left_out_right_at_92pct"][name] = round(float(np.mean(right)), 3)
        rows.append(row)
        print(json.dumps(row), flush=True)
    Path(args.out).write_text(json.dumps({"folds": "StratifiedGroupKFold(5, shuffle, seed 0)", "rows": rows},
                                         indent=2) + "\n")


if __name__ == "__main__":
    main()
