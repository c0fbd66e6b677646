"""Input checks shared by every nnlab module.

Each helper turns an array-like into a NumPy array or raises a
TypeError / ValueError whose message names the argument and says what
was expected, so that a student sees why a call failed instead of a
broadcasting surprise or a silent NaN.
"""
from __future__ import annotations

import functools
import inspect
import math
import numbers

import numpy as np


def as_float_array(x, name: str, *, allow_empty: bool = False, finite: bool = True) -> np.ndarray:
    """x as a floating-point array (float32 stays float32).

    Python scalars and lists are converted (integers become float64); a
    NumPy array of integer or boolean dtype is rejected, because silently
    changing a student's dtype hides mistakes.
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
    """A method called before the one it needs (backward before forward,
    transform before fit). A RuntimeError as in PyTorch, and a ValueError
    like every other bad input in nnlab.
    """


class IndexOutOfRange(IndexError, ValueError):
    """An index beyond a container (an IndexError, as for a list, and a
    ValueError like every other bad argument in nnlab).
    """


class NotSupported(NotImplementedError, TypeError):
    """An operation this kind of object does not have (e.g. the element-wise
    derivative of softmax): a NotImplementedError that is also a TypeError,
    the error for a call that does not fit the object.
    """


def cast(arr: np.ndarray, dtype, name: str) -> np.ndarray:
    """arr (finite) converted to dtype; a value beyond that type's range (1e39
    into float32) is a ValueError naming name, not a silent inf with an
    overflow warning. No copy when the dtype already matches.
    """
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
    """value (any iterable but text, a dict, None or exclude) as a list;
    otherwise a TypeError saying "name must be a list of what".
    """
    if value is None or isinstance(value, (str, bytes, dict, *exclude)):
        raise TypeError(f"{name} must be a list of {what}; got {type(value).__name__}")
    try:
        return list(value)
    except TypeError as err:
        raise TypeError(f"{name} must be a list of {what}; got {type(value).__name__}") from err


def as_number_array(value, name: str) -> np.ndarray:
    """value as a NumPy array of numbers (bool, int or float), any shape;
    otherwise a TypeError naming name.
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers; got {type(value).__name__}") from err
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers; got dtype {arr.dtype}")
    return arr


