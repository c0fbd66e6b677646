"""Activation functions and their derivatives.

Every function takes an array z of pre-activations of any shape (rows are
samples) and returns an array of the same shape and float dtype: float32
in, float32 out.

Numerical stability: nothing here overflows, even for z = ±1e300 in
float64 or ±1e38 in float32 (only a result that is itself beyond the float
range is ±inf: SELU of 1.79e308, log-softmax of [3e38, −3e38] in float32).
Results too small to represent (for example exp(−10⁴)) underflow to 0,
which is harmless and expected, so each function ignores the underflow
flag locally; overflow and invalid operations are never silenced.

Accuracy: values and derivatives keep their relative accuracy in the
tails, where a naive formula cancels to 0: σ'(37) ≈ 8.5e-17 (not
σ(1 − σ) = 0), tanh'(20), GELU at z = −5, ... float32 inputs give float32
results accurate to float32 precision (GELU's normal CDF is evaluated in
float64 and rounded back).

get(name, **params) returns an ActivationFunction with forward(z),
derivative(z) (the element-wise f'(z)) and vjp(z, grad_out) (the
vector-Jacobian product used by backpropagation). Softmax and log-softmax
mix the entries of a row, so they have no element-wise derivative, only a
vjp.
"""
from __future__ import annotations

import inspect
import math

import numpy as np

from ._validate import NotSupported, as_float_array, check_positive

__all__ = [
    "step", "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu",
    "softplus", "mish", "softmax", "log_softmax", "logit", "get", "ActivationFunction",
    "NAMES",
]

# SELU constants (Klambauer et al., 2017), the values PyTorch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# GELU's tanh approximation (Hendrycks & Gimpel, 2016), as in the lectures.
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715


# ------------------------------------------------------- the perceptron
def step(z):
    """Heaviside step of the perceptron.

        step(z) = 1 if z > 0, else 0

    step(0) = 0, consistent with the perceptron's f(x) = 1 if w·x + b > 0.
    Its derivative is 0 everywhere (undefined at 0), so gradient descent
    gets no signal through it: that is why neural networks replaced it with
    smooth activations. Shape: any → same.
    """
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def linear(z):
    """Identity activation, f(z) = z (the output of linear regression).

    Returns a copy. Shape: any → same.
    """
    return as_float_array(z, "z").copy()


# ---------------------------------------------------- the sigmoid family
def sigmoid(z):
    """Logistic sigmoid, computed without overflow.

        σ(z) = 1 / (1 + exp(−z)) = exp(z) / (1 + exp(z))

    The first form is used for z ≥ 0 and the second for z < 0, so
    exp(−|z|) ≤ 1 is the only exponential ever computed.
    Derivative: σ'(z) = σ(z)·(1 − σ(z)) = σ(z)·σ(−z), evaluated in the second
    form, because 1 − σ(z) rounds to 0 for z > 37 (float64) while σ(−z)
    keeps its digits. Shape: any → same.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))  # in (0, 1]: cannot overflow
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def logit(p):
    """The inverse of the sigmoid, the log-odds: logit(p) = log(p / (1 − p)).

    sigmoid(z) ≥ t exactly when z ≥ logit(t). p in (0, 1), any shape.
    """
    p = as_float_array(p, "p")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError(f"p must lie strictly between 0 and 1; got values "
                         f"from {p.min():g} to {p.max():g}")
    return np.log(p) - np.log1p(-p)


def _sigmoid_pair(x):
    """(σ(x), σ(−x)), each with full relative accuracy.

    σ(−x) = 1 − σ(x) is not computed as a difference, which would cancel to
    0 for large x: with e = exp(−|x|), the larger one is 1/(1 + e) and the
    smaller e/(1 + e).
    """
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        big, small = 1 / (1 + e), e / (1 + e)
    positive = x >= 0
    return np.where(positive, big, small), np.where(positive, small, big)


def _sech2(x):
    """sech²(x) = 1 − tanh²(x) = 4e/(1 + e)² with e = exp(−2|x|): accurate in
    the tails, where 1 − tanh² is 0.

    |x| is capped at 400 before doubling (the result underflows to 0 long
    before), so even 3e38 in float32 cannot overflow.
    """
    with np.errstate(under="ignore"):
        e = np.exp(-2 * np.minimum(np.abs(x), 400))
        return 4 * e / ((1 + e) * (1 + e))


# ------------------------------------------------ hidden-layer activations
def tanh(z):
    """Hyperbolic tangent.

        tanh(z) = (1 − exp(−2z)) / (1 + exp(−2z)),    tanh'(z) = 1 − tanh²(z)

    The derivative is evaluated as 4e/(1 + e)² with e = exp(−2|z|) (the same
    number), which stays accurate for large |z|, where 1 − tanh²(z) rounds
    to 0. Shape: any → same.
    """
    return np.tanh(as_float_array(z, "z"))


def relu(z):
    """Rectified linear unit, ReLU(z) = max(z, 0).

    Derivative convention: ReLU'(0) = 0, as in PyTorch. The lectures write 1
    for z ≥ 0; the derivative is undefined at 0 and the choice does not
    matter in practice (a float is almost never exactly 0).
    Shape: any → same.
    """
    return np.maximum(as_float_array(z, "z"), 0)


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU, max(αz, z) for 0 ≤ α ≤ 1.

        f(z) = z if z > 0, else αz

    Derivative: 1 for z > 0, α for z ≤ 0 (PyTorch's convention at 0).
    Shape: any → same.
    """
    z = as_float_array(z, "z")
    alpha = _alpha(alpha)
    with np.errstate(over="ignore"):     # alpha z beyond the float range is -inf
        return np.where(z > 0, z, alpha * z)


