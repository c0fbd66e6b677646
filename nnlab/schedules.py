"""Learning-rate schedules and the learning-rate range test.

A schedule is a small object you call with the step number t = 0, 1, 2,
... and that returns the learning rate for that step, from a
closed-form formula:

    sched = nnlab.schedules.CosineDecay(lr=0.1, T_max=1000)
    sched(0), sched(500), sched(1000)      # 0.1, 0.05, 0.0

nnlab.train.fit calls it before every optimizer update (or once per
epoch with schedule_unit="epoch") and sets optimizer.lr. Each class
gives the same numbers as its torch.optim.lr_scheduler counterpart
(named in its docstring) at the same step count; sched.values(n)
returns the first n learning rates, for a plot.

A learning rate of 0 is legal, as in torch: a cosine schedule ends there
(eta_min=0), and a step decay underflows to it after enough decays; the
optimizer then leaves the weights unchanged. Arguments are checked when
the schedule is built: learning rates are finite numbers >= 0, counts
(step_size, T_max, ...) are ints >= 1, and a bool, a string, NaN or a
negative value is a TypeError/ValueError that names the argument. The
step must be an int >= 0 (a float, a bool or None is a TypeError).
Every value a schedule returns is a finite float >= 0, for any step
however large (an overflow gives the limit, e.g. 0 for
InverseTimeDecay). Where nnlab is stricter than torch it says so in the
class (a decay factor gamma above 1 is refused: it would make the
learning rate grow).

lr_range_test is the "optimal learning rate" sweep of the lectures:
train for a few hundred steps while the learning rate grows
exponentially from tiny to huge, and plot the loss against the learning
rate. A good choice is about ten times smaller than the learning rate
where the loss is lowest (just before it shoots up). It leaves no trace:
the model (weights, buffers, gradients, mode, random generators) and
nnlab's package generator are restored afterwards.
"""
from __future__ import annotations

import copy
import math
import numbers

import numpy as np

from . import _validate
from ._validate import (as_float_array, as_rng, check_flag, check_int,
                        check_real, describe, short)
from .data import minibatch_indices

__all__ = [
    "Schedule", "Constant", "StepDecay", "ExponentialDecay", "InverseTimeDecay",
    "CosineDecay", "LinearWarmup", "OneCycle", "lr_range_test",
]


def _check_step(step) -> int:
    return check_int(step, "step", minimum=0, typed=True)


#: The largest count (T_max, total_steps, ...) a schedule takes: far more
#: steps than any training run, and small enough for exact float arithmetic.
_MAX_COUNT = 2 ** 53


def _count(value, name: str) -> int:
    """A count of steps: an integer in [1, 2**53]."""
    n = check_int(value, name, typed=True)
    if n > _MAX_COUNT:
        raise ValueError(f"{name} must be an integer in [1, 2**53]; "
                         f"got {short(value)}")
    return n


def _lr(value, name: str = "lr") -> float:
    """A learning rate: a finite number >= 0 (0 is legal, as in torch)."""
    return check_real(value, name, low=0.0)


def _decay_factor(gamma) -> float:
    """gamma of a decay: a number in [0, 1]."""
    try:
        return check_real(gamma, "gamma", low=0.0, high=1.0)
    except ValueError:
        v = _as_float(gamma)
        if 1 < v < math.inf:
            raise ValueError(
                "gamma must be a number in [0, 1] (the factor that multiplies "
                f"the learning rate); got {short(gamma)}: to divide the "
                f"learning rate by {v:g}, use gamma={1 / v:g}") from None
        raise


def _as_float(n: int) -> float:
    """An int as a float; one beyond the float range (> 1.8e308) is inf."""
    try:
        return float(n)
    except OverflowError:
        return math.inf


class Schedule:
    """Base class: sched(step) -> lr; subclasses implement lr_at(step).

    sched(step) checks the step (an int >= 0) and the value lr_at returns (a
    finite number >= 0), so a subclass written in a notebook gets the same
    checks as the built-in schedules.
    """

    lr: float

    def __call__(self, step: int) -> float:
        step = _check_step(step)
        value = self.lr_at(step)
        if isinstance(value, (bool, np.bool_)) \
                or not isinstance(value, numbers.Real) \
                or not value >= 0 or not math.isfinite(value):
            raise ValueError(
                f"{type(self).__name__}.lr_at({step}) returned "
                f"{describe(value)}; a schedule must return a learning rate "
                "that is a finite number >= 0")
        return float(value)

    def lr_at(self, step: int) -> float:  # pragma: no cover - abstract
        raise _validate.NotSupported(
            f"{type(self).__name__} must implement lr_at(step) -> lr")

    def values(self, n: int) -> np.ndarray:
        """The learning rates of steps 0 .. n − 1 as an array (for plotting).
        """
        return np.array([self(t) for t in range(_count(n, "n"))])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """η_t = η (no schedule); lr >= 0."""

    def __init__(self, lr: float):
        self.lr = _lr(lr)

    def lr_at(self, step):
        return self.lr


