"""Direct tests for the book's top layer: ``nnlab.book`` and ``nnlab.viz``.

Figures are drawn with the Agg backend and checked by what they hold (points,
colours, markers, legend labels, the line's equation) and by rendered pixels,
against values written here by hand.
"""
from __future__ import annotations

import collections
import math
import sys
from decimal import Decimal

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.colors import to_rgba  # noqa: E402

from nnlab import book  # noqa: E402
from nnlab.book import viz  # noqa: E402
from nnlab.book import glue, portable  # noqa: E402

RECORD = "application/papermill.record/text/plain"   # myst-nb's glue mime


def significant_digits(x: float) -> int:
    """Significant digits of Python's shortest repr of ``x`` (via Decimal)."""
    return len(Decimal(repr(x)).normalize().as_tuple().digits)


# --- portable: what glue stores ---------------------------------------------

# One quantity on two machines (issue 8): SkylakeX vs Haswell OpenBLAS kernels.
SAME_VALUE_TWO_MACHINES = [
    (0.00026942128291840284, 0.00026942128291884693, 0.00026942128),
    (635.4992991755304, 635.4992991755398, 635.4993),
]


@pytest.mark.parametrize("a, b, stored", SAME_VALUE_TWO_MACHINES)
def test_two_machines_store_the_same_record(a, b, stored):
    assert portable(a) == portable(b) == stored
    assert repr(portable(a)) == repr(stored)


@pytest.mark.parametrize("x, expected", [
    (0.1 + 0.2, 0.3),
    (1.0999999999999999, 1.1),
    (2.5999999999999996, 2.6),
    (-0.9999999999999064, -1.0),
    (9.357622968839737e-14, 9.357623e-14),
    (123456789.123, 123456790.0),
    (0.013352093804827868, 0.013352094),
    (-1.7580993408472123, -1.7580993),
])
def test_floats_keep_eight_significant_digits(x, expected):
    assert portable(x) == expected


def test_fewer_digits_on_request():
    assert portable(math.pi, digits=3) == 3.14
    assert portable(math.pi, digits=17) == math.pi


def test_rounding_error_is_below_half_a_unit_in_the_eighth_digit():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal(2000) * 10.0 ** rng.integers(-30, 30, 2000)
    for x in xs.tolist():
        r = portable(x)
        assert abs(r - x) <= 5e-8 * abs(x), x
        assert significant_digits(r) <= 8, (x, r)
        assert portable(r) == r                      # idempotent


@pytest.mark.parametrize("value", [0, 7, -3, 10**20, True, False,
                                   "0.30000000000000004", "", b"x"])
def test_ints_strings_and_bools_are_exact(value):
    out = portable(value)
    assert out == value and type(out) is type(value)


def test_numpy_scalars_become_python_numbers():
    assert portable(np.int64(7)) == 7 and type(portable(np.int64(7))) is int
    assert portable(np.bool_(True)) is True
    assert portable(np.float64(0.1) + np.float64(0.2)) == 0.3
    out = portable(np.float32(0.1))          # 0.10000000149011612 in float64
    assert out == 0.1 and type(out) is float
    assert portable(np.array(1 / 3)) == 0.33333333   # 0-d array: a scalar


def test_special_floats():
    inf = float("inf")
    assert math.isnan(portable(float("nan")))
    assert portable(inf) == inf and portable(-inf) == -inf
    assert math.copysign(1.0, portable(-0.0)) == 1.0  # a zero's sign is noise
    assert portable(5e-324) == 5e-324                 # subnormals survive


def test_arrays_are_rounded_element_wise_with_their_shape_and_dtype():
    a = np.array([[1 / 3, 2 / 3], [0.1 + 0.2, -7.0]])
    out = portable(a)
    assert out.shape == (2, 2) and out.dtype == np.float64
    assert out.tolist() == [[0.33333333, 0.66666667], [0.3, -7.0]]
    assert a[0, 0] == 1 / 3                  # the input is not modified
    f32 = portable(np.array([1 / 3], dtype=np.float32))
    assert f32.dtype == np.float32
    ints = np.arange(5)
    assert portable(ints) is ints
    c = portable(np.array([1 / 3 + 2j / 3]))
    assert c.dtype == np.complex128 and c[0] == complex(0.33333333, 0.66666667)


def test_containers_are_rounded_recursively_and_keep_their_type():
    Pair = collections.namedtuple("Pair", "x n")
    value = {"a": [1 / 3, (2 / 3, "s", 4)], "p": Pair(0.1 + 0.2, 3)}
    out = portable(value)
    assert out == {"a": [0.33333333, (0.66666667, "s", 4)], "p": Pair(0.3, 3)}
    assert type(out["a"][1]) is tuple and type(out["p"]) is Pair
    assert list(out) == ["a", "p"]
    counts = collections.defaultdict(list, {"k": 2 / 3})
    assert portable(counts) == {"k": 0.66666667}
    assert type(portable(counts)) is collections.defaultdict


