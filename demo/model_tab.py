"""The Model tab: each checkpoint's grouped evaluation and its model card.

The evaluation is :func:`babycry.evaluation.report.render_markdown` of the
checkpoint's ``metrics.json``, the same section its model card holds, so the
page, the card and ``babycry cv`` cannot disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from babycry import plots
from babycry.errors import BabyCryError
from babycry.evaluation.report import render_markdown

from .answer import reason_display_name
from .models import Models

__all__ = ["model_reports", "model_tab"]


def _strip_front_matter(text: str) -> str:
    """Drop a model card's YAML header (``---`` … ``---``) so the page shows its prose.

    Examples
    --------
    >>> _strip_front_matter("---\\nlicense: x\\n---\\n# Card")
    '# Card'
    """
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :].lstrip()
    return text


def model_reports(models: Models) -> list[tuple[str, dict[str, Any]]]:
    """What the Model tab shows for each checkpoint, read from its ``metrics.json`` and model card.

    Returns
    -------
    list of (title, dict)
        dict keys: ``table_md`` (the evaluation, Markdown), ``confusion_fig``, ``card_md`` — or ``error``.
    """
    try:
        detector, reason = models.get()
    except BabyCryError as exc:
        return [("Models", {"error": f"The models could not be loaded: {exc}"})]
    out = []
    for title, model, path in (
        ("Cry detector", detector, models.detector_path),
        ("Reason classifier", reason, models.reason_path),
    ):
        metrics = model.metrics or {}
        grouped = metrics.get("grouped") or {}
        info: dict[str, Any] = {"table_md": render_markdown(metrics)}
        confusion = (grouped.get("metrics") or {}).get("confusion_matrix")
        if confusion:
            info["confusion_fig"] = plots.confusion_matrix_figure(
                np.asarray(confusion["rows_true_cols_predicted"]),
                labels=[reason_display_name(x) for x in confusion["labels"]],
                title=None,
            )
        card = Path(str(path)) / "README.md"
        if card.is_file():
            info["card_md"] = _strip_front_matter(card.read_text(encoding="utf-8"))
        out.append((title, info))
    return out


def model_tab(models: Models) -> None:
    """Each checkpoint's grouped evaluation beside the majority baseline, and its model card."""
    for title, info in model_reports(models):
        gr.Markdown(f"## {title}")
        if info.get("error"):
            gr.Markdown(info["error"])
            continue
        gr.Markdown(info["table_md"])
        if info.get("confusion_fig") is not None:
            gr.Plot(info["confusion_fig"], label="Confusion matrix (grouped CV, pooled out-of-fold; rows: true)")
        if info.get("card_md"):
            with gr.Accordion("Model card", open=False):
                gr.Markdown(info["card_md"])
