"""The model sub-commands of ``babycry``: predict, train, cv, evaluate.

Registered by :func:`babycry.cli._registrars`; every failure is a
:class:`BabyCryError`, which ``babycry.cli.main`` prints as one line.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from .errors import DataError, InvalidParameterError

__all__ = ["parse_set_overrides", "register_predict", "register_train", "register_cv", "register_evaluate",
           "REGISTRARS"]


def _data_default() -> str:
    from .data import default_data_dir

    return str(default_data_dir())


def parse_set_overrides(items: list[str] | None) -> dict:
    """``KEY=VALUE`` strings (``--set``) as TrainConfig changes; a VALUE that is JSON is decoded, else a string.

    Examples
    --------
    >>> parse_set_overrides(["epochs=3", 'model={"hidden_size": 32}', "train_only_negatives=removed"])
    {'epochs': 3, 'model': {'hidden_size': 32}, 'train_only_negatives': 'removed'}
    """
    changes = {}
    for item in items or []:
        if "=" not in item:
            raise InvalidParameterError(f"--set expects KEY=VALUE, got {item!r}.")
        key, value = item.split("=", 1)
        try:
            changes[key] = json.loads(value)
        except json.JSONDecodeError:
            changes[key] = value
    return changes


def _config_from_args(task: str, config_json: str | None, overrides: list[str] | None):
    from .train import TrainConfig, for_task

    config = for_task(task)
    if config_json:
        config = TrainConfig.from_json(config_json, base=config)
    changes = parse_set_overrides(overrides)
    return config.replace(**changes) if changes else config


def _add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="JSON", help="JSON file overriding TrainConfig fields")
    p.add_argument("--set", metavar="KEY=VALUE", action="append", help="override one TrainConfig field (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


# --------------------------------------------------------------------------- #
def _cmd_predict(args: argparse.Namespace) -> int:
    from .analysis import analyse
    from .audio import load
    from .modeling import load_detector, load_reason

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
    from .modeling import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR

    p = sub.add_parser("predict", help="is it a cry, and which reason? (verdict, probabilities, unsure, timeline)")
    p.add_argument("file", metavar="FILE", help="audio file (WAV, FLAC, OGG, WebM, M4A, MP3, 3GP…)")
    p.add_argument("--json", action="store_true", help="print the /classify JSON")
    p.add_argument("--detector", default=str(DEFAULT_DETECTOR_DIR), help="detector folder or hub id")
    p.add_argument("--reason", default=str(DEFAULT_REASON_DIR), help="reason model folder or hub id")
    p.set_defaults(func=_cmd_predict)


# --------------------------------------------------------------------------- #
def _cmd_train(args: argparse.Namespace) -> int:
    from .data import load_task
    from .train import train

    config = _config_from_args(args.task, args.config, args.set)
    if args.quiet:
        config = config.replace(progress=False)
    data = load_task(args.data, task=args.task, min_clips=4)
    command = "babycry " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["train"] else (
        f"babycry train --task {args.task} --data {args.data} --out {args.out}")
    metrics = train(data, args.out, config=config, command=command, cv=not args.no_cv)
    grouped = metrics.get("grouped")
    if grouped:
        from .evaluation.report import render_text as format_table

        print(format_table({"task": args.task, **grouped}))
    print(f"saved {args.out}")
    return 0


def register_train(sub: argparse._SubParsersAction) -> None:
    """Register ``babycry train --task detector|reason --data DIR --out DIR``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="babycry")
    >>> register_train(parser.add_subparsers(dest="command"))
    >>> parser.parse_args("train --task reason --data DIR --out OUT".split()).command
    'train'
    """
    p = sub.add_parser("train", help="train a checkpoint (grouped CV, calibration, model card)")
    p.add_argument("--task", choices=["detector", "reason"], required=True)
    p.add_argument("--data", default=_data_default(), help="folder with manifest.csv (default: $BABYCRY_DATA)")
    p.add_argument("--out", required=True, help="checkpoint folder to write")
    p.add_argument("--no-cv", action="store_true", help="skip cross-validation (no metrics, no calibration)")
    _add_config_args(p)
    p.set_defaults(func=_cmd_train)


# --------------------------------------------------------------------------- #
def _cmd_cv(args: argparse.Namespace) -> int:
    from .evaluation.report import render_text as format_table
    from .evaluation.report import write_json
    from .training.pipeline import run_cv

    if args.folds < 2:
        raise InvalidParameterError(f"--folds must be at least 2, got {args.folds}.")
    if args.seeds < 1:
        raise InvalidParameterError(f"--seeds must be at least 1, got {args.seeds}.")
    config = _config_from_args(args.task, args.config, args.set)
    if args.quiet:
        config = config.replace(progress=False)
    report = run_cv(args.data, task=args.task, folds=args.folds, seeds=args.seeds, split=args.split, config=config)
    if args.json:
        write_json(report, args.json)
    print(format_table(report))
    return 0


def register_cv(sub: argparse._SubParsersAction) -> None:
    """Register ``babycry cv --task ... --data DIR --folds 5 --seeds 3 --json OUT [--split random]``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="babycry")
    >>> register_cv(parser.add_subparsers(dest="command"))
    >>> parser.parse_args("cv --task detector --data DIR --json OUT".split()).command
    'cv'
    """
    p = sub.add_parser("cv", help="grouped cross-validation with family-bootstrap CIs")
    p.add_argument("--task", choices=["detector", "reason"], required=True)
    p.add_argument("--data", default=_data_default(), help="folder with manifest.csv (default: $BABYCRY_DATA)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--split", choices=["grouped", "random"], default="grouped",
                   help="'random' is ungrouped and LEAKY: for comparison only")
    p.add_argument("--json", metavar="OUT", help="write the full report here")
    _add_config_args(p)
    p.set_defaults(func=_cmd_cv)


# --------------------------------------------------------------------------- #
def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation.report import render_text as format_table
    from .evaluation.report import write_json
    from .evaluation.scoring import evaluate_checkpoint

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
    p.add_argument("--data", default=_data_default(), help="folder with manifest.csv")
    p.add_argument("--json", metavar="OUT", help="write summary + one record per clip here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_evaluate)


#: In the order ``babycry --help`` lists them.
REGISTRARS = [register_predict, register_train, register_cv, register_evaluate]
