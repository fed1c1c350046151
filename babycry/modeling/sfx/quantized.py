"""The sound-effects CNN's frozen encoder as an int8 ONNX Runtime graph: what the detector trains and answers with.

On a CPU without AMX the float32 encoder is most of an analysis; ONNX Runtime's int8 convolutions (VNNI) run it
several times faster, and a head fitted on the int8 embeddings measures what one fitted on float32 embeddings does
(docs/experiments.md, "Serving the detector's encoder in int8"). Serving a float-trained head int8 embeddings
would not: they shift P(cry) by up to 0.4, so the graph that embedded the training windows is the one saved in
the checkpoint (:data:`INT8_FILE`) and served.

The graph: the float32 encoder exported (ONNX opset 17), then statically quantised (QDQ, per-channel int8
weights, uint8 activations, MinMax ranges on calibration windows of real audio). Needs ``onnx`` and
``onnxruntime``.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import platform
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import InvalidParameterError

__all__ = ["INT8_FILE", "INT8_INFO", "quantize_encoder", "graph_weight_bits", "Int8Encoder", "int8_kernels_exact"]

#: Where a checkpoint keeps its int8 encoder graph, and what it records about it.
INT8_FILE = "onnx/encoder-int8.onnx"
INT8_INFO = "onnx/encoder-int8.json"


def quantize_encoder(encoder: Any, calibration: np.ndarray, path: str | os.PathLike, *,
                     reduce_range: bool = False) -> Path:
    """Write the int8 graph of ``encoder`` (an :class:`~babycry.modeling.sfx.network.SfxEncoder`) to ``path``.

    Parameters
    ----------
    encoder : SfxEncoder
        The frozen float encoder (features ``(n, frames, bands)`` in, pooled embeddings out).
    calibration : np.ndarray
        Feature-extractor output ``(n, frames, bands)`` of real windows: the activations' ranges come from them.
    path : str or os.PathLike
        The graph to write.
    reduce_range : bool
        Weights in 7 bits instead of 8: ONNX Runtime's fused kernels then sum exactly on x86 without VNNI too
        (``benchmarks/detector_int8_range_probe.py``). The weight bits are recorded beside the graph
        (``<name>.json``, :func:`graph_weight_bits`).

    Returns
    -------
    Path

    Raises
    ------
    InvalidParameterError
        The ``onnx`` package (to export and quantise) is not installed.

    Examples
    --------
    >>> quantize_encoder(model.encoder, features, "encoder-int8.onnx")  # doctest: +SKIP
    """
    import torch

    try:
        import onnx  # noqa: F401 - torch's exporter and the quantiser need it
    except ImportError as exc:
        raise InvalidParameterError("Training on the int8 encoder graph needs the onnx package: "
                                    "pip install 'babycry[train]' (or set model.encoder_precision=float32).") from exc
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    calibration = np.ascontiguousarray(calibration, dtype=np.float32)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    class _Batches(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = iter([{"input_values": calibration[i : i + 16]} for i in range(0, len(calibration), 16)])

        def get_next(self) -> dict | None:
            return next(self._batches, None)

    float_encoder = copy.deepcopy(encoder).float().eval()
    with tempfile.TemporaryDirectory() as tmp:
        exported, prepared = Path(tmp) / "encoder.onnx", Path(tmp) / "prepared.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings about constants that are constant here
            torch.onnx.export(float_encoder, (torch.as_tensor(calibration[:2]),), str(exported),
                              input_names=["input_values"], output_names=["embeddings"],
                              dynamic_axes={"input_values": {0: "windows"}, "embeddings": {0: "windows"}},
                              opset_version=17, dynamo=False)
        quant_pre_process(str(exported), str(prepared))
        quantize_static(str(prepared), str(path), _Batches(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, reduce_range=reduce_range)
    path.with_suffix(".json").write_text(json.dumps({"weight_bits": 7 if reduce_range else 8}) + "\n")
    return path


def graph_weight_bits(path: str | os.PathLike) -> int:
    """Bits of an int8 graph's weights, as recorded beside it (``<name>.json``): 7 or 8; 8 when unrecorded
    (graphs made before the record).

    Examples
    --------
    >>> graph_weight_bits("assets/models/cry-detector/onnx/encoder-int8.onnx")  # doctest: +SKIP
    7
    """
    record = Path(path).with_suffix(".json")
    try:
        bits = json.loads(record.read_text()).get("weight_bits", 8)
    except (OSError, ValueError, AttributeError):
        return 8
    return 7 if bits == 7 else 8


#: CPU flags whose instructions add uint8 x int8 products into 32-bit sums (no intermediate saturation).
_EXACT_INT8_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


@functools.lru_cache(maxsize=1)
def int8_kernels_exact(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether ONNX Runtime's fused uint8 x int8 convolutions compute this graph exactly on this CPU.

    On x86 without VNNI (or AMX) they multiply-add pairs of uint8 x int8 products into 16-bit sums that saturate
    (``vpmaddubsw``, as ONNX Runtime's quantisation notes say): on such a CPU (an AVX2-only AMD EPYC, 2026-11-29)
    the graph's embeddings were 6% off on average (up to 0.78) against the same graph computed exactly, and a
    minute of crying that the checkpoint calls a cry with 0.99 fell to 0.88. There :class:`Int8Encoder` runs the
    graph's quantise-dequantise pairs around float convolutions instead: the same integers, summed exactly (1 to 5
    values in 1,000 one requantisation step apart), at two to three times the time. Other architectures (ARM's
    ``sdot``) sum exactly; unknown flags on x86 count as inexact.

    Examples
    --------
    >>> isinstance(int8_kernels_exact(), bool)
    True
    """
    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686", "x86"):
        return True
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as handle:
            flags = next((line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), [])
    except OSError:
        return False
    return bool(_EXACT_INT8_FLAGS & set(flags))


