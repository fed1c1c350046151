"""The Listen tab's answer: ``/classify``, and its JSON turned into plain words for a parent.

The answer leads with plain words (is it a cry, which reason stands out), then
the four reason probabilities; the notes below them say what the bars mean and
how good the models are, read from the checkpoints' ``metrics.json``.
"""

from __future__ import annotations

from typing import Any

from babycry import plots
from babycry.analysis import analyse
from babycry.config import CRY_THRESHOLD, REASONS, AudioConfig
from babycry.errors import BabyCryError

from .errors import load_recording, readable_errors
from .models import Models

__all__ = [
    "PENDING_ANSWER",
    "EMPTY_ANSWER",
    "SOUND_NAMES",
    "reason_display_name",
    "classify",
    "reason_base_rates",
    "render_answer",
    "model_quality_brief",
    "model_quality_note",
]

#: Shown instead of a result while an analysis runs (and after an error, so a stale answer never lingers).
PENDING_ANSWER = "Listening to the recording…"
EMPTY_ANSWER = "Record or upload a baby's cry, then press **Analyse**."


def reason_display_name(reason: str) -> str:
    """``"belly_pain"`` -> ``"belly pain"``: label ids as a parent reads them.

    Examples
    --------
    >>> reason_display_name("belly_pain")
    'belly pain'
    """
    return reason.replace("_", " ")


def classify(recording: str | None, *, models: Models) -> dict[str, Any]:
    """The ``/classify`` endpoint: a recording in, the analysis JSON out.

    Parameters
    ----------
    recording : str or None
        Path of the recording (any format the library decodes).
    models : Models
        The loaded checkpoints.

    Returns
    -------
    dict
        ``babycry.analysis.Analysis.to_dict()``: ``is_cry``, ``cry_probability``,
        ``verdict``, ``unsure``, ``reasons``, ``seconds_analysed``, ``windows``, ``model``.
    """
    audio = load_recording(recording)
    with readable_errors("analysing the recording"):
        detector, reason = models.get()
        result = analyse(audio, detector=detector, reason=reason)
        out = result.to_dict()
    # Said in the answer: only the first max_seconds of a long recording are analysed.
    out["truncated"] = bool(audio.truncated)
    return out


def _percent(p: float) -> str:
    return f"{100.0 * float(p):.0f}%"


def reason_base_rates(models: Models) -> dict[str, float] | None:
    """How common each reason was among the cries the reason model learned from, read from its ``metrics.json``.

    Returns
    -------
    dict or None
        ``{reason: share}`` (shares sum to 1), or ``None`` when the checkpoint does not record them.
    """
    try:
        _, reason = models.get()
    except BabyCryError:
        return None
    grouped = (reason.metrics or {}).get("grouped") or {}
    counts = grouped.get("class_counts")
    if isinstance(counts, dict) and sum(counts.values()) > 0:
        total = float(sum(counts.values()))
        return {k: v / total for k, v in counts.items()}
    return None



def render_answer(
    result: dict[str, Any] | None,
    *,
    base_rates: dict[str, float] | None = None,
    audio_config: AudioConfig = AudioConfig(),
) -> tuple[str, dict[str, float] | None, Any]:
    """Turn the ``/classify`` JSON into the page's answer, plain words first.

    The reason model's ``verdict`` is the reason that stands out most *once
    the model allows for how common each reason is*, while ``reasons`` are
    calibrated chances that include those base rates (most crying babies in
    the data are hungry).  So the verdict need not be the longest bar, and the
    answer says why when it is not.

    Parameters
    ----------
    result : dict or None
        What :func:`classify` returned (``None`` before any analysis).
    base_rates : dict, optional
        Share of each reason among the training cries (:func:`reason_base_rates`), quoted when the
        verdict is not the longest bar.
    audio_config : AudioConfig
        For the maximum analysed duration quoted when a recording was cut.

    Returns
    -------
    tuple
        ``(verdict_markdown, reason_probabilities_for_gr_Label, timeline_figure_or_None)``.
    """
    if not result:
        return EMPTY_ANSWER, None, None
    reasons = {reason_display_name(k): float(v) for k, v in result.get("reasons", {}).items()}
    cry_p = float(result["cry_probability"])
    if result.get("steady_sound"):
        headline = "## This sounds like a steady background sound, not a baby crying"
        detail = (
            "Its loudness hardly changes from moment to moment, like a hum, a fan, a tone or hiss; a baby cries "
            "in breaths, so a cry rises and falls. (The cry detector alone gives it a "
            f"{_percent(cry_p)} chance of being a cry: it can mistake a steady hum or whine for one.) "
            "If your baby *is* crying, record again closer to the baby."
        )
    elif not result["is_cry"]:
        headline = ("## Probably not a baby crying, but the detector isn't sure" if result.get("cry_unsure")
                    else "## This doesn't sound like a baby crying")
        detail = (
            f"The cry detector gives it a {_percent(cry_p)} chance of being an infant cry. "
            "If your baby *is* crying, record again closer to the baby, with less background noise."
        )
    else:
        verdict = reason_display_name(result["verdict"])
        longest = max(result["reasons"], key=result["reasons"].get)
        if result.get("cry_unsure"):
            headline = "## Maybe a baby crying: the detector isn't sure"
            detail = (
                f"The cry detector gives it a {_percent(cry_p)} chance of being a cry. Many cries score like this, "
                "but so do baby laughter, babbling and some household sounds (a bird, a siren, a dog). "
                f"If it is a cry, it sounds most like **{verdict}**"
                + (", though no reason stands out clearly." if result["unsure"] else ".")
            )
        elif result["unsure"]:
            headline = "## Crying — no reason stands out"
            detail = (
                f"It sounds like a baby crying ({_percent(cry_p)} sure), but no reason stands out clearly enough "
                f"for the model to pick one (the closest is **{verdict}**)."
            )
        else:
            headline = f"## Sounds most like: {verdict}"
            detail = (
                f"It sounds like a baby crying ({_percent(cry_p)} sure). Of the four reasons, it matches "
                f"**{verdict}** best once the model allows for how common each reason is."
            )
        if longest != result["verdict"]:
            share = f" ({_percent(base_rates[longest])} of the cries it learned from)" if base_rates else ""
            detail += (
                f" The bars are the chance of each reason and lean towards {reason_display_name(longest)} "
                f"because most crying babies are {reason_display_name(longest)}{share}."
            )
    notes = []
    seconds = float(result.get("seconds_analysed", 0.0))
    if result.get("truncated"):
        notes.append(f"Only the first {audio_config.max_seconds:g} s were analysed.")
    elif seconds:
        notes.append(f"{seconds:.1f} s analysed.")
    text = "\n\n".join([headline, detail, " ".join(notes)]).strip()
    windows = result.get("windows") or []
    timeline = plots.timeline_figure(windows, threshold=CRY_THRESHOLD, title=None) if len(windows) > 1 else None
    return text, reasons, timeline


