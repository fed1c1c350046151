"""babycry.research.summary: the EDA result's JSON, reading it back, and the bundled summary the app shows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from babycry import plots
from babycry.errors import DataError
from babycry.research import summary

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "assets" / "eda" / "summary.json"


# --------------------------------------------------------------------------- #
# JSON
# --------------------------------------------------------------------------- #
def test_json_round_trip(result, tmp_path):
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False)  # strict JSON: no NaN
    again = summary.EDAResult.from_dict(json.loads(text))
    assert again.to_dict() == data
    assert again.labels == result.labels
    assert np.allclose(again.get("hungry").mean_mel, result.get("hungry").mean_mel, atol=0.06)
    path = result.save(tmp_path / "summary.json")
    assert summary.load_summary(path).to_dict() == data
    assert not any(k in json.dumps(data) for k in ("samples", "audio_b64"))
    assert all(not Path(c["path"]).is_absolute() for c in data["clips"])


def test_load_summary_errors(tmp_path):
    with pytest.raises(DataError, match="No EDA summary"):
        summary.load_summary(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataError, match="Cannot read"):
        summary.load_summary(bad)
    bad.write_text(json.dumps({"schema": "babycry.eda/1", "classes": []}))
    with pytest.raises(DataError, match="Malformed"):
        summary.load_summary(bad)
    with pytest.raises(DataError, match="Not a babycry EDA summary"):
        summary.EDAResult.from_dict([])


# --------------------------------------------------------------------------- #
# The bundled summary (the Space has no data folder)
# --------------------------------------------------------------------------- #
EXPECTED_CLASSES = {"hungry", "belly_pain", "discomfort", "tired", "burping", "cry", "silence", "noise", "laugh",
                    "speech", "adult_laugh", "cough", "background"}


def test_bundled_summary_loads_and_has_every_class():
    res = summary.load_summary(BUNDLED)
    assert set(res.labels) == EXPECTED_CLASSES
    assert res.labels[:4] == ("hungry", "belly_pain", "discomfort", "tired")
    for c in res.classes:
        assert c.clips_analysed >= min(c.clips, res.max_per_class) - len(res.skipped)
        assert c.mean_mel is not None and c.mean_mel.shape == (res.mel_freqs_hz.size, res.mel_times_s.size)
        assert set(c.stats) == set(summary.SUMMARY_VALUES)
    assert BUNDLED.stat().st_size < 2_000_000
    assert all(not Path(c.path).is_absolute() for c in res.clips)
    for make in (plots.eda_counts_figure, plots.eda_mel_grid_figure, plots.eda_rates_durations_figure):
        assert make(res).data


def test_bundled_summary_matches_the_data_folder(data_dir):
    from babycry.data import manifest_hash, read_manifest

    res = summary.load_summary(BUNDLED)
    manifest = read_manifest(data_dir)
    if res.manifest_hash != manifest_hash(data_dir):
        pytest.skip("the data folder differs from the one the bundled summary was made from")
    for c in res.classes:
        rows = manifest[manifest["label"] == c.label]
        assert (c.clips, c.families) == (len(rows), rows["group"].nunique())

