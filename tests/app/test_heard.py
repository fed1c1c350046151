"""demo.heard: /spectrogram, what the models hear and the band-pass filter's effect."""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest

from babycry.config import BandPassConfig
from demo import heard

BAND = BandPassConfig()
DEFAULT_BAND = (BAND.centre_hz, BAND.bandwidth_fraction, BAND.rolloff_db_per_octave)


def test_spectrogram_views(audio_files):
    mel, wave, response, (sr, filtered), info = heard.spectrogram_views(str(audio_files["cry"]), *DEFAULT_BAND)
    assert mel.data[0].type == "heatmap"
    assert [t.name for t in wave.data] == ["analysed", "band-passed"]
    assert response.data[0].type == "scatter"
    assert sr == 16_000 and filtered.dtype == np.int16 and filtered.size == 7 * 16_000
    assert info["band_hz"] == [502.5, 2497.5]
    assert info["rms_dbfs_after"] < info["rms_dbfs_before"]
    # A narrower band keeps less of the cry.
    *_, narrow = heard.spectrogram_views(str(audio_files["cry"]), 1500, 0.2, 48)
    assert narrow["rms_dbfs_after"] < info["rms_dbfs_after"]


@pytest.mark.parametrize(("centre", "fraction", "rolloff", "match"), [
    (7000, 1.9, 12, "centre_hz must be a number from 200 to 3500, got 7000"),
    ("abc", 1.33, 12, "centre_hz must be a number"),
    (None, 1.33, 12, "centre_hz must be a number"),
    (1500, 2.5, 12, "bandwidth_fraction must be a number from 0.1 to 1.9"),
    (1500, float("nan"), 12, "bandwidth_fraction must be a number"),
    (1500, 1.33, 18, "rolloff_db_per_octave must be 12, 24, 36 or 48, got 18"),
    (1500, 1.33, 12.5, "rolloff_db_per_octave must be a whole number"),
])
def test_spectrogram_rejects_bad_parameters_clearly(audio_files, centre, fraction, rolloff, match):
    with pytest.raises(gr.Error) as err:
        heard.spectrogram_views(str(audio_files["cry"]), centre, fraction, rolloff)
    assert match in err.value.message


def test_warm_views_runs_once_the_models_answer_and_never_raises(tmp_path, audio_files):
    from demo.models import Models

    models = Models(detector_path=str(tmp_path / "none"), reason_path=str(tmp_path / "none"), worker=False)
    for example in (str(audio_files["cry"]), str(tmp_path / "missing.wav")):  # the second fails: logged only
        thread = heard.warm_views(models, example, after_s=0.0)
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert models.load_error() is not None  # it waited for the (failed) load before drawing


def test_warm_views_waits_for_the_first_answer(tmp_path, audio_files):
    # its imports hold the server's interpreter lock: never beside the launch or the first answer
    import time

    from demo.models import AnalysisFailed, Models

    models = Models(detector_path=str(tmp_path / "none"), reason_path=str(tmp_path / "none"), worker=False)
    models.load_error()
    thread = heard.warm_views(models, str(audio_files["cry"]), after_s=60.0)
    time.sleep(0.5)
    assert thread.is_alive() and not models.wait_for_first_answer(0.0)
    with pytest.raises(AnalysisFailed):  # a request answered (here: the models are unavailable)
        models.analyse(None)
    assert models.wait_for_first_answer(0.0)
    thread.join(timeout=120)
    assert not thread.is_alive()
