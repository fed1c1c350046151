"""Model cards: the ``README.md`` written beside each checkpoint (Hugging Face format).

Every figure in a card is read from the ``metrics.json`` / ``training.json`` /
``calibration.json`` the same training run wrote, and every setting from the
training recipe recorded in ``training.json`` (``config``), so the card is
reproduced by re-running the training command it quotes and never restates a
default.  The evaluation section is :func:`babycry.evaluation.report.render_markdown`,
the same rendering the app's Model tab shows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..config import band_words
from .report import render_markdown

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

# Sources added on 2026-11-26 (a checkpoint trained on a folder that holds them names them and their terms).
_NEW_SOURCES = (
    "| source | used for | license / terms |\n"
    "|---|---|---|\n"
    "| AudioSet \"Baby laughter\" and \"Belly laugh\" segments (10 s of YouTube videos, via "
    "ganesh-srinivas/laughter-training-data) | laugh, adult_laugh negatives | no license given: the audio belongs "
    "to the videos' uploaders; used to train and evaluate only, never redistributed (as AudioSet-trained models "
    "do) |\n"
    "| covid19-cough/dataset (induced coughs recorded by phone) | cough negatives | CC0 1.0 |\n"
    "| Speech Commands `_background_noise_` (dishes, exercise bike, a person imitating a cat) | background "
    "negatives | CC BY 4.0 |"
)

_SFX_ENCODER = (
    "The encoder's weights are the aiSFX \"X-Sequential-CE\" CNN of Ma & Lerch, *Representation Learning for the "
    "Automatic Indexing of Sound Effects Libraries* (ISMIR 2022), shipped in the `aisfx` PyPI package under the "
    "MIT license (Copyright (c) Alison Bernice Ma and Alexander Lerch); they are saved here unchanged in "
    "`model.safetensors`."
)

def _int8_text(model: dict[str, Any]) -> str:
    """The int8 encoder graph the head was trained on, with its weights' bits (8 in recipes before the setting)."""
    bits = int(model.get("int8_weight_bits", 8))
    exact = (", which ONNX Runtime's fused int8 kernels sum exactly on every x86 CPU, VNNI or not" if bits == 7
             else "")
    return (" The cached embeddings come from an int8 graph of the encoder (ONNX Runtime; per-channel int8 weights "
            f"in {bits} bits{exact}; uint8 activations with ranges from real windows), saved as "
            "`onnx/encoder-int8.onnx`: the head was trained on its embeddings, so babycry serves that graph too (the "
            "float weights in `model.safetensors`, as `transformers.pipeline` runs them, give slightly different "
            "probabilities).")

_UNUSED_RAW = ("The raw Donate-a-Cry uploads (`donateacry_unlabeled/`, `donateacry_removed/`) were not used: nobody "
               "has listened to them and their labels are unreliable.")


def _train_only_text(augment: dict[str, Any], data: dict[str, Any]) -> str:
    """What the card says about unreviewed uploads used as training-only negatives (detector recipe)."""
    labels = augment["train_only_labels"]
    if not labels:
        return _UNUSED_RAW
    kept = data.get("train_only_clips_kept")
    total = data.get("train_only_clips")
    count = f"{kept} of {total} " if kept is not None and total is not None else ""
    return (
        f"Training-only negatives: {count}unreviewed uploads labelled {', '.join(f'`{x}`' for x in labels)} "
        "(for Donate-a-Cry: the raw uploads its cleaners removed as non-cries, recorded on the same phones in the "
        "same homes as the cries). Nobody here has listened to them, so they are never scored, an upload whose "
        f"frames are more than {augment['train_only_max_cry_voicing']:.0%} voiced at 250-800 Hz (pYIN; a "
        "likely cry) is dropped, and a fold never trains on uploads from its test families. "
        "`donateacry_unlabeled/` is not used."
    )


def _has_new_sources(data: dict[str, Any]) -> bool:
    """Whether the training folder held the sources added on 2026-11-26 (laughter, coughs, background)."""
    return bool(set(data.get("category_counts", {})) & {"adult_laugh", "cough", "background"})


