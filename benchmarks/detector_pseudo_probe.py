"""Probe (issue 19): Donate-a-Cry's unreviewed raw uploads, pseudo-labelled as cries by each fold's own detector.

The 237 raw uploads (tags unknown, lonely, scared, cold/hot; ``is_cry`` empty) come from the same kind of phones
and homes as the cleaned cries, 65 of their 138 families from no labelled clip. Per grouped fold of ``babycry cv``
(same folds, seeds and excluded families): fit the bundled recipe's head, score the uploads of the families the
fold may hear, add those with an uncalibrated cry logit >= tau to the training cries (pooled clean clips, stratum
``cry``), refit, score the test side. P(cry) at 0.5 (logit 0), recall per category. Uses the bundled recipe's
window cache (``make train-detector`` builds it). Writes ``benchmarks/results/detector_pseudo_probe.json``.

    python benchmarks/detector_pseudo_probe.py [--data DIR] [--seeds 3] [--tau 1 3]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from babycry.augment import NoiseBank
from babycry.data import default_data_dir, load_task, read_manifest, with_absolute_paths
from babycry.training.cache import (  # the cache's own encoder, to embed the uploads as it embeds every clip
    FeatureCache,
    _embed_windows,
    _init_cache_worker,
    build_cache,
    clean_windows,
)
from babycry.training.cv import fold_plan
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import recipe_for

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "detector_pseudo_probe.json"
CATEGORIES = ("cry", "laugh", "adult_laugh", "noise", "background", "cough", "speech")


def summary(s: np.ndarray, y: np.ndarray, cats: np.ndarray) -> dict:
    rows = []
    for ss in s:  # one row per seed, then their mean
        right = (ss >= 0) == (y == 1)
        at96 = ss >= np.quantile(ss[y == 1], 0.04)
        rows.append({"balanced_accuracy": 0.5 * (right[y == 1].mean() + right[y == 0].mean()),
                     "roc_auc": roc_auc_score(y, ss), **{c: right[cats == c].mean() for c in CATEGORIES},
                     "laugh_at_96pct_cries": (~at96[cats == "laugh"]).mean()})
    return {k: round(float(v), 4) for k, v in pd.DataFrame(rows).mean().items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tau", type=float, nargs="+", default=[1.0, 3.0])
    args = parser.parse_args()
    data = load_task(args.data, task="detector")
    recipe = recipe_for("detector").replace(progress=False)
    cache = build_cache(data, recipe=recipe)
    first = int(cache.index["clip"].max()) + 1  # the uploads' clip ids: after every clip the cache holds
    manifest = read_manifest(data.root)
    raw = with_absolute_paths(manifest[manifest["source"] == "donateacry_raw"], data.root).reset_index(drop=True)
    _init_cache_worker(recipe, NoiseBank(), cache.encoder_graph)
    feats, clip_ids = [], []
    for j, path in enumerate(raw["path"]):
        _, windows = clean_windows(path, recipe=recipe)
        if len(windows):
            feats.append(_embed_windows(list(windows)))
            clip_ids += [first + j] * len(windows)
    clip_ids = np.array(clip_ids)
    raw_groups = raw["group"].astype(str).to_numpy()
    features = np.concatenate([np.asarray(cache.features), np.concatenate(feats).astype(np.float32)])
    index = pd.concat([cache.index, pd.DataFrame({
        "clip": clip_ids, "y": 0, "kind": "clean", "stratum": "cry", "noise_group": "",
        "group": raw_groups[clip_ids - first]})], ignore_index=True)
    raw_clips = np.unique(clip_ids)

    y, cats = data.y, data.table["category"].to_numpy().astype(str)
    plan = fold_plan(data, recipe=recipe, folds=recipe.cv.folds, seeds=args.seeds)
    scores = {"bundled": np.zeros((args.seeds, len(data)))} | {t: np.zeros((args.seeds, len(data))) for t in args.tau}
    added = {t: [] for t in args.tau}
    for f in plan:
        cache_f = FeatureCache(features=features, index=index, encoder_graph=cache.encoder_graph)
        model = fit(cache_f, recipe=recipe, train_clips=f.train, seed=f.seed, exclude_groups=f.exclude_groups)
        logits = clip_logits(model, cache_f, f.test)
        scores["bundled"][f.seed_index, f.test] = logits[:, 1] - logits[:, 0]
        heard = raw_clips[~np.isin(raw_groups[raw_clips - first], list(f.exclude_groups))]
        raw_logits = clip_logits(model, cache_f, heard)
        for t in args.tau:
            chosen = heard[raw_logits[:, 1] - raw_logits[:, 0] >= t]
            added[t].append(int(chosen.size))
            labelled = index.copy()
            labelled.loc[labelled["clip"].isin(set(chosen.tolist())), "y"] = 1
            cache_t = FeatureCache(features=features, index=labelled, encoder_graph=cache.encoder_graph)
            model_t = fit(cache_t, recipe=recipe, train_clips=np.concatenate([f.train, chosen]), seed=f.seed,
                          exclude_groups=f.exclude_groups)
            logits_t = clip_logits(model_t, cache_t, f.test)
            scores[t][f.seed_index, f.test] = logits_t[:, 1] - logits_t[:, 0]
    rows = [{"variant": "bundled recipe" if k == "bundled" else f"+ uploads with cry logit >= {k:g}",
             "uploads_added_per_fold": [int(np.min(added[k])), int(np.max(added[k]))] if k != "bundled" else None,
             **summary(s, y, cats)} for k, s in scores.items()]
    for row in rows:
        print(json.dumps(row))
    OUT.write_text(json.dumps({"data": Path(args.data).name, "uploads": len(raw), "seeds": args.seeds,
                               "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
