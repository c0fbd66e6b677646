"""Small Sphinx fixes for the course site (loaded through _config.yml local_extensions).

1. Load the 4 MB ipywidgets manager only on pages that show a widget. myst-nb adds
   it to every page whose notebook saved widget state, but our explorers render as
   a self-contained player in HTML, so most such pages show no widget view at all.
   Where it is loaded, RequireJS gets ``baseUrl = vendor/`` so that the manager finds
   its icon fonts in the vendored copy instead of next to the page.
2. Never emit the sphinx-thebe configuration script twice on a page (the second
   copy throws "Identifier 'THEBE_JS_URL' has already been declared").
"""
from __future__ import annotations

import posixpath

from sphinx.builders.html._assets import _JavaScript

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
        is_widget = _is_widget_script(js, ipywidgets_js)
        if WIDGET_VIEW not in body and is_widget:
            continue
        if is_widget and posixpath.basename(js.filename or "") == "require.js":
            base = context["pathto"]("vendor/", 1)
            kept.append(js)
            kept.append(_JavaScript(None, body=f'require.config({{baseUrl: "{base}"}});',
                                    priority=getattr(js, "priority", 500)))
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
