r"""Weight initializers (Chapter 7, numerical stability; used by the layers of Chapter 6).

Every initializer is called as ``f(shape, rng=None, dtype=np.float64)`` and
returns an array of that shape:

* ``shape = (fan_in, fan_out)`` for a weight matrix ``W`` (rows are samples, so
  ``Z = X @ W + b`` and ``W`` has one row per input);
* a 1-D ``shape = (n,)`` (e.g. a bias) is treated as ``fan_in = fan_out = n``;
* ``rng`` is a ``numpy.random.Generator``, an int seed (the same numbers at
  every call) or ``None``: nnlab's package generator, which advances at every
  call (two default layers get different weights) and is reset by
  :func:`nnlab.seed`, so a whole run stays reproducible.

Variances from the lectures, with :math:`\text{fan}_\text{avg} = (\text{fan}_\text{in} + \text{fan}_\text{out})/2`:

=========  ==============================  =========================================
name       use with                        :math:`\sigma^2`
=========  ==============================  =========================================
Glorot     none, tanh, logistic, softmax   :math:`1/\text{fan}_\text{avg}`
He         ReLU and variants               :math:`2/\text{fan}_\text{in}`
LeCun      SELU                            :math:`1/\text{fan}_\text{in}`
=========  ==============================  =========================================

``*_normal`` draws from :math:`\mathcal N(0, \sigma^2)` (not truncated, as in
PyTorch); ``*_uniform`` draws from :math:`U(-r, r)` with :math:`r = \sqrt{3\sigma^2}`,
which has the same variance.
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import as_rng, check_positive

__all__ = [
    "zeros", "constant", "normal", "uniform", "glorot_normal", "glorot_uniform",
    "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "fans", "get", "NAMES",
]


def _shape(shape) -> tuple[int, ...]:
    expected = "a tuple (fan_in, fan_out) or (n,) of positive ints, or an int n"
    if isinstance(shape, np.ndarray) and shape.ndim == 0:
        shape = shape.item()                      # a 0-d array: its one value
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list, np.ndarray)) or (isinstance(shape, np.ndarray) and shape.ndim != 1):
        raise TypeError(f"shape must be {expected}; got {shape!r}")
    shape = tuple(shape.tolist() if isinstance(shape, np.ndarray) else shape)
    if len(shape) not in (1, 2):
        raise ValueError(f"shape must be {expected}; got {len(shape)} dimensions {shape!r}")
    for n in shape:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"shape must be {expected}; got the entry {n!r} in {shape!r}")
        if n <= 0:
            raise ValueError(f"shape must be {expected}; got {shape!r}")
    return tuple(int(n) for n in shape)


def _dtype(dtype) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating-point type such as np.float64; got {dtype!r}") from None
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating-point type such as np.float64; got {dtype}")
    return dtype


def _parameter(value, name, *, positive=True) -> float:
    """A finite real number (not a bool); > 0 when ``positive``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {value!r}")
    if positive:
        return check_positive(value, name)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return value


def fans(shape) -> tuple[int, int]:
    r"""``(fan_in, fan_out)`` of a weight shape: ``(n_in, n_out)`` → itself, ``(n,)`` → ``(n, n)``."""
    shape = _shape(shape)
    return (shape[0], shape[-1])


def _normal(std, shape, rng, dtype):
    shape, dtype = _shape(shape), _dtype(dtype)
    return as_rng(rng).normal(0.0, std, size=shape).astype(dtype, copy=False)


def _uniform(limit, shape, rng, dtype):
    shape, dtype = _shape(shape), _dtype(dtype)
    return as_rng(rng).uniform(-limit, limit, size=shape).astype(dtype, copy=False)


# ------------------------------------------------------------ simple initializers
def zeros(shape, rng=None, dtype=np.float64):
    r"""All zeros, :math:`W = 0` (biases). For weights it fails to break symmetry:
    every neuron computes the same output and gets the same update (Chapter 7)."""
    as_rng(rng)   # unused, but checked like everywhere else
    return np.zeros(_shape(shape), dtype=_dtype(dtype))


def constant(value):
    r"""Return an initializer filling with ``value``, :math:`W_{ij} = c`
    (same symmetry problem as :func:`zeros` for weights). ``value`` must be a
    finite number: NaN or infinity is refused."""
    value = _parameter(value, "value", positive=False)

    def init(shape, rng=None, dtype=np.float64):
        as_rng(rng)   # unused, but checked like everywhere else
        return np.full(_shape(shape), value, dtype=_dtype(dtype))

    init.__name__ = f"constant({value!r})"
    return init


