"""Import gradio without its type-stub rewriting: most of ``import gradio``'s time.

On every import, gradio 6 re-reads the source of each of its ~80 component classes, parses it with :mod:`ast`
and rewrites the ``.pyi`` stub beside it (``gradio.component_meta.create_or_modify_pyi``, called by the
components' metaclass): editor support for whoever develops gradio's components, which a server never reads.
On the project's AVX2 machine it was 2-3 s of a 5-6 s ``import gradio`` (``python -X importtime``; cProfile:
4.8 of 8.6 s), the largest part of the app's start-up (issue 18). :func:`skip_stub_writing` makes that function
do nothing in this process, before gradio is imported; the components it builds are the same.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ["skip_stub_writing", "STUB_WRITER"]

#: The module and function that write gradio's stubs (a test checks the installed gradio still has them).
STUB_WRITER = ("gradio.component_meta", "create_or_modify_pyi")


def _no_stubs(*args: Any, **kwargs: Any) -> None:
    """Stands in for gradio's stub writer: writes nothing."""


class _SkipStubs(importlib.abc.MetaPathFinder):
    """Finds ``gradio.component_meta`` as usual and, once it has run, replaces its stub writer."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if name != STUB_WRITER[0]:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None  # not a plain source module: import it untouched
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if hasattr(module, STUB_WRITER[1]):  # a later gradio without it: nothing to skip
                setattr(module, STUB_WRITER[1], _no_stubs)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def skip_stub_writing() -> bool:
    """Make gradio skip its stub rewriting in this process; ``False`` if gradio is already imported (too late).

    Examples
    --------
    >>> skip_stub_writing() in (True, False)
    True
    """
    if STUB_WRITER[0] in sys.modules:
        return False
    if not any(isinstance(finder, _SkipStubs) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SkipStubs())
    return True
