"""nnlab.chapters.ch03_softmax: softmax and multi-label regression.

Gradients are checked by finite differences (nnlab.gradcheck); trained
models are compared with scikit-learn's unpenalized LogisticRegression and,
when installed, with PyTorch's autograd; the lecture notes' worked examples
are recomputed by hand. The plain formulas (softmax, cross_entropy, mae,
logit) are checked against the core versions the book names, on ordinary
and extreme inputs, and against mpmath where a reference is needed.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import activations, data, losses
from nnlab.chapters import ch02_logistic as ch2
from nnlab.chapters import ch03_softmax as ch3
from nnlab.gradcheck import check_gradient

# The lecture notes' Stack Exchange example: columns are the classes C, Java, Python.
W_SE = np.array([[0.2, 0.5, -0.1], [0.8, -0.4, 0.2], [-0.5, 0.3, 0.7]])
B_SE = np.array([-0.1, 0.2, 0.1])
X_SE = np.array([[1.0, 2.0, 0.0]])


_P = np.full((2, 2), 0.5)
_Z2 = np.ones((2, 2))
_ragged = [[1.0, 0.0], [1.0]]

BAD_CALLS = [
    (lambda: ch3.multilabel_predict(_P, threshold="0.5"),
     TypeError, "threshold"),
    (lambda: ch3.multilabel_predict(_P, from_logits="no"),
     TypeError, "from_logits"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, 1], n_classes=2.0),
     TypeError, "n_classes"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, 1], n_classes=0),
     ValueError, "n_classes"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, 2], n_classes=2),
     ValueError, r"\by\b.*outside"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, -1], n_classes=2),
     ValueError, r"\by\b.*outside"),
    (lambda: ch3.softmax_regression_fit(_Z2, np.array([0.0, 1.5]), 2),
     TypeError, r"\by\b"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, 1], 2, W=np.ones((2, 3))),
     ValueError, r"\bW\b"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, 1], 2, b=np.ones(3)),
     ValueError, r"\bb\b"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, 1], 2, lr=True),
     TypeError, r"\blr\b"),
    (lambda: ch3.softmax_regression_fit(_Z2, [0, 1], 2, epochs=-1),
     ValueError, r"\bepochs\b"),
    (lambda: ch3.multilabel_fit(_Z2, np.ones((2, 3)), W=np.ones((2, 2))),
     ValueError, r"\bW\b"),
    (lambda: ch3.multilabel_fit(_Z2, np.ones(2)), ValueError, r"\bY\b"),
    (lambda: ch3.softmax_regression_loss(_Z2, None, _Z2, np.ones(2)),
     TypeError, r"\by\b"),
    # a ragged list of labels: a TypeError naming y / Y, not NumPy's
    # "inhomogeneous shape" ValueError
    (lambda: ch3.softmax_regression_loss(_Z2, _ragged, _Z2, np.ones(2)),
     TypeError, r"\by\b"),
    (lambda: ch3.multilabel_loss(_Z2, _ragged, _Z2, np.ones(2)),
     TypeError, r"\bY\b"),
    # an absurd learning rate: the weights would overflow (the gradients
    # are bounded otherwise)
    (lambda: ch3.softmax_regression_fit(4 * np.eye(2), [0, 1], 2, lr=1e308,
                                        epochs=3),
     ValueError, r"lr=1e\+308"),
    (lambda: ch3.multilabel_fit(4 * np.eye(2), np.eye(2), lr=1e308,
                                epochs=3),
     ValueError, r"lr=1e\+308"),
    # the plain formulas check their inputs too
    (lambda: ch3.softmax("abc"), TypeError, r"\bz\b"),
    (lambda: ch3.softmax(np.array(1.5)), ValueError, r"\bz\b"),
    (lambda: ch3.cross_entropy([0, 3], _P), ValueError, r"\bY\b.*outside"),
    (lambda: ch3.cross_entropy([0, 1], 3 * _P), ValueError, r"\bP\b"),
    (lambda: ch3.cross_entropy([0, 1], np.ones(2)), ValueError, r"\bP\b"),
    (lambda: ch3.mae(np.ones(3), np.ones(2)), ValueError, r"\by_hat\b"),
    (lambda: ch3.mae(None, np.ones(2)), TypeError, r"\by\b"),
    (lambda: ch3.logit(np.array([0.0, 0.5])), ValueError, r"\bp\b"),
    (lambda: ch3.logit("0.5"), TypeError, r"\bp\b"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS,
                         ids=range(len(BAD_CALLS)))
def test_more_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


def _overlapping_blobs(n_classes=2, m=80, seed=3):
    X, y = data.make_blobs(n_samples=m, noise=2.5, seed=seed, n_classes=n_classes)
    return data.Standardizer().fit_transform(X), y


def test_stack_exchange_softmax_and_multilabel():
    z = np.array([1.7, -0.1, 0.4])                      # by hand: x @ W + b
    np.testing.assert_allclose(ch3.logits(X_SE, W_SE, B_SE)[0], z, atol=1e-15)
    p = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(ch3.softmax_regression_forward(X_SE, W_SE, B_SE)[0], p, rtol=1e-14)
    assert ch3.softmax_regression_loss(X_SE, np.array([2]), W_SE, B_SE) == pytest.approx(-math.log(p[2]), rel=1e-13)
    s = 1 / (1 + np.exp(-z))
    expected = -(math.log(s[0]) + math.log(1 - s[1]) + math.log(s[2]))
    assert ch3.multilabel_loss(X_SE, np.array([[1, 0, 1]]), W_SE, B_SE) == pytest.approx(expected, rel=1e-13)


def test_multilabel_thresholds_on_probabilities_and_logits():
    P = np.array([[0.85, 0.15, 0.65], [0.25, 0.70, 0.40], [0.30, 0.45, 0.80]])
    np.testing.assert_array_equal(ch3.multilabel_predict(P), [[1, 0, 1], [0, 1, 0], [0, 0, 1]])
    Z = np.array([[2.0, -1.0, 0.5], [0.5, 1.5, 0.2], [-0.5, 0.3, 2.2]])
    np.testing.assert_array_equal(ch3.multilabel_predict(Z, from_logits=True), [[1, 0, 1], [1, 1, 1], [0, 1, 1]])
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(200, 4)) * 3
    for t in (0.2, 0.5, 0.9):
        np.testing.assert_array_equal(ch3.multilabel_predict(Z, t, from_logits=True),
                                      ch3.multilabel_predict(1 / (1 + np.exp(-Z)), t))
    assert activations.logit(0.5) == 0.0
    np.testing.assert_allclose(1 / (1 + np.exp(-activations.logit(np.array([0.1, 0.7])))), [0.1, 0.7])


def test_temperature():
    z = np.array([2.0, 1.0, 0.1])
    np.testing.assert_allclose(ch3.softmax_temperature(z), np.exp(z) / np.exp(z).sum(), rtol=1e-14)
    np.testing.assert_allclose(ch3.softmax_temperature(z, 1e-3), [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(ch3.softmax_temperature(z, 1e6), np.full(3, 1 / 3), atol=1e-6)


def test_two_class_softmax_is_logistic():
    """softmax(z1, z2)_1 = sigma(z1 - z2): the two-class softmax CE equals BCE."""
    X, y = _overlapping_blobs()
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(2, 2)), rng.normal(size=2)
    w, b1 = W[:, 1] - W[:, 0], b[1] - b[0]
    assert ch3.softmax_regression_loss(X, y, W, b) == pytest.approx(ch2.logistic_loss(X, y, w, b1), rel=1e-12)
    np.testing.assert_allclose(ch3.softmax_regression_forward(X, W, b)[:, 1], ch2.logistic_forward(X, w, b1), rtol=1e-12)


@pytest.mark.parametrize("labels", [True, False], ids=["int-labels", "one-hot"])
def test_softmax_gradients_by_finite_differences(rng, labels):
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 4, size=6)
    Y = y if labels else data.one_hot(y, 4)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    dW, db = ch3.softmax_regression_gradients(X, Y, W, b)
    assert dW.shape == W.shape and db.shape == b.shape
    assert check_gradient(lambda _: ch3.softmax_regression_loss(X, Y, W, b), W, dW) < 1e-7
    assert check_gradient(lambda _: ch3.softmax_regression_loss(X, Y, W, b), b, db) < 1e-7


def test_multilabel_gradients_by_finite_differences(rng):
    X, Y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=(5, 2))
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    dW, db = ch3.multilabel_gradients(X, Y, W, b)
    assert check_gradient(lambda _: ch3.multilabel_loss(X, Y, W, b), W, dW) < 1e-7
    assert check_gradient(lambda _: ch3.multilabel_loss(X, Y, W, b), b, db) < 1e-7


def test_softmax_fit_matches_scikit_learn():
    linear_model = pytest.importorskip("sklearn.linear_model", reason="scikit-learn is the independent reference")
    X, y = _overlapping_blobs(n_classes=3, m=90)
    W, b, history = ch3.softmax_regression_fit(X, y, n_classes=3, lr=1.0, epochs=3000)
    assert W.shape == (2, 3) and history[-1] < history[0]
    ref = linear_model.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    # softmax weights are defined up to a constant per feature: compare probabilities
    np.testing.assert_allclose(ch3.softmax_regression_forward(X, W, b), ref.predict_proba(X), atol=1e-4)
    np.testing.assert_array_equal(ch3.softmax_regression_predict(X, W, b), ref.predict(X))


def test_multilabel_fit_is_k_logistic_regressions():
    X, y = _overlapping_blobs(n_classes=4, m=80)
    Y = np.column_stack([y % 2, (y >= 2)]).astype(np.int64)          # two overlapping labels
    W, b, _ = ch3.multilabel_fit(X, Y, lr=0.5, epochs=200)
    for k in range(2):
        w_k, b_k, _ = ch2.logistic_regression_fit(X, Y[:, k], lr=0.5, epochs=200)
        np.testing.assert_allclose(W[:, k], w_k, rtol=1e-12, atol=1e-14)
        assert b[k] == pytest.approx(b_k, rel=1e-12)


@pytest.mark.torch
def test_gradients_match_torch_autograd(torch, rng):
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    W, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(torch.tensor(X) @ Wt + bt, torch.tensor(y))
    loss.backward()
    dW, db = ch3.softmax_regression_gradients(X, y, W, b)
    assert ch3.softmax_regression_loss(X, y, W, b) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-10)
    w, yb = W[:, 0], (y == 0).astype(float)
    wt = torch.tensor(w, requires_grad=True)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(X) @ wt + 0.5, torch.tensor(yb))
    bce.backward()
    np.testing.assert_allclose(ch2.logistic_gradients(X, yb, w, 0.5)[0], wt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("call, match", [
    (lambda: ch2.logistic_forward(np.ones(3), np.ones(3), 0.0), "X must be 2-D"),
    (lambda: ch2.logistic_forward(np.ones((2, 3)), np.ones(2), 0.0), "w must have shape"),
    (lambda: ch2.logistic_forward(np.ones((2, 3)), np.ones(3), np.ones(2)), "b must be a single number"),
    (lambda: ch2.logistic_loss(np.ones((2, 3)), [0, 2], np.ones(3), 0.0), "y must hold 0/1"),
    (lambda: ch2.logistic_gradients(np.ones((2, 3)), [0, 1, 1], np.ones(3), 0.0), r"y must have shape \(2,\)"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 3)), [0, 1], lr=-1.0), "lr must be"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 3)), [0, 1], epochs=2.5), "epochs must be"),
    (lambda: ch2.logistic_predict(np.ones((2, 3)), np.ones(3), 0.0, threshold=1.0), "threshold"),
    (lambda: ch3.softmax_regression_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones(4)), r"W must have shape \(3, K\)"),
    (lambda: ch3.softmax_regression_forward(np.ones((2, 3)), np.ones((3, 4)), np.ones(3)), r"b must have shape \(4,\)"),
    (lambda: ch3.softmax_regression_loss(np.ones((2, 3)), np.array([0, 4]), np.ones((3, 4)), np.ones(4)), "outside"),
    (lambda: ch3.softmax_regression_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 4)), np.ones(4)), "one-hot"),
    (lambda: ch3.multilabel_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 4)), np.ones(4)), r"Y must have shape \(2, 4\)"),
    (lambda: ch3.multilabel_predict(np.array([[0.2, 1.5]])), "from_logits=True"),
    (lambda: activations.logit(np.array([0.0, 0.5])), "strictly between 0 and 1"),
    (lambda: ch3.softmax_temperature([1.0, 2.0], 0.0), "temperature must be"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_softmax_fit_keeps_a_class_missing_from_the_training_labels():
    X, y = _overlapping_blobs(n_classes=3, m=60)
    seen = y != 2                                     # class 2 absent from this training set
    W, b, _ = ch3.softmax_regression_fit(X[seen], y[seen], n_classes=3, epochs=5)
    assert W.shape == (2, 3) and b.shape == (3,)      # it once came out (2, 2)
    with pytest.raises(TypeError, match=r"n_classes"):
        ch3.softmax_regression_fit(X[seen], y[seen], epochs=5)
    W1, b1, h1 = ch3.softmax_regression_fit(X, data.one_hot(y, 3), epochs=5)   # one-hot: K from its columns
    W2, b2, h2 = ch3.softmax_regression_fit(X, y, 3, epochs=5)
    np.testing.assert_array_equal(W1, W2)
    assert h1 == h2
    with pytest.raises(ValueError, match=r"one-hot with 3 columns but n_classes=4"):
        ch3.softmax_regression_fit(X, data.one_hot(y, 3), n_classes=4, epochs=5)


def test_label_columns_are_accepted_and_bools_explained(rng):
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    W, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    assert ch3.softmax_regression_loss(X, y[:, None], W, b) == ch3.softmax_regression_loss(X, y, W, b)
    yb = (y == 0).astype(np.int64)
    assert ch2.logistic_loss(X, yb[:, None], W[:, 0], 0.1) == ch2.logistic_loss(X, yb, W[:, 0], 0.1)
    with pytest.raises(TypeError, match=r"y has dtype bool.*astype\(np.int64\)") as info:
        ch3.softmax_regression_loss(X, y == 0, W, b)
    assert "float64" not in str(info.value)
    with pytest.raises(ValueError, match=r"integer labels of shape \(6,\).*argmax"):
        ch3.softmax_regression_loss(X, np.eye(3, dtype=np.int64)[y], W, b)


def test_multilabel_forward_is_a_sigmoid_per_entry():
    z = np.array([1.7, -0.1, 0.4])                      # x @ W + b of the Stack Exchange example
    np.testing.assert_allclose(ch3.multilabel_forward(X_SE, W_SE, B_SE)[0],
                               [1 / (1 + math.exp(-v)) for v in z], rtol=1e-14)



# ---------------------------------------------------------------------------
# The chapter's plain formulas agree with the careful core versions.
# Tolerances: eps is float64's machine epsilon (2.2e-16). A sum of N terms
# of one sign is exact to (N - 1) eps relative, a quotient or a log to
# half an ulp; the bounds below add these up for each formula. pytest
# turns every RuntimeWarning (overflow, log 0) into an error (pyproject),
# so these tests also prove that no formula warns.
EPS64 = np.finfo(np.float64).eps


@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0, 1e300])
def test_plain_softmax_equals_the_core(rng, scale):
    """Ordinary logits, and logits far beyond exp's range (e^1000 and
    e^(1e300) overflow unless the largest logit is subtracted first)."""
    Z = rng.normal(size=(40, 7)) * scale
    P = ch3.softmax(Z)
    # exp of the same shifted logits, then K = 7 positive terms summed
    # (at most 6 eps) and one division (half an ulp)
    np.testing.assert_allclose(P, activations.softmax(Z), rtol=7 * EPS64,
                               atol=0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=8 * EPS64)


def test_plain_softmax_on_extremes_and_float32():
    z = np.array([1000.0, 1001.0, 999.0])
    mpmath = pytest.importorskip("mpmath", reason="independent reference")
    exact = [mpmath.exp(v) / sum(mpmath.exp(u) for u in z) for v in z]
    np.testing.assert_allclose(ch3.softmax(z), [float(v) for v in exact],
                               rtol=4 * EPS64)
    z32 = np.array([[0.5, -2.0, 3.25, 1.0]], dtype=np.float32)
    p32 = ch3.softmax(z32)
    assert p32.dtype == np.float32
    np.testing.assert_allclose(p32, activations.softmax(z32),
                               rtol=4 * np.finfo(np.float32).eps)
    # a spread beyond the float range: z - max(z) overflows. The core
    # still answers (1, 0); the plain formula says it cannot, and where
    # to go instead, rather than warning and returning NaN.
    wide = np.array([1e308, -1e308])
    assert activations.softmax(wide).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match=r"activations\.softmax"):
        ch3.softmax(wide)


def test_plain_cross_entropy_equals_the_core(rng):
    m, K = 25, 4
    P = activations.softmax(rng.normal(size=(m, K)) * 2)
    y = rng.integers(0, K, size=m)
    soft = activations.softmax(rng.normal(size=(m, K)))
    # m·K products of one sign summed: at most m·K eps relative
    tol = m * K * EPS64
    for target in (y, data.one_hot(y, K), soft):
        assert ch3.cross_entropy(target, P) == pytest.approx(
            losses.cross_entropy(target, P), rel=tol)
    # probabilities 0 and 1 are clipped to [1e-12, 1 - 1e-12] by both
    hard = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    labels = np.array([0, 2, 1])
    value = ch3.cross_entropy(labels, hard)
    assert value == pytest.approx(losses.cross_entropy(labels, hard),
                                  rel=1e-15)
    by_hand = -(math.log(1 - 1e-12) + math.log(1e-12) + math.log(0.5)) / 3
    assert value == pytest.approx(by_hand, rel=1e-15)


def test_plain_cross_entropy_on_float32_probabilities(rng):
    """The core clips float32 at 2.4e-7 (float32 has no 1 - 1e-12) and
    takes its logs in float32 (6e-8 relative each); away from 0 and 1 the
    two agree to that precision."""
    P = activations.softmax(rng.normal(size=(10, 3))).astype(np.float32)
    y = rng.integers(0, 3, size=10)
    assert ch3.cross_entropy(y, P) == pytest.approx(
        losses.cross_entropy(y, P), rel=1e-6)


def test_plain_mae_equals_the_core(rng):
    y, y_hat = rng.normal(size=(30, 4)), rng.normal(size=(30, 4)) * 5
    # 120 absolute differences (each exact to half an ulp) summed
    assert ch3.mae(y, y_hat) == pytest.approx(losses.mae(y, y_hat),
                                              rel=120 * EPS64)
    assert ch3.mae([3.0, 5.0], [4.0, 3.0]) == 1.5              # by hand
    # large but valid: the four differences and their sum stay in range
    big = np.array([1e307, -3e307, 2e307, 0.0])
    assert ch3.mae(-big, big) == pytest.approx(losses.mae(-big, big),
                                               rel=4 * EPS64)
    # |2·big| = 2e307, 6e307, 4e307, 0: they sum to 1.2e308 < 1.8e308
    assert ch3.mae(-big, big) == pytest.approx(3e307, rel=4 * EPS64)


def test_plain_mae_beyond_the_float_range():
    """Where the plain formula overflows (a difference or the sum of the
    errors beyond 1.8e308) it raises and names the core version, which
    still averages (1.5e308 and 1.5e308 average to 1.5e308)."""
    y = np.zeros(2)
    y_hat = np.full(2, 1.5e308)
    assert losses.mae(y, y_hat) == 1.5e308
    for target, pred in ((y, y_hat), (np.full(2, -1e308), np.full(2, 1e308))):
        with pytest.raises(ValueError, match=r"losses\.mae"):
            ch3.mae(target, pred)


def _logit_bound(p):
    """|plain − core| ≤ 4 eps (1 + |log p| + |log(1 − p)|): the quotient
    p / (1 − p) is exact to 2 eps relative (1 − p rounds only for p < 1/2),
    so its log to 2 eps absolute plus half an ulp; the core's log p and
    log1p(−p) are each exact to an ulp of their size."""
    return 4 * EPS64 * (1 + np.abs(np.log(p)) + np.abs(np.log1p(-p)))


def test_plain_logit_equals_the_core():
    p = np.concatenate([np.linspace(0.001, 0.999, 999),
                        [0.5, 0.5 + 2.0 ** -40, 1e-10, 1 - 1e-10, 1e-300,
                         5e-324, 1 - 2.0 ** -53]])
    plain, core = ch3.logit(p), activations.logit(p)
    assert np.all(np.abs(plain - core) <= _logit_bound(p))
    assert ch3.logit(0.5) == 0.0 and activations.logit(0.5) == 0.0


def test_plain_logit_against_mpmath():
    mpmath = pytest.importorskip("mpmath", reason="independent reference")
    mpmath.mp.dps = 40
    for p in (1e-300, 0.1, 0.3, 0.7, 0.999, 1 - 2.0 ** -53):
        exact = mpmath.log(mpmath.mpf(p) / (1 - mpmath.mpf(p)))
        assert abs(ch3.logit(p) - float(exact)) <= _logit_bound(p)


@pytest.mark.parametrize("T", [0.25, 1.0, 3.0])
def test_temperature_is_the_softmax_of_scaled_logits(rng, T):
    Z = rng.normal(size=(5, 4)) * 3
    np.testing.assert_allclose(ch3.softmax_temperature(Z, T),
                               activations.softmax(Z / T), rtol=1e-14)


# ---------------------------------------------------------------------------
# The softmax Jacobian and the gradient "p̂ − y", derived step by step; the
# information quantities (entropy, KL divergence, label smoothing).
def _ce_of_logits(z, y):
    """−Σ yₖ log softmax(z)ₖ, written with math.log / math.exp only."""
    zmax = max(z)
    log_total = zmax + math.log(sum(math.exp(v - zmax) for v in z))
    return -sum(yk * (zk - log_total) for yk, zk in zip(y, z))


def test_softmax_jacobian_two_classes_by_hand():
    # K = 2: p̂₁ = σ(z₁ − z₂), so ∂p̂₁/∂z₁ = p̂₁(1 − p̂₁) = −∂p̂₁/∂z₂
    z = np.array([0.3, -0.5])
    s = 1 / (1 + math.exp(-0.8))
    d = s * (1 - s)
    np.testing.assert_allclose(ch3.softmax_jacobian(z),
                               [[d, -d], [-d, d]], rtol=1e-12)


def test_softmax_jacobian_by_finite_differences(rng):
    z = rng.normal(size=5)
    J = ch3.softmax_jacobian(z)
    h = 1e-6
    numeric = np.column_stack([
        (ch3.softmax(z + h * e) - ch3.softmax(z - h * e)) / (2 * h)
        for e in np.eye(5)])                    # column j: ∂p̂/∂zⱼ
    np.testing.assert_allclose(J, numeric, atol=1e-9)
    np.testing.assert_allclose(J, J.T, atol=0)
    np.testing.assert_allclose(J.sum(axis=1), 0, atol=1e-15)


@pytest.mark.parametrize("soft", [False, True], ids=["one-hot", "soft"])
def test_logit_gradient_is_the_chain_rule_and_finite_differences(rng, soft):
    z = rng.normal(size=4) * 2
    y = rng.dirichlet(np.ones(4)) if soft else np.eye(4)[2]
    g = ch3.cross_entropy_logit_gradient(z, y)
    p = ch3.softmax(z)
    chain = ch3.softmax_jacobian(z).T @ (-y / p)     # Jᵀ · dL/dp̂
    np.testing.assert_allclose(g, chain, atol=1e-12)
    h = 1e-6
    numeric = [(_ce_of_logits(z + h * e, y) - _ce_of_logits(z - h * e, y))
               / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(g, numeric, atol=1e-8)
    assert abs(g.sum()) < 1e-15                      # Σ (p̂ − y) = 1 − 1


def test_logit_gradient_takes_a_class_index():
    z = np.array([1.7, -0.1, 0.4])
    np.testing.assert_array_equal(ch3.cross_entropy_logit_gradient(z, 2),
                                  ch3.softmax(z) - np.array([0, 0, 1.0]))
    with pytest.raises(ValueError, match=r"\by\b"):
        ch3.cross_entropy_logit_gradient(z, 3)
    with pytest.raises(ValueError, match=r"\by\b"):
        ch3.cross_entropy_logit_gradient(z, np.array([0.5, 0.6, 0.0]))
    with pytest.raises(ValueError, match=r"\bz\b"):
        ch3.cross_entropy_logit_gradient(np.ones((2, 3)), 0)


def test_entropy_hand_values():
    H0 = ch3.entropy(np.array([0.0, 1.0, 0.0]))
    assert H0 == 0.0 and math.copysign(1, H0) == 1     # not −0.0
    assert ch3.entropy(np.full(4, 0.25)) == pytest.approx(math.log(4),
                                                          rel=1e-15)
    # (½, ¼, ¼): ½ log 2 + 2 · ¼ log 4 = 1.5 log 2
    assert ch3.entropy(np.array([0.5, 0.25, 0.25])) == pytest.approx(
        1.5 * math.log(2), rel=1e-15)


def test_kl_divergence_hand_values_and_properties(rng):
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert ch3.kl_divergence(p, q) == pytest.approx(
        0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1), rel=1e-14)
    assert ch3.kl_divergence(q, p) == pytest.approx(
        0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5), rel=1e-14)
    assert ch3.kl_divergence(p, q) != pytest.approx(ch3.kl_divergence(q, p))
    assert ch3.kl_divergence(q, q) == 0.0
    for _ in range(20):
        a, b = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        assert ch3.kl_divergence(a, b) > 0
    # a zero in p is skipped (0 · log 0 = 0); a zero in q alone is infinite
    assert ch3.kl_divergence(np.array([1.0, 0.0]), q) == pytest.approx(
        -math.log(0.9), rel=1e-14)
    with pytest.raises(ValueError, match="infinite"):
        ch3.kl_divergence(p, np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"\bq\b"):
        ch3.kl_divergence(p, np.array([0.3, 0.3, 0.4]))
    with pytest.raises(ValueError, match=r"\bp\b"):
        ch3.entropy(np.array([0.5, 0.6]))


def test_cross_entropy_is_entropy_plus_kl(rng):
    for _ in range(10):
        y, p = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
        ce = _ce_of_logits(np.log(p), y)         # −Σ yₖ log pₖ, by hand
        assert ch3.cross_entropy(y[None], p[None]) == pytest.approx(ce)
        assert ch3.entropy(y) + ch3.kl_divergence(y, p) == pytest.approx(
            ce, rel=1e-12)


def test_smooth_labels():
    Y = ch3.smooth_labels(np.array([0, 2]), 4, epsilon=0.2)
    np.testing.assert_allclose(Y, [[0.85, 0.05, 0.05, 0.05],
                                   [0.05, 0.05, 0.85, 0.05]], rtol=1e-15)
    np.testing.assert_array_equal(ch3.smooth_labels([1], 3, 0.0),
                                  [[0.0, 1.0, 0.0]])
    with pytest.raises(ValueError, match=r"\bepsilon\b"):
        ch3.smooth_labels([1], 3, 1.5)
    with pytest.raises(ValueError, match=r"\by\b"):
        ch3.smooth_labels([3], 3)
