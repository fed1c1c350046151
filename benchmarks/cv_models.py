"""Grouped (and leaky) cross-validation of both models, printed as one table.

Runs ``babycry cv`` for the detector and the reason model, grouped by family and, for comparison, with the
LEAKY ungrouped random split, writes the JSON reports under ``artifacts/bench/`` and prints the headline figures
next to the majority baseline.  Each report takes several minutes on 2 cores (the window cache under
``artifacts/cache`` is built once and reused).

    python benchmarks/cv_models.py [--data DIR] [--folds 5] [--seeds 3] [--tasks detector reason] [--no-random]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from babycry.data import default_data_dir

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = ["balanced_accuracy", "macro_f1", "log_loss", "ece", "roc_auc"]


def run(task: str, split: str, *, data: str, folds: int, seeds: int, out: Path) -> dict:
    cmd = [sys.executable, "-m", "babycry", "cv", "--task", task, "--data", data, "--folds", str(folds),
           "--seeds", str(seeds), "--split", split, "--json", str(out), "--quiet"]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return json.loads(out.read_text())


def row(report: dict) -> str:
    m = report["metrics"]
    cells = []
    for key in HEADLINE + sorted(k for k in m if k.startswith(("recall/", "category_accuracy/"))):
        if key in m and m[key]["value"] is not None:
            lo, hi = m[key]["ci95"]
            cells.append(f"{key}={m[key]['value']:.3f} [{lo:.3f}, {hi:.3f}]")
    label = f"{report['task']:8s} {'LEAKY random' if report['leaky'] else 'grouped':12s}"
    base = report["majority_baseline"]
    return (f"{label}  " + "  ".join(cells)
            + f"  (majority baseline bal.acc {base['balanced_accuracy']:.3f}, log-loss {base['log_loss']:.3f})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_dir().resolve()))  # absolute: `babycry cv` runs in ROOT
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--tasks", nargs="+", default=["detector", "reason"], choices=["detector", "reason"])
    p.add_argument("--no-random", action="store_true", help="skip the leaky random-split comparison")
    args = p.parse_args()
    out_dir = ROOT / "artifacts" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for task in args.tasks:
        for split in ["grouped"] + ([] if args.no_random else ["random"]):
            seeds = args.seeds if split == "grouped" else 1
            report = run(task, split, data=args.data, folds=args.folds, seeds=seeds,
                         out=out_dir / f"cv_{task}_{split}.json")
            lines.append(row(report))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
