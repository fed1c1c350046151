"""The single source of truth for babycry's constants.

Every value lives in a frozen dataclass that callers pass in as an argument;
nothing deep inside the library reads a module-level global.  The defaults are
the ones the bundled models were trained with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import InvalidParameterError

__all__ = [
    "AudioConfig",
    "BandPassConfig",
    "MelConfig",
    "WindowConfig",
    "SteadySoundConfig",
    "REASONS",
    "DETECTOR_LABELS",
    "labels_for_task",
    "band_words",
    "CRY_THRESHOLD",
    "N_BOOTSTRAP",
]

#: The four reasons the reason classifier predicts, in label-id order.
#: ``burping`` (8 clips in Donate-a-Cry) is left out: too few families to learn from.
REASONS: tuple[str, ...] = ("hungry", "belly_pain", "discomfort", "tired")

#: The cry detector's labels, in label-id order.
DETECTOR_LABELS: tuple[str, ...] = ("not_cry", "cry")

#: Calibrated P(cry) at or above which a recording is called a cry: the detector's yes/no decision
#: (the answer, the checkpoint scoring and the app's timeline all split here).
CRY_THRESHOLD: float = 0.5

#: Draws of the family (group) bootstrap behind every 95% interval babycry reports.
N_BOOTSTRAP: int = 500


def band_words(*, band_limit_hz: float, high_pass_hz: float = 0.0) -> str:
    """The band a signal is limited to, as the app, the model cards and the Dataset tab write it (a record made
    before the high-pass existed has none: then the upper edge alone).

    Examples
    --------
    >>> band_words(band_limit_hz=3600.0, high_pass_hz=100.0)
    '100 Hz–3.6 kHz'
    >>> band_words(band_limit_hz=3600.0)
    '3.6 kHz'
    """
    high = f"{float(band_limit_hz) / 1000:g} kHz"
    return f"{float(high_pass_hz):g} Hz–{high}" if high_pass_hz else high


def labels_for_task(task: str) -> tuple[str, ...]:
    """The label names of a task, in label-id order.

    Parameters
    ----------
    task : {"detector", "reason"}

    Returns
    -------
    tuple of str

    Raises
    ------
    InvalidParameterError
        For an unknown task.

    Examples
    --------
    >>> labels_for_task("detector")
    ('not_cry', 'cry')
    """
    if task == "detector":
        return DETECTOR_LABELS
    if task == "reason":
        return REASONS
    raise InvalidParameterError(f"Unknown task {task!r}: expected 'detector' or 'reason'.")


@dataclass(frozen=True)
class AudioConfig:
    """How audio is decoded, validated and band-limited.

    Parameters
    ----------
    sample_rate : int
        Every input is resampled to this rate (Hz).
    band_limit_hz : float
        Content above this frequency is removed before any feature or model sees
        the signal.  Donate-a-Cry is 8 kHz audio whose resampling filter rolls
        off from about 3.7 kHz, so every source is cut just below that, to the
        same empty band; otherwise a model can tell the sources apart by
        bandwidth alone (at the former 4 kHz edge, 16 kHz sources kept faint
        content at 3.8-4.6 kHz that Donate-a-Cry lacks, and the detector learned
        "content up there = not a cry").
    high_pass_hz : float
        Content below this frequency is removed too (0: none).  Rumble, handling
        noise and a microphone's low-frequency response tell recordings apart,
        not cries (an infant's F0 lies above 250 Hz): Donate-a-Cry's phones hold
        almost nothing below 100 Hz, so a detector that heard the rumble learned
        "low rumble = not a cry", and cries recorded with other microphones were
        missed.
    min_seconds : float
        Shortest input accepted for analysis.
    max_seconds : float
        Longest stretch analysed; longer inputs are truncated and flagged.
    silence_peak_dbfs : float
        An input whose peak lies below this level (dB full scale) is treated as
        digital silence and rejected.
    target_rms_dbfs : float
        Loudness every analysed signal is normalised to.

    Examples
    --------
    >>> from babycry.config import AudioConfig
    >>> AudioConfig().sample_rate
    16000
    """

    sample_rate: int = 16_000
    band_limit_hz: float = 3_600.0
    high_pass_hz: float = 100.0
    min_seconds: float = 1.0
    max_seconds: float = 60.0
    silence_peak_dbfs: float = -70.0
    target_rms_dbfs: float = -20.0


@dataclass(frozen=True)
class BandPassConfig:
    """The origin project's band-pass filter (audiomentations' parametrisation).

    The pass band is ``centre_hz ± centre_hz * bandwidth_fraction / 2``; the
    defaults give 502.5–2497.5 Hz.  ``rolloff_db_per_octave`` is the slope of
    each skirt of the zero-phase (forward-backward) filter, so it must be a
    multiple of 12 dB/octave.

    Examples
    --------
    >>> from babycry.config import BandPassConfig
    >>> BandPassConfig().edges_hz
    (502.5, 2497.5)
    """

    centre_hz: float = 1_500.0
    bandwidth_fraction: float = 1.33
    rolloff_db_per_octave: int = 12

    @property
    def edges_hz(self) -> tuple[float, float]:
        """Lower and upper pass-band edges in Hz."""
        half = self.centre_hz * self.bandwidth_fraction / 2.0
        return (self.centre_hz - half, self.centre_hz + half)


@dataclass(frozen=True)
class MelConfig:
    """Log-mel spectrogram settings for the views and the EDA.

    The mel bank spans ``fmin_hz``..``fmax_hz``; ``fmax_hz`` is the analysis band
    edge, so no bin is spent on the empty band above 4 kHz.

    Examples
    --------
    >>> from babycry.config import MelConfig
    >>> MelConfig().n_mels
    64
    """

    n_fft: int = 512
    hop_length: int = 160
    n_mels: int = 64
    fmin_hz: float = 50.0
    fmax_hz: float = 4_000.0
    top_db: float = 80.0


@dataclass(frozen=True)
class WindowConfig:
    """Fixed analysis windows for the models.

    Every source is cut into windows of ``window_seconds`` with a hop of
    ``hop_seconds``; a clip shorter than one window is zero-padded to it.  The
    per-window cry probabilities make the timeline a long recording shows.
    A 2 s hop (1.5 s until 2026-11-28) gives a 7 s recording 3 windows instead
    of 4 and a 60 s one 30 instead of 39, with the detector's grouped figures
    unchanged (docs/experiments.md, "A two-second hop").

    Examples
    --------
    >>> from babycry.config import WindowConfig
    >>> WindowConfig().window_seconds, WindowConfig().hop_seconds
    (3.0, 2.0)
    """

    window_seconds: float = 3.0
    hop_seconds: float = 2.0


@dataclass(frozen=True)
class SteadySoundConfig:
    """When a recording is too steady to hold a cry.

    A cry comes in breaths: each cry of 0.5-1.5 s is followed by an in-breath,
    so the level of a recording that holds one rises and falls by well over
    3 dB in at least one 3 s window (for the 544 labelled cries in
    ``../shared/data``: at least 5.2 dB, 99% more than 8.5 dB).  Mains hum, a
    fan, an electric whine or hiss barely move.  A recording in which *every*
    analysis window's level range (``high_percentile`` minus ``low_percentile``
    of its ``frame_seconds`` frame levels, in dB) stays below ``max_range_db``
    is reported as a steady sound, not a cry, whatever the detector says: the
    detector calls some of these sounds cries (README).

    Examples
    --------
    >>> from babycry.config import SteadySoundConfig
    >>> SteadySoundConfig().max_range_db
    3.0
    """

    max_range_db: float = 3.0
    frame_seconds: float = 0.025
    low_percentile: float = 10.0
    high_percentile: float = 90.0


@dataclass(frozen=True)
class BabyCryConfig:
    """All of the above, bundled for callers that need several.

    Examples
    --------
    >>> from babycry.config import BabyCryConfig
    >>> BabyCryConfig().audio.sample_rate
    16000
    """

    audio: AudioConfig = field(default_factory=AudioConfig)
    band_pass: BandPassConfig = field(default_factory=BandPassConfig)
    mel: MelConfig = field(default_factory=MelConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    steady: SteadySoundConfig = field(default_factory=SteadySoundConfig)
    reasons: tuple[str, ...] = REASONS