def as_matrix(X, name: str = "X") -> np.ndarray:
    """X as a 2-D floating-point array of shape (m, n): rows are samples."""
    X = as_float_array(X, name)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (m, n) (rows are samples); got shape {X.shape}")
    return X


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """A ValueError unless a and b have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; "
            "they must match (rows are samples)"
        )


def check_int(value, name: str, minimum: int = 1, *, typed: bool = False,
              none_means: str | None = None) -> int | None:
    """value as a Python int >= minimum, or an error naming name.

    NumPy integers and 0-d integer arrays are accepted, a bool never is.
    Something that is not an integer (2.0, "2", True) is a ValueError, or
    with typed=True a TypeError (the error for an argument of the wrong
    kind); an integer below minimum is always a ValueError.
    With none_means (e.g. "full batch"), None is accepted and returned
    as None, and the message says what None means.
    """
    if value is None and none_means is not None:
        return None
    expected = f"an integer >= {minimum}"
    if none_means is not None:
        expected = f"None ({none_means}) or {expected}"
    if isinstance(value, np.ndarray) and value.ndim == 0 \
            and value.dtype.kind in "iu":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) \
            or not isinstance(value, (int, np.integer)):
        if typed:
            raise TypeError(f"{name} must be {expected}; "
                            f"got {describe(value)}")
        raise ValueError(f"{name} must be {expected}; got {short(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be {expected}; got {short(value)}")
    return int(value)


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """value as a float; a ValueError unless it is > 0 (or >= 0 with
    allow_zero).
    """
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


def short(value) -> str:
    """repr(value), cut to at most 60 characters (for error messages)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(value) -> str:
    """The value and its type for an error message: "True (a bool)"."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return f"{value!r} (a bool)"
    kind = type(value).__name__
    article = "an" if kind[0] in "aeiouAEIOU" else "a"
    return f"{short(value)} ({article} {kind})"


def _interval(low, low_open, high, high_open) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f" {'<' if high_open else '<='} {high:g}"
    return (f" in {'(' if low_open else '['}{low:g}, "
            f"{high:g}{')' if high_open else ']'}")


def check_real(value, name: str, *, low=None, low_open: bool = False,
               high=None, high_open: bool = False, hint: str = "") -> float:
    """value as a finite float within [low, high] (open ends as asked).

    Python and NumPy real numbers and 0-d real arrays are accepted. A bool,
    a string, None or a complex number is a TypeError (float("0.1") and
    float(True) would silently succeed); NaN, inf or a value out of range
    is a ValueError. hint is added to the message for a bool.
    """
    what = _interval(low, low_open, high, high_open)
    if isinstance(value, np.ndarray) and value.ndim == 0 \
            and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) \
            or not isinstance(value, numbers.Real):
        extra = hint if isinstance(value, (bool, np.bool_)) else ""
        raise TypeError(f"{name} must be a number{what}; "
                        f"got {describe(value)}{extra}")
    try:
        v = float(value)
    except OverflowError:                 # an int beyond the float range
        v = math.inf if value > 0 else -math.inf
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number{what}; "
                         f"got {short(value)}")
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        raise ValueError(f"{name} must be a number{what}; got {short(value)}")
    return v + 0.0                        # -0.0 becomes 0.0


def check_flag(value, name: str) -> bool:
    """value as a bool; anything but True or False is a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def class_labels(y, name: str = "y", *, m=None, n_classes=None) -> np.ndarray:
    """Integer class labels 0, 1, ..., K-1 as an int64 array of shape (m,).

    A column (m, 1) is flattened. Floats (even 1.0), bools and other types
    are a TypeError that says how to convert. With m, the number of labels
    must be m; with n_classes, every label must lie in [0, n_classes).
    """
    what = "integer class labels 0, 1, ..., K-1 of shape (m,)"
    if y is None:
        raise TypeError(f"{name} must be {what}; got None")
    try:
        labels = np.asarray(y)
    except Exception as err:
        raise TypeError(f"{name} must be {what}; got "
                        f"{type(y).__name__} ({err})") from None
    if labels.dtype == bool:
        raise TypeError(
            f"{name} has dtype bool, but class labels are integers 0, 1, "
            f"..., K-1; use {name}.astype(np.int64) (False -> 0, True -> 1)")
    if np.issubdtype(labels.dtype, np.floating):
        finite = labels[np.isfinite(labels)]
        fractional = finite[finite != np.round(finite)]
        if fractional.size or finite.size < labels.size:
            bad = (fractional[0] if fractional.size
                   else labels[~np.isfinite(labels)][0])
            raise TypeError(f"{name} must hold integer class labels 0, 1, "
                            f"..., K-1; got the non-integer value {bad!r} "
                            f"(dtype {labels.dtype})")
        raise TypeError(
            f"{name} must hold integer class labels; got dtype "
            f"{labels.dtype}. If the values are class numbers, convert them "
            f"with {name}.astype(np.int64)")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class labels 0, 1, ..., "
                        f"K-1; got dtype {labels.dtype}")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]                  # a column (m, 1) -> (m,)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels of "
                         f"shape (m,) (or a column (m, 1)); got shape "
                         f"{labels.shape}")
    if labels.size == 0:
        raise ValueError(f"{name} is empty; expected at least one label")
    if labels.dtype == np.uint64 and labels.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} contains labels outside [0, K): got labels "
                         f"up to {labels.max()}; class labels must be 0, 1, "
                         f"..., K-1")
    labels = labels.astype(np.int64, copy=False)
    if m is not None and labels.shape != (m,):
        raise ValueError(f"{name} holds {labels.shape[0]} labels but X has "
                         f"{m} rows; they must match")
    if n_classes is not None:
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= n_classes:
            raise ValueError(
                f"{name} contains labels outside [0, {n_classes}): got "
                f"labels from {low} to {high}; class labels must be 0, 1, "
                f"..., n_classes - 1")
    return labels


