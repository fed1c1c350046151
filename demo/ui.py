"""The page: ``build_demo()`` lays out the Gradio Blocks and wires the events.

Tabs, in the order a parent then a researcher needs them:

* **Listen** — record or upload, one *Analyse* button, the answer in plain
  words, the four reason probabilities, what they mean, when to call a
  doctor; below it, *what the app heard* (mel spectrogram, waveform before and
  after the band-pass filter, the filter's controls and response, the
  filtered audio).
* **Augmentations** — preview any augmentation of the library's registry.
* **Model** — the checkpoints' cards and grouped evaluation.

Public API (``gradio_client``): ``/classify``, ``/spectrogram``, ``/augment``.
Every other event is ``api_visibility="private"``.  The *Analyse* button runs
the public ``/classify`` and ``/spectrogram`` endpoints itself, so the page and
the API cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from babycry.config import AudioConfig, BandPassConfig

from . import handlers, research

__all__ = ["AppLimits", "LIMITS", "build_demo", "launch_options", "example_paths"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "assets" / "examples"


@dataclass(frozen=True)
class AppLimits:
    """Serving limits, chosen for a 2-core CPU Space and stated on the page and in the README.

    Attributes
    ----------
    concurrency_limit : int
        Requests processed at once (one per core).
    queue_size : int
        Requests waiting beyond those; more are refused with "queue full".
    max_file_size : str
        Largest upload Gradio accepts (a minute of 48 kHz stereo WAV is ~11 MB).
    cache_sweep_s, cache_max_age_s : int
        Uploads are deleted from the server every ``cache_sweep_s`` once older than ``cache_max_age_s``.
    """

    concurrency_limit: int = 2
    queue_size: int = 16
    max_file_size: str = "25mb"
    cache_sweep_s: int = 300
    cache_max_age_s: int = 600


LIMITS = AppLimits()

MEDICAL_NOTE = (
    "**Not a medical device.** babycry guesses from sound alone and is often wrong. "
    "**Call a doctor or emergency services** if your baby is under 3 months and has a fever (38 °C / 100.4 °F or "
    "more), has trouble breathing or turns blue, has a weak, moaning or very high-pitched cry, cries "
    "inconsolably for hours, will not feed, vomits repeatedly, or is unusually sleepy, floppy or hard to wake. "
    "Trust your instincts."
)

REASONS_LABEL = "Chance of each reason"
NOT_CRY_REASONS_LABEL = "If it were a cry, how likely would each reason be?"

CSS = """
#verdict h2 { margin: 0.1em 0 0.3em 0; font-size: 1.5em; }
#verdict { min-height: 3em; }
#quality-brief { font-size: 0.85em; }
#medical-note { font-size: 0.85em; border-left: 4px solid #d97706; padding-left: 0.6em; }
#header h1 { margin-bottom: 0.1em; }
#header p { margin-top: 0; }
@media (max-width: 640px) {
  #header h1 { font-size: 1.4em; }
  #verdict h2 { font-size: 1.25em; }
}
"""


def launch_options() -> dict[str, Any]:
    """Look-and-feel ``launch()`` arguments shared by ``app.py`` and the tests (Gradio 6 puts them there)."""
    return {"theme": gr.themes.Soft(), "css": CSS}


def example_paths() -> list[str]:
    """The synthesised example cries bundled in ``assets/examples/`` (WAV), sorted."""
    return sorted(str(p) for p in EXAMPLES_DIR.glob("*.wav"))


def _default_model_path(env: str, fallback: Path) -> str:
    return os.environ.get(env) or str(fallback)


def build_demo(*, detector_path: str | Path | None = None, reason_path: str | Path | None = None) -> gr.Blocks:
    """Build the babycry app.

    Parameters
    ----------
    detector_path, reason_path : str or Path, optional
        Checkpoints (local folder or hub id).  Default: ``$BABYCRY_DETECTOR`` /
        ``$BABYCRY_REASON``, else ``assets/models/cry-detector`` / ``assets/models/cry-reason``.

    Returns
    -------
    gradio.Blocks
        Not yet queued or launched (``app.py`` does that).
    """
    from babycry.modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR

    models = handlers.Models(
        detector_path=detector_path or _default_model_path("BABYCRY_DETECTOR", DEFAULT_DETECTOR_DIR),
        reason_path=reason_path or _default_model_path("BABYCRY_REASON", DEFAULT_REASON_DIR),
    )
    load_error = models.warm_up()
    base_rates = handlers.reason_base_rates(models)
    band = BandPassConfig()
    audio_cfg = AudioConfig()
    examples = example_paths()

    with gr.Blocks(
        title="babycry — why is my baby crying?",
        delete_cache=(LIMITS.cache_sweep_s, LIMITS.cache_max_age_s),
        analytics_enabled=False,
    ) as demo:
        gr.Markdown(
            "# babycry\nRecord or upload your baby's cry: is it a cry, and does it sound hungry, "
            "belly pain, discomfort or tired?",
            elem_id="header",
        )
        if load_error:
            gr.Markdown(f"**The app cannot analyse recordings right now:** {load_error}", elem_id="load-error")

        with gr.Tabs():
            # ------------------------------------------------------------- Listen
            with gr.Tab("Listen", id="listen"):
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
                        verdict = gr.Markdown(handlers.EMPTY_ANSWER, elem_id="verdict")
                        reasons = gr.Label(
                            label=REASONS_LABEL,
                            num_top_classes=4,
                            elem_id="reasons",
                            show_heading=False,
                        )
                        gr.Markdown(handlers.model_quality_brief(models), elem_id="quality-brief")
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
                    gr.Markdown(handlers.model_quality_note(models), elem_id="quality-note")
                    gr.Markdown(
                        f"Recordings are analysed in memory and not stored: uploads are deleted from the server "
                        f"within {LIMITS.cache_max_age_s // 60 + LIMITS.cache_sweep_s // 60} minutes. At most the "
                        f"first {audio_cfg.max_seconds:g} s of a recording are analysed, files up to "
                        f"{LIMITS.max_file_size.upper()}, {LIMITS.concurrency_limit} at a time."
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

            # ------------------------------------------------------ Augmentations
            with gr.Tab("Augmentations", id="augment"):
                research.augmentation_tab(examples)

            # -------------------------------------------------------------- Model
            with gr.Tab("Model", id="model"):
                research.model_tab(models)

            with gr.Tab("Dataset", id="dataset"):
                research.dataset_tab()

        # ------------------------------------------------------------- events
        spectrogram_inputs = [recording, centre, bandwidth, rolloff]
        spectrogram_outputs = [mel_plot, wave_plot, response_plot, filtered_audio, band_info]

        def _show_answer(result: dict | None) -> tuple[Any, Any, Any]:
            text, probs, fig = handlers.render_answer(result, base_rates=base_rates, audio_config=audio_cfg)
            label = REASONS_LABEL if not result or result.get("is_cry") else NOT_CRY_REASONS_LABEL
            return text, gr.update(value=probs, label=label), gr.update(value=fig, visible=fig is not None)

        def _pending() -> tuple[Any, Any, Any]:
            return handlers.PENDING_ANSWER, None, gr.update(visible=False)

        def _failed() -> str:
            return (
                "## No answer\nThis recording could not be analysed (the message says why). "
                "Record or upload again, then press **Analyse**."
            )

        def _wire_analysis(trigger: Any, *, public: bool) -> None:
            """Clear the old answer, then /classify, the answer, and /spectrogram; say so when it fails."""
            vis = "public" if public else "private"
            classified = trigger.then(
                partial(handlers.classify, models=models),
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
                handlers.spectrogram_views,
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
            return handlers.spectrogram_views(recording_path, *band_values)

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
    return demo
