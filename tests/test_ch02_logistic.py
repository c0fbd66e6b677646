"""nnlab.chapters.ch02_logistic: logistic regression (Chapter 2).

Gradients are checked by finite differences (nnlab.gradcheck); the trained
model is compared with scikit-learn's unpenalized LogisticRegression; the
lecture notes' worked examples are recomputed by hand; the plain formulas the
book shows (sigmoid, logit, binary_cross_entropy) are checked against the
core versions they stand for.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import activations, data, losses
from nnlab.chapters import ch02_logistic as ch2
from nnlab.gradcheck import check_gradient

BAD_CALLS = [
    (lambda: ch2.logistic_predict(np.ones((2, 2)), np.ones(2), 0.0, threshold=None), TypeError, "threshold"),
    (lambda: ch2.logistic_predict(np.ones((2, 2)), np.ones(2), 0.0, threshold=np.array([0.3, 0.6])),
     TypeError, "threshold"),
    (lambda: ch2.logistic_predict(np.ones((2, 2)), np.ones(2), 0.0, threshold=float("nan")), ValueError, "threshold"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], b="a"), TypeError, r"\bb\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], b=[0.0, 1.0]), ValueError, r"\bb\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], w=np.ones(3)), ValueError, r"\bw\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], lr=True), TypeError, r"\blr\b"),
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), None), TypeError, r"\by\b"),
    # an absurd learning rate: the weights would overflow (the gradients are bounded otherwise)
    (lambda: ch2.logistic_regression_fit(4 * np.eye(2), [0, 1], lr=1e308, epochs=3), ValueError, r"lr=1e\+308"),
    # a number written as text is not a number (float("0.1") used to accept it)
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], lr="0.1"), TypeError, r"\blr\b"),
    # a count that is not an integer is the wrong kind of argument, as in Chapter 1
    (lambda: ch2.logistic_regression_fit(np.ones((2, 2)), [0, 1], epochs=2.5), TypeError, "epochs"),
    (lambda: ch2.sigmoid_mse_dz(5.0, 2.0), ValueError, r"\by\b"),
    (lambda: ch2.sigmoid_bce_dz([1.0, 2.0], [0.0]), ValueError, r"\bz\b.*\by\b"),
    (lambda: ch2.sigmoid_bce_dz("a", 0.0), TypeError, r"\bz\b"),
    (lambda: ch2.logistic_mse(np.ones((2, 2)), [0, 1], np.ones(3), 0.0), ValueError, r"\bw\b"),
    (lambda: ch2.logistic_mse(np.ones((2, 2)), [0, 2], np.ones(2), 0.0), ValueError, r"\by\b"),
]


def _overlapping_blobs(m=80, seed=3):
    X, y = data.make_blobs(n_samples=m, noise=2.5, seed=seed, n_classes=2)
    return data.Standardizer().fit_transform(X), y


def test_spam_email_example():
    x, w, b = np.array([1.0, 2.0, 0.0]), np.array([0.2, 0.5, -0.3]), -0.1
    one = ch2.logistic_one_sample(x, 0, w, b)
    assert one["z"] == pytest.approx(1.1)
    assert one["a"] == pytest.approx(1 / (1 + math.exp(-1.1)))
    assert one["loss"] == pytest.approx(math.log(1 + math.exp(1.1)), rel=1e-12)   # -log(1 - sigma(1.1))
    assert one["loss"] != pytest.approx(0.2877, abs=1e-3)                          # the notes' erratum
    assert one["dL_dz"] == pytest.approx(one["dL_da"] * one["da_dz"])
    np.testing.assert_allclose(one["dL_dw"], x * one["dL_dz"])
    assert "dz" not in one   # dz is the cost's gradient (with 1/m), notation page


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
    np.testing.assert_allclose(one["dL_dw"], dw)
    assert one["dL_db"] == pytest.approx(db)
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


# ------------------------------------------------ the plain formulas the book shows
# Each is compared with the core version it stands for. EPS is the float64
# machine epsilon, the relative size of one rounding step near 1.
EPS = np.finfo(np.float64).eps


def test_plain_sigmoid_equals_the_core_where_exp_does_not_overflow():
    # 1 / (1 + exp(-z)) and the core's e / (1 + e), e = exp(z) for z < 0, each
    # round three operations (exp within 1 ulp, + and / within half an ulp):
    # each is within about 2.5 ulp of sigma(z), so they differ by at most
    # about 5 ulp; rtol = 8 EPS leaves room for a libm whose exp is 1 ulp off.
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, 5, 10_000), np.linspace(-708, 708, 10_001),
                        [0.0, -0.0, 1e-300, -1e-300, 36.0, 37.0, 40.0, -40.0, 1e3, 1e308]])
    np.testing.assert_allclose(ch2.sigmoid(z), activations.sigmoid(z), rtol=8 * EPS, atol=0)
    assert ch2.sigmoid(np.array(0.0)) == 0.5 and ch2.sigmoid(np.array(800.0)) == 1.0


def test_plain_sigmoid_overflows_below_minus_709_where_the_core_does_not():
    # exp(710) > 1.8e308: the plain formula would overflow (it raises a
    # ValueError naming the core version); the core computes e / (1 + e)
    # with e = exp(-710) and keeps a positive value.
    z = np.array([-710.0, -745.0])
    with pytest.raises(ValueError, match="nnlab.activations.sigmoid"):
        ch2.sigmoid(z)
    core = activations.sigmoid(z)
    assert np.all(core > 0) and core[0] == pytest.approx(math.exp(-710), rel=1e-12)


def test_plain_logit_equals_the_core_on_all_of_0_1():
    # log(p / (1 - p)) and the core's log(p) - log1p(-p): both take logs of
    # numbers carrying a few ulp of relative error, and a relative error d in a
    # log's argument is an absolute error d in its value. So the two agree to a
    # few EPS in absolute terms near p = 1/2 (where the logit is near 0 and both
    # lose relative digits) and to a few EPS relative for large |logit|.
    # 1 - p is exact for p >= 1/2 (Sterbenz), so no p in (0, 1) is out of range.
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.uniform(0, 1, 10_000), 10.0 ** rng.uniform(-320, 0, 10_000),
                        1 - 10.0 ** rng.uniform(-16, 0, 10_000), 0.5 + rng.uniform(-1e-8, 1e-8, 1000),
                        [5e-324, 1e-300, 0.25, 0.5, 0.75, 1 - 2.0 ** -53]])
    p = p[(p > 0) & (p < 1)]
    np.testing.assert_allclose(ch2.logit(p), activations.logit(p), rtol=4 * EPS, atol=4 * EPS)
    assert ch2.logit(np.array(0.75)) == pytest.approx(math.log(3), rel=4 * EPS)   # by hand


def test_plain_bce_equals_the_core_where_the_core_does_not_clip():
    # Inside [1e-12, 1 - 1e-12] the core's clip changes nothing and both
    # evaluate -mean(y log p + (1 - y) log(1 - p)) with the same operations in
    # the same order; rtol = 2 EPS only allows for a different summation.
    rng = np.random.default_rng(2)
    for _ in range(200):
        m = int(rng.integers(1, 40))
        y = rng.integers(0, 2, m).astype(float) if rng.random() < 0.7 else rng.uniform(0, 1, m)
        p = 10.0 ** rng.uniform(-12, 0, m)
        p = np.clip(np.where(rng.random(m) < 0.5, p, 1 - p), 1e-12, 1 - 1e-12)
        assert ch2.binary_cross_entropy(y, p) == pytest.approx(
            losses.binary_cross_entropy(y, p), rel=2 * EPS, abs=0)
    ends = np.array([1e-12, 1 - 1e-12])
    assert ch2.binary_cross_entropy(np.array([1.0, 0.0]), ends) == pytest.approx(
        losses.binary_cross_entropy(np.array([1.0, 0.0]), ends), rel=2 * EPS)


def test_plain_bce_is_not_clipped_and_the_core_is():
    # A confident mistake, p-hat = 1e-300 for y = 1: the formula gives
    # -log(1e-300) = 690.8, the core clips p-hat to 1e-12 and gives 27.6.
    y, p = np.array([1.0]), np.array([1e-300])
    assert ch2.binary_cross_entropy(y, p) == pytest.approx(300 * math.log(10), rel=1e-14)
    assert losses.binary_cross_entropy(y, p) == pytest.approx(12 * math.log(10), rel=1e-12)


def test_one_sample_backward_in_the_tails():
    # where a rounds to 0 or 1, the terms of dL/da that divide by 0 are inf and
    # the absent ones are 0 (no ZeroDivisionError), and dz = a - y stays exact
    x = np.array([1.0])
    far = ch2.logistic_one_sample(x, 0, np.array([40.0]), 0.0)       # a == 1.0
    assert far["a"] == 1.0 and far["dL_da"] == math.inf and far["dL_dz"] == 1.0
    assert far["da_dz"] == pytest.approx(math.exp(-40), rel=1e-12)    # sigma(40) sigma(-40)
    right = ch2.logistic_one_sample(x, 1, np.array([40.0]), 0.0)
    assert right["dL_da"] == -1.0 and right["dL_dz"] == 0.0


# ------------------------------------------------ MSE after a sigmoid vs BCE
def _mp_dL_dz(loss, z, y):
    """dL/dz by mpmath's numerical differentiation at 30 digits."""
    import mpmath
    mpmath.mp.dps = 30

    def L(t):
        a = 1 / (1 + mpmath.exp(-t))
        if loss == "mse":
            return (a - y) ** 2 / 2
        return -(y * mpmath.log(a) + (1 - y) * mpmath.log(1 - a))
    return float(mpmath.diff(L, mpmath.mpf(z)))


