"""A loaded checkpoint at work: windows -> logits -> calibrated probabilities.

:class:`CryModel` wraps an ``ASTForAudioClassification``, its feature
extractor, its :class:`~babycry.calibration.Calibration` and its
``metrics.json``, and runs it on the fixed windows of a recording of any
length (:func:`~babycry.modeling.windows.frame_windows`).  Loading lives in
:mod:`babycry.modeling.checkpoint`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..calibration import Calibration, apply_calibration, softmax
from ..config import AudioConfig, WindowConfig
from ..errors import InvalidParameterError
from .windows import frame_windows

__all__ = ["Prediction", "CryModel"]


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
        The transformers ``ASTForAudioClassification`` and ``ASTFeatureExtractor``.
    calibration : Calibration
        From ``calibration.json`` (``Calibration()``, i.e. uncalibrated, when absent).
    metrics : dict
        The checkpoint's ``metrics.json`` ({} when absent).
    """

    model_id: str
    task: str
    labels: tuple[str, ...]
    model: Any
    feature_extractor: Any
    calibration: Calibration = field(default_factory=Calibration)
    metrics: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
