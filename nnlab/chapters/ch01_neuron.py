"""Chapter 1: the artificial neuron, the perceptron and linear regression.

Rows are samples: X of shape (m, n), a weight vector w of shape (n,) and a
bias b that is a number. X must be 2-D, also for one feature: a 1-D array
is ambiguous (m samples of one feature, or one sample of n features?), so
it is refused with a message that shows both fixes, X[:, None] and
X[None, :].

The functions the book shows hold only the mathematics: their input is
checked before they run by the checker named in their @checks line (the
private _..._inputs functions below), with errors that name the argument.

step and mse are the plain formulas behind nnlab.activations.step and
nnlab.losses.mse, written to be read. They check nothing and take NumPy
arrays of floats: the perceptron below calls step on input that its
checker has already checked; other code should call the core versions,
which check their input (and mse's avoids overflow). Tests check that the
two agree.
"""
from __future__ import annotations

import math

import numpy as np

from .. import losses
from .._validate import (as_float_array, as_matrix, as_number_array,
                         as_shaped, binary_labels, check_int,
                         check_not_diverged, check_real, check_same_shape,
                         checks, formula)

__all__ = [
    "step", "step_with", "perceptron_predict", "perceptron_train", "mse",
    "add_bias_column", "normal_equation", "linear_regression_gd",
    "largest_stable_lr", "DIVERGENCE_FACTOR",
]

# linear_regression_gd stops with a FloatingPointError once the cost exceeds
# this many times its starting value (or overflows): the run is diverging.
DIVERGENCE_FACTOR = 1e10


# ------------------------------------------------------------ input checks
def _matrix(X):
    """X of shape (m, n); a 1-D X gets a message that shows both fixes."""
    X = as_float_array(X, "X")
    if X.ndim == 1:
        k = X.shape[0]
        raise ValueError(
            f"X must be 2-D of shape (m, n) (rows are samples); got a 1-D "
            f"array of shape ({k},). For {k} samples of one feature use "
            f"X[:, None] (shape ({k}, 1)); for one sample of {k} features "
            f"use X[None, :] (shape (1, {k}))")
    return as_matrix(X)


def _bias(b):
    """b as a float: a number, or an array that holds one number."""
    if isinstance(b, (list, tuple, np.ndarray)):
        b = as_float_array(b, "b")
        if b.size != 1:
            raise ValueError(f"b must be a single number; got shape {b.shape}")
        b = b.reshape(())
    return check_real(b, "b")


def _weights(w, X, name="w", of="one weight per column of X"):
    """A float64 copy of w, of shape (n,) for X of shape (m, n)."""
    return as_shaped(w, (X.shape[1],), name, of).astype(np.float64)


def _labels01(y, m):
    """Perceptron labels: exactly 0 or 1, shape (m,) (a column is fine)."""
    labels = as_number_array(y, "y")
    if not np.isin(labels, (0, 1)).all():
        values = np.unique(labels)[:5].tolist()
        raise ValueError(f"y must be {m} labels in {{0, 1}}; got the values "
                         f"{values}")
    return binary_labels(labels, "y", m=m)


def _targets(y, m):
    """Regression targets of shape (m,); a column (m, 1) is explained."""
    y = as_float_array(y, "y")
    if y.shape == (m, 1):
        raise ValueError(f"y must have shape ({m},), one target per row of "
                         f"X; got {y.shape} (use y.ravel() for a column of "
                         f"targets)")
    return as_shaped(y, (m,), "y", "one target per row of X")


def _rate(lr):
    return check_real(lr, "lr", low=0, low_open=True)


def _neuron_inputs(X, w, b):
    X = _matrix(X)
    return {"X": X, "w": _weights(w, X), "b": _bias(b)}


def _perceptron_inputs(X, y, lr, epochs, w, b):
    X = _matrix(X)
    return {"X": X, "y": _labels01(y, X.shape[0]), "lr": _rate(lr),
            "epochs": check_int(epochs, "epochs", 0, typed=True),
            "w": np.zeros(X.shape[1]) if w is None else _weights(w, X),
            "b": _bias(b)}


def _matrix_inputs(X):
    return {"X": _matrix(X)}


