"""The result a parent sees: is it a cry, how sure, how loud, how long, in bursts or not, and which reason.

:func:`analyse` runs the detector and the reason model on the same windows of
a recording (:func:`analyse_batch`: of several recordings at once) and
measures the sound itself (:mod:`babycry.pattern`); :class:`Analysis` holds the
answer and ``to_dict()`` is the ``/classify`` JSON of the app (every field
documented in ``docs/api.md``).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .audio import Audio
from .config import CRY_THRESHOLD, AudioConfig, SteadySoundConfig, WindowConfig
from .errors import BabyCryError, InvalidParameterError
from .features import level_range_db
from .hub import local_folder, read_json
from .modeling import CryModel, Prediction, frame_windows
from .modeling.background import cores_apart, on_both_threads, submit
from .modeling.fbank import same_features
from .pattern import PatternConfig, SoundPattern, describe_sound

__all__ = ["Window", "Analysis", "analyse", "analyse_batch", "is_steady_sound", "model_identity", "reason_quality"]


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
    reasons_balanced : dict
        Prior-corrected probability of each reason, as if all four were equally common
        (``softmax(logits / T)`` without the class bias): the quantity ``verdict`` and ``unsure`` use, so the
        verdict is always its largest value.
    reason_quality : dict
        How well the reason model tells reasons apart on families it never saw (:func:`reason_quality`):
        ``balanced_accuracy``, ``ci95``, ``chance`` and ``experimental`` (the interval reaches chance).
    sound : SoundPattern or None
        How loud the recording is, where it holds sound and whether that is continuous or in bursts
        (:func:`babycry.pattern.describe_sound`).
    seconds_analysed : float
        Length of audio the models saw.
    windows : list of Window
        Per-window cry probability (the timeline).
    detector_id, reason_id : str
        Where the models were loaded from (for the library user; the JSON names them instead).
    models : dict
        ``{"detector": {"name", "version"}, "reason": {...}}`` (:func:`model_identity`): the JSON's ``model``.
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
    >>> list(a.to_dict())  # doctest: +NORMALIZE_WHITESPACE
    ['is_cry', 'cry_probability', 'cry_unsure', 'verdict', 'unsure', 'reasons', 'reasons_balanced',
     'reason_quality', 'seconds_analysed', 'sound', 'windows', 'steady_sound', 'model', 'truncated']
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
    reasons_balanced: dict[str, float] = field(default_factory=dict)
    reason_quality: dict[str, Any] = field(default_factory=dict)
    sound: SoundPattern | None = None
    models: dict[str, dict[str, str]] = field(default_factory=dict)

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
            "reasons_balanced": {k: float(v) for k, v in self.reasons_balanced.items()},
            "reason_quality": dict(self.reason_quality),
            "seconds_analysed": float(self.seconds_analysed),
            "sound": self.sound.to_dict() if self.sound is not None else None,
            "windows": [w.to_dict() for w in self.windows],
            "steady_sound": bool(self.steady_sound),
            # names and versions, never where the checkpoints lie on the server
            "model": {k: dict(v) for k, v in self.models.items()},
            "truncated": bool(self.truncated),
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
    pattern: PatternConfig = PatternConfig(),
    digits: int = 4,
) -> Analysis:
    """Run both models on a recording.

    The recording is band-limited and cut into fixed windows (each
    loudness-normalised) once; their features are computed once (both models
    share them when their feature extractors match) and go through each model
    in one batch.  The detector gives a cry probability per window and for the
    whole (mean of window logits, calibrated); the reason model gives calibrated
    reason probabilities the same way; the steady-sound rule reads the same
    windows.

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
    pattern : PatternConfig
        Loudness and bout thresholds of the sound description (:func:`babycry.pattern.describe_sound`).
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
    return analyse_batch([audio], detector=detector, reason=reason, window=window, audio_config=audio_config,
                         cry_threshold=cry_threshold, steady=steady, pattern=pattern, digits=digits)[0]


