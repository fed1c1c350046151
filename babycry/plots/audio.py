"""Figures of one recording: spectrogram, waveform, band-pass response, cry timeline (plotly), and the PNG spectrogram.

No signal processing happens here beyond thinning a waveform for the browser;
callers pass in what :mod:`babycry.features` and :mod:`babycry.preprocess`
computed.  matplotlib is imported only when a matplotlib figure is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from scipy import signal

from ..config import CRY_THRESHOLD, BandPassConfig
from ..errors import InvalidParameterError
from ..features import Spectrogram
from ..preprocess import band_pass_sos

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "spectrogram_figure",
    "waveform_figure",
    "band_pass_response_figure",
    "plot_spectrogram_mpl",
    "envelope_points",
    "timeline_figure",
    "mel_axis_ticks",
]

#: Round frequencies a mel axis is labelled at, in the order they are preferred when there is room for few.
_ROUND_HZ = (1000, 500, 2000, 250, 4000, 100, 3000, 8000, 200, 16000)


def mel_axis_ticks(freqs_hz: Sequence[float] | np.ndarray, *, max_ticks: int = 6) -> tuple[list[float], list[str]]:
    """Tick positions (fractional mel rows) and labels (Hz) for a mel axis plotted row by row.

    Labels are round frequencies (500, 1000, 2000 Hz ...) between the lowest and highest band, which are labelled
    too; a tick closer than ``1 / max_ticks`` of the axis to one already placed is dropped.

    Examples
    --------
    >>> import librosa
    >>> mel_axis_ticks(librosa.mel_frequencies(64, fmin=50, fmax=4000))[1]
    ['50', '500', '1000', '2000', '4000']
    """
    freqs = np.asarray(freqs_hz, dtype=np.float64)
    rows = np.arange(freqs.size, dtype=np.float64)
    if freqs.size < 2:
        return rows.tolist(), [f"{f:.0f}" for f in freqs]
    lo, hi = float(freqs[0]), float(freqs[-1])
    gap = rows[-1] / max(int(max_ticks), 2)
    kept = [(0.0, lo), (rows[-1], hi)]
    for hz in _ROUND_HZ:
        if lo < hz < hi:
            pos = float(np.interp(hz, freqs, rows))
            if all(abs(pos - p) >= gap for p, _ in kept):
                kept.append((pos, float(hz)))
    kept.sort()
    return [p for p, _ in kept], [f"{hz:.0f}" for _, hz in kept]


def spectrogram_figure(
    spec: Spectrogram,
    *,
    title: str | None = "Mel spectrogram",
    colorscale: str = "Magma",
    height: int = 320,
    db_range: tuple[float, float] | None = None,
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
    db_range : (float, float), optional
        The colour scale's (lowest, highest) dB. Give two spectrograms the same range to compare them (a noise
        floor raised from -80 to -40 dB then shows as brighter); by default each spans its own values.
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
    >>> spectrogram_figure(spec, db_range=(-80.0, 0.0)).data[0].zmin
    -80.0
    """
    fig = go.Figure() if fig is None else fig
    # Mel rows are unevenly spaced in Hz: label the axis in Hz but plot rows evenly (like librosa's mel axis).
    rows = np.arange(spec.freqs_hz.size)
    tick_rows, tick_hz = mel_axis_ticks(spec.freqs_hz)
    fig.add_trace(
        go.Heatmap(
            # float32 dB and int16 Hz: plotly ships arrays as typed binary, and float64 made the figure
            # ~2.5x larger for the browser with no visible difference.
            z=spec.values.astype(np.float32),
            x=spec.times_s,
            y=rows,
            colorscale=colorscale,
            zmin=None if db_range is None else float(db_range[0]),
            zmax=None if db_range is None else float(db_range[1]),
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
            "tickvals": tick_rows,
            "ticktext": tick_hz,
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
    ax.set_yticks(*mel_axis_ticks(spec.freqs_hz))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz, mel scale)")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label="dB")
    return ax


def timeline_figure(
    windows: Sequence[Mapping[str, float]],
    *,
    threshold: float | None = CRY_THRESHOLD,
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