def _step_with_inputs(z, at_zero):
    return {"z": as_float_array(z, "z"),
            "at_zero": check_real(at_zero, "at_zero", low=0, high=1)}


def _least_squares_inputs(X, y):
    """X and y, and X of full column rank (else θ is not unique)."""
    X = _matrix(X)
    m, n = X.shape
    y = _targets(y, m)
    rank = np.linalg.matrix_rank(X)     # the same threshold as lstsq's
    if rank < n:
        why = (f"X has only {m} rows for {n} columns" if m < n else
               f"the columns of X are linearly dependent (collinear): "
               f"rank {rank} < {n} columns")
        raise ValueError(
            f"normal_equation: {why}, so X^T X is singular and no unique θ "
            f"minimizes the squared error. Remove the redundant columns (a "
            f"duplicated column, a second column of ones, a column that is "
            f"a combination of others) or add samples; "
            f"np.linalg.lstsq(X, y, rcond=None)[0] gives the minimum-norm θ")
    return {"X": X, "y": y}


def _descent_inputs(X, y, lr, steps, theta):
    X = _matrix(X)
    start = (np.zeros(X.shape[1]) if theta is None else
             _weights(theta, X, "theta", "one entry per column of X"))
    return {"X": X, "y": _targets(y, X.shape[0]), "lr": _rate(lr),
            "steps": check_int(steps, "steps", 0, typed=True),
            "theta": start}


def _checked_cost(X, y, theta, costs, lr):
    """The cost J(θ) after a step, or a FloatingPointError if the run
    diverges (the cost overflows or grows DIVERGENCE_FACTOR-fold)."""
    pred = X @ theta
    cost = losses.half_mse(y, pred) if np.all(np.isfinite(pred)) else math.inf
    if not math.isfinite(cost) or cost > DIVERGENCE_FACTOR * costs[0] > 0:
        raise FloatingPointError(
            f"gradient descent diverged at step {len(costs)}: the cost went "
            f"from {costs[0]:.4g} to {cost:.4g}. The learning rate lr={lr:g} "
            f"is too large: for this X it must be below 2/lambda_max = "
            f"{largest_stable_lr(X):.4g}. Lower lr (or standardize the "
            f"features).")
    return cost


# ------------------------------------------------------------ the perceptron
def step(z):
    """The perceptron's activation: step(z) = 1 if z > 0, else 0.

    step(0) = 0, as in the perceptron's rule "1 if x·w + b > 0". The plain
    formula of nnlab.activations.step; z any shape.
    """
    return np.where(z > 0, 1.0, 0.0)


@checks(_step_with_inputs)
def step_with(z, at_zero):
    """A step with a chosen value at z = 0: 1 if z > 0, 0 if z < 0, and
    at_zero if z = 0 (a number in [0, 1]).

    at_zero = 0 is step above (the perceptron's "1 if z > 0"), 1/2 is the
    sign formula (sign(z) + 1) / 2, and 1 is the rule "1 if z ≥ 0".
    """
    return np.where(z > 0, 1.0, np.where(z < 0, 0.0, at_zero))


@checks(_neuron_inputs)
def perceptron_predict(X, w, b):
    """The perceptron's output for every sample: ŷ = step(Xw + b).

    X of shape (m, n), w of shape (n,), b a number -> ŷ of shape (m,),
    integers 0 or 1.
    """
    return step(X @ w + b).astype(np.int64)


@checks(_perceptron_inputs)
def perceptron_train(X, y, *, lr=1.0, epochs=20, w=None, b=0.0):
    """Rosenblatt's learning rule: learn w and b one sample at a time.

    For each sample x with label y, in order:
        ŷ = step(x·w + b),   w ← w + η (y − ŷ) x,   b ← b + η (y − ŷ).
    Stops after the first epoch without a mistake.

    X of shape (m, n), y of shape (m,) holding 0 or 1; w starts at zeros
    unless given. Returns (w, b, mistakes), where mistakes[e] counts the
    wrong predictions during epoch e. An lr so large that the weights
    overflow raises a ValueError.
    """
    mistakes = []
    for epoch in range(epochs):
        wrong = 0
        with np.errstate(over="ignore", invalid="ignore"):  # checked below
            for x, target in zip(X, y):
                error = target - step(x @ w + b)
                if error:
                    w = w + lr * error * x
                    b = b + lr * error
                    wrong += 1
        check_not_diverged([w, b], lr, epoch)
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, b, mistakes


