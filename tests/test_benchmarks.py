"""The benchmarks' recipe overrides stay valid settings of the recipes they change.

A benchmark that fails only when run (``make bench``) is found late: a recipe field renamed or a model family
swapped leaves an override naming a setting that no longer exists.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from babycry.training.recipes import recipe_for

ROOT = Path(__file__).resolve().parents[1]


def _benchmark(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("family", ["sfx", "ast"])
def test_bench_fit_fits_harder_with_settings_of_its_family(family: str) -> None:
    harder = _benchmark("detector_fit").HARDER[family]
    base = recipe_for("detector", family=family)
    assert base.replace(**harder) != base


def test_bench_fold_variants_in_the_makefile_are_settings_of_the_bundled_detector() -> None:
    target = re.search(r"^bench-fold:.*?(?=^\S)", (ROOT / "Makefile").read_text(), flags=re.M | re.S).group(0)
    variants = re.findall(r"--try '[^=]+=(\{.*?\})'", target)
    assert variants
    for overrides in variants:
        recipe_for("detector").replace(**json.loads(overrides))


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "benchmarks").glob("*.py")))
def test_every_benchmark_imports_and_parses_its_arguments(script: str) -> None:
    # what each imports from babycry still exists; --help returns before any data or model is read
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
