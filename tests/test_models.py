"""Chapter 1's single-neuron models: perceptron and linear regression."""
from __future__ import annotations

import numpy as np
import pytest

from nnlab import data, models

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
