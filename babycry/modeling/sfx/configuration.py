"""transformers configuration of the sound-effects CNN family.

Its recipe settings are :class:`~babycry.modeling.config.SfxModelConfig`.
"""

from __future__ import annotations

from typing import Any

from transformers import PretrainedConfig

from ..config import SFX_MODEL_TYPE

__all__ = ["SFX_MODEL_TYPE", "SfxConfig"]



class SfxConfig(PretrainedConfig):
    """transformers configuration of :class:`~babycry.modeling.sfx.SfxForAudioClassification`.

    Examples
    --------
    >>> SfxConfig(channels=4, id2label={0: "not_cry", 1: "cry"}).embedding_size
    64
    """

    model_type = SFX_MODEL_TYPE

    def __init__(self, *, channels: int = 64, n_mels: int = 96, pretrained: str = "aisfx",
                 **kwargs: Any) -> None:
        self.channels = int(channels)
        self.n_mels = int(n_mels)
        self.pretrained = str(pretrained)
        super().__init__(**kwargs)

    @property
    def embedding_size(self) -> int:
        """Pooled embedding width: max and mean over time of the last block's ``8 · channels`` maps."""
        return 2 * 8 * self.channels
