"""Model cards: the ``README.md`` written beside each checkpoint (Hugging Face format).

Every figure in a card is read from the ``metrics.json`` / ``training.json``
the same training run wrote, so the card is reproduced by re-running the
training command it quotes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .config import AudioConfig

__all__ = ["write_model_card", "render_model_card"]

_DATA_LICENSES = """\
| source | used for | license |
|---|---|---|
| Donate-a-Cry (cleaned set), github.com/gveres/donateacry-corpus | cries; the four reasons | ODbL 1.0 / DbCL 1.0 |
| giulbia/baby_cry_detection: ESC-50 clips (crying baby, noise) | cries, noise negatives | CC BY-NC 3.0 |
| giulbia/baby_cry_detection: own recordings (cry, laugh, silence) | cries; laugh, silence negatives | CC BY-SA 4.0 |
| Free Spoken Digit Dataset (5 speakers) | speech negatives | CC BY-SA 4.0 |

The ESC-50 clips are licensed for non-commercial use only (CC BY-NC 3.0), so these weights are released for
non-commercial research and education."""

_UNUSED_RAW = ("The raw Donate-a-Cry uploads (`donateacry_unlabeled/`, `donateacry_removed/`) were not used: nobody "
               "has listened to them and their labels are unreliable.")


def _train_only_text(config: dict[str, Any], data: dict[str, Any]) -> str:
    """What the card says about unreviewed uploads used as training-only negatives."""
    labels = config.get("train_only_negatives") or []
    if not labels:
        return _UNUSED_RAW
    kept = data.get("train_only_clips_kept")
    total = data.get("train_only_clips")
    count = f"{kept} of {total} " if kept is not None and total is not None else ""
    return (
        f"Training-only negatives: {count}unreviewed uploads labelled {', '.join(f'`{x}`' for x in labels)} "
        "(for Donate-a-Cry: the raw uploads its cleaners removed as non-cries, recorded on the same phones in the "
        "same homes as the cries). Nobody here has listened to them, so they are never scored, an upload whose "
        f"frames are more than {config.get('train_only_max_cry_voicing', 0.1):.0%} voiced at 250-800 Hz (pYIN; a "
        "likely cry) " + (f"in a run of {config['train_only_min_cry_run_s']:g} s or more (shorter runs are babbling, "
                          "cooing or laughter, which the cleaners removed as \"baby chat\") "
                          if config.get("train_only_min_cry_run_s") else "") +
        "is dropped, and a fold never trains on uploads from its test families. "
        "`donateacry_unlabeled/` is not used."
    )


def _synthetic_negatives_text(config: dict[str, Any]) -> str:
    """The hard negatives a detector's training config synthesised."""
    kinds = []
    if config.get("hard_negatives_per_cry", 1):
        kinds.append("cries cut into short rhythmic bursts and shifted down (laughter, babble, adult-pitched voices)")
    if config.get("aug_per_speech", 1):
        kinds.append("speech shifted up (a high voice that is not crying)")
    if config.get("synth_pairs_per_cry", 0):
        kinds.append("synthetic laughter-like babble")
    if config.get("synth_negatives_per_cry", 0):
        kinds.append("synthetic adult voices (moaning, sobbing: 100-300 Hz) and cough/sneeze-like noise bursts")
    if config.get("synth_tones_per_cry", 0):
        kinds.append("machine tones (whines, sirens, beeps, chirps, motors, bells)")
    if config.get("background_negatives_per_cry", 0):
        kinds.append("steady background alone (white, pink and brown noise, mains hum, filtered or mixed: the "
                     "noises that cries are mixed with)")
    if config.get("laugh_bouts_per_cry", 0):
        kinds.append("cries modulated into laughter's bouts of 'ha' syllables (3.5-6 per second, breathy dips)")
    text = ("Hard negatives synthesised for training: " + "; ".join(kinds) + ".") if kinds else ""
    if kinds and config.get("realistic_proxies", False):
        text += " Every synthesised window has a faint noise floor and, at random, a small room's reverberation."
    return text


