"""The sound-effects CNN family: a frozen pretrained audio embedding (aiSFX) and a linear head.

Laid out like transformers' model folders: :mod:`.configuration` (:class:`SfxConfig`, labels in the config),
:mod:`.feature_extraction` (:class:`SfxFeatureExtractor`), :mod:`.modeling`
(:class:`SfxForAudioClassification`) and :mod:`.pretrained` (the encoder's weights from the ``aisfx`` package,
MIT). A checkpoint saves all of it with ``save_pretrained`` and loads without ``aisfx`` installed.
"""

from __future__ import annotations

from ..config import SfxModelConfig
from .configuration import SfxConfig
from .feature_extraction import SfxFeatureExtractor
from .modeling import SfxForAudioClassification

__all__ = ["SfxConfig", "SfxModelConfig", "SfxFeatureExtractor", "SfxForAudioClassification"]


def _register() -> None:
    """Make ``transformers``' Auto classes (and so ``pipeline("audio-classification", model=PATH)``) know the family."""
    from transformers import AutoConfig, AutoFeatureExtractor, AutoModelForAudioClassification

    AutoConfig.register(SfxConfig.model_type, SfxConfig, exist_ok=True)
    AutoModelForAudioClassification.register(SfxConfig, SfxForAudioClassification, exist_ok=True)
    AutoFeatureExtractor.register(SfxConfig, SfxFeatureExtractor, exist_ok=True)


_register()
