"""Property tests (Hypothesis): whatever comes in, babycry answers with a result or a BabyCryError, nothing else.

- arbitrary bytes (raw, inside a WAV header, or a valid recording with bytes changed or cut) into
  :func:`babycry.audio.load`;
- arbitrary arrays (dtype, shape, values) and sample rates into the one validator
  :func:`babycry.audio.check_samples` and into :func:`babycry.audio.from_array` + :func:`babycry.analyse`
  with tiny random-weight models.

Example counts are small so the suite stays fast; ``make fuzz`` runs the decoder far longer
(benchmarks/fuzz_decode.py).  Anything either finds is fixed and kept below as a regression example.
"""

from __future__ import annotations

import io
import os
import struct

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from babycry.analysis import Analysis, analyse
from babycry.audio import Audio, check_samples, from_array, load
from babycry.errors import BabyCryError

# BABYCRY_FUZZ_EXAMPLES raises the counts for a long run (make fuzz); the suite keeps them small.
EXAMPLES = int(os.environ.get("BABYCRY_FUZZ_EXAMPLES", "30"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _wav(x: np.ndarray, rate: int = 16_000, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, rate, format="WAV", subtype=subtype)
    return buf.getvalue()


_VALID = _wav(0.3 * np.sin(np.arange(24_000) / 7.0))


def _wav_header(*, fmt: int, channels: int, rate: int, bits: int, data_bytes: int) -> bytes:
    block = max(1, channels * bits // 8)
    return (b"RIFF" + struct.pack("<I", (36 + data_bytes) & 0xFFFFFFFF) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, fmt, channels, rate, (rate * block) & 0xFFFFFFFF, block & 0xFFFF, bits)
            + b"data" + struct.pack("<I", data_bytes))


def _load_answers(blob: bytes) -> None:
    try:
        audio = load(blob)
    except BabyCryError as exc:
        assert str(exc)  # a message, never an empty one
        return
    assert isinstance(audio, Audio)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert np.all(np.isfinite(audio.samples)) and audio.duration_s >= 1.0


# --------------------------------------------------------------------------- #
# Bytes into the loader
# --------------------------------------------------------------------------- #
@FAST
@given(st.binary(max_size=4096))
@example(b"")
@example(b"RIFF")
@example(b"#EXTM3U\n#EXTINF:1,\n/etc/passwd\n")
def test_any_bytes(blob: bytes) -> None:
    _load_answers(blob)


@FAST
@given(
    fmt=st.sampled_from([1, 3, 6, 7, 0xFFFE, 0, 2]),
    channels=st.integers(0, 300),
    rate=st.one_of(st.integers(0, 2**32 - 1), st.sampled_from([8000, 16000, 48000])),
    bits=st.sampled_from([0, 1, 8, 16, 24, 32, 64, 7]),
    data_bytes=st.one_of(st.integers(0, 2**32 - 1), st.just(0)),
    body=st.binary(max_size=20_000),
)
@example(fmt=1, channels=1, rate=1, bits=16, data_bytes=40_000, body=bytes(40_000))  # 20,000 s at 1 Hz
@example(fmt=3, channels=1, rate=16_000, bits=32, data_bytes=64_000,
         body=np.full(16_000, np.nan, np.float32).tobytes())  # NaN floats in a file
def test_wav_headers(fmt: int, channels: int, rate: int, bits: int, data_bytes: int, body: bytes) -> None:
    _load_answers(_wav_header(fmt=fmt, channels=channels, rate=rate, bits=bits, data_bytes=data_bytes) + body)


@FAST
@given(st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), max_size=20),
       st.integers(0, len(_VALID)))
def test_damaged_recording(changes: list[tuple[int, int]], cut: int) -> None:
    blob = bytearray(_VALID)
    for at, value in changes:
        blob[at] = value
    _load_answers(bytes(blob[:cut]) if cut > 44 else bytes(blob))


# --------------------------------------------------------------------------- #
# Arrays into the validator
# --------------------------------------------------------------------------- #
_DTYPES = st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.boolean_dtypes(),
                    hnp.complex_number_dtypes(), st.just(np.dtype("U3")), st.just(np.dtype(object)))
_RATES = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                   st.none(), st.just("16000"), st.sampled_from([8000, 16000, 44100, 48000]))


@FAST
@given(arr=hnp.arrays(_DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=40)), rate=_RATES,
       min_seconds=st.floats(0, 2), silence=st.one_of(st.none(), st.floats(-200, 0)))
def test_check_samples(arr: np.ndarray, rate: object, min_seconds: float, silence: float | None) -> None:
    try:
        out = check_samples(arr, sample_rate=rate, min_seconds=min_seconds, silence_peak_dbfs=silence)
    except BabyCryError as exc:
        assert str(exc)
        return
    assert out.dtype == np.float32 and out.ndim == 1 and out.flags.c_contiguous
    assert np.all(np.isfinite(out))


# --------------------------------------------------------------------------- #
# Arrays into analyse, with tiny random-weight models
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def tiny():
    from babycry.config import DETECTOR_LABELS, REASONS
    from babycry.modeling import CryModel, ModelConfig, build_feature_extractor, build_model

    small = ModelConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
    return tuple(
        CryModel(model_id=f"tiny-{task}", task=task, labels=labels, model=build_model(task=task,
                 model_config=small).eval(), feature_extractor=build_feature_extractor(model_config=small))
        for task, labels in (("detector", DETECTOR_LABELS), ("reason", REASONS))
    )


_SIGNAL_DTYPES = st.sampled_from([np.float16, np.float32, np.float64, np.int16, np.int32, np.uint8, np.int64])


@st.composite
def _recordings(draw: st.DrawFn) -> tuple[np.ndarray, object]:
    rate = draw(st.one_of(st.sampled_from([8000, 16000, 22050, 44100, 48000]), _RATES))
    n = draw(st.integers(0, 3 * 48_000))
    channels = draw(st.sampled_from([None, 1, 2, 3]))
    dtype = draw(_SIGNAL_DTYPES)
    kind = draw(st.sampled_from(["noise", "constant", "special"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (n,) if channels is None else (n, channels)
    if kind == "noise":
        x = rng.standard_normal(shape) * draw(st.sampled_from([1e-9, 1e-3, 0.3, 1.0, 1e5, 1e300]))
    elif kind == "constant":
        x = np.full(shape, draw(st.floats(-2, 2)))
    else:
        x = rng.choice(np.array([0.0, np.nan, np.inf, -np.inf, 1e308, -1.0, 5e-324]), size=shape)
    with np.errstate(all="ignore"):
        info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
        data = np.clip(np.nan_to_num(x), info.min, info.max).astype(dtype) if info else x.astype(dtype)
    return data, rate


@settings(max_examples=max(10, EXAMPLES * 5 // 6), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_recordings())
@example((np.full(48_000, 1e300), 16_000))  # float64 beyond float32's range: scaled, not inf
@example((np.zeros((0, 2), np.int16), 16_000))
def test_analyse_arrays(tiny, recording: tuple[np.ndarray, object]) -> None:
    data, rate = recording
    det, rea = tiny
    try:
        result = analyse(from_array(data, rate), detector=det, reason=rea)
    except BabyCryError as exc:
        assert str(exc)
        return
    assert isinstance(result, Analysis)
    assert 0.0 <= result.cry_probability <= 1.0 and np.isfinite(list(result.reasons.values())).all()
