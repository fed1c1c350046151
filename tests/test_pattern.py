"""babycry.pattern: how loud, how long, continuous or in bursts."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.errors import InvalidAudioError, InvalidParameterError
from babycry.pattern import PatternConfig, clipped_share, describe_sound
from babycry.synth import synth_cry

SR = 16_000


def _quiet(seconds: float, *, seed: int = 0, dbfs: float = -60.0) -> np.ndarray:
    return (10 ** (dbfs / 20) * np.random.default_rng(seed).standard_normal(int(seconds * SR))).astype(np.float32)


def _cry(seconds: float, *, seed: int = 1) -> np.ndarray:
    return synth_cry(seconds=seconds, seed=seed, sample_rate=SR).samples


def test_a_crying_baby_with_breaths_is_continuous() -> None:
    d = describe_sound(_cry(7.0), sample_rate=SR)
    assert d.pattern == "continuous"
    assert len(d.bouts) == 1
    assert d.sound_seconds == pytest.approx(7.0, abs=0.3)  # breaths (< 1 s) are part of the crying
    assert d.loudness == "loud" and -20 < d.level_dbfs < 0 and d.peak_dbfs == pytest.approx(-3.1, abs=0.1)
    assert d.clipped_share == 0.0


def test_cries_separated_by_quiet_pauses_are_bursts_and_say_where() -> None:
    parts = [_cry(2.0, seed=1), _quiet(2.0), _cry(2.0, seed=2), _quiet(2.5, seed=1), _cry(1.5, seed=3)]
    d = describe_sound(np.concatenate(parts), sample_rate=SR)
    assert d.pattern == "bursts"
    assert len(d.bouts) == 3
    starts = [s for s, _ in d.bouts]
    assert starts == pytest.approx([0.0, 4.0, 8.5], abs=0.25)  # synth_cry leads in by 0.05-0.2 s
    assert d.sound_seconds == pytest.approx(5.5, abs=0.6)


def test_one_short_cry_in_a_quiet_recording_is_one_burst() -> None:
    d = describe_sound(np.concatenate([_quiet(3.0), _cry(1.5), _quiet(3.0, seed=2)]), sample_rate=SR)
    assert d.pattern == "one burst" and len(d.bouts) == 1
    assert d.bouts[0][0] == pytest.approx(3.0, abs=0.25)
    assert d.sound_seconds == pytest.approx(1.5, abs=0.3)


def test_loudness_follows_the_level_in_the_recording() -> None:
    cry = _cry(4.0)
    levels = {}
    for gain_db, expected in ((0, "loud"), (-20, "moderate"), (-40, "quiet")):
        d = describe_sound(cry * 10 ** (gain_db / 20), sample_rate=SR)
        assert d.loudness == expected, (gain_db, d)
        levels[gain_db] = d.level_dbfs
    # the level moves with the gain, dB for dB, and the pattern does not
    assert levels[0] - levels[-20] == pytest.approx(20.0, abs=0.2)
    assert describe_sound(cry * 0.01, sample_rate=SR).pattern == describe_sound(cry, sample_rate=SR).pattern


def test_a_dc_offset_changes_nothing_and_clicks_are_not_bouts() -> None:
    x = np.concatenate([_cry(2.0, seed=1), _quiet(3.0), _cry(2.0, seed=2)])
    x[int(3.5 * SR) : int(3.5 * SR) + 80] += 0.5  # a 5 ms click in the pause, far from both cries
    plain = describe_sound(x, sample_rate=SR)
    assert plain.pattern == "bursts" and len(plain.bouts) == 2
    assert not any(s < 3.5 < e for s, e in plain.bouts)
    offset = describe_sound(x + 0.2, sample_rate=SR)
    assert offset.bouts == plain.bouts and offset.level_dbfs == pytest.approx(plain.level_dbfs, abs=0.1)
    # a recording of only a steady background is one continuous (quiet) sound: the sound there is
    room = describe_sound(_quiet(5.0), sample_rate=SR)
    assert room.pattern == "continuous" and room.loudness == "quiet"


def test_clipping_is_measured() -> None:
    cry = _cry(3.0)
    assert clipped_share(cry) == 0.0
    loud = np.clip(cry * 4.0, -1.0, 1.0)
    share = clipped_share(loud)
    assert 0.001 < share < 0.5
    assert describe_sound(loud, sample_rate=SR).clipped_share == pytest.approx(share, abs=1e-5)
    assert clipped_share(np.array([], np.float32)) == 0.0


def test_to_dict_is_plain_json() -> None:
    import json

    d = describe_sound(_cry(3.0), sample_rate=SR).to_dict()
    assert list(d) == ["level_dbfs", "peak_dbfs", "loudness", "sound_seconds", "pattern", "bouts", "clipped_share"]
    json.dumps(d)


@pytest.mark.parametrize("bad", [
    {"frame_seconds": 0.0}, {"hop_seconds": 0.05}, {"reference_percentile": 0.0}, {"continuous_share": 1.5},
    {"breath_gap_seconds": -1.0}, {"loud_dbfs": -50.0}, {"clip_level": 0.0},
])
def test_bad_settings_are_refused(bad) -> None:
    with pytest.raises(InvalidParameterError):
        PatternConfig(**bad)


def test_bad_samples_are_refused() -> None:
    with pytest.raises(InvalidAudioError):
        describe_sound(np.array([], np.float32), sample_rate=SR)
    with pytest.raises(InvalidAudioError):
        describe_sound(np.full(1000, np.nan, np.float32), sample_rate=SR)
    with pytest.raises(InvalidParameterError):
        describe_sound(_cry(1.0), sample_rate=0)
