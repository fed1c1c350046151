"""Figure builders: plotly for the app, matplotlib for the command line's PNG.

Every builder takes data plus keyword options and an optional ``fig=`` (or
``ax=``) to draw into, and returns the figure.  No signal processing happens
here beyond thinning a waveform for the browser; callers pass in what
:mod:`babycry.features` and :mod:`babycry.preprocess` computed.  matplotlib is
imported only when a matplotlib figure is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from scipy import signal

from .config import BandPassConfig
from .errors import InvalidParameterError
from .features import Spectrogram
from .preprocess import band_pass_sos

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "spectrogram_figure",
    "waveform_figure",
    "band_pass_response_figure",
    "plot_spectrogram_mpl",
    "envelope_points",
    "timeline_figure",
    "confusion_matrix_figure",
]


def spectrogram_figure(
    spec: Spectrogram,
    *,
    title: str | None = "Mel spectrogram",
    colorscale: str = "Magma",
    height: int = 320,
    fig: go.Figure | None = None,
) -> go.Figure:
    """Heatmap of a (log-mel) spectrogram: time on x, frequency (Hz) on y, dB in colour.

    Parameters
    ----------
    spec : Spectrogram
        From :func:`babycry.features.log_mel`.
    title : str or None
        Figure title.
    colorscale : str
        A plotly colour scale name.
    height : int
        Figure height in pixels.
    fig : go.Figure, optional
        Figure to add the heatmap to (a new one by default).

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from babycry.features import log_mel
    >>> spec = log_mel(np.sin(np.arange(16000) / 3), sample_rate=16000)
    >>> fig = spectrogram_figure(spec)
    >>> fig.data[0].type, fig.data[0].z.shape
    ('heatmap', (64, 101))
    """
    fig = go.Figure() if fig is None else fig
    # Mel rows are unevenly spaced in Hz: label the axis in Hz but plot rows evenly (like librosa's mel axis).
    rows = np.arange(spec.freqs_hz.size)
    ticks = np.linspace(0, rows.size - 1, min(6, rows.size)).round().astype(int)
    fig.add_trace(
        go.Heatmap(
            # float32 dB and int16 Hz: plotly ships arrays as typed binary, and float64 made the figure
            # ~2.5x larger for the browser with no visible difference.
            z=spec.values.astype(np.float32),
            x=spec.times_s,
            y=rows,
            colorscale=colorscale,
            colorbar={"title": {"text": "dB"}},
            customdata=np.repeat(np.round(spec.freqs_hz).astype(np.int16)[:, None], spec.times_s.size, axis=1),
            hovertemplate="t=%{x:.2f} s<br>f=%{customdata:.0f} Hz<br>%{z:.1f} dB<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 60, "r": 20, "t": 40 if title else 10, "b": 40},
        xaxis_title="time (s)",
        yaxis={
            "title": "frequency (Hz, mel scale)",
            "tickvals": rows[ticks].tolist(),
            "ticktext": [f"{spec.freqs_hz[i]:.0f}" for i in ticks],
        },
    )
    return fig


def envelope_points(samples: np.ndarray, *, sample_rate: int, max_points: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Thin a waveform for the browser, keeping its envelope.

    The samples are cut into ``max_points / 2`` buckets and each bucket gives
    its minimum and maximum (in time order), so peaks survive the thinning.
    Short inputs are returned unchanged.

    Parameters
    ----------
    samples : np.ndarray
        Mono samples.
    sample_rate : int
        Their rate in Hz.
    max_points : int
        Most points returned (at least 2).

    Returns
    -------
    times_s, values : np.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> t, v = envelope_points(np.sin(np.arange(100000) / 10), sample_rate=16000, max_points=1000)
    >>> t.size, round(float(v.max()), 3), round(float(v.min()), 3)
    (1000, 1.0, -1.0)
    """
    if max_points < 2:
        raise InvalidParameterError(f"max_points must be at least 2, got {max_points!r}.")
    x = np.asarray(samples, dtype=np.float32)
    times = np.arange(x.size) / float(sample_rate)
    if x.size <= max_points:
        return times, x
    buckets = max_points // 2
    edges = np.linspace(0, x.size, buckets + 1).astype(int)
    lo = np.minimum.reduceat(x, edges[:-1])
    hi = np.maximum.reduceat(x, edges[:-1])
    lo_at = np.array([a + int(np.argmin(x[a:b])) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    hi_at = np.array([a + int(np.argmax(x[a:b])) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    first_lo = lo_at <= hi_at
    idx = np.empty(2 * buckets, dtype=int)
    vals = np.empty(2 * buckets, dtype=np.float32)
    idx[0::2] = np.where(first_lo, lo_at, hi_at)
    idx[1::2] = np.where(first_lo, hi_at, lo_at)
    vals[0::2] = np.where(first_lo, lo, hi)
    vals[1::2] = np.where(first_lo, hi, lo)
    return times[idx], vals


def waveform_figure(
    before: np.ndarray,
    after: np.ndarray | None = None,
    *,
    sample_rate: int,
    names: Sequence[str] = ("original", "band-passed"),
    max_points: int = 4000,
    title: str | None = "Waveform",
    height: int = 260,
    fig: go.Figure | None = None,
) -> go.Figure:
    """Waveform before (and optionally after) a filter, thinned for the browser.

    Parameters
    ----------
    before : np.ndarray
        Mono samples.
    after : np.ndarray, optional
        The same signal after processing (same rate), drawn on top.
    sample_rate : int
        Rate of both, in Hz.
    names : (str, str)
        Legend names of the two traces.
    max_points : int
        Points per trace (see :func:`envelope_points`).
    title : str or None
        Figure title.
    height : int
        Figure height in pixels.
    fig : go.Figure, optional
        Figure to draw into.

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> import numpy as np
    >>> x = np.sin(np.arange(160000) / 7)
    >>> fig = waveform_figure(x, 0.5 * x, sample_rate=16000)
    >>> [trace.name for trace in fig.data], len(fig.data[0].x) <= 4000
    (['original', 'band-passed'], True)
    """
    fig = go.Figure() if fig is None else fig
    series = [before] if after is None else [before, after]
    for i, samples in enumerate(series):
        t, v = envelope_points(samples, sample_rate=sample_rate, max_points=max_points)
        # SVG, not WebGL: at <= max_points per trace SVG draws as fast, and WebGL context start-up costs
        # ~1.5 s in a browser without a GPU (measured in headless Chromium), as on many phones.
        fig.add_trace(
            go.Scatter(
                x=t, y=v, mode="lines", name=names[i], line={"width": 1}, opacity=1.0 if i == 0 else 0.85
            )
        )
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 60, "r": 20, "t": 40 if title else 10, "b": 40},
        xaxis_title="time (s)",
        yaxis_title="amplitude",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return fig


def band_pass_response_figure(
    *,
    sample_rate: int = 16_000,
    config: BandPassConfig = BandPassConfig(),
    n_points: int = 2048,
    floor_db: float = -80.0,
    title: str | None = "Band-pass filter response",
    height: int = 260,
    fig: go.Figure | None = None,
) -> go.Figure:
    """Magnitude response of :func:`babycry.preprocess.band_pass` (zero-phase: ``|H|²``, in dB).

    Parameters
    ----------
    sample_rate : int
        Rate the filter runs at.
    config : BandPassConfig
        The band (centre, bandwidth fraction, roll-off).
    n_points : int
        Frequencies evaluated.
    floor_db : float
        Lowest level drawn.
    title : str or None
        Figure title.
    height : int
        Figure height in pixels.
    fig : go.Figure, optional
        Figure to draw into.

    Returns
    -------
    go.Figure
        The response trace, with the pass-band edges marked.

    Raises
    ------
    InvalidParameterError
        If the band is invalid at ``sample_rate``.

    Examples
    --------
    >>> fig = band_pass_response_figure(sample_rate=16000)
    >>> abs(round(float(max(fig.data[0].y)), 1))
    0.0
    """
    sos = band_pass_sos(sample_rate=sample_rate, config=config)
    freqs, h = signal.sosfreqz(sos, worN=n_points, fs=sample_rate)
    # The filter runs forward and backward, so its magnitude is |H|^2: 20*log10(|H|^2).
    db = np.maximum(40.0 * np.log10(np.maximum(np.abs(h), 1e-12)), floor_db)
    fig = go.Figure() if fig is None else fig
    fig.add_trace(go.Scatter(x=freqs, y=db, mode="lines", name="|H|² (zero-phase)"))
    low, high = config.edges_hz
    for edge in (low, high):
        fig.add_vline(x=edge, line={"dash": "dot", "width": 1}, annotation_text=f"{edge:.0f} Hz")
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 60, "r": 20, "t": 40 if title else 10, "b": 40},
        xaxis_title="frequency (Hz)",
        yaxis={"title": "gain (dB)", "range": [floor_db, 5.0]},
        showlegend=False,
    )
    return fig


def plot_spectrogram_mpl(
    spec: Spectrogram,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "magma",
) -> Axes:
    """Draw a spectrogram with matplotlib (the ``babycry spectrogram`` PNG).

    With ``ax=None`` a new figure is made without pyplot (no GUI backend is
    touched); save it with ``ax.figure.savefig(path)``.

    Parameters
    ----------
    spec : Spectrogram
        From :func:`babycry.features.log_mel`.
    ax : matplotlib Axes, optional
        Axes to draw into.
    title : str, optional
        Axes title.
    cmap : str
        Colour map.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from babycry.features import log_mel
    >>> ax = plot_spectrogram_mpl(log_mel(np.sin(np.arange(16000) / 3), sample_rate=16000), title="tone")
    >>> ax.get_title(), ax.get_xlabel()
    ('tone', 'time (s)')
    """
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(8, 3.5), dpi=100, layout="constrained").add_subplot()
    rows = np.arange(spec.freqs_hz.size)
    extent = (
        float(spec.times_s[0]) if spec.times_s.size else 0.0,
        float(spec.times_s[-1]) if spec.times_s.size else 1.0,
        -0.5,
        rows.size - 0.5,
    )
    image = ax.imshow(spec.values, origin="lower", aspect="auto", extent=extent, cmap=cmap, interpolation="nearest")
    ticks = np.linspace(0, rows.size - 1, min(6, rows.size)).round().astype(int)
    ax.set_yticks(ticks, [f"{spec.freqs_hz[i]:.0f}" for i in ticks])
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz, mel scale)")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label="dB")
    return ax


