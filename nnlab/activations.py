r"""Activation functions and their derivatives (Chapters 1, 2, 3, 5 and 7).

Every function takes an array ``z`` of pre-activations of any shape (rows are
samples) and returns an array of the same shape and float dtype: float32 in,
float32 out.

Numerical stability (Chapter 7): nothing here overflows, even for
``z = ±1e4`` in float64 or ``±80`` in float32. Results that are too small to
represent (for example :math:`e^{-10^4}`) *underflow* to 0, which is harmless and
expected, so each function ignores the underflow flag locally; overflow and
invalid operations are never silenced.

``get(name, **params)`` returns an :class:`Activation` object with
``forward(z)``, ``derivative(z)`` (element-wise :math:`f'(z)`) and
``vjp(z, grad_out)`` (the vector-Jacobian product used by backpropagation,
Chapter 6). Softmax and log-softmax mix the entries of a row, so they have no
element-wise derivative, only a ``vjp``.
"""
from __future__ import annotations

import inspect
import math

import numpy as np

from ._validate import as_float_array, check_positive

__all__ = [
    "step", "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu",
    "softplus", "mish", "softmax", "log_softmax", "get", "Activation", "NAMES",
]

# SELU constants (Klambauer et al., 2017), the values PyTorch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# GELU's tanh approximation (Hendrycks & Gimpel, 2016), as in the lectures.
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715


# ---------------------------------------------------------------- Chapter 1
def step(z):
    r"""Heaviside step of the perceptron (Chapter 1).

    .. math:: \operatorname{step}(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}

    ``step(0) = 0``, consistent with the perceptron :math:`f(x) = 1` if
    :math:`wx + b > 0`. Its derivative is 0 everywhere (undefined at 0), so
    gradient descent gets no signal through it: that is why neural networks
    replaced it with smooth activations. Shape: any → same.
    """
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def linear(z):
    r"""Identity activation, :math:`f(z) = z` (Chapter 1; linear regression's output).

    Returns a copy. Shape: any → same.
    """
    return as_float_array(z, "z").copy()


