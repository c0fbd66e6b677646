"""nnlab.init: variances of every initializer, distributions, determinism, dtypes, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnlab
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
    nnlab.seed(3)
    first = f((5, 4))                     # None: nnlab's package generator ...
    second = f((5, 4))
    nnlab.seed(3)
    np.testing.assert_array_equal(f((5, 4)), first)   # ... reset by nnlab.seed
    if name not in ("zeros", "constant"):
        assert not np.array_equal(first, second)      # two default draws differ (no symmetry)
        assert not np.array_equal(f((5, 4), 1), f((5, 4), 2))
        rng = np.random.default_rng(0)
        assert not np.array_equal(f((5, 4), rng), f((5, 4), rng))  # a Generator advances
    else:
        np.testing.assert_array_equal(first, second)


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
    with pytest.raises(ValueError, match=r"shape must be a tuple \(fan_in, fan_out\)"):
        I.he_normal((3, 0))
    with pytest.raises(ValueError, match=r"shape must be a tuple \(fan_in, fan_out\)"):
        I.he_normal((2, 3, 4))
    with pytest.raises(TypeError, match="rng must be an int seed, a numpy.random.Generator or None"):
        I.he_normal((2, 3), rng="seed")
    with pytest.raises(ValueError, match=r"std must be a (finite )?number > 0"):
        I.normal(-1.0)
    with pytest.raises(TypeError, match="takes no parameters"):
        I.get("he_normal", std=1.0)
    with pytest.raises(TypeError, match="'normal'"):
        I.get("normal")
    assert I.get(I.he_normal) is I.he_normal


# --------------------------------------------------------------------- bad input, one table
BAD_CALLS = [
    (lambda: I.constant(float("nan")), ValueError, "value"),
    (lambda: I.constant(float("inf")), ValueError, "value"),
    (lambda: I.constant("0.5"), TypeError, "value"),
    (lambda: I.constant(None), TypeError, "value"),
    (lambda: I.constant(True), TypeError, "value"),
    (lambda: I.normal(True), TypeError, "std"),
    (lambda: I.normal(float("nan")), ValueError, "std"),
    (lambda: I.uniform("big"), TypeError, "limit"),
    (lambda: I.uniform(0), ValueError, "limit"),
    (lambda: I.he_normal(True), TypeError, "shape"),
    (lambda: I.he_normal((True, 3)), TypeError, "shape"),
    (lambda: I.he_normal("ab"), TypeError, "shape"),
    (lambda: I.he_normal(None), TypeError, "shape"),
    (lambda: I.he_normal((2.0, 3)), TypeError, "shape"),
    (lambda: I.he_normal((2, -3)), ValueError, "shape"),
    (lambda: I.he_normal(()), ValueError, "shape"),
    (lambda: I.zeros({"a": 1}), TypeError, "shape"),
    (lambda: I.glorot_uniform((2, 3), dtype="no-such-type"), TypeError, "dtype"),
    (lambda: I.zeros((2, 3), rng="seed"), TypeError, "rng"),
    (lambda: I.constant(1.0)((2, 3), rng=-1), ValueError, "rng"),
    (lambda: I.get(["he_normal"]), TypeError, "initializer"),
    (lambda: I.get(None), TypeError, "initializer"),
    (lambda: I.get("constant", value=float("nan")), ValueError, "value"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


def test_shapes_as_lists_and_numpy_ints_are_fine():
    assert I.he_uniform([3, np.int64(4)], 0).shape == (3, 4)
    assert I.zeros(np.array([2, 5])).shape == (2, 5)
    assert I.constant(np.float32(0.25))(3).tolist() == [0.25] * 3