class Int8Encoder:
    """An int8 encoder graph on ONNX Runtime: features ``(n, frames, bands)`` → embeddings ``(n, size)`` float32.

    A graph with 7-bit weights (:func:`graph_weight_bits`) runs on the fused int8 kernels on every CPU: no pair of
    its products overflows their 16-bit sums. One with 8-bit weights runs fused only where those kernels sum
    exactly (:func:`int8_kernels_exact`), and unfused elsewhere.

    One session per process (the cache builder forks its workers after making the graph), on one thread by
    default: two threads ran the 4 windows of a 7 s clip in 15 ms against 25-31 ms on a quiet machine, but
    whole analyses were no faster (median 49.0 against 46.5 ms over 250 alternating runs on the shared 2-core
    machine; with ONNX Runtime's default spinning, 62.4 ms), as its threads compete with the numpy stages after it.

    Examples
    --------
    >>> Int8Encoder("assets/models/cry-detector/onnx/encoder-int8.onnx").embed(features).shape  # doctest: +SKIP
    (4, 1152)
    """

    def __init__(self, path: str | os.PathLike, *, threads: int = 1, weight_bits: int | None = None) -> None:
        self.path = Path(path)
        self.threads = int(threads)
        self.weight_bits = graph_weight_bits(self.path) if weight_bits is None else int(weight_bits)
        self._session: tuple[int, Any] | None = None
        self._lock = threading.Lock()

    def embed(self, features: np.ndarray) -> np.ndarray:
        """Embeddings of ``features``; callable from several threads at once (one ONNX Runtime session)."""
        from ..onnx_runtime import session

        with self._lock:
            if self._session is None or self._session[0] != os.getpid():
                # where the fused int8 kernels would saturate, the graph runs unfused: the same integers, summed
                # exactly
                fused = self.weight_bits <= 7 or int8_kernels_exact()
                exact = {} if fused else {"session.disable_quant_qdq": "1"}
                self._session = (os.getpid(), session(self.path, threads=self.threads, config=exact))
            run = self._session[1].run
        return run(None, {"input_values": np.ascontiguousarray(features, dtype=np.float32)})[0]

    def __getstate__(self) -> dict:  # a session (or a lock) does not pickle: a worker opens its own
        return {"path": self.path, "threads": self.threads, "weight_bits": self.weight_bits, "_session": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
