"""babycry.modeling.windows: window bounds, padding, per-window loudness, the band edge."""

from __future__ import annotations

import numpy as np
import pytest

from babycry.config import WindowConfig
from babycry.modeling import frame_windows, window_bounds
from babycry.preprocess import rms_dbfs


@pytest.mark.parametrize(("seconds", "expected"), [(0.4, 1), (3.0, 1), (4.5, 2), (7.0, 3), (60.0, 30)])
def test_window_bounds_cover_the_recording(seconds: float, expected: int) -> None:
    n = int(seconds * 16000)
    bounds = window_bounds(n, sample_rate=16000, window=WindowConfig())
    assert len(bounds) == expected
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(e - s == min(n, 48000) for s, e in bounds)


def test_frame_windows_pad_short_clips_and_normalise_each_window() -> None:
    rng = np.random.default_rng(0)
    short = (0.001 * rng.standard_normal(6400)).astype(np.float32)  # 0.4 s, like a spoken digit
    windows, spans = frame_windows(short, sample_rate=16000)
    assert windows.shape == (1, 48000) and spans == [(0.0, 0.4)]
    assert np.all(windows[0, 6400:] == 0)  # padded the same way for every source
    assert rms_dbfs(windows[0, :6400]) == pytest.approx(-20.0, abs=0.5)
    long, spans = frame_windows(rng.standard_normal(16000 * 10).astype(np.float32), sample_rate=16000)
    assert long.shape[0] == len(spans) == 5
    assert all(rms_dbfs(w) == pytest.approx(-20.0, abs=0.5) for w in long)


def test_band_limit_removes_content_above_the_band_edge() -> None:
    t = np.arange(48000) / 16000
    windows, _ = frame_windows((np.sin(2 * np.pi * 500 * t) + np.sin(2 * np.pi * 6000 * t)).astype(np.float32),
                               sample_rate=16000)
    spec = np.abs(np.fft.rfft(windows[0]))
    freqs = np.fft.rfftfreq(48000, 1 / 16000)
    assert spec[freqs > 4500].max() < 1e-3 * spec.max()
