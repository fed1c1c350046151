"""babycry.decode: input limits checked before decoding, and ffmpeg locked to local audio files."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from babycry import decode as dec
from babycry.errors import AudioDecodeError, EmptyAudioError, InvalidAudioError, UnsupportedFormatError

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


def _wav_bytes(rate: int = 16_000, channels: int = 1, seconds: float = 1.0) -> bytes:
    buf = io.BytesIO()
    x = 0.1 * np.random.default_rng(0).standard_normal((int(rate * seconds), channels))
    sf.write(buf, x, rate, format="WAV")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sample_rate": 4000, "channels": 1, "duration_s": 3.0}, InvalidAudioError, "4000 Hz"),
        ({"sample_rate": 384_000, "channels": 1, "duration_s": 3.0}, InvalidAudioError, "384000 Hz"),
        ({"sample_rate": 16_000, "channels": 9, "duration_s": 3.0}, InvalidAudioError, "9 channels"),
        ({"sample_rate": 16_000, "channels": 1, "duration_s": 7201.0}, AudioDecodeError, "lasts 2 h 0 min"),
    ],
)
def test_check_source_refuses(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        dec.check_source(label="'x'", **kwargs)


def test_check_source_accepts_unknowns_and_ten_minutes() -> None:
    dec.check_source(sample_rate=0, channels=0, duration_s=None, label="'x'")
    dec.check_source(sample_rate=48_000, channels=2, duration_s=600.0, label="'x'")


def test_decode_reads_no_more_than_it_keeps() -> None:
    d = dec.decode(_wav_bytes(seconds=5.0), max_seconds=2.0)
    assert d.data.shape == (2 * 16_000 + 1, 1) and d.duration_s == pytest.approx(5.0)


def test_decode_refuses_a_wav_at_an_unusable_rate() -> None:
    with pytest.raises(InvalidAudioError, match="4000 Hz"):
        dec.decode(_wav_bytes(rate=4000), max_seconds=60.0)


def test_size_limit_for_bytes_and_file_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dec, "MAX_INPUT_BYTES", 1000)
    blob = _wav_bytes()
    with pytest.raises(AudioDecodeError, match="larger than"):
        dec.decode(blob, max_seconds=60.0)
    with pytest.raises(AudioDecodeError, match="larger than"):
        dec.decode(io.BytesIO(blob), max_seconds=60.0)


def test_empty_bytes() -> None:
    with pytest.raises(EmptyAudioError):
        dec.decode(b"", max_seconds=60.0)


def test_locked_input_is_a_file_url_after_the_whitelists(tmp_path: Path) -> None:
    args = dec._locked_input(tmp_path / "-i concat:a|b.wav")
    assert args[:4] == ["-protocol_whitelist", "file", "-format_whitelist", ",".join(dec.FFMPEG_FORMATS)]
    assert args[4] == "-i" and args[5] == f"file:{(tmp_path / '-i concat:a|b.wav').resolve()}"


@needs_ffmpeg
def test_ffmpeg_refuses_formats_off_the_list(tmp_path: Path) -> None:
    """A playlist (HLS) pointing at another file: the server must not read that file."""
    target = tmp_path / "secret.wav"
    target.write_bytes(_wav_bytes(seconds=2.0))
    playlist = tmp_path / "upload.wav"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{target}\n#EXT-X-ENDLIST\n")
    with pytest.raises(UnsupportedFormatError, match="is not a recording babycry can read"):
        dec.decode(playlist, max_seconds=60.0)


@needs_ffmpeg
def test_ffmpeg_error_names_no_server_path(tmp_path: Path) -> None:
    path = tmp_path / "junk.webm"
    path.write_bytes(b"\x1aE\xdf\xa3" + bytes(200))  # a Matroska magic number, then nothing
    with pytest.raises(UnsupportedFormatError) as err:
        dec.decode(path, max_seconds=60.0)
    assert str(tmp_path) not in str(err.value) and "'junk.webm'" in str(err.value)
