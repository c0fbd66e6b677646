"""Train / eval mode (PyTorch's convention) and nnlab's package-level randomness (issue 8, §3-§4)."""
from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab import layers as L
from nnlab._validate import as_rng
from nnlab.train import evaluate, fit


def _xor(m=200, seed=0):
    r = np.random.default_rng(seed)
    X = r.normal(size=(m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _trained(rng=0):
    X, y = _xor()
    model = nnlab.mlp([2, 32, 32, 2], dropout=0.3, batchnorm=True, rng=rng)
    fit(model, X, y, optimizer="adam", lr=0.01, epochs=15, batch_size=32, seed=0, progress=False)
    return model, X, y


def _all_kinds():
    return [L.Dense(3, 4, rng=0), L.Activation("tanh"), L.Dropout(0.5, rng=0), L.BatchNorm(4),
            L.PReLU(), L.RReLU(rng=0)]


def _modes(model):
    return [model.training] + [layer.training for layer in model.layers]


def _hand_inference(model, X):
    """The eval-mode forward pass of mlp(..., batchnorm=True, dropout=p) written out:
    BatchNorm with its running statistics, Dropout as the identity."""
    H = X
    for layer in model.layers:
        if isinstance(layer, L.Dense):
            H = H @ layer.W + layer.b
        elif isinstance(layer, L.BatchNorm):
            H = layer.gamma * (H - layer.running_mean) / np.sqrt(layer.running_var + layer.eps) + layer.beta
        elif isinstance(layer, L.Activation):
            assert layer.name == "relu"
            H = np.maximum(H, 0)
    return H


# ---------------------------------------------------------------- train() / eval()
@pytest.mark.parametrize("k", range(6), ids=[type(la).__name__ for la in _all_kinds()])
def test_layers_start_in_train_mode_and_train_eval_return_the_layer(k):
    layer = _all_kinds()[k]          # built inside the test: a rerun starts afresh
    assert layer.training is True
    assert layer.eval() is layer and layer.training is False
    assert layer.train() is layer and layer.training is True
    assert layer.train(False) is layer and layer.training is False


def test_sequential_train_and_eval_set_every_layer_and_return_the_model():
    model = L.Sequential(_all_kinds())
    assert _modes(model) == [True] * 7
    assert model.eval() is model and _modes(model) == [False] * 7
    assert model.train() is model and _modes(model) == [True] * 7
    assert model.train(False) is model and _modes(model) == [False] * 7


def test_summary_shows_the_mode():
    model = nnlab.mlp([3, 4, 2], dropout=0.5, rng=0)
    assert repr(model).splitlines()[0] == "Sequential (float64, train mode)"
    model.eval()
    assert repr(model).splitlines()[0] == "Sequential (float64, eval mode)"
    model.layers[2].train()                      # a layer whose mode differs is marked
    assert "(2) Dropout(p=0.5) [train]" in repr(model)


def test_mode_arguments_are_checked():
    with pytest.raises(TypeError, match="mode must be True or False"):
        L.Dense(2, 2).train("yes")
    with pytest.raises(TypeError, match="mode must be True or False"):
        nnlab.mlp([2, 2]).train(1)
    with pytest.raises(TypeError, match="training must be True, False or None"):
        nnlab.mlp([2, 2]).forward(np.ones((1, 2)), training="no")
    with pytest.raises(TypeError, match="training must be True, False or None"):
        L.Dropout(0.5).forward(np.ones((1, 2)), training=2)


def test_calling_a_layer_runs_its_forward_pass():
    """``layer(X)`` used to reach the abstract Layer.forward (NotImplementedError)."""
    d = L.Dense(2, 3, rng=0)
    X = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(d(X), X @ d.W + d.b)
    drop = L.Dropout(0.5).eval()
    np.testing.assert_array_equal(drop(X), X)


# ---------------------------------------------------------------- model(X) follows the mode
def test_issue_example_two_evaluations_in_eval_mode_agree_with_predict():
    """Issue 8 §3: model(X) ran in training mode, so two "evaluations" differed from predict."""
    model, X, y = _trained()
    assert model.training                         # fit left it in the mode it found: train
    a, b = model(X), model(X)                     # train mode: new masks, batch statistics
    assert not np.array_equal(a, b)
    model.eval()
    first, second = model(X), model(X)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, model.predict(X))
    acc = np.mean(first.argmax(1) == y)
    assert acc == np.mean(model.predict(X).argmax(1) == y) and acc > 0.9
    # eval mode means: running statistics, no dropout (checked against the formula)
    np.testing.assert_allclose(first, _hand_inference(model, X), rtol=1e-12, atol=1e-12)


def test_explicit_training_argument_overrides_the_mode_for_one_call():
    model, X, _ = _trained()
    model.eval()
    before = model.get_weights()
    out = model.forward(X, training=True)          # batch statistics, dropout: differs
    assert not np.allclose(out, model.predict(X))
    assert not model.training and not any(layer.training for layer in model.layers)
    model.train()
    np.testing.assert_allclose(model.forward(X[:40], training=False), _hand_inference(model, X[:40]),
                               rtol=1e-12, atol=1e-12)
    assert all(layer.training for layer in model.layers)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # stats moved


def test_eval_mode_rrelu_uses_the_mean_slope_and_batchnorm_keeps_its_statistics(rng):
    layer = L.RReLU(0.1, 0.3, rng=0).eval()
    X = -np.abs(rng.normal(size=(50, 4))) - 0.1
    np.testing.assert_allclose(layer(X), 0.2 * X, rtol=1e-15)
    bn = L.BatchNorm(4).eval()
    bn(rng.normal(size=(10, 4)) + 3)
    np.testing.assert_array_equal(bn.running_mean, np.zeros(4))
    np.testing.assert_array_equal(bn.running_var, np.ones(4))


# ---------------------------------------------------------------- fit / predict / evaluate
@pytest.mark.parametrize("start", ["train", "eval", "mixed"])
def test_fit_trains_in_train_mode_and_restores_the_mode(start):
    X, y = _xor(64)
    model = nnlab.mlp([2, 8, 2], dropout=0.2, batchnorm=True, rng=0)
    if start == "eval":
        model.eval()
    elif start == "mixed":
        model.layers[1].eval()                   # e.g. a BatchNorm frozen by the user
    modes = _modes(model)
    stats = [b.copy() for b in model.buffers]
    fit(model, X, y, optimizer="sgd", lr=0.1, epochs=2, batch_size=16, validation=(X, y), progress=False)
    assert _modes(model) == modes
    # trained in train mode: BatchNorm's running statistics moved (they only move in train mode)
    assert not np.array_equal(stats[0], model.buffers[0])


def test_fit_restores_the_mode_when_it_fails():
    X, y = _xor(64)
    model = nnlab.mlp([2, 8, 2], rng=0).eval()
    with pytest.raises(FloatingPointError):
        fit(model, X, y, optimizer="sgd", lr=1e4, epochs=5, batch_size=None, progress=False)
    assert _modes(model) == [False] * 4


@pytest.mark.parametrize("mode", [True, False])
def test_predict_and_evaluate_change_no_state(mode):
    X, y = _xor()
    nnlab.seed(5)
    model = nnlab.mlp([2, 16, 16, 2], dropout=0.3, batchnorm=True, activation="rrelu")   # package rng
    fit(model, X, y, optimizer="adam", lr=0.01, epochs=3, progress=False)
    model.train(mode)
    start = model.get_weights()
    G = np.random.default_rng(0).normal(size=(20, 2))

    def gradients(infer_in_between):
        """A training forward pass, [inference,] backward: the gradients."""
        model.set_weights(start)
        nnlab.seed(99)                             # the same masks and slopes in both runs
        model.forward(X[:20], training=True)
        if infer_in_between:
            weights = model.get_weights()
            package_rng = as_rng(None).bit_generator.state
            pred = model.predict(X)
            chunked = model.predict(X, batch_size=7)
            loss, acc = evaluate(model, X, y)
            assert as_rng(None).bit_generator.state == package_rng     # no mask or slope drawn
            assert _modes(model) == [mode] * len(_modes(model))
            for a, b in zip(weights, model.get_weights()):
                np.testing.assert_array_equal(a, b)   # BatchNorm's running statistics too
            np.testing.assert_allclose(pred, chunked, rtol=1e-12, atol=1e-14)
            ref = nnlab.losses.get("softmax_cross_entropy").value(y, pred)
            assert loss == pytest.approx(ref, rel=1e-12) and acc == np.mean(pred.argmax(1) == y)
        model.backward(G)
        return [g.copy() for g in model.grads]

    # backward uses the training pass, not what predict/evaluate computed in between
    for a, b in zip(gradients(False), gradients(True)):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- randomness (§4)
def _seeded_run(s):
    X, y = _xor(90)
    nnlab.seed(s)
    model = nnlab.mlp([2, 16, 16, 2], dropout=0.3, batchnorm=True)      # rng=None everywhere
    h = fit(model, X, y, optimizer="adam", lr=0.01, epochs=3, batch_size=16,
            validation=(X[:30], y[:30]), progress=False)
    return h, model


def test_same_nnlab_seed_same_history_bitwise():
    h1, m1 = _seeded_run(3)
    h2, m2 = _seeded_run(3)
    assert h1 == h2                                # every float, exactly
    for a, b in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(a, b)
    h3, _ = _seeded_run(4)
    assert h3.loss != h1.loss


def test_two_default_dense_layers_differ():
    a, b = L.Dense(8, 8), L.Dense(8, 8)
    assert not np.array_equal(a.W, b.W)
    nnlab.seed(0)
    c = L.Dense(8, 8)
    nnlab.seed(0)
    np.testing.assert_array_equal(c.W, L.Dense(8, 8).W)      # reproducible through nnlab.seed
    a, b = nnlab.mlp([4, 8, 2]), nnlab.mlp([4, 8, 2])
    assert not np.array_equal(a.layers[0].W, b.layers[0].W)


def test_two_default_dropout_layers_draw_different_masks():
    X = np.ones((20, 30))
    d1, d2 = L.Dropout(0.5), L.Dropout(0.5)
    assert not np.array_equal(d1(X), d2(X))
    assert not np.array_equal(d1(X), d1(X))                  # and a new mask every call


def test_default_dropout_follows_nnlab_seed_called_after_it_was_built():
    drop = L.Dropout(0.5)
    X = np.ones((10, 10))
    nnlab.seed(7)
    first = drop(X)
    nnlab.seed(7)
    np.testing.assert_array_equal(drop(X), first)


class _Recorder(L.Layer):
    """Identity layer remembering column 0 (the sample's id) of each training batch."""

    def __init__(self):
        super().__init__()
        self.batches = []

    def forward(self, X, training=None):
        if self.training if training is None else training:
            self.batches.append(X[:, 0].astype(int).tolist())
        return X

    def backward(self, dY, input_grad=True):
        return dY


def _order_run(m=20, batch_size=5, epochs=2, **kw):
    X = np.column_stack([np.arange(m, dtype=float), np.random.default_rng(0).normal(size=m)])
    y = np.arange(m) % 3
    rec = _Recorder()
    model = L.Sequential([rec, L.Dense(2, 3, rng=0)])
    fit(model, X, y, optimizer="sgd", lr=1e-3, epochs=epochs, batch_size=batch_size, progress=False, **kw)
    return rec.batches


def _epochs(batches, per_epoch):
    return [sum(batches[i:i + per_epoch], []) for i in range(0, len(batches), per_epoch)]


def test_each_epoch_and_each_call_visit_the_samples_in_a_new_order():
    e1, e2 = _epochs(_order_run(), 4)
    assert sorted(e1) == sorted(e2) == list(range(20)) and e1 != e2
    f1, _ = _epochs(_order_run(), 4)
    assert f1 != e1                                # the default draws from the package generator
    nnlab.seed(1)
    g = _order_run()
    nnlab.seed(1)
    assert _order_run() == g                       # ... which nnlab.seed resets
    assert _order_run(seed=4) == _order_run(seed=4)                        # an int: a private order
    assert _order_run(seed=np.random.default_rng(4)) == _order_run(seed=4)
