"""Chapter 3: softmax regression and multi-label classification.

Both models are one layer of K neurons, Z = X W + b, followed by an output
activation, trained by batch gradient descent on the matching loss:

    model                outputs     output activation   loss
    softmax regression   K classes   softmax             cross-entropy
    multi-label          K labels    K sigmoids          BCE per label, summed

(Chapter 2's logistic regression is the case of one output and a sigmoid.)
The gradient of the softmax cross-entropy is derived in two steps
(softmax_jacobian, then cross_entropy_logit_gradient), and the loss is read
as information: entropy, kl_divergence and soft targets (smooth_labels).

Rows are samples: X of shape (m, n), W of shape (n, K) (column k holds the
weights of output k), b of shape (K,). Costs are means over the m samples,
and so are the gradients.

Labels: integer class labels have shape (m,) (a column (m, 1) is accepted);
the number of classes is never guessed from the largest label. Training:
these gradients are bounded, so only an absurd learning rate makes the
weights overflow; the *_fit functions then raise a ValueError naming lr.

The functions the book shows hold only the mathematics. Their inputs are
checked first by the private checker named in their @checks(...) line:
bad input is a TypeError or ValueError naming the argument.

softmax, cross_entropy, mae and logit are the plain formulas behind
nnlab.activations.softmax, nnlab.losses.cross_entropy, nnlab.losses.mae
and nnlab.activations.logit; the tests check that each agrees with that
careful core version. The book shows each of them alone: their checks are
attached below them, and where a plain formula would leave the float range
(which the core version avoids) it raises a ValueError instead.
"""
from __future__ import annotations

import numpy as np

from .. import activations, data, losses
from .._validate import (as_float_array, as_matrix, as_number_array,
                         as_shaped, binary_labels, check_flag, check_int,
                         check_not_diverged, check_real, check_same_shape,
                         checks, class_labels, formula)

__all__ = [
    "softmax",
    "cross_entropy",
    "mae",
    "logit",
    "logits",
    "softmax_temperature",
    "softmax_regression_forward",
    "softmax_regression_loss",
    "softmax_regression_gradients",
    "softmax_regression_fit",
    "softmax_jacobian",
    "cross_entropy_logit_gradient",
    "entropy",
    "kl_divergence",
    "smooth_labels",
    "softmax_regression_predict",
    "multilabel_forward",
    "multilabel_loss",
    "multilabel_gradients",
    "multilabel_fit",
    "multilabel_predict",
]

EPS = losses.EPS    # 1e-12: cross_entropy clips p̂ to [EPS, 1 − EPS]


# ------------------------------------------------------------ input checks
# Each returns a dict of checked values that replace the arguments (see
# nnlab._validate.checks); the functions below then hold only the formulas.
def _logit_vector(z, **_):
    """z: logits of shape (K,) or (m, K), finite floats."""
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (the classes), "
                         "shape (K,) or (m, K); got a single number")
    return {"z": z}


def _temperature_inputs(z, temperature):
    temperature = check_real(temperature, "temperature", low=0,
                             low_open=True)
    return {**_logit_vector(z), "temperature": temperature}


def _one_hot(y, m, K, name="y"):
    """One-hot Y of shape (m, K) from integer labels (m,) (or a column
    (m, 1)) or from a one-hot / probability array (m, K)."""
    expected = (f"integer labels of shape ({m},) or one-hot of shape "
                f"({m}, {K})")
    if y is None:
        raise TypeError(f"{name} must be {expected}; got None")
    arr = as_number_array(y, name)
    integer = np.issubdtype(arr.dtype, np.integer)
    if arr.ndim == 1 or arr.dtype == bool or (integer and arr.shape == (m, 1)):
        return data.one_hot(class_labels(arr, name, m=m, n_classes=K), K)
    if integer:
        raise ValueError(
            f"{name} is an integer array of shape {arr.shape}: pass integer "
            f"labels of shape ({m},) (e.g. Y.argmax(axis=1)) or a one-hot "
            f"float array of shape ({m}, {K})")
    Y = as_float_array(arr, name)
    if Y.shape != (m, K):
        raise ValueError(f"{name} must be {expected}; got {Y.shape}")
    if np.any((Y < 0) | (Y > 1)):
        raise ValueError(f"{name} must be one-hot (or hold probabilities in "
                         f"[0, 1])")
    return Y