def analyse_batch(
    audios: Sequence[Audio],
    *,
    detector: CryModel,
    reason: CryModel,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    cry_threshold: float = CRY_THRESHOLD,
    steady: SteadySoundConfig = SteadySoundConfig(),
    pattern: PatternConfig = PatternConfig(),
    digits: int = 4,
) -> list[Analysis]:
    """:func:`analyse` several recordings at once: the windows of all of them go through each model together.

    Each result equals ``analyse`` of that recording alone (up to float rounding in the batched model);
    this is the throughput path (a batch of clips in one forward pass per model).  Both use the machine's second
    core coarsely: the reason model and the measures of the sound run on the process's background thread while the
    detector runs on the calling one, and each window's detector features and forward pass go to whichever thread
    is free (:mod:`babycry.modeling.background`); every model itself runs on one thread.  Safe to call from several
    threads at once.

    Parameters
    ----------
    audios : sequence of Audio
        The recordings.
    detector, reason, window, audio_config, cry_threshold, steady, pattern, digits
        As for :func:`analyse`.

    Returns
    -------
    list of Analysis
        One per recording, in order.

    Examples
    --------
    >>> results = analyse_batch([load("a.wav"), load("b.webm")], detector=det, reason=rea)  # doctest: +SKIP
    >>> [r.verdict for r in results]  # doctest: +SKIP
    ['hungry', 'not_cry']
    """
    if detector.task != "detector":
        raise InvalidParameterError(f"`detector` must be a cry detector, got a {detector.task} model.")
    if reason.task != "reason":
        raise InvalidParameterError(f"`reason` must be a reason model, got a {reason.task} model.")
    if not 0.0 < cry_threshold < 1.0:
        raise InvalidParameterError(f"cry_threshold must lie in (0, 1), got {cry_threshold!r}.")
    if not audios:
        return []
    # both threads of the analysis on different cores, also when it arrives at an idle machine (modeling.background)
    with cores_apart():
        framed = []
        for audio in audios:
            detector.check_rate(audio.sample_rate)
            reason.check_rate(audio.sample_rate)
            framed.append(frame_windows(audio.samples, sample_rate=audio.sample_rate, window=window,
                                        audio_config=audio_config))
        windows = np.concatenate([w for w, _ in framed], axis=0)
        # The reason model's features and forward pass on the background thread while the detector's run on this one
        # (modeling.background): 7 s clip, median 56.8 -> 48.8 ms wall over 200 alternating runs, the same CPU time.
        shared = same_features(detector.feature_extractor, reason.feature_extractor)
        if shared:
            det_features = detector.features(windows)
            reason_job = submit(reason.window_outputs, det_features)
        else:
            reason_job = submit(lambda: reason.window_outputs(reason.features(windows)))
        # the measures of the sound itself next on the background thread
        sounds_job = submit(_sounds, audios, framed, steady, pattern)
        # without shared features, each window's detector features and forward pass on whichever thread is free
        # (on_both_threads), so neither thread waits for the other
        det_outputs = (detector.window_outputs(det_features) if shared
                       else on_both_threads(detector.outputs_of, windows))
        sounds = sounds_job.result()
        rea_outputs = reason_job.result()
        results, start = [], 0
        for audio, (wins, spans), (steady_sound, sound) in zip(audios, framed, sounds, strict=True):
            stop = start + len(wins)
            results.append(_answer(
                audio,
                det=detector.prediction(det_outputs[start:stop], spans=spans),
                rea=reason.prediction(rea_outputs[start:stop], spans=spans),
                steady_sound=steady_sound, sound=sound,
                detector=detector, reason=reason, cry_threshold=cry_threshold, digits=digits,
            ))
            start = stop
        return results


def _sounds(audios: Sequence[Audio], framed: list[tuple[np.ndarray, list[tuple[float, float]]]],
            steady: SteadySoundConfig, pattern: PatternConfig) -> list[tuple[bool, SoundPattern]]:
    """Each recording's steady-sound flag and :class:`SoundPattern` (what the app says of the sound itself)."""
    return [(_is_steady(wins, spans, sample_rate=audio.sample_rate, config=steady),
             describe_sound(audio.samples, sample_rate=audio.sample_rate, config=pattern))
            for audio, (wins, spans) in zip(audios, framed, strict=True)]


def _answer(audio: Audio, *, det: Prediction, rea: Prediction, steady_sound: bool, sound: SoundPattern,
            detector: CryModel, reason: CryModel, cry_threshold: float, digits: int) -> Analysis:
    """One recording's :class:`Analysis` from both models' predictions."""
    cry_index = detector.labels.index("cry")
    cry_p = float(det.probabilities[cry_index])
    reasons = {name: round(float(p), digits) for name, p in zip(reason.labels, rea.probabilities, strict=False)}
    balanced = rea.balanced_probabilities if rea.balanced_probabilities is not None else rea.probabilities
    reasons_balanced = {name: round(float(p), digits) for name, p in zip(reason.labels, balanced, strict=False)}
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
        reasons_balanced=reasons_balanced,
        reason_quality=reason_quality(reason),
        sound=sound,
        models={"detector": model_identity(detector), "reason": model_identity(reason)},
    )


