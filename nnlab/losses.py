"""Loss functions and their gradients.

Every loss name(y_true, y_pred) returns a Python float, the mean as in
PyTorch's reduction="mean":

* mse, half_mse, mae, binary_cross_entropy and sigmoid_cross_entropy
  average over all entries of y_pred;
* cross_entropy and softmax_cross_entropy sum over the K classes
  (columns) and average over the m samples (rows).

name_gradient(y_true, y_pred) returns ∂J/∂ŷ, the derivative of that
mean, with the shape and float dtype of y_pred. get(name) bundles both as
.value and .gradient.

Inputs are checked: shapes must match (rows are samples), values must be
finite, BCE targets must lie in [0, 1], integer class labels in [0, K);
otherwise a ValueError/TypeError names the argument.

Extreme values: a loss too large for the dtype is inf (as in PyTorch),
never NaN and never an overflow warning; a mean whose sum would overflow
is still computed (1e308 and 1e308 average to 1e308).

Stability: the losses that take probabilities clip them to [ε, 1 − ε]
(see EPS) so that log 0 never happens; the sigmoid_ / softmax_ versions
take logits and never form probabilities at all (log-sigmoid and
log-sum-exp), which is exact and is what you should train with.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, cast, check_same_shape, class_labels
from .activations import _sigmoid_pair, _softmax_parts, log_softmax

__all__ = [
    "mse", "half_mse", "mae", "binary_cross_entropy", "cross_entropy",
    "sigmoid_cross_entropy", "softmax_cross_entropy",
    "mse_gradient", "half_mse_gradient", "mae_gradient", "binary_cross_entropy_gradient",
    "cross_entropy_gradient", "sigmoid_cross_entropy_gradient", "softmax_cross_entropy_gradient",
    "get", "Loss", "NAMES", "EPS",
]

#: Clipping constant for losses that take probabilities: p̂ is clipped to
#: [ε, 1 − ε] with ε = max(EPS, 2·machine epsilon), i.e. 1e-12 in float64
#: and about 2.4e-7 in float32 (where 1 − 1e-12 rounds to 1). A probability
#: of exactly 0 for the true class then costs −log(1e-12) ≈ 27.6 instead of
#: infinity. (PyTorch's BCE instead clamps each log at −100.)
EPS = 1e-12


def _eps(dtype) -> float:
    return max(EPS, 2 * float(np.finfo(dtype).eps))


# ---------------------------------------------------------------- input checks
def _pair(y_true, y_pred):
    """Float arrays of the same shape; y_true takes the dtype of y_pred."""
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true")
    check_same_shape(y_true, y_pred, "y_true", "y_pred")
    return cast(y_true, y_pred.dtype, "y_true"), y_pred


def _check_unit_interval(a, name, hint=""):
    if np.any(a < 0) or np.any(a > 1):
        raise ValueError(
            f"{name} must lie in [0, 1]; got values from {a.min():g} to {a.max():g}{hint}"
        )


def _binary_pair(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    _check_unit_interval(y_true, "y_true", " (binary targets: 0 or 1, or soft labels in between)")
    return y_true, y_pred


def _mean(a) -> float:
    """np.mean(a) as a float, also when the sum of a would overflow."""
    with np.errstate(over="ignore"):
        value = np.mean(a)
    if not np.isfinite(value):      # the sum overflowed (or an entry is inf): average the parts
        with np.errstate(over="ignore", under="ignore"):
            value = np.sum(a / a.size)
    return float(value)


def _mean_square(d) -> float:
    """Mean of d² without a spurious overflow (the result may be inf)."""
    with np.errstate(over="ignore", under="ignore"):
        value = np.mean(d * d)
        big = np.max(np.abs(d))
        if not np.isfinite(value) and np.isfinite(big):
            # mean((d/big)^2) * big^2 overflows only if the result does
            value = np.sum((d / big) ** 2 / d.size) * big * big
    return float(value)


def _difference(y_pred, y_true):
    """y_pred − y_true; a difference beyond the float range is ±inf, silently.
    """
    with np.errstate(over="ignore"):
        return y_pred - y_true


def _scaled_difference(y_pred, y_true, factor):
    """factor·(y_pred − y_true)/N; only a result beyond the float range is inf.
    """
    with np.errstate(under="ignore", over="ignore"):
        out = factor * (y_pred - y_true) / y_pred.size
        if not np.all(np.isfinite(out)):             # an intermediate overflowed
            out = factor * (y_pred / y_pred.size - y_true / y_pred.size)
    return out


def _class_pair(y_true, y_pred):
    """Y one-hot (or soft) of shape (m, K), from one-hot rows or labels.

    Integer labels have shape (m,); a column (m, 1) is accepted and
    flattened. Boolean labels are refused with an explanation.
    """
    y_pred = as_float_array(y_pred, "y_pred")
    if y_pred.ndim != 2:
        raise ValueError(
            f"y_pred must be 2-D of shape (m, K) (rows are samples, columns classes); "
            f"got shape {y_pred.shape}"
        )
    m, n_classes = y_pred.shape
    if y_true is None:
        raise TypeError(f"y_true must be integer labels ({m},) or one-hot targets {y_pred.shape}; got None")
    try:
        labels = y_true if isinstance(y_true, np.ndarray) else np.asarray(y_true)
    except (TypeError, ValueError) as err:      # ragged lists
        raise TypeError(f"y_true must be integer labels ({m},) or one-hot targets {y_pred.shape}; "
                        f"got {type(y_true).__name__} ({err})") from None
    if labels.dtype == bool:
        raise TypeError(
            "y_true has dtype bool; class labels are integers 0, 1, ..., K-1 (use "
            "y_true.astype(np.int64)) and one-hot targets are floats"
        )
    if np.issubdtype(labels.dtype, np.integer) and (
            labels.ndim == 1 or (labels.ndim == 2 and labels.shape[1] == 1)):
        labels = class_labels(labels, "y_true")    # a column (m, 1) -> (m,)
        if labels.shape != (m,):
            raise ValueError(
                f"y_true holds {labels.shape[0]} integer labels but y_pred has shape {y_pred.shape}; "
                f"expected {m} labels, one per row"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(
                f"y_true contains labels outside [0, {n_classes}) (y_pred has {n_classes} columns); "
                f"got labels from {labels.min()} to {labels.max()}"
            )
        Y = np.zeros_like(y_pred)
        Y[np.arange(m), labels] = 1
        return Y, y_pred
    if np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"integer labels y_true must have shape ({m},), one per row (or ({m}, 1)); got shape "
            f"{labels.shape}. For one-hot targets of shape {y_pred.shape} pass the labels "
            f"Y.argmax(axis=1) instead"
        )
    Y = as_float_array(y_true, "y_true")
    if Y.shape != y_pred.shape:
        raise ValueError(
            f"y_true has shape {Y.shape} but y_pred has shape {y_pred.shape}; y_true must be "
            f"one-hot of shape {y_pred.shape} or integer labels of shape ({m},)"
        )
    _check_unit_interval(Y, "y_true", " (one-hot or soft labels)")
    return cast(Y, y_pred.dtype, "y_true"), y_pred


_PROB_HINT = "; these are probabilities — for logits use the sigmoid_/softmax_ version of the loss"


# ------------------------------------------------------------ regression
def mse(y_true, y_pred):
    """Mean squared error, averaged over all entries.

        J = (1/N) Σ_i (ŷ_i − y_i)²

    y_true and y_pred of the same shape, any; returns a float.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_square(_difference(y_pred, y_true))


