"""The built site, as a student sees it: every page of the TOC in headless Chromium.

For each page, loaded in a fresh browser context (no cache, as a first visit): math
is typeset where the page has math, explorers change their frame when a slider moves,
saved ipywidgets render, no request leaves 127.0.0.1, no request gets an error status
(the server records every request, the favicon too: the browser asks for it outside
the page, where the page's response events do not see it), and the console shows no
errors and the page throws none. Screenshots land in ``_build/site-check/`` for a
human look.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and the ``playwright`` Python
package — driven with ``executable_path``; ``playwright install`` is never used.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "site-check"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Every host but 127.0.0.1 goes through a proxy that is not there, so nothing leaves
# the machine; requests are watched, not intercepted (Playwright's routing would stop
# Chromium from asking for the favicon, and so hide a missing one).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--proxy-server=http://127.0.0.1:9"]

pytestmark = pytest.mark.site


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]] + [c["file"] for p in toc.get("parts", []) for c in p.get("chapters", [])]
    return [d + ".html" for d in docs]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    served: list  # (path, status) of every request, set by serve()

    def log_message(self, *args):
        pass

    def log_request(self, code="-", size="-"):
        self.served.append((self.path, int(code)))


class Site(str):
    """The base URL of a served folder; ``.served`` lists (path, status) of each request."""

    served: list

    def failures(self) -> list[str]:
        return [f"HTTP {status}: {path}" for path, status in self.served if status >= 400]


@contextlib.contextmanager
def serve(directory: Path):
    served: list = []
    handler_class = type("Handler", (QuietHandler,), {"served": served})
    handler = functools.partial(handler_class, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    site = Site(f"http://127.0.0.1:{httpd.server_address[1]}")
    site.served = served
    try:
        yield site
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").exists():
        pytest.skip("no built site in _build/html: run `make book` first (`make test` does)")
    with serve(SITE) as site:
        yield site


def wait_for_favicon(page, site: Site, timeout_ms: int = 3000) -> bool:
    """Give the browser time to ask for the tab icon (it does so after ``load``)."""
    for _ in range(timeout_ms // 100):
        if any("favicon" in path for path, _ in site.served):
            return True
        page.wait_for_timeout(100)
    return False


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def visit(browser, url: str, shot: Path):
    """Load ``url`` in a fresh context.

    Returns (context, page, non-local requests, console errors, page errors).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    foreign, console, errors = [], [], []

    def request(r):
        local = urlparse(r.url).hostname == "127.0.0.1"
        if not (local or r.url.startswith(("data:", "blob:", "about:"))):
            foreign.append(r.url)   # it fails at the proxy; recorded here

    context.on("request", request)
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if (m.type == "error" and "Failed to load resource" not in m.text)
            or "invalid theme" in m.text.lower() else None)  # failed loads are reported with their URL below
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: console.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    return context, page, foreign, console, errors


# Every code or output block that is wider than its box (it would scroll
# sideways), with its first line, so the message says which one.
SIDEWAYS_PRE = """() => [...document.querySelectorAll('main pre')]
    .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
    .map(pre => pre.scrollWidth + ' > ' + pre.clientWidth + ': '
         + pre.textContent.split('\\n')[0].slice(0, 60))"""


@pytest.mark.parametrize("doc", toc_pages())
def test_page(server, browser, doc):
    html_path = SITE / doc
    assert html_path.exists(), f"{doc} was not built"
    source = html_path.read_text(encoding="utf-8")
    assert "&lt;Figure size" not in source, f"{doc} shows a figure as text instead of an image"
    server.served.clear()
    context, page, foreign, console, errors = visit(browser, f"{server}/{doc}", SHOTS / doc.replace("/", "_"))
    try:
        if 'class="math' in source:
            page.wait_for_selector("mjx-container", state="attached", timeout=20000)
        explorers = page.locator(".nnlab-explorer")
        for i in range(explorers.count()):
            ex = explorers.nth(i)
            ex.scroll_into_view_if_needed()
            before = (ex.get_attribute("data-frame"), ex.locator("img").get_attribute("src"))
            slider = ex.locator('input[type="range"]').first
            target = "0" if slider.input_value() != "0" else slider.get_attribute("max")
            slider.fill(target)  # sets the value and fires input/change, like a drag
            after = (ex.get_attribute("data-frame"), ex.locator("img").get_attribute("src"))
            assert after[0] != before[0] and after[1] != before[1], f"explorer {i} on {doc} did not change frame"
            assert ex.locator("img").get_attribute("alt"), f"explorer {i} on {doc} has no alt text"
        if "application/vnd.jupyter.widget-view+json" in source:
            page.wait_for_selector(".jupyter-widgets", timeout=20000)
        wide = page.evaluate(SIDEWAYS_PRE)
        assert not wide, f"{doc}: code or output blocks scroll sideways at 1280 px: {wide[:3]}"
        for img in page.locator("main img").all():
            assert img.get_attribute("alt"), f"an image on {doc} has no alt text: {img.get_attribute('src')[:80]}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (doc.replace("/", "_") + ".png")), full_page=False)
        page.wait_for_timeout(200)
        wait_for_favicon(page, server)
    finally:
        context.close()
    assert not server.failures(), f"{doc}: requests that failed: {server.failures()}"
    assert not foreign, f"{doc} requested other hosts: {foreign[:5]}"
    assert not errors, f"{doc} threw: {errors}"
    assert not console, f"{doc} logged console errors: {console}"


