"""The reason models side by side: one grouped table (5 folds x 3 seeds, family-bootstrap intervals) + the leaky split.

Rows (issue 16; a row not built is listed as such in the output, not silently dropped):

- majority baseline: always the most frequent reason, the class prior as probabilities;
- hand-crafted features + logistic regression: MFCC (20, with deltas), spectral centroid / bandwidth / roll-off /
  flatness / zero-crossing rate (mean and spread) and F0 statistics (YIN, 150-1000 Hz) of each clip;
- a VGG-style CNN on MFCCs, trained from scratch per fold (``reason_rows.vgg_mfcc_oof``);
- frozen pretrained sound-effects CNN (aiSFX, from its PyPI wheel) + logistic-regression head: the detector's own
  encoder, so this row is also "initialised from the detector" (``babycry cv --task reason --family sfx``);
- the same frozen embedding + a small DNN (one hidden layer of 128): the stand-in for the origin's YAMNet-fed DNN,
  whose weights cannot be fetched here (``reason_rows.embedding_dnn_oof``);
- compact AST from scratch: the bundled reason model's stored out-of-fold logits (``cv_predictions.npz``);
- the same AST recipe with its encoder initialised from ``babycry pretrain`` (``make pretrain``; masked-patch
  reconstruction on audio from families with no reason label);
- the same recipe at the compact-AST detector's size, its encoder initialised from that detector
  (``make ast-detector``), and the clean version of it: per grouped fold, a detector fitted without the fold's
  test families (``fold_detector_oof``; grouped split only, ~12 min).

Every row goes through the same :func:`babycry.evaluation.report.cv_report` (temperature + per-class bias
calibration cross-fitted across folds, family bootstrap), on the same folds (``grouped_folds`` /
``random_folds`` with seeds 0..2). Writes ``benchmarks/results/compare_reasons.json``, the Markdown table
``docs/comparison.md`` and the same table in the reason model's card (``assets/models/cry-reason/comparison.md``,
then its README.md regenerated).

    python benchmarks/compare_reasons.py [--data DIR] [--seeds 3] [--rows ast_pretrained ...] [--render-only]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from reason_rows import clip_embeddings, embedding_dnn_oof, mfcc_of, vgg_mfcc_oof

from babycry.data import default_data_dir, grouped_folds, load_task, random_folds
from babycry.evaluation.report import cv_report, format_value_ci

ROOT = Path(__file__).resolve().parents[1]
#: where `make pretrain` writes the self-supervised encoder
PRETRAINED = "artifacts/pretrain/reason-ast"
#: where `make ast-detector` writes a compact-AST cry detector (the bundled one is the sound-effects CNN)
AST_DETECTOR = "artifacts/ast-detector"
#: rows whose grouped folds do not keep every test family out of everything the model learned from, and why
NOT_CLEANLY_GROUPED = {
    "compact AST initialised from a compact-AST cry detector's encoder (3 x 96), fine-tuned":
        "the detector it starts from was trained on every family's cries (as cries, not reasons), the test "
        "folds' families included (the next row is the clean version: one detector per fold)",
}


def clip_features(path: str) -> np.ndarray:
    """Hand-crafted statistics of one clip (band-limited and loudness-normalised like every model's input)."""
    import librosa

    from babycry.audio import load
    from babycry.config import AudioConfig
    from babycry.preprocess import prepare

    config = AudioConfig(min_seconds=0.05)
    a = load(path, config=config, validate_audio=False)
    x = prepare(a.samples, sample_rate=a.sample_rate, config=config)
    sr = a.sample_rate
    mfcc = librosa.feature.mfcc(y=x, sr=sr, n_mfcc=20, fmax=config.band_limit_hz)
    delta = librosa.feature.delta(mfcc, mode="nearest") if mfcc.shape[1] >= 3 else np.zeros_like(mfcc)
    spectral = np.vstack([librosa.feature.spectral_centroid(y=x, sr=sr),
                          librosa.feature.spectral_bandwidth(y=x, sr=sr), librosa.feature.spectral_rolloff(y=x, sr=sr),
                          librosa.feature.spectral_flatness(y=x), librosa.feature.zero_crossing_rate(x)])
    f0 = librosa.yin(x, fmin=150.0, fmax=1000.0, sr=sr)
    rms = librosa.feature.rms(y=x)[0]
    voiced = f0[: rms.size][rms[: f0.size] > 0.5 * np.median(rms)] if rms.size else f0
    voiced = voiced if voiced.size else f0
    f0_stats = [np.median(voiced), *np.percentile(voiced, [25, 75]), np.std(np.log(voiced))]
    return np.concatenate([mfcc.mean(1), mfcc.std(1), delta.std(1), spectral.mean(1), spectral.std(1), f0_stats])


def handcrafted_oof(x: np.ndarray, y: np.ndarray, folds: list) -> np.ndarray:
    """Out-of-fold logits of a class-balanced logistic regression on standardised features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    out = np.zeros((len(folds), len(y), int(y.max()) + 1))
    for s, seed_folds in enumerate(folds):
        for train, test in seed_folds:
            model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, class_weight="balanced", max_iter=5000))
            model.fit(x[train], y[train])
            out[s, test] = model.decision_function(x[test])
    return out


def report(logits: np.ndarray, data, folds: list, split: str, seconds: float) -> dict:
    from babycry.calibration import fit_temperature_and_bias

    pooled = logits.reshape(-1, logits.shape[-1])
    temperature, _ = fit_temperature_and_bias(pooled, np.tile(data.y, logits.shape[0]))
    return cv_report(logits=logits, y=data.y, groups=data.groups.astype(str), labels=tuple(data.labels), task="reason",
                     folds=folds, split=split, temperature=temperature, fit_bias=True, seconds=seconds)


ROWS = {
    "handcrafted": "hand-crafted features + logistic regression",
    "vgg": "VGG-style CNN on MFCCs, from scratch",
    "sfx_lr": "frozen sound-effects CNN (aiSFX; the detector's encoder) + logistic regression",
    "sfx_dnn": "frozen sound-effects CNN + small DNN (the YAMNet-DNN stand-in)",
    "ast": "compact AST from scratch (bundled cry-reason)",
    "ast_pretrained": "compact AST pretrained self-supervised (babycry pretrain), fine-tuned",
    "ast_from_detector": "compact AST initialised from a compact-AST cry detector's encoder (3 x 96), fine-tuned",
    "ast_from_fold_detectors": "the same, one detector per fold trained without the fold's test families",
}


def _fold_job(job: tuple) -> np.ndarray:
    """One grouped fold of the clean transfer test: a compact-AST detector fitted without the test families,
    then the reason AST initialised from its encoder and fine-tuned on the fold's training clips."""
    import tempfile

    from babycry.training.fit import clip_logits, fit
    from babycry.training.parallel import WORKER

    seed, train, test = job
    det_data, det_cache, det_recipe = WORKER["det"]
    data, cache, recipe = WORKER["reason"]
    families = set(data.groups[test].astype(str).tolist())
    det_train = np.flatnonzero(~np.isin(det_data.groups.astype(str), list(families)))
    detector = fit(det_cache, recipe=det_recipe, train_clips=det_train, exclude_groups=families, seed=seed)
    with tempfile.TemporaryDirectory(prefix="babycry-fold-detector-") as folder:
        detector.save_pretrained(folder)
        model = fit(cache, recipe=recipe.replace(**{"fit.init_from": folder}), train_clips=train, seed=seed)
    return clip_logits(model, cache, test)


def fold_detector_oof(root: str, data, folds: list) -> np.ndarray:
    """Out-of-fold logits of the reason AST initialised, per grouped fold, from a detector that never heard that
    fold's test families (two folds at a time, one thread each)."""
    from babycry.data import load_task
    from babycry.training.cache import build_cache
    from babycry.training.parallel import WORKER, map_in_processes
    from babycry.training.recipes import recipe_for

    det_recipe = recipe_for("detector", family="ast").replace(progress=False, threads=1)
    det_data = load_task(root, task="detector")
    recipe = recipe_for("reason").replace(progress=False, threads=1, model=det_recipe.model)
    reason_cache = build_cache(data, recipe=recipe)

    def init(det: tuple, reason: tuple) -> None:
        WORKER.update(det=det, reason=reason)

    det = (det_data, build_cache(det_data, recipe=det_recipe), det_recipe)
    jobs = [(s * 100 + k, train, test) for s, seed_folds in enumerate(folds) for k, (train, test) in
            enumerate(seed_folds)]
    out = np.zeros((len(folds), len(data), len(data.labels)))
    results = map_in_processes(_fold_job, jobs, workers=2, initializer=init, initargs=(det, (data, reason_cache,
                                                                                          recipe)))
    for (seed, _, test), logits in zip(jobs, results, strict=True):
        out[seed // 100, test] = logits
        print(f"[fold detectors] seed {seed // 100} fold {seed % 100} done", flush=True)
    return out


def cv_row(data, cache, recipe, *, folds: int, seeds: dict[str, int]) -> dict:
    """One table row from babycry's own cross-validation: ``{split: report}`` for each split and its seeds."""
    from babycry.training.cv import cross_validate

    out = {}
    for split, n in seeds.items():
        result = cross_validate(data, cache, recipe=recipe, folds=folds, seeds=n, split=split)
        out[split] = report(result.logits, data, result.folds, split, result.seconds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--pretrained", default=str(ROOT / PRETRAINED),
                        help="a `babycry pretrain` output folder (the pretrained-AST row)")
    parser.add_argument("--ast-detector", default=str(ROOT / AST_DETECTOR),
                        help="a compact-AST detector checkpoint (the AST-from-the-detector row; make ast-detector)")
    parser.add_argument("--rows", nargs="+", choices=sorted(ROWS), default=sorted(ROWS),
                        help="recompute only these rows; the others are kept from compare_reasons.json")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the tables and the card from benchmarks/results/compare_reasons.json")
    args = parser.parse_args()
    data = load_task(args.data, task="reason", min_clips=10)
    results = ROOT / "benchmarks" / "results" / "compare_reasons.json"
    if args.render_only:
        publish(json.loads(results.read_text()), data)
        return
    # 5 folds, fewer where a reason has fewer clips (a small folder): every fold must hold each reason
    k = int(min(5, np.bincount(data.y, minlength=len(data.labels)).min()))
    if k < 2:
        raise SystemExit(f"compare_reasons: every reason needs at least 2 clips in {args.data}.")
    folds = {"grouped": [grouped_folds(data.y, data.groups, n_splits=k, seed=s) for s in range(args.seeds)],
             "random": [random_folds(data.y, n_splits=k, seed=s) for s in range(args.seeds)]}
    previous = json.loads(results.read_text())["rows"] if results.exists() and set(args.rows) != set(ROWS) else {}
    rows: dict[str, dict] = {}
    wanted = set(args.rows)

    if "handcrafted" in wanted:
        t0 = time.time()
        with ProcessPoolExecutor(2) as pool:
            feats = np.stack(list(pool.map(clip_features, data.table["path"].tolist(), chunksize=8)))
        t_feat = time.time() - t0
        for split in folds:
            rows.setdefault(ROWS["handcrafted"], {})[split] = report(
                handcrafted_oof(feats, data.y, folds[split]), data, folds[split], split, t_feat)

    if "vgg" in wanted:
        with ProcessPoolExecutor(2) as pool:
            mfccs = list(pool.map(mfcc_of, data.table["path"].tolist(), chunksize=8))
        for split in folds:
            t0 = time.time()
            logits = vgg_mfcc_oof(mfccs, data.y, folds[split])
            rows.setdefault(ROWS["vgg"], {})[split] = report(logits, data, folds[split], split, time.time() - t0)

    from babycry.training.cache import build_cache
    from babycry.training.recipes import recipe_for

    if wanted & {"sfx_lr", "sfx_dnn"}:
        recipe = recipe_for("reason", family="sfx").replace(progress=False)
        cache = build_cache(data, recipe=recipe)
        if "sfx_lr" in wanted:
            rows[ROWS["sfx_lr"]] = cv_row(data, cache, recipe, folds=k, seeds={split: args.seeds for split in folds})
        emb = clip_embeddings(cache, len(data))
        for split in folds if "sfx_dnn" in wanted else ():
            t0 = time.time()
            rows.setdefault(ROWS["sfx_dnn"], {})[split] = report(
                embedding_dnn_oof(emb, data.y, folds[split]), data, folds[split], split, time.time() - t0)

    oof = np.load(ROOT / "assets" / "models" / "cry-reason" / "cv_predictions.npz")
    if "ast" in wanted and oof["y"].shape == data.y.shape and (oof["y"] == data.y).all():
        ast = {"grouped": oof["grouped_logits"], "random": oof["random_logits"]}
        for split, logits in ast.items():
            rows.setdefault(ROWS["ast"], {})[split] = report(logits, data, folds[split][: logits.shape[0]], split, 0.0)

    if "ast_pretrained" in wanted and (Path(args.pretrained) / "encoder" / "config.json").exists():
        # the same recipe as the bundled reason model, its encoder initialised from the pretrained one
        recipe = recipe_for("reason").replace(progress=False, **{"fit.init_from": args.pretrained})
        rows[ROWS["ast_pretrained"]] = cv_row(data, build_cache(data, recipe=recipe), recipe, folds=k,
                                              seeds={"grouped": args.seeds, "random": recipe.cv.random_split_seeds})
        record = json.loads((Path(args.pretrained) / "pretraining.json").read_text())
        rows[ROWS["ast_pretrained"]]["pretraining"] = {key: record.get(key) for key in
                                                       ("step", "train_loss", "held_out_loss", "seconds", "data")}

    if "ast_from_fold_detectors" in wanted:
        t0 = time.time()
        logits = fold_detector_oof(args.data, data, folds["grouped"])
        rows.setdefault(ROWS["ast_from_fold_detectors"], {})["grouped"] = report(logits, data, folds["grouped"],
                                                                                 "grouped", time.time() - t0)

    if "ast_from_detector" in wanted and (Path(args.ast_detector) / "config.json").exists():
        # the bundled detector is the sound-effects CNN; this transfers from the compact-AST detector recipe's
        # checkpoint instead, so the reason model takes that detector's size
        detector_size = recipe_for("detector", family="ast").model
        recipe = recipe_for("reason").replace(progress=False, model=detector_size,
                                              **{"fit.init_from": args.ast_detector})
        rows[ROWS["ast_from_detector"]] = cv_row(data, build_cache(data, recipe=recipe), recipe, folds=k,
                                                 seeds={"grouped": args.seeds,
                                                        "random": recipe.cv.random_split_seeds})

    merged = {name: rows.get(name, previous.get(name)) for name in ROWS.values() if name in rows or name in previous}
    out = {"data": args.data, "manifest_sha256": data.manifest_hash, "n_clips": len(data), "folds": k,
           "seeds": args.seeds,
           "rows": merged}
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(out, indent=2) + "\n")
    publish(out, data)


def publish(out: dict, data) -> None:
    """docs/comparison.md, and the same table in the bundled reason model's card (its comparison.md)."""
    from babycry.evaluation.card import COMPARISON_FILE, write_model_card

    md = markdown(out["rows"], data, folds=out.get("folds", 5), seeds=out["seeds"])
    (ROOT / "docs" / "comparison.md").write_text(md)
    folder = ROOT / "assets" / "models" / "cry-reason"
    (folder / COMPARISON_FILE).write_text(md.split("\n", 2)[2].lstrip())  # without the page title
    write_model_card(folder)
    print(md)


def markdown(rows: dict, data, *, folds: int, seeds: int) -> str:
    first = next(iter(rows.values()))["grouped"]
    base = first["majority_baseline"]
    lines = ["# Reason models compared (grouped by family)", "",
             f"`make compare` on {len(data)} labelled cries in {len(set(data.groups.tolist()))} families: grouped "
             f"{folds}-fold CV x {seeds} seeds (StratifiedGroupKFold on the family), every row calibrated the same way "
             "(temperature + per-class bias, cross-fitted across folds), 95% intervals from a family bootstrap. "
             "The LEAKY column "
             "is the same model under an ungrouped random split: families on both sides, shown only to make the "
             "leakage visible. Chance balanced accuracy is 0.25.", "",
             "| model | balanced accuracy (grouped) | macro-F1 (grouped) | log loss (grouped) "
             "| balanced accuracy (LEAKY) |",
             "|---|---|---|---|---|",
             f"| majority baseline | {base['balanced_accuracy']:.3f} | {base['macro_f1']:.3f} | "
             f"{base.get('log_loss_out_of_fold', base['log_loss']):.3f} | {base['balanced_accuracy']:.3f} |"]
    for name, r in rows.items():
        g, leak = r["grouped"]["metrics"], r.get("random", {}).get("metrics", {})
        lines.append(f"| {name} | {format_value_ci(g['balanced_accuracy'])} | {format_value_ci(g['macro_f1'])} | "
                     f"{format_value_ci(g['log_loss'])} | {format_value_ci(leak.get('balanced_accuracy'))} |")
    lines += ["", "Per-reason recall (grouped):", "",
              "| model | " + " | ".join(data.labels) + " |", "|---|" + "---|" * len(data.labels)]
    for name, r in rows.items():
        g = r["grouped"]["metrics"]
        lines.append(f"| {name} | " + " | ".join(format_value_ci(g.get(f"recall/{c}"), digits=2)
                                                   for c in data.labels) + " |")
    pre = rows.get(ROWS["ast_pretrained"], {}).get("pretraining")
    if pre:
        lines += ["", f"The pretrained AST's encoder (`make pretrain`: masked-patch reconstruction, half of the "
                  f"72 patches hidden) learned from {pre['data']['windows']:,} windows of {pre['data']['families']:,} "
                  "families that have no reason label (unlabeled and cleaner-removed uploads, extra cries, laughter, "
                  "coughs, speech, noise), so no family it is tested on was pretrained on; "
                  f"{pre['step']:,} steps in {pre['seconds'] / 60:.0f} min on this 2-core CPU, masked-patch error on "
                  f"held-out families {pre['held_out_loss']:.2f} (1.0 = predicting each patch's mean)."]
    above = [name for name, r in rows.items() if r["grouped"]["metrics"]["balanced_accuracy"]["ci95"][0] > 0.25]
    clean = [name for name in above if name not in NOT_CLEANLY_GROUPED]
    best = min(rows, key=lambda name: rows[name]["grouped"]["metrics"]["log_loss"]["value"])
    base_f1 = base["macro_f1"]
    lines += ["", ("Grouped intervals above chance: " + "; ".join(clean) + "." if clean else
                   "**No cleanly grouped row's interval lies above chance (0.25)**: no model here tells the reasons "
                   "apart better than chance across families.")]
    for name in above:
        if name in NOT_CLEANLY_GROUPED:
            g = rows[name]["grouped"]["metrics"]
            lines[-1] += (f" The interval of \"{name}\" ({format_value_ci(g['balanced_accuracy'])}) is not a clean "
                          f"grouped figure: {NOT_CLEANLY_GROUPED[name]}; its macro-F1 ({g['macro_f1']['value']:.3f}) "
                          f"is below the majority baseline's ({base_f1:.3f}).")
    lines[-1] += f" Lowest grouped log loss (best calibrated): {best}."
    lines += ["", "Transfer from the detector: the bundled detector's encoder is the frozen sound-effects CNN, so "
              "the two aiSFX rows are the reason model on the detector's encoder; the AST row initialised from a "
              "detector uses a compact-AST detector trained on the same data (`make ast-detector`, the detector "
              "recipe's AST family, no grouped split: its encoder has heard every reason family's cries as cries, "
              "never their reasons)."]
    lines += ["", "No row has been scored on cries from a source the models never saw: no labelled-reason source "
              "beyond Donate-a-Cry is available here (`babycry evaluate --model DIR --data DIR` scores a checkpoint "
              "on any manifest folder, per recording).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
