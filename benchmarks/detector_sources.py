"""Where the bundled detector's grouped out-of-fold errors fall: per source and per channel.

Reads the out-of-fold logits the training run saved (``assets/models/cry-detector/cv_predictions.npz``, the
same grouped 5-fold x 3-seed models as ``metrics.json``) and the data's ``manifest.csv``, and prints

* the accuracy on each category per source (cries: Donate-a-Cry phone uploads vs other recordings; laughter:
  AudioSet's 538 videos vs giulbia's one recording, ...), per clip and family-weighted (each group one vote:
  a category's clips can come from one long recording cut into chunks, as giulbia's laughter, or from hundreds
  of videos, and the per-clip figure of ``metrics.json`` weighs them by chunk count),
* ROC AUC of cries against laughter, noise and silence **within the same channel** (16 kHz recordings from
  giulbia/ESC-50), next to the same with Donate-a-Cry's phone cries, whose 8 kHz channel differs from every
  labelled non-speech negative: the gap between the two is what a detector owes to the channel,
* balanced accuracy and each category's accuracy with the decision moved off P(cry) 0.5 (logit 0) either way:
  which targets a threshold alone could reach, and at what cost,
* what the missed cries hold: each cry's share of pitch frames voiced at an infant cry's F0 (250-800 Hz,
  :func:`babycry.training.windows.cry_voicing`) and its level, for the missed cries against the found ones
  (``--no-voicing`` skips it; it runs pYIN over every cry, about 2 minutes).

A clip's probability is the temperature-free softmax of the mean of the three seeds' logits (as every benchmark
combines models); the decision threshold is 0.5.

    python benchmarks/detector_sources.py [--data DIR] [--model DIR] [--out FILE]

Writes benchmarks/results/detector_sources.json (the table as rows); docs/models.md quotes it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from babycry import audio
from babycry.calibration import softmax
from babycry.data import default_data_dir
from babycry.evaluation.metrics import point_metrics
from babycry.modeling import DEFAULT_DETECTOR_DIR
from babycry.preprocess import prepare, rms_dbfs
from babycry.training.windows import cry_voicing

ROOT = Path(__file__).resolve().parents[1]


def _accuracy_table(key: str, names: np.ndarray, y: np.ndarray, p_cry: np.ndarray, groups: np.ndarray, *,
                    title: str) -> list[dict]:
    """Per name: clips, groups, accuracy per clip and per group (``point_metrics``' category and family
    accuracy, at P(cry) 0.5); printed."""
    m = point_metrics(y, np.stack([1.0 - p_cry, p_cry], axis=1), k=2, categories=names, families=groups)
    print(f"\n{title:<34} {'n':>5} {'groups':>6} {'per clip':>9} {'per group':>9}")
    table = []
    for name in sorted(set(names)):
        row = {key: name, "n": int((names == name).sum()), "groups": int(np.unique(groups[names == name]).size),
               "accuracy_per_clip": round(m["category_accuracy"][name], 4),
               "accuracy_per_group": round(m["family_accuracy"][name], 4)}
        table.append(row)
        print(f"{name:<34} {row['n']:5d} {row['groups']:6d} {row['accuracy_per_clip']:9.3f} "
              f"{row['accuracy_per_group']:9.3f}")
    return table


def _threshold_sweep(logits: np.ndarray, y: np.ndarray, categories: np.ndarray) -> list[dict]:
    """Balanced accuracy and each category's accuracy if the decision moved off logit 0 (P(cry) 0.5), each seed's
    out-of-fold logits scored alone (``point_metrics`` with those decisions) and averaged, as ``metrics.json``
    does; printed."""
    z = logits[..., 1] - logits[..., 0]  # (seeds, clips)
    probs = softmax(logits)
    names = sorted(set(categories))
    print(f"\n{'logit':>6} {'BA':>6} " + " ".join(f"{n[:11]:>11}" for n in names))
    rows = []
    for t in (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0):
        seeds = [point_metrics(y, p, k=2, categories=categories, decisions=(s > t).astype(int))
                 for p, s in zip(probs, z, strict=True)]
        row = {"logit": t, "balanced_accuracy": round(float(np.mean([m["balanced_accuracy"] for m in seeds])), 4),
               **{n: round(float(np.mean([m["category_accuracy"][n] for m in seeds])), 3) for n in names}}
        rows.append(row)
        print(f"{t:6.2f} {row['balanced_accuracy']:6.3f} " + " ".join(f"{row[n]:11.3f}" for n in names))
    return rows


def _missed_cries(paths: np.ndarray, p_cry: np.ndarray, data: Path) -> dict:
    """Cry voicing and level of the cries missed at 0.5, against the cries found."""
    voicing, level = [], []
    for path in paths:
        clip = audio.load(data / str(path), validate_audio=False)
        voicing.append(cry_voicing(prepare(clip.samples, sample_rate=clip.sample_rate), sample_rate=clip.sample_rate))
        level.append(rms_dbfs(clip.samples))
    voicing, level, missed = np.array(voicing), np.array(level), p_cry < 0.5
    out = {}
    for name, k in (("missed", missed), ("found", ~missed)):
        out[name] = {"n": int(k.sum()), "median_cry_voicing": round(float(np.median(voicing[k])), 3),
                     "share_under_10pct_voiced_at_a_cry_f0": round(float((voicing[k] < 0.1).mean()), 3),
                     "share_quieter_than_-35_dbfs": round(float((level[k] < -35.0).mean()), 3)}
        print(f"cries {name}: {out[name]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_sources.json"))
    parser.add_argument("--no-voicing", action="store_true", help="skip the missed cries' voicing (pYIN, ~2 min)")
    args = parser.parse_args()

    saved = np.load(Path(args.model) / "cv_predictions.npz", allow_pickle=True)
    logits = saved["grouped_logits"]
    p_cry = softmax(logits.mean(0))[..., 1]
    manifest = pd.read_csv(Path(args.data) / "manifest.csv", dtype=str, keep_default_na=False)
    rows = manifest.set_index("path").loc[[str(p) for p in saved["paths"]]]
    y = saved["y"].astype(int)
    source = rows["source"].to_numpy()
    label = rows["label"].to_numpy()
    kind = np.where(y == 1, np.where(source == "donateacry", "cry (Donate-a-Cry, phone)", "cry (other recordings)"),
                    np.char.add(np.char.add(label.astype(str), " ("), np.char.add(source.astype(str), ")")))
    groups = saved["groups"].astype(str)
    rows_out = _accuracy_table("clips", kind, y, p_cry, groups, title="clips (source)")
    categories = _accuracy_table("category", np.where(y == 1, "cry", label.astype(str)), y, p_cry, groups,
                                 title="category (every source)")
    aucs = {}
    wide_neg = np.isin(label, ["laugh", "noise", "silence"])
    for name, cries in [("other-recording cries", kind == "cry (other recordings)"),
                        ("Donate-a-Cry cries", kind == "cry (Donate-a-Cry, phone)")]:
        m = cries | wide_neg
        aucs[name] = round(float(roc_auc_score(y[m], p_cry[m])), 4)
        print(f"ROC AUC, {name} vs laughter/noise/silence: {aucs[name]:.3f}")
    sweep = _threshold_sweep(logits, y, np.where(y == 1, "cry", label.astype(str)))
    report = {"model": Path(args.model).name, "threshold": 0.5, "rows": rows_out, "categories": categories,
              "threshold_sweep": sweep,
              "roc_auc_vs_laughter_noise_silence": aucs,
              **({} if args.no_voicing else
                 {"cries_missed_and_found": _missed_cries(saved["paths"][y == 1], p_cry[y == 1], Path(args.data))}),
              "probabilities": "softmax of the mean over the seeds of the out-of-fold logits "
                               "(cv_predictions.npz, grouped)"}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
