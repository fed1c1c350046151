"""Probe (issue 19, not kept): the encoder's first block summarised (64 maps: max, mean and standard deviation over
time of their mean over frequency) and the input log-mel's per-band mean and standard deviation, beside the
shipped 2,176-d window embedding.

One window-cache build with the wider embedding (same windows, same code path: its first 2,176 numbers must equal
the bundled recipe's cache), then grouped 5-fold CV (seed 0) of the shipped recording head per variant, P(cry) at
0.5 uncalibrated, and laughter left out of fold 0's training side (scored: all laughter, fold 0's cries).
~15 min to cache, ~6 min of fits on the 2-core machine.

    python benchmarks/detector_block1_probe.py [--data DIR] [--out JSON]
"""

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import babycry.training.cache as C
from babycry.data import default_data_dir, grouped_folds, load_task
from babycry.training.cache import FeatureCache, build_cache
from babycry.training.fit import _recording_items, pool_clips, training_rows
from babycry.training.recipes import recipe_for

logging.basicConfig(level=logging.INFO)
D = 2176 + 192 + 112


def _embed(windows, *, batch_size=32):
    model = C.WORKER["encoder"]
    enc = model.encoder
    out = [np.zeros((0, D), np.float32)]
    with torch.inference_mode():
        for i in range(0, len(windows), batch_size):
            feats = C.WORKER["extractor"](np.stack(windows[i : i + batch_size]), return_tensors="pt")["input_values"]
            base = model.embed(feats.to(model.dtype)).float()
            x = feats.to(model.dtype).unsqueeze(1).contiguous(memory_format=torch.channels_last)
            x = enc.conv_block1(x, (2, 2))
            m = x.float().mean(dim=3)
            b1 = torch.cat([m.amax(dim=2), m.mean(dim=2), m.std(dim=2)], 1)
            f = feats.float()  # (n, frames, bands)
            lm = torch.cat([f.mean(dim=1), f.std(dim=1)], 1)
            out.append(torch.cat([base, b1, lm], 1).numpy())
    return np.concatenate(out)


parser = argparse.ArgumentParser()
parser.add_argument("--data", default=str(default_data_dir()))
parser.add_argument("--out", default="benchmarks/results/detector_block1_probe.json")
args = parser.parse_args()
data = load_task(args.data, task="detector")
recipe = recipe_for("detector")
ref = build_cache(data, recipe=recipe)
print("ref", ref.features.shape, ref.path, flush=True)
C._embed_windows = _embed
t = time.time()
cache1 = build_cache(data, recipe=recipe, cache_root="artifacts/cache-block1-probe")
print("cache1", cache1.features.shape, round(time.time() - t), "s", flush=True)
assert (cache1.index[["clip", "kind", "y"]].to_numpy() == ref.index[["clip", "kind", "y"]].to_numpy()).all()
chk = np.random.default_rng(0).choice(len(ref.features), 300, replace=False)
print(
    "parity first 2176: max diff",
    float(np.abs(np.asarray(cache1.features[chk, :2176]) - np.asarray(ref.features[chk])).max()),
    flush=True,
)
cats = data.table["category"].to_numpy().astype(str)
y = data.y
folds = grouped_folds(y, data.groups, n_splits=5, seed=0)
F = np.asarray(cache1.features)
variants = {
    "shipped": F[:, :2176],
    "+block1": F[:, :2368],
    "+logmel": np.concatenate([F[:, :2176], F[:, 2368:]], 1),
    "+both": F,
}


def fit_predict(feats, train_rows, score_clips):
    cache = FeatureCache(features=feats, index=ref.index, path=None)
    x, yy, w = _recording_items(cache, train_rows, recipe=recipe)
    w = w * w.size / w.sum()
    mean = np.average(x, axis=0, weights=w)
    sc = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    sc = np.where(sc > 1e-8, sc, 1)
    head = LogisticRegression(C=0.01, max_iter=5000).fit((x - mean) / sc, yy, sample_weight=w)
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
    # leave laughter out: fold 0's training side without any laughter clip, scoring all laughter + fold 0's cries
    train, test = folds[0]
    laugh = np.flatnonzero(cats == "laugh")
    tr = np.setdiff1d(train, laugh)
    excl = set(data.groups[test].tolist()) | set(data.groups[laugh].tolist())
    rows = training_rows(ref.index, train_clips=tr, exclude_groups=excl)
    score = np.union1d(laugh, test[cats[test] == "cry"])
    order, p = fit_predict(feats, rows, score)
    r["loco_laugh"] = round(float((p[cats[order] == "laugh"] < 0.5).mean()), 3)
    r["loco_cries"] = round(float((p[cats[order] == "cry"] >= 0.5).mean()), 3)
    print(name, json.dumps(r), round(time.time() - t), "s", flush=True)
    results[name] = r
Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
