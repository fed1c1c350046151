"""Phone-codec round trips: how a recording sounds after a phone's or browser's speech codec.

Every Donate-a-Cry cry went through a phone codec (AMR-NB on Android, IMA
ADPCM on iOS), while most of the negatives (ESC-50 noise, the laughter, the
silence recording) are clean.  A model trained on that data learns "codec
artefacts mean cry": in grouped cross-validation, held-out laughter sent
through a phone codec was called a cry almost twice as often as the same
laughter clean.  Parents' recordings go through a codec too (the browser
records Opus), so the detector is trained with codec round trips on both
sides: :mod:`babycry.augment.phone_codec` is the transform, :func:`phone_codec` the round trip.

The codecs are run by ``ffmpeg`` (encode, then decode back to the input rate);
AMR-NB itself has no encoder in Debian's ffmpeg, so its relatives stand in:
GSM full rate, G.723.1 (ACELP, like AMR), Speex and Opus (CELP, VoIP mode),
IMA ADPCM (iOS voice memos) and low-bitrate MP3.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from .audio import check_samples
from .errors import AudioDecodeError, InvalidParameterError

__all__ = ["Codec", "CODECS", "CodecBatch", "draw_codec", "phone_codec", "phone_codec_many"]

_TIMEOUT_S = 60


@dataclass(frozen=True)
class Codec:
    """One speech codec as ffmpeg runs it.

    Attributes
    ----------
    name : str
        Key in :data:`CODECS`.
    description : str
        What uses it.
    encoder : tuple of str
        ffmpeg output options (codec and its settings); ``{kbps}`` is replaced by the bitrate.
    container : str
        ffmpeg format the encoded stream is written in.
    sample_rate : int
        Rate the codec runs at (the audio is resampled to it and back).
    bitrates_kbps : tuple of float
        Bitrates training draws from (any value between the first and last is accepted); empty when the
        codec has one fixed rate.
    """

    name: str
    description: str
    encoder: tuple[str, ...]
    container: str
    sample_rate: int
    bitrates_kbps: tuple[float, ...] = ()


#: The codecs :func:`phone_codec` can apply.
CODECS: dict[str, Codec] = {
    c.name: c
    for c in (
        Codec("gsm", "GSM full rate (13 kbit/s): 2G phone calls", ("-c:a", "libgsm"), "gsm", 8_000),
        Codec("g723_1", "G.723.1 (6.3 kbit/s ACELP): VoIP phones, a relative of AMR-NB",
              ("-c:a", "g723_1", "-b:a", "6300"), "g723_1", 8_000),
        Codec("speex", "Speex narrowband: VoIP and voice-message apps", ("-c:a", "libspeex"), "ogg", 8_000),
        Codec("opus", "Opus in VoIP mode: browsers' MediaRecorder, messaging apps",
              ("-c:a", "libopus", "-application", "voip", "-b:a", "{kbps}k"), "ogg", 8_000, (6.0, 8.0, 12.0, 16.0)),
        Codec("ima_adpcm", "IMA ADPCM at 16 kHz: iOS voice memos (Donate-a-Cry's iOS uploads)",
              ("-c:a", "adpcm_ima_wav"), "wav", 16_000),
        Codec("mp3", "Low-bitrate MP3 at 16 kHz", ("-c:a", "libmp3lame", "-b:a", "{kbps}k"), "mp3", 16_000,
              (16.0, 24.0, 32.0)),
    )
}


def draw_codec(rng: np.random.Generator) -> tuple[str, float | None]:
    """A random codec of :data:`CODECS` and, for a variable-bitrate one, one of its listed bitrates.

    Examples
    --------
    >>> import numpy as np
    >>> name, kbps = draw_codec(np.random.default_rng(0))
    >>> name in CODECS and (kbps is None or kbps in CODECS[name].bitrates_kbps)
    True
    """
    name = list(CODECS)[int(rng.integers(len(CODECS)))]
    rates = CODECS[name].bitrates_kbps
    return name, (float(rates[int(rng.integers(len(rates)))]) if rates else None)


def _ffmpeg() -> str:
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise AudioDecodeError("Phone-codec simulation needs ffmpeg, which is not installed "
                               "(install it with 'apt-get install ffmpeg').")
    return binary


def _check(samples: np.ndarray, sample_rate: int, codec: str, bitrate_kbps: float | None) -> tuple[Codec, np.ndarray]:
    """The codec's spec and the samples as float32, or a typed error for a bad setting or bad samples."""
    if codec not in CODECS:
        raise InvalidParameterError(f"Unknown codec {codec!r}; choose one of: {', '.join(CODECS)}.")
    spec = CODECS[codec]
    if bitrate_kbps is not None:
        if not spec.bitrates_kbps:
            raise InvalidParameterError(f"{codec} has a fixed bitrate; leave bitrate_kbps out (got {bitrate_kbps!r}).")
        low, high = min(spec.bitrates_kbps), max(spec.bitrates_kbps)
        if isinstance(bitrate_kbps, bool) or not isinstance(bitrate_kbps, (int, float, np.number)) or not (
                low <= float(bitrate_kbps) <= high):
            raise InvalidParameterError(f"{codec}'s bitrate must lie in [{low:g}, {high:g}] kbit/s, "
                                        f"got {bitrate_kbps!r}.")
    if not isinstance(sample_rate, (int, np.integer)) or not 8_000 <= sample_rate <= 192_000:
        raise InvalidParameterError(f"sample_rate must be an integer in [8000, 192000] Hz, got {sample_rate!r}.")
    return spec, check_samples(samples, sample_rate=sample_rate, what="encode")


