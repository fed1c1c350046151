"""Named augmentations built on audiomentations, with validated parameters.

Each augmentation is one class (a subclass of :class:`Augmentation`) that
declares its parameters as :class:`Param` records (name, range, default,
unit, description; the app builds its sliders from them), builds the
audiomentations transform, and reads back the parameters the transform
actually used.  Every parameter is either *fixed* (``min == max``, applied with
probability 1: an exact preview) or drawn from a *range* (training).

audiomentations draws its random numbers from the global ``random`` and
``numpy.random`` generators; :func:`apply` seeds both under a lock and
restores their previous state, so a seeded call is reproducible and leaves the
caller's random state alone.

Background noise needs no dataset: the project generates pink and brown noise,
a fan-like rumble and 50/60 Hz mains hum with harmonics, written once at the
target rate into a cache folder (``BABYCRY_CACHE``, else ``~/.cache/babycry``).
When a data folder is given, its ``negatives/noise`` recordings (ESC-50 clips)
are used as well.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import random
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import soundfile as sf
from audiomentations import (
    AddBackgroundNoise,
    AddGaussianSNR,
    BandPassFilter,
    Compose,
    Gain,
    PitchShift,
    TimeStretch,
)
from audiomentations.core.transforms_interface import BaseWaveformTransform
from scipy import signal

from .audio import resample
from .errors import InvalidAudioError, InvalidParameterError

__all__ = [
    "Param",
    "AugmentResult",
    "Augmentation",
    "TimeStretchAugmentation",
    "PitchShiftAugmentation",
    "BackgroundNoiseAugmentation",
    "GaussianNoiseAugmentation",
    "GainAugmentation",
    "BandPassAugmentation",
    "PhoneCodecAugmentation",
    "REGISTRY",
    "available",
    "get",
    "describe",
    "apply",
    "training_pipeline",
    "seeded",
    "make_noise",
    "NOISE_KINDS",
    "background_noise_files",
]

# audiomentations uses the process-wide generators: one lock serialises seeded use of them.
_RANDOM_LOCK = threading.RLock()


# --------------------------------------------------------------------------- #
# Parameters and results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Param:
    """One parameter of an augmentation: its range, default and meaning.

    Attributes
    ----------
    name : str
        Keyword used in ``params`` / ``ranges`` and on the command line.
    min, max : float
        Inclusive range of allowed values.
    default : float
        Value used when the caller gives none.
    unit : str
        Unit shown next to the slider (``"dB"``, ``"Hz"``, ``"×"``…).
    description : str
        One sentence for the UI.
    step : float or None
        Values must be multiples of ``step`` (e.g. a filter roll-off), or None.

    Examples
    --------
    >>> p = Param("gain_db", -24.0, 12.0, 0.0, "dB", "Volume change.")
    >>> p.check(3)
    3.0
    >>> p.check(20)
    Traceback (most recent call last):
    ...
    babycry.errors.InvalidParameterError: gain_db must lie in [-24, 12] dB, got 20.
    """

    name: str
    min: float
    max: float
    default: float
    unit: str
    description: str
    step: float | None = None

    def check(self, value: Any, *, augmentation: str = "") -> float:
        """Return ``value`` as a float, or raise :class:`InvalidParameterError` echoing it.

        Parameters
        ----------
        value : number or numeric string
            The value to check (strings come from the command line).
        augmentation : str
            Name prefixed to the error message.

        Returns
        -------
        float

        Examples
        --------
        >>> Param("rolloff", 6, 48, 12, "dB/octave", "Slope.", step=6).check("18")
        18.0
        """
        where = f"{augmentation}: " if augmentation else ""
        if isinstance(value, bool):
            raise InvalidParameterError(f"{where}{self.name} must be a number, got {value!r}.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidParameterError(f"{where}{self.name} must be a number, got {value!r}.") from None
        if not math.isfinite(number) or not self.min <= number <= self.max:
            raise InvalidParameterError(
                f"{where}{self.name} must lie in [{self.min:g}, {self.max:g}] {self.unit}, got {value!r}."
            )
        if self.step is not None and not math.isclose(number / self.step, round(number / self.step), abs_tol=1e-9):
            raise InvalidParameterError(f"{where}{self.name} must be a multiple of {self.step:g}, got {value!r}.")
        return number

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for JSON / UI builders).

        Examples
        --------
        >>> Param("gain_db", -24.0, 12.0, 0.0, "dB", "Volume change.").to_dict()["max"]
        12.0
        """
        return asdict(self)


