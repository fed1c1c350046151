"""End to end through gradio_client against the launched app: every public endpoint, every bad input."""

from __future__ import annotations

import json

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
    assert set(out) >= {"is_cry", "cry_probability", "verdict", "unsure", "reasons", "seconds_analysed", "windows",
                        "reasons_balanced", "reason_quality", "sound", "model"}
    assert list(out["reasons"]) == list(out["reasons_balanced"]) == list(REASONS)
    assert out["sound"]["pattern"] in ("continuous", "one burst", "bursts")
    # checkpoints by name and version, never where they lie on the server
    assert {v["name"] for v in out["model"].values()} == {"detector", "reason"}
    assert "/" not in json.dumps(out["model"])
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
    assert used == {"name": "pitch_shift", "seed": 4, "params_used": {"semitones": 2.0}, "clipped_share": 0.0,
                    "clipping": "none"}
    assert sf.info(audio).samplerate == 16_000


@pytest.mark.parametrize("case", ["empty", "silence", "short", "text", "fake_wav"])
def test_bad_input_returns_the_library_message(client, audio_files, case, capfd):
    from gradio_client.exceptions import AppError

    with pytest.raises(BabyCryError) as lib:
        bc_audio.load(audio_files[case])
    for endpoint, args in (("/classify", ()), ("/spectrogram", (1500, 1.33, 12))):
        with pytest.raises(AppError) as err:
            client.predict(_upload(audio_files[case]), *args, api_name=endpoint)
        assert str(lib.value) in str(err.value)
        assert "Traceback" not in str(err.value)
    assert "Traceback" not in capfd.readouterr().err  # nor in the server's log


def test_wrong_file_type(client, tmp_path):
    from gradio_client.exceptions import AppError

    image = tmp_path / "photo.png"
    image.write_bytes(PNG_1X1)
    with pytest.raises(AppError, match="photo.png"):
        client.predict(_upload(image), api_name="/classify")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("flanger", "{}", 0), "Unknown augmentation 'flanger'; choose one of"),
        (("gain", '{"gain_db": 99}', 0), "gain_db must lie in"),
        (("gain", "{not json", 0), "params must be a JSON object"),
        (("gain", "{}", -3), "seed must be a whole number from 0"),
        (("gain", "{}", 2.5), "seed must be a whole number"),
    ],
)
def test_augment_bad_parameters_are_clear_errors_without_a_server_traceback(client, audio_files, args, match, capfd):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=match):
        client.predict(_upload(audio_files["cry"]), *args, api_name="/augment")
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("band", "match"),
    [
        ((9000, 1.33, 12), "centre_hz must be a number from 200 to 3500, got 9000"),
        (("abc", 1.33, 12), "centre_hz must be a number"),
        ((1500, 5, 12), "bandwidth_fraction must be a number from 0.1 to 1.9"),
        ((1500, 1.33, 18), "rolloff_db_per_octave must be 12, 24, 36 or 48"),
    ],
)
def test_spectrogram_bad_parameters_are_clear_errors_without_a_server_traceback(client, audio_files, band, match,
                                                                               capfd):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=match):
        client.predict(_upload(audio_files["cry"]), *band, api_name="/spectrogram")
    assert "Traceback" not in capfd.readouterr().err


def test_the_app_keeps_working_after_errors(client, audio_files):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError):
        client.predict(_upload(audio_files["text"]), api_name="/classify")
    out = client.predict(_upload(audio_files["cry"]), api_name="/classify")
    assert out["seconds_analysed"] > 0
