"""Gradio event handlers: Gradio values in, library calls, Gradio values out.

Every handler is a plain function that the tests call directly.  Each one
wraps its library calls in :func:`readable_errors`, so a
:class:`babycry.errors.BabyCryError` reaches the page as a ``gr.Error`` that
carries the library's own message (never a traceback, never a blank result),
and the page keeps working for the next recording.

Audio arrives as a file path (``gr.Audio(type="filepath")``): the library
decodes every format a browser or phone records (WebM/Opus, M4A/AAC, …) via
ffmpeg, in memory; nothing is written beside the upload Gradio already cached.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from babycry import audio as bc_audio
from babycry import augment as bc_augment
from babycry import features, plots, preprocess
from babycry.analysis import analyse
from babycry.config import CRY_THRESHOLD, REASONS, AudioConfig, BandPassConfig, MelConfig
from babycry.errors import BabyCryError

logger = logging.getLogger(__name__)

__all__ = [
    "Models",
    "readable_errors",
    "load_recording",
    "classify",
    "render_answer",
    "reason_base_rates",
    "model_quality_note",
    "model_quality_brief",
    "spectrogram_views",
    "augmentation_names",
    "augmentation_specs",
    "augmentation_description",
    "collect_params",
    "augment_preview",
    "to_int16",
    "reason_display_name",
]

#: Shown instead of a result while an analysis runs (and after an error, so a stale answer never lingers).
PENDING_ANSWER = "Listening to the recording…"
EMPTY_ANSWER = "Record or upload a baby's cry, then press **Analyse**."


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #
@contextmanager
def readable_errors(action: str) -> Iterator[None]:
    """Turn every exception raised inside into a ``gr.Error`` a parent can read.

    Library errors keep their message (it already says what was wrong and
    echoes the value).  Anything else is a bug: it is logged with its
    traceback on the server and the page gets a short, honest message.

    Parameters
    ----------
    action : str
        What was being done, e.g. ``"analysing the recording"``, used in the
        message for unexpected failures.
    """
    try:
        yield
    except gr.Error:
        raise
    except BabyCryError as exc:
        raise gr.Error(str(exc), title="Cannot use this recording", print_exception=False) from None
    except Exception:  # noqa: BLE001 - the page must get a message, the log gets the traceback
        logger.exception("unexpected error while %s", action)
        raise gr.Error(
            f"Something went wrong while {action}. Please try again or use another recording.",
            print_exception=False,
        ) from None


def load_recording(path: str | Path | None, *, config: AudioConfig = AudioConfig()) -> bc_audio.Audio:
    """Decode and validate the recording Gradio hands over as a file path.

    Parameters
    ----------
    path : str, Path or None
        The cached upload or microphone recording (``None`` when there is none).
    config : AudioConfig
        Limits and target rate.

    Returns
    -------
    babycry.audio.Audio

    Raises
    ------
    gradio.Error
        No recording, an expired upload, or any library rejection (empty,
        silent, too short, not audio, …) with the library's message.
    """
    if path is None or (isinstance(path, str) and not path.strip()):
        raise gr.Error(
            "No recording yet: record with the microphone or upload a file, then press Analyse.",
            title="No recording",
            print_exception=False,
        )
    if not Path(path).exists():
        raise gr.Error(
            "This recording is no longer on the server (uploads are deleted after a few minutes). "
            "Please upload or record it again.",
            title="Recording expired",
            print_exception=False,
        )
    with readable_errors("reading the recording"):
        return bc_audio.load(path, config=config)


# --------------------------------------------------------------------------- #
# Models
# --------------------------------------------------------------------------- #
@dataclass
class Models:
    """The two checkpoints, loaded once on first use and shared by every request.

    Loading is lazy so that the page still opens (and says clearly what is
    missing) when a checkpoint is absent; :meth:`warm_up` loads them at start.

    Parameters
    ----------
    detector_path : str or Path
        Cry-detector checkpoint (local folder or hub id).
    reason_path : str or Path
        Reason-classifier checkpoint (local folder or hub id).
    """

    detector_path: str | Path
    reason_path: str | Path
    _loaded: tuple[Any, Any] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def get(self) -> tuple[Any, Any]:
        """Return ``(detector, reason)``, loading them on first call.

        Raises
        ------
        babycry.errors.ModelLoadError
            A checkpoint is missing or corrupt (retried on the next call).
        """
        from babycry.modeling import load_detector, load_reason

        with self._lock:
            if self._loaded is None:
                self._loaded = (load_detector(self.detector_path), load_reason(self.reason_path))
            return self._loaded

    def warm_up(self) -> str | None:
        """Load both models now; return the error message instead of raising when one cannot load."""
        try:
            self.get()
        except BabyCryError as exc:
            logger.warning("models not loaded at start: %s", exc)
            return str(exc)
        return None


# --------------------------------------------------------------------------- #
# Listen: /classify and the plain-words answer
# --------------------------------------------------------------------------- #
def reason_display_name(reason: str) -> str:
    """``"belly_pain"`` -> ``"belly pain"``: label ids as a parent reads them."""
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


# --------------------------------------------------------------------------- #
# What the app heard: /spectrogram
# --------------------------------------------------------------------------- #
def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] -> int16, clipped, so Gradio plays them at their true level.

    Gradio peak-normalises float arrays it is given, which would hide a gain
    change or a filter's attenuation; int16 is played as is.
    """
    clipped = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.round(clipped * 32767.0).astype(np.int16)


