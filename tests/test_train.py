"""nnlab.train.fit: updates per epoch, determinism, early stopping, clipping, errors, torch parity."""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnlab
from nnlab import optim
from nnlab.train import History, evaluate, fit


def _blobs(m=120, seed=0):
    r = np.random.default_rng(seed)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
    y = np.arange(m) % 3
    X = centers[y] + r.normal(scale=0.8, size=(m, 2))
    return X, y


class CountingSGD:
    """A stand-in optimizer recording every step (and the gradients it was given)."""

    def __init__(self, lr=0.01):
        self.lr = lr
        self.steps = 0
        self.grad_norms, self.grad_max = [], []

    def step(self, params, grads):
        self.steps += 1
        self.grad_norms.append(math.sqrt(sum(float(np.sum(g * g)) for g in grads)))
        self.grad_max.append(max(float(np.abs(g).max()) for g in grads))
        for p, g in zip(params, grads):
            p -= self.lr * g


# ------------------------------------------------------------ updates per epoch
@pytest.mark.parametrize("batch_size,per_epoch", [(None, 1), (1, 12), (3, 4), (5, 3), (12, 1), (50, 1)])
def test_updates_per_epoch(batch_size, per_epoch):
    X, y = _blobs(12)
    opt = optim.SGD(lr=0.01)
    h = fit(nnlab.mlp([2, 4, 3], rng=0), X, y, optimizer=opt, epochs=2, batch_size=batch_size, progress=False)
    assert h.updates == [per_epoch, per_epoch]
    assert opt.state[0]["step"] == 2 * per_epoch


def test_batch_gd_epoch_loss_is_loss_before_the_update():
    """BGD: the running mean over the single batch is the loss at the initial weights."""
    X, y = _blobs(30)
    model = nnlab.mlp([2, 5, 3], rng=1)
    out = model.forward(X, training=False)
    ce = nnlab.losses.get("softmax_cross_entropy")
    expected_loss = ce.value(y, out)
    expected_acc = np.mean(out.argmax(1) == y)
    h = fit(model, X, y, optimizer="sgd", lr=0.1, epochs=1, batch_size=None, progress=False)
    assert h.loss[0] == pytest.approx(expected_loss, rel=1e-12)
    assert h.accuracy[0] == pytest.approx(expected_acc)


def test_running_mean_over_minibatches_weighted_by_size():
    X, y = _blobs(10)
    model = nnlab.mlp([2, 3], rng=2)             # a linear model: easy to replay by hand
    W0, b0 = model.layers[0].W.copy(), model.layers[0].b.copy()
    h = fit(model, X, y, optimizer="sgd", lr=0.5, epochs=1, batch_size=4, seed=3, progress=False)
    # replay: same permutation, same updates, computed with the core's loss functions
    order = np.random.default_rng(3).permutation(10)
    ce = nnlab.losses.get("softmax_cross_entropy")
    W, b, total = W0, b0, 0.0
    for s in range(0, 10, 4):
        rows = order[s:s + 4]
        Z = X[rows] @ W + b
        total += ce.value(y[rows], Z) * len(rows)
        G = ce.gradient(y[rows], Z)
        W, b = W - 0.5 * X[rows].T @ G, b - 0.5 * G.sum(0)
    assert h.loss[0] == pytest.approx(total / 10, rel=1e-12)
    np.testing.assert_allclose(model.layers[0].W, W, rtol=1e-12)


@pytest.mark.parametrize("labels", ["integer", "one_hot", "soft"])
def test_fused_softmax_cross_entropy_matches_core_loss(labels, rng):
    from nnlab.train import _Objective
    Z = rng.normal(size=(7, 4)) * 5
    y = rng.integers(0, 4, size=7)
    if labels == "integer":
        targets = y
    elif labels == "one_hot":
        targets = nnlab.data.one_hot(y, 4)
    else:
        targets = rng.dirichlet(np.ones(4), size=7)
    obj = _Objective("softmax_cross_entropy", np.float64)
    t, lab = obj.prepare(targets, 4)
    value, grad, correct = obj(t, lab, Z.copy())
    ce = nnlab.losses.get("softmax_cross_entropy")
    assert value == pytest.approx(ce.value(targets, Z), rel=1e-12)
    np.testing.assert_allclose(grad, ce.gradient(targets, Z), rtol=1e-12, atol=1e-15)
    true_classes = y if labels != "soft" else targets.argmax(1)
    assert correct == np.sum(Z.argmax(1) == true_classes)


# ---------------------------------------------------------------- determinism
def _run(seed):
    X, y = _blobs(90)
    model = nnlab.mlp([2, 16, 16, 3], dropout=0.2, batchnorm=True, rng=7)
    h = fit(model, X, y, optimizer="adam", lr=0.01, epochs=4, batch_size=16, validation=(X[:30], y[:30]),
            seed=seed, progress=False)
    return h, model


