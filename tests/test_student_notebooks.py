"""The notebooks students open (notebooks/) show what the site shows.

notebooks/ is generated from book/ by ``make notebooks``
(tools/export_notebooks.py) and committed, because Binder and Colab open
files from the repository. These tests check

* that it is in sync with the book: a fresh export into a temporary folder
  is byte for byte what is committed;
* that no Markdown cell holds MyST directive or role syntax, which Colab,
  GitHub and JupyterLab would show raw;
* that every literalinclude became the source the site shows, every glue
  role the number the site shows, every exercise its number on the site
  (the built HTML in _build/html is the reference, not the exporter);
* that the code cells are the book's;
* that the site's launch buttons open notebooks/, not book/;
* the exporter's translations one by one, on small inputs whose expected
  Markdown is written out by hand;
* that book/_ext imports nothing private from Sphinx.

The checks against the site need a build (``make book``; ``make test`` runs
it first) and skip without one.
"""
from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BUILD = ROOT / "_build"
SITE = BUILD / "html"
STUDENT = ROOT / "notebooks"
CHAPTERS = sorted(BOOK.glob("ch*.ipynb"))

sys.path.insert(0, str(ROOT / "tools"))
import export_notebooks as ex  # noqa: E402

# What MyST markup looks like in text (the list, and more).
MYST_MARKERS = ["{glue", ":::{", "```{", "~~~{", "{doc}", ":label:",
                "{ref}", "{eq}", "{numref}", ":class:", "{math}",
                "{literalinclude}", ":pyobject:", "{exercise", "{solution",
                "{admonition}", "{figure}", "{note}", "{warning}"]
ROLE = re.compile(r"\{[A-Za-z][\w:+-]*\}`")
NUMBER = re.compile(r"[-−+]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?"
                    r"|nan|inf")


def is_numeric(value: str) -> bool:
    """A number, or numbers in a tuple/list such as "(5, 3)"."""
    rest = NUMBER.sub("", value)
    return bool(NUMBER.search(value)) and not rest.strip(" ()[],;×")


def need_build():
    if not (BUILD / ".doctrees" / "environment.pickle").exists() or \
            not (SITE / "index.html").exists():
        pytest.skip("no book build in _build: run `make book` first"
                    " (`make test` does)")


def need_student_notebooks():
    if not list(STUDENT.glob("ch*.ipynb")):
        pytest.fail("notebooks/ holds no chapter: run `make notebooks` and"
                    " commit notebooks/")


def student(chapter: Path) -> nbformat.NotebookNode:
    return nbformat.read(STUDENT / chapter.name, as_version=4)


def soup(chapter: Path):
    bs4 = pytest.importorskip("bs4", reason="beautifulsoup4 reads the site")
    html = SITE / "book" / chapter.with_suffix(".html").name
    if not html.exists():
        pytest.skip(f"{html.name} is not built: run `make book`")
    return bs4.BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")


def prose(markdown: str) -> str:
    """``markdown`` without its fenced code blocks (nnlab's source)."""
    out, fence = [], None
    for line in markdown.split("\n"):
        m = re.match(r"^\s*(`{3,}|~{3,})", line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and line.strip().startswith(fence) and \
                line.strip() == fence[0] * len(line.strip()):
            fence = None
        elif fence is None:
            out.append(line)
    return "\n".join(out)


def fenced_blocks(markdown: str) -> list[str]:
    """The contents of the fenced code blocks of ``markdown``, in order."""
    blocks = []
    for m in re.finditer(r"^(`{3,})[^\n`]*\n(.*?)\n\1$", markdown,
                         re.S | re.M):
        blocks.append(m.group(2))
    return blocks


def markdown_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "markdown"]


# --------------------------------------------------------------------------
# notebooks/ against the book and the site
# --------------------------------------------------------------------------
def test_every_chapter_has_a_student_notebook():
    need_student_notebooks()
    made = {p.name for p in STUDENT.glob("ch*.ipynb")}
    assert made == {c.name for c in CHAPTERS}, \
        "notebooks/ and book/ hold different chapters: run `make notebooks`"


def test_student_notebooks_are_in_sync_with_the_book(tmp_path):
    """A fresh export is byte for byte the committed notebooks/."""
    need_build()
    need_student_notebooks()
    fresh = tmp_path / "notebooks"
    try:
        ex.export(ROOT, BUILD, fresh)
    except ex.ExportError as exc:
        pytest.fail(f"the export fails: {exc}")
    diff = ex.differences(fresh, STUDENT)
    assert not diff, (f"notebooks/ is out of date ({', '.join(diff)}):"
                      " run `make notebooks` and commit notebooks/")


