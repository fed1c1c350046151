"""The Augmentations tab: what the training recipes apply, and a preview of any augmentation (``/augment``).

The tables are read from the training recipes
(:meth:`babycry.training.recipes.Recipe.augmentation_uses`), never restated,
and the preview runs the same :mod:`babycry.augment` transforms training uses:
what a researcher previews is what the models learned from.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import gradio as gr
import numpy as np

from babycry import augment as bc_augment
from babycry.config import AudioConfig, MelConfig
from babycry.pattern import clipped_share
from babycry.playback import to_int16
from babycry.training.recipes import recipe_for

from .errors import checked_by_handler, load_recording, number, readable_errors

__all__ = [
    "TASK_NAMES",
    "augmentation_names",
    "augmentation_specs",
    "augmentation_description",
    "training_uses",
    "recipe_markdown",
    "uses_markdown",
    "collect_params",
    "augment_preview",
    "before_after_waveform",
    "augmentation_tab",
]

#: The models whose recipes the tab lists, as the page names them.
TASK_NAMES = {"detector": "Cry detector", "reason": "Reason classifier"}


def augmentation_names() -> list[str]:
    """Names in the library's augmentation registry, in registry order."""
    return bc_augment.available()


def augmentation_specs() -> dict[str, list[bc_augment.Param]]:
    """``{name: [Param, ...]}`` from the registry, to build one slider per parameter."""
    return {name: list(bc_augment.get(name).params) for name in bc_augment.available()}


def augmentation_description(name: str) -> str:
    """The registry's one-line description of an augmentation."""
    return bc_augment.get(name).description


def training_uses(name: str) -> list[dict[str, Any]]:
    """Where the training recipes apply one augmentation: ``{"task", "applies_to", "p", "ranges"}`` each.

    Examples
    --------
    >>> [u["task"] for u in training_uses("gain")]
    []
    >>> training_uses("pitch_shift")[0]["task"]
    'detector'
    """
    return [{"task": task, **{k: v for k, v in use.items() if k != "name"}}
            for task in TASK_NAMES for use in recipe_for(task).augmentation_uses() if use["name"] == name]


def _ranges_text(name: str, ranges: dict[str, list[float]]) -> str:
    """``{"snr_db": [0, 20]}`` -> ``"snr_db 0 to 20 dB"``; ``"defaults"`` when nothing is drawn, ``""`` without params.

    Examples
    --------
    >>> _ranges_text("pitch_shift", {"semitones": [-2.0, 2.0]}), _ranges_text("mic_filter", {})
    ('semitones -2 to 2', '')
    """
    params = {p.name: p for p in bc_augment.get(name).params}
    if not ranges:
        return "defaults" if params else ""
    # the unit is left out where the name already says it ("semitones")
    return ", ".join(f"{param} {lo:g} to {hi:g}" + (f" {params[param].unit}" if params[param].unit not in ("", param)
                                                    else "") for param, (lo, hi) in ranges.items())


def recipe_markdown(task: str) -> str:
    """One model's training augmentations as a Markdown table, read from its recipe.

    Examples
    --------
    >>> print(recipe_markdown("reason").splitlines()[2])
    | labelled cries | `pitch_shift` | 50% | semitones -1.1 to 1.1 |
    """
    rows = ["| applied to | augmentation | chance | drawn from |", "|---|---|---|---|"]
    for use in recipe_for(task).augmentation_uses():
        rows.append(f"| {use['applies_to']} | `{use['name']}` | {use['p']:.0%} | "
                    f"{_ranges_text(use['name'], use['ranges']) or '—'} |")
    return "\n".join(rows)


def uses_markdown(name: str) -> str:
    """One line under an augmentation's sliders: where training applies it, or that it is preview-only.

    Examples
    --------
    >>> uses_markdown("gain")
    'Not used in training (preview only).'
    """
    uses = training_uses(name)
    if not uses:
        return "Not used in training (preview only)."
    parts = []
    for u in uses:
        ranges = _ranges_text(name, u["ranges"])
        parts.append(f"{TASK_NAMES[u['task']].lower()}, {u['applies_to']} ({u['p']:.0%}" + (f", {ranges})" if ranges
                                                                                          else ")"))
    return "In training: " + "; ".join(parts) + "."


def collect_params(name: str, *slider_values: float, layout: list[tuple[str, str]]) -> str:
    """Gather the sliders of the chosen augmentation into the ``params`` JSON ``/augment`` takes.

    Parameters
    ----------
    name : str
        Chosen augmentation.
    *slider_values : float
        Every slider's value, in ``layout`` order.
    layout : list of (augmentation, parameter)
        Which augmentation and parameter each slider belongs to.

    Returns
    -------
    str
        JSON object ``{parameter: value}`` for ``name`` only.
    """
    params = {param: value for (aug, param), value in zip(layout, slider_values, strict=True) if aug == name}
    return json.dumps(params)