def reason_quality(reason: CryModel) -> dict[str, Any]:
    """How well a reason model tells reasons apart on families it never saw, from its ``metrics.json``.

    Returns
    -------
    dict
        ``balanced_accuracy`` and ``ci95`` (grouped cross-validation, family-bootstrap 95% interval; ``None``
        without a metrics file), ``chance`` (1 / number of reasons: what guessing scores) and
        ``experimental``: true while the interval's lower end does not clear chance (or nothing is
        known), i.e. the model is not shown to beat guessing.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> m = SimpleNamespace(labels=("a", "b", "c", "d"), metrics={"grouped": {"metrics": {
    ...     "balanced_accuracy": {"value": 0.31, "ci95": [0.23, 0.40]}}}})
    >>> reason_quality(m)
    {'balanced_accuracy': 0.31, 'ci95': [0.23, 0.4], 'chance': 0.25, 'experimental': True}
    """
    chance = round(1.0 / len(reason.labels), 4)
    grouped = (reason.metrics or {}).get("grouped") or {}
    entry = (grouped.get("metrics") or {}).get("balanced_accuracy") or {}
    value, ci = entry.get("value"), entry.get("ci95")
    ci = [float(ci[0]), float(ci[1])] if ci and None not in ci else None
    return {
        "balanced_accuracy": float(value) if value is not None else None,
        "ci95": ci,
        "chance": chance,
        "experimental": not (ci is not None and ci[0] > chance),
    }


def model_identity(model: CryModel) -> dict[str, str]:
    """A checkpoint's name and version, never where it lies on the server.

    ``name`` is the checkpoint folder's name (or the hub id); ``version`` is the UTC date it was trained
    (``training.json`` ``finished_utc``) and, for a local checkpoint, ``+`` the first 8 hex digits of the
    SHA-256 of its ``model.safetensors``: two checkpoints with the same version hold the same weights.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> model_identity(SimpleNamespace(model_id="/no/such/dir/cry-detector"))
    {'name': 'cry-detector', 'version': 'unknown'}
    """
    name, version = _identity(str(model.model_id))
    return {"name": name, "version": version}


@functools.lru_cache(maxsize=16)
def _identity(model_id: str) -> tuple[str, str]:
    local = local_folder(model_id)
    name = Path(model_id).name if local is not None or not model_id.count("/") == 1 else model_id
    try:
        training = read_json(model_id, "training.json") if local is not None else None
    except BabyCryError:
        training = None
    trained = str((training or {}).get("finished_utc") or "")[:10]
    weights = local / "model.safetensors" if local is not None else None
    digest = ""
    if weights is not None and weights.is_file():
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:8]
    version = "+".join(part for part in (trained, digest) if part) or "unknown"
    return name, version


def is_steady_sound(
    audio: Audio,
    *,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    config: SteadySoundConfig = SteadySoundConfig(),
) -> bool:
    """Whether a recording is too steady to hold a cry: a hum, fan, tone or hiss.

    The recording is band-limited and cut into the models' windows; it is steady when every window's
    :func:`babycry.features.level_range_db` (over its real, unpadded extent, around its mean: a DC offset
    is not sound) is below ``config.max_range_db``.  A cry comes in breaths, so at least one window of a
    recording that holds one rises and falls by more.

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
    return _is_steady(windows, spans, sample_rate=audio.sample_rate, config=config)


def _is_steady(windows: np.ndarray, spans: list[tuple[float, float]], *, sample_rate: int,
               config: SteadySoundConfig) -> bool:
    """The steady-sound rule on framed windows (see :func:`is_steady_sound`)."""
    shortest = 2 * int(round(config.frame_seconds * sample_rate))  # two frames to compare
    lengths = [int(round((e - s) * sample_rate)) for s, e in spans]
    # Around each window's mean: a DC offset (a cheap microphone's, or a file's) would otherwise dominate every
    # frame's level, make any recording look steady, and turn a cry into "not a cry".
    ranges = [level_range_db(w[:n] - w[:n].mean(), sample_rate=sample_rate, config=config)
              for w, n in zip(windows, lengths, strict=True) if n >= shortest]
    return bool(ranges) and max(ranges) < config.max_range_db
