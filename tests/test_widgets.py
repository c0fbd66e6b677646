"""The explorer helper: frames, the static HTML player and the live widget view."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="explorers need matplotlib (pip install nnlab[widgets])")
pytest.importorskip("PIL", reason="explorers need Pillow (pip install nnlab[widgets])")

from nnlab.book.widgets import Explorer, explore  # noqa: E402


def draw_line(fig, w, b=0.0):
    ax = fig.subplots()
    xs = np.linspace(-1, 1, 5)
    ax.plot(xs, w * xs + b)
    ax.set_ylim(-3, 3)


def frames_of(html: str) -> dict:
    blob = re.search(r'<script type="application/json" class="nnlab-frames">(.*?)</script>', html, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


def test_one_parameter_frames_are_pngs_and_differ():
    ex = explore(draw_line, alt="slope {w:.1f}", w=[-2.0, 0.0, 2.0])
    frames = ex.frames()
    assert len(frames) == 3
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert len(set(frames)) == 3, "different parameter values must give different pictures"


def test_html_player_is_self_contained():
    ex = Explorer(draw_line, alt="slope {w:.1f}", w=[-2.0, 0.0, 2.0])
    html = ex.to_html()
    assert "http://" not in html and "https://" not in html and "src=\"//" not in html
    d = frames_of(html)
    assert d["sizes"] == [3]
    assert d["alts"] == ["slope -2.0", "slope 0.0", "slope 2.0"]
    assert base64.b64decode(d["frames"][1]) == ex.frames()[1]
    # starts on the middle frame, with its alt text
    assert 'data-frame="1"' in html and 'alt="slope 0.0"' in html
    assert html.count('type="range"') == 1


def test_two_parameters_index_last_fastest():
    ex = Explorer(draw_line, alt="w={w} b={b}", w=[1, 2], b=[-1, 0, 1])
    combos = ex.combinations()
    assert combos[:3] == [{"w": 1, "b": -1}, {"w": 1, "b": 0}, {"w": 1, "b": 1}]
    html = ex.to_html()
    assert frames_of(html)["sizes"] == [2, 3]
    assert html.count('type="range"') == 2


def test_mimebundle_offers_widget_and_html():
    pytest.importorskip("ipywidgets")
    bundle = Explorer(draw_line, alt="slope {w}", w=[0.0, 1.0])._repr_mimebundle_()
    assert "text/html" in bundle and "nnlab-explorer" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("Explorer(")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(alt=""), ValueError, "alt"),
        (dict(alt="x", w=[1.0]), ValueError, "at least two values"),
        (dict(alt="x", w=[1, 2], b=[1, 2], c=[1, 2]), ValueError, "one or two parameters"),
    ],
)
def test_bad_arguments_are_explained(kwargs, error, match):
    kwargs.setdefault("w", [0.0, 1.0])
    with pytest.raises(error, match=match):
        Explorer(draw_line, **kwargs)


def test_draw_must_be_callable():
    with pytest.raises(TypeError, match="draw"):
        Explorer("not a function", alt="x", w=[0, 1])
