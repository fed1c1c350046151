"""The page: ``build_demo()`` assembles the tabs; each tab's module lays it out and wires its events.

Tabs, in the order a parent then a researcher needs them:

* **Listen** (:mod:`demo.listen`) — record or upload, one *Analyse* button,
  the answer in plain words (:mod:`demo.answer`), the four reason
  probabilities, what they mean, when to call a doctor; below it, *what the
  app heard* (:mod:`demo.heard`: mel spectrogram, waveform before and after
  the band-pass filter, the filter's controls and response, the filtered
  audio).
* **Augmentations** (:mod:`demo.augmentations`) — the training recipes'
  augmentations and ranges, and a preview of any augmentation of the registry.
* **Model** (:mod:`demo.model_tab`) — the checkpoints' grouped evaluation and cards.
* **Dataset** (:mod:`demo.dataset`) — classes and families, the EDA summary.

Public API (``gradio_client``): ``/classify``, ``/spectrogram``, ``/augment``.
Every other event is ``api_visibility="private"``.  The *Analyse* button runs
the public ``/classify`` and ``/spectrogram`` endpoints itself, so the page and
the API cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from babycry.config import AudioConfig

from .augmentations import augmentation_tab
from .dataset import dataset_tab
from .listen import listen_tab
from .model_tab import model_tab
from .models import Models

__all__ = ["AppLimits", "LIMITS", "build_demo", "launch_options", "example_paths"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "assets" / "examples"


@dataclass(frozen=True)
class AppLimits:
    """Serving limits, chosen for a 2-core CPU Space and stated on the page and in docs/api.md.

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

    models = Models(
        detector_path=detector_path or _default_model_path("BABYCRY_DETECTOR", DEFAULT_DETECTOR_DIR),
        reason_path=reason_path or _default_model_path("BABYCRY_REASON", DEFAULT_REASON_DIR),
    )
    load_error = models.warm_up()
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
            with gr.Tab("Listen", id="listen"):
                listen_tab(models, examples=examples, limits=LIMITS, audio_cfg=AudioConfig())
            with gr.Tab("Augmentations", id="augment"):
                augmentation_tab(examples)
            with gr.Tab("Model", id="model"):
                model_tab(models)
            with gr.Tab("Dataset", id="dataset"):
                dataset_tab()
    return demo
