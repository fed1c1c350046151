"""The bad-input cases of docs/bad-inputs.md as files, shared by the library, CLI and app tests.

Each :class:`Case` is one row of the table: how to make the file, and what babycry answers (``error`` is the
name of the :class:`babycry.errors.BabyCryError` subclass and ``match`` a fragment of its message; no ``error``:
a result).  Files are generated here, in a few seconds: WAV by soundfile, compressed formats by ffmpeg (a case
whose encoder this ffmpeg lacks is skipped with the reason), AMR frames written byte by byte (Debian's ffmpeg
decodes AMR but has no AMR encoder).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from babycry.synth import synth_cry

__all__ = ["Case", "CASES", "make_case", "has_encoder", "SIZE_LIMIT_BYTES"]

RATE = 48_000
#: An upload over the library's size limit (babycry.decode.MAX_INPUT_BYTES): a sparse file, no disk used.
SIZE_LIMIT_BYTES = 200 * 1024 * 1024 + 1
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class Case:
    """One row of docs/bad-inputs.md."""

    name: str
    make: Callable[[Path], Path]
    error: str | None = None
    match: str = ""
    encoder: str | None = None  # ffmpeg encoder the file needs
    app: bool = True  # also sent through the app (False: over the app's own upload limit, or array-only)


def has_encoder(name: str) -> bool:
    """Whether this ffmpeg can encode with ``name``."""
    if shutil.which("ffmpeg") is None:
        return False
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, check=False)
    return any(line.split()[1:2] == [name] for line in out.stdout.splitlines() if line.strip())


def _cry(seconds: float = 7.0, rate: int = RATE) -> np.ndarray:
    return synth_cry(seconds=seconds, sample_rate=rate, seed=7).samples


def _wav(name: str, x: np.ndarray, rate: int = RATE, **kw: object) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        sf.write(d / name, x, rate, **kw)
        return d / name

    return make


def _bytes(name: str, data: bytes | Callable[[Path], bytes]) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).write_bytes(data(d) if callable(data) else data)
        return d / name

    return make


def _ok_wav(d: Path) -> Path:
    path = d / "cry.wav"
    if not path.exists():
        sf.write(path, _cry(), RATE, subtype="PCM_16")
    return path


def _encoded(name: str, args: list[str]) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(_ok_wav(d)), *args,
                        str(d / name)], check=True, capture_output=True, timeout=60)
        return d / name

    return make


def _amr(frames: int, *, seed: int = 0) -> bytes:
    """AMR-NB storage format: 12.2 kbit/s frames (20 ms each) of random bits, decodable without an encoder."""
    rng = np.random.default_rng(seed)
    return b"#!AMR\n" + b"".join(bytes([0x3C]) + rng.bytes(31) for _ in range(frames))


def _amr_bomb(d: Path) -> bytes:
    # One hour of 4.75 kbit/s frames (13 bytes per 20 ms): 2.3 MB that decode to 57.6 million samples.
    return b"#!AMR\n" + (bytes([0x04]) + bytes(12)) * (3600 * 50)


def _in_3gp(name: str, amr: Callable[[Path], bytes]) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        raw = d / f"{name}.amr"
        raw.write_bytes(amr(d))
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(raw), "-c", "copy",
                        str(d / name)], check=True, capture_output=True, timeout=60)
        return d / name

    return make


def _cut_with_junk(name: str, source: Callable[[Path], Path]) -> Callable[[Path], bytes]:
    def data(d: Path) -> bytes:
        whole = source(d).read_bytes()
        return whole[: len(whole) // 2] + np.random.default_rng(1).bytes(20_000)

    return data


def _playlist(d: Path) -> bytes:
    # An HLS playlist naming another file on the server: ffmpeg would happily read it (or a URL).
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{_ok_wav(d)}\n#EXT-X-ENDLIST\n".encode()


def _oversized(d: Path) -> Path:
    path = d / "huge.wav"
    with open(path, "wb") as f:
        f.write(_ok_wav(d).read_bytes()[:44])
        f.truncate(SIZE_LIMIT_BYTES)
    return path


def _ten_minutes() -> np.ndarray:
    return np.tile(synth_cry(seconds=10.0, sample_rate=16_000, seed=3).samples, 60)


_CRY = _cry()
CASES: list[Case] = [
    Case("empty file", _bytes("empty.wav", b""), "EmptyAudioError", "empty"),
    Case("zero-length audio", _wav("zero.wav", np.zeros(0, np.float32)), "EmptyAudioError", "empty"),
    Case("50 ms", _wav("short.wav", _CRY[: RATE // 20]), "AudioTooShortError", "too short"),
    Case("digital silence", _wav("silence.wav", np.zeros(3 * RATE, np.float32)), "SilentAudioError", "silent"),
    Case("-60 dBFS", _wav("quiet.wav", _CRY / np.abs(_CRY).max() * 10 ** (-60 / 20))),
    Case("clipped", _wav("clipped.wav", np.clip(_CRY * 20, -1, 1))),
    Case("DC offset", _wav("dc.wav", 0.5 + 0.3 * _CRY)),
    Case("8-bit WAV", _wav("u8.wav", _CRY, subtype="PCM_U8")),
    Case("24-bit WAV", _wav("s24.wav", _CRY, subtype="PCM_24")),
    Case("32-bit float WAV", _wav("f32.wav", _CRY, subtype="FLOAT")),
    Case("stereo 48 kHz", _wav("stereo.wav", np.stack([_CRY, 0.5 * _CRY], axis=1))),
    Case("WebM/Opus", _encoded("cry.webm", ["-c:a", "libopus", "-b:a", "32k"]), encoder="libopus"),
    Case("MP4/AAC", _encoded("cry.m4a", ["-c:a", "aac", "-b:a", "64k"]), encoder="aac"),
    Case("MP3", _encoded("cry.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]), encoder="libmp3lame"),
    Case("OGG/Vorbis", _encoded("cry.ogg", ["-c:a", "libvorbis"]), encoder="libvorbis"),
    Case("3GP/AMR", _in_3gp("phone.3gp", lambda d: _amr(250))),
    Case("text file renamed .wav", _bytes("notes.wav", b"this is not audio\n" * 50), "UnsupportedFormatError",
         "is not a recording babycry can read"),
    Case("PNG renamed .wav", _bytes("photo.wav", PNG_1X1), "UnsupportedFormatError",
         "is not a recording babycry can read"),
    Case("truncated header", _bytes("header.wav", lambda d: _ok_wav(d).read_bytes()[:30]), "UnsupportedFormatError",
         "is not a recording babycry can read"),
    Case("WAV cut mid-stream, junk appended", _bytes("cut.wav", _cut_with_junk("cut.wav", _ok_wav))),
    Case("WebM cut mid-stream, junk appended",
         _bytes("cut.webm", _cut_with_junk("cut.webm", _encoded("whole.webm", ["-c:a", "libopus"]))),
         encoder="libopus"),
    Case("MP3 cut mid-stream, junk appended",
         _bytes("cut.mp3", _cut_with_junk("cut.mp3", _encoded("whole.mp3", ["-c:a", "libmp3lame"]))),
         encoder="libmp3lame"),
    Case("decode bomb: 2.3 MB of AMR that decodes to 1 hour", _bytes("bomb.amr", _amr_bomb), "AudioDecodeError",
         "lasts 1 h 0 min"),
    Case("decode bomb in a 3GP container", _in_3gp("bomb.3gp", _amr_bomb), "AudioDecodeError", "lasts 1 h 0 min"),
    Case("10-minute recording", _wav("ten_minutes.wav", _ten_minutes(), 16_000)),
    Case("file name with shell characters", _wav("; rm -rf $(whoami) `id` 'a' \"b\" |&.wav", _CRY)),
    Case("file name starting with a dash (ffmpeg path)", _encoded("-i.webm", ["-c:a", "libopus"]),
         encoder="libopus"),
    Case("playlist naming another server file", _bytes("playlist.wav", _playlist), "UnsupportedFormatError",
         "is not a recording babycry can read"),
    Case("over the size limit (200 MB)", _oversized, "AudioDecodeError", "are not accepted", app=False),
]


def make_case(case: Case, folder: Path) -> Path:
    """Write ``case``'s file into ``folder`` (created); skip the calling test when ffmpeg lacks its encoder."""
    import pytest

    if case.encoder and not has_encoder(case.encoder):
        pytest.skip(f"this ffmpeg has no {case.encoder} encoder")
    if shutil.which("ffmpeg") is None and (case.encoder or "3GP" in case.name or "AMR" in case.name):
        pytest.skip("ffmpeg is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    return case.make(folder)
