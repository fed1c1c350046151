"""What the detector keys on: held-out clips scored as recorded and transformed (pitch, speed, reversed).

Every clip is scored by a head that never heard it, fitted as ``babycry cv`` fits heads on the recipe and window
cache of ``--model`` (by default the bundled checkpoint), through that checkpoint's encoder:

- a not-cry category (default: baby laughter): the model of the first grouped fold trained without any clip of
  the category or its families, as leave-one-category-out trains it (``metrics.json``); it scores every clip of
  the category: a sound it never heard. If a transformation moves P(cry) a lot, the model relies on what it
  changes.
- ``cry``: each grouped fold's head (seed 0) scores its held-out cries. Lowered a fifth to an octave (pitch and
  formants together, as a larger voice: ``audiomentations.PitchShift``), a baby's cry takes on an adult's pitch and
  vocal tract: the nearest thing to an adult crying that the data folder allows (it holds no adult crying).

Transformations: pitch shifts of -12, -7, -4, +4 and +7 semitones, half and double speed (pitch kept), reversed.
P(cry) uncalibrated at 0.5 (the detector's calibration has no class bias: the app's threshold too). Writes
``benchmarks/results/detector_probe_<category>.json``; 8 (cries) to 11 minutes (laughter) with the window cache on disk
(``make train-detector`` builds it).

    python benchmarks/detector_probe.py [--data DIR] [--model DIR] [--category laugh|cry|...] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from audiomentations import PitchShift, TimeStretch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from detector_buzz import held_out_p_cry  # noqa: E402

from babycry.audio import load  # noqa: E402
from babycry.data import default_data_dir, load_task  # noqa: E402
from babycry.errors import BabyCryError  # noqa: E402
from babycry.modeling import DEFAULT_DETECTOR_DIR, load_detector  # noqa: E402
from babycry.training.cache import build_cache, checkpoint_int8_graph  # noqa: E402
from babycry.training.cv import category_sets, fold_plan, holdout_plan  # noqa: E402
from babycry.training.fit import fit  # noqa: E402
from babycry.training.recipes import checkpoint_recipe  # noqa: E402

SEMITONES = (-12, -7, -4, 4, 7)


def _pitch(semitones: float):
    return lambda x, sr: PitchShift(min_semitones=semitones, max_semitones=semitones, p=1.0)(samples=x, sample_rate=sr)


def _speed(rate: float):
    return lambda x, sr: TimeStretch(min_rate=rate, max_rate=rate, leave_length_unchanged=False, p=1.0)(
        samples=x, sample_rate=sr)


TRANSFORMS = {
    "as recorded": lambda x, sr: x,
    **{f"pitch {st:+d} st": _pitch(st) for st in SEMITONES},
    "half speed": _speed(0.5),
    "double speed": _speed(2.0),
    "reversed": lambda x, sr: x[::-1].copy(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR),
                        help="a detector checkpoint: its training.json recipe is the one refitted")
    parser.add_argument("--category", default="laugh", help="a detector category: cry, laugh, adult_laugh, ...")
    parser.add_argument("--out", default=None, help="default: benchmarks/results/detector_probe_<category>.json")
    args = parser.parse_args()
    out = Path(args.out or ROOT / "benchmarks" / "results" / f"detector_probe_{args.category}.json")
    data = load_task(args.data, task="detector")
    table = data.table
    categories = table["category"].to_numpy().astype(str)
    sets = category_sets(data)  # every not-cry category's rows, in the order that seeds its model
    rows = np.flatnonzero(categories == "cry") if args.category == "cry" else sets.get(args.category)
    if rows is None or rows.size == 0:
        raise SystemExit(f"No clip of category {args.category!r} in {args.data}.")
    recipe = checkpoint_recipe(args.model).replace(progress=False)
    cache = build_cache(data, recipe=recipe, int8_graph=checkpoint_int8_graph(args.model))
    detector = load_detector(args.model)
    if args.category == "cry":  # each fold's held-out cries, by the head of babycry cv's fit of that fold
        scored = [(fit(cache, recipe=recipe, train_clips=f.train, seed=f.seed, exclude_groups=f.exclude_groups),
                   np.intersect1d(f.test, rows)) for f in fold_plan(data, recipe=recipe, folds=5, seeds=1)]
        by = "each grouped fold's head (seed 0) on its held-out cries"
    else:  # leave-one-category-out's fold-0 model for this category: the same training side, families and seed
        fold = next(f for name, f in holdout_plan(data, recipe=recipe, held_out=sets)
                    if name == args.category)
        scored = [(fit(cache, recipe=recipe, train_clips=fold.train, seed=fold.seed,
                       exclude_groups=fold.exclude_groups), rows)]
        by = "a model of grouped fold 0 trained without the category (leave-one-category-out)"
    sr = recipe.audio.sample_rate
    p: dict[str, list[float]] = {name: [] for name in TRANSFORMS}
    groups = []
    for head, clips in scored:
        for i in clips:
            try:
                x = load(table["path"].iloc[i], config=recipe.audio).samples.astype(np.float32)
            except BabyCryError:  # shorter than the app accepts
                continue
            groups.append(str(data.groups[i]))
            for name, transform in TRANSFORMS.items():
                y = np.asarray(transform(x, sr), dtype=np.float32)
                p[name].append(held_out_p_cry(detector, head, y, sample_rate=sr))
    cry_called = {name: np.asarray(v) >= 0.5 for name, v in p.items()}
    result = {"model": Path(args.model).name, "category": args.category, "scored_by": by, "threshold": 0.5,
              "clips": len(groups), "groups": len(set(groups)),
              "transforms": {name: {"median_p_cry": round(float(np.median(p[name])), 4),
                                    "called_a_cry": round(float(np.mean(cry_called[name])), 4)}
                             for name in TRANSFORMS}}
    print(f"{args.category}: {result['clips']} clips of {result['groups']} families, scored by {by} "
          f"(uncalibrated P(cry), threshold 0.5)")
    print(f"{'transformation':<14} {'median P(cry)':>14} {'called a cry':>13}")
    for name, row in result["transforms"].items():
        print(f"{name:<14} {row['median_p_cry']:14.3f} {row['called_a_cry']:13.3f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
