"""demo.dataset: the data folder's classes and families, the bundled EDA summary through babycry.plots, and what
happens without either."""

from __future__ import annotations

import gradio as gr
import pytest

from babycry.research import SUMMARY_VALUES, example_result
from demo import dataset


def test_views_from_the_bundled_summary():
    views = dataset.eda_views()
    assert "error" not in views
    assert "Each family counts once" in views["intro"] and dataset.REPRODUCE in views["intro"]
    assert list(views["table"]["class"][:4]) == ["hungry", "belly_pain", "discomfort", "tired"]
    for key in ("counts", "values", "mel", "rates"):
        assert views[key].data, key
    # The box plot's hungry points are families: no more points than analysed families.
    hungry = views["values"].data[0]
    assert hungry.name.startswith("hungry") and 0 < len(hungry.y) <= int(views["table"]["families"][0])


def test_every_dropdown_value_draws():
    assert {v for _, v in dataset.VALUE_CHOICES} == set(SUMMARY_VALUES)
    for _, value in dataset.VALUE_CHOICES:
        assert dataset.value_figure(value).data


def test_other_summary_and_missing_summary(tmp_path, monkeypatch):
    path = example_result().save(tmp_path / "summary.json")
    monkeypatch.setenv("BABYCRY_EDA_SUMMARY", str(path))
    assert list(dataset.eda_views()["table"]["class"]) == ["tired", "noise"]
    missing = dataset.eda_views(tmp_path / "none.json")
    assert "No EDA summary" in missing["error"] and dataset.REPRODUCE in missing["error"]
    with pytest.raises(gr.Error, match="Unknown summary value"):
        dataset.value_figure("loudness", path)


def test_dataset_overview(data_dir):
    text, table = dataset.dataset_overview(data_dir)
    assert table is not None and {"label", "clips", "families"} <= set(table.columns)
    assert "Families" in text


def test_dataset_overview_without_data(tmp_path):
    text, table = dataset.dataset_overview(tmp_path / "none")
    assert table is None and "BABYCRY_DATA" in text
