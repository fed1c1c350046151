"""The package's shape: imports point one way (no cycles), `import babycry` stays light, no UI toolkit, small modules.

The import graph is read from the source with ``ast`` (every ``import`` statement, function-level ones included,
except those under ``if TYPE_CHECKING:``, which never run), so a cycle hidden inside a function fails here even
when no test happens to trigger it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "babycry"
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: skips the bodies of ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names."""
    if not node.level:
        return node.module or ""
    base = importer.split(".") if _is_package(importer) else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _edges(importer: str) -> set[str]:
    """The babycry modules ``importer`` imports.

    ``from pkg import submodule`` is an edge to both (Python runs ``pkg/__init__`` first), except where ``pkg`` is
    the importer's own package: ``from . import sibling`` gets the half-initialised parent, as packages do.
    """
    tree = ast.parse(MODULES[importer].read_text(), filename=str(MODULES[importer]))
    out: set[str] = set()
    for node in _runtime_imports(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            module = _resolve(importer, node)
            targets = [module]
            submodules = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES]
            targets += submodules  # `from pkg import submodule`
            if submodules and len(submodules) == len(node.names) and importer.startswith(module + "."):
                targets.remove(module)  # `from . import sibling`: the half-initialised parent, not a dependency
        for target in targets:
            while target and target not in MODULES:  # `import babycry.x.y` of a name: its module
                target = target.rpartition(".")[0]
            if target and target != importer:
                out.add(target)
    return out


GRAPH: dict[str, set[str]] = {name: _edges(name) for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    # calibration imports the label lists at module level; modeling.build imports transformers only inside a
    # function, and the predictor reaches the calibration through a relative import
    assert "babycry.config" in GRAPH["babycry.calibration"]
    assert {"babycry.calibration", "babycry.modeling.windows"} <= GRAPH["babycry.modeling.predictor"]
    assert "babycry.modeling.predictor" in GRAPH["babycry.modeling"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ("babycry.calibration", "babycry.modeling"),  # the model uses its calibration, never the other way round
        ("babycry.plots", "babycry.research"),  # figures take an EDAResult; they do not run the research code
        ("babycry.evaluation", "babycry.training"),  # evaluation takes arrays
    ],
)
def test_dependencies_point_one_way(low: str, high: str) -> None:
    offenders = sorted(
        (name, target)
        for name, targets in GRAPH.items()
        if name == low or name.startswith(low + ".")
        for target in targets
        if target == high or target.startswith(high + ".")
    )
    assert offenders == []


def test_no_babycry_source_imports_gradio() -> None:
    offenders = []
    for name, path in MODULES.items():
        for node in _runtime_imports(ast.parse(path.read_text())):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            offenders += [(name, m) for m in modules if m.split(".")[0] in ("gradio", "gradio_client")]
    assert offenders == []


@pytest.mark.parametrize("folder", ["babycry", "demo"])
def test_no_module_is_too_long(folder: str) -> None:
    lengths = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in (ROOT / folder).rglob("*.py")}
    assert {p: n for p, n in lengths.items() if n > MAX_LINES} == {}


def _modules_after(code: str) -> set[str]:
    code += "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _heavy(loaded: set[str]) -> set[str]:
    return {m.split(".")[0] for m in loaded} & {"torch", "transformers", "librosa", "gradio", "matplotlib"}


def test_import_babycry_is_light_and_lazy() -> None:
    assert _heavy(_modules_after("import babycry")) == set()
    # the public names load their modules on first use, and still no torch until a model is used
    loaded = _modules_after(
        "import babycry\n"
        "from babycry import analyse, load_detector, load_reason, load_model, BabyCryError, Audio, load, from_array\n"
        "assert analyse.__module__ == 'babycry.analysis' and issubclass(BabyCryError, Exception)\n"
        "assert set(babycry.__all__) <= set(dir(babycry))\n"
    )
    assert "torch" not in {m.split(".")[0] for m in loaded}


def test_the_apps_page_modules_leave_scipy_signal_and_audiomentations_for_later() -> None:
    # ~1 s of the app's start-up (docs/api.md): the Augment tab lists the transforms and the recipe's ranges
    # without building any of them, and the preprocessing filters import scipy.signal when first run.
    loaded = _modules_after("import babycry.augment, babycry.preprocess, babycry.training.recipes, "
                            "babycry.augment.registry as r; r.available()")
    assert not {"scipy.signal", "audiomentations"} & loaded


def test_unknown_names_still_raise_attribute_error() -> None:
    import babycry

    with pytest.raises(AttributeError, match="no_such_name"):
        babycry.no_such_name  # noqa: B018


def test_the_command_line_starts_light() -> None:
    # no UI toolkit and no plotting until a command asks for a figure
    assert _heavy(_modules_after("import babycry.cli")) & {"gradio", "matplotlib"} == set()


def test_every_babycry_module_imports_without_gradio() -> None:
    # Every module of the package, whoever wrote it: the library must never need the UI toolkit.
    loaded = _modules_after(
        "import importlib, pkgutil, babycry\n"
        "for m in pkgutil.walk_packages(babycry.__path__, 'babycry.'):\n"
        "    if m.name != 'babycry.__main__':\n"
        "        importlib.import_module(m.name)\n"
    )
    assert not {m for m in loaded if m.split(".")[0] in ("gradio", "gradio_client")}
