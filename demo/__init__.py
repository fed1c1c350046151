"""The babycry Gradio app: a thin UI over the ``babycry`` library.

``demo.ui.build_demo`` builds the page from one module per tab (``listen``,
``augmentations``, ``model_tab``, ``dataset``), whose handlers turn Gradio
values into library calls; ``demo.errors`` turns library errors into readable
``gr.Error`` messages.  No signal processing or model logic lives here.
"""

from .ui import LIMITS, AppLimits, build_demo, launch_options

__all__ = ["AppLimits", "LIMITS", "build_demo", "launch_options"]
