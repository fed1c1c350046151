"""transformers configuration of the sound-effects CNN family.

Its recipe settings are :class:`~babycry.modeling.config.SfxModelConfig`.
"""

from __future__ import annotations

from typing import Any

from transformers import PretrainedConfig

from ..config import SFX_MODEL_TYPE

__all__ = ["SFX_MODEL_TYPE", "SfxConfig", "POOLINGS"]

#: How a recording's windows become one answer: ``"window"``, the head scores each window and the logits are
#: averaged; ``"recording"``, the head scores the mean and the max of the windows' embeddings.
POOLINGS = ("window", "recording")



class SfxConfig(PretrainedConfig):
    """transformers configuration of :class:`~babycry.modeling.sfx.SfxForAudioClassification`.

    Examples
    --------
    >>> SfxConfig(channels=4, id2label={0: "not_cry", 1: "cry"}).embedding_size
    64
    """

    model_type = SFX_MODEL_TYPE

    def __init__(self, *, channels: int = 64, n_mels: int = 96, pretrained: str = "aisfx", pooling: str = "window",
                 block3_stats: bool = False, block2_stats: bool = False, last_block: bool = True,
                 pooling_max_windows: int = 0, **kwargs: Any) -> None:
        from ...errors import InvalidParameterError

        if pooling not in POOLINGS:
            raise InvalidParameterError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        self.channels = int(channels)
        self.n_mels = int(n_mels)
        self.pretrained = str(pretrained)
        self.pooling = pooling
        # 0 (every window at once) in checkpoints saved before a long recording was read in runs
        if int(pooling_max_windows) < 0:
            raise InvalidParameterError(f"pooling_max_windows must be >= 0, got {pooling_max_windows!r}.")
        self.pooling_max_windows = int(pooling_max_windows)
        # False in checkpoints saved before the third (second) block was summarised (their config.json lacks it)
        self.block3_stats = bool(block3_stats)
        self.block2_stats = bool(block2_stats)
        # True in checkpoints saved before the last block could be left out
        self.last_block = bool(last_block)
        if not self.last_block and not self.block3_stats:
            raise InvalidParameterError("last_block=False needs block3_stats=True: the embedding would be empty.")
        super().__init__(**kwargs)

    @property
    def embedding_size(self) -> int:
        """Pooled embedding width: max and mean over time of the last block's ``8 · channels`` maps, and with
        ``block3_stats`` (``block2_stats``) max, mean and standard deviation of the third (second) block's
        ``4 · channels`` (``2 · channels``); without the ``last_block``, the summaries alone.

        Examples
        --------
        >>> SfxConfig(channels=4, block3_stats=True, id2label={0: "not_cry", 1: "cry"}).embedding_size
        112
        >>> SfxConfig(channels=4, block3_stats=True, block2_stats=True, id2label={0: "no", 1: "yes"}).embedding_size
        136
        >>> SfxConfig(channels=4, block3_stats=True, block2_stats=True, last_block=False,
        ...           id2label={0: "no", 1: "yes"}).embedding_size
        72
        """
        return (2 * 8 * self.channels * self.last_block
                + 3 * self.channels * (4 * self.block3_stats + 2 * self.block2_stats))

    @property
    def head_input_size(self) -> int:
        """What the head reads: a window's embedding, or a recording's mean and max over its windows' embeddings.

        Examples
        --------
        >>> SfxConfig(channels=4, pooling="recording", id2label={0: "not_cry", 1: "cry"}).head_input_size
        128
        """
        return self.embedding_size * (2 if self.pooling == "recording" else 1)
