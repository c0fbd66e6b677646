"""Policies for the committed chapters: small, reviewable, and complete.

* a notebook in git keeps only the outputs nbval checks, as text (``make strip``);
* every page in _toc.yml exists;
* every chapter has checked cells, an explorer and at least three exercises with solutions.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHECK = "NBVAL_CHECK_OUTPUT"


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def tracked_notebooks() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True)
        paths = [ROOT / p for p in out.stdout.split()]
    except (OSError, subprocess.CalledProcessError):
        paths = []
    return paths or sorted((ROOT / "book").glob("*.ipynb"))


CHAPTERS = sorted((ROOT / "book").glob("ch*.ipynb"))


def resolve(docname: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (ROOT / (docname + suffix)).exists():
            return ROOT / (docname + suffix)
    raise FileNotFoundError(docname)


def test_every_toc_entry_exists():
    missing = []
    for doc in toc_files():
        try:
            resolve(doc)
        except FileNotFoundError:
            missing.append(doc)
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_every_chapter_is_in_the_toc():
    listed = {resolve(d) for d in toc_files()}
    assert not [c.name for c in CHAPTERS if c not in listed]


@pytest.mark.parametrize("path", tracked_notebooks(), ids=lambda p: p.name)
def test_committed_notebook_keeps_only_checked_text_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, f"{path.name}: saved widget state; run `make strip`"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if CHECK not in cell.source:
            assert not cell.outputs, f"{path.name} cell {i}: unchecked cell keeps outputs; run `make strip`"
        for out in cell.outputs:
            kinds = set(out.get("data", {}))
            allowed = {"text/plain", "application/papermill.record/text/plain"}
            assert kinds <= allowed, f"{path.name} cell {i}: keeps {kinds - allowed}; run `make strip`"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_the_template(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "Learning objectives" in text, "a chapter opens with its learning objectives"
    assert "## Summary" in text, "a chapter ends with a summary"
    checked = [c for c in code if CHECK in c.source]
    assert checked and all(c.outputs for c in checked), "checked cells must carry their expected outputs"
    exercises = re.findall(r"```\{exercise\}", text)
    solutions = re.findall(r"```\{solution-start\}", text)
    assert len(exercises) >= 3 and len(solutions) >= len(exercises), "at least 3 exercises, each with a solution"
    assert text.count("check.") >= 3, "exercises are checked by nnlab.check"
    assert "explore(" in text or "Explorer(" in text, "each chapter has an explorer"
    assert "literalinclude" in text and ":pyobject:" in text, "code shown is nnlab's own source"
    for c in code:
        if "explore(" in c.source or "Explorer(" in c.source:
            assert "nbval-ignore-output" in c.metadata.get("tags", []), "explorer cells are nbval-ignore-output"


def test_literalincludes_point_at_real_objects():
    """A renamed function must not silently drop its listing from the book."""
    import ast

    bad = []
    for path in CHAPTERS:
        for m in re.finditer(r"\{literalinclude\}\s+(\S+)\s*\n:pyobject:\s*(\S+)", path.read_text()):
            src = (path.parent / m.group(1).replace("\\n", "")).resolve()
            if not src.exists():
                bad.append(f"{path.name}: {m.group(1)} missing")
                continue
            names = {n.name for n in ast.walk(ast.parse(src.read_text())) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            if m.group(2).split(".")[-1] not in names:
                bad.append(f"{path.name}: {m.group(2)} not in {src.name}")
    assert not bad, bad