def augment_preview(
    recording: str | None,
    name: str,
    params: str | dict | None,
    seed: float | int | None,
    *,
    mel_config: MelConfig = MelConfig(),
    audio_config: AudioConfig = AudioConfig(),
) -> tuple[Any, Any, Any, tuple[int, np.ndarray], dict[str, Any]]:
    """The ``/augment`` endpoint: apply one named augmentation with exact parameters.

    Parameters
    ----------
    recording : str or None
        Path of the recording.
    name : str
        A name from the library's registry (e.g. ``"pitch_shift"``).
    params : str, dict or None
        Parameters as a JSON object, e.g. ``'{"semitones": 2}'``; missing ones take their defaults.
    seed : int
        Seed for any randomness (noise), so a preview is reproducible.

    Returns
    -------
    tuple
        ``(mel_before_figure, mel_after_figure, waveform_figure, (rate, int16 audio), used)``; ``used`` holds
        ``name``, ``seed``, ``params_used`` (what was actually applied), ``clipped_share`` (share of samples at
        full scale after the augmentation) and ``clipping`` (the same in words).
        The spectrograms are in dB relative to their own loudest bin, so a gain
        change shows in the waveform and is heard in the audio, not in the colours.
    """
    if not isinstance(name, str) or not name.strip():
        raise gr.Error(f"name must be one of: {', '.join(augmentation_names())}; got {name!r}.",
                       title="Bad parameter", print_exception=False)
    seed = int(number(0 if seed is None else seed, name="seed", low=0, high=2**32 - 1, whole=True))
    if not isinstance(params, dict):
        text = params.strip() if isinstance(params, str) else "" if params is None else repr(params)
        text = text or "{}"
        try:
            params = json.loads(text)
        except json.JSONDecodeError as exc:
            raise gr.Error(
                f"params must be a JSON object like {{\"semitones\": 2}}, got {text!r} ({exc.msg}).",
                title="Bad parameter", print_exception=False,
            ) from None
        if not isinstance(params, dict):
            raise gr.Error(f"params must be a JSON object like {{\"semitones\": 2}}, got {text!r}.",
                           title="Bad parameter", print_exception=False)
    audio = load_recording(recording, config=audio_config)
    with readable_errors("applying the augmentation"):
        from babycry import features, plots, preprocess  # scipy, librosa and plotly load on first use

        sr = audio.sample_rate
        heard = preprocess.prepare(audio.samples, sample_rate=sr, config=audio_config)
        result = bc_augment.apply(heard, sample_rate=sr, name=name, params=params, seed=seed)
        after = np.asarray(result.samples, dtype=np.float32)
        mel_before = features.log_mel(heard, sample_rate=sr, config=mel_config)
        mel_after = features.log_mel(after, sample_rate=sr, config=mel_config)
        # One colour scale for both, so what the augmentation changed (a raised noise floor) shows as a change.
        db_range = (float(min(mel_before.values.min(), mel_after.values.min())),
                    float(max(mel_before.values.max(), mel_after.values.max())))
        before_fig = plots.spectrogram_figure(mel_before, title=None, db_range=db_range)
        after_fig = plots.spectrogram_figure(mel_after, title=None, db_range=db_range)
        wave_fig = before_after_waveform(heard, after, sample_rate=sr)
        # Rounded for reading (6 decimals): -6.000000000000001 dB is -6 dB.
        applied = {k: round(v, 6) if isinstance(v, float) else v for k, v in result.params_used.items()}
        clipped = clipped_share(after)
        used = {"name": name, "seed": seed, "params_used": applied,
                # What a listener hears as distortion: samples pushed to full scale (played clipped).
                "clipped_share": round(clipped, 5),
                "clipping": (f"{100 * clipped:.2g}% of the samples clip: the result is distorted"
                             if clipped > 0 else "none")}
    return before_fig, after_fig, wave_fig, (sr, to_int16(after)), used


def before_after_waveform(before: np.ndarray, after: np.ndarray, *, sample_rate: int) -> Any:
    """The two waveforms one above the other, on one level scale: neither hides the other, a gain change shows.

    Composed from :func:`babycry.plots.waveform_figure` (one trace each) into two rows sharing both axes.
    """
    from plotly.subplots import make_subplots

    from babycry import plots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, shared_yaxes=True, vertical_spacing=0.08,
                        subplot_titles=("before", "after"))
    for row, (samples, label) in enumerate(((before, "before"), (after, "after")), start=1):
        for trace in plots.waveform_figure(samples, sample_rate=sample_rate, names=(label,), title=None).data:
            fig.add_trace(trace, row=row, col=1)
    peak = max(1.0, float(np.max(np.abs(after))) if after.size else 1.0)
    fig.update_yaxes(range=[-peak, peak], title_text="level")
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    fig.update_layout(height=320, showlegend=False, margin={"l": 60, "r": 20, "t": 30, "b": 40})
    return fig


