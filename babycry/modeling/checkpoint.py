"""Load a babycry checkpoint from a local folder or a Hugging Face hub id.

Both go through transformers' ``from_pretrained``; ``calibration.json`` is read
and checked by :func:`babycry.calibration.load_calibration`, ``metrics.json``
is read as it is.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..calibration import load_calibration
from ..config import DETECTOR_LABELS, REASONS
from ..errors import ModelLoadError
from ..hub import is_hub_id, local_folder, read_json
from .config import SFX_MODEL_TYPE
from .predictor import CryModel

__all__ = ["DEFAULT_DETECTOR_DIR", "DEFAULT_REASON_DIR", "METRICS_FILE", "load_model", "load_detector", "load_reason",
           "quiet_transformers"]

_REPO_ROOT = Path(__file__).resolve().parents[2]
#: Default bundled checkpoints (resolved from the package location, not the working directory).
DEFAULT_DETECTOR_DIR = _REPO_ROOT / "assets" / "models" / "cry-detector"
DEFAULT_REASON_DIR = _REPO_ROOT / "assets" / "models" / "cry-reason"
#: The grouped evaluation stored beside ``config.json`` / ``model.safetensors``.
METRICS_FILE = "metrics.json"


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """transformers' warnings and progress bars off inside (no "Loading weights" bar in a CLI or a server log).

    Examples
    --------
    >>> with quiet_transformers():
    ...     pass
    """
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


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
    local = local_folder(model_id)
    if local is None and not is_hub_id(model_id):
        raise ModelLoadError(
            f"No model found at {model_id!r}: the folder does not exist and it is not a valid hub id."
        )
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
        with quiet_transformers():
            model_class, extractor_class = _classes(model_id)
            model = model_class.from_pretrained(model_id)
            extractor = extractor_class.from_pretrained(model_id)
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
    return CryModel(
        model_id=model_id,
        task=found,
        labels=labels,
        model=model,
        feature_extractor=extractor,
        calibration=load_calibration(model_id, task=found),
        metrics=read_json(model_id, METRICS_FILE) or {},
    )


def _classes(model_id: str) -> tuple[Any, Any]:
    """The model and feature-extractor classes a checkpoint's ``config.json`` names (AST unless it says otherwise)."""
    from transformers import ASTFeatureExtractor, ASTForAudioClassification, PretrainedConfig

    config, _ = PretrainedConfig.get_config_dict(model_id)
    if config.get("model_type") == SFX_MODEL_TYPE:
        from .sfx import SfxFeatureExtractor, SfxForAudioClassification

        return SfxForAudioClassification, SfxFeatureExtractor
    return ASTForAudioClassification, ASTFeatureExtractor


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
