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
