"""Figures of the dataset research view (:mod:`babycry.research`): every point is a family, not a clip.

They take an :class:`~babycry.research.summary.EDAResult` (a fresh run or the
bundled summary) and import nothing of the research code at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from ..errors import InvalidParameterError
from .audio import mel_axis_ticks

if TYPE_CHECKING:  # pragma: no cover
    from ..research.summary import EDAResult

__all__ = [
    "eda_value_figure",
    "eda_counts_figure",
    "eda_mel_grid_figure",
    "eda_rates_durations_figure",
]

_EDA_VALUE_TITLES = {
    "rms_dbfs": "RMS level (dBFS, before loudness normalisation)",
    "peak_dbfs": "peak level (dBFS)",
    "dominant_hz": "dominant frequency (Hz)",
    "f0_median_hz": "median F0 (Hz)",
    "n_harmonics": "number of harmonics below the band edge",
    "voiced_fraction": "voiced fraction",
    "source_duration_s": "duration (s)",
}


def eda_value_figure(
    result: EDAResult,
    *,
    value: str = "f0_median_hz",
    title: str | None = None,
    height: int = 420,
    fig: go.Figure | None = None,
) -> go.Figure:
    """Per-class box of one summary value, one point per family (its clips averaged).

    Parameters
    ----------
    result : EDAResult
        From :func:`babycry.research.run_eda` or :func:`babycry.research.load_summary`.
    value : str
        One of :data:`babycry.research.SUMMARY_VALUES`.
    title : str or None
        Figure title (default: the value's name, "per family").
    height : int
        Figure height in pixels.
    fig : go.Figure, optional
        Figure to draw into.

    Returns
    -------
    go.Figure
        One box trace per class with every family's mean as a point.

    Raises
    ------
    InvalidParameterError
        If ``value`` is not a summary value.

    Examples
    --------
    >>> from babycry.research import example_result
    >>> fig = eda_value_figure(example_result(), value="f0_median_hz")
    >>> [(t.name, sorted(t.y.tolist())) for t in fig.data]
    [('tired (2 families)', [310.0, 500.0]), ('noise (0 families)', [])]
    """
    per_class = result.family_values(value)
    fig = go.Figure() if fig is None else fig
    axis = _EDA_VALUE_TITLES.get(value, value)
    for label, (families, means) in per_class.items():
        fig.add_trace(
            go.Box(
                y=means,
                name=f"{label} ({len(families)} {'family' if len(families) == 1 else 'families'})",
                text=families,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"size": 5, "opacity": 0.6},
                hovertemplate="family %{text}<br>%{y:.4g}<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(
        title=title if title is not None else f"{axis}: one point per family",
        height=height,
        showlegend=False,
        margin={"l": 60, "r": 20, "t": 40, "b": 80},
        yaxis_title=axis,
    )
    return fig


def eda_counts_figure(
    result: EDAResult,
    *,
    log_y: bool = True,
    title: str | None = "Clips and families per class",
    height: int = 380,
    fig: go.Figure | None = None,
) -> go.Figure:
    """Grouped bars: clips, families (independent recordings) and analysed clips per class.

    Parameters
    ----------
    result : EDAResult
    log_y : bool
        Logarithmic count axis (the classes span 1 to 2,500).
    title : str or None
    height : int
    fig : go.Figure, optional

    Returns
    -------
    go.Figure
        Traces ``clips``, ``families``, ``analysed clips``.

    Examples
    --------
    >>> from babycry.research import example_result
    >>> fig = eda_counts_figure(example_result())
    >>> [(t.name, list(t.y)) for t in fig.data]
    [('clips', [3, 1]), ('families', [2, 1]), ('analysed clips', [3, 1])]
    """
    labels = list(result.labels)
    fig = go.Figure() if fig is None else fig
    top = max([c.clips for c in result.classes] + [1])
    for name, key in (("clips", "clips"), ("families", "families"), ("analysed clips", "clips_analysed")):
        counts = [int(getattr(c, key)) for c in result.classes]
        fig.add_trace(go.Bar(x=labels, y=counts, name=name, text=counts, textposition="outside"))
    fig.update_layout(
        title=title,
        height=height,
        barmode="group",
        margin={"l": 60, "r": 20, "t": 40 if title else 10, "b": 60},
        # Headroom above the tallest bar for its label.
        yaxis={"title": "count", "type": "log", "dtick": 1, "range": [-0.2, float(np.log10(top)) + 0.35]}
        if log_y
        else {"title": "count", "range": [0, top * 1.12]},
        legend={"orientation": "h", "y": -0.15, "yanchor": "top", "x": 0, "xanchor": "left"},
    )
    return fig


def eda_mel_grid_figure(
    result: EDAResult,
    *,
    cols: int = 5,
    colorscale: str = "Magma",
    row_height: int = 220,
    title: str | None = "Mean log-mel spectrogram per class (first window, family-averaged)",
) -> go.Figure:
    """Small multiples: each class's family-averaged log-mel spectrogram on one colour scale.

    Parameters
    ----------
    result : EDAResult
    cols : int
        Panels per row.
    colorscale : str
        A plotly colour scale name.
    row_height : int
        Pixels per row of panels.
    title : str or None

    Returns
    -------
    go.Figure
        One heatmap per class with a mean spectrogram, sharing a dB colour axis.

    Raises
    ------
    InvalidParameterError
        If ``cols`` is below 1.

    Examples
    --------
    >>> from babycry.research import example_result
    >>> fig = eda_mel_grid_figure(example_result(), cols=2)
    >>> [t.type for t in fig.data], fig.data[0].z.shape
    (['heatmap', 'heatmap'], (4, 3))
    """
    from plotly.subplots import make_subplots

    if cols < 1:
        raise InvalidParameterError(f"cols must be at least 1, got {cols!r}.")
    classes = [c for c in result.classes if c.mean_mel is not None]
    n = max(1, len(classes))
    ncols = min(cols, n)
    nrows = -(-n // ncols)
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        subplot_titles=[f"{c.label} ({c.families_analysed} fam.)" for c in classes] or ["no data"],
        shared_yaxes=True,
        horizontal_spacing=0.02,
        vertical_spacing=0.12 / max(1, nrows - 1) if nrows > 1 else 0.1,
    )
    freqs = np.asarray(result.mel_freqs_hz, dtype=np.float64)
    rows_idx = np.arange(freqs.size)
    tick_rows, tick_hz = mel_axis_ticks(freqs, max_ticks=5)
    top_db = float(result.settings.get("mel", {}).get("top_db", 80.0)) if result.settings else 80.0
    for i, c in enumerate(classes):
        z = np.asarray(c.mean_mel, dtype=np.float64)
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=np.asarray(result.mel_times_s, dtype=np.float64),
                y=rows_idx,
                coloraxis="coloraxis",
                customdata=np.repeat(freqs[:, None], z.shape[1], axis=1),
                hovertemplate=c.label + "<br>t=%{x:.2f} s<br>f=%{customdata:.0f} Hz<br>%{z:.1f} dB<extra></extra>",
            ),
            row=i // ncols + 1,
            col=i % ncols + 1,
        )
    fig.update_yaxes(tickvals=tick_rows, ticktext=tick_hz)
    fig.update_yaxes(title_text="Hz (mel)", col=1)
    fig.update_xaxes(title_text="s", row=nrows)
    fig.update_layout(
        title=title,
        height=row_height * nrows + 80,
        margin={"l": 60, "r": 20, "t": 70 if title else 30, "b": 40},
        coloraxis={"colorscale": colorscale, "cmin": -top_db, "cmax": 0.0, "colorbar": {"title": {"text": "dB"}}},
    )
    return fig


def eda_rates_durations_figure(
    result: EDAResult,
    *,
    title: str | None = "Source sample rate and duration per class",
    height: int = 380,
) -> go.Figure:
    """Left: share of clips per source sample rate (stacked to 100%); right: duration median and min–max range.

    Parameters
    ----------
    result : EDAResult
    title : str or None
    height : int

    Returns
    -------
    go.Figure
        One bar trace per sample rate, then one scatter trace of median durations.

    Examples
    --------
    >>> from babycry.research import example_result
    >>> fig = eda_rates_durations_figure(example_result())
    >>> [(t.name, np.asarray(t.y).tolist()) for t in fig.data]
    [('8000 Hz', [2, 0]), ('16000 Hz', [1, 1]), ('median duration', [7.0, 5.0])]
    """
    from plotly.subplots import make_subplots

    labels = list(result.labels)
    fig = make_subplots(rows=1, cols=2, subplot_titles=["share of clips per source sample rate", "duration (s)"])
    rates = sorted({r for c in result.classes for r in c.sample_rates})
    totals = np.array([max(1, sum(c.sample_rates.values())) for c in result.classes], dtype=np.float64)
    for rate in rates:
        counts = [int(c.sample_rates.get(rate, 0)) for c in result.classes]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=counts,
                customdata=100.0 * np.asarray(counts) / totals,
                name=f"{rate} Hz",
                hovertemplate="%{x}: %{y} clips at " + f"{rate} Hz" + " (%{customdata:.0f}%)<extra></extra>",
            ),
            row=1,
            col=1,
        )
    med = np.array([c.duration_s.get("median", np.nan) for c in result.classes], dtype=np.float64)
    lo = np.array([c.duration_s.get("min", np.nan) for c in result.classes], dtype=np.float64)
    hi = np.array([c.duration_s.get("max", np.nan) for c in result.classes], dtype=np.float64)
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=med,
            mode="markers",
            name="median duration",
            marker={"size": 9, "color": "black"},
            error_y={"type": "data", "symmetric": False, "array": hi - med, "arrayminus": med - lo},
            hovertemplate="%{x}: median %{y:.2f} s<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_layout(
        title=title,
        height=height,
        barmode="stack",
        barnorm="percent",
        margin={"l": 60, "r": 20, "t": 70 if title else 30, "b": 80},
        legend={"orientation": "h", "y": -0.3},
    )
    fig.update_yaxes(title_text="% of clips", row=1, col=1)
    fig.update_yaxes(title_text="seconds (min-median-max)", row=1, col=2)
    return fig
