"""Does a steady buzz under a sound change the detector's answer?

A motor, fan, fridge, transformer or a ground loop in the recording chain adds a steady buzz: a fundamental of
50-300 Hz with harmonics through the band a cry's harmonics fill.  This mixes one into every labelled cry and into
a fixed sample of the not-cry categories a buzz could push over the line (baby and adult laughter, ESC-50 noise,
household background, coughs), at a signal-to-buzz ratio of 20 dB and 10 dB (RMS; the buzz 10x or 3x below the
sound in amplitude), for three buzzes (fundamentals 50, 120 and 200 Hz, harmonics to 3.6 kHz falling as 1/k), and
reports, per category, the share the detector gets right at P(cry) 0.5 (cries called cries, the rest rejected),
clean and under each buzz.  The buzzes are synthetic, like the ones the training recipe mixes in
(``babycry.augment.noise.coloured_noise``); as a check on real audio, each clip is also mixed with one of the data
folder's recordings of household background (washing dishes, an exercise bike; drawn per clip) at the same ratios,
and with an adult talking over it (one speaker of the folder's speech, utterances strung with pauses: a parent
soothing a crying baby) at 10 dB and 3 dB.

By default every clip is scored by a head that never heard its family: grouped 5-fold CV (seed 0, the folds and
fits of ``babycry cv``) on the checkpoint's recipe and window cache, each held-out clip (clean and mixed) through
the checkpoint's encoder, then its fold's head (P(cry) at 0.5; the detector's calibration has no class bias, so
this is the calibrated threshold too).  A clip is mixed only with the household background of its own test fold
(a recording the fold's head never heard, as a clip or mixed into one), so with three such recordings only the
clips of the folds that hold one get the household-background rows (their count is reported); likewise the talking
is a speaker of the clip's own test fold.  ``--in-sample``
scores with the checkpoint itself, on clips it was fitted on (the clean column then near 1; what moves is what the
added sound alone does), every clip mixed with any of the household background.

    python benchmarks/detector_buzz.py [--data DIR] [--model DIR] [--per-category 60] [--in-sample] [--out FILE]

Writes benchmarks/results/detector_buzz.json (grouped; ~10 minutes with the window cache on disk, which the first
run builds: ~10 more) or, with ``--in-sample``, detector_buzz_in_sample.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from babycry.audio import load
from babycry.augment.noise import VoiceBank, harmonics, mix_at_snr
from babycry.calibration import softmax
from babycry.data import default_data_dir, load_task
from babycry.errors import BabyCryError
from babycry.modeling import DEFAULT_DETECTOR_DIR, frame_windows, load_detector

ROOT = Path(__file__).resolve().parents[1]
FUNDAMENTALS_HZ = (50.0, 120.0, 200.0)
SNRS_DB = (20.0, 10.0)
TALK_SNRS_DB = (10.0, 3.0)
NOT_CRY = ("laugh", "adult_laugh", "noise", "background", "cough")


def buzz(n: int, *, sample_rate: int, f0: float, seed: int) -> np.ndarray:
    """A steady buzz: harmonics of ``f0`` up to 3.6 kHz at ``1/k`` amplitude, random phases."""
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, size=int(3600 // f0))
    return harmonics(n, sample_rate=sample_rate, f0=f0, slope=1.0, phases=phases).astype(np.float32)


def held_out_heads(data, model_dir: str) -> tuple[dict[int, int], list, list[set]]:
    """Grouped 5-fold CV (seed 0) on the checkpoint's recipe and window cache: each clip's fold, each fold's
    head, fitted as ``babycry cv`` fits it, and the families each head never heard (the same folds, fold seeds
    and excluded families)."""
    from babycry.training.cache import build_cache, checkpoint_int8_graph
    from babycry.training.cv import fold_plan
    from babycry.training.fit import fit
    from babycry.training.recipes import checkpoint_recipe

    recipe = checkpoint_recipe(model_dir).replace(progress=False)
    cache = build_cache(data, recipe=recipe, int8_graph=checkpoint_int8_graph(model_dir))
    fold_of, heads, unheard = {}, [], []
    for fold in fold_plan(data, recipe=recipe, folds=5, seeds=1):
        heads.append(fit(cache, recipe=recipe, train_clips=fold.train, seed=fold.seed,
                         exclude_groups=fold.exclude_groups))
        fold_of.update({int(data.table.index[i]): fold.fold for i in fold.test})
        unheard.append(fold.exclude_groups)
    return fold_of, heads, unheard


def held_out_p_cry(detector, head, samples: np.ndarray, *, sample_rate: int) -> float:
    """P(cry) of a recording: its windows through the checkpoint's encoder, then ``head`` on the recording."""
    import torch

    windows, _ = frame_windows(samples, sample_rate=sample_rate)
    with torch.inference_mode():
        logits = head.recording_logits_from_embeddings(
            torch.as_tensor(detector.outputs_of(windows), dtype=torch.float32)).numpy()
    return float(softmax(logits)[detector.labels.index("cry")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--per-category", type=int, default=60, help="clips per not-cry category (every cry)")
    parser.add_argument("--in-sample", action="store_true",
                        help="score with the checkpoint itself, on clips it was fitted on")
    parser.add_argument("--out", default=None, help="default: benchmarks/results/detector_buzz[_in_sample].json")
    args = parser.parse_args()
    out = Path(args.out or ROOT / "benchmarks" / "results" /
               ("detector_buzz_in_sample.json" if args.in_sample else "detector_buzz.json"))
    detector = load_detector(args.model)
    cry = detector.labels.index("cry")
    data = load_task(args.data, task="detector")
    table = data.table
    fold_of, heads, unheard = ({}, [], []) if args.in_sample else held_out_heads(data, args.model)
    rng = np.random.default_rng(0)
    picked = list(table.index[table["category"] == "cry"])
    for category in NOT_CRY:
        rows = table.index[table["category"] == category].to_numpy()
        picked += list(rng.choice(rows, size=min(args.per_category, rows.size), replace=False))
    buzzes = ["clean"] + [f"{f0:.0f} Hz buzz at {snr:.0f} dB" for snr in SNRS_DB for f0 in FUNDAMENTALS_HZ]
    in_background = [f"household background at {snr:.0f} dB" for snr in SNRS_DB]
    talked = [f"talking at {snr:.0f} dB" for snr in TALK_SNRS_DB]
    conditions = buzzes + in_background + talked
    background_rows = table[table["category"] == "background"]
    backgrounds = [(str(group), load(path, validate_audio=False).samples.astype(np.float32))
                   for path, group in zip(background_rows["path"], background_rows["group"], strict=True)]
    speech = table[table["category"] == "speech"]
    voices: dict[int | None, VoiceBank] = {}  # per test fold: its own speakers (in-sample: all, under None)
    right: dict[str, dict[str, list[bool]]] = {}
    for i, index in enumerate(sorted(picked)):
        category, path = table.at[index, "category"], table.at[index, "path"]
        try:
            clip = load(path)
        except BabyCryError:  # shorter than the app accepts: not an answer the app gives
            continue
        x = clip.samples.astype(np.float32)
        mixes = [x] + [mix_at_snr(x, buzz(x.size, sample_rate=clip.sample_rate, f0=f0, seed=i), snr)
                       for snr in SNRS_DB for f0 in FUNDAMENTALS_HZ]
        named = list(zip(buzzes, mixes, strict=True))
        # held out, only the background recordings of the clip's own test fold: its head never heard them
        pool = [b for g, b in backgrounds if args.in_sample or g in unheard[fold_of[index]]]
        if pool:
            bg = pool[i % len(pool)]
            background = np.tile(bg, int(np.ceil(x.size / bg.size)))[: x.size]
            named += [(name, mix_at_snr(x, background, snr)) for name, snr in zip(in_background, SNRS_DB, strict=True)]
        fold = None if args.in_sample else fold_of[index]
        if fold not in voices:
            own = speech if fold is None else speech[speech["group"].astype(str).isin(unheard[fold])]
            voices[fold] = VoiceBank.from_files(own["path"].tolist(), own["group"].astype(str).tolist())
        if voices[fold].clips:
            talk, _ = voices[fold].draw(np.random.default_rng([1, i]), x.size, sample_rate=clip.sample_rate)
            named += [(name, mix_at_snr(x, talk, snr)) for name, snr in zip(talked, TALK_SNRS_DB, strict=True)]
        for name, y in named:
            if args.in_sample:
                p_cry = float(detector.predict(y, sample_rate=clip.sample_rate).probabilities[cry])
            else:
                p_cry = held_out_p_cry(detector, heads[fold_of[index]], y, sample_rate=clip.sample_rate)
            right.setdefault(category, {}).setdefault(name, []).append((p_cry >= 0.5) == (category == "cry"))
    result = {"model": Path(args.model).name, "threshold": 0.5,
              "scored_by": "its checkpoint (in-sample)" if args.in_sample else
              "a head that never heard its family (grouped 5-fold, seed 0)", "conditions": conditions,
              "categories": {}}
    for category, by in right.items():
        result["categories"][category] = {"clips": len(by["clean"]),
                                          "clips_under_household_background": len(by.get(in_background[0], [])),
                                          "clips_under_talking": len(by.get(talked[0], [])),
                                          **{name: round(float(np.mean(v)), 3) for name, v in by.items()}}
    for snr in SNRS_DB:
        names = [f"{f0:.0f} Hz buzz at {snr:.0f} dB" for f0 in FUNDAMENTALS_HZ]
        for category, by in right.items():
            result["categories"][category][f"any buzz at {snr:.0f} dB"] = round(
                float(np.mean([np.mean(by[n]) for n in names])), 3)
    print(f"{'category':<12} {'clips':>5} {'clean':>6} " + " ".join(f"{f'buzz {s:.0f} dB':>12}" for s in SNRS_DB)
          + f" {'of them':>8} " + " ".join(f"{f'backgr. {s:.0f} dB':>15}" for s in SNRS_DB)
          + f" {'of them':>8} " + " ".join(f"{f'talk {s:.0f} dB':>11}" for s in TALK_SNRS_DB))
    for category, row in result["categories"].items():
        print(f"{category:<12} {row['clips']:5d} {row['clean']:6.3f} "
              + " ".join(f"{row[f'any buzz at {s:.0f} dB']:12.3f}" for s in SNRS_DB)
              + f" {row['clips_under_household_background']:8d} "
              + " ".join(f"{row.get(f'household background at {s:.0f} dB', float('nan')):15.3f}" for s in SNRS_DB)
              + f" {row['clips_under_talking']:8d} "
              + " ".join(f"{row.get(f'talking at {s:.0f} dB', float('nan')):11.3f}" for s in TALK_SNRS_DB))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
