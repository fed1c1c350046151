"""The ``babycry`` command line.

Each group of sub-commands lives in its own module and exposes ``REGISTRARS``;
``main`` turns every :class:`BabyCryError` into a one-line message on stderr and
a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from ..errors import BabyCryError

__all__ = ["main", "build_parser"]

# Exit codes: 0 ok, 1 bad input / babycry error, 2 usage error (argparse's own).
EXIT_ERROR = 1


def _registrars() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Sub-command registrars, in the order ``--help`` lists them."""
    from . import audio, data, models, training

    return [*audio.REGISTRARS, *models.REGISTRARS[:1], *training.REGISTRARS, *models.REGISTRARS[1:],
            *data.REGISTRARS]


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
