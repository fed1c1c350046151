"""Files stored beside a checkpoint, in a local folder or a Hugging Face hub repo.

The model loaders (:mod:`babycry.modeling.checkpoint`) and the calibration
reader (:mod:`babycry.calibration`) both take "a folder or a hub id"; this
module is the one place that tells the two apart and reads a JSON file from
either.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .errors import ModelLoadError

__all__ = ["is_hub_id", "local_folder", "optional_file", "read_json"]

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def is_hub_id(text: str) -> bool:
    """True when ``text`` has the shape of a hub id (``"owner/name"``).

    Examples
    --------
    >>> is_hub_id("someone/cry-detector"), is_hub_id("/abs/path/to/model")
    (True, False)
    """
    return _HUB_ID.fullmatch(text) is not None


def local_folder(path_or_id: str | os.PathLike) -> Path | None:
    """The local path of ``path_or_id`` when it exists on disk, else ``None`` (then it is a hub id).

    Examples
    --------
    >>> local_folder("/no/such/folder") is None
    True
    """
    path = Path(str(path_or_id)).expanduser()
    return path if path.exists() else None


def read_json(path_or_id: str | os.PathLike, name: str) -> dict | None:
    """Read the JSON file ``name`` beside a checkpoint; ``None`` when it is absent.

    Parameters
    ----------
    path_or_id : str or os.PathLike
        A local checkpoint folder or a hub id.
    name : str
        The file name, e.g. ``"metrics.json"``.

    Returns
    -------
    dict or None

    Raises
    ------
    ModelLoadError
        A local file exists but cannot be read or parsed.  (On the hub an
        unreadable or unreachable optional file counts as absent.)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (pathlib.Path(d) / "metrics.json").write_text('{"a": 1}')
    ...     read_json(d, "metrics.json"), read_json(d, "calibration.json")
    ({'a': 1}, None)
    """
    path = optional_file(path_or_id, name)
    if path is None:
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        if local_folder(path_or_id) is None:  # an optional file on the hub: unreadable means "none"
            return None
        raise ModelLoadError(f"The file {str(path)!r} is corrupt ({exc}).") from exc


def optional_file(path_or_id: str | os.PathLike, name: str) -> Path | None:
    """The local path of the file ``name`` beside a checkpoint (downloaded from the hub for a hub id); ``None``
    when it is absent or unreachable.

    Examples
    --------
    >>> optional_file("/no/such/folder", "onnx/encoder-int8.onnx") is None
    True
    """
    local = local_folder(path_or_id)
    if local is not None:
        return local / name if (local / name).is_file() else None
    if not is_hub_id(str(path_or_id)):
        return None
    try:
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(str(path_or_id), name))
    except Exception:  # noqa: BLE001 - an optional file on the hub: absent or unreachable both mean "none"
        return None