def elu(z, alpha=1.0):
    """Exponential linear unit.

        ELU(z) = z if z > 0, else α·(exp(z) − 1)

    expm1 keeps exp(z) − 1 accurate for small |z|. Derivative: 1 for z > 0,
    α·exp(z) for z ≤ 0. Shape: any → same.
    """
    z = as_float_array(z, "z")
    alpha = _alpha(alpha)
    with np.errstate(under="ignore", over="ignore"):   # a huge alpha gives -inf, no warning
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def selu(z):
    """Scaled ELU, self-normalising with LeCun initialization.

        SELU(z) = λ·z if z > 0, else λ·α·(exp(z) − 1)

    with α ≈ 1.6733 and λ ≈ 1.0507 (SELU_ALPHA, SELU_SCALE).
    Shape: any → same.
    """
    return SELU_SCALE * elu(z, alpha=SELU_ALPHA)


def _normal_cdf(x):
    """Standard normal CDF Φ(x) = ½·erfc(−x/√2), in float64.

    NumPy has no erf; this one is accurate to about 1e-15 (relative) in
    float64. For |t| < 2 (with t = x/√2) it sums the all-positive series

        erf(t) = 2t/√π · exp(−t²) · Σ_{n≥0} (2t²)ⁿ / (1·3·…·(2n+1)),

    and for |t| ≥ 2 it evaluates the continued fraction

        erfc(t) = exp(−t²)/√π · 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + …)))),

    so the tiny tail probabilities of very negative x keep their relative
    accuracy. x is capped at ±40, where Φ is already 0 or 1 in float64, so
    that t² cannot overflow.
    """
    x = np.clip(np.asarray(x, dtype=np.float64), -40.0, 40.0)
    t = x / math.sqrt(2.0)
    a = np.abs(t)
    small = a < 2
    phi = np.empty_like(x)
    with np.errstate(under="ignore"):
        ts = t[small]                      # series: 30 terms reach machine precision
        term = np.ones_like(ts)
        total = np.ones_like(ts)
        for n in range(1, 30):
            term = term * (2 * ts * ts) / (2 * n + 1)
            total = total + term
        erf_small = 2 / math.sqrt(math.pi) * ts * np.exp(-ts * ts) * total
        phi[small] = 0.5 * (1 + erf_small)

        tl = a[~small]                     # continued fraction, evaluated from the tail
        frac = tl.copy()
        for k in range(50, 0, -1):
            frac = tl + (k / 2) / frac
        erfc_large = np.exp(-tl * tl) / math.sqrt(math.pi) / frac
        phi[~small] = np.where(t[~small] < 0, 0.5 * erfc_large, 1 - 0.5 * erfc_large)
    return phi


