"""Does anything on top of the frozen sound-effects embedding separate laughter from cries better? (issue 19)

Three probes on the detector's clips, grouped 5-fold CV (the recipe's seed), recall per category at P(cry) 0.5
and baby / adult laughter and noise rejected where 92% of cries are found; P(cry) out of fold:

1. **more of each window** beside the shipped head's input (each clip's clean-window embeddings, mean and max),
   category-balanced logistic regression (C = 0.01) on clean clips: (a) rhythm statistics of the window's level
   (10 ms frames: active share, bursts per second, burst and gap lengths, level spread, the level's modulation
   spectrum in 7 bands from 0.3 to 14 Hz: laughter's 4-6 syllables per second); (b) the encoder's frame sequence
   before it is pooled over time (each map's standard deviation and mean absolute step over its 16 frames);
   (c) the last block's maps averaged over time per frequency band (8 bands × 512 maps) instead of over frequency;
2. **nonlinear heads** on the same clean-clip input (+ b): RBF SVM on 256 principal components, an MLP, gradient
   boosting on 64 components;
3. **the shipped training set** (clean clips pooled + augmented windows at 20% of the weight,
   ``babycry.training.fit._recording_items``): the shipped logistic regression against RBF SVMs.

The cache is the recipe's with every one of the 96 mel bands (``model.input_bands=96``, the recipe of these
runs).  Writes ``benchmarks/results/detector_heads_probe.json``.  About 25 minutes on 2 cores with the cache built.

    python benchmarks/detector_heads_probe.py [--data DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
from detector_pooling import category_weights
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from babycry.audio import load as load_audio
from babycry.data import default_data_dir, load_task
from babycry.modeling.windows import frame_windows
from babycry.preprocess import band_limit
from babycry.training.cache import build_cache
from babycry.training.cv import _folds_of
from babycry.training.fit import _recording_items, pool_clips, training_rows
from babycry.training.recipes import recipe_for

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "detector_heads_probe.json"
REPORTED = ["cry", "laugh", "adult_laugh", "noise", "background", "cough", "speech", "silence"]


def rhythm(w: np.ndarray, sr: int) -> np.ndarray:
    """17 statistics of a window's level over 20 ms frames every 10 ms."""
    hop, frame = sr // 100, sr // 50
    f = np.lib.stride_tricks.sliding_window_view(w, frame)[::hop]
    e = 10 * np.log10((f.astype(np.float64) ** 2).mean(1) + 1e-10)
    act = e > np.percentile(e, 98) - 15
    d = np.diff(np.r_[0, act.astype(int), 0])
    st, en = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    runs = (en - st) * hop / sr
    gaps = (st[1:] - en[:-1]) * hop / sr if st.size > 1 else np.zeros(1)
    env = np.clip(e - e.mean(), -40, None)
    env = env - env.mean()
    spec = np.abs(np.fft.rfft(env * np.hanning(env.size))) ** 2
    fr = np.fft.rfftfreq(env.size, hop / sr)
    edges = [0.3, 1, 2, 3, 4.5, 6.5, 9, 14]
    bands = np.array([spec[(fr >= a) & (fr < b)].sum() for a, b in zip(edges[:-1], edges[1:])])
    stats = [act.mean(), st.size / (w.size / sr), np.median(runs), runs.max(), (runs < 0.25).mean(), np.median(gaps),
             e.std(), np.abs(np.diff(e)).mean(), np.percentile(e, 90) - np.percentile(e, 10), fr[1:][np.argmax(spec[1:])]]
    return np.r_[stats, np.log(bands / (bands.sum() + 1e-12) + 1e-6)].astype(np.float32)


