"""A loaded checkpoint at work: windows -> logits -> calibrated probabilities.

:class:`CryModel` wraps an ``ASTForAudioClassification``, its feature
extractor, its :class:`~babycry.calibration.Calibration` and its
``metrics.json``, and runs it on the fixed windows of a recording of any
length (:func:`~babycry.modeling.windows.frame_windows`).  Loading lives in
:mod:`babycry.modeling.checkpoint`.
"""

from __future__ import annotations

import functools
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..calibration import Calibration, apply_calibration, softmax
from ..config import AudioConfig, WindowConfig
from ..errors import InvalidParameterError
from .background import on_both_threads
from .fbank import fbank_features, torch_threads
from .windows import frame_windows

__all__ = ["Prediction", "CryModel", "PRECISIONS", "resolve_precision", "inference_copy"]

#: What :attr:`CryModel.precision` accepts.
PRECISIONS = ("auto", "float32", "bfloat16", "int8")


@functools.lru_cache(maxsize=1)
def _cpu_has_amx() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX tiles); torch's check is private, so guarded."""
    import torch

    check = getattr(torch.cpu, "_is_amx_tile_supported", None)
    try:
        return bool(check()) if check is not None else False
    except Exception:  # noqa: BLE001 - an unknown platform: float32
        return False


@dataclass
class Prediction:
    """One recording's model output.

    Attributes
    ----------
    labels : tuple of str
        Class names in label-id order.
    logits : np.ndarray
        Aggregated (mean over windows) uncalibrated logits, shape ``(n_labels,)``.
    probabilities : np.ndarray
        Calibrated probabilities of the aggregate.
    window_logits : np.ndarray
        Uncalibrated logits per window, ``(n_windows, n_labels)``.
    window_probabilities : np.ndarray
        Calibrated probabilities per window.
    spans : list of (start_s, end_s)
        Where each window lies.
    balanced_probabilities : np.ndarray
        Prior-corrected probabilities ``softmax(logits / T)``: as if every class were equally common.
        Equal to ``probabilities`` for a model calibrated without a class bias (the detector).
    """

    labels: tuple[str, ...]
    logits: np.ndarray
    probabilities: np.ndarray
    window_logits: np.ndarray
    window_probabilities: np.ndarray
    spans: list[tuple[float, float]]
    balanced_probabilities: np.ndarray | None = None

    @property
    def decision(self) -> int:
        """The predicted class id: argmax of the prior-corrected probabilities (maximises balanced accuracy)."""
        scores = self.balanced_probabilities if self.balanced_probabilities is not None else self.probabilities
        return int(np.argmax(scores))

    def is_unsure(self, threshold: float) -> bool:
        """True when the top prior-corrected probability is below ``threshold``."""
        scores = self.balanced_probabilities if self.balanced_probabilities is not None else self.probabilities
        return bool(float(np.max(scores)) < threshold)

    def as_dict(self) -> dict[str, float]:
        """Calibrated probabilities by label name."""
        return {name: float(p) for name, p in zip(self.labels, self.probabilities, strict=False)}


