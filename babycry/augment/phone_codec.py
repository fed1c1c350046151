"""Phone and browser codecs: a round trip through a speech codec (:mod:`babycry.codec`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import Augmentation, GeneratorTransform, Param

__all__ = ["PhoneCodecAugmentation", "PhoneCodecTransform"]


class PhoneCodecTransform(GeneratorTransform):
    """Encode and decode through one codec: any of :data:`babycry.codec.CODECS` (``codecs=None``, training: one
    drawn by :func:`babycry.codec.draw_codec`) or one of ``codecs`` at a bitrate from the ``bitrate_kbps`` bounds."""

    def __init__(self, bounds, *, p: float, rng: np.random.Generator, codecs: Sequence[str] | None) -> None:
        super().__init__(bounds, p=p, rng=rng)
        self.codecs = tuple(codecs) if codecs is not None else None

    def draw(self) -> tuple[str, float | None]:
        """The codec and bitrate of the next round trip."""
        from ..codec import CODECS, draw_codec

        if self.codecs is None:
            return draw_codec(self.rng)
        name = self.codecs[int(self.rng.integers(len(self.codecs)))] if len(self.codecs) > 1 else self.codecs[0]
        rates = CODECS[name].bitrates_kbps
        if not rates:
            return name, None
        # the drawn (or fixed) bitrate, kept inside what the codec accepts
        return name, round(min(max(self.uniform("bitrate_kbps"), min(rates)), max(rates)), 1)

    def apply(self, samples: np.ndarray, *, sample_rate: int) -> np.ndarray:
        from ..codec import phone_codec

        name, kbps = self.draw()
        self.parameters.update(codec=name, bitrate_kbps=kbps)
        return phone_codec(samples, sample_rate=sample_rate, codec=name, bitrate_kbps=kbps)


class PhoneCodecAugmentation(Augmentation):
    """A round trip through a speech codec, as a phone call, a voice message or a browser recording does.

    The preview uses Opus in VoIP mode (what browsers record with) at the chosen bitrate; training passes
    ``codecs=None`` and draws from every codec in :data:`babycry.codec.CODECS` (GSM, G.723.1, Speex, Opus,
    IMA ADPCM, MP3).

    Examples
    --------
    >>> PhoneCodecAugmentation().param("bitrate_kbps").default
    8.0
    """

    name = "phone_codec"
    description = "Send the recording through a phone/browser speech codec (Opus, VoIP mode): what a call or a "\
                  "browser recording does to a cry."
    params = (Param("bitrate_kbps", 6.0, 16.0, 8.0, "kbit/s", "Codec bitrate; lower sounds more like a bad call."),)

    def _build(self, bounds, *, p, sample_rate, rng, codecs: Sequence[str] | None = ("opus",), **options: Any):
        return PhoneCodecTransform(bounds, p=p, rng=rng, codecs=codecs)

    def _read(self, transform, samples):
        return {"bitrate_kbps": transform.parameters["bitrate_kbps"], "codec": transform.parameters["codec"]}
