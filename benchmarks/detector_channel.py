"""How the detector meets a room's echo and an overloaded microphone, out of fold (issue 19).

Each grouped fold's head (the recipe of ``--model``, by default the bundled checkpoint; ``babycry cv``'s folds,
``--seeds`` seeds) scores its held-out cries, baby and adult laughs, household background and ESC-50 noise as
recorded, reverberated (a room ringing for ``--rt60`` seconds, the phone 0-6 dB above the echo: a metre or three
from the baby) and clipped (the wave cut at 30% or 10% of its peak, or driven into a tanh saturation). The
evaluation's rooms and distortions come from other models than training's ``room_reverb`` and ``clipping`` (a few
discrete early reflections and a white exponential tail, against training's frequency-dependent diffuse tail; a
clip level set from the peak, against a share of the samples) and from draws of their own. The same folds are also
fitted without the recipe's reverberant or clipped training windows (the cache's ``*_room`` or ``*_clipped`` rows
left out; every other window is the same). Uses that recipe's window cache (``make train-detector`` builds it);
writes ``benchmarks/results/detector_channel.json``.

    python benchmarks/detector_channel.py [--data DIR] [--seeds 1] [--rt60 0.4 0.8] [--model DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy import signal

from babycry.data import default_data_dir, load_task
from babycry.modeling import DEFAULT_DETECTOR_DIR, build_feature_extractor, frame_windows
from babycry.modeling.sfx.quantized import Int8Encoder
from babycry.preprocess import band_limit
from babycry.training.cache import FeatureCache, build_cache, checkpoint_int8_graph, clean_windows
from babycry.training.cv import fold_plan
from babycry.training.fit import clip_logits, fit
from babycry.training.recipes import checkpoint_recipe

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "detector_channel.json"
CATEGORIES = ("cry", "laugh", "adult_laugh", "background", "noise")


def evaluation_room(rng: np.random.Generator, *, rt60_s: float, drr_db: float, sample_rate: int) -> np.ndarray:
    """Direct sound, 4-8 early reflections 2-25 ms later, then a white tail decaying 60 dB in ``rt60_s``; the
    reflections and tail together ``drr_db`` below the direct sound."""
    n = int(rt60_s * sample_rate * 1.2)
    h = np.zeros(n)
    for _ in range(int(rng.integers(4, 9))):
        h[int(rng.uniform(0.002, 0.025) * sample_rate)] += rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 0.8)
    start = int(0.025 * sample_rate)
    t = np.arange(n - start) / sample_rate
    h[start:] += rng.standard_normal(n - start) * np.exp(-np.log(1000.0) * t / rt60_s) * 0.3
    h *= np.sqrt(10.0 ** (-drr_db / 10.0) / np.sum(h**2))
    h[0] = 1.0
    return h


def distortions() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """The evaluation's overloaded microphones: hard clipping at a share of the peak, and a tanh saturation."""
    def clip_at(share: float) -> Callable[[np.ndarray], np.ndarray]:
        return lambda x: np.clip(x, -share * np.max(np.abs(x)), share * np.max(np.abs(x)))

    return {"clipped at 30% of the peak": clip_at(0.3), "clipped at 10% of the peak": clip_at(0.1),
            "saturated (tanh, drive 8)": lambda x: np.tanh(8.0 * x / (np.max(np.abs(x)) + 1e-12))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR),
                        help="a detector checkpoint: its training.json recipe is the one refitted per fold")
    parser.add_argument("--out", default=str(OUT), help="default: benchmarks/results/detector_channel.json")
    parser.add_argument("--rt60", type=float, nargs="+", default=[0.4, 0.8])
    args = parser.parse_args()
    data = load_task(args.data, task="detector")
    recipe = checkpoint_recipe(args.model).replace(progress=False)
    cache = build_cache(data, recipe=recipe, int8_graph=checkpoint_int8_graph(args.model))
    sr = recipe.audio.sample_rate
    heads = {"bundled": cache}
    for kind, name in (("_room", "without the reverberant training windows"),
                       ("_clipped", "without the clipped training windows")):
        rows_of = cache.index["kind"].str.endswith(kind).to_numpy()
        if rows_of.any():
            heads[name] = FeatureCache(features=np.asarray(cache.features)[~rows_of],
                                       index=cache.index[~rows_of].reset_index(drop=True),
                                       encoder_graph=cache.encoder_graph)
    cats = data.table["category"].to_numpy().astype(str)
    clips = np.flatnonzero(np.isin(cats, CATEGORIES))
    encoder, extractor = Int8Encoder(cache.encoder_graph), build_feature_extractor(model_config=recipe.model)
    paths = data.table["path"].to_numpy()
    warps = {f"room {rt:g} s": rt for rt in args.rt60} | distortions()
    heard: dict[str, dict[int, np.ndarray]] = {name: {} for name in warps}
    for c in clips:
        x, _ = clean_windows(paths[c], recipe=recipe)
        for name, warp in warps.items():
            if callable(warp):
                z = band_limit(warp(x).astype(np.float32), sample_rate=sr, config=recipe.audio)
            else:
                rng = np.random.default_rng([2026, int(c), int(round(warp * 1000))])
                h = evaluation_room(rng, rt60_s=warp, drr_db=float(rng.uniform(0.0, 6.0)), sample_rate=sr)
                z = signal.fftconvolve(x, h)[: x.size]
            windows, _ = frame_windows(z, sample_rate=sr, window=recipe.window, audio_config=recipe.audio,
                                       band_limited=True)
            features = extractor(np.stack(windows), return_tensors="pt")["input_values"].numpy()
            heard[name][int(c)] = encoder.embed(features)
    y = data.y
    rows = []
    for name, fc in heads.items():
        # several seeds: the mean of their logits (every clip of these categories is held out once per seed)
        scores = {"as recorded": np.zeros(y.size)} | {w: np.zeros(y.size) for w in warps}
        k = 1.0 / args.seeds
        for f in fold_plan(data, recipe=recipe, folds=recipe.cv.folds, seeds=args.seeds):
            model = fit(fc, recipe=recipe, train_clips=f.train, seed=f.seed, exclude_groups=f.exclude_groups)
            test = f.test[np.isin(cats[f.test], CATEGORIES)]
            lo = clip_logits(model, fc, test)
            scores["as recorded"][test] += k * (lo[:, 1] - lo[:, 0])
            with torch.inference_mode():
                for w in warps:
                    for c in test:
                        r = model.recording_logits_from_embeddings(torch.as_tensor(heard[w][int(c)])).numpy()
                        scores[w][c] += k * (r[1] - r[0])
        for cat in CATEGORIES:
            idx = np.flatnonzero(cats == cat)
            row = {"head": name, "category": cat, "clips": int(idx.size)}
            row |= {key: round(float(((s[idx] >= 0) == (y[idx] == 1)).mean()), 3) for key, s in scores.items()}
            rows.append(row)
    table = pd.DataFrame(rows)
    print("share right (cries called cries, the rest rejected), out of fold, P(cry) at 0.5 uncalibrated:")
    print(table.to_string(index=False, max_colwidth=44))
    Path(args.out).write_text(json.dumps({"data": Path(args.data).name, "seeds": args.seeds, "rt60_s": args.rt60,
                                          "drr_db": [0.0, 6.0], "distortions": list(distortions()), "rows": rows},
                                         indent=1) + "\n")


if __name__ == "__main__":
    main()
