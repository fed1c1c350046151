"""The Dataset tab: the data folder's classes and families, then the bundled family-weighted EDA summary.

No audio and no computation here: the class table is
:func:`babycry.data.label_summary` of the data folder's manifest (when there is
one); ``assets/eda/summary.json`` is written by
``babycry eda --data ../shared/data --json assets/eda/summary.json`` (the Space
has no data folder), and every figure is a :mod:`babycry.plots` builder.
``$BABYCRY_EDA_SUMMARY`` points the app at another summary, e.g. one made by
a researcher from their own data folder with the same command.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from babycry.config import AudioConfig, band_words
from babycry.errors import BabyCryError

from .errors import readable_errors

if TYPE_CHECKING:
    from babycry.research import EDAResult

__all__ = ["SUMMARY_PATH", "REPRODUCE", "VALUE_CHOICES", "summary_path", "dataset_overview", "eda_views",
           "value_figure", "dataset_tab"]

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
    from babycry.research import load_summary  # pandas and librosa load when the tab is first opened

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
    from babycry import plots

    try:
        result = _load(path)
    except BabyCryError as exc:
        return {"intro": "", "error": f"No dataset summary to show: {exc} Make one with `{REPRODUCE}`."}
    n_fam = sum(c.families for c in result.classes)
    # a summary made before the high-pass records none
    band = band_words(band_limit_hz=result.settings.get("band_limit_hz", AudioConfig().band_limit_hz),
                      high_pass_hz=result.settings.get("high_pass_hz", 0.0))
    intro = (
        f"Per-class summary of `{result.data_dir}` ({result.manifest_clips} clips in the manifest; "
        f"{len(result.clips)} analysed, at most {result.max_per_class} per class spread over as many families as "
        f"possible, seed {result.seed}; {n_fam} families in the classes shown). **Each family counts once**: its "
        "clips are averaged first, so a phone that uploaded 13 clips is one point, as in every split and number "
        "babycry reports. Values are measured on the recording band-limited to "
        f"{band} at its own level (RMS "
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
    from babycry import plots

    with readable_errors("drawing the dataset summary"):
        return plots.eda_value_figure(_load(path), value=value, title="")


def dataset_overview(data_dir: str | Path | None = None) -> tuple[str, Any]:
    """Class counts and families per class from a data folder's ``manifest.csv``.

    Parameters
    ----------
    data_dir : path, optional
        Default: ``$BABYCRY_DATA`` or ``../shared/data``.

    Returns
    -------
    (str, pandas.DataFrame or None)
        An explanation, and the table (``None`` when no data folder is present, e.g. on the Space).
    """
    from babycry import data as bc_data

    root = Path(data_dir) if data_dir else bc_data.default_data_dir()
    try:
        manifest = bc_data.read_manifest(root)
    except BabyCryError as exc:
        return (
            f"No data folder here ({exc}). Point `BABYCRY_DATA` at a folder holding a `manifest.csv` to see its "
            "classes and families.",
            None,
        )
    table = bc_data.label_summary(manifest)
    text = (
        f"`{root}`: {len(manifest)} clips. **Families** (the manifest's `group`: one family's phone, one "
        "recording, one speaker) are what every split and every reported number is grouped by; a class with "
        "few families is harder to learn and to evaluate than its clip count suggests."
    )
    return text, table


def dataset_tab(*, tab: Any) -> None:
    """Class counts and families from the data folder's manifest, then the bundled family-weighted EDA summary.

    The tables and figures are filled when ``tab`` (the ``gr.Tab``) is first selected, so building and serving the
    page does not wait for pandas, librosa and plotly.
    """
    overview = gr.Markdown(elem_id="dataset-overview", elem_classes=["metrics-md"])
    table = gr.Dataframe(interactive=False, label="Clips and families (groups) per label", max_height=720,
                         visible=False)
    gr.Markdown("### What each class sounds like, family by family")
    intro = gr.Markdown(elem_id="eda-intro")
    summary = gr.Dataframe(interactive=False, label="Family-weighted median [quartiles] per class", max_height=520,
                           visible=False)
    counts = gr.Plot(label="Clips vs families per class", elem_id="eda-counts")
    value = gr.Dropdown(choices=VALUE_CHOICES, value="f0_median_hz", label="Value per family", elem_id="eda-value")
    box = gr.Plot(label="One point per family (its clips averaged)", elem_id="eda-values")
    mel = gr.Plot(label="Mean log-mel spectrogram per class (first 3 s window, family-averaged)", elem_id="eda-mel")
    rates = gr.Plot(label="Source sample rates and durations", elem_id="eda-rates")
    outputs = [overview, table, intro, summary, counts, box, mel, rates]

    def fill() -> tuple[Any, ...]:
        text, frame = dataset_overview()
        views = eda_views()
        if views.get("error"):
            figures = (None, None, None, None)
            return (text, gr.update(value=frame, visible=frame is not None), views["error"],
                    gr.update(visible=False), *figures)
        return (text, gr.update(value=frame, visible=frame is not None), views["intro"],
                gr.update(value=views["table"], visible=True), views["counts"], views["values"], views["mel"],
                views["rates"])

    value.change(value_figure, [value], [box], queue=False, api_visibility="private")
    shown = gr.State(False)

    def fill_once(done: bool) -> tuple[Any, ...]:
        return (*(gr.skip() for _ in outputs), True) if done else (*fill(), True)

    tab.select(fill_once, [shown], [*outputs, shown], api_visibility="private")
