"""Training sub-commands: train (a checkpoint), cv (the same cross-validation, reported without saving) and
pretrain (the reason AST's encoder, self-supervised).

Both run :mod:`babycry.training.pipeline` with the bundled recipe of the task, changed by ``--config JSON``
and ``--set KEY=VALUE`` (dotted keys reach nested settings: ``--set fit.epochs=40``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameterError
from .common import data_default, parse_set_overrides

if TYPE_CHECKING:  # the recipes import torch-free modules only, but the CLI stays lazy
    from ..training.recipes import Recipe

__all__ = ["REGISTRARS", "recipe_from_args", "apply_recipe_args"]


def recipe_from_args(task: str, config_json: str | None, overrides: list[str] | None, *, quiet: bool = False,
                     family: str | None = None) -> Recipe:
    """The task's bundled recipe with ``--config`` and ``--set`` applied.

    Examples
    --------
    >>> recipe_from_args("reason", None, ["fit.epochs=2"]).fit.epochs
    2
    """
    from ..training.recipes import recipe_for

    return apply_recipe_args(recipe_for(task, family=family), config_json, overrides, quiet=quiet)


def apply_recipe_args(recipe: Any, config_json: str | None, overrides: list[str] | None, *, quiet: bool = False,
                      changes: dict | None = None) -> Any:
    """``recipe`` (a training or pretraining recipe) with ``--config``, then ``--set``, then ``changes`` applied.

    Examples
    --------
    >>> from babycry.training.recipes import PretrainRecipe
    >>> apply_recipe_args(PretrainRecipe(), None, ["mask_ratio=0.4"], changes={"steps": 10}).steps
    10
    """
    from ..training.recipes import Recipe

    if config_json:
        recipe = Recipe.from_json(config_json, base=recipe)
    changes = {**parse_set_overrides(overrides), **(changes or {})}
    if quiet:
        changes["progress"] = False
    return recipe.replace(**changes) if changes else recipe


def _add_recipe_args(p: argparse.ArgumentParser, *, example: str = "fit.epochs=40", family: bool = True) -> None:
    p.add_argument("--config", metavar="JSON", help="JSON file overriding recipe settings (nested like training.json)")
    p.add_argument("--set", metavar="KEY=VALUE", action="append",
                   help=f"override one recipe setting, e.g. {example} (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    if family:
        p.add_argument("--family", choices=["ast", "sfx"], default=None,
                       help="model family: ast (compact AST) or sfx (frozen pretrained sound-effects CNN + linear "
                            "head); default: the bundled model's")


def _cmd_train(args: argparse.Namespace) -> int:
    from ..data import load_task
    from ..training.pipeline import train

    recipe = recipe_from_args(args.task, args.config, args.set, quiet=args.quiet, family=args.family)
    data = load_task(args.data, task=args.task, min_clips=4)
    command = "babycry " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["train"] else (
        f"babycry train --task {args.task} --data {args.data} --out {args.out}")
    metrics = train(data, args.out, recipe=recipe, command=command, cv=not args.no_cv)
    grouped = metrics.get("grouped")
    if grouped:
        from ..evaluation.report import render_text as format_table

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
    p.add_argument("--data", default=data_default(), help="folder with manifest.csv (default: $BABYCRY_DATA)")
    p.add_argument("--out", required=True, help="checkpoint folder to write")
    p.add_argument("--no-cv", action="store_true", help="skip cross-validation (no metrics, no calibration)")
    _add_recipe_args(p)
    p.set_defaults(func=_cmd_train)


# --------------------------------------------------------------------------- #
def _cmd_cv(args: argparse.Namespace) -> int:
    from ..evaluation.report import render_text as format_table
    from ..evaluation.report import write_json
    from ..training.pipeline import run_cv

    if args.folds is not None and args.folds < 2:
        raise InvalidParameterError(f"--folds must be at least 2, got {args.folds}.")
    if args.seeds is not None and args.seeds < 1:
        raise InvalidParameterError(f"--seeds must be at least 1, got {args.seeds}.")
    recipe = recipe_from_args(args.task, args.config, args.set, quiet=args.quiet, family=args.family)
    report = run_cv(args.data, task=args.task, folds=args.folds, seeds=args.seeds, split=args.split, recipe=recipe)
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
    p.add_argument("--data", default=data_default(), help="folder with manifest.csv (default: $BABYCRY_DATA)")
    p.add_argument("--folds", type=int, default=None, help="folds (default: the recipe's, 5)")
    p.add_argument("--seeds", type=int, default=None, help="repeats with other seeds (default: the recipe's, 3)")
    p.add_argument("--split", choices=["grouped", "random"], default="grouped",
                   help="'random' is ungrouped and LEAKY: for comparison only")
    p.add_argument("--json", metavar="OUT", help="write the full report here")
    _add_recipe_args(p)
    p.set_defaults(func=_cmd_cv)


# --------------------------------------------------------------------------- #
def _cmd_pretrain(args: argparse.Namespace) -> int:
    from ..training.pretrain import pretrain
    from ..training.recipes import PretrainRecipe

    explicit = {name: getattr(args, name) for name in ("steps", "minutes") if getattr(args, name) is not None}
    recipe = apply_recipe_args(PretrainRecipe(), args.config, args.set, quiet=args.quiet, changes=explicit)
    if recipe.steps < 1 or recipe.minutes <= 0:
        raise InvalidParameterError("--steps must be at least 1 and --minutes above 0.")
    record = pretrain(args.data, args.out, recipe=recipe,
                      command="babycry " + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    held = record["held_out_loss"]
    print(f"step {record['step']} of {recipe.steps}: masked-patch loss {record['train_loss']} (train), "
          f"{held} (held-out families; 1.0 = each patch's mean), {record['seconds']:.0f} s on {record['device']}")
    if record["finished"]:
        print(f"saved {args.out}/encoder (use it with: babycry train --task reason --set fit.init_from={args.out})")
    else:
        print(f"stopped at the time limit: run the same command again to resume from {args.out}/checkpoint.pt")
    return 0


def register_pretrain(sub: argparse._SubParsersAction) -> None:
    """Register ``babycry pretrain --data DIR --out DIR [--steps N] [--minutes M]``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="babycry")
    >>> register_pretrain(parser.add_subparsers(dest="command"))
    >>> parser.parse_args("pretrain --out OUT --minutes 5".split()).minutes
    5.0
    """
    p = sub.add_parser("pretrain", help="self-supervised pretraining of the reason AST's encoder (resumable)")
    p.add_argument("--data", default=data_default(), help="folder with manifest.csv (default: $BABYCRY_DATA)")
    p.add_argument("--out", required=True, help="output folder (a rerun resumes its checkpoint.pt)")
    p.add_argument("--steps", type=int, default=None, help="optimisation steps in all (default: the recipe's)")
    p.add_argument("--minutes", type=float, default=None, help="stop (and save) after this long; rerun to resume")
    _add_recipe_args(p, example="mask_ratio=0.4", family=False)
    p.set_defaults(func=_cmd_pretrain)


REGISTRARS = [register_train, register_cv, register_pretrain]
