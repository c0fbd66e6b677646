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
        S.StepDecay(-0.1, step_size=2)
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


def _row_recorder():
    """An identity layer recording which rows (X[:, 0]) each training batch holds."""
    import nnlab

    class Rows(nnlab.layers.Layer):
        def __init__(self):
            super().__init__()
            self.seen = []

        def forward(self, X, training=None):
            if self.training if training is None else training:
                self.seen.append(X[:, 0].astype(int).tolist())
            return X

        def backward(self, dY, input_grad=True):
            return dY
    return Rows()


@pytest.mark.parametrize("m,batch_size,pieces", [
    (10, 4, [(0, 4), (4, 8)]),          # 2 full batches per permutation, 2 rows dropped
    (12, 4, [(0, 4), (4, 8), (8, 12)]),
    (10, 10, [(0, 10)]),
    (10, 15, [(0, 10)]),                # all rows, a new order every step
])
def test_lr_range_test_batches_are_pieces_of_fresh_permutations(m, batch_size, pieces):
    import nnlab
    X = np.column_stack([np.arange(m), np.linspace(-1, 1, m)])
    rec = _row_recorder()
    model = nnlab.layers.Sequential([rec, nnlab.layers.Dense(2, 3, rng=0)])
    S.lr_range_test(model, X, np.arange(m) % 3, lr_min=1e-6, lr_max=1e-5, n_steps=7,
                    batch_size=batch_size, seed=4, diverge_factor=None)
    rng, expected = np.random.default_rng(4), []
    while len(expected) < 7:                         # the reference, cut by hand
        order = rng.permutation(m)
        expected += [order[a:b].tolist() for a, b in pieces]
    assert rec.seen == expected[:7]


def test_lr_range_test_stops_when_the_output_overflows():
    """Without diverge_factor the sweep runs until the loss is not finite; an
    overflowing forward pass is that end too (it used to raise a ValueError
    telling to standardize X)."""
    import nnlab
    X, y = _digits_like(1)
    lrs, losses = S.lr_range_test(lambda: nnlab.mlp([5, 16, 3], rng=0), X, y, lr_min=1e-3,
                                  lr_max=1e30, n_steps=80, diverge_factor=None)
    assert 10 < len(lrs) < 80 and len(lrs) == len(losses)
    assert np.all(np.isfinite(losses)) and losses[-1] > 1e3 * losses.min()


# ---- a learning rate of 0 is legal (as in torch) ---------------------------------
def test_schedules_that_reach_zero():
    cos = S.CosineDecay(lr=0.1, T_max=10)
    assert cos(10) == 0.0 and cos(11) == 0.0 and cos(10 ** 6) == 0.0
    assert S.StepDecay(0.1, step_size=1, gamma=0.0)(1) == 0.0
    # 1e-3 · 0.1^400 is below the smallest float (about 5e-324): the decay underflows to 0
    assert S.StepDecay(1e-3, step_size=1, gamma=0.1)(400) == 0.0
    assert S.ExponentialDecay(0.1, gamma=0.0)(3) == 0.0
    for sched in (S.Constant(0.0), S.CosineDecay(0.0, T_max=5), S.StepDecay(0, 2),
                  S.LinearWarmup(0.0, 3), S.OneCycle(0.0, 10), S.InverseTimeDecay(0.0)):
        assert sched.values(12).tolist() == [0.0] * 12


@pytest.mark.parametrize("make", [lambda: S.CosineDecay(lr=0.1, T_max=5),
                                  lambda: S.StepDecay(lr=0.1, step_size=3, gamma=0.0)],
                         ids=["cosine-after-T_max", "step-decay-to-0"])
def test_fit_continues_through_lr_zero(make):
    """The issue's failure: a schedule that reaches 0 killed fit with 'lr must be > 0'."""
    import nnlab
    sched = make()
    X, y = _digits_like(2)
    model = nnlab.mlp([5, 8, 3], rng=0)
    h = nnlab.fit(model, X[:64], y[:64], optimizer="sgd", schedule=sched, epochs=4,
                  batch_size=16, seed=0, progress=False)       # 16 steps, 0 from step 5 or 6
    assert len(h.loss) == 4 and h.lr[-1] == 0.0
    frozen = model.get_weights()
    nnlab.fit(model, X[:64], y[:64], optimizer=nnlab.optim.SGD(lr=0.0), epochs=1,
              batch_size=16, seed=0, progress=False)
    for a, b in zip(model.get_weights(), frozen):
        np.testing.assert_array_equal(a, b)


