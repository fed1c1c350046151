"""Serving a checkpoint with ONNX Runtime: its exported forward pass and, for a pooling model, its head in numpy.

:func:`~babycry.modeling.onnx_export.export_onnx` writes ``<checkpoint>/onnx/model.onnx``; when it is there and
``onnxruntime`` is installed, :func:`~babycry.modeling.checkpoint.load_model` (``runtime="auto"``) serves with an
:class:`OnnxModel` in place of the torch model.  That skips transformers' modeling stack on start-up (about 2 s of
imports: ``torch._dynamo``, ``torch.distributed``, ``transformers.modeling_utils``) and the first call's tracing, and
runs the detector's CNN with int8 convolutions.  The checkpoint's weights, config and feature extractor are the
same files; ``onnx/onnx.json`` records how far the exported outputs lie from torch's.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ONNX_DIR", "ONNX_FILE", "ONNX_INFO", "OnnxModel", "onnx_available", "session", "weights_digest"]

#: Where an exported checkpoint keeps its graph, beside its transformers files.
ONNX_DIR = "onnx"
ONNX_FILE = "model.onnx"
#: What was exported and how far it lies from torch (written by ``export_onnx``).
ONNX_INFO = "onnx.json"


@functools.lru_cache(maxsize=1)
def _have_onnxruntime() -> bool:
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
    if folder is None or not (Path(folder) / ONNX_DIR / ONNX_FILE).is_file() or not _have_onnxruntime():
        return False
    try:
        info = json.loads((Path(folder) / ONNX_DIR / ONNX_INFO).read_text())
        return info.get("weights_sha256") == weights_digest(folder)
    except (OSError, ValueError):
        return False


def session(path: str | os.PathLike, *, threads: int = 1) -> Any:
    """An ``onnxruntime.InferenceSession`` of ``path`` on the CPU with ``threads`` intra-op threads.

    One thread, as for torch (:attr:`CryModel.threads`): on a busy 2-core machine every parallel operation waits
    for the second core.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: no optimiser notes in a server log
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxModel:
    """A checkpoint's exported forward pass, standing in for the torch model inside :class:`CryModel`.

    It answers what :class:`CryModel` asks of a model: ``config`` (labels, pooling), ``pools_recordings``,
    ``training`` (always False), :meth:`outputs` (the window outputs), and for a pooling model the head
    (:meth:`logits_from_embeddings`, :meth:`recording_logits_from_embeddings`) from the checkpoint's safetensors.

    Examples
    --------
    >>> m = OnnxModel("assets/models/cry-detector")  # doctest: +SKIP
    >>> m.outputs(features).shape  # doctest: +SKIP
    (4, 1024)
    """

    training = False

    def __init__(self, folder: str | os.PathLike, *, threads: int = 1) -> None:
        from transformers import PretrainedConfig

        folder = Path(folder)
        self.config = PretrainedConfig.from_pretrained(str(folder))
        self.session = session(folder / ONNX_DIR / ONNX_FILE, threads=threads)
        self.info: dict[str, Any] = json.loads((folder / ONNX_DIR / ONNX_INFO).read_text()) \
            if (folder / ONNX_DIR / ONNX_INFO).is_file() else {}
        self.pools_recordings = getattr(self.config, "pooling", "window") == "recording"
        self._head: dict[str, np.ndarray] = {}
        if self.pools_recordings:
            from safetensors.numpy import load_file

            weights = load_file(str(folder / "model.safetensors"))
            self._head = {k: weights[k].astype(np.float64) for k in
                          ("classifier.weight", "classifier.bias", "embedding_mean", "embedding_scale")}

    def outputs(self, features: np.ndarray) -> np.ndarray:
        """Window outputs ``(n, ...)`` float32 of features ``(n, frames, mels)``: logits, or embeddings."""
        return self.session.run(None, {"input_values": np.ascontiguousarray(features, np.float32)})[0]

    def head_logits(self, head_input: np.ndarray) -> np.ndarray:
        """The head's logits of what it reads, standardised first (as ``SfxForAudioClassification.head_logits``)."""
        h = self._head
        x = (np.asarray(head_input, np.float64) - h["embedding_mean"]) / h["embedding_scale"]
        return x @ h["classifier.weight"].T + h["classifier.bias"]

    def logits_from_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        """Each window's logits, a window scored as a recording of its own (its mean and max are itself)."""
        return self.head_logits(np.concatenate([embeddings, embeddings], axis=-1))

    def recording_logits_from_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        """One recording's logits from its windows' embeddings: the head on their mean and max."""
        return self.head_logits(np.concatenate([embeddings.mean(axis=0), embeddings.max(axis=0)]))
