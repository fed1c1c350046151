"""The sound-effects CNN family: a frozen pretrained audio embedding (aiSFX) and a linear head.

Laid out like transformers' model folders: :mod:`.configuration` (:class:`SfxConfig`, labels in the config),
:mod:`.feature_extraction` (:class:`SfxFeatureExtractor`), :mod:`.modeling`
(:class:`SfxForAudioClassification`) and :mod:`.pretrained` (the encoder's weights from the ``aisfx`` package,
MIT). A checkpoint saves all of it with ``save_pretrained`` and loads without ``aisfx`` installed.

The names load on first use (PEP 562), so the feature extractor can be used without importing the model (torch and
transformers' modeling stack): what the ONNX Runtime path serves with.  Importing the model class registers the
family with transformers' Auto classes (:func:`register`), so ``pipeline("audio-classification", model=PATH)``
loads a checkpoint after ``babycry.modeling.sfx.register()``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["SfxConfig", "SfxModelConfig", "SfxFeatureExtractor", "SfxForAudioClassification", "register"]

_WHERE = {
    "SfxConfig": ".configuration",
    "SfxFeatureExtractor": ".feature_extraction",
    "SfxForAudioClassification": ".modeling",
}


def __getattr__(name: str) -> Any:
    if name == "SfxModelConfig":
        from ..config import SfxModelConfig

        return SfxModelConfig
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register() -> None:
    """Make ``transformers``' Auto classes (and so ``pipeline("audio-classification", model=PATH)``) know the family.

    Examples
    --------
    >>> register()
    """
    from .modeling import register_auto_classes

    register_auto_classes()
