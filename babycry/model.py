"""The two models: a compact transformers AST, its feature extractor, loading and windowed inference.

The split follows transformers' AST files: :func:`build_config` (an
``ASTConfig`` sized for a 2-core CPU, labels in the config),
:func:`build_feature_extractor` (an ``ASTFeatureExtractor`` whose
``max_length`` is exactly one analysis window) and ``ASTForAudioClassification``.
:class:`CryModel` wraps a saved checkpoint with its calibration and runs it on
fixed windows of a recording of any length.

Every window the model sees is made by :func:`frame_windows` from the
band-limited signal: cut to ``WindowConfig.window_seconds``, loudness-normalised
on its own content, then zero-padded at the end when the recording is shorter.
Training (:mod:`babycry.train`) builds its windows through the same function,
so padding, duration and level cannot tell the sources apart.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import DETECTOR_LABELS, REASONS, AudioConfig, WindowConfig
from .errors import InvalidParameterError, ModelLoadError
from .preprocess import band_limit, normalise_loudness

__all__ = [
    "ModelConfig",
    "CryModel",
    "DEFAULT_DETECTOR_DIR",
    "DEFAULT_REASON_DIR",
    "CALIBRATION_FILE",
    "METRICS_FILE",
    "build_config",
    "build_feature_extractor",
    "build_model",
    "window_bounds",
    "frame_windows",
    "load_model",
    "load_detector",
    "load_reason",
    "labels_for_task",
    "softmax",
]

_REPO_ROOT = Path(__file__).resolve().parents[1]
#: Default bundled checkpoints (resolved from the package location, not the working directory).
DEFAULT_DETECTOR_DIR = _REPO_ROOT / "assets" / "models" / "cry-detector"
DEFAULT_REASON_DIR = _REPO_ROOT / "assets" / "models" / "cry-reason"
#: Files stored beside ``config.json`` / ``model.safetensors``.
CALIBRATION_FILE = "calibration.json"
METRICS_FILE = "metrics.json"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and feature settings of the compact AST.

    The default AST-base (12 layers, 768 wide, 1212 overlapping patches) takes
    seconds per clip on a 2-core CPU and has ~86 M parameters for a few thousand
    clips.  These defaults (the reason model) have ~0.1 M (2 layers, 64 wide; the
    detector uses 3 x 96, ~0.25 M): 64 Kaldi mel bins (16 kHz, 20 Hz–8 kHz; 47 of
    them start below the 3.6 kHz analysis band edge), one 3 s
    window of 300 frames, non-overlapping 16×16 patches (4 × 18 = 72 patches;
    overlapping strides cost >10× more per training step on this CPU).

    Examples
    --------
    >>> ModelConfig().max_length
    300
    """

    sampling_rate: int = 16_000
    num_mel_bins: int = 64
    max_length: int = 300
    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 128
    patch_size: int = 16
    frequency_stride: int = 16
    time_stride: int = 16
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    # AST's normalisation constants, measured on this project's band-limited, loudness-normalised windows
    # rather than AudioSet's, so the inputs to the patch embedding are roughly unit-scale.
    feature_mean: float = -6.0
    feature_std: float = 3.5


def labels_for_task(task: str) -> tuple[str, ...]:
    """The label names of a task, in label-id order.

    Parameters
    ----------
    task : {"detector", "reason"}

    Returns
    -------
    tuple of str

    Raises
    ------
    InvalidParameterError
        For an unknown task.

    Examples
    --------
    >>> labels_for_task("detector")
    ('not_cry', 'cry')
    """
    if task == "detector":
        return DETECTOR_LABELS
    if task == "reason":
        return REASONS
    raise InvalidParameterError(f"Unknown task {task!r}: expected 'detector' or 'reason'.")