# ---------------------------------------------------------------- Chapter 2
def sigmoid(z):
    r"""Logistic sigmoid (Chapter 2), computed without overflow (numerical stability: a later chapter).

    .. math:: \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}

    The first form is used for :math:`z \ge 0` and the second for :math:`z < 0`, so
    :math:`e^{-|z|} \le 1` is the only exponential ever computed.
    Derivative: :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`. Shape: any → same.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))  # in (0, 1]: cannot overflow
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# ---------------------------------------------------------------- Chapter 5
def tanh(z):
    r"""Hyperbolic tangent (Chapter 5).

    .. math:: \tanh(z) = \frac{1 - e^{-2z}}{1 + e^{-2z}}, \qquad \tanh'(z) = 1 - \tanh^2(z)

    Shape: any → same.
    """
    return np.tanh(as_float_array(z, "z"))


def relu(z):
    r"""Rectified linear unit (Chapter 5), :math:`\operatorname{ReLU}(z) = \max(z, 0)`.

    Derivative convention: :math:`\operatorname{ReLU}'(0) = 0`, as in PyTorch. The
    lectures write 1 for :math:`z \ge 0`; the derivative is undefined at 0 and the
    choice does not matter in practice (a float is almost never exactly 0).
    Shape: any → same.
    """
    return np.maximum(as_float_array(z, "z"), 0)


def leaky_relu(z, alpha=0.01):
    r"""Leaky ReLU (Chapter 5), :math:`\max(\alpha z, z)` for :math:`0 \le \alpha \le 1`.

    .. math:: f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}

    Derivative: 1 for :math:`z > 0`, :math:`\alpha` for :math:`z \le 0` (PyTorch's
    convention at 0). Shape: any → same.
    """
    z = as_float_array(z, "z")
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    return np.where(z > 0, z, alpha * z)


def elu(z, alpha=1.0):
    r"""Exponential linear unit (Chapter 5).

    .. math:: \operatorname{ELU}(z) = \begin{cases} z & z > 0 \\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases}

    ``expm1`` keeps :math:`e^z - 1` accurate for small :math:`|z|`. Derivative:
    1 for :math:`z > 0`, :math:`\alpha e^{z}` for :math:`z \le 0`. Shape: any → same.
    """
    z = as_float_array(z, "z")
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    with np.errstate(under="ignore"):
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def selu(z):
    r"""Scaled ELU (Chapter 5), self-normalising with LeCun initialization.

    .. math:: \operatorname{SELU}(z) = \lambda \begin{cases} z & z > 0 \\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases}

    with :math:`\alpha \approx 1.6733` and :math:`\lambda \approx 1.0507`
    (``SELU_ALPHA``, ``SELU_SCALE``). Shape: any → same.
    """
    return SELU_SCALE * elu(z, alpha=SELU_ALPHA)


def _normal_cdf(x):
    r"""Standard normal CDF :math:`\Phi(x) = \tfrac12\operatorname{erfc}(-x/\sqrt2)`.

    NumPy has no ``erf``; this one is accurate to about 1e-15 (relative) in
    float64. For :math:`|t| < 2` (with :math:`t = x/\sqrt2`) it sums the
    all-positive series

    .. math:: \operatorname{erf}(t) = \frac{2t}{\sqrt\pi} e^{-t^2}
              \sum_{n\ge0} \frac{(2t^2)^n}{1\cdot3\cdots(2n+1)},

    and for :math:`|t| \ge 2` it evaluates the continued fraction

    .. math:: \operatorname{erfc}(t) = \frac{e^{-t^2}}{\sqrt\pi}\;
              \cfrac{1}{t + \cfrac{1/2}{t + \cfrac{1}{t + \cfrac{3/2}{t + \cdots}}}},

    so the tiny tail probabilities of very negative ``x`` keep their relative accuracy.
    """
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


def gelu(z, approximate="tanh"):
    r"""Gaussian error linear unit (Chapter 5).

    .. math:: \operatorname{GELU}(z) = z\,\Phi(z) \approx
              \tfrac12 z \left(1 + \tanh\!\left(\sqrt{2/\pi}\,(z + 0.044715\,z^3)\right)\right)

    ``approximate="tanh"`` (the default here, as in the lectures) uses the tanh
    formula; ``approximate="none"`` is the exact :math:`z\,\Phi(z)`, with
    :math:`\Phi` the standard normal CDF (PyTorch's default). Shape: any → same.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        if approximate == "tanh":
            return 0.5 * z * (1 + np.tanh(_GELU_C * (z + _GELU_A * z**3)))
        if approximate == "none":
            return z * _normal_cdf(z)
    raise ValueError(f'approximate must be "tanh" or "none"; got {approximate!r}')


def softplus(z):
    r"""Softplus (Chapter 5), a smooth ReLU, computed stably (numerical stability: a later chapter).

    .. math:: \operatorname{softplus}(z) = \log(1 + e^{z}) = \max(z, 0) + \log(1 + e^{-|z|})

    Derivative: :math:`\sigma(z)`. Shape: any → same.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def mish(z):
    r"""Mish (Chapter 5), :math:`\operatorname{mish}(z) = z \tanh(\operatorname{softplus}(z))`.

    Derivative: :math:`\tanh(s) + z\,\sigma(z)\,(1 - \tanh^2(s))` with
    :math:`s = \operatorname{softplus}(z)`. Shape: any → same.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        return z * np.tanh(softplus(z))


# ---------------------------------------------------------------- Chapter 3
def softmax(z, axis=-1):
    r"""Softmax over ``axis`` (Chapter 3), made stable by subtracting the row maximum.

    .. math:: \operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}
              = \frac{e^{z_k - \max_j z_j}}{\sum_j e^{z_j - \max_j z_j}}

    Shape: ``(m, K)`` → ``(m, K)``; each row sums to 1.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))  # every exponent <= 0
        return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    r"""Logarithm of the softmax (Chapters 3 and 7), via log-sum-exp.

    .. math:: \log \operatorname{softmax}(z)_k = z_k - \max_j z_j
              - \log \sum_j e^{z_j - \max_j z_j}

    Never computes :math:`\log 0`. Shape: ``(m, K)`` → ``(m, K)``.
    """
    z = as_float_array(z, "z")
    with np.errstate(under="ignore"):
        shifted = z - np.max(z, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# ------------------------------------------------------- element-wise derivatives
def _d_step(z):
    return np.zeros_like(z)


def _d_linear(z):
    return np.ones_like(z)


def _d_sigmoid(z):
    s = sigmoid(z)
    with np.errstate(under="ignore"):
        return s * (1 - s)


def _d_tanh(z):
    with np.errstate(under="ignore"):
        return 1 - np.tanh(z) ** 2


def _d_relu(z):
    return (z > 0).astype(z.dtype)


def _d_leaky_relu(z, alpha=0.01):
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def _d_elu(z, alpha=1.0):
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    with np.errstate(under="ignore"):
        return np.where(z > 0, 1, alpha * np.exp(np.minimum(z, 0))).astype(z.dtype)


def _d_selu(z):
    return SELU_SCALE * _d_elu(z, alpha=SELU_ALPHA)


def _d_gelu(z, approximate="tanh"):
    with np.errstate(under="ignore"):
        if approximate == "tanh":
            t = np.tanh(_GELU_C * (z + _GELU_A * z**3))
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * _GELU_C * (1 + 3 * _GELU_A * z * z)
        if approximate == "none":
            pdf = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
            return _normal_cdf(z) + z * pdf
    raise ValueError(f'approximate must be "tanh" or "none"; got {approximate!r}')


def _d_softplus(z):
    return sigmoid(z)


def _d_mish(z):
    t = np.tanh(softplus(z))
    with np.errstate(under="ignore"):
        return t + z * sigmoid(z) * (1 - t * t)


# ------------------------------------------------------------------ registry
class Activation:
    """An activation by name: ``forward(z)``, ``derivative(z)`` and ``vjp(z, grad_out)``.

    Build one with :func:`get`. ``params`` (e.g. ``alpha`` of leaky ReLU) are
    fixed at construction.
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
        r""":math:`a = f(z)`, same shape and dtype as ``z``."""
        return self._fn(z, **self.params)

    __call__ = forward

    def derivative(self, z):
        r"""Element-wise :math:`f'(z)`, same shape and dtype as ``z``."""
        return self._dfn(as_float_array(z, "z"), **self.params)

    def vjp(self, z, grad_out):
        r"""Backpropagate through the activation (Chapter 6):
        :math:`\partial L/\partial z = \partial L/\partial a \odot f'(z)`."""
        z = as_float_array(z, "z")
        grad_out = _as_grad(grad_out, z)
        with np.errstate(under="ignore"):
            return grad_out * self.derivative(z)


class _Softmax(Activation):
    """Softmax / log-softmax: the Jacobian is a full matrix per row, so only ``vjp`` exists."""

    elementwise = False

    def __init__(self, name, axis=-1):
        fn = softmax if name == "softmax" else log_softmax
        super().__init__(name, fn, None, axis=axis)

    def derivative(self, z):
        raise NotImplementedError(
            f"{self.name} is not element-wise: each output depends on the whole row, so there is "
            f"no element-wise derivative; use .vjp(z, grad_out) to backpropagate through it"
        )

    def vjp(self, z, grad_out):
        r"""Vector-Jacobian product along ``axis`` (Chapters 3 and 6).

        softmax: :math:`s \odot (g - \sum_k g_k s_k)`;
        log-softmax: :math:`g - s \sum_k g_k`, with :math:`s = \operatorname{softmax}(z)`.
        """
        z = as_float_array(z, "z")
        g = _as_grad(grad_out, z)
        axis = self.params["axis"]
        s = softmax(z, axis=axis)
        with np.errstate(under="ignore"):
            if self.name == "softmax":
                return s * (g - np.sum(g * s, axis=axis, keepdims=True))
            return g - s * np.sum(g, axis=axis, keepdims=True)


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
    """Return the :class:`Activation` called ``name`` with its parameters, e.g.
    ``get("leaky_relu", alpha=0.1)``, ``get("gelu", approximate="none")``, ``get("softmax")``.

    Raises ``ValueError`` listing :data:`NAMES` for an unknown name and
    ``TypeError`` for a parameter the activation does not have.
    """
    if isinstance(name, Activation):
        return name
    if name not in NAMES:
        raise ValueError(f"unknown activation {name!r}; known activations: {', '.join(NAMES)}")
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
    if name == "gelu" and params.get("approximate", "tanh") not in ("tanh", "none"):
        raise ValueError(f'approximate must be "tanh" or "none"; got {params["approximate"]!r}')
    return Activation(name, *_ELEMENTWISE[name], **params)