def phone_codec(
    samples: np.ndarray, *, sample_rate: int, codec: str = "gsm", bitrate_kbps: float | None = None
) -> np.ndarray:
    """Encode ``samples`` with a speech codec and decode them back (same rate, length and level).

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples.
    sample_rate : int
        Their rate (Hz); the output has the same.
    codec : str
        A key of :data:`CODECS`.
    bitrate_kbps : float, optional
        For codecs with a variable bitrate, within their ``bitrates_kbps`` range (the lowest when omitted);
        must be left out for fixed-rate codecs.

    Returns
    -------
    np.ndarray
        float32, the length of ``samples``, aligned with them (the codec's delay removed) and at their peak level.

    Raises
    ------
    InvalidParameterError
        Unknown codec or bitrate, or an implausible sample rate.
    InvalidAudioError
        Empty, multi-channel or non-finite samples.
    AudioDecodeError
        ffmpeg is missing or failed.

    Examples
    --------
    >>> import numpy as np
    >>> from babycry.synth import synth_cry
    >>> x = synth_cry(seconds=2.0, sample_rate=16000, seed=0).samples
    >>> y = phone_codec(x, sample_rate=16000, codec="gsm")
    >>> y.shape == x.shape, bool(np.corrcoef(x, y)[0, 1] > 0.8)
    (True, True)
    """
    spec, x = _check(samples, sample_rate, codec, bitrate_kbps)
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        return x.copy()
    kbps = bitrate_kbps if bitrate_kbps is not None else (spec.bitrates_kbps[0] if spec.bitrates_kbps else 0)
    encoder = [a.replace("{kbps}", f"{kbps:g}") for a in spec.encoder]
    raw = (np.clip(x / peak * 0.9, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    binary = _ffmpeg()
    encode = [binary, "-nostdin", "-v", "error", "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "-",
              "-ar", str(spec.sample_rate), *encoder, "-f", spec.container, "-"]
    try:
        coded = subprocess.run(encode, input=raw, capture_output=True, timeout=_TIMEOUT_S, check=True).stdout
        decode_input = ["-f", spec.container] if spec.container in ("gsm", "g723_1") else []
        if spec.container == "gsm":
            decode_input += ["-ar", str(spec.sample_rate)]
        decode = [binary, "-nostdin", "-v", "error", *decode_input, "-i", "-", "-ar", str(sample_rate), "-ac", "1",
                  "-f", "s16le", "-"]
        out = subprocess.run(decode, input=coded, capture_output=True, timeout=_TIMEOUT_S, check=True).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise AudioDecodeError(f"ffmpeg could not run the {codec} codec: "
                               f"{detail.decode('utf-8', 'replace').strip() or exc}") from exc
    y = np.frombuffer(out, dtype="<i2").astype(np.float32) / 32768.0
    lag = _lag(x, y)
    y = y[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag, np.float32), y])
    y = np.pad(y, (0, max(0, x.size - y.size)))[: x.size]
    return (y * (peak / 0.9)).astype(np.float32)


def _lag(x: np.ndarray, y: np.ndarray, *, max_lag: int = 4_000, head: int = 160_000) -> int:
    """Delay of ``y`` behind ``x`` in samples (cross-correlation peak within ±max_lag).

    The codec's delay is the same all through a stream, so only the first ``head`` samples are compared
    (a batch's stream of many clips would otherwise need an FFT of minutes of audio).
    """
    x, y = x[:head], y[:head]
    n = next_fast_len(x.size + y.size, real=True)
    c = irfft(rfft(y, n) * np.conj(rfft(x, n)), n)
    c = np.concatenate([c[-max_lag:], c[: max_lag + 1]])
    return int(np.argmax(c)) - max_lag


