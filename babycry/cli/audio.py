"""Library-core sub-commands: info, spectrogram, augment, synth."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ..errors import BabyCryError
from .common import print_json

__all__ = ["REGISTRARS"]


def _register_info(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="describe a recording: format, rate, channels, duration, loudness, F0")
    p.add_argument("file", help="audio file (WAV, FLAC, OGG, WebM, M4A, MP3, 3GP, ...)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=_cmd_info)


def _cmd_info(args: argparse.Namespace) -> int:
    from ..audio import load
    from ..config import AudioConfig
    from ..features import clip_summary
    from ..preprocess import band_limit

    config = AudioConfig()
    audio = load(args.file, config=config)
    # Summaries describe the analysed signal: the target rate, band-limited like every model input.
    limited = band_limit(audio.samples, sample_rate=audio.sample_rate, config=config)
    summary = clip_summary(limited, sample_rate=audio.sample_rate, max_hz=config.band_limit_hz)
    info = {
        "file": str(args.file),
        "format": audio.source_format,
        "source_sample_rate": audio.source_sample_rate,
        "channels": audio.source_channels,
        "duration_s": round(audio.source_duration_s, 3),
        "truncated": audio.truncated,
        "analysis": summary.to_dict(),
    }
    if args.json:
        print_json(info)
        return 0
    a = info["analysis"]

    def _fmt(value: object, unit: str) -> str:
        return "n/a" if value is None else f"{value:.1f} {unit}" if isinstance(value, float) else f"{value} {unit}"

    lines = [
        ("file", info["file"]),
        ("format", info["format"]),
        ("sample rate", f"{audio.source_sample_rate} Hz (analysed at {audio.sample_rate} Hz)"),
        ("channels", str(audio.source_channels)),
        ("duration", f"{audio.source_duration_s:.2f} s"
         + (f" (first {audio.duration_s:.0f} s analysed)" if audio.truncated else "")),
        ("RMS level", _fmt(a["rms_dbfs"], "dBFS")),
        ("peak level", _fmt(a["peak_dbfs"], "dBFS")),
        ("dominant frequency", _fmt(a["dominant_hz"], "Hz")),
        ("F0 median", _fmt(a["f0_median_hz"], "Hz")),
        ("voiced fraction", f"{a['voiced_fraction']:.2f}"),
        ("harmonics", f"{a['n_harmonics']} (below {config.band_limit_hz:.0f} Hz)"),
    ]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key:<{width}}  {value}")
    return 0


def _register_spectrogram(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spectrogram", help="save the log-mel spectrogram of a recording as an image")
    p.add_argument("file", help="audio file")
    p.add_argument("-o", "--output", required=True, help="image file (.png, .svg or .pdf)")
    p.add_argument("--title", default=None, help="figure title (default: the file name)")
    p.set_defaults(func=_cmd_spectrogram)


def _cmd_spectrogram(args: argparse.Namespace) -> int:
    from ..audio import load
    from ..config import AudioConfig, MelConfig
    from ..features import log_mel
    from ..plots import plot_spectrogram_mpl
    from ..preprocess import band_limit

    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise BabyCryError(f"Cannot write {str(out)!r}: use a .png, .svg or .pdf file name.")
    if not out.parent.is_dir():
        raise BabyCryError(f"Cannot write {str(out)!r}: the folder {str(out.parent)!r} does not exist.")
    if out.is_dir():
        raise BabyCryError(f"Cannot write {str(out)!r}: it is a folder.")
    config = AudioConfig()
    audio = load(args.file, config=config)
    limited = band_limit(audio.samples, sample_rate=audio.sample_rate, config=config)
    spec = log_mel(limited, sample_rate=audio.sample_rate, config=MelConfig())
    ax = plot_spectrogram_mpl(spec, title=args.title if args.title is not None else Path(args.file).name)
    try:
        ax.figure.savefig(out)
    except (OSError, ValueError) as exc:
        raise BabyCryError(f"Cannot write {str(out)!r}: {exc}") from exc
    print(f"wrote {out} ({spec.values.shape[1]} frames x {spec.values.shape[0]} mel bands, {audio.duration_s:.2f} s)")
    return 0


def _register_augment(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("augment", help="apply a named augmentation (or --list them)")
    p.add_argument("file", nargs="?", help="audio file")
    p.add_argument("--list", action="store_true", help="list the augmentations and their parameters")
    p.add_argument("--name", help="augmentation name (see --list)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="fixed parameter value, repeatable (others take their defaults)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("-o", "--output", help="output audio file (.wav, .flac or .ogg)")
    p.add_argument("--data", default=None,
                   help="data folder whose recorded noise clips join the generated background noise, as in "
                        "training (default: BABYCRY_DATA or ../shared/data when present)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_augment, _parser=p)


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    from ..errors import InvalidParameterError

    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidParameterError(f"--param expects NAME=VALUE (e.g. semitones=1), got {item!r}.")
        params[key.strip()] = value.strip()
    return params


def _training_uses() -> dict[str, list[dict[str, str]]]:
    """For each augmentation, how the bundled recipes apply it (read from the recipes, not restated)."""
    from ..training.recipes import recipe_for

    out: dict[str, list[dict[str, str]]] = {}
    for task in ("detector", "reason"):
        for use in recipe_for(task).augmentation_uses():
            ranges = ", ".join(f"{k} {lo:g} to {hi:g}" for k, (lo, hi) in use["ranges"].items())
            text = f"{use['applies_to']}, p={use['p']:g}" + (f", {ranges}" if ranges else "")
            out.setdefault(use["name"], []).append({"task": task, "text": text})
    return out


def _cmd_augment(args: argparse.Namespace) -> int:
    from .. import augment
    from ..audio import load
    from ..data import default_data_dir
    from ..synth import write_wav

    if args.list:
        uses = _training_uses()
        if args.json:
            print_json([{**spec, "training": uses.get(spec["name"], [])} for spec in augment.describe()])
            return 0
        for aug in augment.REGISTRY.values():
            print(f"{aug.name}: {aug.description}")
            for prm in aug.params:
                step = f", step {prm.step:g}" if prm.step else ""
                print(f"    {prm.name} [{prm.min:g} .. {prm.max:g}] {prm.unit}, default {prm.default:g}{step}: "
                      f"{prm.description}")
            for use in uses.get(aug.name, []) or [{"task": "", "text": "not used by the bundled recipes"}]:
                print(f"    training: {use['task']}{': ' if use['task'] else ''}{use['text']}")
        return 0
    missing = [flag for flag, value in (("FILE", args.file), ("--name", args.name), ("-o", args.output)) if not value]
    if missing:
        args._parser.error(f"augment needs {', '.join(missing)} (or --list)")
    aug = augment.get(args.name)
    params = _parse_params(args.param)
    aug.resolve(params)  # bad names/values fail before the audio is decoded
    audio = load(args.file)
    data_dir = args.data if args.data is not None else str(default_data_dir())
    result = augment.apply(audio.samples, sample_rate=audio.sample_rate, name=aug.name, params=params,
                           seed=args.seed, data_dir=data_dir if Path(data_dir).is_dir() else None)
    write_wav(args.output, result.samples, sample_rate=result.sample_rate)
    if args.json:
        print_json({"output": str(args.output), "name": result.name, "seed": result.seed,
                     "params_used": result.params_used})
    else:
        used = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in result.params_used.items())
        print(f"{result.name} (seed {result.seed}): {used}")
        print(f"wrote {args.output} ({result.samples.size / result.sample_rate:.2f} s at {result.sample_rate} Hz)")
    return 0


def _register_synth(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="synthesise an infant cry (or --examples: the bundled example files)")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("-o", "--output", help="output audio file (.wav, .flac or .ogg)")
    target.add_argument("--examples", metavar="DIR", help="(re)write the bundled examples into DIR")
    p.add_argument("--seconds", type=float, default=7.0, help="length in seconds (default 7)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--f0", type=float, default=450.0, help="centre F0 in Hz (default 450)")
    p.add_argument("--rate", type=int, default=16_000, help="sample rate in Hz (default 16000)")
    p.set_defaults(func=_cmd_synth)


def _cmd_synth(args: argparse.Namespace) -> int:
    from ..synth import synth_cry, write_examples, write_wav

    if args.examples:
        for path in write_examples(args.examples, sample_rate=args.rate):
            print(f"wrote {path}")
        return 0
    cry = synth_cry(seconds=args.seconds, sample_rate=args.rate, f0_hz=args.f0, seed=args.seed)
    write_wav(args.output, cry.samples, sample_rate=cry.sample_rate)
    print(f"wrote {args.output} ({cry.duration_s:.2f} s at {cry.sample_rate} Hz, median F0 {cry.f0_median_hz:.0f} Hz)")
    return 0


REGISTRARS = [_register_info, _register_spectrogram, _register_augment, _register_synth]