# ------------------------------------------------------- linear regression
def mse(y, y_hat):
    """Mean squared error: MSE = (1/N) Σ (ŷᵢ − yᵢ)², over all N entries.

    The plain formula of nnlab.losses.mse; y and y_hat of the same shape.
    Returns a float. The squares overflow for errors beyond about 1e154:
    there this formula raises a ValueError, while nnlab.losses.mse works.
    """
    return float(np.mean((y_hat - y) ** 2))


@checks(_matrix_inputs)
def add_bias_column(X):
    """Put a column of ones in front of X: [1, X], so that θ₀ plays b.

    X of shape (m, n) -> shape (m, n + 1), same dtype. A 1-D X is refused
    (see the module docstring): write add_bias_column(x[:, None]).
    """
    return np.column_stack([np.ones(X.shape[0], dtype=X.dtype), X])


@checks(_least_squares_inputs)
def normal_equation(X, y):
    """Least-squares weights in closed form: θ = (XᵀX)⁻¹ Xᵀy.

    X of shape (m, n), with a column of ones if a bias is wanted (see
    add_bias_column); y of shape (m,). Returns θ of shape (n,).
    The columns of X must be linearly independent (rank n): otherwise XᵀX
    is singular, no θ is unique, and a ValueError says why (for example a
    duplicated column, or fewer samples than columns).
    θ is computed by np.linalg.lstsq (an SVD of X): the same number as the
    formula, but more accurate, because forming XᵀX squares the condition
    number of X.
    """
    return np.linalg.lstsq(X, y, rcond=None)[0]


@checks(_descent_inputs)
def linear_regression_gd(X, y, *, lr=0.1, steps=100, theta=None):
    """Batch gradient descent on the cost J(θ) = ‖Xθ − y‖² / (2m).

    Gradient ∇J(θ) = Xᵀ(Xθ − y) / m; each step θ ← θ − η ∇J(θ).
    X of shape (m, n), y of shape (m,); θ starts at zeros unless given.
    Returns (theta, costs) with the cost before every step and after the
    last.

    Divergence: gradient descent on this cost converges for η < 2/λmax,
    λmax the largest eigenvalue of XᵀX / m. A run whose cost overflows or
    grows beyond DIVERGENCE_FACTOR (1e10) times its start raises a
    FloatingPointError that says so and gives that bound for lr.
    """
    m = X.shape[0]
    costs = [losses.half_mse(y, X @ theta)]
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        for _ in range(steps):
            gradient = X.T @ (X @ theta - y) / m
            theta = theta - lr * gradient
            costs.append(_checked_cost(X, y, theta, costs, lr))
    return theta, costs


@checks(_matrix_inputs)
def largest_stable_lr(X):
    """The bound 2/λmax below which gradient descent on ‖Xθ − y‖² / (2m)
    converges; λmax is the largest eigenvalue of XᵀX / m (its curvature).

    λmax = s² / m, s the largest singular value of X: computed from s, so
    that XᵀX is never formed (it could overflow). X of shape (m, n).
    Returns a float (inf if X is all zeros: then the cost does not depend
    on θ and every learning rate is stable).
    """
    s = float(np.linalg.norm(X, 2)) / math.sqrt(X.shape[0])
    return 2 / s / s if s > 0 else math.inf


# ------------------------------------------------------------ input checks
# The plain formulas above are shown alone in the book; here each gets its
# input checks and a ValueError (not an overflow warning) where it leaves
# the float range (nnlab._validate.formula).
def _step_input(z):
    # inf and NaN are let through: perceptron_train feeds step the weighted
    # sums of a run that overflowed, and reports that itself after the epoch
    return {"z": as_float_array(z, "z", finite=False)}


def _pair_inputs(y, y_hat):
    y, y_hat = as_float_array(y, "y"), as_float_array(y_hat, "y_hat")
    check_same_shape(y, y_hat, "y", "y_hat")
    return {"y": y, "y_hat": y_hat}


step = formula(step, _step_input, core="nnlab.activations.step")
mse = formula(mse, _pair_inputs, core="nnlab.losses.mse",
              names="y and y_hat")