def _band_text(config: dict[str, Any]) -> str:
    """The band edge the model was trained with, e.g. '3.6 kHz'."""
    edge = float(config.get("audio", {}).get("band_limit_hz", AudioConfig().band_limit_hz))
    return f"{edge / 1000:g} kHz"


def _fmt(v: dict[str, Any] | None) -> str:
    if not v or v.get("value") is None:
        return "n/a"
    lo, hi = v.get("ci95", [None, None])
    return f"{v['value']:.3f} [{lo:.3f}, {hi:.3f}]" if lo is not None else f"{v['value']:.3f}"


def _metrics_table(grouped: dict[str, Any], leaky: dict[str, Any] | None, labels: list[str]) -> str:
    m, base = grouped["metrics"], grouped["majority_baseline"]
    lm = (leaky or {}).get("metrics", {})
    rows = ["| metric | grouped CV (95% CI, family bootstrap) | majority baseline | LEAKY random split |",
            "|---|---|---|---|"]
    keys = ["balanced_accuracy", "macro_f1", "accuracy", "log_loss", "ece", "roc_auc"]
    keys += [f"recall/{name}" for name in labels]
    keys += sorted(k for k in m if k.startswith("category_accuracy/"))
    for key in keys:
        if key not in m:
            continue
        b = base.get(key)
        shown = f"{b:.3f}" if isinstance(b, float) else "—"
        if key == "log_loss" and isinstance(base.get("log_loss_out_of_fold"), float):
            shown += f" (all data's prior); {base['log_loss_out_of_fold']:.3f} (training folds' prior)"
        rows.append(f"| {key} | {_fmt(m[key])} | {shown} |")
        rows[-1] += f" {_fmt(lm.get(key))} |"
    return "\n".join(rows)


