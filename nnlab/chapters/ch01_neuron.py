r"""Small classic models built from the core: the perceptron and linear regression.

These are the single-neuron models of Chapter 1. Rows are samples:
``X`` has shape ``(m, n)``, a weight vector ``w`` shape ``(n,)`` and ``b`` is a number.

``X`` must be 2-D, also for one feature: a 1-D array is ambiguous (``m``
samples of one feature, or one sample of ``n`` features?), so it is refused
with a message that shows both fixes, ``X[:, None]`` and ``X[None, :]``.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, losses
from .._validate import as_float_array, check_positive

#: ``linear_regression_gd`` stops with ``FloatingPointError`` once the cost exceeds
#: this many times its starting value (or overflows): the run is diverging.
DIVERGENCE_FACTOR = 1e10


def _matrix(X, name="X"):
    """``X`` as a float array of shape ``(m, n)``, with a helpful error for 1-D input."""
    X = as_float_array(X, name)
    if X.ndim == 1:
        k = X.shape[0]
        raise ValueError(
            f"{name} must be 2-D of shape (m, n) (rows are samples); got a 1-D array of shape "
            f"({k},). For {k} samples of one feature use {name}[:, None] (shape ({k}, 1)); for "
            f"one sample of {k} features use {name}[None, :] (shape (1, {k}))"
        )
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (m, n) (rows are samples); got shape {X.shape}")
    return X


def _number(value, name):
    """A finite real number (a Python float), e.g. the bias ``b``."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number; got {value!r}")
    arr = as_float_array(value, name)
    if arr.size != 1:
        raise ValueError(f"{name} must be a single number; got shape {arr.shape}")
    return float(arr.reshape(()))


def _count(value, name, minimum=0):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _rate(lr):
    if isinstance(lr, (bool, np.bool_)):
        raise TypeError(f"lr must be a number; got {lr!r}")
    return check_positive(lr, "lr")


def _vector(v, n, name, of="features of X"):
    v = as_float_array(v, name)
    if v.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the {n} {of}; got {v.shape}")
    return v


def _targets(y, m):
    """Regression targets ``(m,)`` (a column ``(m, 1)`` is explained, not guessed)."""
    y = as_float_array(y, "y")
    if y.shape != (m,):
        hint = " (use y.ravel() for a column of targets)" if y.shape == (m, 1) else ""
        raise ValueError(f"y must have shape ({m},), one target per row of X; got {y.shape}{hint}")
    return y


def _binary_labels(y, m):
    """0/1 labels of shape ``(m,)`` (a column ``(m, 1)`` is flattened), as floats."""
    if y is None:
        raise TypeError(f"y must be {m} labels in {{0, 1}}; got None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise TypeError(f"y must be {m} labels in {{0, 1}}; got dtype {y.dtype}")
    if y.shape != (m,) or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must be {m} labels in {{0, 1}} (shape ({m},)); got shape {y.shape}"
                         + ("" if y.shape != (m,) else f" with values {np.unique(y)[:5].tolist()}"))
    return y.astype(np.float64)


def perceptron_predict(X, w, b):
    r"""Perceptron output $\hat y = \operatorname{step}(Xw + b)$ with step(z) = 1 if z > 0 else 0.

    Shapes: X (m, n), w (n,), b a number -> (m,) array of 0/1. Chapter 1.
    """
    X = _matrix(X)
    w = _vector(w, X.shape[1], "w")
    return activations.step(X @ w + _number(b, "b")).astype(np.int64)


def perceptron_train(X, y, *, lr=1.0, epochs=20, w=None, b=0.0):
    r"""Rosenblatt's learning rule, one sample at a time, in order.

    For each sample: $\hat y = \operatorname{step}(w\cdot x + b)$, then
    $w \leftarrow w + \eta\,(y - \hat y)\,x$ and $b \leftarrow b + \eta\,(y - \hat y)$.
    Stops after the first epoch with no mistake.

    Returns ``(w, b, mistakes)`` where ``mistakes[e]`` counts the wrong predictions
    during epoch ``e``. Shapes: X (m, n), y (m,) of 0/1 (a column (m, 1) is
    accepted). An ``lr`` so large that the weights overflow raises ``ValueError``. Chapter 1.
    """
    X = _matrix(X)
    y = _binary_labels(y, X.shape[0])
    lr = _rate(lr)
    epochs = _count(epochs, "epochs")
    w = np.zeros(X.shape[1]) if w is None else _vector(w, X.shape[1], "w").astype(np.float64)
    b = _number(b, "b")
    mistakes = []
    for _ in range(epochs):
        wrong = 0
        with np.errstate(over="ignore", invalid="ignore"):   # checked after the epoch
            for x_i, y_i in zip(X, y):
                error = y_i - (1 if x_i @ w + b > 0 else 0)
                if error:
                    w += lr * error * x_i
                    b += lr * error
                    wrong += 1
        if not (np.all(np.isfinite(w)) and math.isfinite(b)):
            raise ValueError(f"lr={lr:g} is so large that the weights overflow the float range; "
                             f"the perceptron needs no more than lr=1")
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, b, mistakes


