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


# ---------------------------------------------------------------- initialization (§5)
def test_mlp_selu_uses_lecun_normal():
    """SELU's self-normalization assumes LeCun normal, N(0, 1/fan_in); mlp used Glorot uniform."""
    model = nnlab.mlp([400, 300, 2], activation="selu", rng=0)
    W = model.layers[0].W
    assert W.std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)     # Glorot: sqrt(2/700), 7% more
    # normal, not uniform: Glorot uniform never exceeds sqrt(6/700) = 0.093; 120,000 normal
    # draws of std 0.05 reach beyond 4 std (0.2)
    assert np.abs(W).max() > 0.15
    kurtosis = np.mean(W ** 4) / np.mean(W ** 2) ** 2
    assert kurtosis == pytest.approx(3.0, abs=0.1)                  # uniform: 1.8


def test_dense_accepts_an_initializer_written_f_shape_rng():
    """The README documents initializers as f(shape, rng); Dense called them with dtype=."""
    def small(shape, rng):
        return rng.normal(0.0, 0.01, size=shape)

    d = L.Dense(3, 4, init=small, rng=5)
    np.testing.assert_array_equal(d.W, np.random.default_rng(5).normal(0.0, 0.01, size=(3, 4)))
    d32 = L.Dense(3, 4, init=small, rng=5, dtype=np.float32)
    assert d32.W.dtype == np.float32
    np.testing.assert_array_equal(d32.W, d.W.astype(np.float32))
    seen = {}

    def with_dtype(shape, rng, dtype=np.float64):
        seen["dtype"] = dtype
        return np.ones(shape, dtype=dtype)
    assert L.Dense(2, 2, init=with_dtype, dtype=np.float32).W.dtype == np.float32
    assert seen["dtype"] == np.float32                               # still passed when accepted
    assert L.Dense(2, 3, init=lambda shape, rng, **kw: np.zeros(shape)).W.shape == (2, 3)


@pytest.mark.parametrize("init,error,match", [
    (lambda shape, rng: np.ones((2, 2)), ValueError, r"init returned shape \(2, 2\); expected \(3, 4\)"),
    (lambda shape, rng: np.full(shape, np.nan), ValueError, "init returned NaN"),
    (lambda shape, rng: np.full(shape, "a"), TypeError, "the result of init must be an array of numbers"),
    (5, TypeError, "init must be a name of nnlab.init"),
    (["he_normal"], TypeError, "init must be a name"),
    ("he_normall", ValueError, "unknown initializer"),
])
def test_dense_rejects_bad_initializers(init, error, match):
    with pytest.raises(error, match=match):
        L.Dense(3, 4, init=init)


# ---------------------------------------------------------------- predict(batch_size=) (§7)
@pytest.mark.parametrize("batch_size", [None, 1, 3, 7, 10, 11, 100])
def test_predict_in_chunks_equals_the_formula(batch_size, rng):
    model = nnlab.mlp([4, 6, 3], rng=0)
    X = rng.normal(size=(10, 4))
    d0, d1 = model.layers[0], model.layers[2]
    expected = np.maximum(X @ d0.W + d0.b, 0) @ d1.W + d1.b
    out = model.predict(X, batch_size=batch_size)
    assert out.shape == (10, 3)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)