#: The augmentation the tab opens with: one training uses, whose effect shows in both views.
FIRST_PREVIEW = "background_noise"


def augmentation_tab(examples: list[str], *, tab: Any = None) -> None:
    """The training recipes' augmentations, then: pick one from the registry, set its parameters and a seed, see and
    hear it.

    One slider per registry parameter (range, default and step from the
    registry's spec); only the chosen augmentation's sliders are shown.  The
    *Preview* button gathers them into the JSON object the public ``/augment``
    endpoint takes, then calls it.  When ``tab`` (the ``gr.Tab``) is first
    selected, the tab previews the first example with :data:`FIRST_PREVIEW`, so
    it never opens on blank plots.
    """
    names = augmentation_names()
    specs = augmentation_specs()
    first = FIRST_PREVIEW if FIRST_PREVIEW in names else names[0]
    gr.Markdown(
        "Training augments its windows so the models hear more variety. The tables are each model's training "
        "recipe: which augmentation it applies to which sounds, how often, and the range each parameter is drawn "
        "from. Below, preview any of the library's augmentations, the same code training runs: set its parameters "
        "and a seed, and compare the spectrograms (each in dB relative to its own loudest point) and the waveforms. "
        "The result plays at its **true level**, so a gain change is audible."
    )
    with gr.Accordion("What training applies (read from the recipes)", open=False):
        for task, title in TASK_NAMES.items():
            gr.Markdown(f"**{title}**\n\n{recipe_markdown(task)}", elem_id=f"recipe-{task}")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            source = gr.Audio(
                value=examples[0] if examples else None,
                sources=["upload", "microphone"],
                type="filepath",
                label="Recording to augment",
                elem_id="augment-input",
            )
            # /augment's name and seed: augment_preview checks them (a clear message, never a server traceback)
            name = gr.Dropdown(choices=names, value=first, label="Augmentation", elem_id="augment-name",
                               allow_custom_value=True)
            groups = []
            layout: list[tuple[str, str]] = []
            sliders: list[gr.Slider] = []
            for aug in names:
                with gr.Group(visible=aug == first) as group:
                    gr.Markdown(augmentation_description(aug))
                    gr.Markdown(uses_markdown(aug), elem_id=f"aug-{aug}-uses")
                    if not specs[aug]:
                        gr.Markdown(f"`{aug}` has no parameters.")
                    for spec in specs[aug]:
                        sliders.append(_slider_for(spec, elem_id=f"aug-{aug}-{spec.name}"))
                        layout.append((aug, spec.name))
                groups.append(group)
            seed = checked_by_handler(gr.Number(value=0, precision=0, label="Seed (for the random parts, e.g. noise)",
                                                minimum=0))
            params = gr.Textbox(value="{}", visible=False)
            preview = gr.Button("Preview", variant="primary", elem_id="augment-preview")
        with gr.Column(scale=2, min_width=300):
            before = gr.Plot(label="Spectrogram before", elem_id="augment-before")
            after = gr.Plot(label="Spectrogram after", elem_id="augment-after")
            wave = gr.Plot(label="Waveform before and after (true level)", elem_id="augment-wave")
            augmented = gr.Audio(label="Augmented (true level)", type="numpy", interactive=False)
            used = gr.JSON(label="Parameters actually applied, and clipping", elem_id="augment-used")
    outputs = [before, after, wave, augmented, used]

    name.change(
        lambda chosen: [gr.update(visible=aug == chosen) for aug in names],
        [name],
        groups,
        queue=False,
        api_visibility="private",
    )
    preview.click(
        partial(collect_params, layout=layout),
        [name, *sliders],
        [params],
        queue=False,
        api_visibility="private",
    ).success(
        augment_preview,
        [source, name, params, seed],
        outputs,
        api_name="augment",
        api_description="A recording, an augmentation name, its parameters as a JSON object and a seed in; "
        "mel spectrograms before/after, the waveforms, the augmented audio (int16, true level), the parameters "
        "used and the share of clipped samples out.",
    )
    if tab is not None and examples:
        shown = gr.State(False)

        def _first_preview(done: bool, recording: str | None) -> tuple[Any, ...]:
            # Once per page, and only while the user has not picked another recording.
            if done or not recording:
                return (*(gr.skip() for _ in outputs), done)
            return (*augment_preview(recording, first, "{}", 0), True)

        tab.select(_first_preview, [shown, source], [*outputs, shown], api_visibility="private")


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