def test_fit_is_deterministic_by_seed():
    h1, m1 = _run(5)
    h2, m2 = _run(5)
    assert h1 == h2
    for a, b in zip(m1.params + m1.buffers, m2.params + m2.buffers):
        np.testing.assert_array_equal(a, b)
    h3, _ = _run(6)
    assert h3.loss != h1.loss


def test_history_contents():
    X, y = _blobs(60)
    h = fit(nnlab.mlp([2, 8, 3], rng=0), X, y, optimizer="adam", lr=0.05, epochs=3, batch_size=10,
            validation=(X, y), progress=False)
    assert isinstance(h, History) and h.epochs == 3
    assert len(h.loss) == len(h.accuracy) == len(h.val_loss) == len(h.val_accuracy) == len(h.lr) == 3
    assert list(h.grad_norm) == ["0:Dense", "2:Dense"]
    assert all(len(v) == 3 and all(x > 0 for x in v) for v in h.grad_norm.values())
    assert h.lr == [0.05] * 3
    assert h.loss[-1] < h.loss[0] and h.val_accuracy[-1] > 0.8
    assert "epochs" in repr(h) and set(h.as_dict()) >= {"loss", "val_loss", "grad_norm"}


def test_regression_loss_has_no_accuracy():
    r = np.random.default_rng(0)
    X = r.normal(size=(40, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]))[:, None]
    h = fit(nnlab.mlp([3, 1], rng=0), X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=30,
            batch_size=None, validation=(X, y), progress=False)
    assert h.accuracy == [None] * 30 and h.val_accuracy == [None] * 30
    assert h.loss[-1] < 1e-2 * h.loss[0]


def test_binary_sigmoid_cross_entropy_accuracy():
    X, y = _blobs(60)
    yb = (y == 0).astype(float)[:, None]
    h = fit(nnlab.mlp([2, 8, 1], rng=0), X, yb, loss="sigmoid_cross_entropy", optimizer="adam",
            lr=0.05, epochs=20, batch_size=10, progress=False)
    assert h.accuracy[-1] > 0.9


def test_float32_training_stays_float32():
    X, y = _blobs(40)
    model = nnlab.mlp([2, 8, 3], rng=0, batchnorm=True, dtype=np.float32)
    opt = optim.Adam(lr=0.01)
    fit(model, X, y, optimizer=opt, epochs=2, batch_size=8, progress=False)
    assert all(a.dtype == np.float32 for a in model.params + model.grads + model.buffers)
    assert all(v.dtype == np.float32 for st in opt.state for v in st.values() if isinstance(v, np.ndarray))


# ---------------------------------------------------------------- early stopping
def test_early_stopping_restores_best_epoch():
    X, y = _blobs(60)
    # a validation set whose labels disagree with training: its loss rises once the model learns
    Xv, yv = X[:30], (y[:30] + 1) % 3

    def make():
        return nnlab.mlp([2, 8, 3], rng=3, batchnorm=True)
    model = make()
    h = fit(model, X, y, optimizer="sgd", lr=0.05, epochs=30, batch_size=10, validation=(Xv, yv),
            early_stopping=2, seed=1, progress=False)
    best = int(np.argmin(h.val_loss))
    assert h.stopped_early and h.best_epoch == best
    assert h.epochs == best + 3                     # patience 2: two more epochs without improvement
    reference = make()
    fit(reference, X, y, optimizer="sgd", lr=0.05, epochs=best + 1, batch_size=10, seed=1, progress=False)
    for a, b in zip(model.params + model.buffers, reference.params + reference.buffers):
        np.testing.assert_array_equal(a, b)
    assert evaluate(model, Xv, yv)[0] == pytest.approx(h.val_loss[best], rel=1e-12)


def test_early_stopping_without_validation_monitors_training_loss():
    X, y = _blobs(30)
    h = fit(nnlab.mlp([2, 3], rng=0), X, y, optimizer="sgd", lr=0.1, epochs=5, early_stopping=1,
            progress=False)
    assert not h.stopped_early and h.best_epoch == int(np.argmin(h.loss))


# ---------------------------------------------------------------- clipping and schedules
def test_clip_norm_and_clip_value():
    X, y = _blobs(40)
    X = X * 100                                      # large inputs, large gradients
    opt = CountingSGD(lr=1e-4)
    h = fit(nnlab.mlp([2, 8, 3], rng=0), X, y, optimizer=opt, epochs=2, batch_size=8, clip_norm=0.5,
            progress=False)
    assert max(opt.grad_norms) <= 0.5 + 1e-9
    assert max(np.mean(v) for v in h.grad_norm.values()) > 0.5     # history keeps the unclipped norms
    opt2 = CountingSGD(lr=1e-4)
    fit(nnlab.mlp([2, 8, 3], rng=0), X, y, optimizer=opt2, epochs=1, batch_size=8, clip_value=0.01,
        progress=False)
    assert max(opt2.grad_max) <= 0.01


