"""nnlab — the code of the course *Neural Networks from the Ground Up*.

Every formula in the book is a short, tested NumPy function here. Rows are
samples: ``Z = X @ W + b`` with ``W`` of shape ``(n_in, n_out)``.

Layers of the package (each imports only from the ones above it):

1. math core: :mod:`nnlab.activations`, :mod:`nnlab.losses`, :mod:`nnlab.init`,
   :mod:`nnlab.gradcheck`, :mod:`nnlab.data`
2. the chapters' small models (:mod:`nnlab.models`, :mod:`nnlab.linear_models`,
   :mod:`nnlab.descent`, :mod:`nnlab.activation_tools`), :mod:`nnlab.layers`,
   :mod:`nnlab.optim`, :mod:`nnlab.schedules`
3. :mod:`nnlab.train`, :mod:`nnlab.io`
4. :mod:`nnlab.check`, :mod:`nnlab.viz`, :mod:`nnlab.widgets`, :mod:`nnlab.book`
   (the only ones that may use matplotlib, ipywidgets or myst-nb)

Submodules are imported on first use, so ``import nnlab`` is cheap and never
pulls in matplotlib.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "losses", "init", "gradcheck", "data",
    "models", "linear_models", "descent", "activation_tools",
    "layers", "optim", "schedules", "train", "io",
    "check", "viz", "widgets", "book",
)
# Names re-exported at the top level for convenience: name -> submodule.
_SHORTCUTS = {"Sequential": "layers", "mlp": "layers", "fit": "train"}

__all__ = [*_SUBMODULES, *_SHORTCUTS, "seed", "__version__"]


def seed(s: int) -> None:
    """Reset the generator behind every ``rng=None`` (and ``fit``'s shuffling) to ``s``.

    Call it once at the top of a notebook: the same seed gives the same
    weights, dropout masks and mini-batch orders, hence the same History.
    """
    from ._validate import seed as _seed
    _seed(s)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(f"{__name__}.{_SHORTCUTS[name]}"), name)
    raise AttributeError(f"module 'nnlab' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