@pytest.mark.torch
def test_cosine_reaches_zero_like_torch(torch):
    """torch's CosineAnnealingLR reaches exactly 0 at T_max too (and its optimizer accepts it)."""
    ours = S.CosineDecay(0.1, T_max=20).values(21)
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20), 0.1, 21)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-17)
    assert ours[-1] == 0.0 and abs(ref[-1]) < 1e-17


# ---- every schedule: huge steps give the limit, never an OverflowError -------------
LIMITS = {      # a schedule and its limit for step -> infinity
    "StepDecay": (lambda: S.StepDecay(0.1, step_size=1, gamma=0.5), 0.0),
    "StepDecay-gamma-1": (lambda: S.StepDecay(0.1, step_size=1, gamma=1.0), 0.1),
    "ExponentialDecay": (lambda: S.ExponentialDecay(0.1, gamma=0.5), 0.0),
    "InverseTimeDecay": (lambda: S.InverseTimeDecay(0.1, decay_rate=1.0), 0.0),
    "InverseTimeDecay-overflow": (lambda: S.InverseTimeDecay(0.1, decay_rate=1e300, power=5.0),
                                  0.0),
    "InverseTimeDecay-rate-0": (lambda: S.InverseTimeDecay(0.1, decay_rate=0.0), 0.1),
    "CosineDecay": (lambda: S.CosineDecay(0.1, T_max=10, eta_min=0.01), 0.01),
    "LinearWarmup": (lambda: S.LinearWarmup(0.1, 10), 0.1),
    "OneCycle": (lambda: S.OneCycle(1.0, 10), 1.0 / 25 / 1e4),
    "Constant": (lambda: S.Constant(0.3), 0.3),
}


@pytest.mark.parametrize("make,limit", list(LIMITS.values()), ids=list(LIMITS))
@pytest.mark.parametrize("step", [10 ** 6, 2 ** 63, 10 ** 400], ids=["1e6", "2^63", "1e400"])
def test_huge_steps_give_the_limit(make, limit, step):
    value = make()(step)
    assert type(value) is float and math.isfinite(value) and value >= 0
    assert value == pytest.approx(limit, rel=1e-12, abs=1e-6)
    if step == 10 ** 400:                  # beyond the float range: the exact limit
        assert value == pytest.approx(limit, rel=1e-12, abs=0.0)


