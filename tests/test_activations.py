"""nnlab.activations: values, derivatives (finite differences and PyTorch), stability, dtypes, errors.

Expected numbers come from independent sources: the lectures' worked values,
Python's ``math`` module, central differences and PyTorch autograd.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab import activations as A
from nnlab.gradcheck import check_gradient, numerical_gradient

ELEMENTWISE = [n for n in A.NAMES if n not in ("softmax", "log_softmax")]
# (name, params) for every element-wise activation, including non-default parameters.
VARIANTS = [(n, {}) for n in ELEMENTWISE] + [
    ("leaky_relu", {"alpha": 0.2}),
    ("elu", {"alpha": 0.5}),
    ("gelu", {"approximate": "none"}),
]
KINKED = {"step", "relu", "leaky_relu", "elu", "selu"}  # derivative jumps at 0


def _ids(variants):
    return [n + "".join(f"-{k}={v}" for k, v in p.items()) for n, p in variants]


# --------------------------------------------------------------------- reference values
def _ref_scalar(name, x, params):
    """Element-wise definitions written independently with Python's math module."""
    alpha = params.get("alpha")
    if name == "step":
        return 1.0 if x > 0 else 0.0
    if name == "linear":
        return x
    if name == "sigmoid":
        return 1 / (1 + math.exp(-x))
    if name == "tanh":
        return math.tanh(x)
    if name == "relu":
        return max(x, 0.0)
    if name == "leaky_relu":
        return x if x > 0 else (0.01 if alpha is None else alpha) * x
    if name == "elu":
        return x if x > 0 else (1.0 if alpha is None else alpha) * (math.exp(x) - 1)
    if name == "selu":
        return 1.0507009873554805 * (x if x > 0 else 1.6732632423543772 * (math.exp(x) - 1))
    if name == "gelu":
        if params.get("approximate", "tanh") == "none":
            return x * 0.5 * math.erfc(-x / math.sqrt(2))
        # (1 + tanh u) / 2 = 1 / (1 + e^(-2u)): a form without the cancellation of
        # 1 + tanh(u) for negative u, and not the one nnlab uses (sigma(2u), two branches)
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return x / (1 + math.exp(-2 * u))
    if name == "softplus":
        return math.log(1 + math.exp(x))
    if name == "mish":
        return x * math.tanh(math.log(1 + math.exp(x)))
    raise AssertionError(name)


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=_ids(VARIANTS))
def test_matches_math_definition(name, params):
    z = np.array([-6.0, -2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.2, 7.0])
    expected = np.array([_ref_scalar(name, x, params) for x in z])
    np.testing.assert_allclose(A.get(name, **params).forward(z), expected, rtol=1e-12, atol=1e-15)


def test_lecture_values():
    # Lectures, logistic regression example: z = 1.1 -> p ~ 0.75.
    assert A.sigmoid(1.1) == pytest.approx(0.7502601055951177, rel=1e-15)
    np.testing.assert_allclose(A.softmax([2.0, 1.0, 0.1]), [0.6590, 0.2424, 0.0986], atol=5e-5)
    assert A.step([0.0, 1e-9, -1e-9]).tolist() == [0.0, 1.0, 0.0]  # perceptron: 1 only if wx+b > 0
    assert A.leaky_relu(-2.0, alpha=0.1) == pytest.approx(-0.2)
    assert A.softplus(0.0) == pytest.approx(math.log(2))


def test_gelu_exact_matches_erf_far_into_the_tails():
    # Phi(x) for x down to -35 (~1e-268): the relative accuracy must survive.
    z = np.linspace(-35, 8, 4301)
    expected = np.array([x * 0.5 * math.erfc(-x / math.sqrt(2)) for x in z])
    np.testing.assert_allclose(A.gelu(z, approximate="none"), expected, rtol=1e-12, atol=0)
    assert A.gelu(1.0, approximate="none") == pytest.approx(0.8413447460685429, rel=1e-14)


def test_softmax_rows_and_axis():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])
    s = A.softmax(z)
    np.testing.assert_allclose(s.sum(axis=1), [1, 1])
    np.testing.assert_allclose(s[1], [1 / 3] * 3)
    np.testing.assert_allclose(A.softmax(z.T, axis=0), s.T)
    np.testing.assert_allclose(np.exp(A.log_softmax(z)), s, rtol=1e-14)


