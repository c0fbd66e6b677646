"""nnlab.optim: every optimizer against torch.optim, the lectures' forms, in-place updates."""
from __future__ import annotations

import numpy as np
import pytest

from nnlab import optim

N_STEPS = 250

# (nnlab class name, torch class name, keyword arguments shared by both)
CASES = [
    ("SGD", "SGD", dict(lr=0.05)),
    ("SGD", "SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", "SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    ("Adagrad", "Adagrad", dict()),
    ("Adagrad", "Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("RMSprop", "RMSprop", dict()),
    ("RMSprop", "RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-7, weight_decay=0.01)),
    ("RMSprop", "RMSprop", dict(lr=0.005, momentum=0.9, centered=True)),
    ("Adadelta", "Adadelta", dict()),
    ("Adadelta", "Adadelta", dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01)),
    ("Adam", "Adam", dict()),
    ("Adam", "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.01)),
    ("Adam", "Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", "Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", "AdamW", dict()),
    ("AdamW", "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Nadam", "NAdam", dict()),
    ("Nadam", "NAdam", dict(lr=0.01, weight_decay=0.01, momentum_decay=0.01)),
    ("Nadam", "NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adamax", "Adamax", dict()),
    ("Adamax", "Adamax", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.01)),
]


def _problem(seed=0, dtype=np.float64):
    """Two parameter arrays and a gradient sequence that depends on the parameters."""
    r = np.random.default_rng(seed)
    params = [r.normal(size=(5, 3)).astype(dtype), r.normal(size=(3,)).astype(dtype)]
    noise = [[r.normal(size=p.shape).astype(dtype) for p in params] for _ in range(N_STEPS)]
    # a few exact zeros and large gradients exercise eps and the max in AMSGrad/Adamax
    noise[3][0][0, 0] = 0.0
    noise[10][1][:] *= 50.0

    def grads(t, ps):
        # gradient of 0.5*||p||^2 (so the trajectory feeds back) plus noise
        return [0.3 * p + n for p, n in zip(ps, noise[t])]

    return params, grads


@pytest.mark.torch
@pytest.mark.parametrize("ours,theirs,kwargs", CASES,
                         ids=[f"{a}-{'-'.join(f'{k}={v}' for k, v in c.items()) or 'defaults'}"
                              for a, _, c in CASES])
def test_matches_torch_optim(torch, ours, theirs, kwargs):
    params, grads = _problem()
    mine = [p.copy() for p in params]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    extra = {"foreach": False} if theirs != "SGD" else {"foreach": False}
    topt = getattr(torch.optim, theirs)(tparams, **kwargs, **extra)
    opt = getattr(optim, ours)(**kwargs)
    for t in range(N_STEPS):
        g_mine = grads(t, mine)
        g_torch = grads(t, [tp.detach().numpy() for tp in tparams])
        opt.step(mine, g_mine)
        for tp, g in zip(tparams, g_torch):
            tp.grad = torch.tensor(g)
        topt.step()
        if t % 50 == 49 or t == N_STEPS - 1:
            for p, tp in zip(mine, tparams):
                np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-6, atol=1e-12,
                                           err_msg=f"step {t + 1}")
    # the parameters moved a lot: the comparison was not trivial
    assert not np.allclose(mine[0], params[0], atol=1e-2)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "NAdam", "Adamax"])
def test_defaults_match_torch(torch, name):
    import inspect
    ours = getattr(optim, "Nadam" if name == "NAdam" else name)
    theirs = getattr(torch.optim, name)
    mine = {k: v.default for k, v in inspect.signature(ours).parameters.items()}
    ref = {k: v.default for k, v in inspect.signature(theirs).parameters.items()}
    for k, v in mine.items():
        assert k in ref, f"{name}: torch has no argument {k}"
        assert v == ref[k], f"{name}({k}=...): nnlab default {v!r}, torch {ref[k]!r}"


