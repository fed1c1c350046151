"""Dataset sub-command: eda (the app's Dataset tab)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import BabyCryError

__all__ = ["REGISTRARS"]


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
    from ..data import default_data_dir
    from ..research import run_eda

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


REGISTRARS = [_register_eda]
