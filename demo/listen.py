"""The Listen tab: examples, record or upload, one *Analyse* button, the answer in plain words.

Order on the page (one column on a phone): the examples and the recorder, then
the answer — headline (crying or not, how sure, how loud, how long, continuous
or in bursts), the reason as an experiment with its bars, the medical note.
After an analysis the answer is scrolled into view when it is not already.
Research views (what the app heard, the raw JSON) sit in closed accordions.

The *Analyse* button runs the public ``/classify`` and ``/spectrogram``
endpoints itself, so the page and the API cannot drift apart.  Any change of
the recording (a new file, an example, a new recording, Clear) and any failed
analysis clears the answer and every view, so nothing stale stays on screen.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from babycry.config import AudioConfig, BandPassConfig, band_words

from .answer import (
    EMPTY_ANSWER,
    FAILED_ANSWER,
    PENDING_ANSWER,
    REASON_BARS_LABEL,
    classify,
    quality_brief,
    render_answer,
)
from .errors import checked_by_handler
from .heard import spectrogram_views
from .models import Models

__all__ = ["MEDICAL_NOTE", "READY_ANSWER", "SCROLL_TO_ANSWER_JS", "listen_tab"]

MEDICAL_NOTE = (
    "**Not a medical device:** it guesses from sound and is often wrong. **Call a doctor** if your baby is under "
    "3 months with a fever (38 °C / 100.4 °F or more), struggles to breathe or turns blue, has a weak, moaning or "
    "very high-pitched cry, cries for hours and cannot be settled, will not feed, keeps vomiting, or is floppy or "
    "hard to wake. Trust your instincts."
)
READY_ANSWER = "Press **Analyse** to listen to this recording."

#: After an answer: bring the answer (headline, bars, medical note) into view, unless it already is.
SCROLL_TO_ANSWER_JS = """() => {
  // a moment later: the bars and the headline have been drawn by then
  setTimeout(() => {
    const a = document.querySelector('#answer');
    if (!a) return;
    const r = a.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) a.scrollIntoView({block: 'start', behavior: 'instant'});
  }, 150);
}"""


def listen_tab(models: Models, *, examples: list[str], limits: Any, audio_cfg: AudioConfig = AudioConfig()) -> None:
    """Lay out the Listen tab inside the caller's ``gr.Tab`` and wire its events.

    Parameters
    ----------
    models : Models
        The checkpoints.
    examples : list of str
        Example recordings (clickable above the recorder).
    limits : demo.ui.AppLimits
        Serving limits quoted on the page.
    audio_cfg : AudioConfig
        Band edge and maximum duration quoted on the page.
    """
    band = BandPassConfig()
    # Created first (the examples need it), shown below them: a click on an example lands right above its answer.
    recording = gr.Audio(
        sources=["upload", "microphone"],
        type="filepath",
        label="Your baby's cry",
        elem_id="recording",
        render=False,
    )
    example_box = None
    if examples:
        example_box = gr.Examples(
            examples=[[p] for p in examples],
            inputs=[recording],
            label="No crying baby at hand? Try an example (click one)",
            cache_examples=False,
            api_visibility="private",
            example_labels=[Path(p).stem.replace("synth_", "synthesised ").replace("_", " ") for p in examples],
            elem_id="examples",
        )
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            recording.render()
            analyse_btn = gr.Button("Analyse", variant="primary", elem_id="analyse")
        with gr.Column(scale=1, min_width=300):
            with gr.Column(elem_id="answer"):  # what must be in view after Analyse: answer, bars, medical note
                verdict = gr.Markdown(EMPTY_ANSWER, elem_id="verdict")
                reason_note = gr.Markdown("", elem_id="reason-note")
                reasons = gr.Label(label=REASON_BARS_LABEL, num_top_classes=4, elem_id="reasons",
                                   show_heading=False, visible=False)
                gr.Markdown(MEDICAL_NOTE, elem_id="medical-note")
            gr.Markdown(quality_brief(models), elem_id="quality-brief")
    timeline = gr.Plot(label="Chance of crying, moment by moment", visible=False, elem_id="timeline")
    with gr.Accordion("Privacy and limits", open=False):
        gr.Markdown(
            f"Recordings are analysed in memory and not kept: the server deletes uploads (and the filtered sound it "
            f"plays back) {limits.cache_max_age_s // 60}–{(limits.cache_max_age_s + limits.cache_sweep_s) // 60} "
            f"minutes after they arrive, and all of them when it stops. Nothing of the sound is written to its logs. "
            f"The first {audio_cfg.max_seconds:g} seconds of a recording are listened to; files up to "
            f"{limits.max_file_size.upper()}; {limits.concurrency_limit} recordings at a time.",
            elem_id="privacy",
        )

    with gr.Accordion("What the app heard (for the curious)", open=False, elem_id="heard"):
        gr.Markdown(
            "The mel spectrogram shows what the models analyse: the recording band-limited to "
            f"{band_words(band_limit_hz=audio_cfg.band_limit_hz, high_pass_hz=audio_cfg.high_pass_hz)} and "
            "loudness-normalised. "
            "The band-pass filter is the origin "
            "project's cry-band filter, a research view: change the band and listen to what it keeps."
        )
        with gr.Row():
            # /spectrogram's parameters: spectrogram_views checks them (a clear message, never a traceback)
            centre = checked_by_handler(gr.Slider(200, 3500, value=band.centre_hz, step=50, label="Centre (Hz)",
                                                  elem_id="band-centre"))
            bandwidth = checked_by_handler(gr.Slider(0.1, 1.9, value=band.bandwidth_fraction, step=0.01,
                                                     label="Bandwidth (fraction of centre)"))
            rolloff = checked_by_handler(gr.Slider(12, 48, value=band.rolloff_db_per_octave, step=12,
                                                   label="Roll-off (dB/octave)"))
        mel_plot = gr.Plot(label="Mel spectrogram", elem_id="mel-plot")
        wave_plot = gr.Plot(label="Waveform before and after the band-pass", elem_id="wave-plot")
        with gr.Row():
            response_plot = gr.Plot(label="Band-pass filter response", elem_id="response-plot")
            with gr.Column():
                filtered_audio = gr.Audio(label="After the band-pass (true level)", type="numpy",
                                          interactive=False, elem_id="filtered-audio")
                band_info = gr.JSON(label="Band and levels", elem_id="band-info")
        with gr.Accordion("Full result (the /classify JSON)", open=False):
            result_json = gr.JSON(label="/classify", elem_id="result-json")

    # ---- events ---------------------------------------------------------------------------------------------
    spectrogram_inputs = [recording, centre, bandwidth, rolloff]
    spectrogram_outputs = [mel_plot, wave_plot, response_plot, filtered_audio, band_info]
    answer_outputs = [verdict, reason_note, reasons, timeline]
    everything = [*answer_outputs, *spectrogram_outputs, result_json]

    def _cleared(text: str) -> tuple[Any, ...]:
        """The answer set to ``text`` and every view emptied: nothing of a previous recording stays."""
        return (text, "", gr.update(value=None, visible=False), gr.update(value=None, visible=False),
                *(None for _ in spectrogram_outputs), None)

    def _show_answer(result: dict | None) -> tuple[Any, ...]:
        view = render_answer(result, audio_config=audio_cfg)
        return (view.verdict_md, view.reason_md,
                gr.update(value=view.reasons, visible=view.reasons is not None),
                gr.update(value=view.timeline, visible=view.timeline is not None))

    def _wire_analysis(trigger: Any, *, public: bool) -> None:
        """Clear the old answer, then /classify, the answer, and /spectrogram; say so when it fails."""
        vis = "public" if public else "private"
        classified = trigger.then(
            partial(classify, models=models),
            [recording],
            [result_json],
            api_name="classify" if public else None,
            api_visibility=vis,
            api_description="A recording in; the analysis JSON out: is it a cry, how sure, how loud, how long, "
            "continuous or in bursts, the reason model's bars and quality, the per-window timeline (docs/api.md).",
        )
        classified.failure(partial(_cleared, FAILED_ANSWER), None, everything, queue=False, api_visibility="private")
        shown = classified.success(
            # Formatting only: no queue slot needed, so the answer shows without waiting behind others.
            _show_answer, [result_json], answer_outputs, queue=False, api_visibility="private"
        )
        shown.then(None, None, None, js=SCROLL_TO_ANSWER_JS, queue=False, api_visibility="private")
        shown.success(
            spectrogram_views,
            spectrogram_inputs,
            spectrogram_outputs,
            api_name="spectrogram" if public else None,
            api_visibility=vis,
            api_description="A recording and a band-pass band in; mel spectrogram, waveform before/after, "
            "filter response, filtered audio (true level) and band levels out.",
        )

    pending = partial(_cleared, PENDING_ANSWER)
    _wire_analysis(analyse_btn.click(pending, None, everything, queue=False, api_visibility="private"), public=True)
    if example_box is not None:
        _wire_analysis(
            example_box.load_input_event.then(pending, None, everything, queue=False, api_visibility="private"),
            public=False,
        )

    def _recording_changed(path: str | None) -> tuple[Any, ...]:
        # A new file, a new recording, an example or Clear: the old answer and views belong to another recording.
        return _cleared(READY_ANSWER if path else EMPTY_ANSWER)

    # input (not change): only what the user did; an example's own chain clears the page itself, and `change`
    # would race with it.  clear and stop_recording are separate events in Gradio 6.
    for event in (recording.input, recording.clear, recording.stop_recording, recording.upload):
        event(_recording_changed, [recording], everything, queue=False, api_visibility="private")

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
