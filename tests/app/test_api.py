"""End to end through gradio_client against the launched app: every public endpoint, every bad input."""

from __future__ import annotations

import importlib
import json
import sys

import numpy as np
import pytest
import soundfile as sf

from babycry import audio as bc_audio
from babycry.config import REASONS
from babycry.errors import BabyCryError

pytestmark = pytest.mark.slow

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _upload(path):
    from gradio_client import handle_file

    return handle_file(str(path))


def test_exactly_three_public_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/classify", "/spectrogram", "/augment"}


def test_classify(client, audio_files):
    out = client.predict(_upload(audio_files["cry"]), api_name="/classify")
    assert set(out) >= {"is_cry", "cry_probability", "verdict", "unsure", "reasons", "seconds_analysed", "windows"}
    assert list(out["reasons"]) == list(REASONS)
    assert out["verdict"] in (*REASONS, "not_cry")
    assert isinstance(out["is_cry"], bool) and isinstance(out["unsure"], bool)
    assert out["seconds_analysed"] == pytest.approx(7.0, abs=0.05)
    assert all({"start_s", "end_s", "cry_probability"} <= set(w) for w in out["windows"])


def test_classify_a_browser_recording(client, audio_files):
    if "webm" not in audio_files:
        pytest.skip("ffmpeg not installed")
    out = client.predict(_upload(audio_files["webm"]), api_name="/classify")
    assert out["seconds_analysed"] == pytest.approx(7.0, abs=0.1)


def test_spectrogram(client, audio_files):
    mel, wave, response, filtered, info = client.predict(
        _upload(audio_files["cry"]), 1500, 0.5, 24, api_name="/spectrogram"
    )
    for fig in (mel, wave, response):
        assert fig["type"] == "plotly" and json.loads(fig["plot"])["data"]
    assert json.loads(mel["plot"])["data"][0]["type"] == "heatmap"
    data, rate = sf.read(filtered, dtype="int16")
    assert rate == 16_000 and data.shape[0] == 7 * 16_000
    assert info["band_hz"] == [1125.0, 1875.0] and info["rolloff_db_per_octave"] == 24


def test_augment_keeps_the_true_level(client, audio_files):
    path = _upload(audio_files["cry"])
    *_, plain, _ = client.predict(path, "gain", '{"gain_db": 0}', 0, api_name="/augment")
    *_, quieter, used = client.predict(path, "gain", '{"gain_db": -12}', 0, api_name="/augment")
    a, _ = sf.read(plain, dtype="float64")
    b, _ = sf.read(quieter, dtype="float64")
    # Gradio would peak-normalise float audio and hide the change; int16 keeps it.
    assert np.abs(b).max() / np.abs(a).max() == pytest.approx(10 ** (-12 / 20), rel=0.01)
    assert used["params_used"]["gain_db"] == pytest.approx(-12.0)


def test_augment_pitch_shift_reports_what_it_applied(client, audio_files):
    before, after, _, audio, used = client.predict(
        _upload(audio_files["cry"]), "pitch_shift", '{"semitones": 2}', 4, api_name="/augment"
    )
    assert used == {"name": "pitch_shift", "seed": 4, "params_used": {"semitones": 2.0}}
    assert sf.info(audio).samplerate == 16_000


@pytest.mark.parametrize("case", ["empty", "silence", "short", "text", "fake_wav"])
def test_bad_input_returns_the_library_message(client, audio_files, case):
    from gradio_client.exceptions import AppError

    with pytest.raises(BabyCryError) as lib:
        bc_audio.load(audio_files[case])
    for endpoint, args in (("/classify", ()), ("/spectrogram", (1500, 1.33, 12))):
        with pytest.raises(AppError) as err:
            client.predict(_upload(audio_files[case]), *args, api_name=endpoint)
        assert str(lib.value) in str(err.value)
        assert "Traceback" not in str(err.value)


def test_wrong_file_type(client, tmp_path):
    from gradio_client.exceptions import AppError

    image = tmp_path / "photo.png"
    image.write_bytes(PNG_1X1)
    with pytest.raises(AppError, match="photo.png"):
        client.predict(_upload(image), api_name="/classify")


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [("reverb", "{}", "not in the list of choices"), ("gain", '{"gain_db": 99}', "gain_db must lie in")],
)
def test_augment_bad_parameters(client, audio_files, name, params, match):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=match):
        client.predict(_upload(audio_files["cry"]), name, params, 0, api_name="/augment")


def test_the_app_keeps_working_after_errors(client, audio_files):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError):
        client.predict(_upload(audio_files["text"]), api_name="/classify")
    out = client.predict(_upload(audio_files["cry"]), api_name="/classify")
    assert out["seconds_analysed"] > 0


def test_app_py_builds_the_space_app(tiny_models, monkeypatch):
    """app.py at the repo root builds and queues the app as the Space runs it."""
    import gradio as gr

    monkeypatch.setenv("BABYCRY_DETECTOR", str(tiny_models.detector_dir))
    monkeypatch.setenv("BABYCRY_REASON", str(tiny_models.reason_dir))
    sys.modules.pop("app", None)
    app = importlib.import_module("app")
    try:
        assert isinstance(app.demo, gr.Blocks)
        from demo import LIMITS

        assert app.demo._queue.max_size == LIMITS.queue_size
        assert app.demo._queue.default_concurrency_limit == LIMITS.concurrency_limit
        # Uploads are swept from Gradio's cache, not kept.
        assert app.demo.delete_cache == (LIMITS.cache_sweep_s, LIMITS.cache_max_age_s)
    finally:
        sys.modules.pop("app", None)
