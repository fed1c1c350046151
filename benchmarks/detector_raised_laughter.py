"""Probe: adult laughter raised to a baby's pitch as extra not-cry windows of the detector's head.

Laughter left out of training (leave-one-category-out, the first grouped fold) is called a cry a third of the
time: the cry-cut bursts and synthetic laughs teach the head little about real laughter. The 42 adult belly
laughs, pitch-shifted up and sped up a little, are the nearest real laughter a model without baby laughter could
hear. Their windows are embedded by the bundled recipe's int8 encoder and appended to its window cache; heads are
fitted as ``babycry cv`` fits them (``fold_plan``), with and without them.

    python benchmarks/detector_raised_laughter.py --copies 6 --semitones 3 12 --weights 1 3
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from babycry.augment import NoiseBank, random_crop
from babycry.calibration import softmax
from babycry.data import default_data_dir, load_task
from babycry.modeling.windows import fit_window
from babycry.preprocess import band_limit
from babycry.training import cache as cache_module
from babycry.training.cache import FeatureCache, build_cache, clean_windows
from babycry.training.cv import fold_plan
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import Use, recipe_for
from babycry.training.windows import _noisy, _voice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--semitones", type=float, nargs=2, default=(3.0, 12.0))
    parser.add_argument("--weights", type=float, nargs="+", default=(1.0, 3.0))
    args = parser.parse_args()
    t0 = time.time()
    data = load_task(args.data, task="detector")
    recipe = recipe_for("detector").replace(progress=False)
    cache = build_cache(data, recipe=recipe)
    table, y, groups = data.table, data.y, data.groups.astype(str)
    category = table["category"].to_numpy().astype(str)
    noise_rows = table[table["category"] == "noise"]
    noise = NoiseBank.from_files(noise_rows["path"].tolist(), noise_rows["group"].astype(str).tolist(),
                                 config=recipe.audio)
    cache_module._init_cache_worker(recipe, noise, cache.encoder_graph)
    sr, length = recipe.audio.sample_rate, int(round(recipe.window.window_seconds * recipe.audio.sample_rate))
    pitch = Use("pitch_shift", 1.0, {"semitones": tuple(args.semitones)})
    stretch = Use("time_stretch", 0.5, {"rate": (1.0, 1.25)})
    proxy_noise = Use("background_noise", 0.4, {"snr_db": (5.0, 30.0)})
    windows, rows = [], []
    for clip in np.flatnonzero(category == "adult_laugh"):
        rng = np.random.default_rng([99, int(clip)])
        np.random.seed(99 * 1_000_003 + int(clip))  # audiomentations draws from the global generators
        random.seed(99 * 1_000_003 + int(clip))
        x, _ = clean_windows(table["path"].iloc[clip], recipe=recipe)
        for _ in range(args.copies):
            seg = random_crop(x, rng, sample_rate=sr, window_s=recipe.window.window_seconds * 1.2)
            seg = _voice(seg, rng, sample_rate=sr, pitch=pitch, stretch=stretch)
            seg, group = _noisy(proxy_noise, seg, rng, noise, sample_rate=sr)
            seg = band_limit(seg, sample_rate=sr, cutoff_hz=recipe.audio.band_limit_hz)
            windows.append(fit_window(seg[:length], length=length, target_rms_dbfs=recipe.audio.target_rms_dbfs))
            rows.append(dict(clip=int(clip), y=0, kind="laugh_high", stratum="laugh_high", noise_group=group,
                             group=""))
    raised = FeatureCache(features=np.concatenate([np.asarray(cache.features), cache_module._embed_windows(windows)]),
                          index=pd.concat([cache.index, pd.DataFrame(rows)], ignore_index=True))
    print(f"{len(windows)} raised adult-laugh windows embedded ({time.time() - t0:.0f} s)", flush=True)
    variants = {"bundled recipe": (cache, recipe)}
    for w in args.weights:
        weights = {**recipe.fit.stratum_weights, "laugh_high": w}
        variants[f"+ raised adult laughs, weight {w:g}"] = (raised, recipe.replace(**{"fit.stratum_weights": weights}))
    plan = fold_plan(data, recipe=recipe, folds=5, seeds=1)
    laugh = np.flatnonzero(category == "laugh")
    first = plan[0]
    for name, (c, r) in variants.items():
        model = fit(c, recipe=r, train_clips=np.setdiff1d(first.train, laugh), seed=first.seed,
                    exclude_groups=first.exclude_groups | set(groups[laugh]))
        p_laugh = softmax(clip_logits(model, c, laugh))[:, 1]
        cries = first.test[y[first.test] == 1]
        p_cries = softmax(clip_logits(model, c, cries))[:, 1]
        per_family = pd.Series(p_laugh < 0.5).groupby(groups[laugh]).mean().mean()
        print(f"{name}: laughter left out rejected {np.mean(p_laugh < 0.5):.3f} (per family {per_family:.3f}); "
              f"the fold's cries found {np.mean(p_cries >= 0.5):.3f}", flush=True)
        p = np.full(len(y), np.nan)
        for fold in plan:
            model = fit(c, recipe=r, train_clips=fold.train, seed=fold.seed, exclude_groups=fold.exclude_groups)
            p[fold.test] = softmax(clip_logits(model, c, fold.test))[:, 1]
        right = (p >= 0.5) == (y == 1)
        recall = {str(k): round(float(right[category == k].mean()), 3) for k in sorted(set(category))}
        balanced = 0.5 * (right[y == 1].mean() + right[y == 0].mean())
        print(f"{name}: grouped 5-fold (seed 0) balanced accuracy {balanced:.4f}, ROC AUC "
              f"{roc_auc_score(y, p):.4f}, recall {recall} ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
