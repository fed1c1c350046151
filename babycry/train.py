"""Training: the window/feature cache, augmentations, ``transformers.Trainer`` fits, grouped CV, checkpoints.

Speed on a 2-core CPU comes from doing the expensive part once: every clip is
decoded, band-limited, cut into the model's fixed windows (plus a few
augmented copies and hard negatives per clip) and turned into AST fbank
features a single time, into an on-disk cache under ``artifacts/cache``.
Each fit then trains the compact AST on cached tensors.

Augmented copies are only ever used when their clip is in the training fold
(and, for a background-noise mixture, when the noise clip's group is too), so
augmentation never touches what a fold is tested on.

Detector training data, beyond the clean windows:

* every source is cropped and padded the same way (random crops, short and
  full), so duration and padding are no cue;
* cries mixed with noise (ESC-50 clips, coloured noise, hum) at 0–20 dB SNR,
  pitch-shifted ±2 semitones, time-stretched, filtered — still cries;
* hard negatives made from cries: cut into short rhythmic voiced bursts
  (60–220 ms, like laughter or babble) and shifted down 8–12 semitones (adult-
  pitched voice, 150–300 Hz): what makes an infant cry is *sustained* high-F0
  phonation, and these keep the timbre but lose that;
* speech shifted up 4–10 semitones (a high voice that is not crying);
* optionally (``background_negatives_per_cry``), the synthetic noises cries are mixed with, alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .audio import load as load_audio
from .config import AudioConfig, WindowConfig
from .data import TaskData, grouped_folds, random_folds
from .errors import DataError, InvalidParameterError
from .modeling import ModelConfig, build_feature_extractor, build_model, fit_window, frame_windows
from .preprocess import band_limit

__all__ = [
    "TrainConfig",
    "FeatureCache",
    "build_cache",
    "fit",
    "training_rows",
    "train_only_rows",
    "cry_voicing",
    "cry_voicing_profile",
    "cross_validate",
    "CVResult",
    "train",
    "library_versions",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Every training setting (JSON-overridable with :meth:`from_json`).

    Examples
    --------
    >>> TrainConfig(task="reason").replace(epochs=3).epochs
    3
    """

    task: str = "detector"
    seed: int = 0
    epochs: int = 5
    samples_per_epoch: int = 1500
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    warmup_fraction: float = 0.1
    label_smoothing: float = 0.0
    # augmented windows per clip (detector); the reason model scales its copies by class size instead
    aug_per_cry: int = 3
    hard_negatives_per_cry: int = 3
    synth_pairs_per_cry: int = 1
    synth_negatives_per_cry: int = 0
    synth_tones_per_cry: int = 0
    # Detector: laughter-like bouts made from each cry (see ``_laugh_bouts``), labelled not-cry. Off: with them
    # the held-out laughter was called a cry more often, not less (README).
    laugh_bouts_per_cry: int = 0
    # Detector: background-only windows per cry clip (coloured noise, mains hum, filtered, alone or two mixed),
    # labelled not-cry. The same generator supplies the noise that cries are mixed with; without these it never
    # appears on its own, so hum or hiss reads as evidence of a cry.
    background_negatives_per_cry: int = 0
    aug_per_negative: int = 2
    aug_per_speech: int = 1
    reason_aug_target_per_class: int = 400
    reason_aug_max_per_clip: int = 16
    cv_folds: int = 5
    cv_seeds: int = 3
    random_split_seeds: int = 1
    min_coverage: float = 0.5
    # Detector "unsure" band (calibration.choose_cry_band): at most this share of the out-of-fold cries is
    # confidently called "not a cry", at least that share confidently "a cry"; the rest is "unsure".
    cry_band_max_dismissed: float = 0.03
    cry_band_min_confident: float = 0.8
    bootstrap: int = 500
    calibrate_bias: bool = False
    # Relative weight of a stratum within its class when sampling (default 1): unseen household noise is the
    # detector's hardest negative, silence and speech its easiest; synthetic cries support the real ones.
    stratum_weights: dict = field(default_factory=lambda: {
        "synth_cry": 0.3, "noise": 3.0, "silence": 0.5, "speech": 0.5, "laugh_like": 1.5, "synth_laugh": 1.5})
    # Detector: manifest labels of *unreviewed* rows (``is_cry`` empty) used as training-only negatives, e.g.
    # Donate-a-Cry's "removed" uploads: real-home sound from the same phones as the cries. They are never scored
    # (their label is noisy), stay out of every fold whose test side holds their group, and a clip whose
    # high-pitched voicing looks like a cry is dropped (see ``train_only_max_cry_voicing``).
    train_only_negatives: tuple = ()
    # Drop a train-only negative when more than this fraction of its frames are voiced at 250-800 Hz (pYIN) and
    # its longest such voiced run lasts at least ``train_only_min_cry_run_s``: a cry holds its voice for most of
    # a second, while babbling, cooing and laughter (the "baby chat" the cleaners removed) come in short runs.
    # 0 drops on the voiced fraction alone.
    train_only_max_cry_voicing: float = 0.1
    train_only_min_cry_run_s: float = 0.0
    train_only_windows_per_clip: int = 2
    # Detector: give every synthetic or cut-up window of a cry (laughter-like bursts, adult voices, coughs,
    # tones, synthetic cries, and the cry's own augmented windows alike) a faint noise floor and, at random,
    # a small room's reverberation. Cut-up and synthesised sounds otherwise fall to digital silence between
    # bursts, which no real recording does. Off: it did not help on held-out laughter (README).
    realistic_proxies: bool = False
    # Phone channel (detector): this share of each clip's augmented windows goes through a random speech codec
    # (babycry.codec), and each non-speech negative gets this many codec-only copies. Donate-a-Cry's cries all
    # went through a phone codec and most negatives did not; without this the codec itself reads as "cry".
    phone_codec_p: float = 0.0
    phone_copies_per_negative: int = 0
    # Detector: also cache each non-speech clip's windows after a random phone codec (never trained on), so
    # cross-validation reports how the held-out clips fare through a phone / browser codec.
    phone_eval: bool = False
    # SpecAugment on training windows: this many time / mel-band masks of up to this many frames / bins
    time_masks: int = 0
    time_mask_frames: int = 0
    freq_masks: int = 0
    freq_mask_bins: int = 0
    progress: bool = True
    threads: int = 2
    cache_dir: str = "artifacts/cache"
    model: ModelConfig = field(default_factory=ModelConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed (``model``/``window``/``audio`` may be dicts)."""
        nested = {"model": ModelConfig, "window": WindowConfig, "audio": AudioConfig}
        for key, _cls in nested.items():
            if isinstance(changes.get(key), dict):
                changes[key] = dataclasses.replace(getattr(self, key), **changes[key])
        if isinstance(changes.get("train_only_negatives"), (list, str)):
            value = changes["train_only_negatives"]
            changes["train_only_negatives"] = (value,) if isinstance(value, str) else tuple(value)
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise InvalidParameterError(f"Unknown training setting(s): {', '.join(sorted(unknown))}.")
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_json(cls, source: str | os.PathLike | dict, *, base: TrainConfig | None = None) -> TrainConfig:
        """Override fields from a JSON file or dict.

        Examples
        --------
        >>> TrainConfig.from_json({"epochs": 2, "model": {"hidden_size": 32}}).model.hidden_size
        32
        """
        if isinstance(source, dict):
            values = dict(source)
        else:
            try:
                values = json.loads(Path(source).read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise InvalidParameterError(f"Cannot read the training config {str(source)!r}: {exc}") from exc
        return (base or cls()).replace(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return dataclasses.asdict(self)


def for_task(task: str) -> TrainConfig:
    """The default :class:`TrainConfig` of a task.

    Examples
    --------
    >>> for_task("reason").task
    'reason'
    """
    if task == "detector":
        # the bundled detector: 3 x 96 AST, 8 x 2000 class-balanced samples (the 2 x 64 default underfits laughter),
        # real-home training-only negatives and synthetic adult voices, coughs and machine tones; 70% of the
        # augmented windows of both classes through random phone codecs; CV also scores every held-out clip
        # through a phone codec
        return TrainConfig(task="detector", epochs=8, samples_per_epoch=2000, train_only_negatives=("removed",),
                           synth_negatives_per_cry=1, synth_tones_per_cry=1, phone_codec_p=0.7,
                           phone_copies_per_negative=1, phone_eval=True,
                           model=ModelConfig(hidden_size=96, num_hidden_layers=3, intermediate_size=192))
    if task == "reason":
        return TrainConfig(task="reason", epochs=5, samples_per_epoch=1000, learning_rate=5e-4, label_smoothing=0.1,
                           calibrate_bias=True, stratum_weights={})
    raise InvalidParameterError(f"Unknown task {task!r}: expected 'detector' or 'reason'.")


def tiny_config(task: str) -> TrainConfig:
    """A seconds-long training config for tests and smoke runs (tiny AST, 2-fold CV, one seed, no disk cache).

    Codec augmentation is off (its own tests switch it on); the phone-codec evaluation stays on.

    Examples
    --------
    >>> tiny_config("detector").model.hidden_size
    32
    """
    return for_task(task).replace(
        epochs=2, samples_per_epoch=64, batch_size=32, aug_per_cry=1, hard_negatives_per_cry=3, aug_per_negative=1,
        aug_per_speech=1, reason_aug_target_per_class=4, reason_aug_max_per_clip=2, cv_folds=2, cv_seeds=1,
        random_split_seeds=0, progress=False, cache_dir="", bootstrap=50, threads=1, phone_codec_p=0.0,
        phone_copies_per_negative=0,
        model={"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64},
    )


# --------------------------------------------------------------------------- #
# Augmentation (training folds only)
# --------------------------------------------------------------------------- #
def _coloured_noise(n: int, rng: np.random.Generator, *, sample_rate: int) -> np.ndarray:
    """Pink, brown or white noise, or mains hum with harmonics (no dataset needed)."""
    kind = rng.choice(["white", "pink", "brown", "hum"])
    if kind == "hum":
        t = np.arange(n) / sample_rate
        base = rng.choice([50.0, 60.0])
        x = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6.3)) for k in range(1, 8))
        return (x + 0.05 * rng.normal(size=n)).astype(np.float32)
    white = rng.normal(size=n)
    if kind == "white":
        return white.astype(np.float32)
    spec = np.fft.rfft(white)
    f = np.arange(spec.size) + 1.0
    spec /= np.sqrt(f) if kind == "pink" else f
    return np.fft.irfft(spec, n=n).astype(np.float32)


def _background(rng: np.random.Generator, n: int, *, sample_rate: int) -> np.ndarray:
    """Background sound alone: coloured noise or mains hum, half the time filtered, a third of the time two mixed.

    These are the noises :func:`_augment_detector` mixes into cries, so each must also occur without one.
    """
    x = _coloured_noise(n, rng, sample_rate=sample_rate)
    if rng.random() < 1 / 3:
        x = _mix_at_snr(x, _coloured_noise(n, rng, sample_rate=sample_rate), rng.uniform(-10.0, 10.0))
    if rng.random() < 0.5:
        x = _random_filter(x, rng, sample_rate=sample_rate)
    return x


def _mix_at_snr(signal: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    s = float(np.sqrt(np.mean(signal**2))) + 1e-9
    n = float(np.sqrt(np.mean(noise**2))) + 1e-9
    return (signal + noise * (s / n) / (10 ** (snr_db / 20.0))).astype(np.float32)


def _crop(
    x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, window_s: float, p_short: float = 0.4
) -> np.ndarray:
    """A random crop: a full window (or the whole clip) or, with ``p_short``, 0.4 s to the window."""
    full = int(window_s * sample_rate)
    length = min(full, x.size)
    if rng.random() < p_short:
        length = min(x.size, int(rng.uniform(0.4, window_s) * sample_rate))
    start = int(rng.integers(0, x.size - length + 1)) if x.size > length else 0
    return x[start : start + length]


def _random_filter(x: np.ndarray, rng: np.random.Generator, *, sample_rate: int) -> np.ndarray:
    """A random tilt / band-pass / low-pass, as different microphones and rooms colour sound."""
    from scipy import signal

    kind = rng.choice(["lowpass", "highpass", "bandpass"])
    if kind == "lowpass":
        sos = signal.butter(2, rng.uniform(1200, 3800), btype="lowpass", fs=sample_rate, output="sos")
    elif kind == "highpass":
        sos = signal.butter(2, rng.uniform(80, 500), btype="highpass", fs=sample_rate, output="sos")
    else:
        lo = rng.uniform(150, 600)
        sos = signal.butter(2, [lo, rng.uniform(lo * 3, 3900)], btype="bandpass", fs=sample_rate, output="sos")
    return signal.sosfilt(sos, x).astype(np.float32)


def _pitch_time(x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, semitones: tuple[float, float] | None,
                stretch: tuple[float, float] | None) -> np.ndarray:
    from audiomentations import PitchShift, TimeStretch

    if stretch is not None:
        x = TimeStretch(min_rate=stretch[0], max_rate=stretch[1], leave_length_unchanged=False, p=1.0)(
            samples=x, sample_rate=sample_rate)
    if semitones is not None:
        shift = PitchShift(min_semitones=semitones[0], max_semitones=semitones[1], p=1.0)
        x = shift(samples=x, sample_rate=sample_rate)
    return np.asarray(x, dtype=np.float32)


def _laugh_like(
    x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, window_s: float, burst_gain_db: float = 0.0
) -> np.ndarray:
    """Cut voiced audio into short rhythmic bursts (80–450 ms, gaps 80–300 ms): laughter/babble rhythm.

    Baby laughter in this data is voiced a third of the time in runs of ~0.3 s at a median F0 near 260 Hz,
    against two thirds in runs up to 1.3 s at 400–520 Hz for cries; the caller also lowers the pitch.
    """
    out = []
    total = 0
    target = int(rng.uniform(1.0, window_s) * sample_rate)
    while total < target:
        burst = int(rng.uniform(0.08, 0.45) * sample_rate)
        start = int(rng.integers(0, max(1, x.size - burst)))
        seg = x[start : start + burst]
        seg = seg * np.hanning(seg.size).astype(np.float32)
        if burst_gain_db:  # real laughter's bursts differ in loudness
            seg = seg * np.float32(10 ** (-rng.uniform(0.0, burst_gain_db) / 20.0))
        gap = np.zeros(int(rng.uniform(0.08, 0.3) * sample_rate), dtype=np.float32)
        out += [seg, gap]
        total += seg.size + gap.size
    return np.concatenate(out)[:target]


def _laugh_bouts(x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, window_s: float) -> np.ndarray:
    """Modulate voiced audio into laughter's rhythm: bouts of 3-9 "ha" syllables at 3.5-6 per second.

    Unlike :func:`_laugh_like`, the voice never stops: each syllable's dip keeps it 8-25 dB down, breathy
    aspiration noise fills the dips, and bouts are separated by breathy pauses, as in real laughter
    (whose frames sit 30-35 dB below its loudest and never fall silent). A detector that never heard
    laughter calls these proxies cries, as it does real laughter (they mimic what it misses); trained on
    them, it still does.
    """
    from scipy import signal

    sr = sample_rate
    n = int(rng.uniform(1.5, window_s) * sr)
    env = np.zeros(n)
    breath = np.zeros(n)
    t = 0
    while t < n:
        syllable, count = int(sr / rng.uniform(3.5, 6.0)), int(rng.integers(3, 10))
        floor = 10 ** (-rng.uniform(8.0, 25.0) / 20.0)
        for i in range(count):
            if t >= n:
                break
            m = min(syllable, n - t)
            phase = np.arange(m) / syllable
            shape = np.clip(np.sin(np.pi * phase * rng.uniform(0.9, 1.1)), 0, None) ** rng.uniform(0.7, 1.5)
            gain = 10 ** (-rng.uniform(0.0, 8.0) / 20.0) * (1.0 - 0.5 * i / count)  # a bout fades
            env[t : t + m] = floor + (1.0 - floor) * shape * gain
            breath[t : t + m] = 10 ** (-rng.uniform(12.0, 25.0) / 20.0) * (0.3 + np.sin(np.pi * phase))
            t += m
        m = min(int(rng.uniform(0.15, 0.6) * sr), n - t)
        if m > 0:
            env[t : t + m] = floor * 0.3
            breath[t : t + m] = 10 ** (-rng.uniform(15.0, 30.0) / 20.0)
            t += m
    start = int(rng.integers(0, max(1, x.size - n)))
    voice = np.resize(x[start : start + n], n).astype(np.float64)
    rms = float(np.sqrt(np.mean(voice**2))) + 1e-9
    sos = signal.butter(2, [rng.uniform(400, 900), rng.uniform(2000, 3400)], btype="bandpass", fs=sr, output="sos")
    noise = signal.sosfilt(sos, rng.normal(size=n))
    noise *= rms / (float(np.sqrt(np.mean(noise**2))) + 1e-9)
    return (voice * env + noise * breath).astype(np.float32)


def _in_a_room(x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, p_reverb: float = 0.5) -> np.ndarray:
    """A faint noise floor (20-45 dB below the signal) and, with ``p_reverb``, a small room (RT60 0.1-0.5 s)."""
    from scipy import signal

    if rng.random() < p_reverb:
        rt60 = rng.uniform(0.1, 0.5)
        t = np.arange(int(rt60 * sample_rate)) / sample_rate
        tail = rng.normal(size=t.size) * np.exp(-6.9 * t / rt60)
        tail *= 10 ** (-rng.uniform(3.0, 15.0) / 20.0) / (np.sqrt(np.sum(tail**2)) + 1e-12)
        tail[0] = 1.0  # the direct sound
        x = signal.fftconvolve(x, tail)[: x.size].astype(np.float32)
    return _mix_at_snr(x, _coloured_noise(x.size, rng, sample_rate=sample_rate), rng.uniform(20.0, 45.0))


@dataclass
class _NoiseBank:
    """Background-noise clips (from the folder's ``noise`` negatives) with their groups."""

    clips: list[np.ndarray]
    groups: list[str]

    def draw(
        self, rng: np.random.Generator, n: int, *, sample_rate: int, p_dataset: float = 0.6
    ) -> tuple[np.ndarray, str]:
        if self.clips and rng.random() < p_dataset:
            i = int(rng.integers(len(self.clips)))
            clip = self.clips[i]
            reps = int(np.ceil(n / clip.size))
            clip = np.tile(clip, reps)
            start = int(rng.integers(0, clip.size - n + 1))
            return clip[start : start + n], self.groups[i]
        return _coloured_noise(n, rng, sample_rate=sample_rate), ""


def _augment_detector(
    x: np.ndarray, category: str, rng: np.random.Generator, noise: _NoiseBank, *, config: TrainConfig
) -> list[tuple[np.ndarray, int, str, str]]:
    """(segment, label, kind, noise_group) items for one detector clip."""
    sr, win = config.audio.sample_rate, config.window.window_seconds
    items: list[tuple[np.ndarray, int, str, str]] = []

    def noisy(seg: np.ndarray, snr: tuple[float, float], p: float) -> tuple[np.ndarray, str]:
        if rng.random() < p:
            n, g = noise.draw(rng, seg.size, sample_rate=sr)
            return _mix_at_snr(seg, n, rng.uniform(*snr)), g
        return seg, ""

    if category == "cry":
        for _ in range(config.aug_per_cry):
            seg = _crop(x, rng, sample_rate=sr, window_s=win * 1.1)
            seg = _pitch_time(seg, rng, sample_rate=sr, semitones=(-2, 2) if rng.random() < 0.5 else None,
                              stretch=(0.9, 1.1) if rng.random() < 0.5 else None)
            if rng.random() < 0.3:
                seg = _random_filter(seg, rng, sample_rate=sr)
            seg, g = noisy(seg, (0.0, 20.0), 0.7)
            items.append((seg, 1, "cry_aug", g))
        for j in range(config.hard_negatives_per_cry):
            if j % 3 != 2:
                seg = _laugh_like(x, rng, sample_rate=sr, window_s=win,
                                  burst_gain_db=12.0 if config.realistic_proxies else 0.0)
                if rng.random() < 0.7:
                    seg = _pitch_time(seg, rng, sample_rate=sr, semitones=(-9, -2), stretch=None)
                kind = "laugh_like"
            else:
                seg = _pitch_time(_crop(x, rng, sample_rate=sr, window_s=win * 0.6, p_short=0.3), rng, sample_rate=sr,
                                  semitones=(-12, -6), stretch=(0.8, 1.0))
                kind = "low_voice"
            seg, g = noisy(seg, (5.0, 30.0), 0.4)
            items.append((seg, 0, kind, g))
        for _ in range(config.laugh_bouts_per_cry):
            seg = _laugh_bouts(x, rng, sample_rate=sr, window_s=win)
            if rng.random() < 0.7:
                seg = _pitch_time(seg, rng, sample_rate=sr, semitones=(-6, 0), stretch=None)
            seg, g = noisy(seg, (5.0, 30.0), 0.4)
            items.append((seg, 0, "laugh_bout", g))
        for _ in range(config.background_negatives_per_cry):
            seg = _background(rng, int(rng.uniform(1.0, win + 0.2) * sr), sample_rate=sr)
            items.append((seg, 0, "background", ""))
        if config.synth_pairs_per_cry or config.synth_negatives_per_cry or config.synth_tones_per_cry:
            from .synth import synth_bursts, synth_cry, synth_tones

            for _ in range(config.synth_pairs_per_cry):
                # Same synthetic voice, two temporal/pitch patterns: a cry (sustained 0.6-1.5 s bursts at
                # 330-600 Hz) and laughter-like babble (80-350 ms bursts at 200-320 Hz). Only what differs
                # between them can separate them.
                laugh = synth_cry(seconds=float(rng.uniform(1.5, win + 0.2)), sample_rate=sr,
                                  f0_hz=float(rng.uniform(200, 320)), seed=int(rng.integers(1 << 30)),
                                  f0_swing=float(rng.uniform(0.1, 0.4)), burst_seconds=(0.08, 0.35),
                                  pause_seconds=(0.08, 0.3)).samples
                seg, g = noisy(laugh, (5.0, 30.0), 0.5)
                items.append((seg, 0, "synth_laugh", g))
                crying = synth_cry(seconds=win + 0.2, sample_rate=sr, f0_hz=float(rng.uniform(330, 600)),
                                   seed=int(rng.integers(1 << 30)), f0_swing=float(rng.uniform(0.1, 0.4))).samples
                seg, g = noisy(crying, (0.0, 20.0), 0.5)
                items.append((seg, 1, "synth_cry", g))
            for _ in range(config.synth_negatives_per_cry):
                # Human sounds that are not infant cries: an adult voice (moaning, sobbing: F0 100-300 Hz and
                # the lower formants of a longer vocal tract) and cough/sneeze-like noise bursts.
                adult = synth_cry(seconds=float(rng.uniform(1.5, win + 0.2)), sample_rate=sr,
                                  f0_hz=float(rng.uniform(100, 300)), seed=int(rng.integers(1 << 30)),
                                  f0_swing=float(rng.uniform(0.05, 0.5)),
                                  tilt_db_per_octave=float(rng.uniform(-14, -6)),
                                  formants_hz=(float(rng.uniform(450, 850)), float(rng.uniform(1000, 1900))),
                                  formant_bandwidths_hz=(float(rng.uniform(80, 200)),
                                                         float(rng.uniform(120, 300))),
                                  burst_seconds=(0.3, 2.0), pause_seconds=(0.1, 0.8)).samples
                seg, g = noisy(adult, (5.0, 30.0), 0.5)
                items.append((seg, 0, "synth_adult", g))
                bursts = synth_bursts(seconds=float(rng.uniform(1.0, win + 0.2)), sample_rate=sr,
                                      seed=int(rng.integers(1 << 30)), voicing=float(rng.uniform(0.0, 0.5)))
                seg, g = noisy(bursts, (5.0, 30.0), 0.5)
                items.append((seg, 0, "synth_burst", g))
            for _ in range(config.synth_tones_per_cry):
                # Machine tones pitched like a cry: whines, sirens, beeps, chirps, motors (the noise clips a
                # detector most often calls cries are whistles, alarms and sirens).
                tones = synth_tones(seconds=float(rng.uniform(1.0, win + 0.2)), sample_rate=sr,
                                    seed=int(rng.integers(1 << 30)))
                seg, g = noisy(tones, (0.0, 30.0), 0.5)
                items.append((seg, 0, "synth_tone", g))
        if config.realistic_proxies:
            items = [(_in_a_room(seg, rng, sample_rate=sr), label, kind, g) for seg, label, kind, g in items]
    elif category == "speech":
        for _ in range(config.aug_per_speech):
            stretch = (0.8, 1.2) if rng.random() < 0.5 else None
            seg = _pitch_time(x, rng, sample_rate=sr, semitones=(4, 10), stretch=stretch)
            if rng.random() < 0.5:  # a few repeats with gaps: sustained voicing without a cry
                gap = np.zeros(int(rng.uniform(0.05, 0.3) * sr), np.float32)
                seg = np.concatenate([seg, gap] * int(rng.integers(2, 5)))
            seg, g = noisy(seg, (5.0, 30.0), 0.4)
            items.append((seg, 0, "speech_high", g))
    else:
        for _ in range(config.aug_per_negative):
            seg = _crop(x, rng, sample_rate=sr, window_s=win)
            if rng.random() < 0.5:
                seg = _random_filter(seg, rng, sample_rate=sr)
            seg, g = noisy(seg, (0.0, 20.0), 0.5)
            items.append((seg, 0, f"{category}_aug", g))
    return items


def _through_phone_codecs(
    items: list[tuple[np.ndarray, int, str, str]], x: np.ndarray, category: str, rng: np.random.Generator, *,
    config: TrainConfig,
) -> list[tuple[np.ndarray, int, str, str]]:
    """Send a random share of one clip's augmented windows (and its codec-only copies) through one phone codec.

    One random codec per clip, all its chosen windows coded in a single ffmpeg round trip (starting ffmpeg
    costs more than the coding). Speech is left alone: it is never mistaken for a cry, and its 2,500 clips
    would add minutes to every cache build.
    """
    if config.phone_codec_p <= 0.0 or category == "speech":
        return items
    from .codec import draw_codec, phone_codec_many

    sr, win = config.audio.sample_rate, config.window.window_seconds
    items = list(items)
    forced = set()
    if category != "cry":
        for _ in range(config.phone_copies_per_negative):
            forced.add(len(items))
            items.append((_crop(x, rng, sample_rate=sr, window_s=win), 0, f"{category}_phone", ""))
    chosen = [i for i in range(len(items)) if i in forced or rng.random() < config.phone_codec_p]
    if not chosen:
        return items
    name, kbps = draw_codec(rng)
    coded = phone_codec_many([items[i][0] for i in chosen], sample_rate=sr, codec=name, bitrate_kbps=kbps)
    for i, seg in zip(chosen, coded, strict=True):
        _, label, kind, group = items[i]
        items[i] = (seg, label, kind, group)
    return items


def _phone_eval_signal(x: np.ndarray, clip: int, *, config: TrainConfig) -> np.ndarray:
    """A clip through one random phone codec (seeded by seed and clip), band-limited again, for evaluation."""
    from .codec import draw_codec, phone_codec

    name, kbps = draw_codec(np.random.default_rng([config.seed, clip, 7]))
    coded = phone_codec(x, sample_rate=config.audio.sample_rate, codec=name, bitrate_kbps=kbps)
    return band_limit(coded, sample_rate=config.audio.sample_rate, cutoff_hz=config.audio.band_limit_hz)


def _augment_reason(
    x: np.ndarray, label: int, n_copies: int, rng: np.random.Generator, noise: _NoiseBank, *, config: TrainConfig
) -> list[tuple[np.ndarray, int, str, str]]:
    """The origin's augmentations: TimeStretch 0.9–1.1, PitchShift ±1.1 st, background noise 3–30 dB SNR."""
    sr = config.audio.sample_rate
    items = []
    for _ in range(n_copies):
        seg = _crop(x, rng, sample_rate=sr, window_s=config.window.window_seconds * 1.1, p_short=0.0)
        seg = _pitch_time(seg, rng, sample_rate=sr, semitones=(-1.1, 1.1) if rng.random() < 0.5 else None,
                          stretch=(0.9, 1.1) if rng.random() < 0.5 else None)
        g = ""
        if rng.random() < 0.5:
            n, g = noise.draw(rng, seg.size, sample_rate=sr)
            seg = _mix_at_snr(seg, n, rng.uniform(3.0, 30.0))
        items.append((seg, label, "reason_aug", g))
    return items


# --------------------------------------------------------------------------- #
# The cache
# --------------------------------------------------------------------------- #
@dataclass
class FeatureCache:
    """Precomputed AST features of every window of a task.

    Attributes
    ----------
    features : np.ndarray
        float16 ``(n_windows, max_length, num_mel_bins)`` (feature-extractor output).
    index : pandas.DataFrame
        One row per window: ``clip`` (row of the task table), ``y``, ``kind``
        (``clean`` = an inference window; anything else = training-only),
        ``stratum`` (for balanced sampling), ``noise_group``.
    path : Path or None
        Where it is stored.
    """

    features: np.ndarray
    index: pd.DataFrame
    path: Path | None = None


_OPT_IN_DETECTOR_SETTINGS = ("train_only_min_cry_run_s", "realistic_proxies", "laugh_bouts_per_cry",
                              "background_negatives_per_cry")


def _cache_key(data: TaskData, config: TrainConfig) -> str:
    relevant = {
        "manifest": data.manifest_hash,
        "root": str(data.root.resolve()),
        "task": data.task,
        "n": len(data),
        "model_features": [config.model.sampling_rate, config.model.num_mel_bins, config.model.max_length,
                           config.model.feature_mean, config.model.feature_std],
        "window": dataclasses.asdict(config.window),
        "audio": dataclasses.asdict(config.audio),
        "aug": [config.aug_per_cry, config.hard_negatives_per_cry, config.synth_pairs_per_cry,
                config.synth_negatives_per_cry, config.synth_tones_per_cry, config.aug_per_negative,
                config.aug_per_speech,
                config.reason_aug_target_per_class, config.reason_aug_max_per_clip, config.seed],
        "train_only": [list(config.train_only_negatives), config.train_only_max_cry_voicing,
                       config.train_only_windows_per_clip] if data.task == "detector" else [],
        "phone": [config.phone_codec_p, config.phone_copies_per_negative, config.phone_eval]
        if data.task == "detector" else [],
        "version": 12,
    }
    # Detector settings added after caches were first written join the key only when set, so the caches of
    # configurations that leave them off stay valid.
    opt_in = {name: getattr(config, name) for name in _OPT_IN_DETECTOR_SETTINGS if getattr(config, name)}
    if opt_in and data.task == "detector":
        relevant["opt_in"] = opt_in
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def _reason_copies(y: np.ndarray, *, config: TrainConfig) -> np.ndarray:
    counts = np.bincount(y, minlength=int(y.max()) + 1)
    per_class = np.clip(np.round(config.reason_aug_target_per_class / np.maximum(counts, 1)), 1,
                        config.reason_aug_max_per_clip).astype(int)
    return per_class[y]


def train_only_rows(data: TaskData, *, config: TrainConfig) -> pd.DataFrame:
    """The unreviewed manifest rows a detector trains on as negatives (``config.train_only_negatives``).

    Returns an empty frame for the reason task, when the setting is empty, or when
    the folder holds no such rows; listed files that are missing raise :class:`DataError`.

    Examples
    --------
    >>> train_only_rows(load_task("../shared/data", task="detector"),
    ...                 config=for_task("detector")).shape[0] > 0  # doctest: +SKIP
    True
    """
    from .data import read_manifest, with_absolute_paths

    if data.task != "detector" or not config.train_only_negatives:
        return pd.DataFrame(columns=["path", "rel_path", "group", "label"])
    manifest = read_manifest(data.root)
    rows = manifest[manifest["is_cry"].isna() & manifest["label"].isin(config.train_only_negatives)]
    return with_absolute_paths(rows, data.root).reset_index(drop=True)


def cry_voicing(samples: np.ndarray, *, sample_rate: int) -> float:
    """Fraction of pYIN frames voiced at 250-800 Hz (an infant cry's F0) in up to 10 s of audio.

    Used to keep likely cries out of the unreviewed training-only negatives.

    Examples
    --------
    >>> from babycry.synth import synth_cry
    >>> cry_voicing(synth_cry(seconds=3.0, seed=1).samples, sample_rate=16000) > 0.4
    True
    """
    return cry_voicing_profile(samples, sample_rate=sample_rate)[0]


def cry_voicing_profile(samples: np.ndarray, *, sample_rate: int) -> tuple[float, float]:
    """(voiced fraction, longest voiced run in seconds) at 250-800 Hz, pYIN, in up to 10 s of audio.

    Examples
    --------
    >>> from babycry.synth import synth_cry
    >>> fraction, run_s = cry_voicing_profile(synth_cry(seconds=3.0, seed=1).samples, sample_rate=16000)
    >>> run_s > 0.5
    True
    """
    from .features import f0_track

    track = f0_track(samples, sample_rate=sample_rate, max_seconds=10.0)
    f0 = track.f0_hz
    hit = track.voiced & np.isfinite(f0) & (f0 >= 250.0) & (f0 <= 800.0)
    if not hit.size:
        return 0.0, 0.0
    # longest run of consecutive voiced frames
    edges = np.diff(np.concatenate([[0], hit.astype(np.int8), [0]]))
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    hop_s = float(np.median(np.diff(track.times_s))) if track.times_s.size > 1 else 0.0
    return float(np.mean(hit)), float(runs.max(initial=0) * hop_s)


def _looks_like_a_cry(x: np.ndarray, *, sample_rate: int, config: TrainConfig) -> bool:
    """A training-only negative to drop: voiced like a cry, long enough (see ``train_only_max_cry_voicing``)."""
    fraction, run_s = cry_voicing_profile(x, sample_rate=sample_rate)
    return fraction > config.train_only_max_cry_voicing and run_s >= config.train_only_min_cry_run_s


@dataclass(frozen=True)
class _ClipJob:
    """One clip for the cache builder."""

    clip: int
    path: str
    rel_path: str
    y: int
    category: str
    group: str
    copies: int
    train_only: bool = False


_WORKER: dict[str, Any] = {}


def _in_worker_process() -> bool:
    """Whether this is a child process of a multiprocessing pool."""
    import multiprocessing as mp

    return mp.parent_process() is not None


def _map_in_processes(
    func: Any, jobs: list, *, workers: int, initializer: Any, initargs: tuple, chunksize: int = 1
) -> Any:
    """Yield ``func(job)`` for every job, in order: in ``workers`` processes, or in this one when ``workers`` is 1.

    ``initializer(*initargs)`` puts the shared state (config, cache, ...) into ``_WORKER`` of each process;
    here it is cleared again after a run in this process, so a large cache is not kept alive.
    """
    if workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # fork where there is one: it shares a memory-mapped cache, and spawn would re-run an unguarded
        # calling script in every worker
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method), initializer=initializer,
                                 initargs=initargs) as pool:
            yield from pool.map(func, jobs, chunksize=chunksize)
        return
    initializer(*initargs)
    try:
        yield from map(func, jobs)
    finally:
        _WORKER.clear()


