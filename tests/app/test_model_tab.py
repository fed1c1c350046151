"""demo.model_tab: each checkpoint's evaluation (babycry.evaluation.report.render_markdown) and card."""

from __future__ import annotations

from babycry.evaluation.report import render_markdown
from demo import model_tab


def test_model_reports_show_grouped_metrics_beside_the_baseline(models):
    reports = dict(model_tab.model_reports(models))
    assert set(reports) == {"Cry detector", "Reason classifier"}
    table = reports["Reason classifier"]["table_md"]
    assert "grouped CV" in table and "majority baseline" in table
    assert "0.250" in table  # the baseline's balanced accuracy for four classes
    assert reports["Reason classifier"].get("confusion_fig") is not None
    # the one Markdown rendering of metrics.json, the same the model card holds
    _, reason = models.get()
    assert table == render_markdown(reason.metrics)
    assert reports["Reason classifier"]["card_md"].startswith("# babycry cry-reason")
