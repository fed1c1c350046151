"""Does the detector fit the clips it trains on?  Training-set accuracy per category, against held-out.

Trains the bundled detector's configuration (seed 0) on every clip, then scores the same clips' clean windows
with the uncalibrated model (threshold 0.5). A category it gets wrong here is one it cannot fit, not one it
fails to generalise to. It then does the same for a configuration that fits harder, whose held-out figures come
from ``babycry cv --task detector --seeds 1`` with the same ``--set`` overrides (printed below): for the
sound-effects CNN's logistic-regression head a hundred times weaker L2 penalty; for the compact AST three times
the optimiser steps, a higher learning rate, no dropout and less weight decay.

Uses the detector's window cache (``artifacts/cache``): about 1-3 minutes when the cache is warm, 10-20 without.
Writes ``benchmarks/results/detector_fit.json``.

    python benchmarks/detector_fit.py [--data DIR] [--family ast|sfx] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from babycry.calibration import softmax
from babycry.config import labels_for_task
from babycry.data import default_data_dir, load_task
from babycry.modeling.config import SfxModelConfig
from babycry.training.cache import build_cache
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import recipe_for

ROOT = Path(__file__).resolve().parents[1]

#: The "fits harder" configuration of each model family, as ``--set`` overrides of its recipe.
HARDER = {
    "sfx": {"model.head_l2": 1.0},
    "ast": {"fit.epochs": 24, "fit.learning_rate": 0.002, "fit.weight_decay": 0.01,
            "model": {"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--family", choices=sorted(HARDER), default=None, help="model family (default: the bundled)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_fit.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    data = load_task(args.data, task="detector")
    categories = data.table["category"].to_numpy()
    shipped = recipe_for("detector", family=args.family).replace(progress=False)
    harder = HARDER["sfx" if isinstance(shipped.model, SfxModelConfig) else "ast"]
    # both configurations share one window cache: the overrides change only the optimisation and the model
    cache = build_cache(data, recipe=shipped, cache_root=ROOT / "artifacts" / "cache")
    names = sorted(set(categories))
    cry_id = labels_for_task("detector").index("cry")
    print("training-set accuracy (every clip trained on, then scored; uncalibrated, threshold 0.5)")
    print(f"{'configuration':<13} " + " ".join(f"{c:>8}" for c in names))
    result = {"threshold": 0.5, "clips": {c: int((categories == c).sum()) for c in names}, "training_set_accuracy": {}}
    for label, config in (("bundled", shipped), ("harder", shipped.replace(**harder))):
        model = fit(cache, recipe=config)
        cry = softmax(clip_logits(model, cache, np.arange(len(data))), axis=-1)[:, cry_id]
        right = (cry > 0.5) == (data.y == cry_id)
        accuracy = {c: float(right[categories == c].mean()) for c in names}
        result["training_set_accuracy"][label] = {c: round(a, 4) for c, a in accuracy.items()}
        print(f"{label:<13} " + " ".join(f"{a:8.3f}" for a in accuracy.values()))
    sets = " ".join(f"--set '{k}={json.dumps(v)}'" if isinstance(v, dict) else f"--set {k}={v}"
                    for k, v in harder.items())
    result["harder"] = harder
    result["harder_held_out"] = f"babycry cv --task detector --seeds 1 {sets}"
    print(f"held-out figures of 'harder': {result['harder_held_out']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
