"""The sound-effects CNN as the app serves it: plain torch, without transformers' modeling stack.

:class:`SfxForAudioClassification` is a transformers ``PreTrainedModel``, and importing one costs about 2 s
(``transformers.modeling_utils`` imports ``torch._dynamo`` and ``torch.distributed``): most of the app's
start-up.  :class:`SfxServingModel` is the same network (:mod:`.network`, the same parameter names) loaded from
the same ``model.safetensors``, so :class:`~babycry.modeling.predictor.CryModel` runs it exactly as the
transformers model (traced; a checkpoint trained on the encoder's int8 graph answers through that graph,
:mod:`.quantized`, and uses this network for its head only), with the same outputs.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from torch import nn

from .network import SfxHeadMixin

__all__ = ["SfxServingModel"]


class SfxServingModel(SfxHeadMixin, nn.Module):
    """A saved sound-effects CNN checkpoint in plain torch, for inference.

    Examples
    --------
    >>> m = SfxServingModel.from_folder("assets/models/cry-detector")  # doctest: +SKIP
    >>> m.pools_recordings  # doctest: +SKIP
    True
    """

    def __init__(self, config: Any) -> None:
        super().__init__()
        self.config = config
        self._build_network(config)

    @classmethod
    def from_folder(cls, folder: str | os.PathLike) -> SfxServingModel:
        """Load ``config.json`` and ``model.safetensors`` of a local checkpoint folder (eval mode).

        Raises whatever ``safetensors`` / ``load_state_dict`` raise for a missing or mismatched file (the loader
        turns it into a :class:`~babycry.errors.ModelLoadError`).
        """
        from safetensors.torch import load_file

        from .configuration import SfxConfig

        folder = Path(folder)
        model = cls(SfxConfig.from_pretrained(str(folder)))
        model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
        return model.eval()

    def forward(self, input_values: Any) -> Any:
        """Each window's logits in ``.logits``, as ``SfxForAudioClassification`` returns them."""
        return SimpleNamespace(logits=self.logits_from_embeddings(self.embed(input_values)))
