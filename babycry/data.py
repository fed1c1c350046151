"""Reading a data folder: ``manifest.csv``, task selection, grouped folds, the manifest hash.

Any folder holding a ``manifest.csv`` with the shared columns works (``path``,
``is_cry``, ``label``, ``group``; ``source`` optional).  Every split is grouped
by ``group`` (a family's phone, one recording, one speaker) so that no family
sits on both sides of a fold.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import REASONS
from .errors import DataError, InvalidParameterError

__all__ = [
    "REQUIRED_COLUMNS",
    "TaskData",
    "default_data_dir",
    "read_manifest",
    "select_task",
    "load_task",
    "with_absolute_paths",
    "grouped_folds",
    "random_folds",
    "manifest_hash",
    "label_summary",
]

#: Columns every manifest must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("path", "is_cry", "label", "group")


def default_data_dir() -> Path:
    """``$BABYCRY_DATA`` or ``../shared/data`` (relative to the working directory).

    Examples
    --------
    >>> isinstance(default_data_dir(), Path)
    True
    """
    return Path(os.environ.get("BABYCRY_DATA", "../shared/data"))


def read_manifest(root: str | os.PathLike) -> pd.DataFrame:
    """Read ``root/manifest.csv`` and check its columns.

    Parameters
    ----------
    root : path
        A folder holding ``manifest.csv``; paths in it are relative to the folder.

    Returns
    -------
    pandas.DataFrame
        The manifest, with ``group`` as a string and ``is_cry`` as a nullable integer.

    Raises
    ------
    DataError
        If the folder or its manifest is missing, unreadable or lacks a column.

    Examples
    --------
    >>> read_manifest("/no/such/folder")
    Traceback (most recent call last):
    ...
    babycry.errors.DataError: Data folder '/no/such/folder' does not exist.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"Data folder {str(root)!r} does not exist.")
    path = root / "manifest.csv"
    if not path.is_file():
        raise DataError(f"Data folder {str(root)!r} has no manifest.csv.")
    try:
        table = pd.read_csv(path, dtype={"group": str, "label": str, "path": str})
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"Cannot read {str(path)!r}: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(
            f"{str(path)!r} lacks the column(s) {', '.join(missing)}; expected at least {', '.join(REQUIRED_COLUMNS)}."
        )
    if table.empty:
        raise DataError(f"{str(path)!r} lists no files.")
    table["is_cry"] = pd.to_numeric(table["is_cry"], errors="coerce").astype("Int64")
    table["group"] = table["group"].fillna("").astype(str)
    table["label"] = table["label"].fillna("").astype(str)
    if "source" not in table.columns:
        table["source"] = ""
    return table


@dataclass(frozen=True)
class TaskData:
    """The clips of one task.

    Attributes
    ----------
    root : Path
        The data folder.
    task : str
        ``"detector"`` or ``"reason"``.
    labels : tuple of str
        Class names in label-id order.
    table : pandas.DataFrame
        One row per clip: ``path`` (absolute), ``rel_path``, ``group``, ``label``
        (the class name), ``y`` (class id), ``category`` (detector: the
        manifest label of negatives and ``"cry"`` for cries; reason: the label),
        ``source``.
    manifest_hash : str
        SHA-256 of ``manifest.csv``.
    """

    root: Path
    task: str
    labels: tuple[str, ...]
    table: pd.DataFrame
    manifest_hash: str

    @property
    def y(self) -> np.ndarray:
        """Class ids."""
        return self.table["y"].to_numpy(dtype=np.int64)

    @property
    def groups(self) -> np.ndarray:
        """Group keys."""
        return self.table["group"].to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self.table)