# ---- bad input: a clear error that names the argument ----------------------------
BAD_INPUT = [
    ("Constant-neg", lambda: S.Constant(-1.0), ValueError, "lr"),
    ("Constant-nan", lambda: S.Constant(float("nan")), ValueError, "lr"),
    ("Constant-inf", lambda: S.Constant(float("inf")), ValueError, "lr"),
    ("Constant-bool", lambda: S.Constant(True), TypeError, "lr"),
    ("Constant-str", lambda: S.Constant("0.1"), TypeError, "lr"),
    ("Constant-None", lambda: S.Constant(None), TypeError, "lr"),
    ("StepDecay-step_size-float", lambda: S.StepDecay(0.1, step_size=2.0), TypeError, "step_size"),
    ("StepDecay-step_size-bool", lambda: S.StepDecay(0.1, step_size=True), TypeError, "step_size"),
    ("StepDecay-step_size-0", lambda: S.StepDecay(0.1, step_size=0), ValueError, "step_size"),
    ("StepDecay-gamma-neg", lambda: S.StepDecay(0.1, 2, gamma=-0.5), ValueError, "gamma"),
    ("StepDecay-gamma-nan", lambda: S.StepDecay(0.1, 2, gamma=float("nan")), ValueError, "gamma"),
    ("StepDecay-gamma-10", lambda: S.StepDecay(0.1, 2, gamma=10), ValueError, "gamma"),
    ("StepDecay-gamma-str", lambda: S.StepDecay(0.1, 2, gamma="0.5"), TypeError, "gamma"),
    ("Exponential-gamma-bool", lambda: S.ExponentialDecay(0.1, gamma=True), TypeError, "gamma"),
    ("Exponential-gamma-2", lambda: S.ExponentialDecay(0.1, gamma=2.0), ValueError, "gamma"),
    ("Exponential-decay_steps-neg", lambda: S.ExponentialDecay(0.1, 0.5, decay_steps=-3),
     ValueError, "decay_steps"),
    ("InverseTime-decay_rate-neg", lambda: S.InverseTimeDecay(0.1, decay_rate=-1.0), ValueError,
     "decay_rate"),
    ("InverseTime-power-0", lambda: S.InverseTimeDecay(0.1, power=0.0), ValueError, "power"),
    ("InverseTime-power-None", lambda: S.InverseTimeDecay(0.1, power=None), TypeError, "power"),
    ("InverseTime-decay_steps-str", lambda: S.InverseTimeDecay(0.1, decay_steps="10"), TypeError,
     "decay_steps"),
    ("Cosine-T_max-nan", lambda: S.CosineDecay(0.1, T_max=float("nan")), TypeError, "T_max"),
    ("Cosine-T_max-None", lambda: S.CosineDecay(0.1, T_max=None), TypeError, "T_max"),
    ("Cosine-eta_min-neg", lambda: S.CosineDecay(0.1, 10, eta_min=-0.01), ValueError, "eta_min"),
    ("Cosine-eta_min-above-lr", lambda: S.CosineDecay(0.1, 10, eta_min=0.2), ValueError, "eta_min"),
    ("Cosine-lr-str", lambda: S.CosineDecay("fast", 10), TypeError, "lr"),
    ("Warmup-warmup_steps-0", lambda: S.LinearWarmup(0.1, 0), ValueError, "warmup_steps"),
    ("Warmup-start_factor-0", lambda: S.LinearWarmup(0.1, 5, start_factor=0.0), ValueError,
     "start_factor"),
    ("Warmup-start_factor-2", lambda: S.LinearWarmup(0.1, 5, start_factor=2.0), ValueError,
     "start_factor"),
    ("Warmup-after-number", lambda: S.LinearWarmup(0.1, 5, after=0.1), TypeError, "after"),
    ("Warmup-after-returns-str", lambda: S.LinearWarmup(0.1, 5, after=lambda t: "0.1")(6),
     ValueError, "lr_at"),
    ("Warmup-after-returns-nan", lambda: S.LinearWarmup(0.1, 5, after=lambda t: float("nan"))(6),
     ValueError, "lr_at"),
    ("OneCycle-max_lr-neg", lambda: S.OneCycle(-1.0, 10), ValueError, "max_lr"),
    ("OneCycle-total_steps-float", lambda: S.OneCycle(1.0, 10.5), TypeError, "total_steps"),
    ("OneCycle-pct_start-1", lambda: S.OneCycle(1.0, 10, pct_start=1.0), ValueError, "pct_start"),
    ("OneCycle-pct_start-bool", lambda: S.OneCycle(1.0, 10, pct_start=True), TypeError,
     "pct_start"),
    ("OneCycle-anneal-cosine", lambda: S.OneCycle(1.0, 10, anneal_strategy="cosine"), ValueError,
     "anneal_strategy"),
    ("OneCycle-anneal-array", lambda: S.OneCycle(1.0, 10, anneal_strategy=np.array([1, 2])),
     TypeError, "anneal_strategy"),
    ("OneCycle-div_factor-0", lambda: S.OneCycle(1.0, 10, div_factor=0), ValueError, "div_factor"),
    ("OneCycle-div_factor-tiny", lambda: S.OneCycle(1e10, 10, div_factor=1e-300), ValueError,
     "div_factor"),
    ("OneCycle-final_div_factor-nan", lambda: S.OneCycle(1.0, 10, final_div_factor=float("nan")),
     ValueError, "final_div_factor"),
    ("OneCycle-three_phase-str", lambda: S.OneCycle(1.0, 10, three_phase="yes"), TypeError,
     "three_phase"),
    # the step
    ("step-neg", lambda: S.CosineDecay(0.1, 10)(-1), ValueError, "step"),
    ("step-float", lambda: S.CosineDecay(0.1, 10)(2.5), TypeError, "step"),
    ("step-integral-float", lambda: S.StepDecay(0.1, 2)(2.0), TypeError, "step"),
    ("step-bool", lambda: S.Constant(0.1)(True), TypeError, "step"),
    ("step-None", lambda: S.OneCycle(1.0, 10)(None), TypeError, "step"),
    ("step-str", lambda: S.ExponentialDecay(0.1, 0.5)("3"), TypeError, "step"),
    ("step-nan", lambda: S.InverseTimeDecay(0.1)(float("nan")), TypeError, "step"),
    ("step-array", lambda: S.LinearWarmup(0.1, 5)(np.arange(3)), TypeError, "step"),
    ("values-n-0", lambda: S.Constant(0.1).values(0), ValueError, "n"),
    ("values-n-float", lambda: S.Constant(0.1).values(5.0), TypeError, "n"),
]


