"""nnlab.chapters.ch05_activations: the plain formulas (equal to the core),
collapsed layers, ranges, vanishing gradients, dead units, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab.chapters import ch05_activations as T
from nnlab import activations, init, layers
from nnlab.gradcheck import numerical_gradient


def test_two_linear_layers_collapse_to_one():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    W1, b1, W2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    W, b = T.collapse_linear_layers(W1, b1, W2, b2)
    assert W.shape == (3, 2) and b.shape == (2,)
    np.testing.assert_allclose(X @ W + b, (X @ W1 + b1) @ W2 + b2, atol=1e-12)
    W, b = T.collapse_linear_layers([[1.0, 2.0], [0.0, 1.0]], [1.0, -1.0], [[2.0], [-1.0]], [0.5])
    np.testing.assert_allclose(W, [[0.0], [-1.0]])
    np.testing.assert_allclose(b, [3.5])


def test_value_ranges():
    z = np.linspace(-1000, 1000, 2001)
    assert T.value_range("relu", z) == (0.0, 1000.0)
    assert T.value_range("leaky_relu", z) == (-10.0, 1000.0)             # negative: range is (-inf, inf)
    assert T.value_range("leaky_relu", z, alpha=0.2) == (-200.0, 1000.0)
    lo, hi = T.value_range("sigmoid", np.linspace(-30, 30, 101))
    assert 0 < lo < 1e-12 and 1 - 1e-12 < hi <= 1
    lo, _ = T.value_range("selu", np.linspace(-30, 0, 11))
    assert lo == pytest.approx(-activations.SELU_SCALE * activations.SELU_ALPHA, rel=1e-12)


def test_gradient_after_layers_closed_forms():
    # one layer is the derivative itself
    z = np.linspace(-3, 3, 13)
    for name in ["sigmoid", "tanh", "relu", "elu", "gelu", "mish"]:
        np.testing.assert_allclose(T.gradient_after_layers(name, z, 1), activations.get(name).derivative(z))
    # sigmoid from 0: 1/4, then sigma'(1/2), ...
    s = lambda v: 1 / (1 + np.exp(-v))
    expected, v = 1.0, 0.0
    for _ in range(4):
        expected *= s(v) * (1 - s(v))
        v = s(v)
    assert T.gradient_after_layers("sigmoid", 0.0, 4) == pytest.approx(expected)
    assert T.gradient_after_layers("sigmoid", 0.0, 10) <= 0.25**10
    assert T.gradient_after_layers("relu", np.array([-1.0, 2.0]), 50).tolist() == [0.0, 1.0]
    assert T.gradient_after_layers("tanh", 0.7, 0) == 1.0
    assert T.gradient_after_layers("leaky_relu", -1.0, 3, alpha=0.1) == pytest.approx(1e-3)
    assert T.gradient_after_layers("linear", 0.3, 5, weight=0.5) == pytest.approx(0.5**5)


def test_gradient_after_layers_matches_finite_differences_of_the_chain():
    for name, w in [("sigmoid", 1.0), ("tanh", 1.5), ("gelu", 0.9), ("softplus", 1.0)]:
        f = activations.get(name)

        def chain(z, f=f, w=w):
            v = z[0]
            for _ in range(4):
                v = w * f.forward(v)
            return float(v)

        for z0 in [-1.3, 0.4, 2.1]:
            num = numerical_gradient(chain, np.array([z0]))[0]
            assert T.gradient_after_layers(name, z0, 4, weight=w) == pytest.approx(num, rel=1e-6, abs=1e-10)


def test_dead_fraction():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.array([[1.0, -1.0, 1.0], [1.0, -1.0, -1.0]])
    b = np.array([0.0, 0.0, 0.5])
    # unit 0 fires, unit 1 never (dead), unit 2 fires for the first sample only
    assert T.dead_fraction(X, W, b) == pytest.approx(1 / 3)
    assert T.dead_fraction(X, W, b, "leaky_relu") == 0.0
    rng = np.random.default_rng(0)
    Xr, Wr = rng.normal(size=(200, 10)), init.he_normal((10, 100), rng=rng)
    fractions = [T.dead_fraction(Xr, Wr, np.full(100, -v)) for v in (0.0, 2.0, 5.0)]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] > 0.5


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="W1 has 4 outputs but W2 has 3 inputs"):
        T.collapse_linear_layers(np.ones((2, 4)), np.ones(4), np.ones((3, 1)), np.ones(1))
    with pytest.raises(ValueError, match=r"b1 must have shape \(4,\)"):
        T.collapse_linear_layers(np.ones((2, 4)), np.ones(3), np.ones((4, 1)), np.ones(1))
    with pytest.raises(ValueError, match="softmax is not element-wise"):
        T.gradient_after_layers("softmax", np.zeros((2, 3)), 2)
    with pytest.raises(ValueError, match="n_layers must be an integer >= 0"):
        T.gradient_after_layers("tanh", 0.0, -1)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        T.value_range("swish", np.zeros(3))
    with pytest.raises(ValueError, match="X has 3 features but W expects 2 inputs"):
        T.dead_fraction(np.ones((4, 3)), np.ones((2, 5)), np.ones(5))
    with pytest.raises(ValueError, match=r"b must have shape \(5,\)"):
        T.dead_fraction(np.ones((4, 2)), np.ones((2, 5)), np.ones(4))


def test_an_exploding_chain_is_reported_not_returned_as_inf():
    with pytest.raises(ValueError, match=r"overflowed the float range after 1024 of 2000 layers.*weight=2"):
        T.gradient_after_layers("relu", 1.0, 2000, weight=2.0)
    assert T.gradient_after_layers("relu", 1.0, 1000, weight=2.0) == 2.0**1000   # still representable


# ----------------------------------------------- plain formulas == the core
# The chapter shows plain formulas; nnlab's core computes the same numbers
# more carefully. Each test compares them on ordinary inputs and on extreme
# ones, as far as the plain formula stays inside the float range (beyond it
# the plain version raises a ValueError, tested below), in float64 and float32.
DTYPES = [np.float64, np.float32]


def _grid(dtype, low, high):
    """Ordinary values, values near 0 and the extremes of [low, high]."""
    tiny = np.finfo(dtype).tiny
    ends = np.geomspace(tiny, high / 2, 400), -np.geomspace(tiny, -low / 2, 400)
    z = np.concatenate([np.linspace(-6, 6, 1201), *ends, [0.0, low, high]])
    return z.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_plain_sigmoid_equals_the_core(dtype):
    fi = np.finfo(dtype)
    low = -np.log(fi.max) * (1 - 1e-6)      # exp(-z) just below the largest float
    z = _grid(dtype, low, fi.max)
    plain, core = T.sigmoid(z), activations.sigmoid(z)
    assert plain.dtype == core.dtype == dtype
    # Both forms take an exp, an addition and a division, each rounded to
    # within one unit in the last place: 4 eps relative covers both sides.
    # Below fi.tiny (z near `low`) results are subnormal, with a fixed
    # spacing: there a few roundings are a few of the smallest steps.
    np.testing.assert_allclose(plain, core, rtol=4 * fi.eps,
                               atol=4 * fi.smallest_subnormal)


@pytest.mark.parametrize("dtype", DTYPES)
def test_plain_tanh_equals_the_core(dtype):
    fi = np.finfo(dtype)
    low = -np.log(fi.max) / 2 * (1 - 1e-6)   # exp(-2z) below the largest float
    z = _grid(dtype, low, fi.max / 2)       # -2z must not overflow either
    plain, core = T.tanh(z), activations.tanh(z)
    assert plain.dtype == core.dtype == dtype
    # Near z = 0, e = exp(-2z) is close to 1 and is rounded before 1 - e
    # (which is then exact): an absolute error of about one eps. That is the
    # plain formula's weak spot, so the test is absolute there ...
    np.testing.assert_allclose(plain, core, rtol=0, atol=2 * fi.eps)
    # ... and relative where 1 - e does not cancel (a few roundings).
    away = np.abs(z) >= 0.5
    np.testing.assert_allclose(plain[away], core[away], rtol=4 * fi.eps)


@pytest.mark.parametrize("approximate", ["tanh", "none"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_plain_gelu_equals_the_core(dtype, approximate):
    fi = np.finfo(dtype)
    high = np.cbrt(fi.max) * (1 - 1e-6)      # z**3 below the largest float
    z = _grid(dtype, -high, high)
    plain = T.gelu(z, approximate=approximate)
    core = activations.gelu(z, approximate=approximate)
    # The plain formula multiplies z / 2 by 1 + tanh(u) (or 1 + erf), a
    # factor in [0, 2] whose rounding (of u, of tanh or erf, of the sum) is
    # a few eps in absolute terms, so its error is a few eps times |z|: for
    # very negative z the factor cancels to 0 and only this absolute bound
    # holds (the core keeps the tiny value's relative accuracy). As
    # |GELU(z)| <= |z| and GELU(z) >= z / 2 for z > 0, the bound is also a
    # relative one for positive z. Measured: at most 2.6 eps |z|.
    wide = z.astype(np.float64)
    gap = np.abs(plain.astype(np.float64) - core.astype(np.float64))
    assert np.all(gap <= 8 * fi.eps * np.abs(wide))


@pytest.mark.parametrize("dtype", DTYPES)
def test_plain_relu_and_leaky_relu_equal_the_core_exactly(dtype):
    fi = np.finfo(dtype)
    z = _grid(dtype, -fi.max, fi.max)
    z = np.concatenate([z, np.array([fi.smallest_subnormal,
                                     -fi.smallest_subnormal], dtype)])
    # max(z, 0) and max(alpha z, z) pick one of the numbers the core's
    # np.where picks (z, 0 or the same product alpha z): no rounding.
    np.testing.assert_array_equal(T.relu(z), activations.relu(z))
    for alpha in [0.0, 0.01, 0.3, 1.0]:
        np.testing.assert_array_equal(T.leaky_relu(z, alpha),
                                      activations.leaky_relu(z, alpha))


@pytest.mark.parametrize("dtype", DTYPES)
def test_plain_prelu_equals_the_prelu_layer_exactly(dtype):
    fi = np.finfo(dtype)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)).astype(dtype)
    X_extreme = np.array([[fi.max, -fi.max, fi.smallest_subnormal],
                          [-fi.smallest_subnormal, 0.0, -fi.tiny]], dtype)
    for slopes in ([0.25], [-0.5, 0.0, 1.0], [0.01, 0.9, 0.3]):
        n = len(slopes)
        layer = layers.PReLU(num_parameters=n, dtype=dtype)
        layer.alpha[:] = slopes
        for inputs in (X, X_extreme, 1e4 * X):
            # X + a * 0 = X and 0 + a X = a X are exact: no rounding.
            np.testing.assert_array_equal(T.prelu(inputs, layer.alpha),
                                          layer.forward(inputs))
    # a slope above 1 is fine too, as long as alpha X stays in range
    layer = layers.PReLU(init=3.0, dtype=dtype)
    np.testing.assert_array_equal(T.prelu(X, layer.alpha), layer.forward(X))


def test_plain_formulas_report_the_float_range_instead_of_overflowing():
    """Where the plain formula overflows (the core does not), a ValueError
    names the argument and the core function: no warning, no inf or NaN."""
    cases = [(T.sigmoid, [-710.0], "sigmoid", activations.sigmoid),
             (T.sigmoid, np.float32([-89.0]), "sigmoid", activations.sigmoid),
             (T.tanh, [-355.0], "tanh", activations.tanh),
             (T.tanh, [1e308], "tanh", activations.tanh),
             (T.gelu, [-1e103], "gelu", activations.gelu),
             (T.gelu, np.float32([1e13]), "gelu", activations.gelu)]
    for plain, z, name, core in cases:
        with pytest.raises(ValueError,
                           match=rf"for these z .*activations\.{name}"):
            plain(z)
        assert np.all(np.isfinite(core(z)))
    with pytest.raises(ValueError, match="X and alpha"):
        T.prelu([[-1e308]], [3.0])


def test_plain_formulas_keep_the_numbers_of_the_chapter():
    """Independent values: math.tanh, math.erf and hand-computed numbers."""
    assert T.sigmoid(0.0) == 0.5
    assert T.sigmoid(np.log(3.0)) == pytest.approx(0.75, rel=1e-15)
    for v in [-3.0, -0.2, 0.7, 20.0]:
        assert T.tanh(v) == pytest.approx(math.tanh(v), rel=1e-15)
        exact = v * (1 + math.erf(v / math.sqrt(2))) / 2
        assert T.gelu(v, approximate="none") == pytest.approx(exact, rel=1e-14)
    assert T.leaky_relu(np.array([-5.0, 2.0]), 0.01).tolist() == [-0.05, 2.0]
    assert T.relu(np.array([-1.0, 0.0, 3.0])).tolist() == [0.0, 0.0, 3.0]
    assert T.prelu([[-2.0, -1.0, 0.5, 3.0]], [0.25]).tolist() == \
        [[-0.5, -0.25, 0.5, 3.0]]
    # the tanh form and z Phi(z) differ by at most 4.73e-4 (the chapter)
    z = np.linspace(-10, 10, 200_001)
    gap = np.abs(T.gelu(z) - T.gelu(z, approximate="none"))
    assert gap.max() == pytest.approx(4.73e-4, abs=5e-6)


BAD_CALLS = [
    (lambda: T.gradient_after_layers("relu", 1.0, 3, weight="a"), TypeError, "weight"),
    (lambda: T.gradient_after_layers("relu", 1.0, 3, weight=None), TypeError, "weight"),
    (lambda: T.gradient_after_layers("relu", 1.0, 3, weight=float("nan")), ValueError, "weight"),
    (lambda: T.gradient_after_layers("relu", 1.0, 2.5), ValueError, "n_layers"),
    (lambda: T.gradient_after_layers(["relu"], 1.0, 2), TypeError, "activation"),
    (lambda: T.gradient_after_layers("relu", None, 2), TypeError, r"\bz\b"),
    (lambda: T.value_range("relu", []), ValueError, r"\bz\b"),
    (lambda: T.value_range("leaky_relu", [1.0], alpha="big"), TypeError, "alpha"),
    (lambda: T.collapse_linear_layers(None, np.ones(2), np.ones((2, 1)), np.ones(1)), TypeError, "W1"),
    (lambda: T.dead_fraction(np.ones(3), np.ones((3, 2)), np.ones(2)), ValueError, r"\bX\b"),
    (lambda: T.dead_fraction(np.ones((2, 3)), np.ones((3, 2)), np.ones(2), name=3), TypeError, "activation"),
    (lambda: T.sigmoid("abc"), TypeError, r"\bz\b"),
    (lambda: T.tanh(np.arange(3)), TypeError, r"\bz\b"),
    (lambda: T.relu([np.nan]), ValueError, r"\bz\b"),
    (lambda: T.leaky_relu([1.0], alpha=2.0), ValueError, "alpha"),
    (lambda: T.leaky_relu([1.0], alpha="big"), TypeError, "alpha"),
    (lambda: T.gelu([1.0], approximate="exact"), ValueError, "approximate"),
    (lambda: T.prelu(np.ones(3), [0.25]), ValueError, r"\bX\b"),
    (lambda: T.prelu(np.ones((4, 2)), np.ones(3)), ValueError, "alpha"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


# ------------------------------------------ the factor w f'(z) of each layer
def test_layer_factors_hand_values():
    s = lambda v: 1 / (1 + math.exp(-v))
    f = T.layer_factors("sigmoid", 0.0, 3)
    assert f.shape == (3,)
    assert f[0] == 0.25                                     # sigma'(0)
    assert f[1] == pytest.approx(s(0.5) * (1 - s(0.5)), rel=1e-15)
    assert T.layer_factors("relu", 1.0, 5, weight=2.0).tolist() == [2.0] * 5
    assert T.layer_factors("relu", -1.0, 2, weight=2.0).tolist() == [0.0] * 2
    # tanh from exactly 0 stays at 0, where tanh' = 1: no vanishing at all
    assert T.layer_factors("tanh", 0.0, 100).tolist() == [1.0] * 100
    assert T.gradient_after_layers("tanh", 0.0, 100) == 1.0
    assert T.layer_factors("tanh", 0.0, 4, weight=0.5).tolist() == [0.5] * 4


def test_layer_factors_multiply_to_the_gradient_and_keep_the_shape():
    z = np.array([[-1.0, 0.3], [1.0, 2.5]])
    for name in ["sigmoid", "tanh", "relu", "elu", "gelu"]:
        for w in [0.5, 1.0, 2.0, 4.0]:
            f = T.layer_factors(name, z, 20, weight=w)
            assert f.shape == (20, 2, 2)
            np.testing.assert_allclose(
                f.prod(axis=0), T.gradient_after_layers(name, z, 20, w),
                rtol=1e-12, atol=0)
    assert T.layer_factors("relu", z, 0).shape == (0, 2, 2)


def test_layer_factors_match_the_chain_differentiated_by_torch():
    torch = pytest.importorskip("torch")
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    for name, fn in fns.items():
        for w in [0.5, 1.0, 2.0, 4.0]:
            z = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
            v = z
            for _ in range(20):
                v = w * fn(v)
            v.backward()
            # d z_21 / d z_1 from torch; the chapter's product of factors
            ours = T.layer_factors(name, 1.0, 20, weight=w).prod()
            assert ours == pytest.approx(z.grad.item(), rel=1e-9, abs=0)


def test_layer_factors_report_overflow_and_bad_input():
    with pytest.raises(ValueError, match="overflowed the float range"):
        T.layer_factors("relu", 1.0, 2000, weight=2.0)
    with pytest.raises(ValueError, match="softmax is not element-wise"):
        T.layer_factors("softmax", np.zeros((2, 3)), 2)
    with pytest.raises(TypeError, match="weight"):
        T.layer_factors("tanh", 1.0, 3, weight="a")
    with pytest.raises(ValueError, match="n_layers"):
        T.layer_factors("tanh", 1.0, -1)