def add_bias_column(X):
    r"""Prepend a column of ones: $[\mathbf 1, X]$, so that $\theta_0$ plays the role of $b$.

    ``X`` (m, n) -> (m, n+1), same dtype. A 1-D ``X`` is refused (see the module
    docstring): write ``add_bias_column(x[:, None])`` for one feature.
    """
    X = _matrix(X)
    return np.column_stack([np.ones(X.shape[0], dtype=X.dtype), X])


def normal_equation(X, y):
    r"""Least-squares weights in closed form, $\theta = (X^\top X)^{-1} X^\top y$.

    ``X`` (m, n) should already contain a column of ones if a bias is wanted
    (see :func:`add_bias_column`). The formula needs linearly independent
    columns (rank n): otherwise $X^\top X$ is singular, the best θ is not
    unique, and a ``ValueError`` says which case it is (e.g. a duplicated
    column, or fewer samples than columns). θ is computed with
    ``np.linalg.lstsq`` (an SVD of X), the same number as the formula but
    more accurate: forming $X^\top X$ squares X's condition number.
    Returns θ of shape (n,). Chapter 1.
    """
    X = _matrix(X)
    m, n = X.shape
    y = _targets(y, m)
    theta, _, rank, _ = np.linalg.lstsq(X, y, rcond=None)
    if rank < n:
        why = (f"X has only {m} rows for {n} columns" if m < n else
               f"the columns of X are linearly dependent (collinear): rank {rank} < {n} columns")
        raise ValueError(
            f"normal_equation: {why}, so X^T X is singular and no unique θ minimizes the "
            f"squared error. Remove the redundant columns (a duplicated column, a second "
            f"column of ones, a column that is a combination of others) or add samples; "
            f"np.linalg.lstsq(X, y, rcond=None)[0] gives the minimum-norm θ"
        )
    return theta


def linear_regression_gd(X, y, *, lr=0.1, steps=100, theta=None):
    r"""Batch gradient descent on the half mean squared error $J = \frac{1}{2m}\lVert X\theta - y\rVert^2$.

    Gradient: $\nabla J = \frac1m X^\top (X\theta - y)$; update $\theta \leftarrow \theta - \eta\nabla J$.
    Returns ``(theta, costs)`` with the cost before every step and after the last. Chapter 1.

    Divergence: gradient descent on this cost converges for
    $\eta < 2/\lambda_{\max}$, with $\lambda_{\max}$ the largest eigenvalue of
    $\frac1m X^\top X$. A run whose cost overflows or grows beyond
    ``DIVERGENCE_FACTOR`` (1e10) times its start raises ``FloatingPointError``
    that says so and gives that bound for ``lr``.
    """
    X = _matrix(X)
    m, n = X.shape
    y = _targets(y, m)
    lr = _rate(lr)
    steps = _count(steps, "steps")
    theta = np.zeros(n) if theta is None else _vector(theta, n, "theta", "columns of X").astype(np.float64)
    costs = [losses.half_mse(y, X @ theta)]
    for step in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):
            theta = theta - lr * (X.T @ (X @ theta - y)) / m
            pred = X @ theta
        cost = losses.half_mse(y, pred) if np.all(np.isfinite(pred)) else math.inf
        if not math.isfinite(cost) or cost > DIVERGENCE_FACTOR * costs[0] > 0:
            lam = float(np.linalg.eigvalsh(X.T @ X / m)[-1])
            raise FloatingPointError(
                f"gradient descent diverged at step {step + 1}: the cost went from "
                f"{costs[0]:.4g} to {cost:.4g}. The learning rate lr={lr:g} is too large: for "
                f"this X it must be below 2/lambda_max = {2 / lam:.4g}. Lower lr (or "
                f"standardize the features)."
            )
        costs.append(cost)
    return theta, costs