def _label_matrix(Y, shape):
    """Multi-label targets: 0/1 (or [0, 1]) floats of exactly shape (m, K)."""
    arr = as_number_array(Y, "Y")
    if arr.shape != tuple(shape):
        raise ValueError(f"Y must have shape {tuple(shape)}, one 0/1 entry "
                         f"per sample and label; got {arr.shape}")
    return binary_labels(arr.ravel(), "Y").reshape(arr.shape)


def _probability_inputs(Y, P):
    P = as_float_array(P, "P").astype(np.float64)   # summed in float64
    if P.ndim != 2:
        raise ValueError(f"P must have shape (m, K), one row of class "
                         f"probabilities per sample; got {P.shape}")
    if np.any((P < 0) | (P > 1)):
        raise ValueError(f"P must hold probabilities in [0, 1]; got values "
                         f"from {P.min():g} to {P.max():g}")
    return {"Y": _one_hot(Y, *P.shape, name="Y"), "P": P}


def _regression_inputs(y, y_hat):
    y, y_hat = as_float_array(y, "y"), as_float_array(y_hat, "y_hat")
    check_same_shape(y, y_hat, "y", "y_hat")
    return {"y": y, "y_hat": y_hat}


def _open_probability(p):
    p = as_float_array(p, "p")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError(f"p must lie strictly between 0 and 1; got values "
                         f"from {p.min():g} to {p.max():g}")
    return {"p": p}


def _layer_inputs(X, W, b, **_):
    """X of shape (m, n), W of shape (n, K) and b of shape (K,)."""
    X = as_matrix(X)
    W = as_float_array(W, "W")
    if W.ndim != 2 or W.shape[0] != X.shape[1]:
        raise ValueError(f"W must have shape ({X.shape[1]}, K): one row per "
                         f"feature of X, one column per output; got "
                         f"{W.shape}")
    b = as_float_array(b, "b")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},), one bias per "
                         f"column of W; got {b.shape}")
    return {"X": X, "W": W, "b": b}


def _class_inputs(X, y, W, b):
    checked = _layer_inputs(X, W, b)
    m, K = len(checked["X"]), len(checked["b"])
    return {**checked, "y": _one_hot(y, m, K)}


def _multilabel_inputs(X, Y, W, b):
    checked = _layer_inputs(X, W, b)
    m, K = len(checked["X"]), len(checked["b"])
    return {**checked, "Y": _label_matrix(Y, (m, K))}


def _one_logit_vector(z):
    z = as_float_array(z, "z")
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"z must be the logits of one sample, shape (K,); "
                         f"got shape {z.shape}")
    return z


def _jacobian_inputs(z):
    return {"z": _one_logit_vector(z)}


def _distribution(p, name, K=None):
    """A probability vector: shape (K,), entries in [0, 1], sum 1."""
    p = as_float_array(p, name).astype(np.float64)
    if p.ndim != 1 or p.size == 0 or (K is not None and p.size != K):
        want = "(K,)" if K is None else f"({K},)"
        raise ValueError(f"{name} must be a probability vector of shape "
                         f"{want}; got shape {p.shape}")
    if np.any((p < 0) | (p > 1)) or abs(p.sum() - 1) > 1e-6:
        raise ValueError(f"{name} must hold probabilities in [0, 1] that "
                         f"sum to 1; got sum {p.sum():g}")
    return p


def _logit_gradient_inputs(z, y):
    z = _one_logit_vector(z)
    K = z.size
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
        y = data.one_hot(class_labels([y], "y", n_classes=K), K)[0]
    else:
        y = _distribution(y, "y", K)
    return {"z": z, "y": y}