def _synthetic_negatives_text(augment: dict[str, Any]) -> str:
    """The hard negatives a detector recipe synthesises."""
    kinds = []
    if augment["hard_negatives_per_cry"]:
        kinds.append("cries cut into short rhythmic bursts and shifted down (laughter, babble, adult-pitched voices)")
    if augment["speech_copies"]:
        kinds.append("speech shifted up (a high voice that is not crying)")
    if augment["synth_pairs_per_cry"]:
        kinds.append("synthetic laughter-like babble")
    if augment["synth_negatives_per_cry"]:
        kinds.append("synthetic adult voices (moaning, sobbing: 100-300 Hz) and cough/sneeze-like noise bursts")
    if augment["synth_tones_per_cry"]:
        kinds.append("machine tones (whines, sirens, beeps, chirps, motors, bells)")
    return ("Hard negatives synthesised for training: " + "; ".join(kinds) + ".") if kinds else ""


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _is_sfx(recipe: dict[str, Any]) -> bool:
    """Whether the recipe trained the sound-effects CNN family (its model settings name an encoder)."""
    return "channels" in recipe.get("model", {})


def _bands(model: dict[str, Any]) -> str:
    """The encoder's input bands in words (a recipe saved before ``input_bands`` read every band)."""
    kept = model.get("input_bands", model["n_mels"])
    bands = (f"{model['n_mels']} mel bands" if kept == model["n_mels"] else
             f"the lowest {kept} of {model['n_mels']} mel bands (the rest hold no signal)")
    scale = float(model.get("frequency_scale", 1.0))
    if scale != 1.0:  # its mel filters laid over scale * f: the window heard that many times higher in pitch
        heard = "an octave" if scale == 2.0 else f"{scale:g} times"
        bands += f", each laid over {scale:g} times the frequency it reads (the window heard {heard} higher in pitch)"
    return bands


def _embedding(model: dict[str, Any]) -> str:
    """What a window's pooled embedding holds."""
    last = f"the last block's {8 * model['channels']} maps averaged over frequency, their max and mean over time"
    middle = [f"the {name} block's {width * model['channels']} maps" for key, name, width in
              (("block3_stats", "third", 4), ("block2_stats", "second", 2)) if model.get(key)]
    if not model.get("last_block", True):  # the network stops after the third block
        return (" and ".join(middle) + " averaged over frequency, their max, mean and standard deviation over time "
                "(the encoder's fourth block is not run)")
    if middle:
        return (last + "; and " + " and ".join(middle)
                + " the same way, their max, mean and standard deviation over time")
    return last


