"""The Model tab: what the answers mean and how good each model is, then each checkpoint's evaluation and card.

The evaluation is :func:`babycry.evaluation.report.render_markdown` of the
checkpoint's ``metrics.json``, the same section its model card holds, so the
page, the card and ``babycry cv`` cannot disagree.  Only the checkpoints' JSON
files are read: the tab needs no model loaded.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import numpy as np

from babycry.evaluation.report import render_markdown

from .models import Models
from .words import join_words, reason_display_name, say_percent, say_share

__all__ = ["SOUND_NAMES", "NO_INTERVAL_NOTE", "model_quality_note", "model_reports", "model_tab"]

#: How the detector's categories of sound are named to a parent.
SOUND_NAMES = {"laugh": "baby laughs", "adult_laugh": "adults laughing", "cough": "coughs",
               "background": "household background sounds", "noise": "household and street noises",
               "silence": "quiet rooms", "speech": "speech recordings"}
NO_INTERVAL_NOTE = ("A figure without an interval has none: its clips come from one recording (or every family "
                    "scored the same), so resampling families cannot show how much it would vary.")
TITLES = {"detector": "Cry detector", "reason": "Reason classifier"}


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


def model_quality_note(models: Models) -> str:
    """What the answer's parts mean and how good each is, in plain words, from the checkpoints' ``metrics.json``.

    Never raises: a checkpoint without metrics is said to have no evaluation.
    """
    det = (models.metrics("detector").get("grouped") or {})
    rea = (models.metrics("reason").get("grouped") or {})
    lines = []
    if det:
        m = det.get("metrics") or {}
        cry = (m.get("recall/cry") or m.get("category_accuracy/cry") or {}).get("value")
        text = (f"**Is it a cry?** Tested on families it never heard, the detector recognises {say_share(cry)} "
                "cries" if cry is not None else "**Is it a cry?** The detector")
        weak = [f"{say_share(1.0 - v['value'])} {SOUND_NAMES.get(k.split('/')[1], k.split('/')[1])}"
                for k, v in m.items() if k.startswith("category_accuracy/") and not k.endswith("/cry")
                and v.get("value") is not None and v["value"] < 0.9]
        text += (f", but it also calls {join_words(weak)} a cry, so a \"cry\" answer may be one of those."
                 if weak else ".")
        band = det.get("cry_band")
        if band and {"cry", "laugh"} <= set(band.get("categories", {})):
            shares = band["categories"]
            text += (f" When its chance of a cry lies between {say_percent(band['low'])} and "
                     f"{say_percent(band['high'])} it says it isn't sure (\"maybe a baby crying\"); "
                     f"{say_share(shares['cry']['unsure'])} cries and {say_share(shares['laugh']['unsure'])} baby "
                     "laughs land there.")
        text += (" A sound whose loudness never rises and falls (a hum, a fan, a whine) is called a steady sound, "
                 "not a cry.")
        lines.append(text)
    else:
        lines.append("**Is it a cry?** This detector has no evaluation file: how good it is is unknown.")
    if rea:
        entry = (rea.get("metrics") or {}).get("balanced_accuracy") or {}
        value, ci = entry.get("value"), entry.get("ci95")
        chance = 1.0 / max(1, len(models.metrics("reason").get("labels") or [0] * 4))
        if value is not None:
            clears = bool(ci) and ci[0] is not None and ci[0] > chance
            text = (f"**Which reason?** Averaged over the reasons, the reason model is right for "
                    f"{say_percent(value)} of cries from families it never heard; guessing is right for "
                    f"{say_percent(chance)}.")
            if ci and ci[0] is not None:
                text += f" Allowing for which families happened to be recorded, it could be anywhere from " \
                        f"{say_percent(ci[0])} to {say_percent(ci[1])}"
                text += (": better than guessing." if clears else
                         ", which includes guessing: that is why the app shows the reason as an experiment.")
            lines.append(text)
        # with a threshold of 0 (none did better out of fold) the model names a reason however close the bars
        abstains = ((rea.get("unsure") or {}).get("threshold") or 0.0) > 0.0
        lines.append(
            "**The bars** show how well a cry matches each reason *as if all four were equally common*. Most "
            "crying babies in the data are hungry; left in, that would make hungry the longest bar for almost "
            "every cry, whatever it sounds like. The reason the app names is always the longest bar; "
            + ("when the bars are close it names none." if abstains else "it names one even when the bars are "
               "close, because holding back on close calls did not make it right more often.")
        )
    else:
        lines.append("**Which reason?** This reason model has no evaluation file: how good it is is unknown.")
    return "\n\n".join(lines)


def model_reports(models: Models) -> list[tuple[str, dict[str, Any]]]:
    """What the Model tab shows for each checkpoint, read from its ``metrics.json`` and model card.

    Returns
    -------
    list of (title, dict)
        dict keys: ``table_md`` (the evaluation, Markdown), ``confusion`` (matrix, labels, caption) when the
        metrics hold one, ``card_md`` when there is a card — or ``error``.
    """
    out = []
    for task, title in TITLES.items():
        metrics = models.metrics(task)
        if not metrics:
            out.append((title, {"error": "This checkpoint has no evaluation file (metrics.json)."}))
            continue
        grouped = metrics.get("grouped") or {}
        table = render_markdown(metrics)
        info: dict[str, Any] = {"table_md": table + (f"\n\n{NO_INTERVAL_NOTE}" if "no interval)" in table else "")}
        confusion = (grouped.get("metrics") or {}).get("confusion_matrix")
        if confusion:
            matrix = np.asarray(confusion["rows_true_cols_predicted"])
            seeds, clips = grouped.get("n_seeds"), grouped.get("n_clips")
            counted = (f"{clips:,} clips × {seeds} repeats of the cross-validation = {int(matrix.sum()):,} "
                       "predictions (each clip counted once per repeat)" if seeds and clips else
                       f"{int(matrix.sum()):,} predictions")
            info["confusion"] = {"matrix": matrix, "labels": [reason_display_name(x) for x in confusion["labels"]],
                                 "caption": f"Confusion matrix: {counted}; rows: the true class"}
        card = models.card(task)
        if card:
            info["card_md"] = _strip_front_matter(card)
        out.append((title, info))
    return out


def model_tab(models: Models, *, tab: Any) -> None:
    """What the answers mean, then each checkpoint's grouped evaluation beside the majority baseline, and its card.

    The confusion-matrix figures are drawn when ``tab`` (the ``gr.Tab``) is first selected: plotly figures cost
    start-up time, and most visitors never open this tab.
    """
    gr.Markdown("## What the answers mean, and how good they are\n\n" + model_quality_note(models),
                elem_id="quality-note")
    plots_to_fill: list[tuple[gr.Plot, dict[str, Any]]] = []
    for title, info in model_reports(models):
        gr.Markdown(f"## {title}")
        if info.get("error"):
            gr.Markdown(info["error"])
            continue
        gr.Markdown(info["table_md"], elem_classes=["metrics-md"])
        confusion = info.get("confusion")
        if confusion:
            plots_to_fill.append((gr.Plot(label=confusion["caption"], elem_classes=["confusion"]), confusion))
        if info.get("card_md"):
            with gr.Accordion("Model card", open=False):
                gr.Markdown(info["card_md"], elem_classes=["metrics-md"])

    def figures() -> list[Any]:
        from babycry import plots

        return [plots.confusion_matrix_figure(c["matrix"], labels=c["labels"], title=None) for _, c in plots_to_fill]

    if not plots_to_fill:
        return
    shown = gr.State(False)

    def fill_once(done: bool) -> tuple[Any, ...]:
        return (*(gr.skip() for _ in plots_to_fill), True) if done else (*figures(), True)

    tab.select(fill_once, [shown], [*(p for p, _ in plots_to_fill), shown], api_visibility="private")