@pytest.mark.parametrize("z", [-7.0, -2.5, -0.3, 0.0, 1.1, 5.0, 9.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_dz_of_mse_and_bce_against_mpmath(z, y):
    pytest.importorskip("mpmath", reason="mpmath differentiates the loss")
    assert ch2.sigmoid_bce_dz(z, y) == pytest.approx(_mp_dL_dz("bce", z, y), rel=1e-9, abs=1e-15)
    assert ch2.sigmoid_mse_dz(z, y) == pytest.approx(_mp_dL_dz("mse", z, y), rel=1e-9, abs=1e-15)


def test_mse_learns_slowly_when_confidently_wrong():
    # the review's numbers: z = 5, y = 0; by hand s = 1/(1 + e^-5) = 0.993307,
    # MSE: s * s * (1 - s) = 0.0066036, BCE: s = 0.99331
    s = 1 / (1 + math.exp(-5))
    assert ch2.sigmoid_mse_dz(5.0, 0.0) == pytest.approx(s * s * math.exp(-5) / (1 + math.exp(-5)), rel=1e-12)
    assert round(float(ch2.sigmoid_mse_dz(5.0, 0.0)), 4) == 0.0066
    assert round(float(ch2.sigmoid_bce_dz(5.0, 0.0)), 3) == 0.993
    z = np.array([-3.0, 0.0, 5.0])
    assert ch2.sigmoid_mse_dz(z, np.zeros(3)).shape == (3,)


def test_logistic_mse_by_a_loop_and_not_convex():
    x = np.array([-3.0, -1.0, 0.5, 2.0])[:, None]
    y = np.array([0, 1, 0, 1])

    def by_hand(w):
        return sum(0.5 * (1 / (1 + math.exp(-(xi * w - 0.2))) - yi) ** 2
                   for xi, yi in zip(x[:, 0], y)) / 4
    for w in (-8.0, -4.0, 0.0, 1.5):
        assert ch2.logistic_mse(x, y, np.array([w]), -0.2) == pytest.approx(by_hand(w), rel=1e-12)
    # a chord lies below the curve: J((a + c) / 2) > (J(a) + J(c)) / 2
    J = lambda w: ch2.logistic_mse(x, y, np.array([w]), -0.2)   # noqa: E731
    assert J(-4.0) > (J(-8.0) + J(0.0)) / 2 + 0.01
    # the cross-entropy on the same data keeps every chord above the curve
    B = lambda w: ch2.logistic_loss(x, y, np.array([w]), -0.2)  # noqa: E731
    ws = np.linspace(-8, 8, 33)
    assert all(B((a + c) / 2) <= (B(a) + B(c)) / 2 for a in ws for c in ws)
