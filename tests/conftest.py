"""Shared pytest fixtures for the nnlab test-suite."""
from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator: every test is reproducible."""
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def torch():
    """The torch module, or a skip that says why the parity test did not run."""
    return pytest.importorskip(
        "torch",
        reason="PyTorch is not installed: parity tests need `pip install -r requirements-torch.txt` "
        "(torch==2.13.0, CPU wheel); CI installs it",
    )


# Property-based tests draw their examples from a fixed seed, so a test run is
# reproducible (CI never meets an example a local run did not).
try:
    from hypothesis import settings

    settings.register_profile("course", derandomize=True, deadline=None)
    settings.load_profile("course")
except ImportError:  # hypothesis is a test extra
    pass


@pytest.fixture
def torch_twin(torch):
    """Build the PyTorch copy of an nnlab ReLU MLP (Dense/ReLU/.../Dense), same weights, float64.

    Returns ``(dense_layers, ref)``: nnlab's Dense layers, and the torch ``Sequential``
    whose ``Linear`` layers are ``ref[::2]`` in the same order.
    """

    def build(model):
        from nnlab import layers as L

        dense = [layer for layer in model.layers if isinstance(layer, L.Dense)]
        parts = []
        for i, d in enumerate(dense):
            parts.append(torch.nn.Linear(d.n_in, d.n_out))
            if i < len(dense) - 1:
                parts.append(torch.nn.ReLU())
        ref = torch.nn.Sequential(*parts).double()
        with torch.no_grad():
            for d, lin in zip(dense, ref[::2]):
                lin.weight.copy_(torch.tensor(d.W.T))   # torch stores (n_out, n_in)
                lin.bias.copy_(torch.tensor(d.b))
        return dense, ref

    return build
