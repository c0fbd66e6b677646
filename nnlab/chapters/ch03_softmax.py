r"""Chapter 3: softmax regression and multi-label classification.

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
from .._validate import as_float_array, as_matrix, check_positive, class_labels

__all__ = [
    "logits",
    "softmax_temperature",
    "softmax_regression_forward",
    "softmax_regression_loss",
    "softmax_regression_gradients",
    "softmax_regression_fit",
    "softmax_regression_predict",
    "multilabel_forward",
    "multilabel_loss",
    "multilabel_gradients",
    "multilabel_fit",
    "multilabel_predict",
]


# ------------------------------------------------------------------ input checks
def _check_W_b(X, W, b):
    """``W`` of shape ``(n, K)`` and ``b`` of shape ``(K,)`` for the K-output models."""
    W = as_float_array(W, "W")
    if W.ndim != 2 or W.shape[0] != X.shape[1]:
        raise ValueError(f"W must have shape ({X.shape[1]}, K): one row per feature of X, one column per "
                         f"output; got {W.shape}")
    b = as_float_array(b, "b")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},), one bias per column of W; got {b.shape}")
    return W, b


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


def _class_targets(y, m, K):
    """One-hot ``Y`` of shape ``(m, K)`` from integer labels ``(m,)`` (or a column
    ``(m, 1)``) or from a one-hot / probability array ``(m, K)``."""
    if y is None:
        raise TypeError(f"y must be integer labels of shape ({m},) or one-hot of shape ({m}, {K}); got None")
    arr = np.asarray(y)
    if arr.ndim == 1 or arr.dtype == bool or (np.issubdtype(arr.dtype, np.integer) and arr.shape == (m, 1)):
        labels = class_labels(arr, "y", m=m, n_classes=K)
        return data.one_hot(labels, K)
    if np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"y is an integer array of shape {arr.shape}: pass integer labels of shape "
                         f"({m},) (e.g. Y.argmax(axis=1)) or a one-hot float array of shape ({m}, {K})")
    Y = as_float_array(y, "y")
    if Y.shape != (m, K):
        raise ValueError(f"y must be integer labels of shape ({m},) or one-hot of shape ({m}, {K}); got {Y.shape}")
    if np.any((Y < 0) | (Y > 1)):
        raise ValueError("y must be one-hot (or hold probabilities in [0, 1])")
    return Y


def _label_matrix(Y, shape):
    """Multi-label targets: a 0/1 (or [0, 1]) float array of exactly ``shape`` = (m, K)."""
    Y = np.asarray(Y)
    if Y.shape != tuple(shape):
        raise ValueError(f"Y must have shape {tuple(shape)}, one 0/1 entry per sample and label; got {Y.shape}")
    return _binary_targets(Y.ravel(), Y.size, "Y").reshape(Y.shape)


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


# ------------------------------------------------------------------ shared pieces
def logits(X, W, b):
    r"""The pre-activations of one layer, :math:`Z = XW + b` (Chapters 2 and 3).

    Shapes: ``X`` (m, n); ``W`` (n,) with a scalar ``b`` → (m,), or ``W`` (n, K)
    with ``b`` (K,) → (m, K).
    """
    X = as_matrix(X)
    W, b = _check_W_b(X, W, b)
    return X @ W + b


# ------------------------------------------------------------------ Chapter 2: logistic regression
# ------------------------------------------------------------------ Chapter 3: softmax regression
def softmax_temperature(z, temperature=1.0):
    r"""Softmax of logits divided by a temperature :math:`T > 0` (Chapter 3).

    .. math:: \hat p_k = \frac{e^{z_k / T}}{\sum_{j=1}^{K} e^{z_j / T}}

    :math:`T = 1` is the ordinary softmax; :math:`T \to 0` puts all probability on the
    largest logit, :math:`T \to \infty` spreads it evenly. Shape: ``(K,)`` or ``(m, K)`` → same.
    """
    temperature = check_positive(temperature, "temperature")
    z = as_float_array(z, "z")
    with np.errstate(over="ignore"):
        scaled = z / temperature
    if not np.isfinite(scaled).all():
        # a tiny T: z / T overflows. Softmax does not change when the largest
        # logit is subtracted first; then (z - max) / T is <= 0 and clipping
        # it at -(largest float) keeps every probability (0 or 1/#ties).
        big = np.finfo(z.dtype).max
        with np.errstate(over="ignore"):
            scaled = np.maximum((z - z.max(axis=-1, keepdims=True)) / temperature, -big)
    return activations.softmax(scaled, axis=-1)


def softmax_regression_forward(X, W, b):
    r"""Class probabilities :math:`\hat P = \operatorname{softmax}(XW + b)`, row by row (Chapter 3).

    Shapes: ``X`` (m, n), ``W`` (n, K), ``b`` (K,) → ``(m, K)``, each row summing to 1.
    """
    return activations.softmax(logits(X, W, b), axis=1)


def softmax_regression_loss(X, y, W, b):
    r"""Cross-entropy of softmax regression, averaged over the m samples (Chapter 3).

    .. math:: J(W, b) = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k=1}^{K} y_{ik} \log \hat p_{ik}

    ``y``: integer labels ``(m,)`` or one-hot ``(m, K)``. Computed from the logits
    with log-sum-exp (``losses.softmax_cross_entropy``). Returns a float.
    """
    Z = logits(X, W, b)
    return losses.softmax_cross_entropy(_class_targets(y, *Z.shape), Z)


def softmax_regression_gradients(X, y, W, b):
    r"""Gradients of :func:`softmax_regression_loss` (Chapter 3).

    .. math:: dZ = \frac{1}{m}(\hat P - Y), \qquad dW = X^\top dZ, \qquad db = \sum_{i=1}^{m} dZ_{i,:}

    the same "prediction minus target" as logistic regression, one column per class.
    Shapes: ``dW`` (n, K) like ``W``, ``db`` (K,) like ``b``.
    """
    P = softmax_regression_forward(X, W, b)
    X = as_matrix(X)
    dZ = (P - _class_targets(y, *P.shape)) / X.shape[0]
    return X.T @ dZ, dZ.sum(axis=0)


def softmax_regression_fit(X, y, n_classes=None, *, lr=0.1, epochs=100, W=None, b=None):
    r"""Train softmax regression by batch gradient descent (Chapter 3).

    ``y``: integer labels ``(m,)`` (or a column ``(m, 1)``) in ``[0, n_classes)``,
    or one-hot ``(m, K)``. With integer labels ``n_classes`` is required: it
    is not guessed from ``max(y) + 1``, because a class missing from the
    training labels would silently give a model with too few outputs. With
    one-hot ``y`` it may be omitted (K is the number of columns). Starts from
    ``W`` (default zeros, shape (n, K)) and ``b`` (default zeros, shape (K,));
    each epoch: loss, :func:`softmax_regression_gradients`, update
    :math:`W \leftarrow W - \eta\,dW,\; b \leftarrow b - \eta\,db`.
    Returns ``(W, b, history)`` with ``epochs + 1`` losses.
    """
    X = as_matrix(X)
    arr = np.asarray(y) if y is not None else None
    one_hot_given = arr is not None and arr.ndim == 2 and arr.shape[1] != 1 and np.issubdtype(arr.dtype, np.floating)
    if n_classes is None:
        if not one_hot_given:
            raise TypeError(
                "softmax_regression_fit needs n_classes with integer labels, e.g. "
                "softmax_regression_fit(X, y, n_classes=10, ...): the number of classes is not "
                "guessed from max(y) + 1, which is too small when a class is missing from y"
            )
        K = arr.shape[1]
    else:
        K = data._n_classes(n_classes)
        if one_hot_given and arr.shape[1] != K:
            raise ValueError(f"y is one-hot with {arr.shape[1]} columns but n_classes={K}; they must match")
    Y = _class_targets(y, X.shape[0], K)
    lr, epochs = _check_schedule(lr, epochs)
    W = np.zeros((X.shape[1], K)) if W is None else _start(W, (X.shape[1], K), "W", "one column per class")
    b = np.zeros(K) if b is None else _start(b, (K,), "b", "one bias per class")
    history = []
    for epoch in range(epochs):
        history.append(softmax_regression_loss(X, Y, W, b))
        dW, db = softmax_regression_gradients(X, Y, W, b)
        W, b = _step(X, (W, b), (dW, db), lr, epoch)
    history.append(softmax_regression_loss(X, Y, W, b))
    return W, b, history


def softmax_regression_predict(X, W, b):
    r"""Predicted classes :math:`\hat y_i = \arg\max_k z_{ik}` (Chapter 3).

    The softmax keeps the order of the logits, so the largest logit is also the
    largest probability: no exponential is needed to predict. Shape ``(m,)`` int64.
    """
    return np.argmax(logits(X, W, b), axis=1).astype(np.int64)


# ------------------------------------------------------------------ Chapter 3: multi-label
def multilabel_forward(X, W, b):
    r"""Independent label probabilities :math:`\hat P = \sigma(XW + b)`, entry by entry (Chapter 3).

    Unlike softmax, the K probabilities of a row need not sum to 1: each label is
    its own yes/no question. Shapes: ``X`` (m, n), ``W`` (n, K), ``b`` (K,) → ``(m, K)``.
    """
    return activations.sigmoid(logits(X, W, b))


def multilabel_loss(X, Y, W, b):
    r"""Binary cross-entropy of every label, summed over the K labels and averaged over m samples (Chapter 3).

    .. math:: J = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k=1}^{K}
              \left[ y_{ik} \log \hat p_{ik} + (1 - y_{ik}) \log(1 - \hat p_{ik}) \right]

    ``Y``: 0/1 array ``(m, K)``. This is K times ``losses.sigmoid_cross_entropy``
    (and PyTorch's ``BCEWithLogitsLoss``), which average over all m·K entries.
    Returns a float.
    """
    Z = logits(X, W, b)
    return Z.shape[1] * losses.sigmoid_cross_entropy(_label_matrix(Y, Z.shape), Z)


def multilabel_gradients(X, Y, W, b):
    r"""Gradients of :func:`multilabel_loss` (Chapter 3).

    .. math:: dZ = \frac{1}{m}(\hat P - Y), \qquad dW = X^\top dZ, \qquad db = \sum_{i=1}^{m} dZ_{i,:}

    Formally identical to softmax regression, with sigmoids in place of the softmax.
    Shapes: ``dW`` (n, K), ``db`` (K,).
    """
    P = multilabel_forward(X, W, b)
    X = as_matrix(X)
    dZ = (P - _label_matrix(Y, P.shape)) / X.shape[0]
    return X.T @ dZ, dZ.sum(axis=0)


def multilabel_fit(X, Y, *, lr=0.1, epochs=100, W=None, b=None):
    r"""Train K independent logistic regressions at once by batch gradient descent (Chapter 3).

    ``Y``: 0/1 array ``(m, K)``. Same loop as :func:`softmax_regression_fit` with
    :func:`multilabel_gradients`. Returns ``(W, b, history)`` with ``epochs + 1`` losses.
    """
    X = as_matrix(X)
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"Y must have shape ({X.shape[0]}, K), one row of 0/1 labels per sample; got {Y.shape}")
    Y = _label_matrix(Y, (X.shape[0], Y.shape[1]))
    lr, epochs = _check_schedule(lr, epochs)
    K = Y.shape[1]
    W = np.zeros((X.shape[1], K)) if W is None else _start(W, (X.shape[1], K), "W", "one column per label")
    b = np.zeros(K) if b is None else _start(b, (K,), "b", "one bias per label")
    history = []
    for epoch in range(epochs):
        history.append(multilabel_loss(X, Y, W, b))
        dW, db = multilabel_gradients(X, Y, W, b)
        W, b = _step(X, (W, b), (dW, db), lr, epoch)
    history.append(multilabel_loss(X, Y, W, b))
    return W, b, history


def multilabel_predict(scores, threshold=0.5, *, from_logits=False):
    r"""0/1 label decisions, one per entry: :math:`\hat y_{ik} = 1` if :math:`\hat p_{ik} \ge t` (Chapter 3).

    ``scores`` are probabilities, or logits with ``from_logits=True``; ``threshold``
    :math:`t \in (0, 1)` is always a probability. For logits the same decision is
    :math:`z_{ik} \ge \operatorname{logit}(t)` — for :math:`t = 0.5`, :math:`z_{ik} \ge 0` —
    so no sigmoid is needed. Shape: any → same, int64.
    """
    scores = as_float_array(scores, "scores")
    threshold = _threshold(threshold, "threshold must be a probability strictly between 0 and 1")
    if not from_logits and np.any((scores < 0) | (scores > 1)):
        raise ValueError("scores must be probabilities in [0, 1]; for logits pass from_logits=True")
    cut = activations.logit(threshold) if from_logits else threshold
    return (scores >= cut).astype(np.int64)
