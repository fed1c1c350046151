"""A probe: each training clip also heard whole in a reverberant room, pooled as one more recording in the head.

The head learns each clip as recorded (pooled), through a phone codec (pooled, ``model.coded_share``) and as
single augmented windows, one of them reverberant. The codec's pooled copies taught the head that a channel is no
cue, and sources never heard were answered better on both sides (docs/experiments.md). Does a room, pooled the
same way, do the same? Each task clip (the cache's clip ids) is put through one room (the recipe's ``room``
transform and ranges, a generator seeded per clip), band-limited, windowed and embedded by the checkpoint's int8
graph; the head then reads those pooled copies at ``--share`` of its weight, taken from the clean clips' share.
Reported: ``babycry cv``'s grouped figures with leave-one-category-out, and each source of cries and of baby
laughter left out whole, as ``make bench-unseen``.

    python benchmarks/detector_room_pooled_probe.py [--data DIR] [--share 0.2]

Writes benchmarks/results/detector_room_pooled_probe.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import babycry.training.fit as fit_module  # noqa: E402
from babycry.data import default_data_dir, load_task  # noqa: E402
from babycry.modeling import DEFAULT_DETECTOR_DIR, frame_windows  # noqa: E402
from babycry.preprocess import band_limit  # noqa: E402
from babycry.training import cache as cache_module  # noqa: E402
from babycry.training.cache import build_cache, checkpoint_int8_graph, clean_windows  # noqa: E402
from babycry.training.cv import leave_rows_out  # noqa: E402
from babycry.training.parallel import WORKER, map_in_processes  # noqa: E402
from babycry.training.pipeline import run_cv  # noqa: E402
from babycry.training.recipes import checkpoint_recipe  # noqa: E402
from babycry.training.windows import _apply  # noqa: E402

ORIGINAL = fit_module._recording_items
ROOM: dict = {}


def _room_batch(jobs: list[tuple[int, str]]) -> list[tuple[int, np.ndarray]]:
    recipe = WORKER["recipe"]
    audio, sr = recipe.audio, recipe.audio.sample_rate
    windows, owners = [], []
    for clip, path in jobs:
        x, _ = clean_windows(path, recipe=recipe)
        rng = np.random.default_rng([recipe.seed, clip, 21])
        y = band_limit(_apply(recipe.augment.room, x, rng, sample_rate=sr), sample_rate=sr, config=audio)
        w, _ = frame_windows(y, sample_rate=sr, window=recipe.window, audio_config=audio, band_limited=True)
        windows += list(w)
        owners += [clip] * len(w)
    features = cache_module._embed_windows(windows)
    return [(c, f) for c, f in zip(owners, features, strict=True)]


def room_features(data, recipe, graph: Path) -> tuple[np.ndarray, np.ndarray]:
    jobs = [(i, str(p)) for i, p in enumerate(data.table["path"])]
    batches = [jobs[i : i + 64] for i in range(0, len(jobs), 64)]
    out = []
    for done in map_in_processes(_room_batch, batches, workers=2, initializer=cache_module._init_cache_worker,
                                 initargs=(recipe, None, graph, None)):
        out += done
    clips = np.array([c for c, _ in out])
    return fit_module.pool_clips(np.stack([f for _, f in out]), clips)


def _with_room(cache, rows, *, recipe):
    x, y, w = ORIGINAL(cache, rows, recipe=recipe)
    share = ROOM["share"]
    index = cache.index.iloc[rows]
    clean = (index["kind"] == "clean").to_numpy()
    clips = np.unique(index["clip"].to_numpy()[clean])
    n_clean = clips.size  # the original's first part: one pooled item per clip, in clip order
    clean_share = 1.0 - recipe.model.augmented_share - recipe.model.coded_share
    w = w.copy()
    w[:n_clean] *= (clean_share - share) / clean_share
    first = index[clean].drop_duplicates("clip").set_index("clip").loc[clips]
    pos = np.searchsorted(ROOM["clips"], clips)
    meta = first[["y", "stratum"]].reset_index(drop=True)
    room_w = fit_module.sampling_weights(meta, stratum_weights=recipe.fit.stratum_weights) * share
    return (np.vstack([x, ROOM["pooled"][pos]]), np.concatenate([y, first["y"].to_numpy()]),
            np.concatenate([w, room_w]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "detector_room_pooled_probe.json"))
    args = parser.parse_args()
    model = Path(args.model)
    recipe = checkpoint_recipe(model)
    data = load_task(args.data, task="detector", min_clips=4)
    graph = checkpoint_int8_graph(model)
    cache = build_cache(data, recipe=recipe, int8_graph=graph)
    store = ROOT / "artifacts" / "room_probe.npz"
    if store.exists():
        saved = np.load(store)
        clips, pooled = saved["clips"], saved["pooled"]
    else:
        clips, pooled = room_features(data, recipe, cache.encoder_graph)
        store.parent.mkdir(parents=True, exist_ok=True)
        np.savez(store, clips=clips, pooled=pooled)
    ROOM.update(clips=clips, pooled=pooled, share=args.share)
    fit_module._recording_items = _with_room  # every fit of this process and its forked workers
    report = run_cv(args.data, task="detector", recipe=recipe)
    summary = {"metrics": report.get("metrics"), "phone_codec": report.get("phone_codec"),
               "leave_category_out": report.get("leave_category_out")}
    Path(args.out).write_text(json.dumps(summary, indent=2, default=str) + "\n")  # kept if what follows fails
    print(json.dumps(summary["metrics"], indent=1, default=str)[:4000])
    source = data.table["source"].to_numpy().astype(str)
    category = data.table["category"].to_numpy().astype(str)
    sets = {f"{c}: {s}": np.flatnonzero((category == c) & (source == s))
            for c in ("cry", "laugh") for s in sorted(set(source[category == c]))}
    held = leave_rows_out(data, cache, recipe=recipe, held_out=sets, folds=[0, 1, 2, 3, 4],
                          what="source").mean_per_clip()
    unseen = {}
    for name, rows in sets.items():
        mine = held.held_out == name
        z = held.logits[mine][:, 1] - held.logits[mine][:, 0]
        keep = np.isin(held.clips[mine], rows)
        unseen[name] = round(float(((z[keep] > 0) == (data.y[rows[0]] == 1)).mean()), 3)
    print(unseen)
    Path(args.out).write_text(json.dumps({"share": args.share, **summary, "sources_never_heard": unseen},
                                         indent=2, default=str) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