def test_momentum_equals_lecture_form():
    """Δw ← αΔw − η∇L ; w ← w + Δw  is SGD(momentum=α) with constant η."""
    params, grads = _problem(1)
    lecture = [p.copy() for p in params]
    deltas = [np.zeros_like(p) for p in params]
    mine = [p.copy() for p in params]
    opt = optim.SGD(lr=0.02, momentum=0.9)
    for t in range(100):
        g = grads(t, lecture)
        for w, d, gi in zip(lecture, deltas, g):
            d *= 0.9
            d -= 0.02 * gi
            w += d
        opt.step(mine, grads(t, mine))
    for a, b in zip(mine, lecture):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_nesterov_equals_lecture_lookahead_form():
    """Nesterov with the gradient at the look-ahead point, for a quadratic loss."""
    # loss 0.5 * w^T A w: gradient A w, so the look-ahead gradient is A (w + αΔw)
    r = np.random.default_rng(3)
    M = r.normal(size=(4, 4))
    A = M @ M.T / 4 + np.eye(4)
    w_lect = r.normal(size=4)
    delta = np.zeros(4)
    alpha, eta = 0.9, 0.05
    # torch's variable is the look-ahead point w~ = w + αΔw
    w_mine = w_lect.copy()
    opt = optim.SGD(lr=eta, momentum=alpha, nesterov=True)
    for _ in range(60):
        delta = alpha * delta - eta * A @ (w_lect + alpha * delta)
        w_lect = w_lect + delta
        opt.step([w_mine], [A @ w_mine])
    np.testing.assert_allclose(w_mine, w_lect + alpha * delta, rtol=1e-9, atol=1e-12)


def test_adam_equals_lecture_snippet_with_eps_1e_7():
    params, grads = _problem(2)
    x = params[0].copy()
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    mine = params[0].copy()
    opt = optim.Adam(lr=0.01, eps=1e-7)
    beta1, beta2, learning_rate = 0.9, 0.999, 0.01
    for t in range(1, 101):
        dx = grads(t - 1, [x, params[1]])[0]
        m = beta1 * m + (1 - beta1) * dx
        v = beta2 * v + (1 - beta2) * (dx ** 2)
        mb = m / (1 - beta1 ** t)
        vb = v / (1 - beta2 ** t)
        x += -learning_rate * mb / (np.sqrt(vb) + 1e-7)
        opt.step([mine], [grads(t - 1, [mine, params[1]])[0]])
    np.testing.assert_allclose(mine, x, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", optim.available())
def test_in_place_float32_and_state(name):
    params, grads = _problem(4, dtype=np.float32)
    ids = [id(p) for p in params]
    before = [p.copy() for p in params]
    opt = optim.get(name, lr=0.01)
    opt.step(params, grads(0, params))
    state_arrays = [[id(v) for v in st.values() if isinstance(v, np.ndarray)] for st in opt.state]
    for t in range(1, 5):
        opt.step(params, grads(t, params))
    assert [id(p) for p in params] == ids
    for p, b in zip(params, before):
        assert p.dtype == np.float32
        assert not np.array_equal(p, b)
    assert len(opt.state) == 2 and all(st["step"] == 5 for st in opt.state)
    for st, old in zip(opt.state, state_arrays):
        arrays = [v for v in st.values() if isinstance(v, np.ndarray)]
        assert [id(v) for v in arrays] == old        # state updated in place
        assert all(v.dtype == np.float32 for v in arrays)


@pytest.mark.parametrize("name", optim.available())
@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan")])
def test_bad_lr_rejected(name, lr):
    with pytest.raises(ValueError, match="lr"):
        optim.get(name, lr=lr)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        optim.get("adamm")
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        optim.Adam(betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD(lr=0.1, momentum=-0.5)
    opt = optim.Adam()
    p = [np.zeros((2, 2))]
    with pytest.raises(ValueError, match="grads"):
        opt.step(p, [])
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(3,\)"):
        opt.step(p, [np.zeros(3)])
    opt.step(p, [np.ones((2, 2))])
    with pytest.raises(ValueError, match="started with 1 parameter"):
        opt.step(p + p, [np.ones((2, 2))] * 2)
    opt.lr = 0.0                                   # e.g. a broken schedule
    with pytest.raises(ValueError, match="lr"):
        opt.step(p, [np.ones((2, 2))])


def test_repr_shows_hyperparameters():
    assert repr(optim.SGD(lr=0.1, momentum=0.9)) == (
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False)")
