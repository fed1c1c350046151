"""babycry.augment.registry: names, descriptions, apply() and its typed errors, reproducibility."""

from __future__ import annotations

import random

import numpy as np
import pytest

from babycry import augment
from babycry.augment import AugmentResult, apply, available, describe, get
from babycry.errors import InvalidAudioError, InvalidParameterError

from .conftest import RATE


def test_registry_lists_every_transform_training_uses_and_the_previews() -> None:
    assert available() == ["time_stretch", "pitch_shift", "background_noise", "talk_over", "mic_filter", "room_reverb",
                           "clipping", "phone_codec", "voice_bursts", "gaussian_noise", "gain", "band_pass"]
    for spec in describe():
        assert spec["description"]
        for p in spec["params"]:
            assert set(p) == {"name", "min", "max", "default", "unit", "description", "step"}
            assert p["min"] <= p["default"] <= p["max"]


def test_unknown_names_list_the_valid_ones(cry) -> None:
    with pytest.raises(InvalidParameterError, match="'flanger'.*pitch_shift"):
        get("flanger")
    with pytest.raises(InvalidParameterError, match="'semitone'.*semitones"):
        apply(cry, sample_rate=RATE, name="pitch_shift", params={"semitone": 1})


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("pitch_shift", {"semitones": 13}, "got 13"),
        ("time_stretch", {"rate": 0.1}, "got 0.1"),
        ("gain", {"gain_db": float("nan")}, "got nan"),
        ("gaussian_noise", {"snr_db": "loud"}, "'loud'"),
        ("background_noise", {"snr_db": -30}, "got -30"),
        ("band_pass", {"rolloff": 10}, "multiple of 6"),
        ("gain", {"gain_db": True}, "True"),
    ],
)
def test_out_of_range_params_rejected_with_value(cry, name, params, match) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        apply(cry, sample_rate=RATE, name=name, params=params)


@pytest.mark.parametrize(
    ("samples", "error"),
    [
        (np.zeros(0, np.float32), InvalidAudioError),
        (np.array([0.1, np.nan] * 100, np.float32), InvalidAudioError),
        (np.zeros((100, 2), np.float32), InvalidAudioError),
        (np.zeros(100, np.int16), InvalidAudioError),
    ],
)
def test_bad_samples_rejected(samples, error) -> None:
    with pytest.raises(error):
        apply(samples, sample_rate=RATE, name="gain")


def test_bad_seed_and_rate_rejected(cry) -> None:
    with pytest.raises(InvalidParameterError, match="seed"):
        apply(cry, sample_rate=RATE, name="gain", seed=-1)
    with pytest.raises(InvalidParameterError, match="sample_rate"):
        apply(cry, sample_rate=0, name="gain")


@pytest.mark.parametrize("name", available())
def test_same_seed_same_output_and_random_state_restored(cry, name: str) -> None:
    ranges = {p.name: (p.min, p.max) for p in get(name).params if p.step is None}
    random.seed(123)
    np.random.seed(123)
    a = apply(cry, sample_rate=RATE, name=name, ranges=ranges, seed=7)
    assert random.random() == random.Random(123).random()  # the caller's state is untouched
    b = apply(cry, sample_rate=RATE, name=name, ranges=ranges, seed=7)
    assert isinstance(a, AugmentResult) and a.applied
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.params_used == b.params_used
    for key, (low, high) in ranges.items():
        assert low - 1e-6 <= a.params_used[key] <= high + 1e-6


def test_random_mode_draws_different_values_per_seed(cry) -> None:
    drawn = {apply(cry, sample_rate=RATE, name="pitch_shift", ranges={"semitones": (-1.1, 1.1)},
                   seed=s).params_used["semitones"] for s in range(5)}
    assert len(drawn) == 5 and all(-1.1 <= v <= 1.1 for v in drawn)


def test_package_has_no_gradio_dependency() -> None:
    assert "gradio" not in augment.__dict__
