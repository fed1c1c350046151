"""Probe (issue 19, not kept): signed square root or signed log1p of the cached window embeddings before the
shipped recording head (power normalisation: pooled ReLU maps are skewed, which a linear read-out can suffer from).
Grouped 5-fold CV (seed 0) on the bundled recipe's window cache, P(cry) at 0.5 uncalibrated, and laughter left out
of fold 0's training side. ~4 min once the cache exists (~15 min to build it).

    python benchmarks/detector_power_norm_probe.py [--data DIR] [--out JSON]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from babycry.data import default_data_dir, grouped_folds, load_task
from babycry.training.cache import FeatureCache, build_cache
from babycry.training.fit import _recording_items, pool_clips, training_rows
from babycry.training.recipes import recipe_for

parser = argparse.ArgumentParser()
parser.add_argument("--data", default=str(default_data_dir()))
parser.add_argument("--out", default="benchmarks/results/detector_power_norm_probe.json")
args = parser.parse_args()
data = load_task(args.data, task="detector")
recipe = recipe_for("detector")
ref = build_cache(data, recipe=recipe)
print(ref.path, flush=True)
cats = data.table["category"].to_numpy().astype(str)
y = data.y
folds = grouped_folds(y, data.groups, n_splits=5, seed=0)
F = np.asarray(ref.features, dtype=np.float32)
variants = {
    "shipped": F,
    "signed_sqrt": np.sign(F) * np.sqrt(np.abs(F)),
    "signed_log1p": np.sign(F) * np.log1p(np.abs(F)),
}


def fit_predict(feats, train_rows, score_clips, C=0.01):
    cache = FeatureCache(features=feats, index=ref.index, path=None)
    x, yy, w = _recording_items(cache, train_rows, recipe=recipe)
    w = w * w.size / w.sum()
    mean = np.average(x, axis=0, weights=w)
    sc = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    sc = np.where(sc > 1e-8, sc, 1)
    head = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / sc, yy, sample_weight=w)
    idx = ref.index
    ch = idx[(idx["kind"] == "clean") & idx["clip"].isin(set(score_clips.tolist()))]
    order, pooled = pool_clips(feats[ch.index.to_numpy()], ch["clip"].to_numpy())
    return order, head.predict_proba((pooled - mean) / sc)[:, 1]


results = {}
for name, feats in variants.items():
    t = time.time()
    p_all = np.full(len(y), np.nan)
    for train, test in folds:
        rows = training_rows(ref.index, train_clips=train, exclude_groups=set(data.groups[test].tolist()))
        order, p = fit_predict(feats, rows, test)
        p_all[order] = p
    ok = ~np.isnan(p_all)
    p = p_all[ok]
    yy = y[ok]
    cc = cats[ok]
    right = (p >= 0.5) == (yy == 1)
    thr = np.quantile(p[yy == 1], 0.08)
    r = {
        "ba": round(0.5 * (right[yy == 1].mean() + right[yy == 0].mean()), 4),
        "auc": round(roc_auc_score(yy, p), 4),
        **{c: round(float(right[cc == c].mean()), 3) for c in sorted(set(cc))},
        "at92": {
            c: round(float((p[cc == c] < thr).mean()), 3) for c in ("laugh", "adult_laugh", "noise", "background")
        },
    }
    train, test = folds[0]
    laugh = np.flatnonzero(cats == "laugh")
    tr = np.setdiff1d(train, laugh)
    rows = training_rows(
        ref.index, train_clips=tr, exclude_groups=set(data.groups[test].tolist()) | set(data.groups[laugh].tolist())
    )
    order, p = fit_predict(feats, rows, np.union1d(laugh, test[cats[test] == "cry"]))
    r["loco_laugh"] = round(float((p[cats[order] == "laugh"] < 0.5).mean()), 3)
    r["loco_cries"] = round(float((p[cats[order] == "cry"] >= 0.5).mean()), 3)
    print(name, json.dumps(r), round(time.time() - t), "s", flush=True)
    results[name] = r
Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