def _init_cache_worker(config: TrainConfig, task: str, noise: _NoiseBank) -> None:
    """Per-process state of the cache builder (the feature extractor is built once per process)."""
    if _in_worker_process():
        # one BLAS / OpenMP thread per worker process: the processes are the parallelism
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    _WORKER.update(config=config, task=task, noise=noise, extractor=build_feature_extractor(model_config=config.model))


def _featurise_clip(job: _ClipJob) -> tuple[np.ndarray, list[dict]]:
    """Decode, window, augment and featurise one clip: (float16 features, index rows)."""
    import random

    config: TrainConfig = _WORKER["config"]
    task: str = _WORKER["task"]
    sr = config.audio.sample_rate
    length = int(round(config.window.window_seconds * sr))
    # One generator per clip, seeded by (seed, clip): the cache is the same whatever the number of processes.
    # audiomentations draws from the global numpy / random generators, so they are seeded the same way.
    rng = np.random.default_rng([config.seed, job.clip])
    np.random.seed((config.seed * 1_000_003 + job.clip) % (1 << 32))
    random.seed(config.seed * 1_000_003 + job.clip)
    try:
        a = load_audio(job.path, config=config.audio, validate_audio=False)
    except Exception as exc:  # noqa: BLE001 - name the clip that failed
        raise DataError(f"Cannot read training clip {job.rel_path!r}: {exc}") from exc
    x = band_limit(a.samples, sample_rate=sr, cutoff_hz=config.audio.band_limit_hz)
    windows: list[np.ndarray] = []
    rows: list[dict] = []
    if job.train_only:
        silent = np.max(np.abs(x), initial=0.0) == 0.0
        if not silent and not _looks_like_a_cry(x, sample_rate=sr, config=config):
            for _ in range(config.train_only_windows_per_clip):
                seg = _crop(x, rng, sample_rate=sr, window_s=config.window.window_seconds, p_short=0.2)
                windows.append(fit_window(seg, length=length, target_rms_dbfs=config.audio.target_rms_dbfs))
                rows.append({"clip": job.clip, "y": 0, "kind": "train_only", "stratum": f"train_only_{job.category}",
                             "noise_group": "", "group": job.group})
    else:
        clean, _ = frame_windows(x, sample_rate=sr, window=config.window, audio_config=config.audio,
                                 band_limited=True)
        for w in clean:
            windows.append(w)
            rows.append({"clip": job.clip, "y": job.y, "kind": "clean", "stratum": job.category, "noise_group": "",
                         "group": ""})
        if task == "detector" and config.phone_eval and job.category != "speech":
            # evaluation only: the clip's own windows through one phone codec (its own generator, so the
            # training windows below are the same with or without it)
            coded = _phone_eval_signal(x, job.clip, config=config)
            phone, _ = frame_windows(coded, sample_rate=sr, window=config.window, audio_config=config.audio,
                                     band_limited=True)
            for w in phone:
                windows.append(w)
                rows.append({"clip": job.clip, "y": job.y, "kind": "phone_eval", "stratum": job.category,
                             "noise_group": "", "group": ""})
        if task == "detector":
            extra = _augment_detector(x, job.category, rng, _WORKER["noise"], config=config)
            extra = _through_phone_codecs(extra, x, job.category, rng, config=config)
        else:
            extra = _augment_reason(x, job.y, job.copies, rng, _WORKER["noise"], config=config)
        for seg, label, kind, g in extra:
            seg = band_limit(seg, sample_rate=sr, cutoff_hz=config.audio.band_limit_hz)
            start = int(rng.integers(0, seg.size - length + 1)) if seg.size > length else 0
            windows.append(fit_window(seg[start : start + length], length=length,
                                      target_rms_dbfs=config.audio.target_rms_dbfs))
            stratum = kind if kind in _OWN_STRATUM else job.category
            rows.append({"clip": job.clip, "y": int(label), "kind": kind, "stratum": stratum, "noise_group": g,
                         "group": ""})
    if not windows:
        return np.zeros((0, config.model.max_length, config.model.num_mel_bins), np.float16), rows
    out = _WORKER["extractor"](windows, sampling_rate=sr, return_tensors="np")["input_values"]
    return np.asarray(out, dtype=np.float16), rows


