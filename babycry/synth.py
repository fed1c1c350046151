"""A source-filter infant-cry synthesiser.

It makes the example audio in ``assets/examples/`` and gives tests signals with
a known F0 contour and harmonics.  The model, in the spirit of the classic
cry-acoustics literature:

* **source**: cry bursts (expirations) of 0.6-1.5 s, each with a rising-falling
  F0 contour around ``f0_hz`` (300-600 Hz for a healthy infant), slow random
  jitter (period-to-period F0 wobble) and shimmer (amplitude wobble); a
  harmonic series whose amplitudes fall by ``tilt_db_per_octave``;
* **filter**: parallel resonators at the vocal-tract formants (about 1000 and
  2500 Hz for an infant's short tract);
* **pauses**: short inhalations (breathy, high-passed noise) between bursts,
  over a faint room-noise floor so that no stretch is digital silence.

Everything is drawn from one ``numpy`` generator seeded by ``seed``: the same
arguments give the same samples bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import signal

from .errors import BabyCryError, InvalidParameterError

__all__ = ["SynthCry", "synth_cry", "synth_bursts", "synth_tones", "TONE_KINDS", "write_wav", "write_examples",
           "EXAMPLES", "NOT_CRY_EXAMPLES"]


@dataclass(frozen=True)
class SynthCry:
    """A synthesised cry and its ground truth.

    Attributes
    ----------
    samples : np.ndarray
        float32 mono samples, peak ``peak``.
    sample_rate : int
        Their rate in Hz.
    f0_hz : np.ndarray
        Instantaneous F0 per sample (jitter included), 0 where unvoiced.
    voiced : np.ndarray
        bool per sample: inside a cry burst.

    Examples
    --------
    >>> cry = synth_cry(seconds=1.0, seed=2)
    >>> cry.duration_s, bool(cry.voiced.any())
    (1.0, True)
    """

    samples: np.ndarray
    sample_rate: int
    f0_hz: np.ndarray
    voiced: np.ndarray

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.samples.size / float(self.sample_rate)

    @property
    def f0_median_hz(self) -> float:
        """Median F0 over the voiced samples."""
        return float(np.median(self.f0_hz[self.voiced])) if self.voiced.any() else float("nan")


def _smooth_noise(rng: np.random.Generator, n: int, *, sample_rate: int, cutoff_hz: float) -> np.ndarray:
    """Unit-variance noise low-passed at ``cutoff_hz`` (slow random wobble)."""
    white = rng.standard_normal(n + 2048)
    sos = signal.butter(2, cutoff_hz, btype="lowpass", fs=sample_rate, output="sos")
    out = signal.sosfilt(sos, white)[2048:]
    std = float(np.std(out))
    return out / std if std > 0 else out


def _check(name: str, value: float, low: float, high: float) -> float:
    if not (np.isfinite(value) and low <= value <= high):
        raise InvalidParameterError(f"{name} must lie in [{low:g}, {high:g}], got {value!r}.")
    return float(value)


def _check_sample_rate(sample_rate: int) -> None:
    if not isinstance(sample_rate, (int, np.integer)) or not 8_000 <= sample_rate <= 96_000:
        raise InvalidParameterError(f"sample_rate must be a whole number of Hz in [8000, 96000], got {sample_rate!r}.")


def _scale_to_peak(x: np.ndarray, peak: float) -> np.ndarray:
    """``x`` scaled so that its largest magnitude is ``peak``, as float32 (silence stays silence)."""
    return (x * (peak / max(float(np.max(np.abs(x))), 1e-12))).astype(np.float32)


def synth_cry(
    *,
    seconds: float = 7.0,
    sample_rate: int = 16_000,
    f0_hz: float = 450.0,
    seed: int = 0,
    f0_swing: float = 0.25,
    jitter: float = 0.01,
    shimmer: float = 0.1,
    tilt_db_per_octave: float = -9.0,
    formants_hz: Sequence[float] = (1000.0, 2500.0),
    formant_bandwidths_hz: Sequence[float] = (250.0, 400.0),
    burst_seconds: tuple[float, float] = (0.6, 1.5),
    pause_seconds: tuple[float, float] = (0.15, 0.45),
    noise_dbfs: float = -55.0,
    peak: float = 0.7,
) -> SynthCry:
    """Synthesise an infant cry with a known F0 contour.

    Parameters
    ----------
    seconds : float
        Total length, 0.5-600 s.
    sample_rate : int
        Output rate in Hz (8000-96000).
    f0_hz : float
        Median F0, 100-1500 Hz (healthy infants: 300-600 Hz).
    seed : int
        Seed of the one random generator used.
    f0_swing : float
        Depth of each burst's rise-and-fall: the contour spans ``swing · f0`` (fast rise, plateau, fall).
    jitter : float
        Relative standard deviation of the F0 wobble (0.01 = 1 %).
    shimmer : float
        Relative standard deviation of the amplitude wobble.
    tilt_db_per_octave : float
        Slope of the harmonic amplitudes (negative: upper harmonics weaker).
    formants_hz, formant_bandwidths_hz : sequence of float
        Resonance centres and bandwidths of the vocal-tract filter.
    burst_seconds, pause_seconds : (float, float)
        Ranges the burst and inhalation/pause lengths are drawn from.
    noise_dbfs : float
        Level of the background noise floor (RMS, dBFS).
    peak : float
        Peak amplitude of the result, in (0, 1].

    Returns
    -------
    SynthCry

    Raises
    ------
    InvalidParameterError
        If any option is out of range (the message echoes the value).

    Examples
    --------
    >>> cry = synth_cry(seconds=2.0, seed=1)
    >>> cry.samples.dtype, cry.samples.shape, cry.sample_rate
    (dtype('float32'), (32000,), 16000)
    >>> 300 < cry.f0_median_hz < 600
    True
    >>> bool((synth_cry(seconds=2.0, seed=1).samples == cry.samples).all())
    True
    """
    seconds = _check("seconds", seconds, 0.5, 600.0)
    _check_sample_rate(sample_rate)
    f0_hz = _check("f0_hz", f0_hz, 100.0, 1500.0)
    f0_swing = _check("f0_swing", f0_swing, 0.0, 1.0)
    jitter = _check("jitter", jitter, 0.0, 0.1)
    shimmer = _check("shimmer", shimmer, 0.0, 0.5)
    tilt = _check("tilt_db_per_octave", tilt_db_per_octave, -24.0, 0.0)
    peak = _check("peak", peak, 1e-3, 1.0)
    noise_dbfs = _check("noise_dbfs", noise_dbfs, -120.0, -10.0)
    if len(formants_hz) != len(formant_bandwidths_hz):
        raise InvalidParameterError(
            f"formants_hz and formant_bandwidths_hz must have the same length, got {len(formants_hz)} "
            f"and {len(formant_bandwidths_hz)}."
        )
    for lo_hi, label in ((burst_seconds, "burst_seconds"), (pause_seconds, "pause_seconds")):
        if len(lo_hi) != 2 or not (0 < lo_hi[0] <= lo_hi[1] <= 10):
            raise InvalidParameterError(f"{label} must be (low, high) with 0 < low <= high <= 10 s, got {lo_hi!r}.")
    nyquist = sample_rate / 2.0
    for fc, bw in zip(formants_hz, formant_bandwidths_hz, strict=True):
        if not (0 < fc < nyquist and 0 < bw < fc):
            raise InvalidParameterError(
                f"Each formant needs 0 < bandwidth < centre < {nyquist:g} Hz; got centre={fc!r}, bandwidth={bw!r}."
            )

    rng = np.random.default_rng(seed)
    n = int(round(seconds * sample_rate))
    f0 = np.zeros(n)
    envelope = np.zeros(n)
    voiced = np.zeros(n, dtype=bool)
    breath = np.zeros(n)

    # Lay out bursts and pauses; a short lead-in so the clip does not start mid-burst.
    pos = int(rng.uniform(0.05, 0.2) * sample_rate)
    while pos < n:
        length = int(rng.uniform(*burst_seconds) * sample_rate)
        end = min(n, pos + length)
        m = end - pos
        if m < int(0.1 * sample_rate):
            break
        u = np.linspace(0.0, 1.0, m)
        centre = f0_hz * rng.uniform(0.93, 1.07)
        # Rising-falling contour, its apex somewhere in the first half (typical of cry expirations).
        apex = rng.uniform(0.3, 0.55)
        shape = np.where(u < apex, u / apex, (1.0 - u) / (1.0 - apex))
        # sin(pi/2 * shape) with shape uniform on [0, 1] has median sin(pi/4): subtracting it puts the
        # contour's median at ``centre``, so ``f0_hz`` is the median F0 the tracker should report.
        f0[pos:end] = centre * (1.0 + f0_swing * (np.sin(shape * np.pi / 2.0) - np.sin(np.pi / 4.0)))
        attack, release = int(0.04 * sample_rate), int(0.08 * sample_rate)
        env = np.ones(m)
        env[: min(attack, m)] = np.linspace(0.0, 1.0, min(attack, m))
        tail = max(0, m - release)
        env[tail:] = np.minimum(env[tail:], np.linspace(1.0, 0.0, m - tail))
        envelope[pos:end] = env * rng.uniform(0.75, 1.0)
        voiced[pos:end] = True
        pos = end
        pause = int(rng.uniform(*pause_seconds) * sample_rate)
        stop = min(n, pos + pause)
        if stop - pos > 16:  # an inhalation: a soft breathy swell
            breath[pos:stop] = np.hanning(stop - pos) * rng.uniform(0.04, 0.08)
        pos = stop

    # Jitter and shimmer as slow wobbles (~30 Hz), scaled to the requested relative std.
    f0_true = f0 * (1.0 + jitter * _smooth_noise(rng, n, sample_rate=sample_rate, cutoff_hz=30.0))
    f0_true[~voiced] = 0.0
    amp = envelope * np.clip(1.0 + shimmer * _smooth_noise(rng, n, sample_rate=sample_rate, cutoff_hz=30.0), 0.0, None)

    phase = 2.0 * np.pi * np.cumsum(f0_true) / sample_rate
    source = np.zeros(n)
    max_k = int(nyquist // max(1.0, f0_hz * (1.0 - f0_swing) * 0.9))
    for k in range(1, max_k + 1):
        gain = 10.0 ** (tilt * np.log2(k) / 20.0)
        below = k * f0_true < 0.9 * nyquist  # no harmonic is allowed to alias
        source += gain * np.sin(k * phase + rng.uniform(0, 2 * np.pi)) * below
    source *= amp

    # Vocal-tract filter: the direct path plus parallel formant resonators.
    out = 0.35 * source
    for fc, bw in zip(formants_hz, formant_bandwidths_hz, strict=True):
        b, a = signal.iirpeak(fc, fc / bw, fs=sample_rate)
        out += signal.lfilter(b, a, source)

    inhale_sos = signal.butter(2, [min(1500.0, 0.4 * nyquist), min(5000.0, 0.9 * nyquist)], btype="bandpass",
                               fs=sample_rate, output="sos")
    out += breath * signal.sosfilt(inhale_sos, rng.standard_normal(n)) * 3.0
    out /= max(float(np.max(np.abs(out))), 1e-12)
    out += 10.0 ** (noise_dbfs / 20.0) * rng.standard_normal(n)
    return SynthCry(
        samples=_scale_to_peak(out, peak),
        sample_rate=int(sample_rate),
        f0_hz=f0_true.astype(np.float32),
        voiced=voiced,
    )


def synth_bursts(
    *,
    seconds: float = 2.0,
    sample_rate: int = 16_000,
    seed: int = 0,
    n_bursts: tuple[int, int] = (1, 4),
    burst_seconds: tuple[float, float] = (0.12, 0.45),
    decay_seconds: tuple[float, float] = (0.03, 0.15),
    voicing: float = 0.2,
    peak: float = 0.7,
) -> np.ndarray:
    """Synthesise cough- or sneeze-like noise bursts: sharp onset, fast decay, resonant colouring.

    Each burst is noise (mixed with a little low voicing, ``voicing``) shaped by a
    5-15 ms attack and an exponential decay and coloured by two random
    resonances; bursts are separated by silent gaps.  The detector trains on
    these as non-cries: human, loud and abrupt, but never sustained high-pitched
    phonation.

    Parameters
    ----------
    seconds : float
        Total length, 0.2-60 s.
    sample_rate : int
        Output rate in Hz (8000-96000).
    seed : int
        Seed of the random generator.
    n_bursts : (int, int)
        Range of the number of bursts (inclusive).
    burst_seconds, decay_seconds : (float, float)
        Ranges of each burst's length and its decay time constant.
    voicing : float
        Share (0-1) of a 100-300 Hz buzz in each burst's source.
    peak : float
        Peak amplitude of the result, in (0, 1].

    Returns
    -------
    np.ndarray
        float32 samples.

    Raises
    ------
    InvalidParameterError
        If any option is out of range.

    Examples
    --------
    >>> x = synth_bursts(seconds=1.5, seed=2)
    >>> x.dtype, x.shape, round(float(abs(x).max()), 2)
    (dtype('float32'), (24000,), 0.7)
    """
    seconds = _check("seconds", seconds, 0.2, 60.0)
    _check_sample_rate(sample_rate)
    voicing = _check("voicing", voicing, 0.0, 1.0)
    peak = _check("peak", peak, 1e-3, 1.0)
    if len(n_bursts) != 2 or not (1 <= n_bursts[0] <= n_bursts[1] <= 50):
        raise InvalidParameterError(f"n_bursts must be (low, high) with 1 <= low <= high <= 50, got {n_bursts!r}.")
    for lo_hi, label in ((burst_seconds, "burst_seconds"), (decay_seconds, "decay_seconds")):
        if len(lo_hi) != 2 or not (0 < lo_hi[0] <= lo_hi[1] <= 5):
            raise InvalidParameterError(f"{label} must be (low, high) with 0 < low <= high <= 5 s, got {lo_hi!r}.")

    rng = np.random.default_rng(seed)
    n = int(round(seconds * sample_rate))
    out = np.zeros(n)
    count = int(rng.integers(n_bursts[0], n_bursts[1] + 1))
    pos = int(rng.uniform(0.0, 0.3) * sample_rate)
    nyquist = sample_rate / 2.0
    for _ in range(count):
        m = min(n - pos, int(rng.uniform(*burst_seconds) * sample_rate))
        if m < int(0.03 * sample_rate):
            break
        t = np.arange(m) / sample_rate
        attack = rng.uniform(0.005, 0.015)
        env = np.minimum(t / attack, 1.0) * np.exp(-np.maximum(t - attack, 0.0) / rng.uniform(*decay_seconds))
        src = rng.standard_normal(m)
        if voicing > 0:
            f0 = rng.uniform(100.0, 300.0) * np.linspace(1.0, rng.uniform(0.7, 1.0), m)
            buzz = signal.sawtooth(2 * np.pi * np.cumsum(f0) / sample_rate)
            src = (1.0 - voicing) * src + voicing * 2.0 * buzz
        coloured = 0.3 * src
        for _ in range(2):
            fc = rng.uniform(300.0, min(3500.0, 0.8 * nyquist))
            b, a = signal.iirpeak(fc, rng.uniform(2.0, 6.0), fs=sample_rate)
            coloured += signal.lfilter(b, a, src)
        out[pos : pos + m] += coloured * env * rng.uniform(0.5, 1.0)
        pos += m + int(rng.uniform(0.08, 0.6) * sample_rate)
        if pos >= n:
            break
    return _scale_to_peak(out, peak)


#: The machine-made tonal sounds :func:`synth_tones` makes.
TONE_KINDS: tuple[str, ...] = ("steady", "siren", "beeps", "chirps", "engine", "bell")


def synth_tones(
    *,
    seconds: float = 3.0,
    sample_rate: int = 16_000,
    seed: int = 0,
    kind: str | None = None,
    peak: float = 0.7,
) -> np.ndarray:
    """Synthesise a household tonal sound: a steady whine, a siren, beeps, bird-like chirps, an engine or bells.

    These are pitched like a cry (or higher) but not voice-like: too steady, too
    long, swept too regularly, too short or too low.  Whistles, alarms, kettles,
    sirens and motors are what a cry detector most often mistakes for a cry.

    Parameters
    ----------
    seconds : float
        Total length, 0.2-60 s.
    sample_rate : int
        Output rate in Hz (8000-96000).
    seed : int
        Seed of the random generator (it also picks the kind when ``kind`` is None).
    kind : str, optional
        One of :data:`TONE_KINDS`.
    peak : float
        Peak amplitude of the result, in (0, 1].

    Returns
    -------
    np.ndarray
        float32 samples.

    Raises
    ------
    InvalidParameterError
        If any option is out of range.

    Examples
    --------
    >>> x = synth_tones(seconds=2.0, kind="siren", seed=3)
    >>> x.dtype, x.shape, round(float(abs(x).max()), 2)
    (dtype('float32'), (32000,), 0.7)
    """
    seconds = _check("seconds", seconds, 0.2, 60.0)
    _check_sample_rate(sample_rate)
    peak = _check("peak", peak, 1e-3, 1.0)
    if kind is not None and kind not in TONE_KINDS:
        raise InvalidParameterError(f"kind must be one of {', '.join(TONE_KINDS)}, got {kind!r}.")
    rng = np.random.default_rng(seed)
    kind = kind or str(rng.choice(TONE_KINDS))
    n = int(round(seconds * sample_rate))
    t = np.arange(n) / sample_rate
    top = 0.45 * sample_rate  # keep every partial below Nyquist
    gate = np.ones(n)
    if kind == "steady":
        f0 = rng.uniform(250.0, 1500.0) * (1.0 + 0.003 * np.sin(2 * np.pi * rng.uniform(3, 7) * t))
    elif kind == "siren":
        lo = rng.uniform(300.0, 900.0)
        hi = lo * rng.uniform(1.3, 2.5)
        period = rng.uniform(0.4, 4.0)
        phase = (t / period) % 1.0
        shape = np.sin(np.pi * phase) ** 2 if rng.random() < 0.5 else phase  # wail or whoop
        f0 = lo + (hi - lo) * shape
    elif kind == "beeps":
        f0 = np.full(n, rng.uniform(500.0, 3500.0))
        on, off = rng.uniform(0.05, 0.6), rng.uniform(0.05, 0.6)
        gate = ((t % (on + off)) < on).astype(float)
    elif kind == "chirps":
        f0 = np.zeros(n)
        gate = np.zeros(n)
        pos = int(rng.uniform(0.0, 0.2) * sample_rate)
        while pos < n:
            m = min(n - pos, int(rng.uniform(0.02, 0.15) * sample_rate))
            f0[pos : pos + m] = np.linspace(rng.uniform(1500, 3800), rng.uniform(1500, 3800), m)
            gate[pos : pos + m] = np.hanning(m)
            pos += m + int(rng.uniform(0.03, 0.4) * sample_rate)
        f0[f0 == 0] = 1000.0
    elif kind == "bell":  # struck, inharmonic partials ringing down; strikes every 0.3-2 s
        out = np.zeros(n)
        base = rng.uniform(200.0, 1200.0)
        ratios = np.array([0.5, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.2]) * rng.uniform(0.97, 1.03, 8)
        period = rng.uniform(0.3, 2.0)
        for start in np.arange(rng.uniform(0.0, 0.2), seconds, period):
            tt = t[t >= start] - start
            ring = sum(np.sin(2 * np.pi * base * r * tt + rng.uniform(0, 6.3)) * np.exp(-tt / rng.uniform(0.3, 3.0))
                       / (1 + i) for i, r in enumerate(ratios) if base * r < top)
            out[t >= start] += ring
        return _scale_to_peak(out, peak)
    else:  # engine: a low harmonic series with a slow wobble, over broadband rumble
        f0 = rng.uniform(30.0, 200.0) * (1.0 + 0.05 * np.sin(2 * np.pi * rng.uniform(0.1, 1.0) * t))
    phase = 2.0 * np.pi * np.cumsum(f0) / sample_rate
    n_partials = int(rng.integers(1, 6)) if kind != "engine" else 30
    out = np.zeros(n)
    for k in range(1, n_partials + 1):
        out += (np.sin(k * phase + rng.uniform(0, 2 * np.pi)) * (k * f0 < top)) / k ** rng.uniform(0.5, 2.0)
    if kind == "engine":
        out += 0.3 * np.cumsum(rng.standard_normal(n)) / np.sqrt(n) * 10.0
    return _scale_to_peak(out * gate, peak)


def write_wav(path: str | Path, samples: np.ndarray, *, sample_rate: int, subtype: str = "PCM_16") -> Path:
    """Write mono samples to an audio file (format from the suffix: .wav, .flac, .ogg).

    Samples are clipped to [-1, 1] first, so a loud augmentation cannot wrap around.

    Parameters
    ----------
    path : str or Path
        Output file; its folder must exist.
    samples : np.ndarray
        Mono float samples.
    sample_rate : int
        Their rate in Hz.
    subtype : str
        soundfile subtype (``"PCM_16"`` by default; ignored for OGG).

    Returns
    -------
    Path

    Raises
    ------
    BabyCryError
        If the file cannot be written (missing folder, no permission, unknown suffix).

    Examples
    --------
    >>> import tempfile, os
    >>> out = write_wav(os.path.join(tempfile.mkdtemp(), "a.wav"), synth_cry(seconds=1.0).samples, sample_rate=16000)
    >>> out.stat().st_size > 30000
    True
    """
    import soundfile as sf

    path = Path(path)
    fmt = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}.get(path.suffix.lower())
    if fmt is None:
        raise BabyCryError(f"Cannot write {str(path)!r}: use a .wav, .flac or .ogg file name.")
    if fmt == "OGG":
        subtype = "VORBIS"
    if not path.parent.is_dir():
        raise BabyCryError(f"Cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist.")
    if path.is_dir():
        raise BabyCryError(f"Cannot write {str(path)!r}: it is a folder.")
    if not os.access(path.parent, os.W_OK):
        raise BabyCryError(f"Cannot write {str(path)!r}: no permission to write in {str(path.parent)!r}.")
    data = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    try:
        sf.write(str(path), data, int(sample_rate), format=fmt, subtype=subtype)
    except (OSError, sf.LibsndfileError, RuntimeError) as exc:
        raise BabyCryError(f"Cannot write {str(path)!r}: {exc}") from exc
    return path


#: The bundled examples: file name -> keyword arguments of :func:`synth_cry`.
EXAMPLES: dict[str, dict[str, float | int]] = {
    "synth_cry_7s.wav": {"seconds": 7.0, "f0_hz": 450.0, "seed": 7},
    # 3.5 s: one window and a half. The detector without the encoder's last block rejects most synthesised cries
    # shorter than a window (2.5 s, zero-padded: median P(cry) 0.2 over 12 seeds) though not real ones cut as short
    # (docs/experiments.md, "Without the last block")
    "synth_cry_short.wav": {"seconds": 3.5, "f0_hz": 420.0, "seed": 3},
    "synth_cry_high_pitch.wav": {"seconds": 5.0, "f0_hz": 650.0, "seed": 11, "f0_swing": 0.35},
}

#: The bundled example that is not a cry: file name -> keyword arguments of :func:`synth_bursts` (coughs).
NOT_CRY_EXAMPLES: dict[str, dict[str, Any]] = {
    "synth_coughs.wav": {"seconds": 5.0, "seed": 2, "n_bursts": (4, 6)},
}


def write_examples(out_dir: str | Path = "assets/examples", *, sample_rate: int = 16_000) -> list[Path]:
    """(Re)write the bundled examples (the cries of :data:`EXAMPLES`, then the coughs of :data:`NOT_CRY_EXAMPLES`):
    16-bit mono WAVs, reproducible bit for bit.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing).
    sample_rate : int
        Rate of the files in Hz.

    Returns
    -------
    list of Path
        The files written, in :data:`EXAMPLES` then :data:`NOT_CRY_EXAMPLES` order.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_examples(tempfile.mkdtemp())]
    ['synth_cry_7s.wav', 'synth_cry_short.wav', 'synth_cry_high_pitch.wav', 'synth_coughs.wav']
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BabyCryError(f"Cannot create the folder {str(out)!r}: {exc}") from exc
    written = []
    for name, kwargs in EXAMPLES.items():
        cry = synth_cry(sample_rate=sample_rate, **kwargs)  # type: ignore[arg-type]
        written.append(write_wav(out / name, cry.samples, sample_rate=sample_rate))
    for name, kwargs in NOT_CRY_EXAMPLES.items():
        written.append(write_wav(out / name, synth_bursts(sample_rate=sample_rate, **kwargs), sample_rate=sample_rate))
    return written
