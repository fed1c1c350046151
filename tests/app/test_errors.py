"""demo.errors: every bad input and every failure reaches the page as a readable gr.Error."""

from __future__ import annotations

import gradio as gr
import pytest

from babycry import audio as bc_audio
from babycry.errors import BabyCryError
from demo import errors


@pytest.mark.parametrize("case", ["empty", "silence", "short", "text", "fake_wav"])
def test_bad_input_gives_the_library_message(audio_files, case):
    with pytest.raises(BabyCryError) as lib:
        bc_audio.load(audio_files[case])
    with pytest.raises(gr.Error) as ui:
        errors.load_recording(str(audio_files[case]))
    # the library's message, and what to do next where it does not say already
    assert ui.value.message.startswith(str(lib.value))
    assert "lease" in ui.value.message or "check" in ui.value.message
    assert "Traceback" not in ui.value.message
    if case in ("text", "fake_wav"):
        assert ui.value.message.endswith(errors.UPLOAD_HINT)


def test_no_recording_and_expired_upload(tmp_path):
    with pytest.raises(gr.Error, match="No recording yet"):
        errors.load_recording(None)
    with pytest.raises(gr.Error, match="no longer on the server"):
        errors.load_recording(str(tmp_path / "gone.wav"))


def test_unexpected_errors_become_a_short_message():
    with pytest.raises(gr.Error, match="Something went wrong while testing"):
        with errors.readable_errors("testing"):
            raise RuntimeError("internal detail")