def build_cache(data: TaskData, *, config: TrainConfig, cache_root: str | os.PathLike | None = None) -> FeatureCache:
    """Decode, window, augment and featurise every clip once (reused when already on disk).

    Parameters
    ----------
    data : TaskData
        The task's clips.
    config : TrainConfig
        Window, audio, model-feature and augmentation settings (they key the cache).
    cache_root : path, optional
        Where caches live (default ``config.cache_dir``); ``None`` and an
        empty ``config.cache_dir`` keep it in memory only.

    Returns
    -------
    FeatureCache

    Examples
    --------
    >>> build_cache(load_task("../shared/data", task="reason"), config=for_task("reason"))  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    where = cache_root if cache_root is not None else config.cache_dir
    root = Path(where) if where else None
    folder = root / f"{data.task}-{_cache_key(data, config)}" if root is not None else None
    if folder is not None and (folder / "index.csv").exists() and (folder / "features.npy").exists():
        index = pd.read_csv(folder / "index.csv", keep_default_na=False, dtype={"noise_group": str, "group": str})
        return FeatureCache(features=np.load(folder / "features.npy", mmap_mode="r"), index=index, path=folder)

    sr = config.audio.sample_rate
    table = data.table
    noise_rows = table[table["category"] == "noise"] if "category" in table else table.iloc[:0]
    noise = _NoiseBank(clips=[], groups=[])
    for _, row in noise_rows.iterrows():
        a = load_audio(row["path"], config=config.audio, validate_audio=False)
        noise.clips.append(band_limit(a.samples, sample_rate=sr, cutoff_hz=config.audio.band_limit_hz))
        noise.groups.append(str(row["group"]))
    copies = _reason_copies(data.y, config=config) if data.task == "reason" else np.zeros(len(table), dtype=int)

    jobs = [_ClipJob(clip=i, path=row.path, rel_path=row.rel_path, y=int(row.y), category=str(row.category),
                     group=str(row.group), copies=int(copies[i]))
            for i, row in enumerate(table.itertuples(index=False))]
    # Training-only negatives get clip ids after the task's rows, so no fold ever scores them; fit() keeps
    # them out of a fold through their group.
    aux = train_only_rows(data, config=config)
    jobs += [_ClipJob(clip=len(table) + j, path=row.path, rel_path=row.rel_path, y=0, category=str(row.label),
                      group=str(row.group), copies=0, train_only=True)
             for j, row in enumerate(aux.itertuples(index=False))]

    feats: list[np.ndarray] = []
    rows: list[dict] = []
    # a few clips are not worth starting processes for
    workers = max(1, min(config.threads, os.cpu_count() or 1)) if len(jobs) >= 64 else 1
    progress = tqdm(total=len(jobs), desc=f"caching {data.task} windows", disable=not config.progress,
                    mininterval=2.0)
    for f, r in _map_in_processes(_featurise_clip, jobs, workers=workers, initializer=_init_cache_worker,
                                  initargs=(config, data.task, noise), chunksize=8):
        feats.append(f)
        rows += r
        progress.update()
    progress.close()
    feats = [f for f in feats if len(f)]
    if not aux.empty:
        kept = len({r["clip"] for r in rows if r["kind"] == "train_only"})
        logger.info("train-only negatives: kept %d of %d clips", kept, len(aux))
    features = np.concatenate(feats, axis=0)
    index = pd.DataFrame(rows)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "features.tmp.npy"
        np.save(tmp, features)
        index.to_csv(folder / "index.csv", index=False)
        os.replace(tmp, folder / "features.npy")
    return FeatureCache(features=features, index=index, path=folder)


# --------------------------------------------------------------------------- #
# Fitting
# --------------------------------------------------------------------------- #
# Training-only window kinds sampled as strata of their own (not as the clip's category).
_OWN_STRATUM = ("background", "laugh_like", "laugh_bout", "low_voice", "speech_high", "synth_laugh", "synth_cry",
                "synth_adult", "synth_burst", "synth_tone")


def _sampling_weights(index: pd.DataFrame, *, task: str, stratum_weights: dict | None = None) -> np.ndarray:
    """Each class gets the same total weight; within a class each stratum (category) does too."""
    w = np.zeros(len(index))
    for label, sub in index.groupby("y"):
        strata = sub["stratum"].unique()
        share = {s: float((stratum_weights or {}).get(s, 1.0)) for s in strata}
        total = sum(share.values())
        for s in strata:
            mask = (index["y"] == label) & (index["stratum"] == s)
            w[mask.to_numpy()] = share[s] / (total * mask.sum())
    return w / w.sum()


def training_rows(
    index: pd.DataFrame, *, train_clips: np.ndarray | None = None, exclude_groups: set[str] | None = None
) -> np.ndarray:
    """Cache rows a fold may train on.

    A window is kept when its clip is in ``train_clips`` (training-only negatives
    always are), unless it was mixed with noise from an excluded group or is a
    training-only negative recorded in one.

    Examples
    --------
    >>> idx = pd.DataFrame({"clip": [0, 1, 1, 9, 9], "kind": ["clean", "clean", "cry_aug", "train_only", "train_only"],
    ...                     "noise_group": ["", "", "n1", "", ""], "group": ["", "", "", "fam1", "fam2"]})
    >>> training_rows(idx, train_clips=np.array([1]), exclude_groups={"n1", "fam2"}).tolist()
    [1, 3]
    """
    train_only = (index["kind"] == "train_only").to_numpy()
    mask = (index["kind"] != "phone_eval").to_numpy().copy()  # evaluation-only windows
    if train_clips is not None:
        mask &= index["clip"].isin(set(np.asarray(train_clips).tolist())).to_numpy() | train_only
    if exclude_groups:
        mask &= ~index["noise_group"].astype(str).isin(exclude_groups).to_numpy()
        mask &= ~(train_only & index["group"].astype(str).isin(exclude_groups).to_numpy())
    return np.flatnonzero(mask)


class _WindowDataset:
    """Torch map-style dataset over cached features (float16 → float32), with optional SpecAugment masks."""

    def __init__(self, features: np.ndarray, labels: np.ndarray, order: np.ndarray, *,
                 masks: tuple[int, int, int, int] = (0, 0, 0, 0), seed: int = 0) -> None:
        self.features, self.labels, self.order = features, labels, order
        self.masks, self.seed = masks, seed

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int) -> dict:
        import torch

        j = int(self.order[i])
        x = np.array(self.features[j], dtype=np.float32)
        time_masks, time_width, freq_masks, freq_width = self.masks
        if (time_masks and time_width) or (freq_masks and freq_width):
            # SpecAugment (as in AST's recipe): zero (= the normalised mean) random time and mel-band stripes,
            # so no single stretch or band can carry the decision. Seeded per draw: reproducible.
            rng = np.random.default_rng([self.seed, i])
            for _ in range(time_masks):
                w = int(rng.integers(0, time_width + 1))
                t0 = int(rng.integers(0, max(1, x.shape[0] - w)))
                x[t0 : t0 + w] = 0.0
            for _ in range(freq_masks):
                w = int(rng.integers(0, freq_width + 1))
                f0 = int(rng.integers(0, max(1, x.shape[1] - w)))
                x[:, f0 : f0 + w] = 0.0
        return {"input_values": torch.from_numpy(x), "labels": int(self.labels[j])}


def fit(
    cache: FeatureCache,
    *,
    config: TrainConfig,
    train_clips: np.ndarray | None = None,
    exclude_groups: set[str] | None = None,
    seed: int | None = None,
    output_dir: str | os.PathLike | None = None,
) -> Any:
    """Train a fresh compact AST on the cached windows of ``train_clips`` with ``transformers.Trainer``.

    Parameters
    ----------
    cache : FeatureCache
    config : TrainConfig
    train_clips : np.ndarray, optional
        Rows of the task table to train on (default: all).
    exclude_groups : set of str, optional
        The test fold's groups: drop augmented windows mixed with noise from them
        and training-only negatives recorded in them.
    seed : int, optional
        Overrides ``config.seed`` (initialisation, sampling, dropout).
    output_dir : path, optional
        Trainer's scratch folder (a temporary one by default; nothing is saved there).

    Returns
    -------
    transformers.ASTForAudioClassification
        The trained model, in eval mode.

    Examples
    --------
    >>> model = fit(cache, config=for_task("detector"))  # doctest: +SKIP
    """
    import torch
    from transformers import Trainer, TrainingArguments
    from transformers.utils import logging as hf_logging

    seed = config.seed if seed is None else seed
    torch.set_num_threads(max(1, config.threads))
    index = cache.index
    rows = training_rows(index, train_clips=train_clips, exclude_groups=exclude_groups)
    if rows.size == 0:
        raise DataError("No training windows left for this fold.")
    weights = _sampling_weights(index.iloc[rows].reset_index(drop=True), task=config.task,
                                stratum_weights=config.stratum_weights)
    rng = np.random.default_rng(seed)
    order = rows[rng.choice(rows.size, size=config.samples_per_epoch * config.epochs, p=weights)]
    dataset = _WindowDataset(cache.features, index["y"].to_numpy(), order, seed=seed,
                             masks=(config.time_masks, config.time_mask_frames, config.freq_masks,
                                    config.freq_mask_bins))

    model = build_model(task=config.task, model_config=config.model, seed=seed)
    steps = int(np.ceil(len(dataset) / config.batch_size))
    with tempfile.TemporaryDirectory(prefix="babycry-trainer-") as scratch:
        args = TrainingArguments(
            output_dir=str(output_dir or scratch),
            per_device_train_batch_size=config.batch_size,
            num_train_epochs=1,  # the sampled order already holds `epochs` class-balanced passes
            learning_rate=config.learning_rate,
            weight_decay=config.weight_decay,
            warmup_steps=int(config.warmup_fraction * steps),
            lr_scheduler_type="cosine",
            label_smoothing_factor=config.label_smoothing,
            save_strategy="no",
            eval_strategy="no",
            report_to="none",
            logging_strategy="steps" if config.progress else "no",
            logging_steps=max(1, steps // 10),
            disable_tqdm=not config.progress,
            seed=seed,
            data_seed=seed,
            dataloader_num_workers=0,
            use_cpu=not torch.cuda.is_available(),
            remove_unused_columns=False,
        )
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            trainer = Trainer(model=model, args=args, train_dataset=dataset)
            if not config.progress:  # PrinterCallback would still print the final summary dict
                from transformers.trainer_callback import PrinterCallback

                trainer.remove_callback(PrinterCallback)
            trainer.train()
        finally:
            hf_logging.set_verbosity(verbosity)
    model.eval()
    return model.cpu()


def clip_logits(
    model: Any, cache: FeatureCache, clips: np.ndarray, *, batch_size: int = 256, kind: str = "clean"
) -> np.ndarray:
    """Aggregated (mean over clean windows) logits of clips, as :meth:`CryModel.predict` computes them.

    ``kind="phone_eval"`` scores the clips' phone-codec windows instead; clips without any get NaN rows.

    Examples
    --------
    >>> clip_logits(model, cache, np.arange(10))  # doctest: +SKIP
    """
    import torch

    index = cache.index
    clean = index[(index["kind"] == kind) & index["clip"].isin(set(np.asarray(clips).tolist()))]
    rows = clean.index.to_numpy()
    if rows.size == 0:
        return np.full((len(clips), model.config.num_labels), np.nan)
    out = []
    with torch.inference_mode():
        for i in range(0, rows.size, batch_size):
            x = torch.as_tensor(np.asarray(cache.features[rows[i : i + batch_size]], dtype=np.float32))
            out.append(model(input_values=x).logits.float().numpy())
    logits = np.concatenate(out).astype(np.float64)
    frame = pd.DataFrame(logits)
    frame["clip"] = clean["clip"].to_numpy()
    agg = frame.groupby("clip").mean()
    return agg.reindex(np.asarray(clips)).to_numpy()


@dataclass
class CVResult:
    """Out-of-fold predictions of a cross-validation.

    Attributes
    ----------
    split : str
        ``"grouped"`` or ``"random"`` (leaky).
    logits : np.ndarray
        ``(n_seeds, n_clips, n_labels)`` uncalibrated OOF clip logits.
    folds : list
        Per seed, the list of ``(train, test)`` index arrays.
    seconds : float
        Wall time.
    phone_logits : np.ndarray or None
        Like ``logits``, on the clips' phone-codec windows (``TrainConfig.phone_eval``); NaN for clips
        without any (speech).
    """

    split: str
    logits: np.ndarray
    folds: list
    seconds: float
    phone_logits: np.ndarray | None = None


def cross_validate(
    data: TaskData, cache: FeatureCache, *, config: TrainConfig, folds: int = 5, seeds: int = 3, split: str = "grouped"
) -> CVResult:
    """Pooled out-of-fold logits from ``folds``-fold CV repeated over ``seeds`` seeds.

    Parameters
    ----------
    data : TaskData
    cache : FeatureCache
    config : TrainConfig
    folds, seeds : int
    split : {"grouped", "random"}
        ``"grouped"``: StratifiedGroupKFold on ``group``; ``"random"``: ungrouped (leaky).

    Returns
    -------
    CVResult

    Examples
    --------
    >>> cross_validate(data, cache, config=for_task("reason"), folds=5, seeds=3)  # doctest: +SKIP
    """
    if split not in ("grouped", "random"):
        raise InvalidParameterError(f"split must be 'grouped' or 'random', got {split!r}.")
    if seeds < 1:
        raise InvalidParameterError(f"seeds must be at least 1, got {seeds}.")
    t0 = time.time()
    y, groups = data.y, data.groups
    n_labels = len(data.labels)
    all_logits = np.zeros((seeds, len(data), n_labels))
    phone_eval = bool((cache.index["kind"] == "phone_eval").any())
    all_phone = np.full((seeds, len(data), n_labels), np.nan) if phone_eval else None
    all_folds = []
    jobs = []
    for s in range(seeds):
        seed = config.seed + s
        fold_list = grouped_folds(y, groups, n_splits=folds, seed=seed) if split == "grouped" else random_folds(
            y, n_splits=folds, seed=seed)
        all_folds.append(fold_list)
        for k, (tr, te) in enumerate(fold_list):
            test_groups = set(groups[te].tolist()) if split == "grouped" else None
            jobs.append(_FoldJob(seed_index=s, fold=k, seed=seed * 100 + k, train=tr, test=te,
                                 exclude_groups=test_groups))
    # Small transformers train faster as one single-threaded fit per core than as one fit on all cores;
    # each fold's seed fixes its result, however the folds are spread over processes.
    workers = max(1, min(config.threads, os.cpu_count() or 1, len(jobs)))
    results = _map_in_processes(_run_fold, jobs, workers=workers, initializer=_init_fold_worker,
                                initargs=(cache, config))
    for n, (job, (logits, phone)) in enumerate(zip(jobs, results, strict=True)):
        all_logits[job.seed_index, job.test] = logits
        if all_phone is not None:
            all_phone[job.seed_index, job.test] = phone
        if config.progress:
            print(f"[cv {data.task} {split}] {n + 1}/{len(jobs)} folds done", file=sys.stderr)
    return CVResult(split=split, logits=all_logits, folds=all_folds, seconds=time.time() - t0,
                    phone_logits=all_phone)


@dataclass(frozen=True)
class _FoldJob:
    seed_index: int
    fold: int
    seed: int
    train: np.ndarray
    test: np.ndarray
    exclude_groups: set | None


def _init_fold_worker(cache: FeatureCache, config: TrainConfig) -> None:
    # in a worker process: one torch thread (the processes are the parallelism), no progress bars
    threads = 1 if _in_worker_process() else config.threads
    _WORKER.update(cache=cache, config=config.replace(threads=threads,
                                                      progress=config.progress and not _in_worker_process()))


def _run_fold(job: _FoldJob) -> tuple[np.ndarray, np.ndarray]:
    """Fit one fold and return its test clips' logits, clean and through a phone codec (NaN without those)."""
    cache, config = _WORKER["cache"], _WORKER["config"]
    model = fit(cache, config=config, train_clips=job.train, seed=job.seed, exclude_groups=job.exclude_groups)
    return clip_logits(model, cache, job.test), clip_logits(model, cache, job.test, kind="phone_eval")


