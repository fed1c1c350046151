"""What the detector hears in a sound it never trained on: probe a held-out category with transformations.

Trains the bundled detector's configuration (seed 0) on the grouped fold whose test side holds the probed
category (default: laughter, one recording, so the model has heard none), then scores every held-out clip of
that category as it is and transformed: pitch-shifted, time-stretched, reversed. If a transformation moves
the cry probability a lot, the model relies on what it changes: with laughter, speeding it up (shorter
syllables) makes it "not a cry" and raising its pitch makes it more of one.

Uses the detector's window cache (``artifacts/cache``): about 2 minutes when the cache is warm, 10-20 without.

    python benchmarks/detector_probe.py [--data DIR] [--category laugh]
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
from audiomentations import PitchShift, TimeStretch

from babycry.audio import load
from babycry.config import labels_for_task
from babycry.data import default_data_dir, grouped_folds, load_task
from babycry.modeling import CryModel, build_feature_extractor
from babycry.training.cache import build_cache
from babycry.training.fit import fit
from babycry.training.recipes import recipe_for

ROOT = Path(__file__).resolve().parents[1]

def _pitch(semitones: float):
    return lambda x, sr: PitchShift(min_semitones=semitones, max_semitones=semitones, p=1.0)(samples=x, sample_rate=sr)


def _speed(rate: float):
    return lambda x, sr: TimeStretch(min_rate=rate, max_rate=rate, leave_length_unchanged=False, p=1.0)(
        samples=x, sample_rate=sr)


TRANSFORMS = {
    "as recorded": lambda x, sr: x,
    **{f"pitch {st:+d} st": _pitch(st) for st in (-7, -4, 4, 7)},
    "half speed": _speed(0.5),
    "double speed": _speed(2.0),
    "reversed": lambda x, sr: x[::-1].copy(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--category", default="laugh", help="a detector category: laugh, noise, silence, speech, cry")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    recipe = recipe_for("detector").replace(progress=False)
    data = load_task(args.data, task="detector")
    categories = data.table["category"].to_numpy()
    folds = grouped_folds(data.y, data.groups, n_splits=recipe.cv.folds, seed=recipe.seed)
    fold = next((f for f in folds if args.category in set(categories[f[1]])), None)
    if fold is None:
        raise SystemExit(f"No clip of category {args.category!r} in {args.data}.")
    train_clips, test_clips = fold
    cache = build_cache(data, recipe=recipe, cache_root=ROOT / "artifacts" / "cache")
    model = fit(cache, recipe=recipe, train_clips=train_clips, exclude_groups=set(data.groups[test_clips]))
    # uncalibrated: temperature 1, no bias
    detector = CryModel(model_id="probe", task="detector", labels=labels_for_task("detector"), model=model.eval(),
                        feature_extractor=build_feature_extractor(model_config=recipe.model))
    cry = detector.labels.index("cry")

    probed = [i for i in test_clips if categories[i] == args.category]
    clips = [load(data.table["path"].iloc[i], config=recipe.audio, validate_audio=False).samples
             for i in probed]
    sr = recipe.audio.sample_rate
    print(f"{args.category}: {len(clips)} held-out clips from {len(set(data.groups[probed]))} group(s); "
          f"the model trained on {len(train_clips)} clips without them (uncalibrated P(cry), threshold 0.5)")
    print(f"{'transformation':<14} {'median P(cry)':>14} {'called a cry':>13}")
    for name, transform in TRANSFORMS.items():
        p = np.array([detector.predict(np.asarray(transform(x, sr), dtype=np.float32),
                                       sample_rate=sr).probabilities[cry] for x in clips])
        print(f"{name:<14} {np.median(p):14.3f} {np.mean(p > 0.5):13.3f}")


if __name__ == "__main__":
    main()