def test_other_objects_pass_through():
    obj = object()
    assert portable(obj) is obj


@pytest.mark.parametrize("digits, error", [
    (0, ValueError), (18, ValueError), (2.5, TypeError), (True, TypeError),
    ("8", TypeError)])
def test_bad_digits(digits, error):
    with pytest.raises(error, match="digits"):
        portable(1.0, digits=digits)


# What the prose prints from a record ({glue:text}`name:spec`) is unchanged:
# values from the chapters, with the format their prose uses.
PROSE = [
    (0.00026942128291840284, ".1e", "2.7e-04"),
    (635.4992991755304, ".0f", "635"),
    (35.93652019608174, ".0f", "36"),
    (0.2407730708168336, ".6f", "0.240773"),
    (0.013352093804827868, ".5f", "0.01335"),
    (0.9908256880733946, ".1%", "99.1%"),
    (3.8752202320832585e-07, ".2e", "3.88e-07"),
    (0.0004732355193240844, ".1e", "4.7e-04"),
]


@pytest.mark.parametrize("full, spec, shown", PROSE)
def test_prose_shows_the_same_digits(full, spec, shown):
    assert format(full, spec) == shown
    assert format(portable(full), spec) == shown


# --- glue -------------------------------------------------------------------

@pytest.fixture
def recorded(monkeypatch):
    """Pretend to run in a kernel; record what myst-nb's glue would display."""
    pytest.importorskip("myst_nb", reason="myst-nb (the book toolchain) "
                        "is not installed")
    import myst_nb.ext.glue as ext
    from IPython.core.interactiveshell import InteractiveShell

    had_shell = InteractiveShell.initialized()
    calls = []
    monkeypatch.setattr(ext, "ipy_display", lambda data, raw, metadata:
                        calls.append((data, metadata)))
    monkeypatch.setattr(book, "_in_kernel", lambda: True)
    yield calls
    if not had_shell:   # IPython's formatters make a global shell: drop it
        InteractiveShell.clear_instance()


def test_glue_records_the_rounded_value(recorded):
    glue("gap", 0.00026942128291884693)
    glue("m", 50)
    glue("shape", str((5, 3)))
    glue("p", np.float64(0.75026010559511770))
    glue("theta", np.array([0.9272412, 2.0785041123456]))
    texts = {md["scrapbook"]["name"]: data[RECORD] for data, md in recorded}
    assert texts == {"gap": "0.00026942128", "m": "50", "shape": "'(5, 3)'",
                     "p": "0.75026011",
                     "theta": "array([0.9272412, 2.0785041])"}
    assert all(list(data) == [RECORD] for data, _ in recorded)


def test_glue_display_shows_the_value(recorded):
    glue("x", 1 / 3, display=True)
    data, md = recorded[0]
    assert data == {"text/plain": "0.33333333"}
    assert md["scrapbook"]["name"] == "x"


def test_glue_without_myst_nb_stores_nothing(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)   # -> ImportError
    assert glue("x", 1 / 3) is None
    assert capsys.readouterr().out == ""
    glue("x", 1 / 3, display=True)
    assert capsys.readouterr().out == "x = 0.33333333\n"