class StepDecay(Schedule):
    """Step decay: multiply by gamma every step_size steps.

        η_t = η₀ · γ^⌊t / s⌋

    Same as torch.optim.lr_scheduler.StepLR(step_size=s, gamma=γ), except
    that gamma must be in [0, 1] (torch also accepts γ > 1, a learning rate
    that grows without bound). The rate reaches 0 once η₀·γᵏ underflows (or
    at the first decay with γ = 0).
    """

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr = _lr(lr)
        self.step_size = _count(step_size, "step_size")
        self.gamma = _decay_factor(gamma)

    def lr_at(self, step):
        return self.lr * self.gamma ** _as_float(step // self.step_size)


class ExponentialDecay(Schedule):
    """Exponential decay.

        η_t = η₀ · γ^(t / s)

    With decay_steps s = 1 this is
    torch.optim.lr_scheduler.ExponentialLR(gamma=γ); the lectures' form
    η₀ · 0.1^(t/s) is gamma=0.1, decay_steps=s. gamma must be in [0, 1] (a
    decay; torch also accepts γ > 1).
    """

    def __init__(self, lr: float, gamma: float, decay_steps: int = 1):
        self.lr = _lr(lr)
        self.gamma = _decay_factor(gamma)
        self.decay_steps = _count(decay_steps, "decay_steps")

    def lr_at(self, step):
        return self.lr * self.gamma ** (_as_float(step) / self.decay_steps)


class InverseTimeDecay(Schedule):
    """1/t ("power") decay.

        η_t = η₀ / (1 + k·t/s)^c

    with decay_rate k >= 0, decay_steps s and power c > 0 (c = 1 is the
    classic 1/t schedule; Keras' InverseTimeDecay is c = 1). PyTorch has no
    named counterpart (LambdaLR with this formula is the same). When the
    denominator overflows the rate is its limit, 0.
    """

    def __init__(self, lr: float, decay_rate: float = 1.0, decay_steps: int = 1, power: float = 1.0):
        self.lr = _lr(lr)
        self.decay_rate = check_real(decay_rate, "decay_rate", low=0.0)
        self.decay_steps = _count(decay_steps, "decay_steps")
        self.power = check_real(power, "power", low=0.0, low_open=True)

    def lr_at(self, step):
        k, s = self.decay_rate, self.decay_steps
        x = k * _as_float(step) / s if k else 0.0     # k t / s
        try:
            return self.lr / (1.0 + x) ** self.power
        except OverflowError:      # (1 + kt/s)^c beyond 1e308: the limit, 0
            return 0.0


class CosineDecay(Schedule):
    """Cosine annealing from lr down to eta_min over T_max steps.

        η_t = η_min + ½·(η₀ − η_min)·(1 + cos(π·t / T_max))

    Same as torch.optim.lr_scheduler.CosineAnnealingLR(T_max, eta_min) for
    t <= T_max. After T_max nnlab stays at eta_min (PyTorch's formula would
    climb back up); with the default eta_min=0 that is a learning rate of 0,
    which the optimizers accept. eta_min must not exceed lr.
    """

    def __init__(self, lr: float, T_max: int, eta_min: float = 0.0):
        self.lr = _lr(lr)
        self.T_max = _count(T_max, "T_max")
        self.eta_min = _lr(eta_min, "eta_min")
        if self.eta_min > self.lr:
            raise ValueError(f"eta_min ({eta_min}) must not exceed lr ({lr})")

    def lr_at(self, step):
        t = min(step, self.T_max)
        return self.eta_min + 0.5 * (self.lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max))


