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
    from nnlab.train import Objective
    Z = rng.normal(size=(7, 4)) * 5
    y = rng.integers(0, 4, size=7)
    if labels == "integer":
        targets = y
    elif labels == "one_hot":
        targets = nnlab.data.one_hot(y, 4)
    else:
        targets = rng.dirichlet(np.ones(4), size=7)
    obj = Objective("softmax_cross_entropy", np.float64)
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
class _Explode:
    """An optimizer whose first step multiplies every weight by `factor` (finite result)."""

    def __init__(self, factor):
        self.lr, self.factor, self.steps = 0.1, factor, 0

    def step(self, params, grads):
        if self.steps == 0:
            for p in params:
                p *= self.factor
        self.steps += 1


def test_nan_loss_stops_with_clear_message():
    """After one update the weights are huge: inf logits make the fused softmax
    cross-entropy NaN (inf - inf; or inf), and the loss check reports it."""
    X, y = _blobs(24)
    X = np.column_stack([X, X[:, 0]]) * 1e3
    with pytest.raises(FloatingPointError, match=r"epoch 1 \(update 2\): the loss became (nan|inf).*"
                                                  r"learning rate.*too high.*clip_norm") as info:
        fit(nnlab.mlp([3, 16, 3], rng=0), X, y, optimizer=_Explode(1e306), epochs=2, batch_size=8,
            progress=False)
    assert info.value.__cause__ is None            # the loss path, not a checked function


def test_non_finite_loss_before_any_update_is_bad_input_not_divergence():
    """Overflow at the initial weights is not a learning-rate problem: ValueError naming X."""
    X, y = _blobs(24)
    with pytest.raises(ValueError, match=r"before any update.*X has entries up to 1e\+308 \(standardize X\)"):
        fit(nnlab.mlp([2, 16, 3], rng=0), np.full((24, 2), 1e308), y, progress=False)
    model = nnlab.mlp([2, 16, 3], rng=0)
    model.layers[0].W *= 1e300
    with pytest.raises(ValueError, match="before any update.*initial weights are too large"):
        fit(model, X * 1e10, y, progress=False)
    with pytest.raises(ValueError, match=r"output is NaN or infinite although X is finite.*standardize X"):
        evaluate(model, X * 1e10, y)
    # logits near 1e308: the loss (or, with another summation order, the logits) overflow
    with pytest.raises(ValueError, match=r"(the loss on X is inf|output is NaN or infinite).*standardize X"):
        evaluate(nnlab.mlp([3, 4, 3], rng=0), np.full((5, 3), 1e308), np.arange(5) % 3)


def test_nan_through_a_checked_activation_also_reported():
    """After one update the weights are huge but finite; X @ W overflows to inf, and tanh's
    input check raises ValueError. Reported as divergence (the old code re-raised the bare
    "z contains NaN or infinity", because the weights were finite)."""
    X, y = _blobs(24)
    X = np.column_stack([X, X[:, 0]]) * 1e3
    model = nnlab.mlp([3, 16, 3], activation="tanh", rng=0)
    with pytest.raises(FloatingPointError, match=r"epoch 1 \(update 2\).*learning rate") as info:
        fit(model, X, y, optimizer=_Explode(1e306), epochs=2, batch_size=8, progress=False)
    cause = info.value.__cause__
    assert isinstance(cause, ValueError) and "z contains NaN or infinity" in str(cause)
    assert all(np.isfinite(p).all() for p in model.params)      # finite weights, inf activations


def test_infinite_output_in_a_checked_loss_reported_as_divergence():
    """The issue's "fails with 'y_pred contains NaN or infinity'": now the documented error."""
    X, y = _blobs(24)
    X = np.column_stack([X, X[:, 0]]) * 1e3
    Y = nnlab.data.one_hot(y, 3) * 2.0
    with pytest.raises(FloatingPointError, match=r"update 2.*learning rate") as info:
        fit(nnlab.mlp([3, 16, 3], rng=0), X, Y, loss="mse", optimizer=_Explode(1e306), epochs=2,
            batch_size=8, progress=False)
    assert "y_pred contains NaN or infinity" in str(info.value.__cause__)


