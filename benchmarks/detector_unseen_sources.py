"""Cries and laughter from a source the detector never heard: leave-one-source-out (issue 19).

Grouped cross-validation (``metrics.json``) keeps families apart, but every source of cries sits on both sides of
a fold: a fold's ESC-50 cries are scored by a model that heard other ESC-50 cries. Here each source of a category
that has more than one (cries: Donate-a-Cry, ESC-50, giulbia's recordings; baby laughter: AudioSet, giulbia's
recording) is left out whole. For each grouped fold of seed 0, a model trained on the fold's training side less
every clip of that source (:func:`babycry.training.cv.leave_rows_out`) scores the source's clips and the fold's
test clips of the other class; a left-out clip's logits are the mean over the folds' models (as
leave-one-category-out's), calibrated with the checkpoint's temperature and decided at 0.5, with a 95%
family-bootstrap interval (a source of 19 clips is a rough estimate); also the share the app would answer "not a
baby crying", "maybe" (the checkpoint's unsure band) or "crying". Beside each row, the same clips' grouped-CV figure
(``cv_predictions.npz``: a model that heard the source, not the family).

    python benchmarks/detector_unseen_sources.py [--data DIR] [--model DIR] [--folds 0 1 2 3 4] [--out FILE]

Trains with the checkpoint's recipe (its ``training.json``) on that recipe's window cache (built when missing,
~8 min); 5 folds x 5 sources ~1.5 min. Writes
benchmarks/results/detector_unseen_sources.json; docs/models.md quotes it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from babycry.calibration import apply_calibration, load_calibration
from babycry.data import default_data_dir, load_task
from babycry.evaluation.metrics import compute_metrics
from babycry.modeling import DEFAULT_DETECTOR_DIR
from babycry.training.cache import build_cache, checkpoint_int8_graph
from babycry.training.cv import leave_rows_out
from babycry.training.recipes import checkpoint_recipe

ROOT = Path(__file__).resolve().parents[1]


def _right(p: np.ndarray, y: int, groups: np.ndarray) -> dict[str, Any]:
    """The share of one class's clips decided right at 0.5, per clip and per group (each group one vote: the mean
    of its clips' accuracy, averaged over groups), each with its 95% family-bootstrap interval: a source of 19
    clips in 11 recordings is a rough estimate, and the interval says how rough."""
    n = p.size
    m = compute_metrics(np.full(n, y), np.c_[1 - p, p], groups, labels=("not_cry", "cry"), categories=np.full(n, "set"),
                        decisions=(p >= 0.5).astype(int))
    clip, group = m[f"recall/{('not_cry', 'cry')[y]}"], m["family_accuracy/set"]
    one = np.unique(groups).size < 2  # one recording: no family-bootstrap interval, not a zero-width one
    return {"right_per_clip": clip["value"], "right_per_clip_ci95": None if one else clip["ci95"],
            "right_per_group": group["value"], "right_per_group_ci95": None if one else group["ci95"]}


def _grouped_cv(model: Path, temperature: float) -> dict[str, float]:
    """Each clip's grouped out-of-fold P(cry) (the mean of the seeds' calibrated softmax), by manifest path."""
    saved = np.load(model / "cv_predictions.npz", allow_pickle=True)
    p = apply_calibration(saved["grouped_logits"].reshape(-1, 2), temperature=temperature)[:, 1]
    p = p.reshape(saved["grouped_logits"].shape[:2]).mean(axis=0)
    return dict(zip(saved["paths"].astype(str), p, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--folds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_unseen_sources.json"))
    args = parser.parse_args()

    model = Path(args.model)
    calibration = load_calibration(model)
    temperature = calibration.temperature
    low, high = calibration.cry_band or (0.5, 0.5)
    # the recipe that trained the checkpoint (its training.json), so the folds' models are trained as it was
    recipe = checkpoint_recipe(model)
    data = load_task(args.data, task="detector", min_clips=4)
    cache = build_cache(data, recipe=recipe, int8_graph=checkpoint_int8_graph(model))
    table = data.table
    source = table["source"].to_numpy().astype(str)
    category = table["category"].to_numpy().astype(str)
    sets = {}
    for cat in sorted(set(category)):
        sources = sorted(set(source[category == cat]))
        if len(sources) > 1:
            sets |= {f"{cat}: {s}": np.flatnonzero((category == cat) & (source == s)) for s in sources}
    # a left-out clip is scored by each fold's model: the mean of their logits, as leave-one-category-out averages
    held = leave_rows_out(data, cache, recipe=recipe, held_out=sets, folds=args.folds, what="source").mean_per_clip()
    p_all = apply_calibration(held.logits, temperature=temperature)[:, 1]
    seen = _grouped_cv(model, temperature)
    groups = data.groups.astype(str)
    rows = []
    print(f"{'left out':<26} {'n':>4} {'groups':>6} {'per clip':>8} {'95% CI':>12} {'per group':>9} {'ROC AUC':>7}  "
          f"{'no / maybe / crying':>19}  {'heard the source (grouped CV): per clip, per group'}")
    for name, rows_of_set in sets.items():
        y_set = int(data.y[rows_of_set[0]])
        mine = held.held_out == name
        clips, p = held.clips[mine], p_all[mine]
        in_set = np.isin(clips, rows_of_set)
        # the other class's clips once each (their own fold's model)
        p_held = np.array([p[in_set & (clips == r)][0] for r in rows_of_set])
        p_other, y_other = p[~in_set], data.y[clips[~in_set]]
        score = np.r_[p_held, p_other] if y_set == 1 else -np.r_[p_held, p_other]
        auc = roc_auc_score(np.r_[np.ones(p_held.size), np.zeros(p_other.size)], score)
        p_seen = np.array([seen[path] for path in table["rel_path"].to_numpy().astype(str)[rows_of_set]])
        seen_right = _right(p_seen, y_set, groups[rows_of_set])
        row = {"left_out": name, "n": int(rows_of_set.size), "groups": int(np.unique(groups[rows_of_set]).size),
               **_right(p_held, y_set, groups[rows_of_set]),
               "roc_auc_vs_other_class": round(float(auc), 4),
               "other_class_right": round(float(((p_other >= 0.5) == (y_other == 1)).mean()), 4),
               # the app's three answers: "not a baby crying", "maybe" (the checkpoint's unsure band), "crying"
               "answers": {"not_cry": round(float((p_held < low).mean()), 4),
                           "maybe": round(float(((p_held >= low) & (p_held < high)).mean()), 4),
                           "crying": round(float((p_held >= high).mean()), 4)},
               "grouped_cv_per_clip": seen_right["right_per_clip"],
               "grouped_cv_per_group": seen_right["right_per_group"]}
        rows.append(row)
        ci = "[{:.2f}, {:.2f}]".format(*row["right_per_clip_ci95"]) if row["right_per_clip_ci95"] else "one group"
        print(f"{name:<26} {row['n']:4d} {row['groups']:6d} {row['right_per_clip']:8.3f} {ci:>12} "
              f"{row['right_per_group']:9.3f} {row['roc_auc_vs_other_class']:7.3f}  "
              f"{' / '.join(f'{v:.2f}' for v in row['answers'].values()):>19}  "
              f"{row['grouped_cv_per_clip']:.3f}, {row['grouped_cv_per_group']:.3f}")
    out = {"model": model.name, "folds": args.folds, "threshold": 0.5, "temperature": temperature,
           "unsure_band": [low, high],
           "seconds": round(held.seconds, 1), "rows": rows}
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {args.out} ({held.seconds:.0f} s)")


if __name__ == "__main__":
    main()
