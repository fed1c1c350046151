"""Model sub-commands: predict (one recording) and evaluate (a checkpoint on any manifest folder).

Every failure is a :class:`BabyCryError`, which :func:`babycry.cli.main` prints as one line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import DataError
from .common import data_default

__all__ = ["REGISTRARS"]


def _cmd_predict(args: argparse.Namespace) -> int:
    from ..analysis import analyse
    from ..audio import load
    from ..modeling import load_detector, load_reason

    audio = load(args.file)
    result = analyse(audio, detector=load_detector(args.detector), reason=load_reason(args.reason))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    # "probably": the detector's P(cry) lies in its unsure band, where it mixes up cries with laughter and noise
    probably = "probably " if result.cry_unsure else ""
    if result.is_cry:
        # The verdict is base-rate corrected, so it need not be the largest (calibrated) probability below.
        head = (f"{probably}cry (p={result.cry_probability:.2f}); sounds most like: {result.verdict} "
                "(allowing for how common each reason is)")
        head += " — UNSURE (the reason model is not confident)" if result.unsure else ""
    elif result.steady_sound:
        head = (f"not a cry: a steady sound (hum, fan, tone or hiss) whose level never rises and falls like "
                f"breathing (the detector alone: cry probability {result.cry_probability:.2f})")
    else:
        head = f"{probably}not a cry (cry probability {result.cry_probability:.2f})"
    if result.cry_unsure:
        head += "\n(the cry detector is unsure: cries and laughter or some household noises both score like this)"
    print(head)
    print("reasons: " + ", ".join(f"{k} {v:.2f}" for k, v in result.reasons.items())
          + " (calibrated probabilities; they include how common each reason is)")
    print(f"analysed {result.seconds_analysed:.1f} s" + (" (truncated)" if result.truncated else ""))
    for w in result.windows:
        print(f"  {w.start_s:6.1f}–{w.end_s:6.1f} s  cry {w.cry_probability:.2f}")
    return 0


def register_predict(sub: argparse._SubParsersAction) -> None:
    """Register ``babycry predict FILE [--json]``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="babycry")
    >>> register_predict(parser.add_subparsers(dest="command"))
    >>> parser.parse_args("predict x.wav --json".split()).command
    'predict'
    """
    from ..modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR

    p = sub.add_parser("predict", help="is it a cry, and which reason? (verdict, probabilities, unsure, timeline)")
    p.add_argument("file", metavar="FILE", help="audio file (WAV, FLAC, OGG, WebM, M4A, MP3, 3GP…)")
    p.add_argument("--json", action="store_true", help="print the /classify JSON")
    p.add_argument("--detector", default=str(DEFAULT_DETECTOR_DIR), help="detector folder or hub id")
    p.add_argument("--reason", default=str(DEFAULT_REASON_DIR), help="reason model folder or hub id")
    p.set_defaults(func=_cmd_predict)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ..evaluation.report import render_text as format_table
    from ..evaluation.report import write_json
    from ..evaluation.scoring import evaluate_checkpoint

    if not Path(args.data).exists():
        raise DataError(f"Data folder {args.data!r} does not exist.")
    report = evaluate_checkpoint(args.model, args.data, progress=not args.quiet)
    if args.json:
        write_json(report, args.json)
    print(format_table({"task": report["summary"]["task"], "split": f"evaluate on {args.data}", **report["summary"]}))
    return 0


def register_evaluate(sub: argparse._SubParsersAction) -> None:
    """Register ``babycry evaluate --model DIR --data DIR --json OUT``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="babycry")
    >>> register_evaluate(parser.add_subparsers(dest="command"))
    >>> parser.parse_args("evaluate --model DIR --data DIR --json OUT".split()).command
    'evaluate'
    """
    p = sub.add_parser("evaluate", help="score a saved checkpoint on every applicable clip of a folder")
    p.add_argument("--model", required=True, help="checkpoint folder or hub id")
    p.add_argument("--data", default=data_default(), help="folder with manifest.csv")
    p.add_argument("--json", metavar="OUT", help="write summary + one record per clip here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_evaluate)


#: predict first, evaluate after the training commands (see main._registrars)
REGISTRARS = [register_predict, register_evaluate]
