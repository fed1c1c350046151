"""Figures of a model's results: the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ..errors import InvalidParameterError

__all__ = ["confusion_matrix_figure"]


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
