"""Load a babycry checkpoint from a local folder or a Hugging Face hub id.

Both go through transformers' ``from_pretrained``; ``calibration.json`` is read
and checked by :func:`babycry.calibration.load_calibration`, ``metrics.json``
is read as it is.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..calibration import load_calibration
from ..config import DETECTOR_LABELS, REASONS, AudioConfig
from ..errors import InvalidParameterError, ModelInputWarning, ModelLoadError
from ..hub import is_hub_id, local_folder, optional_file, read_json
from .config import SFX_MODEL_TYPE
from .onnx_runtime import ONNX_DIR, ONNX_FILE, OnnxModel, have_onnxruntime, made_for_these_weights, onnx_available
from .predictor import CryModel

__all__ = ["DEFAULT_DETECTOR_DIR", "DEFAULT_REASON_DIR", "METRICS_FILE", "RUNTIMES", "load_model", "load_detector",
           "load_reason",
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


#: What ``load_model(runtime=...)`` accepts.
RUNTIMES = ("auto", "transformers", "onnxruntime")


def load_model(path_or_id: str | os.PathLike, *, task: str | None = None, runtime: str = "auto") -> CryModel:
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
    runtime : {"auto", "transformers", "onnxruntime"}
        What runs the forward pass.  ``"auto"`` (serving) avoids transformers' modeling stack (~2 s of imports):
        a local checkpoint with an exported graph (``onnx/model.onnx``, :mod:`~babycry.modeling.onnx_runtime`)
        or an int8 encoder graph runs in ONNX Runtime with numpy around it, importing neither torch nor
        transformers (:mod:`~babycry.modeling.serving`); another local sound-effects CNN in plain torch
        (:class:`~babycry.modeling.sfx.serving.SfxServingModel`, the same outputs), anything else as the
        transformers model.  ``"transformers"``: always the transformers model (training, exporting, saving);
        ``"onnxruntime"``: the exported graph or an error.

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
    if runtime not in RUNTIMES:
        raise InvalidParameterError(f"runtime must be one of {RUNTIMES}, got {runtime!r}.")
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
    use_onnx = runtime != "transformers" and local is not None and onnx_available(local)
    if runtime == "onnxruntime" and not use_onnx:
        raise ModelLoadError(f"The model at {model_id!r} has no exported graph of its weights ({ONNX_DIR}/{ONNX_FILE}, "
                             "missing or made before a retrain) or onnxruntime is not installed: run `babycry "
                             "export-onnx` or load it with runtime='auto'.")
    try:
        model_type = _model_type(model_id)
    except Exception as exc:  # noqa: BLE001 - unreadable JSON, unreachable hub
        raise _load_error(model_id, exc) from exc
    int8_encoder = _int8_encoder(model_id) if model_type == SFX_MODEL_TYPE else None
    try:
        if use_onnx or (runtime == "auto" and local is not None and int8_encoder is not None):
            # every forward pass in ONNX Runtime: served with numpy alone, no torch or transformers to import
            from .serving import SfxHead, light_extractor

            extractor = light_extractor(local, model_type)
            model = OnnxModel(local) if use_onnx else SfxHead.from_folder(local)
        else:
            with quiet_transformers():
                extractor = _extractor_class(model_type).from_pretrained(model_id)
                if runtime == "auto" and local is not None and model_type == SFX_MODEL_TYPE:
                    from .sfx.serving import SfxServingModel

                    model = SfxServingModel.from_folder(local)
                else:
                    model = _model_class(model_type).from_pretrained(model_id)
                    model.eval()
    except Exception as exc:  # noqa: BLE001 - transformers raises OSError/ValueError/RuntimeError/safetensors errors
        raise _load_error(model_id, exc) from exc
    labels = tuple(model.config.id2label[i] for i in range(model.config.num_labels))
    found = "detector" if labels == DETECTOR_LABELS else "reason" if labels == REASONS else None
    if found is None:
        raise ModelLoadError(
            f"The model at {model_id!r} has labels {list(labels)}, not a babycry detector or reason model."
        )
    if task is not None and found != task:
        raise ModelLoadError(f"The model at {model_id!r} is a {found} model, but a {task} model was expected.")
    _check_input_signal(model_id)
    return CryModel(
        model_id=model_id,
        task=found,
        labels=labels,
        model=model,
        feature_extractor=extractor,
        calibration=load_calibration(model_id, task=found),
        metrics=read_json(model_id, METRICS_FILE) or {},
        int8_encoder=int8_encoder,
    )


def _load_error(model_id: str, exc: Exception) -> ModelLoadError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ModelLoadError(f"Could not load the model at {model_id!r}: it is missing or corrupt ({detail}).")


#: The AudioConfig settings that shape what a model hears (the others only accept or reject a recording).
_SIGNAL_SETTINGS = ("sample_rate", "band_limit_hz", "high_pass_hz", "target_rms_dbfs")


def _check_input_signal(model_id: str) -> None:
    """Warn (:class:`ModelInputWarning`) when the checkpoint's ``training.json`` records audio prepared otherwise than
    ``AudioConfig()`` prepares it: every analysis prepares recordings one way, so such a model hears inputs it was
    not trained on.  A checkpoint without the record (a hub model) is taken as it is."""
    if local_folder(model_id) is None:
        return
    try:
        recorded = (read_json(model_id, "training.json") or {}).get("config", {}).get("audio")
    except (ModelLoadError, AttributeError):
        return
    if not isinstance(recorded, dict):
        return
    current = AudioConfig()
    before = {"high_pass_hz": 0.0}  # a recipe saved before the high-pass existed prepared its audio without one
    differs = []
    for name in _SIGNAL_SETTINGS:
        was, now = recorded.get(name, before.get(name, getattr(current, name))), getattr(current, name)
        if was != now:
            differs.append(f"{name} {was!r} (now {now!r})")
    if differs:
        warnings.warn(f"The model at {model_id!r} was trained on audio prepared with " + ", ".join(differs)
                      + ": its answers may be off. Retrain it with this babycry version.", ModelInputWarning,
                      stacklevel=3)


def _int8_encoder(model_id: str) -> Any:
    """The checkpoint's int8 encoder graph (:mod:`babycry.modeling.sfx.quantized`), when its head was trained on
    one; ``None`` otherwise.  A graph left behind by a retrain (its record names other weights) is an error: the
    head would read embeddings it was not trained on."""
    from .sfx.quantized import INT8_FILE, INT8_INFO, Int8Encoder

    graph = optional_file(model_id, INT8_FILE)
    if graph is None:
        return None
    local = local_folder(model_id)
    if local is not None and not made_for_these_weights(local, INT8_INFO):
        raise ModelLoadError(f"The int8 encoder graph of {model_id!r} ({INT8_FILE}) was made for other weights: "
                             "retrain the checkpoint or remove the graph.")
    if not have_onnxruntime():
        raise ModelLoadError(f"The model at {model_id!r} answers with an int8 encoder graph, which needs "
                             "onnxruntime: pip install onnxruntime.")
    optional_file(model_id, INT8_INFO)  # for a hub id, fetches the graph's record (its weight bits) beside it
    return Int8Encoder(graph)  # reads the record; a graph without one counts as 8-bit


def _model_type(model_id: str) -> str | None:
    """The ``model_type`` a checkpoint's ``config.json`` names (a local file read as JSON; transformers' config
    reader for a hub id)."""
    if local_folder(model_id) is not None:
        return (read_json(model_id, "config.json") or {}).get("model_type")
    from transformers import PretrainedConfig

    config, _ = PretrainedConfig.get_config_dict(model_id)
    return config.get("model_type")


def _model_class(model_type: str | None) -> Any:
    """The model class of a checkpoint's ``model_type`` (AST unless it names the sound-effects CNN)."""
    if model_type == SFX_MODEL_TYPE:
        from .sfx.modeling import SfxForAudioClassification

        return SfxForAudioClassification
    from transformers import ASTForAudioClassification

    return ASTForAudioClassification


def _extractor_class(model_type: str | None) -> Any:
    """The feature-extractor class of a checkpoint's ``model_type``; importing it leaves the model classes out."""
    if model_type == SFX_MODEL_TYPE:
        from .sfx.feature_extraction import SfxFeatureExtractor

        return SfxFeatureExtractor
    from transformers import ASTFeatureExtractor

    return ASTFeatureExtractor


def load_detector(path_or_id: str | os.PathLike = DEFAULT_DETECTOR_DIR, *, runtime: str = "auto") -> CryModel:
    """Load the cry detector (default: the bundled ``assets/models/cry-detector``).

    Examples
    --------
    >>> load_detector().labels  # doctest: +SKIP
    ('not_cry', 'cry')
    """
    return load_model(path_or_id, task="detector", runtime=runtime)


def load_reason(path_or_id: str | os.PathLike = DEFAULT_REASON_DIR, *, runtime: str = "auto") -> CryModel:
    """Load the reason classifier (default: the bundled ``assets/models/cry-reason``).

    Examples
    --------
    >>> load_reason().labels  # doctest: +SKIP
    ('hungry', 'belly_pain', 'discomfort', 'tired')
    """
    return load_model(path_or_id, task="reason", runtime=runtime)
