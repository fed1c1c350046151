"""Dataset research: family-weighted exploratory analysis of a data folder.

- :mod:`~babycry.research.eda`: :func:`run_eda` (sample, decode, summarise a data folder class by class),
  :func:`family_weighted_stats`, :func:`sample_clips`, :func:`example_result`.
- :mod:`~babycry.research.summary`: what a run produces (:class:`EDAResult`, its JSON, :func:`load_summary`).

Examples
--------
>>> from babycry.research import example_result
>>> example_result().labels
('tired', 'noise')
"""

from __future__ import annotations

from .eda import example_result, family_weighted_stats, run_eda, sample_clips
from .summary import SUMMARY_VALUES, ClassSummary, ClipRecord, EDAResult, load_summary

__all__ = [
    "SUMMARY_VALUES",
    "ClipRecord",
    "ClassSummary",
    "EDAResult",
    "family_weighted_stats",
    "sample_clips",
    "run_eda",
    "load_summary",
    "example_result",
]
