"""Does the frozen sound-effects encoder tell cries from laughter better when it hears them higher in pitch?

A clip-level probe outside the training pipeline (as the one that chose the family, docs/experiments.md): every
detector clip's clean windows (``frame_windows``) through the pretrained aiSFX encoder in float32, with its mel
filters laid over ``scale · f`` (``SfxFeatureExtractor(frequency_scale=...)``: the window heard ``scale`` times
higher in pitch, at the same time resolution) and enough bands to keep babycry's 3.6 kHz band edge; each clip's
window embeddings (last block, third and second blocks' summaries, as the bundled detector) pooled as mean and
max; a category-balanced logistic regression (C = 0.01) on grouped 5-fold CV (seed 0). Speech and coughs are
subsampled to 300 clips each (both are rejected ≥ 0.99 by every variant; the encoder's cost is the probe's).

    python benchmarks/detector_zoom_probe.py [--data DIR] [--scales 1,1.5,2,3] [--cache DIR]
        [--one-pass 1,2,3] [--faster 2] [--combine 1+2,2+3]

Each scale takes ~6-8 minutes on one core (one process per scale with ``--only``), in one pass ~4; embeddings
are kept in ``--cache`` so the evaluation reruns in seconds.  ``--one-pass``: the same scales with each clip heard
by the encoder at once rather than in overlapping 3 s windows (what would cut the detector's cost per recording,
docs/performance.md); ``--faster``: the scale's windows also heard that many times faster (frames and hop that
many times longer: fewer frames to convolve); ``--combine``: two scales' embeddings side by side.
Writes ``benchmarks/results/detector_zoom_probe.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from babycry.audio import load
from babycry.config import AudioConfig, WindowConfig
from babycry.data import default_data_dir, grouped_folds, load_task
from babycry.modeling import build_feature_extractor, build_model, frame_windows
from babycry.preprocess import band_limit
from babycry.training.recipes import SfxDetectorRecipe

ROOT = Path(__file__).resolve().parents[1]
#: the lowest bands that hold babycry's 0-3.6 kHz at each scale (a multiple of 8, as the encoder halves three times)
BANDS = {1.0: 56, 1.5: 64, 2.0: 72, 3.0: 80}


def subset(table, *, per_category: int = 300, seed: int = 0) -> np.ndarray:
    """Row indices probed: every clip, but at most ``per_category`` speech and cough clips (seeded)."""
    rng = np.random.default_rng(seed)
    keep = np.ones(len(table), bool)
    for category in ("speech", "cough"):
        ids = np.flatnonzero(table.category.values == category)
        keep[rng.permutation(ids)[per_category:]] = False
    return np.flatnonzero(keep)


def embed(table, rows: np.ndarray, *, scale: float, one_pass: bool = False, time_scale: float = 1.0) -> np.ndarray:
    """Each clip's pooled (mean, max) window embeddings through the pretrained encoder at ``scale``: the bundled
    detector's feature and encoder settings (float32), only the scale and the bands it needs changed.

    With ``one_pass`` the encoder hears the whole band-limited clip at once (zero-padded to one window when
    shorter) and its embedding, the same statistics over the whole clip's maps, is the clip's: no overlapping
    windows, each second convolved once.  With ``time_scale`` the encoder's frames and hop are that many times
    longer: the window heard that many times faster (with ``scale`` equal to it, as a tape played at that speed),
    in that many times fewer frames."""
    torch.set_num_threads(1)
    model = SfxDetectorRecipe().model
    config = dataclasses.replace(model, frequency_scale=scale, input_bands=BANDS[scale],
                                 n_fft=round(model.n_fft * time_scale), hop_length=round(model.hop_length * time_scale))
    fe = build_feature_extractor(model_config=config)
    encoder = build_model(task="detector", model_config=config).encoder
    out, start = [], time.time()
    for k, i in enumerate(rows):
        audio = load(table.path.values[i], validate_audio=False)
        if one_pass:
            clip = band_limit(audio.samples, sample_rate=audio.sample_rate, config=AudioConfig())
            window = int(round(WindowConfig().window_seconds * audio.sample_rate))
            windows = np.pad(clip, (0, max(0, window - clip.size)))[None, :]
        else:
            windows, _ = frame_windows(audio.samples, sample_rate=audio.sample_rate)
        with torch.inference_mode():
            e = encoder(torch.as_tensor(fe(windows)["input_values"])).float().numpy()
        out.append(e[0] if one_pass else np.concatenate([e.mean(axis=0), e.max(axis=0)]))
        if k % 500 == 0:
            print(f"scale {scale:g}: {k}/{len(rows)} clips, {time.time() - start:.0f} s", flush=True)
    return np.stack(out)


def evaluate(x: np.ndarray, table) -> dict[str, object]:
    """Grouped 5-fold out-of-fold P(cry) of a category-balanced logistic regression, and what it gets right."""
    cat = table.category.values
    y = (cat == "cry").astype(int)
    groups = table.group.values.astype(str)
    weights = np.zeros(len(y))
    others = len(np.unique(cat)) - 1
    for c in np.unique(cat):  # cries half the weight, each not-cry category the same share of the rest
        weights[cat == c] = (1.0 if c == "cry" else 1.0 / others) / (cat == c).sum()
    p = np.zeros(len(y))
    for train, test in grouped_folds(y, groups, n_splits=5, seed=0):
        scaler = StandardScaler().fit(x[train])
        head = LogisticRegression(C=0.01, max_iter=3000)
        head.fit(scaler.transform(x[train]), y[train], sample_weight=weights[train] * len(train))
        p[test] = head.predict_proba(scaler.transform(x[test]))[:, 1]
    other_cries = (cat == "cry") & (table.source.values != "donateacry")
    audioset = (cat == "laugh") & (table.source.values == "audioset")
    at92 = float(np.quantile(p[y == 1], 0.08))  # the threshold where 92% of cries are found
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "right_at_0.5": {c: round(float(((p[cat == c] >= 0.5) == (c == "cry")).mean()), 3) for c in np.unique(cat)}
        | {"other-recording cries": round(float((p[other_cries] >= 0.5).mean()), 3)},
        "right_at_92pct_of_cries": {c: round(float((p[cat == c] < at92).mean()), 3)
                                    for c in ("laugh", "adult_laugh", "noise", "background")}
        | {"audioset laughter": round(float((p[audioset] < at92).mean()), 3),
           "other-recording cries": round(float((p[other_cries] >= at92).mean()), 3)},
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_dir()))
    p.add_argument("--scales", default="1,1.5,2,3")
    p.add_argument("--only", type=float, default=None,
                   help="embed this one scale's variants (windowed, and those asked for below) into --cache and stop")
    p.add_argument("--faster", default="",
                   help="these scales (e.g. '2') also heard that many times faster: frames and hop that much longer")
    p.add_argument("--combine", default="",
                   help="also the embeddings of several scales side by side, e.g. '1+2,2+3' (scales among --scales)")
    p.add_argument("--one-pass", default="",
                   help="these scales (e.g. '1,2,3') also with each clip through the encoder at once instead of in "
                        "windows")
    p.add_argument("--cache", default=str(ROOT / "artifacts" / "zoom_probe"))
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_zoom_probe.json"))
    args = p.parse_args()
    table = load_task(args.data, task="detector").table.reset_index(drop=True)
    rows = subset(table)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    scales = [args.only] if args.only is not None else [float(s) for s in args.scales.split(",")]
    one_pass, faster = ({float(x) for x in filter(None, arg.split(","))} for arg in (args.one_pass, args.faster))
    variants = []  # (name, cache file, scale, embed() options): each scale windowed, and the extras asked for
    # the cache files name the window settings too: embeddings of other windows (the 1.5 s hop before 2026-11-28)
    # are never read back as these
    window = WindowConfig()
    framing = f"_w{window.window_seconds:g}_h{window.hop_seconds:g}"
    for scale in scales:
        base = f"scale {scale:g} ({BANDS[scale]} bands)"
        variants.append((base, f"scale_{scale:g}", scale, {}))
        if scale in one_pass:
            variants.append((f"{base}, one pass", f"scale_{scale:g}_one_pass", scale, {"one_pass": True}))
        if scale in faster:
            variants.append((f"{base}, {scale:g} times faster", f"scale_{scale:g}_faster", scale,
                             {"time_scale": scale}))
    embeddings = {}
    for name, stem, scale, options in variants:
        path = cache / f"{stem}{framing}.npy"
        if not path.exists():
            np.save(path, embed(table, rows, scale=scale, **options))
        embeddings[name] = np.load(path)
    if args.only is not None:
        return 0
    probed = table.iloc[rows].reset_index(drop=True)
    report = {"clips": len(rows), "categories": probed.category.value_counts().to_dict(), "variants": {}}
    windowed = {scale: embeddings[name] for name, _, scale, options in variants if not options}
    for combo in filter(None, args.combine.split(",")):
        parts = [float(s) for s in combo.split("+")]
        name = "scales " + " + ".join(f"{s:g}" for s in parts) + " side by side"
        embeddings[name] = np.concatenate([windowed[s] for s in parts], axis=1)
    for name, x in embeddings.items():
        report["variants"][name] = result = evaluate(x, probed)
        print(f"{name}: {json.dumps(result)}", flush=True)
    out = Path(args.out)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