class LinearWarmup(Schedule):
    """Linear warm-up from start_factor·lr to lr over warmup_steps steps.

        η_t = η₀ · (f + (1 − f) · min(t, T) / T)

    Same as torch.optim.lr_scheduler.LinearLR(start_factor=f, end_factor=1,
    total_iters=T) (whose default f is 1/3, as here; f must be in (0, 1], as
    in torch). With after= another schedule, the warm-up hands over to it:
    step t >= T returns after(t − T) (e.g. warm-up, then cosine decay).
    """

    def __init__(self, lr: float, warmup_steps: int, start_factor: float = 1.0 / 3.0,
                 after: Schedule | None = None):
        self.lr = _lr(lr)
        self.warmup_steps = _count(warmup_steps, "warmup_steps")
        self.start_factor = check_real(start_factor, "start_factor", low=0.0,
                                       low_open=True, high=1.0)
        if after is not None and not callable(after):
            raise TypeError("after must be a schedule (callable step -> lr) or "
                            f"None; got {describe(after)}")
        self.after = after

    def lr_at(self, step):
        T = self.warmup_steps
        if self.after is not None and step >= T:
            return self.after(step - T)
        f = self.start_factor
        return self.lr * (f + (1.0 - f) * min(step, T) / T)


class OneCycle(Schedule):
    """The 1cycle policy (Smith, 2018), as torch.optim.lr_scheduler.OneCycleLR.

    The learning rate rises from max_lr/div_factor to max_lr during the
    first pct_start of the total_steps, then anneals to
    max_lr/(div_factor·final_div_factor); anneal_strategy is "cos" (default)
    or "linear"; three_phase=True comes back down to the initial rate
    symmetrically before the final annealing, as in the paper.

    Only the learning rate is scheduled: PyTorch's cycle_momentum (which
    also cycles the optimizer's momentum between 0.85 and 0.95) is not done
    here. Steps past total_steps − 1 return the final learning rate.
    pct_start must be in (0, 1), div_factor and final_div_factor > 0.
    """

    def __init__(self, max_lr: float, total_steps: int, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False):
        self.max_lr = _lr(max_lr, "max_lr")
        self.total_steps = _count(total_steps, "total_steps")
        self.pct_start = check_real(pct_start, "pct_start", low=0.0, low_open=True,
                                    high=1.0, high_open=True)
        if not isinstance(anneal_strategy, str):
            raise TypeError("anneal_strategy must be 'cos' or 'linear'; "
                            f"got {describe(anneal_strategy)}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be 'cos' or 'linear'; "
                             f"got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        self.div_factor = check_real(div_factor, "div_factor", low=0.0,
                                     low_open=True)
        self.final_div_factor = check_real(final_div_factor, "final_div_factor",
                                           low=0.0, low_open=True)
        self.three_phase = check_flag(three_phase, "three_phase")
        if not math.isfinite(self.max_lr / self.div_factor):
            raise ValueError(
                f"max_lr / div_factor ({short(max_lr)} / {short(div_factor)})"
                " is beyond the float range; use a larger div_factor")

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
def lr_range_test(model, X, y, loss="softmax_cross_entropy", optimizer="sgd",
                  *, lr_min: float = 1e-6, lr_max: float = 10.0,
                  n_steps: int = 100, batch_size: int = 32,
                  diverge_factor: float | None = 4.0, seed=0,
                  optimizer_kwargs: dict | None = None):
    """Train with an exponentially growing learning rate; return
    (lrs, losses).

    Step i of n = n_steps is one nnlab.train.train_step with the learning
    rate η_i = η_min · (η_max / η_min)^(i / (n − 1)) on a fresh random
    mini-batch, and records that batch's loss (computed before the
    update). The sweep stops early once the loss is NaN or infinite (also
    when the model's output overflows) or exceeds diverge_factor (>= 1)
    times the best loss so far (None: never), so the returned arrays may
    be shorter than n_steps. The mini-batches hold batch_size rows (all
    rows if there are fewer): consecutive pieces of a random permutation
    of the rows, a new permutation when too few rows are left
    (nnlab.data.minibatch_indices with last="drop"). seed draws them: an
    int, None (nnlab's package generator, restored afterwards) or a
    Generator (which, being yours, is advanced as in any other use).

    model is either a model or a function of no arguments that builds a
    fresh one. The test leaves no trace, so that training afterwards
    gives bit for bit what it would have given without the test: a model
    gets back its parameters, buffers (BatchNorm's running statistics),
    gradients, its own and its layers' modes and other attributes (e.g.
    Dropout's last mask), and the state of every random generator it
    holds; nnlab's package generator (nnlab.seed, which rng=None layers
    draw from) is restored too, also when model is a function. The sweep
    runs in training mode (Dropout and BatchNorm as in fit).

    loss is a name or a loss object of nnlab.losses; optimizer a name of
    nnlab.optim (its other hyper-parameters in optimizer_kwargs) or an
    optimizer object, whose hyper-parameters are used on a fresh copy
    (the object itself and its state are not changed). Plot losses
    against lrs on a log x-axis.
    """
    snapshot = _Snapshot()          # before anything draws a random number
    try:
        model, built = _model_or_factory(model)
        if not built:
            snapshot.take_model(model)
        return _sweep(model, *_sweep_arguments(
            model, X, y, loss, optimizer, lr_min, lr_max, n_steps,
            batch_size, diverge_factor, seed, optimizer_kwargs))
    finally:
        snapshot.restore()


