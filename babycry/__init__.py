"""babycry: is it an infant cry, and does it sound hungry, belly pain, discomfort or tired?

The names below are the public API.  The settings and the errors are imported
at once; everything else is imported on first use (PEP 562), so ``import
babycry`` stays fast and loads neither torch, transformers, librosa nor an
audio decoder until a function that needs one is called.  The library never
imports a UI toolkit; the Gradio app lives in ``demo/``.

Examples
--------
>>> import babycry
>>> babycry.REASONS
('hungry', 'belly_pain', 'discomfort', 'tired')
>>> from babycry import analyse, load, load_detector, load_reason  # doctest: +SKIP
>>> analyse(load("cry.wav"), detector=load_detector(), reason=load_reason()).verdict  # doctest: +SKIP
'hungry'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import REASONS, AudioConfig, BabyCryConfig, BandPassConfig, MelConfig, WindowConfig
from .errors import BabyCryError

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only; at run time __getattr__ imports them
    from .analysis import Analysis, analyse
    from .audio import Audio, from_array, load
    from .modeling import load_detector, load_model, load_reason

__version__ = "0.1.0"

#: Name -> the module that defines it, imported on first access.
_LAZY: dict[str, str] = {
    "analyse": ".analysis",
    "Analysis": ".analysis",
    "Audio": ".audio",
    "load": ".audio",
    "from_array": ".audio",
    "load_model": ".modeling",
    "load_detector": ".modeling",
    "load_reason": ".modeling",
}

__all__ = [
    "Analysis",
    "Audio",
    "AudioConfig",
    "BabyCryConfig",
    "BabyCryError",
    "BandPassConfig",
    "MelConfig",
    "REASONS",
    "WindowConfig",
    "analyse",
    "from_array",
    "load",
    "load_detector",
    "load_model",
    "load_reason",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562) and cache the name here."""
    if name not in _LAZY:
        raise AttributeError(f"module 'babycry' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # later accesses skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