def _architecture(task: str, recipe: dict[str, Any], *, length: str, rate: str, band: str, hop: str) -> str:
    """The card's paragraph on what the model is and how it was trained."""
    pooled = recipe.get("model", {}).get("pooling") == "recording"
    band_text = band_words(band_limit_hz=recipe["audio"]["band_limit_hz"],
                           high_pass_hz=recipe["audio"].get("high_pass_hz", 0.0))
    if pooled:
        runs = int(recipe["model"].get("pooling_max_windows", 0))
        long = (f"; a recording of more than {runs} windows is read as the fewest near-equal runs of at most {runs} "
                "consecutive windows, its logits the mean of theirs" if runs else "")
        answer = ("the head scores the mean and max of the recording's window embeddings (a window alone is itself "
                  f"twice: the per-window timeline){long}, and its logits are calibrated")
    else:
        answer = "the clip logit is the mean of the window logits, then calibrated"
    windows = (f"{length} windows of {rate} audio band-limited to {band_text} and loudness-normalised per window. "
               f"Long recordings are cut into {length} windows with a {hop} hop; {answer} with "
               "`calibration.json` (temperature")
    windows += (", plus a per-class bias that restores the class prior lost to class-balanced training)."
                if task == "reason" else ").")
    if _is_sfx(recipe):
        model = recipe["model"]
        # without the last block, its two convolutions and its widest maps are gone
        layers, widest = (9, 8) if model.get("last_block", True) else (7, 4)
        return ("A frozen pretrained sound-effects CNN (`SfxForAudioClassification`, babycry's own transformers "
                f"model class: a {layers}-layer CNN, {model['channels']}-{widest * model['channels']} maps, "
                "pretrained by "
                "aiSFX on sound-effects libraries) whose pooled embedding (" + _embedding(model) + ") feeds a "
                "logistic-regression head fitted here, on " + windows + " The encoder sees each window "
                + ("as the HTK mel bands of 44.1 kHz audio it was trained on, computed straight from the 16 kHz "
                   "window (same frame duration and hop): " if model.get("stft_at_sampling_rate") else
                   "resampled to 44.1 kHz as ")
                + f"{_bands(model)}; nothing above {band} reaches it from any source. "
                "Only the head is trained: one weighted convex fit per fold on the cached embeddings "
                + ("(each clip's clean windows pooled as one item, every augmented window as a recording of its "
                   f"own at {model['augmented_share']:.0%} of the weight"
                   + (f", each clip through a phone codec pooled as a recording too at {model['coded_share']:.0%}"
                      if model.get("coded_share") else "") + "; " if pooled else
                   "of every window (") +
                "classes weighted equally, categories by the recipe's stratum weights; see "
                "`training.json`)." + (_int8_text(model) if model.get("encoder_precision") == "int8" else "")
                + "\n\n" + _SFX_ENCODER)
    return ("A compact Audio Spectrogram Transformer (`ASTForAudioClassification`, trained from random "
            "initialisation here; no pretrained weights) on " + windows + " Training: `transformers.Trainer` on "
            "class-balanced batches of cached windows (see `training.json`).")


def _front_matter(*, name: str, metrics: dict[str, Any], folds: int, sfx: bool = False) -> str:
    """The Hugging Face YAML header (with a model-index when there is a grouped evaluation)."""
    grouped = metrics.get("grouped")
    meta = [
        "---",
        "license: cc-by-nc-4.0",
        "library_name: transformers",
        "pipeline_tag: audio-classification",
        "tags:", "  - audio-classification", "  - sound-effects-cnn" if sfx else "  - audio-spectrogram-transformer",
        "  - infant-cry", "  - babycry",
        "datasets:", "  - donateacry-corpus", "  - esc50", "  - free-spoken-digit-dataset",
        "metrics:", "  - balanced_accuracy", "  - f1", "  - log_loss", "  - ece",
    ]
    if grouped:
        meta += [
            "model-index:", f"  - name: babycry-{name}", "    results:", "      - task:",
            "          type: audio-classification", "        dataset:",
            "          name: babycry shared data (grouped CV)",
            "          type: babycry", "        metrics:", "          - type: balanced_accuracy",
            f"            value: {grouped['metrics']['balanced_accuracy']['value']}",
            f"            name: balanced accuracy (grouped {folds}-fold CV, pooled out-of-fold)",
        ]
    meta.append("---")
    return "\n".join(meta)


