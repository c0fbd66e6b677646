"""Plotting helpers for the chapters (top layer: the only place, with widgets, that uses matplotlib).

Every figure in the book uses the Okabe–Ito palette, which stays distinguishable
for readers with the common forms of colour blindness, and pairs colour with a
marker shape so that no information is carried by colour alone.
"""
from __future__ import annotations

import numpy as np

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _png_bytes(fig) -> bytes:
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def _show_figures_in_ipython() -> None:
    """Let a bare ``Figure`` at the end of a notebook cell display as a PNG image.

    pyplot's inline backend registers this only for figures it created; ours are
    created without pyplot, so whatever the backend (even ``Agg``) we register it.
    """
    ipython = __import__("sys").modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, _png_bytes)


def figure(width: float = 6.0, height: float = 4.0, dpi: int = 100):
    """Return a new matplotlib ``Figure`` that is not tied to pyplot's global state.

    Make it the last expression of a notebook cell to show it (as a PNG image).
    """
    from matplotlib.figure import Figure

    _show_figures_in_ipython()
    return Figure(figsize=(width, height), dpi=dpi, layout="constrained")


def scatter_classes(ax, X, y, labels=None, size: float = 40):
    """Scatter 2-D points ``X`` (m, 2) coloured *and* shaped by their integer class ``y`` (m,)."""
    X = np.asarray(X)
    y = np.asarray(y)
    for k in np.unique(y):
        pts = X[y == k]
        name = labels[int(k)] if labels is not None else f"class {int(k)}"
        ax.scatter(pts[:, 0], pts[:, 1], s=size, color=PALETTE[int(k) % len(PALETTE)],
                   marker=MARKERS[int(k) % len(MARKERS)], edgecolor="black", linewidth=0.5, label=name)
    return ax


def decision_regions(ax, predict, xlim, ylim, n: int = 200, alpha: float = 0.18):
    """Shade the plane by the class that ``predict`` (an (k, 2) -> (k,) function) assigns."""
    from matplotlib.colors import ListedColormap

    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    gx, gy = np.meshgrid(xs, ys)
    pred = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    k = int(pred.max()) + 1
    ax.contourf(gx, gy, pred, levels=np.arange(-0.5, k + 0.5), cmap=ListedColormap(PALETTE[:k]), alpha=alpha)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return ax


def line_from_weights(ax, w, b, xlim, **kwargs):
    r"""Draw the decision line $w_1 x_1 + w_2 x_2 + b = 0$ (vertical when $w_2 = 0$)."""
    w1, w2 = float(w[0]), float(w[1])
    kwargs.setdefault("color", "black")
    if abs(w2) > 1e-12:
        xs = np.array(xlim, dtype=float)
        ax.plot(xs, -(w1 * xs + b) / w2, **kwargs)
    elif abs(w1) > 1e-12:
        ax.axvline(-b / w1, **kwargs)
    return ax
