"""Shared fixtures: the data folder, generated audio, tmp paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data folder (``BABYCRY_DATA`` or ``../shared/data``); tests needing it skip without it."""
    path = Path(os.environ.get("BABYCRY_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "manifest.csv").exists():
        pytest.skip(f"no data folder with manifest.csv at {path}")
    return path
