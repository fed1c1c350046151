"""The ``babycry`` console script: ``babycry info | spectrogram | augment | synth | predict | train | cv |
evaluate | eda``."""

from .main import build_parser, main

__all__ = ["main", "build_parser"]
