"""babycry: is it an infant cry, and does it sound hungry, belly pain, discomfort or tired?

The library never imports a UI toolkit; the Gradio app lives in ``demo/``.
"""

from .audio import Audio, from_array, load
from .config import REASONS, AudioConfig, BabyCryConfig, BandPassConfig, MelConfig, WindowConfig
from .errors import BabyCryError

__version__ = "0.1.0"

__all__ = [
    "Audio",
    "AudioConfig",
    "BabyCryConfig",
    "BabyCryError",
    "BandPassConfig",
    "MelConfig",
    "REASONS",
    "WindowConfig",
    "from_array",
    "load",
    "__version__",
]
