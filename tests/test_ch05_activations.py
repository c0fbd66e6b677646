"""nnlab.activation_tools: collapsed layers, ranges, vanishing gradients, dead units, errors."""
from __future__ import annotations

import numpy as np
import pytest

from nnlab.chapters import ch05_activations as T
from nnlab import activations, init
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
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()
