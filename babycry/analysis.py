"""The result a parent sees: is it a cry, how likely, which reason, and how sure.

:func:`analyse` runs the detector and the reason model on the same windows of
a recording; :class:`Analysis` holds the answer and ``to_dict()`` is the
``/classify`` JSON of the app (stable; see DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .audio import Audio
from .config import CRY_THRESHOLD, AudioConfig, SteadySoundConfig, WindowConfig
from .errors import InvalidParameterError
from .features import level_range_db
from .modeling import CryModel, frame_windows

__all__ = ["Window", "Analysis", "analyse", "is_steady_sound"]


@dataclass(frozen=True)
class Window:
    """One analysis window of the timeline.

    Examples
    --------
    >>> Window(0.0, 3.0, 0.91).to_dict()
    {'start_s': 0.0, 'end_s': 3.0, 'cry_probability': 0.91}
    """

    start_s: float
    end_s: float
    cry_probability: float

    def to_dict(self) -> dict[str, float]:
        """JSON form."""
        return {"start_s": self.start_s, "end_s": self.end_s, "cry_probability": self.cry_probability}


@dataclass(frozen=True)
class Analysis:
    """What babycry heard.

    Attributes
    ----------
    is_cry : bool
        The detector's calibrated cry probability is at least ``CRY_THRESHOLD`` and the recording is not a
        steady sound.
    cry_probability : float
        Calibrated probability that the recording holds an infant cry.
    cry_unsure : bool
        ``cry_probability`` lies in the detector's stored "unsure" band
        (:attr:`babycry.modeling.CryModel.cry_band`): on recordings it never heard, cries and the sounds it
        mistakes for them (laughter, some household noises) both land there often.  Never set for a steady
        sound.  ``is_cry`` still gives the yes/no answer.
    verdict : str
        ``"not_cry"`` when ``is_cry`` is false, else the reason model's decision: the reason whose
        probability is highest *relative to how common it is* (argmax of the prior-corrected
        probabilities, the rule that maximises balanced accuracy).  Because 84% of the training cries are
        ``hungry``, this is not always the reason with the largest value in ``reasons``.
    unsure : bool
        The reason model's top prior-corrected probability is below its threshold
        (always reported; the UI says "unsure" only for cries).
    reasons : dict
        Calibrated probability of each of :data:`babycry.config.REASONS` (base rates included).
    seconds_analysed : float
        Length of audio the models saw.
    windows : list of Window
        Per-window cry probability (the timeline).
    detector_id, reason_id : str
        Where the models were loaded from.
    unsure_threshold : float
        The reason model's abstention threshold.
    truncated : bool
        The input was longer than the analysed maximum.
    steady_sound : bool
        Every window's level stays within :class:`babycry.config.SteadySoundConfig`'s range (a hum, fan,
        tone or hiss): reported as not a cry whatever ``cry_probability`` says.

    Examples
    --------
    >>> from babycry.config import REASONS
    >>> a = Analysis(is_cry=False, cry_probability=0.1, verdict="not_cry", unsure=True,
    ...              reasons=dict.fromkeys(REASONS, 0.25), seconds_analysed=3.0,
    ...              windows=[Window(0.0, 3.0, 0.1)], detector_id="d", reason_id="r")
    >>> sorted(a.to_dict())  # doctest: +NORMALIZE_WHITESPACE
    ['cry_probability', 'cry_unsure', 'is_cry', 'model', 'reasons', 'seconds_analysed', 'steady_sound',
     'unsure', 'verdict', 'windows']
    """

    is_cry: bool
    cry_probability: float
    verdict: str
    unsure: bool
    reasons: dict[str, float]
    seconds_analysed: float
    windows: list[Window] = field(default_factory=list)
    detector_id: str = ""
    reason_id: str = ""
    unsure_threshold: float = 0.0
    truncated: bool = False
    steady_sound: bool = False
    cry_unsure: bool = False

    @property
    def top_reason(self) -> str:
        """The reason with the largest calibrated probability (whatever the verdict)."""
        return max(self.reasons, key=self.reasons.get)

    def to_dict(self) -> dict[str, Any]:
        """The ``/classify`` JSON (DESIGN.md): plain Python types only."""
        return {
            "is_cry": bool(self.is_cry),
            "cry_probability": float(self.cry_probability),
            "cry_unsure": bool(self.cry_unsure),
            "verdict": self.verdict,
            "unsure": bool(self.unsure),
            "reasons": {k: float(v) for k, v in self.reasons.items()},
            "seconds_analysed": float(self.seconds_analysed),
            "windows": [w.to_dict() for w in self.windows],
            "steady_sound": bool(self.steady_sound),
            "model": {"detector": self.detector_id, "reason": self.reason_id},
        }


def analyse(
    audio: Audio,
    *,
    detector: CryModel,
    reason: CryModel,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    cry_threshold: float = CRY_THRESHOLD,
    steady: SteadySoundConfig = SteadySoundConfig(),
    digits: int = 4,
) -> Analysis:
    """Run both models on a recording.

    The recording is band-limited and cut into fixed windows (each
    loudness-normalised), the detector gives a cry probability per window and
    for the whole (mean of window logits, calibrated); the reason model gives
    calibrated reason probabilities the same way.

    Parameters
    ----------
    audio : Audio
        From :func:`babycry.audio.load` or :func:`babycry.audio.from_array`.
    detector, reason : CryModel
        From :func:`babycry.modeling.load_detector` / :func:`babycry.modeling.load_reason`.
    window : WindowConfig
        Window and hop.
    audio_config : AudioConfig
        Band edge and loudness target.
    cry_threshold : float
        Calibrated cry probability from which the recording counts as a cry.
    steady : SteadySoundConfig
        When a recording is too steady to be a cry (see :func:`is_steady_sound`).
    digits : int
        Rounding of the reported probabilities.

    Returns
    -------
    Analysis

    Raises
    ------
    InvalidParameterError
        If the models are swapped or the audio is not at the models' rate.

    Examples
    --------
    >>> from babycry.modeling import load_detector, load_reason
    >>> from babycry.audio import load
    >>> result = analyse(load("cry.wav"), detector=load_detector(), reason=load_reason())  # doctest: +SKIP
    >>> result.to_dict()["verdict"]  # doctest: +SKIP
    'hungry'
    """
    if detector.task != "detector":
        raise InvalidParameterError(f"`detector` must be a cry detector, got a {detector.task} model.")
    if reason.task != "reason":
        raise InvalidParameterError(f"`reason` must be a reason model, got a {reason.task} model.")
    if not 0.0 < cry_threshold < 1.0:
        raise InvalidParameterError(f"cry_threshold must lie in (0, 1), got {cry_threshold!r}.")
    det = detector.predict(audio.samples, sample_rate=audio.sample_rate, window=window, audio_config=audio_config)
    rea = reason.predict(audio.samples, sample_rate=audio.sample_rate, window=window, audio_config=audio_config)
    cry_index = detector.labels.index("cry")
    cry_p = float(det.probabilities[cry_index])
    reasons = {name: round(float(p), digits) for name, p in zip(reason.labels, rea.probabilities, strict=False)}
    steady_sound = is_steady_sound(audio, window=window, audio_config=audio_config, config=steady)
    is_cry = cry_p >= cry_threshold and not steady_sound
    top = reason.labels[rea.decision]
    unsure = rea.is_unsure(reason.unsure_threshold)
    timeline = [
        Window(float(s), float(e), round(float(p[cry_index]), digits))
        for (s, e), p in zip(det.spans, det.window_probabilities, strict=False)
    ]
    return Analysis(
        is_cry=bool(is_cry),
        cry_probability=round(cry_p, digits),
        verdict=top if is_cry else "not_cry",
        unsure=bool(unsure),
        reasons=reasons,
        seconds_analysed=round(audio.duration_s, 3),
        windows=timeline,
        detector_id=detector.model_id,
        reason_id=reason.model_id,
        unsure_threshold=reason.unsure_threshold,
        truncated=audio.truncated,
        steady_sound=steady_sound,
        cry_unsure=bool(detector.is_cry_unsure(cry_p) and not steady_sound),
    )


def is_steady_sound(
    audio: Audio,
    *,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    config: SteadySoundConfig = SteadySoundConfig(),
) -> bool:
    """Whether a recording is too steady to hold a cry: a hum, fan, tone or hiss.

    The recording is band-limited and cut into the models' windows; it is steady when every window's
    :func:`babycry.features.level_range_db` (over its real, unpadded extent) is below
    ``config.max_range_db``.  A cry comes in breaths, so at least one window of a recording that holds one
    rises and falls by more.

    Examples
    --------
    >>> import numpy as np
    >>> from babycry.audio import from_array
    >>> t = np.arange(5 * 16000) / 16000
    >>> is_steady_sound(from_array(0.1 * np.sin(2 * np.pi * 60 * t), sample_rate=16000))
    True
    """
    windows, spans = frame_windows(audio.samples, sample_rate=audio.sample_rate, window=window,
                                   audio_config=audio_config)
    shortest = 2 * int(round(config.frame_seconds * audio.sample_rate))  # two frames to compare
    lengths = [int(round((e - s) * audio.sample_rate)) for s, e in spans]
    ranges = [level_range_db(w[:n], sample_rate=audio.sample_rate, config=config)
              for w, n in zip(windows, lengths, strict=True) if n >= shortest]
    return bool(ranges) and max(ranges) < config.max_range_db
