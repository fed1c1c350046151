"""The Dataset tab's EDA views: read the bundled summary JSON, hand it to :mod:`babycry.plots`.

No audio and no computation here: ``assets/eda/summary.json`` is written by
``babycry eda --data ../shared/data --json assets/eda/summary.json`` (the Space
has no data folder), and every figure is a :mod:`babycry.plots` builder.
``$BABYCRY_EDA_SUMMARY`` points the app at another summary, e.g. one made by
a researcher from their own data folder with the same command.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from babycry import plots
from babycry.config import AudioConfig
from babycry.eda import EDAResult, load_summary
from babycry.errors import BabyCryError

from .handlers import readable_errors

__all__ = ["SUMMARY_PATH", "REPRODUCE", "VALUE_CHOICES", "summary_path", "eda_views", "value_figure"]

SUMMARY_PATH = Path(__file__).resolve().parents[1] / "assets" / "eda" / "summary.json"
REPRODUCE = "babycry eda --data ../shared/data --json assets/eda/summary.json"

#: Dropdown choices (label, value) for the per-family box plot.
VALUE_CHOICES: list[tuple[str, str]] = [
    ("median F0 (Hz)", "f0_median_hz"),
    ("dominant frequency (Hz)", "dominant_hz"),
    ("number of harmonics", "n_harmonics"),
    ("voiced fraction", "voiced_fraction"),
    ("RMS level (dBFS)", "rms_dbfs"),
    ("peak level (dBFS)", "peak_dbfs"),
    ("duration (s)", "source_duration_s"),
]


def summary_path() -> Path:
    """``$BABYCRY_EDA_SUMMARY`` or the bundled ``assets/eda/summary.json``."""
    return Path(os.environ.get("BABYCRY_EDA_SUMMARY") or SUMMARY_PATH)


def _load(path: str | Path | None) -> EDAResult:
    return load_summary(path or summary_path())


def eda_views(path: str | Path | None = None, *, value: str = "f0_median_hz") -> dict[str, Any]:
    """Everything the tab shows, from the summary JSON.

    Returns
    -------
    dict
        ``intro`` (Markdown), and when the summary loads: ``table`` (pandas),
        ``counts``, ``values``, ``mel``, ``rates`` (plotly figures); otherwise
        ``error`` (Markdown saying what is missing and how to make it).
    """
    try:
        result = _load(path)
    except BabyCryError as exc:
        return {"intro": "", "error": f"No dataset summary to show: {exc} Make one with `{REPRODUCE}`."}
    n_fam = sum(c.families for c in result.classes)
    intro = (
        f"Per-class summary of `{result.data_dir}` ({result.manifest_clips} clips in the manifest; "
        f"{len(result.clips)} analysed, at most {result.max_per_class} per class spread over as many families as "
        f"possible, seed {result.seed}; {n_fam} families in the classes shown). **Each family counts once**: its "
        "clips are averaged first, so a phone that uploaded 13 clips is one point, as in every split and number "
        "babycry reports. Values are measured on the recording band-limited to "
        f"{result.settings.get('band_limit_hz', AudioConfig().band_limit_hz) / 1000:g} kHz at its own level (RMS "
        "before loudness normalisation); F0 and harmonics come from pYIN on the loudest 3 s. Reproduce with "
        f"`{REPRODUCE}`."
    )
    if result.skipped:
        intro += f" {len(result.skipped)} clip(s) could not be decoded and are left out."
    return {
        "intro": intro,
        "table": result.table(),
        # No figure titles: the tab's component labels name them (room on phones).
        "counts": plots.eda_counts_figure(result, title=None),
        "values": plots.eda_value_figure(result, value=value, title=""),
        "mel": plots.eda_mel_grid_figure(result, title=None),
        "rates": plots.eda_rates_durations_figure(result, title=None),
    }


def value_figure(value: str, path: str | Path | None = None) -> Any:
    """The per-family box plot of one summary value (the tab's dropdown)."""
    with readable_errors("drawing the dataset summary"):
        return plots.eda_value_figure(_load(path), value=value, title="")
