"""Probe (issue 19): laughter synthesised as it is made - bouts of breathy "ha" syllables - as the proxy that
teaches the detector laughter it never heard.

The recipe's synthetic laughter is the synthetic cry's voice in short bursts. This probe makes laughter the way
it is produced instead: bouts of 2-10 syllables at 4-7 per second, each an aspirated onset and a short voiced
vowel (F0 250-550 Hz, or 150-300 Hz one time in five) falling across the bout and fading, breathy gaps, and
often a noisy or squealed inhalation closing the bout; one vowel's formants per voice. ``--per-cry`` such laughs
per cry go through the recipe's noise mixing and window fitting and the frozen encoder, and are added to the
bundled window cache as ``synth_laugh`` rows of that cry (the recipe's own synthetic laughs kept, or replaced).
Each variant: leave-laughter-out as ``babycry cv`` (fold 0) and grouped 5-fold CV of one seed, uncalibrated
P(cry) at 0.5, plus laughter rejected where 96% of cries are found. Writes
``benchmarks/results/detector_laugh_synth_probe.json``.

    python benchmarks/detector_laugh_synth_probe.py [--data DIR] [--per-cry 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal
from sklearn.metrics import roc_auc_score

from babycry.augment import NoiseBank
from babycry.data import default_data_dir, load_task
from babycry.modeling import fit_window
from babycry.preprocess import band_limit
from babycry.training.cache import FeatureCache, _embed_windows, _init_cache_worker, build_cache
from babycry.training.cv import _folds_of, fold_plan
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import recipe_for
from babycry.training.windows import _mixed

OUT = Path(__file__).parent / "results" / "detector_laugh_synth_probe.json"


def _formants(x: np.ndarray, sr: int, rng: np.random.Generator, formants: list, bws: list) -> np.ndarray:
    out = np.zeros_like(x)
    for f, bw in zip(formants, bws, strict=True):
        f = min(f, 0.45 * sr)
        b, a = signal.iirpeak(f, f / bw, fs=sr)
        out += signal.lfilter(b, a, x) * rng.uniform(0.5, 1.0)
    return out


def synth_laugh(rng: np.random.Generator, *, seconds: float, sample_rate: int,
                f0_range: tuple[float, float] = (250.0, 550.0)) -> np.ndarray:
    sr = sample_rate
    n = int(round(seconds * sr))
    out = np.zeros(n)
    f0_voice = rng.uniform(*f0_range)
    formants = [rng.uniform(700, 1200), rng.uniform(1300, 2600), rng.uniform(2800, 3500)]
    bws = [rng.uniform(90, 250), rng.uniform(120, 300), rng.uniform(200, 400)]
    breath, tilt = rng.uniform(0.05, 0.4), rng.uniform(6.0, 14.0)
    pos = int(rng.uniform(0.0, 0.4) * sr)
    while pos < n - int(0.1 * sr):
        n_syl, period = int(rng.integers(2, 11)), rng.uniform(0.14, 0.25)
        f0_start, decl, fade = f0_voice * rng.uniform(0.85, 1.2), rng.uniform(0.6, 1.0), rng.uniform(0.8, 1.0)
        for k in range(n_syl):
            m = int(period * rng.uniform(0.85, 1.15) * sr)
            if pos + m > n:
                break
            h = int(rng.uniform(0.015, 0.06) * sr)  # the aspirated "h"
            v = max(1, min(int(m * rng.uniform(0.35, 0.7)), m - h))  # the vowel
            seg = np.zeros(m)
            seg[:h] += rng.standard_normal(h) * np.hanning(2 * h)[:h] * rng.uniform(0.05, 0.3)
            f0 = f0_start * decl ** (k / max(n_syl - 1, 1))
            tt = np.linspace(0, 1, v)
            contour = f0 * (1 + rng.uniform(-0.05, 0.15) * np.sin(np.pi * tt) - rng.uniform(0.0, 0.15) * tt)
            contour *= 1 + 0.01 * rng.standard_normal(v).cumsum() / np.sqrt(v)
            phase = 2 * np.pi * np.cumsum(contour) / sr
            src = sum(10 ** (-tilt * np.log2(j) / 20) * np.sin(j * phase) for j in range(1, int(0.45 * sr / f0) + 1))
            src = (1 - breath) * src / (np.abs(src).max() + 1e-9) + breath * rng.standard_normal(v) * 0.5
            env = np.minimum(np.arange(v) / (0.01 * sr), 1.0) * np.exp(-np.arange(v) / (rng.uniform(0.04, 0.15) * sr))
            seg[h:h + v] += src * env
            tail = m - h - v
            if tail > 0:  # a breathy gap to the next syllable
                seg[h + v:] += rng.standard_normal(tail) * 0.05 * rng.uniform(0, 1) * np.linspace(1, 0, tail)
            out[pos:pos + m] += _formants(seg, sr, rng, formants, bws) * fade ** k
            pos += m
        if rng.random() < 0.6 and pos < n:  # the inhalation closing a bout, sometimes a squeal
            m = min(n - pos, int(rng.uniform(0.15, 0.45) * sr))
            inh = rng.standard_normal(m) * np.hanning(m) * rng.uniform(0.1, 0.4)
            if rng.random() < 0.4:
                f = f0_voice * rng.uniform(1.2, 2.0) * np.linspace(1.0, rng.uniform(1.0, 1.3), m)
                inh += 0.5 * np.sin(2 * np.pi * np.cumsum(f) / sr) * np.hanning(m)
            out[pos:pos + m] += _formants(inh, sr, rng, formants, bws)
            pos += m
        pos += int(rng.uniform(0.2, 1.0) * sr)
    peak = np.abs(out).max()
    return (0.7 * out / peak if peak > 0 else out).astype(np.float32)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_dir()))
    p.add_argument("--per-cry", type=int, default=3)
    args = p.parse_args()
    data = load_task(args.data, task="detector")
    recipe = recipe_for("detector").replace(progress=False)
    cache = build_cache(data, recipe=recipe)
    sr = recipe.audio.sample_rate
    length = int(round(recipe.window.window_seconds * sr))
    noise = NoiseBank.from_data_folder(data.root, config=recipe.audio)
    _init_cache_worker(recipe, noise, cache.encoder_graph)
    t0 = time.time()
    windows, rows = [], []
    for c in np.flatnonzero(data.y == 1):
        rng = np.random.default_rng([77, int(c)])
        for _ in range(args.per_cry):
            adult = rng.random() < 0.2
            x = synth_laugh(rng, seconds=float(rng.uniform(1.5, 3.2)), sample_rate=sr,
                            f0_range=(150.0, 300.0) if adult else (250.0, 550.0))
            seg, g = _mixed(recipe.augment.synth_negative_noise, x, rng, noise=noise, sample_rate=sr)
            seg = band_limit(seg, sample_rate=sr, cutoff_hz=recipe.audio.band_limit_hz)
            windows.append(fit_window(seg[:length], length=length, target_rms_dbfs=recipe.audio.target_rms_dbfs))
            rows.append({"clip": int(c), "y": 0, "kind": "synth_laugh", "stratum": "synth_laugh",
                         "noise_group": g, "group": ""})
    feats = _embed_windows(windows).astype(np.float32)
    made_s = time.time() - t0
    base_f, base_i = np.asarray(cache.features), cache.index
    old = (base_i["kind"] == "synth_laugh").to_numpy()
    caches = {"recipe's synthetic laughs": (base_f, base_i),
              "replaced by the new ones": (np.concatenate([base_f[~old], feats]),
                                           pd.concat([base_i[~old], pd.DataFrame(rows)], ignore_index=True)),
              "both": (np.concatenate([base_f, feats]), pd.concat([base_i, pd.DataFrame(rows)], ignore_index=True))}
    y, groups = data.y, data.groups
    cats = data.table["category"].to_numpy().astype(str)
    train, test = _folds_of(y, groups, folds=recipe.cv.folds, seed=recipe.seed, split="grouped")[0]
    laugh, test_cries = np.flatnonzero(cats == "laugh"), test[y[test] == 1]
    plan = fold_plan(data, recipe=recipe, folds=5, seeds=1)
    results = []
    for name, weight in [("recipe's synthetic laughs", None), ("replaced by the new ones", None), ("both", None),
                         ("replaced by the new ones", 6.0), ("replaced by the new ones", 20.0),
                         ("recipe's synthetic laughs", 20.0)]:
        r = recipe
        if weight is not None:
            r = recipe.replace(fit=dataclasses.replace(
                recipe.fit, stratum_weights={**recipe.fit.stratum_weights, "synth_laugh": weight}))
        f_, i_ = caches[name]
        fc = FeatureCache(features=f_, index=i_.reset_index(drop=True), encoder_graph=cache.encoder_graph)
        model = fit(fc, recipe=r, train_clips=np.setdiff1d(train, laugh), seed=recipe.seed * 100 + 50,
                    exclude_groups=set(groups[test]) | set(groups[laugh]))
        lg = clip_logits(model, fc, np.concatenate([laugh, test_cries]))
        s = lg[:, 1] - lg[:, 0]
        s_laugh, s_cry = s[:laugh.size], s[laugh.size:]
        row = {"synthetic laughs": name, "synth_laugh weight": weight or recipe.fit.stratum_weights["synth_laugh"],
               "left out: laughter rejected": float((s_laugh < 0).mean()),
               "left out: cries found": float((s_cry >= 0).mean()),
               "left out: laughter rejected at 96% of cries": float((s_laugh < np.quantile(s_cry, 0.04)).mean())}
        oof = np.zeros(len(y))
        for f in plan:
            m = fit(fc, recipe=r, train_clips=f.train, seed=f.seed, exclude_groups=f.exclude_groups)
            lo = clip_logits(m, fc, f.test)
            oof[f.test] = lo[:, 1] - lo[:, 0]
        right = (oof >= 0) == (y == 1)
        row |= {"balanced accuracy": float(0.5 * (right[y == 1].mean() + right[y == 0].mean())),
                "ROC AUC": float(roc_auc_score(y, oof))}
        row |= {c: float(right[cats == c].mean()) for c in ("cry", "laugh", "adult_laugh", "noise", "background")}
        row["laughter rejected at 96% of cries"] = float((oof[cats == "laugh"] < np.quantile(oof[y == 1], 0.04)).mean())
        print({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
        results.append(row)
    OUT.write_text(json.dumps({"per_cry": args.per_cry, "synthetic_laughs": len(windows),
                               "made_in_s": round(made_s, 1), "rows": results}, indent=1) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