# ---------------------------------------------------------------- divergence (§5)
def _xor(m=200, seed=0):
    r = np.random.default_rng(seed)
    X = r.normal(size=(m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("lr,batch_size", [(1e3, None), (1e6, None), (100.0, 32)])
def test_huge_learning_rate_raises_instead_of_ending_with_a_huge_loss(lr, batch_size):
    """The old loop only saw NaN/inf: these ended "normally" with losses of 3e31 to 7e191
    (batch GD) or 22.6 after passing through 1e4 (mini-batches)."""
    X, y = _xor()
    with pytest.raises(FloatingPointError, match=r"diverged in epoch \d+.*Lower the learning rate"):
        fit(nnlab.mlp([2, 16, 2], rng=0), X, y, optimizer="sgd", lr=lr, epochs=20,
            batch_size=batch_size, progress=False)


def test_huge_learning_rate_regression_with_tanh_raises():
    r = np.random.default_rng(1)
    X = r.normal(size=(100, 3))
    y = (X @ np.array([1.0, 2.0, 3.0]))[:, None]
    with pytest.raises(FloatingPointError, match="Lower the learning rate: lr=1 "):   # old: 1.8e38
        fit(nnlab.mlp([3, 16, 1], activation="tanh", rng=0), X, y, loss="mse", optimizer="sgd",
            lr=1.0, epochs=20, batch_size=None, progress=False)


@pytest.mark.parametrize("seed", range(4))
def test_normal_noisy_training_is_not_divergence(seed):
    """Small batches, noisy and heavy-tailed targets, dropout: single batches reach tens of
    times the starting loss, far below the 1e4 threshold; training must run to the end."""
    r = np.random.default_rng(seed)
    X = r.normal(size=(300, 4))
    y_heavy = X @ r.normal(size=4) + r.standard_t(3, size=300)
    h = fit(nnlab.mlp([4, 16, 1], rng=seed), X, y_heavy, loss="mse", optimizer="sgd", lr=0.005,
            epochs=4, batch_size=1, progress=False)
    assert h.epochs == 4 and h.loss[-1] < h.loss[0]
    y_noisy = (X[:, 0] + r.normal(size=300) > 0).astype(int)
    h = fit(nnlab.mlp([4, 32, 2], dropout=0.3, rng=seed), X, y_noisy, optimizer="sgd", lr=0.1,
            epochs=4, batch_size=1, progress=False)
    assert h.epochs == 4 and all(math.isfinite(v) for v in h.loss)


class _SpikyLoss:
    """MSE whose reported value is `factor` times the starting loss on the given updates.

    Call 0 is fit's look at the initial model, call 1 the first update: fit's starting
    loss is the larger of the two."""

    def __init__(self, spikes, factor):
        self.mse = nnlab.losses.get("mse")
        self.spikes, self.factor, self.seen = set(spikes), factor, []

    def value(self, y, out):
        v = self.mse.value(y, out)
        self.seen.append(v)
        if len(self.seen) - 2 in self.spikes:          # update number (0-based)
            return self.factor * max(self.seen[:2])
        return v

    def gradient(self, y, out):
        return self.mse.gradient(y, out)


def _spiky_fit(spikes, factor=2e4, epochs=1):
    r = np.random.default_rng(0)
    X = r.normal(size=(80, 2))                      # 20 updates per epoch
    y = X @ np.array([[1.0], [-1.0]])
    return fit(nnlab.mlp([2, 1], rng=0), X, y, loss=_SpikyLoss(spikes, factor), optimizer="sgd",
               lr=1e-3, epochs=epochs, batch_size=4, progress=False)


def test_divergence_rule_needs_a_run_of_updates_far_above_the_start():
    assert _spiky_fit([3]).epochs == 1                       # one spike: noise
    assert _spiky_fit([2, 3, 4, 5, 7]).epochs == 1            # four in a row: not yet
    with pytest.raises(FloatingPointError, match="for 5 updates in a row"):
        _spiky_fit([2, 3, 4, 5, 6])
    assert _spiky_fit([2, 3, 4, 5, 6], factor=9e3).epochs == 1   # below 1e4 times the start
    with pytest.raises(FloatingPointError, match="epoch's mean loss"):
        _spiky_fit([3], factor=1e6)                            # an epoch on average


def test_bad_input():
    X, y = _blobs(12)
    model = nnlab.mlp([2, 3], rng=0)
    with pytest.raises(ValueError, match="X has 12 samples .* y has 11"):
        fit(model, X, y[:11], progress=False)
    with pytest.raises(ValueError, match="validation X has 12 samples but validation y has 5"):
        fit(model, X, y, validation=(X, y[:5]), progress=False)
    with pytest.raises(ValueError, match="lr"):
        fit(model, X, y, optimizer="sgd", lr=float("nan"), progress=False)
    with pytest.raises(ValueError, match="lr"):
        fit(model, X, y, optimizer="sgd", lr=-1.0, progress=False)
    with pytest.raises(ValueError, match=r"unknown optimizer.*'sgdd'"):
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


# ---------------------------------------------------------------- the last mini-batch (§5)
class _BatchSizes(nnlab.layers.Layer):
    """Identity layer recording the size of every training batch."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def forward(self, X, training=None):
        if self.training if training is None else training:
            self.sizes.append(len(X))
        return X

    def backward(self, dY, input_grad=True):
        return dY


@pytest.mark.parametrize("m,batch_size,sizes", [(33, 32, [33]), (34, 32, [32, 2]), (65, 32, [32, 33]),
                                                (12, 5, [5, 5, 2]), (11, 5, [5, 6]), (1, 1, [1]),
                                                (5, 1, [1] * 5), (5, 8, [5])])
def test_batch_sizes_a_single_leftover_sample_joins_the_previous_batch(m, batch_size, sizes):
    X, y = _blobs(m)
    rec = _BatchSizes()
    model = nnlab.layers.Sequential([rec, nnlab.layers.Dense(2, 3, rng=0)])
    h = fit(model, X, y, optimizer="sgd", lr=0.01, epochs=2, batch_size=batch_size, progress=False)
    assert rec.sizes == sizes * 2 and h.updates == [len(sizes)] * 2


def test_33_samples_batch_32_with_batchnorm_trains_every_epoch():
    """The old loop made a last batch of one sample, and BatchNorm stopped fit mid-epoch."""
    X, y = _blobs(33)
    model = nnlab.mlp([2, 8, 3], batchnorm=True, rng=0)
    h = fit(model, X, y, optimizer="sgd", lr=0.1, epochs=3, batch_size=32, progress=False)
    assert h.epochs == 3 and h.updates == [1, 1, 1]


def test_batchnorm_with_one_sample_batches_fails_before_training():
    X, y = _blobs(12)
    model = nnlab.mlp([2, 8, 3], batchnorm=True, rng=0)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"batch_size=1 .*layer 1 \(BatchNorm\) needs at least 2"):
        fit(model, X, y, batch_size=1, progress=False)
    with pytest.raises(ValueError, match=r"X has 1 sample but layer 1 \(BatchNorm\) needs at least 2"):
        fit(model, X[:1], y[:1], batch_size=None, progress=False)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- non-finite data (§5)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X_rejected_up_front_by_fit_predict_evaluate(activation, bad):
    """NaN passed silently through a ReLU network's predict (and raised inside a tanh one)."""
    X, y = _blobs(12)
    X = X.copy()
    X[3, 1] = bad
    model = nnlab.mlp([2, 4, 3], activation=activation, rng=0)
    for call in (lambda: fit(model, X, y, progress=False), lambda: evaluate(model, X, y),
                 lambda: model.predict(X), lambda: model(X)):
        with pytest.raises(ValueError, match="X contains NaN or infinity"):
            call()
    Xv = X.copy()
    with pytest.raises(ValueError, match="validation X contains NaN or infinity"):
        fit(model, _blobs(12)[0], y, validation=(Xv, y), progress=False)


def test_non_finite_y_rejected_up_front():
    r = np.random.default_rng(0)
    X = r.normal(size=(10, 2))
    y = r.normal(size=(10, 1))
    y[4] = np.nan
    model = nnlab.mlp([2, 1], rng=0)
    before = model.get_weights()
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        fit(model, X, y, loss="mse", progress=False)
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        evaluate(model, X, y, loss="mse")
    Y = nnlab.data.one_hot(np.arange(10) % 3, 3)
    Y[2, 0] = np.inf
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        fit(nnlab.mlp([2, 3], rng=0), X, Y, progress=False)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- schedules reaching lr = 0 (§5)
def test_cosine_schedule_past_T_max_keeps_training_at_lr_zero():
    """CosineDecay is 0 from T_max on: legal (as in torch), the weights stop moving."""
    X, y = _blobs(12)
    sched = nnlab.schedules.CosineDecay(lr=0.5, T_max=4)       # 4 updates = 1 epoch of batch 3
    a, b = nnlab.mlp([2, 3], rng=0), nnlab.mlp([2, 3], rng=0)
    fit(a, X, y, optimizer="sgd", epochs=1, batch_size=3, schedule=sched, seed=1, progress=False)
    h = fit(b, X, y, optimizer="sgd", epochs=3, batch_size=3, schedule=sched, seed=1, progress=False)
    assert h.lr[1:] == [0.0, 0.0] and h.lr[0] == pytest.approx(0.5 * 0.5 * (1 + math.cos(math.pi * 3 / 4)))
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)                    # nothing moved after T_max
    decayed = nnlab.schedules.StepDecay(lr=0.1, step_size=1, gamma=1e-200)   # underflows to 0
    assert fit(nnlab.mlp([2, 3], rng=0), X, y, optimizer="adam", epochs=2, batch_size=3,
               schedule=decayed, progress=False).lr[-1] == 0.0


@pytest.mark.parametrize("value,error,match", [(-0.1, ValueError, r"schedule\(0\) \(the step\) returned lr=-0.1"),
                                               (float("nan"), ValueError, "finite number >= 0"),
                                               ("fast", TypeError, "must return a number")])
def test_schedule_must_return_a_learning_rate(value, error, match):
    X, y = _blobs(6)
    with pytest.raises(error, match=match):
        fit(nnlab.mlp([2, 3], rng=0), X, y, schedule=lambda t: value, progress=False)


# ---------------------------------------------------------------- labels
def test_integer_labels_of_shape_m_by_1_are_the_same_labels():
    X, y = _blobs(30)
    h1 = fit(nnlab.mlp([2, 3], rng=0), X, y, optimizer="sgd", lr=0.1, epochs=2, seed=0, progress=False)
    h2 = fit(nnlab.mlp([2, 3], rng=0), X, y[:, None], optimizer="sgd", lr=0.1, epochs=2, seed=0,
             progress=False)
    assert h1 == h2
    model = nnlab.mlp([2, 3], rng=0)
    assert evaluate(model, X, y[:, None]) == evaluate(model, X, y)


def test_integer_one_hot_labels_are_accepted():
    X, y = _blobs(30)
    Y = np.eye(3, dtype=int)[y]
    model = nnlab.mlp([2, 3], rng=0)
    assert evaluate(model, X, Y) == pytest.approx(evaluate(model, X, y), rel=1e-12)


def test_float_labels_for_classification_are_rejected_without_float64_advice():
    X, y = _blobs(12)
    with pytest.raises(TypeError, match=r"y holds floating-point values \(e.g. 0.0\).*integer class labels"
                                        r".*y.astype\(int\)") as info:
        fit(nnlab.mlp([2, 3], rng=0), X, y.astype(float), progress=False)
    assert "float64" not in str(info.value)
    with pytest.raises(TypeError, match="y holds booleans"):
        evaluate(nnlab.mlp([2, 3], rng=0), X, y == 1)


def test_one_output_regression_accepts_targets_of_shape_m():
    r = np.random.default_rng(0)
    X = r.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    h1 = fit(nnlab.mlp([3, 1], rng=0), X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=3, seed=0,
             progress=False)
    h2 = fit(nnlab.mlp([3, 1], rng=0), X, y[:, None], loss="mse", optimizer="sgd", lr=0.1, epochs=3,
             seed=0, progress=False)
    assert h1 == h2
    with pytest.raises(ValueError, match=r"y has shape \(40, 2\) but the model has 1 output"):
        fit(nnlab.mlp([3, 1], rng=0), X, np.column_stack([y, y]), loss="mse", progress=False)


# ---------------------------------------------------------------- bad input, everywhere (§6)
def _bad_input_cases():
    X, y = _blobs(12)
    model = nnlab.mlp([2, 3], rng=0)
    ok = dict(progress=False)
    ragged = [[1.0, 2.0], [3.0]]
    return [
        ("fit model=None", lambda: fit(None, X, y, **ok), TypeError, "model must be an nnlab model"),
        ("fit X=None", lambda: fit(model, None, y, **ok), TypeError, "X must be array-like"),
        ("fit X 0-d", lambda: fit(model, 3.0, y, **ok), ValueError, r"X must be 2-D"),
        ("fit X 1-D", lambda: fit(model, X[:, 0], y, **ok), ValueError, r"X must be 2-D"),
        ("fit X ragged", lambda: fit(model, ragged, y[:2], **ok), TypeError, "X must be array-like"),
        ("fit X strings", lambda: fit(model, [["a", "b"]] * 12, y, **ok), TypeError, "X must be array-like"),
        ("fit X empty", lambda: fit(model, np.ones((0, 2)), y[:0], **ok), ValueError, "X is empty"),
        ("fit y=None", lambda: fit(model, X, None, **ok), TypeError, "y must be an array of targets"),
        ("fit y 0-d", lambda: fit(model, X, 1, **ok), ValueError, "y must have one entry per sample"),
        ("fit y ragged", lambda: fit(model, X[:2], [[1], [2, 3]], **ok), TypeError, "y must be a rectangular"),
        ("fit y strings", lambda: fit(model, X, np.array(["a"] * 12), **ok), TypeError, "y must be an array of numbers"),
        ("fit y 3-D", lambda: fit(model, X, np.zeros((12, 3, 1)), **ok), ValueError, r"y must have shape \(m,\)"),
        ("fit len mismatch", lambda: fit(model, X, y[:5], **ok), ValueError, "X has 12 samples .* y has 5"),
        ("fit float labels", lambda: fit(model, X, y * 1.0, **ok), TypeError, "y holds floating-point values"),
        ("fit labels out of range", lambda: fit(model, X, y + 3, **ok), ValueError, r"labels from 3 to 5"),
        ("fit epochs=0", lambda: fit(model, X, y, epochs=0, **ok), ValueError, "epochs must be an integer >= 1"),
        ("fit epochs=2.0", lambda: fit(model, X, y, epochs=2.0, **ok), ValueError, "epochs must be an integer"),
        ("fit batch_size=1.5", lambda: fit(model, X, y, batch_size=1.5, **ok), ValueError, "batch_size must be an integer"),
        ("fit batch_size=True", lambda: fit(model, X, y, batch_size=True, **ok), ValueError, "batch_size must be an integer"),
        ("fit validation=5", lambda: fit(model, X, y, validation=5, **ok), TypeError, r"validation must be a pair"),
        ("fit validation=(X,)", lambda: fit(model, X, y, validation=(X,), **ok), TypeError, r"validation must be a pair"),
        ("fit validation y=None", lambda: fit(model, X, y, validation=(X, None), **ok), TypeError, "validation y must be"),
        ("fit validation width", lambda: fit(model, X, y, validation=(np.ones((3, 5)), y[:3]), **ok), ValueError,
         "validation X: .*5 features"),
        ("fit loss unknown", lambda: fit(model, X, y, loss="softmax_crossentropy", **ok), ValueError, "unknown loss"),
        ("fit loss=5", lambda: fit(model, X, y, loss=5, **ok), TypeError, "loss must be"),
        ("fit optimizer=5", lambda: fit(model, X, y, optimizer=5, **ok), TypeError, "optimizer must be"),
        ("fit schedule=5", lambda: fit(model, X, y, schedule=5, **ok), TypeError, "schedule must be a function"),
        ("fit schedule_unit", lambda: fit(model, X, y, schedule_unit="day", **ok), ValueError, "schedule_unit"),
        ("fit clip_norm=-1", lambda: fit(model, X, y, clip_norm=-1, **ok), ValueError, "clip_norm"),
        ("fit clip_value='a'", lambda: fit(model, X, y, clip_value="a", **ok), TypeError, "clip_value"),
        ("fit early_stopping=-1", lambda: fit(model, X, y, early_stopping=-1, **ok), ValueError, "early_stopping"),
        ("fit seed='a'", lambda: fit(model, X, y, seed="a", **ok), TypeError, "seed must be"),
        ("fit seed=-1", lambda: fit(model, X, y, seed=-1, **ok), ValueError, "seed must be"),
        ("evaluate model=None", lambda: evaluate(None, X, y), TypeError, "model must be an nnlab model"),
        ("evaluate X=None", lambda: evaluate(model, None, y), TypeError, "X must be array-like"),
        ("evaluate X 0-d", lambda: evaluate(model, 1.0, y), ValueError, "X must be 2-D"),
        ("evaluate y=None", lambda: evaluate(model, X, None), TypeError, "y must be an array of targets"),
        ("evaluate y 0-d", lambda: evaluate(model, X, 0), ValueError, "y must have one entry per sample"),
        ("evaluate len mismatch", lambda: evaluate(model, X, y[:3]), ValueError, "X has 12 samples"),
        ("evaluate loss unknown", lambda: evaluate(model, X, y, loss="nope"), ValueError, "unknown loss"),
        ("predict X=None", lambda: model.predict(None), TypeError, "X must be array-like"),
        ("predict X 0-d", lambda: model.predict(2.0), ValueError, "X must be 2-D"),
        ("predict X 1-D", lambda: model.predict(X[0]), ValueError, r"X must be 2-D.*X.reshape\(1, -1\)"),
        ("predict X ragged", lambda: model.predict(ragged), TypeError, "X must be array-like"),
        ("predict X strings", lambda: model.predict([["a", "b"]]), TypeError, "X must be array-like"),
        ("predict X width", lambda: model.predict(np.ones((2, 5))), ValueError, "X has 5 features"),
        ("predict batch_size=1.5", lambda: model.predict(X, batch_size=1.5), ValueError, "batch_size"),
        ("predict batch_size=0", lambda: model.predict(X, batch_size=0), ValueError, "batch_size"),
    ]


_CASES = _bad_input_cases()


@pytest.mark.parametrize("case", range(len(_CASES)), ids=[c[0] for c in _CASES])
def test_bad_input_names_the_argument(case):
    _, call, error, match = _CASES[case]
    with pytest.raises(error, match=match) as info:
        call()
    assert type(info.value) in (TypeError, ValueError)        # never a bare Attribute/Index/KeyError


# ---------------------------------------------------------------- float32 values, not only dtypes (§7)
def test_float32_training_matches_float64_at_float32_precision():
    X, y = _blobs(48)
    m64 = nnlab.mlp([2, 8, 8, 3], batchnorm=True, rng=0)
    m32 = nnlab.mlp([2, 8, 8, 3], batchnorm=True, rng=0, dtype=np.float32)
    m32.set_weights(m64.get_weights())                       # the same start, rounded to float32
    # SGD (Adam's m/(sqrt(v) + eps) turns rounding-level gradients into full steps, in torch too)
    kw = dict(epochs=3, batch_size=16, validation=(X, y), seed=2, progress=False)
    h64 = fit(m64, X, y, optimizer=optim.SGD(lr=0.05, momentum=0.9), **kw)
    h32 = fit(m32, X, y, optimizer=optim.SGD(lr=0.05, momentum=0.9), **kw)
    np.testing.assert_allclose(h32.loss, h64.loss, rtol=1e-5)
    np.testing.assert_allclose(h32.val_loss, h64.val_loss, rtol=1e-5)
    for a, b in zip(m32.get_weights(), m64.get_weights()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m32.predict(X), m64.predict(X), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- fit(loss="cross_entropy") (§7)
def test_cross_entropy_on_a_softmax_output_trains_like_the_fused_loss_on_logits():
    """Two code paths: Activation('softmax') + losses.cross_entropy vs the fused loss on logits."""
    X, y = _blobs(60)
    probs = nnlab.mlp([2, 8, 3], output="softmax", rng=0)
    logits = nnlab.mlp([2, 8, 3], rng=0)
    probs.set_weights(logits.get_weights())                 # (mlp draws a softmax layer with Glorot)
    kw = dict(optimizer="sgd", lr=0.1, epochs=4, batch_size=10, seed=3, validation=(X, y), progress=False)
    hp = fit(probs, X, y, loss="cross_entropy", **kw)
    hl = fit(logits, X, y, loss="softmax_cross_entropy", **kw)
    np.testing.assert_allclose(hp.loss, hl.loss, rtol=1e-10)
    np.testing.assert_allclose(hp.val_loss, hl.val_loss, rtol=1e-10)
    assert hp.accuracy == hl.accuracy and hp.loss[-1] < hp.loss[0]
    for a, b in zip(probs.params, logits.params):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="y_pred must lie in"):            # logits are not probabilities
        fit(nnlab.mlp([2, 8, 3], rng=0), X * 5, y, loss="cross_entropy", progress=False)


# ---------------------------------------------------------------- fit's named steps
def _softmax_step_by_hand(X, y, W, b, lr):
    """One SGD step of softmax regression, written out: the loss before the
    update and the new weights."""
    Z = X @ W + b
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    m = len(y)
    loss = -np.mean(np.log(P[np.arange(m), y]))
    G = P.copy()
    G[np.arange(m), y] -= 1
    G /= m
    return loss, W - lr * X.T @ G, b - lr * G.sum(axis=0)


def test_train_step_is_forward_loss_backward_update():
    from nnlab.train import Objective, train_step
    X, y = _blobs(9)
    model = nnlab.mlp([2, 3], rng=4)
    W, b = model[0].W.copy(), model[0].b.copy()
    objective = Objective("softmax_cross_entropy")
    targets, labels = objective.prepare(y, 3)
    loss, correct = train_step(model, X, targets, objective, optim.SGD(lr=0.3), labels=labels)
    expected_loss, W1, b1 = _softmax_step_by_hand(X, y, W, b, 0.3)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert correct == int(np.sum((X @ W + b).argmax(axis=1) == y))
    np.testing.assert_allclose(model[0].W, W1, rtol=1e-12)
    np.testing.assert_allclose(model[0].b, b1, rtol=1e-12, atol=1e-15)


def test_train_step_before_update_sees_the_loss_and_can_skip_the_update():
    from nnlab.train import Objective, train_step
    X, y = _blobs(9)
    model = nnlab.mlp([2, 3], rng=4)
    W = model[0].W.copy()
    seen = []

    def veto(loss):
        seen.append((loss, model[0].dW.copy()))      # the backward pass has run
        return False
    objective = Objective("softmax_cross_entropy")
    loss, correct = train_step(model, X, y, objective, optim.SGD(lr=0.3), before_update=veto)
    assert correct is None and seen[0][0] == loss
    assert np.abs(seen[0][1]).max() > 0
    np.testing.assert_array_equal(model[0].W, W)     # no update


def test_train_step_with_a_non_finite_loss_does_not_update():
    from nnlab.train import Objective, train_step
    model = nnlab.mlp([2, 3], rng=0)
    model[0].W[...] = 1e308                           # the logits overflow
    before = model.get_weights()
    loss, _ = train_step(model, np.full((2, 2), 10.0), np.array([0, 1]), Objective(),
                         optim.SGD(lr=0.1), before_update=lambda J: pytest.fail("called"))
    assert not math.isfinite(loss)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kw,error,match", [
    (dict(model=None), TypeError, "model must be an nnlab model"),
    (dict(X_batch=np.ones(3)), ValueError, "X_batch must be 2-D"),
    (dict(targets=np.array([0, 1])), ValueError, "targets has 2 rows but the batch has 3"),
    (dict(labels=np.array([0])), ValueError, "labels has 1 rows but the batch has 3"),
    (dict(objective="mse"), TypeError, r"objective must be an nnlab.train.Objective.*'mse' \(a str\)"),
    (dict(optimizer="sgd"), TypeError, "optimizer must be an optimizer object"),
    (dict(before_update=3), TypeError, "before_update must be a function"),
])
def test_train_step_bad_input_names_the_argument(kw, error, match):
    from nnlab.train import Objective, train_step
    args = dict(model=nnlab.mlp([2, 3], rng=0), X_batch=np.ones((3, 2)), targets=np.array([0, 1, 2]),
                objective=Objective(), optimizer=optim.SGD(lr=0.1))
    args.update(kw)
    with pytest.raises(error, match=match):
        train_step(**args)


