"""babycry.augment.talk_over: an adult talking over the sound, at a sound-to-voice ratio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from babycry.augment import VoiceBank, apply, get
from babycry.errors import InvalidParameterError
from babycry.preprocess import rms_dbfs

from .conftest import RATE


@pytest.mark.parametrize("snr", [0.0, 15.0])
def test_a_synthetic_voice_at_the_ratio_without_recorded_speech(cry, snr: float) -> None:
    result = apply(cry, sample_rate=RATE, name="talk_over", params={"snr_db": snr}, seed=2)
    assert result.params_used["snr_db"] == snr and result.params_used["noise_group"] == ""
    assert rms_dbfs(cry) - rms_dbfs(result.samples - cry) == pytest.approx(snr, abs=0.5)


def test_the_synthetic_voice_is_drawn_within_the_synthesiser_s_range_for_any_seed(cry) -> None:
    for seed in range(64):  # an F0 below the synthesiser's 100 Hz floor once failed ~1 preview in 16
        result = apply(cry, sample_rate=RATE, name="talk_over", seed=seed)
        assert result.samples.shape == cry.shape and np.isfinite(result.samples).all()


def test_one_speaker_talks_with_pauses_and_is_named() -> None:
    rng = np.random.default_rng(0)
    word = np.sin(2 * np.pi * 150 * np.arange(int(0.4 * RATE)) / RATE).astype(np.float32)
    bank = VoiceBank(clips=[word, 0.5 * word, -word], groups=["ann", "ann", "bob"])
    talk, speaker = bank.draw(rng, 3 * RATE, sample_rate=RATE)
    assert talk.shape == (3 * RATE,) and speaker in {"ann", "bob"}
    frames = np.abs(talk[: talk.size // 800 * 800]).reshape(-1, 800).max(axis=1)
    assert (frames == 0).any() and (frames > 0.4).any()  # words and pauses
    if speaker == "bob":
        assert np.all(np.isin(np.round(talk, 5), np.round(np.r_[-word, 0.0], 5)))


def test_the_transform_names_the_speaker_mixed_in(cry) -> None:
    bank = VoiceBank(clips=[np.random.default_rng(0).normal(size=4000).astype(np.float32)], groups=["jackson"])
    t = get("talk_over").transform({"snr_db": 6}, rng=np.random.default_rng(0), voices=bank)
    out = t(cry, sample_rate=RATE)
    assert t.parameters["noise_group"] == "jackson" and out.shape == cry.shape


def test_a_data_folder_adds_its_recorded_speakers(cry, data_dir: Path) -> None:
    groups = {apply(cry, sample_rate=RATE, name="talk_over", seed=s, data_dir=data_dir).params_used["noise_group"]
              for s in range(4)}
    assert "" not in groups, groups


def test_a_ratio_out_of_range_is_refused(cry) -> None:
    with pytest.raises(InvalidParameterError, match="snr_db"):
        apply(cry, sample_rate=RATE, name="talk_over", params={"snr_db": 60.0})


def test_a_voice_bank_needs_one_speaker_per_utterance() -> None:
    with pytest.raises(InvalidParameterError, match="one group per clip"):
        VoiceBank(clips=[np.zeros(100, np.float32)], groups=[])