@dataclass(frozen=True)
class AugmentResult:
    """What :func:`apply` returns.

    Attributes
    ----------
    samples : np.ndarray
        Augmented float32 mono samples (same length as the input).
    sample_rate : int
        Their rate in Hz.
    name : str
        The augmentation's registry name.
    params_used : dict
        The parameters actually applied, read back from the transform (empty
        when a random-mode transform with ``p < 1`` chose not to apply).
    applied : bool
        Whether the transform changed the signal.
    seed : int or None
        The seed the call used.

    Examples
    --------
    >>> import numpy as np
    >>> r = apply(np.full(1000, 0.1, np.float32), sample_rate=16000, name="gain", params={"gain_db": 0})
    >>> r.name, r.applied, r.samples.shape
    ('gain', True, (1000,))
    """

    samples: np.ndarray
    sample_rate: int
    name: str
    params_used: dict[str, Any] = field(default_factory=dict)
    applied: bool = True
    seed: int | None = None


# --------------------------------------------------------------------------- #
# Seeding
# --------------------------------------------------------------------------- #
@contextlib.contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed ``random`` and ``numpy.random`` for the block, then restore their state.

    audiomentations draws from these global generators (it takes no
    ``Generator``), so this is how its transforms are made reproducible.  The
    block holds a process-wide lock so that two threads (e.g. two Gradio
    requests) cannot interleave their draws.  ``seed=None`` only takes the lock.

    Parameters
    ----------
    seed : int or None
        Seed for both generators.

    Examples
    --------
    >>> import numpy as np
    >>> with seeded(3):
    ...     a = np.random.rand()
    >>> with seeded(3):
    ...     b = np.random.rand()
    >>> a == b
    True
    """
    with _RANDOM_LOCK:
        if seed is None:
            yield
            return
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**32:
            raise InvalidParameterError(f"seed must be a whole number in [0, 2**32), got {seed!r}.")
        py_state, np_state = random.getstate(), np.random.get_state()
        random.seed(int(seed))
        np.random.seed(int(seed))
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)


# --------------------------------------------------------------------------- #
# Generated background noise
# --------------------------------------------------------------------------- #
#: Noise the project generates, so that background noise works with no dataset.
NOISE_KINDS: tuple[str, ...] = ("pink", "brown", "fan", "hum50", "hum60")


def make_noise(kind: str, *, seconds: float = 10.0, sample_rate: int = 16_000, seed: int = 0) -> np.ndarray:
    """Generate household-like noise, peak-normalised to 0.5.

    ``pink`` (1/f power), ``brown`` (1/f², a rumble), ``fan`` (low-passed
    noise with a slow wobble), ``hum50`` / ``hum60`` (mains hum: the
    fundamental and its first harmonics, over a faint noise floor).

    Parameters
    ----------
    kind : str
        One of :data:`NOISE_KINDS`.
    seconds : float
        Length.
    sample_rate : int
        Rate in Hz.
    seed : int
        Seed of the generator.

    Returns
    -------
    np.ndarray
        float32 samples.

    Examples
    --------
    >>> x = make_noise("hum50", seconds=1.0, sample_rate=8000)
    >>> x.shape, float(abs(x).max())
    ((8000,), 0.5)
    """
    if kind not in NOISE_KINDS:
        raise InvalidParameterError(f"Unknown noise kind {kind!r}; choose one of {', '.join(NOISE_KINDS)}.")
    if not (seconds > 0 and sample_rate > 0):
        raise InvalidParameterError(f"seconds and sample_rate must be positive, got {seconds!r}, {sample_rate!r}.")
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sample_rate))
    if kind in ("pink", "brown"):
        spectrum = np.fft.rfft(rng.standard_normal(n))
        freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
        freqs[0] = freqs[1]
        spectrum /= freqs ** (0.5 if kind == "pink" else 1.0)
        spectrum[0] = 0.0
        x = np.fft.irfft(spectrum, n)
    elif kind == "fan":
        sos = signal.butter(4, min(600.0, 0.4 * sample_rate), btype="lowpass", fs=sample_rate, output="sos")
        wobble = 1.0 + 0.2 * np.sin(2 * np.pi * 0.7 * np.arange(n) / sample_rate)
        x = signal.sosfilt(sos, rng.standard_normal(n)) * wobble
    else:
        mains = 50.0 if kind == "hum50" else 60.0
        t = np.arange(n) / sample_rate
        x = 0.01 * rng.standard_normal(n)
        for k, amp in ((1, 1.0), (2, 0.5), (3, 0.35), (4, 0.15), (5, 0.1)):
            if k * mains < sample_rate / 2:
                x += amp * np.sin(2 * np.pi * k * mains * t + rng.uniform(0, 2 * np.pi))
    x = x - x.mean()
    return (0.5 * x / max(float(np.max(np.abs(x))), 1e-12)).astype(np.float32)


def _cache_root() -> Path:
    env = os.environ.get("BABYCRY_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "babycry"


def _write_atomically(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    # Several processes (tests, the app, training) may fill the cache at once: write then rename.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".wav")
    os.close(fd)
    try:
        sf.write(tmp, samples, sample_rate, subtype="FLOAT")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _writable_cache(sample_rate: int, cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        candidates = [Path(cache_dir)]
    else:
        candidates = [_cache_root(), Path(tempfile.gettempdir()) / "babycry"]
    for root in candidates:
        folder = root / "noise" / f"{int(sample_rate)}Hz"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    tried = ", ".join(str(c) for c in candidates)
    raise InvalidParameterError(f"No writable cache folder for background noise (tried {tried}).")


def background_noise_files(
    *,
    sample_rate: int = 16_000,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> list[Path]:
    """Noise files at ``sample_rate`` for :class:`BackgroundNoiseAugmentation`.

    Always the generated noises (:data:`NOISE_KINDS`, 10 s each, written once
    into the cache); plus, when ``data_dir`` holds ``negatives/noise``, its
    recordings — used in place when already at ``sample_rate`` (the shared
    data is 16 kHz FLAC), otherwise resampled once into the cache, so that
    audiomentations never resamples (and warns) at mixing time.

    Parameters
    ----------
    sample_rate : int
        Rate the noise must have (the rate of the audio it is mixed into).
    data_dir : path, optional
        A data folder (the one with ``manifest.csv``).
    cache_dir : path, optional
        Where generated/resampled noise is kept (default ``BABYCRY_CACHE`` or ``~/.cache/babycry``).

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile
    >>> files = background_noise_files(sample_rate=8000, cache_dir=tempfile.mkdtemp())
    >>> sorted(p.stem for p in files)
    ['brown', 'fan', 'hum50', 'hum60', 'pink']
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise InvalidParameterError(f"sample_rate must be a positive whole number of Hz, got {sample_rate!r}.")
    folder = _writable_cache(sample_rate, cache_dir)
    files = []
    for i, kind in enumerate(NOISE_KINDS):
        path = folder / f"{kind}.wav"
        if not path.exists():
            _write_atomically(path, make_noise(kind, seconds=10.0, sample_rate=sample_rate, seed=i), sample_rate)
        files.append(path)
    if data_dir is not None:
        noise_dir = Path(data_dir) / "negatives" / "noise"
        if noise_dir.is_dir():
            recorded = sorted(p for p in noise_dir.iterdir() if p.suffix.lower() in (".flac", ".wav", ".ogg"))
            key = hashlib.sha1(str(noise_dir.resolve()).encode()).hexdigest()[:10]
            for path in recorded:
                try:
                    rate = sf.info(str(path)).samplerate
                except (sf.LibsndfileError, RuntimeError):
                    continue  # an unreadable file is skipped, not fatal
                if rate == sample_rate:
                    files.append(path)
                    continue
                target = folder / f"data-{key}" / f"{path.stem}.wav"
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
                    _write_atomically(target, resample(data.mean(axis=1), orig_sr=rate, target_sr=sample_rate),
                                      sample_rate)
                files.append(target)
    return files