def test_a_stale_notebook_is_noticed(tmp_path):
    """The sync check can fail: one changed character is a difference."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x.ipynb").write_text('{"cells": [1]}')
    (b / "x.ipynb").write_text('{"cells": [2]}')
    (a / "only_here.ipynb").write_text("{}")
    (b / ".ipynb_checkpoints").mkdir()          # JupyterLab's: ignored
    assert ex.differences(a, b) == ["only_here.ipynb", "x.ipynb"]
    (b / "x.ipynb").write_text('{"cells": [1]}')
    (a / "only_here.ipynb").unlink()
    assert ex.differences(a, b) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_markup_in_markdown_cells(chapter):
    need_student_notebooks()
    nb = student(chapter)
    for i, cell in enumerate(markdown_cells(nb)):
        text = prose(cell.source)
        found = [m for m in MYST_MARKERS if m in text]
        found += ROLE.findall(text)
        assert not found, f"{chapter.name} Markdown cell {i}: {found}"
        for line in text.split("\n"):
            assert not re.match(r"^\s*\(.+\)=\s*$", line), \
                f"{chapter.name} cell {i}: a MyST target {line!r}"
            assert not re.match(r"^\s*:::", line), \
                f"{chapter.name} cell {i}: a colon fence {line!r}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_the_books(chapter):
    need_student_notebooks()
    book = nbformat.read(chapter, as_version=4)
    nb = student(chapter)
    theirs = [c.source for c in book.cells if c.cell_type == "code"]
    setup = [c for c in nb.cells if c.cell_type == "code"
             and ex.SETUP_TAG in c.metadata.get("tags", [])]
    mine = [c.source for c in nb.cells if c.cell_type == "code"
            and ex.SETUP_TAG not in c.metadata.get("tags", [])]
    assert mine == theirs
    assert len(setup) == 1 and "google.colab" in setup[0].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_literalincludes_are_the_source_the_site_shows(chapter):
    """Each {literalinclude} is, in order, the code block the site shows."""
    need_build()
    need_student_notebooks()
    page = soup(chapter)
    shown = [div.pre.get_text().rstrip("\n")
             for div in page.select('div[class*="highlight-"]')
             if div.find_parent("div", class_="cell") is None]
    book = nbformat.read(chapter, as_version=4)
    includes = [m for c in markdown_cells(book) for m in re.finditer(
        r"^(`{3,}|:{3,})\{literalinclude\}[^\n]*\n((?::[^\n]*\n)*)",
        c.source, re.M)]
    assert includes, "this chapter shows no nnlab source"
    # The Markdown's code blocks (listings and plain ```fences) are, one by
    # one, the code blocks of the page outside its code cells.
    mine = [b for c in markdown_cells(student(chapter))
            for b in fenced_blocks(c.source)]
    assert mine == shown
    commonmark = pytest.importorskip("markdown_it").MarkdownIt("commonmark")
    plain = sum(1 for c in markdown_cells(book)
                for t in commonmark.parse(c.source)
                if t.type == "fence" and not t.info.startswith("{"))
    assert len(mine) == len(includes) + plain
    for m in includes:
        name = re.search(r":pyobject:\s*(\S+)", m.group(2))
        if name:
            obj = name.group(1).split(".")[-1]
            assert any(re.search(rf"^\s*(async def|def|class) {obj}\b", b,
                                 re.M) for b in mine), f"{obj} not shown"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_glue_roles_became_the_numbers_the_site_shows(chapter):
    need_build()
    need_student_notebooks()
    pasted = [s.get_text() for s in soup(chapter).select("span.pasted-text")]
    book = nbformat.read(chapter, as_version=4)
    per_cell = [(c.id, len(re.findall(r"\{glue(:text)?\}`", c.source)))
                for c in markdown_cells(book)]
    assert sum(n for _, n in per_cell) == len(pasted), \
        "the site shows another number of glued values than the book has"
    cells = {c.id: c.source for c in markdown_cells(student(chapter))}
    k = 0
    for cell_id, n in per_cell:
        values, k = pasted[k:k + n], k + n
        if not n:
            continue
        assert cell_id in cells, f"cell {cell_id} with glue was dropped"
        text, pos = cells[cell_id], 0
        for value in values:
            assert is_numeric(value), f"glued {value!r} is no number"
            found = text.find(value, pos)
            assert found >= 0, f"{value!r} (as on the site) is missing in" \
                f" cell {cell_id} or out of order"
            pos = found + len(value)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_are_numbered_as_on_the_site(chapter):
    need_build()
    need_student_notebooks()
    page = soup(chapter)
    site = [re.sub(r"\s+", " ", p.get_text()).strip() for p in
            page.select("div.exercise p.admonition-title")]
    text = "\n".join(c.source for c in markdown_cells(student(chapter)))
    mine = [m.group(1) + (f" ({m.group(2)})" if m.group(2) else "")
            for m in re.finditer(r"\*\*(Exercise[^*]*)\*\*(?: \((.*)\))?",
                                 text)]
    assert mine == site
    solutions = page.select("div.solution")
    summaries = re.findall(r"<summary>(Solution to Exercise [\d.]+)"
                           r"</summary>", text)
    assert len(summaries) == len(solutions)
    for summary, div in zip(summaries, solutions):
        title = div.select_one("p.admonition-title").get_text()
        assert re.sub(r"\s+", " ", title).strip() == summary
        assert "dropdown" in div["class"]
    assert text.count("<details>") == text.count("</details>") \
        >= len(solutions)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_figure_captions_are_numbered_as_on_the_site(chapter):
    need_build()
    need_student_notebooks()
    site = [(re.sub(r"\s+", " ", f.select_one(".caption-number")
                    .get_text()).strip(),
             re.sub(r"\s+", " ", f.select_one(".caption-text").get_text())
             .strip())
            for f in soup(chapter).select("figure")
            if f.select_one(".caption-number")]
    mine = [(m.group(1), m.group(2).strip()) for c in
            markdown_cells(student(chapter)) for m in re.finditer(
                r"^\*\*(Fig\. [\d.]+)\*\* (.*)$", c.source, re.M)]
    assert [n for n, _ in mine] == [n for n, _ in site]
    for (_, mine_text), (_, site_text) in zip(mine, site):
        if "$" not in mine_text and "`" not in mine_text:
            assert mine_text == site_text


def test_links_between_notebooks_resolve():
    need_student_notebooks()
    for path in STUDENT.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in markdown_cells(nb):
            for target in re.findall(r"\]\(([^)\s]+)\)", prose(cell.source)):
                if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                    continue
                file = (STUDENT / target.split("#")[0]).resolve()
                assert file.exists(), f"{path.name} links to {target}"


def test_admonitions_keep_their_titles():
    """Learning objectives and errata are bold-titled blockquotes."""
    need_student_notebooks()
    for chapter in CHAPTERS:
        book = nbformat.read(chapter, as_version=4)
        titles = [m.group(1).strip() for c in markdown_cells(book)
                  for m in re.finditer(r"^:{3,}\{admonition\}\s*(.*)$",
                                       c.source, re.M)]
        text = "\n".join(c.source for c in markdown_cells(student(chapter)))
        for title in titles:
            title = re.sub(r"\{glue:text\}`[^`]*`", "", title)
            plain = re.escape(title.split("{")[0].strip())
            assert re.search(rf"^> \S+ \*\*{plain}", text, re.M), title


# --------------------------------------------------------------------------
# Launch buttons
# --------------------------------------------------------------------------
LAUNCH_HOSTS = ("mybinder.org", "colab.research.google.com",
                "/hub/user-redirect/")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_launch_buttons_open_the_student_notebook(chapter):
    need_build()
    links = [a["href"] for a in soup(chapter).select("a[href]")
             if any(h in a["href"] for h in LAUNCH_HOSTS)]
    assert any("mybinder.org" in u for u in links), "no Binder button"
    assert any("colab" in u for u in links), "no Colab button"
    for url in links:
        assert f"notebooks/{chapter.name}" in url, url
        assert f"book/{chapter.name}" not in url, url
    assert (STUDENT / chapter.name).exists() or not list(
        STUDENT.glob("*.ipynb")), "the buttons open a notebook not in git"


def load_ext():
    spec = importlib.util.spec_from_file_location(
        "nnlab_sphinx_under_test", BOOK / "_ext" / "nnlab_sphinx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def theme_buttons(jupyterhub: str = "https://hub.example.edu"):
    """The launch buttons sphinx-book-theme itself builds for a chapter."""
    import types

    launch = pytest.importorskip("sphinx_book_theme.header_buttons.launch")
    config = {"html_theme_options": {"launch_buttons": {
        "notebook_interface": "jupyterlab",
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "jupyterhub_url": jupyterhub}, "repository_branch": "main",
        "path_to_docs": ""}}
    app = types.SimpleNamespace(
        config=config,
        env=types.SimpleNamespace(
            doc2path=lambda name: str(ROOT / (name + ".ipynb")),
            metadata={"book/ch02_logistic": {"kernelspec": {}}}))
    context = {"header_buttons": [], "pagename": "book/ch02_logistic",
               "sourcename": "ch02_logistic.ipynb",
               "github_url": "https://github.com", "github_user":
                   "nnlab-course", "github_repo": "nnlab-book"}
    launch.add_launch_buttons(app, "book/ch02_logistic", "page.html",
                              context, None)
    if not context["header_buttons"]:
        pytest.skip("this sphinx-book-theme builds no launch buttons here")
    return context["header_buttons"]


def test_retarget_rewrites_binder_colab_and_jupyterhub():
    ext = load_ext()
    buttons = theme_buttons()
    urls = [b["url"] for b in buttons[0]["buttons"]]
    assert len(urls) == 3 and all("book/ch02_logistic.ipynb" in u
                                  for u in urls), urls
    assert ext.retarget_launch_buttons(buttons,
                                       "book/ch02_logistic.ipynb") == 3
    for url in (b["url"] for b in buttons[0]["buttons"]):
        assert "notebooks/ch02_logistic.ipynb" in url
        assert "book/ch02_logistic.ipynb" not in url
    hub = buttons[0]["buttons"][1]["url"]
    assert hub.startswith("https://hub.example.edu/hub/user-redirect/")
    assert "urlpath=lab/tree/nnlab-book/notebooks/ch02_logistic.ipynb" in hub


def test_retarget_refuses_a_link_it_does_not_understand():
    ext = load_ext()
    buttons = [{"label": "launch-buttons", "buttons": [
        {"text": "Binder", "url": "https://mybinder.org/v2/gh/o/r/main"}]}]
    with pytest.raises(ValueError, match="does not open"):
        ext.retarget_launch_buttons(buttons, "book/ch02_logistic.ipynb")


def test_book_ext_imports_nothing_private():
    """Issue 9 §2: no private Sphinx imports (was sphinx...._assets)."""
    for path in (BOOK / "_ext").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".")
                names = [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                parts, names = [], [a.name for a in node.names]
            else:
                continue
            for name in parts + [p for n in names for p in n.split(".")]:
                assert not name.startswith("_") or name == "__future__", \
                    f"{path.name} imports the private {name!r}"


def test_widget_pages_load_the_baseurl_script_in_order():
    """Where the widget manager loads, the RequireJS baseUrl script sits
    between require.js and embed-amd.js, and nowhere else."""
    need_build()
    pages = list((SITE / "book").glob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        order = [m.group(1) for m in re.finditer(
            r'<script[^>]+src="[^"]*?(require\.js|widgets-baseurl\.js|'
            r'embed-amd\.js)', html)]
        assert order in ([], ["require.js", "widgets-baseurl.js",
                              "embed-amd.js"]), (page.name, order)
        assert "require.config(" not in html, page.name
    assert (SITE / "widgets-baseurl.js").exists()


# --------------------------------------------------------------------------
# The exporter, construct by construct (expected Markdown written by hand)
# --------------------------------------------------------------------------
def fake_site() -> ex.Site:
    return ex.Site(
        titles={"book/ch09_x": "Chapter nine", "book/other": "Other page"},
        labels={"sec-a": ("book/ch09_x", "sec-a", "A section"),
                "fig-a": ("book/ch09_x", "fig-a", "A caption."),
                "ex-a": ("book/ch09_x", "ex-a", "Exercise"),
                "far": ("book/other", "far", "Far away")},
        anonlabels={"sec-a": ("book/ch09_x", "sec-a"),
                    "fig-a": ("book/ch09_x", "fig-a"),
                    "ex-a": ("book/ch09_x", "ex-a"),
                    "far": ("book/other", "far")},
        fignumbers={"book/ch09_x": {"figure": {"fig-a": (9, 1)},
                                    "exercise": {"ex-a": (9, 1),
                                                 "ex-b": (9, 2)},
                                    "displaymath": {"equation-e1": (9, 3)}}},
        secnumbers={"book/ch09_x": {"#sec-a": (9, 2)}},
        equations={"e1": ("book/ch09_x", 7)},
        numfig_format={"figure": "Fig. %s", "exercise": "Exercise %s",
                       "section": "Section %s"},
        glue={"book/ch09_x": {
            "p": {"data": {"text/plain": "0.123456"}},
            "n": {"data": {"text/plain": "1234"}},
            "s": {"data": {"text/plain": "'a word'"}},
        }},
    )


def exporter(tmp_path, site=None) -> ex.Exporter:
    return ex.Exporter(site or fake_site(), "book/ch09_x", root=tmp_path,
                       targets={"book/ch09_x": "ch09_x.ipynb",
                                "book/other": "other.ipynb"},
                       out_dir=tmp_path / "notebooks",
                       extensions=("colon_fence", "dollarmath", "amsmath"))


def convert(tmp_path, text: str, site=None) -> str:
    return "\n\n".join(exporter(tmp_path, site).markdown(text, {}))


@pytest.mark.parametrize("role, shown", [
    ("{glue:text}`p:.3f`", "0.123"),
    ("{glue:text}`p:.1%`", "12.3%"),
    ("{glue:text}`p:.2e`", "1.23e-01"),
    ("{glue:text}`n:d`", "1234"),
    ("{glue:text}`n:,d`", "1,234"),
    ("{glue:text}`p`", "0.123456"),
    ("{glue:text}`s`", "a word"),
    ("{glue:}`n`", "1234"),
    ("{math}`x^2`", "$x^2$"),
    ("{doc}`other`", "[Other page](other.ipynb)"),
    ("{doc}`see this <other>`", "[see this](other.ipynb)"),
    ("{ref}`sec-a`", "A section"),
    ("{ref}`here <sec-a>`", "here"),
    ("{ref}`far`", "[Far away](other.ipynb)"),
    ("{numref}`fig-a`", "Fig. 9.1"),
    ("{numref}`Figure %s shows <fig-a>`", "Figure 9.1 shows"),
    ("{numref}`sec-a`", "Section 9.2"),
    ("{eq}`e1`", "(9.3)"),
    ("{code}`x = 1`", "`x = 1`"),
    ("{py:func}`nnlab.losses.mse`", "`nnlab.losses.mse()`"),
])
def test_roles(tmp_path, role, shown):
    assert convert(tmp_path, f"Value {role} here.") == f"Value {shown} here."


def test_code_spans_and_code_blocks_keep_role_syntax(tmp_path):
    text = "Write `{glue:text}`x`` like this.\n\n```md\n{doc}`a`\n```"
    assert convert(tmp_path, text) == text


def test_admonition_becomes_a_titled_blockquote(tmp_path):
    text = (":::{admonition} Erratum — a slip\n:class: warning\n"
            "The notes say $2$; it is {glue:text}`p:.2f`.\n:::")
    assert convert(tmp_path, text) == (
        "> ⚠️ **Erratum — a slip**\n>\n"
        "> The notes say $2$; it is 0.12.")


def test_named_admonition_and_dropdown(tmp_path):
    assert convert(tmp_path, "```{note}\nRead this.\n```") == \
        "> ℹ️ **Note**\n>\n> Read this."
    text = ":::{admonition} More\n:class: dropdown tip\nHidden.\n:::"
    assert convert(tmp_path, text) == \
        "<details>\n<summary>💡 More</summary>\n\nHidden.\n\n</details>"


def test_exercise_and_solution_directives(tmp_path):
    text = ("```{exercise} Warm-up\n:label: ex-a\n\nCompute it.\n```\n\n"
            "```{solution} ex-a\n:class: dropdown\n\nIt is 2.\n```")
    assert convert(tmp_path, text) == (
        "> **Exercise 9.1** (Warm-up)\n>\n> Compute it.\n\n"
        "<details>\n<summary>Solution to Exercise 9.1</summary>\n\n"
        "It is 2.\n\n</details>")


def test_gated_solution_spans_cells(tmp_path):
    e = exporter(tmp_path)
    first = e.markdown("```{exercise}\n:label: ex-a\nDo it.\n```", {})
    assert first == ["> **Exercise 9.1**\n>\n> Do it."]
    start = e.markdown("```{solution-start} ex-a\n:class: dropdown\n```\n"
                       "Think first.", {})
    assert start == ["<details>\n<summary>Solution to Exercise 9.1"
                     "</summary>\n\nThink first.\n\n</details>"]
    assert e.gate is not None and e.gate.dropdown     # code cells fold
    end = e.markdown("```{solution-end}\n```\n\nAfter.", {})
    assert end == ["After."] and e.gate is None


def test_second_exercise_takes_the_next_number(tmp_path):
    e = exporter(tmp_path)
    e.markdown("```{exercise}\n:label: ex-a\nOne.\n```", {})
    assert e.markdown("```{exercise}\nTwo.\n```", {}) == \
        ["> **Exercise 9.2**\n>\n> Two."]


def test_literalinclude_uses_sphinx_rules(tmp_path):
    src = tmp_path / "book" / "mod.py"
    src.parent.mkdir()
    src.write_text("import math\n\n\n@deco\ndef f(x):\n    return x\n\n\n"
                   "def g():\n    # start\n    a = 1\n    return a\n")
    text = "```{literalinclude} mod.py\n:pyobject: f\n```"
    assert convert(tmp_path, text) == \
        "```python\n@deco\ndef f(x):\n    return x\n```"
    text = "```{literalinclude} mod.py\n:lines: 1,9\n```"
    assert convert(tmp_path, text) == "```python\nimport math\ndef g():\n```"
    text = ("```{literalinclude} mod.py\n:pyobject: g\n"
            ":start-after: # start\n:dedent: 4\n```")
    assert convert(tmp_path, text) == "```python\na = 1\nreturn a\n```"


def test_literalinclude_of_code_with_fences_stays_one_block(tmp_path):
    src = tmp_path / "book" / "doc.py"
    src.parent.mkdir()
    src.write_text('def h():\n    """```\n    x\n    ```"""\n')
    out = convert(tmp_path, "```{literalinclude} doc.py\n:pyobject: h\n```")
    assert out.startswith("````python\n") and out.endswith("\n````")


def test_labelled_math_gets_its_number(tmp_path):
    assert convert(tmp_path, "$$\nx = 1\n$$ (e1)") == \
        "$$\nx = 1 \\tag{9.3}\n$$"


def test_a_figure_directive_is_an_image_with_its_caption(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "pic.png").write_bytes(b"\x89PNG")
    text = "```{figure} pic.png\n:name: fig-a\n:alt: a dot\n\nA dot.\n```"
    assert convert(tmp_path, text) == \
        "![a dot](../book/pic.png)\n\n**Fig. 9.1** A dot."


@pytest.mark.parametrize("text, message", [
    ("```{tab-set}\nx\n```", "unknown directive"),
    ("{cite}`knuth`", "unknown role"),
    ("{ref}`nowhere`", "label not found"),
    ("{glue:text}`missing:.2f`", "glue key 'missing'"),
    ("{doc}`nowhere`", "no such page"),
    ("* item\n\n  ```{note}\n  x\n  ```", "top level only"),
    (":::{admonition} T\n:klass: tip\nx\n:::", "not supported"),
    ("```{literalinclude} nope.py\n```", "no file"),
])
def test_unknown_or_broken_markup_fails_loudly(tmp_path, text, message):
    with pytest.raises(ex.ExportError, match=message):
        convert(tmp_path, text)


def test_leftover_check_catches_raw_myst():
    ext = ("colon_fence", "dollarmath")
    assert ex.myst_leftovers("plain $x$ and `{ref}`a`` text", ext) == []
    assert ex.myst_leftovers("see {ref}`a`", ext)
    assert ex.myst_leftovers("(target)=\n# T", ext)
    assert ex.myst_leftovers(":::{note}\nx\n:::", ext)


def test_a_chapter_edited_after_the_build_is_refused(tmp_path):
    """The export needs the build of exactly these cells (else: make book)."""
    need_build()
    chapter = CHAPTERS[0]
    root = tmp_path / "root"
    (root / "book").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, root / name)
    for path in BOOK.glob("*.*"):
        shutil.copy(path, root / "book" / path.name)
    nb = nbformat.read(root / "book" / chapter.name, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.source += "\n# an edit after the build"
    nbformat.write(nb, root / "book" / chapter.name)
    with pytest.raises(ex.ExportError, match="make book"):
        ex.export(root, BUILD, tmp_path / "out")
