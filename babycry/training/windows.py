"""The training windows of one clip beyond its clean ones: every one built from :mod:`babycry.augment`.

Each function takes the clip's band-limited samples, the clip's generator
(seeded by recipe seed and clip, so a cache is the same however many processes
build it) and returns ``(segment, label, kind, noise_group)`` items: ``kind``
names how the window was made (its own sampling stratum for the hard-negative
kinds), ``noise_group`` the recordings its background noise and talking came
from (``|``-joined), so a fold never trains on a sound of a recording it is
tested on.  The transforms
backed by audiomentations draw from the global generators, which the cache
builder seeds per clip as well.
"""

from __future__ import annotations

import numpy as np

from .. import augment
from ..augment import NoiseBank, VoiceBank, random_crop
from .recipes import DetectorAugment, ReasonAugment, Use

__all__ = ["Item", "OWN_STRATUM", "detector_windows", "channel_windows", "reason_windows", "choose_phone_coded",
           "cry_voicing"]

#: (segment, label, kind, noise group)
Item = tuple[np.ndarray, int, str, str]

#: Window kinds sampled as strata of their own (not as the clip's category).
OWN_STRATUM = ("laugh_like", "low_voice", "speech_high", "synth_laugh", "synth_cry", "synth_adult", "synth_burst",
               "synth_tone")


def _chosen(use: Use, rng: np.random.Generator) -> bool:
    # a transform applied always draws no number for the decision (the recipes' draws stay in step)
    return use.p >= 1.0 or rng.random() < use.p


def _apply(use: Use, x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, **options) -> np.ndarray:
    transform = augment.get(use.name).transform(ranges=use.ranges, sample_rate=sample_rate, rng=rng, **options)
    return np.asarray(transform(x, sample_rate=sample_rate), dtype=np.float32)


def _voice(x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, pitch: Use | None,
           stretch: Use | None) -> np.ndarray:
    """Pitch shift and/or time stretch, each if chosen (decided pitch first; applied stretch first)."""
    do_pitch = pitch is not None and _chosen(pitch, rng)
    do_stretch = stretch is not None and _chosen(stretch, rng)
    if do_stretch:
        x = _apply(stretch, x, rng, sample_rate=sample_rate, keep_length=False)
    if do_pitch:
        x = _apply(pitch, x, rng, sample_rate=sample_rate)
    return x


def _mixed(use: Use, x: np.ndarray, rng: np.random.Generator, *, sample_rate: int, group: str = "",
           **bank: NoiseBank | VoiceBank | None) -> tuple[np.ndarray, str]:
    """Background noise (``noise=``) or talking (``voices=``) if chosen, and the recordings mixed in so far:
    ``group`` joined with the one drawn."""
    if not _chosen(use, rng):
        return x, group
    transform = augment.get(use.name).transform(ranges=use.ranges, sample_rate=sample_rate, rng=rng, **bank)
    out = transform(x, sample_rate=sample_rate)
    return out, "|".join(g for g in (group, transform.parameters["noise_group"]) if g)


def detector_windows(x: np.ndarray, category: str, rng: np.random.Generator, noise: NoiseBank, *,
                     recipe: DetectorAugment, sample_rate: int, window_s: float,
                     voices: VoiceBank | None = None) -> list[Item]:
    """Augmented windows and hard negatives of one detector clip of ``category`` (``voices``: the talking mixed
    over cries and other not-cries; without it, a synthetic voice)."""
    sr, r = sample_rate, recipe
    items: list[Item] = []
    if category == "cry":
        for _ in range(r.cry_copies):
            seg = random_crop(x, rng, sample_rate=sr, window_s=window_s * 1.1)
            seg = _voice(seg, rng, sample_rate=sr, pitch=r.cry_pitch, stretch=r.cry_stretch)
            if _chosen(r.cry_filter, rng):
                seg = _apply(r.cry_filter, seg, rng, sample_rate=sr)
            seg, g = _mixed(r.cry_noise, seg, rng, noise=noise, sample_rate=sr)
            seg, g = _mixed(r.cry_talk, seg, rng, voices=voices, group=g, sample_rate=sr)
            items.append((seg, 1, "cry_aug", g))
        for j in range(r.hard_negatives_per_cry):
            if j % 3 != 2:
                seg = _apply(r.burst, x, rng, sample_rate=sr, max_seconds=window_s)
                seg = _voice(seg, rng, sample_rate=sr, pitch=r.burst_pitch, stretch=None)
                kind = "laugh_like"
            else:
                seg = random_crop(x, rng, sample_rate=sr, window_s=window_s * 0.6, p_short=0.3)
                seg = _voice(seg, rng, sample_rate=sr, pitch=r.low_voice_pitch, stretch=r.low_voice_stretch)
                kind = "low_voice"
            seg, g = _mixed(r.proxy_noise, seg, rng, noise=noise, sample_rate=sr)
            items.append((seg, 0, kind, g))
        items += _synthetic_windows(rng, noise, recipe=r, sample_rate=sr, window_s=window_s)
    elif category == "speech":
        for _ in range(r.speech_copies):
            seg = _voice(x, rng, sample_rate=sr, pitch=r.speech_pitch, stretch=r.speech_stretch)
            if rng.random() < 0.5:  # a few repeats with gaps: sustained voicing without a cry
                gap = np.zeros(int(rng.uniform(0.05, 0.3) * sr), np.float32)
                seg = np.concatenate([seg, gap] * int(rng.integers(2, 5)))
            seg, g = _mixed(r.speech_noise, seg, rng, noise=noise, sample_rate=sr)
            items.append((seg, 0, "speech_high", g))
    else:
        for _ in range(r.negative_copies):
            seg = random_crop(x, rng, sample_rate=sr, window_s=window_s)
            if _chosen(r.negative_filter, rng):
                seg = _apply(r.negative_filter, seg, rng, sample_rate=sr)
            seg, g = _mixed(r.negative_noise, seg, rng, noise=noise, sample_rate=sr)
            seg, g = _mixed(r.negative_talk, seg, rng, voices=voices, group=g, sample_rate=sr)
            items.append((seg, 0, f"{category}_aug", g))
    return items