def binary_labels(y, name: str = "y", *, m=None) -> np.ndarray:
    """Binary targets as floats of shape (m,): 0/1 labels (ints or bools
    welcome) or probabilities in [0, 1]. A column (m, 1) is flattened."""
    what = "0/1 labels (or probabilities in [0, 1])"
    if y is None:
        raise TypeError(f"{name} must hold {what}; got None")
    arr = np.asarray(y) if not isinstance(y, np.ndarray) else y
    if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)      # 0/1 labels are the targets
    arr = as_float_array(arr, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    rows = "one per row of X" if m is not None else "(m,)"
    if arr.ndim != 1 or (m is not None and arr.shape != (m,)):
        shape = f"({m},)" if m is not None else "(m,)"
        raise ValueError(f"{name} must have shape {shape}, {rows}; "
                         f"got {arr.shape}")
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must hold {what}; got values from "
                         f"{arr.min():g} to {arr.max():g}")
    return arr


def checks(checker):
    """Decorator: check a function's inputs with checker before it runs.

    checker takes the same arguments as the function and returns a dict of
    checked values (name -> value) that replace the arguments (names it
    leaves out pass through unchanged). The decorated function then holds
    only the mathematics, and inspect.getsource shows it whole.

        @checks(_xy)
        def cost(X, y): ...
    """
    def decorate(func):
        signature = inspect.signature(func)

        @functools.wraps(func)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            bound.arguments.update(checker(**bound.arguments))
            return func(*bound.args, **bound.kwargs)
        checked.checker = checker
        return checked
    return decorate


# The package-level random generator: every ``rng=None`` draws from it, so two
# default layers get different weights and every epoch a new order, while a run
# stays reproducible: ``nnlab.seed(s)`` resets it (a fresh import starts at 0).
_GLOBAL_RNG = np.random.default_rng(0)


def seed(s: int) -> None:
    """Reset nnlab's package-level generator (used wherever rng=None) to seed
    s.
    """
    global _GLOBAL_RNG
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
        raise TypeError(f"seed must be an int; got {type(s).__name__}")
    if s < 0:
        raise ValueError(f"seed must be a non-negative int; got {s!r}")
    _GLOBAL_RNG = np.random.default_rng(int(s))


def as_rng(seed_or_rng, name: str = "rng") -> np.random.Generator:
    """A numpy.random.Generator from a seed, a Generator or None.

    None returns nnlab's package-level generator (reset by nnlab.seed):
    reproducible, but each call draws new numbers, so two default layers
    never start identical. An int is a private seed.
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


def as_shaped(value, shape, name: str, what: str) -> np.ndarray:
    """A float copy of value with exactly this shape (what says why, e.g.
    "one column per class"), or a ValueError naming name."""
    value = as_float_array(value, name)
    if value.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, {what}; "
                         f"got {value.shape}")
    return value.copy()


def check_not_diverged(params, lr, epoch: int, name: str = "lr") -> None:
    """A ValueError naming lr when a gradient-descent update overflowed.

    params are the arrays after the update of epoch (counted from 0).
    """
    if not all(np.all(np.isfinite(p)) for p in params):
        raise ValueError(
            f"{name}={lr:g} is so large that the weights overflowed the "
            f"float range in epoch {epoch + 1}; use a smaller {name} (about "
            f"0.1 to 10 on standardized features)")


def formula(func, checker, *, core: str | None = None, names: str = "z"):
    """A plain formula the book shows alone, given its input checks and a
    guard against leaving the float range.

    checker works as in checks(). Where the formula overflows (or takes
    log 0, or 0/0) it raises a ValueError naming the inputs and the
    careful version core (None: the result itself is out of range),
    instead of a warning and an inf or NaN:

        sigmoid = formula(sigmoid, _z_input, core="activations.sigmoid")
    """
    @functools.wraps(func)
    def guarded(*args, **kwargs):
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise",
                             under="ignore"):
                return func(*args, **kwargs)
        except FloatingPointError as err:
            why = (f"{core} computes it for every {names}" if core
                   else "the result itself is beyond it")
            raise ValueError(
                f"{func.__name__}: the plain formula leaves the float range "
                f"for these {names} ({err}); {why}") from None
    return checks(checker)(guarded)
