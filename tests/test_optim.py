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
@pytest.mark.parametrize("lr", [-0.1, float("nan"), float("inf"), -float("inf")])
def test_bad_lr_rejected(name, lr):
    with pytest.raises(ValueError, match="lr"):
        optim.get(name, lr=lr)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown optimizer name 'adamm'"):
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
        opt.step(p + [np.zeros(2)], [np.ones((2, 2)), np.ones(2)])
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0                              # e.g. a broken schedule


def test_repr_shows_hyperparameters():
    assert repr(optim.SGD(lr=0.1, momentum=0.9)) == (
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False)")


# ---- lr = 0 is legal (as in torch) -----------------------------------------
@pytest.mark.parametrize("name", optim.available())
def test_lr_zero_is_legal_and_leaves_the_weights(name):
    """SGD(lr=0) and opt.lr = 0 are accepted; the state advances, the weights stay."""
    params, grads = _problem(5)
    start = [p.copy() for p in params]
    opt = optim.get(name, lr=0)
    assert opt.lr == 0.0
    for t in range(3):
        opt.step(params, grads(t, params))
    for p, s in zip(params, start):
        np.testing.assert_array_equal(p, s)
    assert all(st["step"] == 3 for st in opt.state)
    opt.lr = 0.01                                  # back to a positive rate: it moves
    opt.step(params, grads(3, params))
    assert not np.array_equal(params[0], start[0])
    opt.lr = 0                                     # and down to 0 again (a schedule's end)
    frozen = [p.copy() for p in params]
    opt.step(params, grads(4, params))
    for p, s in zip(params, frozen):
        np.testing.assert_array_equal(p, s)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "NAdam", "RMSprop", "Adagrad",
                                  "Adadelta", "Adamax"])
