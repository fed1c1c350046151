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


# --------------------------------------------------------------------------- #
# Tiny trained models (issue 4). The app tests reuse `tiny_models`; see /work/notes/API.md.
# --------------------------------------------------------------------------- #
def _real_data_root() -> Path | None:
    path = Path(os.environ.get("BABYCRY_DATA", ROOT.parent / "shared" / "data"))
    return path if (path / "manifest.csv").exists() else None


def make_tiny_data_folder(folder: Path) -> Path:
    """A small folder with a manifest.csv: a few real clips when the shared data exist, else synthesised audio.

    Every category of the detector (cry, silence, noise, laugh, speech) and every reason gets clips from
    several groups, so grouped folds have something on both sides.
    """
    import numpy as np
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    real = _real_data_root()
    rows = []
    if real is not None:
        m = pd.read_csv(real / "manifest.csv", dtype={"group": str})
        picks = []
        for label, n in [("hungry", 3), ("belly_pain", 3), ("discomfort", 3), ("tired", 3), ("silence", 2),
                         ("noise", 3), ("laugh", 2), ("speech", 3)]:
            sub = m[m["label"] == label].drop_duplicates("group" if label not in ("silence", "laugh") else "path")
            picks.append(sub.sort_values("path").head(n))
        cries = m[(m["label"] == "cry")].drop_duplicates("group").sort_values("path").head(2)
        for _, r in pd.concat(picks + [cries]).iterrows():
            rows.append({"path": str((real / r["path"]).resolve()), "source": r["source"], "is_cry": r["is_cry"],
                         "label": r["label"], "group": r["group"]})
    else:
        import soundfile as sf

        from babycry.synth import synth_cry

        rng = np.random.default_rng(0)
        for i, label in enumerate(["hungry", "belly_pain", "discomfort", "tired"] * 3):
            cry = synth_cry(seconds=4.0, f0_hz=350.0 + 40 * (i % 4), seed=i)
            name = f"cry_{i}.wav"
            sf.write(folder / name, cry.samples, cry.sample_rate)
            rows.append({"path": name, "source": "synth", "is_cry": 1, "label": label, "group": f"family{i}"})
        for i in range(9):
            label = ["noise", "silence", "speech"][i % 3]
            if label == "speech":  # a low, short voiced sound
                x = synth_cry(seconds=1.0, f0_hz=120.0, seed=100 + i).samples
            elif label == "noise":
                x = (0.1 * rng.standard_normal(16000 * 4)).astype(np.float32)
            else:
                x = (0.001 * rng.standard_normal(16000 * 4)).astype(np.float32)
            name = f"{label}_{i}.wav"
            sf.write(folder / name, x, 16000)
            rows.append({"path": name, "source": "synth", "is_cry": 0, "label": label, "group": f"{label}{i}"})
    # Unreviewed uploads (is_cry empty) that the detector trains on as negatives: a hum, and a cry that the
    # cry-voicing filter must keep out.
    import soundfile as sf

    from babycry.synth import synth_cry

    t = np.arange(16000 * 4) / 16000
    hum = (0.05 * np.sin(2 * np.pi * 100 * t) + 0.01 * np.random.default_rng(1).standard_normal(t.size))
    sf.write(folder / "removed_hum.wav", hum.astype(np.float32), 16000)
    sf.write(folder / "removed_cry.wav", synth_cry(seconds=4.0, f0_hz=420.0, seed=77).samples, 16000)
    for name, group in (("removed_hum.wav", "removed-family-1"), ("removed_cry.wav", "removed-family-2")):
        rows.append({"path": name, "source": "donateacry_removed", "is_cry": None, "label": "removed", "group": group})
    pd.DataFrame(rows).to_csv(folder / "manifest.csv", index=False)
    return folder


class TinyModels:
    """Paths of the tiny trained checkpoints (and the folder they were trained on)."""

    def __init__(self, detector_dir: Path, reason_dir: Path, data_dir: Path) -> None:
        self.detector_dir = detector_dir
        self.reason_dir = reason_dir
        self.data_dir = data_dir

    def __repr__(self) -> str:
        return f"TinyModels(detector_dir={self.detector_dir}, reason_dir={self.reason_dir})"


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small manifest folder (real clips when available, else synthesised)."""
    return make_tiny_data_folder(tmp_path_factory.mktemp("tiny-data"))


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory, tiny_data: Path) -> TinyModels:
    """A TINY detector and reason model trained in seconds on `tiny_data`, saved like the real checkpoints
    (config.json, model.safetensors, preprocessor_config.json, calibration.json, metrics.json, README.md).
    """
    from babycry.data import load_task
    from babycry.training.pipeline import train
    from babycry.training.recipes import tiny_recipe

    out = tmp_path_factory.mktemp("tiny-models")
    dirs = {}
    for task in ("detector", "reason"):
        data = load_task(tiny_data, task=task)
        dirs[task] = out / task
        train(data, dirs[task], recipe=tiny_recipe(task), command=f"tiny_models fixture ({task})")
    return TinyModels(detector_dir=dirs["detector"], reason_dir=dirs["reason"], data_dir=tiny_data)
