"""The book is written in our own words: no run of 9 words is copied from the lecture notes.

Formulas and numbers may carry over (they are dropped before comparing), and so may
quotations marked as such (an erratum quotes the slide it corrects); sentences may not. The lecture notes live in ../shared/seeds/ beside the repository; without them the
test skips and says so.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
N = 9  # words in a row that would count as copying


def words(text: str) -> list[str]:
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$|`[^`]*`", " ", text, flags=re.S)  # drop maths and code
    text = re.sub(r'"[^"\n]*"|“[^”\n]*”', " ", text)  # quoting the notes (errata, slide titles) is allowed
    return re.findall(r"[a-z]+", text.lower())


def ngrams(ws: list[str]) -> set[tuple[str, ...]]:
    return {tuple(ws[i:i + N]) for i in range(len(ws) - N + 1)}


def book_pages():
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        yield path.name, "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for path in sorted((ROOT / "book").glob("*.md")):
        yield path.name, path.read_text()


def test_no_sentence_is_copied_from_the_lecture_notes():
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip(f"lecture notes not found in {SEEDS}")
    lecture = set()
    for seed in seeds:
        lecture |= ngrams(words(seed.read_text(errors="replace")))
    copied = []
    for name, text in book_pages():
        for gram in sorted(ngrams(words(text)) & lecture):
            copied.append(f"{name}: {' '.join(gram)}")
    assert not copied, "runs of words copied from the lecture notes:\n" + "\n".join(copied[:20])
