"""The package's layers import only downward (or sideways), and the core never needs plotting libraries."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "nnlab"
LAYER = {
    "_validate": 0,
    "activations": 1, "losses": 1, "init": 1, "gradcheck": 1, "data": 1,
    "layers": 2, "optim": 2, "schedules": 2, "models": 2,
    "descent": 2,
    "activation_tools": 2,
    "linear_models": 2,
    "train": 3, "io": 3,
    "check": 4, "viz": 4, "widgets": 4, "book": 4,
}
CORE = [m for m, level in LAYER.items() if 1 <= level <= 3]


def nnlab_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("nnlab."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("nnlab."))
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in PKG.glob("*.py")} - {"__init__"}
    assert modules <= set(LAYER), f"give these modules a layer in tests/test_layering.py: {modules - set(LAYER)}"


def test_imports_only_go_downward():
    wrong = []
    for path in PKG.glob("*.py"):
        if path.stem == "__init__":
            continue
        for dep in nnlab_imports(path):
            if dep in LAYER and LAYER[dep] > LAYER[path.stem]:
                wrong.append(f"{path.stem} (layer {LAYER[path.stem]}) imports {dep} (layer {LAYER[dep]})")
    assert not wrong, wrong


def test_core_never_loads_matplotlib_or_ipywidgets():
    code = (
        "import sys, importlib\n"
        f"for m in {[m for m in CORE if (PKG / (m + '.py')).exists()]!r}: importlib.import_module('nnlab.' + m)\n"
        "bad = [m for m in ('matplotlib', 'ipywidgets', 'torch') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