def spectrogram_views(
    recording: str | None,
    centre_hz: float,
    bandwidth_fraction: float,
    rolloff_db_per_octave: float,
    *,
    mel_config: MelConfig = MelConfig(),
    audio_config: AudioConfig = AudioConfig(),
) -> tuple[Any, Any, Any, tuple[int, np.ndarray], dict[str, Any]]:
    """The ``/spectrogram`` endpoint: what the models hear, and the band-pass filter's effect.

    Parameters
    ----------
    recording : str or None
        Path of the recording.
    centre_hz, bandwidth_fraction, rolloff_db_per_octave : float
        The band-pass filter (:class:`babycry.config.BandPassConfig`).

    Returns
    -------
    tuple
        ``(mel_figure, waveform_figure, filter_response_figure, (rate, int16 filtered audio), band_info)``.
    """
    audio = load_recording(recording, config=audio_config)
    with readable_errors("drawing the spectrogram"):
        band = BandPassConfig(
            centre_hz=float(centre_hz),
            bandwidth_fraction=float(bandwidth_fraction),
            rolloff_db_per_octave=int(rolloff_db_per_octave),
        )
        sr = audio.sample_rate
        heard = preprocess.prepare(audio.samples, sample_rate=sr, config=audio_config)
        filtered = preprocess.band_pass(heard, sample_rate=sr, config=band)
        spec = features.log_mel(heard, sample_rate=sr, config=mel_config)
        mel_fig = plots.spectrogram_figure(spec, title=None)  # the gr.Plot label names it
        wave_fig = plots.waveform_figure(
            heard, filtered, sample_rate=sr, names=("analysed", "band-passed"), title=None
        )
        response_fig = plots.band_pass_response_figure(sample_rate=sr, config=band, title=None)
        low, high = band.edges_hz
        info = {
            "band_hz": [round(low, 1), round(high, 1)],
            "rolloff_db_per_octave": band.rolloff_db_per_octave,
            "rms_dbfs_before": round(float(preprocess.rms_dbfs(heard)), 2),
            "rms_dbfs_after": round(float(preprocess.rms_dbfs(filtered)), 2),
            "seconds": round(float(audio.duration_s), 3),
        }
    return mel_fig, wave_fig, response_fig, (sr, to_int16(filtered)), info


# --------------------------------------------------------------------------- #
# Augmentation preview: /augment
# --------------------------------------------------------------------------- #
def augmentation_names() -> list[str]:
    """Names in the library's augmentation registry, in registry order."""
    return bc_augment.available()


def augmentation_specs() -> dict[str, list[bc_augment.Param]]:
    """``{name: [Param, ...]}`` from the registry, to build one slider per parameter."""
    return {name: list(bc_augment.get(name).params) for name in bc_augment.available()}


def augmentation_description(name: str) -> str:
    """The registry's one-line description of an augmentation."""
    return bc_augment.get(name).description


def collect_params(name: str, *slider_values: float, layout: list[tuple[str, str]]) -> str:
    """Gather the sliders of the chosen augmentation into the ``params`` JSON ``/augment`` takes.

    Parameters
    ----------
    name : str
        Chosen augmentation.
    *slider_values : float
        Every slider's value, in ``layout`` order.
    layout : list of (augmentation, parameter)
        Which augmentation and parameter each slider belongs to.

    Returns
    -------
    str
        JSON object ``{parameter: value}`` for ``name`` only.
    """
    params = {param: value for (aug, param), value in zip(layout, slider_values, strict=True) if aug == name}
    return json.dumps(params)