# --------------------------------------------------------------------------- #
# The augmentations
# --------------------------------------------------------------------------- #
class Augmentation:
    """Base class: one named augmentation, its parameters and its audiomentations transform.

    Subclasses set :attr:`name`, :attr:`description`, :attr:`params` and
    :attr:`training_ranges`, and implement :meth:`_build` and :meth:`_read`.

    Examples
    --------
    >>> aug = get("gain")
    >>> aug.resolve({"gain_db": 6})
    {'gain_db': (6.0, 6.0)}
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    #: The ranges the training pipeline draws from (the origin project's where it had one).
    training_ranges: ClassVar[dict[str, tuple[float, float]]] = {}

    def param(self, name: str) -> Param:
        """The :class:`Param` called ``name``.

        Raises
        ------
        InvalidParameterError
            If there is none (the message lists the valid names).

        Examples
        --------
        >>> get("band_pass").param("rolloff").step
        6.0
        """
        for p in self.params:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.params)
        raise InvalidParameterError(f"{self.name} has no parameter {name!r}; its parameters are: {valid}.")

    def resolve(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        ranges: Mapping[str, Sequence[Any]] | None = None,
    ) -> dict[str, tuple[float, float]]:
        """Validate and merge fixed ``params`` and random ``ranges`` into ``{name: (low, high)}``.

        A parameter in ``params`` is fixed (``low == high``); one in ``ranges``
        is drawn uniformly from ``(low, high)``; any other takes its default.

        Parameters
        ----------
        params : mapping, optional
            Fixed values.
        ranges : mapping, optional
            ``(low, high)`` per parameter.

        Returns
        -------
        dict
            ``{name: (low, high)}`` for every parameter.

        Examples
        --------
        >>> get("band_pass").resolve({"centre_hz": 1000}, ranges={"rolloff": (6, 24)})
        {'centre_hz': (1000.0, 1000.0), 'bandwidth_fraction': (1.33, 1.33), 'rolloff': (6.0, 24.0)}
        """
        params = dict(params or {})
        ranges = dict(ranges or {})
        for key in list(params) + list(ranges):
            self.param(key)  # unknown names fail here with the list of valid ones
        both = sorted(set(params) & set(ranges))
        if both:
            raise InvalidParameterError(f"{self.name}: {', '.join(both)} given both as a value and as a range.")
        out: dict[str, tuple[float, float]] = {}
        for p in self.params:
            if p.name in ranges:
                bounds = ranges[p.name]
                if isinstance(bounds, (str, bytes)) or len(bounds) != 2:
                    raise InvalidParameterError(
                        f"{self.name}: the range of {p.name} must be (low, high), got {bounds!r}."
                    )
                low, high = (p.check(v, augmentation=self.name) for v in bounds)
                if low > high:
                    raise InvalidParameterError(f"{self.name}: the range of {p.name} is empty: {bounds!r}.")
                out[p.name] = (low, high)
            else:
                value = p.check(params.get(p.name, p.default), augmentation=self.name)
                out[p.name] = (value, value)
        return out

    def transform(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        ranges: Mapping[str, Sequence[Any]] | None = None,
        p: float = 1.0,
        sample_rate: int = 16_000,
        data_dir: str | os.PathLike | None = None,
    ) -> BaseWaveformTransform:
        """Build the audiomentations transform (fixed where ``params``, random where ``ranges``).

        Parameters
        ----------
        params, ranges : mapping, optional
            As in :meth:`resolve`.
        p : float
            Probability the transform is applied (1 for a preview).
        sample_rate : int
            Rate of the audio it will see.
        data_dir : path, optional
            Data folder (background noise only).

        Returns
        -------
        audiomentations transform

        Examples
        --------
        >>> t = get("pitch_shift").transform({"semitones": 2})
        >>> type(t).__name__, t.min_semitones, t.max_semitones, t.p
        ('PitchShift', 2.0, 2.0, 1.0)
        """
        if not 0.0 <= float(p) <= 1.0:
            raise InvalidParameterError(f"{self.name}: the probability p must lie in [0, 1], got {p!r}.")
        bounds = self.resolve(params, ranges=ranges)
        self._check_rate(bounds, sample_rate)
        return self._build(bounds, p=float(p), sample_rate=sample_rate, data_dir=data_dir)

    def read_params(self, transform: BaseWaveformTransform, samples: np.ndarray) -> dict[str, Any]:
        """The parameters ``transform`` last applied to ``samples`` (its input), in this spec's names.

        Returns an empty dict when the transform chose not to apply (``p < 1``).

        Examples
        --------
        >>> import numpy as np
        >>> aug = get("gain")
        >>> t = aug.transform({"gain_db": -6})
        >>> x = np.ones(100, np.float32)
        >>> _ = t(x, sample_rate=16000)
        >>> round(aug.read_params(t, x)["gain_db"], 6)
        -6.0
        """
        if not transform.parameters.get("should_apply"):
            return {}
        return self._read(transform, samples)

    def to_dict(self) -> dict[str, Any]:
        """Name, description and parameters as plain data (for the UI and ``babycry augment --list``).

        Examples
        --------
        >>> get("gain").to_dict()["training_ranges"]
        {'gain_db': [-12.0, 6.0]}
        """
        return {
            "name": self.name,
            "description": self.description,
            "params": [p.to_dict() for p in self.params],
            "training_ranges": {k: list(v) for k, v in self.training_ranges.items()},
        }

    # -- for subclasses --------------------------------------------------- #
    def _check_rate(self, bounds: dict[str, tuple[float, float]], sample_rate: int) -> None:
        """Reject settings that make no sense at ``sample_rate`` (default: none)."""

    def _build(
        self, bounds: dict[str, tuple[float, float]], *, p: float, sample_rate: int, data_dir: Any
    ) -> BaseWaveformTransform:
        raise NotImplementedError

    def _read(self, transform: BaseWaveformTransform, samples: np.ndarray) -> dict[str, Any]:
        raise NotImplementedError


class TimeStretchAugmentation(Augmentation):
    """Speed up or slow down without changing pitch (length kept: the result is cropped or padded).

    Examples
    --------
    >>> TimeStretchAugmentation().param("rate").default
    1.0
    """

    name = "time_stretch"
    description = "Speed the cry up (rate > 1) or slow it down (rate < 1) without changing its pitch."
    params = (Param("rate", 0.7, 1.4, 1.0, "×", "Playback speed factor."),)
    training_ranges = {"rate": (0.9, 1.1)}

    def _build(self, bounds, *, p, sample_rate, data_dir):
        low, high = bounds["rate"]
        return TimeStretch(min_rate=low, max_rate=high, leave_length_unchanged=True, p=p)

    def _read(self, transform, samples):
        return {"rate": float(transform.parameters["rate"])}


class PitchShiftAugmentation(Augmentation):
    """Shift the pitch by a number of semitones, keeping the tempo.

    Examples
    --------
    >>> PitchShiftAugmentation().training_ranges
    {'semitones': (-1.1, 1.1)}
    """

    name = "pitch_shift"
    description = "Raise or lower the pitch (a higher or deeper cry) without changing its speed."
    params = (Param("semitones", -6.0, 6.0, 0.0, "semitones", "Pitch change; 12 semitones is an octave."),)
    training_ranges = {"semitones": (-1.1, 1.1)}

    def _build(self, bounds, *, p, sample_rate, data_dir):
        low, high = bounds["semitones"]
        return PitchShift(min_semitones=low, max_semitones=high, p=p)

    def _read(self, transform, samples):
        return {"semitones": float(transform.parameters["num_semitones"])}


class BackgroundNoiseAugmentation(Augmentation):
    """Mix in a background noise recording at a signal-to-noise ratio.

    The noise comes from :func:`background_noise_files`: generated noise
    always, plus ``<data_dir>/negatives/noise`` when a data folder is given.
    Which file and which offset are drawn at random (seeded).

    Examples
    --------
    >>> BackgroundNoiseAugmentation().param("snr_db").unit
    'dB'
    """

    name = "background_noise"
    description = "Add household background noise (hum, fan, rumble, recorded noises) at a given signal-to-noise ratio."
    params = (Param("snr_db", -5.0, 40.0, 10.0, "dB", "Signal-to-noise ratio; lower means louder noise."),)
    training_ranges = {"snr_db": (3.0, 30.0)}

    def _build(self, bounds, *, p, sample_rate, data_dir):
        low, high = bounds["snr_db"]
        files = background_noise_files(sample_rate=sample_rate, data_dir=data_dir)
        return AddBackgroundNoise(sounds_path=[str(f) for f in files], min_snr_db=low, max_snr_db=high, p=p)

    def _read(self, transform, samples):
        return {
            "snr_db": float(transform.parameters["snr_db"]),
            "noise_file": Path(transform.parameters["noise_file_path"]).name,
            "noise_offset_s": round(float(transform.parameters["offset"]), 3),
        }


class GaussianNoiseAugmentation(Augmentation):
    """Add white Gaussian noise at a signal-to-noise ratio.

    Examples
    --------
    >>> GaussianNoiseAugmentation().param("snr_db").max
    60.0
    """

    name = "gaussian_noise"
    description = "Add white (hiss-like) noise at a given signal-to-noise ratio."
    params = (Param("snr_db", 0.0, 60.0, 20.0, "dB", "Signal-to-noise ratio; lower means louder hiss."),)
    training_ranges = {"snr_db": (10.0, 40.0)}

    def _build(self, bounds, *, p, sample_rate, data_dir):
        low, high = bounds["snr_db"]
        return AddGaussianSNR(min_snr_db=low, max_snr_db=high, p=p)

    def _read(self, transform, samples):
        # audiomentations stores the noise level, not the SNR it drew: recover the SNR from both RMS values.
        clean_rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
        std = float(transform.parameters["noise_std"])
        snr = 20.0 * math.log10(clean_rms / std) if std > 0 and clean_rms > 0 else float("inf")
        return {"snr_db": snr, "noise_std": std}


class GainAugmentation(Augmentation):
    """Make the recording louder or quieter.

    Examples
    --------
    >>> GainAugmentation().param("gain_db").min
    -24.0
    """

    name = "gain"
    description = "Make the recording louder or quieter (a baby nearer to or further from the phone)."
    params = (Param("gain_db", -24.0, 12.0, 0.0, "dB", "Volume change; +6 dB doubles the amplitude."),)
    training_ranges = {"gain_db": (-12.0, 6.0)}

    def _build(self, bounds, *, p, sample_rate, data_dir):
        low, high = bounds["gain_db"]
        return Gain(min_gain_db=low, max_gain_db=high, p=p)

    def _read(self, transform, samples):
        return {"gain_db": 20.0 * math.log10(float(transform.parameters["amplitude_ratio"]))}


class BandPassAugmentation(Augmentation):
    """Butterworth band-pass filter (audiomentations' ``BandPassFilter``, not zero-phase).

    The pass band is ``centre_hz ± centre_hz · bandwidth_fraction / 2``, like
    :class:`babycry.config.BandPassConfig`; its upper edge must stay below the
    Nyquist frequency of the audio.

    Examples
    --------
    >>> [p.name for p in BandPassAugmentation().params]
    ['centre_hz', 'bandwidth_fraction', 'rolloff']
    """

    name = "band_pass"
    description = "Keep only a band of frequencies, like a small phone speaker or microphone."
    params = (
        Param("centre_hz", 200.0, 3500.0, 1500.0, "Hz", "Centre of the pass band."),
        Param("bandwidth_fraction", 0.2, 1.99, 1.33, "× centre", "Width of the pass band relative to its centre."),
        Param("rolloff", 6.0, 48.0, 12.0, "dB/octave", "Steepness of the filter skirts.", step=6.0),
    )
    training_ranges = {"centre_hz": (800.0, 2500.0), "bandwidth_fraction": (1.0, 1.99), "rolloff": (6.0, 24.0)}

    def _check_rate(self, bounds, sample_rate):
        high_edge = bounds["centre_hz"][1] * (1.0 + bounds["bandwidth_fraction"][1] / 2.0)
        if high_edge >= sample_rate / 2.0:
            raise InvalidParameterError(
                f"band_pass: the upper band edge ({high_edge:g} Hz) must stay below half the sample rate "
                f"({sample_rate / 2:g} Hz); lower centre_hz or bandwidth_fraction."
            )

    def _build(self, bounds, *, p, sample_rate, data_dir):
        return BandPassFilter(
            min_center_freq=bounds["centre_hz"][0],
            max_center_freq=bounds["centre_hz"][1],
            min_bandwidth_fraction=bounds["bandwidth_fraction"][0],
            max_bandwidth_fraction=bounds["bandwidth_fraction"][1],
            min_rolloff=int(bounds["rolloff"][0]),
            max_rolloff=int(bounds["rolloff"][1]),
            zero_phase=False,
            p=p,
        )

    def _read(self, transform, samples):
        centre = float(transform.parameters["center_freq"])
        return {
            "centre_hz": centre,
            "bandwidth_fraction": float(transform.parameters["bandwidth"]) / centre,
            "rolloff": int(transform.parameters["rolloff"]),
        }


class PhoneCodecAugmentation(Augmentation):
    """A round trip through Opus in VoIP mode, the codec browsers record with (:mod:`babycry.codec`).

    The preview uses Opus at the chosen bitrate; training draws from every codec in
    :data:`babycry.codec.CODECS` (GSM, G.723.1, Speex, Opus, IMA ADPCM, MP3).

    Examples
    --------
    >>> PhoneCodecAugmentation().param("bitrate_kbps").default
    8.0
    """

    name = "phone_codec"
    description = "Send the recording through a phone/browser speech codec (Opus, VoIP mode): what a call or a "\
                  "browser recording does to a cry."
    params = (Param("bitrate_kbps", 6.0, 16.0, 8.0, "kbit/s", "Codec bitrate; lower sounds more like a bad call."),)
    training_ranges = {"bitrate_kbps": (6.0, 16.0)}

    def _build(self, bounds, *, p, sample_rate, data_dir):
        from .codec import PhoneCodec

        low, high = bounds["bitrate_kbps"]
        return PhoneCodec(codecs=("opus",), min_bitrate_kbps=low, max_bitrate_kbps=high, p=p)

    def _read(self, transform, samples):
        return {"bitrate_kbps": float(transform.parameters["bitrate_kbps"])}


#: name -> augmentation, in the order the app lists them.
REGISTRY: dict[str, Augmentation] = {
    aug.name: aug
    for aug in (
        TimeStretchAugmentation(),
        PitchShiftAugmentation(),
        BackgroundNoiseAugmentation(),
        GaussianNoiseAugmentation(),
        GainAugmentation(),
        BandPassAugmentation(),
        PhoneCodecAugmentation(),
    )
}


def available() -> list[str]:
    """Names of the registered augmentations.

    Examples
    --------
    >>> available()
    ['time_stretch', 'pitch_shift', 'background_noise', 'gaussian_noise', 'gain', 'band_pass', 'phone_codec']
    """
    return list(REGISTRY)


def get(name: str) -> Augmentation:
    """The augmentation registered as ``name``.

    Raises
    ------
    InvalidParameterError
        If no augmentation has that name (the message lists the valid ones).

    Examples
    --------
    >>> get("pitch_shift").name
    'pitch_shift'
    >>> get("reverb")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    babycry.errors.InvalidParameterError: Unknown augmentation 'reverb'; choose one of: time_stretch, ...
    """
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise InvalidParameterError(
            f"Unknown augmentation {name!r}; choose one of: {', '.join(REGISTRY)}."
        ) from None


def describe() -> list[dict[str, Any]]:
    """Every augmentation with its parameters, as plain data (what the app builds sliders from).

    Examples
    --------
    >>> describe()[0]["params"][0]["name"]
    'rate'
    """
    return [aug.to_dict() for aug in REGISTRY.values()]


def _as_samples(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise InvalidParameterError(f"sample_rate must be a positive whole number of Hz, got {sample_rate!r}.")
    arr = np.asarray(samples)
    if arr.ndim != 1:
        raise InvalidAudioError(f"Expected mono (1-D) samples, got an array of shape {arr.shape}.")
    if not np.issubdtype(arr.dtype, np.floating):
        raise InvalidAudioError(f"Expected float samples in [-1, 1], got dtype {arr.dtype!s}.")
    if arr.size == 0:
        raise InvalidAudioError("The audio is empty: there is nothing to augment.")
    if not np.all(np.isfinite(arr)):
        raise InvalidAudioError("The audio holds NaN or infinite samples and cannot be augmented.")
    # audiomentations warns on float64 and converts; do it here, once.
    return np.ascontiguousarray(arr, dtype=np.float32)


def apply(
    samples: np.ndarray,
    *,
    sample_rate: int,
    name: str,
    params: Mapping[str, Any] | None = None,
    ranges: Mapping[str, Sequence[Any]] | None = None,
    seed: int | None = None,
    data_dir: str | os.PathLike | None = None,
) -> AugmentResult:
    """Apply one named augmentation and report the parameters it used.

    Parameters in ``params`` are fixed (applied exactly, with probability 1:
    the preview mode); parameters in ``ranges`` are drawn uniformly from
    ``(low, high)`` (the training mode); the rest take their defaults.

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples.
    sample_rate : int
        Their rate in Hz.
    name : str
        A registry name (see :func:`available`).
    params : mapping, optional
        Fixed values, e.g. ``{"semitones": 1}``.
    ranges : mapping, optional
        Random ranges, e.g. ``{"semitones": (-1.1, 1.1)}``.
    seed : int, optional
        Seed for the random draws (noise, file choice, ranged values).
    data_dir : path, optional
        Data folder whose ``negatives/noise`` joins the background noises.

    Returns
    -------
    AugmentResult

    Raises
    ------
    InvalidParameterError
        Unknown name or parameter, a value outside its range (echoed).
    InvalidAudioError
        Samples that are not mono finite float audio.

    Examples
    --------
    >>> import numpy as np
    >>> x = 0.1 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    >>> result = apply(x, sample_rate=16000, name="gain", params={"gain_db": 6}, seed=0)
    >>> round(result.params_used["gain_db"], 6), round(float(result.samples.max() / x.max()), 3)
    (6.0, 1.995)
    >>> apply(x, sample_rate=16000, name="gain", params={"gain_db": 60})
    Traceback (most recent call last):
    ...
    babycry.errors.InvalidParameterError: gain: gain_db must lie in [-24, 12] dB, got 60.
    """
    aug = get(name)
    x = _as_samples(samples, sample_rate)
    transform = aug.transform(params, ranges=ranges, p=1.0, sample_rate=int(sample_rate), data_dir=data_dir)
    with seeded(seed):
        out = transform(x, sample_rate=int(sample_rate))
    used = aug.read_params(transform, x)
    return AugmentResult(
        samples=np.asarray(out, dtype=np.float32),
        sample_rate=int(sample_rate),
        name=aug.name,
        params_used=used,
        applied=bool(used),
        seed=seed,
    )


def training_pipeline(
    *,
    sample_rate: int = 16_000,
    data_dir: str | os.PathLike | None = None,
    names: Sequence[str] = ("time_stretch", "pitch_shift", "background_noise"),
    p: float = 0.5,
    ranges: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
) -> Compose:
    """The training-time augmentation chain (audiomentations ``Compose``).

    Defaults are the origin project's: TimeStretch 0.9-1.1, PitchShift
    ±1.1 semitones and AddBackgroundNoise, each applied with probability ``p``.
    Seed it with :func:`seeded` around each call for reproducible epochs.

    Parameters
    ----------
    sample_rate : int
        Rate of the audio it will see.
    data_dir : path, optional
        Data folder whose ``negatives/noise`` joins the background noises.
    names : sequence of str
        Registry names, in the order applied.
    p : float
        Probability each transform is applied.
    ranges : mapping, optional
        Per-augmentation overrides of :attr:`Augmentation.training_ranges`,
        e.g. ``{"gain": {"gain_db": (-6, 6)}}``.

    Returns
    -------
    audiomentations.Compose

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> os.environ["BABYCRY_CACHE"] = tempfile.mkdtemp()
    >>> chain = training_pipeline()
    >>> [type(t).__name__ for t in chain.transforms]
    ['TimeStretch', 'PitchShift', 'AddBackgroundNoise']
    >>> x = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    >>> with seeded(0):
    ...     y = chain(x, sample_rate=16000)
    >>> y.shape
    (16000,)
    """
    ranges = dict(ranges or {})
    unknown = sorted(set(ranges) - set(names))
    if unknown:
        raise InvalidParameterError(f"ranges given for augmentations not in the pipeline: {', '.join(unknown)}.")
    transforms = []
    for name in names:
        aug = get(name)
        chosen = {**{k: v for k, v in aug.training_ranges.items()}, **dict(ranges.get(name, {}))}
        transforms.append(aug.transform(ranges=chosen, p=p, sample_rate=sample_rate, data_dir=data_dir))
    return Compose(transforms, p=1.0)
