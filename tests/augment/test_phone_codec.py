"""babycry.augment.phone_codec."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.augment import apply, get
from babycry.codec import CODECS
from babycry.errors import InvalidParameterError

from .conftest import RATE


def test_preview_is_an_opus_round_trip_at_the_chosen_bitrate(cry) -> None:
    low = apply(cry, sample_rate=RATE, name="phone_codec", params={"bitrate_kbps": 6})
    high = apply(cry, sample_rate=RATE, name="phone_codec", params={"bitrate_kbps": 16})
    assert low.params_used == {"bitrate_kbps": 6.0, "codec": "opus"} and high.samples.shape == cry.shape
    assert np.mean((low.samples - cry) ** 2) > np.mean((high.samples - cry) ** 2)
    with pytest.raises(InvalidParameterError, match=r"bitrate_kbps must lie in \[6, 16\] kbit/s, got 64"):
        apply(cry, sample_rate=RATE, name="phone_codec", params={"bitrate_kbps": 64})


def test_training_draws_any_codec_and_a_bitrate_it_accepts() -> None:
    t = get("phone_codec").transform(rng=np.random.default_rng(2), codecs=None)
    drawn = [t.draw() for _ in range(60)]
    assert {name for name, _ in drawn} == set(CODECS)
    assert all((kbps in CODECS[name].bitrates_kbps) if CODECS[name].bitrates_kbps else kbps is None
               for name, kbps in drawn)