def mse_gradient(y_true, y_pred):
    """∂J/∂ŷ = (2/N)·(ŷ − y), shaped like y_pred."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _scaled_difference(y_pred, y_true, 2)


def half_mse(y_true, y_pred):
    """Half mean squared error, the lectures' cost for gradient descent.

        J(θ) = (1/(2m)) Σ_i (ŷ⁽ⁱ⁾ − y⁽ⁱ⁾)²

    The ½ cancels the 2 of the derivative. Averaged over all entries;
    returns a float.
    """
    return 0.5 * mse(y_true, y_pred)


def half_mse_gradient(y_true, y_pred):
    """∂J/∂ŷ = (1/N)·(ŷ − y), shaped like y_pred."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _scaled_difference(y_pred, y_true, 1)


def mae(y_true, y_pred):
    """Mean absolute error, averaged over all entries.

        J = (1/N) Σ_i |ŷ_i − y_i|

    Returns a float.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean(np.abs(_difference(y_pred, y_true)))


def mae_gradient(y_true, y_pred):
    """∂J/∂ŷ = (1/N)·sign(ŷ − y) (0 where ŷ = y, as in PyTorch), shaped like
    y_pred.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    with np.errstate(under="ignore"):
        return np.sign(_difference(y_pred, y_true)) / y_pred.size