def augment_preview(
    recording: str | None,
    name: str,
    params: str | dict | None,
    seed: float | int | None,
    *,
    mel_config: MelConfig = MelConfig(),
    audio_config: AudioConfig = AudioConfig(),
) -> tuple[Any, Any, Any, tuple[int, np.ndarray], dict[str, Any]]:
    """The ``/augment`` endpoint: apply one named augmentation with exact parameters.

    Parameters
    ----------
    recording : str or None
        Path of the recording.
    name : str
        A name from the library's registry (e.g. ``"pitch_shift"``).
    params : str, dict or None
        Parameters as a JSON object, e.g. ``'{"semitones": 2}'``; missing ones take their defaults.
    seed : int
        Seed for any randomness (noise), so a preview is reproducible.

    Returns
    -------
    tuple
        ``(mel_before_figure, mel_after_figure, waveform_figure, (rate, int16 audio), params_used)``.
        The spectrograms are in dB relative to their own loudest bin, so a gain
        change shows in the waveform and is heard in the audio, not in the colours.
    """
    audio = load_recording(recording, config=audio_config)
    with readable_errors("applying the augmentation"):
        if not isinstance(params, dict):
            text = (params or "").strip() or "{}"
            try:
                params = json.loads(text)
            except json.JSONDecodeError as exc:
                raise gr.Error(
                    f"The parameters must be a JSON object like {{\"semitones\": 2}}, got {text!r} ({exc.msg}).",
                    print_exception=False,
                ) from None
            if not isinstance(params, dict):
                raise gr.Error(f"The parameters must be a JSON object, got {text!r}.", print_exception=False)
        sr = audio.sample_rate
        heard = preprocess.prepare(audio.samples, sample_rate=sr, config=audio_config)
        result = bc_augment.apply(heard, sample_rate=sr, name=name, params=params, seed=int(seed or 0))
        after = np.asarray(result.samples, dtype=np.float32)
        before_fig = plots.spectrogram_figure(
            features.log_mel(heard, sample_rate=sr, config=mel_config), title=None
        )
        after_fig = plots.spectrogram_figure(
            features.log_mel(after, sample_rate=sr, config=mel_config), title=None
        )
        wave_fig = plots.waveform_figure(
            heard, after, sample_rate=sr, names=("before", "after"), title=None
        )
        # Rounded for reading (6 decimals): -6.000000000000001 dB is -6 dB.
        applied = {k: round(v, 6) if isinstance(v, float) else v for k, v in result.params_used.items()}
        used = {"name": name, "seed": int(seed or 0), "params_used": applied}
    return before_fig, after_fig, wave_fig, (sr, to_int16(after)), used


# --------------------------------------------------------------------------- #
# Research tabs: the models' evaluation, the dataset
# --------------------------------------------------------------------------- #
_METRIC_NAMES = {
    "balanced_accuracy": "balanced accuracy",
    "macro_f1": "macro-F1",
    "roc_auc": "ROC AUC",
    "log_loss": "log-loss",
    "ece": "ECE (calibration error)",
    "accuracy": "accuracy",
}


def _fmt_metric(entry: Any) -> str:
    """``{"value": v, "ci95": [lo, hi]}`` or a bare number -> ``"0.31 (0.27–0.35)"``."""
    if isinstance(entry, dict):
        value = entry.get("value")
        ci = entry.get("ci95")
    else:
        value, ci = entry, None
    if value is None:
        return "—"
    text = f"{float(value):.3f}"
    if ci and len(ci) == 2 and ci[0] is not None:
        text += f" ({float(ci[0]):.3f}–{float(ci[1]):.3f})"
    return text


def _strip_front_matter(text: str) -> str:
    """Drop a model card's YAML header (``---`` … ``---``) so the page shows its prose."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :].lstrip()
    return text


def _metric_rows(metrics: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``{"recall/hungry": {...}}`` -> ``{"hungry": {...}}`` for one prefix."""
    return {k.split("/", 1)[1]: v for k, v in metrics.items() if k.startswith(prefix + "/")}


