"""The Listen tab's answer: ``/classify``, and its JSON turned into plain words for a parent.

The headline is what the app can answer: crying or not, how sure, how loud,
how long, continuous or in bursts.  The reason comes below it, as an
experiment while the reason model's grouped interval reaches chance
(``reason_quality.experimental`` of the JSON, read from its ``metrics.json``).
Its bars are ``reasons_balanced`` — how well the cry matches each reason as if
all four were equally common — the quantity the verdict is the largest of, so
the reason named is always the longest bar, and none is named when the two
longest show the same percent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babycry.config import CRY_THRESHOLD, AudioConfig

from .errors import load_recording, readable_errors
from .models import Models
from .words import reason_display_name, say_chance, say_length, say_seconds, say_share

__all__ = [
    "PENDING_ANSWER",
    "EMPTY_ANSWER",
    "FAILED_ANSWER",
    "REASON_BARS_LABEL",
    "AnswerView",
    "classify",
    "render_answer",
    "quality_brief",
]

#: Shown instead of a result while an analysis runs.
PENDING_ANSWER = "Listening to the recording…"
EMPTY_ANSWER = "Record or upload a baby's cry, or try an example above, then press **Analyse**."
#: Shown when an analysis fails (the message itself comes as a notice in the corner).
FAILED_ANSWER = ("## No answer\nThis recording could not be analysed: the notice says why. "
                 "Record or upload again, then press **Analyse**.")
REASON_BARS_LABEL = "How well the cry matches each reason (as if all four were equally common)"

#: Share of clipped samples from which the answer says the recording is distorted (0.1%).
CLIPPED_NOTICE_SHARE = 0.001
#: A cry probability from which the detector counts as "very" sure.
VERY_SURE = 0.95


@dataclass(frozen=True)
class AnswerView:
    """What the page shows for one ``/classify`` result.

    Attributes
    ----------
    verdict_md : str
        Headline and the sound in plain words.
    reason_md : str
        The reason section's words ("" when there is none: not a cry).
    reasons : dict or None
        Bars for ``gr.Label`` (display names -> ``reasons_balanced``), ``None`` to hide them.
    timeline : plotly Figure or None
        Per-window chance of crying (recordings with more than one window).
    """

    verdict_md: str
    reason_md: str = ""
    reasons: dict[str, float] | None = None
    timeline: Any = None


def classify(recording: str | None, *, models: Models) -> dict[str, Any]:
    """The ``/classify`` endpoint: a recording in, the analysis JSON out (``docs/api.md``).

    Parameters
    ----------
    recording : str or None
        Path of the recording (any format the library decodes).
    models : Models
        The checkpoints.

    Returns
    -------
    dict
        ``babycry.analysis.Analysis.to_dict()``.
    """
    audio = load_recording(recording)
    with readable_errors("analysing the recording"):
        return models.analyse(audio)


def _sound_words(sound: dict[str, Any] | None, *, seconds: float, crying: bool) -> str:
    """"Loud, continuous (pausing only to breathe), about 7 seconds." from the JSON's ``sound``."""
    if not sound:
        return ""
    loud = {"loud": "Loud", "moderate": "Moderately loud", "quiet": "Quiet"}[sound["loudness"]]
    length = say_seconds(sound["sound_seconds"])
    what = "of crying" if crying else "of sound"
    if sound["pattern"] == "continuous":
        text = f"{loud}, continuous (pausing only to breathe), {length}."
    elif sound["pattern"] == "bursts":
        text = f"{loud}, in {len(sound['bouts'])} bursts: {length} {what} in a {say_length(seconds)} recording."
    else:
        text = f"{loud}, one burst: {length} {what} in a {say_length(seconds)} recording."
    if sound.get("clipped_share", 0.0) >= CLIPPED_NOTICE_SHARE:
        text += " The recording is distorted (too loud for the microphone): hold the phone a little further away."
    return text


def _headline(result: dict[str, Any]) -> tuple[str, str]:
    cry_p = float(result["cry_probability"])
    if result.get("steady_sound"):
        return ("A steady sound, not a baby crying",
                "Its loudness hardly changes, like a fan, a hum or a tone; a crying baby's voice rises and falls "
                "with each breath. If your baby is crying, record again closer to the baby.")
    if not result["is_cry"]:
        if result.get("cry_unsure"):
            return ("Probably not a baby crying",
                    f"The app isn't sure: it gives a {say_chance(cry_p)} chance that this is a cry.")
        return ("This doesn't sound like a baby crying",
                f"Only a {say_chance(cry_p)} chance that it is a cry. If your baby is crying, record again closer "
                "to the baby, with less noise around.")
    if result.get("cry_unsure"):
        return ("Maybe a baby crying",
                f"The app isn't sure ({say_chance(cry_p)} chance of a cry): baby laughter, babbling and some "
                "household sounds can sound like this too.")
    how = "very sure" if cry_p >= VERY_SURE else "fairly sure"
    return "A baby crying", f"The app is {how}: {say_chance(cry_p)} chance of a cry."