def test_conventions_at_zero():
    zero = np.zeros(3)
    assert A.get("relu").derivative(zero).tolist() == [0, 0, 0]          # PyTorch's relu'(0) = 0
    assert A.get("step").derivative([-1.0, 0.0, 2.0]).tolist() == [0, 0, 0]  # no signal for GD
    assert A.get("leaky_relu", alpha=0.2).derivative(zero).tolist() == [0.2] * 3
    assert A.get("elu", alpha=0.5).derivative(zero).tolist() == [0.5] * 3


# --------------------------------------------------------------------- derivatives
def _away_from_kinks(z):
    return np.where(np.abs(z) < 1e-3, 0.5, z)


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=_ids(VARIANTS))
@settings(max_examples=12, deadline=None)
@given(shape=st.sampled_from([(1,), (5,), (2, 3), (3, 1), (2, 2, 2)]), seed=st.integers(0, 2**32 - 1),
       scale=st.sampled_from([0.5, 3.0]))
def test_derivative_passes_gradcheck(name, params, shape, seed, scale):
    rng = np.random.default_rng(seed)
    act = A.get(name, **params)
    z = _away_from_kinks(scale * rng.normal(size=shape))
    g = rng.normal(size=shape)
    f = lambda x: float(np.sum(g * act.forward(x)))  # noqa: E731  (a scalar "loss")
    assert check_gradient(f, z, act.derivative(z) * g) < 1e-7
    assert check_gradient(f, z, act.vjp(z, g)) < 1e-7


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [-1, 0])
@settings(max_examples=12, deadline=None)
@given(shape=st.sampled_from([(1, 3), (4, 2), (3, 5)]), seed=st.integers(0, 2**32 - 1))
def test_softmax_vjp_passes_gradcheck(name, axis, shape, seed):
    rng = np.random.default_rng(seed)
    act = A.get(name, axis=axis)
    z = 3 * rng.normal(size=shape)
    g = rng.normal(size=shape)
    f = lambda x: float(np.sum(g * act.forward(x)))  # noqa: E731
    analytic, numeric = act.vjp(z, g), numerical_gradient(f, z)
    # A saturated softmax has gradients far smaller than f itself, where central
    # differences are limited by round-off (~1e-16 / eps = 1e-10): allow that absolutely.
    assert np.max(np.abs(analytic - numeric)) <= 1e-9 + 1e-7 * np.max(np.abs(numeric))


def test_softmax_vjp_equals_explicit_jacobian(rng):
    z, g = rng.normal(size=4), rng.normal(size=4)
    s = A.softmax(z)
    jacobian = np.diag(s) - np.outer(s, s)  # d s_i / d z_j
    np.testing.assert_allclose(A.get("softmax").vjp(z, g), g @ jacobian, rtol=1e-12)


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(NotImplementedError, match="not element-wise.*vjp"):
        A.get("softmax").derivative([1.0, 2.0])


# --------------------------------------------------------------------- PyTorch parity
def _torch_fn(torch, name, params):
    F = torch.nn.functional
    table = {
        "step": lambda z: torch.heaviside(z, torch.zeros_like(z)),
        "linear": lambda z: z * 1,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, params.get("alpha", 0.01)),
        "elu": lambda z: F.elu(z, params.get("alpha", 1.0)),
        "selu": F.selu,
        "gelu": lambda z: F.gelu(z, approximate=params.get("approximate", "tanh")),
        "softplus": F.softplus,
        "mish": F.mish,
        "softmax": lambda z: torch.softmax(z, dim=-1),
        "log_softmax": lambda z: torch.log_softmax(z, dim=-1),
    }
    return table[name]


TORCH_CASES = VARIANTS + [("softmax", {}), ("log_softmax", {})]


@pytest.mark.torch
@pytest.mark.parametrize(("name", "params"), TORCH_CASES, ids=_ids(TORCH_CASES))
def test_parity_with_pytorch(torch, name, params, rng):
    z = np.concatenate([[0.0, -1.0, 1.0, 0.5, -4.0, 4.0], 3 * rng.normal(size=18)]).reshape(4, 6)
    g = rng.normal(size=z.shape)
    act = A.get(name, **params)
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = _torch_fn(torch, name, params)(zt)
    np.testing.assert_allclose(act.forward(z), out.detach().numpy(), rtol=1e-10, atol=1e-15)
    if name == "step":  # torch.heaviside has no gradient; ours is 0 everywhere
        return
    out.backward(torch.tensor(g))
    grad = zt.grad.numpy()
    # atol: a derivative that crosses 0 (GELU's at z = -0.75) is a difference of O(1)
    # terms, so both libraries carry an absolute rounding error of a few 1e-16 there.
    np.testing.assert_allclose(act.vjp(z, g), grad, rtol=1e-10, atol=1e-13)
    if act.elementwise:
        np.testing.assert_allclose(act.derivative(z) * g, grad, rtol=1e-10, atol=1e-13)