def _limitations(task: str, recipe: dict[str, Any], band: str, data: dict[str, Any] | None = None) -> list[str]:
    """The card's limitation bullets, from the recipe the checkpoint was trained with."""
    if task != "detector":
        return [
            "- 84% of the cleaned Donate-a-Cry clips are `hungry`; belly_pain has 16 clips from 7 families (8 from "
            "one family), discomfort 27 from 16, tired 24 from 16. Any figure for the small classes rests on a "
            "handful of families: read the intervals, not the point values.",
            "- The labels are what parents tagged in an app, not verified causes. Published 90%+ accuracies on this "
            "corpus come from ungrouped splits (see the LEAKY column).",
        ]
    augment = recipe["augment"]
    if _has_new_sources(data or {}):
        return [
            "- Labelled negatives: baby laughter from 538 YouTube videos and one home recording, adult belly "
            "laughs (42 videos), phone-recorded coughs (944 people), speech (five adults saying digits), ESC-50 "
            "household and street sounds, three household background recordings and one silence recording. "
            "No adult crying, screams, moans, animals beyond ESC-50's, toys or TV were labelled: the "
            "leave-one-category-out figures show how a sound it never heard is treated. "
            + _synthetic_negatives_text(augment),
            "- The cries are Donate-a-Cry phone recordings (8 kHz, one codec per platform) and 87 clips from four "
            "other recordings; cries recorded elsewhere (a browser microphone, a baby monitor, a video) differ in "
            "channel and background, which grouped CV on this folder cannot measure."
            + (" Donate-a-Cry's phones were held close to the baby and many laughter videos were filmed across a "
               "room, so every training clip of either class also has a reverberant copy (a synthetic room): an "
               "echo is no cue either way."
               if augment.get("room_copies") else "")
            + (" A phone close to a screaming baby overloads, so every training clip also has a clipped copy."
               if augment.get("clipped_copies") else "")
            + (" `make bench-channel` scores held-out clips in a reverberant room and through an overloaded "
               "microphone." if augment.get("room_copies") or augment.get("clipped_copies") else ""),
            f"- Every input is band-limited to {band} with a steep filter, so no source is told apart by its "
            "bandwidth (Donate-a-Cry's 8 kHz files roll off from about 3.7 kHz)"
            + (f", and high-passed at {float(recipe['audio']['high_pass_hz']):g} Hz, so neither by its rumble "
               "(Donate-a-Cry's phones hold almost nothing down there; a detector that heard it learned \"rumble = "
               "not a cry\" and missed cries recorded with other microphones)."
               if recipe["audio"].get("high_pass_hz") else "."),
        ]
    return [
        "- Labelled negatives are few kinds: one silence recording, one baby-laughter recording, ESC-50 "
        "clips (dogs, cats, church bells, car horns, snoring and other household and street sounds) and five "
        "adult speakers saying digits. " + _synthetic_negatives_text(augment) + " No real "
        "coughs, sneezes, moans, screams or adult crying were seen: a high-pitched scream, a cat's meow or a "
        "whining dog is the likeliest sound to be called a cry (animal calls and tonal alarms are most of "
        "the noise clips it gets wrong in grouped CV).",
        "- Laughter is a single recording (one group), so its grouped-CV figure is one recording held out.",
        "- Every Donate-a-Cry cry went through a phone codec (AMR-NB or IMA ADPCM) and most negatives did not, so "
        "a codec itself can read as \"cry\"; "
        + ("training sends windows of both classes through random codecs to break that link"
           if augment["phone_codec"]["p"] else "this model was trained without codec augmentation")
        + " (see \"Through a phone codec\" for what is left of it). Browser microphones also "
        "apply echo cancellation and noise suppression, which no training clip had.",
        f"- Every input is band-limited to {band} with a steep filter. "
        "Donate-a-Cry's 8 kHz files roll off from about 3.7 kHz; a gentler 4 kHz edge left 16 kHz sources "
        "(every labelled negative but speech) with faint content above it, and a detector trained that way "
        "read \"content up there\" as \"not a cry\": it missed a third of the cries from other sources and owed "
        "much of its laughter and noise "
        "accuracy to the recording channel rather than the sound.",
    ]


#: A Markdown table beside a checkpoint (written by ``make compare``) that its card includes as it stands.
COMPARISON_FILE = "comparison.md"


