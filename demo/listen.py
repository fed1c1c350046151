"""The Listen tab: record or upload, one *Analyse* button, the answer in plain words, and what the app heard.

The *Analyse* button runs the public ``/classify`` and ``/spectrogram``
endpoints itself, so the page and the API cannot drift apart; moving the
band-pass controls redraws *what the app heard* for the current recording.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from babycry.config import AudioConfig, BandPassConfig

from .answer import (
    EMPTY_ANSWER,
    PENDING_ANSWER,
    classify,
    model_quality_brief,
    model_quality_note,
    reason_base_rates,
    render_answer,
)
from .heard import spectrogram_views
from .models import Models

__all__ = ["MEDICAL_NOTE", "REASONS_LABEL", "NOT_CRY_REASONS_LABEL", "listen_tab"]

MEDICAL_NOTE = (
    "**Not a medical device.** babycry guesses from sound alone and is often wrong. "
    "**Call a doctor or emergency services** if your baby is under 3 months and has a fever (38 °C / 100.4 °F or "
    "more), has trouble breathing or turns blue, has a weak, moaning or very high-pitched cry, cries "
    "inconsolably for hours, will not feed, vomits repeatedly, or is unusually sleepy, floppy or hard to wake. "
    "Trust your instincts."
)

REASONS_LABEL = "Chance of each reason"
NOT_CRY_REASONS_LABEL = "If it were a cry, how likely would each reason be?"


def listen_tab(models: Models, *, examples: list[str], limits: Any, audio_cfg: AudioConfig = AudioConfig()) -> None:
    """Lay out the Listen tab inside the caller's ``gr.Tab`` and wire its events.

    Parameters
    ----------
    models : Models
        The checkpoints.
    examples : list of str
        Example recordings (clickable under the recorder).
    limits : demo.ui.AppLimits
        Serving limits quoted on the page.
    audio_cfg : AudioConfig
        Band edge and maximum duration quoted on the page.
    """
    base_rates = reason_base_rates(models)
    band = BandPassConfig()
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            recording = gr.Audio(
                sources=["microphone", "upload"],
                type="filepath",
                label="Your baby's cry (record or upload, at least 1 s)",
                elem_id="recording",
            )
            analyse_btn = gr.Button("Analyse", variant="primary", elem_id="analyse")
        with gr.Column(scale=1, min_width=300):
            verdict = gr.Markdown(EMPTY_ANSWER, elem_id="verdict")
            reasons = gr.Label(
                label=REASONS_LABEL,
                num_top_classes=4,
                elem_id="reasons",
                show_heading=False,
            )
            gr.Markdown(model_quality_brief(models), elem_id="quality-brief")
            gr.Markdown(MEDICAL_NOTE, elem_id="medical-note")
    timeline = gr.Plot(label="Cry probability over time", visible=False, elem_id="timeline")
    if examples:
        example_box = gr.Examples(
            examples=[[p] for p in examples],
            inputs=[recording],
            label="No crying baby at hand? Try a synthesised cry (click one)",
            cache_examples=False,
            api_visibility="private",
            example_labels=[Path(p).stem.replace("_", " ") for p in examples],
        )
    with gr.Accordion("What the numbers mean, and how good the model is", open=False):
        gr.Markdown(model_quality_note(models), elem_id="quality-note")
        gr.Markdown(
            f"Recordings are analysed in memory and not stored: uploads are deleted from the server "
            f"within {limits.cache_max_age_s // 60 + limits.cache_sweep_s // 60} minutes. At most the "
            f"first {audio_cfg.max_seconds:g} s of a recording are analysed, files up to "
            f"{limits.max_file_size.upper()}, {limits.concurrency_limit} at a time."
        )

    gr.Markdown(
        "### What the app heard\nThe mel spectrogram shows what the models analyse: the recording "
        f"band-limited to {audio_cfg.band_limit_hz / 1000:g} kHz and loudness-normalised. The band-pass "
        "filter is the origin project's cry-band filter, a research view: change the band and listen to "
        "what it keeps."
    )
    with gr.Row():
        centre = gr.Slider(
            200, 3500, value=band.centre_hz, step=50, label="Centre (Hz)", elem_id="band-centre"
        )
        bandwidth = gr.Slider(
            0.1, 1.9, value=band.bandwidth_fraction, step=0.01, label="Bandwidth (fraction of centre)"
        )
        rolloff = gr.Slider(
            12, 48, value=band.rolloff_db_per_octave, step=12, label="Roll-off (dB/octave)"
        )
    mel_plot = gr.Plot(label="Mel spectrogram", elem_id="mel-plot")
    wave_plot = gr.Plot(label="Waveform before and after the band-pass", elem_id="wave-plot")
    with gr.Row():
        response_plot = gr.Plot(label="Band-pass filter response", elem_id="response-plot")
        with gr.Column():
            filtered_audio = gr.Audio(
                label="After the band-pass (true level)", type="numpy", interactive=False
            )
            band_info = gr.JSON(label="Band and levels", elem_id="band-info")
    with gr.Accordion("Full result (the /classify JSON)", open=False):
        result_json = gr.JSON(label="/classify", elem_id="result-json")

    # events
    spectrogram_inputs = [recording, centre, bandwidth, rolloff]
    spectrogram_outputs = [mel_plot, wave_plot, response_plot, filtered_audio, band_info]

    def _show_answer(result: dict | None) -> tuple[Any, Any, Any]:
        text, probs, fig = render_answer(result, base_rates=base_rates, audio_config=audio_cfg)
        label = REASONS_LABEL if not result or result.get("is_cry") else NOT_CRY_REASONS_LABEL
        return text, gr.update(value=probs, label=label), gr.update(value=fig, visible=fig is not None)

    def _pending() -> tuple[Any, Any, Any]:
        return PENDING_ANSWER, None, gr.update(visible=False)

    def _failed() -> str:
        return (
            "## No answer\nThis recording could not be analysed (the message says why). "
            "Record or upload again, then press **Analyse**."
        )

    def _wire_analysis(trigger: Any, *, public: bool) -> None:
        """Clear the old answer, then /classify, the answer, and /spectrogram; say so when it fails."""
        vis = "public" if public else "private"
        classified = trigger.then(
            partial(classify, models=models),
            [recording],
            [result_json],
            api_name="classify" if public else None,
            api_visibility=vis,
            api_description="A recording in; the analysis JSON out (cry probability, verdict, "
            "four reason probabilities, unsure flag, per-window timeline).",
        )
        classified.failure(_failed, None, [verdict], queue=False, api_visibility="private")
        classified.success(
            # Formatting only: no queue slot needed, so the answer shows without waiting behind others.
            _show_answer, [result_json], [verdict, reasons, timeline], queue=False, api_visibility="private"
        ).success(
            spectrogram_views,
            spectrogram_inputs,
            spectrogram_outputs,
            api_name="spectrogram" if public else None,
            api_visibility=vis,
            api_description="A recording and a band-pass band in; mel spectrogram, waveform before/after, "
            "filter response, filtered audio (true level) and band levels out.",
        )

    pending_outputs = [verdict, reasons, timeline]
    _wire_analysis(
        analyse_btn.click(_pending, None, pending_outputs, queue=False, api_visibility="private"), public=True
    )
    if examples:
        _wire_analysis(
            example_box.load_input_event.then(
                _pending, None, pending_outputs, queue=False, api_visibility="private"
            ),
            public=False,
        )

    def _band_changed(recording_path: str | None, *band_values: float) -> Any:
        # Moving the band before there is a recording is not an error: there is just nothing to redraw.
        if not recording_path:
            return tuple(gr.skip() for _ in spectrogram_outputs)
        return spectrogram_views(recording_path, *band_values)

    # change (dragging or typing a value); always_last drops intermediate positions while one is drawn.
    for control in (centre, bandwidth, rolloff):
        control.change(
            _band_changed,
            spectrogram_inputs,
            spectrogram_outputs,
            api_visibility="private",
            trigger_mode="always_last",
            show_progress="minimal",
        )
