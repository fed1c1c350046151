"""Probe (issue 19, removed in the next commit): baby laughter played backwards as extra not-cry windows.

`make bench-probe` found that a model that never heard laughter calls laughter played backwards a cry almost
twice as often as laughter as recorded (0.425 against 0.238): reversed, a laugh's sharp onsets and fading tails
become swells like a cry's. Would the reversed laughs, as not-cry windows of their own stratum, teach the head
more of what sets laughter apart? Each laughter clip's reversed clean windows are embedded by the checkpoint's
int8 graph (the one its window cache holds) and appended to that cache under their laughter clip, so a fold
trains on them only where it trains on the clip; heads are fitted as ``babycry cv`` fits them, with and without.

Scored (uncalibrated P(cry) at 0.5): grouped 5-fold CV, seed 0 (``fold_plan``); laughter left out of training
(leave-one-category-out's fold-0 model, ``holdout_plan``); AudioSet's laughter left out whole (its 5 fold models).

    python benchmarks/detector_reversed_laughter_probe.py [--weights 1 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from babycry.calibration import softmax
from babycry.data import default_data_dir, load_task
from babycry.modeling import DEFAULT_DETECTOR_DIR, frame_windows, load_detector
from babycry.training.cache import FeatureCache, build_cache, checkpoint_int8_graph, clean_windows
from babycry.training.cv import category_sets, fold_plan, holdout_plan
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import checkpoint_recipe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--weights", type=float, nargs="+", default=(1.0, 3.0))
    args = parser.parse_args()
    t0 = time.time()
    data = load_task(args.data, task="detector")
    recipe = checkpoint_recipe(args.model).replace(progress=False)
    cache = build_cache(data, recipe=recipe, int8_graph=checkpoint_int8_graph(args.model))
    detector = load_detector(args.model)
    table, y = data.table, data.y
    category = table["category"].to_numpy().astype(str)
    source = table["source"].to_numpy().astype(str)
    laugh = np.flatnonzero(category == "laugh")
    sr = recipe.audio.sample_rate
    embeddings, rows = [], []
    for clip in laugh:
        x, _ = clean_windows(table["path"].iloc[clip], recipe=recipe)
        windows, _ = frame_windows(x[::-1].copy(), sample_rate=sr, window=recipe.window, audio_config=recipe.audio,
                                   band_limited=True)
        embeddings.append(detector.outputs_of(windows))
        rows += [dict(clip=int(clip), y=0, kind="laugh_reversed", stratum="laugh_reversed", noise_group="",
                      group="")] * len(windows)
    added = np.concatenate(embeddings).astype(np.asarray(cache.features).dtype)
    reversed_cache = FeatureCache(features=np.concatenate([np.asarray(cache.features), added]),
                                  index=pd.concat([cache.index, pd.DataFrame(rows)], ignore_index=True))
    print(f"{len(rows)} reversed laughter windows embedded ({time.time() - t0:.0f} s)", flush=True)
    variants = {"bundled recipe": (cache, recipe)}
    for w in args.weights:
        weights = {**recipe.fit.stratum_weights, "laugh_reversed": w}
        variants[f"+ reversed laughter, weight {w:g}"] = (reversed_cache,
                                                          recipe.replace(**{"fit.stratum_weights": weights}))
    plan = fold_plan(data, recipe=recipe, folds=5, seeds=1)
    _, loco = next((n, f) for n, f in holdout_plan(data, recipe=recipe, held_out=category_sets(data)) if n == "laugh")
    audioset = laugh[source[laugh] == "audioset"]
    loso = [f for _, f in holdout_plan(data, recipe=recipe, held_out={"audioset laughter": audioset},
                                       folds=range(5))]
    for name, (c, r) in variants.items():
        p = np.full(len(y), np.nan)
        for fold in plan:
            model = fit(c, recipe=r, train_clips=fold.train, seed=fold.seed, exclude_groups=fold.exclude_groups)
            p[fold.test] = softmax(clip_logits(model, c, fold.test))[:, 1]
        right = (p >= 0.5) == (y == 1)
        recall = {k: round(float(right[category == k].mean()), 3) for k in sorted(set(category))}
        home = round(float(right[laugh[source[laugh] == "giulbia"]].mean()), 3)
        balanced = 0.5 * (right[y == 1].mean() + right[y == 0].mean())
        model = fit(c, recipe=r, train_clips=loco.train, seed=loco.seed, exclude_groups=loco.exclude_groups)
        p_loco = softmax(clip_logits(model, c, loco.test))[:, 1]
        held = np.isin(loco.test, laugh)
        out = []
        for fold in loso:
            model = fit(c, recipe=r, train_clips=fold.train, seed=fold.seed, exclude_groups=fold.exclude_groups)
            out.append(softmax(clip_logits(model, c, audioset))[:, 1] < 0.5)
        print(f"{name}: grouped 5-fold (seed 0) balanced accuracy {balanced:.4f}, ROC AUC {roc_auc_score(y, p):.4f}, "
              f"recall {recall}, the home laughter recording {home}; laughter left out rejected "
              f"{np.mean(p_loco[held] < 0.5):.3f} (the fold's cries found {np.mean(p_loco[~held] >= 0.5):.3f}); "
              f"AudioSet laughter left out whole rejected {np.mean(out):.3f} ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