def _entropy_input(p):
    return {"p": _distribution(p, "p")}


def _kl_inputs(p, q):
    p = _distribution(p, "p")
    q = _distribution(q, "q", p.size)
    if np.any((q == 0) & (p > 0)):
        raise ValueError("KL(p ‖ q) is infinite: q is 0 where p is not "
                         "(q gives probability 0 to a possible outcome)")
    return {"p": p, "q": q}


def _smoothing_inputs(y, n_classes, epsilon):
    n_classes = check_int(n_classes, "n_classes", minimum=2, typed=True)
    return {"y": class_labels(y, "y", n_classes=n_classes),
            "n_classes": n_classes,
            "epsilon": check_real(epsilon, "epsilon", low=0, high=1)}


def _schedule(lr, epochs):
    return {"lr": check_real(lr, "lr", low=0, low_open=True),
            "epochs": check_int(epochs, "epochs", minimum=0)}


def _start(X, K, W, b, what):
    """The starting W (n, K) and b (K,): zeros by default, else copies."""
    n = X.shape[1]
    return {"W": np.zeros((n, K)) if W is None
            else as_shaped(W, (n, K), "W", f"one column per {what}"),
            "b": np.zeros(K) if b is None
            else as_shaped(b, (K,), "b", f"one bias per {what}")}


def _softmax_fit_inputs(X, y, n_classes, lr, epochs, W, b):
    X = as_matrix(X)
    arr = None if y is None else as_number_array(y, "y")
    one_hot_given = (arr is not None and arr.ndim == 2 and arr.shape[1] != 1
                     and np.issubdtype(arr.dtype, np.floating))
    if n_classes is None:
        if not one_hot_given:
            raise TypeError(
                "softmax_regression_fit needs n_classes with integer labels, "
                "e.g. softmax_regression_fit(X, y, n_classes=10, ...): the "
                "number of classes is not guessed from max(y) + 1, which is "
                "too small when a class is missing from y")
        n_classes = arr.shape[1]
    n_classes = check_int(n_classes, "n_classes", typed=True)
    if one_hot_given and arr.shape[1] != n_classes:
        raise ValueError(f"y is one-hot with {arr.shape[1]} columns but "
                         f"n_classes={n_classes}; they must match")
    Y = _one_hot(y, X.shape[0], n_classes)
    return {"X": X, "y": Y, "n_classes": n_classes, **_schedule(lr, epochs),
            **_start(X, n_classes, W, b, "class")}


def _multilabel_fit_inputs(X, Y, lr, epochs, W, b):
    X = as_matrix(X)
    arr = as_number_array(Y, "Y")
    if arr.ndim != 2:
        raise ValueError(f"Y must have shape ({X.shape[0]}, K), one row of "
                         f"0/1 labels per sample; got {arr.shape}")
    Y = _label_matrix(arr, (X.shape[0], arr.shape[1]))
    return {"X": X, "Y": Y, **_schedule(lr, epochs),
            **_start(X, Y.shape[1], W, b, "label")}


def _predict_inputs(scores, threshold, from_logits):
    scores = as_float_array(scores, "scores")
    threshold = check_real(threshold, "threshold", low=0, low_open=True,
                           high=1, high_open=True)
    from_logits = check_flag(from_logits, "from_logits")
    if not from_logits and np.any((scores < 0) | (scores > 1)):
        raise ValueError("scores must be probabilities in [0, 1]; for "
                         "logits pass from_logits=True")
    return {"scores": scores, "threshold": threshold,
            "from_logits": from_logits}


