"""Small Sphinx fixes for the course site (loaded through _config.yml local_extensions).

1. Load the 4 MB ipywidgets manager only on pages that show a widget. myst-nb adds
   it to every page whose notebook saved widget state, but our explorers render as
   a self-contained player in HTML, so most such pages show no widget view at all.
2. Never emit the sphinx-thebe configuration script twice on a page (the second
   copy throws "Identifier 'THEBE_JS_URL' has already been declared").
"""
from __future__ import annotations

import posixpath

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _is_widget_script(js, ipywidgets_js) -> bool:
    name = posixpath.normpath(js.filename or "")
    if any(name.endswith(posixpath.normpath(key).lstrip("./")) for key in ipywidgets_js):
        return True
    return js.attributes.get("type") == WIDGET_STATE


def _tidy_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    body = context.get("body", "")
    ipywidgets_js = set(getattr(app.config, "nb_ipywidgets_js", {}) or {})
    kept, seen_bodies = [], set()
    for js in scripts:
        if WIDGET_VIEW not in body and _is_widget_script(js, ipywidgets_js):
            continue
        inline = js.attributes.get("body")
        if inline and not js.filename:
            if inline in seen_bodies:
                continue
            seen_bodies.add(inline)
        kept.append(js)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _tidy_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
