"""nnlab.init: variances of every initializer, distributions, determinism, dtypes, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import init as I

FAN_IN, FAN_OUT = 400, 600  # unequal on purpose: Glorot, He and LeCun then all differ
# Variance of each initializer from the lectures, written out independently.
EXPECTED_VAR = {
    "glorot_normal": 1 / ((FAN_IN + FAN_OUT) / 2),
    "glorot_uniform": 1 / ((FAN_IN + FAN_OUT) / 2),
    "he_normal": 2 / FAN_IN,
    "he_uniform": 2 / FAN_IN,
    "lecun_normal": 1 / FAN_IN,
    "lecun_uniform": 1 / FAN_IN,
}
# 240,000 draws: the sample variance has a relative standard error of sqrt(2/n) ~ 0.3%
# (normal) or sqrt(0.8/n) ~ 0.2% (uniform), so 2% is a tight yet > 6-sigma tolerance.
REL_TOL = 0.02


@pytest.mark.parametrize("name", sorted(EXPECTED_VAR))
def test_sample_variance_matches_formula(name):
    W = I.get(name)((FAN_IN, FAN_OUT), np.random.default_rng(7))
    assert W.shape == (FAN_IN, FAN_OUT) and W.dtype == np.float64
    var = EXPECTED_VAR[name]
    assert W.var() == pytest.approx(var, rel=REL_TOL)
    assert abs(W.mean()) < 5 * math.sqrt(var / W.size)


@pytest.mark.parametrize("name", sorted(EXPECTED_VAR))
def test_distribution_shape(name):
    W = I.get(name)((FAN_IN, FAN_OUT), 3)
    limit = math.sqrt(3 * EXPECTED_VAR[name])
    beyond = np.mean(np.abs(W) > limit)
    if name.endswith("_uniform"):
        assert beyond == 0 and np.abs(W).max() > 0.999 * limit   # U(-r, r) with r = sqrt(3 var)
    else:
        assert beyond == pytest.approx(0.0833, abs=0.005)        # P(|N(0,1)| > sqrt 3) = 0.0833


def test_simple_initializers(rng):
    assert I.zeros((3, 2)).tolist() == [[0, 0], [0, 0], [0, 0]]
    assert I.constant(0.5)((2,), rng).tolist() == [0.5, 0.5]
    W = I.normal(0.01)((300, 400), rng)
    assert W.std() == pytest.approx(0.01, rel=REL_TOL)
    U = I.uniform(0.1)((300, 400), rng)
    assert U.var() == pytest.approx(0.1**2 / 3, rel=REL_TOL) and np.abs(U).max() <= 0.1


def test_one_dimensional_shape_uses_n_for_both_fans():
    assert I.fans((7,)) == (7, 7) and I.fans(7) == (7, 7) and I.fans((3, 5)) == (3, 5)
    b = I.he_normal((20000,), 0)
    assert b.shape == (20000,) and b.var() == pytest.approx(2 / 20000, rel=0.05)


@pytest.mark.parametrize("name", I.NAMES)
def test_deterministic_by_seed(name):
    params = {"constant": {"value": 1.0}, "normal": {"std": 1.0}, "uniform": {"limit": 1.0}}.get(name, {})
    f = I.get(name, **params)
    np.testing.assert_array_equal(f((5, 4), 42), f((5, 4), np.random.default_rng(42)))
    np.testing.assert_array_equal(f((5, 4)), f((5, 4), 0))  # None means seed 0
    if name not in ("zeros", "constant"):
        assert not np.array_equal(f((5, 4), 1), f((5, 4), 2))
        rng = np.random.default_rng(0)
        assert not np.array_equal(f((5, 4), rng), f((5, 4), rng))  # a Generator advances


@pytest.mark.parametrize("name", I.NAMES)
def test_dtype(name):
    params = {"constant": {"value": 1.0}, "normal": {"std": 1.0}, "uniform": {"limit": 1.0}}.get(name, {})
    f = I.get(name, **params)
    assert f((3, 2), 0, dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="dtype must be a floating-point"):
        f((3, 2), 0, dtype=np.int64)


def test_errors():
    with pytest.raises(ValueError, match="unknown initializer 'xavier'.*glorot_normal.*he_normal"):
        I.get("xavier")
    with pytest.raises(ValueError, match=r"shape must be \(fan_in, fan_out\)"):
        I.he_normal((3, 0))
    with pytest.raises(ValueError, match=r"shape must be \(fan_in, fan_out\)"):
        I.he_normal((2, 3, 4))
    with pytest.raises(TypeError, match="rng must be an int seed or a numpy.random.Generator"):
        I.he_normal((2, 3), rng="seed")
    with pytest.raises(ValueError, match="std must be a finite number > 0"):
        I.normal(-1.0)
    with pytest.raises(TypeError, match="takes no parameters"):
        I.get("he_normal", std=1.0)
    with pytest.raises(TypeError, match="'normal'"):
        I.get("normal")
    assert I.get(I.he_normal) is I.he_normal