def test_predict_in_chunks_uses_running_statistics_not_chunk_statistics(rng):
    model = nnlab.mlp([3, 5, 2], batchnorm=True, dropout=0.5, rng=0)
    model.forward(rng.normal(size=(50, 3)) + 2)                     # running stats move
    X = rng.normal(size=(9, 3))
    one = model.predict(X[:1])
    np.testing.assert_allclose(model.predict(X, batch_size=1)[:1], one, rtol=1e-12)
    np.testing.assert_allclose(model.predict(X, batch_size=4), model.predict(X), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- mlp with prelu / rrelu (§7)
@pytest.mark.parametrize("activation,kind", [("prelu", L.PReLU), ("rrelu", L.RReLU)])
def test_mlp_with_prelu_and_rrelu_layers(activation, kind):
    model = nnlab.mlp([200, 100, 50, 3], activation=activation, rng=0)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == [L.Dense, kind, L.Dense, kind, L.Dense]
    assert model.layers[0].W.std() == pytest.approx(np.sqrt(2 / 200), rel=0.03)    # He normal
    r = np.random.default_rng(1)
    X = r.normal(size=(120, 200))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    h = nnlab.train.fit(model, X, y, optimizer="adam", lr=1e-3, epochs=5, batch_size=20, progress=False)
    assert h.loss[-1] < 0.5 * h.loss[0]
    # inference: PReLU with its learned slope, RReLU with the mean slope (1/8 + 1/3) / 2
    H = X
    for layer in model.layers:
        if isinstance(layer, L.Dense):
            H = H @ layer.W + layer.b
        else:
            slope = layer.alpha[0] if activation == "prelu" else (1 / 8 + 1 / 3) / 2
            H = np.where(H > 0, H, slope * H)
    np.testing.assert_allclose(model.predict(X), H, rtol=1e-10, atol=1e-12)
    if activation == "prelu":
        assert model.layers[1].alpha[0] != 0.25                       # the slope was trained


# ---------------------------------------------------------------- float32 values (§7)
def test_float32_layers_compute_the_float64_values(rng):
    m64 = _all_layer_kinds(np.float64)
    m32 = _all_layer_kinds(np.float32)
    m32.set_weights(m64.get_weights())
    X = rng.normal(size=(8, 5))
    for a, b in zip(m32.layers, m64.layers):
        if isinstance(a, L.RReLU):                                   # the same slopes
            a.rng, b.rng = np.random.default_rng(9), np.random.default_rng(9)
        if isinstance(a, L.Dropout):       # float32 masks are drawn differently: identity here
            a.eval(), b.eval()
    Y32, Y64 = m32.forward(X), m64.forward(X)
    G = rng.normal(size=Y64.shape)
    dX32, dX64 = m32.backward(G), m64.backward(G)
    # float32 keeps ~7 digits; tolerances of a few hundred ulps, scaled by the values
    np.testing.assert_allclose(Y32, Y64, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(dX32, dX64, rtol=2e-5, atol=2e-5 * np.abs(dX64).max())
    scale = max(np.abs(g).max() for g in m64.grads)   # (the bias before BatchNorm: exactly 0)
    for g32, g64 in zip(m32.grads, m64.grads):
        np.testing.assert_allclose(g32, g64, rtol=2e-5, atol=2e-5 * scale)
    np.testing.assert_allclose(m32.predict(X), m64.predict(X), rtol=2e-5, atol=2e-6)


# ---------------------------------------------------------------- bad input (§6)
def _layer_cases():
    model = nnlab.mlp([2, 3, 2], batchnorm=True, rng=0)
    w = model.get_weights()
    return [
        ("Sequential(None)", lambda: L.Sequential(None), TypeError, "layers must be a list"),
        ("Sequential(Dense)", lambda: L.Sequential(L.Dense(2, 2)), TypeError, r"Sequential\(\[Dense"),
        ("Sequential(5)", lambda: L.Sequential(5), TypeError, "layers must be a list"),
        ("Sequential('ab')", lambda: L.Sequential("ab"), TypeError, "layers must be a list"),
        ("Sequential([])", lambda: L.Sequential([]), ValueError, "layers is empty"),
        ("Sequential([1, 2])", lambda: L.Sequential([1, 2]), TypeError, r"layers\[0\] must be an nnlab layer"),
        ("mlp(5)", lambda: nnlab.mlp(5), TypeError, "sizes must be a list"),
        ("mlp(None)", lambda: nnlab.mlp(None), TypeError, "sizes must be a list"),
        ("mlp('784')", lambda: nnlab.mlp("784"), TypeError, "sizes must be a list"),
        ("mlp([3])", lambda: nnlab.mlp([3]), ValueError, "sizes must list at least"),
        ("mlp([2, 'a'])", lambda: nnlab.mlp([2, "a"]), ValueError, r"sizes\[1\] must be (a positive integer|an integer >= 1)"),
        ("mlp([2, 0])", lambda: nnlab.mlp([2, 0]), ValueError, r"sizes\[1\]"),
        ("mlp([2.5, 3])", lambda: nnlab.mlp([2.5, 3]), ValueError, r"sizes\[0\]"),
        ("mlp activation", lambda: nnlab.mlp([2, 3, 2], activation="relux"), ValueError, "unknown activation"),
        ("mlp activation layer", lambda: nnlab.mlp([2, 3, 2], activation=L.PReLU()), TypeError, "activation must be a name"),
        ("mlp output", lambda: nnlab.mlp([2, 3], output="softmaxx"), ValueError, "unknown activation"),
        ("mlp dropout=1", lambda: nnlab.mlp([2, 3, 2], dropout=1.0), ValueError, r"dropout .* must be in \[0, 1\)"),
        ("mlp dropout='a'", lambda: nnlab.mlp([2, 3, 2], dropout="a"), TypeError, "dropout must be a number"),
        ("mlp batchnorm='yes'", lambda: nnlab.mlp([2, 3, 2], batchnorm="yes"), TypeError, "batchnorm must be True or False"),
        ("mlp dtype=int", lambda: nnlab.mlp([2, 3], dtype=int), TypeError, "dtype must be a floating-point"),
        ("mlp dtype='foo'", lambda: nnlab.mlp([2, 3], dtype="foo"), TypeError, "dtype must be a floating-point"),
        ("mlp rng='a'", lambda: nnlab.mlp([2, 3], rng="a"), TypeError, "rng must be"),
        ("Dense(3, 0)", lambda: L.Dense(3, 0), ValueError, r"n_out must be (a positive integer|an integer >= 1)"),
        ("Dense(0, 3)", lambda: L.Dense(0, 3), ValueError, r"n_in must be (a positive integer|an integer >= 1)"),
        ("Dense(3.0, 2)", lambda: L.Dense(3.0, 2), ValueError, "n_in"),
        ("Dense(None, 2)", lambda: L.Dense(None, 2), ValueError, "n_in"),
        ("Dense dtype", lambda: L.Dense(2, 2, dtype="float"), None, None),
        ("Dense rng=-1", lambda: L.Dense(2, 2, rng=-1), ValueError, "rng must be a non-negative"),
        ("Dropout(p=2)", lambda: L.Dropout(p=2), ValueError, r"p \(the drop probability\) must be in \[0, 1\)"),
        ("Dropout(p=-0.1)", lambda: L.Dropout(p=-0.1), ValueError, "p must be a finite number >= 0"),
        ("Dropout(p=nan)", lambda: L.Dropout(p=float("nan")), ValueError, "p must be a finite number"),
        ("Dropout(p='a')", lambda: L.Dropout(p="a"), TypeError, "p must be a number"),
        ("BatchNorm(momentum=1.5)", lambda: L.BatchNorm(3, momentum=1.5), ValueError, r"momentum must be in \[0, 1\]"),
        ("BatchNorm(eps=0)", lambda: L.BatchNorm(3, eps=0), ValueError, "eps must be a finite number > 0"),
        ("BatchNorm(0)", lambda: L.BatchNorm(0), ValueError, r"n must be (a positive integer|an integer >= 1)"),
        ("PReLU(init='a')", lambda: L.PReLU(init="a"), TypeError, "init must be a number"),
        ("PReLU(init=nan)", lambda: L.PReLU(init=float("nan")), ValueError, "init must be a finite number"),
        # float("0.5") used to be accepted silently as a slope
        ("PReLU(init='0.5')", lambda: L.PReLU(init="0.5"), TypeError, r"init must be a number; got '0\.5' \(a str\)"),
        ("PReLU(0)", lambda: L.PReLU(0), ValueError, "num_parameters"),
        ("RReLU(0.5, 0.2)", lambda: L.RReLU(0.5, 0.2), ValueError, r"upper \(0.2\) must be >= lower"),
        ("Activation(None)", lambda: L.Activation(None), (TypeError, ValueError), "activation"),
        ("forward None", lambda: model.forward(None), TypeError, "X must be array-like"),
        ("forward 0-d", lambda: model.forward(1.0), ValueError, "X must be 2-D"),
        ("forward 1-D", lambda: model.forward([1.0, 2.0]), ValueError, r"X must be 2-D.*reshape"),
        ("forward ragged", lambda: model.forward([[1.0, 2.0], [3.0]]), TypeError, "X must be array-like"),
        ("forward strings", lambda: model.forward([["a", "b"]]), TypeError, "X must be array-like"),
        ("forward NaN", lambda: model.forward([[np.nan, 1.0]]), ValueError, "X contains NaN"),
        ("layer forward None", lambda: L.Dense(2, 2).forward(None), TypeError, "X must be array-like"),
        ("backward None", lambda: L.Dense(2, 2).backward(None), RuntimeError, "before forward"),
        ("set_weights(None)", lambda: model.set_weights(None), TypeError, "weights must be a list of arrays"),
        ("set_weights(5)", lambda: model.set_weights(5), TypeError, "weights must be a list of arrays"),
        ("set_weights(array)", lambda: model.set_weights(w[0]), TypeError, "weights must be a list of arrays"),
        ("set_weights short", lambda: model.set_weights(w[:-1]), ValueError, "weights has 7 arrays but the model has 8"),
        ("set_weights shape", lambda: model.set_weights([w[0].T] + w[1:]), ValueError, r"weights\[0\] has shape \(3, 2\)"),
        ("set_weights strings", lambda: model.set_weights([np.full(w[0].shape, "a")] + w[1:]), TypeError,
         r"weights\[0\] must be an array of numbers"),
        ("set_weights None entry", lambda: model.set_weights([None] + w[1:]), TypeError, r"weights\[0\] must be an array"),
        ("set_weights NaN", lambda: model.set_weights([np.full(w[0].shape, np.nan)] + w[1:]), ValueError,
         r"weights\[0\] contains NaN"),
        ("model['a']", lambda: model["a"], TypeError, "layer index must be an integer"),
        ("layer_from_config kind", lambda: L.layer_from_config(["Dense"], {}), TypeError, "kind must be a layer class name"),
        ("layer_from_config unknown", lambda: L.layer_from_config("Conv2D", {}), ValueError, "unknown layer type"),
        ("layer_from_config config", lambda: L.layer_from_config("Dense", None), TypeError, "config must be a dict"),
        ("layer_from_config keys", lambda: L.layer_from_config("Dense", {"n_in": 2, "n_out": 2, "bias": 0}),
         ValueError, r"unknown keys \['bias'\]"),
        ("layer_from_config name", lambda: L.layer_from_config("Activation", {}), ValueError, "needs its 'name'"),
    ]


_LAYER_CASES = _layer_cases()


@pytest.mark.parametrize("case", range(len(_LAYER_CASES)), ids=[c[0] for c in _LAYER_CASES])
def test_bad_input_names_the_argument(case):
    _, call, error, match = _LAYER_CASES[case]
    if error is None:                                  # accepted: np.dtype("float") is float64
        call()
        return
    with pytest.raises(error, match=match):
        call()


def test_model_index_out_of_range_says_how_many_layers():
    model = nnlab.mlp([2, 3, 2], rng=0)
    with pytest.raises(IndexError, match="the model has 3 layers; index 5 is out of range"):
        model[5]
    assert model[-1] is model.layers[-1] and list(model) == model.layers
