"""The encoder's pretrained weights, read from the ``aisfx`` package (MIT) where they ship.

``aisfx`` pins old librosa and numpy, so it is installed without its dependencies
(``pip install --no-deps aisfx==0.1.2``; ``make setup`` does): only its checkpoint
file is read here, never its code. A trained babycry checkpoint holds the encoder's
weights itself, so using one needs no ``aisfx``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from ...errors import ModelLoadError

__all__ = ["AISFX_VERSION", "aisfx_checkpoint", "load_aisfx_encoder_state"]

AISFX_VERSION = "0.1.2"


def aisfx_checkpoint() -> Path:
    """Path of the ``aisfx`` package's ``models/checkpoint.pth``.

    Raises
    ------
    ModelLoadError
        If ``aisfx`` is not installed.
    """
    spec = importlib.util.find_spec("aisfx")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            f"The pretrained sound-effects encoder comes from the aisfx package: "
            f"pip install --no-deps aisfx=={AISFX_VERSION} (make setup installs it)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "checkpoint.pth"
    if not path.exists():
        raise ModelLoadError(f"The aisfx package has no models/checkpoint.pth (expected version {AISFX_VERSION}).")
    return path


def load_aisfx_encoder_state() -> dict:
    """The encoder's ``state_dict`` (``conv_block{1..4}.*``), loaded with ``weights_only=True``.

    The file is ``(state_dict, datasets)``; its dataset table holds numpy scalars, allowed explicitly.
    """
    import torch

    allowed = [(np._core.multiarray.scalar, "numpy.core.multiarray.scalar"), np.dtype,
               np.dtypes.Float64DType, np.dtypes.Int64DType]
    with torch.serialization.safe_globals(allowed):
        weights, _ = torch.load(aisfx_checkpoint(), map_location="cpu", weights_only=True)
    prefix = "embedding_net."
    return {key[len(prefix):]: value for key, value in weights.items() if key.startswith(prefix)}
