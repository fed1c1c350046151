"""babycry.augment.background_noise: the noise training mixes cries with, at a signal-to-noise ratio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from babycry.augment import NoiseBank, apply, get
from babycry.preprocess import rms_dbfs

from .conftest import RATE


@pytest.mark.parametrize("snr", [0.0, 20.0])
def test_generated_noise_at_snr(cry, snr: float) -> None:
    result = apply(cry, sample_rate=RATE, name="background_noise", params={"snr_db": snr}, seed=2)
    assert result.params_used["snr_db"] == snr and result.params_used["noise_group"] == ""
    assert rms_dbfs(cry) - rms_dbfs(result.samples - cry) == pytest.approx(snr, abs=0.5)


def test_recorded_noise_names_its_recording(cry) -> None:
    bank = NoiseBank(clips=[np.random.default_rng(0).normal(size=4000).astype(np.float32)], groups=["esc-7"],
                     p_recorded=1.0)
    t = get("background_noise").transform({"snr_db": 10}, rng=np.random.default_rng(0), noise=bank)
    out = t(cry, sample_rate=RATE)
    assert t.parameters["noise_group"] == "esc-7" and out.shape == cry.shape


def test_a_data_folder_adds_its_recorded_noise(cry, data_dir: Path) -> None:
    groups = {apply(cry, sample_rate=RATE, name="background_noise", seed=s, data_dir=data_dir).params_used[
        "noise_group"] for s in range(8)}
    assert groups - {""}, groups  # ESC-50 noise clips, by their recording
