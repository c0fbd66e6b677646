"""nnlab.chapters.ch02_logistic: logistic regression (Chapter 2).

Gradients are checked by finite differences (nnlab.gradcheck); trained models are
compared with scikit-learn's unpenalized LogisticRegression and, when installed,
with PyTorch's autograd; the lecture notes' worked examples are recomputed by hand.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import activations, data
from nnlab.chapters import ch02_logistic as ch2
from nnlab.chapters import ch03_softmax as ch3
from nnlab.gradcheck import check_gradient

# The lecture notes' Stack Exchange example: columns are the classes C, Java, Python.
W_SE = np.array([[0.2, 0.5, -0.1], [0.8, -0.4, 0.2], [-0.5, 0.3, 0.7]])
B_SE = np.array([-0.1, 0.2, 0.1])
X_SE = np.array([[1.0, 2.0, 0.0]])


BAD_CALLS = [
    (lambda: ch2.logistic_predict(np.ones((2, 2)), np.ones(2), 0.0, threshold=None), TypeError, "threshold"),
    (lambda: ch2.logistic_predict(np.ones((2, 2)), np.ones(2), 0.0, threshold=np.array([0.3, 0.6])),
     TypeError, "threshold"),
    (lambda: ch2.logistic_predict(np.ones((2, 2)), np.ones(2), 0.0, threshold=float("nan")), ValueError, "threshold"),
    (lambda: ch3.multilabel_predict(np.ones((2, 2)) / 2, threshold="0.5"), TypeError, "threshold"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], b="a"), TypeError, r"\bb\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], b=[0.0, 1.0]), ValueError, r"\bb\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], w=np.ones(3)), ValueError, r"\bw\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], lr=True), TypeError, r"\blr\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), None), TypeError, r"\by\b"),
    (lambda: ch3.softmax_regression_fit(np.ones((2, 2)), [0, 1], n_classes=2.0), TypeError, "n_classes"),
    (lambda: ch3.softmax_regression_fit(np.ones((2, 2)), [0, 1], n_classes=0), ValueError, "n_classes"),
    (lambda: ch3.softmax_regression_fit(np.ones((2, 2)), [0, 2], n_classes=2), ValueError, r"\by\b.*outside"),
    (lambda: ch3.softmax_regression_fit(np.ones((2, 2)), [0, -1], n_classes=2), ValueError, r"\by\b.*outside"),
    (lambda: ch3.softmax_regression_fit(np.ones((2, 2)), np.array([0.0, 1.5]), n_classes=2), TypeError, r"\by\b"),
    (lambda: ch3.softmax_regression_fit(np.ones((2, 2)), [0, 1], n_classes=2, W=np.ones((2, 3))), ValueError, r"\bW\b"),
    (lambda: ch3.softmax_regression_fit(np.ones((2, 2)), [0, 1], n_classes=2, b=np.ones(3)), ValueError, r"\bb\b"),
    (lambda: ch3.multilabel_fit(np.ones((2, 2)), np.ones((2, 3)), W=np.ones((2, 2))), ValueError, r"\bW\b"),
    (lambda: ch3.softmax_regression_loss(np.ones((2, 2)), None, np.ones((2, 2)), np.ones(2)), TypeError, r"\by\b"),
    # an absurd learning rate: the weights would overflow (the gradients are bounded otherwise)
    (lambda: ch2.logistic_regression_fit(4 * np.eye(2), [0, 1], lr=1e308, epochs=3), ValueError, r"lr=1e\+308"),
    (lambda: ch3.softmax_regression_fit(4 * np.eye(2), [0, 1], 2, lr=1e308, epochs=3), ValueError, r"lr=1e\+308"),
    (lambda: ch3.multilabel_fit(4 * np.eye(2), np.eye(2), lr=1e308, epochs=3), ValueError, r"lr=1e\+308"),
]



def _overlapping_blobs(n_classes=2, m=80, seed=3):
    X, y = data.make_blobs(n_samples=m, noise=2.5, seed=seed, n_classes=n_classes)
    return data.Standardizer().fit_transform(X), y


def test_spam_email_example():
    x, w, b = np.array([1.0, 2.0, 0.0]), np.array([0.2, 0.5, -0.3]), -0.1
    one = ch2.logistic_one_sample(x, 0, w, b)
    assert one["z"] == pytest.approx(1.1)
    assert one["a"] == pytest.approx(1 / (1 + math.exp(-1.1)))
    assert one["loss"] == pytest.approx(math.log(1 + math.exp(1.1)), rel=1e-12)   # -log(1 - sigma(1.1))
    assert one["loss"] != pytest.approx(0.2877, abs=1e-3)                          # the notes' erratum
    assert one["dz"] == pytest.approx(one["dL_da"] * one["da_dz"])
    np.testing.assert_allclose(one["dw"], x * one["dz"])


def test_logistic_gradients_by_finite_differences(rng):
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 2, size=7)
    w, b = rng.normal(size=3), np.array([0.3])
    dw, db = ch2.logistic_gradients(X, y, w, b[0])
    assert dw.shape == w.shape and isinstance(db, float)
    assert check_gradient(lambda _: ch2.logistic_loss(X, y, w, b[0]), w, dw) < 1e-7
    assert check_gradient(lambda _: ch2.logistic_loss(X, y, w, b[0]), b, np.array([db])) < 1e-7


def test_one_sample_matches_vectorized_with_m_1(rng):
    x, w = rng.normal(size=4), rng.normal(size=4)
    one = ch2.logistic_one_sample(x, 1, w, -0.2)
    dw, db = ch2.logistic_gradients(x[None, :], [1], w, -0.2)
    np.testing.assert_allclose(one["dw"], dw)
    assert one["db"] == pytest.approx(db)
    assert one["loss"] == pytest.approx(ch2.logistic_loss(x[None, :], [1], w, -0.2))


def test_logistic_fit_matches_scikit_learn():
    linear_model = pytest.importorskip("sklearn.linear_model", reason="scikit-learn is the independent reference")
    X, y = _overlapping_blobs()
    w, b, history = ch2.logistic_regression_fit(X, y, lr=1.0, epochs=3000)
    assert len(history) == 3001 and all(a >= c - 1e-15 for a, c in zip(history, history[1:]))
    ref = linear_model.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(w, ref.coef_[0], atol=1e-4)
    assert b == pytest.approx(ref.intercept_[0], abs=1e-4)
    np.testing.assert_array_equal(ch2.logistic_predict(X, w, b), ref.predict(X))


def test_rejects_integer_features():
    with pytest.raises(TypeError, match="X must be a floating-point array"):
        ch2.logistic_forward(np.ones((2, 3), dtype=int), np.ones(3), 0.0)


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_more_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()