def test_lr_zero_matches_torch(torch, name):
    """torch accepts lr=0 too, and its state after lr=0 steps is ours."""
    params, grads = _problem(6)
    mine = [p.copy() for p in params]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    kw = dict(lr=0.0, momentum=0.9) if name == "SGD" else dict(lr=0.0)
    topt = getattr(torch.optim, name)(tparams, **kw, foreach=False)
    opt = getattr(optim, "Nadam" if name == "NAdam" else name)(**kw)
    for t in range(5):
        opt.step(mine, grads(t, mine))
        for tp, g in zip(tparams, grads(t, params)):
            tp.grad = torch.tensor(g)
        topt.step()
    # then a real learning rate: the trajectories still agree (the state was the same)
    opt.lr = 0.01
    for group in topt.param_groups:
        group["lr"] = 0.01
    for t in range(5, 25):
        opt.step(mine, grads(t, mine))
        for tp, g in zip(tparams, grads(t, [tp.detach().numpy() for tp in tparams])):
            tp.grad = torch.tensor(g)
        topt.step()
    for p, tp in zip(mine, tparams):
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_lr_is_checked_when_set():
    opt = optim.SGD(lr=0.1)
    for bad, exc in [(-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
                     (True, TypeError), ("0.1", TypeError), (None, TypeError), (1j, TypeError)]:
        with pytest.raises(exc, match="lr"):
            opt.lr = bad
    assert opt.lr == 0.1                           # a refused value changes nothing
    opt.lr = np.float32(0.5)                       # NumPy scalars are numbers
    assert opt.lr == 0.5 and type(opt.lr) is float


# ---- bad input: a clear error that names the argument ----------------------
def _p():
    return [np.ones((3, 2)), np.zeros(2)]


def _g():
    return [np.ones((3, 2)), np.ones(2)]


def _started(name="adam"):
    opt = optim.get(name)
    opt.step(_p(), _g())
    return opt


_RO = np.ones(2)
_RO.setflags(write=False)
_SAME = np.ones(2)

# (id, call, exception type, argument that the message must name)
BAD_INPUT = [
    # step(params, grads)
    ("grads-None", lambda: optim.SGD().step(_p(), None), TypeError, "grads"),
    ("params-None", lambda: optim.SGD().step(None, _g()), TypeError, "params"),
    ("grads-list-of-lists", lambda: optim.Adam().step(_p(), [[[1.0, 1.0]] * 3, [1.0, 1.0]]),
     TypeError, "grads[0]"),
    ("grads-None-entry", lambda: optim.Adam().step(_p(), [None, np.ones(2)]), TypeError, "grads[0]"),
    ("params-list-entry", lambda: optim.Adam().step([[1.0, 2.0]], [np.ones(2)]), TypeError,
     "params[0]"),
    ("params-None-entry", lambda: _started().step([np.ones((3, 2)), None], _g()), TypeError,
     "params[1]"),
    ("params-single-array", lambda: optim.SGD().step(np.ones(3), np.ones(3)), TypeError, "params"),
    ("params-int", lambda: optim.SGD().step(5, _g()), TypeError, "params"),
    ("grads-str", lambda: optim.SGD().step(_p(), "grads"), TypeError, "grads"),
    ("lengths", lambda: optim.SGD().step(_p(), _g()[:1]), ValueError, "grads"),
    ("shapes", lambda: optim.RMSprop().step(_p(), [np.ones((2, 3)), np.ones(2)]), ValueError,
     "grads[0]"),
    ("dtypes", lambda: optim.Adam().step(_p(), [np.ones((3, 2), np.float32), np.ones(2)]),
     TypeError, "grads[0]"),
    ("dtypes-after-start", lambda: _started().step(_p(), [np.ones((3, 2)), np.ones(2, np.float32)]),
     TypeError, "grads[1]"),
    ("int-params", lambda: optim.SGD().step([np.ones(2, int)], [np.ones(2, int)]), TypeError,
     "params[0]"),
    ("other-shapes-after-start", lambda: _started().step([np.ones((2, 3)), np.ones(2)],
                                                         [np.ones((2, 3)), np.ones(2)]),
     ValueError, "params[0]"),
    ("other-dtype-after-start", lambda: _started().step(
        [np.ones((3, 2), np.float32), np.ones(2)], [np.ones((3, 2), np.float32), np.ones(2)]),
     ValueError, "params[0]"),
    ("read-only", lambda: optim.SGD().step([_RO], [np.ones(2)]), ValueError, "params[0]"),
    ("listed-twice", lambda: optim.SGD().step([_SAME, _SAME], [np.ones(2), np.ones(2)]),
     ValueError, "params[1]"),
    # hyper-parameters
    ("SGD(0.1, True)", lambda: optim.SGD(0.1, True), TypeError, "momentum"),
    ("momentum=1.5", lambda: optim.SGD(0.1, momentum=1.5), ValueError, "momentum"),
    ("momentum=1", lambda: optim.SGD(0.1, momentum=1), ValueError, "momentum"),
    ("rmsprop-momentum=1.5", lambda: optim.RMSprop(momentum=1.5), ValueError, "momentum"),
    ("dampening=2", lambda: optim.SGD(0.1, momentum=0.9, dampening=2.0), ValueError, "dampening"),
    ("nesterov-without-momentum", lambda: optim.SGD(0.1, nesterov=True), ValueError, "nesterov"),
    ("nesterov-with-dampening", lambda: optim.SGD(0.1, 0.9, 0.1, nesterov=True), ValueError,
     "dampening"),
    ("nesterov='yes'", lambda: optim.SGD(0.1, 0.9, nesterov="yes"), TypeError, "nesterov"),
    ("amsgrad=1", lambda: optim.Adam(amsgrad=1), TypeError, "amsgrad"),
    ("centered=None", lambda: optim.RMSprop(centered=None), TypeError, "centered"),
    ("decoupled='no'", lambda: optim.Nadam(decoupled_weight_decay="no"), TypeError,
     "decoupled_weight_decay"),
    ("adam-eps=0", lambda: optim.Adam(eps=0), ValueError, "eps"),
    ("adagrad-eps=0", lambda: optim.Adagrad(eps=0.0), ValueError, "eps"),
    ("rmsprop-eps=0", lambda: optim.RMSprop(eps=0), ValueError, "eps"),
    ("adadelta-eps=0", lambda: optim.Adadelta(eps=0), ValueError, "eps"),
    ("adamax-eps=0", lambda: optim.Adamax(eps=0), ValueError, "eps"),
    ("nadam-eps=-1", lambda: optim.Nadam(eps=-1e-8), ValueError, "eps"),
    ("eps=nan", lambda: optim.Adam(eps=float("nan")), ValueError, "eps"),
    ("betas-scalar", lambda: optim.Adam(betas=0.9), TypeError, "betas"),
    ("betas-triple", lambda: optim.Adam(betas=(0.9, 0.99, 0.999)), TypeError, "betas"),
    ("betas-str", lambda: optim.Adam(betas="ab"), TypeError, "betas"),
    ("betas-None", lambda: optim.Adamax(betas=None), TypeError, "betas"),
    ("betas[0]=1", lambda: optim.Adam(betas=(1.0, 0.999)), ValueError, "betas[0]"),
    ("betas[0]<0", lambda: optim.Nadam(betas=(-0.1, 0.999)), ValueError, "betas[0]"),
    ("betas[1]=nan", lambda: optim.AdamW(betas=(0.9, float("nan"))), ValueError, "betas[1]"),
    ("betas[1]=str", lambda: optim.Adam(betas=(0.9, "0.999")), TypeError, "betas[1]"),
    ("weight_decay<0", lambda: optim.Adam(weight_decay=-0.01), ValueError, "weight_decay"),
    ("weight_decay=True", lambda: optim.Adam(1e-3, (0.9, 0.999), 1e-8, True), TypeError,
     "weight_decay"),
    ("sgd-weight_decay<0", lambda: optim.SGD(0.1, weight_decay=-1), ValueError, "weight_decay"),
    ("alpha=1.5", lambda: optim.RMSprop(alpha=1.5), ValueError, "alpha"),
    ("rho=-0.1", lambda: optim.Adadelta(rho=-0.1), ValueError, "rho"),
    ("lr_decay<0", lambda: optim.Adagrad(lr_decay=-1.0), ValueError, "lr_decay"),
    ("initial_accumulator_value<0", lambda: optim.Adagrad(initial_accumulator_value=-1),
     ValueError, "initial_accumulator_value"),
    ("momentum_decay=inf", lambda: optim.Nadam(momentum_decay=float("inf")), ValueError,
     "momentum_decay"),
    ("lr-str", lambda: optim.SGD("0.1"), TypeError, "lr"),
    ("lr-None", lambda: optim.Adam(None), TypeError, "lr"),
    ("lr-bool", lambda: optim.Adam(True), TypeError, "lr"),
    ("lr-complex", lambda: optim.SGD(0.1 + 0j), TypeError, "lr"),
    ("lr-list", lambda: optim.SGD([0.1]), TypeError, "lr"),
    ("lr-huge-int", lambda: optim.SGD(10 ** 400), ValueError, "lr"),
    ("lr=-inf", lambda: optim.SGD(-float("inf")), ValueError, "lr"),
    # get / the base class
    ("get-nope", lambda: optim.get("nope"), ValueError, "name"),
    ("get-None", lambda: optim.get(None), TypeError, "name"),
    ("get-list", lambda: optim.get(["adam"]), TypeError, "name"),
    ("get-unknown-kwarg", lambda: optim.get("adam", momentum=0.9), TypeError, "momentum"),
    ("get-object-and-kwargs", lambda: optim.get(optim.SGD(), lr=0.1), ValueError, "lr"),
    ("base-class", lambda: optim.Optimizer(0.1), TypeError, "Optimizer"),
]


@pytest.mark.parametrize("call,exc,arg", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_names_the_argument(call, exc, arg):
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc                 # not a subclass such as a bare NumPy error
    assert arg in str(info.value), f"the message does not name {arg!r}: {info.value}"


def test_a_bool_for_momentum_suggests_nesterov():
    with pytest.raises(TypeError, match=r"momentum .* got True \(a bool\).*nesterov=True"):
        optim.SGD(0.1, True)
    with pytest.raises(TypeError, match="amsgrad=True"):
        optim.Adam(1e-3, (0.9, 0.999), 1e-8, True)
    with pytest.raises(TypeError, match=r"betas .*amsgrad=True"):
        optim.Adam(1e-3, True)
    with pytest.raises(TypeError, match=r"momentum .*centered=True"):
        optim.RMSprop(0.01, 0.99, 1e-8, 0.0, True)


@pytest.mark.parametrize("name", optim.available())
def test_a_refused_step_changes_nothing(name):
    """Every check runs before the first update: a bad call leaves weights and state as they were."""
    params, grads = _problem(7)
    opt = optim.get(name, lr=0.01)
    opt.step(params, grads(0, params))
    opt.step(params, grads(1, params))
    weights = [p.copy() for p in params]
    state = [{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in st.items()}
             for st in opt.state]
    bad = grads(2, params)
    bad[1] = bad[1].astype(np.float32)            # the *second* array is wrong
    with pytest.raises(TypeError, match=r"grads\[1\]"):
        opt.step(params, bad)
    for p, w in zip(params, weights):
        np.testing.assert_array_equal(p, w)
    for st, old in zip(opt.state, state):
        assert st.keys() == old.keys()
        for k in st:
            if isinstance(st[k], np.ndarray):
                np.testing.assert_array_equal(st[k], old[k])
            else:
                assert st[k] == old[k]


def test_an_empty_parameter_list_is_a_no_op():
    opt = optim.Adam()
    opt.step([], [])
    assert opt.state == []


def _twin_optimizers(torch, seed, ours, theirs, kwargs):
    """The same problem for nnlab's optimizer ``ours`` and torch's ``theirs``:
    (grads, nnlab params, torch params, nnlab optimizer, torch optimizer)."""
    params, grads = _problem(seed)
    mine = [p.copy() for p in params]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    topt = getattr(torch.optim, theirs)(tparams, **kwargs, foreach=False)
    return grads, mine, tparams, getattr(optim, ours)(**kwargs), topt


# ---- NaN gradients: an unsupported extreme that behaves as in torch ----------
@pytest.mark.torch
@pytest.mark.parametrize("ours,theirs,kwargs", [
    ("SGD", "SGD", dict(lr=0.05, momentum=0.9)), ("Adagrad", "Adagrad", dict()),
    ("RMSprop", "RMSprop", dict()), ("Adadelta", "Adadelta", dict()), ("Adam", "Adam", dict()),
    ("Adam", "Adam", dict(amsgrad=True)), ("AdamW", "AdamW", dict()), ("Nadam", "NAdam", dict()),
    ("Adamax", "Adamax", dict())], ids=lambda v: v if isinstance(v, str) else None)
def test_nan_gradients_flow_as_in_torch(torch, ours, theirs, kwargs):
    """A NaN gradient is not checked (that would cost a pass over every array); like torch,
    it turns the weights it touches into NaN, and leaves the others exactly as torch does."""
    grads, mine, tparams, opt, topt = _twin_optimizers(torch, 8, ours, theirs, kwargs)
    for t in range(30):
        g = grads(t, [tp.detach().numpy().copy() for tp in tparams])
        if t == 10:
            g[0][1, 2] = np.nan                    # one NaN entry, once
        opt.step(mine, [a.copy() for a in g])
        for tp, gt in zip(tparams, g):
            tp.grad = torch.tensor(gt)
        topt.step()
    ref = [tp.detach().numpy() for tp in tparams]
    for p, r in zip(mine, ref):
        np.testing.assert_array_equal(np.isnan(p), np.isnan(r))   # the same entries are NaN
        np.testing.assert_allclose(p, r, rtol=1e-9, atol=1e-12)   # NaN == NaN here
    assert np.isnan(mine[0][1, 2]) and np.isfinite(np.delete(mine[0], 5)).all()


# ---- direct tests of the remaining public API ------------------------------
@pytest.mark.parametrize("name", optim.available())
def test_zero_state_forgets_everything_but_the_hyperparameters(name):
    params, grads = _problem(9)
    opt = optim.get(name, lr=0.02)
    for t in range(5):
        opt.step(params, grads(t, params))
    assert opt.state and all(st["step"] == 5 for st in opt.state)
    before = repr(opt)
    opt.zero_state()
    assert opt.state == [] and repr(opt) == before
    # the next step is exactly the first step of a fresh optimizer with the same settings
    fresh = optim.get(name, lr=0.02)
    a = [p.copy() for p in params]
    b = [p.copy() for p in params]
    g = grads(5, params)
    opt.step(a, g)
    fresh.step(b, g)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert all(st["step"] == 1 for st in opt.state)
    # and after zero_state the optimizer accepts arrays of other shapes (a new model)
    opt.zero_state()
    w = [np.ones((4, 4))]
    opt.step(w, [np.ones((4, 4))])
    assert len(opt.state) == 1 and opt.state[0]["step"] == 1


@pytest.mark.torch
@pytest.mark.parametrize("ours,theirs,kwargs", [
    ("SGD", "SGD", dict(lr=0.05, momentum=0.9)), ("Adagrad", "Adagrad", dict()),
    ("RMSprop", "RMSprop", dict(momentum=0.9, centered=True)), ("Adadelta", "Adadelta", dict()),
    ("Adam", "Adam", dict(amsgrad=True)), ("AdamW", "AdamW", dict()), ("Nadam", "NAdam", dict()),
    ("Adamax", "Adamax", dict())], ids=lambda v: v if isinstance(v, str) else None)
def test_state_has_torchs_keys_and_values(torch, ours, theirs, kwargs):
    """``opt.state[i]`` holds what ``torch_opt.state[p_i]`` holds (plus a step count)."""
    grads, mine, tparams, opt, topt = _twin_optimizers(torch, 10, ours, theirs, kwargs)
    for t in range(20):
        opt.step(mine, grads(t, mine))
        for tp, g in zip(tparams, grads(t, [tp.detach().numpy() for tp in tparams])):
            tp.grad = torch.tensor(g)
        topt.step()
    for st, tp in zip(opt.state, tparams):
        ref = topt.state[tp]
        assert set(st) == set(ref) | {"step"}
        assert st["step"] == 20
        for key, value in ref.items():
            value = value.numpy() if hasattr(value, "numpy") else value
            # torch keeps scalar state (step, Nadam's mu_product) in float32 tensors
            rtol = 1e-6 if np.ndim(value) == 0 else 1e-9
            np.testing.assert_allclose(st[key], value, rtol=rtol, atol=1e-14, err_msg=key)


def test_get_returns_an_optimizer_object_unchanged():
    opt = optim.Adam(lr=0.5)
    assert optim.get(opt) is opt
    assert type(optim.get("ADAM")) is optim.Adam           # case-insensitive
    assert optim.get("sgd", lr=0.3, momentum=0.5).momentum == 0.5


def test_available_lists_every_optimizer_class():
    expected = {"sgd": optim.SGD, "adagrad": optim.Adagrad, "rmsprop": optim.RMSprop,
                "adadelta": optim.Adadelta, "adam": optim.Adam, "adamw": optim.AdamW,
                "nadam": optim.Nadam, "adamax": optim.Adamax}
    assert optim.available() == sorted(expected)
    for name, cls in expected.items():
        assert type(optim.get(name)) is cls
    classes = {getattr(optim, n) for n in optim.__all__
               if isinstance(getattr(optim, n), type) and getattr(optim, n) is not optim.Optimizer}
    assert classes == set(expected.values())


@pytest.mark.parametrize("name", optim.available())
def test_repr_rebuilds_the_same_optimizer(name):
    """``repr`` lists every hyper-parameter: evaluating it gives the same optimizer."""
    import inspect
    cls = type(optim.get(name))
    args = {"lr": 0.0123, "weight_decay": 0.0456}
    if "eps" in inspect.signature(cls).parameters:
        args["eps"] = 1e-5
    opt = cls(**args)
    text = repr(opt)
    assert text.startswith(f"{cls.__name__}(")
    for k, v in args.items():
        assert f"{k}={v!r}" in text
    clone = eval(text, vars(optim))                        # noqa: S307 - our own repr
    assert type(clone) is cls and repr(clone) == text
    assert set(inspect.signature(cls).parameters) == set(opt._hyper())


def test_a_student_subclass_of_optimizer_works():
    """The base class is for subclassing (not for direct use): plain gradient descent."""
    class GD(optim.Optimizer):
        def _update(self, p, g, st, buf, buf2):
            st["step"] += 1
            p -= self.lr * g

    w = [np.array([1.0, -2.0])]
    GD(lr=0.25).step(w, [np.array([4.0, 4.0])])
    np.testing.assert_array_equal(w[0], [0.0, -3.0])
