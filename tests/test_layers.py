"""nnlab.layers: gradient checks, PyTorch parity, dtype, Sequential/mlp."""
from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab import layers as L
from nnlab.gradcheck import check_gradient, numerical_gradient

GRAD_TOL = 1e-7


def _loss_of(layer, X, G, training=True, before=None):
    """f() = sum(forward(X) * G): its gradient w.r.t. the output is G."""
    def f(_=None):
        if before is not None:
            before()
        return float(np.sum(layer.forward(X, training=training) * G))
    return f


def _gradcheck_layer(layer, X, rng, training=True, before=None):
    if before is not None:
        before()
    Y = layer.forward(X, training=training)
    G = rng.normal(size=Y.shape)
    dX = layer.backward(G)
    grads = [g.copy() for g in layer.grads]
    f = _loss_of(layer, X, G, training, before)
    assert check_gradient(f, X, dX) < GRAD_TOL, "dL/dX"
    for i, (p, g) in enumerate(zip(layer.params, grads)):
        assert check_gradient(f, p, g) < GRAD_TOL, f"dL/dparams[{i}]"


# ---------------------------------------------------------------- gradcheck
def test_dense_gradcheck(rng):
    _gradcheck_layer(L.Dense(4, 3, rng=1), rng.normal(size=(5, 4)), rng)


@pytest.mark.parametrize("name,params", [("relu", {}), ("tanh", {}), ("sigmoid", {}),
                                         ("leaky_relu", {"alpha": 0.1}), ("softmax", {})])
def test_activation_gradcheck(rng, name, params):
    X = rng.normal(size=(6, 4))
    X[np.abs(X) < 1e-3] = 0.5                 # keep away from ReLU's kink
    _gradcheck_layer(L.Activation(name, **params), X, rng)


def test_dropout_gradcheck_with_fixed_mask(rng):
    layer = L.Dropout(0.4, rng=0)
    X = rng.normal(size=(6, 5))
    mask = rng.random(X.shape) > 0.4
    Y = layer.forward(X, mask=mask)
    np.testing.assert_allclose(Y, np.where(mask, X / 0.6, 0.0))
    G = rng.normal(size=X.shape)
    dX = layer.backward(G)

    def f(_=None):
        return float(np.sum(layer.forward(X, mask=mask) * G))
    assert check_gradient(f, X, dX) < GRAD_TOL


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradcheck(rng, training):
    layer = L.BatchNorm(4)
    layer.gamma[:] = rng.normal(size=4)
    layer.beta[:] = rng.normal(size=4)
    layer.running_mean[:] = rng.normal(size=4)
    layer.running_var[:] = rng.uniform(0.5, 2, size=4)
    _gradcheck_layer(layer, rng.normal(size=(7, 4)) * 3 + 1, rng, training=training)


@pytest.mark.parametrize("n", [1, 4])
def test_prelu_gradcheck(rng, n):
    layer = L.PReLU(n)
    layer.alpha[:] = rng.uniform(0.1, 0.4, size=n)
    X = rng.normal(size=(6, 4))
    X[np.abs(X) < 1e-3] = 0.5
    _gradcheck_layer(layer, X, rng)


@pytest.mark.parametrize("training", [True, False])
def test_rrelu_gradcheck(rng, training):
    layer = L.RReLU()
    X = rng.normal(size=(6, 4))
    X[np.abs(X) < 1e-3] = 0.5

    def same_slopes():                        # redraw the same random slopes each call
        layer.rng = np.random.default_rng(7)
    _gradcheck_layer(layer, X, rng, training=training, before=same_slopes)


def test_rrelu_slopes_random_in_training_mean_at_inference(rng):
    layer = L.RReLU(0.1, 0.3, rng=0)
    X = -np.abs(rng.normal(size=(200, 10))) - 0.1
    a = layer.forward(X) / X
    assert a.min() >= 0.1 and a.max() <= 0.3 and a.std() > 0.03
    np.testing.assert_allclose(layer.forward(X, training=False), 0.2 * X)
    pos = np.abs(X)
    np.testing.assert_array_equal(layer.forward(pos), pos)