# ------------------------------------------------- the plain formulas
# The book shows these four alone; their input checks and a float-range
# guard are attached below them (nnlab._validate.formula).
def softmax(z):
    """Turn logits into probabilities, along the last axis.

    softmax(z)ₖ = exp(zₖ) / Σⱼ exp(zⱼ)

    Subtracting the largest logit first changes nothing (exp(c) cancels)
    and keeps every exponent ≤ 0, so exp never overflows.
    z of shape (K,) or (m, K) → the same shape, each row summing to 1.
    The plain formula of nnlab.activations.softmax.
    """
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(Y, P):
    """Mean cross-entropy of predicted probabilities P for targets Y.

    J = −(1/m) Σᵢ Σₖ yᵢₖ log p̂ᵢₖ

    Y one-hot of shape (m, K) (or integer labels of shape (m,)), P of
    shape (m, K). P is clipped to [EPS, 1 − EPS], EPS = 1e-12, so that
    log 0 never happens. Returns a float. The plain formula of
    nnlab.losses.cross_entropy.
    """
    P = np.clip(P, EPS, 1 - EPS)
    return float(-np.sum(Y * np.log(P)) / len(P))


def mae(y, y_hat):
    """Mean absolute error of predictions y_hat for targets y.

    MAE = (1/N) Σᵢ |ŷᵢ − yᵢ| over all N entries; y and y_hat of the same
    shape. Returns a float. The plain formula of nnlab.losses.mae.
    """
    return float(np.mean(np.abs(y_hat - y)))


def logit(p):
    """The inverse of the sigmoid, the log-odds of a probability.

    logit(p) = log(p / (1 − p)), so σ(z) ≥ t exactly when z ≥ logit(t).
    p in (0, 1), any shape → the same shape. The plain formula of
    nnlab.activations.logit.
    """
    return np.log(p / (1 - p))


softmax = formula(softmax, _logit_vector,
                  core="nnlab.activations.softmax")
cross_entropy = formula(cross_entropy, _probability_inputs,
                        core="nnlab.losses.cross_entropy",
                        names="Y and P")
mae = formula(mae, _regression_inputs, core="nnlab.losses.mae",
              names="y and y_hat")
logit = formula(logit, _open_probability, core="nnlab.activations.logit",
                names="p")


# ------------------------------------------------- softmax regression
@checks(_layer_inputs)
def logits(X, W, b):
    """The scores of one layer of K neurons: Z = X W + b.

    X of shape (m, n), W of shape (n, K), b of shape (K,) → Z of shape
    (m, K): one row per sample, one column per class (or label).
    """
    return X @ W + b