def metrics_table_markdown(metrics: dict[str, Any]) -> str:
    """The grouped-CV metrics beside the majority baseline and the leaky random split, as Markdown tables.

    Parameters
    ----------
    metrics : dict
        A checkpoint's ``metrics.json`` (``babycry.evaluate.cv_report`` under
        ``grouped`` and, when run, ``random``).

    Returns
    -------
    str
        Markdown; says so when the file holds no grouped evaluation.
    """
    grouped = metrics.get("grouped") or {}
    gm = grouped.get("metrics") or {}
    if not gm:
        return "This checkpoint has no grouped evaluation (`metrics.json`), so its accuracy is unknown."
    baseline = grouped.get("majority_baseline") or {}
    leaky = (metrics.get("random") or {}).get("metrics") or {}
    header = ["metric", "grouped CV (95% CI over families)", "majority baseline"]
    if leaky:
        header.append("random split: **LEAKY**, comparison only")
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, entry in gm.items():
        if "/" in key or key == "confusion_matrix" or not isinstance(entry, dict):
            continue
        base = baseline.get(key)
        cells = [_METRIC_NAMES.get(key, key), _fmt_metric(entry), f"{base:.3f}" if isinstance(base, float) else "—"]
        if leaky:
            cells.append(_fmt_metric(leaky.get(key)))
        rows.append("| " + " | ".join(cells) + " |")
    parts = ["\n".join(rows)]
    for prefix, title in (("recall", "recall"), ("category_accuracy", "accuracy per kind of sound")):
        found = _metric_rows(gm, prefix)
        if found:
            lines = [f"| {title} | grouped CV (95% CI) |", "|---|---|"]
            lines += [f"| {reason_display_name(k)} | {_fmt_metric(v)} |" for k, v in found.items()]
            parts.append("\n".join(lines))
    unsure = grouped.get("unsure")
    if unsure and unsure.get("coverage") is not None:
        ans = unsure.get("answered_balanced_accuracy")
        parts.append(
            f"**Unsure**: the model answers when its top probability, once base rates are allowed for, is at least "
            f"{unsure['threshold']:.2f}; that covers {_percent(unsure['coverage'])} of cries"
            + (f", with balanced accuracy {ans:.3f} on those." if ans is not None else ".")
        )
    described = grouped.get("split_description", "grouped cross-validation")
    n_clips, n_groups = grouped.get("n_clips"), grouped.get("n_groups")
    size = f" on {n_clips} clips from {n_groups} families" if n_clips and n_groups else ""
    note = f"Grouped: {described}{size}; no family is on both sides of a fold."
    if leaky:
        note += (
            " The random-split column lets the same family sit in training and test: it is **leaky** and "
            "overstates accuracy; it is shown only to make that leakage visible."
        )
    parts.append(note)
    return "\n\n".join(parts)


def model_reports(models: Models) -> list[tuple[str, dict[str, Any]]]:
    """What the Model tab shows for each checkpoint, read from its ``metrics.json`` and model card.

    Returns
    -------
    list of (title, dict)
        dict keys: ``table_md``, ``confusion_fig``, ``card_md`` — or ``error``.
    """
    try:
        detector, reason = models.get()
    except BabyCryError as exc:
        return [("Models", {"error": f"The models could not be loaded: {exc}"})]
    out = []
    for title, model, path in (
        ("Cry detector", detector, models.detector_path),
        ("Reason classifier", reason, models.reason_path),
    ):
        metrics = model.metrics or {}
        grouped = metrics.get("grouped") or {}
        info: dict[str, Any] = {"table_md": metrics_table_markdown(metrics)}
        confusion = (grouped.get("metrics") or {}).get("confusion_matrix")
        if confusion:
            info["confusion_fig"] = plots.confusion_matrix_figure(
                np.asarray(confusion["rows_true_cols_predicted"]),
                labels=[reason_display_name(x) for x in confusion["labels"]],
                title=None,
            )
        card = Path(str(path)) / "README.md"
        if card.is_file():
            info["card_md"] = _strip_front_matter(card.read_text(encoding="utf-8"))
        out.append((title, info))
    return out


def dataset_overview(data_dir: str | Path | None = None) -> tuple[str, Any]:
    """Class counts and families per class from a data folder's ``manifest.csv``.

    Parameters
    ----------
    data_dir : path, optional
        Default: ``$BABYCRY_DATA`` or ``../shared/data``.

    Returns
    -------
    (str, pandas.DataFrame or None)
        An explanation, and the table (``None`` when no data folder is present, e.g. on the Space).
    """
    from babycry import data as bc_data

    root = Path(data_dir) if data_dir else bc_data.default_data_dir()
    try:
        manifest = bc_data.read_manifest(root)
    except BabyCryError as exc:
        return (
            f"No data folder here ({exc}). Point `BABYCRY_DATA` at a folder holding a `manifest.csv` to see its "
            "classes and families.",
            None,
        )
    table = bc_data.label_summary(manifest)
    text = (
        f"`{root}`: {len(manifest)} clips. **Families** (the manifest's `group`: one family's phone, one "
        "recording, one speaker) are what every split and every reported number is grouped by; a class with "
        "few families is harder to learn and to evaluate than its clip count suggests."
    )
    return text, table
