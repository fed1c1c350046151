"""Talk over: an adult talking over the sound, at a signal-to-speech ratio (a parent soothing a crying baby)."""

from __future__ import annotations

import os
from typing import Any

from .background_noise import MixNoise
from .base import Augmentation, Param
from .noise import VoiceBank

__all__ = ["TalkOverAugmentation"]


class TalkOverAugmentation(Augmentation):
    """An adult talking over the recording, at a ratio of the sound's level to the talking's (RMS).

    Parents talk to a crying baby; with cries never heard under talking, the detector took talking for a sign
    of "not a cry" (the laughter it learned from often has adults talking around it) and lost half the cries
    with a voice as loud as the cry (docs/experiments.md).  Training mixes one speaker's recorded utterances
    strung together with pauses (a data folder's ``speech`` clips, each with its speaker's group, so a fold
    never trains on a voice it is tested on), and the app previews a synthetic adult voice where no data
    folder is at hand.  Options: ``voices`` (a :class:`VoiceBank`) or ``data_dir`` (a folder with a
    ``manifest.csv``).

    Examples
    --------
    >>> TalkOverAugmentation().param("snr_db").unit
    'dB'
    """

    name = "talk_over"
    description = ("An adult talking over the recording (a parent soothing the baby) at a given ratio of the "
                   "sound's level to the voice's; lower means louder talking.")
    params = (Param("snr_db", -5.0, 30.0, 6.0, "dB", "Sound-to-voice ratio; lower means louder talking."),)

    def _build(self, bounds, *, p, sample_rate, rng, voices: VoiceBank | None = None,
               data_dir: str | os.PathLike | None = None, **options: Any):
        # the same mixing as background noise, from a bank of voices
        bank = voices if voices is not None else VoiceBank.from_data_folder(data_dir)
        return MixNoise(bounds, p=p, rng=rng, bank=bank)