@pytest.mark.parametrize("call,exc,arg", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_names_the_argument(call, exc, arg):
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc
    assert arg in str(info.value), f"the message does not name {arg!r}: {info.value}"


def test_gamma_above_one_says_how_to_divide():
    with pytest.raises(ValueError, match=r"divide the learning rate by 10, use gamma=0\.1"):
        S.StepDecay(0.1, step_size=5, gamma=10)


def test_numpy_integers_and_scalars_are_accepted():
    s = S.StepDecay(np.float32(0.5), step_size=np.int64(2), gamma=np.float64(0.5))
    assert s(np.int32(4)) == 0.125 and type(s(np.int32(4))) is float


# ---- direct tests of the remaining public API ------------------------------------
def test_constant():
    s = S.Constant(0.05)
    assert s.lr == 0.05
    assert s.values(5).tolist() == [0.05] * 5
    assert s(0) == s(10 ** 9) == 0.05 and type(s(3)) is float
    assert repr(s) == "Constant(lr=0.05)"
    assert S.Constant(1).lr == 1.0 and type(S.Constant(1).lr) is float


@pytest.mark.torch
def test_constant_matches_torch(torch):
    ref = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=1.0), 0.05, 10)
    np.testing.assert_array_equal(S.Constant(0.05).values(10), ref)


def test_values_is_the_list_of_calls():
    s = S.ExponentialDecay(0.2, gamma=0.5, decay_steps=2)
    v = s.values(6)
    assert isinstance(v, np.ndarray) and v.shape == (6,) and v.dtype == np.float64
    np.testing.assert_allclose(v, [0.2 * 0.5 ** (t / 2) for t in range(6)], rtol=1e-15)
    assert S.Constant(0.1).values(1).tolist() == [0.1]


REPR_CASES = {
    "Constant": lambda: S.Constant(0.1),
    "StepDecay": lambda: S.StepDecay(0.1, 3, gamma=0.5),
    "ExponentialDecay": lambda: S.ExponentialDecay(0.1, 0.9, decay_steps=2),
    "InverseTimeDecay": lambda: S.InverseTimeDecay(0.1, 0.5, 2, power=2.0),
    "CosineDecay": lambda: S.CosineDecay(0.1, 7, eta_min=0.01),
    "LinearWarmup": lambda: S.LinearWarmup(0.1, 4, start_factor=0.5),
    "OneCycle": lambda: S.OneCycle(0.5, 30, pct_start=0.2, three_phase=True),
}


@pytest.mark.parametrize("make", list(REPR_CASES.values()), ids=list(REPR_CASES))
def test_repr_rebuilds_the_schedule(make):
    sched = make()
    clone = eval(repr(sched), vars(S))                     # noqa: S307 - our own repr
    assert type(clone) is type(sched) and repr(clone) == repr(sched)
    np.testing.assert_array_equal(clone.values(40), sched.values(40))


def test_one_cycle_lr_is_its_starting_rate():
    s = S.OneCycle(max_lr=0.5, total_steps=20, div_factor=10.0)
    assert s.lr == pytest.approx(0.05) and s(0) == pytest.approx(s.lr)


def test_a_student_schedule_gets_the_same_checks():
    class Halving(S.Schedule):
        def __init__(self, lr):
            self.lr = lr

        def lr_at(self, step):
            return self.lr / 2 ** step

    h = Halving(1.0)
    assert h.values(4).tolist() == [1.0, 0.5, 0.25, 0.125]
    with pytest.raises(TypeError, match="step"):
        h(1.5)
    with pytest.raises(ValueError, match=r"Halving.lr_at\(0\) returned -1.0"):
        Halving(-1.0)(0)
    with pytest.raises(NotImplementedError, match="lr_at"):
        S.Schedule()(0)


