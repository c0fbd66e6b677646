r"""Chapter 2: logistic regression, one neuron with a sigmoid output.

Each model is one layer of neurons, :math:`Z = XW + b`, followed by an output
activation, trained by batch gradient descent on the matching loss:

============================  ==============  ==============  ==========================
model                         outputs         activation      loss
============================  ==============  ==============  ==========================
logistic regression (Ch. 2)   1               sigmoid         binary cross-entropy
softmax regression (Ch. 3)    K classes       softmax         cross-entropy
multi-label (Ch. 3)           K labels        K sigmoids      BCE per label, summed
============================  ==============  ==============  ==========================

Rows are samples: ``X`` has shape ``(m, n)``. Logistic regression has a weight
vector ``w`` of shape ``(n,)`` and a number ``b``; the K-output models have
``W`` of shape ``(n, K)`` (column ``k`` holds the weights of output ``k``) and
``b`` of shape ``(K,)``. Costs are means over the ``m`` samples, and so are
the gradients.

Labels: integer class labels have shape ``(m,)`` (a column ``(m, 1)`` is
accepted); the number of classes is never guessed from the largest label.
Training: these gradients are bounded, so only an absurd learning rate makes
the weights overflow; the ``*_fit`` functions then raise ``ValueError``
naming ``lr``.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, data, losses
from .._validate import as_float_array, as_matrix, check_positive

__all__ = [
    "logistic_forward",
    "logistic_loss",
    "logistic_one_sample",
    "logistic_gradients",
    "logistic_regression_fit",
    "logistic_predict",
]


# ------------------------------------------------------------------ input checks
def _check_w_b(X, w, b):
    """``w`` of shape ``(n,)`` and a scalar ``b`` for logistic regression."""
    w = as_float_array(w, "w")
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},) to match X's {X.shape[1]} features; got {w.shape}")
    b = as_float_array(b, "b")
    if b.size != 1:
        raise ValueError(f"b must be a single number for logistic regression; got shape {b.shape}")
    return w, float(b.reshape(()))


def _binary_targets(y, m, name="y"):
    """``y`` as floats of shape ``(m,)`` with values in [0, 1] (integer 0/1 labels are welcome).

    A column ``(m, 1)`` is accepted and flattened.
    """
    if y is None:
        raise TypeError(f"{name} must hold {m} targets, 0/1 labels or probabilities; got None")
    y = np.asarray(y)
    if y.dtype == bool or np.issubdtype(y.dtype, np.integer):
        y = y.astype(np.float64)            # 0/1 labels are the targets themselves
    y = as_float_array(y, name)
    if y.shape == (m, 1):
        y = y[:, 0]
    if y.shape != (m,):
        raise ValueError(f"{name} must have shape ({m},), one target per row of X; got {y.shape}")
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"{name} must hold 0/1 labels (or probabilities in [0, 1]); got values from "
                         f"{y.min():g} to {y.max():g}")
    return y


def _step(X, params, grads, lr, epoch):
    """The step ``p - lr * g`` for ``params = (W, b)``; weights or logits that overflow are an error."""
    with np.errstate(over="ignore", invalid="ignore"):
        new = [p - lr * g for p, g in zip(params, grads)]
        Z = X @ new[0] + new[1]
    if not (all(np.all(np.isfinite(p)) for p in new) and np.all(np.isfinite(Z))):
        raise ValueError(
            f"lr={lr:g} is so large that the weights or logits overflowed the float range in epoch {epoch + 1} "
            f"(the gradients here are bounded, so only an extreme lr does this); use lr of about "
            f"0.1 to 10 on standardized features"
        )
    return new


def _check_schedule(lr, epochs):
    if isinstance(lr, (bool, np.bool_)):
        raise TypeError(f"lr must be a number; got {lr!r}")
    lr = check_positive(lr, "lr")
    if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, (bool, np.bool_)) or epochs < 0:
        raise ValueError(f"epochs must be an integer >= 0; got {epochs!r}")
    return lr, int(epochs)


def _start(value, shape, name, what):
    """A copy of a starting parameter, checked to have exactly ``shape``."""
    value = as_float_array(value, name)
    if value.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, {what}; got {value.shape}")
    return value.copy()


def _threshold(threshold, what="threshold must lie strictly between 0 and 1"):
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what}; got {threshold!r}")
    if not 0 < threshold < 1:   # also rejects NaN
        raise ValueError(f"{what}; got {threshold!r}")
    return float(threshold)


def _bias(b):
    """The scalar bias of logistic regression as a float."""
    if b is None or isinstance(b, (bool, np.bool_, str, bytes)):
        raise TypeError(f"b must be a number; got {b!r}")
    arr = as_float_array(b, "b")
    if arr.size != 1:
        raise ValueError(f"b must be a single number for logistic regression; got shape {arr.shape}")
    return float(arr.reshape(()))


# ------------------------------------------------------------------ shared pieces
# ------------------------------------------------------------------ Chapter 2: logistic regression
def _logistic_logits(X, w, b):
    """:math:`z = Xw + b` with ``w`` of shape (n,) and a number ``b`` (errors name ``w``)."""
    X = as_matrix(X)
    w, b = _check_w_b(X, w, b)
    return X @ w + b


def logistic_forward(X, w, b):
    r"""Probabilities of class 1, :math:`\hat p = \sigma(Xw + b)` (Chapter 2).

    Shapes: ``X`` (m, n), ``w`` (n,), ``b`` a number → ``(m,)``.
    """
    return activations.sigmoid(_logistic_logits(X, w, b))


def logistic_loss(X, y, w, b):
    r"""Binary cross-entropy of logistic regression, averaged over the m samples (Chapter 2).

    .. math:: J(w, b) = -\frac{1}{m} \sum_{i=1}^{m} \left[ y_i \log \hat p_i + (1 - y_i) \log(1 - \hat p_i) \right],
              \qquad \hat p_i = \sigma(x_i \cdot w + b)

    Computed from the logits (``losses.sigmoid_cross_entropy``), so it never takes
    :math:`\log 0`. ``y``: ``(m,)`` of 0/1. Returns a float.
    """
    z = _logistic_logits(X, w, b)
    return losses.sigmoid_cross_entropy(_binary_targets(y, z.shape[0]), z)


def logistic_one_sample(x, y, w, b):
    r"""Forward and backward pass of logistic regression for **one** sample (Chapter 2).

    Forward: :math:`z = x \cdot w + b`, :math:`a = \sigma(z)`,
    :math:`L = -[y \log a + (1 - y)\log(1 - a)]`. Backward, by the chain rule:

    .. math:: \frac{\partial L}{\partial a} = -\frac{y}{a} + \frac{1 - y}{1 - a}, \quad
              \frac{\partial a}{\partial z} = a(1 - a), \quad
              dz = \frac{\partial L}{\partial a}\frac{\partial a}{\partial z} = a - y, \quad
              dw = x\,dz, \quad db = dz.

    ``x`` (n,), ``y`` 0 or 1. Returns a dict with every intermediate value.
    """
    x = as_float_array(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be one sample of shape (n,); got shape {x.shape}")
    y = float(_binary_targets([y], 1)[0])
    w, b = _check_w_b(x[None, :], w, b)
    z = float(x @ w + b)
    a = float(activations.sigmoid(z))
    loss = losses.binary_cross_entropy([y], [a])
    # -y/a + (1-y)/(1-a); a term whose numerator is 0 is 0, one that divides by 0 is inf
    dL_da = (-_ratio(y, a) if y else 0.0) + (_ratio(1 - y, 1 - a) if y != 1 else 0.0)
    da_dz = float(activations.get("sigmoid").derivative(z))   # a (1 - a), accurate in the tails
    dz = a - y                                   # = dL_da * da_dz, simplified
    return {"z": z, "a": a, "loss": loss, "dL_da": dL_da, "da_dz": da_dz, "dz": dz,
            "dw": x * dz, "db": dz}


def _ratio(num, den):
    return num / den if den != 0 else math.copysign(math.inf, num)


def logistic_gradients(X, y, w, b):
    r"""Gradients of :func:`logistic_loss` for all m samples at once (Chapter 2).

    .. math:: dz = \frac{1}{m}(\hat p - y), \qquad dw = X^\top dz, \qquad db = \sum_{i=1}^{m} dz_i

    The :math:`\frac1m` of the mean sits in ``dz``, so ``dw`` and ``db`` are averages
    of the one-sample gradients. Shapes: ``dw`` (n,) like ``w``, ``db`` a number like ``b``.
    """
    p = logistic_forward(X, w, b)
    X = as_matrix(X)
    dz = (p - _binary_targets(y, X.shape[0])) / X.shape[0]
    return X.T @ dz, float(np.sum(dz))


def logistic_regression_fit(X, y, *, lr=0.1, epochs=100, w=None, b=0.0):
    r"""Train logistic regression by batch gradient descent (Chapter 2).

    Start from ``w`` (default zeros) and ``b``; every epoch: forward pass and loss,
    gradients (:func:`logistic_gradients`), update
    :math:`w \leftarrow w - \eta\,dw,\; b \leftarrow b - \eta\,db`.
    Returns ``(w, b, history)``; ``history`` holds the loss before every update and
    after the last (``epochs + 1`` values).
    """
    X = as_matrix(X)
    y = _binary_targets(y, X.shape[0])
    lr, epochs = _check_schedule(lr, epochs)
    w = np.zeros(X.shape[1]) if w is None else _check_w_b(X, w, 0.0)[0].copy()
    b = _bias(b)
    history = []
    for epoch in range(epochs):
        history.append(logistic_loss(X, y, w, b))          # forward + loss
        dw, db = logistic_gradients(X, y, w, b)             # backward
        w, b = _step(X, (w, b), (dw, db), lr, epoch)           # update: w - lr dw, b - lr db
        b = float(b)
    history.append(logistic_loss(X, y, w, b))
    return w, b, history


def logistic_predict(X, w, b, threshold=0.5):
    r"""Class labels :math:`\hat y = 1` if :math:`\hat p \ge t` else 0 (Chapter 2).

    With :math:`t = 0.5` this is the same as :math:`z = x\cdot w + b \ge 0`.
    Shapes: ``X`` (m, n) → ``(m,)`` int64.
    """
    threshold = _threshold(threshold)
    return (logistic_forward(X, w, b) >= threshold).astype(np.int64)


# ------------------------------------------------------------------ Chapter 3: softmax regression
# ------------------------------------------------------------------ Chapter 3: multi-label