def select_task(manifest: pd.DataFrame, *, task: str) -> pd.DataFrame:
    """Select and label the rows of a task.

    Detector: rows with ``is_cry`` 1 or 0 (``y`` = is_cry); ``category`` is
    ``"cry"`` for cries and the manifest label for negatives.  Reason: rows
    whose label is one of :data:`babycry.config.REASONS` (``burping`` and the
    raw uploads are left out).

    Parameters
    ----------
    manifest : pandas.DataFrame
        From :func:`read_manifest`.
    task : {"detector", "reason"}

    Returns
    -------
    pandas.DataFrame
        The selected rows with ``y`` and ``category`` added.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"path": ["a", "b", "c"], "is_cry": pd.array([1, 0, None], dtype="Int64"),
    ...                   "label": ["tired", "speech", "unknown"], "group": ["g1", "g2", "g3"]})
    >>> select_task(m, task="detector")[["label", "y", "category"]].values.tolist()
    [['tired', 1, 'cry'], ['speech', 0, 'speech']]
    >>> select_task(m, task="reason")["y"].tolist()
    [3]
    """
    if task == "detector":
        rows = manifest[manifest["is_cry"].isin([0, 1])].copy()
        rows["y"] = rows["is_cry"].astype(int)
        rows["category"] = np.where(rows["y"] == 1, "cry", rows["label"].replace("", "not_cry"))
    elif task == "reason":
        rows = manifest[manifest["label"].isin(REASONS)].copy()
        rows["y"] = rows["label"].map({name: i for i, name in enumerate(REASONS)}).astype(int)
        rows["category"] = rows["label"]
    else:
        raise InvalidParameterError(f"Unknown task {task!r}: expected 'detector' or 'reason'.")
    return rows.reset_index(drop=True)


def manifest_hash(root: str | os.PathLike) -> str:
    """SHA-256 of ``root/manifest.csv`` (identifies the data a model was trained on).

    Examples
    --------
    >>> manifest_hash("/no/such/folder")
    Traceback (most recent call last):
    ...
    babycry.errors.DataError: Data folder '/no/such/folder' has no manifest.csv.
    """
    path = Path(root) / "manifest.csv"
    if not path.is_file():
        raise DataError(f"Data folder {str(root)!r} has no manifest.csv.")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def with_absolute_paths(rows: pd.DataFrame, root: str | os.PathLike) -> pd.DataFrame:
    """Manifest rows with ``rel_path`` (as listed) and ``path`` (under ``root``); every file must exist.

    Raises
    ------
    DataError
        If a listed file is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> with_absolute_paths(pd.DataFrame({"path": ["a.wav"]}), "/no/such/folder")
    Traceback (most recent call last):
    ...
    babycry.errors.DataError: 1 file(s) listed in the manifest are missing, e.g. 'a.wav'.
    """
    root = Path(root)
    rows = rows.copy()
    rows["rel_path"] = rows["path"]
    rows["path"] = [str(root / p) for p in rows["rel_path"]]
    absent = [p for p in rows["rel_path"] if not (root / p).is_file()]
    if absent:
        raise DataError(f"{len(absent)} file(s) listed in the manifest are missing, e.g. {absent[0]!r}.")
    return rows


def load_task(root: str | os.PathLike, *, task: str, min_clips: int = 1) -> TaskData:
    """Read a data folder and select a task's clips.

    Parameters
    ----------
    root : path
        Folder with ``manifest.csv``.
    task : {"detector", "reason"}
    min_clips : int
        Fewer selected clips raise :class:`DataError`.

    Returns
    -------
    TaskData

    Raises
    ------
    DataError
        Missing folder/manifest/columns, no applicable rows, or missing audio files.

    Examples
    --------
    >>> load_task("/no/such/folder", task="reason")
    Traceback (most recent call last):
    ...
    babycry.errors.DataError: Data folder '/no/such/folder' does not exist.
    """
    from .config import labels_for_task

    root = Path(root)
    rows = select_task(read_manifest(root), task=task)
    if len(rows) < min_clips:
        raise DataError(
            f"{str(root / 'manifest.csv')!r} holds {len(rows)} clip(s) for the {task} task; "
            f"at least {min_clips} needed."
        )
    rows = with_absolute_paths(rows, root)
    return TaskData(root=root, task=task, labels=labels_for_task(task), table=rows, manifest_hash=manifest_hash(root))


