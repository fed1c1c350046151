"""demo.gradio_import: the app imports gradio without gradio rewriting its type stubs or probing 16-bit WAVs."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from demo.gradio_import import PLAYABLE_CHECK, STUB_WRITER, is_pcm16_wav, lighten_gradio


@pytest.mark.parametrize("where", [STUB_WRITER, PLAYABLE_CHECK])
def test_the_installed_gradio_still_has_the_functions_replaced(where):
    # the hook replaces these: were one renamed in a later gradio, start-up would silently slow down again
    module = importlib.import_module(where[0])
    assert callable(getattr(module, where[1]))


def test_importing_the_demo_first_skips_it_and_gradio_still_builds_a_page():
    code = ("import demo, gradio as gr, gradio.component_meta as m\n"
            "print(m.create_or_modify_pyi.__module__)\n"
            "with gr.Blocks() as page:\n"
            "    box = gr.Textbox(label='x')\n"
            "    gr.Button('go').click(lambda s: s, box, box)\n"
            "print(type(box).__name__, len(page.fns))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["demo.gradio_import", "Textbox", "1"], out.stderr


def test_a_16_bit_wav_is_playable_without_ffprobe(tmp_path):
    # no ffprobe on the PATH: gradio's own check would fail; the header says pcm_s16le, which gradio lists
    wav = tmp_path / "cry.wav"
    sf.write(wav, np.zeros(1600, np.float32), 16000, subtype="PCM_16")
    code = ("import demo, gradio.processing_utils as p\n"
            f"print(p.audio_is_playable({str(wav)!r}), p.PLAYABLE_AUDIO_CODECS.__contains__(('.wav', 'pcm_s16le')))\n")
    env = {**os.environ, "PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         env=env)
    assert out.stdout.split() == ["True", "True"], out.stderr


def test_only_16_bit_pcm_wavs_are_answered_from_the_header(tmp_path):
    for subtype, expected in (("PCM_16", True), ("PCM_24", False), ("FLOAT", False)):
        sf.write(tmp_path / f"{subtype}.wav", np.zeros(800, np.float32), 8000, subtype=subtype)
        assert is_pcm16_wav(str(tmp_path / f"{subtype}.wav")) is expected, subtype
    (tmp_path / "fake.wav").write_text("not audio")
    sf.write(tmp_path / "a.flac", np.zeros(800, np.float32), 8000)
    assert not is_pcm16_wav(str(tmp_path / "fake.wav")) and not is_pcm16_wav(str(tmp_path / "a.flac"))
    assert not is_pcm16_wav(str(tmp_path / "missing.wav"))


def test_too_late_once_gradio_is_imported():
    import gradio  # noqa: F401  (imported by the test session already, or now)

    assert lighten_gradio() is False
