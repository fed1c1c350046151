"""babycry.data: manifests, task selection, grouped folds, the manifest hash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from babycry.config import REASONS
from babycry.data import grouped_folds, load_task, manifest_hash, random_folds, read_manifest, select_task
from babycry.errors import DataError, InvalidParameterError


def test_missing_folder_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_manifest(tmp_path / "nope")


def test_folder_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no manifest.csv"):
        read_manifest(tmp_path)


def test_manifest_missing_columns(tmp_path: Path) -> None:
    pd.DataFrame({"path": ["a.wav"], "label": ["cry"]}).to_csv(tmp_path / "manifest.csv", index=False)
    with pytest.raises(DataError, match="is_cry, group"):
        read_manifest(tmp_path)


def test_listed_file_missing(tmp_path: Path) -> None:
    pd.DataFrame({"path": ["a.wav"], "is_cry": [1], "label": ["hungry"], "group": ["g"]}).to_csv(
        tmp_path / "manifest.csv", index=False)
    with pytest.raises(DataError, match="missing"):
        load_task(tmp_path, task="detector")


def test_no_rows_for_task(tmp_path: Path) -> None:
    pd.DataFrame({"path": ["a.wav"], "is_cry": [0], "label": ["speech"], "group": ["g"]}).to_csv(
        tmp_path / "manifest.csv", index=False)
    with pytest.raises(DataError, match="0 clip"):
        load_task(tmp_path, task="reason")


def test_unknown_task() -> None:
    with pytest.raises(InvalidParameterError):
        select_task(pd.DataFrame(columns=["path", "is_cry", "label", "group"]), task="burping")


def test_task_selection_on_shared_manifest(data_dir: Path) -> None:
    m = read_manifest(data_dir)
    det = select_task(m, task="detector")
    # every reviewed clip, nothing unreviewed (raw / removed uploads have no is_cry)
    assert len(det) == int(m["is_cry"].isin([0, 1]).sum())
    assert set(det["category"]) >= {"cry", "silence", "noise", "laugh", "speech"}
    assert (det.loc[det["category"] == "cry", "y"] == 1).all()
    assert (det.loc[det["category"] != "cry", "y"] == 0).all()
    rea = select_task(m, task="reason")
    assert set(rea["label"]) == set(REASONS)  # burping left out
    assert "burping" not in set(rea["label"])


def test_grouped_folds_never_share_a_group(data_dir: Path) -> None:
    rows = select_task(read_manifest(data_dir), task="reason")
    y, g = rows["y"].to_numpy(), rows["group"].to_numpy()
    folds = grouped_folds(y, g, n_splits=5, seed=1)
    assert len(folds) == 5
    seen = np.concatenate([te for _, te in folds])
    assert sorted(seen.tolist()) == list(range(len(rows)))  # every clip tested exactly once
    for tr, te in folds:
        assert set(g[tr]).isdisjoint(g[te])


def test_random_folds_are_leaky_on_real_groups(data_dir: Path) -> None:
    rows = select_task(read_manifest(data_dir), task="reason")
    y, g = rows["y"].to_numpy(), rows["group"].to_numpy()
    assert any(set(g[tr]) & set(g[te]) for tr, te in random_folds(y, n_splits=5, seed=0))


def test_manifest_hash_tracks_content(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("path,is_cry,label,group\n")
    h1 = manifest_hash(tmp_path)
    assert h1 == manifest_hash(tmp_path) and len(h1) == 64
    (tmp_path / "manifest.csv").write_text("path,is_cry,label,group\na,1,cry,g\n")
    assert manifest_hash(tmp_path) != h1


def test_tiny_folder_loads_for_both_tasks(tiny_data: Path) -> None:
    det = load_task(tiny_data, task="detector")
    rea = load_task(tiny_data, task="reason")
    assert set(det.y.tolist()) == {0, 1}
    assert set(rea.labels) == set(REASONS)
    assert all(Path(p).is_file() for p in det.table["path"])
