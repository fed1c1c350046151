"""The babycry Gradio app: a thin UI over the ``babycry`` library.

``demo.ui.build_demo`` builds the page; ``demo.handlers`` turns Gradio values
into library calls and library errors into readable ``gr.Error`` messages.
No signal processing or model logic lives here.
"""

from .ui import LIMITS, AppLimits, build_demo, launch_options

__all__ = ["AppLimits", "LIMITS", "build_demo", "launch_options"]
