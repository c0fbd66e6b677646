"""Weight initializers.

Every initializer is called as f(shape, rng=None, dtype=np.float64) and
returns an array of that shape:

* shape = (fan_in, fan_out) for a weight matrix W (rows are samples, so
  Z = X @ W + b and W has one row per input);
* a 1-D shape = (n,) (e.g. a bias) is treated as fan_in = fan_out = n;
* rng is a numpy.random.Generator, an int seed (the same numbers at every
  call) or None: nnlab's package generator, which advances at every call
  (two default layers get different weights) and is reset by nnlab.seed,
  so a whole run stays reproducible.

Variances from the lectures, with fan_avg = (fan_in + fan_out) / 2:

    name     use with                          σ²
    Glorot   none, tanh, logistic, softmax     1 / fan_avg
    He       ReLU and variants                 2 / fan_in
    LeCun    SELU                              1 / fan_in

*_normal draws from N(0, σ²) (not truncated, as in PyTorch); *_uniform
draws from U(−r, r) with r = √(3σ²), which has the same variance.
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import as_rng, check_real

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
    """A finite number, > 0 when positive."""
    if positive:
        return check_real(value, name, low=0.0, low_open=True)
    return check_real(value, name)


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape: (n_in, n_out) → itself,
    (n,) → (n, n)."""
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
    """All zeros, W = 0 (for biases).

    For weights it fails to break symmetry: every neuron computes the same
    output and gets the same update.
    """
    as_rng(rng)   # unused, but checked like everywhere else
    return np.zeros(_shape(shape), dtype=_dtype(dtype))


def constant(value):
    """An initializer filling with value, W_ij = c.

    Same symmetry problem as zeros for weights. value must be a finite
    number: NaN or infinity is refused.
    """
    value = _parameter(value, "value", positive=False)

    def init(shape, rng=None, dtype=np.float64):
        as_rng(rng)   # unused, but checked like everywhere else
        return np.full(_shape(shape), value, dtype=_dtype(dtype))

    init.__name__ = f"constant({value!r})"
    return init


def normal(std):
    """An initializer drawing W_ij ~ N(0, std²).

    The lectures' "small random numbers", e.g. normal(0.01): it breaks
    symmetry, but the variance of z grows with the number of inputs.
    """
    std = _parameter(std, "std")

    def init(shape, rng=None, dtype=np.float64):
        return _normal(std, shape, rng, dtype)

    init.__name__ = f"normal({std!r})"
    return init


def uniform(limit):
    """An initializer drawing W_ij ~ U(−limit, limit) (variance limit²/3)."""
    limit = _parameter(limit, "limit")

    def init(shape, rng=None, dtype=np.float64):
        return _uniform(limit, shape, rng, dtype)

    init.__name__ = f"uniform({limit!r})"
    return init


# ------------------------------------------------------------ variance-scaling
def glorot_normal(shape, rng=None, dtype=np.float64):
    """Glorot/Xavier normal: W_ij ~ N(0, 1/fan_avg), fan_avg = (fan_in +
    fan_out)/2 (for tanh, logistic, softmax). W of shape (fan_in, fan_out).
    """
    fan_in, fan_out = fans(shape)
    return _normal(math.sqrt(2.0 / (fan_in + fan_out)), shape, rng, dtype)


def glorot_uniform(shape, rng=None, dtype=np.float64):
    """Glorot/Xavier uniform: W_ij ~ U(−r, r),
    r = √(3/fan_avg) = √(6/(fan_in + fan_out)).
    """
    fan_in, fan_out = fans(shape)
    return _uniform(math.sqrt(6.0 / (fan_in + fan_out)), shape, rng, dtype)


def he_normal(shape, rng=None, dtype=np.float64):
    """He/Kaiming normal: W_ij ~ N(0, 2/fan_in) (for ReLU)."""
    fan_in, _ = fans(shape)
    return _normal(math.sqrt(2.0 / fan_in), shape, rng, dtype)


def he_uniform(shape, rng=None, dtype=np.float64):
    """He/Kaiming uniform: W_ij ~ U(−r, r), r = √(6/fan_in)."""
    fan_in, _ = fans(shape)
    return _uniform(math.sqrt(6.0 / fan_in), shape, rng, dtype)


def lecun_normal(shape, rng=None, dtype=np.float64):
    """LeCun normal: W_ij ~ N(0, 1/fan_in) (for SELU)."""
    fan_in, _ = fans(shape)
    return _normal(math.sqrt(1.0 / fan_in), shape, rng, dtype)


def lecun_uniform(shape, rng=None, dtype=np.float64):
    """LeCun uniform: W_ij ~ U(−r, r), r = √(3/fan_in)."""
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
    """The initializer f(shape, rng=None, dtype=np.float64) called name.

    constant, normal and uniform take their parameter here:
    get("normal", std=0.01), get("uniform", limit=0.1),
    get("constant", value=0.0). A callable is returned unchanged. An unknown
    name is a ValueError listing NAMES.
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
