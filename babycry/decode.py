"""Reading recordings safely: input limits, libsndfile, and a locked-down ffmpeg.

:func:`decode` turns a path, bytes or a binary file object into raw
``(frames, channels)`` float32 samples, at the source rate, bounded in time
and memory whatever the input claims:

- the input is at most :data:`MAX_INPUT_BYTES`;
- its header (libsndfile) or ``ffprobe`` is read *before* decoding: a
  recording longer than :data:`MAX_SOURCE_SECONDS` (a "decode bomb": a small
  file that decodes to hours), a sample rate outside
  [:data:`MIN_SAMPLE_RATE`, :data:`MAX_SAMPLE_RATE`] or more than
  :data:`MAX_CHANNELS` channels is refused without decoding;
- at most ``max_seconds + 1`` seconds are decoded, and ffmpeg gets
  :data:`FFMPEG_TIMEOUT_S`;
- ffmpeg opens only local files (``file:`` protocol, whatever the name holds)
  with the audio demuxers of :data:`FFMPEG_FORMATS`: a playlist (HLS, concat)
  uploaded as ``.wav`` cannot make the server read another file or a URL.

:mod:`babycry.audio` mixes, resamples and validates the result.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf

from .errors import AudioDecodeError, EmptyAudioError, InvalidAudioError, UnsupportedFormatError

__all__ = [
    "AudioSource", "Decoded", "decode", "check_source", "MAX_INPUT_BYTES", "MAX_SOURCE_SECONDS",
    "MIN_SAMPLE_RATE", "MAX_SAMPLE_RATE", "MAX_CHANNELS", "FFMPEG_FORMATS", "FFMPEG_TIMEOUT_S",
]

#: What :func:`decode` accepts: a path, raw bytes, or a binary file object.
AudioSource = str | os.PathLike | bytes | bytearray | BinaryIO

#: Largest input read at all (a recording, not a huge unrelated file).
MAX_INPUT_BYTES = 200 * 1024 * 1024
#: Longest recording accepted: longer ones are refused before decoding. A 10-minute recording is analysed
#: (its first ``AudioConfig.max_seconds``); a file that claims hours is a mistake or a decode bomb.
MAX_SOURCE_SECONDS = 30 * 60.0
#: Sample rates accepted. Below 8 kHz (the telephone rate, AMR-NB) a recording cannot hold the band the models
#: listen to (up to 3.6 kHz); above 192 kHz no microphone records, and decoding a minute would take GBs.
MIN_SAMPLE_RATE = 8_000
MAX_SAMPLE_RATE = 192_000
#: Most channels accepted (7.1 surround); each is decoded before mixing to mono.
MAX_CHANNELS = 8
#: Decoding a minute of any supported format takes well under a second here.
FFMPEG_TIMEOUT_S = 30
#: ffmpeg demuxers allowed: the containers browsers and phones record to, and plain audio files. Anything else
#: (playlists such as HLS or concat that open other files or URLs, images, video-only formats) is refused.
FFMPEG_FORMATS = ("wav", "w64", "flac", "ogg", "matroska", "webm", "mov", "mp4", "m4a", "3gp", "3g2", "mp3",
                  "aac", "amr", "amrnb", "amrwb", "caf", "aiff", "au")


@dataclass(frozen=True)
class Decoded:
    """Raw decoded samples, before mixing, resampling and validation.

    Attributes
    ----------
    data : np.ndarray
        float32 ``(frames, channels)`` at ``sample_rate``: at most ``max_seconds + 1`` s of the input.
    sample_rate : int
        The source rate in Hz.
    source_format : str
        ``"wav/pcm_16"``, ``"matroska/opus"``, ...
    duration_s : float or None
        Duration of the whole input (``None``: the container does not say, e.g. a browser's WebM).
    """

    data: np.ndarray
    sample_rate: int
    source_format: str
    duration_s: float | None


def _hms(seconds: float) -> str:
    """``3600`` -> ``'1 h 0 min'``; ``754`` -> ``'12 min 34 s'``."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 60} min {seconds % 60} s"


def check_source(*, sample_rate: int, channels: int, duration_s: float | None, label: str) -> None:
    """Refuse what no recording of a baby looks like, before anything is decoded.

    Parameters
    ----------
    sample_rate : int
        Source rate in Hz (0: unknown, not checked).
    channels : int
        Channel count (0: unknown, not checked).
    duration_s : float, optional
        Duration the header states (``None``: unknown).
    label : str
        How messages name the input (``"'cry.wav'"``).

    Raises
    ------
    InvalidAudioError
        Sample rate out of range, or too many channels.
    AudioDecodeError
        Longer than :data:`MAX_SOURCE_SECONDS`.

    Examples
    --------
    >>> check_source(sample_rate=48000, channels=2, duration_s=7.0, label="'cry.webm'")
    >>> check_source(sample_rate=8000, channels=1, duration_s=3600.0, label="'x.amr'")
    Traceback (most recent call last):
    ...
    babycry.errors.AudioDecodeError: 'x.amr' lasts 1 h 0 min: babycry reads recordings of up to 30 min 0 s \
(and analyses their first minute). Please send a shorter recording.
    """
    if sample_rate and not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise InvalidAudioError(
            f"{label} has a sample rate of {sample_rate} Hz: babycry reads {MIN_SAMPLE_RATE} to "
            f"{MAX_SAMPLE_RATE} Hz audio."
        )
    if channels > MAX_CHANNELS:
        raise InvalidAudioError(f"{label} has {channels} channels: babycry reads at most {MAX_CHANNELS}.")
    if duration_s is not None and duration_s > MAX_SOURCE_SECONDS:
        raise AudioDecodeError(
            f"{label} lasts {_hms(duration_s)}: babycry reads recordings of up to {_hms(MAX_SOURCE_SECONDS)} "
            "(and analyses their first minute). Please send a shorter recording."
        )


def _read_source(source: AudioSource) -> tuple[bytes | None, Path | None]:
    """Return ``(bytes, None)`` for in-memory input or ``(None, path)`` for a path; sizes checked."""
    if isinstance(source, (bytes, bytearray)):
        if len(source) > MAX_INPUT_BYTES:
            raise AudioDecodeError(f"The input is larger than {MAX_INPUT_BYTES / 2**20:.0f} MB and is not accepted.")
        return bytes(source), None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise AudioDecodeError(f"No such audio file: {str(path)!r}.")
        if path.is_dir():
            raise AudioDecodeError(f"Expected an audio file but got a folder: {str(path)!r}.")
        size = path.stat().st_size
        if size == 0:
            raise EmptyAudioError(f"The file {path.name!r} is empty (0 bytes). Please record again.")
        if size > MAX_INPUT_BYTES:
            raise AudioDecodeError(
                f"The file {path.name!r} is {size / 2**20:.0f} MB; files over {MAX_INPUT_BYTES / 2**20:.0f} MB "
                "are not accepted."
            )
        return None, path
    if hasattr(source, "read"):
        data = source.read(MAX_INPUT_BYTES + 1)
        if not isinstance(data, (bytes, bytearray)):
            raise AudioDecodeError("The file object must be opened in binary mode ('rb').")
        if len(data) > MAX_INPUT_BYTES:
            raise AudioDecodeError(f"The input is larger than {MAX_INPUT_BYTES / 2**20:.0f} MB and is not accepted.")
        return bytes(data), None
    raise AudioDecodeError(f"Cannot read audio from an object of type {type(source).__name__}.")


def _decode_soundfile(blob: bytes | None, path: Path | None, *, max_seconds: float, label: str) -> Decoded | None:
    """Decode with libsndfile; ``None`` when it does not recognise the format."""
    handle = io.BytesIO(blob) if blob is not None else str(path)
    try:
        f = sf.SoundFile(handle)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None
    with f:
        rate, frames, channels = int(f.samplerate), int(f.frames), int(f.channels)
        # The header's word, checked before reading: a lying header only makes the check stricter, and at most
        # max_seconds + 1 s is read whatever it says.
        check_source(sample_rate=rate, channels=channels, duration_s=frames / rate if frames > 0 else None,
                     label=label)
        limit = int(round(max_seconds * rate)) + 1
        try:
            data = f.read(frames=min(frames, limit) if frames > 0 else limit, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, ValueError):
            return None  # damaged mid-stream (e.g. an MP3 cut and followed by junk): ffmpeg resyncs past it
        fmt = f"{f.format}/{f.subtype}".lower() if f.subtype else f.format.lower()
    total = frames / float(rate) if frames > 0 else data.shape[0] / float(rate)
    return Decoded(data=data, sample_rate=rate, source_format=fmt, duration_s=total)


def _tool(name: str) -> str:
    binary = shutil.which(name)
    if binary is None:
        raise UnsupportedFormatError(
            f"This recording's format needs {name}, which is not installed (install ffmpeg with "
            "'apt-get install ffmpeg')."
        )
    return binary


def _locked_input(path: Path) -> list[str]:
    """ffmpeg/ffprobe input arguments that open only this local file with an audio demuxer."""
    # "file:" + an absolute path: a name starting with "-" is not an option, and one holding "concat:",
    # "http:" or "|" is not a protocol.
    return ["-protocol_whitelist", "file", "-format_whitelist", ",".join(FFMPEG_FORMATS), "-i",
            f"file:{path.resolve()}"]


def _probe(path: Path, *, label: str) -> tuple[str, int, int, float | None]:
    """ffprobe: (format/codec, sample rate, channels, duration or None) of the first audio stream."""
    cmd = [_tool("ffprobe"), "-v", "error", "-select_streams", "a:0",
           "-show_entries", "stream=codec_name,sample_rate,channels:format=format_name,duration",
           "-of", "json", *_locked_input(path)]
    try:
        out = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False)
        info = json.loads(out.stdout or b"{}")
    except subprocess.TimeoutExpired as exc:
        raise AudioDecodeError(f"Reading {label} took too long and was stopped.") from exc
    except json.JSONDecodeError:
        info = {}
    if out.returncode != 0 or "format" not in info:
        raise UnsupportedFormatError(
            f"{label} is not a recording babycry can read (damaged, or not an audio format it knows: WAV, FLAC, "
            "OGG, WebM, MP4/M4A, MP3, 3GP/AMR, CAF)."
        )
    streams = info.get("streams") or []
    if not streams:
        raise UnsupportedFormatError(f"{label} is not a recording babycry can read: it holds no audio track.")
    stream, fmt = streams[0], info["format"]
    name = f"{fmt.get('format_name', 'unknown').split(',')[0]}/{stream.get('codec_name', 'unknown')}"
    try:
        duration = float(fmt["duration"])
    except (KeyError, TypeError, ValueError):
        duration = None  # a browser's WebM states none: the decode is capped instead
    return name, int(stream.get("sample_rate") or 0), int(stream.get("channels") or 0), duration