def test_favicon_is_served_on_every_page_and_at_the_root(server, browser):
    """A fresh browser asks for the tab icon: the one the page declares, or /favicon.ico."""
    with urllib.request.urlopen(f"{server}/favicon.ico") as r:     # raises on 404
        assert r.status == 200 and r.read(4) == b"\x00\x00\x01\x00"   # an ICO file
    for doc in toc_pages():
        html = (SITE / doc).read_text(encoding="utf-8")
        assert 'rel="icon"' in html, f"{doc} declares no favicon"
    server.served.clear()
    context, page, *_ = visit(browser, f"{server}/{toc_pages()[0]}", SHOTS / "favicon")
    try:
        asked = wait_for_favicon(page, server)
    finally:
        context.close()
    if asked:
        icons = [(path, status) for path, status in server.served if "favicon" in path]
        assert all(status == 200 for _, status in icons), icons


def test_a_missing_favicon_is_caught(browser, tmp_path):
    """The check can fail: a page without a favicon, on a site without one, is a 404."""
    (tmp_path / "page.html").write_text("<!doctype html><title>no icon</title><p>text</p>")
    with serve(tmp_path) as site:
        context, page, foreign, console, errors = visit(browser, f"{site}/page.html", SHOTS / "no-icon")
        try:
            asked = wait_for_favicon(page, site, timeout_ms=5000)
        finally:
            context.close()
        if not asked:
            pytest.skip("this Chromium does not ask for /favicon.ico on its own")
        assert site.failures() == ["HTTP 404: /favicon.ico"]


def test_a_request_to_another_host_is_caught(browser, tmp_path):
    """The offline check can fail: an image from another host is recorded (and not fetched)."""
    icon = ROOT / "book" / "_extra" / "favicon.ico"
    (tmp_path / "favicon.ico").write_bytes(icon.read_bytes())
    (tmp_path / "page.html").write_text(
        '<!doctype html><title>t</title><img src="http://example.com/x.png" alt="x">')
    with serve(tmp_path) as site:
        context, page, foreign, console, errors = visit(browser, f"{site}/page.html", SHOTS / "foreign")
        try:
            loaded = page.evaluate("document.images[0].naturalWidth > 0")
        finally:
            context.close()
    assert foreign == ["http://example.com/x.png"] and not loaded
    assert not site.failures()


def test_widget_manager_is_not_loaded_where_no_widget_shows():
    pages = [SITE / d for d in toc_pages() if (SITE / d).exists()]
    if not pages:
        pytest.skip("no built site in _build/html: run `make book` first (`make test` does)")
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if "application/vnd.jupyter.widget-view+json" not in text:
            assert "embed-amd.js" not in text, f"{page.name} loads the 4 MB widget manager but shows no widget"
        assert text.count("THEBE_JS_URL") <= 1, f"{page.name} declares THEBE_JS_URL twice"


@pytest.fixture(scope="module")
def widget_book(tmp_path_factory):
    """A one-page book, built with the course's configuration, that shows a real ipywidget."""
    import subprocess

    import nbformat

    make = shutil.which("make")
    if make is None:
        pytest.skip("GNU make is not installed")
    folder = tmp_path_factory.mktemp("widget_book")
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", folder / "book" / "_ext")
    shutil.copytree(ROOT / "book" / "_extra", folder / "book" / "_extra")
    shutil.copytree(ROOT / "book" / "_static", folder / "book" / "_static")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A saved widget"),
        nbformat.v4.new_code_cell("import ipywidgets as W\nW.IntSlider(value=3, description='n')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "book" / "page.ipynb")
    result = subprocess.run([make, "--no-print-directory", "-C", str(ROOT), "book", f"BOOK_ROOT={folder}"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return folder / "_build" / "html"


def test_saved_ipywidget_renders_offline(widget_book, browser):
    """The vendored widget manager (not a CDN) renders a saved widget on a static page."""
    page_html = (widget_book / "book" / "page.html").read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" in page_html
    assert "vendor/embed-amd.js" in page_html
    with serve(widget_book) as site:
        url = f"{site}/book/page.html"
        context, page, foreign, console, errors = visit(browser, url, SHOTS / "widget.png")
        try:
            page.wait_for_selector(".jupyter-widgets .widget-slider, .jupyter-widgets", timeout=20000)
            wait_for_favicon(page, site)
        finally:
            context.close()
    assert not site.failures(), f"the widget page: requests that failed: {site.failures()}"
    assert not foreign, f"the widget page requested other hosts: {foreign[:5]}"
    assert not errors, errors
    assert not console, console


def test_a_block_that_scrolls_sideways_is_caught(browser):
    """SIDEWAYS_PRE finds a code block wider than its box, and only that one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_content("<main><div style='width: 600px'>"
                         f"<pre>{'x' * 40}</pre><pre>{'y' * 200}</pre></div></main>")
        wide = page.evaluate(SIDEWAYS_PRE)
    finally:
        context.close()
    assert len(wide) == 1 and wide[0].endswith("y" * 60)