@checks(_temperature_inputs)
def softmax_temperature(z, temperature=1.0):
    """Softmax of logits divided by a temperature T > 0.

    p̂ₖ = exp(zₖ / T) / Σⱼ exp(zⱼ / T)

    T = 1 is the ordinary softmax; T → 0 puts all probability on the
    largest logit, T → ∞ spreads it evenly. The largest logit is
    subtracted first, so z / T ≤ 0; for a tiny T it may be −∞, whose
    exp is 0. z of shape (K,) or (m, K) → the same shape.
    """
    with np.errstate(over="ignore"):    # a tiny T: −∞, and exp(−∞) = 0
        e = np.exp((z - z.max(axis=-1, keepdims=True)) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_regression_forward(X, W, b):
    """Class probabilities P̂ = softmax(X W + b), row by row.

    X of shape (m, n), W of shape (n, K), b of shape (K,) → P̂ of shape
    (m, K), each row summing to 1.
    """
    return activations.softmax(logits(X, W, b), axis=1)


@checks(_class_inputs)
def softmax_regression_loss(X, y, W, b):
    """Cross-entropy of softmax regression, averaged over the m samples.

    J(W, b) = −(1/m) Σᵢ Σₖ yᵢₖ log p̂ᵢₖ

    y: integer labels of shape (m,) or one-hot of shape (m, K). Computed
    from the logits with log-sum-exp (losses.softmax_cross_entropy), so
    no probability is ever rounded to 0. Returns a float.
    """
    Z = logits(X, W, b)
    return losses.softmax_cross_entropy(y, Z)


@checks(_class_inputs)
def softmax_regression_gradients(X, y, W, b):
    """Gradients of softmax_regression_loss with respect to W and b.

    dZ = (P̂ − Y) / m,   dW = Xᵀ dZ,   db = Σᵢ dZᵢ (the column sums)

    the same "prediction minus target" as logistic regression, one column
    per class. Returns dW of shape (n, K) and db of shape (K,).
    """
    m = X.shape[0]
    dZ = (softmax_regression_forward(X, W, b) - y) / m
    return X.T @ dZ, dZ.sum(axis=0)


@checks(_softmax_fit_inputs)
def softmax_regression_fit(X, y, n_classes=None, *, lr=0.1, epochs=100,
                           W=None, b=None):
    """Train softmax regression by batch gradient descent.

    y: integer labels of shape (m,) in [0, n_classes), or one-hot of shape
    (m, K). With integer labels n_classes is required: it is not guessed
    from max(y) + 1, which is too small when a class is missing from the
    training labels. Starts from W and b (default zeros); each epoch:

        W ← W − lr · dW,   b ← b − lr · db

    Returns (W, b, history) with the epochs + 1 losses along the way.
    """
    history = []
    for epoch in range(epochs):
        history.append(softmax_regression_loss(X, y, W, b))
        dW, db = softmax_regression_gradients(X, y, W, b)
        with np.errstate(over="ignore", invalid="ignore"):
            W, b = W - lr * dW, b - lr * db
            check_not_diverged((W, b, X @ W + b), lr, epoch)
    history.append(softmax_regression_loss(X, y, W, b))
    return W, b, history


# ------------------------------------------------- the gradient, derived
def softmax_jacobian(z):
    """The derivatives of the softmax of one sample: J[k, j] = ∂p̂ₖ/∂zⱼ.

    ∂p̂ₖ/∂zⱼ = p̂ₖ ([k = j] − p̂ⱼ),   that is   J = diag(p̂) − p̂ p̂ᵀ

    z of shape (K,) → J of shape (K, K): symmetric, and every row sums to
    0, because the probabilities always sum to 1.
    """
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


def cross_entropy_logit_gradient(z, y):
    """dL/dz of L = −Σₖ yₖ log p̂ₖ, p̂ = softmax(z): "prediction − target".

    chain rule:  dL/dzⱼ = Σₖ (dL/dp̂ₖ) J[k, j],   with dL/dp̂ₖ = −yₖ / p̂ₖ
                        = −Σₖ yₖ ([k = j] − p̂ⱼ) = p̂ⱼ Σₖ yₖ − yⱼ = p̂ⱼ − yⱼ

    (the targets sum to 1). z of shape (K,); y a class index or a
    probability vector of shape (K,), one-hot or soft. Returns p̂ − y.
    """
    return softmax(z) - y


# ------------------------------------------------- information
def entropy(p):
    """The entropy of a probability vector, in nats (natural log).

    H(p) = −Σₖ pₖ log pₖ,   with 0 · log 0 = 0 (its limit)

    0 for a one-hot p (no uncertainty), log K for the uniform p (the
    most). p of shape (K,), summing to 1. Returns a float.
    """
    nz = p > 0                          # the terms with pₖ = 0 are 0
    return float(np.sum(-p[nz] * np.log(p[nz])))


def kl_divergence(p, q):
    """The Kullback–Leibler divergence of q from p, in nats.

    KL(p ‖ q) = Σₖ pₖ log(pₖ / qₖ)  ≥ 0,   0 only when q = p

    It is not symmetric. H(p, q) = H(p) + KL(p ‖ q): the cross-entropy is
    the entropy plus the cost of predicting q when the truth is p. p and
    q of shape (K,), each summing to 1. Returns a float.
    """
    nz = p > 0
    return float(np.sum(p[nz] * (np.log(p[nz]) - np.log(q[nz]))))


def smooth_labels(y, n_classes, epsilon=0.1):
    """Soft targets (label smoothing): (1 − ε) · one-hot(y) + ε / K.

    The true class gets 1 − ε + ε/K, every other class ε/K; each row still
    sums to 1. y: integer labels of shape (m,) → an array of shape (m, K).
    """
    return (1 - epsilon) * data.one_hot(y, n_classes) + epsilon / n_classes


# Their input checks, attached below them so that the book shows the
# formulas alone. Where q is 0 and p is not, KL(p ‖ q) is infinite: the
# check raises a ValueError that says so rather than return inf.
softmax_jacobian = checks(_jacobian_inputs)(softmax_jacobian)
cross_entropy_logit_gradient = checks(_logit_gradient_inputs)(
    cross_entropy_logit_gradient)
entropy = checks(_entropy_input)(entropy)
kl_divergence = checks(_kl_inputs)(kl_divergence)
smooth_labels = checks(_smoothing_inputs)(smooth_labels)


def softmax_regression_predict(X, W, b):
    """Predicted classes ŷᵢ = argmaxₖ zᵢₖ, an int array of shape (m,).

    The softmax keeps the order of the logits, so the largest logit is also
    the largest probability: no exponential is needed to predict.
    """
    return np.argmax(logits(X, W, b), axis=1).astype(np.int64)


# ------------------------------------------------- multi-label
def multilabel_forward(X, W, b):
    """Independent label probabilities P̂ = σ(X W + b), entry by entry.

    Unlike softmax, the K probabilities of a row need not sum to 1: each
    label is its own yes/no question. X of shape (m, n), W of shape (n, K),
    b of shape (K,) → P̂ of shape (m, K).
    """
    return activations.sigmoid(logits(X, W, b))


@checks(_multilabel_inputs)
def multilabel_loss(X, Y, W, b):
    """Binary cross-entropy of every label, summed over the K labels and
    averaged over the m samples.

    J = −(1/m) Σᵢ Σₖ [yᵢₖ log p̂ᵢₖ + (1 − yᵢₖ) log(1 − p̂ᵢₖ)]

    Y: 0/1 array of shape (m, K). losses.sigmoid_cross_entropy (like
    PyTorch's BCEWithLogitsLoss) averages over all m·K entries instead,
    hence the factor K. Returns a float.
    """
    Z = logits(X, W, b)
    K = Z.shape[1]
    return K * losses.sigmoid_cross_entropy(Y, Z)


@checks(_multilabel_inputs)
def multilabel_gradients(X, Y, W, b):
    """Gradients of multilabel_loss with respect to W and b.

    dZ = (P̂ − Y) / m,   dW = Xᵀ dZ,   db = Σᵢ dZᵢ

    as for softmax regression, with sigmoids in place of the softmax.
    Returns dW of shape (n, K) and db of shape (K,).
    """
    m = X.shape[0]
    dZ = (multilabel_forward(X, W, b) - Y) / m
    return X.T @ dZ, dZ.sum(axis=0)


@checks(_multilabel_fit_inputs)
def multilabel_fit(X, Y, *, lr=0.1, epochs=100, W=None, b=None):
    """Train K independent logistic regressions at once by batch gradient
    descent.

    Y: 0/1 array of shape (m, K). The loop of softmax_regression_fit with
    multilabel_gradients. Returns (W, b, history) with epochs + 1 losses.
    """
    history = []
    for epoch in range(epochs):
        history.append(multilabel_loss(X, Y, W, b))
        dW, db = multilabel_gradients(X, Y, W, b)
        with np.errstate(over="ignore", invalid="ignore"):
            W, b = W - lr * dW, b - lr * db
            check_not_diverged((W, b, X @ W + b), lr, epoch)
    history.append(multilabel_loss(X, Y, W, b))
    return W, b, history


@checks(_predict_inputs)
def multilabel_predict(scores, threshold=0.5, *, from_logits=False):
    """0/1 decisions, one per label: ŷᵢₖ = 1 if p̂ᵢₖ ≥ t, else 0.

    scores are probabilities, or logits with from_logits=True; threshold
    t in (0, 1) is always a probability. On logits the same decision is
    zᵢₖ ≥ logit(t) (for t = 0.5, zᵢₖ ≥ 0), so no sigmoid is needed.
    Any shape → the same shape, int64.
    """
    cut = activations.logit(threshold) if from_logits else threshold
    return (scores >= cut).astype(np.int64)
