"""The researcher's tabs: augmentation preview, the models' evaluation, the dataset.

Each function lays out one tab inside the caller's ``gr.Blocks`` context and
wires its events; the work itself is done by :mod:`demo.handlers` and the
library.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import gradio as gr

from . import handlers

__all__ = ["augmentation_tab", "model_tab", "dataset_tab"]


def augmentation_tab(examples: list[str]) -> None:
    """Pick an augmentation from the library's registry, set its parameters and a seed, see and hear it.

    One slider per registry parameter (range, default and step from the
    registry's spec); only the chosen augmentation's sliders are shown.  The
    *Preview* button gathers them into the JSON object the public ``/augment``
    endpoint takes, then calls it.
    """
    names = handlers.augmentation_names()
    specs = handlers.augmentation_specs()
    gr.Markdown(
        "Training augments cries so the model hears more variety. Pick one of the library's augmentations, set "
        "its parameters and a seed, and compare the spectrograms (each in dB relative to its own loudest point) and "
        "the waveforms. The result plays at its **true level**, so a gain change is audible."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            source = gr.Audio(
                value=examples[0] if examples else None,
                sources=["upload", "microphone"],
                type="filepath",
                label="Recording to augment",
                elem_id="augment-input",
            )
            name = gr.Dropdown(choices=names, value=names[0], label="Augmentation", elem_id="augment-name")
            groups = []
            layout: list[tuple[str, str]] = []
            sliders: list[gr.Slider] = []
            for aug in names:
                with gr.Group(visible=aug == names[0]) as group:
                    gr.Markdown(handlers.augmentation_description(aug))
                    if not specs[aug]:
                        gr.Markdown(f"`{aug}` has no parameters.")
                    for spec in specs[aug]:
                        sliders.append(_slider_for(spec, elem_id=f"aug-{aug}-{spec.name}"))
                        layout.append((aug, spec.name))
                groups.append(group)
            seed = gr.Number(value=0, precision=0, label="Seed (for the random parts, e.g. noise)", minimum=0)
            params = gr.Textbox(value="{}", visible=False)
            preview = gr.Button("Preview", variant="primary", elem_id="augment-preview")
        with gr.Column(scale=2, min_width=300):
            before = gr.Plot(label="Before", elem_id="augment-before")
            after = gr.Plot(label="After", elem_id="augment-after")
            wave = gr.Plot(label="Waveform before and after (true level)", elem_id="augment-wave")
            augmented = gr.Audio(label="Augmented (true level)", type="numpy", interactive=False)
            used = gr.JSON(label="Parameters actually applied", elem_id="augment-used")

    name.change(
        lambda chosen: [gr.update(visible=aug == chosen) for aug in names],
        [name],
        groups,
        queue=False,
        api_visibility="private",
    )
    preview.click(
        partial(handlers.collect_params, layout=layout),
        [name, *sliders],
        [params],
        queue=False,
        api_visibility="private",
    ).success(
        handlers.augment_preview,
        [source, name, params, seed],
        [before, after, wave, augmented, used],
        api_name="augment",
        api_description="A recording, an augmentation name, its parameters as a JSON object and a seed in; "
        "mel spectrograms before/after, the augmented audio (int16, true level) and the parameters used out.",
    )


def _slider_for(spec: Any, *, elem_id: str) -> gr.Slider:
    """One slider from a registry parameter spec (range, default, step, unit, description)."""
    step = getattr(spec, "step", None)
    unit = getattr(spec, "unit", "")
    return gr.Slider(
        minimum=float(spec.min),
        maximum=float(spec.max),
        value=float(spec.default),
        step=float(step) if step else None,
        label=f"{spec.name} ({unit})" if unit else spec.name,
        info=getattr(spec, "description", None) or None,
        interactive=True,
        elem_id=elem_id,
    )


def model_tab(models: handlers.Models) -> None:
    """Each checkpoint's grouped evaluation beside the majority baseline, and its model card."""
    for title, info in handlers.model_reports(models):
        gr.Markdown(f"## {title}")
        if info.get("error"):
            gr.Markdown(info["error"])
            continue
        gr.Markdown(info["table_md"])
        if info.get("confusion_fig") is not None:
            gr.Plot(info["confusion_fig"], label="Confusion matrix (grouped CV, pooled out-of-fold; rows: true)")
        if info.get("card_md"):
            with gr.Accordion("Model card", open=False):
                gr.Markdown(info["card_md"])


def dataset_tab() -> None:
    """Class counts and families from the data folder's manifest, then the bundled family-weighted EDA summary."""
    text, table = handlers.dataset_overview()
    gr.Markdown(text)
    if table is not None:
        gr.Dataframe(table, interactive=False, label="Clips and families (groups) per label", max_height=720)
    _eda_views()


def _eda_views() -> None:
    """The EDA summary (``assets/eda/summary.json``; the Space has no data): figures from babycry.plots."""
    from . import dataset

    views = dataset.eda_views()
    gr.Markdown("### What each class sounds like, family by family")
    if views.get("error"):
        gr.Markdown(views["error"], elem_id="eda-error")
        return
    gr.Markdown(views["intro"], elem_id="eda-intro")
    gr.Dataframe(views["table"], interactive=False, label="Family-weighted median [quartiles] per class",
                 max_height=520)
    gr.Plot(views["counts"], label="Clips vs families per class", elem_id="eda-counts")
    value = gr.Dropdown(choices=dataset.VALUE_CHOICES, value="f0_median_hz", label="Value per family",
                        elem_id="eda-value")
    box = gr.Plot(views["values"], label="One point per family (its clips averaged)", elem_id="eda-values")
    value.change(dataset.value_figure, [value], [box], queue=False, api_visibility="private")
    gr.Plot(views["mel"], label="Mean log-mel spectrogram per class (first 3 s window, family-averaged)",
            elem_id="eda-mel")
    gr.Plot(views["rates"], label="Source sample rates and durations", elem_id="eda-rates")