def _decode_ffmpeg(path: Path, *, max_seconds: float, label: str) -> Decoded:
    """Decode any allowed format to float32 WAV, keeping rate and channels; checked by ffprobe first."""
    binary = _tool("ffmpeg")
    fmt, rate, channels, duration = _probe(path, label=label)
    check_source(sample_rate=rate, channels=channels, duration_s=duration, label=label)
    with tempfile.TemporaryDirectory(prefix="babycry-") as tmp:
        out_path = Path(tmp) / "decoded.wav"
        # +1 s so that "longer than max_seconds" is still visible after decoding.
        cmd = [binary, "-nostdin", "-hide_banner", "-loglevel", "error", *_locked_input(path),
               "-map", "0:a:0", "-vn", "-sn", "-dn", "-t", f"{max_seconds + 1.0:.3f}",
               "-c:a", "pcm_f32le", "-f", "wav", str(out_path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AudioDecodeError(f"Decoding {label} took too long and was stopped.") from exc
        if proc.returncode != 0 or not out_path.exists() or out_path.stat().st_size <= 44:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            # ffmpeg's last line names the server's temporary file: keep only what follows the last ": ".
            reason = detail[-1].rsplit(": ", 1)[-1] if detail else "no audio could be decoded"
            raise UnsupportedFormatError(f"{label} is not a recording babycry can read ({reason}).")
        with sf.SoundFile(str(out_path)) as f:
            decoded_rate = int(f.samplerate)
            data = f.read(dtype="float32", always_2d=True)
    if data.shape[0] == 0:
        raise EmptyAudioError(f"{label} holds no sound at all. Please record again.")
    return Decoded(data=data, sample_rate=decoded_rate or rate, source_format=fmt, duration_s=duration)


def decode(source: AudioSource, *, max_seconds: float) -> Decoded:
    """Decode at most ``max_seconds + 1`` s of a recording, within every limit of this module.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        The recording. WAV/FLAC/OGG/MP3 are read by libsndfile; WebM/Opus, MP4/M4A/AAC, 3GP/AMR, CAF by ffmpeg.
    max_seconds : float
        Seconds to keep (``AudioConfig.max_seconds``); one more is decoded so that truncation shows.

    Returns
    -------
    Decoded

    Raises
    ------
    AudioDecodeError
        Missing path, folder, over :data:`MAX_INPUT_BYTES` or :data:`MAX_SOURCE_SECONDS`, or too slow;
        ``UnsupportedFormatError``: not audio babycry reads.
    InvalidAudioError
        Rate or channel count out of range; ``EmptyAudioError``: no bytes or no samples.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros((800, 2)), 8000, format="WAV")
    >>> d = decode(buf.getvalue(), max_seconds=60.0)
    >>> d.data.shape, d.sample_rate, d.source_format, d.duration_s
    ((800, 2), 8000, 'wav/pcm_16', 0.1)
    """
    blob, path = _read_source(source)
    label = repr(path.name) if path is not None else "The uploaded data"
    if blob is not None and len(blob) == 0:
        raise EmptyAudioError("The recording is empty (0 bytes). Please record again.")
    decoded = _decode_soundfile(blob, path, max_seconds=max_seconds, label=label)
    if decoded is not None:
        return decoded
    if path is not None:
        return _decode_ffmpeg(path, max_seconds=max_seconds, label=label)
    with tempfile.TemporaryDirectory(prefix="babycry-") as tmp:
        tmp_path = Path(tmp) / "upload.bin"
        tmp_path.write_bytes(blob or b"")
        return _decode_ffmpeg(tmp_path, max_seconds=max_seconds, label=label)