# --------------------------------------------------------------------- accuracy in the tails
# References written independently with Python's math module, in forms that do
# not cancel (the naive sigma (1 - sigma) and 1 - tanh^2 are 0 there).
def _ref_d_sigmoid(x):
    e = math.exp(-abs(x))
    return e / (1 + e) ** 2


def _ref_d_tanh(x):
    return 1 / math.cosh(x) ** 2


def _ref_d_gelu_tanh(x):
    c, a = math.sqrt(2 / math.pi), 0.044715
    u = c * (x + a * x**3)
    half_one_plus_tanh = 1 / (1 + math.exp(-2 * u))            # (1 + tanh u) / 2
    sech2 = 4 / (math.exp(u) + math.exp(-u)) ** 2
    return half_one_plus_tanh + 0.5 * x * sech2 * c * (1 + 3 * a * x * x)


def _ref_d_gelu_exact(x):
    return 0.5 * math.erfc(-x / math.sqrt(2)) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


TAILS = [-700.0, -100.0, -37.0, -20.0, -5.0, -0.5, 0.0, 0.5, 5.0, 20.0, 37.0, 40.0, 100.0, 700.0]


def test_sigmoid_derivative_keeps_its_digits_in_both_tails():
    # sigma'(37) = 8.5e-17: sigma(37) (1 - sigma(37)) rounds to 0; sigma(z) sigma(-z) does not
    z = np.array(TAILS)
    expected = np.array([_ref_d_sigmoid(x) for x in TAILS])
    np.testing.assert_allclose(A.get("sigmoid").derivative(z), expected, rtol=1e-14, atol=0)
    assert A.get("sigmoid").derivative(37.0) == pytest.approx(8.533047625744065e-17, rel=1e-14)
    np.testing.assert_allclose(A.get("softplus").derivative(z), A.sigmoid(z), rtol=0, atol=0)


def test_tanh_derivative_keeps_its_digits_in_the_tails():
    z = np.array([x for x in TAILS if abs(x) <= 350] + [-350.0, 350.0])
    expected = np.array([_ref_d_tanh(x) for x in z])
    np.testing.assert_allclose(A.get("tanh").derivative(z), expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 2e-7)])
def test_gelu_tanh_form_is_accurate_for_negative_z(dtype, rtol):
    # In float32 the textbook 0.5 z (1 + tanh u) is 30% off at z = -5 (1 + tanh u cancels).
    z = np.linspace(-9, 9, 721).astype(dtype)
    x = z.astype(np.float64)                                   # the exact inputs
    act = A.get("gelu")
    np.testing.assert_allclose(act.forward(z), [_ref_scalar("gelu", v, {}) for v in x], rtol=rtol, atol=0)
    d = act.derivative(z)
    ref = np.array([_ref_d_gelu_tanh(v) for v in x])
    # the derivative crosses 0 near z = -0.75, where only its absolute error is small
    np.testing.assert_allclose(d, ref, rtol=rtol, atol=4 * float(np.finfo(dtype).eps))
    assert act.forward(np.float32(-5.0)) == pytest.approx(-5 / (1 + math.exp(2 * math.sqrt(2 / math.pi)
                                                                               * (5 + 0.044715 * 125))), rel=1e-6)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-7)])
def test_gelu_exact_derivative_and_float32_match_erf(dtype, rtol):
    z = np.linspace(-9, 9, 721).astype(dtype)
    x = z.astype(np.float64)
    act = A.get("gelu", approximate="none")
    np.testing.assert_allclose(act.forward(z), [_ref_scalar("gelu", v, {"approximate": "none"}) for v in x],
                               rtol=rtol, atol=0)
    np.testing.assert_allclose(act.derivative(z), [_ref_d_gelu_exact(v) for v in x],
                               rtol=rtol, atol=4 * float(np.finfo(dtype).eps))