def _normal_pdf(x):
    """φ(x) = exp(−x²/2)/√(2π) in float64 (x capped at ±40, where it is 0)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -40.0, 40.0)
    with np.errstate(under="ignore"):
        return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


# Beyond |z| = 50 the tanh form's sigma(2u) is exactly 0 or 1 in float32 and
# float64 alike (2u < -9000), so capping z there changes nothing and keeps z**3 finite.
_GELU_CAP = 50.0


def _gelu_tanh_parts(z):
    """(σ(2u), σ(−2u), u') with u = √(2/π)·(z + 0.044715·z³)."""
    zc = np.clip(z, -_GELU_CAP, _GELU_CAP)
    u = _GELU_C * (zc + _GELU_A * zc**3)
    s, s_minus = _sigmoid_pair(2 * u)
    return s, s_minus, _GELU_C * (1 + 3 * _GELU_A * zc * zc)


def _check_approximate(approximate):
    if not isinstance(approximate, str) or approximate not in ("tanh", "none"):
        raise ValueError(f'approximate must be "tanh" or "none"; got {approximate!r}')


def gelu(z, approximate="tanh"):
    """Gaussian error linear unit.

        GELU(z) = z·Φ(z) ≈ ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))

    approximate="tanh" (the default here, as in the lectures) uses the tanh
    formula; approximate="none" is the exact z·Φ(z), with Φ the standard
    normal CDF (PyTorch's default). Shape: any → same.

    The tanh form is evaluated as z·σ(2u) with u = √(2/π)·(z + 0.044715·z³),
    the same number since ½·(1 + tanh u) = σ(2u): for negative z, 1 + tanh u
    cancels (30% off at z = −5 in float32, 0 instead of −1.2e-37 at z = −10
    in float64), the sigmoid does not.
    """
    z = as_float_array(z, "z")
    _check_approximate(approximate)
    wide = z.astype(np.promote_types(z.dtype, np.float64), copy=False)
    with np.errstate(under="ignore"):
        if approximate == "tanh":
            out = wide * _gelu_tanh_parts(wide)[0]
        else:
            out = wide * _normal_cdf(wide)
        return out.astype(z.dtype, copy=False)   # tiny float64 values may underflow in float32


def softplus(z):
    """Softplus, a smooth ReLU, computed stably.

        softplus(z) = log(1 + exp(z)) = max(z, 0) + log(1 + exp(−|z|))

    Derivative: σ(z). Shape: any → same.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def mish(z):
    """Mish, mish(z) = z·tanh(softplus(z)).

    Derivative: tanh(s) + z·σ(z)·(1 − tanh²(s)) with s = softplus(z)
    (1 − tanh² evaluated without cancellation, as for tanh).
    Shape: any → same.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        return z * np.tanh(softplus(z))


# ------------------------------------------------------------ the softmax
def softmax(z, axis=-1):
    """Softmax over axis, made stable by subtracting the row maximum.

        softmax(z)_k = exp(z_k) / Σ_j exp(z_j)
                     = exp(z_k − max_j z_j) / Σ_j exp(z_j − max_j z_j)

    Shape: z of shape (m, K) → (m, K); each row sums to 1.
    """
    z = as_float_array(z, "z")
    axis = _check_axis(axis, z)
    with np.errstate(under="ignore", over="ignore"):        # a gap beyond the float range is -inf
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))  # every exponent <= 0
        return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """Logarithm of the softmax, via log-sum-exp.

        log softmax(z)_k = z_k − max_j z_j − log Σ_j exp(z_j − max_j z_j)

    Never computes log 0. The sum is 1 + r, where r adds up the terms of all
    entries but one maximum, and its log is log1p(r): for a confident row
    (r = 1e-20, say) the largest entry is −1e-20, not the 0 that log(1 + r)
    would round to. An entry further below its row's maximum than the float
    range reaches ([3e38, −3e38] in float32) gets −inf, which is the rounded
    value, without an overflow warning. Shape: (m, K) → (m, K).
    """
    z = as_float_array(z, "z")
    axis = _check_axis(axis, z)
    with np.errstate(under="ignore", over="ignore"):        # a gap beyond the float range is -inf
        shifted = z - np.max(z, axis=axis, keepdims=True)
        e = np.exp(shifted)
        top = np.expand_dims(np.argmax(z, axis=axis), axis)
        np.put_along_axis(e, top, 0, axis=axis)          # leave out one maximum (its term is 1)
        return shifted - np.log1p(np.sum(e, axis=axis, keepdims=True))