def timeline_figure(
    windows: Sequence[Mapping[str, float]],
    *,
    threshold: float | None = 0.5,
    title: str | None = "Cry probability over time",
    height: int = 220,
    fig: go.Figure | None = None,
) -> go.Figure:
    """Per-window cry probability of a long recording (the ``windows`` of the ``/classify`` JSON).

    Each window is drawn as a horizontal step over its span, so overlapping
    windows read as a timeline.

    Parameters
    ----------
    windows : sequence of mappings
        Each with ``start_s``, ``end_s`` and ``cry_probability``.
    threshold : float or None
        Draw a dashed line at this probability (the detector's decision point).
    title : str or None
        Figure title.
    height : int
        Figure height in pixels.
    fig : go.Figure, optional
        Figure to draw into.

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> w = [{"start_s": 0.0, "end_s": 3.0, "cry_probability": 0.9},
    ...      {"start_s": 1.5, "end_s": 4.5, "cry_probability": 0.2}]
    >>> fig = timeline_figure(w)
    >>> fig.data[0].y.tolist()
    [0.9, 0.2]
    """
    fig = go.Figure() if fig is None else fig
    starts = np.array([float(w["start_s"]) for w in windows])
    ends = np.array([float(w["end_s"]) for w in windows])
    probs = np.array([float(w["cry_probability"]) for w in windows])
    fig.add_trace(
        go.Scatter(
            x=(starts + ends) / 2.0,
            y=probs,
            mode="lines+markers",
            error_x={"type": "data", "symmetric": True, "array": (ends - starts) / 2.0, "width": 0, "thickness": 1},
            customdata=np.stack([starts, ends], axis=1) if len(windows) else None,
            hovertemplate="%{customdata[0]:.1f}–%{customdata[1]:.1f} s: %{y:.0%}<extra></extra>",
            name="cry probability",
        )
    )
    if threshold is not None:
        fig.add_hline(y=threshold, line={"dash": "dot", "width": 1})
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 60, "r": 20, "t": 40 if title else 10, "b": 40},
        xaxis_title="time (s)",
        yaxis={"title": "P(cry)", "range": [-0.03, 1.03], "tickformat": ".0%"},  # room for points at 0 and 1
        showlegend=False,
    )
    return fig


