"""Glue between the notebooks and the book (top layer).

:func:`glue` stores a computed value under a name so that the book's prose can
quote it (``{glue:text}`name:.3f```) instead of a number typed by hand.

Portable records. The last bits of a floating-point result depend on the
machine: another CPU makes OpenBLAS pick other kernels, which add in another
order, so ``0.00026942128291840284`` on one laptop is ``…884693`` on the next.
The glue record is a checked output of the chapter, so :func:`glue` stores
every float rounded to 8 significant digits (see :func:`portable`): far more
than the prose ever prints, and far fewer than the ~16 that rounding noise
reaches. Integers, strings and booleans are stored exactly.

Outside a Jupyter Book toolchain (no ``myst_nb``, e.g. Colab) or outside a
Jupyter kernel (a plain script, pytest) there is nowhere to store the value:
:func:`glue` then does nothing, or prints ``name = value`` when asked to
``display`` it.
"""
from __future__ import annotations

import math
import numbers
import sys

import numpy as np

#: Significant digits a glued float keeps (float64 noise starts near the 16th).
DIGITS = 8


def _round_float(x: float, digits: int) -> float:
    """``x`` to ``digits`` significant digits; nan, ±inf kept; -0.0 → 0.0."""
    if not math.isfinite(x):
        return x
    # Decimal rounding via the shortest "%g" text: 0.1 + 0.2 -> 0.3 exactly as
    # Python prints it. Adding 0.0 turns -0.0 into 0.0 (a sign that rounding
    # noise alone can flip).
    return float(f"{x:.{digits}g}") + 0.0


def portable(value, digits: int = DIGITS):
    """``value`` with every float rounded to ``digits`` significant digits.

    Floats (Python and NumPy, float16 to float64) are rounded; complex
    numbers have both parts rounded. Lists, tuples (named ones too) and dict
    values are processed recursively, NumPy arrays of floats element-wise
    (same shape and dtype). A NumPy scalar becomes the Python number it holds
    (``np.float64(0.5)`` prints as ``0.5``). Integers, booleans, strings and
    any other object are returned unchanged.

    >>> portable(0.1 + 0.2)
    0.3
    >>> portable([1, 2.0000000000000004, "x"])
    [1, 2.0, 'x']

    Where nothing is specified, this does what a careful numerical library
    would: nan and ±inf stay as they are, and a negative zero becomes 0.0.
    """
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral):
        raise TypeError(f"digits must be an int, got {type(digits).__name__}")
    if not 1 <= digits <= 17:
        raise ValueError(f"digits must be between 1 and 17, got {digits}")
    return _portable(value, int(digits))


def _portable(value, digits: int):
    if isinstance(value, np.generic):          # NumPy scalar -> Python scalar
        value = value.item()
    if isinstance(value, (bool, numbers.Integral, str, bytes)):
        return value
    if isinstance(value, float):
        return _round_float(value, digits)
    if isinstance(value, complex):
        return complex(_round_float(value.real, digits),
                       _round_float(value.imag, digits))
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _portable(value.item(), digits)
        if value.dtype.kind not in "fc":
            return value
        flat = [_portable(x, digits) for x in value.ravel().tolist()]
        return np.array(flat, dtype=value.dtype).reshape(value.shape)
    if isinstance(value, (list, tuple)):
        items = [_portable(x, digits) for x in value]
        if hasattr(value, "_fields"):           # a namedtuple
            return type(value)(*items)
        return type(value)(items)
    if isinstance(value, dict):
        out = value.copy()                      # keeps the dict's own type
        for k, v in value.items():
            out[k] = _portable(v, digits)
        return out
    return value


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (notebook, nbclient, a book build).

    Not merely "IPython is imported": IPython's formatters create a shell
    without a kernel the first time they run, and a record made there goes
    nowhere.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def glue(name: str, value, display: bool = False) -> None:
    """Save ``value`` as ``name`` for the book's prose (returns nothing).

    Floats are stored to 8 significant digits (:func:`portable`), so the
    record is the same on every machine while ``{glue:text}`name:.4f``` shows
    what the full value would: prose should print fewer than 8 significant
    digits. Integers, strings and booleans are exact; glue a count as an int
    (a float such as 123456789.0 keeps 8 digits too: 123456790.0).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if not name or name != name.strip() or any(c.isspace() for c in name):
        raise ValueError(
            f"name must be a non-empty str without spaces, got {name!r}")
    value = portable(value)
    try:
        from myst_nb import glue as _glue
    except ImportError:  # outside the book toolchain: nothing to store
        _glue = None
    if _glue is None or not _in_kernel():
        if display:
            print(f"{name} = {value!r}")
        return
    _glue(name, value, display=display)
