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


def test_training_draws_any_codec_and_codes_many_windows_at_once(cry) -> None:
    t = get("phone_codec").transform(rng=np.random.default_rng(2), codecs=None)
    coded = t.apply_many([cry[:8000], cry[8000:20000]], sample_rate=RATE)
    assert [c.size for c in coded] == [8000, 12000] and t.parameters["codec"] in CODECS