def window_extras(data, recipe) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per clean window (in the cache's order): rhythm, frame-sequence statistics, band maps; and its clip."""
    import torch

    from babycry.modeling.sfx import SfxFeatureExtractor
    from babycry.modeling.sfx.network import SfxEncoder
    from babycry.modeling.sfx.pretrained import load_aisfx_encoder_state

    encoder = SfxEncoder(64)
    encoder.load_state_dict(load_aisfx_encoder_state())
    encoder = encoder.eval().to(torch.bfloat16)
    extractor = SfxFeatureExtractor()  # every band, as the cache's encoder saw them
    audio, sr = recipe.audio, recipe.audio.sample_rate
    rhythms, seqs, bands, clips = [], [], [], []
    for clip, path in enumerate(data.table["path"]):
        x = band_limit(load_audio(path, config=audio, validate_audio=False).samples, sample_rate=sr,
                       cutoff_hz=audio.band_limit_hz)
        windows, _ = frame_windows(x, sample_rate=sr, window=recipe.window, audio_config=audio, band_limited=True)
        with torch.inference_mode():
            h = extractor(windows, return_tensors="pt")["input_values"].to(torch.bfloat16)
            h = h.unsqueeze(1).contiguous(memory_format=torch.channels_last)
            for i, pool in enumerate([(2, 2), (2, 2), (2, 2), (1, 1)]):
                h = getattr(encoder, f"conv_block{i + 1}")(h, pool)
            h = h.float()  # (n, 512, frames, bands)
            seq = h.mean(dim=3)
            seqs.append(torch.cat([seq.std(dim=2), (seq[:, :, 1:] - seq[:, :, :-1]).abs().mean(dim=2)], 1).numpy())
            bands.append(h.mean(dim=2)[:, :, :8].reshape(len(windows), -1).numpy())
        rhythms.extend(rhythm(w, sr) for w in windows)
        clips.extend([clip] * len(windows))
    return np.stack(rhythms), np.concatenate(seqs), np.concatenate(bands), np.array(clips)


def pooled(x: np.ndarray, clips: np.ndarray, *, with_max: bool) -> np.ndarray:
    order, both = pool_clips(x, clips)
    return both if with_max else both[:, : x.shape[1]]


def scores(name: str, p: np.ndarray, y: np.ndarray, cats: np.ndarray) -> dict:
    right = (p >= 0.5) == (y == 1)
    t92 = np.quantile(p[y == 1], 0.08)  # 92% of cries at or above it
    row = {"variant": name, "balanced_accuracy": round(float(0.5 * (right[y == 1].mean() + right[y == 0].mean())), 4),
           "roc_auc": round(float(roc_auc_score(y, p)), 4),
           **{k: round(float(right[cats == k].mean()), 3) for k in REPORTED if (cats == k).any()},
           **{f"{k}_at_92pct_cries": round(float((p[cats == k] < t92).mean()), 3) for k in ("laugh", "adult_laugh", "noise")}}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    args = parser.parse_args()
    data = load_task(args.data, task="detector")
    recipe = recipe_for("detector").replace(progress=False)
    recipe = dataclasses.replace(recipe, model=dataclasses.replace(recipe.model, input_bands=96))
    cache = build_cache(data, recipe=recipe)
    n, y, cats, groups = len(data), data.y, data.table["category"].to_numpy().astype(str), data.groups
    index = cache.index
    clean = np.flatnonzero(index["kind"].to_numpy() == "clean")
    base = pooled(np.asarray(cache.features[clean], np.float32), index["clip"].to_numpy()[clean], with_max=True)
    rhy, seq, band, clips = window_extras(data, recipe)
    if not np.array_equal(clips, index["clip"].to_numpy()[clean]):
        raise SystemExit("the clean windows are not the cache's")
    rhy, seq, band = pooled(rhy, clips, with_max=True), pooled(seq, clips, with_max=False), pooled(band, clips,
                                                                                                   with_max=False)
    folds = _folds_of(y, groups, folds=recipe.cv.folds, seed=recipe.seed, split="grouped")

    def oof(x: np.ndarray, make, *, pca: int | None = None) -> np.ndarray:
        p = np.zeros(n)
        for train, test in folds:
            mu, sd = x[train].mean(0), x[train].std(0) + 1e-8
            a, b = (x[train] - mu) / sd, (x[test] - mu) / sd
            if pca:
                pc = PCA(pca, random_state=0).fit(a)
                a, b = pc.transform(a), pc.transform(b)
            head = make().fit(a, y[train], sample_weight=category_weights(cats[train]))
            p[test] = head.predict_proba(b)[:, 1] if hasattr(head, "predict_proba") else 1 / (
                1 + np.exp(-head.decision_function(b)))
        return p

    def lr(c: float):
        return lambda: LogisticRegression(C=c, max_iter=4000)

    rows = [scores(name, oof(x, make, pca=pca), y, cats) for name, x, make, pca in [
        ("clean clips: embedding mean + max (LR)", base, lr(0.01), None),
        ("rhythm statistics alone (LR, C = 0.1)", rhy, lr(0.1), None),
        ("+ rhythm statistics", np.c_[base, rhy], lr(0.01), None),
        ("+ frame-sequence statistics", np.c_[base, seq], lr(0.01), None),
        ("+ frame-sequence statistics, C = 0.003", np.c_[base, seq], lr(0.003), None),
        ("+ frame-sequence and rhythm statistics", np.c_[base, seq, rhy], lr(0.01), None),
        ("+ maps per frequency band", np.c_[base, band], lr(0.01), None),
        ("+ frame-sequence statistics: RBF SVM, C = 1", np.c_[base, seq], lambda: SVC(C=1.0), 256),
        ("+ frame-sequence statistics: RBF SVM, C = 3", np.c_[base, seq], lambda: SVC(C=3.0), 256),
        ("+ frame-sequence statistics: RBF SVM, C = 10", np.c_[base, seq], lambda: SVC(C=10.0), 256),
        ("+ frame-sequence statistics: MLP 256, alpha = 1", np.c_[base, seq],
         lambda: MLPClassifier((256,), alpha=1.0, max_iter=300, random_state=0), 256),
        ("+ frame-sequence statistics: gradient boosting", np.c_[base, seq],
         lambda: HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=0), 64),
    ]]
    # 3. the shipped training set: pooled clean clips + every augmented window at augmented_share of the weight
    shipped = {"shipped training set: LR, C = 0.01 (the shipped head)": None, "shipped training set: RBF SVM, C = 1": 1.0,
               "shipped training set: RBF SVM, C = 3": 3.0}
    p_all = {k: np.zeros(n) for k in shipped}
    for train, test in folds:
        rows_ = training_rows(index, train_clips=train, exclude_groups=set(groups[test].tolist()))
        x, yy, w = _recording_items(cache, rows_, recipe=recipe)
        w = w * w.size / w.sum()
        mu = np.average(x, axis=0, weights=w)
        sd = np.sqrt(np.average((x - mu) ** 2, axis=0, weights=w))
        sd[sd < 1e-8] = 1.0
        a, b = (x - mu) / sd, (base[test] - mu) / sd
        pc = PCA(256, random_state=0).fit(a)
        for k, c in shipped.items():
            if c is None:
                p_all[k][test] = LogisticRegression(C=0.01, max_iter=5000).fit(a, yy, sample_weight=w).predict_proba(b)[:, 1]
            else:
                svm = SVC(C=c).fit(pc.transform(a), yy, sample_weight=w)
                p_all[k][test] = 1 / (1 + np.exp(-svm.decision_function(pc.transform(b))))
    rows += [scores(k, p, y, cats) for k, p in p_all.items()]
    OUT.write_text(json.dumps({"data": Path(args.data).name, "clips": n, "folds": recipe.cv.folds, "seed": recipe.seed,
                               "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
