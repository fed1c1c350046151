"""The documentation's own links: every relative link in the README, docs/ and the bundled model cards names a file
that exists and, with ``#anchor``, a heading of that file (GitHub's heading ids)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "assets" / "models").glob("*/README.md")])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def _bundled_metrics(task: str) -> dict[str, Any]:
    """The bundled checkpoint's ``metrics.json``, whose figures the README and docs/models.md quote."""
    return json.loads((ROOT / "assets" / "models" / f"cry-{task}" / "metrics.json").read_text())


def _anchors(path: Path) -> set[str]:
    """GitHub's ids for a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens, repeats
    numbered."""
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", path.read_text()), flags=re.M):
        text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(doc: Path) -> None:
    broken = []
    for target in LINK.findall(FENCE.sub("", doc.read_text())):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{target}: no such heading")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_api_docs_example_answer_is_what_the_bundled_models_answer() -> None:
    """docs/api.md shows /classify's answer for an example recording: it must follow every retrain."""
    from babycry import analyse, load_detector, load_reason
    from babycry.audio import load

    text = (ROOT / "docs" / "api.md").read_text()
    section = text[text.index("### `/classify`"):]
    start = section.index("```json") + len("```json")
    documented = json.loads(section[start:section.index("```", start)])
    try:
        detector, reason = load_detector(), load_reason()
    except Exception as err:  # noqa: BLE001 - a checkout without the bundled checkpoints
        pytest.skip(f"bundled models not loadable: {err}")
    answer = analyse(load(ROOT / "assets" / "examples" / "synth_cry_7s.wav"), detector=detector,
                     reason=reason).to_dict()
    assert answer["model"] == documented["model"]
    for key in ("is_cry", "cry_unsure", "verdict", "unsure", "steady_sound", "truncated", "sound", "reason_quality"):
        assert answer[key] == documented[key], key
    # the encoder's number format follows the CPU (int8 / bfloat16 kernels), so probabilities match to 0.01
    assert answer["cry_probability"] == pytest.approx(documented["cry_probability"], abs=0.01)
    for key in ("reasons", "reasons_balanced"):
        assert answer[key] == pytest.approx(documented[key], abs=0.01)


@pytest.mark.parametrize("task", ["detector", "reason"])
def test_the_readme_figures_table_is_the_bundled_checkpoints_metrics(task: str) -> None:
    """README's figures row of each model is its metrics.json: a retrain that forgets the README fails here."""
    metrics = _bundled_metrics(task)
    grouped, leaky = metrics["grouped"], metrics["random"]
    ba = grouped["metrics"]["balanced_accuracy"]
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith(f"| cry-{task} |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == f"{grouped['n_clips']:,} ({grouped['n_groups']:,})"
    assert cells[2].startswith(f"**{ba['value']:.3f}** [{ba['ci95'][0]:.3f}, {ba['ci95'][1]:.3f}]")
    if task == "detector":
        assert f"ROC AUC {grouped['metrics']['roc_auc']['value']:.3f}" in cells[2]
    assert cells[3] == f"{grouped['majority_baseline']['balanced_accuracy']:.3f}"
    assert cells[4] == f"{leaky['metrics']['balanced_accuracy']['value']:.3f}"


@pytest.mark.parametrize("task", ["detector", "reason"])
def test_models_md_quotes_each_checkpoints_grouped_balanced_accuracy(task: str) -> None:
    ba = _bundled_metrics(task)["grouped"]["metrics"]["balanced_accuracy"]
    section = (ROOT / "docs" / "models.md").read_text().split(f"## cry-{task}", 1)[1].split("\n## ", 1)[0]
    assert f"| balanced accuracy | {ba['value']:.3f} [{ba['ci95'][0]:.3f}, {ba['ci95'][1]:.3f}] |" in section
