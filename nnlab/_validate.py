"""Input checks shared by every nnlab module.

Each helper turns an array-like into a NumPy array or raises a ``TypeError`` /
``ValueError`` whose message names the argument and says what was expected, so
that a student sees *why* a call failed instead of a broadcasting surprise or a
silent NaN.
"""
from __future__ import annotations

import numpy as np


def as_float_array(x, name: str, *, allow_empty: bool = False, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a floating-point array (float32 stays float32).

    Python scalars and lists are converted (integers become float64); a NumPy
    array of integer or boolean dtype is rejected, because silently changing a
    student's dtype hides mistakes.
    """
    if isinstance(x, np.ndarray):
        arr = x
        if not np.issubdtype(arr.dtype, np.floating):
            raise TypeError(
                f"{name} must be a floating-point array; got dtype {arr.dtype}. "
                f"Convert it first, e.g. {name}.astype(np.float64)."
            )
    else:
        try:
            arr = np.asarray(x)
        except Exception as err:  # ragged lists and the like
            raise TypeError(f"{name} must be array-like of numbers; got {type(x).__name__}") from err
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise TypeError(f"{name} must be array-like of numbers; got {type(x).__name__} of {arr.dtype}")
        if np.issubdtype(arr.dtype, np.complexfloating):
            raise TypeError(f"{name} must hold real numbers; got complex values")
        if not np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(np.float64)
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty; expected at least one value")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; expected finite values")
    return arr


class CallOrderError(RuntimeError, ValueError):
    """A method called before the one it needs (``backward`` before
    ``forward``, ``transform`` before ``fit``). A ``RuntimeError`` as in
    PyTorch, and a ``ValueError`` like every other bad input in nnlab."""


class IndexOutOfRange(IndexError, ValueError):
    """An index beyond a container (an ``IndexError``, as for a list, and a
    ``ValueError`` like every other bad argument in nnlab)."""


class NotSupported(NotImplementedError, TypeError):
    """An operation this kind of object does not have (e.g. the element-wise
    derivative of softmax): a ``NotImplementedError`` that is also a
    ``TypeError``, the error for a call that does not fit the object."""


def cast(arr: np.ndarray, dtype, name: str) -> np.ndarray:
    """``arr`` (finite) converted to ``dtype``; a value beyond that type's range
    (1e39 into float32) is a ``ValueError`` naming ``name``, not a silent inf
    with an overflow warning. No copy when the dtype already matches."""
    dtype = np.dtype(dtype)
    if arr.dtype == dtype:
        return arr
    with np.errstate(over="ignore"):
        out = arr.astype(dtype)
    if dtype.itemsize < arr.dtype.itemsize and out.size and \
            not (np.isfinite(out.min()) and np.isfinite(out.max())):
        raise ValueError(
            f"{name} has values up to {float(np.max(np.abs(arr))):.3g}, beyond the range of "
            f"{dtype} (largest {float(np.finfo(dtype).max):.3g}); rescale {name} "
            "(e.g. standardize it) or use float64")
    return out


def as_list(value, name: str, what: str, *, exclude=(np.ndarray,)) -> list:
    """``value`` (any iterable but text, a dict, ``None`` or ``exclude``) as a list;
    otherwise a ``TypeError`` saying "``name`` must be a list of ``what``"."""
    if value is None or isinstance(value, (str, bytes, dict, *exclude)):
        raise TypeError(f"{name} must be a list of {what}; got {type(value).__name__}")
    try:
        return list(value)
    except TypeError as err:
        raise TypeError(f"{name} must be a list of {what}; got {type(value).__name__}") from err


def as_number_array(value, name: str) -> np.ndarray:
    """``value`` as a NumPy array of numbers (bool, int or float), any shape;
    otherwise a ``TypeError`` naming ``name``."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers; got {type(value).__name__}") from err
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers; got dtype {arr.dtype}")
    return arr


def as_matrix(X, name: str = "X") -> np.ndarray:
    """Return ``X`` as a 2-D floating-point array of shape ``(m, n)``: rows are samples."""
    X = as_float_array(X, name)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (m, n) (rows are samples); got shape {X.shape}")
    return X


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; "
            "they must match (rows are samples)"
        )


def check_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as a Python int >= ``minimum`` (NumPy integers too, never a bool);
    otherwise a ``ValueError`` naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, raising ``ValueError`` unless it is > 0 (or >= 0)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number; got {value!r} (a bool)")
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a number; got {value!r}") from err
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}; got {value!r}")
    return v


# The package-level random generator: every ``rng=None`` draws from it, so two
# default layers get different weights and every epoch a new order, while a run
# stays reproducible: ``nnlab.seed(s)`` resets it (a fresh import starts at 0).
_GLOBAL_RNG = np.random.default_rng(0)


def seed(s: int) -> None:
    """Reset nnlab's package-level generator (used wherever ``rng=None``) to seed ``s``."""
    global _GLOBAL_RNG
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
        raise TypeError(f"seed must be an int; got {type(s).__name__}")
    if s < 0:
        raise ValueError(f"seed must be a non-negative int; got {s!r}")
    _GLOBAL_RNG = np.random.default_rng(int(s))


def as_rng(seed_or_rng, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a seed, a Generator or ``None``.

    ``None`` returns nnlab's package-level generator (reset by
    :func:`nnlab.seed`): reproducible, but each call draws new numbers, so two
    default layers never start identical. An int is a private seed.
    """
    if isinstance(seed_or_rng, np.random.Generator):
        return seed_or_rng
    if seed_or_rng is None:
        return _GLOBAL_RNG
    if isinstance(seed_or_rng, (int, np.integer)) and not isinstance(seed_or_rng, bool):
        if seed_or_rng < 0:
            raise ValueError(f"{name} must be a non-negative int seed; got {seed_or_rng!r}")
        return np.random.default_rng(int(seed_or_rng))
    raise TypeError(f"{name} must be an int seed, a numpy.random.Generator or None; "
                    f"got {type(seed_or_rng).__name__}")
