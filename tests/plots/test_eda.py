"""babycry.plots.eda: the dataset figures hold the data they show, one point per family."""

from __future__ import annotations

import numpy as np
import pytest

from babycry import plots
from babycry.errors import InvalidParameterError
from babycry.research import example_result


def test_figures_hold_the_summary() -> None:
    result = example_result()  # tired: families a (2 clips) and b (1 clip); noise: one family, no F0
    box = plots.eda_value_figure(result, value="f0_median_hz")
    assert [t.name.split(" ")[0] for t in box.data] == list(result.labels)
    assert sorted(box.data[0].y) == [310.0, 500.0]  # one point per family, not three
    counts = plots.eda_counts_figure(result)
    assert list(counts.data[1].y) == [c.families for c in result.classes]
    grid = plots.eda_mel_grid_figure(result, cols=3)
    assert len(grid.data) == len(result.classes)
    assert np.allclose(grid.data[0].z, result.get("tired").mean_mel)
    rates = plots.eda_rates_durations_figure(result)
    by_rate = {t.name: list(t.y) for t in rates.data if t.type == "bar"}
    assert by_rate["8000 Hz"] == [2, 0] and by_rate["16000 Hz"] == [1, 1]


def test_figures_refuse_bad_options() -> None:
    with pytest.raises(InvalidParameterError):
        plots.eda_value_figure(example_result(), value="loudness")
    with pytest.raises(InvalidParameterError):
        plots.eda_mel_grid_figure(example_result(), cols=0)
