"""Does a recording's noise floor keep cries of a source never heard from being found?  A probe (issue 19).

Every detector clip is sent through a spectral-gate denoiser (``noisereduce``, stationary or not; ``pip install
noisereduce``: not a project dependency), band-limited again, and its windows embedded by the bundled recipe's int8
encoder. The head of each probe fit also reads those denoised clips, pooled as one more recording each at
``share`` of its weight (the other parts give that share up), like the recipe's coded copies: taught that a cry
(or a not-cry) may come with any floor, the head might stop reading Donate-a-Cry's phone floors as "cry". ``all``
pools every training clip's denoised copy; ``cries`` only the cries' (the not-cries' clean clips pooled again for
balance). Each fit is a grouped fold of seed 0 (folds 0 and 1) with ESC-50's cries left out whole, as
``make bench-unseen`` leaves a source out: P(cry) at 0.5 uncalibrated, the ESC-50 cries found and their ROC AUC
against the fold's not-cries, and the fold's own figures. Needs the bundled recipe's window cache (``make
train-detector``); the denoised embeddings take ~2 min per denoiser. Writes
``benchmarks/results/detector_denoise_probe.json``.

    python benchmarks/detector_denoise_probe.py [--data DIR]
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

import babycry.training.fit as fitting
from babycry.data import default_data_dir, load_task
from babycry.modeling import build_feature_extractor, frame_windows
from babycry.preprocess import limit_band
from babycry.training.cache import build_cache, clean_windows
from babycry.training.cv import fold_plan
from babycry.training.recipes import recipe_for

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "detector_denoise_probe.json"
VARIANTS = [("none", 0.0, "all"), ("non-stationary", 0.2, "all"), ("non-stationary", 0.2, "cries"),
            ("non-stationary", 0.4, "all"), ("stationary", 0.2, "all"), ("stationary", 0.4, "all")]
WORKER: dict = {}


def _init(recipe, graph, paths, stationary) -> None:
    import torch

    from babycry.modeling.sfx.quantized import Int8Encoder

    torch.set_num_threads(1)
    WORKER.update(recipe=recipe, paths=paths, stationary=stationary, encoder=Int8Encoder(graph),
                  extractor=build_feature_extractor(model_config=recipe.model))


def _denoised_embedding(clip: int) -> np.ndarray:
    import noisereduce

    recipe, audio = WORKER["recipe"], WORKER["recipe"].audio
    x, _ = clean_windows(WORKER["paths"][clip], recipe=recipe)
    z = noisereduce.reduce_noise(y=x.astype(np.float32), sr=audio.sample_rate, stationary=WORKER["stationary"],
                                 n_jobs=1)
    z = limit_band(np.asarray(z, np.float32), sample_rate=audio.sample_rate, config=audio)
    windows, _ = frame_windows(z, sample_rate=audio.sample_rate, window=recipe.window, audio_config=audio,
                               band_limited=True)
    features = WORKER["extractor"](np.stack(windows), return_tensors="pt")["input_values"].numpy()
    return WORKER["encoder"].embed(features)


def denoised(data, cache, recipe, *, stationary: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each clip's denoised windows' embeddings and their clip ids."""
    paths = data.table["path"].to_numpy()
    with ProcessPoolExecutor(2, initializer=_init, initargs=(recipe, cache.encoder_graph, paths, stationary)) as ex:
        emb = list(ex.map(_denoised_embedding, range(len(paths)), chunksize=16))
    return np.concatenate([[c] * len(e) for c, e in enumerate(emb)]), np.vstack(emb)


def with_denoised(clips: np.ndarray, emb: np.ndarray, *, share: float, mode: str):
    """``fit._recording_items`` plus the training clips' denoised copies pooled at ``share``."""
    original = fitting._recording_items

    def items(cache, rows, *, recipe):
        x, y, w = original(cache, rows, recipe=recipe)
        index = cache.index.iloc[rows]
        clean = index[index["kind"] == "clean"].drop_duplicates("clip").set_index("clip")
        keep = np.isin(clips, clean.index[(clean["y"] == 1) | (mode == "all")].to_numpy())
        ids, pooled = fitting.pool_clips(emb[keep], clips[keep])
        if mode == "cries":
            not_cry = np.flatnonzero((index["kind"] == "clean").to_numpy() & (index["y"] == 0).to_numpy())
            more, more_pooled = fitting.pool_clips(cache.features[rows[not_cry]], index["clip"].to_numpy()[not_cry])
            ids, pooled = np.r_[ids, more], np.vstack([pooled, more_pooled])
        meta = clean.loc[ids]
        extra = fitting.sampling_weights(meta[["y", "stratum"]].reset_index(drop=True),
                                         stratum_weights=recipe.fit.stratum_weights) * share
        return np.vstack([x, pooled]), np.r_[y, meta["y"].to_numpy()], np.r_[w * (1.0 - share), extra]

    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    args = parser.parse_args()
    recipe = recipe_for("detector").replace(progress=False)
    data = load_task(args.data, task="detector")
    cache = build_cache(data, recipe=recipe)
    table, y, groups = data.table, data.y, data.groups.astype(str)
    cats = table["category"].astype(str).to_numpy()
    held = np.flatnonzero((table["source"].astype(str).to_numpy() == "esc") & (y == 1))
    banks = {name: denoised(data, cache, recipe, stationary=name == "stationary")
             for name in {v[0] for v in VARIANTS} - {"none"}}
    original = fitting._recording_items
    folds = [f for f in fold_plan(data, recipe=recipe, folds=5, seeds=1)][:2]
    rows = []
    for name, share, mode in VARIANTS:
        fitting._recording_items = original if name == "none" else with_denoised(*banks[name], share=share, mode=mode)
        for f in folds:
            test, train = np.setdiff1d(f.test, held), np.setdiff1d(f.train, held)
            model = fitting.fit(cache, recipe=recipe, train_clips=train, seed=f.seed,
                                exclude_groups=set(f.exclude_groups) | set(groups[held]))
            p_held, p_test = (1 / (1 + np.exp(-np.diff(fitting.clip_logits(model, cache, c), axis=1)[:, 0]))
                              for c in (held, test))
            right = pd.Series((p_test >= 0.5) == (y[test] == 1)).groupby(cats[test]).mean().round(3)
            rows.append({"denoiser": name, "share": share, "pooled": mode, "fold": f.fold,
                         "esc_cries_found": round(float(np.mean(p_held >= 0.5)), 3),
                         "esc_cries_auc": round(float(roc_auc_score(
                             np.r_[np.ones(held.size), np.zeros((y[test] == 0).sum())],
                             np.r_[p_held, p_test[y[test] == 0]])), 3),
                         "fold_balanced_accuracy": round(float(np.mean(
                             [np.mean((p_test >= 0.5)[y[test] == c] == c) for c in (0, 1)])), 3),
                         "fold_auc": round(float(roc_auc_score(y[test], p_test)), 4)} | right.to_dict())
            print(rows[-1], flush=True)
    fitting._recording_items = original
    print(pd.DataFrame(rows).to_string(index=False))
    OUT.write_text(json.dumps({"data": Path(args.data).name, "held_out_source": "ESC-50 cries",
                               "esc_cries": int(held.size), "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
