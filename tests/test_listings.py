"""The nnlab source the book shows reads like the formulas it implements.

Every ``{literalinclude}`` with ``:pyobject:`` in a chapter is found, and the
object's source is taken the way Sphinx takes it (decorators included). Then:

- input checks are at most 15 % of the shown code lines, over the whole book
  (checks and bookkeeping live outside the shown functions: a ``@checks``
  decorator or a public function that validates and calls the mathematics);
- docstrings read well as plain text: no reST/LaTeX markup, which students
  would see raw in JupyterLab and in ``help()``;
- no shown line is longer than 79 characters.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("ch*.ipynb"))
INCLUDE = re.compile(r"```\{literalinclude\}\s*(\S+)\n((?::[\w-]+:.*\n)*)")
MAX_CHECK_SHARE = 0.15
MAX_LINE = 79

# A line is an input check when it raises, decides whether to raise, or calls
# one of the validators (nnlab._validate and the private helpers built on it).
CHECK_CALL = re.compile(
    r"\b(as_float_array|as_matrix|as_list|as_number_array|as_shaped|"
    r"check_\w+|class_labels|binary_labels|_check\w*|_validate\w*|"
    r"_input|_grad_input|_need_forward)\(")
MARKUP = re.compile(r":math:|\.\. math::|:func:|:class:|:mod:|:meth:|``|"
                    r"\\frac|\\sum|\\sigma|\\theta|\\eta|\\nabla|\\lVert|\\log|"
                    r"\\operatorname|\\mathbb|\\qquad|\\tfrac|\\left|\\right")


def shown_objects():
    """(chapter, file, object name) for every literalinclude with :pyobject:."""
    found = []
    for nb in NOTEBOOKS:
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for m in INCLUDE.finditer("".join(cell["source"])):
                obj = re.search(r":pyobject:\s*(\S+)", m.group(2))
                if obj:
                    path = (nb.parent / m.group(1)).resolve()
                    found.append((nb.stem, path, obj.group(1)))
    return found


def find(tree: ast.AST, dotted_name: str):
    node = tree
    for part in dotted_name.split("."):
        node = next(n for n in ast.iter_child_nodes(node)
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                    and n.name == part)
    return node


def listing(path: Path, name: str):
    """The shown lines and the line numbers (1-based) of docstrings."""
    source = path.read_text()
    node = find(ast.parse(source), name)
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    lines = source.splitlines()[first - 1:node.end_lineno]
    doc_lines = set()
    for inner in ast.walk(node):
        if isinstance(inner, (ast.FunctionDef, ast.ClassDef)) and inner.body:
            head = inner.body[0]
            if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant) \
                    and isinstance(head.value.value, str):
                doc_lines.update(range(head.lineno - first,
                                       head.end_lineno - first + 1))
    return lines, doc_lines, ast.get_docstring(node) or ""


def code_and_checks(lines, doc_lines):
    code = checks = 0
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or text.startswith("#") or i in doc_lines:
            continue
        code += 1
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if (text.startswith("@checks") or text.startswith("raise ")
                or CHECK_CALL.search(text)
                or (text.startswith("if ") and following.startswith("raise "))):
            checks += 1
    return code, checks


OBJECTS = shown_objects()
IDS = [f"{ch}:{name}" for ch, _, name in OBJECTS]


def test_the_book_shows_nnlab_source():
    assert len(OBJECTS) >= 40, "the chapters show nnlab functions"


def test_checks_are_at_most_15_percent_of_shown_code():
    per_chapter, total_code, total_checks = {}, 0, 0
    for ch, path, name in OBJECTS:
        code, checks = code_and_checks(*listing(path, name)[:2])
        total_code += code
        total_checks += checks
        c, k = per_chapter.get(ch, (0, 0))
        per_chapter[ch] = (c + code, k + checks)
    report = ", ".join(f"{ch}: {k}/{c}" for ch, (c, k) in per_chapter.items())
    assert total_checks <= MAX_CHECK_SHARE * total_code, (
        f"{total_checks} of {total_code} shown code lines are input checks "
        f"(at most {MAX_CHECK_SHARE:.0%}); per chapter {report}")


def test_the_check_counter_counts():
    lines = ['@checks(_xy)', 'def f(X, y):', '    """Doc."""',
             '    if X.ndim != 2:', '        raise ValueError("X")',
             '    X = as_matrix(X)', '    return X @ y']
    assert code_and_checks(lines, {2}) == (6, 4)


@pytest.mark.parametrize("ch, path, name", OBJECTS, ids=IDS)
def test_shown_docstring_is_plain_text(ch, path, name):
    doc = listing(path, name)[2]
    bad = sorted(set(MARKUP.findall(doc)))
    assert not bad, f"{path.name}:{name} docstring has markup {bad}: write " \
                    "plain text or Unicode (σ(z) = 1 / (1 + exp(−z)))"


@pytest.mark.parametrize("ch, path, name", OBJECTS, ids=IDS)
def test_shown_lines_fit_the_page(ch, path, name):
    long = [line for line in listing(path, name)[0] if len(line) > MAX_LINE]
    assert not long, f"{path.name}:{name} has lines over {MAX_LINE} " \
                     f"characters: {long[:3]}"


def test_chapter_modules_fit_the_page():
    long = [f"{p.name}:{i}" for p in sorted((ROOT / "nnlab" / "chapters").glob("*.py"))
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if len(line) > MAX_LINE]
    assert not long, f"lines over {MAX_LINE} characters: {long[:10]}"


def code_cells(nb: Path):
    return [("".join(c["source"]), c.get("outputs", []))
            for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_code_cells_fit_the_page(nb):
    long = [line for source, _ in code_cells(nb) for line in source.splitlines()
            if len(line) > MAX_LINE]
    assert not long, f"{nb.name}: code lines over {MAX_LINE} characters: {long[:3]}"