def _model_or_factory(model):
    """(the model, whether it was built by calling model)."""
    built = not hasattr(model, "forward") and callable(model)
    if built:
        model = model()
    for attr in ("forward", "backward", "params", "grads"):
        if not hasattr(model, attr):
            what = "the function returned" if built else "got"
            raise TypeError("model must be an nnlab model (with forward, "
                            "backward, params and grads) or a function "
                            f"returning one; {what} {describe(model)}")
    return model, built


def _sweep(model, X, y, objective, opt, lrs, batch_size, diverge_factor,
           rng):
    """The sweep: one train_step per learning rate in lrs, on batch after
    batch, until the loss is not finite or diverges."""
    from .train import _numerical_failure, _train_step

    record = _SweepRecord(opt, diverge_factor)
    batches = _full_batches(len(X), min(batch_size, len(X)), rng)
    with np.errstate(all="ignore"):          # the sweep is meant to diverge
        for lr, rows in zip(lrs, batches):
            record.lr = float(lr)
            try:
                loss, _ = _train_step(model, X[rows], y[rows], objective, opt,
                                      before_update=record)
            except ValueError as err:  # NaN or inf reached a checked loss
                if not _numerical_failure(err, model.params):
                    raise
                break
            if record.stopped or not math.isfinite(loss):
                break
    return np.array(record.lrs), np.array(record.losses)


def _full_batches(m, k, rng):
    """Batches of k <= m rows without end: pieces of a permutation of the
    m rows, a new one when fewer than k rows are left."""
    while True:
        yield from minibatch_indices(m, k, rng=rng, last="drop")


class _SweepRecord:
    """The sweep's before_update: records (lr, loss), and stops the sweep
    (no update) when the loss exceeds diverge_factor times the best so
    far; otherwise sets the learning rate of the update."""

    def __init__(self, opt, diverge_factor):
        self.opt, self.diverge_factor = opt, diverge_factor
        self.lr, self.best, self.stopped = None, math.inf, False
        self.lrs, self.losses = [], []

    def __call__(self, loss):
        self.lrs.append(self.lr)
        self.losses.append(loss)
        self.best = min(self.best, loss)
        if self.diverge_factor is not None \
                and loss > self.diverge_factor * self.best:
            self.stopped = True
            return False
        self.opt.lr = self.lr
        return True


def _sweep_arguments(model, X, y, loss, optimizer, lr_min, lr_max, n_steps,
                     batch_size, diverge_factor, seed, optimizer_kwargs):
    """The arguments of lr_range_test, checked: (X, y, objective,
    optimizer, learning rates, batch_size, diverge_factor, rng)."""
    from . import losses as _losses
    from .train import Objective

    lr_min = check_real(lr_min, "lr_min", low=0.0, low_open=True)
    lr_max = check_real(lr_max, "lr_max", low=0.0, low_open=True)
    if lr_max <= lr_min:
        raise ValueError(f"lr_max ({lr_max}) must be larger than lr_min "
                         f"({lr_min})")
    n_steps = _count(n_steps, "n_steps")
    batch_size = _count(batch_size, "batch_size")
    if diverge_factor is not None:
        diverge_factor = check_real(diverge_factor, "diverge_factor", low=1.0)
    X = as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError("X must be 2-D of shape (m, n) (rows are samples); "
                         f"got shape {X.shape}")
    y = _sweep_targets(y, len(X))
    if isinstance(loss, str):
        loss = _losses.get(loss)
    elif not (hasattr(loss, "value") and hasattr(loss, "gradient")):
        raise TypeError("loss must be a name or a loss object of nnlab.losses "
                        f"(with value and gradient); got {describe(loss)}")
    opt = _sweep_optimizer(optimizer, optimizer_kwargs, lr_min)
    rng = as_rng(seed, "seed")
    dtype = getattr(model, "dtype", X.dtype)
    X = _validate.cast(X, dtype, "X")
    name = getattr(loss, "name", None)
    if name in _losses.NAMES \
            and name not in ("softmax_cross_entropy", "cross_entropy"):
        if y.dtype.kind in "biu":    # 0/1 targets or whole values, as in fit
            y = y.astype(dtype)
        if y.ndim == 1:
            y = y.reshape(-1, 1)     # values (m,) for one output, as in fit
    # geometric steps, computed in logarithms (lr_max / lr_min may overflow)
    lrs = (np.geomspace(lr_min, lr_max, n_steps) if n_steps > 1
           else np.array([lr_min]))
    objective = Objective(loss, dtype, fused=False)   # the loss's own numbers
    return X, y, objective, opt, lrs, batch_size, diverge_factor, rng


