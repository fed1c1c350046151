"""The page: ``build_demo()`` assembles the tabs; each tab's module lays it out and wires its events.

Tabs, in the order a parent then a researcher needs them:

* **Listen** (:mod:`demo.listen`) — examples, record or upload, one *Analyse*
  button, the answer in plain words (:mod:`demo.answer`): crying or not, how
  sure, how loud, how long, continuous or in bursts; the reason as an
  experiment with its bars; when to call a doctor.  In closed accordions: what
  the app heard (:mod:`demo.heard`) and the raw JSON.
* **Model** (:mod:`demo.model_tab`) — what the answers mean, how good each model
  is, the checkpoints' grouped evaluation and cards.
* **Dataset** (:mod:`demo.dataset`) — classes and families, the EDA summary.
* **Augment** (:mod:`demo.augmentations`) — the training recipes'
  augmentations and ranges, and a preview of any augmentation of the registry.

Public API (``gradio_client``): ``/classify``, ``/spectrogram``, ``/augment``.
Every other event is ``api_visibility="private"``.  The *Analyse* button runs
the public ``/classify`` and ``/spectrogram`` endpoints itself, so the page and
the API cannot drift apart.

Start-up: the models load in a worker process (:mod:`demo.models`) while this
process builds and serves the page; plotly, scipy and librosa load on first use,
or in the background after the first answer (``app.py`` calls
:func:`demo.heard.warm_views`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from babycry.config import AudioConfig

from .augmentations import augmentation_tab
from .dataset import dataset_tab
from .errors import UPLOAD_HINT
from .listen import listen_tab
from .model_tab import model_tab
from .models import UNAVAILABLE, Models

__all__ = ["AppLimits", "LIMITS", "build_demo", "launch_options", "serve_options", "example_paths", "sweep_leftovers",
           "FRIENDLY_NOTICES_JS", "RAW_MICROPHONE_JS", "BUSY"]

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
#verdict h2 { margin: 0.1em 0 0.2em 0; font-size: 1.5em; }
#verdict { min-height: 3em; }
#reason-note h3 { margin: 0.2em 0 0.1em 0; font-size: 1.1em; }
#quality-brief { font-size: 0.85em; }
#medical-note { font-size: 0.85em; border-left: 4px solid #d97706; padding-left: 0.6em; }
#header h1 { margin-bottom: 0.1em; }
#header p { margin-top: 0; }
/* tables of figures: scroll sideways on a phone instead of breaking words mid-word */
.metrics-md table { display: block; overflow-x: auto; max-width: 100%; }
.metrics-md th, .metrics-md td { word-break: normal !important; overflow-wrap: normal !important;
                                 white-space: nowrap; }
@media (max-width: 640px) {
  /* all four tabs fit a 390 px phone, none hidden behind the "more" menu (its width is measured from these) */
  .tab-container button { padding-left: 0.5em !important; padding-right: 0.5em !important; }
  #header h1 { font-size: 1.4em; }
  #verdict h2 { font-size: 1.25em; }
  #medical-note, #quality-brief { font-size: 0.8em; }
  /* a row's label wraps at its spaces, so each table's first figure is on screen before any sideways scroll */
  .metrics-md td:first-child, .metrics-md th:first-child { white-space: normal; }
}
"""

#: Two notices Gradio writes itself, said the app's way with what to do next: the browser's refusal of a non-audio
#: file (it lists raw MIME types) and a full queue.
BUSY = "The app is busy: too many recordings at once. Please try again in a minute."
FRIENDLY_NOTICES_JS = """() => {
  const replace = [['Invalid file type', FILE_HINT], ['Queue is full', BUSY]];
  const fix = () => document.querySelectorAll('[data-testid="toast-body"]').forEach((toast) => {
    const walker = document.createTreeWalker(toast, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const [seen, said] of replace) if (node.nodeValue.includes(seen)) node.nodeValue = said;
    }
  });
  new MutationObserver(fix).observe(document.body, {childList: true, subtree: true, characterData: true});
}""".replace("FILE_HINT", json.dumps("That file is not a recording. " + UPLOAD_HINT)).replace("BUSY", json.dumps(BUSY))


#: The microphone without the browser's voice-call processing. Gradio asks for ``{audio: true}``, which turns on
#: noise suppression, automatic gain and echo cancellation; the noise suppressor treats a cry's sustained voicing
#: as noise and reshapes it (a Donate-a-Cry cry played through Chromium's microphone: P(cry) 0.99 uploaded, 0.87
#: recorded with it, 0.997 without; docs/experiments.md), and automatic gain would make "how loud" meaningless.
RAW_MICROPHONE_JS = """() => {
  const devices = navigator.mediaDevices;
  if (!devices || !devices.getUserMedia || devices.getUserMedia.babycryRaw) return;
  const original = devices.getUserMedia.bind(devices);
  const raw = {echoCancellation: false, noiseSuppression: false, autoGainControl: false};
  const patched = (constraints) => {
    if (constraints && constraints.audio) {
      const audio = constraints.audio === true ? {} : constraints.audio;
      constraints = {...constraints, audio: {...raw, ...audio}};
    }
    return original(constraints);
  };
  patched.babycryRaw = true;
  devices.getUserMedia = patched;
}"""


