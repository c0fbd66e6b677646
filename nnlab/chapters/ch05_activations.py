"""Chapter 5: activation functions, as plain formulas, and small experiments.

The plain formulas (sigmoid, tanh, relu, leaky_relu, gelu, prelu) say
what nnlab's core computes: nnlab.activations and nnlab.layers.PReLU give
the same numbers, faster or more carefully (no overflow for any input,
full accuracy in the tails). tests/test_ch05_activations.py checks that
they agree. The experiments:

- collapse_linear_layers: two linear layers are one linear layer;
- value_range: the smallest and largest value an activation takes;
- gradient_after_layers: the vanishing gradient through a chain of layers;
- layer_factors: the factor w f'(z_k) each layer of that chain multiplies
  the gradient by;
- dead_fraction: the dying-ReLU problem, units that output 0 for every
  sample.

Rows are samples: Z = X @ W + b with W of shape (n_in, n_out).
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations
from .._validate import (as_float_array, as_matrix, as_shaped, check_int,
                         check_real, checks, formula)

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "gelu", "prelu",
           "collapse_linear_layers", "value_range", "gradient_after_layers",
           "layer_factors", "dead_fraction"]


# ------------------------------------------------------ the plain formulas
# Input checks and the float-range guard are attached below the formulas
# (nnlab._validate.formula), so that the book shows each formula alone.
erf = np.vectorize(math.erf, otypes=[np.float64])   # NumPy has no erf


def sigmoid(z):
    """Logistic sigmoid: squashes any real z into (0, 1).

    σ(z) = 1 / (1 + exp(−z)).  z of any shape; returns the same shape.
    exp(−z) overflows for z below about −709 (float64): there this plain
    formula raises a ValueError, while nnlab.activations.sigmoid works for
    every z.
    """
    return 1 / (1 + np.exp(-z))


def tanh(z):
    """Hyperbolic tangent: squashes any real z into (−1, 1), centred at 0.

    tanh(z) = (1 − exp(−2z)) / (1 + exp(−2z)) = 2σ(2z) − 1.
    z of any shape; returns the same shape. exp(−2z) overflows for z
    below about −354 (float64): there this plain formula raises a
    ValueError, while nnlab.activations.tanh works for every z.
    """
    e = np.exp(-2 * z)
    return (1 - e) / (1 + e)


def relu(z):
    """Rectified linear unit: keeps positive z, replaces the rest by 0.

    ReLU(z) = max(z, 0).  z of any shape; returns the same shape.
    """
    return np.maximum(z, 0.0)


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: ReLU with a small slope alpha for negative z.

    f(z) = max(αz, z), that is z for z > 0 and αz for z ≤ 0, for a slope
    0 ≤ α ≤ 1.  z of any shape; returns the same shape.
    """
    return np.maximum(alpha * z, z)


def gelu(z, approximate="tanh"):
    """Gaussian error linear unit: z weighted by Φ(z), the probability
    that a standard normal variable is below z.

    GELU(z) = z Φ(z) with Φ(z) = (1 + erf(z / √2)) / 2
            ≈ z (1 + tanh(u)) / 2 with u = √(2/π) (z + 0.044715 z³).
    approximate="tanh" (the default) uses the approximation,
    approximate="none" the exact form, with erf = math.erf applied to each
    entry.  z of any shape; returns the same shape.
    """
    if approximate == "none":
        Phi = (1 + erf(z / math.sqrt(2))) / 2
        return z * Phi
    u = math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)
    return z * (1 + np.tanh(u)) / 2


def prelu(X, alpha):
    """Parametric ReLU: leaky ReLU whose slope alpha is learned.

    f(x) = max(0, x) + a min(0, x), with a = alpha.  X of shape (m, n);
    alpha of shape (1,), one slope shared by all features, or (n,), one
    per feature. Returns shape (m, n).
    """
    return np.maximum(X, 0.0) + alpha * np.minimum(X, 0.0)


def _z_input(z, **_):
    return {"z": as_float_array(z, "z")}


def _leaky_inputs(z, alpha):
    return {"z": as_float_array(z, "z"),
            "alpha": check_real(alpha, "alpha", low=0, high=1)}


def _gelu_inputs(z, approximate):
    if not (isinstance(approximate, str) and approximate in ("tanh", "none")):
        raise ValueError('approximate must be "tanh" or "none"; '
                         f"got {approximate!r}")
    return {"z": as_float_array(z, "z")}


def _prelu_inputs(X, alpha):
    X = as_matrix(X, "X")
    alpha = as_float_array(alpha, "alpha")
    if alpha.shape not in ((1,), (X.shape[1],)):
        raise ValueError(f"alpha must have shape (1,) (one shared slope) or "
                         f"({X.shape[1]},) (one per column of X); "
                         f"got {alpha.shape}")
    return {"X": X, "alpha": alpha}


sigmoid = formula(sigmoid, _z_input, core="nnlab.activations.sigmoid")
tanh = formula(tanh, _z_input, core="nnlab.activations.tanh")
relu = formula(relu, _z_input, core="nnlab.activations.relu")
leaky_relu = formula(leaky_relu, _leaky_inputs,
                     core="nnlab.activations.leaky_relu")
gelu = formula(gelu, _gelu_inputs, core="nnlab.activations.gelu")
prelu = formula(prelu, _prelu_inputs, names="X and alpha")