# ------------------------------------------------------------ binary classification
def binary_cross_entropy(y_true, y_pred):
    """Binary cross-entropy on probabilities, averaged over all entries.

        J = −(1/N) Σ_i [y_i·log p̂_i + (1 − y_i)·log(1 − p̂_i)]

    y_pred are probabilities p̂ in [0, 1], clipped to [ε, 1 − ε] (see EPS);
    y_true in [0, 1]. Prefer sigmoid_cross_entropy on logits. Returns a
    float.
    """
    y, p = _binary_pair(y_true, y_pred)
    _check_unit_interval(p, "y_pred", _PROB_HINT)
    eps = _eps(p.dtype)
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def binary_cross_entropy_gradient(y_true, y_pred):
    """∂J/∂p̂ = (1/N)·(p̂ − y) / (p̂·(1 − p̂)), at the clipped p̂; shaped like
    y_pred.
    """
    y, p = _binary_pair(y_true, y_pred)
    _check_unit_interval(p, "y_pred", _PROB_HINT)
    eps = _eps(p.dtype)
    p = np.clip(p, eps, 1 - eps)
    with np.errstate(under="ignore"):
        return (p - y) / (p * (1 - p)) / p.size


def sigmoid_cross_entropy(y_true, y_pred):
    """Binary cross-entropy on logits, averaged over all entries.

    With p̂ = σ(z), −log σ(z) = softplus(−z), so

        J = (1/N) Σ_i [max(z_i, 0) − y_i·z_i + log(1 + exp(−|z_i|))]

    which never overflows and never takes log 0 (PyTorch's
    BCEWithLogitsLoss). y_pred are logits z; returns a float.
    """
    y, z = _binary_pair(y_true, y_pred)
    with np.errstate(under="ignore"):
        return _mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))


def sigmoid_cross_entropy_gradient(y_true, y_pred):
    """∂J/∂z = (1/N)·(σ(z) − y), shaped like y_pred.

    Evaluated as (1/N)·((1 − y)·σ(z) − y·σ(−z)), the same number, so that a
    confident right answer keeps its small gradient (−σ(−40) ≈ −4e-18 for
    y = 1, z = 40) instead of rounding to 0 in σ(z) − 1.
    """
    y, z = _binary_pair(y_true, y_pred)
    s, s_minus = _sigmoid_pair(z)
    with np.errstate(under="ignore"):
        return ((1 - y) * s - y * s_minus) / z.size


# ------------------------------------------------------------ multi-class classification
def cross_entropy(y_true, y_pred):
    """Categorical cross-entropy on probabilities.

        J = −(1/m) Σ_i Σ_k y_ik·log p̂_ik

    y_pred: probabilities of shape (m, K) (rows sum to 1), clipped to
    [ε, 1 − ε] (see EPS). y_true: one-hot of shape (m, K) or integer labels
    (m,) in [0, K). Sums over the classes, averages over the samples. Prefer
    softmax_cross_entropy on logits. Returns a float.
    """
    Y, P = _class_pair(y_true, y_pred)
    _check_unit_interval(P, "y_pred", _PROB_HINT)
    eps = _eps(P.dtype)
    # summed in float64: m terms of up to 27.6 overflow float16 from m = 2400 on
    return float(-np.sum(Y * np.log(np.clip(P, eps, 1 - eps)), dtype=np.float64) / P.shape[0])