def render_answer(result: dict[str, Any] | None, *, audio_config: AudioConfig = AudioConfig()) -> AnswerView:
    """Turn the ``/classify`` JSON into the page's answer, plain words first.

    Parameters
    ----------
    result : dict or None
        What :func:`classify` returned (``None`` before any analysis).
    audio_config : AudioConfig
        For the maximum analysed duration quoted when a recording was cut.

    Returns
    -------
    AnswerView

    Examples
    --------
    >>> view = render_answer({"is_cry": True, "cry_probability": 0.99, "cry_unsure": False, "verdict": "tired",
    ...     "unsure": False, "reasons_balanced": {"hungry": 0.2, "belly_pain": 0.2, "discomfort": 0.2, "tired": 0.4},
    ...     "reason_quality": {"experimental": True}, "seconds_analysed": 7.0, "windows": [],
    ...     "sound": {"loudness": "loud", "sound_seconds": 6.9, "pattern": "continuous", "bouts": [[0, 6.9]]}})
    >>> print(view.verdict_md)
    ## A baby crying
    The app is very sure: 99% chance of a cry. Loud, continuous (pausing only to breathe), about 7 seconds.
    >>> max(view.reasons, key=view.reasons.get), "**tired**" in view.reason_md
    ('tired', True)
    """
    if not result:
        return AnswerView(EMPTY_ANSWER)
    title, sure = _headline(result)
    crying = bool(result["is_cry"])
    seconds = float(result.get("seconds_analysed", 0.0))
    lines = [f"## {title}", " ".join(part for part in (sure, _sound_words(
        result.get("sound"), seconds=seconds, crying=crying)) if part)]
    if result.get("truncated"):
        limit = float(audio_config.max_seconds)
        first = ("minute" if limit == 60 else f"{limit / 60:g} minutes" if limit % 60 == 0 else f"{limit:g} seconds")
        lines.append(f"Only the first {first} {'was' if first == 'minute' else 'were'} listened to.")
    verdict_md = "\n".join(lines)

    windows = result.get("windows") or []
    timeline = None
    if len(windows) > 1:
        from babycry import plots  # plotly loads on the first answer that needs it, not at start-up

        timeline = plots.timeline_figure(windows, threshold=CRY_THRESHOLD, title=None)
        timeline.update_layout(yaxis_title="chance of crying")
    if not crying:
        return AnswerView(verdict_md, timeline=timeline)

    balanced = result.get("reasons_balanced") or result.get("reasons") or {}
    bars = {reason_display_name(k): float(v) for k, v in balanced.items()}
    experimental = (result.get("reason_quality") or {}).get("experimental", True)
    heading = "### Why? An experiment" if experimental else "### Why is the baby crying?"
    caveat = ("Across families, this part does not yet tell reasons apart better than guessing." if experimental
              else "A hint, not a diagnosis.")
    # the bars show whole percents: a reason whose bar shows the same number as another's does not stand out
    shown = sorted((round(100 * v) for v in bars.values()), reverse=True)
    if result.get("unsure") or (len(shown) > 1 and shown[0] == shown[1]):
        match = "No reason stands out: the bars are close."
    else:
        match = f"Its closest match is **{reason_display_name(result['verdict'])}**, the longest bar."
    return AnswerView(verdict_md, f"{heading}\n{match} {caveat}", bars, timeline)


def quality_brief(models: Models) -> str:
    """How good the app is, in under 40 words for the Listen tab (details on the Model tab); never raises.

    Read from the detector's ``metrics.json`` (grouped cross-validation): the share of cries it calls a cry, and
    of baby laughter, on families it never heard.

    Examples
    --------
    >>> quality_brief(Models(detector_path="/no/such/dir", reason_path="/no/such/dir", worker=False))
    'How well the app recognises cries is not known: its detector has no evaluation. Details on the **Model** tab.'
    """
    metrics = (models.metrics("detector").get("grouped") or {}).get("metrics") or {}
    cry = (metrics.get("recall/cry") or metrics.get("category_accuracy/cry") or {}).get("value")
    if cry is None:
        return ("How well the app recognises cries is not known: its detector has no evaluation. "
                "Details on the **Model** tab.")
    text = f"On families it never heard, the app recognises {say_share(cry)} cries"
    laugh = (metrics.get("category_accuracy/laugh") or {}).get("value")
    if laugh is not None:
        text += f" but also calls {say_share(1.0 - laugh)} baby laughs a cry"
    return text + ". Details on the **Model** tab."