# ------------------------------------------------------------ experiments
def _weight_matrix(W, name):
    W = as_float_array(W, name)
    if W.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_in, n_out); "
                         f"got shape {W.shape}")
    return W


def _two_layer_inputs(W1, b1, W2, b2):
    W1, W2 = _weight_matrix(W1, "W1"), _weight_matrix(W2, "W2")
    if W1.shape[1] != W2.shape[0]:
        raise ValueError(f"W1 has {W1.shape[1]} outputs but W2 has "
                         f"{W2.shape[0]} inputs; they must match")
    b1 = as_shaped(b1, (W1.shape[1],), "b1", "one bias per column of W1")
    b2 = as_shaped(b2, (W2.shape[1],), "b2", "one bias per column of W2")
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


@checks(_two_layer_inputs)
def collapse_linear_layers(W1, b1, W2, b2):
    """The one linear layer equal to two linear layers with no activation
    between them.

    (X W1 + b1) W2 + b2 = X (W1 W2) + (b1 W2 + b2) = X W + b.
    W1 of shape (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, n_out),
    b2 (n_out,); returns W of shape (n_in, n_out) and b of shape (n_out,).
    """
    W = W1 @ W2
    b = b1 @ W2 + b2
    return W, b


def value_range(name, z, **params):
    """(min, max) of the activation name over the points z.

    On a wide grid this shows the range: leaky ReLU reaches αz < 0 for
    z < 0, so its range is (−∞, ∞), not [0, ∞). params (e.g. alpha) go to
    nnlab.activations.get; the activation checks z.
    """
    values = activations.get(name, **params).forward(z)
    return float(values.min()), float(values.max())


def _chain_inputs(name, z, n_layers, weight, params):
    if not activations.get(name, **params).elementwise:
        raise ValueError(f"{name} is not element-wise (each output mixes a "
                         "whole row); pick an element-wise activation")
    return {"z": as_float_array(z, "z").astype(np.float64),
            "n_layers": check_int(n_layers, "n_layers", minimum=0),
            "weight": check_real(weight, "weight")}


def _check_chain(grad, z, layer, n_layers, weight):
    if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(z))):
        raise ValueError(
            f"the chain overflowed the float range after {layer + 1} of "
            f"{n_layers} layers: with weight={weight:g} the activations or "
            "the gradient explode (the opposite of vanishing); use fewer "
            "layers or a smaller |weight|")


@checks(_chain_inputs)
def gradient_after_layers(name, z, n_layers, weight=1.0, **params):
    """Gradient through a chain of n_layers one-unit layers with the
    activation f: shows how the gradient vanishes (or explodes) with depth.

    The chain starts at z_1 = z; layer k passes z_(k+1) = w f(z_k) on. By
    the chain rule
        ∂z_(n+1) / ∂z_1 = w f'(z_1) · w f'(z_2) · … · w f'(z_n),
    a product of n factors. When |w f'| < 1 (always for the sigmoid with
    |w| < 4, since σ' ≤ 1/4) it shrinks geometrically with depth: the
    vanishing gradient. z of any shape (element-wise); returns the same
    shape. params go to nnlab.activations.get (e.g. alpha). A chain whose
    values or gradient leave the float range (ReLU with weight=2 over 1100
    layers) raises a ValueError instead of returning inf or NaN.
    """
    f = activations.get(name, **params)
    grad = np.ones_like(z)
    for layer in range(n_layers):
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            grad = grad * weight * f.derivative(z)
            z = weight * f.forward(z)
        _check_chain(grad, z, layer, n_layers, weight)
    return grad


@checks(_chain_inputs)
def layer_factors(name, z, n_layers, weight=1.0, **params):
    """The factors w f'(z_k), k = 1 … n_layers, of the chain of
    gradient_after_layers: their product is the gradient it returns.

    Layer k multiplies the gradient by w f'(z_k). Where |w f'| stays below
    1 the gradient vanishes, where it stays above 1 it explodes: the
    activation alone does not decide, the weight times its slope does.
    z of any shape; returns shape (n_layers,) + z.shape. Same chain, same
    params and same overflow check as gradient_after_layers.
    """
    f = activations.get(name, **params)
    factors = []
    for layer in range(n_layers):
        with np.errstate(over="ignore", invalid="ignore"):
            factors.append(weight * f.derivative(z))
            z = weight * f.forward(z)
        _check_chain(factors[-1], z, layer, n_layers, weight)
    return np.array(factors).reshape((n_layers,) + np.shape(z))


def _layer_inputs(X, W, b, name):
    X, W = as_matrix(X, "X"), _weight_matrix(W, "W")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features but W expects "
                         f"{W.shape[0]} inputs (W is (n_in, n_out))")
    b = as_shaped(b, (W.shape[1],), "b", "one bias per column of W")
    return {"X": X, "W": W, "b": b}


@checks(_layer_inputs)
def dead_fraction(X, W, b, name="relu"):
    """Fraction of the layer's units that output 0 for every row of X.

    The layer computes A = f(X W + b). A ReLU unit whose pre-activation is
    ≤ 0 on every sample outputs 0 and has gradient 0 on all of them, so
    gradient descent can never revive it: it is dead. X of shape (m, n_in),
    W (n_in, n_out), b (n_out,); returns a number in [0, 1].
    """
    f = activations.get(name)
    Z = X @ W + b
    silent = (f.forward(Z) == 0) & (f.derivative(Z) == 0)   # (m, n_out)
    return float(np.all(silent, axis=0).mean())
