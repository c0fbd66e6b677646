"""Chapter 2: logistic regression, one neuron with a sigmoid output.

The model: z = Xw + b, p̂ = σ(z), the probability of class 1, trained by
batch gradient descent on the binary cross-entropy. Rows are samples: X of
shape (m, n), a weight vector w of shape (n,) and a bias b that is a
number. Labels y have shape (m,) (a column (m, 1) is fine) and hold 0/1,
or probabilities in [0, 1]. Costs are means over the m samples, and so are
the gradients. These gradients are bounded, so only an absurd learning
rate makes the weights overflow; logistic_regression_fit then raises a
ValueError naming lr.

The functions the book shows hold only the mathematics: their input is
checked before they run by the checker named in their @checks line (the
private _..._inputs functions below), with errors that name the argument.

sigmoid, logit and binary_cross_entropy are the plain formulas behind
nnlab.activations.sigmoid, nnlab.activations.logit and
nnlab.losses.binary_cross_entropy, written to be read. They check nothing
and take NumPy arrays of floats; code (this module too) calls the core
versions, which check their input and never overflow or take log 0.
Tests check that the two agree wherever the plain formula works.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, losses
from .._validate import (as_float_array, as_matrix, as_shaped, binary_labels,
                         check_int, check_not_diverged, check_real,
                         check_same_shape, checks, formula)

__all__ = [
    "sigmoid", "logit", "binary_cross_entropy",
    "logistic_forward", "logistic_loss", "logistic_one_sample",
    "logistic_gradients", "logistic_regression_fit", "logistic_predict",
    "logistic_mse", "sigmoid_bce_dz", "sigmoid_mse_dz",
]


# ------------------------------------------------------------ input checks
def _bias(b):
    """b as a float: a number, or an array that holds one number."""
    if isinstance(b, (list, tuple, np.ndarray)):
        b = as_float_array(b, "b")
        if b.size != 1:
            raise ValueError(f"b must be a single number for logistic "
                             f"regression; got shape {b.shape}")
        b = b.reshape(())
    return check_real(b, "b")


def _weights(w, n):
    return as_shaped(w, (n,), "w", "one weight per feature of X")


def _model_inputs(X, w, b):
    X = as_matrix(X)
    return {"X": X, "w": _weights(w, X.shape[1]), "b": _bias(b)}


def _data_inputs(X, y, w, b):
    checked = _model_inputs(X, w, b)
    m = checked["X"].shape[0]
    return {**checked, "y": binary_labels(y, "y", m=m)}


def _predict_inputs(X, w, b, threshold):
    t = check_real(threshold, "threshold", low=0, low_open=True, high=1,
                   high_open=True)
    return {**_model_inputs(X, w, b), "threshold": t}


def _one_sample_inputs(x, y, w, b):
    x = as_float_array(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be one sample of shape (n,); got shape "
                         f"{x.shape}")
    return {"x": x, "y": check_real(y, "y", low=0, high=1),
            "w": _weights(w, x.shape[0]), "b": _bias(b)}


def _fit_inputs(X, y, lr, epochs, w, b):
    X = as_matrix(X)
    n = X.shape[1]
    return {"X": X, "y": binary_labels(y, "y", m=X.shape[0]),
            "lr": check_real(lr, "lr", low=0, low_open=True),
            "epochs": check_int(epochs, "epochs", 0, typed=True),
            "w": np.zeros(n) if w is None else _weights(w, n),
            "b": _bias(b)}


def _z_y_inputs(z, y):
    z, y = as_float_array(z, "z"), as_float_array(y, "y")
    check_same_shape(z, y, "z", "y")
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"y must lie in [0, 1]; got values from "
                         f"{y.min():g} to {y.max():g}")
    return {"z": z, "y": y}


def _div(num, den):
    """num / den for the terms of ∂L/∂a: 0 when num is 0 (the term is
    absent), ±inf when only den is 0."""
    if num == 0:
        return 0.0
    return num / den if den != 0 else math.copysign(math.inf, num)


# ------------------------------------------------------------ plain formulas
def sigmoid(z):
    """The logistic sigmoid: σ(z) = 1 / (1 + exp(−z)), a probability.

    The plain formula of nnlab.activations.sigmoid. exp(−z) overflows for
    z < −709: there this formula raises a ValueError, while the core
    version works for every z.
    """
    return 1 / (1 + np.exp(-z))


def logit(p):
    """The inverse of the sigmoid, the log-odds: logit(p) = log(p / (1 − p)).

    The plain formula of nnlab.activations.logit; p in (0, 1), any shape.
    """
    return np.log(p / (1 - p))


def binary_cross_entropy(y, p_hat):
    """Binary cross-entropy, the mean over all N entries of
    L = −[y log p̂ + (1 − y) log(1 − p̂)].

    The plain formula of nnlab.losses.binary_cross_entropy; y and p_hat
    of the same shape, y in [0, 1], p_hat in [0, 1]. A p̂ of exactly 0 or
    1 where it is wrong costs log 0: this formula raises a ValueError
    there, while the core clips p̂ to [1e-12, 1 − 1e-12].
    """
    return float(-np.mean(y * np.log(p_hat) + (1 - y) * np.log(1 - p_hat)))


# ------------------------------------------------------------ the model
@checks(_model_inputs)
def logistic_forward(X, w, b):
    """The probability of class 1 for every sample: p̂ = σ(Xw + b).

    X of shape (m, n), w of shape (n,), b a number -> p̂ of shape (m,).
    """
    return activations.sigmoid(X @ w + b)


@checks(_predict_inputs)
def logistic_predict(X, w, b, threshold=0.5):
    """Class labels: ŷ = 1 where p̂ ≥ t, else 0 (t = threshold).

    With t = 0.5 this is the same as z = x·w + b ≥ 0.
    X of shape (m, n) -> ŷ of shape (m,), integers 0 or 1.
    """
    return (logistic_forward(X, w, b) >= threshold).astype(np.int64)


@checks(_data_inputs)
def logistic_loss(X, y, w, b):
    """The cost of logistic regression, the mean binary cross-entropy:

        J(w, b) = −(1/m) Σᵢ [yᵢ log p̂ᵢ + (1 − yᵢ) log(1 − p̂ᵢ)],
        p̂ᵢ = σ(xᵢ·w + b).

    Computed from the logits z = Xw + b (losses.sigmoid_cross_entropy), so
    it never takes log 0. y of shape (m,) holding 0/1. Returns a float.
    """
    z = X @ w + b
    return losses.sigmoid_cross_entropy(y, z)


@checks(_one_sample_inputs)
def logistic_one_sample(x, y, w, b):
    """The forward and backward pass of logistic regression for one sample.

    Forward:   z = x·w + b,   a = σ(z),   L = −[y log a + (1 − y) log(1 − a)]
    Backward, by the chain rule:
        ∂L/∂a = −y/a + (1 − y)/(1 − a),   ∂a/∂z = a(1 − a),
        ∂L/∂z = ∂L/∂a · ∂a/∂z = a − y,
        ∂L/∂w = x ∂L/∂z,   ∂L/∂b = ∂L/∂z.

    x of shape (n,), y 0 or 1, w of shape (n,), b a number. Returns a dict
    with every intermediate value (keys z, a, loss, dL_da, da_dz, dL_dz,
    dL_dw, dL_db). These are one sample's derivatives of its loss L; the
    cost's dz of logistic_gradients holds the 1/m of the mean as well.
    """
    z = float(x @ w + b)
    a = float(activations.sigmoid(z))
    loss = losses.binary_cross_entropy([y], [a])
    dL_da = -_div(y, a) + _div(1 - y, 1 - a)    # safe where a is 0 or 1
    da_dz = a * float(activations.sigmoid(-z))  # a(1 − a) = σ(z) σ(−z)
    dL_dz = a - y                               # = dL_da * da_dz
    return {"z": z, "a": a, "loss": loss, "dL_da": dL_da, "da_dz": da_dz,
            "dL_dz": dL_dz, "dL_dw": x * dL_dz, "dL_db": dL_dz}


@checks(_data_inputs)
def logistic_gradients(X, y, w, b):
    """The gradients of logistic_loss for all m samples at once:

        dz = (p̂ − y) / m,   dw = Xᵀ dz,   db = Σᵢ dzᵢ.

    The 1/m of the mean sits in dz, so dw and db are the averages of the
    one-sample gradients. Returns dw of shape (n,) like w, db a number.
    """
    p_hat = logistic_forward(X, w, b)
    dz = (p_hat - y) / X.shape[0]
    return X.T @ dz, float(np.sum(dz))


@checks(_fit_inputs)
def logistic_regression_fit(X, y, *, lr=0.1, epochs=100, w=None, b=0.0):
    """Train logistic regression by batch gradient descent.

    Start from w (zeros unless given) and b; every epoch: the forward pass
    and the loss, the gradients (logistic_gradients), and the update
        w ← w − η dw,   b ← b − η db.
    Returns (w, b, history); history holds the loss before every update
    and after the last (epochs + 1 values).
    """
    history = []
    for epoch in range(epochs):
        history.append(logistic_loss(X, y, w, b))       # forward + loss
        dw, db = logistic_gradients(X, y, w, b)         # backward
        with np.errstate(over="ignore", invalid="ignore"):
            w, b = w - lr * dw, b - lr * db             # update
            check_not_diverged([w, b, X @ w + b], lr, epoch)
    history.append(logistic_loss(X, y, w, b))
    return w, b, history


# ------------------------------------------------------------ MSE vs BCE
@checks(_z_y_inputs)
def sigmoid_bce_dz(z, y):
    """∂L/∂z of one sample's cross-entropy after a sigmoid, a = σ(z):

        L = −[y log a + (1 − y) log(1 − a)],   ∂L/∂z = a − y.

    z and y of the same shape (numbers are fine), y in [0, 1].
    """
    return activations.sigmoid(z) - y


@checks(_z_y_inputs)
def sigmoid_mse_dz(z, y):
    """∂L/∂z of one sample's squared error after a sigmoid, a = σ(z):

        L = ½ (a − y)²,   ∂L/∂z = (a − y) · a(1 − a).

    The factor a(1 − a) is almost 0 where the sigmoid saturates, also when
    the prediction there is wrong. z and y as for sigmoid_bce_dz.
    """
    a = activations.sigmoid(z)
    return (a - y) * a * (1 - a)


@checks(_data_inputs)
def logistic_mse(X, y, w, b):
    """The squared-error cost of a sigmoid neuron, for comparison only:

        J(w, b) = (1/m) Σᵢ ½ (σ(xᵢ·w + b) − yᵢ)².

    It lies between 0 and ½ for every w, so it cannot be convex in w
    (logistic_loss is). y of shape (m,) holding 0/1. Returns a float.
    """
    p_hat = logistic_forward(X, w, b)
    return float(np.mean((p_hat - y) ** 2) / 2)


# ------------------------------------------------------------ input checks
# The plain formulas above are shown alone in the book; here each gets its
# input checks and a ValueError (not an overflow warning) where it leaves
# the float range (nnlab._validate.formula).
def _z_input(z):
    return {"z": as_float_array(z, "z")}


def _p_input(p):
    p = as_float_array(p, "p")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError(f"p must lie strictly between 0 and 1; got values "
                         f"from {p.min():g} to {p.max():g}")
    return {"p": p}


def _bce_inputs(y, p_hat):
    y, p_hat = as_float_array(y, "y"), as_float_array(p_hat, "p_hat")
    check_same_shape(y, p_hat, "y", "p_hat")
    for name, v in (("y", y), ("p_hat", p_hat)):
        if np.any((v < 0) | (v > 1)):
            raise ValueError(f"{name} must lie in [0, 1]; got values from "
                             f"{v.min():g} to {v.max():g}")
    return {"y": y, "p_hat": p_hat}


sigmoid = formula(sigmoid, _z_input, core="nnlab.activations.sigmoid")
logit = formula(logit, _p_input, core="nnlab.activations.logit",
                names="p")
binary_cross_entropy = formula(
    binary_cross_entropy, _bce_inputs,
    core="nnlab.losses.binary_cross_entropy", names="y and p_hat")
