"""babycry.research.eda: family-weighted class summaries of a data folder, and the eda command."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from babycry.cli import main
from babycry.errors import DataError, InvalidParameterError
from babycry.research import eda, load_summary
from babycry.synth import synth_cry

from .conftest import SR, _write

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- #
# Family weighting and sampling
# --------------------------------------------------------------------------- #
def test_family_weighted_stats_counts_each_family_once():
    s = eda.family_weighted_stats([1.0] * 10 + [3.0, 5.0], ["big"] * 10 + ["b", "c"])
    assert s["clip_median"] == 1.0
    assert s["median"] == 3.0 and (s["q1"], s["q3"]) == (2.0, 4.0)
    assert (s["n_families"], s["n_clips"]) == (3, 12)


def test_family_weighted_stats_skips_nan_and_checks_lengths():
    s = eda.family_weighted_stats([np.nan, 2.0, np.nan], ["a", "b", "c"])
    assert (s["median"], s["n_families"], s["n_clips"]) == (2.0, 1, 1)
    empty = eda.family_weighted_stats([np.nan], ["a"])
    assert math.isnan(empty["median"]) and empty["n_families"] == 0
    with pytest.raises(InvalidParameterError, match="differ in length"):
        eda.family_weighted_stats([1.0, 2.0], ["a"])


def test_sample_clips_spreads_over_families_and_is_deterministic():
    t = pd.DataFrame({"path": [f"{i}.wav" for i in range(12)], "label": ["x"] * 10 + ["y"] * 2,
                      "group": ["big"] * 8 + ["f2", "f3", "g1", "g1"]})
    a = eda.sample_clips(t, max_per_class=3, seed=1)
    assert sorted(a.loc[a["label"] == "x", "group"]) == ["big", "f2", "f3"]
    assert (a["label"] == "y").sum() == 2
    b = eda.sample_clips(t.iloc[::-1], max_per_class=3, seed=1)  # the manifest's row order does not matter
    assert sorted(a["path"]) == sorted(b["path"])
    assert sorted(a["path"]) == sorted(eda.sample_clips(t, max_per_class=3, seed=1)["path"])
    with pytest.raises(InvalidParameterError, match="max_per_class"):
        eda.sample_clips(t, max_per_class=0)


# --------------------------------------------------------------------------- #
# run_eda on a generated folder
# --------------------------------------------------------------------------- #
def test_classes_counts_and_order(result):
    # Reasons, then non-cries (larger first); the unreviewed label is left out.
    assert result.labels == ("hungry", "tired", "noise", "speech")
    hungry = result.get("hungry")
    assert (hungry.clips, hungry.families, hungry.max_clips_per_family) == (6, 3, 4)
    assert (hungry.clips_analysed, hungry.families_analysed) == (6, 3)
    assert result.get("noise").families == 2 and result.get("noise").is_cry == "0"
    assert result.skipped == ()
    assert len(result.clips) == 6 + 2 + 3 + 2


def test_family_with_many_clips_counts_once(result):
    f0 = result.get("hungry").stats["f0_median_hz"]
    assert f0["n_families"] == 3 and f0["n_clips"] == 6
    assert f0["clip_median"] == pytest.approx(300, rel=0.08)  # four of six clips are family "big"
    assert f0["median"] == pytest.approx(500, rel=0.08)  # but "big" is one family of three
    families, means = result.family_values("f0_median_hz")["hungry"]
    assert sorted(families) == ["b", "big", "c"]
    assert means[families.index("big")] == pytest.approx(300, rel=0.08)


def test_values_describe_the_audio(result):
    assert result.get("tired").sample_rates == {8000: 2}
    assert result.get("hungry").sample_rates == {16000: 6}
    assert result.get("speech").duration_s["median"] == pytest.approx(0.4, abs=0.01)
    assert result.get("tired").stats["f0_median_hz"]["median"] == pytest.approx(420, rel=0.08)
    noise = result.get("noise").stats
    assert noise["f0_median_hz"]["n_families"] <= 1  # white noise is (nearly) never voiced
    assert noise["voiced_fraction"]["median"] < 0.2
    assert result.get("hungry").stats["n_harmonics"]["median"] >= 3
    # The RMS level is the recording's own, not the normalised one: white noise at -26 dBFS keeps the 3.5 kHz of its
    # 8 kHz band between the high-pass and the band edge, -29.6 dBFS.
    assert result.get("noise").stats["rms_dbfs"]["median"] == pytest.approx(-29.6, abs=1.0)
    rec = next(c for c in result.clips if c.label == "tired")
    assert rec.path.startswith("tired/") and rec.source_sample_rate == 8000 and rec.summary.sample_rate == SR


def test_mean_mel_spectrograms(result):
    n_mels = result.settings["mel"]["n_mels"]
    assert result.mel_freqs_hz.shape == (n_mels,)
    for c in result.classes:
        assert c.mean_mel.shape == (n_mels, result.mel_times_s.size)
        assert np.all(c.mean_mel <= 0) and np.all(c.mean_mel >= -result.settings["mel"]["top_db"])
    # Speech is 0.4 s: the rest of the 3 s window is padding at the floor.
    speech = result.get("speech").mean_mel
    late = result.mel_times_s > 1.0
    assert speech[:, late].mean() == pytest.approx(-result.settings["mel"]["top_db"], abs=0.5)
    assert result.get("hungry").mean_mel[:, result.mel_times_s < 1.0].mean() > -60


def test_labels_option_and_cap(eda_folder):
    res = eda.run_eda(eda_folder, labels=["hungry", "unknown"], max_per_class=2, seed=3)
    assert res.labels == ("hungry", "unknown")
    hungry = res.get("hungry")
    assert hungry.clips == 6 and hungry.clips_analysed == 2 and hungry.families_analysed == 2


# --------------------------------------------------------------------------- #
# Bad folders
# --------------------------------------------------------------------------- #
def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        eda.run_eda(tmp_path / "nowhere")


def test_folder_without_manifest(tmp_path):
    with pytest.raises(DataError, match="no manifest.csv"):
        eda.run_eda(tmp_path)


def test_manifest_without_group_column(tmp_path):
    pd.DataFrame({"path": ["a.wav"], "is_cry": [1], "label": ["tired"]}).to_csv(tmp_path / "manifest.csv", index=False)
    with pytest.raises(DataError, match="group"):
        eda.run_eda(tmp_path)


def test_missing_audio_file(tmp_path):
    pd.DataFrame({"path": ["gone.wav"], "is_cry": [1], "label": ["tired"], "group": ["g"]}).to_csv(
        tmp_path / "manifest.csv", index=False
    )
    with pytest.raises(DataError, match="missing, e.g. 'gone.wav'"):
        eda.run_eda(tmp_path)


def test_unknown_label_and_unreviewed_only(eda_folder, tmp_path):
    with pytest.raises(DataError, match="no clip labelled 'lonely'"):
        eda.run_eda(eda_folder, labels=["lonely"])
    pd.DataFrame({"path": ["a.wav"], "is_cry": [None], "label": ["unknown"], "group": ["g"]}).to_csv(
        tmp_path / "manifest.csv", index=False
    )
    with pytest.raises(DataError, match="no reviewed rows"):
        eda.run_eda(tmp_path)


def test_undecodable_clip_is_skipped_and_reported(tmp_path):
    _write(tmp_path, "ok.wav", synth_cry(seconds=1.0, seed=0).samples)
    (tmp_path / "broken.wav").write_bytes(b"this is not audio")
    pd.DataFrame({"path": ["ok.wav", "broken.wav"], "is_cry": [1, 1], "label": ["tired"] * 2,
                  "group": ["a", "b"]}).to_csv(tmp_path / "manifest.csv", index=False)
    res = eda.run_eda(tmp_path)
    assert [p for p, _ in res.skipped] == ["broken.wav"]
    assert res.get("tired").clips_analysed == 1 and res.get("tired").clips == 2
    (tmp_path / "ok.wav").write_bytes(b"")
    with pytest.raises(DataError, match="No clip .* could be analysed"):
        eda.run_eda(tmp_path)


def test_bad_parameters(eda_folder):
    with pytest.raises(InvalidParameterError):
        eda.run_eda(eda_folder, max_per_class=0)
    with pytest.raises(InvalidParameterError):
        eda.run_eda(eda_folder, mel_pool=0)


# --------------------------------------------------------------------------- #
# CLI
# --------------------------------------------------------------------------- #
def test_cli_eda_writes_json(eda_folder, tmp_path, capsys):
    out = tmp_path / "summary.json"
    code = main(["eda", "--data", str(eda_folder), "--json", str(out), "--max-per-class", "2", "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "hungry" in printed and f"wrote {out}" in printed
    res = load_summary(out)
    assert res.max_per_class == 2 and res.get("hungry").clips_analysed == 2


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--data", "{tmp}/nowhere"], "does not exist"),
        (["--data", "{data}", "--json", "{tmp}/no/dir/out.json"], "does not exist"),
        (["--data", "{data}", "--json", "{tmp}"], "it is a folder"),
        (["--data", "{data}", "--labels", "lonely"], "no clip labelled 'lonely'"),
    ],
)
def test_cli_eda_errors(eda_folder, tmp_path, capsys, extra, message):
    argv = ["eda", *[a.format(tmp=tmp_path, data=eda_folder) for a in extra]]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("babycry eda: error:") and message in err
    assert "\n" not in err and "Traceback" not in err


def test_cli_eda_subprocess_missing_folder(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "babycry", "eda", "--data", str(tmp_path / "nowhere")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "does not exist" in proc.stderr
