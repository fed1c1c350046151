"""The babycry Gradio app: a thin UI over the ``babycry`` library.

``demo.ui.build_demo`` builds the page from one module per tab (``listen``,
``augmentations``, ``model_tab``, ``dataset``), whose handlers turn Gradio
values into library calls; ``demo.errors`` turns library errors into readable
``gr.Error`` messages.  No signal processing or model logic lives here.

The names below are resolved on first use (PEP 562): the analysis worker
process imports :mod:`demo.models` without loading gradio.  Importing the
package first makes gradio skip rewriting its type stubs, most of
``import gradio``, and probing 16-bit WAVs with ffprobe (:mod:`demo.gradio_import`).
"""

from __future__ import annotations

from typing import Any

from .gradio_import import lighten_gradio

lighten_gradio()

__all__ = ["AppLimits", "LIMITS", "build_demo", "launch_options", "serve_options"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import ui

        return getattr(ui, name)
    raise AttributeError(f"module 'demo' has no attribute {name!r}")
