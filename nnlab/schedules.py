r"""Learning-rate schedules and the learning-rate range test.

A schedule is a small object you call with the step number ``t = 0, 1, 2, ...``
and that returns the learning rate for that step, from a closed-form formula::

    sched = nnlab.schedules.CosineDecay(lr=0.1, T_max=1000)
    sched(0), sched(500), sched(1000)      # 0.1, 0.05, 0.0

:func:`nnlab.train.fit` calls it before every optimizer update (or once per
epoch with ``schedule_unit="epoch"``) and sets ``optimizer.lr``. Each class
gives the same numbers as its ``torch.optim.lr_scheduler`` counterpart
(named in its docstring) at the same step count; ``sched.values(n)`` returns
the first ``n`` learning rates, for a plot.

:func:`lr_range_test` is the "optimal learning rate" sweep of the lectures:
train for a few hundred steps while the learning rate grows exponentially from
tiny to huge, and plot the loss against the learning rate. A good choice is
about ten times smaller than the learning rate where the loss is lowest (just
before it shoots up).
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import as_float_array, as_rng, check_positive

__all__ = [
    "Schedule", "Constant", "StepDecay", "ExponentialDecay", "InverseTimeDecay",
    "CosineDecay", "LinearWarmup", "OneCycle", "lr_range_test",
]


def _check_step(step) -> int:
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
        raise ValueError(f"step must be an integer >= 0; got {step!r}")
    return int(step)


def _check_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}")
    return int(value)


class Schedule:
    """Base class: ``sched(step) -> lr``; subclasses implement ``lr_at(step)``."""

    lr: float

    def __call__(self, step: int) -> float:
        return float(self.lr_at(_check_step(step)))

    def lr_at(self, step: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def values(self, n: int) -> np.ndarray:
        """The learning rates of steps ``0 .. n-1`` as an array (for plotting)."""
        return np.array([self(t) for t in range(_check_count(n, "n"))])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    r""":math:`\eta_t = \eta` (no schedule)."""

    def __init__(self, lr: float):
        self.lr = check_positive(lr, "lr")

    def lr_at(self, step):
        return self.lr


class StepDecay(Schedule):
    r"""Step decay: multiply by ``gamma`` every ``step_size`` steps.

    .. math:: \eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}

    Same as ``torch.optim.lr_scheduler.StepLR(step_size=s, gamma=γ)``.
    """

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr = check_positive(lr, "lr")
        self.step_size = _check_count(step_size, "step_size")
        self.gamma = check_positive(gamma, "gamma")

    def lr_at(self, step):
        return self.lr * self.gamma ** (step // self.step_size)


class ExponentialDecay(Schedule):
    r"""Exponential decay.

    .. math:: \eta_t = \eta_0\, \gamma^{t / s}

    With ``decay_steps`` s = 1 this is ``torch.optim.lr_scheduler.ExponentialLR(gamma=γ)``;
    the lectures' form :math:`\eta_0\, 0.1^{t/s}` is ``gamma=0.1, decay_steps=s``.
    """

    def __init__(self, lr: float, gamma: float, decay_steps: int = 1):
        self.lr = check_positive(lr, "lr")
        self.gamma = check_positive(gamma, "gamma")
        self.decay_steps = _check_count(decay_steps, "decay_steps")

    def lr_at(self, step):
        return self.lr * self.gamma ** (step / self.decay_steps)


class InverseTimeDecay(Schedule):
    r"""1/t ("power") decay.

    .. math:: \eta_t = \frac{\eta_0}{(1 + k\, t / s)^{c}}

    with ``decay_rate`` k, ``decay_steps`` s and ``power`` c (c = 1 is the
    classic 1/t schedule; Keras' ``InverseTimeDecay`` is c = 1). PyTorch has no
    named counterpart (``LambdaLR`` with this formula is the same).
    """

    def __init__(self, lr: float, decay_rate: float = 1.0, decay_steps: int = 1, power: float = 1.0):
        self.lr = check_positive(lr, "lr")
        self.decay_rate = check_positive(decay_rate, "decay_rate", allow_zero=True)
        self.decay_steps = _check_count(decay_steps, "decay_steps")
        self.power = check_positive(power, "power")

    def lr_at(self, step):
        return self.lr / (1.0 + self.decay_rate * step / self.decay_steps) ** self.power


class CosineDecay(Schedule):
    r"""Cosine annealing from ``lr`` down to ``eta_min`` over ``T_max`` steps.

    .. math:: \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})\left(1 + \cos\frac{\pi\, t}{T_{max}}\right)

    Same as ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max, eta_min)`` for
    ``t <= T_max``. After ``T_max`` nnlab stays at ``eta_min`` (PyTorch's
    formula would climb back up).
    """

    def __init__(self, lr: float, T_max: int, eta_min: float = 0.0):
        self.lr = check_positive(lr, "lr")
        self.T_max = _check_count(T_max, "T_max")
        self.eta_min = check_positive(eta_min, "eta_min", allow_zero=True)
        if self.eta_min > self.lr:
            raise ValueError(f"eta_min ({eta_min}) must not exceed lr ({lr})")

    def lr_at(self, step):
        t = min(step, self.T_max)
        return self.eta_min + 0.5 * (self.lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max))


class LinearWarmup(Schedule):
    r"""Linear warm-up from ``start_factor·lr`` to ``lr`` over ``warmup_steps`` steps.

    .. math:: \eta_t = \eta_0 \left(f + (1 - f)\frac{\min(t, T)}{T}\right)

    Same as ``torch.optim.lr_scheduler.LinearLR(start_factor=f, end_factor=1,
    total_iters=T)`` (whose default f is 1/3, as here). With ``after=`` another
    schedule, the warm-up hands over to it: step ``t >= T`` returns
    ``after(t - T)`` (e.g. warm-up then cosine decay).
    """

    def __init__(self, lr: float, warmup_steps: int, start_factor: float = 1.0 / 3.0,
                 after: Schedule | None = None):
        self.lr = check_positive(lr, "lr")
        self.warmup_steps = _check_count(warmup_steps, "warmup_steps")
        self.start_factor = check_positive(start_factor, "start_factor")
        if self.start_factor > 1:
            raise ValueError(f"start_factor must be in (0, 1]; got {start_factor!r}")
        if after is not None and not callable(after):
            raise TypeError("after must be a schedule (callable step -> lr) or None")
        self.after = after

    def lr_at(self, step):
        T = self.warmup_steps
        if self.after is not None and step >= T:
            return self.after(step - T)
        f = self.start_factor
        return self.lr * (f + (1.0 - f) * min(step, T) / T)


class OneCycle(Schedule):
    r"""The 1cycle policy (Smith, 2018), as ``torch.optim.lr_scheduler.OneCycleLR``.

    The learning rate rises from ``max_lr/div_factor`` to ``max_lr`` during the
    first ``pct_start`` of the ``total_steps``, then anneals to
    ``max_lr/(div_factor·final_div_factor)``; ``anneal_strategy`` is ``"cos"``
    (default) or ``"linear"``; ``three_phase=True`` comes back down to the
    initial rate symmetrically before the final annealing, as in the paper.

    Only the learning rate is scheduled: PyTorch's ``cycle_momentum`` (which
    also cycles the optimizer's momentum between 0.85 and 0.95) is not done
    here. Steps past ``total_steps - 1`` return the final learning rate.
    """

    def __init__(self, max_lr: float, total_steps: int, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False):
        self.max_lr = check_positive(max_lr, "max_lr")
        self.total_steps = _check_count(total_steps, "total_steps")
        self.pct_start = check_positive(pct_start, "pct_start")
        if self.pct_start >= 1:
            raise ValueError(f"pct_start must be in (0, 1); got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear'; got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        self.div_factor = check_positive(div_factor, "div_factor")
        self.final_div_factor = check_positive(final_div_factor, "final_div_factor")
        self.three_phase = bool(three_phase)

    @property
    def lr(self) -> float:  # the starting learning rate
        return self.max_lr / self.div_factor

    def _phases(self):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        n, p = self.total_steps, self.pct_start
        if self.three_phase:
            return [(p * n - 1, initial, self.max_lr),
                    (2 * p * n - 2, self.max_lr, initial),
                    (n - 1, initial, final)]
        return [(p * n - 1, initial, self.max_lr), (n - 1, self.max_lr, final)]

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def lr_at(self, step):
        step = min(step, self.total_steps - 1)
        phases = self._phases()
        start_step = 0.0
        for i, (end_step, lr_start, lr_end) in enumerate(phases):
            if step <= end_step or i == len(phases) - 1:
                pct = (step - start_step) / (end_step - start_step) if end_step > start_step else 1.0
                return self._anneal(lr_start, lr_end, pct)
            start_step = end_step
        raise AssertionError("unreachable")  # pragma: no cover

    def __repr__(self):
        return (f"OneCycle(max_lr={self.max_lr!r}, total_steps={self.total_steps!r}, "
                f"pct_start={self.pct_start!r}, anneal_strategy={self.anneal_strategy!r}, "
                f"div_factor={self.div_factor!r}, final_div_factor={self.final_div_factor!r}, "
                f"three_phase={self.three_phase!r})")


# --------------------------------------------------------------------------
# the learning-rate range test
# --------------------------------------------------------------------------
def lr_range_test(model, X, y, loss="softmax_cross_entropy", optimizer="sgd", *,
                  lr_min: float = 1e-6, lr_max: float = 10.0, n_steps: int = 100,
                  batch_size: int = 32, diverge_factor: float | None = 4.0,
                  seed=0, optimizer_kwargs: dict | None = None):
    r"""Train with an exponentially growing learning rate; return ``(lrs, losses)``.

    Step ``i`` (of ``n_steps``) uses :math:`\eta_i = \eta_{min}\,
    (\eta_{max}/\eta_{min})^{i/(n-1)}` on a fresh random mini-batch and records
    that batch's loss (before the update). The sweep stops early once the loss
    is non-finite or exceeds ``diverge_factor`` times the best loss so far
    (``None``: never), so the returned arrays may be shorter than ``n_steps``.

    ``model`` is either a model (its weights are restored afterwards, so the
    test leaves it untouched) or a function of no arguments that builds a
    fresh one. ``loss`` is a name or a loss object of :mod:`nnlab.losses`;
    ``optimizer`` a name of :mod:`nnlab.optim` (its other hyper-parameters in
    ``optimizer_kwargs``). Plot ``losses`` against ``lrs`` on a log x-axis.
    """
    from . import losses as _losses
    from . import optim as _optim

    if not hasattr(model, "forward") and callable(model):
        model = model()
        restore = None
    else:
        restore = [a.copy() for a in _state_arrays(model)]
    for attr in ("forward", "backward", "params", "grads"):
        if not hasattr(model, attr):
            raise TypeError(f"model must be an nnlab model (with {attr}) or a function returning one")
    lr_min = check_positive(lr_min, "lr_min")
    lr_max = check_positive(lr_max, "lr_max")
    if lr_max <= lr_min:
        raise ValueError(f"lr_max ({lr_max}) must be larger than lr_min ({lr_min})")
    n_steps = _check_count(n_steps, "n_steps")
    batch_size = _check_count(batch_size, "batch_size")
    X = as_float_array(X, "X")
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; they must match")
    dtype = getattr(model, "dtype", X.dtype)
    X = X.astype(dtype, copy=False)
    loss_fn = _losses.get(loss) if isinstance(loss, str) else loss
    opt = _optim.get(optimizer, lr=lr_min, **(optimizer_kwargs or {}))
    rng = as_rng(seed, "seed")

    lrs = lr_min * (lr_max / lr_min) ** (np.arange(n_steps) / max(n_steps - 1, 1))
    out_lrs, out_losses = [], []
    best = np.inf
    order, pos = rng.permutation(len(X)), 0
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for lr in lrs:
                if pos + batch_size > len(order):
                    order, pos = rng.permutation(len(X)), 0
                idx = order[pos:pos + batch_size]
                pos += batch_size
                Xb, yb = X[idx], y[idx]
                out = model.forward(Xb, training=True)
                value = float(loss_fn.value(yb, out))
                if not np.isfinite(value):
                    break
                out_lrs.append(float(lr))
                out_losses.append(value)
                best = min(best, value)
                if diverge_factor is not None and value > diverge_factor * best:
                    break
                model.backward(loss_fn.gradient(yb, out))
                opt.lr = float(lr)
                opt.step(model.params, model.grads)
    finally:
        if restore is not None:
            for a, saved in zip(_state_arrays(model), restore):
                a[...] = saved
    return np.array(out_lrs), np.array(out_losses)


def _state_arrays(model):
    """Every array that training changes: parameters and buffers (e.g. BatchNorm's running stats)."""
    arrays = list(model.params)
    for layer in getattr(model, "layers", []):
        arrays.extend(getattr(layer, "buffers", []))
    return arrays
