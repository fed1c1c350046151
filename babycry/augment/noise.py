"""Background noise: generated coloured noise and hum, recorded noise clips, and mixing at a signal-to-noise ratio.

One source of noise for training and for the app's preview: a :class:`NoiseBank`
of recorded clips (a data folder's ``noise`` negatives, each with its recording
group, so that a fold never trains on noise from a recording it is tested on)
and, when the bank is empty or by chance, :func:`coloured_noise`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import AudioConfig
from ..errors import InvalidParameterError

__all__ = ["NOISE_KINDS", "coloured_noise", "harmonics", "mix_at_snr", "NoiseBank", "VoiceBank"]

#: What :func:`coloured_noise` draws from.
NOISE_KINDS: tuple[str, ...] = ("white", "pink", "brown", "hum", "buzz")


def coloured_noise(n: int, rng: np.random.Generator, *, sample_rate: int, kind: str | None = None) -> np.ndarray:
    """White, pink or brown noise, 50/60 Hz mains hum with harmonics, or a buzz, drawn from ``rng``.

    A buzz is a motor, fan, transformer or ground-loop tone: a fundamental of 50-300 Hz with harmonics up to
    4 kHz, falling off as ``1 / k**a`` (``a`` in 0.5-1.5).  Its harmonics reach through the band a cry's do: with
    cries never mixed with one, the detector took a buzz 20 dB below a cry for a machine and lost a third of them
    (docs/experiments.md).

    Parameters
    ----------
    n : int
        Length in samples.
    rng : numpy.random.Generator
        The generator (kind, phases and noise all come from it).
    sample_rate : int
        Rate in Hz (sets the hum's frequency).
    kind : str, optional
        One of :data:`NOISE_KINDS`; drawn from ``rng`` when None (what training does).

    Returns
    -------
    np.ndarray
        float32 samples (not normalised: mixing sets the level).

    Examples
    --------
    >>> x = coloured_noise(8000, np.random.default_rng(0), sample_rate=16000)
    >>> x.shape, x.dtype
    ((8000,), dtype('float32'))
    """
    if kind is None:
        kind = str(rng.choice(list(NOISE_KINDS)))
    elif kind not in NOISE_KINDS:
        raise InvalidParameterError(f"Unknown noise kind {kind!r}: choose one of {', '.join(NOISE_KINDS)}.")
    if kind == "buzz":
        f0, slope = rng.uniform(50.0, 300.0), rng.uniform(0.5, 1.5)
        top = min(4000.0, sample_rate / 2 - 1.0)
        x = harmonics(n, sample_rate=sample_rate, f0=f0, slope=slope, phases=rng.uniform(0, 6.3, size=int(top // f0)))
        return (x + 0.05 * rng.normal(size=n)).astype(np.float32)
    if kind == "hum":
        t = np.arange(n) / sample_rate
        base = rng.choice([50.0, 60.0])
        x = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6.3)) for k in range(1, 8))
        return (x + 0.05 * rng.normal(size=n)).astype(np.float32)
    white = rng.normal(size=n)
    if kind == "white":
        return white.astype(np.float32)
    spec = np.fft.rfft(white)
    f = np.arange(spec.size) + 1.0
    spec /= np.sqrt(f) if kind == "pink" else f
    return np.fft.irfft(spec, n=n).astype(np.float32)


def harmonics(n: int, *, sample_rate: int, f0: float, slope: float, phases: np.ndarray) -> np.ndarray:
    """A steady harmonic tone: ``sum_k sin(2 pi f0 k t + phases[k-1]) / k**slope`` for ``k = 1 .. len(phases)``.

    The buzz of :func:`coloured_noise` (``f0`` and ``slope`` drawn) and the fixed buzzes that
    ``benchmarks/detector_buzz.py`` mixes under cries.

    Examples
    --------
    >>> x = harmonics(16000, sample_rate=16000, f0=100.0, slope=1.0, phases=np.zeros(3))
    >>> x.shape, round(float(np.abs(np.fft.rfft(x))[300] / np.abs(np.fft.rfft(x))[100]), 3)
    ((16000,), 0.333)
    """
    t = np.arange(n) / sample_rate
    return sum(np.sin(2 * np.pi * f0 * k * t + phase) / k**slope for k, phase in enumerate(phases, start=1))


def mix_at_snr(signal: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``signal`` plus ``noise`` scaled so that their RMS ratio is ``snr_db``.

    Examples
    --------
    >>> s = np.ones(100, np.float32); n = np.full(100, 0.5, np.float32)
    >>> round(float(mix_at_snr(s, n, 20.0)[0]), 4)
    1.1
    """
    s = float(np.sqrt(np.mean(signal**2))) + 1e-9
    n = float(np.sqrt(np.mean(noise**2))) + 1e-9
    return (signal + noise * (s / n) / (10 ** (snr_db / 20.0))).astype(np.float32)


@dataclass
class NoiseBank:
    """Recorded background-noise clips with their recording groups.

    Attributes
    ----------
    clips : list of np.ndarray
        Band-limited float32 clips at the training rate.
    groups : list of str
        Each clip's ``group`` (recording) key.
    p_recorded : float
        Chance that a draw takes a recorded clip rather than :func:`coloured_noise`.
    """

    clips: list[np.ndarray] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    p_recorded: float = 0.6

    def draw(self, rng: np.random.Generator, n: int, *, sample_rate: int) -> tuple[np.ndarray, str]:
        """``n`` samples of noise and the group they came from (``""`` for generated noise).

        Examples
        --------
        >>> noise, group = NoiseBank().draw(np.random.default_rng(0), 100, sample_rate=16000)
        >>> noise.shape, group
        ((100,), '')
        """
        if self.clips and rng.random() < self.p_recorded:
            i = int(rng.integers(len(self.clips)))
            clip = self.clips[i]
            reps = int(np.ceil(n / clip.size))
            clip = np.tile(clip, reps)
            start = int(rng.integers(0, clip.size - n + 1))
            return clip[start : start + n], self.groups[i]
        return coloured_noise(n, rng, sample_rate=sample_rate), ""

    @classmethod
    def from_files(
        cls, paths: Sequence[str | os.PathLike], groups: Sequence[str], *, config: AudioConfig = AudioConfig()
    ) -> NoiseBank:
        """Decode, resample and band-limit noise recordings the way every model input is prepared.

        Examples
        --------
        >>> NoiseBank.from_files([], []).clips
        []
        """
        from ..audio import load
        from ..preprocess import band_limit

        bank = cls()
        for path, group in zip(paths, groups, strict=True):
            a = load(path, config=config, validate_audio=False)
            bank.clips.append(band_limit(a.samples, sample_rate=config.sample_rate, config=config))
            bank.groups.append(str(group))
        return bank

    @classmethod
    def from_data_folder(cls, root: str | os.PathLike | None, *, config: AudioConfig = AudioConfig()) -> NoiseBank:
        """The ``noise`` negatives of a data folder (empty without one): what training mixes cries with.

        Examples
        --------
        >>> len(NoiseBank.from_data_folder(None).clips)
        0
        """
        folder = _manifest_folder(root)
        return cls() if folder is None else _bank_of_folder(cls, folder, "noise", config)


def _manifest_folder(root: str | os.PathLike | None) -> str | None:
    """``root`` resolved, where it holds a ``manifest.csv``."""
    return None if root is None or not (Path(root) / "manifest.csv").exists() else str(Path(root).resolve())


def _files_of_label(root: str, label: str) -> tuple[list[str], list[str]]:
    """The paths and groups of a data folder's not-cry clips labelled ``label``."""
    from ..data import read_manifest, with_absolute_paths

    manifest = read_manifest(root)
    rows = with_absolute_paths(manifest[(manifest["label"] == label) & (manifest["is_cry"] == 0)], root)
    return rows["path"].tolist(), rows["group"].astype(str).tolist()


@functools.lru_cache(maxsize=6)
def _bank_of_folder(kind: type[NoiseBank] | type[VoiceBank], root: str, label: str,
                    config: AudioConfig) -> NoiseBank | VoiceBank:
    # the app previews with the same recorded noise and voices as training; decoded once per process
    return kind.from_files(*_files_of_label(root, label), config=config)


@dataclass
class VoiceBank:
    """Recorded utterances of adult speech, each with its speaker (group): the talking a parent does over a cry.

    Attributes
    ----------
    clips : list of np.ndarray
        Band-limited float32 utterances at the training rate.
    groups : list of str
        Each utterance's ``group`` (speaker) key.
    """

    clips: list[np.ndarray] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    _by_speaker: dict[str, list[np.ndarray]] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.clips) != len(self.groups):
            raise InvalidParameterError(
                f"A VoiceBank needs one group per clip, got {len(self.clips)} clips and {len(self.groups)} groups.")
        for clip, group in zip(self.clips, self.groups, strict=True):  # each speaker's utterances, in bank order
            self._by_speaker.setdefault(group, []).append(clip)

    def draw(self, rng: np.random.Generator, n: int, *, sample_rate: int) -> tuple[np.ndarray, str]:
        """``n`` samples of one speaker talking (utterances with 0.1-0.6 s pauses, from a random start) and the
        speaker's group; a synthetic adult voice (``""``) when the bank is empty.

        Examples
        --------
        >>> talk, group = VoiceBank().draw(np.random.default_rng(0), 16000, sample_rate=16000)
        >>> talk.shape, group
        ((16000,), '')
        """
        if not self.clips:
            return _synthetic_talk(rng, n, sample_rate=sample_rate), ""
        speaker = self.groups[int(rng.integers(len(self.groups)))]
        own = self._by_speaker[speaker]
        parts = [np.zeros(int(rng.uniform(0.0, 0.5) * sample_rate), np.float32)]
        total = parts[0].size
        while total < n:
            utterance = own[int(rng.integers(len(own)))]
            pause = np.zeros(int(rng.uniform(0.1, 0.6) * sample_rate), np.float32)
            parts += [utterance, pause]
            total += utterance.size + pause.size
        return np.concatenate(parts)[:n].astype(np.float32), speaker

    @classmethod
    def from_files(
        cls, paths: Sequence[str | os.PathLike], groups: Sequence[str], *, config: AudioConfig = AudioConfig()
    ) -> VoiceBank:
        """Decode, resample and band-limit utterances the way every model input is prepared.

        Examples
        --------
        >>> VoiceBank.from_files([], []).clips
        []
        """
        bank = NoiseBank.from_files(paths, groups, config=config)
        return cls(clips=bank.clips, groups=bank.groups)

    @classmethod
    def from_data_folder(cls, root: str | os.PathLike | None, *, config: AudioConfig = AudioConfig()) -> VoiceBank:
        """The ``speech`` negatives of a data folder (empty without one).

        Examples
        --------
        >>> len(VoiceBank.from_data_folder(None).clips)
        0
        """
        folder = _manifest_folder(root)
        return cls() if folder is None else _bank_of_folder(cls, folder, "speech", config)


def _synthetic_talk(rng: np.random.Generator, n: int, *, sample_rate: int) -> np.ndarray:
    # an adult voice (F0 100-250 Hz, 100 the synthesiser's floor; an adult's formants) in syllable-length
    # bursts: what the preview mixes in where no recorded speech is at hand
    from ..synth import synth_cry

    talk = synth_cry(seconds=max(n / sample_rate, 0.5), sample_rate=sample_rate, f0_hz=float(rng.uniform(100, 250)),
                     seed=int(rng.integers(1 << 30)), f0_swing=float(rng.uniform(0.1, 0.4)),
                     tilt_db_per_octave=float(rng.uniform(-14, -8)),
                     formants_hz=(float(rng.uniform(450, 850)), float(rng.uniform(1000, 1900))),
                     formant_bandwidths_hz=(float(rng.uniform(80, 200)), float(rng.uniform(120, 300))),
                     burst_seconds=(0.15, 0.6), pause_seconds=(0.05, 0.4)).samples[:n].astype(np.float32)
    return np.pad(talk, (0, n - talk.size))