#: How the detector's categories of sound are named to a parent.
SOUND_NAMES = {"laugh": "baby laughter", "noise": "household and street noises", "silence": "quiet rooms",
               "speech": "speech"}


def model_quality_brief(models: Models) -> str:
    """One line under the bars: what they are and how good the reason model is (from its metrics file).

    Never raises; says so when the checkpoint has no metrics.
    """
    try:
        _, reason = models.get()
    except BabyCryError:
        return ""
    rs = reason.summary()
    if not rs:
        return "The bars are the model's probabilities. Its accuracy is unknown (no evaluation file)."
    return (
        f"The bars are calibrated chances (they include how common each reason is): hints, not a diagnosis. "
        f"On families it never saw, the reason "
        f"model's balanced accuracy is **{rs['balanced_accuracy']:.2f}**; guessing gives "
        f"**{rs.get('chance', 1.0 / len(REASONS)):.2f}**."
    )


def model_quality_note(models: Models) -> str:
    """What the probabilities mean and how good the models are, read from their metrics files.

    Never raises: when a checkpoint or its metrics are missing, the note says so.
    """
    try:
        detector, reason = models.get()
    except BabyCryError as exc:
        return f"**The models could not be loaded:** {exc}"
    lines = [
        "**What the bars mean.** They are the model's calibrated probabilities for the four reasons; "
        "they add up to 100%. A bar at 40% means that, among cries the model scored like this one, about "
        "4 in 10 had that reason — a hint, not a diagnosis. They include how common each reason is, and most "
        "crying babies in the data are hungry, so hungry is usually the longest bar. The answer above the bars "
        "names the reason that stands out most once that is allowed for (the rule that is right most often "
        "averaged over the four reasons), or says that none stands out."
    ]
    rs = reason.summary()
    if rs:
        ci = rs.get("ci95")
        ci_txt = f" (95% CI {ci[0]:.2f}–{ci[1]:.2f})" if ci else ""
        lines.append(
            f"**How good is it?** On families it never saw ({rs.get('split', 'grouped cross-validation')}), the reason "
            f"model's balanced accuracy is **{rs['balanced_accuracy']:.2f}**{ci_txt}; guessing gives "
            f"**{rs.get('chance', 1.0 / len(REASONS)):.2f}**. Reasons are hard to hear in a cry: "
            "treat them as weak hints."
        )
        if rs.get("coverage") is not None and rs.get("answered_balanced_accuracy") is not None:
            lines.append(
                f"It answers for {_percent(rs['coverage'])} of cries and says *unsure* for the rest; on the cries it "
                f"answers, balanced accuracy is {rs['answered_balanced_accuracy']:.2f}."
            )
    else:
        lines.append("**How good is it?** This reason model has no evaluation file, so its accuracy is unknown.")
    ds = detector.summary()
    if ds:
        text = (f"The cry detector's balanced accuracy on unseen families is {ds['balanced_accuracy']:.2f} "
                f"(chance {ds.get('chance', 0.5):.2f}).")
        weak = [f"{_percent(1.0 - acc)} of {SOUND_NAMES.get(name, name)}"
                for name, acc in ds.get("category_accuracy", {}).items() if name != "cry" and acc < 0.9]
        if weak:
            listed = weak[0] if len(weak) == 1 else ", ".join(weak[:-1]) + " and " + weak[-1]
            text += (f" On recordings it never heard, it still calls {listed} cries, so a \"cry\" answer for "
                     "a laughing baby or a tonal sound (a siren, a bird, a dog) may be wrong.")
        band = ds.get("cry_band")
        if band and {"cry", "laugh", "noise"} <= set(band["categories"]):
            shares = band["categories"]
            text += (f" When its cry probability lies between {_percent(band['low'])} and {_percent(band['high'])} "
                     "it says it isn't sure (\"maybe a baby crying\"): that is where "
                     f"{_percent(shares['laugh']['unsure'])} of baby laughter and "
                     f"{_percent(shares['noise']['unsure'])} of household and street noises land, and "
                     f"{_percent(shares['cry']['unsure'])} of cries. A confident \"cry\" goes to "
                     f"{_percent(shares['cry']['cry'])} of cries, {_percent(shares['laugh']['cry'])} of laughter and "
                     f"{_percent(shares['noise']['cry'])} of noises.")
        text += (" A sound whose level never rises and falls (a hum, fan, whine or hiss) is reported as a steady "
                 "sound, not a cry, whatever the detector says.")
        lines.append(text)
    return "\n\n".join(lines)
