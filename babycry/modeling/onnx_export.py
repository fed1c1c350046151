"""Export a checkpoint's forward pass to ONNX for :mod:`babycry.modeling.onnx_runtime` (serving without torch).

What is exported is what :meth:`~babycry.modeling.predictor.CryModel.window_outputs` computes, in float32: a
window's logits.  The files go to ``<checkpoint>/onnx/`` beside the unchanged transformers files, so
the checkpoint still loads with ``from_pretrained`` / ``transformers.pipeline``; ``onnx.json`` records how far the
graph's outputs lie from torch's on real windows.

Which checkpoints are exported is a measured choice (docs/performance.md): the compact AST (the reason model) runs
faster in ONNX Runtime than traced torch and is served from its graph. The sound-effects CNN detector is not
exported here: its encoder's int8 graph is made when it is trained (:mod:`babycry.modeling.sfx.quantized`: the head
learns that graph's embeddings) and its head runs in torch; a model that pools a recording's windows before its head
is not exported (its head would need a second implementation).

Needs torch, ``onnx`` and ``onnxruntime`` (export is a training-side step, run by ``babycry export-onnx``).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from .onnx_runtime import ONNX_DIR, ONNX_FILE, ONNX_INFO, weights_digest

__all__ = ["export_graph", "export_onnx", "sample_windows"]

#: opset of the exported graph (ONNX Runtime >= 1.14 runs it).
OPSET = 17


def export_onnx(model: Any, out_dir: str | os.PathLike, *, parity_windows: np.ndarray | None = None) -> dict[str, Any]:
    """Write ``<out_dir>/onnx/model.onnx`` and ``onnx.json`` for a loaded :class:`CryModel`.

    Parameters
    ----------
    model : CryModel
        The checkpoint, loaded with transformers (``load_model(..., runtime="transformers")``).
    out_dir : str or os.PathLike
        The checkpoint folder (the files go to its ``onnx/`` subfolder).
    parity_windows : np.ndarray, optional
        Prepared windows ``(n, samples)`` of real audio (:func:`sample_windows`) on which the graph's outputs are
        compared with torch's float32 ones (``onnx.json``).

    Returns
    -------
    dict
        What ``onnx.json`` holds: the outputs' kind, versions, export time, the weights' SHA-256 and, with
        ``parity_windows``, the largest absolute and the mean relative difference from torch.

    Raises
    ------
    InvalidParameterError
        ``model`` is not the transformers model, or it pools a recording's windows (served by torch).

    Examples
    --------
    >>> info = export_onnx(load_reason(runtime="transformers"), "assets/models/cry-reason")  # doctest: +SKIP
    >>> info["outputs"]  # doctest: +SKIP
    'logits'
    """
    import onnxruntime
    import torch

    if model.runtime != "transformers":
        raise InvalidParameterError("export_onnx needs the transformers model: load it with runtime='transformers'.")
    if model.pools_recordings:
        raise InvalidParameterError(
            "This model pools a recording's windows before its head (the sound-effects CNN): its encoder is served "
            "as the int8 graph `babycry train` wrote beside its weights, its head by torch (docs/performance.md).")
    target = Path(out_dir) / ONNX_DIR
    target.mkdir(parents=True, exist_ok=True)
    export_s = export_graph(model, target / ONNX_FILE,
                            windows=parity_windows[:2] if parity_windows is not None and len(parity_windows) else None)
    info: dict[str, Any] = {
        "outputs": "logits",
        "dtype": "float32",
        "opset": OPSET,
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "export_s": round(export_s, 2),
        "weights_sha256": weights_digest(out_dir),  # a retrain makes the graph stale (onnx_available)
    }
    if parity_windows is not None and len(parity_windows):
        info.update(_parity(model, target / ONNX_FILE, parity_windows))
    (target / ONNX_INFO).write_text(json.dumps(info, indent=2) + "\n")
    return info


def export_graph(model: Any, path: str | os.PathLike, *, windows: np.ndarray | None = None) -> float:
    """Write the float32 ONNX graph of ``model.window_outputs`` (dynamic number of windows) to ``path``; seconds taken.

    No checks (:func:`export_onnx` makes them and records the parity); also what ``benchmarks/onnx_compare.py``
    times for either model.  ``windows``: prepared windows to trace with (default: two silent ones).
    """
    import torch

    from .predictor import _outputs_class

    if windows is None:
        rate = int(model.feature_extractor.sampling_rate)
        windows = np.zeros((2, int(round(model.window_seconds * rate))), np.float32)
    example = torch.as_tensor(model.features(windows), dtype=torch.float32)
    # the wrapper in eval mode too: the exporter restores the wrapper's mode on every submodule afterwards, and a
    # fresh nn.Module is in training mode (dropout and batch statistics would then change torch's answers)
    module = _outputs_class()(model.model.float().eval()).eval()
    start = time.perf_counter()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TracerWarnings about constants that are constant here
        torch.onnx.export(module, (example,), str(path), input_names=["input_values"], output_names=["outputs"],
                          dynamic_axes={"input_values": {0: "windows"}, "outputs": {0: "windows"}},
                          opset_version=OPSET, dynamo=False)
    return time.perf_counter() - start


def _parity(model: Any, path: Path, windows: np.ndarray) -> dict[str, Any]:
    """How far the exported graph's outputs lie from torch's float32 ones on ``windows``."""
    import dataclasses

    from .onnx_runtime import session

    features = model.features(windows)
    ours = session(path).run(None, {"input_values": features.astype(np.float32)})[0]
    reference = dataclasses.replace(model, precision="float32").window_outputs(features)
    diff = np.abs(ours - reference)
    scale = np.linalg.norm(reference, axis=-1)
    relative = np.linalg.norm(ours - reference, axis=-1) / np.where(scale > 0, scale, 1.0)
    return {
        "parity_windows": int(len(windows)),
        "max_abs_difference": float(diff.max()),
        "mean_relative_difference": float(relative.mean()),
    }


def sample_windows(data: str | os.PathLike, *, task: str, per_category: int = 12, seed: int = 0,
                        max_windows: int = 256) -> np.ndarray:
    """Prepared windows of real clips for :func:`export_onnx`'s parity check: up to ``per_category`` clips of each
    category of ``task``'s data (cries and every kind of not-cry for the detector), one window each.

    Examples
    --------
    >>> sample_windows("../shared/data", task="detector").shape  # doctest: +SKIP
    (108, 48000)
    """
    from ..audio import load
    from ..data import load_task
    from ..errors import BabyCryError
    from .windows import frame_windows

    table = load_task(data, task=task).table
    rng = np.random.default_rng(seed)
    column = "category" if "category" in table.columns else "label"
    out: list[np.ndarray] = []
    for _, rows in table.groupby(column):
        for index in rng.choice(rows.index.to_numpy(), size=min(per_category, len(rows)), replace=False):
            try:
                audio = load(table.loc[index, "path"])
            except BabyCryError:  # a clip the app would reject is no parity input either
                continue
            windows, _ = frame_windows(audio.samples, sample_rate=audio.sample_rate)
            out.append(windows[rng.integers(len(windows))])
    if not out:
        raise InvalidParameterError(f"No usable clips for the {task} task in {str(data)!r}.")
    return np.stack(out[:max_windows]).astype(np.float32)
