r"""Small experiments with activation functions (Chapter 5).

The activations themselves (values and derivatives) live in
:mod:`nnlab.activations`; this module holds the few computations the chapter
builds on them:

* :func:`collapse_linear_layers` — two linear layers are one linear layer;
* :func:`value_range` — the smallest and largest value an activation takes on a grid;
* :func:`gradient_after_layers` — the vanishing gradient through a chain of layers;
* :func:`dead_fraction` — the dying-ReLU problem: units that output 0 for every sample.

Rows are samples: ``Z = X @ W + b`` with ``W`` of shape ``(n_in, n_out)``.
"""
from __future__ import annotations

import numpy as np

from .. import activations
from .._validate import as_float_array, check_int

__all__ = ["collapse_linear_layers", "value_range", "gradient_after_layers", "dead_fraction"]


def collapse_linear_layers(W1, b1, W2, b2):
    r"""The single linear layer equal to two stacked linear layers (no activation between).

    .. math:: (X W_1 + b_1) W_2 + b_2 = X \underbrace{W_1 W_2}_{W} + \underbrace{b_1 W_2 + b_2}_{b}

    Shapes: ``W1`` ``(n_in, n_hidden)``, ``b1`` ``(n_hidden,)``, ``W2``
    ``(n_hidden, n_out)``, ``b2`` ``(n_out,)`` → ``W`` ``(n_in, n_out)``, ``b`` ``(n_out,)``.
    """
    W1, b1, W2, b2 = (as_float_array(a, n) for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2")))
    if W1.ndim != 2 or W2.ndim != 2:
        raise ValueError(f"W1 and W2 must be 2-D (n_in, n_out); got shapes {W1.shape} and {W2.shape}")
    if W1.shape[1] != W2.shape[0]:
        raise ValueError(f"W1 has {W1.shape[1]} outputs but W2 has {W2.shape[0]} inputs; they must match")
    if b1.shape != (W1.shape[1],) or b2.shape != (W2.shape[1],):
        raise ValueError(f"b1 must have shape ({W1.shape[1]},) and b2 shape ({W2.shape[1]},); "
                         f"got {b1.shape} and {b2.shape}")
    return W1 @ W2, b1 @ W2 + b2


def value_range(name, z, **params):
    r"""``(min, max)`` of the activation ``name`` over the points ``z``.

    On a wide grid this shows the range: e.g. leaky ReLU reaches
    :math:`\alpha z_{\min} < 0`, so its range is :math:`(-\infty, \infty)`, not
    :math:`[0, \infty)`. ``params`` go to :func:`nnlab.activations.get`.
    """
    values = activations.get(name, **params).forward(as_float_array(z, "z"))
    return float(values.min()), float(values.max())


def gradient_after_layers(name, z, n_layers, weight=1.0, **params):
    r"""Gradient through a chain of ``n_layers`` one-unit layers with activation :math:`f`.

    The chain starts at the pre-activation :math:`z_1 = z`; layer :math:`k` computes
    :math:`a_k = f(z_k)` and passes :math:`z_{k+1} = w\, a_k` on. By the chain rule

    .. math:: \frac{\partial z_{n+1}}{\partial z_1} = \prod_{k=1}^{n} w\, f'(z_k),

    a product of :math:`n` factors. When :math:`|w f'| < 1` — always for the
    sigmoid with :math:`|w| < 4`, since :math:`\sigma' \le 1/4` — it shrinks
    geometrically with depth: the vanishing gradient. ``z``: any shape
    (evaluated element-wise); returns the same shape. ``params`` go to
    :func:`nnlab.activations.get` (e.g. ``alpha`` for leaky ReLU). A chain
    whose values or gradient leave the float range (an *exploding* gradient,
    e.g. ReLU with ``weight=2`` over 1100 layers) raises ``ValueError``
    instead of returning inf or NaN.
    """
    act = activations.get(name, **params)
    if not act.elementwise:
        raise ValueError(f"{name} is not element-wise (each output mixes a whole row); "
                         "pick an element-wise activation")
    z = as_float_array(z, "z").astype(np.float64)
    n_layers = check_int(n_layers, "n_layers", minimum=0)
    if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, (int, float, np.integer, np.floating)):
        raise TypeError(f"weight must be a number; got {weight!r}")
    weight = float(weight)
    if not np.isfinite(weight):
        raise ValueError(f"weight must be a finite number; got {weight!r}")
    grad = np.ones_like(z)
    for layer in range(n_layers):
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):   # checked just below
            grad = grad * weight * act.derivative(z)
            z = weight * act.forward(z)
        if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(z))):
            raise ValueError(
                f"the chain overflowed the float range after {layer + 1} of {n_layers} layers: "
                f"with weight={weight:g} the activations or the gradient explode (the opposite "
                f"of vanishing); use fewer layers or a smaller |weight|"
            )
    return grad


def dead_fraction(X, W, b, name="relu"):
    r"""Fraction of the layer's units that output 0 for **every** row of ``X``.

    The layer computes :math:`A = f(XW + b)`. A ReLU unit whose pre-activation is
    :math:`\le 0` on all samples outputs 0 and has gradient 0 on all of them, so
    gradient descent can never revive it: it is *dead*. ``X`` ``(m, n_in)``,
    ``W`` ``(n_in, n_out)``, ``b`` ``(n_out,)``; returns a number in [0, 1].
    """
    X, W, b = as_float_array(X, "X"), as_float_array(W, "W"), as_float_array(b, "b")
    if X.ndim != 2 or W.ndim != 2:
        raise ValueError(f"X and W must be 2-D; got shapes {X.shape} and {W.shape}")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features but W expects {W.shape[0]} inputs (W is (n_in, n_out))")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},); got {b.shape}")
    act = activations.get(name)
    A = act.forward(X @ W + b)
    grads = act.derivative(X @ W + b)
    dead = np.all(A == 0, axis=0) & np.all(grads == 0, axis=0)
    return float(dead.mean())
