"""demo.model_tab: what the answers mean, each checkpoint's evaluation (render_markdown) and card."""

from __future__ import annotations

from babycry.evaluation.report import render_markdown
from demo import model_tab
from demo.models import Models


def test_model_reports_show_grouped_metrics_beside_the_baseline(models):
    reports = dict(model_tab.model_reports(models))
    assert set(reports) == {"Cry detector", "Reason classifier"}
    table = reports["Reason classifier"]["table_md"]
    assert "grouped CV" in table and "majority baseline" in table
    assert "0.250" in table  # the baseline's balanced accuracy for four classes
    assert reports["Reason classifier"]["card_md"].startswith("# babycry cry-reason")
    # the one Markdown rendering of metrics.json, the same the model card holds
    assert table.startswith(render_markdown(models.metrics("reason")))


def test_intervals_only_where_they_exist_and_counts_say_what_they_count():
    bundled = dict(model_tab.model_reports(Models(worker=False)))  # JSON files only: no model is loaded
    detector = bundled["Cry detector"]
    # the silence clips come from one recording: its family bootstrap can only repeat the value
    silence = next(row for row in detector["table_md"].splitlines() if row.startswith("| category_accuracy/silence"))
    assert "[" not in silence and "1.000 (one recording: no interval)" in silence
    assert model_tab.NO_INTERVAL_NOTE in detector["table_md"]
    assert "| balanced_accuracy | 0.958 [0.944, 0.971] |" in detector["table_md"]  # real intervals stay
    assert detector["confusion"]["caption"].startswith("Confusion matrix: 4,894 clips × 3 repeats")
    reason = bundled["Reason classifier"]["confusion"]
    assert reason["matrix"].sum() == 449 * 3
    assert reason["caption"].startswith("Confusion matrix: 449 clips × 3 repeats of the cross-validation = 1,347 "
                                        "predictions (each clip counted once per repeat)")


def test_quality_note_is_plain_words_read_from_the_checkpoints():
    note = model_tab.model_quality_note(Models(worker=False))
    assert "recognises 9 in 10 cries" in note
    # 0.919 of baby laughs and 0.936 of adult laughs rejected: only categories below 0.9 are named
    assert "baby laughs a cry" not in note and "adults laughing" not in note
    assert "between 15% and 93%" in note and "1 in 6 cries and 1 in 7 baby laughs land there" in note  # per category
    assert "right for 32% of cries" in note and "guessing is right for 25%" in note
    assert "from 23% to 43%, which includes guessing" in note and "experiment" in note
    assert "as if all four were equally common" in note
    # the bundled reason model's out-of-fold threshold is 0: it never holds back, and the note does not claim it does
    assert "names one even when the bars are close" in note and "names none" not in note


def test_a_checkpoint_without_metrics_says_so(tmp_path):
    missing = Models(detector_path=tmp_path / "a", reason_path=tmp_path / "b", worker=False)
    reports = dict(model_tab.model_reports(missing))
    assert all("no evaluation file" in r["error"] for r in reports.values())
    assert "unknown" in model_tab.model_quality_note(missing)


def test_quality_note_says_the_reason_model_holds_back_only_when_its_threshold_does(tmp_path):
    import json
    import shutil

    from babycry.modeling.checkpoint import DEFAULT_REASON_DIR

    reason = tmp_path / "reason"
    shutil.copytree(DEFAULT_REASON_DIR, reason, ignore=shutil.ignore_patterns("*.safetensors", "*.onnx", "*.npz"))
    metrics = json.loads((reason / "metrics.json").read_text())
    metrics["grouped"]["unsure"]["threshold"] = 0.26
    (reason / "metrics.json").write_text(json.dumps(metrics))
    note = model_tab.model_quality_note(Models(reason_path=reason, worker=False))
    assert "when the bars are close it names none" in note and "even when the bars are close" not in note
