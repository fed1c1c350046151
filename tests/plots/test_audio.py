"""babycry.plots.audio: the figures of one recording hold the data they claim to show."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy import signal

from babycry.config import BandPassConfig
from babycry.errors import InvalidParameterError
from babycry.features import log_mel
from babycry.plots import (
    band_pass_response_figure,
    envelope_points,
    plot_spectrogram_mpl,
    spectrogram_figure,
    waveform_figure,
)
from babycry.preprocess import band_pass_sos
from babycry.synth import synth_cry


@pytest.fixture(scope="module")
def spec():
    return log_mel(synth_cry(seconds=1.5, seed=0).samples, sample_rate=16000)


def test_spectrogram_figure_holds_the_values(spec) -> None:
    fig = spectrogram_figure(spec, title="t")
    heat = fig.data[0]
    np.testing.assert_array_equal(np.asarray(heat.z), spec.values)
    np.testing.assert_allclose(np.asarray(heat.x), spec.times_s)
    assert fig.layout.title.text == "t"
    ticktext = [float(t) for t in fig.layout.yaxis.ticktext]
    assert ticktext[0] == pytest.approx(50, abs=1) and ticktext[-1] == pytest.approx(4000, abs=1)


def test_the_mel_axis_is_labelled_at_round_frequencies(spec) -> None:
    fig = spectrogram_figure(spec)
    hz = [float(t) for t in fig.layout.yaxis.ticktext]
    rows = np.asarray(fig.layout.yaxis.tickvals)
    # the ends, and round frequencies between them, each at its own place on the row axis
    assert hz[1:-1] and all(h in (250, 500, 1000, 2000, 3000) for h in hz[1:-1])
    np.testing.assert_allclose(rows, np.interp(hz, spec.freqs_hz, np.arange(spec.freqs_hz.size)), atol=1e-6)
    assert np.all(np.diff(rows) >= (spec.freqs_hz.size - 1) / 6 - 1e-9)


def test_figures_draw_into_a_given_figure(spec) -> None:
    fig = go.Figure()
    assert spectrogram_figure(spec, fig=fig) is fig
    assert waveform_figure(np.zeros(100), sample_rate=16000, fig=fig) is fig
    assert band_pass_response_figure(fig=fig) is fig
    assert len(fig.data) == 3


def test_waveform_before_after_are_thinned_but_keep_peaks() -> None:
    x = np.zeros(16000 * 10, np.float32)
    x[12345] = 0.9
    x[54321] = -0.8
    fig = waveform_figure(x, 0.5 * x, sample_rate=16000, max_points=2000)
    before, after = fig.data
    assert len(before.x) == 2000 and len(after.x) == 2000
    assert max(before.y) == pytest.approx(0.9) and min(before.y) == pytest.approx(-0.8)
    assert max(after.y) == pytest.approx(0.45)
    peak_time = before.x[int(np.argmax(before.y))]
    assert peak_time == pytest.approx(12345 / 16000)


def test_envelope_points_short_input_unchanged_and_sorted() -> None:
    t, v = envelope_points(np.arange(10.0), sample_rate=10)
    np.testing.assert_array_equal(v, np.arange(10.0))
    t, _ = envelope_points(np.random.default_rng(0).standard_normal(50000), sample_rate=16000, max_points=500)
    assert np.all(np.diff(t) >= 0)
    with pytest.raises(InvalidParameterError, match="max_points"):
        envelope_points(np.zeros(10), sample_rate=10, max_points=1)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_band_pass_response_is_squared_sosfreqz(rate: int) -> None:
    config = BandPassConfig(centre_hz=1200, bandwidth_fraction=1.0, rolloff_db_per_octave=24)
    fig = band_pass_response_figure(sample_rate=rate, config=config, n_points=512, floor_db=-200)
    freqs, h = signal.sosfreqz(band_pass_sos(sample_rate=rate, config=config), worN=512, fs=rate)
    np.testing.assert_allclose(np.asarray(fig.data[0].x), freqs)
    expected = np.maximum(40 * np.log10(np.maximum(np.abs(h), 1e-12)), -200)
    np.testing.assert_allclose(np.asarray(fig.data[0].y), expected, atol=1e-9)
    # -6 dB at both edges (zero-phase)
    for edge in config.edges_hz:
        assert np.interp(edge, freqs, expected) == pytest.approx(-6.02, abs=0.2)


def test_band_pass_response_rejects_bad_band() -> None:
    with pytest.raises(InvalidParameterError):
        band_pass_response_figure(sample_rate=8000, config=BandPassConfig(centre_hz=3500))


def test_matplotlib_spectrogram(spec, tmp_path) -> None:
    ax = plot_spectrogram_mpl(spec, title="cry")
    out = tmp_path / "s.png"
    ax.figure.savefig(out)
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert ax.images[0].get_array().shape == spec.values.shape

    from matplotlib.figure import Figure

    given = Figure().add_subplot()
    assert plot_spectrogram_mpl(spec, ax=given) is given


def test_timeline_draws_each_window_over_its_span_with_the_cry_threshold() -> None:
    from babycry.config import CRY_THRESHOLD
    from babycry.plots import timeline_figure

    windows = [{"start_s": 0.0, "end_s": 3.0, "cry_probability": 0.9},
               {"start_s": 2.0, "end_s": 5.0, "cry_probability": 0.2}]
    fig = timeline_figure(windows)
    assert fig.data[0].x.tolist() == [1.5, 3.5] and fig.data[0].error_x.array.tolist() == [1.5, 1.5]
    assert [shape.y0 for shape in fig.layout.shapes] == [CRY_THRESHOLD]
    assert not timeline_figure(windows, threshold=None).layout.shapes
