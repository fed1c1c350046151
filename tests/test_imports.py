"""The library never imports gradio (the UI toolkit lives in demo/ only)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LIBRARY_CORE = [
    "babycry",
    "babycry.config",
    "babycry.errors",
    "babycry.audio",
    "babycry.preprocess",
    "babycry.features",
    "babycry.augment",
    "babycry.synth",
    "babycry.plots",
    "babycry.cli",
]


def _modules_after_import(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_modules_do_not_import_gradio() -> None:
    # One interpreter for all of them: import every core module, then look.
    loaded = _modules_after_import(", ".join(LIBRARY_CORE))
    assert not {m for m in loaded if m == "gradio" or m.startswith(("gradio.", "gradio_client"))}


@pytest.mark.parametrize("module", ["babycry", "babycry.cli"])
def test_light_entry_points(module: str) -> None:
    # `import babycry` and the CLI's startup stay light: no UI toolkit, no plotting until asked for.
    loaded = _modules_after_import(module)
    assert "gradio" not in loaded
    assert "matplotlib" not in loaded


def test_no_babycry_module_imports_gradio() -> None:
    # Every module of the package, whoever wrote it: the library must never need the UI toolkit.
    code = (
        "import importlib, pkgutil, babycry\n"
        "for m in pkgutil.walk_packages(babycry.__path__, 'babycry.'):\n"
        "    if m.name != 'babycry.__main__':\n"
        "        importlib.import_module(m.name)\n"
    )
    out = subprocess.run([sys.executable, "-c", code + "import json, sys; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not {m for m in loaded if m == "gradio" or m.startswith("gradio.")}
