"""demo.gradio_import: the app imports gradio without gradio rewriting its type stubs."""

from __future__ import annotations

import importlib
import subprocess
import sys

from demo.gradio_import import STUB_WRITER, skip_stub_writing


def test_the_installed_gradio_still_has_the_stub_writer():
    # the hook replaces this function: were it renamed in a later gradio, start-up would silently slow down again
    module = importlib.import_module(STUB_WRITER[0])
    assert callable(getattr(module, STUB_WRITER[1]))


def test_importing_the_demo_first_skips_it_and_gradio_still_builds_a_page():
    code = ("import demo, gradio as gr, gradio.component_meta as m\n"
            "print(m.create_or_modify_pyi.__module__)\n"
            "with gr.Blocks() as page:\n"
            "    box = gr.Textbox(label='x')\n"
            "    gr.Button('go').click(lambda s: s, box, box)\n"
            "print(type(box).__name__, len(page.fns))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["demo.gradio_import", "Textbox", "1"], out.stderr


def test_too_late_once_gradio_is_imported():
    import gradio  # noqa: F401  (imported by the test session already, or now)

    assert skip_stub_writing() is False
