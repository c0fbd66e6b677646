"""nnlab.losses: values, reductions, gradients (finite differences and PyTorch), stability, errors.

Expected numbers are computed independently (math module, hand sums, PyTorch).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab import losses as L
from nnlab.gradcheck import check_gradient

SHAPES = [(1,), (6,), (4, 1), (3, 4)]
F32 = float(np.finfo(np.float32).eps)
CLASS_SHAPES = [(1, 2), (5, 3), (4, 6)]


def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def make_case(name, shape, rng, labels=False):
    """A valid (y_true, y_pred) pair for ``name`` with y_pred away from kinks and clipping."""
    if name in ("mse", "half_mse"):
        return rng.normal(size=shape), rng.normal(size=shape)
    if name == "mae":
        y = rng.normal(size=shape)
        return y, y + rng.choice([-1, 1], size=shape) * rng.uniform(0.1, 1, size=shape)
    if name == "binary_cross_entropy":
        return rng.uniform(0, 1, size=shape).round(1), rng.uniform(0.05, 0.95, size=shape)
    if name == "sigmoid_cross_entropy":
        return rng.integers(0, 2, size=shape).astype(float), 3 * rng.normal(size=shape)
    m, k = shape
    y = rng.integers(0, k, size=m)
    Y = y if labels else np.eye(k)[y]
    z = 2 * rng.normal(size=shape)
    # probabilities kept away from 0 so that central differences stay accurate
    return Y, (_softmax_rows(0.25 * z) if name == "cross_entropy" else z)


ELEMENTWISE_LOSSES = ["mse", "half_mse", "mae", "binary_cross_entropy", "sigmoid_cross_entropy"]
CLASS_LOSSES = ["cross_entropy", "softmax_cross_entropy"]


# --------------------------------------------------------------------- values
def test_lecture_examples():
    # Three e-mails: y = (1, 0, 1), p = (0.9, 0.3, 0.6).
    expected = -(math.log(0.9) + math.log(1 - 0.3) + math.log(0.6)) / 3
    assert L.binary_cross_entropy([1.0, 0.0, 1.0], [0.9, 0.3, 0.6]) == pytest.approx(expected, rel=1e-14)
    # One e-mail, y = 0, p = sigmoid(1.1) = 0.7502601055951177: loss = -log(1 - p) = log(1 + e^1.1).
    assert L.binary_cross_entropy([0.0], [0.7502601055951177]) == pytest.approx(-math.log(1 - 0.7502601055951177), rel=1e-12)
    assert L.sigmoid_cross_entropy([0.0], [1.1]) == pytest.approx(math.log(1 + math.exp(1.1)), rel=1e-14)
    # Softmax of (2, 1, 0.1) gives p = 0.6590011388859679 for the true class 0.
    assert L.softmax_cross_entropy([0], [[2.0, 1.0, 0.1]]) == pytest.approx(-math.log(0.6590011388859679), rel=1e-14)
    assert L.cross_entropy([0], [[0.7, 0.2, 0.1]]) == pytest.approx(-math.log(0.7), rel=1e-14)


def test_regression_losses_by_hand():
    assert L.mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]) == pytest.approx(4 / 3)
    assert L.half_mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]) == pytest.approx(2 / 3)
    assert L.mae([1.0, 2.0, 3.0], [0.0, 2.0, 5.0]) == pytest.approx(1.0)
    # J(theta) = 1/(2m) sum (theta x - y)^2 with x = (1, 2), y = (2, 2), theta = 1.5
    assert L.half_mse([2.0, 2.0], [1.5, 3.0]) == pytest.approx((0.25 + 1.0) / 4)
    assert L.half_mse_gradient([2.0, 2.0], [1.5, 3.0]).tolist() == [-0.25, 0.5]


def test_reductions_follow_pytorch_mean(rng):
    y, p = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert L.mse(y, p) == pytest.approx(((p - y) ** 2).sum() / 12)            # all entries
    Y = np.eye(3)[[0, 2, 1, 1]]
    P = _softmax_rows(p)
    assert L.cross_entropy(Y, P) == pytest.approx(-(Y * np.log(P)).sum() / 4)  # rows only
    assert isinstance(L.mse(y, p), float) and isinstance(L.get("cross_entropy").value(Y, P), float)


@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_integer_labels_equal_one_hot(name, rng):
    y, pred = make_case(name, (6, 4), rng, labels=True)
    Y = np.eye(4)[y]
    assert L.get(name).value(y, pred) == pytest.approx(L.get(name).value(Y, pred), rel=1e-15)
    assert L.get(name).value(y.tolist(), pred) == pytest.approx(L.get(name).value(Y, pred), rel=1e-15)
    np.testing.assert_array_equal(L.get(name).gradient(y, pred), L.get(name).gradient(Y, pred))


def test_logit_losses_equal_probability_losses(rng):
    y, z = make_case("sigmoid_cross_entropy", (10,), rng)
    assert L.sigmoid_cross_entropy(y, z) == pytest.approx(L.binary_cross_entropy(y, 1 / (1 + np.exp(-z))))
    Y, Z = make_case("softmax_cross_entropy", (5, 3), rng)
    assert L.softmax_cross_entropy(Y, Z) == pytest.approx(L.cross_entropy(Y, _softmax_rows(Z)))


def test_softmax_cross_entropy_gradient_is_prediction_minus_target():
    Z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    expected = (np.array([[0.6590011388859679, 0.2424329707047139, 0.09856589040931818],
                          [1 / 3, 1 / 3, 1 / 3]]) - np.eye(3)[[0, 2]]) / 2
    np.testing.assert_allclose(L.softmax_cross_entropy_gradient([0, 2], Z), expected, rtol=1e-13)


# --------------------------------------------------------------------- gradients
@pytest.mark.parametrize("name", ELEMENTWISE_LOSSES)
@settings(max_examples=10, deadline=None)
@given(shape=st.sampled_from(SHAPES), seed=st.integers(0, 2**32 - 1))
def test_gradient_passes_gradcheck(name, shape, seed):
    rng = np.random.default_rng(seed)
    loss = L.get(name)
    y, p = make_case(name, shape, rng)
    assert check_gradient(lambda q: loss.value(y, q), p, loss.gradient(y, p)) < 1e-7


@pytest.mark.parametrize("name", CLASS_LOSSES)
@pytest.mark.parametrize("target", ["labels", "one_hot", "soft"])
@settings(max_examples=10, deadline=None)
@given(shape=st.sampled_from(CLASS_SHAPES), seed=st.integers(0, 2**32 - 1))
def test_class_gradient_passes_gradcheck(name, target, shape, seed):
    rng = np.random.default_rng(seed)
    loss = L.get(name)
    y, p = make_case(name, shape, rng, labels=(target == "labels"))
    if target == "soft":
        y = _softmax_rows(rng.normal(size=shape))
    assert check_gradient(lambda q: loss.value(y, q), p, loss.gradient(y, p)) < 1e-7


# --------------------------------------------------------------------- PyTorch parity
def _torch_loss(torch, name, y):
    F = torch.nn.functional
    return {
        "mse": lambda p: F.mse_loss(p, y),
        "half_mse": lambda p: 0.5 * F.mse_loss(p, y),
        "mae": lambda p: F.l1_loss(p, y),
        "binary_cross_entropy": lambda p: F.binary_cross_entropy(p, y),
        "sigmoid_cross_entropy": lambda p: F.binary_cross_entropy_with_logits(p, y),
        # integer labels -> nll of log-probabilities; one-hot / soft -> the sum formula
        "cross_entropy": lambda p: (F.nll_loss(torch.log(p), y) if y.dtype == torch.int64
                                    else -(y * torch.log(p)).sum(dim=1).mean()),
        "softmax_cross_entropy": lambda p: F.cross_entropy(p, y),  # labels or probabilities
    }[name]


TORCH_CASES = [(n, s, False) for n in ELEMENTWISE_LOSSES for s in [(7,), (3, 4)]] + [
    (n, (5, 3), lab) for n in CLASS_LOSSES for lab in (True, False)]


@pytest.mark.torch
@pytest.mark.parametrize(("name", "shape", "labels"), TORCH_CASES)
def test_parity_with_pytorch(torch, name, shape, labels, rng):
    y, p = make_case(name, shape, rng, labels=labels)
    yt = torch.tensor(y) if labels else torch.tensor(y, dtype=torch.float64)
    pt = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    out = _torch_loss(torch, name, yt)(pt)
    out.backward()
    assert L.get(name).value(y, p) == pytest.approx(out.item(), rel=1e-10, abs=0)
    np.testing.assert_allclose(L.get(name).gradient(y, p), pt.grad.numpy(), rtol=1e-10, atol=1e-15)


# --------------------------------------------------------------------- stability
LOGIT_EXTREMES = [(np.float64, 1e4), (np.float32, 80.0)]


@pytest.mark.parametrize(("dtype", "big"), LOGIT_EXTREMES, ids=["float64+-1e4", "float32+-80"])
def test_extreme_logits(dtype, big):
    z = np.array([-big, big, 0.0, -big], dtype=dtype)
    y = np.array([1.0, 0.0, 1.0, 0.0])
    Z = np.array([[big, -big, 0.0], [-big, big, big], [0.0, 0.0, 0.0]], dtype=dtype)
    labels = [1, 0, 2]  # the first two rows put the true class at -big
    with np.errstate(all="raise"):
        value = L.sigmoid_cross_entropy(y, z)
        grad = L.sigmoid_cross_entropy_gradient(y, z)
        cvalue = L.softmax_cross_entropy(labels, Z)
        cgrad = L.softmax_cross_entropy_gradient(labels, Z)
    assert value == pytest.approx((2 * big + math.log(2)) / 4, rel=1e-6)
    assert cvalue == pytest.approx((2 * big + (2 * big + math.log(2)) + math.log(3)) / 3, rel=1e-6)
    for g in (grad, cgrad):
        assert g.dtype == dtype and np.all(np.isfinite(g))
    np.testing.assert_allclose(grad, np.array([-1, 1, -0.5, 0]) / 4, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_probabilities_exactly_zero_and_one(dtype):
    p = np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    P = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    with np.errstate(all="raise"):
        values = [L.binary_cross_entropy(y, p), L.cross_entropy([0, 0], P)]
        grads = [L.binary_cross_entropy_gradient(y, p), L.cross_entropy_gradient([0, 0], P)]
    assert all(math.isfinite(v) and v > 0 for v in values)
    assert all(g.dtype == dtype and np.all(np.isfinite(g)) for g in grads)
    if dtype == np.float64:
        # two confident mistakes cost -log(EPS) each, two confident hits cost ~0
        # (rel=1e-5: 1 - EPS is rounded in float64, so -log(1 - (1 - EPS)) is off by ~1e-4)
        assert values[0] == pytest.approx(-math.log(L.EPS) / 2, rel=1e-5)
        assert values[1] == pytest.approx(-math.log(L.EPS) / 2, rel=1e-9)
    else:
        assert 1 - np.float32(L._eps(np.float32)) < 1  # the float32 epsilon is representable


def test_confident_right_answers_keep_their_tiny_loss_and_gradient():
    # y = 1, z = 40: loss log(1 + e^-40) = 4.2e-18, gradient sigma(40) - 1 = -sigma(-40)
    tiny = math.exp(-40) / (1 + math.exp(-40))
    assert L.sigmoid_cross_entropy([1.0], [40.0]) == pytest.approx(math.log1p(math.exp(-40)), rel=1e-14)
    np.testing.assert_allclose(L.sigmoid_cross_entropy_gradient([1.0, 0.0], [40.0, -40.0]),
                               np.array([-tiny, tiny]) / 2, rtol=1e-14)
    # softmax over (40, 0) with the true class 0: the same numbers
    Z = np.array([[40.0, 0.0], [0.0, 40.0]])
    assert L.softmax_cross_entropy([0, 1], Z) == pytest.approx(math.log1p(math.exp(-40)), rel=1e-14)
    np.testing.assert_allclose(L.softmax_cross_entropy_gradient([0, 1], Z),
                               np.array([[-tiny, tiny], [tiny, -tiny]]) / 2, rtol=1e-14)
    with np.errstate(all="raise"):
        g = L.softmax_cross_entropy_gradient(np.eye(3)[[2]] * 0.5 + 0.5 / 3, np.array([[1e4, 0.0, -1e4]]))
    np.testing.assert_allclose(g, [[1 - 0.5 / 3, -0.5 / 3, -0.5 / 3 - 0.5]], rtol=1e-15)


def test_extreme_regression_values_overflow_only_when_the_result_does():
    with np.errstate(all="raise"):
        assert L.mae([0.0, 0.0], [1.5e308, 1.5e308]) == 1.5e308          # the sum overflows, the mean not
        assert L.mse([0.0], [1e200]) == math.inf                          # 1e400: beyond float64
        assert L.half_mse([-1e308], [1e308]) == math.inf
        g = L.mse_gradient([-1e308, 0.0, 0.0, 0.0], [1e308, 0.0, 0.0, 0.0])   # 2 (2e308) / 4 = 1e308
        assert g.tolist() == [1e308, 0.0, 0.0, 0.0]
        assert L.sigmoid_cross_entropy([0.0, 0.0], [1e308, 1e308]) == 1e308
        assert L.softmax_cross_entropy([0], [[1e300, -1e300]]) == 0.0
        z = np.array([[3e38, 0.0, -3e38]], np.float32)                    # gap beyond the float32 range
        assert L.softmax_cross_entropy([0], z) == 0.0
        assert L.softmax_cross_entropy([2], z) == math.inf
        assert np.all(np.isfinite(L.softmax_cross_entropy_gradient([2], z)))


# --------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", L.NAMES)
def test_float32_values_and_gradients_match_float64(name, rng):
    """The same (float32-representable) inputs in float32 and float64 agree to float32 precision."""
    y, p = make_case(name, (40, 5), rng, labels=False)
    y = y.astype(np.float32).astype(np.float64)
    p = p.astype(np.float32).astype(np.float64)
    loss = L.get(name)
    v32, v64 = loss.value(y.astype(np.float32), p.astype(np.float32)), loss.value(y, p)
    assert v32 == pytest.approx(v64, rel=16 * F32)
    g32, g64 = loss.gradient(y.astype(np.float32), p.astype(np.float32)), loss.gradient(y, p)
    assert g32.dtype == np.float32
    # element by element and relative: a tiny gradient must keep its digits too
    scale = 1 + np.abs(p) if name in ("sigmoid_cross_entropy", "softmax_cross_entropy") else 1
    np.testing.assert_array_less(np.abs(g32 - g64), 16 * F32 * scale * np.abs(g64) + 1e-37)


@pytest.mark.parametrize("name", L.NAMES)
def test_float32_in_float32_gradient_out(name, rng):
    shape = (4, 3)
    y, p = make_case(name, shape, rng, labels=False)
    p32 = p.astype(np.float32)
    assert L.get(name).gradient(y.astype(np.float32), p32).dtype == np.float32
    assert L.get(name).gradient(y, p32).dtype == np.float32  # float64 targets do not upcast
    assert isinstance(L.get(name).value(y, p32), float)


# --------------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", L.NAMES)
def test_bad_inputs_name_the_argument(name, rng):
    loss = L.get(name)
    y, p = make_case(name, (4, 3), rng)
    for fn in (loss.value, loss.gradient):
        with pytest.raises(ValueError, match=r"y_true has shape \(4, 2\) but y_pred has shape \(4, 3\)"):
            fn(y[:, :2], p)
        bad = p.copy()
        bad[1, 1] = np.nan
        with pytest.raises(ValueError, match="y_pred contains NaN or infinity"):
            fn(y, bad)
        bad[1, 1] = np.inf
        with pytest.raises(ValueError, match="y_pred contains NaN or infinity"):
            fn(y, bad)
        with pytest.raises(ValueError, match="y_pred is empty"):
            fn(np.zeros((0, 3)), np.zeros((0, 3)))
        with pytest.raises(TypeError, match="y_pred must be a floating-point array"):
            fn(y, np.ones((4, 3), dtype=int))
        # boolean targets: a float array is expected, or (class losses) integer labels
        with pytest.raises(TypeError, match=r"y_true (must be a floating-point array|has dtype bool)"):
            fn(np.ones((4, 3), dtype=bool), p)


@pytest.mark.parametrize("name", ELEMENTWISE_LOSSES)
def test_vectors_of_different_lengths_are_rejected_not_broadcast(name):
    with pytest.raises(ValueError, match=r"y_true has shape \(3, 1\) but y_pred has shape \(3,\)"):
        L.get(name).value(np.full((3, 1), 0.5), np.full(3, 0.5))


@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_labels_out_of_range(name, rng):
    _, p = make_case(name, (3, 4), rng)
    for labels in ([0, 4, 1], [-1, 0, 1]):
        with pytest.raises(ValueError, match=r"y_true contains labels outside \[0, 4\)"):
            L.get(name).value(labels, p)
    with pytest.raises(ValueError, match=r"y_true holds 2 integer labels but y_pred has shape \(3, 4\)"):
        L.get(name).value([0, 1], p)
    with pytest.raises(ValueError, match=r"y_pred must be 2-D"):
        L.get(name).value([0], p[0])
    with pytest.raises(ValueError, match=r"integer labels y_true must have shape \(3,\)"):
        L.get(name).value(np.array([[0, 1], [1, 0], [2, 3]]), p)
    with pytest.raises(ValueError, match=r"integer labels of shape \(3,\)"):
        L.get(name).value([0.0, 1.0, 2.0], p)


@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_a_column_of_integer_labels_is_accepted(name, rng):
    y, p = make_case(name, (5, 3), rng, labels=True)
    loss = L.get(name)
    assert loss.value(y[:, None], p) == loss.value(y, p)
    np.testing.assert_array_equal(loss.gradient(y[:, None], p), loss.gradient(y, p))
    with pytest.raises(TypeError, match=r"y_true has dtype bool.*astype\(np.int64\)"):
        loss.value(np.array([True, False, True, True, False]), p)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "sigmoid_cross_entropy"])
def test_binary_targets_must_be_in_unit_interval(name):
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\]"):
        L.get(name).value([0.0, 2.0, 1.0], [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\]"):
        L.get(name).gradient([-1.0, 1.0], [0.5, 0.5])


def test_probabilities_must_be_probabilities():
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\].*logits"):
        L.binary_cross_entropy([1.0, 0.0], [2.5, -1.0])
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\].*logits"):
        L.cross_entropy([0], [[3.0, -1.0]])


def test_get_and_names():
    assert L.NAMES == ("mse", "half_mse", "mae", "binary_cross_entropy", "cross_entropy",
                       "sigmoid_cross_entropy", "softmax_cross_entropy")
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*mse.*softmax_cross_entropy"):
        L.get("hinge")
    loss = L.get("mse")
    assert loss.name == "mse" and loss.value([1.0], [3.0]) == 4.0
    assert loss.gradient([1.0], [3.0]).tolist() == [4.0]


# --------------------------------------------------------------------- bad input, one table
BAD_CALLS = [
    (lambda: L.get(["mse"]), TypeError, "loss"),
    (lambda: L.get(None), TypeError, "loss"),
    (lambda: L.mse(None, [1.0]), TypeError, "y_true"),
    (lambda: L.mse([1.0], "abc"), TypeError, "y_pred"),
    (lambda: L.mse([[1.0], [2.0, 3.0]], [1.0]), TypeError, "y_true"),
    (lambda: L.cross_entropy(None, [[0.5, 0.5]]), TypeError, "y_true"),
    (lambda: L.softmax_cross_entropy(np.array([True]), [[0.5, 0.5]]), TypeError, "y_true"),
    (lambda: L.softmax_cross_entropy([[0, 1, 1]], [[0.5, 0.5, 0.0]]), ValueError, "y_true"),
    (lambda: L.softmax_cross_entropy([0], [0.5, 0.5]), ValueError, "y_pred"),
    (lambda: L.binary_cross_entropy([1.0], [1.5]), ValueError, "y_pred"),
    (lambda: L.sigmoid_cross_entropy([2.0], [0.5]), ValueError, "y_true"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


def test_regression_gradients_by_hand_and_loss_objects():
    assert L.mse_gradient([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]).tolist() == pytest.approx([0.0, 0.0, 4 / 3])
    assert L.mae_gradient([1.0, 2.0, 3.0], [0.0, 2.0, 5.0]).tolist() == pytest.approx([-1 / 3, 0.0, 1 / 3])
    loss = L.get("mae")
    assert isinstance(loss, L.Loss) and repr(loss) == "get('mae')" and L.get(loss) is loss
    assert loss([1.0, 2.0], [2.0, 2.0]) == loss.value([1.0, 2.0], [2.0, 2.0]) == 0.5     # __call__ is value
    assert loss.gradient([1.0, 2.0], [2.0, 2.0]).tolist() == [0.5, 0.0]
