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
        return 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
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


# --------------------------------------------------------------------- stability
EXTREMES = [np.array([-1e4, -50.0, 0.0, 50.0, 1e4]), np.array([-80.0, -20.0, 0.0, 20.0, 80.0], np.float32)]


@pytest.mark.parametrize("z", EXTREMES, ids=["float64+-1e4", "float32+-80"])
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
