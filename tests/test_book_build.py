"""A green build must never hide a failed notebook.

Builds a one-page book whose only cell raises, with the course's real _config.yml
and the real `make book` command, and expects the build to fail and to say why.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def write_book(folder: Path, source: str) -> None:
    """A one-page book with the course's own _config.yml and Sphinx extension."""
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", folder / "book" / "_ext")
    shutil.copytree(ROOT / "book" / "_extra", folder / "book" / "_extra")
    shutil.copytree(ROOT / "book" / "_static", folder / "book" / "_static")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A page"),
                                         nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "book" / "page.ipynb")


@pytest.fixture
def make():
    exe = shutil.which("make")
    if exe is None:
        pytest.skip("GNU make is not installed")
    return exe


def build(make, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([make, "--no-print-directory", "-C", str(ROOT), "book", f"BOOK_ROOT={folder}"],
                          capture_output=True, text=True, timeout=600)


def test_failing_cell_fails_make_book(make, tmp_path):
    write_book(tmp_path, "raise RuntimeError('deliberately broken cell')")
    result = build(make, tmp_path)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "make book succeeded although a cell raised:\n" + log[-3000:]
    assert "deliberately broken cell" in log or "RuntimeError" in log, log[-3000:]


def test_stray_warning_fails_make_book(make, tmp_path):
    write_book(tmp_path, "import warnings\nwarnings.warn('a forgotten warning')")
    result = build(make, tmp_path)
    assert result.returncode != 0, "a cell's warning on stderr must fail the build (stderr_output: warn + -W)"
