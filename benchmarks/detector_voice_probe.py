"""Probe (issue 19, not kept): do two other pretrained voice models shipped in PyPI wheels tell laughter from cries?

* Silero VAD 6.2.3 (MIT, ``silero_vad/data/silero_vad.jit`` in its wheel): speech probability per 32 ms frame;
  per clip its mean, max, standard deviation, share above 0.5 and median.
* Resemblyzer 0.1.4 (Apache-2.0, ``resemblyzer/pretrained.pt`` in its wheel): a 256-d voice (speaker) embedding.

Each clip (every cry, baby laugh and adult laugh of the manifest) is prepared as every model input is
(:func:`babycry.preprocess.prepare`: 3.6 kHz band limit, loudness).  Then grouped 5-fold CV (seed 0, the
manifest's groups) of a class-balanced logistic regression, cries against laughter, on the new features alone and
stacked on the bundled detector's out-of-fold P(cry) (``cv_predictions.npz``, mean of its 3 seeds).  Stacking reads
out-of-fold scores of other folds' models, so it flatters a little; the reference row goes through the same stacker.
Each row: ROC AUC and the share of baby / adult laughter rejected where 92% of cries are found; for the reference
and "detector + VAD statistics", the same per label and source (which recordings move).

Neither package is a dependency of babycry (and Resemblyzer imports webrtcvad, a C extension, for a silence trimmer
not used here): unpack their wheels and point the script at them::

    pip download --no-deps silero-vad==6.2.3 resemblyzer==0.1.4 -d /tmp/whl
    unzip /tmp/whl/silero_vad-*.whl -d /tmp/silero && unzip /tmp/whl/Resemblyzer-*.whl -d /tmp/resem
    python benchmarks/detector_voice_probe.py --silero /tmp/silero --resemblyzer /tmp/resem

Writes benchmarks/results/detector_voice_probe.json (~4 minutes).
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

from babycry import audio
from babycry.calibration import softmax
from babycry.data import default_data_dir
from babycry.preprocess import prepare

ROOT = Path(__file__).resolve().parents[1]
VAD_STATS = ("mean", "max", "std", "share_above_0.5", "median")


def clip_features(paths: list[str], data: Path, *, silero: Path, resemblyzer: Path) -> np.ndarray:
    """Per clip: the five VAD statistics then the 256-d Resemblyzer embedding."""
    import torch

    sys.path.insert(0, str(resemblyzer))
    sys.modules.setdefault("webrtcvad", types.ModuleType("webrtcvad"))  # only its silence trimmer uses it
    from resemblyzer import VoiceEncoder

    torch.set_num_threads(1)
    vad = torch.jit.load(str(silero / "silero_vad" / "data" / "silero_vad.jit"))
    encoder = VoiceEncoder("cpu", verbose=False)
    rows = []
    for path in paths:
        clip = audio.load(data / path, validate_audio=False)
        x = prepare(clip.samples, sample_rate=clip.sample_rate)
        x = (x / max(1e-6, float(np.abs(x).max())) * 0.5).astype(np.float32)
        vad.reset_states()
        with torch.no_grad():
            p = vad.audio_forward(torch.from_numpy(x)[None], 16000).numpy().ravel()
        stats = [p.mean(), p.max(), p.std(), (p > 0.5).mean(), np.median(p)]
        rows.append(np.concatenate([stats, encoder.embed_utterance(x)]))
    return np.asarray(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--silero", required=True, type=Path, help="the unpacked silero-vad wheel")
    parser.add_argument("--resemblyzer", required=True, type=Path, help="the unpacked Resemblyzer wheel")
    parser.add_argument("--model", default=str(ROOT / "assets" / "models" / "cry-detector"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_voice_probe.json"))
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

    features = clip_features(list(manifest.path), data, silero=args.silero, resemblyzer=args.resemblyzer)
    vad, voice = features[:, : len(VAD_STATS)], features[:, len(VAD_STATS):]
    voice_pca8 = PCA(8, random_state=0).fit_transform(StandardScaler().fit_transform(voice))  # unsupervised

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
        "VAD statistics alone": (vad, 0.1),
        "Resemblyzer embedding alone": (voice, 0.01),
        "detector + VAD statistics": (np.hstack([logit, vad]), 0.1),
        "detector + Resemblyzer embedding": (np.hstack([logit, voice]), 0.01),
        "detector + Resemblyzer, 8 principal components": (np.hstack([logit, voice_pca8]), 0.1),
        "detector + VAD + Resemblyzer, 8 components": (np.hstack([logit, vad, voice_pca8]), 0.1),
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
               "rejected_at_92pct_cries": rejected_at_92(score)}
        if name in ("the same through the stacker (reference)", "detector + VAD statistics"):
            row["right_at_92pct_cries_per_source"] = per_source(score)
            print(name, row["right_at_92pct_cries_per_source"])
        table.append(row)
        print(f"{name:50s} AUC {row['roc_auc']:.4f}  rejected at 92% of cries {row['rejected_at_92pct_cries']}")
    per_stat = {s: round(float(roc_auc_score(y, vad[:, i])), 3) for i, s in enumerate(VAD_STATS)}
    print("ROC AUC of each VAD statistic alone (cries high):", per_stat)
    vad_mean = {f"{label}/{source}": round(float(vad[(labels == label) & (sources == source), 0].mean()), 3)
                for label, source in sorted(set(zip(labels, sources, strict=True)))}
    print("mean speech probability per label and source:", vad_mean)
    result = {"clips": {c: int((labels == c).sum()) for c in ("laugh", "adult_laugh")} | {"cries": int(y.sum())},
              "folds": "StratifiedGroupKFold(5, shuffle, seed 0) on the manifest's groups",
              "vad_statistic_auc": per_stat, "vad_mean_per_source": vad_mean, "rows": table}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