def _sweep_targets(y, m) -> np.ndarray:
    """y: finite targets (labels or values), one per row of X."""
    if isinstance(y, (str, bytes, dict)) or y is None:
        raise TypeError("y must be an array of targets, one per row of X; "
                        f"got {describe(y)}")
    y = np.asarray(y)
    if y.ndim == 0 or y.dtype == object or y.dtype.kind not in "biuf":
        raise TypeError("y must be an array of targets (labels or values), "
                        f"one per row of X; got {describe(y)}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinity; expected finite values")
    if m != len(y):
        raise ValueError(f"X has {m} samples but y has {len(y)}; they must "
                         "match")
    return y


def _sweep_optimizer(optimizer, optimizer_kwargs, lr_min):
    """A fresh optimizer: a copy of an optimizer object (its state
    forgotten), or one made from a name and optimizer_kwargs."""
    from . import optim as _optim

    if optimizer_kwargs is None:
        optimizer_kwargs = {}
    elif not isinstance(optimizer_kwargs, dict):
        raise TypeError("optimizer_kwargs must be a dict of hyper-parameters "
                        f"or None; got {describe(optimizer_kwargs)}")
    if isinstance(optimizer, _optim.Optimizer):
        if optimizer_kwargs:
            raise ValueError("optimizer_kwargs given together with an "
                             "optimizer object; set them when you create the "
                             "optimizer")
        opt = copy.deepcopy(optimizer)     # the caller's object stays as is
        opt.zero_state()
        return opt
    return _optim.get(optimizer, **{"lr": lr_min, **optimizer_kwargs})


class _Snapshot:
    """Everything a training run changes, saved so that it can be put back.

    * nnlab's package generator (the object and its state);
    * for the model, each layer (and anything nested under layers): a
      shallow copy of its attributes (mode flags, cached inputs, masks are
      re-bound by a forward pass, never changed in place), copies of the
      arrays that training changes in place (params, grads, buffers), and
      the state of every numpy.random.Generator among its attributes.
    """

    def __init__(self):
        from .train import _SavedArrays

        self.global_rng = _validate._GLOBAL_RNG
        self.global_state = copy.deepcopy(self.global_rng.bit_generator.state)
        self.objects = []        # (object, its attribute dict)
        self.arrays = _SavedArrays()
        self.generators = []     # (generator, state)

    def take_model(self, model) -> None:
        seen_obj, seen_gen = set(), {id(self.global_rng)}
        stack = [model]
        while stack:
            obj = stack.pop()
            if id(obj) in seen_obj:
                continue
            seen_obj.add(id(obj))
            attrs = getattr(obj, "__dict__", None)
            if attrs is not None:
                self.objects.append((obj, dict(attrs)))
                for value in attrs.values():
                    if isinstance(value, np.random.Generator) \
                            and id(value) not in seen_gen:
                        seen_gen.add(id(value))
                        self.generators.append(
                            (value, copy.deepcopy(value.bit_generator.state)))
            for name in ("params", "grads", "buffers"):
                self.arrays.add(_list_attr(obj, name))
            stack.extend(reversed(_list_attr(obj, "layers")))

    def restore(self) -> None:
        self.arrays.restore()
        for obj, attrs in self.objects:
            current = obj.__dict__
            for key in [k for k in current if k not in attrs]:
                del current[key]
            for key, value in attrs.items():
                if current.get(key, _MISSING) is not value:
                    current[key] = value
        for gen, state in self.generators:
            gen.bit_generator.state = state
        _validate._GLOBAL_RNG = self.global_rng
        self.global_rng.bit_generator.state = self.global_state


_MISSING = object()


def _list_attr(obj, name) -> list:
    """obj.<name> as a list (params, grads, buffers, layers), or []."""
    try:
        value = getattr(obj, name, None)
    except Exception:          # a property that fails on a half-built object
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return []
