"""Steady household background with no one in it: does the detector call it a cry?

Scores a detector checkpoint (default: the bundled one) on synthesised background sounds that a real home
holds for minutes: white, pink and brown noise (fans, air, water), mains hum at 50 and 60 Hz, a fan's low
harmonic drone over rumble, and an electric whine (a steady 300-900 Hz tone with hiss). Ten 5 s recordings
of each, made here from their own seeds (not the generator that training mixes into cries). It prints the
mean calibrated P(cry) and the share called a cry, by the detector alone and as the app answers (with
``babycry.analysis``'s steady-sound rule: no window's level moves by 3 dB). With ``--data``, it also counts
the clips of the data folder that the rule calls steady, per source and label (none may be a labelled cry).

``--fit-set KEY=VALUE`` (repeatable) also trains the bundled configuration with those overrides on every
clip of ``--data`` (one fit, seed 0, uncalibrated) and scores it beside the bundled configuration fitted the
same way, e.g. ``--fit-set augment.cry_noise.p=0.9``. About 10 s without a fit; about 2 minutes per
fit with a warm window cache (``artifacts/cache``), 10-20 without.

    python benchmarks/detector_backgrounds.py [--model DIR] [--data DIR --fit-set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from babycry.analysis import is_steady_sound
from babycry.audio import from_array
from babycry.audio import load as load_audio
from babycry.calibration import softmax
from babycry.cli.common import parse_set_overrides
from babycry.config import AudioConfig
from babycry.data import default_data_dir
from babycry.modeling import DEFAULT_DETECTOR_DIR, load_model

ROOT = Path(__file__).resolve().parents[1]
SR = AudioConfig().sample_rate
SECONDS = 5.0
PER_KIND = 10


def _shaped_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise whose power falls as 1/f**exponent (0 white, 1 pink, 2 brown)."""
    spectrum = np.fft.rfft(rng.normal(size=n))
    spectrum /= (np.arange(spectrum.size) + 1.0) ** (exponent / 2.0)
    return np.fft.irfft(spectrum, n=n)


def _harmonics(t: np.ndarray, f0: float, count: int, rng: np.random.Generator) -> np.ndarray:
    return sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 2 * np.pi))
               for k in range(1, count + 1))


def _kinds() -> dict[str, Callable[[np.random.Generator, np.ndarray], np.ndarray]]:
    return {
        "white noise": lambda rng, t: _shaped_noise(rng, t.size, 0.0),
        "pink noise": lambda rng, t: _shaped_noise(rng, t.size, 1.0),
        "brown noise": lambda rng, t: _shaped_noise(rng, t.size, 2.0),
        "hum 50 Hz": lambda rng, t: _harmonics(t, 50.0, 9, rng) + 0.02 * rng.normal(size=t.size),
        "hum 60 Hz": lambda rng, t: _harmonics(t, 60.0, 9, rng) + 0.02 * rng.normal(size=t.size),
        "fan": lambda rng, t: (_harmonics(t, rng.uniform(90, 140), 5, rng)
                               + rng.uniform(0.5, 2.0) * _shaped_noise(rng, t.size, 1.4) / 50.0),
        "electric whine": lambda rng, t: np.sin(2 * np.pi * rng.uniform(300, 900) * t) + 0.1 * rng.normal(size=t.size),
    }


def backgrounds() -> dict[str, list[np.ndarray]]:
    """``PER_KIND`` recordings of each kind, at -26 dBFS RMS (level does not matter: windows are normalised)."""
    t = np.arange(int(SECONDS * SR)) / SR
    out = {}
    for i, (name, make) in enumerate(_kinds().items()):
        clips = []
        for j in range(PER_KIND):
            x = make(np.random.default_rng([2026, i, j]), t)
            clips.append((0.05 * x / np.std(x)).astype(np.float32))
        out[name] = clips
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_DETECTOR_DIR))
    parser.add_argument("--data", default=None,
                        help="also count steady clips in this folder (the fits below use it too; default "
                             "$BABYCRY_DATA or ../shared/data)")
    parser.add_argument("--fit-set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    data_dir = args.data or str(default_data_dir())
    detector = load_model(args.model, task="detector")
    cry_id = detector.labels.index("cry")
    clips = backgrounds()

    def clip_logits() -> dict[str, np.ndarray]:
        """Uncalibrated clip logits of every recording, aggregated over windows as ``CryModel.predict`` does."""
        return {name: np.stack([detector.predict(x, sample_rate=SR).logits for x in xs]) for name, xs in clips.items()}

    rows = []
    calibrated = {k: detector.calibrate(v)[:, cry_id] for k, v in clip_logits().items()}
    rows.append(("checkpoint, calibrated", calibrated))
    steady = {name: np.array([is_steady_sound(from_array(x, SR)) for x in xs]) for name, xs in clips.items()}
    rows.append(("analyse (steady rule)", {k: np.where(steady[k], 0.0, p) for k, p in calibrated.items()}))
    if args.fit_set:
        from babycry.data import load_task
        from babycry.training.cache import build_cache
        from babycry.training.fit import fit
        from babycry.training.recipes import recipe_for

        data = load_task(data_dir, task="detector")
        base = recipe_for("detector").replace(progress=False)
        for label, config in (("bundled config, fit", base), ("with --fit-set, fit", base.replace(
                **parse_set_overrides(args.fit_set)))):
            cache = build_cache(data, recipe=config, cache_root=ROOT / "artifacts" / "cache")
            model = fit(cache, recipe=config)
            detector.model = model  # same extractor; only the network changes
            rows.append((label, {k: softmax(v, axis=-1)[:, cry_id] for k, v in clip_logits().items()}))

    print(f"P(cry) on steady background, {PER_KIND} x {SECONDS:.0f} s each: mean (share called a cry)")
    print(f"{'':<16}" + "".join(f"{label:>26}" for label, _ in rows))
    for name in clips:
        print(f"{name:<16}" + "".join(f"{p[name].mean():>17.2f} ({(p[name] > 0.5).mean():4.0%})" for _, p in rows))
    print("(analyse: a recording the steady-sound rule calls steady counts as P(cry) 0, not a cry)")
    if args.fit_set:
        print("--fit-set:", " ".join(args.fit_set))
    if args.data:
        import pandas as pd

        manifest = pd.read_csv(Path(args.data) / "manifest.csv", dtype=str, keep_default_na=False)
        manifest["steady"] = [is_steady_sound(load_audio(Path(args.data) / p, validate_audio=False))
                              for p in manifest["path"]]
        table = manifest.groupby(["source", "label", "is_cry"])["steady"].agg(["sum", "count"])
        print(f"\nclips the steady-sound rule calls steady, in {args.data}:")
        print(table.rename(columns={"sum": "steady", "count": "clips"}).to_string())


if __name__ == "__main__":
    main()
