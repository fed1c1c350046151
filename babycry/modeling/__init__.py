"""The two models: a compact transformers AST, its windows, loading and calibrated inference.

- :mod:`~babycry.modeling.config`: :class:`ModelConfig` (architecture and feature settings).
- :mod:`~babycry.modeling.build`: ``ASTConfig``, feature extractor and a fresh model from it.
- :mod:`~babycry.modeling.windows`: the fixed windows every model sees, in training and in use.
- :mod:`~babycry.modeling.predictor`: :class:`CryModel` (windows -> logits -> calibrated probabilities).
- :mod:`~babycry.modeling.checkpoint`: :func:`load_model` / :func:`load_detector` / :func:`load_reason`.
- :mod:`~babycry.modeling.onnx_runtime` / :mod:`~babycry.modeling.onnx_export`: serving a checkpoint from its
  exported ONNX graph (``load_model(runtime="auto")``), and making that graph (``babycry export-onnx``).

Examples
--------
>>> from babycry.modeling import window_bounds
>>> window_bounds(4 * 16000, sample_rate=16000)
[(0, 48000), (16000, 64000)]
"""

from __future__ import annotations

from .build import build_config, build_feature_extractor, build_model
from .checkpoint import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR, load_detector, load_model, load_reason
from .config import ModelConfig
from .predictor import CryModel, Prediction
from .windows import fit_window, frame_windows, window_bounds

__all__ = [
    "ModelConfig",
    "build_config",
    "build_feature_extractor",
    "build_model",
    "window_bounds",
    "fit_window",
    "frame_windows",
    "Prediction",
    "CryModel",
    "load_model",
    "load_detector",
    "load_reason",
    "DEFAULT_DETECTOR_DIR",
    "DEFAULT_REASON_DIR",
]
