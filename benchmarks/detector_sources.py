"""Where the bundled detector's grouped out-of-fold errors fall: per source and per channel.

Reads the out-of-fold logits the training run saved (``assets/models/cry-detector/cv_predictions.npz``, the
same grouped 5-fold x 3-seed models as ``metrics.json``) and the data's ``manifest.csv``, and prints

* the accuracy on cries per source (Donate-a-Cry phone uploads vs other recordings),
* ROC AUC of cries against laughter, noise and silence **within the same channel** (16 kHz recordings from
  giulbia/ESC-50), next to the same with Donate-a-Cry's phone cries, whose 8 kHz channel differs from every
  labelled non-speech negative: the gap between the two is what a detector owes to the channel.

Probabilities are the mean of the three seeds' temperature-free softmax; the decision threshold is 0.5.

    python benchmarks/detector_sources.py [--data DIR] [--model DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from babycry.calibration import softmax
from babycry.data import default_data_dir

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(ROOT / "assets" / "models" / "cry-detector"))
    args = parser.parse_args()

    saved = np.load(Path(args.model) / "cv_predictions.npz", allow_pickle=True)
    logits = saved["grouped_logits"]
    p_cry = softmax(logits)[..., 1].mean(0)
    manifest = pd.read_csv(Path(args.data) / "manifest.csv", dtype=str, keep_default_na=False)
    rows = manifest.set_index("path").loc[[str(p) for p in saved["paths"]]]
    y = saved["y"].astype(int)
    source = rows["source"].to_numpy()
    label = rows["label"].to_numpy()
    kind = np.where(y == 1, np.where(source == "donateacry", "cry (Donate-a-Cry, phone)", "cry (other recordings)"),
                    label)
    correct = (p_cry > 0.5) == (y == 1)
    print(f"{'clips':<28} {'n':>5} {'groups':>6} {'accuracy':>9}")
    for name in sorted(set(kind)):
        m = kind == name
        print(f"{name:<28} {m.sum():5d} {len(set(saved['groups'][m])):6d} {correct[m].mean():9.3f}")
    wide_neg = np.isin(label, ["laugh", "noise", "silence"])
    for name, cries in [("other-recording cries", kind == "cry (other recordings)"),
                        ("Donate-a-Cry cries", kind == "cry (Donate-a-Cry, phone)")]:
        m = cries | wide_neg
        print(f"ROC AUC, {name} vs laughter/noise/silence: {roc_auc_score(y[m], p_cry[m]):.3f}")


if __name__ == "__main__":
    main()