def cross_entropy_gradient(y_true, y_pred):
    """∂J/∂p̂_ik = −(1/m)·y_ik / p̂_ik (at the clipped p̂), shape (m, K)."""
    Y, P = _class_pair(y_true, y_pred)
    _check_unit_interval(P, "y_pred", _PROB_HINT)
    eps = _eps(P.dtype)
    with np.errstate(under="ignore"):
        return -Y / np.clip(P, eps, 1 - eps) / P.shape[0]


def softmax_cross_entropy(y_true, y_pred):
    """Softmax followed by cross-entropy, on logits.

        J = −(1/m) Σ_i Σ_k y_ik·log softmax(z_i)_k,
        log softmax(z)_k = z_k − log Σ_j exp(z_j)

    computed with log-sum-exp, never through probabilities (PyTorch's
    CrossEntropyLoss). y_pred: logits of shape (m, K); y_true: one-hot
    (m, K) or integer labels (m,). Returns a float.
    """
    Y, Z = _class_pair(y_true, y_pred)
    L = log_softmax(Z, axis=1)        # may hold -inf for a logit beyond the float range
    with np.errstate(under="ignore", over="ignore"):
        per_row = -np.sum(Y * np.where(Y != 0, L, 0), axis=1)   # not 0 * -inf = NaN
    return _mean(per_row)


def softmax_cross_entropy_gradient(y_true, y_pred):
    """∂J/∂Z = (1/m)·(softmax(Z) − Y), shape (m, K): the famous "prediction
    minus target".

    Evaluated as (1/m)·(P̂ ⊙ (1 − Y) − Y ⊙ (1 − P̂)) (the same number), with
    1 − p̂_k summed from the other classes' terms, so that a confident right
    answer (p̂_y = 1 − 1e-20) keeps its tiny gradient instead of rounding to
    0.
    """
    Y, Z = _class_pair(y_true, y_pred)
    P, rest_share, top = _softmax_parts(Z, 1)
    with np.errstate(under="ignore"):
        Q = 1 - P              # accurate: P <= 1/2 everywhere but at the largest logit
        np.put_along_axis(Q, top, rest_share, axis=1)   # there: the other classes' share
        return (P * (1 - Y) - Y * Q) / Z.shape[0]


# ------------------------------------------------------------------ registry
class Loss:
    """A loss by name: value(y_true, y_pred) → float, gradient(y_true, y_pred)
    → array.
    """

    def __init__(self, name, value, gradient):
        self.name = name
        self._value = value
        self._gradient = gradient

    def __repr__(self):
        return f"get({self.name!r})"

    def value(self, y_true, y_pred) -> float:
        """The mean loss, a Python float."""
        return self._value(y_true, y_pred)

    __call__ = value

    def gradient(self, y_true, y_pred) -> np.ndarray:
        """The derivative of value with respect to y_pred, shaped like y_pred.
        """
        return self._gradient(y_true, y_pred)


_LOSSES = {
    "mse": (mse, mse_gradient),
    "half_mse": (half_mse, half_mse_gradient),
    "mae": (mae, mae_gradient),
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_gradient),
    "cross_entropy": (cross_entropy, cross_entropy_gradient),
    "sigmoid_cross_entropy": (sigmoid_cross_entropy, sigmoid_cross_entropy_gradient),
    "softmax_cross_entropy": (softmax_cross_entropy, softmax_cross_entropy_gradient),
}
NAMES = tuple(_LOSSES)


def get(name):
    """The Loss called name; a ValueError listing NAMES if it is unknown."""
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str):
        raise TypeError(f"loss must be a name such as 'mse' (one of {', '.join(NAMES)}); got {name!r}")
    if name not in _LOSSES:
        raise ValueError(f"unknown loss {name!r}; name must be one of: {', '.join(NAMES)}")
    return Loss(name, *_LOSSES[name])