# --------------------------------------------------------------------------- #
# The full training command
# --------------------------------------------------------------------------- #
def cry_band_from_oof(
    logits: np.ndarray, y: np.ndarray, *, temperature: float, config: TrainConfig
) -> dict[str, float]:
    """The detector's "unsure" band from pooled out-of-fold logits (:func:`babycry.calibration.choose_cry_band`)."""
    from .calibration import apply_calibration, choose_cry_band

    return choose_cry_band(apply_calibration(logits, temperature=temperature)[:, 1], y,
                           max_dismissed=config.cry_band_max_dismissed, min_confident=config.cry_band_min_confident)


def library_versions() -> dict[str, str]:
    """Versions of the libraries a checkpoint depends on.

    Examples
    --------
    >>> "torch" in library_versions()
    True
    """
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("babycry", "torch", "transformers", "accelerate", "numpy", "scikit-learn", "audiomentations",
                 "soundfile", "soxr", "scipy"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def train(
    data: TaskData,
    out_dir: str | os.PathLike,
    *,
    config: TrainConfig,
    command: str = "",
    cv: bool = True,
) -> dict[str, Any]:
    """Train a checkpoint: grouped CV (metrics + calibration), leaky random-split CV, final fit, save.

    Writes ``config.json``, ``model.safetensors``, ``preprocessor_config.json``,
    ``calibration.json``, ``metrics.json``, ``training.json`` and the model card
    ``README.md`` into ``out_dir``.

    Parameters
    ----------
    data : TaskData
        The task's clips (``data.task`` must equal ``config.task``).
    out_dir : path
        Checkpoint folder (created).
    config : TrainConfig
    command : str
        The command line, recorded in ``training.json`` and the card.
    cv : bool
        Run the cross-validations (off only for quick smoke runs: no calibration then).

    Returns
    -------
    dict
        The ``metrics.json`` content.

    Examples
    --------
    >>> train(load_task("../shared/data", task="detector"), "out", config=for_task("detector"))  # doctest: +SKIP
    """
    from .calibration import (
        Calibration,
        apply_calibration,
        choose_unsure_threshold,
        fit_temperature,
        fit_temperature_and_bias,
        save_calibration,
    )
    from .evaluation.card import write_model_card
    from .evaluation.report import cv_report

    if data.task != config.task:
        raise InvalidParameterError(f"The data are selected for {data.task!r} but the config trains {config.task!r}.")
    t0 = time.time()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = build_cache(data, config=config)
    metrics: dict[str, Any] = {"task": data.task, "labels": list(data.labels)}
    calibration = Calibration(temperature=1.0, fitted_on="none (trained without cross-validation)")
    if cv:
        grouped = cross_validate(data, cache, config=config, folds=config.cv_folds, seeds=config.cv_seeds)
        pooled_logits = grouped.logits.reshape(-1, len(data.labels))
        pooled_y = np.tile(data.y, grouped.logits.shape[0])
        if config.calibrate_bias:
            temperature, bias = fit_temperature_and_bias(pooled_logits, pooled_y)
        else:
            temperature, bias = fit_temperature(pooled_logits, pooled_y), None
        unsure = None
        band = cry_band_from_oof(pooled_logits, pooled_y, temperature=temperature, config=config) \
            if data.task == "detector" else None
        if data.task == "reason":
            # abstain on the prior-corrected probabilities the decision is made on
            unsure = choose_unsure_threshold(apply_calibration(pooled_logits, temperature=temperature),
                                             pooled_y, min_coverage=config.min_coverage)
        calibration = Calibration(
            temperature=round(temperature, 6),
            bias=tuple(round(float(v), 6) for v in bias) if bias is not None else None,
            method="temperature + per-class bias (minimum log-loss)" if bias is not None
            else "temperature scaling (minimum log-loss)",
            unsure_threshold=float(unsure["threshold"]) if unsure else 0.0,
            fitted_on=f"pooled grouped out-of-fold logits ({config.cv_folds} folds x {config.cv_seeds} seeds)",
            n_predictions=int(pooled_y.size),
            coverage=unsure["coverage"] if unsure else None,
            answered_balanced_accuracy=unsure["answered_balanced_accuracy"] if unsure else None,
            cry_band=(band["low"], band["high"]) if band else None,
        )
        metrics["grouped"] = cv_report(data, grouped, temperature=temperature, fit_bias=config.calibrate_bias,
                                       unsure_threshold=calibration.unsure_threshold, cry_band=calibration.cry_band,
                                       n_boot=config.bootstrap)
        if "unsure" in metrics["grouped"]:
            # store the cross-fitted coverage and answered accuracy (the card's), not the in-sample ones
            # the threshold was chosen on
            u = metrics["grouped"]["unsure"]
            calibration = dataclasses.replace(calibration, coverage=u["coverage"],
                                              answered_balanced_accuracy=u["answered_balanced_accuracy"])
        oof = {"grouped_logits": grouped.logits, "y": data.y, "groups": data.groups.astype(str),
               "paths": data.table["rel_path"].to_numpy().astype(str)}
        if grouped.phone_logits is not None:
            oof["grouped_phone_logits"] = grouped.phone_logits  # NaN for clips without coded windows (speech)
        if config.random_split_seeds > 0:
            leaky = cross_validate(data, cache, config=config, folds=config.cv_folds, seeds=config.random_split_seeds,
                                   split="random")
            metrics["random"] = cv_report(data, leaky, n_boot=config.bootstrap, fit_bias=config.calibrate_bias,
                                          temperature=fit_temperature(
                leaky.logits.reshape(-1, len(data.labels)), np.tile(data.y, leaky.logits.shape[0])))
            oof["random_logits"] = leaky.logits
        # the pooled out-of-fold logits behind metrics.json and calibration.json, for re-analysis
        np.savez_compressed(out / "cv_predictions.npz", **oof)
    model = fit(cache, config=config)
    model.save_pretrained(out)
    build_feature_extractor(model_config=config.model).save_pretrained(out)
    save_calibration(calibration, out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    training = {
        "command": command,
        "config": config.to_dict(),
        "data": {"root": str(data.root), "manifest_sha256": data.manifest_hash, "n_clips": len(data),
                 "n_groups": int(len(set(data.groups.tolist()))),
                 "class_counts": {name: int((data.y == i).sum()) for i, name in enumerate(data.labels)},
                 "train_only_clips": int(len(train_only_rows(data, config=config))),
                 "train_only_clips_kept": int(cache.index.loc[cache.index["kind"] == "train_only", "clip"].nunique())},
        "cache_windows": int(len(cache.index)),
        "libraries": library_versions(),
        "wall_time_s": round(time.time() - t0, 1),
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / "training.json").write_text(json.dumps(training, indent=2) + "\n")
    write_model_card(out, metrics=metrics, training=training, calibration=dataclasses.asdict(calibration))
    return metrics