def normal(std):
    r"""Return an initializer drawing :math:`W_{ij} \sim \mathcal N(0, \text{std}^2)`.

    The lectures' "small random numbers", e.g. ``normal(0.01)``: breaks symmetry,
    but the variance of :math:`z` grows with the number of inputs.
    """
    std = _parameter(std, "std")

    def init(shape, rng=None, dtype=np.float64):
        return _normal(std, shape, rng, dtype)

    init.__name__ = f"normal({std!r})"
    return init


def uniform(limit):
    r"""Return an initializer drawing :math:`W_{ij} \sim U(-\text{limit}, \text{limit})`
    (variance :math:`\text{limit}^2/3`)."""
    limit = _parameter(limit, "limit")

    def init(shape, rng=None, dtype=np.float64):
        return _uniform(limit, shape, rng, dtype)

    init.__name__ = f"uniform({limit!r})"
    return init


# ------------------------------------------------------------ variance-scaling
def glorot_normal(shape, rng=None, dtype=np.float64):
    r"""Glorot/Xavier normal: :math:`W_{ij} \sim \mathcal N\!\left(0, \tfrac{1}{\text{fan}_\text{avg}}\right)`,
    :math:`\text{fan}_\text{avg} = \tfrac{\text{fan}_\text{in} + \text{fan}_\text{out}}{2}`
    (for tanh, logistic, softmax). Shape ``(fan_in, fan_out)``."""
    fan_in, fan_out = fans(shape)
    return _normal(math.sqrt(2.0 / (fan_in + fan_out)), shape, rng, dtype)


def glorot_uniform(shape, rng=None, dtype=np.float64):
    r"""Glorot/Xavier uniform: :math:`W_{ij} \sim U(-r, r)`,
    :math:`r = \sqrt{3/\text{fan}_\text{avg}} = \sqrt{6/(\text{fan}_\text{in} + \text{fan}_\text{out})}`."""
    fan_in, fan_out = fans(shape)
    return _uniform(math.sqrt(6.0 / (fan_in + fan_out)), shape, rng, dtype)


def he_normal(shape, rng=None, dtype=np.float64):
    r"""He/Kaiming normal: :math:`W_{ij} \sim \mathcal N\!\left(0, \tfrac{2}{\text{fan}_\text{in}}\right)` (for ReLU)."""
    fan_in, _ = fans(shape)
    return _normal(math.sqrt(2.0 / fan_in), shape, rng, dtype)


def he_uniform(shape, rng=None, dtype=np.float64):
    r"""He/Kaiming uniform: :math:`W_{ij} \sim U(-r, r)`, :math:`r = \sqrt{6/\text{fan}_\text{in}}`."""
    fan_in, _ = fans(shape)
    return _uniform(math.sqrt(6.0 / fan_in), shape, rng, dtype)


def lecun_normal(shape, rng=None, dtype=np.float64):
    r"""LeCun normal: :math:`W_{ij} \sim \mathcal N\!\left(0, \tfrac{1}{\text{fan}_\text{in}}\right)` (for SELU)."""
    fan_in, _ = fans(shape)
    return _normal(math.sqrt(1.0 / fan_in), shape, rng, dtype)


def lecun_uniform(shape, rng=None, dtype=np.float64):
    r"""LeCun uniform: :math:`W_{ij} \sim U(-r, r)`, :math:`r = \sqrt{3/\text{fan}_\text{in}}`."""
    fan_in, _ = fans(shape)
    return _uniform(math.sqrt(3.0 / fan_in), shape, rng, dtype)


_FACTORIES = {"constant": constant, "normal": normal, "uniform": uniform}
_INITIALIZERS = {
    "zeros": zeros,
    "glorot_normal": glorot_normal, "glorot_uniform": glorot_uniform,
    "he_normal": he_normal, "he_uniform": he_uniform,
    "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
}
NAMES = (*_INITIALIZERS, *_FACTORIES)


def get(name, **params):
    """Return the initializer ``f(shape, rng=None, dtype=np.float64)`` called ``name``.

    ``constant``, ``normal`` and ``uniform`` take their parameter here:
    ``get("normal", std=0.01)``, ``get("uniform", limit=0.1)``, ``get("constant", value=0.0)``.
    A callable is returned unchanged. Unknown names raise ``ValueError`` listing :data:`NAMES`.
    """
    if callable(name):
        return name
    if not isinstance(name, str):
        raise TypeError(f"initializer must be a name such as 'he_normal' or a function "
                        f"f(shape, rng=None, dtype=np.float64); got {name!r}")
    if name in _FACTORIES:
        try:
            return _FACTORIES[name](**params)
        except TypeError as err:
            raise TypeError(f"initializer {name!r}: {err}") from None
    if name not in _INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}; name must be one of: {', '.join(NAMES)}")
    if params:
        raise TypeError(f"initializer {name!r} takes no parameters; got {', '.join(params)}")
    return _INITIALIZERS[name]
