"""The ``babycry`` command line.

Each sub-command registers itself through a ``_register_*`` function listed in
``_REGISTRARS``; ``main`` turns every :class:`BabyCryError` into a one-line
message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import BabyCryError

__all__ = ["main", "build_parser"]

# Exit codes: 0 ok, 1 bad input / babycry error, 2 usage error (argparse's own).
EXIT_ERROR = 1


def _registrars() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Sub-command registrars, in the order ``--help`` lists them."""
    from .cli_models import REGISTRARS as model_registrars

    return [_register_info, _register_spectrogram, _register_augment, _register_synth, *model_registrars,
            _register_eda]


# --------------------------------------------------------------------------- #
# Library-core commands: info, spectrogram, augment, synth
# --------------------------------------------------------------------------- #
def _print_json(obj: object) -> None:
    print(json.dumps(obj, indent=2, allow_nan=False))


def _register_info(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="describe a recording: format, rate, channels, duration, loudness, F0")
    p.add_argument("file", help="audio file (WAV, FLAC, OGG, WebM, M4A, MP3, 3GP, ...)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=_cmd_info)


def _cmd_info(args: argparse.Namespace) -> int:
    from .audio import load
    from .config import AudioConfig
    from .features import clip_summary
    from .preprocess import band_limit

    config = AudioConfig()
    audio = load(args.file, config=config)
    # Summaries describe the analysed signal: the target rate, band-limited like every model input.
    limited = band_limit(audio.samples, sample_rate=audio.sample_rate, cutoff_hz=config.band_limit_hz)
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
        _print_json(info)
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
    from .audio import load
    from .config import AudioConfig, MelConfig
    from .features import log_mel
    from .plots import plot_spectrogram_mpl
    from .preprocess import band_limit

    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise BabyCryError(f"Cannot write {str(out)!r}: use a .png, .svg or .pdf file name.")
    if not out.parent.is_dir():
        raise BabyCryError(f"Cannot write {str(out)!r}: the folder {str(out.parent)!r} does not exist.")
    if out.is_dir():
        raise BabyCryError(f"Cannot write {str(out)!r}: it is a folder.")
    config = AudioConfig()
    audio = load(args.file, config=config)
    limited = band_limit(audio.samples, sample_rate=audio.sample_rate, cutoff_hz=config.band_limit_hz)
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
                   help="data folder whose negatives/noise joins the generated background noise "
                        "(default: BABYCRY_DATA or ../shared/data when present)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_augment, _parser=p)


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    from .errors import InvalidParameterError

    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidParameterError(f"--param expects NAME=VALUE (e.g. semitones=1), got {item!r}.")
        params[key.strip()] = value.strip()
    return params


def _cmd_augment(args: argparse.Namespace) -> int:
    from . import augment
    from .audio import load
    from .data import default_data_dir
    from .synth import write_wav

    if args.list:
        if args.json:
            _print_json(augment.describe())
            return 0
        for aug in augment.REGISTRY.values():
            print(f"{aug.name}: {aug.description}")
            for prm in aug.params:
                step = f", step {prm.step:g}" if prm.step else ""
                print(f"    {prm.name} [{prm.min:g} .. {prm.max:g}] {prm.unit}, default {prm.default:g}{step}: "
                      f"{prm.description}")
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
        _print_json({"output": str(args.output), "name": result.name, "seed": result.seed,
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
    from .synth import synth_cry, write_examples, write_wav

    if args.examples:
        for path in write_examples(args.examples, sample_rate=args.rate):
            print(f"wrote {path}")
        return 0
    cry = synth_cry(seconds=args.seconds, sample_rate=args.rate, f0_hz=args.f0, seed=args.seed)
    write_wav(args.output, cry.samples, sample_rate=cry.sample_rate)
    print(f"wrote {args.output} ({cry.duration_s:.2f} s at {cry.sample_rate} Hz, median F0 {cry.f0_median_hz:.0f} Hz)")
    return 0


# --------------------------------------------------------------------------- #
# Dataset research view: eda
# --------------------------------------------------------------------------- #
def _register_eda(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eda", help="per-class, family-weighted summary of a data folder (the app's Dataset tab)")
    p.add_argument("--data", default=None, help="folder with manifest.csv (default: BABYCRY_DATA or ../shared/data)")
    p.add_argument("--json", default=None, metavar="OUT", help="write the summary JSON here")
    p.add_argument("--max-per-class", type=int, default=60, help="clips analysed per class (default 60)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--labels", default=None, help="comma-separated labels (default: every reviewed label)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_eda)


def _cmd_eda(args: argparse.Namespace) -> int:
    from .data import default_data_dir
    from .eda import run_eda

    out = Path(args.json) if args.json else None
    if out is not None and out.is_dir():
        raise BabyCryError(f"Cannot write {str(out)!r}: it is a folder.")
    if out is not None and not out.parent.is_dir():
        raise BabyCryError(f"Cannot write {str(out)!r}: the folder {str(out.parent)!r} does not exist.")
    labels = [x.strip() for x in args.labels.split(",") if x.strip()] if args.labels else None
    result = run_eda(args.data if args.data is not None else str(default_data_dir()), labels=labels,
                     max_per_class=args.max_per_class, seed=args.seed, progress=not args.no_progress)
    if out is not None:
        result.save(out)
    print(f"{'label':<12} {'clips':>6} {'families':>8} {'analysed':>8}  {'F0 median (family-weighted, IQR)':<34}")
    for c in result.classes:
        f0 = c.stats["f0_median_hz"]
        f0_text = "n/a" if f0["median"] != f0["median"] else f"{f0['median']:.0f} Hz ({f0['q1']:.0f}-{f0['q3']:.0f})"
        print(f"{c.label:<12} {c.clips:>6} {c.families:>8} {c.clips_analysed:>8}  {f0_text}")
    if result.skipped:
        print(f"skipped {len(result.skipped)} undecodable clip(s), e.g. {result.skipped[0][0]}: {result.skipped[0][1]}")
    if out is not None:
        print(f"wrote {out} ({len(result.clips)} clips in {len(result.classes)} classes)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the ``babycry`` argument parser.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> build_parser().prog
    'babycry'
    """
    parser = argparse.ArgumentParser(
        prog="babycry",
        description="Listen to an infant's cry: is it a cry, and what might it mean?",
    )
    parser.add_argument("--version", action="version", version=f"babycry {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for register in _registrars():
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``babycry`` command; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 when babycry rejected the input, 2 on a usage error.

    Examples
    --------
    >>> main(["--version"])  # doctest: +SKIP
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BabyCryError as exc:
        print(f"babycry {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # e.g. an output path that cannot be written: still one line, no traceback
        print(f"babycry {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("babycry: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
