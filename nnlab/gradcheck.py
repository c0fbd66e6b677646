"""Gradient checking by central finite differences.

An analytic gradient (from calculus or backpropagation) is trusted only
after it agrees with a numerical one:

    ∂f/∂x_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / (2ε)

whose error is O(ε²) (plus rounding, O(1e-16/ε)), so ε = 1e-6 in float64
gives about 10 correct digits. Use float64: in float32 the perturbation
drowns in rounding error.

The relative error reported by check_gradient (one number for the whole
array), with a the analytic and n the numerical gradient:

    err = max_i |a_i − n_i| / max(1e-12, max_i |a_i| + max_i |n_i|)

Rules of thumb for smooth functions in float64: below 1e-7 the gradient
is right; above 1e-4 it has a bug. Kinks (ReLU at 0, MAE at 0) can
produce isolated large differences.
"""
from __future__ import annotations

import sys

import numpy as np

from ._validate import as_float_array, check_int, check_positive

__all__ = ["numerical_gradient", "check_gradient", "relative_error", "report"]

_FLOOR = 1e-12


def _as_x(x) -> np.ndarray:
    x = as_float_array(x, "x")
    if x.dtype != np.float64:
        raise TypeError(
            f"x must be float64 for gradient checking; got {x.dtype}. In float32 a step of "
            f"1e-6 is below the resolution of the numbers."
        )
    return x


def _check_f(f):
    if not callable(f):
        raise TypeError(f"f must be a function x -> loss (a number); got {type(f).__name__}")


def _value(f, x, where) -> float:
    with np.errstate(over="ignore", invalid="ignore"):   # a non-finite f is reported below
        out = f(x)
    try:
        arr = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.size != 1 or isinstance(out, (str, bytes)):
        raise TypeError(
            f"f must return a single number (a loss); it returned {type(out).__name__} "
            f"of shape {np.shape(out)}"
        )
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        raise ValueError(
            f"f returned {value} at x[{where}] ± eps: a finite-difference gradient needs "
            f"finite values of f near x"
        )
    return value


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function f at x.

        n_i = (f(x + ε·e_i) − f(x − ε·e_i)) / (2ε)

    x (float64, any shape) is perturbed in place, one entry at a time, and
    restored afterwards, so f may ignore its argument and read x through a
    closure (e.g. a layer's weights). Costs 2·x.size calls of f. f must
    return one finite number (a size-1 array is fine); NaN or infinity
    raises a ValueError naming the entry of x rather than giving a NaN
    gradient. Returns an array shaped like x.
    """
    _check_f(f)
    x = _as_x(x)
    eps = _eps(eps)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        where = ", ".join(map(str, i))
        with np.errstate(over="ignore"):
            step = (original + eps) - original
        if step == 0 or not np.isfinite(step):
            raise ValueError(
                f"eps={eps:g} does not change x[{where}] = {original:g} (x + eps == x in float64) "
                f"or overflows it: use an eps of about 1e-6 times the size of x"
            )
        try:
            x[i] = original + eps
            f_plus = _value(f, x, where)
            x[i] = original - eps
            f_minus = _value(f, x, where)
        finally:
            x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _eps(eps) -> float:
    if isinstance(eps, (bool, np.bool_)):
        raise TypeError(f"eps must be a number; got {eps!r}")
    return check_positive(eps, "eps")


def relative_error(analytic, numeric) -> float:
    """max_i |a_i − n_i| / max(1e-12, max_i |a_i| + max_i |n_i|)."""
    a = as_float_array(analytic, "analytic")
    n = as_float_array(numeric, "numeric")
    if a.shape != n.shape:
        raise ValueError(f"analytic has shape {a.shape} but numeric has shape {n.shape}; they must match")
    scale = max(_FLOOR, float(np.max(np.abs(a))) + float(np.max(np.abs(n))))
    return float(np.max(np.abs(a - n))) / scale


def _analytic(analytic, x):
    a = analytic(x) if callable(analytic) else analytic
    a = as_float_array(a, "analytic")
    if a.shape != x.shape:
        raise ValueError(f"analytic has shape {a.shape} but x has shape {x.shape}; they must match")
    return a


def check_gradient(f, x, analytic, eps=1e-6) -> float:
    """Relative error between an analytic gradient and numerical_gradient.

    analytic is the gradient array at x or a function x → gradient. Returns
    relative_error (see the module docstring); a correct float64 gradient of
    a smooth function gives less than about 1e-7.
    """
    _check_f(f)
    x = _as_x(x)
    a = _analytic(analytic, x)
    return relative_error(a, numerical_gradient(f, x, eps))


def report(f, x, analytic, eps=1e-6, n_worst=5, file=None) -> float:
    """Print a readable gradient-check report and return the relative error.

    The report lists the n_worst largest differences; the error is that of
    check_gradient. Example output:

        gradient check: 12 entries, relative error 3.1e-11  -> OK
          index      analytic       numerical      |difference|
          (2, 1)     0.41523        0.41523        2.2e-11
    """
    _check_f(f)
    n_worst = check_int(n_worst, "n_worst")
    if file is not None and not callable(getattr(file, "write", None)):
        raise TypeError(f"file must be None or a writable text file (with .write); got {type(file).__name__}")
    x = _as_x(x)
    a = _analytic(analytic, x)
    n = numerical_gradient(f, x, eps)
    err = relative_error(a, n)
    verdict = "OK" if err < 1e-7 else "SUSPICIOUS" if err < 1e-4 else "WRONG"
    diff = np.abs(a - n)
    worst = np.argsort(diff, axis=None)[::-1][:n_worst]
    lines = [
        f"gradient check: {x.size} entries, relative error {err:.2g}  -> {verdict}",
        f"  {'index':<12} {'analytic':>14} {'numerical':>14} {'|difference|':>14}",
    ]
    for flat in worst:
        i = np.unravel_index(flat, x.shape)
        lines.append(f"  {str(tuple(int(k) for k in i)):<12} {a[i]:>14.6g} {n[i]:>14.6g} {diff[i]:>14.2g}")
    print("\n".join(lines), file=file or sys.stdout)
    return err