def test_mlp_gradcheck_with_batchnorm_and_prelu(rng):
    model = L.Sequential([L.Dense(4, 5, rng=1), L.BatchNorm(5), L.PReLU(5),
                          L.Dense(5, 3, rng=2), L.Activation("tanh")])
    X = rng.normal(size=(6, 4))
    Y = model.forward(X)
    G = rng.normal(size=Y.shape)
    dX = model.backward(G)
    grads = [g.copy() for g in model.grads]

    def f(_=None):
        return float(np.sum(model.forward(X) * G))
    assert check_gradient(f, X, dX) < GRAD_TOL
    for i, (p, g) in enumerate(zip(model.params, grads)):
        if i == 1:   # the bias before BatchNorm cancels out: its gradient is exactly 0
            np.testing.assert_allclose(g, 0, atol=1e-12)
            np.testing.assert_allclose(numerical_gradient(f, p), 0, atol=1e-8)
        else:
            assert check_gradient(f, p, g) < GRAD_TOL


# ---------------------------------------------------------------- torch parity
@pytest.mark.torch
def test_dense_matches_torch(torch, rng):
    layer = L.Dense(6, 4, rng=3)
    layer.b[:] = rng.normal(size=4)
    X = rng.normal(size=(5, 6))
    G = rng.normal(size=(5, 4))
    Xt = torch.tensor(X, requires_grad=True)
    Wt = torch.tensor(layer.W.copy(), requires_grad=True)
    bt = torch.tensor(layer.b.copy(), requires_grad=True)
    Yt = torch.nn.functional.linear(Xt, Wt.T, bt)
    Yt.backward(torch.tensor(G))
    np.testing.assert_allclose(layer.forward(X), Yt.detach().numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(layer.backward(G), Xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(layer.dW, Wt.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(layer.db, bt.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.torch
def test_batchnorm_matches_torch_train_and_eval(torch, rng):
    n = 5
    ours = L.BatchNorm(n, momentum=0.2, eps=1e-3)
    ref = torch.nn.BatchNorm1d(n, momentum=0.2, eps=1e-3, dtype=torch.float64)
    gamma, beta = rng.normal(size=n), rng.normal(size=n)
    ours.gamma[:], ours.beta[:] = gamma, beta
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(gamma))
        ref.bias.copy_(torch.tensor(beta))
    for training, m in [(True, 8), (True, 3), (True, 16), (False, 6)]:
        ref.train(training)
        X = rng.normal(size=(m, n)) * 2 + 0.5
        G = rng.normal(size=(m, n))
        Xt = torch.tensor(X, requires_grad=True)
        ref.zero_grad()
        Yt = ref(Xt)
        Yt.backward(torch.tensor(G))
        Y = ours.forward(X, training=training)
        dX = ours.backward(G)
        np.testing.assert_allclose(Y, Yt.detach().numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.dgamma, ref.weight.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.dbeta, ref.bias.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.running_mean, ref.running_mean.numpy(), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(ours.running_var, ref.running_var.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.torch
def test_dropout_matches_torch_with_torchs_mask(torch, rng):
    p = 0.3
    X = rng.normal(size=(50, 8))
    G = rng.normal(size=X.shape)
    torch.manual_seed(0)
    Xt = torch.tensor(X, requires_grad=True)
    Yt = torch.nn.functional.dropout(Xt, p=p, training=True)
    Yt.backward(torch.tensor(G))
    mask = Yt.detach().numpy() != 0           # the entries torch kept
    layer = L.Dropout(p)
    np.testing.assert_allclose(layer.forward(X, mask=mask), Yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(G), Xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(layer.forward(X, training=False), X)


def test_dropout_mask_statistics():
    layer = L.Dropout(0.25, rng=0)
    X = np.ones((400, 100))
    Y = layer.forward(X)
    assert abs((Y == 0).mean() - 0.25) < 0.01
    assert abs(Y.mean() - 1.0) < 0.02           # inverted dropout keeps the expectation
    np.testing.assert_allclose(Y[Y != 0], 1 / 0.75)


@pytest.mark.torch
@pytest.mark.parametrize("n", [1, 3])
def test_prelu_matches_torch(torch, rng, n):
    ours = L.PReLU(n)
    ref = torch.nn.PReLU(num_parameters=n, init=0.25, dtype=torch.float64)
    assert np.allclose(ours.alpha, ref.weight.detach().numpy())      # same default init
    alpha = rng.uniform(0.05, 0.5, size=n)
    ours.alpha[:] = alpha
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(alpha))
    X, G = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    Xt = torch.tensor(X, requires_grad=True)
    Yt = ref(Xt)
    Yt.backward(torch.tensor(G))
    np.testing.assert_allclose(ours.forward(X), Yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.backward(G), Xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.dalpha, ref.weight.grad.numpy(), rtol=1e-10)


@pytest.mark.torch
def test_rrelu_inference_matches_torch(torch, rng):
    X = rng.normal(size=(6, 4))
    ref = torch.nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(L.RReLU(0.1, 0.3).forward(X, training=False),
                               ref(torch.tensor(X)).numpy(), rtol=1e-12)


@pytest.mark.torch
def test_three_layer_mlp_matches_torch(torch, torch_twin, rng):
    model = nnlab.mlp([6, 8, 7, 4], rng=5)
    for layer in model.layers:
        if isinstance(layer, L.Dense):
            layer.b[:] = rng.normal(size=layer.b.shape) * 0.1
    dense, ref = torch_twin(model)
    X = rng.normal(size=(10, 6))
    y = rng.integers(0, 4, size=10)
    Xt = torch.tensor(X, requires_grad=True)
    out_t = ref(Xt)
    loss_t = torch.nn.functional.cross_entropy(out_t, torch.tensor(y))
    loss_t.backward()
    loss = nnlab.losses.get("softmax_cross_entropy")
    out = model.forward(X)
    dX = model.backward(loss.gradient(y, out))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-8, atol=1e-10)
    assert loss.value(y, out) == pytest.approx(loss_t.item(), rel=1e-10)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for d, lin in zip(dense, ref[::2]):
        np.testing.assert_allclose(d.dW, lin.weight.grad.numpy().T, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(d.db, lin.bias.grad.numpy(), rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- dtype and in-place
def _all_layer_kinds(dtype):
    return L.Sequential([
        L.Dense(5, 6, rng=0, dtype=dtype), L.BatchNorm(6, dtype=dtype), L.PReLU(6, dtype=dtype),
        L.Dropout(0.2, rng=1, dtype=dtype), L.Dense(6, 6, rng=2, dtype=dtype), L.RReLU(rng=3, dtype=dtype),
        L.Dense(6, 4, rng=4, dtype=dtype), L.Activation("tanh"), L.Activation("relu"),
    ])


def test_float32_kept_through_forward_backward_and_optimizer(rng):
    model = _all_layer_kinds(np.float32)
    X = rng.normal(size=(8, 5))                 # float64 input is converted once
    opt = nnlab.optim.Adam(lr=1e-2)
    param_ids = [id(p) for p in model.params]
    grad_ids = [id(g) for g in model.grads]
    for _ in range(3):
        Y = model.forward(X)
        assert Y.dtype == np.float32
        dX = model.backward(np.ones_like(Y))
        assert dX.dtype == np.float32
        opt.step(model.params, model.grads)
    assert all(p.dtype == np.float32 for p in model.params + model.buffers)
    assert all(g.dtype == np.float32 for g in model.grads)
    assert [id(p) for p in model.params] == param_ids       # updated in place
    assert [id(g) for g in model.grads] == grad_ids
    assert model.predict(X).dtype == np.float32


def test_dense_params_and_grads_are_the_same_arrays():
    d = L.Dense(3, 2, rng=0)
    assert d.params[0] is d.W and d.params[1] is d.b and d.W.shape == (3, 2) and d.b.shape == (2,)
    W_before = d.W
    d.forward(np.ones((4, 3)))
    d.backward(np.ones((4, 2)))
    assert d.grads[0] is d.dW and d.W is W_before
    np.testing.assert_allclose(d.dW, np.full((3, 2), 4.0))   # X^T G with X, G all ones


def test_input_grad_false_skips_the_first_product(rng):
    model = nnlab.mlp([4, 3, 2], rng=0)
    out = model.forward(rng.normal(size=(5, 4)))
    assert model.backward(np.ones_like(out), input_grad=False) is None
    assert np.any(model.grads[0] != 0)


# ---------------------------------------------------------------- Sequential and mlp
def test_mismatched_layer_sizes_name_the_layer():
    with pytest.raises(ValueError, match=r"layer 2 \(Dense\) expects 5 input features but layer 1 produces 4"):
        L.Sequential([L.Dense(3, 4), L.Activation("relu"), L.Dense(5, 2)])
    with pytest.raises(ValueError, match=r"layer 1 \(BatchNorm\) expects 3"):
        L.Sequential([L.Dense(3, 4), L.BatchNorm(3)])
    with pytest.raises(ValueError, match="dtype"):
        L.Sequential([L.Dense(3, 4), L.Dense(4, 2, dtype=np.float32)])


def test_bad_inputs():
    with pytest.raises(ValueError, match="X has 3 features"):
        L.Dense(4, 2).forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dY has shape \(2, 3\)"):
        d = L.Dense(4, 2)
        d.forward(np.ones((2, 4)))
        d.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="unknown activation 'relux'"):
        L.Activation("relux")
    with pytest.raises(ValueError, match="unknown initializer"):
        L.Dense(2, 2, init="he_normall")
    with pytest.raises(ValueError, match=r"p \(the drop probability\)"):
        L.Dropout(1.0)
    with pytest.raises(ValueError, match="n_out"):
        L.Dense(3, 0)
    with pytest.raises(ValueError, match="at least 2 samples"):
        L.BatchNorm(3).forward(np.ones((1, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        L.Dense(2, 2).backward(np.ones((1, 2)))
    with pytest.raises(ValueError, match="sizes"):
        nnlab.mlp([3])


def test_mlp_structure_and_summary():
    model = nnlab.mlp([784, 256, 10], dropout=0.2, batchnorm=True, output="softmax", rng=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNorm", "Activation", "Dropout", "Dense", "Activation"]
    assert model.n_params == 784 * 256 + 256 + 2 * 256 + 256 * 10 + 10
    text = repr(model)
    assert "Dense(784, 256)" in text and "(m, 256)" in text and "200,960" in text
    assert f"total parameters: {model.n_params:,}" in text
    assert nnlab.Sequential is L.Sequential and nnlab.mlp is L.mlp


def test_mlp_same_rng_seed_same_network_and_default_init():
    a, b = nnlab.mlp([10, 20, 3], rng=4), nnlab.mlp([10, 20, 3], rng=4)
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)
    # He normal for ReLU: std sqrt(2/fan_in); Glorot uniform for tanh
    big = nnlab.mlp([400, 300, 2], rng=0)
    assert big.layers[0].W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    tanh = nnlab.mlp([400, 300, 2], activation="tanh", rng=0)
    assert tanh.layers[0].W.std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)


def test_get_and_set_weights_round_trip(rng):
    model = nnlab.mlp([4, 5, 2], batchnorm=True, rng=0)
    saved = model.get_weights()
    model.forward(rng.normal(size=(6, 4)))
    for p in model.params:
        p += 1.0
    model.set_weights(saved)
    for a, b in zip(model.params + model.buffers, saved):
        np.testing.assert_array_equal(a, b)
