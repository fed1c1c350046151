"""Fixtures of the babycry.research tests: a small synthesised data folder and its EDA result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from babycry.research import EDAResult, run_eda
from babycry.synth import synth_cry

SR = 16_000


def _write(folder: Path, name: str, samples: np.ndarray, sample_rate: int = SR) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, sample_rate, subtype="PCM_16")
    return name


@pytest.fixture(scope="module")
def eda_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthesised cries and noise, 2-3 families per class.

    ``hungry``: family ``big`` has four clips near 300 Hz, families ``b`` and ``c`` one clip each near 500 Hz, so
    the clip median F0 is ~300 Hz and the family median ~500 Hz.  ``tired`` is 8 kHz audio.  ``noise`` is white
    noise (no F0) and ``speech`` short (0.4 s) low-pitched sounds.
    """
    folder = tmp_path_factory.mktemp("eda_data")
    rng = np.random.default_rng(0)
    rows = []

    def add(name: str, x: np.ndarray, label: str, group: str, is_cry: int, rate: int = SR) -> None:
        rows.append({"path": _write(folder, name, x, rate), "source": "synth", "is_cry": is_cry, "label": label,
                     "group": group, "sample_rate": rate, "channels": 1, "duration_s": round(x.size / rate, 3)})

    for i in range(4):
        add(f"hungry/big_{i}.wav", synth_cry(seconds=1.5, f0_hz=300.0, seed=i).samples, "hungry", "big", 1)
    for i, g in enumerate(["b", "c"]):
        add(f"hungry/{g}.wav", synth_cry(seconds=1.5, f0_hz=500.0, seed=10 + i).samples, "hungry", g, 1)
    for i, g in enumerate(["t1", "t2"]):
        add(f"tired/{g}.wav", synth_cry(seconds=1.5, f0_hz=420.0, seed=20 + i, sample_rate=8000).samples,
            "tired", g, 1, rate=8000)
    for i, g in enumerate(["n1", "n2", "n2"]):
        add(f"noise/{i}.wav", (0.05 * rng.standard_normal(SR * 2)).astype(np.float32), "noise", g, 0)
    for i, g in enumerate(["s1", "s2"]):
        add(f"speech/{i}.wav", synth_cry(seconds=0.5, f0_hz=180.0, seed=30 + i).samples[: int(0.4 * SR)],
            "speech", g, 0)
    # An unreviewed raw upload: left out by default.
    add("raw/u.wav", synth_cry(seconds=1.5, f0_hz=400.0, seed=40).samples, "unknown", "big", 1)
    table = pd.DataFrame(rows)
    table.loc[table["label"] == "unknown", "is_cry"] = None
    table.to_csv(folder / "manifest.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def result(eda_folder: Path) -> EDAResult:
    return run_eda(eda_folder, max_per_class=60, seed=0)