def build_config(*, task: str, model_config: ModelConfig = ModelConfig()) -> Any:
    """Build the compact ``ASTConfig`` for a task (labels in ``id2label``).

    Parameters
    ----------
    task : {"detector", "reason"}
    model_config : ModelConfig

    Returns
    -------
    transformers.ASTConfig

    Examples
    --------
    >>> build_config(task="reason").id2label[0]
    'hungry'
    """
    from transformers import ASTConfig

    labels = labels_for_task(task)
    return ASTConfig(
        hidden_size=model_config.hidden_size,
        num_hidden_layers=model_config.num_hidden_layers,
        num_attention_heads=model_config.num_attention_heads,
        intermediate_size=model_config.intermediate_size,
        patch_size=model_config.patch_size,
        frequency_stride=model_config.frequency_stride,
        time_stride=model_config.time_stride,
        max_length=model_config.max_length,
        num_mel_bins=model_config.num_mel_bins,
        hidden_dropout_prob=model_config.hidden_dropout_prob,
        attention_probs_dropout_prob=model_config.attention_probs_dropout_prob,
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )


def build_feature_extractor(*, model_config: ModelConfig = ModelConfig()) -> Any:
    """Build the ``ASTFeatureExtractor`` matching :class:`ModelConfig`.

    ``sampling_rate`` is 16 kHz, so ``transformers.pipeline("audio-classification")``
    fed the same band-limited 16 kHz window computes the same features.

    Examples
    --------
    >>> import numpy as np
    >>> fe = build_feature_extractor()
    >>> fe(np.zeros(48000, np.float32), sampling_rate=16000, return_tensors="np")["input_values"].shape
    (1, 300, 64)
    """
    from transformers import ASTFeatureExtractor

    return ASTFeatureExtractor(
        sampling_rate=model_config.sampling_rate,
        num_mel_bins=model_config.num_mel_bins,
        max_length=model_config.max_length,
        mean=model_config.feature_mean,
        std=model_config.feature_std,
    )


def build_model(*, task: str, model_config: ModelConfig = ModelConfig(), seed: int = 0) -> Any:
    """A freshly initialised ``ASTForAudioClassification`` for a task.

    Examples
    --------
    >>> sum(p.numel() for p in build_model(task="detector").parameters()) < 1_000_000
    True
    """
    import torch
    from transformers import ASTForAudioClassification

    torch.manual_seed(seed)
    return ASTForAudioClassification(build_config(task=task, model_config=model_config))


# --------------------------------------------------------------------------- #
# Windows
# --------------------------------------------------------------------------- #
def window_bounds(n_samples: int, *, sample_rate: int, window: WindowConfig = WindowConfig()) -> list[tuple[int, int]]:
    """Sample ranges of the analysis windows of a recording.

    Windows of ``window_seconds`` start every ``hop_seconds``; the last one is
    aligned to the end of the recording so that every window is full.  A
    recording shorter than one window gives a single (short) range.

    Parameters
    ----------
    n_samples : int
        Length of the recording in samples.
    sample_rate : int
        Its rate in Hz.
    window : WindowConfig
        Window and hop length.

    Returns
    -------
    list of (start, end)
        Sample indices, ``end`` exclusive.

    Examples
    --------
    >>> window_bounds(7 * 16000, sample_rate=16000)
    [(0, 48000), (24000, 72000), (48000, 96000), (64000, 112000)]
    """
    if window.window_seconds <= 0 or window.hop_seconds <= 0:
        raise InvalidParameterError(
            f"Window and hop must be positive, got window={window.window_seconds!r} s, hop={window.hop_seconds!r} s."
        )
    length = int(round(window.window_seconds * sample_rate))
    hop = int(round(window.hop_seconds * sample_rate))
    if n_samples <= length:
        return [(0, int(n_samples))]
    starts = list(range(0, n_samples - length + 1, hop))
    if starts[-1] + length < n_samples:
        starts.append(n_samples - length)
    return [(s, s + length) for s in starts]