def _synthetic_windows(rng: np.random.Generator, noise: NoiseBank, *, recipe: DetectorAugment, sample_rate: int,
                       window_s: float) -> list[Item]:
    """Synthesised sounds made beside each cry (:mod:`babycry.synth`), each drawn from the clip's generator."""
    r, sr = recipe, sample_rate
    if not (r.synth_pairs_per_cry or r.synth_negatives_per_cry or r.synth_tones_per_cry):
        return []
    from ..synth import synth_bursts, synth_cry, synth_tones

    items: list[Item] = []
    for _ in range(r.synth_pairs_per_cry):
        # Same synthetic voice, two temporal/pitch patterns: a cry (sustained 0.6-1.5 s bursts at 330-600 Hz)
        # and laughter-like babble (80-350 ms bursts at 200-320 Hz). Only what differs can separate them.
        laugh = synth_cry(seconds=float(rng.uniform(1.5, window_s + 0.2)), sample_rate=sr,
                          f0_hz=float(rng.uniform(200, 320)), seed=int(rng.integers(1 << 30)),
                          f0_swing=float(rng.uniform(0.1, 0.4)), burst_seconds=(0.08, 0.35),
                          pause_seconds=(0.08, 0.3)).samples
        seg, g = _mixed(r.synth_negative_noise, laugh, rng, noise=noise, sample_rate=sr)
        items.append((seg, 0, "synth_laugh", g))
        crying = synth_cry(seconds=window_s + 0.2, sample_rate=sr, f0_hz=float(rng.uniform(330, 600)),
                           seed=int(rng.integers(1 << 30)), f0_swing=float(rng.uniform(0.1, 0.4))).samples
        seg, g = _mixed(r.synth_cry_noise, crying, rng, noise=noise, sample_rate=sr)
        items.append((seg, 1, "synth_cry", g))
    for _ in range(r.synth_negatives_per_cry):
        # Human sounds that are not infant cries: an adult voice (moaning, sobbing: F0 100-300 Hz and the
        # lower formants of a longer vocal tract) and cough/sneeze-like noise bursts.
        adult = synth_cry(seconds=float(rng.uniform(1.5, window_s + 0.2)), sample_rate=sr,
                          f0_hz=float(rng.uniform(100, 300)), seed=int(rng.integers(1 << 30)),
                          f0_swing=float(rng.uniform(0.05, 0.5)), tilt_db_per_octave=float(rng.uniform(-14, -6)),
                          formants_hz=(float(rng.uniform(450, 850)), float(rng.uniform(1000, 1900))),
                          formant_bandwidths_hz=(float(rng.uniform(80, 200)), float(rng.uniform(120, 300))),
                          burst_seconds=(0.3, 2.0), pause_seconds=(0.1, 0.8)).samples
        seg, g = _mixed(r.synth_negative_noise, adult, rng, noise=noise, sample_rate=sr)
        items.append((seg, 0, "synth_adult", g))
        bursts = synth_bursts(seconds=float(rng.uniform(1.0, window_s + 0.2)), sample_rate=sr,
                              seed=int(rng.integers(1 << 30)), voicing=float(rng.uniform(0.0, 0.5)))
        seg, g = _mixed(r.synth_negative_noise, bursts, rng, noise=noise, sample_rate=sr)
        items.append((seg, 0, "synth_burst", g))
    for _ in range(r.synth_tones_per_cry):
        # Machine tones pitched like a cry: whines, sirens, beeps, chirps, motors (the noise clips a detector
        # most often calls cries are whistles, alarms and sirens).
        tones = synth_tones(seconds=float(rng.uniform(1.0, window_s + 0.2)), sample_rate=sr,
                            seed=int(rng.integers(1 << 30)))
        seg, g = _mixed(r.synth_tone_noise, tones, rng, noise=noise, sample_rate=sr)
        items.append((seg, 0, "synth_tone", g))
    return items