@dataclass
class CryModel:
    """A loaded checkpoint: AST model, feature extractor, calibration and metrics.

    Use :func:`~babycry.modeling.checkpoint.load_detector`, ``load_reason`` or ``load_model`` to
    make one.  Inference is thread-safe (a lock guards the torch call).

    Attributes
    ----------
    model_id : str
        The path or hub id it was loaded from.
    task : str
        ``"detector"`` or ``"reason"``.
    labels : tuple of str
        Class names in label-id order (from ``config.id2label``).
    model, feature_extractor
        What runs the forward pass (:attr:`runtime`: the transformers model, the same network in plain torch, or
        the exported ONNX graph) and the checkpoint's feature extractor.
    calibration : Calibration
        From ``calibration.json`` (``Calibration()``, i.e. uncalibrated, when absent).
    metrics : dict
        The checkpoint's ``metrics.json`` ({} when absent).
    precision : {"auto", "float32", "bfloat16", "int8"}
        The number format of the forward pass (:attr:`inference_dtype`).  The training cache's frozen encoder
        follows ``SfxModelConfig.encoder_precision``; a checkpoint whose head was trained on an int8 encoder
        graph's embeddings carries that graph (``int8_encoder``) and "auto" serves it.
    int8_encoder : Int8Encoder or None
        The int8 encoder graph the head was trained on (:mod:`babycry.modeling.sfx.quantized`), when the checkpoint
        holds one.
    threads : int or None
        torch intra-op threads for this model's forward pass, set for the calling thread only and restored
        after (``None``: leave torch's setting).  1 by default: a compact AST's operations are far too small
        to share between cores, and on a busy 2-core machine (a Space serving two requests at once) every
        parallel operation waits for the second core: measured here under load, the detector's forward pass
        on 4 windows took 300 ms on 2 threads and 8 ms on 1.  The sound-effects CNN too: its 7 s analysis
        took 128 ms on 2 threads against 65 ms on 1 (``make bench-speed``).
    """

    model_id: str
    task: str
    labels: tuple[str, ...]
    model: Any
    feature_extractor: Any
    calibration: Calibration = field(default_factory=Calibration)
    metrics: dict = field(default_factory=dict)
    threads: int | None = 1
    precision: str = "auto"
    int8_encoder: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _traced: tuple[Any, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the one check of the setting, at construction
        if self.inference_dtype == "int8" and self.int8_encoder is None:
            raise InvalidParameterError(
                "precision='int8' needs a checkpoint trained on an int8 encoder graph (onnx/encoder-int8.onnx).")
        self._check_encoder()

    def _check_encoder(self) -> None:
        """A model served from its int8 encoder graph (numpy head) holds no other encoder to run."""
        if getattr(self.model, "numpy_head", False) and self.inference_dtype != "int8":
            raise InvalidParameterError(
                f"precision={self.precision!r} runs the encoder in torch, which a model served from its int8 graph "
                "does not hold: load it with runtime='transformers'.")

    @property
    def inference_dtype(self) -> str:
        """``"int8"``, ``"bfloat16"`` or ``"float32"``: what :meth:`logits_from_features` computes in.

        ``precision="auto"`` picks the int8 encoder graph where the checkpoint's head was trained on its
        embeddings (``int8_encoder``), else bfloat16 only for a model that allows it (the sound-effects CNN: 7× faster
        with the CPU's AMX tiles, measured verdict parity in ``benchmarks/detector_precision.py``) on a CPU
        that has AMX tiles; elsewhere bfloat16 convolutions are emulated and slower, so float32.
        """
        return resolve_precision(self.model, self.precision, int8=self.int8_encoder is not None)

    @property
    def runtime(self) -> str:
        """What runs the forward pass (``load_model(runtime=...)``): ``"transformers"`` (the transformers model),
        ``"torch"`` (the same network in plain torch, :class:`~babycry.modeling.sfx.serving.SfxServingModel`) or
        ``"onnxruntime"`` (the exported graph, :class:`~babycry.modeling.onnx_runtime.OnnxModel`, or the int8
        encoder graph with its head in numpy, :class:`~babycry.modeling.serving.SfxHead`)."""
        if isinstance(getattr(self.model, "runtime", None), str):  # OnnxModel, or the int8 encoder's numpy head
            return self.model.runtime
        return "transformers" if hasattr(self.model, "save_pretrained") else "torch"

    @property
    def temperature(self) -> float:
        """Calibration temperature (1.0 when uncalibrated)."""
        return self.calibration.temperature

    @property
    def bias(self) -> tuple[float, ...] | None:
        """Per-class bias added to the scaled logits (``None``: none, e.g. the detector)."""
        return self.calibration.bias

    @property
    def unsure_threshold(self) -> float:
        """Top prior-corrected probability below which the reason model abstains (0 for the detector)."""
        return self.calibration.unsure_threshold

    @property
    def cry_band(self) -> tuple[float, float] | None:
        """The detector's "unsure" band ``(low, high)`` of calibrated P(cry).

        ``None``: none, e.g. the reason model or a checkpoint calibrated before the band existed.
        """
        return self.calibration.cry_band

    @property
    def window_seconds(self) -> float:
        """Length of one model window in seconds (from the feature extractor's ``max_length``)."""
        seconds = getattr(self.feature_extractor, "window_seconds", None)  # the sound-effects CNN's states it
        if seconds is not None:
            return float(seconds)
        frames = int(self.feature_extractor.max_length)
        return round(((frames - 1) * 160 + 400) / float(self.feature_extractor.sampling_rate), 1)

    def check_rate(self, sample_rate: int) -> None:
        """Raise unless ``sample_rate`` is the rate the model's features are computed at (16 kHz).

        Examples
        --------
        >>> load_detector().check_rate(8000)  # doctest: +SKIP
        Traceback (most recent call last):
        ...
        babycry.errors.InvalidParameterError: The model expects 16000 Hz audio, got 8000 Hz: ...
        """
        rate = int(self.feature_extractor.sampling_rate)
        if sample_rate != rate:
            raise InvalidParameterError(
                f"The model expects {rate} Hz audio, got {sample_rate} Hz: load it with babycry.audio.load first."
            )

    def features(self, windows: np.ndarray) -> np.ndarray:
        """The model inputs of prepared windows ``(n, samples)`` → ``(n, frames, mel)``, all windows at once.

        Identical to calling the checkpoint's feature extractor on each window
        (:func:`~babycry.modeling.fbank.fbank_features`); two models whose extractors match
        (:func:`~babycry.modeling.fbank.same_features`) can share them.
        """
        return fbank_features(windows, feature_extractor=self.feature_extractor)

    def window_logits(self, windows: np.ndarray, *, batch_size: int | None = None) -> np.ndarray:
        """Uncalibrated logits of prepared windows ``(n, samples)`` → ``(n, n_labels)``.

        Examples
        --------
        >>> model = load_detector(); model.window_logits(windows)  # doctest: +SKIP
        """
        return self.logits_from_features(self.features(windows), batch_size=batch_size)

    def outputs_of(self, windows: np.ndarray) -> np.ndarray:
        """:meth:`window_outputs` of prepared windows ``(n, samples)``: their features, then the forward pass.

        Examples
        --------
        >>> load_detector().outputs_of(windows).shape  # doctest: +SKIP
        (3, 2)
        """
        return self.window_outputs(self.features(windows))

    @property
    def pools_recordings(self) -> bool:
        """Whether the model answers for a recording from all its windows at once (mean and max of their
        embeddings) rather than by averaging the windows' logits: then :meth:`window_outputs` are embeddings."""
        return bool(getattr(self.model, "pools_recordings", False))

    def logits_from_features(self, features: np.ndarray, *, batch_size: int | None = None) -> np.ndarray:
        """Uncalibrated logits of each window from precomputed feature-extractor output ``(n, frames, mel)``.

        A recording-pooling model scores each window as a recording of its own (the per-window timeline).
        """
        outputs = self.window_outputs(features, batch_size=batch_size)
        if not self.pools_recordings:
            return outputs
        return self._run_head(lambda m, e: m.logits_from_embeddings(e), outputs)

    def _run_head(self, fn: Any, embeddings: np.ndarray) -> np.ndarray:
        if getattr(self.model, "numpy_head", False):  # served without torch (babycry.modeling.serving.SfxHead)
            return np.asarray(fn(self.model, embeddings), dtype=np.float64)
        import torch

        with torch.inference_mode():
            return fn(self.model, torch.as_tensor(embeddings, dtype=torch.float32)).numpy().astype(np.float64)

    def window_outputs(self, features: np.ndarray, *, batch_size: int | None = None) -> np.ndarray:
        """One forward pass per window: its logits ``(n, n_labels)``, or for a model that pools recordings
        (:attr:`pools_recordings`) its embedding ``(n, embedding_size)``; :meth:`prediction` takes either.

        The windows go through the model ``batch_size`` at a time (default: the model's
        ``inference_batch_size``, else 256: one forward pass for a recording of up to 256 windows).
        """
        self._check_encoder()  # precision may have been set after construction
        batch_size = batch_size or getattr(self.model, "inference_batch_size", 256)
        # an ONNX Runtime graph: the encoder's int8 graph the head was trained on (embeddings), or the exported model
        # the int8 encoder, most of an analysis, runs its windows on both threads (each window's embedding is its own):
        # 7 s clip 33.9 -> 28.1 ms median over 200 alternating runs as two halves; then each thread taking the next
        # window as it comes free, 1.3-1.6 ms less again with the 2 s hop's 3 windows
        graph = (functools.partial(on_both_threads, self.int8_encoder.embed) if self.inference_dtype == "int8" else
                 self.model.outputs if self.runtime == "onnxruntime" else None)
        if graph is not None:  # ONNX Runtime sessions run from several threads at once: no lock
            return np.concatenate([graph(features[i : i + batch_size])
                                   for i in range(0, len(features), batch_size)], axis=0).astype(np.float64)
        import torch

        out = []
        with self._lock, torch_threads(self.threads):
            for i in range(0, len(features), batch_size):
                x = torch.as_tensor(np.asarray(features[i : i + batch_size], dtype=np.float32))
                forward = self._forward(x)
                with torch.inference_mode():
                    out.append(forward(x).float().numpy())
        return np.concatenate(out, axis=0).astype(np.float64)

    def _forward(self, example: Any) -> Any:
        """The model as a function of its input features: traced once (TorchScript) when it is in eval mode.

        A compact AST spends most of its time in Python module calls, not arithmetic: the traced graph gives
        the same logits (bit for bit here) in about half the time.  It shares a float32 AST's parameters; a copy
        (:func:`inference_copy`) is remade when any parameter or buffer changes in place (their version counters).
        A model in training mode (dropout) runs eagerly, one that cannot be traced untraced.  Called under
        ``self._lock``.
        """
        import torch
        from transformers.utils import logging as hf_logging

        model = self.model
        if model.training:
            return _outputs_class()(model)
        dtype = self.inference_dtype
        copied = _is_copied(model, dtype)
        versions = sum(t._version for t in (*model.parameters(), *model.buffers())) if copied else 0
        key = (model, dtype, versions)
        if self._traced is None or self._traced[0] != key:
            traced: Any = None
            runner = inference_copy(model, dtype)
            verbosity = hf_logging.get_verbosity()
            # Tracing reads every property of the model, which makes transformers warn about an unused loss.
            hf_logging.set_verbosity_error()
            try:
                with torch.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # TracerWarnings about constants that are constant here
                    traced = torch.jit.trace(_outputs_class()(runner), (example,), check_trace=False)
            except Exception:  # noqa: BLE001 - any tracing failure: fall back to the eager model
                traced = _outputs_class()(runner)
            finally:
                hf_logging.set_verbosity(verbosity)
            self._traced = (key, traced)
        return self._traced[1]

    def prediction(self, outputs: np.ndarray, *, spans: list[tuple[float, float]]) -> Prediction:
        """The :class:`Prediction` of one recording from its windows' :meth:`window_outputs`.

        Logits are averaged, then calibrated; a recording-pooling model's embeddings go through its head as
        one recording (the answer) and one window at a time (the timeline).

        Raises
        ------
        InvalidParameterError
            Window logits given to a model that pools recordings (its answer needs the embeddings).

        Examples
        --------
        >>> model.prediction(model.window_outputs(model.features(windows)), spans=spans)  # doctest: +SKIP
        """
        if self.pools_recordings:
            if outputs.shape[-1] == len(self.labels):
                raise InvalidParameterError(
                    "This model answers from a recording's window embeddings: pass window_outputs(features), "
                    "not window logits.")
            window_logits = self._run_head(lambda m, e: m.logits_from_embeddings(e), outputs)
            agg = self._run_head(lambda m, e: m.recording_logits_from_embeddings(e), outputs)
        else:
            window_logits = outputs
            agg = window_logits.mean(axis=0)
        return Prediction(
            labels=self.labels,
            logits=agg,
            probabilities=self.calibrate(agg),
            window_logits=window_logits,
            window_probabilities=self.calibrate(window_logits),
            spans=spans,
            balanced_probabilities=softmax(agg / self.temperature),
        )

    def is_cry_unsure(self, cry_probability: float) -> bool:
        """True when a calibrated P(cry) lies in the detector's "unsure" band ``[low, high)``.

        Examples
        --------
        >>> load_detector().is_cry_unsure(0.6)  # doctest: +SKIP
        True
        """
        if self.cry_band is None:
            return False
        low, high = self.cry_band
        return bool(low <= float(cry_probability) < high)

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from uncalibrated logits: ``softmax(logits / temperature + bias)``."""
        return apply_calibration(logits, temperature=self.temperature, bias=self.bias)

    def predict(
        self,
        samples: np.ndarray,
        *,
        sample_rate: int,
        window: WindowConfig = WindowConfig(),
        audio_config: AudioConfig = AudioConfig(),
    ) -> Prediction:
        """Run the model on every window of a recording and aggregate.

        The recording is framed once, the features of all its windows are
        computed at once and go through the model in one batch; the aggregate is
        the mean of the window logits (or the head on the windows' pooled embeddings), then calibrated.

        Parameters
        ----------
        samples : np.ndarray
            Mono float samples (``Audio.samples``), not yet band-limited.
        sample_rate : int
            Must equal the feature extractor's rate (16 kHz).
        window, audio_config
            Windowing and preprocessing settings.

        Returns
        -------
        Prediction

        Examples
        --------
        >>> model = load_detector()  # doctest: +SKIP
        >>> model.predict(samples, sample_rate=16000).as_dict()  # doctest: +SKIP
        {'not_cry': 0.02, 'cry': 0.98}
        """
        self.check_rate(sample_rate)
        windows, spans = frame_windows(samples, sample_rate=sample_rate, window=window, audio_config=audio_config)
        return self.prediction(self.window_outputs(self.features(windows)), spans=spans)

    def summary(self) -> dict[str, Any] | None:
        """Headline quality figures for a UI, read from ``metrics.json``.

        Returns
        -------
        dict or None
            ``task``, ``balanced_accuracy``, ``ci95``, ``chance``, ``split``,
            ``n_clips``, ``n_groups`` (and ``coverage``,
            ``answered_balanced_accuracy`` for the reason model,
            ``category_accuracy`` for the detector); ``None`` when the
            checkpoint has no metrics.

        Examples
        --------
        >>> load_detector().summary()["chance"]  # doctest: +SKIP
        0.5
        """
        grouped = (self.metrics or {}).get("grouped")
        if not grouped:
            return None
        bal = grouped["metrics"]["balanced_accuracy"]
        out = {
            "task": self.task,
            "balanced_accuracy": bal["value"],
            "ci95": bal["ci95"],
            "chance": 1.0 / len(self.labels),
            "split": grouped.get("split_description", "grouped cross-validation"),
            "n_clips": grouped.get("n_clips"),
            "n_groups": grouped.get("n_groups"),
        }
        # detector: accuracy per category of sound (cry, laugh, noise, ...), so a UI can say where it fails
        prefix = "category_accuracy/"
        categories = {k[len(prefix):]: v["value"] for k, v in grouped["metrics"].items()
                      if k.startswith(prefix) and v.get("value") is not None}
        if categories:
            out["category_accuracy"] = categories
        if grouped.get("cry_band"):
            # detector: per category of sound, the shares called a cry / unsure / not a cry
            out["cry_band"] = grouped["cry_band"]
        unsure = grouped.get("unsure")
        if unsure:
            out["coverage"] = unsure.get("coverage")
            out["answered_balanced_accuracy"] = unsure.get("answered_balanced_accuracy")
        return out



@functools.lru_cache(maxsize=1)
def _outputs_class() -> type:
    """A ``torch.nn.Module`` class mapping input features to :meth:`CryModel.window_outputs` (what
    :meth:`CryModel._forward` traces): logits, or a recording-pooling model's window embeddings.

    Built on first use so that importing this module does not import torch.
    """
    import torch

    class Outputs(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model
            self.dtype = next(model.parameters()).dtype
            self.embeds = bool(getattr(model, "pools_recordings", False))

        def forward(self, input_values: Any) -> Any:
            x = input_values.to(self.dtype)
            return (self.model.embed(x) if self.embeds else self.model(input_values=x).logits).float()

    return Outputs


def resolve_precision(model: Any, precision: str = "auto", *, int8: bool = False) -> str:
    """``precision`` itself, or for ``"auto"``: ``"int8"`` where an int8 encoder graph is there (``int8``: the
    head was trained on its embeddings), else ``"bfloat16"`` where the model allows it (``bf16_inference``) and
    the CPU has AMX tiles, else ``"float32"``.

    Examples
    --------
    >>> resolve_precision(object(), "auto")
    'float32'
    """
    if precision not in PRECISIONS:
        raise InvalidParameterError(f"precision must be one of {PRECISIONS}, got {precision!r}.")
    if precision != "auto":
        return precision
    if int8:
        return "int8"
    return "bfloat16" if getattr(model, "bf16_inference", False) and _cpu_has_amx() else "float32"


def _is_copied(model: Any, dtype: str) -> bool:
    """Whether :func:`inference_copy` runs a copy of ``model`` (else the model itself)."""
    return dtype != "float32" or bool(getattr(model, "channels_last_inference", False))


def inference_copy(model: Any, dtype: str) -> Any:
    """The model as inference runs it: a channels-last copy in ``dtype`` for a bfloat16 or a convolutional model
    (``channels_last_inference``), else the model itself.

    Channels-last is oneDNN's fast convolution layout: AMX's bfloat16 needs it, and in float32 on a CPU without
    AMX it ran the sound-effects CNN 1.8× faster than the default layout (docs/performance.md), same values
    within 1e-5.
    """
    if not _is_copied(model, dtype):
        return model
    import copy

    import torch

    return copy.deepcopy(model).to(dtype=getattr(torch, dtype), memory_format=torch.channels_last)
