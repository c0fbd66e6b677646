"""Explorers: a slider + plot that works in Jupyter *and* on the static website.

A saved ipywidget on a static page shows its slider, but nothing recomputes
without a kernel. An :class:`Explorer` therefore renders its plot once for every
value of its parameter(s) and offers two views of the same frames:

* in Jupyter (JupyterLab, Notebook 7, VS Code, Colab) a live ipywidgets slider and
  an ``Image`` widget;
* in the HTML book a self-contained player: a range input over the frames
  embedded in the page and a few lines of inline script. No kernel, no request to
  any other host.

``_repr_mimebundle_`` returns both views; the book's ``nb_mime_priority_overrides``
makes the HTML build pick the player while Jupyter picks the widget.

The compute part of an explorer is a plain function ``draw(fig, **params)`` that
draws onto a fresh matplotlib figure; chapters keep the maths in nnlab's core
modules, so the explorers themselves only plot.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json

import numpy as np

__all__ = ["Explorer", "explore"]


def _png(fig, colors: int) -> bytes:
    """Render ``fig`` to PNG bytes, reduced to ``colors`` palette colours (small pages)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    img = Image.fromarray(rgba[..., :3]).quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _label(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value)


class Explorer:
    """Frames of ``draw(fig, **params)`` over a grid of one or two parameters.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **params)`` draws onto the empty matplotlib ``Figure`` it is given.
    alt : str
        Alternative text for screen readers, formatted with the parameters, e.g.
        ``"Decision line for w = {w:.2f}"``. Required: every figure in the book has one.
    width, height, dpi : figure size in inches and resolution.
    colors : int
        Palette size of the embedded PNG frames (64 keeps a 20-frame explorer ≈ 100 KiB).
    **params : sequence
        One or two parameters, each a sequence of the values the slider visits.
    """

    def __init__(self, draw, *, alt: str, width: float = 6.0, height: float = 3.6, dpi: int = 80,
                 colors: int = 64, **params):
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(fig, **params); got {type(draw).__name__}")
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("alt must be a non-empty description of the figure (alternative text)")
        if not 1 <= len(params) <= 2:
            raise ValueError(f"an Explorer takes one or two parameters; got {len(params)}: {list(params)}")
        self.params = {}
        for name, values in params.items():
            values = list(values)
            if len(values) < 2:
                raise ValueError(f"parameter {name!r} needs at least two values to explore; got {len(values)}")
            self.params[name] = values
        self.draw, self.alt, self.colors = draw, alt, int(colors)
        self.figsize, self.dpi = (float(width), float(height)), int(dpi)
        self._frames: list[bytes] | None = None

    # -- frames --------------------------------------------------------------------
    def combinations(self) -> list[dict]:
        """Every parameter combination, in frame order (last parameter fastest)."""
        names = list(self.params)
        return [dict(zip(names, combo)) for combo in itertools.product(*self.params.values())]

    def frames(self) -> list[bytes]:
        """The PNG bytes of every frame (rendered once, then cached)."""
        if self._frames is None:
            from matplotlib.figure import Figure

            frames = []
            for combo in self.combinations():
                fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
                self.draw(fig, **combo)
                frames.append(_png(fig, self.colors))
            self._frames = frames
        return self._frames

    def _start(self) -> dict:
        """The initial value of each parameter: the middle of its list."""
        return {name: (len(values) - 1) // 2 for name, values in self.params.items()}

    def _index(self, positions: dict) -> int:
        index = 0
        for name, values in self.params.items():
            index = index * len(values) + positions[name]
        return index

    # -- static HTML player ------------------------------------------------------------
    def to_html(self) -> str:
        """A self-contained HTML player: range inputs over the embedded frames."""
        frames = [base64.b64encode(f).decode("ascii") for f in self.frames()]
        alts = [self.alt.format(**combo) for combo in self.combinations()]
        uid = "nnlab-explorer-" + hashlib.sha1("".join(frames[:2]).encode()).hexdigest()[:10]
        start = self._start()
        first = self._index(start)
        controls = []
        for name, values in self.params.items():
            labels = json.dumps([_label(v) for v in values])
            controls.append(
                f'<label style="display:block;margin:.2em 0">'
                f'<code>{html.escape(name)}</code> = <output>{html.escape(_label(values[start[name]]))}</output><br>'
                f'<input type="range" name="{html.escape(name)}" min="0" max="{len(values) - 1}" step="1" '
                f'value="{start[name]}" data-labels=\'{html.escape(labels)}\' aria-label="{html.escape(name)}" '
                f'style="width:min(100%,28em)"></label>'
            )
        data = json.dumps({"frames": frames, "alts": alts, "sizes": [len(v) for v in self.params.values()]}).replace("</", "<\\/")
        script = (
            "(function(){var root=document.getElementById('%s');"
            "var d=JSON.parse(root.querySelector('script.nnlab-frames').textContent);"
            "var img=root.querySelector('img');var ins=root.querySelectorAll('input[type=range]');"
            "function show(){var i=0;ins.forEach(function(el,k){i=i*d.sizes[k]+parseInt(el.value,10);"
            "el.parentNode.querySelector('output').textContent=JSON.parse(el.dataset.labels)[el.value];});"
            "img.src='data:image/png;base64,'+d.frames[i];img.alt=d.alts[i];root.dataset.frame=i;}"
            "ins.forEach(function(el){el.addEventListener('input',show);});})();"
        ) % uid
        return (
            f'<div class="nnlab-explorer" id="{uid}" data-frame="{first}" data-nframes="{len(frames)}">'
            f'<img src="data:image/png;base64,{frames[first]}" alt="{html.escape(alts[first])}" '
            f'style="max-width:100%;height:auto">'
            + "".join(controls)
            + f'<script type="application/json" class="nnlab-frames">{data}</script>'
            + f"<script>{script}</script></div>"
        )

    # -- live Jupyter widget ------------------------------------------------------------
    def widget(self):
        """The live view: one ipywidgets slider per parameter and an ``Image`` widget.

        (An ``Image`` widget, not an ``Output`` widget: the latter leaks extra outputs
        into the saved notebook.)
        """
        import ipywidgets as W

        frames = self.frames()
        start = self._start()
        image = W.Image(value=frames[self._index(start)], format="png")
        sliders = {
            name: W.SelectionSlider(options=[(_label(v), i) for i, v in enumerate(values)],
                                    value=start[name], description=name, continuous_update=True)
            for name, values in self.params.items()
        }

        def update(_change=None):
            image.value = frames[self._index({n: s.value for n, s in sliders.items()})]

        for slider in sliders.values():
            slider.observe(update, names="value")
        return W.VBox([*sliders.values(), image])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self), "text/html": self.to_html()}
        try:
            view = self.widget()._repr_mimebundle_()
        except ImportError:  # no ipywidgets: the HTML player still works in Jupyter
            return bundle
        if isinstance(view, tuple):
            view = view[0]
        bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}: {len(v)} values" for n, v in self.params.items())
        return f"Explorer({sizes})"


def explore(draw, *, alt: str, **params) -> Explorer:
    """Shortcut for :class:`Explorer`: ``explore(draw, alt="...", w=np.linspace(-2, 2, 21))``."""
    return Explorer(draw, alt=alt, **params)
