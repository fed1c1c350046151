"""Serving a local checkpoint with numpy and ONNX Runtime alone: no torch, no transformers.

The app's analysis worker spent most of its start-up importing what it did not run: torch (~2 s on the AVX2-only
EPYC) and transformers (~1.2 s), for the two feature extractors, the configurations and the detector's linear head,
while both forward passes run in ONNX Runtime (the detector's int8 encoder graph, the reason AST's exported graph).
For a local checkpoint with such a graph, :func:`~babycry.modeling.checkpoint.load_model` (``runtime="auto"``)
serves it from the same files with the classes here:

* :class:`JsonConfig`: ``config.json`` as attributes (labels keyed by integer, as transformers' configs are);
* :class:`AstFbank`: the AST's ``preprocessor_config.json`` with the Kaldi mel bank and window its extractor builds
  (:mod:`~babycry.modeling.melbank`, the same matrices bit for bit), computed by
  :func:`~babycry.modeling.fbank.fbank_features` as before;
* :class:`~babycry.modeling.sfx.features.SfxFeatures`: the sound-effects CNN's extractor's own arithmetic;
* :class:`SfxHead`: the detector's head (standardise, then one matrix product) read from ``model.safetensors``.

Training, exporting and a hub id still load the transformers classes (``runtime="transformers"``, and what
``"auto"`` falls back to); tests hold both to the same answers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, ModelLoadError
from ..hub import read_json
from .fbank import fbank_features, one_thread_matmul
from .melbank import symmetric_hann, triangular_mel_bank
from .windows import window_runs

__all__ = ["JsonConfig", "read_config", "AstFbank", "SfxHead", "light_extractor"]

#: Keys of a saved feature extractor that describe its transformers class, not its arithmetic.
_EXTRACTOR_BOOKKEEPING = ("feature_extractor_type", "processor_class", "padding_side", "return_attention_mask",
                          "feature_size")


class JsonConfig:
    """A checkpoint's ``config.json`` as attributes; ``id2label`` keyed by ``int``, ``num_labels`` its size.

    Examples
    --------
    >>> c = JsonConfig({"model_type": "x", "id2label": {"0": "not_cry", "1": "cry"}})
    >>> c.id2label[1], c.num_labels, c.model_type
    ('cry', 2, 'x')
    """

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self.id2label = {int(k): str(v) for k, v in dict(values.get("id2label") or {}).items()}
        self.num_labels = len(self.id2label)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _required_json(folder: str | os.PathLike, name: str) -> dict[str, Any]:
    values = read_json(folder, name)
    if values is None:
        raise ModelLoadError(f"The model folder {str(folder)!r} has no {name}.")
    return values


def read_config(folder: str | os.PathLike) -> JsonConfig:
    """``config.json`` of a local checkpoint folder."""
    return JsonConfig(_required_json(folder, "config.json"))


def _extractor_settings(folder: str | os.PathLike) -> dict[str, Any]:
    settings = _required_json(folder, "preprocessor_config.json")
    return {k: v for k, v in settings.items() if k not in _EXTRACTOR_BOOKKEEPING}


class AstFbank:
    """transformers' ``ASTFeatureExtractor`` (its numpy path) from its saved settings, without transformers.

    Its features are :func:`~babycry.modeling.fbank.fbank_features`' (the batched arithmetic the app has always
    used for the reason model); the mel bank and window are the extractor's own.

    Examples
    --------
    >>> fe = AstFbank(num_mel_bins=64, max_length=300, mean=-6.0, std=3.5)
    >>> fe(np.zeros((1, 48000), np.float32), sampling_rate=16000)["input_values"].shape
    (1, 300, 64)
    """

    def __init__(self, *, sampling_rate: int = 16_000, num_mel_bins: int = 128, max_length: int = 1024,
                 padding_value: float = 0.0, do_normalize: bool = True, mean: float = -4.2677393,
                 std: float = 4.5689974) -> None:
        self.sampling_rate = int(sampling_rate)
        self.num_mel_bins = int(num_mel_bins)
        self.max_length = int(max_length)
        self.padding_value = float(padding_value)
        self.do_normalize = bool(do_normalize)
        self.mean, self.std = float(mean), float(std)
        self.mel_filters = triangular_mel_bank(n_bins=257, n_filters=self.num_mel_bins, min_hz=20,
                                               max_hz=self.sampling_rate // 2, sampling_rate=self.sampling_rate,
                                               scale="kaldi", in_mel_space=True)
        self.window = symmetric_hann(400)

    def __call__(self, windows: Any, *, sampling_rate: int | None = None, return_tensors: str | None = None,
                 **kwargs: Any) -> dict[str, np.ndarray]:
        if sampling_rate is not None and sampling_rate != self.sampling_rate:
            raise InvalidParameterError(f"The model expects {self.sampling_rate} Hz audio, got {sampling_rate} Hz.")
        x = np.asarray(windows if not isinstance(windows, list) else np.stack(windows), dtype=np.float32)
        if x.ndim != 2 or x.shape[1] < len(self.window):
            raise InvalidParameterError(f"Expected windows (n, samples) of at least {len(self.window)} samples, "
                                        f"got {x.shape}.")
        return {"input_values": fbank_features(x, feature_extractor=self)}

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("sampling_rate", "num_mel_bins", "max_length", "padding_value",
                                              "do_normalize", "mean", "std")}


def light_extractor(folder: str | os.PathLike, model_type: str | None) -> Any:
    """The feature extractor of a local checkpoint without transformers (the sound-effects CNN's or the AST's)."""
    from .config import SFX_MODEL_TYPE

    settings = _extractor_settings(folder)
    if model_type == SFX_MODEL_TYPE:
        from .sfx.features import SfxFeatures

        return SfxFeatures(**settings)
    return AstFbank(**settings)


class SfxHead:
    """The sound-effects CNN's head in numpy: what :class:`~babycry.modeling.sfx.network.SfxHeadMixin` computes
    on the encoder's embeddings, for a checkpoint whose encoder runs as its int8 graph.

    Its methods take embeddings (numpy, or anything :func:`numpy.asarray` reads) and return float32 arrays.

    Examples
    --------
    >>> head = SfxHead.from_folder("assets/models/cry-detector")
    >>> head.pools_recordings, head.recording_logits_from_embeddings(np.zeros((3, 1152))).shape
    (True, (2,))
    """

    training = False
    runtime = "onnxruntime"  # the forward pass: the encoder's int8 graph; this is only its last product
    numpy_head = True

    def __init__(self, config: JsonConfig, *, mean: np.ndarray, scale: np.ndarray, weight: np.ndarray,
                 bias: np.ndarray) -> None:
        self.config = config
        self.mean, self.scale = np.asarray(mean, np.float32), np.asarray(scale, np.float32)
        self.weight_t = np.ascontiguousarray(np.asarray(weight, np.float32).T)
        self.bias = np.asarray(bias, np.float32)

    @classmethod
    def from_folder(cls, folder: str | os.PathLike) -> SfxHead:
        """The head of a local checkpoint: its ``config.json`` and four tensors of ``model.safetensors``."""
        from safetensors import safe_open

        folder = Path(folder)
        with safe_open(str(folder / "model.safetensors"), framework="numpy") as f:
            tensors = {name: f.get_tensor(name) for name in
                       ("embedding_mean", "embedding_scale", "classifier.weight", "classifier.bias")}
        return cls(read_config(folder), mean=tensors["embedding_mean"], scale=tensors["embedding_scale"],
                   weight=tensors["classifier.weight"], bias=tensors["classifier.bias"])

    @property
    def pools_recordings(self) -> bool:
        """Whether the head reads a whole recording's windows (mean and max of their embeddings)."""
        return getattr(self.config, "pooling", "window") == "recording"

    @property
    def embedding_size(self) -> int:
        """The encoder's embedding width (a recording-pooling head reads twice that: mean and max)."""
        return self.mean.size // (2 if self.pools_recordings else 1)

    def head_logits(self, head_input: Any) -> np.ndarray:
        """The head's logits of what it reads, standardised first."""
        x = (np.asarray(head_input, np.float32) - self.mean) / self.scale
        return one_thread_matmul(x, self.weight_t) + self.bias

    def logits_from_embeddings(self, embeddings: Any) -> np.ndarray:
        """Each window's logits from its embedding ``(n, embedding_size)`` (a recording-pooling head: each window
        as a recording of its own)."""
        embeddings = np.asarray(embeddings, np.float32)
        if self.pools_recordings:
            embeddings = np.concatenate([embeddings, embeddings], axis=-1)
        return self.head_logits(embeddings)

    def recording_logits_from_embeddings(self, embeddings: Any) -> np.ndarray:
        """One recording's logits ``(num_labels,)``: the head on the mean and max of each run of at most
        ``config.pooling_max_windows`` windows, the runs' logits averaged (window pooling: the windows' mean)."""
        embeddings = np.asarray(embeddings, np.float32)
        if not self.pools_recordings:
            return self.logits_from_embeddings(embeddings).mean(axis=0)
        runs = window_runs(embeddings.shape[0], max_windows=int(getattr(self.config, "pooling_max_windows", 0)))
        pooled = [np.concatenate([run.mean(axis=0), run.max(axis=0)])
                  for run in np.split(embeddings, np.cumsum(np.bincount(runs))[:-1])]
        return self.head_logits(np.stack(pooled)).mean(axis=0)
