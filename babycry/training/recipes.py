"""Training recipes: everything a checkpoint is trained from, as nested frozen dataclasses.

A recipe is the one source of truth for a model's training: the architecture
(:class:`babycry.modeling.ModelConfig`), audio and window settings, the
optimisation (:class:`FitSettings`), the cross-validation and calibration
(:class:`CVSettings`) and the augmentations (:class:`DetectorAugment` /
:class:`ReasonAugment`), each augmentation a :class:`Use` of a transform of
:mod:`babycry.augment` with its probability and ranges.  The window cache is
keyed by a hash of the recipe's window-making part, the app's augmentation tab
lists :meth:`Recipe.augmentation_uses`, and ``training.json`` records
:meth:`Recipe.to_dict`.  Nothing here imports torch.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import N_BOOTSTRAP, AudioConfig, WindowConfig
from ..errors import InvalidParameterError
from ..modeling.config import ModelConfig, SfxModelConfig

__all__ = ["Use", "FitSettings", "CVSettings", "DetectorAugment", "ReasonAugment", "Recipe", "DetectorRecipe",
           "SfxDetectorRecipe", "ReasonRecipe", "SfxReasonRecipe", "PretrainRecipe", "FAMILIES", "recipe_for",
           "checkpoint_recipe", "tiny_recipe"]


@dataclass(frozen=True)
class Use:
    """One augmentation as a recipe applies it.

    Attributes
    ----------
    name : str
        Registry name in :mod:`babycry.augment`.
    p : float
        Chance that a window gets it (1: always, and no random number is drawn for the decision).
    ranges : dict
        ``{parameter: (low, high)}`` drawn uniformly; parameters not named take their defaults.

    Examples
    --------
    >>> Use("pitch_shift", 0.5, {"semitones": (-2.0, 2.0)}).p
    0.5
    """

    name: str
    p: float = 1.0
    ranges: dict = field(default_factory=dict)


def _use(name: str, p: float, applies_to: str, **ranges: tuple[float, float]) -> Any:
    """A :class:`Use` field; ``applies_to`` (what it is applied to) is metadata, so it does not key the cache."""
    return field(default_factory=lambda: Use(name, p, dict(ranges)), metadata={"applies_to": applies_to})


@dataclass(frozen=True)
class FitSettings:
    """Optimisation of one fit (``transformers.Trainer``, AdamW, cosine schedule).

    ``samples_per_epoch`` windows are drawn per epoch, class-balanced and, within a class, by stratum
    (``stratum_weights`` relative to 1): the detector's unseen household noise is its hardest negative,
    silence and speech its easiest, and synthetic cries only support the real ones.
    """

    epochs: int = 5
    samples_per_epoch: int = 1000
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    warmup_fraction: float = 0.1
    label_smoothing: float = 0.0
    stratum_weights: dict = field(default_factory=dict)
    # a `babycry pretrain` output whose encoder initialises the AST (empty: random initialisation)
    init_from: str = ""


@dataclass(frozen=True)
class CVSettings:
    """Grouped cross-validation, calibration and the abstention rules fitted on its out-of-fold logits.

    ``min_coverage``: the reason model's "unsure" threshold answers at least this share of cries.
    ``cry_band_max_dismissed`` / ``cry_band_min_confident``: the detector's "unsure" band leaves at most
    the first share of out-of-fold cries confidently "not a cry" and at least the second confidently "a cry".
    ``leave_category_out``: the detector is also scored on each not-cry category by models that never heard
    it, one per grouped fold of the first ``leave_category_out_folds`` (:func:`babycry.training.cv.leave_category_out`):
    with every fold, every cry is scored by a model that never heard its family, not only the first fold's.
    """

    folds: int = 5
    seeds: int = 3
    random_split_seeds: int = 1
    bootstrap: int = N_BOOTSTRAP
    calibrate_bias: bool = False
    min_coverage: float = 0.5
    cry_band_max_dismissed: float = 0.03
    cry_band_min_confident: float = 0.8
    leave_category_out: bool = False
    leave_category_out_folds: int = 5

    def __post_init__(self) -> None:
        # checked here, where a recipe is built or read from JSON, so no run fails (or is silently capped) later
        if self.folds < 2:
            raise InvalidParameterError(f"cv.folds must be at least 2, got {self.folds}.")
        if self.seeds < 1 or self.random_split_seeds < 0 or self.bootstrap < 1:
            raise InvalidParameterError(
                f"cv.seeds and cv.bootstrap must be at least 1 and cv.random_split_seeds at least 0, got "
                f"{self.seeds}, {self.bootstrap} and {self.random_split_seeds}.")
        if not 1 <= self.leave_category_out_folds <= self.folds:
            raise InvalidParameterError(
                f"cv.leave_category_out_folds must lie in [1, cv.folds = {self.folds}], got "
                f"{self.leave_category_out_folds}.")
        for name in ("min_coverage", "cry_band_max_dismissed", "cry_band_min_confident"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InvalidParameterError(f"cv.{name} is a share and must lie in [0, 1], got {getattr(self, name)}.")


@dataclass(frozen=True)
class DetectorAugment:
    """How the detector's training windows are made, beyond each clip's clean windows.

    Every source is cropped and padded the same way, so duration and padding are no cue. Cries get
    augmented copies (still cries); each cry also yields hard negatives that keep its timbre but lose what
    makes it a cry (sustained high-pitched phonation): voice bursts in laughter's rhythm, lowered pitch
    (an adult's voice), synthetic adult voices, coughs and machine tones; speech is raised to a child's
    pitch; other negatives get filtered, noisy copies. A share of augmented windows goes through a phone
    codec, because Donate-a-Cry's cries all did and most negatives did not; every clip also gets a reverberant
    copy, because its cries were recorded close up and much of the rest across a room, and a clipped one.
    """

    cry_copies: int = 3
    cry_pitch: Use = _use("pitch_shift", 0.5, "cries", semitones=(-2.0, 2.0))
    cry_stretch: Use = _use("time_stretch", 0.5, "cries", rate=(0.9, 1.1))
    cry_filter: Use = _use("mic_filter", 0.3, "cries")
    cry_noise: Use = _use("background_noise", 0.7, "cries", snr_db=(0.0, 20.0))
    # parents talk over a crying baby, and the real laughter has adults talking around it: talking is mixed
    # over cries and the other not-cries alike, so a voice is no cue either way (docs/experiments.md)
    cry_talk: Use = _use("talk_over", 0.3, "cries", snr_db=(0.0, 15.0))
    # of every three hard negatives, two are voice bursts and one a lowered voice
    hard_negatives_per_cry: int = 3
    burst: Use = _use("voice_bursts", 1.0, "cries -> not-cry (laughter-like bursts)")
    burst_pitch: Use = _use("pitch_shift", 0.7, "laughter-like bursts", semitones=(-9.0, -2.0))
    low_voice_pitch: Use = _use("pitch_shift", 1.0, "cries -> not-cry (adult-pitched voice)", semitones=(-12.0, -6.0))
    low_voice_stretch: Use = _use("time_stretch", 1.0, "adult-pitched voice", rate=(0.8, 1.0))
    proxy_noise: Use = _use("background_noise", 0.4, "bursts and lowered voices", snr_db=(5.0, 30.0))
    synth_pairs_per_cry: int = 1
    synth_negatives_per_cry: int = 1
    synth_tones_per_cry: int = 1
    synth_cry_noise: Use = _use("background_noise", 0.5, "synthetic cries", snr_db=(0.0, 20.0))
    synth_negative_noise: Use = _use("background_noise", 0.5, "synthetic laughter, adult voices, coughs",
                                     snr_db=(5.0, 30.0))
    synth_tone_noise: Use = _use("background_noise", 0.5, "synthetic machine tones", snr_db=(0.0, 30.0))
    speech_copies: int = 1
    speech_pitch: Use = _use("pitch_shift", 1.0, "speech -> a child's pitch", semitones=(4.0, 10.0))
    speech_stretch: Use = _use("time_stretch", 0.5, "raised speech", rate=(0.8, 1.2))
    speech_noise: Use = _use("background_noise", 0.4, "raised speech", snr_db=(5.0, 30.0))
    negative_copies: int = 2
    negative_filter: Use = _use("mic_filter", 0.5, "other not-cries")
    negative_noise: Use = _use("background_noise", 0.5, "other not-cries", snr_db=(0.0, 20.0))
    negative_talk: Use = _use("talk_over", 0.3, "other not-cries", snr_db=(0.0, 15.0))
    phone_codec: Use = _use("phone_codec", 0.7, "augmented windows of every class but speech")
    phone_copies_per_negative: int = 1
    # Donate-a-Cry's phones were held close to the baby, many laughter videos were filmed across a room: without
    # echoes in training, a reverberant cry read as "not a cry". Every clip, whatever its class, gives
    # ``room_copies`` reverberant windows (drawn from a generator of their own) so the echo is no cue either way.
    room_copies: int = 1
    room: Use = _use("room_reverb", 1.0, "every clip, one reverberant copy of its class", rt60_s=(0.2, 1.0),
                     drr_db=(0.0, 12.0))
    # A phone close to a screaming baby overloads, and a clipped cry read as "not a cry": every clip also gives
    # ``clipped_copies`` clipped windows (drawn after every other window of the clip), whatever its class.
    clipped_copies: int = 1
    clipped: Use = _use("clipping", 1.0, "every clip, one clipped copy of its class", clipped_percent=(2.0, 25.0))
    # evaluation only: CV also scores every held-out non-speech clip through one phone codec
    phone_eval: bool = True
    # Unreviewed manifest rows (is_cry empty) with these labels are training-only negatives: real-home sound
    # from the same phones as the cries. Never scored, kept out of every fold that tests their group; a clip
    # voiced like a cry (more than this share of frames at 250-800 Hz) is dropped.
    train_only_labels: tuple = ("removed",)
    train_only_max_cry_voicing: float = 0.1
    train_only_windows_per_clip: int = 2

    @property
    def channels(self) -> tuple[tuple[str, Use, int], ...]:
        """``(kind, augmentation, copies per clip)`` of each recording channel every clip is also heard through."""
        return (("room", self.room, self.room_copies), ("clipped", self.clipped, self.clipped_copies))


@dataclass(frozen=True)
class ReasonAugment:
    """The origin project's augmentations of each labelled cry, with more copies of the rarer reasons."""

    target_per_class: int = 400
    max_per_clip: int = 16
    pitch: Use = _use("pitch_shift", 0.5, "labelled cries", semitones=(-1.1, 1.1))
    stretch: Use = _use("time_stretch", 0.5, "labelled cries", rate=(0.9, 1.1))
    noise: Use = _use("background_noise", 0.5, "labelled cries", snr_db=(3.0, 30.0))


_DETECTOR_STRATA = {"synth_cry": 0.3, "noise": 3.0, "silence": 0.5, "speech": 0.5, "laugh_like": 1.5,
                    "synth_laugh": 1.5}


@dataclass(frozen=True)
class Recipe:
    """A complete training recipe (use :class:`DetectorRecipe` or :class:`ReasonRecipe`).

    ``threads``, ``progress`` and ``cache_dir`` say how to run, not what to train: they key nothing.
    """

    task: str = ""
    seed: int = 0
    model: ModelConfig | SfxModelConfig = field(default_factory=ModelConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    fit: FitSettings = field(default_factory=FitSettings)
    cv: CVSettings = field(default_factory=CVSettings)
    augment: Any = None
    threads: int = 2
    progress: bool = True
    cache_dir: str = "artifacts/cache"

    def replace(self, **changes: Any) -> Recipe:
        """A copy with some settings changed: nested ones as dicts or dotted names (``fit.epochs``).

        Examples
        --------
        >>> r = DetectorRecipe().replace(**{"fit.epochs": 3, "augment": {"cry_copies": 1}})
        >>> r.fit.epochs, r.augment.cry_copies
        (3, 1)
        """
        return _replace_nested(self, changes, prefix="")

    @classmethod
    def from_json(cls, source: str | os.PathLike | dict, *, base: Recipe | None = None) -> Recipe:
        """Override settings from a JSON file or dict (nested like :meth:`to_dict`).

        Examples
        --------
        >>> ReasonRecipe.from_json({"fit": {"epochs": 2}, "model": {"hidden_size": 32}}).model.hidden_size
        32
        """
        if isinstance(source, dict):
            values = dict(source)
        else:
            try:
                values = json.loads(Path(source).read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise InvalidParameterError(f"Cannot read the training recipe {str(source)!r}: {exc}") from exc
        return (base or cls()).replace(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (what ``training.json`` records).

        Examples
        --------
        >>> DetectorRecipe().to_dict()["augment"]["cry_pitch"]["ranges"]
        {'semitones': (-2.0, 2.0)}
        """
        return dataclasses.asdict(self)

    def window_settings(self) -> dict[str, Any]:
        """What the cached windows depend on (hashed into the cache key), without how to run.

        Examples
        --------
        >>> sorted(DetectorRecipe().window_settings())
        ['audio', 'augment', 'seed', 'task', 'window']
        """
        d = self.to_dict()
        return {k: d[k] for k in ("task", "seed", "audio", "window", "augment")}

    def augmentation_uses(self) -> list[dict[str, Any]]:
        """Every augmentation the recipe applies: registry name, what it is applied to, chance and ranges.

        Examples
        --------
        >>> ReasonRecipe().augmentation_uses()[0]
        {'name': 'pitch_shift', 'applies_to': 'labelled cries', 'p': 0.5, 'ranges': {'semitones': [-1.1, 1.1]}}
        """
        out = []
        for f in dataclasses.fields(self.augment):
            value = getattr(self.augment, f.name)
            if isinstance(value, Use):
                out.append({"name": value.name, "applies_to": f.metadata.get("applies_to", f.name), "p": value.p,
                            "ranges": {k: [float(v) for v in r] for k, r in value.ranges.items()}})
        return out


def _replace_nested(obj: Any, changes: dict[str, Any], *, prefix: str) -> Any:
    """``dataclasses.replace`` at any depth: dotted keys and dicts reach nested dataclasses; typed errors."""
    names = {f.name for f in dataclasses.fields(obj)}
    unknown = sorted(f"{prefix}{key.partition('.')[0]}" for key in changes if key.partition(".")[0] not in names)
    if unknown:
        raise InvalidParameterError(f"Unknown training setting(s): {', '.join(unknown)}.")
    grouped: dict[str, dict[str, Any]] = {}
    direct: dict[str, Any] = {}
    for key, value in changes.items():
        head, _, rest = key.partition(".")
        current = getattr(obj, head)
        if rest or (isinstance(value, dict) and dataclasses.is_dataclass(current)):
            grouped.setdefault(head, {}).update({rest: value} if rest else value)
        elif isinstance(current, tuple) and isinstance(value, (list, str)):
            direct[head] = (value,) if isinstance(value, str) else tuple(value)
        else:
            direct[head] = value
    for head, sub in grouped.items():
        if isinstance(getattr(obj, head), Use):  # a Use's ranges are replaced whole, as (low, high) tuples
            sub = {k: ({p: tuple(r) for p, r in v.items()} if k == "ranges" else v) for k, v in sub.items()}
        direct[head] = _replace_nested(getattr(obj, head), sub, prefix=f"{prefix}{head}.")
    return dataclasses.replace(obj, **direct)


@dataclass(frozen=True)
class DetectorRecipe(Recipe):
    """The compact-AST cry detector: a 3-layer, 96-wide AST on 8 x 2,000 class-balanced windows per fit.

    Examples
    --------
    >>> DetectorRecipe().model.hidden_size, DetectorRecipe().fit.epochs
    (96, 8)
    """

    task: str = "detector"
    model: ModelConfig = field(default_factory=lambda: ModelConfig(hidden_size=96, num_hidden_layers=3,
                                                                   intermediate_size=192))
    fit: FitSettings = field(default_factory=lambda: FitSettings(epochs=8, samples_per_epoch=2000,
                                                                 stratum_weights=dict(_DETECTOR_STRATA)))
    augment: DetectorAugment = field(default_factory=DetectorAugment)


@dataclass(frozen=True)
class SfxDetectorRecipe(DetectorRecipe):
    """The cry detector as a frozen pretrained sound-effects CNN (aiSFX) with a logistic-regression head on a
    recording's pooled (mean and max) window embeddings.

    Same windows, augmentations and category weights as :class:`DetectorRecipe`; only the head is fitted
    (one weighted convex fit per fold, so ``fit.epochs`` and ``samples_per_epoch`` are unused).

    Examples
    --------
    >>> SfxDetectorRecipe().model.pretrained
    'aisfx'
    """

    # the head reads a recording's mean and max window embedding (docs/experiments.md: every not-cry category
    # gains at the same cry recall); stronger L2 than the per-window head, which saw ~7x more items; the third
    # and second blocks' summaries rank laughter below cries a little better; the mel bands straight from the
    # 16 kHz window, at a quarter of the resampled front end's cost (docs/performance.md)
    # the encoder in int8, trained on and served: the same grouped figures as float32, the window cache in half
    # the time and a 7 s analysis ~2.5x faster on a CPU without AMX (docs/experiments.md)
    # the encoder hears each window an octave higher (its 72 lowest bands then hold the 3.6 kHz band): cries of
    # other recordings found 0.75 -> 0.89 of the time, balanced accuracy 0.945 -> 0.955 (docs/experiments.md)
    # the encoder stops after its third block: the head on the second and third blocks' summaries alone ranked
    # cries at least as well, with 27% fewer multiply-adds a window (docs/experiments.md, "Without the last block")
    # each training clip's phone-codec copy pooled as a recording too: laughter and cries of sources never heard
    # were both found more often (left out whole, ESC-50's cries 0.42 -> 0.53, AudioSet's laughter 0.74 -> 0.82)
    # its weights in 7 bits: summed exactly by the fused int8 kernels of every x86 CPU, VNNI or not, where 8-bit
    # weights had to run unfused on CPUs without VNNI, ~1.7x slower; the same grouped figures (docs/experiments.md)
    model: SfxModelConfig = field(default_factory=lambda: SfxModelConfig(
        pooling="recording", head_l2=0.01, block3_stats=True, block2_stats=True, stft_at_sampling_rate=True,
        encoder_precision="int8", int8_weight_bits=7, frequency_scale=2.0, input_bands=72, last_block=False,
        coded_share=0.4))
    # each fit is seconds, so the leave-one-category-out figures are part of every training run
    cv: CVSettings = field(default_factory=lambda: CVSettings(leave_category_out=True))


@dataclass(frozen=True)
class ReasonRecipe(Recipe):
    """The bundled reason model: the compact AST, temperature and per-class bias calibration.

    Examples
    --------
    >>> ReasonRecipe().fit.label_smoothing
    0.1
    """

    task: str = "reason"
    fit: FitSettings = field(default_factory=lambda: FitSettings(epochs=5, samples_per_epoch=1000,
                                                                 learning_rate=5e-4, label_smoothing=0.1))
    cv: CVSettings = field(default_factory=lambda: CVSettings(calibrate_bias=True))
    augment: ReasonAugment = field(default_factory=ReasonAugment)


FAMILIES = ("ast", "sfx")


@dataclass(frozen=True)
class SfxReasonRecipe(ReasonRecipe):
    """The reason model as the detector's frozen sound-effects CNN encoder with a logistic-regression head.

    Transfer from the detector: the same pretrained encoder, so only a 4-class head is fitted on the labelled
    cries' embeddings (classes weighted equally), then temperature + per-class bias as :class:`ReasonRecipe`.

    Examples
    --------
    >>> SfxReasonRecipe().cv.calibrate_bias
    True
    """

    model: SfxModelConfig = field(default_factory=SfxModelConfig)


@dataclass(frozen=True)
class PretrainRecipe:
    """Self-supervised masked-patch pretraining of the reason AST's encoder (``babycry pretrain``).

    The corpus is every manifest row without a reason label whose family has none either: no family the
    reason model is ever tested on is in it, so one pretrained encoder serves every fold. Each clip gives up
    to ``windows_per_clip`` clean windows (the windows every model sees); a label with more than
    ``max_clips_per_label`` clips (thousands of short spoken digits, coughs) is subsampled so cries and
    household sound are not drowned. ``held_out_fraction`` of the families are kept out to score the
    reconstruction. ``minutes`` bounds one run; a rerun resumes from the last checkpoint.

    Examples
    --------
    >>> PretrainRecipe().model == ReasonRecipe().model
    True
    """

    seed: int = 0
    model: ModelConfig = field(default_factory=ModelConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    exclude_task: str = "reason"
    windows_per_clip: int = 3
    max_clips_per_label: int = 600
    held_out_fraction: float = 0.05
    mask_ratio: float = 0.5
    steps: int = 8000
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    warmup_fraction: float = 0.05
    checkpoint_every: int = 250
    minutes: float = 60.0
    threads: int = 2
    progress: bool = True
    cache_dir: str = "artifacts/cache"

    replace = Recipe.replace
    to_dict = Recipe.to_dict
    from_json = classmethod(Recipe.from_json.__func__)

    def window_settings(self) -> dict[str, Any]:
        """What the cached pretraining windows depend on (hashed into their cache key).

        Examples
        --------
        >>> sorted(PretrainRecipe().window_settings())
        ['audio', 'exclude_task', 'max_clips_per_label', 'model', 'seed', 'window', 'windows_per_clip']
        """
        d = self.to_dict()
        return {k: d[k] for k in ("seed", "model", "window", "audio", "exclude_task", "windows_per_clip",
                                  "max_clips_per_label")}

    def run_settings(self) -> dict[str, Any]:
        """What a resumed run must share with the checkpoint it resumes (all but how long and how to run).

        Examples
        --------
        >>> "minutes" in PretrainRecipe().run_settings()
        False
        """
        d = self.to_dict()
        return {k: v for k, v in d.items() if k not in ("minutes", "threads", "progress", "cache_dir",
                                                         "checkpoint_every")}


def recipe_for(task: str, *, family: str | None = None) -> Recipe:
    """The bundled recipe of a task (``family``: ``"ast"`` or ``"sfx"``; default: the bundled model's).

    The bundled detector is the sound-effects CNN (:class:`SfxDetectorRecipe`), the bundled reason model the
    compact AST (:class:`ReasonRecipe`).

    Examples
    --------
    >>> type(recipe_for("detector")).__name__, type(recipe_for("detector", family="ast")).__name__
    ('SfxDetectorRecipe', 'DetectorRecipe')
    """
    if family is not None and family not in FAMILIES:
        raise InvalidParameterError(f"Unknown model family {family!r}: expected one of {', '.join(FAMILIES)}.")
    if task == "detector":
        return DetectorRecipe() if family == "ast" else SfxDetectorRecipe()
    if task == "reason":
        return SfxReasonRecipe() if family == "sfx" else ReasonRecipe()
    raise InvalidParameterError(f"Unknown task {task!r}: expected 'detector' or 'reason'.")


def checkpoint_recipe(folder: str | os.PathLike) -> Recipe:
    """The recipe a trained checkpoint folder was made with: its ``training.json`` ``config`` over the bundled recipe
    of its task and family (a setting the record lacks takes the bundled recipe's value, as with
    :meth:`Recipe.from_json`), so a benchmark refits folds as the checkpoint was trained.

    Examples
    --------
    >>> checkpoint_recipe("assets/models/cry-detector").task  # doctest: +SKIP
    'detector'
    """
    record = Path(folder) / "training.json"
    try:
        config = json.loads(record.read_text())["config"]
        task, model = config["task"], config.get("model", {})
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InvalidParameterError(f"Cannot read the training recipe of {str(folder)!r} ({record.name}): "
                                    f"{exc}") from exc
    family = "sfx" if "channels" in model else "ast"  # the sound-effects CNN's settings name its encoder's width
    return Recipe.from_json(config, base=recipe_for(task, family=family))


def tiny_recipe(task: str, *, family: str | None = None) -> Recipe:
    """A seconds-long recipe for tests and smoke runs (tiny model, 2-fold CV, one seed, no disk cache).

    Codec augmentation is off (its own tests switch it on); the phone-codec evaluation stays on. The tiny
    sound-effects CNN has a random 4-channel encoder (no pretrained weights needed).

    Examples
    --------
    >>> tiny_recipe("detector", family="ast").model.hidden_size, tiny_recipe("detector").model.channels
    (32, 4)
    """
    augment = ({"cry_copies": 1, "negative_copies": 1, "speech_copies": 1, "phone_codec": {"p": 0.0},
                "phone_copies_per_negative": 0} if task == "detector"
               else {"target_per_class": 4, "max_per_clip": 2})
    recipe = recipe_for(task, family=family)
    model = ({"channels": 4, "pretrained": ""} if isinstance(recipe.model, SfxModelConfig) else
             {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64})
    return recipe.replace(
        fit={"epochs": 2, "samples_per_epoch": 64, "batch_size": 32},
        cv={"folds": 2, "seeds": 1, "random_split_seeds": 0, "bootstrap": 50, "leave_category_out_folds": 2},
        augment=augment, progress=False, cache_dir="", threads=1, model=model,
    )
