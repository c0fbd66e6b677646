"""nnlab has three layers, and imports only go downward.

1. core library: nnlab/*.py (activations, layers, train, ...), general code
2. chapter code: nnlab/chapters/chNN_*.py, one module per chapter
3. book tooling: nnlab/book/ (glue, check, viz, widgets)

The core imports only the core; a chapter module imports only the core (never
another chapter, never the book tooling); only the book tooling may load
matplotlib, ipywidgets or myst-nb. Core docstrings name no chapter.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "nnlab"
BOOK = PKG.parent / "book"
CORE = sorted(p for p in PKG.glob("*.py") if p.stem != "__init__")
CHAPTERS = sorted(p for p in (PKG / "chapters").glob("ch*.py"))
TOOLING = sorted((PKG / "book").glob("*.py"))
HEAVY = ("matplotlib", "ipywidgets", "myst_nb", "IPython", "PIL", "torch")


def dotted(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module path.py imports, as absolute dotted names."""
    package = dotted(path) if path.stem == "__init__" else dotted(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return found


def nnlab_imports(path: Path) -> set[str]:
    return {m for m in imports(path) if m.startswith("nnlab.")}


def layer_of(module: str) -> str | None:
    """'core', 'chapter:<name>' or 'book' for an nnlab module name; None for
    names that are not modules (a function imported from a module)."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] == "book":
        return "book"
    if len(parts) >= 3 and parts[1] == "chapters":
        return f"chapter:{parts[2]}"
    if len(parts) == 2 and parts[1] == "chapters":
        return "chapters-package"
    if len(parts) >= 2 and (PKG / f"{parts[1]}.py").exists():
        return "core"
    return None


def test_the_three_layers_exist():
    assert CORE and CHAPTERS and TOOLING
    names = [p.stem for p in CHAPTERS]
    notebooks = sorted(p.stem for p in BOOK.glob("ch*.ipynb"))
    assert names == notebooks, ("one chapter module per chapter, named like its "
                                f"notebook: modules {names}, notebooks {notebooks}")


def test_core_imports_only_core():
    wrong = [f"{p.name} imports {m}" for p in CORE for m in nnlab_imports(p)
             if layer_of(m) not in ("core", None)]
    assert not wrong, wrong


def test_chapter_modules_import_only_core():
    wrong = []
    for path in CHAPTERS:
        for m in nnlab_imports(path):
            layer = layer_of(m)
            if layer not in ("core", None, "chapters-package"):
                wrong.append(f"{path.name} imports {m}")
            if layer == "chapters-package" and m != "nnlab.chapters":
                wrong.append(f"{path.name} imports {m}")
    assert not wrong, wrong


def test_only_book_tooling_imports_heavy_libraries():
    wrong = [f"{p.relative_to(PKG)} imports {m}" for p in CORE + CHAPTERS
             for m in imports(p) if m.split(".")[0] in HEAVY]
    assert not wrong, wrong


def test_the_checker_finds_a_wrong_import(tmp_path):
    """The rules above are not vacuous: a chapter that imports another
    chapter, or the core importing the book, is found."""
    bad = tmp_path / "x.py"
    bad.write_text("from .ch02_logistic import logistic_loss\nfrom ..book import check\n")
    fake = PKG / "chapters" / "_probe_not_a_module.py"
    try:
        fake.write_text(bad.read_text())
        found = {layer_of(m) for m in nnlab_imports(fake)}
    finally:
        fake.unlink()
    assert "chapter:ch02_logistic" in found and "book" in found


def test_importing_core_and_chapters_loads_no_heavy_library():
    code = (
        "import sys, importlib\n"
        f"for m in {[dotted(p) for p in CORE + CHAPTERS]!r}: importlib.import_module(m)\n"
        f"bad = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


CHAPTER_WORD = re.compile(r"\b(?:chapters?|ch\.)\s*\d+", re.IGNORECASE)


def docstrings(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield getattr(node, "name", "<module>"), doc


def test_core_docstrings_name_no_chapter():
    wrong = [f"{p.name}:{name}: {m.group(0)!r}" for p in CORE
             for name, doc in docstrings(p) for m in CHAPTER_WORD.finditer(doc)]
    assert not wrong, wrong
    assert CHAPTER_WORD.search("see Chapter 7") and CHAPTER_WORD.search("(Ch. 2)")
