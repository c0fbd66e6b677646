"""nnlab.gradcheck: central differences, the relative error, the report, and misuse."""
from __future__ import annotations

import numpy as np
import pytest

from nnlab import gradcheck as G


def test_numerical_gradient_of_known_functions(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(G.numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-7, atol=1e-8)
    A = rng.normal(size=(5, 5))
    v = rng.normal(size=5)
    # f(v) = v^T A v  ->  (A + A^T) v; quadratic, so central differences are exact up to rounding
    np.testing.assert_allclose(G.numerical_gradient(lambda u: u @ A @ u, v), (A + A.T) @ v, rtol=1e-7)
    assert G.numerical_gradient(lambda u: float(np.sin(u)), np.array(0.3)) == pytest.approx(np.cos(0.3), rel=1e-9)


def test_x_is_perturbed_in_place_and_restored(rng):
    W = rng.normal(size=(2, 3))
    before = W.copy()
    seen = []

    def loss(_):          # reads W through the closure, like a layer's weights
        seen.append(W.copy())
        return float(np.sum(W**2))

    grad = G.numerical_gradient(loss, W)
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-8)
    np.testing.assert_array_equal(W, before)
    assert not np.array_equal(seen[0], before)  # f really saw the perturbed array

    def broken(_):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        G.numerical_gradient(broken, W)
    np.testing.assert_array_equal(W, before)    # restored even when f fails


def test_check_gradient_passes_right_and_fails_wrong(rng):
    x = rng.normal(size=6)
    f = lambda v: float(np.sum(np.tanh(v)))  # noqa: E731
    right = 1 - np.tanh(x) ** 2
    assert G.check_gradient(f, x, right) < 1e-9
    assert G.check_gradient(f, x, lambda v: 1 - np.tanh(v) ** 2) < 1e-9  # callable form
    wrong = right.copy()
    wrong[2] *= 1.1
    assert G.check_gradient(f, x, wrong) > 1e-3
    assert G.check_gradient(f, x, -right) == pytest.approx(1.0)


def test_relative_error_formula():
    # max|a - n| / max(1e-12, max|a| + max|n|) = 0.5 / (2 + 2.5)
    assert G.relative_error([1.0, 2.0], [1.0, 2.5]) == pytest.approx(0.5 / 4.5)
    assert G.relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert G.relative_error([0.0], [1e-14]) == pytest.approx(1e-2)  # floor 1e-12 in the denominator


def test_report_lists_the_worst_entries(rng, capsys):
    x = rng.normal(size=(3, 4))
    analytic = 2 * x
    analytic[1, 2] += 0.5            # a planted bug
    err = G.report(lambda v: float(np.sum(v**2)), x, analytic, n_worst=3)
    out = capsys.readouterr().out
    assert err > 1e-4
    assert "12 entries" in out and "WRONG" in out
    lines = out.strip().splitlines()
    assert len(lines) == 2 + 3 and lines[2].lstrip().startswith("(1, 2)")
    G.report(lambda v: float(np.sum(v**2)), x, 2 * x)
    assert "-> OK" in capsys.readouterr().out


def test_misuse_is_explained(rng):
    x32 = rng.normal(size=3).astype(np.float32)
    with pytest.raises(TypeError, match="x must be float64"):
        G.numerical_gradient(lambda v: float(v.sum()), x32)
    with pytest.raises(TypeError, match="f must return a single number"):
        G.numerical_gradient(lambda v: v * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"analytic has shape \(2,\) but x has shape \(3,\)"):
        G.check_gradient(lambda v: float(v.sum()), np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        G.numerical_gradient(lambda v: float(v.sum()), np.ones(3), eps=0)


def test_a_non_finite_f_is_reported_not_returned_as_nan():
    # f is NaN as soon as x[1] moves: the gradient would silently hold NaN
    with pytest.raises(ValueError, match=r"f returned nan at x\[1\] ± eps"):
        G.numerical_gradient(lambda v: float("nan") if v[1] != 2.0 else 0.0, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"f returned inf at x\[0, 0\]"):
        G.check_gradient(lambda v: np.inf, np.ones((1, 1)), np.zeros((1, 1)))


def test_a_size_one_array_counts_as_a_number():
    grad = G.numerical_gradient(lambda v: np.array([np.sum(v**2)]), np.array([1.0, -2.0]))
    np.testing.assert_allclose(grad, [2.0, -4.0], rtol=1e-8)


BAD_CALLS = [
    (lambda: G.numerical_gradient(3, np.ones(2)), TypeError, r"\bf\b"),
    (lambda: G.check_gradient(None, np.ones(2), np.ones(2)), TypeError, r"\bf\b"),
    (lambda: G.numerical_gradient(lambda v: "loss", np.ones(2)), TypeError, r"\bf\b"),
    (lambda: G.numerical_gradient(lambda v: float(v.sum()), None), TypeError, r"\bx\b"),
    (lambda: G.numerical_gradient(lambda v: float(v.sum()), np.ones(2), eps=True), TypeError, "eps"),
    (lambda: G.numerical_gradient(lambda v: float(v.sum()), np.ones(2), eps=float("nan")), ValueError, "eps"),
    (lambda: G.relative_error([1.0], [np.nan]), ValueError, "numeric"),
    (lambda: G.relative_error([1.0, 2.0], [1.0]), ValueError, "analytic"),
    (lambda: G.check_gradient(lambda v: float(v.sum()), np.ones(2), lambda v: None), TypeError, "analytic"),
    (lambda: G.report(lambda v: float(v.sum()), np.ones(2), np.ones(2), n_worst="a"), ValueError, "n_worst"),
    (lambda: G.report(lambda v: float(v.sum()), np.ones(2), np.ones(2), n_worst=0), ValueError, "n_worst"),
    (lambda: G.report(lambda v: float(v.sum()), np.ones(2), np.ones(2), file=3), TypeError, "file"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()