def render_model_card(*, metrics: dict[str, Any], training: dict[str, Any], calibration: dict[str, Any],
                      comparison: str | None = None, onnx: dict[str, Any] | None = None) -> str:
    """The model card text.

    Parameters
    ----------
    metrics : dict
        The checkpoint's ``metrics.json`` (``task``, ``labels``, ``grouped`` and ``random`` reports).
    training : dict
        Its ``training.json``: ``command``, ``data`` and ``config`` (the recipe as a plain dict).
    calibration : dict
        Its ``calibration.json``.
    comparison : str, optional
        Markdown comparing this model with others on the same folds (``comparison.md``, from ``make compare``).
    onnx : dict, optional
        Its ``onnx/onnx.json`` when the forward pass was exported (``babycry export-onnx``).

    Returns
    -------
    str
        Markdown with a Hugging Face YAML header.

    Examples
    --------
    >>> recipe = {"audio": {"sample_rate": 16000, "band_limit_hz": 3600.0}, "cv": {"folds": 5, "seeds": 3},
    ...           "window": {"window_seconds": 3.0, "hop_seconds": 1.5}, "augment": {}}
    >>> text = render_model_card(metrics={"task": "reason", "labels": ["hungry", "tired"]},
    ...                          training={"command": "babycry train", "data": {}, "config": recipe}, calibration={})
    >>> text.startswith("---"), "3.6 kHz" in text
    (True, True)
    """
    task = metrics["task"]
    recipe = training["config"]
    grouped = metrics.get("grouped")
    name = "cry-detector" if task == "detector" else "cry-reason"
    audio, window, cv = recipe["audio"], recipe["window"], recipe["cv"]
    band = f"{float(audio['band_limit_hz']) / 1000:g} kHz"
    length, hop = _seconds(window["window_seconds"]), _seconds(window["hop_seconds"])
    rate = f"{audio['sample_rate'] / 1000:g} kHz"
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
    parts = [_front_matter(name=name, metrics=metrics, folds=cv["folds"], sfx=_is_sfx(recipe)), "",
             f"# babycry {name}", "", purpose, "",
             _architecture(task, recipe, length=length, rate=rate, band=band, hop=hop), "",
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
             "```python\nfrom babycry.audio import load\nfrom babycry.modeling import load_model\n"
             f"model = load_model(\"assets/models/{name}\")   # a local folder or a hub id\n"
             "audio = load(\"recording.wav\")\nprint(model.predict(audio.samples, sample_rate=audio.sample_rate)"
             ".as_dict())\n```", "",
             f"It also loads in `transformers.pipeline(\"audio-classification\", model=PATH)`: feed it a {length}, "
             f"{rate} window band-limited to {band} and loudness-normalised (`babycry.modeling.frame_windows`); the "
             "pipeline gives the *uncalibrated* probabilities (babycry applies `calibration.json`).", ""]
    if onnx:
        parity = (f"; largest difference from torch's outputs {onnx['max_abs_difference']:.1e} on "
                  f"{onnx['parity_windows']} windows of real clips" if "parity_windows" in onnx else "")
        parts += [f"`onnx/model.onnx` holds the forward pass as an ONNX graph (`babycry export-onnx`: "
                  f"{onnx.get('dtype', 'float32')}, opset {onnx.get('opset')}{parity}); babycry serves it with ONNX "
                  "Runtime (`load_model(PATH)`; `runtime=\"transformers\"` loads the transformers model). "
                  "`onnx.json` names the weights it was exported from: after a retrain it is not used.", ""]
    if grouped:
        parts += ["## Evaluation (grouped cross-validation)", "", render_markdown(metrics), ""]
    if comparison:
        parts += ["## Compared with other models (`make compare`)", "", comparison.strip(), ""]
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
        *(["Added sources in this folder:", "", _NEW_SOURCES, ""] if _has_new_sources(data) else []),
        _train_only_text(recipe["augment"], data) if task == "detector" else _UNUSED_RAW, "",
        "## Training", "",
        "Reproduce this checkpoint, its metrics and this card with:", "",
        f"```\n{training.get('command', '')}\n```", "",
        f"The grouped figures alone: `babycry cv --task {task} --data {data.get('root', 'DATA')} --folds {cv['folds']} "
        f"--seeds {cv['seeds']} --json out.json` (add `--split random` for the leaky figure). Settings, library "
        "versions and wall time are in `training.json`.", "",
        "## Limitations", "",
        *_limitations(task, recipe, band, data),
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

    Parameters
    ----------
    folder : path
        The checkpoint folder.
    metrics, training, calibration : dict, optional
        The contents of ``metrics.json``, ``training.json`` and ``calibration.json`` (read from ``folder`` when
        not given; an absent file reads as ``{}``).  A ``comparison.md`` there is included as it stands.

    Returns
    -------
    Path
        The card written.

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
        comparison=(folder / COMPARISON_FILE).read_text() if (folder / COMPARISON_FILE).exists() else None,
        onnx=read("onnx/onnx.json") or None,
    )
    path = folder / "README.md"
    path.write_text(text)
    return path
