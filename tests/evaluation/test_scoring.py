"""babycry.evaluation.scoring: a saved checkpoint scored on every applicable clip of a folder."""

from __future__ import annotations

from babycry.config import CRY_THRESHOLD
from babycry.data import load_task
from babycry.evaluation.scoring import evaluate_checkpoint


def test_evaluate_a_checkpoint_on_a_folder(tiny_models) -> None:
    report = evaluate_checkpoint(tiny_models.detector_dir, tiny_models.data_dir, n_boot=20)
    data = load_task(tiny_models.data_dir, task="detector")
    assert report["summary"]["n_clips"] == len(data) == len(report["clips"])
    rec = report["clips"][0]
    assert set(rec) >= {"path", "true", "probabilities", "verdict"}
    assert rec["verdict"] in ("cry", "not_cry") and set(rec["probabilities"]) == {"cry", "not_cry"}
    # the yes/no verdict splits at the one cry threshold
    assert all((r["verdict"] == "cry") == (r["probabilities"]["cry"] >= CRY_THRESHOLD) for r in report["clips"])
    # the stored unsure band: each clip says whether it fell in it; the summary gives the shares per category
    low, high = report["summary"]["cry_band"]["low"], report["summary"]["cry_band"]["high"]
    assert all(r["cry_unsure"] == (low <= r["probabilities"]["cry"] < high) for r in report["clips"])
    assert set(report["summary"]["cry_band"]["categories"]) == set(data.table["category"])
    reason = evaluate_checkpoint(tiny_models.reason_dir, tiny_models.data_dir, n_boot=20)
    assert all(r["verdict"] in ("hungry", "belly_pain", "discomfort", "tired", "unsure") for r in reason["clips"])
