r"""Small classic models built from the core: the perceptron and linear regression.

These are the single-neuron models of Chapter 1. Rows are samples:
``X`` has shape ``(m, n)``, a weight vector ``w`` shape ``(n,)`` and ``b`` is a number.
"""
from __future__ import annotations

import numpy as np

from . import activations, losses
from ._validate import as_float_array, as_matrix, check_positive


def _check_Xw(X, w):
    X = as_matrix(X, "X")
    w = as_float_array(w, "w")
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},) to match X's {X.shape[1]} features; got {w.shape}")
    return X, w


def perceptron_predict(X, w, b):
    r"""Perceptron output $\hat y = \operatorname{step}(Xw + b)$ with step(z) = 1 if z > 0 else 0.

    Shapes: X (m, n), w (n,), b scalar -> (m,) array of 0/1. Chapter 1.
    """
    X, w = _check_Xw(X, w)
    return activations.step(X @ w + b).astype(np.int64)


def perceptron_train(X, y, *, lr=1.0, epochs=20, w=None, b=0.0):
    r"""Rosenblatt's learning rule, one sample at a time, in order.

    For each sample: $\hat y = \operatorname{step}(w\cdot x + b)$, then
    $w \leftarrow w + \eta\,(y - \hat y)\,x$ and $b \leftarrow b + \eta\,(y - \hat y)$.
    Stops after the first epoch with no mistake.

    Returns ``(w, b, mistakes)`` where ``mistakes[e]`` counts the wrong predictions
    during epoch ``e``. Shapes: X (m, n), y (m,) of 0/1. Chapter 1.
    """
    X = as_float_array(X, "X")
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must be {X.shape[0]} labels in {{0, 1}}; got shape {y.shape}")
    lr = check_positive(lr, "lr")
    w = np.zeros(X.shape[1]) if w is None else as_float_array(w, "w").copy()
    b = float(b)
    mistakes = []
    for _ in range(int(epochs)):
        wrong = 0
        for x_i, y_i in zip(X, y):
            error = y_i - (1 if x_i @ w + b > 0 else 0)
            if error:
                w += lr * error * x_i
                b += lr * error
                wrong += 1
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, b, mistakes


def add_bias_column(X):
    r"""Prepend a column of ones: $[\mathbf 1, X]$, so that $\theta_0$ plays the role of $b$. Shape (m, n+1)."""
    X = as_float_array(X, "X")
    return np.column_stack([np.ones(X.shape[0], dtype=X.dtype), X])


def normal_equation(X, y):
    r"""Least-squares weights in closed form, $\theta = (X^\top X)^{-1} X^\top y$.

    ``X`` (m, n) should already contain a column of ones if a bias is wanted
    (see :func:`add_bias_column`). Solved with ``np.linalg.solve`` rather than an
    explicit inverse, which is slower and less accurate. Returns θ of shape (n,). Chapter 1.
    """
    X = as_float_array(X, "X")
    y = as_float_array(y, "y")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X; got {y.shape}")
    return np.linalg.solve(X.T @ X, X.T @ y)


def linear_regression_gd(X, y, *, lr=0.1, steps=100, theta=None):
    r"""Batch gradient descent on the half mean squared error $J = \frac{1}{2m}\lVert X\theta - y\rVert^2$.

    Gradient: $\nabla J = \frac1m X^\top (X\theta - y)$; update $\theta \leftarrow \theta - \eta\nabla J$.
    Returns ``(theta, costs)`` with the cost before every step and after the last. Chapter 1.
    """
    X = as_float_array(X, "X")
    y = as_float_array(y, "y")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X; got {y.shape}")
    lr = check_positive(lr, "lr")
    theta = np.zeros(X.shape[1]) if theta is None else as_float_array(theta, "theta").copy()
    m = X.shape[0]
    costs = []
    for _ in range(int(steps)):
        costs.append(losses.half_mse(y, X @ theta))
        theta -= lr * (X.T @ (X @ theta - y)) / m
    costs.append(losses.half_mse(y, X @ theta))
    return theta, costs
