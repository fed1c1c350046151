"""Import gradio without two start-up costs a server does not need.

* **Type stubs.** On every import, gradio 6 re-reads the source of each of its ~80 component classes, parses it
  with :mod:`ast` and rewrites the ``.pyi`` stub beside it (``gradio.component_meta.create_or_modify_pyi``, called
  by the components' metaclass): editor support for whoever develops gradio's components, which a server never
  reads. On the project's AVX2 machine it was 2-3 s of a 5-6 s ``import gradio`` (``python -X importtime``;
  cProfile: 4.8 of 8.6 s), the largest part of the app's start-up (issue 18). It is replaced by a function that
  writes nothing; the components gradio builds are the same.
* **Probing WAV files.** ``gradio.processing_utils.audio_is_playable`` runs ``ffprobe`` on every audio file the
  page shows, to learn whether a browser can play it: four example recordings probed one after another while the
  page is built (0.6-0.8 s of it on that machine), and again for each audio answer. A WAV file whose header
  (:mod:`wave`, which opens integer PCM only) says 16-bit PCM is ``pcm_s16le``, which gradio lists as playable:
  that answer comes from the header; any other file is probed as before.

:func:`lighten_gradio` installs both before gradio is imported (a test checks the installed gradio still has
both functions, so an upgrade that renames one cannot silently bring its cost back).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import sys
import wave
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["lighten_gradio", "STUB_WRITER", "PLAYABLE_CHECK", "is_pcm16_wav"]

#: The module and function that write gradio's stubs.
STUB_WRITER = ("gradio.component_meta", "create_or_modify_pyi")
#: The module and function that probe an audio file with ffprobe.
PLAYABLE_CHECK = ("gradio.processing_utils", "audio_is_playable")


def _no_stubs(*args: Any, **kwargs: Any) -> None:
    """Stands in for gradio's stub writer: writes nothing."""


def is_pcm16_wav(path: str) -> bool:
    """Whether ``path`` is a ``.wav`` file whose header says 16-bit integer PCM (read from the header only).

    Examples
    --------
    >>> is_pcm16_wav("assets/examples/synth_cry_7s.wav"), is_pcm16_wav("README.md")
    (True, False)
    """
    if Path(path).suffix.lower() != ".wav":
        return False
    with contextlib.suppress(OSError, EOFError, wave.Error), wave.open(str(path), "rb") as f:
        return f.getsampwidth() == 2
    return False


def _header_first(probe: Callable[[str], bool]) -> Callable[[str], bool]:
    """gradio's ``audio_is_playable`` answered from the header for a 16-bit PCM WAV, probed otherwise."""

    def audio_is_playable(audio_filepath: str) -> bool:
        return True if is_pcm16_wav(audio_filepath) else probe(audio_filepath)

    return audio_is_playable


#: What is replaced in which module, once it has run: function name -> replacement of the original.
_REPLACE: dict[str, tuple[str, Callable[[Callable], Callable]]] = {
    STUB_WRITER[0]: (STUB_WRITER[1], lambda original: _no_stubs),
    PLAYABLE_CHECK[0]: (PLAYABLE_CHECK[1], _header_first),
}


class _ReplaceAfterImport(importlib.abc.MetaPathFinder):
    """Finds the modules of :data:`_REPLACE` as usual and, once each has run, replaces its function."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if name not in _REPLACE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None  # not a plain source module: import it untouched
        run = spec.loader.exec_module
        function, replacement = _REPLACE[name]

        def exec_module(module: ModuleType) -> None:
            run(module)
            if hasattr(module, function):  # a later gradio without it: nothing to replace
                setattr(module, function, replacement(getattr(module, function)))

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def lighten_gradio() -> bool:
    """Make gradio skip its stub rewriting and its probing of 16-bit PCM WAVs in this process; ``False`` if
    gradio is already imported (too late).

    Examples
    --------
    >>> lighten_gradio() in (True, False)
    True
    """
    if STUB_WRITER[0] in sys.modules:
        return False
    if not any(isinstance(finder, _ReplaceAfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _ReplaceAfterImport())
    return True