def test_run_epoch_replays_shuffled_mini_batches():
    from nnlab.train import Objective, run_epoch
    X, y = _blobs(11)
    model = nnlab.mlp([2, 3], rng=2)
    W, b = model[0].W.copy(), model[0].b.copy()
    objective = Objective("softmax_cross_entropy")
    targets, labels = objective.prepare(y, 3)
    loss, accuracy, updates = run_epoch(model, X, targets, objective, optim.SGD(lr=0.5),
                                        labels=labels, batch_size=5, rng=3)
    order = np.random.default_rng(3).permutation(11)
    total, right = 0.0, 0
    for rows in (order[:5], order[5:]):              # 11 = 5 + 6: the single leftover joins
        right += int(np.sum((X[rows] @ W + b).argmax(axis=1) == y[rows]))
        batch_loss, W, b = _softmax_step_by_hand(X[rows], y[rows], W, b, 0.5)
        total += batch_loss * len(rows)
    assert updates == 2 and accuracy == right / 11
    assert loss == pytest.approx(total / 11, rel=1e-12)
    np.testing.assert_allclose(model[0].W, W, rtol=1e-12)


def test_run_epoch_full_batch_draws_no_random_number():
    from nnlab import _validate
    from nnlab.train import Objective, run_epoch
    X, y = _blobs(12)
    nnlab.seed(3)
    state = _validate._GLOBAL_RNG.bit_generator.state
    _, accuracy, updates = run_epoch(nnlab.mlp([2, 3], rng=0), X, y, Objective(),
                                     optim.SGD(lr=0.1), batch_size=None)
    assert updates == 1 and accuracy is None
    assert _validate._GLOBAL_RNG.bit_generator.state == state
    with pytest.raises(ValueError, match=r"batch_size must be None \(full batch\) or an integer"):
        run_epoch(nnlab.mlp([2, 3], rng=0), X, y, Objective(), optim.SGD(lr=0.1), batch_size=0)


