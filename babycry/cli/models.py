"""Model sub-commands: predict (one recording) and evaluate (a checkpoint on any manifest folder).

Every failure is a :class:`BabyCryError`, which :func:`babycry.cli.main` prints as one line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import DataError
from .common import data_default

__all__ = ["REGISTRARS"]


def _predict_text(result: Any) -> str:
    """The answer in the order a parent needs it: cry or not and how sure, the sound, then the reasons.

    The reasons come last and, while the reason model's grouped interval includes chance, as an experiment
    (the same rule as the app).
    """
    # "probably": the detector's P(cry) lies in its unsure band, where it mixes up cries with laughter and noise
    probably = "probably " if result.cry_unsure else ""
    if result.steady_sound:
        lines = [f"not a cry: a steady sound (hum, fan, tone or hiss) whose level never rises and falls like "
                 f"breathing (the detector alone: cry probability {result.cry_probability:.2f})"]
    else:
        said = "a cry" if result.is_cry else "not a cry"
        lines = [f"{probably}{said} (cry probability {result.cry_probability:.2f})"]
    if result.cry_unsure:
        lines.append("(the cry detector is unsure: cries and laughter or some household noises both score like this)")
    if result.sound is not None:
        s = result.sound
        lines.append(f"sound: {s.loudness} ({s.level_dbfs:.0f} dBFS), {s.sound_seconds:.1f} s of sound, {s.pattern}")
    quality = result.reason_quality or {}
    if result.is_cry:
        balanced = ", ".join(f"{k} {v:.2f}" for k, v in result.reasons_balanced.items())
        if quality.get("experimental", True):
            ba = quality.get("balanced_accuracy")
            lines.append("reasons (an experiment: across families the reason model does not yet tell reasons apart "
                         "better than guessing" + (f", balanced accuracy {ba:.2f} vs chance {quality['chance']:.2f}"
                                                   if ba is not None else "") + "):")
        else:
            lines.append(f"reason: sounds most like {result.verdict}" + (" (unsure)" if result.unsure else ""))
        lines.append(f"  as if every reason were equally common: {balanced}")
        lines.append("  calibrated probabilities (they include how common each reason is): "
                     + ", ".join(f"{k} {v:.2f}" for k, v in result.reasons.items()))
    lines.append(f"analysed {result.seconds_analysed:.1f} s" + (" (truncated)" if result.truncated else ""))
    lines.extend(f"  {w.start_s:6.1f}–{w.end_s:6.1f} s  cry {w.cry_probability:.2f}" for w in result.windows)
    return "\n".join(lines)


def _cmd_predict(args: argparse.Namespace) -> int:
    from ..analysis import analyse
    from ..audio import load
    from ..modeling import load_detector, load_reason

    audio = load(args.file)
    result = analyse(audio, detector=load_detector(args.detector), reason=load_reason(args.reason))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(_predict_text(result))
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
def _cmd_card(args: argparse.Namespace) -> int:
    from ..evaluation.card import write_model_card

    for folder in args.folders:
        if not (Path(folder) / "metrics.json").exists():
            raise DataError(f"{folder!r} holds no metrics.json: not a checkpoint folder written by babycry train.")
        print(f"wrote {write_model_card(folder)}")
    return 0


def register_card(sub: argparse._SubParsersAction) -> None:
    """Register ``babycry card FOLDER...``: rewrite checkpoints' model cards from their JSON files.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="babycry")
    >>> register_card(parser.add_subparsers(dest="command"))
    >>> parser.parse_args("card assets/models/cry-detector".split()).folders
    ['assets/models/cry-detector']
    """
    p = sub.add_parser("card", help="rewrite a checkpoint's model card (README.md) from its metrics, training "
                                    "record and calibration")
    p.add_argument("folders", metavar="FOLDER", nargs="+", help="checkpoint folder(s)")
    p.set_defaults(func=_cmd_card)


def _cmd_export_onnx(args: argparse.Namespace) -> int:
    from ..modeling import load_model
    from ..modeling.onnx_export import export_onnx, sample_windows

    for folder in args.folders:
        model = load_model(folder, runtime="transformers")
        windows = sample_windows(args.data, task=model.task, per_category=args.per_category, seed=args.seed)
        info = export_onnx(model, folder, parity_windows=windows)
        print(f"{folder}: exported its {info['outputs']} in {info['dtype']}; on {info['parity_windows']} windows of "
              f"real clips the largest difference from torch is {info['max_abs_difference']:.3g} (mean relative "
              f"{info['mean_relative_difference']:.3g}); wrote {Path(folder) / 'onnx'}")
        if (Path(folder) / "metrics.json").exists():  # the card says how the checkpoint is served
            from ..evaluation.card import write_model_card

            print(f"wrote {write_model_card(folder)}")
    return 0


def register_export_onnx(sub: argparse._SubParsersAction) -> None:
    """Register ``babycry export-onnx FOLDER... [--data DIR]``: serve checkpoints with ONNX Runtime.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="babycry")
    >>> register_export_onnx(parser.add_subparsers(dest="command"))
    >>> parser.parse_args("export-onnx assets/models/cry-detector".split()).per_category
    12
    """
    p = sub.add_parser("export-onnx", help="export checkpoints' forward pass to ONNX (served by ONNX Runtime, "
                                           "checked against torch on real clips)")
    p.add_argument("folders", metavar="FOLDER", nargs="+", help="checkpoint folder(s)")
    p.add_argument("--data", default=data_default(), help="folder with manifest.csv: the clips of the parity check")
    p.add_argument("--per-category", type=int, default=12, help="parity-check clips per category (default 12)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_export_onnx)


REGISTRARS = [register_predict, register_evaluate, register_card, register_export_onnx]
