"""Does the detector's answer depend on how long a recording is?  Out of fold, by length (issue 19).

The head reads a recording's mean and max window embedding and was trained on clips of one to five windows (up to
11 s). Here each grouped fold's head (the recipe of ``--model``, by default the bundled checkpoint; ``babycry
cv``'s folds and seeds) scores recordings of its test side made longer: ``k`` consecutive chunks of one recording
(giulbia's cry, laughter and silence recordings, 5 s chunks; the household background) or ``k`` clips of one
Donate-a-Cry family, one after another, read either whole (every window at once: the head before
``pooling_max_windows``) or as the model reads them now (runs of at most ``pooling_max_windows`` windows, their
logits averaged); and, the other way, 10 s laughter clips cut to their first 7 s (a Donate-a-Cry clip's three
windows). Uses that recipe's window cache (``make train-detector`` builds it); writes
``benchmarks/results/detector_length.json``.

    python benchmarks/detector_length.py [--data DIR] [--seeds 1] [--model DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from babycry.data import default_data_dir, load_task
from babycry.modeling import DEFAULT_DETECTOR_DIR
from babycry.training.cache import build_cache, checkpoint_int8_graph
from babycry.training.cv import fold_plan
from babycry.training.fit import fit
from babycry.training.recipes import checkpoint_recipe

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "detector_length.json"
CHUNKS = (1, 2, 3, 4, 6, 12)


def _order(path: str) -> tuple[str, int]:
    """A chunk's recording and its number (``margot.m4a_12.flac`` -> ``("margot.m4a", 12)``)."""
    m = re.search(r"^(.*)_(\d+)\.\w+$", path)
    return (m.group(1), int(m.group(2))) if m else (path, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR),
                        help="a detector checkpoint: its training.json recipe is the one refitted per fold")
    parser.add_argument("--out", default=str(OUT), help="default: benchmarks/results/detector_length.json")
    args = parser.parse_args()
    data = load_task(args.data, task="detector")
    recipe = checkpoint_recipe(args.model).replace(progress=False)
    cache = build_cache(data, recipe=recipe, int8_graph=checkpoint_int8_graph(args.model))
    clean = cache.index[cache.index["kind"] == "clean"]
    windows = {clip: rows.index.to_numpy() for clip, rows in clean.groupby("clip")}  # in time order
    paths = data.table["rel_path"].astype(str).to_numpy()
    cats, groups = data.table["category"].to_numpy().astype(str), data.groups.astype(str)
    rows, cut = [], []
    for f in fold_plan(data, recipe=recipe, folds=recipe.cv.folds, seeds=args.seeds):
        model = fit(cache, recipe=recipe, train_clips=f.train, seed=f.seed, exclude_groups=f.exclude_groups)
        test = set(f.test.tolist())
        # the other way: 10 s laughter (5 windows) cut to its first 7 s (3 windows, a Donate-a-Cry clip's count)
        for c in f.test[np.isin(cats[f.test], ["laugh", "adult_laugh"])]:
            if windows[c].size == 5:
                with torch.inference_mode():
                    full, short = (model.recording_logits_from_embeddings(torch.as_tensor(
                        np.asarray(cache.features[windows[c][:n]], dtype=np.float32))).numpy() for n in (5, 3))
                cut.append({"category": cats[c], "rejected_10s": bool(full[1] <= full[0]),
                            "rejected_first_7s": bool(short[1] <= short[0])})
        for g in sorted(set(groups[f.test].tolist())):
            members = sorted((c for c in np.flatnonzero(groups == g) if c in test), key=lambda c: _order(paths[c]))
            if len(members) < 2 or cats[members[0]] == "speech":  # speech: 0.4 s digits, not a recording
                continue
            source = paths[members[0]].split("/")[0]
            kind = ("one family's clips" if source == "donateacry" else "one recording's chunks"
                    if re.search(r"_\d+\.\w+$", paths[members[0]]) else "one clip's takes")
            for k in CHUNKS:
                for start in range(0, len(members) - k + 1, k):
                    emb = torch.as_tensor(np.asarray(cache.features[np.concatenate(
                        [windows[c] for c in members[start:start + k]])], dtype=np.float32))
                    with torch.inference_mode():
                        whole = model.head_logits(torch.cat([emb.mean(0), emb.amax(0)])).numpy()
                        runs = model.recording_logits_from_embeddings(emb).numpy()
                    rows.append({"category": cats[members[0]], "kind": kind, "chunks": k, "windows": len(emb),
                                 "whole": bool(whole[1] > whole[0]), "runs": bool(runs[1] > runs[0])})
    table = pd.DataFrame(rows)
    summary = (table.groupby(["category", "kind", "chunks"])
               .agg(recordings=("whole", "size"), windows=("windows", "median"),
                    called_cry_read_whole=("whole", "mean"), called_cry_read_in_runs=("runs", "mean"))
               .round(3).reset_index())
    print(summary.to_string(index=False))
    shorter = (pd.DataFrame(cut).groupby("category").agg(clips=("rejected_10s", "size"),
                                                         rejected_10s=("rejected_10s", "mean"),
                                                         rejected_first_7s=("rejected_first_7s", "mean"))
               .round(3).reset_index())
    print(shorter.to_string(index=False))
    Path(args.out).write_text(json.dumps({
        "data": Path(args.data).name, "seeds": args.seeds,
        "pooling_max_windows": recipe.model.pooling_max_windows,
        "what": "out of fold: share of recordings made of k consecutive chunks (clips) called a cry",
        "rows": summary.to_dict(orient="records"),
        "laughter_cut_to_7s": shorter.to_dict(orient="records")}, indent=1) + "\n")


if __name__ == "__main__":
    main()