# ---- the LR range test leaves no trace ------------------------------------------------
def _dropout_run(with_test, rng, **test_kw):
    """Build a model under a fixed seed, maybe run the range test, then train it."""
    import nnlab
    X, y = _digits_like(3)
    nnlab.seed(11)
    model = nnlab.mlp([5, 16, 16, 3], activation="rrelu", dropout=0.3, batchnorm=True, rng=rng)
    if with_test:
        lrs, _ = S.lr_range_test(model, X, y, lr_min=1e-3, lr_max=10.0, n_steps=30,
                                 batch_size=16, **test_kw)
        assert len(lrs) > 5
    out = model.forward(X[:40], training=True)       # dropout masks, RReLU slopes, BN statistics
    h = nnlab.fit(model, X, y, optimizer="adam", lr=0.01, epochs=2, batch_size=32,
                  progress=False)
    return out, model.get_weights(), h.loss


@pytest.mark.parametrize("rng", [None, 5], ids=["package-generator", "model-generator"])
@pytest.mark.parametrize("seed", [0, None], ids=["own-batches", "package-batches"])
def test_lr_range_test_leaves_no_trace(rng, seed):
    """Training after the test gives bit for bit what it gives without the test."""
    out_a, w_a, loss_a = _dropout_run(False, rng)
    out_b, w_b, loss_b = _dropout_run(True, rng, seed=seed)
    np.testing.assert_array_equal(out_a, out_b)
    assert loss_a == loss_b
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)


def test_lr_range_test_restores_gradients_caches_and_the_package_generator():
    import nnlab
    from nnlab import _validate
    X, y = _digits_like(4)
    nnlab.seed(3)
    model = nnlab.mlp([5, 16, 3], dropout=0.5, rng=None)
    out = model.forward(X[:8], training=True)
    model.backward(np.ones_like(out))
    grads = [g.copy() for g in model.grads]
    drop = [layer for layer in model.layers if isinstance(layer, nnlab.layers.Dropout)][0]
    mask = drop.mask
    package_rng = _validate._GLOBAL_RNG
    state = package_rng.bit_generator.state
    S.lr_range_test(model, X, y, lr_min=1e-3, lr_max=1.0, n_steps=10, batch_size=16, seed=None)
    assert _validate._GLOBAL_RNG is package_rng and package_rng.bit_generator.state == state
    for g, saved in zip(model.grads, grads):
        np.testing.assert_array_equal(g, saved)
    assert drop.mask is mask
    model.backward(np.ones_like(out))                  # the cached forward pass is still ours
    for g, saved in zip(model.grads, grads):
        np.testing.assert_array_equal(g, saved)


def test_lr_range_test_with_a_factory_restores_the_package_generator():
    import nnlab
    X, y = _digits_like(5)
    nnlab.seed(8)
    expected = nnlab.mlp([5, 8, 3]).get_weights()
    nnlab.seed(8)
    S.lr_range_test(lambda: nnlab.mlp([5, 8, 3], dropout=0.2), X, y, n_steps=5, seed=None)
    for a, b in zip(nnlab.mlp([5, 8, 3]).get_weights(), expected):
        np.testing.assert_array_equal(a, b)


def test_lr_range_test_restores_the_mode():
    import nnlab
    X, y = _digits_like(6)
    model = nnlab.mlp([5, 16, 3], dropout=0.5, batchnorm=True, rng=0)
    if not hasattr(model, "eval"):
        pytest.skip("needs the train()/eval() modes of issue 8 §3 (nnlab.layers)")
    model.eval()
    model.layers[1].train()                             # a mixed state, restored as it was
    modes = [layer.training for layer in model.layers]
    S.lr_range_test(model, X, y, n_steps=10)
    assert model.training is False
    assert [layer.training for layer in model.layers] == modes


def test_lr_range_test_restores_the_model_when_it_fails():
    import nnlab
    X, y = _digits_like(7)
    nnlab.seed(2)
    model = nnlab.mlp([5, 16, 3], dropout=0.5, batchnorm=True, rng=None)
    before = model.get_weights()
    nnlab.seed(2)
    twin = nnlab.mlp([5, 16, 3], dropout=0.5, batchnorm=True, rng=None)
    out_ref = twin.forward(X[:20], training=True)
    nnlab.seed(2)
    nnlab.mlp([5, 16, 3], dropout=0.5, batchnorm=True, rng=None)   # same draws as `model`
    with pytest.raises(ValueError):                   # labels 0..4 for 3 outputs: the loss refuses
        S.lr_range_test(model, X, np.arange(300) % 5, n_steps=10)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.forward(X[:20], training=True), out_ref)


