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


@pytest.mark.parametrize(("centre", "fraction", "rolloff"), [(7000, 1.9, 12), (1500, 1.33, 18), (1500, 2.5, 12)])
def test_spectrogram_rejects_an_impossible_band(audio_files, centre, fraction, rolloff):
    with pytest.raises(gr.Error) as err:
        heard.spectrogram_views(str(audio_files["cry"]), centre, fraction, rolloff)
    assert str(rolloff) in err.value.message or "Hz" in err.value.message