def test_schedule_sets_the_learning_rate_per_step_and_per_epoch():
    X, y = _blobs(12)
    opt = optim.SGD(lr=1.0)
    sched = nnlab.schedules.StepDecay(lr=0.1, step_size=4, gamma=0.5)
    h = fit(nnlab.mlp([2, 3], rng=0), X, y, optimizer=opt, epochs=3, batch_size=3, schedule=sched, progress=False)
    assert h.lr == [0.1 * 0.5 ** 0, 0.1 * 0.5 ** 1, 0.1 * 0.5 ** 2]   # steps 3, 7, 11
    h = fit(nnlab.mlp([2, 3], rng=0), X, y, optimizer="sgd", lr=1.0, epochs=3, batch_size=3,
            schedule=lambda e: 0.1 / (e + 1), schedule_unit="epoch", progress=False)
    assert h.lr == pytest.approx([0.1, 0.05, 0.1 / 3])


# ---------------------------------------------------------------- errors
def test_nan_loss_stops_with_clear_message():
    r = np.random.default_rng(0)
    X = r.normal(size=(64, 3)) * 10
    y = X @ np.array([[1.0], [2.0], [3.0]])
    with pytest.raises(FloatingPointError, match=r"epoch \d+.*learning rate.*too high.*clip_norm"):
        fit(nnlab.mlp([3, 16, 1], rng=0), X, y, loss="mse", optimizer="sgd", lr=10.0, epochs=50,
            batch_size=8, progress=False)


def test_nan_through_a_checked_activation_also_reported():
    r = np.random.default_rng(0)
    X = r.normal(size=(64, 3)) * 10
    y = X @ np.array([[1.0], [2.0], [3.0]])
    with pytest.raises(FloatingPointError, match="epoch"):
        fit(nnlab.mlp([3, 16, 1], activation="tanh", rng=0), X, y, loss="mse", optimizer="sgd",
            lr=50.0, epochs=50, batch_size=8, progress=False)


def test_bad_input():
    X, y = _blobs(12)
    model = nnlab.mlp([2, 3], rng=0)
    with pytest.raises(ValueError, match="X has 12 samples .* y has 11"):
        fit(model, X, y[:11], progress=False)
    with pytest.raises(ValueError, match="validation X has 12 samples but validation y has 5"):
        fit(model, X, y, validation=(X, y[:5]), progress=False)
    with pytest.raises(ValueError, match="lr"):
        fit(model, X, y, optimizer="sgd", lr=0.0, progress=False)
    with pytest.raises(ValueError, match="lr"):
        fit(model, X, y, optimizer="sgd", lr=-1.0, progress=False)
    with pytest.raises(ValueError, match="unknown optimizer 'sgdd'"):
        fit(model, X, y, optimizer="sgdd", progress=False)
    with pytest.raises(ValueError, match="unknown loss 'softmax_crossentropy'"):
        fit(model, X, y, loss="softmax_crossentropy", progress=False)
    with pytest.raises(ValueError, match="labels from 0 to 5 but the model has 3 outputs"):
        fit(model, X, np.arange(12) % 6, progress=False)
    with pytest.raises(ValueError, match="X has 3 features"):
        fit(model, np.ones((12, 3)), y, progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, X, y, batch_size=0, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, X, y, epochs=0, progress=False)
    with pytest.raises(ValueError, match="X contains NaN"):
        fit(model, np.full((12, 2), np.nan), y, progress=False)
    with pytest.raises(ValueError, match="lr given together"):
        fit(model, X, y, optimizer=optim.SGD(lr=0.1), lr=0.1, progress=False)


def test_progress_lines_and_silence(capsys):
    X, y = _blobs(12)
    fit(nnlab.mlp([2, 3], rng=0), X, y, optimizer="sgd", lr=0.1, epochs=2, validation=(X, y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2") and "val_acc" in lines[1]
    fit(nnlab.mlp([2, 3], rng=0), X, y, optimizer="sgd", lr=0.1, epochs=2, progress=False)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- torch parity, end to end
@pytest.mark.torch
def test_full_batch_training_matches_torch(torch, torch_twin):
    X, y = _blobs(40)
    model = nnlab.mlp([2, 6, 5, 3], rng=0)
    dense, ref = torch_twin(model)
    topt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    losses = []
    for _ in range(25):
        topt.zero_grad()
        loss = torch.nn.functional.cross_entropy(ref(Xt), yt)
        losses.append(loss.item())
        loss.backward()
        topt.step()
    h = fit(model, X, y, optimizer=optim.SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
            epochs=25, batch_size=None, progress=False)
    np.testing.assert_allclose(h.loss, losses, rtol=1e-8)
    for d, lin in zip(dense, ref[::2]):
        np.testing.assert_allclose(d.W, lin.weight.detach().numpy().T, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(d.b, lin.bias.detach().numpy(), rtol=1e-8, atol=1e-10)