def _check_axis(axis, z):
    """axis as an int that exists in z (which needs at least one dimension)."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; got {axis!r}")
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (the classes) for softmax; got a single number")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis {axis} does not exist for z of shape {z.shape}; expected an int "
                         f"in [{-z.ndim}, {z.ndim - 1}]")
    return int(axis)


def _alpha(alpha):
    if isinstance(alpha, (bool, np.bool_)):
        raise TypeError(f"alpha must be a number; got {alpha!r}")
    return check_positive(alpha, "alpha", allow_zero=True)


# ------------------------------------------------------- element-wise derivatives
def _d_step(z):
    return np.zeros_like(z)


def _d_linear(z):
    return np.ones_like(z)


def _d_sigmoid(z):
    s, s_minus = _sigmoid_pair(z)
    with np.errstate(under="ignore"):
        return s * s_minus                 # sigma(z) sigma(-z), not sigma (1 - sigma)


def _d_tanh(z):
    return _sech2(z)                       # 1 - tanh^2 without the cancellation


def _d_relu(z):
    return (z > 0).astype(z.dtype)


def _d_leaky_relu(z, alpha=0.01):
    alpha = _alpha(alpha)
    with np.errstate(over="ignore"):
        return np.where(z > 0, 1, alpha).astype(z.dtype)


def _d_elu(z, alpha=1.0):
    alpha = _alpha(alpha)
    with np.errstate(under="ignore", over="ignore"):
        return np.where(z > 0, 1, alpha * np.exp(np.minimum(z, 0))).astype(z.dtype)


def _d_selu(z):
    return SELU_SCALE * _d_elu(z, alpha=SELU_ALPHA)


def _d_gelu(z, approximate="tanh"):
    _check_approximate(approximate)
    wide = z.astype(np.promote_types(z.dtype, np.float64), copy=False)   # as in gelu()
    with np.errstate(under="ignore"):
        if approximate == "tanh":
            # d/dz [z sigma(2u)] = sigma(2u) + 2 z sigma(2u) sigma(-2u) u'
            s, s_minus, du = _gelu_tanh_parts(wide)
            out = s + 2 * wide * (s * s_minus) * du
        else:
            out = _normal_cdf(wide) + wide * _normal_pdf(wide)
        return out.astype(z.dtype, copy=False)


def _d_softplus(z):
    return sigmoid(z)


def _d_mish(z):
    sp = softplus(z)
    with np.errstate(under="ignore"):
        return np.tanh(sp) + z * sigmoid(z) * _sech2(sp)


# ------------------------------------------------------------------ registry
class ActivationFunction:
    """An activation function by name: forward(z), derivative(z), vjp(z, g).

    Build one with get(name, **params). params (e.g. alpha of leaky ReLU)
    are fixed at construction. (nnlab.layers.Activation is the layer that
    wraps one of these in a network.)
    """

    elementwise = True

    def __init__(self, name, fn, dfn, **params):
        self.name = name
        self.params = params
        self._fn = fn
        self._dfn = dfn

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"get({self.name!r}{args})"

    def forward(self, z):
        """a = f(z), same shape and dtype as z."""
        return self._fn(z, **self.params)

    __call__ = forward

    def derivative(self, z):
        """The element-wise f'(z), same shape and dtype as z."""
        return self._dfn(as_float_array(z, "z"), **self.params)

    def vjp(self, z, grad_out):
        """Backpropagate through the activation: dL/dz = dL/da ⊙ f'(z)."""
        z = as_float_array(z, "z")
        grad_out = _as_grad(grad_out, z)
        with np.errstate(under="ignore"):
            return grad_out * self.derivative(z)


