"""Probe (issue 19): do the sound-effects CNN's own classifier heads tell laughter from cries?

The aiSFX checkpoint the detector's encoder comes from also holds the heads it was pretrained with: one small MLP
per sound-effects library (9 libraries, 3-81 categories each, 378 in all; the category names are not shipped),
on the fourth block's max-pooled 512-d embedding.  The detector uses neither the fourth block nor these heads.
Here every clip (every cry, baby laugh and adult laugh of the manifest) is prepared as every model input is
(:func:`babycry.preprocess.prepare`), cut into 3 s windows (2 s hop), featurised as aiSFX was trained (44.1 kHz,
96 mel bands, natural pitch), run through the whole pretrained network; per window each head's log-softmax, per
clip their mean and max over windows (756 values).  Then grouped 5-fold CV (seed 0) of a class-balanced logistic
regression, cries against laughter, on the category posteriors alone and stacked on the bundled detector's
out-of-fold P(cry) (``cv_predictions.npz``, mean of its 3 seeds), as the voice and pitch probes did.  Each row:
ROC AUC, and baby / adult laughter rejected where 92% of cries are found.

    python benchmarks/detector_sfx_classes_probe.py

Writes benchmarks/results/detector_sfx_classes_probe.json (~10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
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
from babycry.modeling.sfx.feature_extraction import SfxFeatureExtractor
from babycry.modeling.sfx.network import SfxEncoder
from babycry.modeling.sfx.pretrained import aisfx_checkpoint, load_aisfx_encoder_state
from babycry.preprocess import prepare

ROOT = Path(__file__).resolve().parents[1]


def _pretrained_heads():
    """The encoder (four blocks) and the nine library heads of the aiSFX checkpoint."""
    import torch
    from torch import nn

    encoder = SfxEncoder(64)
    encoder.load_state_dict(load_aisfx_encoder_state())
    weights, libraries = torch.load(aisfx_checkpoint(), map_location="cpu", weights_only=False)
    heads = []
    for _name, (index, classes) in sorted(libraries.items(), key=lambda kv: int(kv[1][0])):
        head = nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, int(classes)))
        head.load_state_dict({k.split(".", 2)[2]: v for k, v in weights.items() if k.startswith(f"fc.{int(index)}.")})
        heads.append(head)
    return encoder.eval(), [h.eval() for h in heads], sorted(libraries, key=lambda n: int(libraries[n][0]))


def clip_features(paths: list[str], data: Path) -> np.ndarray:
    """Per clip: mean then max over its windows of every head's log-softmax."""
    import torch

    torch.set_num_threads(2)
    encoder, heads, _ = _pretrained_heads()
    extractor = SfxFeatureExtractor()
    length, hop = 48000, 32000  # 3 s windows, 2 s hop at 16 kHz
    rows = []
    for path in tqdm(paths, desc="aiSFX"):
        clip = audio.load(data / path, validate_audio=False)
        x = prepare(clip.samples, sample_rate=clip.sample_rate).astype(np.float32)
        if x.size < length:
            x = np.pad(x, (0, length - x.size))
        starts = range(0, x.size - length + 1, hop)
        windows = np.stack([x[s: s + length] for s in starts])
        with torch.no_grad():
            emb = encoder(torch.from_numpy(extractor(windows)["input_values"]))[:, :512]  # max over time, as trained
            post = torch.cat([torch.log_softmax(h(emb), dim=1) for h in heads], dim=1).numpy()
        rows.append(np.concatenate([post.mean(0), post.max(0)]))
    return np.asarray(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(ROOT / "assets" / "models" / "cry-detector"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_sfx_classes_probe.json"))
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
        features = clip_features(list(manifest.path), data)
        if args.cache:
            np.save(args.cache, features)
    pca16 = PCA(16, random_state=0).fit_transform(StandardScaler().fit_transform(features))  # unsupervised

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
        "category posteriors alone, C = 0.01": (features, 0.01),
        "category posteriors alone, C = 0.001": (features, 0.001),
        "detector + category posteriors, C = 0.01": (np.hstack([logit, features]), 0.01),
        "detector + category posteriors, C = 0.001": (np.hstack([logit, features]), 0.001),
        "detector + 16 principal components": (np.hstack([logit, pca16]), 0.1),
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
    result = {"clips": {c: int((labels == c).sum()) for c in ("laugh", "adult_laugh")} | {"cries": int(y.sum())},
              "folds": "StratifiedGroupKFold(5, shuffle, seed 0) on the manifest's groups", "rows": table}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
