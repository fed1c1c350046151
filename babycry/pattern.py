"""How loud, how long, continuous or in bursts: what a baby monitor's user asks of a recording.

:func:`describe_sound` measures the recording itself, not a model's opinion:
its level (RMS of the frames that hold sound, and the peak, in dB full scale),
which stretches hold sound (*bouts*: sound with breath-length gaps merged), how
long they last, and whether the sound is continuous, one burst, or comes in
bursts.  :func:`clipped_share` says how much of a signal sits at full scale.

Levels are those *in the recording*: they depend on the distance to the
baby and on the phone's gain (many phones adjust it automatically), so they
compare recordings made the same way, not babies.  Every threshold is a field of
:class:`PatternConfig`, documented there and in ``docs/api.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .audio import check_samples
from .errors import InvalidParameterError

__all__ = ["PatternConfig", "SoundPattern", "describe_sound", "clipped_share", "LOUDNESS", "PATTERNS"]

#: The loudness words, quietest first.
LOUDNESS: tuple[str, ...] = ("quiet", "moderate", "loud")
#: The pattern words.
PATTERNS: tuple[str, ...] = ("continuous", "one burst", "bursts")

_FLOOR_DB = -120.0  # digital silence counts as very quiet, not as -inf


@dataclass(frozen=True)
class PatternConfig:
    """Thresholds of :func:`describe_sound`.

    Attributes
    ----------
    frame_seconds, hop_seconds : float
        Level frames: 25 ms long every 10 ms (each frame's mean removed, so a DC offset is not sound).
    reference_percentile : float
        The recording's loud level is this percentile of its frame levels (95: the loud parts, not one click).
    sound_within_db : float
        A frame holds sound when its level is within this many dB of the loud level (20 dB: a cry's
        in-breath and a quiet room fall below it; the cry itself and its loud background do not).
    breath_gap_seconds : float
        Gaps shorter than this join the sound on both sides into one bout: an infant's in-breath between
        two cries lasts 0.1-0.5 s, so a crying baby's gaps up to 1 s are breaths, not pauses.
    min_bout_seconds : float
        Bouts shorter than this (a click, a knock) are not counted.
    continuous_share : float
        One bout spanning at least this share of the recording is *continuous*; one shorter bout is
        *one burst*; two or more are *bursts*.
    loud_dbfs, quiet_dbfs : float
        RMS level of the sound (dB full scale) from which it is *loud*, and below which it is *quiet*
        (between: *moderate*).  A cry recorded at arm's length on a phone typically lies between -25 and
        -10 dBFS.
    clip_level : float
        A sample at or above this magnitude (of full scale 1.0) counts as clipped.

    Examples
    --------
    >>> PatternConfig().breath_gap_seconds
    1.0
    """

    frame_seconds: float = 0.025
    hop_seconds: float = 0.010
    reference_percentile: float = 95.0
    sound_within_db: float = 20.0
    breath_gap_seconds: float = 1.0
    min_bout_seconds: float = 0.2
    continuous_share: float = 0.8
    loud_dbfs: float = -20.0
    quiet_dbfs: float = -40.0
    clip_level: float = 0.999

    def __post_init__(self) -> None:
        for name in ("frame_seconds", "hop_seconds", "sound_within_db", "clip_level"):
            if not getattr(self, name) > 0:
                raise InvalidParameterError(f"PatternConfig.{name} must be positive, got {getattr(self, name)!r}.")
        if self.hop_seconds > self.frame_seconds:
            raise InvalidParameterError(
                f"PatternConfig.hop_seconds ({self.hop_seconds!r}) must not exceed frame_seconds "
                f"({self.frame_seconds!r})."
            )
        if not 0.0 < self.reference_percentile <= 100.0:
            raise InvalidParameterError(
                f"PatternConfig.reference_percentile must lie in (0, 100], got {self.reference_percentile!r}."
            )
        if not 0.0 < self.continuous_share <= 1.0:
            raise InvalidParameterError(
                f"PatternConfig.continuous_share must lie in (0, 1], got {self.continuous_share!r}."
            )
        if self.breath_gap_seconds < 0 or self.min_bout_seconds < 0:
            raise InvalidParameterError("PatternConfig.breath_gap_seconds and min_bout_seconds must not be negative.")
        if not self.quiet_dbfs < self.loud_dbfs <= 0.0:
            raise InvalidParameterError(
                f"PatternConfig needs quiet_dbfs < loud_dbfs <= 0, got {self.quiet_dbfs!r} and {self.loud_dbfs!r}."
            )


@dataclass(frozen=True)
class SoundPattern:
    """What :func:`describe_sound` measured.

    Attributes
    ----------
    level_dbfs : float
        RMS level of the frames that hold sound, dB full scale (0 = a full-scale square wave).
    peak_dbfs : float
        Largest sample magnitude, dB full scale.
    loudness : str
        ``"quiet"``, ``"moderate"`` or ``"loud"`` from ``level_dbfs`` (:class:`PatternConfig`).
    sound_seconds : float
        Total length of the bouts (breath gaps inside a bout included).
    pattern : str
        ``"continuous"``, ``"one burst"`` or ``"bursts"``.
    bouts : tuple of (start_s, end_s)
        Where the sound is.
    clipped_share : float
        Share of samples at full scale (0-1): above about 0.001 the recording is distorted.
    """

    level_dbfs: float
    peak_dbfs: float
    loudness: str
    sound_seconds: float
    pattern: str
    bouts: tuple[tuple[float, float], ...]
    clipped_share: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the ``sound`` object of ``/classify``).

        Examples
        --------
        >>> SoundPattern(-12.0, -3.1, "loud", 2.0, "one burst", ((0.5, 2.5),), 0.0).to_dict()["bouts"]
        [{'start_s': 0.5, 'end_s': 2.5}]
        """
        return {
            "level_dbfs": float(self.level_dbfs),
            "peak_dbfs": float(self.peak_dbfs),
            "loudness": self.loudness,
            "sound_seconds": float(self.sound_seconds),
            "pattern": self.pattern,
            "bouts": [{"start_s": float(s), "end_s": float(e)} for s, e in self.bouts],
            "clipped_share": float(self.clipped_share),
        }


def clipped_share(samples: np.ndarray, *, level: float = PatternConfig.clip_level) -> float:
    """Share of samples whose magnitude reaches ``level`` (of full scale 1.0): how much of a signal clips.

    Parameters
    ----------
    samples : np.ndarray
        Float samples, full scale ±1.
    level : float
        Magnitude that counts as clipped.

    Returns
    -------
    float
        0 to 1 (0 for an empty signal).

    Examples
    --------
    >>> import numpy as np
    >>> clipped_share(np.array([0.0, 0.5, 1.0, -1.2]))
    0.5
    """
    x = np.asarray(samples)
    if x.size == 0:
        return 0.0
    return float(np.count_nonzero(np.abs(x) >= level) / x.size)


def _frame_levels_db(x: np.ndarray, *, frame: int, hop: int) -> np.ndarray:
    """Level of each frame in dB (10 log10 of its mean square after removing its mean), floored."""
    if x.size < frame:
        x = np.pad(x, (0, frame - x.size))
    frames = np.lib.stride_tricks.sliding_window_view(x, frame)[::hop]
    power = np.var(frames, axis=1)  # mean square about the frame's mean: a DC offset is not sound
    return np.maximum(10.0 * np.log10(np.maximum(power, 1e-30)), _FLOOR_DB)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` index pairs of the True runs of a boolean array."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def describe_sound(samples: np.ndarray, *, sample_rate: int, config: PatternConfig = PatternConfig()) -> SoundPattern:
    """How loud the recording is, where it holds sound, and whether that sound is continuous or in bursts.

    Frames (``frame_seconds`` every ``hop_seconds``) within ``sound_within_db`` of the recording's loud
    level (its ``reference_percentile`` frame level) hold sound; runs of them with gaps shorter than
    ``breath_gap_seconds`` merged are bouts, and bouts shorter than ``min_bout_seconds`` are dropped.

    Parameters
    ----------
    samples : np.ndarray
        Mono float samples as recorded (``Audio.samples``: not loudness-normalised).
    sample_rate : int
        Their rate in Hz.
    config : PatternConfig
        Thresholds.

    Returns
    -------
    SoundPattern

    Raises
    ------
    InvalidAudioError
        Empty, non-finite or not mono samples.
    InvalidParameterError
        A bad sample rate.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000 * 6) / 16000
    >>> tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    >>> describe_sound(tone, sample_rate=16000).pattern
    'continuous'
    >>> gated = tone * ((t % 3.0) < 1.0)              # 1 s of sound, 2 s of silence, twice
    >>> d = describe_sound(gated, sample_rate=16000)
    >>> d.pattern, d.loudness, [(round(s, 1), round(e, 1)) for s, e in d.bouts]  # edges within a frame
    ('bursts', 'loud', [(0.0, 1.0), (3.0, 4.0)])
    """
    x = check_samples(samples, sample_rate=sample_rate, what="describe").astype(np.float64)
    duration = x.size / sample_rate
    frame = max(1, int(round(config.frame_seconds * sample_rate)))
    hop = max(1, int(round(config.hop_seconds * sample_rate)))
    levels = _frame_levels_db(x, frame=frame, hop=hop)
    loud = float(np.percentile(levels, config.reference_percentile))
    active = levels >= loud - config.sound_within_db

    # frame i covers [i*hop, i*hop + frame) samples; a run of frames covers [first start, last end)
    spans = [(a * hop / sample_rate, min(((b - 1) * hop + frame) / sample_rate, duration)) for a, b in _runs(active)]
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] < config.breath_gap_seconds:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    bouts = tuple((round(s, 2), round(e, 2)) for s, e in merged if e - s >= config.min_bout_seconds)
    if not bouts and merged:  # only clicks: keep the longest, so there is always somewhere the sound is
        s, e = max(merged, key=lambda b: b[1] - b[0])
        bouts = ((round(s, 2), round(e, 2)),)
    sound_seconds = round(sum(e - s for s, e in bouts), 2)

    if len(bouts) >= 2:
        pattern = "bursts"
    elif sound_seconds >= config.continuous_share * duration:
        pattern = "continuous"
    else:
        pattern = "one burst"

    power = 10.0 ** (levels[active] / 10.0)
    level = float(10.0 * np.log10(max(float(np.mean(power)), 1e-12)))
    peak = float(np.max(np.abs(x)))
    peak_db = float(20.0 * np.log10(peak)) if peak > 0 else _FLOOR_DB
    if level >= config.loud_dbfs:
        loudness = "loud"
    elif level < config.quiet_dbfs:
        loudness = "quiet"
    else:
        loudness = "moderate"
    return SoundPattern(
        level_dbfs=round(level, 1),
        peak_dbfs=round(peak_db, 1),
        loudness=loudness,
        sound_seconds=sound_seconds,
        pattern=pattern,
        bouts=bouts,
        clipped_share=round(clipped_share(x, level=config.clip_level), 5),
    )
