"""Plotting helpers for the chapters (top layer: the only place, with widgets, that uses matplotlib).

Every figure in the book uses the Okabe–Ito palette, which stays distinguishable
for readers with the common forms of colour blindness, and pairs colour with a
marker shape so that no information is carried by colour alone.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_real

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def class_color(k: int) -> str:
    """Colour of class ``k`` in every figure (the palette repeats after 8)."""
    return PALETTE[int(k) % len(PALETTE)]


def _number(value, name: str) -> float:
    return check_real(value, name)


def _positive(value, name: str) -> float:
    return check_real(value, name, low=0, low_open=True)


def _limits(lim, name: str) -> tuple[float, float]:
    """``lim`` as (low, high) with low < high, both finite."""
    try:
        lo, hi = lim
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{name} must be a pair (low, high); got {lim!r}") from err
    lo, hi = _number(lo, f"{name}[0]"), _number(hi, f"{name}[1]")
    if not lo < hi:
        raise ValueError(
            f"{name} must be (low, high) with low < high; got {lim!r}")
    return lo, hi


def _class_labels(y, name: str, m: int | None = None) -> np.ndarray:
    """``y`` as 1-D int class indices 0, 1, 2, ... (``m`` of them if given).

    A column (m, 1) is accepted; integer-valued floats too (0.0, 1.0).
    """
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold integer class indices; got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one class per sample); "
                         f"got shape {arr.shape}")
    if m is not None and len(arr) != m:
        raise ValueError(f"{name} has {len(arr)} entries but X has {m} rows")
    if arr.size:
        valid = (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))
                 and arr.min() >= 0)
        if not valid:
            raise ValueError(f"{name} must hold class indices 0, 1, 2, ...; "
                             f"got values such as {arr[:5].tolist()}")
    return arr.astype(np.int64)


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

    ``width`` and ``height`` are in inches. Make it the last expression of a
    notebook cell to show it (as a PNG image).
    """
    from matplotlib.figure import Figure

    width, height = _positive(width, "width"), _positive(height, "height")
    if (isinstance(dpi, bool) or not isinstance(dpi, (int, np.integer))
            or dpi <= 0):
        raise ValueError(f"dpi must be a positive int; got {dpi!r}")
    _show_figures_in_ipython()
    return Figure(figsize=(width, height), dpi=int(dpi), layout="constrained")


def scatter_classes(ax, X, y, labels=None, size: float = 40):
    """Scatter 2-D points ``X`` (m, 2) coloured *and* shaped by their integer class ``y`` (m,).

    Class k gets colour ``PALETTE[k % 8]``, marker ``MARKERS[k % 8]`` and
    the legend label ``labels[k]`` (default "class k"); one scatter per class.
    """
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError("X must be an array of numbers of shape (m, 2); "
                        f"got {type(X).__name__}") from err
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError("X must have shape (m, 2) (rows are points); "
                         f"got shape {X.shape}")
    y = _class_labels(y, "y", len(X))
    size = _positive(size, "size")
    if labels is not None:
        if isinstance(labels, str) or not hasattr(labels, "__len__"):
            raise TypeError("labels must be a sequence of class names, "
                            f"one per class; got {labels!r}")
        if y.size and len(labels) <= y.max():
            raise ValueError(f"labels has {len(labels)} names but y has "
                             f"class {int(y.max())}; give one name per class")
    for k in np.unique(y):
        pts = X[y == k]
        name = str(labels[k]) if labels is not None else f"class {k}"
        ax.scatter(pts[:, 0], pts[:, 1], s=size, color=class_color(k),
                   marker=MARKERS[k % len(MARKERS)], edgecolor="black",
                   linewidth=0.5, label=name)
    return ax


def decision_regions(ax, predict, xlim, ylim, n: int = 200, alpha: float = 0.18):
    """Shade the plane by the class that ``predict`` (an (k, 2) -> (k,) function) assigns.

    ``predict`` is called once, on the n × n grid over xlim × ylim, and must
    return class indices 0, 1, 2, ...; class k is shaded in PALETTE[k % 8],
    the colour ``scatter_classes`` gives its points.
    """
    from matplotlib.colors import ListedColormap

    if not callable(predict):
        raise TypeError(
            f"predict must be a function (k, 2) -> (k,); got {predict!r}")
    xlim, ylim = _limits(xlim, "xlim"), _limits(ylim, "ylim")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(
            f"n must be an int >= 2 (grid points per axis); got {n!r}")
    alpha = _number(alpha, "alpha")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1]; got {alpha!r}")
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    gx, gy = np.meshgrid(xs, ys)
    pred = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()])))
    if pred.size != gx.size:
        raise ValueError(f"predict must return one class per grid point "
                         f"({gx.size} values); got shape {pred.shape}")
    pred = _class_labels(pred.reshape(-1), "predict's output")
    pred = pred.reshape(gx.shape)
    k = int(pred.max()) + 1
    colors = [class_color(i) for i in range(k)]
    ax.contourf(gx, gy, pred, levels=np.arange(-0.5, k + 0.5),
                cmap=ListedColormap(colors), alpha=alpha)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return ax


def line_from_weights(ax, w, b, xlim, **kwargs):
    r"""Draw the decision line $w_1 x_1 + w_2 x_2 + b = 0$ over ``xlim``.

    The line is vertical when |w2| is below 1e-12·|w1| (a careful choice:
    its slope would be noise). With w = (0, 0) there is no line (every
    point gets the same class) and nothing is drawn. ``kwargs`` go to
    matplotlib; the colour is black unless given.
    """
    w_arr = np.asarray(w)
    if w_arr.dtype.kind not in "iuf":
        raise TypeError(f"w must hold two numbers (w1, w2); got {w!r}")
    if w_arr.shape not in ((2,), (2, 1)):
        raise ValueError(
            f"w must hold two weights (w1, w2); got shape {w_arr.shape}")
    w1, w2 = (_number(v, f"w[{i}]")
              for i, v in enumerate(w_arr.reshape(-1).tolist()))
    if isinstance(b, np.ndarray) and b.size == 1:
        b = b.reshape(-1)[0]
    b = _number(b, "b")
    xlim = _limits(xlim, "xlim")
    kwargs.setdefault("color", "black")
    scale = max(abs(w1), abs(w2))
    if scale == 0:
        return ax
    if abs(w2) > 1e-12 * scale:    # relative: the weights' units do not matter
        xs = np.array(xlim, dtype=float)
        ax.plot(xs, -(w1 * xs + b) / w2, **kwargs)
    else:
        ax.axvline(-b / w1, **kwargs)
    return ax
