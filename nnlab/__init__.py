"""nnlab — the code of the course *Neural Networks from the Ground Up*.

Every formula in the book is a short, tested NumPy function here. Rows are
samples: ``Z = X @ W + b`` with ``W`` of shape ``(n_in, n_out)``.

The package has three layers; each imports only from the ones above it:

1. core library: nnlab.activations, losses, init, gradcheck, data, layers,
   optim, schedules, train, io (general, fast, no chapter in sight)
2. chapter code: nnlab.chapters.ch01_neuron ... ch05_activations, one
   module per chapter with the readable versions the book shows
3. book tooling: nnlab.book (glue), nnlab.book.check, nnlab.book.viz,
   nnlab.book.widgets (the only place that uses matplotlib, ipywidgets or
   myst-nb)

Submodules are imported on first use, so ``import nnlab`` is cheap and never
pulls in matplotlib.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "losses", "init", "gradcheck", "data",
    "layers", "optim", "schedules", "train", "io",
    "chapters", "book",
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
