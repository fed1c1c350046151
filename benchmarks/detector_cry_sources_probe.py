"""Probe (not kept): cries of sources other than Donate-a-Cry as their own stratum in the detector head's weights.

The bundled detector finds Donate-a-Cry's cries (457 clips) far more often than the few cries of other recordings
(giulbia 68 clips / 3 groups, ESC-50 19 / 11): do they gain when weighted up inside the cry class? Each variant:
grouped 5-fold CV (seed 0) of the bundled recipe on the existing window cache, cry rows of other sources relabelled
``cry_other`` with the given stratum weight (1.0: half the cry weight). Prints per-category recall at uncalibrated
P(cry) 0.5, cries per source, ROC AUC, and each not-cry category rejected where 92% of cries are found.

    python benchmarks/detector_cry_sources_probe.py [--data DIR]   # ~1 min per variant once the cache exists
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from babycry.calibration import softmax
from babycry.data import default_data_dir, load_task
from babycry.training.cache import build_cache
from babycry.training.cv import cross_validate
from babycry.training.recipes import recipe_for

VARIANTS = {"bundled": None, "other x0.5": 0.5, "other x1": 1.0, "other x2": 2.0}


def _scores(p: np.ndarray, y: np.ndarray, cats: np.ndarray, src: np.ndarray) -> dict:
    right = (p >= 0.5) == (y == 1)
    out = {"roc_auc": round(float(roc_auc_score(y, p)), 4),
           "balanced_accuracy": round(0.5 * float(right[y == 1].mean() + right[y == 0].mean()), 3)}
    out.update({c: round(float(right[cats == c].mean()), 3) for c in sorted(set(cats.tolist()))})
    out.update({f"cries {s}": round(float(right[(y == 1) & (src == s)].mean()), 3)
                for s in sorted(set(src[y == 1].tolist()))})
    edge = np.quantile(p[y == 1], 0.08)
    out.update({f"{c} at 92% of cries": round(float((p[cats == c] < edge).mean()), 3)
                for c in ("laugh", "adult_laugh", "noise")})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--out", default="benchmarks/results/detector_cry_sources_probe.json")
    args = parser.parse_args()
    data = load_task(args.data, task="detector")
    recipe = recipe_for("detector").replace(progress=False)
    cache = build_cache(data, recipe=recipe)
    src = data.table["source"].astype(str).to_numpy()
    cats = data.table["category"].astype(str).to_numpy()
    clip_source = dict(enumerate(src))
    base = cache.index.copy()
    other = ((base["y"] == 1) & (base["stratum"] == "cry")
             & base["clip"].map(lambda c: clip_source.get(int(c), "donateacry") != "donateacry"))
    rows = []
    for name, weight in VARIANTS.items():
        cache.index, variant = base, recipe
        if weight is not None:
            cache.index = base.copy()
            cache.index.loc[other, "stratum"] = "cry_other"
            variant = recipe.replace(**{"fit.stratum_weights": {**recipe.fit.stratum_weights, "cry_other": weight}})
        result = cross_validate(data, cache, recipe=variant, folds=5, seeds=1)
        rows.append({"variant": name, "cry_other_weight": weight,
                     **_scores(softmax(result.logits[0])[:, 1], data.y, cats, src)})
        print(json.dumps(rows[-1]), flush=True)
    Path(args.out).write_text(json.dumps({"relabelled_cry_rows": int(other.sum()), "rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