def phone_codec_many(
    segments: list[np.ndarray],
    *,
    sample_rate: int,
    codec: str = "gsm",
    bitrate_kbps: float | None = None,
    gap_seconds: float = 0.25,
) -> list[np.ndarray]:
    """:func:`phone_codec` of several segments in one ffmpeg round trip (each keeps its own level).

    Starting ffmpeg costs more than coding a few seconds of audio, so training codes all of a clip's
    augmented windows together, separated by silence.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> parts = phone_codec_many([rng.normal(size=8000), rng.normal(size=4000)], sample_rate=16000, codec="opus")
    >>> [p.size for p in parts]
    [8000, 4000]
    """
    if not segments:
        return []
    gap = np.zeros(int(gap_seconds * sample_rate), np.float32)
    parts, offsets, peaks, pos = [], [], [], 0
    for seg in segments:
        _, seg = _check(seg, sample_rate, codec, bitrate_kbps)
        peak = float(np.max(np.abs(seg)))
        peaks.append(peak)
        offsets.append(pos)
        parts += [seg / peak if peak > 0 else seg, gap]
        pos += seg.size + gap.size
    coded = phone_codec(np.concatenate(parts), sample_rate=sample_rate, codec=codec, bitrate_kbps=bitrate_kbps)
    return [coded[o : o + len(s)] * p for o, s, p in zip(offsets, segments, peaks, strict=True)]


class CodecBatch:
    """Round trips asked for one at a time and run together: one :func:`phone_codec_many` per codec and bitrate.

    Starting ffmpeg (about 0.1 s here, twice per round trip) costs more than coding a clip, and the window cache
    asks for two round trips per clip; a batch of clips asks for at most the eleven codec settings training
    draws from, so most of the starts go.  A segment's neighbours in the coded stream are other segments
    separated by silence, so its coding depends a little on what else the batch holds.

    Parameters
    ----------
    sample_rate : int
        Rate of every segment asked for.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> batch = CodecBatch(sample_rate=16000)
    >>> first = batch.ask([rng.normal(size=8000)], codec="gsm")
    >>> second = batch.ask([rng.normal(size=4000), rng.normal(size=2000)], codec="gsm")
    >>> batch.run()  # one ffmpeg round trip for both
    >>> [p.size for p in batch.result(second)]
    [4000, 2000]
    """

    def __init__(self, *, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._asked: list[tuple[str, float | None, list[np.ndarray]]] = []
        self._coded: list[list[np.ndarray]] | None = None

    def ask(self, segments: list[np.ndarray], *, codec: str, bitrate_kbps: float | None = None) -> int:
        """Queue ``segments`` for one codec and bitrate; returns the ticket :meth:`result` takes.

        Raises
        ------
        InvalidParameterError
            Unknown codec or bitrate, or the batch has already run.
        InvalidAudioError
            An empty, multi-channel or non-finite segment.
        """
        if self._coded is not None:
            raise InvalidParameterError("This CodecBatch has already run; start a new one.")
        segments = [_check(seg, self.sample_rate, codec, bitrate_kbps)[1] for seg in segments]
        self._asked.append((codec, bitrate_kbps, segments))
        return len(self._asked) - 1

    def run(self) -> None:
        """Code everything asked for: one round trip per codec and bitrate.

        Raises
        ------
        AudioDecodeError
            ffmpeg is missing or failed.
        """
        tickets: dict[tuple[str, float | None], list[int]] = {}
        for t, (codec, kbps, _) in enumerate(self._asked):
            tickets.setdefault((codec, kbps), []).append(t)
        coded: list[list[np.ndarray]] = [[] for _ in self._asked]
        for (codec, kbps), group in tickets.items():
            out = phone_codec_many([s for t in group for s in self._asked[t][2]], sample_rate=self.sample_rate,
                                   codec=codec, bitrate_kbps=kbps)
            for t in group:
                n = len(self._asked[t][2])
                coded[t], out = out[:n], out[n:]
        self._coded = coded

    def result(self, ticket: int) -> list[np.ndarray]:
        """The coded segments of one :meth:`ask`, in its order, at their lengths and levels."""
        if self._coded is None:
            raise InvalidParameterError("Call CodecBatch.run() before reading results.")
        return self._coded[ticket]