def confusion_matrix_figure(
    matrix: np.ndarray,
    *,
    labels: Sequence[str],
    title: str | None = "Confusion matrix (rows: true, columns: predicted)",
    height: int = 360,
    fig: go.Figure | None = None,
) -> go.Figure:
    """Heatmap of a confusion matrix, coloured by row share (recall) and annotated with counts.

    Parameters
    ----------
    matrix : np.ndarray
        Counts, shape ``(k, k)``, rows true classes, columns predicted.
    labels : sequence of str
        Class names in row order.
    title : str or None
        Figure title.
    height : int
        Figure height in pixels.
    fig : go.Figure, optional
        Figure to draw into.

    Returns
    -------
    go.Figure

    Raises
    ------
    InvalidParameterError
        If the matrix is not square or does not match ``labels``.

    Examples
    --------
    >>> import numpy as np
    >>> fig = confusion_matrix_figure(np.array([[8, 2], [1, 9]]), labels=["a", "b"])
    >>> fig.data[0].z.round(2).tolist()
    [[0.8, 0.2], [0.1, 0.9]]
    """
    counts = np.asarray(matrix, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(labels):
        raise InvalidParameterError(
            f"A confusion matrix must be square with one row per label; got shape {counts.shape} "
            f"for {len(labels)} labels."
        )
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    fig = go.Figure() if fig is None else fig
    fig.add_trace(
        go.Heatmap(
            z=share,
            x=list(labels),
            y=list(labels),
            zmin=0.0,
            zmax=1.0,
            colorscale="Blues",
            text=counts.astype(int),
            texttemplate="%{text}",
            colorbar={"title": {"text": "row share"}},
            hovertemplate="true %{y}, predicted %{x}: %{text} (%{z:.0%} of row)<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 90, "r": 20, "t": 40 if title else 10, "b": 60},
        xaxis_title="predicted",
        yaxis={"title": "true", "autorange": "reversed"},
    )
    return fig


# --------------------------------------------------------------------------- #
# Dataset research view (babycry.eda): every point is a family, not a clip
# --------------------------------------------------------------------------- #
__all__ += [
    "eda_value_figure",
    "eda_counts_figure",
    "eda_mel_grid_figure",
    "eda_rates_durations_figure",
]

if TYPE_CHECKING:  # pragma: no cover
    from .eda import EDAResult

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
        From :func:`babycry.eda.run_eda` or :func:`babycry.eda.load_summary`.
    value : str
        One of :data:`babycry.eda.SUMMARY_VALUES`.
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
    >>> from babycry.eda import example_result
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
    >>> from babycry.eda import example_result
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
    >>> from babycry.eda import example_result
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
    ticks = np.linspace(0, max(freqs.size - 1, 0), min(5, freqs.size)).round().astype(int)
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
    fig.update_yaxes(tickvals=rows_idx[ticks].tolist(), ticktext=[f"{freqs[i]:.0f}" for i in ticks])
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
    >>> from babycry.eda import example_result
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