def test_lr_range_test_takes_an_optimizer_object_and_leaves_it_alone():
    import nnlab
    X, y = _digits_like(8)
    model = nnlab.mlp([5, 16, 3], rng=0)
    opt = nnlab.optim.Adam(lr=0.5, betas=(0.8, 0.9))
    opt.step(model.params, [np.ones_like(p) for p in model.params])
    model.set_weights([np.zeros_like(w) + 0.1 for w in model.get_weights()])
    state = [{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in st.items()}
             for st in opt.state]
    lrs, losses = S.lr_range_test(model, X, y, optimizer=opt, lr_min=1e-4, lr_max=1.0, n_steps=20)
    assert len(lrs) > 5 and opt.lr == 0.5
    for st, old in zip(opt.state, state):
        assert st["step"] == old["step"] == 1
        for k in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(st[k], old[k])
    # and the sweep was that of a fresh Adam(betas=(0.8, 0.9)) at the same learning rates
    lrs2, losses2 = S.lr_range_test(model, X, y, optimizer="adam",
                                    optimizer_kwargs={"betas": (0.8, 0.9)},
                                    lr_min=1e-4, lr_max=1.0, n_steps=20)
    np.testing.assert_array_equal(lrs, lrs2)
    np.testing.assert_array_equal(losses, losses2)
    with pytest.raises(ValueError, match="optimizer_kwargs"):
        S.lr_range_test(model, X, y, optimizer=opt, optimizer_kwargs={"lr": 0.1})


def test_lr_range_test_extreme_learning_rates_do_not_overflow():
    import nnlab
    X, y = _digits_like(9)
    lrs, losses = S.lr_range_test(lambda: nnlab.mlp([5, 8, 3], rng=0), X, y,
                                  lr_min=1e-300, lr_max=1e308, n_steps=50)
    assert np.all(np.isfinite(lrs)) and np.all(np.isfinite(losses)) and len(lrs) >= 1
    np.testing.assert_allclose(np.log10(lrs), np.linspace(-300, 308, 50)[:len(lrs)], rtol=1e-12)


LR_RANGE_BAD = [
    ("model-list", dict(model=[]), TypeError, "model"),
    ("model-factory-None", dict(model=lambda: None), TypeError, "model"),
    ("X-0d", dict(X=np.array(1.5)), ValueError, "X"),
    ("X-1d", dict(X=np.ones(300)), ValueError, "X"),
    ("y-None", dict(y=None), TypeError, "y"),
    ("y-scalar", dict(y=3), TypeError, "y"),
    ("y-str", dict(y="abc"), TypeError, "y"),
    ("y-short", dict(y=np.zeros(299, int)), ValueError, "y"),
    ("loss-None", dict(loss=None), TypeError, "loss"),
    ("optimizer_kwargs-list", dict(optimizer_kwargs=[1]), TypeError, "optimizer_kwargs"),
    ("optimizer-unknown", dict(optimizer="adamm"), ValueError, "name"),
    ("lr_min-0", dict(lr_min=0.0), ValueError, "lr_min"),
    ("lr_max-str", dict(lr_max="10"), TypeError, "lr_max"),
    ("n_steps-float", dict(n_steps=10.0), TypeError, "n_steps"),
    ("batch_size-0", dict(batch_size=0), ValueError, "batch_size"),
    ("diverge_factor-0.5", dict(diverge_factor=0.5), ValueError, "diverge_factor"),
    ("diverge_factor-str", dict(diverge_factor="4"), TypeError, "diverge_factor"),
    ("seed-str", dict(seed="0"), TypeError, "seed"),
]


@pytest.mark.parametrize("kw,exc,arg", [c[1:] for c in LR_RANGE_BAD], ids=[c[0] for c in LR_RANGE_BAD])
def test_lr_range_test_bad_input_names_the_argument(kw, exc, arg):
    import nnlab
    X, y = _digits_like(10)
    args = dict(model=lambda: nnlab.mlp([5, 8, 3], rng=0), X=X, y=y, n_steps=5)
    args.update(kw)
    with pytest.raises(exc) as info:
        S.lr_range_test(**args)
    assert type(info.value) is exc
    assert arg in str(info.value), f"the message does not name {arg!r}: {info.value}"