def grouped_folds(
    y: np.ndarray, groups: np.ndarray, *, n_splits: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified, grouped folds: no group on both sides of any fold.

    ``n_splits`` is reduced to the number of groups when there are fewer.

    Parameters
    ----------
    y : np.ndarray
        Class ids.
    groups : np.ndarray
        Group keys.
    n_splits : int
        Number of folds (at least 2).
    seed : int
        Shuffling seed.

    Returns
    -------
    list of (train_indices, test_indices)

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1, 0, 1]); g = np.array(["a", "a", "b", "b", "c", "d"])
    >>> folds = grouped_folds(y, g, n_splits=2)
    >>> all(set(g[tr]).isdisjoint(g[te]) for tr, te in folds)
    True
    """
    from sklearn.model_selection import StratifiedGroupKFold

    n_groups = len(set(groups.tolist()))
    if n_splits < 2 or n_groups < 2:
        raise InvalidParameterError(
            f"Grouped CV needs at least 2 folds and 2 groups; got {n_splits} folds, {n_groups} groups."
        )
    splitter = StratifiedGroupKFold(n_splits=min(n_splits, n_groups), shuffle=True, random_state=seed)
    return [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y, groups)]


def random_folds(y: np.ndarray, *, n_splits: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Ungrouped stratified folds — LEAKY (the same family on both sides); for comparison only.

    Examples
    --------
    >>> import numpy as np
    >>> len(random_folds(np.array([0, 1] * 5), n_splits=5))
    5
    """
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(y)
    k = int(min(n_splits, counts[counts > 0].min())) if len(counts) else n_splits
    if k < 2:
        raise InvalidParameterError(
            f"A random split needs at least 2 clips of every class; got counts {counts.tolist()}."
        )
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y)]


def label_summary(manifest: pd.DataFrame) -> pd.DataFrame:
    """Clips and families (distinct ``group`` keys) per label, with the sources they come from.

    Families, not clips, bound what a grouped evaluation can say about a class:
    8 clips from one family are one data point.

    Parameters
    ----------
    manifest : pandas.DataFrame
        From :func:`read_manifest`.

    Returns
    -------
    pandas.DataFrame
        Columns ``label``, ``is_cry`` (1, 0 or empty when unreviewed), ``clips``,
        ``families``, ``clips_per_family`` (max), ``sources``; the reasons first,
        then by clip count.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"path": ["a", "b", "c"], "is_cry": [1, 1, 0], "label": ["hungry", "hungry", "noise"],
    ...                   "group": ["f1", "f1", "n1"], "source": ["dac", "dac", "esc"]})
    >>> label_summary(m)[["label", "clips", "families"]].values.tolist()
    [['hungry', 2, 1], ['noise', 1, 1]]
    """
    rows = []
    for label, sub in manifest.groupby("label", sort=False):
        cry = sub["is_cry"].dropna().unique() if "is_cry" in sub else []
        per_family = sub.groupby("group").size()
        sources = sub["source"].fillna("").astype(str) if "source" in sub else pd.Series([], dtype=str)
        rows.append(
            {
                "label": str(label),
                "is_cry": str(int(cry[0])) if len(cry) == 1 else "",
                "clips": int(len(sub)),
                "families": int(sub["group"].nunique()),
                "clips_per_family": int(per_family.max()),
                "sources": ", ".join(sorted({x for x in sources if x})),
            }
        )
    table = pd.DataFrame(rows, columns=["label", "is_cry", "clips", "families", "clips_per_family", "sources"])
    order = {name: i for i, name in enumerate(REASONS)}
    table["_reason"] = table["label"].map(order).fillna(len(REASONS))
    table = table.sort_values(["_reason", "clips"], ascending=[True, False], kind="stable")
    return table.drop(columns="_reason").reset_index(drop=True)