def test_fit_batches_are_those_of_minibatch_indices_with_the_leftover_joined():
    """One permutation per epoch, cut into 5 + 6 rows (11 = 2 * 5 + 1)."""
    X = np.column_stack([np.arange(11.0), np.zeros(11)])
    rec = _RowRecorder()
    model = nnlab.layers.Sequential([rec, nnlab.layers.Dense(2, 3, rng=0)])
    fit(model, X, np.arange(11) % 3, optimizer="sgd", lr=1e-6, epochs=3, batch_size=5, seed=7,
        progress=False)
    rng, expected = np.random.default_rng(7), []
    for _ in range(3):
        order = rng.permutation(11)
        expected += [order[:5].tolist(), order[5:].tolist()]
    assert rec.rows == expected


class _RowRecorder(nnlab.layers.Layer):
    """Identity layer recording the rows (X[:, 0]) of every training batch."""

    def __init__(self):
        super().__init__()
        self.rows = []

    def forward(self, X, training=None):
        if self.training if training is None else training:
            self.rows.append(X[:, 0].astype(int).tolist())
        return X

    def backward(self, dY, input_grad=True):
        return dY


def test_early_stopping_waits_patience_epochs_and_restores_the_best_weights():
    from nnlab.train import EarlyStopping
    model = nnlab.mlp([2, 4, 3], batchnorm=True, rng=0)
    stopper = EarlyStopping(patience=2)
    weights = {}
    decisions = []
    for epoch, loss in enumerate([3.0, 2.0, 2.5, 1.5, 1.6, 1.5, 1.7]):
        for a in model.params + model.buffers:
            a += 1.0                                   # "training" changes every array
        weights[epoch] = model.get_weights()
        decisions.append(stopper.update(loss, epoch, model))
    assert decisions == [False, False, False, False, False, True, True]   # 1.5 at 5 is no new best
    assert stopper.restore() == 3
    for a, b in zip(model.get_weights(), weights[3]):
        np.testing.assert_array_equal(a, b)
    assert EarlyStopping(0).update(1.0, 0, model) is False
    assert EarlyStopping(0).restore() is None
    with pytest.raises(ValueError, match="patience must be an integer >= 0"):
        EarlyStopping(-1)