def launch_options() -> dict[str, Any]:
    """Look-and-feel ``launch()`` arguments shared by ``app.py`` and the tests (Gradio 6 puts them there)."""
    on_load = f"() => {{ ({FRIENDLY_NOTICES_JS})(); ({RAW_MICROPHONE_JS})(); }}"
    return {"theme": gr.themes.Soft(), "css": CSS, "js": on_load}


def serve_options(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Every ``launch()`` argument of ``app.py``: address, port, upload limit, look and feel.

    The address and port follow Gradio's own variables, ``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT``
    (defaults ``0.0.0.0`` and ``7860``, as on a Hugging Face Space).

    Examples
    --------
    >>> o = serve_options({"GRADIO_SERVER_PORT": "7861"})
    >>> o["server_name"], o["server_port"], o["max_file_size"]
    ('0.0.0.0', 7861, '25mb')
    """
    env = os.environ if environ is None else environ
    port = env.get("GRADIO_SERVER_PORT") or "7860"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise SystemExit(f"GRADIO_SERVER_PORT must be a port number (1-65535), got {port!r}.")
    return {"server_name": env.get("GRADIO_SERVER_NAME") or "0.0.0.0", "server_port": int(port),
            "max_file_size": LIMITS.max_file_size, **launch_options()}


def sweep_leftovers(folder: str | Path, *, max_age_s: float = LIMITS.cache_max_age_s) -> int:
    """Delete files a previous run left in the upload folder (stopped before it could sweep); return how many.

    Only files older than ``max_age_s`` go: another app serving from the same folder keeps its fresh uploads
    (its own sweep takes them).

    Examples
    --------
    >>> import tempfile
    >>> sweep_leftovers(tempfile.mkdtemp())
    0
    """
    import time

    cutoff, removed = time.time() - max_age_s, 0
    for path in Path(folder).rglob("*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue  # gone meanwhile, or not ours to delete
    return removed


def example_paths() -> list[str]:
    """The synthesised examples bundled in ``assets/examples/`` (WAV): the cries, then the sounds that are not."""
    return sorted((str(p) for p in EXAMPLES_DIR.glob("*.wav")), key=lambda p: ("_cry" not in Path(p).name, p))


def build_demo(
    *,
    detector_path: str | Path | None = None,
    reason_path: str | Path | None = None,
    worker: bool = True,
    models: Models | None = None,
    limits: AppLimits = LIMITS,
) -> gr.Blocks:
    """Build the babycry app; the models load in the background meanwhile.

    Parameters
    ----------
    detector_path, reason_path : str or Path, optional
        Checkpoints (local folder or hub id).  Default: ``$BABYCRY_DETECTOR`` /
        ``$BABYCRY_REASON``, else ``assets/models/cry-detector`` / ``assets/models/cry-reason``.
    worker : bool
        Analyse in a worker process (as ``app.py`` does) rather than in a thread of this process.
    models : Models, optional
        Already started (``app.py`` starts them before importing gradio); overrides the three above.
    limits : AppLimits
        The upload sweep (``delete_cache``) and the limits quoted on the page; the caller queues the app with
        ``limits.concurrency_limit`` and ``limits.queue_size``.

    Returns
    -------
    gradio.Blocks
        Not yet queued or launched (``app.py`` does that); ``demo.models`` holds the :class:`Models`.
    """
    if models is None:
        models = Models.from_env(detector_path=detector_path, reason_path=reason_path, worker=worker)
    models.start()  # the worker process loads the checkpoints while the page is built and served
    examples = example_paths()

    with gr.Blocks(
        title="babycry — is my baby crying?",
        delete_cache=(limits.cache_sweep_s, limits.cache_max_age_s),
        analytics_enabled=False,
    ) as demo:
        gr.Markdown(
            "# babycry\nRecord or upload a sound: is it a baby crying, how loud, how long, continuous or in bursts?",
            elem_id="header",
        )
        banner = gr.Markdown(visible=False, elem_id="load-error")

        with gr.Tabs():
            with gr.Tab("Listen", id="listen"):
                listen_tab(models, examples=examples, limits=limits, audio_cfg=AudioConfig())
            with gr.Tab("Model", id="model", elem_id="model-tab") as results_tab:
                model_tab(models, tab=results_tab)
            with gr.Tab("Dataset", id="dataset", elem_id="dataset-tab") as data_tab:
                dataset_tab(tab=data_tab)
            with gr.Tab("Augment", id="augment") as augment_tab:
                augmentation_tab(examples, tab=augment_tab)

        def _banner() -> Any:
            # Waits for the background load (seconds, once); afterwards answers at once.
            error = models.load_error()
            return gr.update(value=f"**{UNAVAILABLE}**", visible=True) if error else gr.skip()

        demo.load(_banner, None, [banner], queue=False, api_visibility="private")
    demo.models = models  # type: ignore[attr-defined]  # for app.py and the tests: close() stops the worker
    return demo