def channel_windows(x: np.ndarray, category: str, label: int, rng: np.random.Generator, *, use: Use, copies: int,
                    kind: str, sample_rate: int, window_s: float) -> list[Item]:
    """Copies of one detector clip through a recording channel (a room's echo, an overloaded microphone), labelled
    as the clip, so the channel is no cue for either class (:attr:`DetectorAugment.channels`).

    Their kind, ``<category>_<kind>``, is their own (trained on as augmented windows are): a benchmark can leave them
    out exactly.
    """
    items: list[Item] = []
    for _ in range(copies):
        seg = _apply(use, x, rng, sample_rate=sample_rate) if _chosen(use, rng) else x
        items.append((random_crop(seg, rng, sample_rate=sample_rate, window_s=window_s), int(label),
                      f"{category}_{kind}", ""))
    return items


def choose_phone_coded(items: list[Item], x: np.ndarray, category: str, rng: np.random.Generator, *,
                       recipe: DetectorAugment, sample_rate: int,
                       window_s: float) -> tuple[list[Item], list[int], tuple[str, float | None] | None]:
    """Which of one clip's augmented windows (and its codec-only copies) go through a phone codec, and which one.

    One random codec per clip.  Returns the items with the codec-only copies appended, the indices of those to
    code and the codec and bitrate drawn (``None`` when none is coded); the caller codes them, a batch of clips
    in one ffmpeg run per codec (:class:`babycry.codec.CodecBatch`).  Speech is left alone: it is never mistaken
    for a cry, and its 2,500 clips would add minutes to every cache build.
    """
    use = recipe.phone_codec
    if use.p <= 0.0 or category == "speech":
        return items, [], None
    items = list(items)
    forced = set()
    if category != "cry":
        for _ in range(recipe.phone_copies_per_negative):
            forced.add(len(items))
            items.append((random_crop(x, rng, sample_rate=sample_rate, window_s=window_s), 0, f"{category}_phone",
                          ""))
    chosen = [i for i in range(len(items)) if i in forced or rng.random() < use.p]
    if not chosen:
        return items, [], None
    transform = augment.get(use.name).transform(ranges=use.ranges, sample_rate=sample_rate, rng=rng, codecs=None)
    return items, chosen, transform.draw()


def reason_windows(x: np.ndarray, label: int, n_copies: int, rng: np.random.Generator, noise: NoiseBank, *,
                   recipe: ReasonAugment, sample_rate: int, window_s: float) -> list[Item]:
    """``n_copies`` augmented windows of one labelled cry (pitch, stretch, background noise)."""
    items: list[Item] = []
    for _ in range(n_copies):
        seg = random_crop(x, rng, sample_rate=sample_rate, window_s=window_s * 1.1, p_short=0.0)
        seg = _voice(seg, rng, sample_rate=sample_rate, pitch=recipe.pitch, stretch=recipe.stretch)
        seg, g = _mixed(recipe.noise, seg, rng, noise=noise, sample_rate=sample_rate)
        items.append((seg, label, "reason_aug", g))
    return items


def cry_voicing(samples: np.ndarray, *, sample_rate: int) -> float:
    """Fraction of pYIN frames voiced at 250-800 Hz (an infant cry's F0) in up to 10 s of audio.

    Used to keep likely cries out of the unreviewed training-only negatives.

    Examples
    --------
    >>> from babycry.synth import synth_cry
    >>> cry_voicing(synth_cry(seconds=3.0, seed=1).samples, sample_rate=16000) > 0.4
    True
    """
    from ..pitch import f0_track

    track = f0_track(samples, sample_rate=sample_rate, max_seconds=10.0)
    f0 = track.f0_hz
    hit = track.voiced & np.isfinite(f0) & (f0 >= 250.0) & (f0 <= 800.0)
    return float(np.mean(hit)) if hit.size else 0.0
