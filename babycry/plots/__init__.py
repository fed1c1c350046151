"""Figure builders: plotly for the app, matplotlib for the command line's PNG.

Every builder takes data plus keyword options and an optional ``fig=`` (or
``ax=``) to draw into, and returns the figure.

- :mod:`~babycry.plots.audio`: one recording (spectrogram, waveform, band-pass response, cry timeline).
- :mod:`~babycry.plots.results`: a model's results (confusion matrix).
- :mod:`~babycry.plots.eda`: the dataset research view (family-weighted class summaries).

Examples
--------
>>> from babycry.plots import confusion_matrix_figure
>>> confusion_matrix_figure([[3, 1], [0, 4]], labels=["not_cry", "cry"]).data[0].type
'heatmap'
"""

from __future__ import annotations

from .audio import (
    band_pass_response_figure,
    envelope_points,
    mel_axis_ticks,
    plot_spectrogram_mpl,
    spectrogram_figure,
    timeline_figure,
    waveform_figure,
)
from .eda import eda_counts_figure, eda_mel_grid_figure, eda_rates_durations_figure, eda_value_figure
from .results import confusion_matrix_figure

__all__ = [
    "spectrogram_figure",
    "waveform_figure",
    "band_pass_response_figure",
    "plot_spectrogram_mpl",
    "envelope_points",
    "timeline_figure",
    "mel_axis_ticks",
    "confusion_matrix_figure",
    "eda_value_figure",
    "eda_counts_figure",
    "eda_mel_grid_figure",
    "eda_rates_durations_figure",
]