def test_log_softmax_keeps_the_tiny_loss_of_a_confident_row():
    # log softmax(40, 0)_0 = -log(1 + e^-40) = -4.25e-18; log(1 + r) would round it to 0
    out = A.log_softmax(np.array([[40.0, 0.0], [0.0, 40.0], [3.0, 3.0]]))
    np.testing.assert_allclose(out[:, :1].ravel(), [-math.exp(-40), -40 - math.log1p(math.exp(-40)), -math.log(2)],
                               rtol=1e-15)


def test_softmax_vjps_keep_the_tiny_gradient_of_a_confident_row():
    # z = (40, 0), g = (1, 0): softmax vjp = (s0 s1, -s0 s1), log-softmax vjp = (s1, -s1), s1 = 4.2e-18
    s1 = math.exp(-40) / (1 + math.exp(-40))
    s0 = 1 / (1 + math.exp(-40))
    z, g = np.array([[40.0, 0.0], [0.0, 40.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(A.get("softmax").vjp(z, g), [[s0 * s1, -s0 * s1], [-s0 * s1, s0 * s1]], rtol=1e-14)
    np.testing.assert_allclose(A.get("log_softmax").vjp(z, g), [[s1, -s1], [-s1, s1]], rtol=1e-14)
    # along axis 0, and with a tie for the maximum
    np.testing.assert_allclose(A.get("softmax", axis=0).vjp(z.T, g.T), [[s0 * s1, -s0 * s1], [-s0 * s1, s0 * s1]],
                               rtol=1e-14)
    e2 = math.exp(2)
    total = 2 * e2 + 1
    np.testing.assert_allclose(A.get("log_softmax").vjp(np.array([[2.0, 2.0, 0.0]]), np.array([[1.0, 0.0, 0.0]])),
                               [[(e2 + 1) / total, -e2 / total, -1 / total]], rtol=1e-14)
    np.testing.assert_allclose(A.get("softmax").vjp(np.array([[2.0, 2.0, 0.0]]), np.array([[0.0, 1.0, 0.0]])),
                               [[-(e2 / total) ** 2, e2 / total * (1 - e2 / total), -e2 / total ** 2]], rtol=1e-14)


def test_tails_against_mpmath():
    mpmath = pytest.importorskip("mpmath", reason="mpmath is the high-precision reference (it comes with torch/sympy)")
    mp = mpmath.mp
    mp.dps = 120                         # 1 + tanh(u) ~ 1e-62 at z = -12 must survive
    c, a = mpmath.sqrt(2 / mpmath.pi), mpmath.mpf("0.044715")
    refs = {
        "sigmoid": (lambda x: 1 / (1 + mpmath.exp(-x)), lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
        "tanh": (mpmath.tanh, lambda x: mpmath.sech(x) ** 2),
        "softplus": (lambda x: mpmath.log(1 + mpmath.exp(x)), lambda x: 1 / (1 + mpmath.exp(-x))),
        "gelu": (lambda x: x / 2 * (1 + mpmath.tanh(c * (x + a * x**3))),
                 lambda x: mpmath.diff(lambda t: t / 2 * (1 + mpmath.tanh(c * (t + a * t**3))), x)),
        "mish": (lambda x: x * mpmath.tanh(mpmath.log(1 + mpmath.exp(x))),
                 lambda x: mpmath.diff(lambda t: t * mpmath.tanh(mpmath.log(1 + mpmath.exp(t))), x)),
        "elu": (lambda x: x if x > 0 else mpmath.expm1(x), lambda x: 1 if x > 0 else mpmath.exp(x)),
    }
    z = np.array([-40.0, -30.0, -12.0, -6.0, -2.0, -0.3, 0.3, 2.0, 6.0, 12.0, 30.0])
    for name, (f, df) in refs.items():
        act = A.get(name)
        for x, got, dgot in zip(z, act.forward(z), act.derivative(z)):
            want, dwant = float(f(mpmath.mpf(x))), float(df(mpmath.mpf(x)))
            assert got == pytest.approx(want, rel=1e-13, abs=1e-300), (name, x)
            # mish' has a zero near -1.19 and gelu' near -0.75: none on this grid
            assert dgot == pytest.approx(dwant, rel=1e-12, abs=1e-300), (name, "derivative", x)


# --------------------------------------------------------------------- float32 against float64
F32 = float(np.finfo(np.float32).eps)
ZEROS_OF_DERIVATIVE = {"gelu": -0.75, "mish": -1.19}   # only absolute accuracy near these


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=_ids(VARIANTS))
def test_float32_values_match_float64(name, params):
    """float32 results agree with float64 ones to float32 precision, tails included.

    Tolerance: 4 eps32 (1 + |z|) relative (an exponent of size |z| carries |z| eps of
    rounding), absolute only below float32's smallest normal number and, for the
    derivative, within 0.3 of a zero of f'. The float64 values are checked
    independently above (math module, mpmath, PyTorch).
    """
    z32 = np.linspace(-30, 30, 2401).astype(np.float32)
    z64 = z32.astype(np.float64)
    act = A.get(name, **params)
    for kind in ("forward", "derivative"):
        got = getattr(act, kind)(z32)
        want = getattr(act, kind)(z64)
        assert got.dtype == np.float32
        atol = np.full(z64.shape, float(np.finfo(np.float32).tiny))
        if kind == "derivative" and name in ZEROS_OF_DERIVATIVE:
            atol[np.abs(z64 - ZEROS_OF_DERIVATIVE[name]) < 0.3] = 8 * F32
        err = np.abs(got.astype(np.float64) - want)
        bound = 4 * F32 * (1 + np.abs(z64)) * np.abs(want) + atol
        worst = np.argmax(err - bound)
        assert np.all(err <= bound), f"{kind} at z = {z64[worst]}: float32 {got[worst]}, float64 {want[worst]}"


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_float32_softmax_matches_float64(name, rng):
    z64 = np.concatenate([3 * rng.normal(size=(50, 6)), [[40.0, 0, 0, 0, 0, -40.0], [1, 1, 1, 1, 1, 1]]])
    z64 = z64.astype(np.float32).astype(np.float64)
    got = A.get(name).forward(z64.astype(np.float32))
    want = A.get(name).forward(z64)
    assert got.dtype == np.float32
    spread = 1 + np.max(z64, axis=1, keepdims=True) - z64                # the exponents' sizes
    bound = 4 * F32 * np.max(spread, axis=1, keepdims=True) * np.abs(want) + float(np.finfo(np.float32).tiny)
    assert np.all(np.abs(got - want) <= bound)


# --------------------------------------------------------------------- stability
EXTREMES = [np.array([-1e4, -50.0, 0.0, 50.0, 1e4]), np.array([-80.0, -20.0, 0.0, 20.0, 80.0], np.float32),
            np.array([-1e300, -1e10, 0.0, 1e10, 1e300]), np.array([-1e38, -1e10, 0.0, 1e10, 1e38], np.float32)]


@pytest.mark.parametrize("z", EXTREMES, ids=["float64+-1e4", "float32+-80", "float64+-1e300", "float32+-1e38"])
@pytest.mark.parametrize("name", A.NAMES)
def test_extremes_are_finite_without_any_floating_point_error(name, z):
    act = A.get(name)
    with np.errstate(all="raise"):
        out = act.forward(z)
        grad = act.vjp(z, np.ones_like(z))
        deriv = act.derivative(z) if act.elementwise else grad
    for a in (out, grad, deriv):
        assert a.dtype == z.dtype
        assert np.all(np.isfinite(a))


def test_softmax_of_a_row_wider_than_the_float_range():
    z = np.array([3e38, 0.0, -3e38], np.float32)             # 3e38 - (-3e38) overflows float32
    with np.errstate(all="raise"):
        s = A.softmax(z)
        log_s = A.log_softmax(z)
    assert s.tolist() == [1.0, 0.0, 0.0]
    assert log_s[0] == 0 and log_s[1] == np.float32(-3e38) and log_s[2] == -np.inf


def test_extreme_values_are_right():
    with np.errstate(all="raise"):
        assert A.sigmoid([-1e4, 1e4]).tolist() == [0.0, 1.0]
        s32 = A.sigmoid(np.array([-80.0, 80.0], np.float32))
        np.testing.assert_allclose(s32, [math.exp(-80), 1.0], rtol=1e-6)
        np.testing.assert_allclose(A.softmax([1e4, -1e4, 1e4]), [0.5, 0.0, 0.5])
        np.testing.assert_allclose(A.log_softmax([1e4, -1e4]), [0.0, -2e4])
        np.testing.assert_allclose(A.softplus([1e4, -1e4]), [1e4, 0.0])
        assert A.get("sigmoid").derivative([1e4, -1e4]).tolist() == [0.0, 0.0]


# --------------------------------------------------------------------- dtypes and errors
@pytest.mark.parametrize(("name", "params"), TORCH_CASES, ids=_ids(TORCH_CASES))
def test_float32_in_float32_out(name, params, rng):
    z = rng.normal(size=(3, 4)).astype(np.float32)
    act = A.get(name, **params)
    assert act.forward(z).dtype == np.float32
    assert act.vjp(z, np.ones_like(z)).dtype == np.float32
    if act.elementwise:
        assert act.derivative(z).dtype == np.float32


def test_lists_of_ints_become_float64():
    out = A.relu([[-1, 2], [3, -4]])
    assert out.dtype == np.float64 and out.tolist() == [[0, 2], [3, 0]]


@pytest.mark.parametrize("name", A.NAMES)
def test_bad_inputs_name_the_argument(name):
    act = A.get(name)
    with pytest.raises(TypeError, match=r"\bz\b.*floating-point"):
        act.forward(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=r"\bz\b.*NaN"):
        act.forward(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"\bz\b.*NaN or infinity"):
        act.forward(np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match=r"\bz\b is empty"):
        act.forward(np.array([]))
    with pytest.raises(ValueError, match=r"grad_out has shape \(2,\) but z has shape \(3,\)"):
        act.vjp(np.zeros(3), np.zeros(2))


def test_get_errors_and_names():
    assert isinstance(A.NAMES, tuple) and set(A.NAMES) == {
        "step", "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu",
        "softplus", "mish", "softmax", "log_softmax"}
    with pytest.raises(ValueError, match="unknown activation 'swish'.*sigmoid.*softmax"):
        A.get("swish")
    with pytest.raises(TypeError, match="'relu' has no parameter alpha"):
        A.get("relu", alpha=0.1)
    with pytest.raises(ValueError, match="approximate"):
        A.get("gelu", approximate="erf")
    with pytest.raises(ValueError, match="alpha"):
        A.leaky_relu([1.0], alpha=-1)
    act = A.get("leaky_relu", alpha=0.3)
    assert act.name == "leaky_relu" and act.forward([-1.0]) == pytest.approx(-0.3)


# --------------------------------------------------------------------- bad input, one table
BAD_CALLS = [
    (lambda: A.get(["relu"]), TypeError, "activation"),
    (lambda: A.get(None), TypeError, "activation"),
    (lambda: A.softmax(np.ones(3), axis=5), ValueError, "axis"),
    (lambda: A.softmax(np.ones(3), axis="rows"), TypeError, "axis"),
    (lambda: A.log_softmax(np.ones((2, 3)), axis=1.0), TypeError, "axis"),
    (lambda: A.softmax(1.0), ValueError, r"\bz\b"),
    (lambda: A.leaky_relu([1.0], alpha=True), TypeError, "alpha"),
    (lambda: A.leaky_relu([1.0], alpha="a"), TypeError, "alpha"),
    (lambda: A.elu([1.0], alpha=float("nan")), ValueError, "alpha"),
    (lambda: A.get("leaky_relu", alpha=-1.0), ValueError, "alpha"),
    (lambda: A.gelu([1.0], approximate=None), ValueError, "approximate"),
    (lambda: A.get("gelu", approximate=["tanh"]), ValueError, "approximate"),
    (lambda: A.relu(None), TypeError, r"\bz\b"),
    (lambda: A.relu("abc"), TypeError, r"\bz\b"),
    (lambda: A.get("tanh").vjp([1.0, 2.0], None), TypeError, "grad_out"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


def test_one_class_per_name():
    """nnlab.activations.ActivationFunction is the function object;
    Activation is only the layer (nnlab.layers.Activation)."""
    import nnlab
    assert "Activation" not in A.__all__ and not hasattr(A, "Activation")
    assert "ActivationFunction" in A.__all__
    assert nnlab.layers.Activation("relu").fn.__class__ is A.ActivationFunction


def test_activation_objects():
    act = A.get("leaky_relu", alpha=0.25)
    assert isinstance(act, A.ActivationFunction) and act.elementwise and act.params == {"alpha": 0.25}
    assert repr(act) == "get('leaky_relu', alpha=0.25)"
    assert act([-4.0, 2.0]).tolist() == [-1.0, 2.0]                  # __call__ is forward
    assert act.derivative([-4.0, 2.0]).tolist() == [0.25, 1.0]
    assert act.vjp([-4.0, 2.0], [2.0, 3.0]).tolist() == [0.5, 3.0]    # grad_out * f'(z)
    assert A.get(act) is act
    soft = A.get("softmax", axis=0)
    assert isinstance(soft, A.ActivationFunction) and not soft.elementwise and repr(soft) == "get('softmax', axis=0)"
