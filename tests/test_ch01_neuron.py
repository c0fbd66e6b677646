"""Chapter 1's single-neuron models: perceptron and linear regression, and the
plain formulas the book shows (step, mse) checked against the core versions."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import activations, data, losses
from nnlab.chapters import ch01_neuron as models

X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def test_perceptron_predict_is_step_of_affine_map():
    # AND with w = (1, 1), b = -1.5, worked by hand: z = -1.5, -0.5, -0.5, 0.5
    out = models.perceptron_predict(X_GATE, [1.0, 1.0], -1.5)
    assert out.tolist() == [0, 0, 0, 1] and out.dtype == np.int64
    # z == 0 is class 0 (step(0) = 0)
    assert models.perceptron_predict(np.array([[1.0, -1.0]]), [1.0, 1.0], 0.0).tolist() == [0]


@pytest.mark.parametrize("gate, y", [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0])])
def test_perceptron_learns_separable_gates(gate, y):
    w, b, mistakes = models.perceptron_train(X_GATE, np.array(y), epochs=50)
    assert mistakes[-1] == 0, f"{gate} is linearly separable: the rule must converge"
    assert models.perceptron_predict(X_GATE, w, b).tolist() == y


def test_perceptron_cannot_learn_xor():
    w, b, mistakes = models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), epochs=100)
    assert len(mistakes) == 100 and min(mistakes) > 0


def test_perceptron_converges_on_separable_random_data():
    X, y = data.make_linear(n_samples=60, noise=0.0, seed=3)
    w, b, mistakes = models.perceptron_train(X, y, epochs=1000)
    assert mistakes[-1] == 0
    assert np.array_equal(models.perceptron_predict(X, w, b), y)


def test_normal_equation_matches_lstsq_and_recovers_true_line(rng):
    x = rng.uniform(-1, 1, size=(200, 2))
    y = 0.5 + x @ np.array([2.0, -3.0])           # noiseless: exact recovery
    Xb = models.add_bias_column(x)
    theta = models.normal_equation(Xb, y)
    np.testing.assert_allclose(theta, [0.5, 2.0, -3.0], atol=1e-12)
    y_noisy = y + rng.normal(0, 0.1, size=200)
    np.testing.assert_allclose(models.normal_equation(Xb, y_noisy),
                               np.linalg.lstsq(Xb, y_noisy, rcond=None)[0], rtol=1e-10)


def test_gradient_descent_approaches_normal_equation(rng):
    x = rng.uniform(0, 2, size=(50, 1))
    y = 1 + 2 * x[:, 0] + rng.normal(0, 0.3, size=50)
    Xb = models.add_bias_column(x)
    theta, costs = models.linear_regression_gd(Xb, y, lr=0.1, steps=3000)
    np.testing.assert_allclose(theta, models.normal_equation(Xb, y), atol=1e-6)
    assert len(costs) == 3001 and all(b <= a + 1e-12 for a, b in zip(costs, costs[1:])), "cost never increases here"
    # cost = 1/(2m) ||X theta - y||^2 at the start (theta = 0)
    assert costs[0] == pytest.approx(np.sum(y**2) / (2 * 50))


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="w must have shape"):
        models.perceptron_predict(X_GATE, [1.0, 1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match=r"y must be 4 labels in \{0, 1\}"):
        models.perceptron_train(X_GATE, np.array([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="lr"):
        models.linear_regression_gd(X_GATE, np.zeros(4), lr=0)
    with pytest.raises(ValueError, match="y must have shape"):
        models.normal_equation(X_GATE, np.zeros(3))


# --------------------------------------------------------------------- 1-D X, singular X, divergence
@pytest.mark.parametrize("call", [
    lambda x: models.perceptron_predict(x, [1.0], 0.0),
    lambda x: models.perceptron_train(x, np.array([0, 1, 1])),
    lambda x: models.add_bias_column(x),
    lambda x: models.normal_equation(x, np.array([1.0, 2.0, 3.0])),
    lambda x: models.linear_regression_gd(x, np.array([1.0, 2.0, 3.0])),
], ids=["perceptron_predict", "perceptron_train", "add_bias_column", "normal_equation", "linear_regression_gd"])
def test_a_1d_X_is_refused_with_both_fixes(call):
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"X must be 2-D.*X\[:, None\].*X\[None, :\]"):
        call(x)


def test_normal_equation_explains_collinear_columns():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    X = np.column_stack([np.ones(4), x, 2 * x])                # third column = 2 x second
    with pytest.raises(ValueError, match=r"collinear.*rank 2 < 3"):
        models.normal_equation(X, np.arange(4.0))
    with pytest.raises(ValueError, match=r"collinear.*rank 1 < 2"):
        models.normal_equation(np.column_stack([np.ones(4), np.ones(4)]), np.arange(4.0))
    with pytest.raises(ValueError, match=r"only 2 rows for 3 columns"):
        models.normal_equation(X[:2] + np.eye(2, 3), np.arange(2.0))


def test_normal_equation_on_an_ill_conditioned_but_regular_problem():
    # columns 1 and 1 + 1e-7 t: cond(X) ~ 1e8, so cond(X^T X) ~ 1e16 would lose every digit
    t = np.linspace(0, 1, 50)
    X = np.column_stack([np.ones(50), 1 + 1e-7 * t])
    theta = models.normal_equation(X, 3 - 2 * X[:, 1])
    np.testing.assert_allclose(theta, [3.0, -2.0], rtol=1e-6)


def test_linear_regression_gd_reports_divergence():
    X = models.add_bias_column(np.linspace(0, 10, 20)[:, None])
    y = 1 + 2 * X[:, 1]
    lam_max = np.linalg.eigvalsh(X.T @ X / 20)[-1]                # independent of nnlab
    with pytest.raises(FloatingPointError, match=r"diverged.*lr=1 is too large.*2/lambda_max = "
                                                 + f"{2 / lam_max:.4g}"):
        models.linear_regression_gd(X, y, lr=1.0, steps=1000)
    theta, costs = models.linear_regression_gd(X, y, lr=0.9 * 2 / lam_max, steps=3000)
    assert costs[-1] < 1e-6                                         # just below the bound: converges


BAD_CALLS = [
    (lambda: models.perceptron_predict(X_GATE, [1.0, 1.0], [0.0, 1.0]), ValueError, r"\bb\b"),
    (lambda: models.perceptron_predict(X_GATE, [1.0, 1.0], "0"), TypeError, r"\bb\b"),
    (lambda: models.perceptron_predict(X_GATE, None, 0.0), TypeError, r"\bw\b"),
    (lambda: models.perceptron_predict(None, [1.0, 1.0], 0.0), TypeError, r"\bX\b"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), b="a"), TypeError, r"\bb\b"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), epochs="a"), TypeError, "epochs"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), epochs=2.5), TypeError, "epochs"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), epochs=-1), ValueError, "epochs"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), lr=True), TypeError, "lr"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), w=[1.0]), ValueError, r"\bw\b"),
    (lambda: models.perceptron_train(X_GATE, None), TypeError, r"\by\b"),
    (lambda: models.perceptron_train(X_GATE, ["a", "b", "c", "d"]), TypeError, r"\by\b"),
    (lambda: models.add_bias_column(1.0), ValueError, r"\bX\b"),
    (lambda: models.normal_equation(X_GATE, np.zeros((4, 1))), ValueError, r"y must have shape \(4,\).*ravel"),
    (lambda: models.normal_equation(X_GATE, None), TypeError, r"\by\b"),
    (lambda: models.linear_regression_gd(X_GATE, np.zeros(4), steps=1.5), TypeError, "steps"),
    (lambda: models.linear_regression_gd(X_GATE, np.zeros(4), theta=np.zeros(3)), ValueError, "theta"),
    (lambda: models.linear_regression_gd(X_GATE, np.zeros(4), lr=float("nan")), ValueError, "lr"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), lr=1e308, w=[1.0, -1.0]), ValueError,
     r"lr=1e\+308"),
    # a number written as text is not a number (float("0.1") used to accept it)
    (lambda: models.linear_regression_gd(X_GATE, np.zeros(4), lr="0.1"), TypeError, "lr"),
    (lambda: models.perceptron_train(X_GATE, np.array([0, 1, 1, 0]), lr="0.5"), TypeError, "lr"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


def test_labels_as_a_column_are_fine():
    w, b, _ = models.perceptron_train(X_GATE, np.array([[0], [0], [0], [1]]), epochs=50)
    assert models.perceptron_predict(X_GATE, w, b).tolist() == [0, 0, 0, 1]
    w2, b2, _ = models.perceptron_train(X_GATE, np.array([0, 0, 0, 1]), epochs=50)
    np.testing.assert_array_equal(w, w2)
    assert b == b2


# ------------------------------------------------ the plain formulas the book shows
def test_plain_step_equals_the_core_everywhere():
    # a comparison and a choice between 0 and 1: no rounding, so equal exactly,
    # also at 0, -0, the smallest subnormals and the largest floats
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, 3, 1000), [0.0, -0.0, 5e-324, -5e-324, 1e308, -1e308]])
    np.testing.assert_array_equal(models.step(z), activations.step(z))
    assert models.step(np.array([0.0, -0.0, 5e-324])).tolist() == [0.0, 0.0, 1.0]   # step(0) = 0


def test_plain_mse_equals_the_core_while_the_squares_fit_in_a_float():
    # Both evaluate mean((y_hat - y) ** 2) with the same operations in the same
    # order, so they agree to the last bit; rtol = 2 EPS only allows for a
    # different summation order. Errors up to 1e150 (squares up to 1e300) and
    # down to 1e-200 (squares underflow to 0 in both) are in range.
    eps = np.finfo(np.float64).eps
    rng = np.random.default_rng(1)
    for scale in (1e-200, 1e-8, 1.0, 1e8, 1e150):
        y = rng.normal(0, scale, (7, 3))
        y_hat = y + rng.normal(0, scale, (7, 3))
        assert models.mse(y, y_hat) == pytest.approx(losses.mse(y, y_hat), rel=2 * eps, abs=0)
    assert models.mse(np.array([1.0, 2.0]), np.array([2.0, 4.0])) == 2.5        # by hand: (1 + 4) / 2


def test_plain_mse_overflows_where_the_core_does_not():
    # One error of 1e155 among 1000: its square (1e310) overflows, although
    # the mean, 1e307, is a float. The core rescales by the largest error.
    y_hat = np.zeros(1000)
    y_hat[0] = 1e155
    with pytest.raises(ValueError, match="y and y_hat.*nnlab.losses.mse"):
        models.mse(np.zeros(1000), y_hat)
    assert losses.mse(np.zeros(1000), y_hat) == pytest.approx(1e307, rel=1e-12)


# ---------------------------------------------------- issue 10: step(0), lr
def test_step_with_chooses_the_value_at_zero():
    z = np.array([-2.0, -1e-300, 0.0, 1e-300, 3.0])     # worked by hand
    for at_zero in (0.0, 0.5, 1.0):
        got = models.step_with(z, at_zero)
        assert got.tolist() == [0.0, 0.0, at_zero, 1.0, 1.0]
    # at_zero = 0 is the perceptron's step, 1/2 the sign formula
    np.testing.assert_array_equal(models.step_with(z, 0), models.step(z))
    np.testing.assert_array_equal(models.step_with(z, 0.5),
                                  (np.sign(z) + 1) / 2)


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan, "half", None])
def test_step_with_refuses_a_value_at_zero_outside_0_1(bad):
    with pytest.raises((ValueError, TypeError), match="at_zero"):
        models.step_with(np.zeros(2), bad)


def test_learned_and_or_put_a_training_point_on_the_boundary():
    # the chapter's claim: training from zeros with lr = 1 stops with one
    # training point at z = 0 exactly, right only because step(0) = 0
    for y in ([0, 0, 0, 1], [0, 1, 1, 1]):
        w, b, _ = models.perceptron_train(X_GATE, np.array(y), lr=1.0)
        z = X_GATE @ w + b
        assert np.sum(z == 0) == 1 and y[int(np.argmax(z == 0))] == 0
        assert np.sum(models.step_with(z, 1.0) != y) == 1


def test_largest_stable_lr_hand_value_and_the_divergence_edge():
    # XᵀX / m = diag(1, 4) for these rows: λmax = 4, bound 2/4 = 0.5
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]]) * \
        math.sqrt(2)
    assert models.largest_stable_lr(X) == pytest.approx(0.5, rel=1e-12)
    y = np.array([1.0, -1.0, 2.0, 0.0])
    models.linear_regression_gd(X, y, lr=0.49, steps=2000)   # converges
    with pytest.raises(FloatingPointError, match="0.5"):
        models.linear_regression_gd(X, y, lr=0.51, steps=2000)
    assert models.largest_stable_lr(np.zeros((3, 2))) == math.inf


def test_largest_stable_lr_does_not_overflow_for_huge_features():
    # XᵀX would overflow (1e400); λmax = 2e400 / 2 = 1e400, bound 2e-400
    # underflows to 0 exactly: every positive learning rate diverges
    X = np.array([[1e200, 0.0], [0.0, 1e200]])
    with np.errstate(all="raise"):
        assert models.largest_stable_lr(X) == 0.0
    X = np.array([[3e150, 0.0], [0.0, 1.0]])    # λmax = 9e300 / 2, by hand
    assert models.largest_stable_lr(X) == pytest.approx(2 / 4.5e300,
                                                        rel=1e-12)