class _Softmax(ActivationFunction):
    """Softmax / log-softmax: the Jacobian of a row is a full matrix, so only
    vjp exists.
    """

    elementwise = False

    def __init__(self, name, axis=-1):
        fn = softmax if name == "softmax" else log_softmax
        super().__init__(name, fn, None, axis=axis)

    def derivative(self, z):
        raise NotSupported(
            f"{self.name} is not element-wise: each output depends on the whole row, so there is "
            f"no element-wise derivative; use .vjp(z, grad_out) to backpropagate through it"
        )

    def vjp(self, z, grad_out):
        """Vector-Jacobian product along axis.

        softmax: s ⊙ (g − Σ_k g_k·s_k); log-softmax: g − s·Σ_k g_k, with
        s = softmax(z).

        Both are evaluated without the cancellation of 1 − s_t at the largest
        entry t (the same numbers): softmax as
        s_i·((g_i − g_t) + Σ_{j≠t} (g_t − g_j)·s_j), and log-softmax at t as
        g_t·(1 − s_t) − s_t·Σ_{k≠t} g_k, with 1 − s_t summed from the other
        entries. So a confident row (s_t = 1 − 1e-20) keeps its tiny gradient
        instead of a 0.
        """
        z = as_float_array(z, "z")
        g = _as_grad(grad_out, z)
        axis = _check_axis(self.params["axis"], z)
        s, rest_share, top = _softmax_parts(z, axis)
        g_top = np.take_along_axis(g, top, axis=axis)
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            if self.name == "softmax":
                c = np.sum((g_top - g) * s, axis=axis, keepdims=True)    # the j = t term is 0
                return s * ((g - g_top) + c)
            out = g - s * np.sum(g, axis=axis, keepdims=True)
            g_others = np.sum(g, axis=axis, keepdims=True, where=~_is_top(z, top, axis))
            s_top = np.take_along_axis(s, top, axis=axis)
            np.put_along_axis(out, top, g_top * rest_share - s_top * g_others, axis=axis)
            return out


def _is_top(z, top, axis):
    """Boolean mask of the one maximum per slice that top (from argmax) points
    at.
    """
    mask = np.zeros(z.shape, dtype=bool)
    np.put_along_axis(mask, top, True, axis=axis)
    return mask


def _softmax_parts(z, axis):
    """(s, 1 − s_t, t): the softmax; 1 − s_t at the maximum t of each slice,
    computed as (sum of the other terms) / (sum of all); and the index t (as
    from argmax with keepdims).
    """
    with np.errstate(under="ignore", over="ignore"):
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))    # e_t = 1
        top = np.expand_dims(np.argmax(z, axis=axis), axis)
        rest = np.sum(e, axis=axis, keepdims=True, where=~_is_top(z, top, axis))
        total = 1 + rest
        return e / total, rest / total, top


def _as_grad(grad_out, z):
    g = as_float_array(grad_out, "grad_out")
    if g.shape != z.shape:
        raise ValueError(f"grad_out has shape {g.shape} but z has shape {z.shape}; they must match")
    return g.astype(z.dtype, copy=False)


_ELEMENTWISE = {
    "step": (step, _d_step),
    "linear": (linear, _d_linear),
    "sigmoid": (sigmoid, _d_sigmoid),
    "tanh": (tanh, _d_tanh),
    "relu": (relu, _d_relu),
    "leaky_relu": (leaky_relu, _d_leaky_relu),
    "elu": (elu, _d_elu),
    "selu": (selu, _d_selu),
    "gelu": (gelu, _d_gelu),
    "softplus": (softplus, _d_softplus),
    "mish": (mish, _d_mish),
}
NAMES = (*_ELEMENTWISE, "softmax", "log_softmax")


def get(name, **params):
    """The ActivationFunction called name, with its parameters.

    For example get("leaky_relu", alpha=0.1), get("gelu",
    approximate="none"), get("softmax"). An unknown name is a ValueError
    listing NAMES; a parameter the activation does not have is a TypeError.
    """
    if isinstance(name, ActivationFunction):
        if not params:
            return name
        # new parameters for an existing activation: rebuild it (never ignore them)
        return get(name.name, **{**name.params, **params})
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name such as 'relu' (one of {', '.join(NAMES)}); "
                        f"got {name!r}")
    if name not in NAMES:
        raise ValueError(f"unknown activation {name!r}; name must be one of: {', '.join(NAMES)}")
    fn = softmax if name == "softmax" else log_softmax if name == "log_softmax" else _ELEMENTWISE[name][0]
    allowed = [p for p in inspect.signature(fn).parameters if p != "z"]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise TypeError(
            f"activation {name!r} has no parameter {', '.join(unknown)}; "
            f"its parameters are: {', '.join(allowed) or 'none'}"
        )
    if name in ("softmax", "log_softmax"):
        return _Softmax(name, **params)
    if name == "gelu":
        _check_approximate(params.get("approximate", "tanh"))
    if "alpha" in params:
        _alpha(params["alpha"])
    return ActivationFunction(name, *_ELEMENTWISE[name], **params)