def _confusion(grouped: dict[str, Any]) -> str:
    cm = grouped["metrics"]["confusion_matrix"]
    labels = cm["labels"]
    rows = ["| true \\ predicted | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for name, row in zip(labels, cm["rows_true_cols_predicted"], strict=False):
        rows.append(f"| {name} | " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(rows)


def _phone_codec_text(grouped: dict[str, Any]) -> str:
    """The phone-codec robustness table: clean vs coded held-out clips, per category."""
    phone = grouped["phone_codec"]["metrics"]
    clean = grouped["metrics"]
    rows = ["### Through a phone codec", "",
            "Parents record on phones and in browsers, whose speech codecs change the sound. "
            f"{grouped['phone_codec']['description'][0].upper()}{grouped['phone_codec']['description'][1:]} "
            f"({grouped['phone_codec']['n_clips']} clips):", "",
            "| accuracy | clean (as above) | through a phone codec |", "|---|---|---|"]
    for key in [k for k in phone if k.startswith("category_accuracy/")] + ["balanced_accuracy", "roc_auc"]:
        if key in clean and key in phone:
            name = key.split("/")[-1] + (" (coded: without speech)" if "/" not in key else "")
            rows.append(f"| {name} | {_fmt(clean[key])} | {_fmt(phone[key])} |")
    return "\n".join(rows)


def _cry_band_text(band: dict[str, Any]) -> str:
    """The detector's "unsure" band: what share of each category of sound it calls a cry, is unsure about, or not."""
    rows = ["### Unsure whether it is a cry", "",
            f"Between P(cry) **{band['low']:.2f}** and **{band['high']:.2f}** the detector says it is unsure whether "
            "the recording is a cry (the yes/no figures above still split at 0.5). The band is chosen on the cries' "
            "out-of-fold probabilities alone, since the non-cries a home produces are mostly missing from the "
            "training data. Shares of grouped out-of-fold predictions:", "",
            "| sound | called a cry | unsure | called not a cry |", "|---|---|---|---|"]
    for cat, s in band["categories"].items():
        rows.append(f"| {cat} | {s['cry']:.1%} | {s['unsure']:.1%} | {s['not_cry']:.1%} |")
    return "\n".join(rows)


def len_folds(report: dict[str, Any]) -> str:
    """Number of folds named in a CV report's description (``"?"`` when absent).

    Examples
    --------
    >>> len_folds({"split_description": "StratifiedGroupKFold on group, 5 folds x 3 seeds"})
    '5'
    """
    import re

    found = re.search(r"(\d+) folds", report.get("split_description", ""))
    return found.group(1) if found else "?"


def render_model_card(*, metrics: dict[str, Any], training: dict[str, Any], calibration: dict[str, Any]) -> str:
    """The model card text.

    Examples
    --------
    >>> text = render_model_card(metrics={"task": "detector", "labels": ["not_cry", "cry"]},
    ...                          training={"command": "babycry train", "data": {}}, calibration={})
    >>> text.startswith("---")
    True
    """
    task = metrics.get("task", "detector")
    labels = list(metrics.get("labels", []))
    grouped, leaky = metrics.get("grouped"), metrics.get("random")
    name = "cry-detector" if task == "detector" else "cry-reason"
    band = _band_text(training.get("config", {}))
    bal = grouped["metrics"]["balanced_accuracy"]["value"] if grouped else None
    meta = [
        "---",
        "license: cc-by-nc-4.0",
        "library_name: transformers",
        "pipeline_tag: audio-classification",
        "tags:", "  - audio-classification", "  - audio-spectrogram-transformer", "  - infant-cry", "  - babycry",
        "datasets:", "  - donateacry-corpus", "  - esc50", "  - free-spoken-digit-dataset",
        "metrics:", "  - balanced_accuracy", "  - f1", "  - log_loss", "  - ece",
    ]
    if grouped:
        meta += [
            "model-index:", f"  - name: babycry-{name}", "    results:", "      - task:",
            "          type: audio-classification", "        dataset:",
            "          name: babycry shared data (grouped CV)",
            "          type: babycry", "        metrics:", "          - type: balanced_accuracy",
            f"            value: {bal}",
            f"            name: balanced accuracy (grouped {len_folds(grouped)}-fold CV, pooled out-of-fold)",
        ]
    meta.append("---")
    data = training.get("data", {})
    purpose = (
        "Says whether a recording holds an **infant cry** (`cry`) or not (`not_cry`: silence, household noise, "
        "laughter, speech, …). It gates the reason model: the babycry app says \"this doesn't sound like a baby "
        "crying\" instead of a reason when this model says `not_cry`."
        if task == "detector"
        else "Given an infant cry, gives calibrated probabilities that it sounds **hungry, belly_pain, discomfort or "
        "tired**, and abstains (\"unsure\") when its top probability is below a threshold chosen on out-of-fold "
        "predictions. Burping (8 clips from 7 families in the cleaned Donate-a-Cry set) is left out: too few "
        "families to learn or evaluate it."
    )
    parts = ["\n".join(meta), "", f"# babycry {name}", "", purpose, "",
             "A compact Audio Spectrogram Transformer (`ASTForAudioClassification`, trained from random "
             "initialisation here; no pretrained weights) on 3 s windows of 16 kHz audio band-limited to "
             f"{band} and loudness-normalised per window. Long recordings are cut into 3 s windows with a 1.5 s "
             "hop; the clip logit is the mean of the window logits, then calibrated with `calibration.json` "
             "(temperature"
             + (", plus a per-class bias that restores the class prior lost to class-balanced training)."
                if task == "reason" else ").") + " Training: `transformers.Trainer` on class-balanced batches of "
             "cached windows (see `training.json`).", "",
             "## Not a medical device", "",
             "This model is a research and educational tool. It does **not** diagnose anything and must not be used "
             "to decide whether a baby needs care. A baby who cries inconsolably, has a fever, is not feeding, "
             "vomits, is unusually drowsy or floppy, or whose crying worries you in any way should be seen by a "
             "doctor or a health line. The reasons it was trained on are the labels parents chose in a phone app, "
             "not clinical findings.", "",
             "## Intended use", "",
             "Research and teaching about infant-cry audio; the babycry demo app. Out of scope: medical or "
             "safety decisions, monitoring without a caregiver present, any use on adults.", "",
             "## Usage", "",
             "```python\nfrom babycry.audio import load\nfrom babycry.model import load_model\n"
             f"model = load_model(\"assets/models/{name}\")   # a local folder or a hub id\n"
             "audio = load(\"recording.wav\")\nprint(model.predict(audio.samples, sample_rate=audio.sample_rate)"
             ".as_dict())\n```", "",
             "It also loads in `transformers.pipeline(\"audio-classification\", model=PATH)`: feed it a 3 s, "
             f"16 kHz window band-limited to {band} and loudness-normalised (`babycry.model.frame_windows`); the "
             "pipeline gives the *uncalibrated* probabilities (babycry applies `calibration.json`).", ""]
    if grouped:
        parts += [
            "## Evaluation (grouped cross-validation)", "",
            f"{grouped['split_description']}; {grouped['n_clips']} clips from {grouped['n_groups']} groups "
            "(families, recordings, speakers). No group is ever on both sides of a fold. Probabilities are "
            f"calibrated ({grouped.get('calibration', 'temperature')}) with parameters fitted on the other folds' "
            f"out-of-fold predictions. 95% intervals: bootstrap over groups ({grouped.get('n_boot', 500)} draws). "
            "The LEAKY column is the same model under an ungrouped random split "
            "(the same families on both sides of the split): it is shown only to make the leakage visible and "
            "must not be quoted as performance.", "",
            _metrics_table(grouped, leaky, labels), "",
            f"Class counts: {grouped['class_counts']}. Majority baseline: always the most frequent class with the "
            "class prior as probabilities.", "",
            "Confusion matrix (grouped out-of-fold, pooled over seeds; rows are true classes):", "",
            _confusion(grouped), "",
        ]
        if grouped.get("decision_rule"):
            parts += [f"Decision rule: {grouped['decision_rule']}.", ""]
        if grouped.get("phone_codec"):
            parts += [_phone_codec_text(grouped), ""]
        if task == "reason":
            unc = grouped.get("uncalibrated", {})
            parts += [
                "How to read this: the probabilities the model reports are calibrated to this data's base rates "
                "(84% of the cries are `hungry`), which is what makes their log-loss match the class prior's and "
                "their ECE small — they never claim more than the data supports. Its *answer* (the verdict) is "
                "the reason whose probability is highest relative to how common that reason is, the rule that "
                "maximises balanced accuracy; so a verdict of `tired` can come with a `hungry` bar that is "
                "still the longest. Uncalibrated softmax for comparison: log-loss "
                f"{unc.get('log_loss')}, ECE {unc.get('ece')}.", "",
            ]
        if grouped.get("unsure"):
            u = grouped["unsure"]
            parts += [
                "### Unsure", "",
                f"The model abstains when its top prior-corrected probability is below **{u['threshold']:.2f}** "
                f"(chosen on grouped out-of-fold predictions to maximise the balanced accuracy of the answered clips "
                f"while answering at least half). Coverage: **{u['coverage']:.1%}** of clips answered; balanced "
                f"accuracy of the answered clips: **{u['answered_balanced_accuracy']}** "
                f"(95% CI {u.get('answered_balanced_accuracy_ci95')}).", "",
            ]
        if grouped.get("cry_band"):
            parts += [_cry_band_text(grouped["cry_band"]), ""]
    parts += [
        "## Calibration", "",
        f"`calibration.json`: temperature {calibration.get('temperature', 1.0)}, class bias "
        f"{calibration.get('bias')}, unsure threshold "
        f"{calibration.get('unsure_threshold', 0.0)}"
        + (f", unsure band of P(cry) {list(calibration['cry_band'])}" if calibration.get("cry_band") else "")
        + f"; {calibration.get('fitted_on', '')}.", "",
        "## Training data", "",
        f"Data folder manifest SHA-256 `{data.get('manifest_sha256', '?')}`: {data.get('n_clips', '?')} clips, "
        f"{data.get('n_groups', '?')} groups, class counts {data.get('class_counts', {})}.", "",
        _DATA_LICENSES, "",
        _train_only_text(training.get("config", {}), data) if task == "detector" else _UNUSED_RAW, "",
        "## Training", "",
        "Reproduce this checkpoint, its metrics and this card with:", "",
        f"```\n{training.get('command', '')}\n```", "",
        "The grouped figures alone: `babycry cv --task " + task + " --data ../shared/data --folds 5 --seeds 3 "
        "--json out.json` (add `--split random` for the leaky figure). Settings, library versions and wall time "
        "are in `training.json`.", "",
        "## Limitations", "",
    ]
    if task == "detector":
        parts += [
            "- Labelled negatives are few kinds: one silence recording, one baby-laughter recording, ESC-50 "
            "clips (dogs, cats, church bells, car horns, snoring and other household and street sounds) and five "
            "adult speakers saying digits. " + _synthetic_negatives_text(training.get("config", {})) + " No real "
            "coughs, sneezes, moans, screams or adult crying were seen: a high-pitched scream, a cat's meow or a "
            "whining dog is the likeliest sound to be called a cry (animal calls and tonal alarms are most of "
            "the noise clips it gets wrong in grouped CV).",
            "- Laughter is a single recording (one group), so its grouped-CV figure is one recording held out.",
            "- Every Donate-a-Cry cry went through a phone codec (AMR-NB or IMA ADPCM) and most negatives did not, so "
            "a codec itself can read as \"cry\"; "
            + ("training sends windows of both classes through random codecs to break that link"
               if training.get("config", {}).get("phone_codec_p", 0) else "this model was trained without codec "
               "augmentation") + " (see \"Through a phone codec\" for what is left of it). Browser microphones also "
            "apply echo cancellation and noise suppression, which no training clip had.",
            f"- Every input is band-limited to {band} with a steep filter. "
            "Donate-a-Cry's 8 kHz files roll off from about 3.7 kHz; a gentler 4 kHz edge left 16 kHz sources "
            "(every labelled negative but speech) with faint content above it, and a detector trained that way "
            "read \"content up there\" as \"not a cry\": it missed a third of the cries from other sources and owed "
            "much of its laughter and noise "
            "accuracy to the recording channel rather than the sound.",
        ]
    else:
        parts += [
            "- 84% of the cleaned Donate-a-Cry clips are `hungry`; belly_pain has 16 clips from 7 families (8 from "
            "one family), discomfort 27 from 16, tired 24 from 16. Any figure for the small classes rests on a "
            "handful of families: read the intervals, not the point values.",
            "- The labels are what parents tagged in an app, not verified causes. Published 90%+ accuracies on this "
            "corpus come from ungrouped splits (see the LEAKY column).",
        ]
    return "\n".join(parts) + "\n"


def write_model_card(
    folder: str | os.PathLike,
    *,
    metrics: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    calibration: dict[str, Any] | None = None,
) -> Path:
    """Write ``README.md`` into a checkpoint folder (reading the JSON files there when not given).

    Examples
    --------
    >>> write_model_card("assets/models/cry-detector")  # doctest: +SKIP
    """
    folder = Path(folder)

    def read(name: str) -> dict[str, Any]:
        path = folder / name
        return json.loads(path.read_text()) if path.exists() else {}

    text = render_model_card(
        metrics=metrics if metrics is not None else read("metrics.json"),
        training=training if training is not None else read("training.json"),
        calibration=calibration if calibration is not None else read("calibration.json"),
    )
    path = folder / "README.md"
    path.write_text(text)
    return path
