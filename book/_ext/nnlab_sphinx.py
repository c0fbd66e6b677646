"""Small Sphinx fixes for the course site (_config.yml local_extensions).

1. Load the 4 MB ipywidgets manager only on pages that show a widget.
   myst-nb adds it to every page whose notebook saved widget state, but our
   explorers render as a self-contained player in HTML, so most such pages
   show no widget view at all. Where it is loaded,
   book/_extra/widgets-baseurl.js (listed in nb_ipywidgets_js between
   require.js and the manager) points RequireJS's baseUrl at vendor/, so
   that the manager finds its icon fonts in the vendored copy instead of
   next to the page.
2. Never emit the sphinx-thebe configuration script twice on a page (the
   second copy throws "Identifier 'THEBE_JS_URL' has already been declared").
3. Point the launch buttons (Binder, JupyterHub, Colab, ...) of a chapter at
   its plain notebook, notebooks/<name>.ipynb, written by ``make notebooks``
   (tools/export_notebooks.py), instead of the MyST source
   book/<name>.ipynb that JupyterLab and Colab would show with raw
   directives.

Only public APIs: the html-page-context event, and the context that
sphinx-book-theme fills (its handlers run at priority 501, these at 900).
"""
from __future__ import annotations

import posixpath
from pathlib import Path

from sphinx.util import logging

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Where ``make notebooks`` writes the notebook students open.
STUDENT_NOTEBOOKS = "notebooks"
LAUNCH_GROUP = "launch-buttons"

logger = logging.getLogger(__name__)


def _is_widget_script(js, ipywidgets_js) -> bool:
    name = posixpath.normpath(getattr(js, "filename", None) or "")
    for key in ipywidgets_js:
        if name.endswith(posixpath.normpath(key).lstrip("./")):
            return True
    return getattr(js, "attributes", {}).get("type") == WIDGET_STATE


def _tidy_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    body = context.get("body", "")
    ipywidgets_js = set(getattr(app.config, "nb_ipywidgets_js", {}) or {})
    kept, seen_bodies = [], set()
    for js in scripts:
        is_widget = _is_widget_script(js, ipywidgets_js)
        if WIDGET_VIEW not in body and is_widget:
            continue
        inline = getattr(js, "attributes", {}).get("body")
        if inline and not getattr(js, "filename", None):
            if inline in seen_bodies:
                continue
            seen_bodies.add(inline)
        kept.append(js)
    scripts[:] = kept


def student_notebook(source_path: str) -> str:
    """The repository path of the plain notebook made from a chapter's source.

    ``book/ch02_logistic.ipynb`` -> ``notebooks/ch02_logistic.ipynb`` (the
    same rule as tools/export_notebooks.py's ``notebook_name``).
    """
    stem = posixpath.splitext(posixpath.basename(source_path))[0]
    return f"{STUDENT_NOTEBOOKS}/{stem}.ipynb"


def retarget_launch_buttons(header_buttons, source_path: str) -> int:
    """Rewrite, in place, the launch links that open ``source_path``.

    ``header_buttons`` is sphinx-book-theme's context entry; the launch group
    is the one labelled "launch-buttons". Returns the number of links changed;
    raises ValueError when a launch link does not contain ``source_path`` (the
    theme changed how it builds them, and a student would land on MyST).
    """
    target = student_notebook(source_path)
    changed = 0
    for group in header_buttons or []:
        if not isinstance(group, dict) or group.get("label") != LAUNCH_GROUP:
            continue
        for button in group.get("buttons", []):
            url = button.get("url")
            if url is None:          # a JavaScript button (Thebe): no file
                continue
            if source_path not in url:
                raise ValueError(f"launch button {button.get('text')!r}: "
                                 f"{url!r} does not open {source_path!r}")
            button["url"] = url.replace(source_path, target)
            changed += 1
    return changed


def _launch_student_notebooks(app, pagename, templatename, context, doctree):
    if doctree is None or not context.get("header_buttons"):
        return
    # The path the theme puts into its launch URLs: path_to_docs, docname,
    # and the source's suffix (.ipynb when a text notebook has an .ipynb twin).
    source = Path(app.env.doc2path(pagename))
    suffix = source.suffix
    if suffix != ".ipynb" and source.with_suffix(".ipynb").exists():
        suffix = ".ipynb"
    options = app.config.html_theme_options or {}
    prefix = options.get("path_to_docs", "").strip("/")
    source_path = posixpath.join(prefix, pagename + suffix)
    try:
        retarget_launch_buttons(context["header_buttons"], source_path)
    except ValueError as exc:
        logger.warning("%s: %s", pagename, exc, location=pagename)


def setup(app):
    app.connect("html-page-context", _tidy_scripts, priority=900)
    app.connect("html-page-context", _launch_student_notebooks, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
