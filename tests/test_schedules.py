"""nnlab.schedules: closed forms, torch.optim.lr_scheduler parity, the LR range test."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import schedules as S


def _torch_lrs(torch, make_scheduler, base_lr, n):
    """The learning rate torch uses at steps 0..n-1."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)


# ---- closed forms (written out independently of the implementation) -------
def test_step_decay_closed_form():
    s = S.StepDecay(lr=0.1, step_size=3, gamma=0.5)
    assert [s(t) for t in range(7)] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])


def test_exponential_closed_form():
    s = S.ExponentialDecay(lr=0.2, gamma=0.1, decay_steps=10)
    assert s(0) == pytest.approx(0.2)
    assert s(10) == pytest.approx(0.02)
    assert s(5) == pytest.approx(0.2 * 0.1 ** 0.5)


def test_inverse_time_closed_form():
    s = S.InverseTimeDecay(lr=1.0, decay_rate=0.5, decay_steps=2)
    assert [s(t) for t in (0, 2, 4, 6)] == pytest.approx([1.0, 1 / 1.5, 1 / 2.0, 1 / 2.5])
    p = S.InverseTimeDecay(lr=1.0, decay_rate=1.0, decay_steps=1, power=2)
    assert p(3) == pytest.approx(1 / 16)


def test_cosine_closed_form_and_hold():
    s = S.CosineDecay(lr=0.1, T_max=100, eta_min=0.001)
    assert s(0) == pytest.approx(0.1)
    assert s(50) == pytest.approx(0.001 + 0.5 * 0.099)
    assert s(100) == pytest.approx(0.001)
    assert s(250) == pytest.approx(0.001)   # stays at eta_min


def test_warmup_closed_form_and_handover():
    s = S.LinearWarmup(lr=0.1, warmup_steps=4, start_factor=0.2)
    assert [s(t) for t in range(6)] == pytest.approx([0.02, 0.04, 0.06, 0.08, 0.1, 0.1])
    chained = S.LinearWarmup(0.1, 4, start_factor=0.25, after=S.CosineDecay(0.1, T_max=10))
    assert chained(2) == pytest.approx(0.1 * (0.25 + 0.75 * 2 / 4))
    assert chained(4) == pytest.approx(0.1)
    assert chained(9) == pytest.approx(0.05)


def test_one_cycle_shape():
    s = S.OneCycle(max_lr=1.0, total_steps=100, pct_start=0.25)
    v = s.values(100)
    assert v[0] == pytest.approx(1 / 25)
    assert v.max() == pytest.approx(1.0) and int(np.argmax(v)) == 24
    assert v[-1] == pytest.approx(1 / 25 / 1e4)
    assert np.all(np.diff(v[:25]) > 0) and np.all(np.diff(v[25:]) < 0)
    assert s(500) == pytest.approx(v[-1])


# ---- torch parity ---------------------------------------------------------
@pytest.mark.torch
def test_step_decay_matches_torch(torch):
    ours = S.StepDecay(0.1, step_size=7, gamma=0.3).values(60)
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.3), 0.1, 60)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


@pytest.mark.torch
def test_exponential_matches_torch(torch):
    ours = S.ExponentialDecay(0.1, gamma=0.95).values(80)
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.95), 0.1, 80)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


@pytest.mark.torch
def test_cosine_matches_torch(torch):
    ours = S.CosineDecay(0.1, T_max=50, eta_min=1e-3).values(51)
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=50, eta_min=1e-3),
                     0.1, 51)
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


@pytest.mark.torch
def test_inverse_time_matches_torch_lambda(torch):
    ours = S.InverseTimeDecay(0.1, decay_rate=0.3, decay_steps=4).values(40)
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.3 * t / 4)),
                     0.1, 40)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("factor", [1 / 3, 0.05])
def test_warmup_matches_torch(torch, factor):
    ours = S.LinearWarmup(0.1, warmup_steps=10, start_factor=factor).values(25)
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=factor, end_factor=1.0, total_iters=10), 0.1, 25)
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


@pytest.mark.torch
@pytest.mark.parametrize("kw", [dict(), dict(anneal_strategy="linear", pct_start=0.4),
                                dict(three_phase=True, div_factor=10.0, final_div_factor=100.0)])
def test_one_cycle_matches_torch(torch, kw):
    n = 97
    ours = S.OneCycle(max_lr=0.5, total_steps=n, **kw).values(n)
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.5, total_steps=n, cycle_momentum=False, **kw), 0.5, n)
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


# ---- bad input ------------------------------------------------------------
def test_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        S.StepDecay(0.0, step_size=2)
    with pytest.raises(ValueError, match="step_size"):
        S.StepDecay(0.1, step_size=0)
    with pytest.raises(ValueError, match="step must be an integer"):
        S.CosineDecay(0.1, T_max=10)(-1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        S.OneCycle(0.1, 10, anneal_strategy="cosine")
    with pytest.raises(ValueError, match="eta_min"):
        S.CosineDecay(0.1, T_max=10, eta_min=1.0)


# ---- the learning-rate range test ----------------------------------------------
def _digits_like(seed=0):
    r = np.random.default_rng(seed)
    y = np.arange(300) % 3
    X = np.eye(3)[y] @ r.normal(size=(3, 5)) * 2 + r.normal(scale=0.5, size=(300, 5))
    return X, y


def test_lr_range_test_sweeps_geometrically_and_restores_the_model():
    import nnlab
    X, y = _digits_like()
    model = nnlab.mlp([5, 16, 3], rng=0, batchnorm=True)
    before = model.get_weights()
    lrs, losses = S.lr_range_test(model, X, y, lr_min=1e-4, lr_max=1e2, n_steps=60, batch_size=16)
    assert len(lrs) == len(losses) and 10 < len(lrs) <= 60
    np.testing.assert_allclose(lrs, 1e-4 * (1e6) ** (np.arange(len(lrs)) / 59), rtol=1e-12)
    assert np.all(np.isfinite(losses))
    assert losses.min() < 0.5 * losses[0]          # it learned at moderate learning rates
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_lr_range_test_with_a_factory_and_divergence_stop():
    import nnlab
    X, y = _digits_like(1)
    lrs, losses = S.lr_range_test(lambda: nnlab.mlp([5, 16, 3], rng=0), X, y, optimizer="sgd",
                                  lr_min=1e-3, lr_max=1e4, n_steps=80, diverge_factor=4.0)
    assert len(lrs) < 80                             # stopped once the loss blew up
    assert losses[-1] > 4 * losses.min()
    with pytest.raises(ValueError, match="lr_max"):
        S.lr_range_test(lambda: nnlab.mlp([5, 3]), X, y, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="X has 300 samples but y has 299"):
        S.lr_range_test(lambda: nnlab.mlp([5, 3]), X, y[:-1])
