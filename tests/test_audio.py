"""babycry.audio: decoding, conversion, resampling and every validation rule."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from babycry.audio import Audio, check_samples, from_array, load, resample, to_float32, to_mono, validate
from babycry.config import AudioConfig
from babycry.errors import (
    AudioDecodeError,
    AudioTooShortError,
    BabyCryError,
    EmptyAudioError,
    InvalidAudioError,
    InvalidParameterError,
    NonFiniteAudioError,
    SilentAudioError,
    UnsupportedFormatError,
)
from babycry.pitch import f0_track
from babycry.synth import synth_cry

RATES = [8000, 16000, 44100, 48000]


def _tone(rate: int, seconds: float = 1.5, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[np.argmax(spectrum)])


# --------------------------------------------------------------------------- #
# Arrays: every rate, mono/stereo, int16/float
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("dtype", ["int16", "float32"])
def test_from_array_any_rate_layout_dtype(rate: int, channels: int, dtype: str) -> None:
    tone = _tone(rate)
    data = (tone * 32767).astype(np.int16) if dtype == "int16" else tone
    if channels == 2:
        data = np.stack([data, data], axis=1)  # Gradio's (N, C)
    audio = from_array(data, rate)
    assert isinstance(audio, Audio)
    assert audio.sample_rate == 16000
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.source_sample_rate == rate and audio.source_channels == channels
    assert audio.duration_s == pytest.approx(1.5, abs=1e-3)
    assert float(np.max(np.abs(audio.samples))) == pytest.approx(0.5, abs=0.01)
    assert _peak_hz(audio.samples, 16000) == pytest.approx(440, abs=2)
    assert not audio.truncated


@pytest.mark.parametrize("rate", RATES)
def test_wav_file_round_trip_at_each_rate(tmp_path: Path, rate: int) -> None:
    path = tmp_path / f"tone_{rate}.wav"
    sf.write(path, _tone(rate), rate, subtype="PCM_16")
    audio = load(path)
    assert audio.source_sample_rate == rate
    assert audio.source_format.startswith("wav")
    assert _peak_hz(audio.samples, 16000) == pytest.approx(440, abs=2)


def test_int_scaling_and_channel_axes() -> None:
    assert to_float32(np.array([32767, -32768], np.int16)).tolist() == pytest.approx([32767 / 32768, -1.0])
    assert to_float32(np.array([2**31 - 1], np.int32))[0] == pytest.approx(1.0)
    assert to_float32(np.array([128, 0], np.uint8)).tolist() == [0.0, -1.0]
    # float above full scale is scaled by its peak, not clipped
    assert to_float32(np.array([2.0, -1.0])).tolist() == [1.0, -0.5]
    stereo_nc = np.array([[1.0, 0.0]] * 10)
    assert to_mono(stereo_nc).tolist() == [0.5] * 10
    assert to_mono(stereo_nc.T).tolist() == [0.5] * 10  # (C, N) too


def test_resample_preserves_tone() -> None:
    y = resample(_tone(44100), orig_sr=44100, target_sr=16000)
    assert y.size == 24000
    assert _peak_hz(y, 16000) == pytest.approx(440, abs=2)


def test_load_from_bytes_and_file_object() -> None:
    buf = io.BytesIO()
    sf.write(buf, _tone(8000), 8000, format="FLAC")
    blob = buf.getvalue()
    a = load(blob)
    b = load(io.BytesIO(blob))
    assert a.source_format.startswith("flac")
    np.testing.assert_array_equal(a.samples, b.samples)


# --------------------------------------------------------------------------- #
# Validation rules, one pytest.raises each
# --------------------------------------------------------------------------- #
def test_rejects_empty_array() -> None:
    with pytest.raises(EmptyAudioError, match="empty"):
        from_array(np.zeros(0, np.float32), 16000)


def test_rejects_none() -> None:
    with pytest.raises(EmptyAudioError, match="No audio"):
        from_array(None, 16000)  # type: ignore[arg-type]


def test_rejects_nan() -> None:
    x = _tone(16000)
    x[100] = np.nan
    with pytest.raises(NonFiniteAudioError, match="1 invalid"):
        from_array(x, 16000)


def test_rejects_inf() -> None:
    x = _tone(16000)
    x[5:8] = np.inf
    with pytest.raises(NonFiniteAudioError, match="3 invalid"):
        validate(x, sample_rate=16000)


@pytest.mark.parametrize(
    ("samples", "kwargs", "error", "match"),
    [
        (np.zeros(100), {"sample_rate": 0}, InvalidParameterError, "sample_rate"),
        (np.zeros(100), {"sample_rate": 16000.0}, InvalidParameterError, "whole number"),
        (np.zeros(100), {"sample_rate": True}, InvalidParameterError, "True"),
        (np.zeros((2, 50)), {}, InvalidAudioError, r"mono \(1-D\) samples to augment, .*\(2, 50\)"),
        (np.zeros(100, np.int16), {}, InvalidAudioError, "int16"),
        (np.zeros(0), {}, EmptyAudioError, "empty"),
        (np.array([0.0, np.inf]), {}, NonFiniteAudioError, "cannot augment"),
        # float64 beyond float32's range is infinite once returned as float32 (found by test_fuzz.test_check_samples)
        (np.array([0.5, 3.40282357e38]), {}, NonFiniteAudioError, "1 invalid"),
        (np.zeros(100), {"min_seconds": 1.0}, AudioTooShortError, "too short"),
        (np.zeros(16000), {"silence_peak_dbfs": -70.0}, SilentAudioError, "silent"),
    ],
)
def test_check_samples_rules(samples: np.ndarray, kwargs: dict, error: type, match: str) -> None:
    kwargs = {"sample_rate": 16000, "what": "augment", **kwargs}
    with pytest.raises(error, match=match):
        check_samples(samples, **kwargs)


def test_check_samples_returns_contiguous_float32() -> None:
    x = np.arange(10, dtype=np.float64)[::2]
    out = check_samples(x, sample_rate=np.int64(8000))
    assert out.dtype == np.float32 and out.flags.c_contiguous and out.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert check_samples(np.zeros(0), sample_rate=16000, allow_empty=True).size == 0
    ok = _tone(16000)
    assert check_samples(ok, sample_rate=16000) is ok  # already float32 and contiguous: no copy


def test_rejects_too_short() -> None:
    with pytest.raises(AudioTooShortError, match=r"0\.50 s"):
        from_array(_tone(16000, seconds=0.5), 16000)


def test_rejects_digital_silence() -> None:
    with pytest.raises(SilentAudioError, match="-inf dBFS"):
        from_array(np.zeros(16000 * 2, np.int16), 16000)


def test_rejects_near_silence_below_threshold() -> None:
    with pytest.raises(SilentAudioError, match="-80 dBFS"):
        from_array(_tone(16000, amp=1e-4), 16000)


def test_rejects_bad_dtype() -> None:
    with pytest.raises(InvalidAudioError, match="dtype"):
        from_array(np.array(["a"] * 16000), 16000)


def test_rejects_complex_dtype() -> None:
    with pytest.raises(InvalidAudioError, match="complex"):
        from_array(np.ones(16000, complex), 16000)


def test_rejects_bad_shape() -> None:
    with pytest.raises(InvalidAudioError, match=r"\(2, 2, 4000\)"):
        from_array(np.zeros((2, 2, 4000)), 16000)


def test_rejects_ambiguous_channel_axis() -> None:
    with pytest.raises(InvalidAudioError, match="channels"):
        from_array(np.ones((20, 20)), 16000)


@pytest.mark.parametrize("rate", [0, -8000])
def test_rejects_nonpositive_sample_rate(rate: int) -> None:
    with pytest.raises(InvalidAudioError, match=str(rate)):
        from_array(_tone(16000), rate)


def test_rejects_non_numeric_sample_rate() -> None:
    with pytest.raises(InvalidAudioError, match="'abc'"):
        from_array(_tone(16000), "abc")  # type: ignore[arg-type]


def test_rejects_non_audio_bytes() -> None:
    with pytest.raises(UnsupportedFormatError, match="not a recording"):
        load(b"this is a text file, not a recording" * 20)


def test_rejects_non_audio_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("shopping list: milk, nappies")
    with pytest.raises(UnsupportedFormatError, match="notes.wav"):
        load(path)


def test_rejects_missing_path(tmp_path: Path) -> None:
    with pytest.raises(AudioDecodeError, match="No such audio file"):
        load(tmp_path / "missing.wav")


def test_rejects_folder(tmp_path: Path) -> None:
    with pytest.raises(AudioDecodeError, match="folder"):
        load(tmp_path)


def test_rejects_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.webm"
    path.touch()
    with pytest.raises(EmptyAudioError, match="0 bytes"):
        load(path)


def test_rejects_zero_bytes_in_memory() -> None:
    with pytest.raises(EmptyAudioError, match="0 bytes"):
        load(b"")


def test_rejects_text_file_object() -> None:
    with pytest.raises(AudioDecodeError, match="binary mode"):
        load(io.StringIO("abc"))  # type: ignore[arg-type]


def test_rejects_unknown_source_type() -> None:
    with pytest.raises(AudioDecodeError, match="int"):
        load(42)  # type: ignore[arg-type]


def test_long_input_is_truncated_and_flagged(tmp_path: Path) -> None:
    config = AudioConfig(max_seconds=2.0)
    audio = from_array(_tone(8000, seconds=3.0), 8000, config=config)
    assert audio.truncated and audio.duration_s == pytest.approx(2.0)
    assert audio.source_duration_s == pytest.approx(3.0)
    path = tmp_path / "long.flac"
    sf.write(path, _tone(8000, seconds=3.0), 8000)
    from_file = load(path, config=config)
    assert from_file.truncated and from_file.duration_s == pytest.approx(2.0)
    assert from_file.source_duration_s == pytest.approx(3.0)


def test_validation_can_be_switched_off() -> None:
    audio = from_array(_tone(16000, seconds=0.2), 16000, validate_audio=False)
    assert audio.duration_s == pytest.approx(0.2)


def test_every_error_is_a_babycry_error() -> None:
    for cls in (EmptyAudioError, AudioTooShortError, SilentAudioError, NonFiniteAudioError, UnsupportedFormatError):
        assert issubclass(cls, BabyCryError) and issubclass(cls, ValueError)


# --------------------------------------------------------------------------- #
# Real files from the shared data, one per format it holds
# --------------------------------------------------------------------------- #
def _first(data_dir: Path, prefix: str, rate: int, suffix: str) -> Path:
    with open(data_dir / "manifest.csv", newline="") as f:
        for row in csv.DictReader(f):
            if (
                row["path"].startswith(prefix)
                and int(row["sample_rate"]) == rate
                and row["path"].endswith(suffix)
                and float(row["duration_s"]) > 3.0
                and (data_dir / row["path"]).exists()
            ):
                return data_dir / row["path"]
    pytest.skip(f"no {suffix} file at {rate} Hz under {prefix}")


@pytest.mark.parametrize(
    ("prefix", "rate", "suffix", "fmt"),
    [
        ("donateacry/", 8000, ".wav", "wav"),
        ("donateacry_unlabeled/", 8000, ".flac", "flac"),
        ("donateacry_unlabeled/", 16000, ".flac", "flac"),
        ("negatives/noise/", 16000, ".flac", "flac"),
        ("negatives/speech/", 8000, ".wav", "wav"),
    ],
)
def test_real_files_each_format(data_dir: Path, prefix: str, rate: int, suffix: str, fmt: str) -> None:
    if prefix == "negatives/speech/":
        # Spoken digits are ~0.4 s: below the analysis minimum, so they are rejected, with a clear message.
        path = next((data_dir / prefix).rglob("*.wav"))
        with pytest.raises(AudioTooShortError, match="too short"):
            load(path)
        audio = load(path, validate_audio=False)
        assert audio.source_sample_rate == 8000 and audio.source_format.startswith("wav")
        return
    path = _first(data_dir, prefix, rate, suffix)
    try:
        audio = load(path)
    except SilentAudioError:
        pytest.skip(f"{path.name} is near-silent")
    info = sf.info(str(path))
    assert audio.source_sample_rate == rate == info.samplerate
    assert audio.source_format.startswith(fmt)
    assert audio.source_channels == 1
    assert audio.sample_rate == 16000
    assert audio.source_duration_s == pytest.approx(info.frames / info.samplerate, abs=1e-3)
    assert audio.duration_s == pytest.approx(info.frames / info.samplerate, abs=1e-3)


# --------------------------------------------------------------------------- #
# Browser / phone recordings through ffmpeg
# --------------------------------------------------------------------------- #
BROWSER_FORMATS = [
    # (suffix, ffmpeg codec args, sample rate, codec name in ffprobe)
    (".webm", ["-c:a", "libopus", "-b:a", "48k"], 48000, "opus"),
    (".m4a", ["-c:a", "aac", "-b:a", "96k"], 44100, "aac"),
    (".mp3", ["-c:a", "libmp3lame", "-b:a", "96k"], 44100, "mp3"),
    (".ogg", ["-c:a", "libopus", "-b:a", "48k"], 48000, "opus"),
    (".3gp", ["-c:a", "libopencore_amrnb", "-b:a", "12.2k", "-ac", "1"], 8000, "amr_nb"),
    (".3gp", ["-c:a", "aac", "-b:a", "32k", "-ac", "1"], 16000, "aac"),
]


@pytest.fixture(scope="module")
def cry_wav(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    cry = synth_cry(seconds=3.0, sample_rate=48000, seed=5, f0_hz=420.0)
    path = tmp_path_factory.mktemp("browser") / "cry.wav"
    sf.write(path, cry.samples, 48000, subtype="PCM_16")
    return path, cry.f0_median_hz


def _has_encoder(name: str) -> bool:
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, check=False)
    return any(line.split()[1:2] == [name] for line in out.stdout.splitlines() if line.strip())


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize(("suffix", "codec_args", "rate", "codec"), BROWSER_FORMATS,
                         ids=[f"{s[1:]}-{c}" for s, _, _, c in BROWSER_FORMATS])
def test_browser_recordings_decode(cry_wav, tmp_path: Path, suffix, codec_args, rate, codec) -> None:
    source, f0_true = cry_wav
    if not _has_encoder(codec_args[1]):
        pytest.skip(f"this ffmpeg has no {codec_args[1]} encoder (decoding {codec} is still supported)")
    out = tmp_path / f"rec{suffix}"
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(source), "-ar", str(rate), *codec_args, str(out)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    for src in (out, out.read_bytes()):  # by path and as an upload's bytes
        audio = load(src)
        assert audio.sample_rate == 16000
        assert codec in audio.source_format
        # Lossy codecs add priming/padding: a few tens of ms at most.
        assert audio.duration_s == pytest.approx(3.0, abs=0.1)
    track = f0_track(audio.samples, sample_rate=audio.sample_rate)
    assert track.median_hz == pytest.approx(f0_true, rel=0.05)


def test_float64_beyond_float32_range_is_scaled_not_inf() -> None:
    """Found by Hypothesis: 1e300 became inf in float32 and the recording was refused as 'invalid samples'."""
    x = np.sin(np.arange(48_000) / 5.0) * 1e300
    audio = from_array(x, 16_000)
    assert np.all(np.isfinite(audio.samples)) and np.abs(audio.samples).max() == pytest.approx(1.0, abs=1e-3)


def test_zero_frame_file_is_empty_not_non_finite(tmp_path: Path) -> None:
    sf.write(tmp_path / "zero.wav", np.zeros((0, 2), np.float32), 16_000)
    with pytest.raises(EmptyAudioError, match="empty"):
        load(tmp_path / "zero.wav")