def test_glue_outside_a_kernel_prints_only_when_asked(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    had_shell = InteractiveShell.initialized()
    InteractiveShell.instance()   # a shell, as after any IPython display
    try:
        assert glue("n", 50) is None
        assert capsys.readouterr().out == ""
        glue("s", "text", display=True)
        assert capsys.readouterr().out == "s = 'text'\n"
    finally:
        if not had_shell:
            InteractiveShell.clear_instance()


@pytest.mark.parametrize("name, error", [
    (3, TypeError), (None, TypeError), ("", ValueError),
    ("two words", ValueError), (" x", ValueError)])
def test_glue_bad_name(name, error):
    with pytest.raises(error, match="name"):
        glue(name, 1.0)


@pytest.mark.slow
def test_glue_in_a_real_kernel_writes_the_rounded_record():
    """End to end: a notebook executed as `make outputs` executes one."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("myst_nb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nfrom nnlab.book import glue\n"
        "glue('gap', 0.00026942128291884693); glue('m', 50)\n"
        "glue('ok', True); glue('kappa', np.float64(635.4992991755398))")])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    records = [o.data[RECORD] for o in nb.cells[0].outputs]
    assert records == ["0.00026942128", "50", "True", "635.4993"]


# --- viz --------------------------------------------------------------------

def test_figure_is_a_free_standing_figure():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    fig = viz.figure(5, 2.5, dpi=80)
    assert isinstance(fig, Figure)
    assert tuple(fig.get_size_inches()) == (5.0, 2.5) and fig.dpi == 80
    assert fig.get_layout_engine() is not None     # constrained layout
    assert plt.get_fignums() == before             # pyplot's state untouched


@pytest.mark.parametrize("kwargs, error, word", [
    ({"width": 0}, ValueError, "width"),
    ({"height": -1}, ValueError, "height"),
    ({"width": float("nan")}, ValueError, "width"),
    ({"width": "6"}, TypeError, "width"),
    ({"dpi": 0}, ValueError, "dpi"),
    ({"dpi": 72.5}, ValueError, "dpi"),
])
def test_figure_bad_input(kwargs, error, word):
    with pytest.raises(error, match=word):
        viz.figure(**kwargs)


def test_figure_shows_as_png_in_ipython(monkeypatch):
    """A bare Figure at the end of a cell is displayed as a PNG image."""
    from matplotlib.figure import Figure

    registered = {}

    class Formatter:
        def for_type(self, cls, func):
            registered[cls] = func

    class Shell:
        display_formatter = type(
            "Formatters", (), {"formatters": {"image/png": Formatter()}})()

    IPython = pytest.importorskip("IPython")
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    fig = viz.figure(2, 1, dpi=50)
    png = registered[Figure](fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (100, 50)            # 2 x 1 inches at 50 dpi


def new_axes():
    fig = viz.figure(4, 4, dpi=50)
    return fig, fig.add_subplot()


def test_scatter_classes_one_colour_and_marker_per_class():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 3.0], [4.0, 1.0]])
    y = np.array([2, 0, 2, 1, 0])
    fig, ax = new_axes()
    assert viz.scatter_classes(ax, X, y, labels=["cat", "dog", "fox"]) is ax
    assert len(ax.collections) == 3
    handles, names = ax.get_legend_handles_labels()
    assert names == ["cat", "dog", "fox"]
    expected_points = {0: [[1.0, 1.0], [4.0, 1.0]], 1: [[3.0, 3.0]],
                       2: [[0.0, 0.0], [2.0, 0.5]]}
    hex_colours = ["#0072B2", "#E69F00", "#009E73"]   # Okabe-Ito, in order
    shapes = []
    for k, coll in enumerate(ax.collections):
        assert coll.get_offsets().tolist() == expected_points[k]
        assert np.allclose(coll.get_facecolor()[0], to_rgba(hex_colours[k]))
        shapes.append(coll.get_paths()[0].vertices.round(3).tobytes())
    assert len(set(shapes)) == 3                      # three marker shapes


def test_scatter_classes_default_labels_and_wrapping_palette():
    fig, ax = new_axes()
    # integer-valued floats are class indices too
    viz.scatter_classes(ax, [[0, 0], [1, 1]], [0.0, 9.0])
    assert ax.get_legend_handles_labels()[1] == ["class 0", "class 9"]
    class_9 = ax.collections[1].get_facecolor()[0]
    assert np.allclose(class_9, to_rgba("#E69F00"))   # 9 % 8 = 1


@pytest.mark.parametrize("X, y, labels, error, word", [
    # (4, 3) used to plot two of the three columns
    (np.zeros((4, 3)), [0, 1, 0, 1], None, ValueError, "X"),
    (np.zeros(4), [0, 1, 0, 1], None, ValueError, "X"),
    ([["a", "b"]], [0], None, TypeError, "X"),
    (np.zeros((4, 2)), [0, 1, 0], None, ValueError, "y"),
    (np.zeros((2, 2)), [0, 1.5], None, ValueError, "y"),
    (np.zeros((2, 2)), [0, -1], None, ValueError, "y"),
    (np.zeros((2, 2)), ["a", "b"], None, TypeError, "y"),
    (np.zeros((2, 2)), [0, 2], ["a", "b"], ValueError, "labels"),
    (np.zeros((2, 2)), [0, 1], "ab", TypeError, "labels"),
])
def test_scatter_classes_bad_input(X, y, labels, error, word):
    fig, ax = new_axes()
    with pytest.raises(error, match=word):
        viz.scatter_classes(ax, X, y, labels=labels)


def pixel(fig, ax, x, y):
    """RGB (0..1) of the rendered pixel at data point (x, y)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    img = np.asarray(canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    return img[int(img.shape[0] - py), int(px), :3] / 255


def test_decision_regions_shades_each_class_in_its_colour():
    calls = []

    def predict(P):
        calls.append(P.copy())
        return (P[:, 0] > 0).astype(int)

    fig, ax = new_axes()
    out = viz.decision_regions(ax, predict, (-1, 1), (-2, 2), n=50, alpha=0.5)
    assert out is ax
    assert len(calls) == 1 and calls[0].shape == (2500, 2)
    assert calls[0].min(axis=0).tolist() == [-1, -2]
    assert calls[0].max(axis=0).tolist() == [1, 2]
    assert ax.get_xlim() == (-1, 1) and ax.get_ylim() == (-2, 2)
    for x, colour in [(-0.5, "#0072B2"), (0.5, "#E69F00")]:
        # half the class colour over the white background
        blended = 0.5 * np.array(to_rgba(colour)[:3]) + 0.5 * 1.0
        assert np.allclose(pixel(fig, ax, x, 0.0), blended, atol=2 / 255), x


def test_decision_regions_match_scatter_colours_beyond_eight_classes():
    """Ten classes: region k has the colour of class k's points.

    (With the palette sliced to k colours, regions 3 and up had other ones.)
    """
    def ten_bands(P):
        return np.clip(((P[:, 0] + 1) * 5).astype(int), 0, 9)

    fig, ax = new_axes()
    viz.decision_regions(ax, ten_bands, (-1, 1), (-1, 1), n=60)
    faces = ax.collections[-1].get_facecolor()
    assert len(faces) == 10
    for k in range(10):
        assert np.allclose(faces[k][:3], to_rgba(viz.PALETTE[k % 8])[:3]), k


def zeros(P):
    return np.zeros(len(P), int)


@pytest.mark.parametrize("predict, kwargs, error, word", [
    (lambda P: np.zeros(3, int), {}, ValueError, "predict"),
    (lambda P: -np.ones(len(P), int), {}, ValueError, "predict"),
    (lambda P: np.full(len(P), 0.5), {}, ValueError, "predict"),
    ("not a function", {}, TypeError, "predict"),
    (zeros, {"xlim": (1, -1)}, ValueError, "xlim"),
    (zeros, {"ylim": (0, float("inf"))}, ValueError, "ylim"),
    (zeros, {"ylim": 3}, TypeError, "ylim"),
    (zeros, {"n": 1}, ValueError, "n"),
    (zeros, {"alpha": 2}, ValueError, "alpha"),
])
def test_decision_regions_bad_input(predict, kwargs, error, word):
    fig, ax = new_axes()
    args = {"xlim": (-1, 1), "ylim": (-1, 1), "n": 10} | kwargs
    with pytest.raises(error, match=word):
        viz.decision_regions(ax, predict, **args)


def test_line_from_weights_draws_the_boundary():
    fig, ax = new_axes()
    assert viz.line_from_weights(ax, np.array([1.0, 2.0]), -1.0, (-3, 3)) is ax
    (line,) = ax.get_lines()
    xs, ys = line.get_xdata(), line.get_ydata()
    assert list(xs) == [-3, 3]
    assert np.allclose(1.0 * xs + 2.0 * ys - 1.0, 0.0)  # w1 x1 + w2 x2 + b = 0
    assert to_rgba(line.get_color()) == to_rgba("black")


def test_line_from_weights_vertical_empty_and_tiny():
    fig, ax = new_axes()
    viz.line_from_weights(ax, [2.0, 0.0], 1.0, (-3, 3), color="red")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [-0.5, -0.5]
    assert to_rgba(line.get_color()) == to_rgba("red")
    fig, ax = new_axes()
    viz.line_from_weights(ax, [0.0, 0.0], 1.0, (-3, 3))  # no boundary exists
    assert ax.get_lines() == []
    fig, ax = new_axes()
    # the same line as w = (1, 2), b = -1 (nothing was drawn before)
    viz.line_from_weights(ax, [1e-13, 2e-13], -1e-13, (-3, 3))
    (line,) = ax.get_lines()
    assert np.allclose(line.get_xdata() + 2 * line.get_ydata() - 1, 0.0)


@pytest.mark.parametrize("w, b, xlim, error, word", [
    ([1.0, 2.0, 3.0], 0.0, (-1, 1), ValueError, "w"),   # w[2] was ignored
    ([1.0], 0.0, (-1, 1), ValueError, "w"),
    (["a", "b"], 0.0, (-1, 1), TypeError, "w"),
    ([1.0, float("nan")], 0.0, (-1, 1), ValueError, "w"),
    ([1.0, 2.0], "b", (-1, 1), TypeError, "b"),
    ([1.0, 2.0], 0.0, (1, 1), ValueError, "xlim"),
])
def test_line_from_weights_bad_input(w, b, xlim, error, word):
    fig, ax = new_axes()
    with pytest.raises(error, match=word):
        viz.line_from_weights(ax, w, b, xlim)
