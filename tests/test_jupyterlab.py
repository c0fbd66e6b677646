"""Every chapter a student opens runs in JupyterLab and shows the book.

Issue 9 §4 (a): one JupyterLab server (from this Python environment) on
127.0.0.1 with a token serves a temporary copy of notebooks/ (never the
repository itself: JupyterLab autosaves what it runs). Headless Chromium,
driven by Playwright, opens every chapter, runs all cells (menu Run → Run All
Cells), waits until every cell has run and the kernel is idle, and checks

* no error output: no stderr output area, no "Traceback", no "...Error";
* the prose is rendered, not MyST: no "{glue", ":::{" ... on the page, and
  nnlab's source shows as a rendered code block containing "def ";
* a live explorer: pressing → on its slider changes its image.

Screenshots of every chapter land in _build/lab-check/ for a human look.

Needs Debian's chromium and the playwright Python package (driven with
executable_path; ``playwright install`` is never used); skips without them.
About 2 minutes for the five chapters (most of it is the chapters' own
run time).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUDENT = ROOT / "notebooks"
CHAPTERS = sorted(STUDENT.glob("ch*.ipynb"))
SHOTS = ROOT / "_build" / "lab-check"
CHROMIUM = next((c for c in ("/usr/bin/chromium", shutil.which("chromium"),
                             shutil.which("chromium-browser"))
                 if c and Path(c).exists()), None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-quic", "--no-first-run",
                 "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT_S = 300          # one chapter, all cells
MYST = ["{glue", ":::{", "```{", "{doc}", ":label:", "{ref}", "{eq}",
        "{numref}", ":class:", ":pyobject:"]
# JupyterLab's own settings for the run: every cell in the DOM (no
# virtual scrolling), no news or update pop-ups over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false", "checkForUpdates": False},
}

pytestmark = pytest.mark.site


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_executable() -> str | None:
    here = Path(sys.executable).parent / "jupyter"
    return str(here) if here.exists() else shutil.which("jupyter")


class Lab:
    def __init__(self, url: str, token: str, root: Path, log: Path):
        self.url, self.token, self.root, self.log = url, token, root, log

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{self.url}{path}", method=method,
            headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self):
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not CHAPTERS:
        pytest.fail("notebooks/ holds no chapter: run `make notebooks`")
    jupyter = jupyter_executable()
    if jupyter is None:
        pytest.skip("JupyterLab is not installed in this environment")
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(STUDENT, root)
    dirs = {name: base / name for name in
            ("settings", "workspaces", "data", "config", "runtime", "ipy")}
    for folder in dirs.values():
        folder.mkdir()
    for plugin, values in LAB_SETTINGS.items():
        path = dirs["settings"] / (plugin + ".jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ,
               JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
               JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
               JUPYTER_DATA_DIR=str(dirs["data"]),      # no user kernels
               JUPYTER_CONFIG_DIR=str(dirs["config"]),  # no user config
               JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
               IPYTHONDIR=str(dirs["ipy"]),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    port, token = free_port(), secrets.token_hex(16)
    log = base / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [jupyter, "lab", "--allow-root", "--no-browser",
             "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}",
             "--LabApp.check_for_updates_class="
             "jupyterlab.NeverCheckForUpdate"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=base,
            start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                server.api("/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n"
                                + log.read_text(errors="replace")[-3000:])
                time.sleep(0.3)
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)     # the server and its kernels
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright Python package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                              headless=True)
        yield b
        b.close()


def run_all_cells(page, panel, timeout_s: float) -> list[str]:
    """Run all cells; wait until the kernel is done. Returns the prompts."""
    prompts = panel.locator(".jp-CodeCell .jp-InputPrompt")
    indicator = panel.locator(".jp-Notebook-ExecutionIndicator").first
    for attempt in range(3):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel",
                     has_text=re.compile(r"^Run All Cells$")).first.click()
        # a kernel that was still starting may ignore the first request
        for _ in range(40):
            page.wait_for_timeout(250)
            if any(re.search(r"\[(\*|\d+)\]", t)
                   for t in prompts.all_inner_texts()):
                break
        else:
            continue
        break
    else:
        pytest.fail("Run → Run All Cells started nothing (3 tries)")
    deadline, calm = time.monotonic() + timeout_s, 0
    while calm < 3:
        if time.monotonic() > deadline:
            pytest.fail(f"the cells did not finish within {timeout_s} s")
        page.wait_for_timeout(500)
        texts = [t.strip() for t in prompts.all_inner_texts()]
        shown = [t for t in texts if t]
        # idle, nothing queued; after an error the rest stays "[ ]:"
        done = (indicator.get_attribute("data-status") == "idle" and shown
                and not any("*" in t for t in shown))
        calm = calm + 1 if done else 0
    return shown


def assert_all_ran(panel, shown: list[str], n_code: int) -> None:
    """Every code cell ran once, in order."""
    assert all(re.fullmatch(r"\[\d+\]:", t) for t in shown), \
        f"not every cell ran: {shown}"
    numbers = [int(t[1:-2]) for t in shown]
    # cells whose source is folded (hide-input, solutions) show no prompt
    folded = panel.locator(".jp-CodeCell .jp-InputPlaceholder").count()
    assert len(numbers) == n_code - folded, (shown, folded)
    assert numbers == sorted(set(numbers)), f"ran out of order: {numbers}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_and_shows_the_book_in_jupyterlab(lab, browser,
                                                       chapter):
    import nbformat

    nb = nbformat.read(chapter, as_version=4)
    n_code = sum(c.cell_type == "code" for c in nb.cells)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    start = time.monotonic()
    try:
        # ?reset: a fresh workspace, so that only this notebook is open
        page.goto(f"{lab.url}/lab/tree/{chapter.name}?reset&token="
                  f"{lab.token}")
        current = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        panel = page.locator(current)
        page.wait_for_selector(f"{current} .jp-CodeCell", timeout=60000)
        page.wait_for_selector(
            f'{current} .jp-Notebook-ExecutionIndicator[data-status="idle"]',
            timeout=60000)
        assert panel.count() == 1
        page.locator(".jp-StatusBar-Widget", has_text=re.compile(
            r"\| Idle")).first.wait_for(timeout=60000)   # kernel is up
        prompts = run_all_cells(page, panel, RUN_TIMEOUT_S)

        # no error output
        stderr = panel.locator('.jp-OutputArea-output'
                              '[data-mime-type="application/vnd.jupyter.'
                              'stderr"]')
        assert stderr.count() == 0, stderr.all_inner_texts()[:3]
        outputs = "\n".join(panel.locator(".jp-OutputArea-output")
                            .all_inner_texts())
        bad = re.findall(r"Traceback|\w*Error\b", outputs)
        assert not bad, f"error text in the outputs: {bad[:5]}"
        assert_all_ran(panel, prompts, n_code)

        # the prose is rendered Markdown, with nnlab's source in it
        rendered = panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown")
        assert rendered.count() > 0
        prose = "\n".join(rendered.all_inner_texts())
        raw = [m for m in MYST if m in prose]
        assert not raw, f"raw MyST on the page: {raw}"
        listing = panel.locator(".jp-RenderedMarkdown pre",
                               has_text="def ").first
        listing.scroll_into_view_if_needed()
        assert listing.is_visible(), "no nnlab source shown"

        # a live explorer: its image changes when its slider moves
        explorers = panel.locator(".jp-OutputArea-output .widget-vbox") \
            .filter(has=page.locator("img.widget-image"))
        assert explorers.count() > 0, "no live explorer (slider + image)"
        explorer = explorers.first
        explorer.scroll_into_view_if_needed()
        image = explorer.locator("img.widget-image").first
        handle = explorer.locator(".noUi-handle").first
        before = image.get_attribute("src")
        value, top = (handle.get_attribute("aria-valuenow"),
                      handle.get_attribute("aria-valuemax"))
        handle.focus()
        key = "ArrowLeft" if value == top else "ArrowRight"
        handle.press(key)
        page.wait_for_function(
            "([img, src]) => img.getAttribute('src') !== src",
            arg=[image.element_handle(), before], timeout=10000)
        assert handle.get_attribute("aria-valuenow") != value
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (chapter.stem + ".png")))
        assert not page_errors, page_errors
    finally:
        elapsed = time.monotonic() - start
        print(f"{chapter.name}: {elapsed:.0f} s in JupyterLab")
        context.close()
        lab.shut_down_kernels()
