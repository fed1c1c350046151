"""Serving a checkpoint with ONNX Runtime: its exported forward pass, windows' features in, their logits out.

:func:`~babycry.modeling.onnx_export.export_onnx` writes ``<checkpoint>/onnx/model.onnx``; when it is there and
``onnxruntime`` is installed, :func:`~babycry.modeling.checkpoint.load_model` (``runtime="auto"``) serves with an
:class:`OnnxModel` in place of the torch model.  That skips transformers' modeling stack on start-up (about 2 s of
imports: ``torch._dynamo``, ``torch.distributed``, ``transformers.modeling_utils``) and the first call's tracing.
The checkpoint's weights, config and feature extractor are the same files; ``onnx/onnx.json`` records how far the
exported logits lie from torch's, and the weights they were exported from.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ONNX_DIR", "ONNX_FILE", "ONNX_INFO", "OnnxModel", "have_onnxruntime", "made_for_these_weights",
           "onnx_available", "session", "weights_digest"]

#: Where an exported checkpoint keeps its graph, beside its transformers files.
ONNX_DIR = "onnx"
ONNX_FILE = "model.onnx"
#: What was exported and how far it lies from torch (written by ``export_onnx``).
ONNX_INFO = "onnx.json"


@functools.lru_cache(maxsize=1)
def have_onnxruntime() -> bool:
    """Whether ``onnxruntime`` (an optional dependency: ONNX serving and int8 encoder graphs) is installed.

    Examples
    --------
    >>> isinstance(have_onnxruntime(), bool)
    True
    """
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def weights_digest(folder: str | os.PathLike) -> str:
    """SHA-256 of a checkpoint's ``model.safetensors``: ties an exported graph to the weights it was made from."""
    import hashlib

    digest = hashlib.sha256()
    with open(Path(folder) / "model.safetensors", "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def onnx_available(folder: str | os.PathLike | None) -> bool:
    """Whether ``folder`` holds an exported graph of its current weights and ``onnxruntime`` is installed.

    A graph left behind by a retrain (its ``onnx.json`` names other weights) does not count: it would answer
    for the old model.

    Examples
    --------
    >>> onnx_available("/no/such/folder")
    False
    """
    if folder is None or not (Path(folder) / ONNX_DIR / ONNX_FILE).is_file() or not have_onnxruntime():
        return False
    return made_for_these_weights(folder, f"{ONNX_DIR}/{ONNX_INFO}")


def made_for_these_weights(folder: str | os.PathLike, record: str) -> bool:
    """Whether the JSON ``record`` beside a checkpoint (a graph's ``weights_sha256``) names the checkpoint's current
    ``model.safetensors``; False when it is missing or unreadable.

    Examples
    --------
    >>> made_for_these_weights("/no/such/folder", "onnx/onnx.json")
    False
    """
    try:
        info = json.loads((Path(folder) / record).read_text())
        return info.get("weights_sha256") == weights_digest(folder)
    except (OSError, ValueError):
        return False


def session(path: str | os.PathLike, *, threads: int = 1, profile_prefix: str | None = None,
            config: dict[str, str] | None = None) -> Any:
    """An ``onnxruntime.InferenceSession`` of ``path`` on the CPU with ``threads`` intra-op threads.

    One thread, as for torch (:attr:`CryModel.threads`): on a busy 2-core machine every parallel operation waits
    for the second core.  ``profile_prefix`` turns on ONNX Runtime's profiler, writing there (benchmarks);
    ``config`` holds session configuration entries (e.g. ``{"session.disable_quant_qdq": "1"}``).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: no optimiser notes in a server log
    for key, value in (config or {}).items():
        options.add_session_config_entry(key, value)
    if profile_prefix is not None:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxModel:
    """A checkpoint's exported forward pass, standing in for the torch model inside :class:`CryModel`.

    It answers what :class:`CryModel` asks of a model: ``config`` (labels), ``pools_recordings`` (False: models
    that pool a recording's windows are not exported, see :func:`~babycry.modeling.onnx_export.export_onnx`),
    ``training`` (False) and :meth:`outputs` (the windows' logits).

    Examples
    --------
    >>> m = OnnxModel("assets/models/cry-reason")  # doctest: +SKIP
    >>> m.outputs(features).shape  # doctest: +SKIP
    (4, 4)
    """

    training = False
    pools_recordings = False
    runtime = "onnxruntime"

    def __init__(self, folder: str | os.PathLike, *, threads: int = 1) -> None:
        from .serving import read_config  # its labels, without transformers

        folder = Path(folder)
        self.config = read_config(folder)
        self.session = session(folder / ONNX_DIR / ONNX_FILE, threads=threads)

    def outputs(self, features: np.ndarray) -> np.ndarray:
        """The windows' logits ``(n, n_labels)`` float32 of their features ``(n, frames, mels)``."""
        return self.session.run(None, {"input_values": np.ascontiguousarray(features, np.float32)})[0]
