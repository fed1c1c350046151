"""Does a steady buzz under a sound change the detector's answer?

A motor, fan, fridge, transformer or a ground loop in the recording chain adds a steady buzz: a fundamental of
50-300 Hz with harmonics through the band a cry's harmonics fill.  This mixes one into every labelled cry and into
a fixed sample of the not-cry categories a buzz could push over the line (baby and adult laughter, ESC-50 noise,
household background, coughs), at a signal-to-buzz ratio of 20 dB and 10 dB (RMS; the buzz 10x or 3x below the
sound in amplitude), for three buzzes (fundamentals 50, 120 and 200 Hz, harmonics to 3.6 kHz falling as 1/k), and
reports, per category, the share the detector gets right at P(cry) 0.5 (cries called cries, the rest rejected),
clean and under each buzz.  The buzzes are synthetic, like the ones the training recipe mixes in
(``babycry.augment.noise.coloured_noise``); as a check on real audio, each clip is also mixed with one of the data
folder's recordings of household background (washing dishes, an exercise bike; drawn per clip) at the same ratios.

These are the clips the checkpoint was fitted on (no held-out model scores raw audio here), so the clean column is
near 1 for cries; what the table measures is whether the buzz alone moves an answer the model otherwise gives.

    python benchmarks/detector_buzz.py [--data DIR] [--model DIR] [--per-category 60] [--out FILE]

Writes benchmarks/results/detector_buzz.json (~10 minutes).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from babycry.audio import load
from babycry.augment.noise import harmonics, mix_at_snr
from babycry.data import default_data_dir, load_task
from babycry.errors import BabyCryError
from babycry.modeling import load_detector

ROOT = Path(__file__).resolve().parents[1]
FUNDAMENTALS_HZ = (50.0, 120.0, 200.0)
SNRS_DB = (20.0, 10.0)
NOT_CRY = ("laugh", "adult_laugh", "noise", "background", "cough")


def buzz(n: int, *, sample_rate: int, f0: float, seed: int) -> np.ndarray:
    """A steady buzz: harmonics of ``f0`` up to 3.6 kHz at ``1/k`` amplitude, random phases."""
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, size=int(3600 // f0))
    return harmonics(n, sample_rate=sample_rate, f0=f0, slope=1.0, phases=phases).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(ROOT / "assets" / "models" / "cry-detector"))
    parser.add_argument("--per-category", type=int, default=60, help="clips per not-cry category (every cry)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_buzz.json"))
    args = parser.parse_args()
    detector = load_detector(args.model)
    cry = detector.labels.index("cry")
    table = load_task(args.data, task="detector").table
    rng = np.random.default_rng(0)
    picked = list(table.index[table["category"] == "cry"])
    for category in NOT_CRY:
        rows = table.index[table["category"] == category].to_numpy()
        picked += list(rng.choice(rows, size=min(args.per_category, rows.size), replace=False))
    conditions = (["clean"] + [f"{f0:.0f} Hz buzz at {snr:.0f} dB" for snr in SNRS_DB for f0 in FUNDAMENTALS_HZ]
                  + [f"household background at {snr:.0f} dB" for snr in SNRS_DB])
    backgrounds = [load(p, validate_audio=False).samples.astype(np.float32)
                   for p in table.loc[table["category"] == "background", "path"]]
    right: dict[str, dict[str, list[bool]]] = {}
    for i, index in enumerate(sorted(picked)):
        category, path = table.at[index, "category"], table.at[index, "path"]
        try:
            clip = load(path)
        except BabyCryError:  # shorter than the app accepts: not an answer the app gives
            continue
        x = clip.samples.astype(np.float32)
        bg = backgrounds[i % len(backgrounds)]
        background = np.tile(bg, int(np.ceil(x.size / bg.size)))[: x.size]
        mixes = ([x] + [mix_at_snr(x, buzz(x.size, sample_rate=clip.sample_rate, f0=f0, seed=i), snr)
                        for snr in SNRS_DB for f0 in FUNDAMENTALS_HZ]
                 + [mix_at_snr(x, background, snr) for snr in SNRS_DB])
        for name, y in zip(conditions, mixes, strict=True):
            p_cry = float(detector.predict(y, sample_rate=clip.sample_rate).probabilities[cry])
            right.setdefault(category, {}).setdefault(name, []).append((p_cry >= 0.5) == (category == "cry"))
    result = {"model": Path(args.model).name, "threshold": 0.5, "conditions": conditions, "categories": {}}
    for category, by in right.items():
        result["categories"][category] = {"clips": len(by["clean"]),
                                          **{name: round(float(np.mean(v)), 3) for name, v in by.items()}}
    for snr in SNRS_DB:
        names = [f"{f0:.0f} Hz buzz at {snr:.0f} dB" for f0 in FUNDAMENTALS_HZ]
        for category, by in right.items():
            result["categories"][category][f"any buzz at {snr:.0f} dB"] = round(
                float(np.mean([np.mean(by[n]) for n in names])), 3)
    print(f"{'category':<12} {'clips':>5} {'clean':>6} " + " ".join(f"{f'buzz {s:.0f} dB':>12}" for s in SNRS_DB)
          + " " + " ".join(f"{f'backgr. {s:.0f} dB':>15}" for s in SNRS_DB))
    for category, row in result["categories"].items():
        print(f"{category:<12} {row['clips']:5d} {row['clean']:6.3f} "
              + " ".join(f"{row[f'any buzz at {s:.0f} dB']:12.3f}" for s in SNRS_DB) + " "
              + " ".join(f"{row[f'household background at {s:.0f} dB']:15.3f}" for s in SNRS_DB))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