def fit_window(segment: np.ndarray, *, length: int, target_rms_dbfs: float) -> np.ndarray:
    """Loudness-normalise one segment on its own content and zero-pad/crop it to ``length``.

    Examples
    --------
    >>> import numpy as np
    >>> fit_window(np.ones(10, np.float32), length=16, target_rms_dbfs=-20.0).shape
    (16,)
    """
    segment = np.asarray(segment, dtype=np.float32)[:length]
    out = np.zeros(length, dtype=np.float32)
    out[: segment.size] = normalise_loudness(segment, target_rms_dbfs=target_rms_dbfs)
    return out


def frame_windows(
    samples: np.ndarray,
    *,
    sample_rate: int,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    band_limited: bool = False,
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Cut a recording into the fixed model windows.

    The signal is band-limited to ``audio_config.band_limit_hz`` (unless
    ``band_limited``), each window is loudness-normalised to
    ``audio_config.target_rms_dbfs`` on its own content and zero-padded to
    ``window.window_seconds`` when the recording is shorter.

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples at ``sample_rate`` (16 kHz for the models).
    sample_rate : int
        Their rate in Hz.
    window : WindowConfig
        Window and hop.
    audio_config : AudioConfig
        Band edge and loudness target.
    band_limited : bool
        The samples are already band-limited (skip the filter).

    Returns
    -------
    windows : np.ndarray
        float32 array ``(n_windows, window_samples)``.
    spans : list of (start_s, end_s)
        Where each window lies in the recording (the real, unpadded extent).

    Examples
    --------
    >>> import numpy as np
    >>> w, spans = frame_windows(np.random.default_rng(0).normal(size=16000 * 4) * 0.1, sample_rate=16000)
    >>> w.shape, spans
    ((2, 48000), [(0.0, 3.0), (1.0, 4.0)])
    """
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim != 1 or samples.size == 0:
        raise InvalidParameterError(f"Expected non-empty mono samples, got shape {samples.shape}.")
    if not band_limited:
        samples = band_limit(samples, sample_rate=sample_rate, cutoff_hz=audio_config.band_limit_hz)
    length = int(round(window.window_seconds * sample_rate))
    bounds = window_bounds(samples.size, sample_rate=sample_rate, window=window)
    windows = np.stack(
        [fit_window(samples[s:e], length=length, target_rms_dbfs=audio_config.target_rms_dbfs) for s, e in bounds]
    )
    spans = [(round(s / sample_rate, 3), round(e / sample_rate, 3)) for s, e in bounds]
    return windows, spans


def softmax(logits: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax.

    Examples
    --------
    >>> import numpy as np
    >>> softmax(np.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


# --------------------------------------------------------------------------- #
# Loading and inference
# --------------------------------------------------------------------------- #
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

    Use :func:`load_detector`, :func:`load_reason` or :func:`load_model` to
    make one.  Inference is thread-safe (a lock guards the torch call).

    Attributes
    ----------
    model_id : str
        The path or hub id it was loaded from.
    task : str
        ``"detector"`` or ``"reason"``.
    labels : tuple of str
        Class names in label-id order (from ``config.id2label``).
    temperature : float
        Calibration temperature (1.0 when uncalibrated).
    unsure_threshold : float
        Top prior-corrected probability below which the reason model abstains (0 for the detector).
    cry_band : tuple of float, optional
        The detector's "unsure" band ``(low, high)`` of calibrated P(cry) (``None``: none, e.g. the reason
        model or a checkpoint calibrated before the band existed).
    metrics : dict
        The checkpoint's ``metrics.json`` ({} when absent).
    """

    model_id: str
    task: str
    labels: tuple[str, ...]
    model: Any
    feature_extractor: Any
    temperature: float = 1.0
    unsure_threshold: float = 0.0
    bias: tuple[float, ...] | None = None
    cry_band: tuple[float, float] | None = None
    calibration: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def window_seconds(self) -> float:
        """Length of one model window in seconds (from the feature extractor's ``max_length``)."""
        frames = int(self.feature_extractor.max_length)
        return round(((frames - 1) * 160 + 400) / float(self.feature_extractor.sampling_rate), 1)

    def window_logits(self, windows: np.ndarray, *, batch_size: int = 32) -> np.ndarray:
        """Uncalibrated logits of prepared windows ``(n, samples)`` → ``(n, n_labels)``.

        Examples
        --------
        >>> model = load_detector(); model.window_logits(windows)  # doctest: +SKIP
        """
        import torch

        rate = int(self.feature_extractor.sampling_rate)
        out = []
        with self._lock, torch.inference_mode():
            for i in range(0, len(windows), batch_size):
                batch = [np.asarray(w, dtype=np.float32) for w in windows[i : i + batch_size]]
                feats = self.feature_extractor(batch, sampling_rate=rate, return_tensors="pt")
                out.append(self.model(input_values=feats["input_values"]).logits.float().numpy())
        return np.concatenate(out, axis=0).astype(np.float64)

    def logits_from_features(self, features: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
        """Uncalibrated logits from precomputed feature-extractor output ``(n, frames, mel)``."""
        import torch

        out = []
        with self._lock, torch.inference_mode():
            for i in range(0, len(features), batch_size):
                x = torch.as_tensor(np.asarray(features[i : i + batch_size], dtype=np.float32))
                out.append(self.model(input_values=x).logits.float().numpy())
        return np.concatenate(out, axis=0).astype(np.float64)

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
        z = np.asarray(logits, dtype=np.float64) / self.temperature
        if self.bias is not None:
            z = z + np.asarray(self.bias, dtype=np.float64)
        return softmax(z, axis=-1)

    def predict(
        self,
        samples: np.ndarray,
        *,
        sample_rate: int,
        window: WindowConfig = WindowConfig(),
        audio_config: AudioConfig = AudioConfig(),
    ) -> Prediction:
        """Run the model on every window of a recording and aggregate.

        The aggregate is the mean of the window logits, then calibrated.

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
        rate = int(self.feature_extractor.sampling_rate)
        if sample_rate != rate:
            raise InvalidParameterError(
                f"The model expects {rate} Hz audio, got {sample_rate} Hz: load it with babycry.audio.load first."
            )
        windows, spans = frame_windows(samples, sample_rate=rate, window=window, audio_config=audio_config)
        win_logits = self.window_logits(windows)
        agg = win_logits.mean(axis=0)
        return Prediction(
            labels=self.labels,
            logits=agg,
            probabilities=self.calibrate(agg),
            window_logits=win_logits,
            window_probabilities=self.calibrate(win_logits),
            spans=spans,
            balanced_probabilities=softmax(agg / self.temperature),
        )

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


def _read_json_file(model_id: str, name: str, *, local: Path | None) -> dict | None:
    """Read ``name`` beside the checkpoint (local folder or hub repo); None when absent."""
    if local is not None:
        path = local / name
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelLoadError(f"The file {str(path)!r} is corrupt ({exc}).") from exc
    try:
        from huggingface_hub import hf_hub_download

        return json.loads(Path(hf_hub_download(model_id, name)).read_text())
    except Exception:  # noqa: BLE001 - an optional file on the hub: absent or unreachable both mean "none"
        return None


def load_model(path_or_id: str | os.PathLike, *, task: str | None = None) -> CryModel:
    """Load a babycry checkpoint from a local folder or a Hugging Face hub id.

    Both go through ``from_pretrained``; ``calibration.json`` and
    ``metrics.json`` beside the checkpoint are read when present.

    Parameters
    ----------
    path_or_id : str or os.PathLike
        A folder holding ``config.json``, ``model.safetensors`` and
        ``preprocessor_config.json``, or a hub id (``"user/cry-detector"``).
    task : {"detector", "reason"}, optional
        Check that the checkpoint's labels are this task's.

    Returns
    -------
    CryModel

    Raises
    ------
    ModelLoadError
        The folder is missing, a file is missing or corrupt, or the labels are
        not the expected task's.

    Examples
    --------
    >>> load_model("/no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    babycry.errors.ModelLoadError: No model found at '/no/such/folder': the folder does not exist ...
    """
    model_id = str(path_or_id)
    path = Path(model_id).expanduser()
    is_hub_id = re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", model_id) is not None
    if not path.exists() and not is_hub_id:
        raise ModelLoadError(
            f"No model found at {model_id!r}: the folder does not exist and it is not a valid hub id."
        )
    local = path if path.exists() else None
    if local is not None:
        if not local.is_dir():
            raise ModelLoadError(f"Expected a model folder but {model_id!r} is a file.")
        missing = [n for n in ("config.json", "preprocessor_config.json") if not (local / n).exists()]
        if not any((local / n).exists() for n in ("model.safetensors", "pytorch_model.bin")):
            missing.append("model.safetensors")
        if missing:
            raise ModelLoadError(
                f"The model folder {model_id!r} is incomplete: missing {', '.join(missing)}."
            )
    try:
        from transformers import ASTFeatureExtractor, ASTForAudioClassification
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()  # no "Loading weights" bar in a CLI or a server log
        try:
            model = ASTForAudioClassification.from_pretrained(model_id)
            extractor = ASTFeatureExtractor.from_pretrained(model_id)
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()
    except Exception as exc:  # noqa: BLE001 - transformers raises OSError/ValueError/RuntimeError/safetensors errors
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"Could not load the model at {model_id!r}: it is missing or corrupt ({detail}).") from exc
    model.eval()
    labels = tuple(model.config.id2label[i] for i in range(model.config.num_labels))
    found = "detector" if labels == DETECTOR_LABELS else "reason" if labels == REASONS else None
    if found is None:
        raise ModelLoadError(
            f"The model at {model_id!r} has labels {list(labels)}, not a babycry detector or reason model."
        )
    if task is not None and found != task:
        raise ModelLoadError(f"The model at {model_id!r} is a {found} model, but a {task} model was expected.")
    calibration = _read_json_file(model_id, CALIBRATION_FILE, local=local) or {}
    metrics = _read_json_file(model_id, METRICS_FILE, local=local) or {}
    temperature = float(calibration.get("temperature", 1.0))
    if not (math.isfinite(temperature) and temperature > 0):
        raise ModelLoadError(f"The calibration of {model_id!r} holds an invalid temperature {temperature!r}.")
    bias = calibration.get("bias")
    if bias is not None and (len(bias) != len(labels) or not all(math.isfinite(float(v)) for v in bias)):
        raise ModelLoadError(f"The calibration of {model_id!r} holds an invalid bias {bias!r}.")
    band = calibration.get("cry_band")
    if band is not None:
        try:
            low, high = (float(v) for v in band)
        except (TypeError, ValueError):
            low = high = float("nan")
        if found != "detector" or not (0.0 <= low <= 0.5 <= high <= 1.0):
            raise ModelLoadError(f"The calibration of {model_id!r} holds an invalid cry_band {band!r}.")
        band = (low, high)
    return CryModel(
        bias=tuple(float(v) for v in bias) if bias is not None else None,
        cry_band=band,
        model_id=model_id,
        task=found,
        labels=labels,
        model=model,
        feature_extractor=extractor,
        temperature=temperature,
        unsure_threshold=float(calibration.get("unsure_threshold", 0.0)),
        calibration=calibration,
        metrics=metrics,
    )


def load_detector(path_or_id: str | os.PathLike = DEFAULT_DETECTOR_DIR) -> CryModel:
    """Load the cry detector (default: the bundled ``assets/models/cry-detector``).

    Examples
    --------
    >>> load_detector().labels  # doctest: +SKIP
    ('not_cry', 'cry')
    """
    return load_model(path_or_id, task="detector")


def load_reason(path_or_id: str | os.PathLike = DEFAULT_REASON_DIR) -> CryModel:
    """Load the reason classifier (default: the bundled ``assets/models/cry-reason``).

    Examples
    --------
    >>> load_reason().labels  # doctest: +SKIP
    ('hungry', 'belly_pain', 'discomfort', 'tired')
    """
    return load_model(path_or_id, task="reason")
