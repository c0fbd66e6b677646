"""Glue between the notebooks and the book (top layer).

:func:`glue` stores a computed value under a name so that the book's prose can
quote it (``{glue:text}`name:.3f```) instead of a number typed by hand. Outside a
Jupyter Book build (plain Jupyter, Colab) it simply shows the value.
"""
from __future__ import annotations


def glue(name: str, value, display: bool = False) -> None:
    """Save ``value`` as ``name`` for the book's prose (returns nothing, so it never echoes)."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()  # NumPy scalars print as np.float64(...), which the book cannot format
    try:
        from myst_nb import glue as _glue
    except ImportError:  # running outside the book toolchain: nothing to store
        if display:
            print(f"{name} = {value!r}")
        return
    _glue(name, value, display=display)
