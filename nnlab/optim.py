"""The lectures' optimizers, shaped like torch.optim.

Every optimizer here has the same hyper-parameter names, defaults and
update rule as its namesake in torch.optim (PyTorch 2.x), so the same
settings give the same trajectory (the test-suite checks 200+ steps
against PyTorch). The lectures' ten methods map onto eight classes:

    lecture                         nnlab
    gradient descent                SGD(lr)
    momentum                        SGD(lr, momentum=0.9)
    Nesterov accelerated gradient   SGD(lr, momentum=0.9, nesterov=True)
    AdaGrad                         Adagrad(lr)
    RMSprop                         RMSprop(lr)
    Adadelta                        Adadelta()
    Adam                            Adam(lr)
    AMSGrad                         Adam(lr, amsgrad=True)
    Nadam                           Nadam(lr)
    AdaMax                          Adamax(lr)
    (decoupled weight decay)        AdamW(lr)

Usage: the optimizer does not own the parameters; you hand it the arrays
at every step, and it updates them in place (so a layer that holds W
sees the new values without any copying):

    opt = nnlab.optim.Adam(lr=1e-3)
    for Xb, yb in batches:
        model.forward(Xb); model.backward(loss.gradient(yb, out))
        opt.step(model.params, model.grads)

opt.state is a list with one dict per parameter array (the keys of
PyTorch's optimizer.state[p]: "exp_avg", "momentum_buffer", ..., plus a
"step" count in every optimizer), so you can look at Adam's moment
estimates while it trains. opt.lr can be changed between steps (that is
what a learning-rate schedule does); opt.zero_state() forgets the state.

Weight decay: weight_decay=λ adds λw to the gradient (the L2 penalty
(λ/2)·‖w‖² of the lecture), except in AdamW (and
Nadam(decoupled_weight_decay=True)), which shrinks the weights directly,
w ← (1 − ηλ)·w, before the Adam step.

Checked input (what a careful numerical library does where PyTorch is
silent):

* Hyper-parameters must be real numbers (a bool, a string or None is a
  TypeError that names the argument; SGD(0.1, True) asks whether you
  meant nesterov=True), finite, and in range: lr ≥ 0 (lr = 0 is legal,
  as in torch: the state advances, the weights stay), weight_decay ≥ 0,
  betas in [0, 1), eps > 0. Two differences from torch: momentum must
  be below 1 (torch accepts 1.5, whose velocity grows without bound),
  and eps = 0 is rejected (torch accepts it and returns NaN for a weight
  whose gradients have all been exactly 0, e.g. a dead ReLU unit's).
  opt.lr = value is checked the same way when it is set.
* step(params, grads) takes two lists (or tuples) of NumPy arrays that
  correspond one to one: same length, and grads[i] of the shape and
  dtype of params[i] (as torch requires); the parameters must be
  writable floating-point arrays, each listed once. These checks look at
  types, shapes and dtypes only, never at the values, so they cost the
  same for a 10-weight and a 10-million-weight model; a step refused by
  them changes nothing (neither the weights nor the state).
* Not checked (as in torch): the values of the gradients. A NaN or inf
  gradient flows through the update into the weights it touches (and
  into the state, which stays NaN afterwards), exactly as torch.optim
  does, and a huge finite gradient overflows to inf as in torch, without
  a NumPy RuntimeWarning (torch prints none). nnlab.train.fit checks the
  loss and stops with an error instead.

Implementation note: the updates use NumPy's out= arguments and one
scratch buffer per parameter, so a step allocates no new arrays; float32
parameters stay float32.
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Sequence

import numpy as np

from ._validate import check_flag, check_real, describe

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta",
    "Adam", "AdamW", "Nadam", "Adamax", "get", "available",
]


# ---------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------
def _fraction(value, name: str, *, upper_inclusive: bool = False,
              hint: str = "") -> float:
    """A number in [0, 1) (or [0, 1])."""
    return check_real(value, name, low=0.0, high=1.0,
                      high_open=not upper_inclusive, hint=hint)


def _check_betas(betas, hint: str = "") -> tuple[float, float]:
    if isinstance(betas, np.ndarray):
        betas = betas.tolist() if betas.ndim == 1 else betas
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        extra = hint if isinstance(betas, (bool, np.bool_)) else ""
        raise TypeError("betas must be a pair (beta1, beta2) of numbers in "
                        f"[0, 1); got {describe(betas)}{extra}")
    return _fraction(betas[0], "betas[0]"), _fraction(betas[1], "betas[1]")


def _array_list(seq, name: str) -> Sequence:
    """params / grads as a list or tuple, or a TypeError."""
    if isinstance(seq, (list, tuple)):
        return seq
    if isinstance(seq, np.ndarray):
        raise TypeError(
            f"{name} must be a list of arrays, e.g. [W, b]; got a single "
            f"array of shape {seq.shape}: wrap it in a list, "
            "opt.step([W], [dW])")
    if isinstance(seq, Sequence) and not isinstance(seq, (str, bytes)):
        return list(seq)
    raise TypeError(f"{name} must be a list of NumPy arrays (e.g. "
                    f"model.{name}); got {describe(seq)}")


class Optimizer:
    """Base class: bookkeeping shared by every optimizer.

    Subclasses implement _init_state(p) (the per-parameter state dict) and
    _update(p, g, state, buf, buf2) (one in-place update of the array p
    given its gradient g; buf is a scratch array shaped like p, and so is
    buf2 when the class sets _n_scratch = 2, else None). _flags names the
    class's boolean options, for the hint given when a bool lands on a
    numeric argument (SGD(0.1, True)).
    """

    _n_scratch = 1
    _flags: tuple[str, ...] = ()

    def __init__(self, lr: float, weight_decay: float = 0.0):
        if type(self) is Optimizer:
            raise TypeError("Optimizer is the base class: create SGD(...), "
                            "Adam(...), ... or subclass it")
        self.lr = lr                               # checked by the setter
        self.weight_decay = self._number(weight_decay, "weight_decay")
        self.state: list[dict] = []
        self._buffers: list[np.ndarray] = []   # one scratch array per parameter
        self._buffers2: list[np.ndarray | None] = []
        self._decay_buffers: list[np.ndarray | None] = []

    # -- the learning rate (a schedule changes it between steps) -------------
    @property
    def lr(self) -> float:
        """The learning rate, a finite number >= 0 (checked when set)."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = self._number(value, "lr")

    # -- the public API -----------------------------------------------------
    def step(self, params, grads) -> None:
        """Update every array in params in place from its grads entry.

        params and grads are lists (or tuples) of NumPy arrays in the same
        order, grads[i] of the shape and dtype of params[i] (e.g. model.params,
        model.grads). The first call creates the state; later calls must pass
        arrays of the same shapes and dtypes. Invalid input raises before
        anything is changed.
        """
        params = _array_list(params, "params")
        grads = _array_list(grads, "grads")
        if len(params) != len(grads):
            raise ValueError(
                f"params has {len(params)} arrays but grads has {len(grads)}; "
                "they must correspond one to one"
            )
        if not self.state:
            self._check_new_params(params)
            expected = params
        elif len(params) != len(self.state):
            raise ValueError(
                f"this optimizer was started with {len(self.state)} parameter arrays but "
                f"step() got {len(params)}; create a new optimizer (or call "
                "zero_state()) for a new model"
            )
        else:
            expected = self._buffers
        # cheap checks (types, shapes, dtypes; never the values), all before
        # the first update, so that a refused step changes nothing
        nd = np.ndarray
        for i, (p, g, e) in enumerate(zip(params, grads, expected)):
            if not (isinstance(p, nd) and isinstance(g, nd)
                    and p.shape == g.shape == e.shape
                    and (p.dtype is g.dtype is e.dtype
                         or p.dtype == g.dtype == e.dtype)):
                self._explain_mismatch(i, p, g, e)
        if not self.state:
            self._start(params)
        update = self._update
        try:
            # huge (finite) gradients overflow to inf in the state exactly as in
            # torch; NumPy would also print a RuntimeWarning, torch does not
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                if self.weight_decay and not self._decoupled():
                    for i, (p, g) in enumerate(zip(params, grads)):
                        update(p, self._decayed(i, p, g), self.state[i],
                               self._buffers[i], self._buffers2[i])
                else:                                  # no L2 term: g as it is
                    for p, g, st, buf, buf2 in zip(params, grads, self.state,
                                                   self._buffers, self._buffers2):
                        update(p, g, st, buf, buf2)
        except ValueError as err:              # e.g. "output array is read-only"
            for i, p in enumerate(params):
                if not p.flags.writeable:
                    raise ValueError(f"params[{i}] is read-only; the optimizer "
                                     "updates the arrays in place") from err
            raise

    def zero_state(self) -> None:
        """Forget all accumulated state (the next step starts afresh).

        Momentum buffers, moment estimates and step counts are dropped; the
        hyper-parameters (lr, ...) stay. The next step may then get arrays of
        other shapes, e.g. those of a new model.
        """
        self.state, self._buffers, self._buffers2, self._decay_buffers = [], [], [], []

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({args})"

    # -- helpers for subclasses ----------------------------------------------
    def _hint(self) -> str:
        if not self._flags:
            return ""
        options = " or ".join(f"{f}=True" for f in self._flags)
        return (f"; did you mean {options}? Pass options by keyword, e.g. "
                f"{type(self).__name__}(0.01, {self._flags[0]}=True)")

    def _number(self, value, name, *, low_open=False, high=None,
                high_open=True) -> float:
        """A hyper-parameter: a finite number >= 0 (> 0 with low_open),
        below high if given (or at most high with high_open=False)."""
        return check_real(value, name, low=0.0, low_open=low_open, high=high,
                          high_open=high_open, hint=self._hint())

    def _hyper(self) -> dict:
        return {"lr": self.lr, "weight_decay": self.weight_decay}

    def _check_new_params(self, params) -> None:
        seen = {}
        for i, p in enumerate(params):
            if not isinstance(p, np.ndarray):
                raise TypeError(f"params[{i}] must be a floating-point NumPy "
                                f"array; got {describe(p)}")
            if not np.issubdtype(p.dtype, np.floating):
                raise TypeError(f"params[{i}] must be a floating-point NumPy "
                                f"array; got dtype {p.dtype}")
            if not p.flags.writeable:
                raise ValueError(f"params[{i}] is read-only; the optimizer "
                                 "updates the arrays in place")
            if id(p) in seen:
                raise ValueError(f"params[{i}] is the same array as "
                                 f"params[{seen[id(p)]}]; list each parameter "
                                 "once")
            seen[id(p)] = i

    @staticmethod
    def _explain_mismatch(i, p, g, e) -> None:
        """Raise the error that says what is wrong with entry i."""
        if not isinstance(p, np.ndarray):
            raise TypeError(f"params[{i}] must be a NumPy array; "
                            f"got {describe(p)}")
        if not isinstance(g, np.ndarray):
            raise TypeError(f"grads[{i}] must be a NumPy array like params[{i}] "
                            f"(shape {p.shape}); got {describe(g)}")
        if p.shape != g.shape:
            raise ValueError(
                f"params[{i}] has shape {p.shape} and grads[{i}] has shape "
                f"{g.shape}; they must match")
        if p.shape != e.shape or p.dtype != e.dtype:
            raise ValueError(
                f"params[{i}] has shape {p.shape} and dtype {p.dtype} but "
                f"this optimizer was started with shape {e.shape} and dtype "
                f"{e.dtype}; create a new optimizer (or call zero_state()) "
                "for a new model")
        raise TypeError(
            f"grads[{i}] has dtype {g.dtype} but params[{i}] has dtype "
            f"{p.dtype}; they must match (as in torch): convert it, e.g. "
            f"grads[{i}].astype(params[{i}].dtype)")

    def _start(self, params) -> None:
        for p in params:
            st = {"step": 0}
            st.update(self._init_state(p))
            self.state.append(st)
            self._buffers.append(np.empty_like(p))
            self._buffers2.append(np.empty_like(p) if self._n_scratch > 1 else None)
            self._decay_buffers.append(None)

    def _decayed(self, i: int, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The gradient plus the L2 weight decay, g + λp (no copy if λ = 0)."""
        if self.weight_decay == 0 or self._decoupled():
            return g
        out = self._decay_buffers[i]
        if out is None:
            out = self._decay_buffers[i] = np.empty_like(p)
        np.multiply(p, self.weight_decay, out=out)
        out += g
        return out

    def _decoupled(self) -> bool:
        return False

    def _init_state(self, p: np.ndarray) -> dict:  # pragma: no cover - abstract
        return {}

    def _update(self, p, g, state, buf, buf2) -> None:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "_update(p, g, state, buf, buf2)")


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum or Nesterov
    momentum.

    PyTorch's rule, with g_t = ∇L(w_t) + λ·w_t, μ = momentum and
    τ = dampening:

        v_t = μ·v_{t−1} + (1 − τ)·g_t   (v_1 = g_1),    w_{t+1} = w_t − η·v_t

    and with nesterov=True the step uses g_t + μ·v_t instead of v_t.

    The lecture's form Δw ← α·Δw − η·∇L, w ← w + Δw is the same rule: put
    Δw_t = −η·v_t; then Δw_t = −η·(μ·v_{t−1} + g_t) = μ·Δw_{t−1} − η·g_t
    with α = μ. The two differ only when η changes during training (a
    schedule): PyTorch's velocity does not carry the old learning rate. The
    lecture's Nesterov step, with the gradient taken at the look-ahead point
    w + α·Δw, becomes PyTorch's g_t + μ·v_t after the change of variables
    w̃ = w + α·Δw (Sutskever et al., 2013).

    momentum must be in [0, 1) (torch also accepts μ ≥ 1, for which the
    velocity never decays) and dampening in [0, 1]; nesterov=True needs
    momentum > 0 and dampening = 0, as in torch.
    """

    _flags = ("nesterov",)

    def __init__(self, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(lr, weight_decay)
        self.momentum = self._number(momentum, "momentum", high=1.0)
        self.dampening = self._number(dampening, "dampening", high=1.0,
                                      high_open=False)
        self.nesterov = check_flag(nesterov, "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening = 0 (as in "
                f"torch); got momentum={momentum!r}, dampening={dampening!r}")

    def _hyper(self):
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "weight_decay": self.weight_decay, "nesterov": self.nesterov}

    def _init_state(self, p):
        return {"momentum_buffer": None} if self.momentum else {}

    def _update(self, p, g, st, buf, buf2):
        st["step"] += 1
        if self.momentum:
            v = st["momentum_buffer"]
            if v is None:                       # first step: v_1 = g_1
                v = st["momentum_buffer"] = g.copy()
            else:                               # v = mu v + (1 - dampening) g
                v *= self.momentum
                if self.dampening:
                    np.multiply(g, 1.0 - self.dampening, out=buf)
                    v += buf
                else:
                    v += g
            if self.nesterov:                   # direction g + mu v
                np.multiply(v, self.momentum, out=buf)
                buf += g
                g = buf
            else:
                g = v
        np.multiply(g, -self.lr, out=buf)       # w -= lr * direction
        p += buf


class Adagrad(Optimizer):
    """AdaGrad: per-weight learning rates from the sum of squared gradients.

        s_t = s_{t−1} + g_t²,    w_{t+1} = w_t − η_t / (√s_t + ε) · g_t,
        η_t = η / (1 + (t − 1)·lr_decay)

    with s_0 = initial_accumulator_value (PyTorch defaults: lr=1e-2,
    eps=1e-10). Because s_t only grows, the steps shrink for ever: the
    lectures' "stops too early".
    """

    def __init__(self, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(lr, weight_decay)
        self.lr_decay = self._number(lr_decay, "lr_decay")
        self.initial_accumulator_value = self._number(
            initial_accumulator_value, "initial_accumulator_value")
        self.eps = self._number(eps, "eps", low_open=True)

    def _hyper(self):
        return {"lr": self.lr, "lr_decay": self.lr_decay, "weight_decay": self.weight_decay,
                "initial_accumulator_value": self.initial_accumulator_value, "eps": self.eps}

    def _init_state(self, p):
        return {"sum": np.full_like(p, self.initial_accumulator_value)}

    def _update(self, p, g, st, buf, buf2):
        st["step"] += 1
        clr = self.lr / (1 + (st["step"] - 1) * self.lr_decay)
        s = st["sum"]
        np.multiply(g, g, out=buf)
        s += buf                                # s += g^2
        np.sqrt(s, out=buf)
        buf += self.eps                         # sqrt(s) + eps
        np.divide(g, buf, out=buf)
        buf *= -clr
        p += buf


class RMSprop(Optimizer):
    """RMSprop: divide by a running root-mean-square of the gradients.

        s_t = α·s_{t−1} + (1 − α)·g_t²,    w_{t+1} = w_t − η / (√s_t + ε) · g_t

    PyTorch's defaults: lr=1e-2, alpha (the lecture's decay rate ρ or β) =
    0.99, eps=1e-8. centered=True divides by an estimate of the standard
    deviation instead, √(s_t − ḡ_t²); momentum=μ accumulates
    b_t = μ·b_{t−1} + g_t / (√s_t + ε) and steps by −η·b_t. (Keras uses
    ρ = 0.9 and ε = 1e-7; set them to compare.)
    """

    _flags = ("centered",)

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(lr, weight_decay)
        self.alpha = self._number(alpha, "alpha", high=1.0, high_open=False)
        self.eps = self._number(eps, "eps", low_open=True)
        self.momentum = self._number(momentum, "momentum", high=1.0)
        self.centered = check_flag(centered, "centered")

    def _hyper(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps,
                "weight_decay": self.weight_decay, "momentum": self.momentum,
                "centered": self.centered}

    def _init_state(self, p):
        st = {"square_avg": np.zeros_like(p)}
        if self.momentum > 0:
            st["momentum_buffer"] = np.zeros_like(p)
        if self.centered:
            st["grad_avg"] = np.zeros_like(p)
        return st

    def _update(self, p, g, st, buf, buf2):
        st["step"] += 1
        a = self.alpha
        s = st["square_avg"]
        s *= a
        np.multiply(g, g, out=buf)
        buf *= 1 - a
        s += buf                                 # s = a s + (1 - a) g^2
        if self.centered:
            gbar = st["grad_avg"]
            np.subtract(g, gbar, out=buf)
            buf *= 1 - a
            gbar += buf                          # gbar = a gbar + (1 - a) g
            np.multiply(gbar, gbar, out=buf)
            np.subtract(s, buf, out=buf)
            np.sqrt(buf, out=buf)
        else:
            np.sqrt(s, out=buf)
        buf += self.eps                          # buf = sqrt(s) + eps
        np.divide(g, buf, out=buf)
        if self.momentum > 0:
            b = st["momentum_buffer"]
            b *= self.momentum
            b += buf
            np.multiply(b, -self.lr, out=buf)
        else:
            buf *= -self.lr
        p += buf


class Adadelta(Optimizer):
    """Adadelta: RMSprop whose step size is a running RMS of past updates.

        s_t = ρ·s_{t−1} + (1 − ρ)·g_t²,
        Δ_t = √(u_{t−1} + ε) / √(s_t + ε) · g_t,
        u_t = ρ·u_{t−1} + (1 − ρ)·Δ_t²,    w_{t+1} = w_t − η·Δ_t

    The original method has no learning rate, which is PyTorch's default
    lr=1.0; rho=0.9, eps=1e-6 (note that ε is inside the square roots).
    """

    _n_scratch = 2

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.rho = self._number(rho, "rho", high=1.0, high_open=False)
        self.eps = self._number(eps, "eps", low_open=True)

    def _hyper(self):
        return {"lr": self.lr, "rho": self.rho, "eps": self.eps, "weight_decay": self.weight_decay}

    def _init_state(self, p):
        return {"square_avg": np.zeros_like(p), "acc_delta": np.zeros_like(p)}

    def _update(self, p, g, st, buf, buf2):
        st["step"] += 1
        rho, eps = self.rho, self.eps
        s, u = st["square_avg"], st["acc_delta"]
        s *= rho
        np.multiply(g, g, out=buf)
        buf *= 1 - rho
        s += buf                                 # s = rho s + (1 - rho) g^2
        np.add(s, eps, out=buf)
        np.sqrt(buf, out=buf)                    # sqrt(s + eps)
        np.add(u, eps, out=buf2)
        np.sqrt(buf2, out=buf2)                  # sqrt(u + eps)
        buf2 /= buf
        buf2 *= g                                # delta
        u *= rho
        np.multiply(buf2, buf2, out=buf)
        buf *= 1 - rho
        u += buf                                 # u = rho u + (1 - rho) delta^2
        buf2 *= -self.lr
        p += buf2


class Adam(Optimizer):
    """Adam: momentum on the gradient plus RMSprop's scaling, bias-corrected.

        m_t = β₁·m_{t−1} + (1 − β₁)·g_t,    v_t = β₂·v_{t−1} + (1 − β₂)·g_t²,
        m̂_t = m_t / (1 − β₁ᵗ),    v̂_t = v_t / (1 − β₂ᵗ),
        w_{t+1} = w_t − η · m̂_t / (√v̂_t + ε)

    PyTorch's defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8. The
    lecture's snippet (x += -lr * mb / (np.sqrt(vb) + 1e-7)) is the same
    rule with ε = 1e-7 (Keras' default); pass eps=1e-7 to reproduce it. ε
    only matters where √v̂ is tiny.

    amsgrad=True (AMSGrad) divides by the running maximum of v_t,
    v̂_t = max(v̂_{t−1}, v_t) / (1 − β₂ᵗ), so the effective step never grows.
    weight_decay=λ adds λw to the gradient (L2); for decoupled weight decay
    use AdamW.
    """

    _flags = ("amsgrad",)

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas, self._hint())
        self.eps = self._number(eps, "eps", low_open=True)
        self.amsgrad = check_flag(amsgrad, "amsgrad")

    def _hyper(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay, "amsgrad": self.amsgrad}

    def _init_state(self, p):
        st = {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
        if self.amsgrad:
            st["max_exp_avg_sq"] = np.zeros_like(p)
        return st

    def _update(self, p, g, st, buf, buf2):
        st["step"] += 1
        t = st["step"]
        b1, b2 = self.betas
        if self._decoupled() and self.weight_decay:
            p *= 1 - self.lr * self.weight_decay     # AdamW: shrink the weights
        m, v = st["exp_avg"], st["exp_avg_sq"]
        np.subtract(g, m, out=buf)
        buf *= 1 - b1
        m += buf                                     # m = b1 m + (1 - b1) g
        v *= b2
        np.multiply(g, g, out=buf)
        buf *= 1 - b2
        v += buf                                     # v = b2 v + (1 - b2) g^2
        if self.amsgrad:
            np.maximum(st["max_exp_avg_sq"], v, out=st["max_exp_avg_sq"])
            v = st["max_exp_avg_sq"]
        step_size = self.lr / (1 - b1 ** t)
        np.sqrt(v, out=buf)
        buf /= math.sqrt(1 - b2 ** t)
        buf += self.eps                              # sqrt(v_hat) + eps
        np.divide(m, buf, out=buf)
        buf *= -step_size                            # -lr * m_hat / (sqrt(v_hat) + eps)
        p += buf


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Before the Adam step the weights shrink, w ← (1 − ηλ)·w; the decay does
    not pass through Adam's per-weight scaling (which would weaken it for
    weights with large gradients). PyTorch's default weight_decay=1e-2.
    """

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)

    def _decoupled(self) -> bool:
        return True


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat, 2016), as in PyTorch.

    The momentum coefficient warms up, μ_t = β₁·(1 − ½·0.96^(t·ψ)) with
    ψ = momentum_decay (4e-3), and

        m_t = β₁·m_{t−1} + (1 − β₁)·g_t,    v_t = β₂·v_{t−1} + (1 − β₂)·g_t²,
        w_{t+1} = w_t − η / (√(v_t / (1 − β₂ᵗ)) + ε)
                      · ((1 − μ_t)·g_t / (1 − Π_{i≤t} μ_i)
                         + μ_{t+1}·m_t / (1 − Π_{i≤t+1} μ_i))

    The first term is the bias-corrected current gradient, the second the
    look-ahead momentum. Defaults lr=2e-3, betas=(0.9, 0.999), eps=1e-8.
    (Keras' Nadam uses the same μ schedule.) decoupled_weight_decay=True
    gives NAdamW.
    """

    _n_scratch = 2
    _flags = ("decoupled_weight_decay",)

    def __init__(self, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False):
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas, self._hint())
        self.eps = self._number(eps, "eps", low_open=True)
        self.momentum_decay = self._number(momentum_decay, "momentum_decay")
        self.decoupled_weight_decay = check_flag(decoupled_weight_decay,
                                            "decoupled_weight_decay")

    def _hyper(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay, "momentum_decay": self.momentum_decay,
                "decoupled_weight_decay": self.decoupled_weight_decay}

    def _decoupled(self) -> bool:
        return self.decoupled_weight_decay

    def _init_state(self, p):
        return {"mu_product": 1.0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}

    def _update(self, p, g, st, buf, buf2):
        st["step"] += 1
        t = st["step"]
        b1, b2 = self.betas
        lr = self.lr
        if self.decoupled_weight_decay and self.weight_decay:
            p *= 1 - lr * self.weight_decay
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * self.momentum_decay))
        st["mu_product"] *= mu
        mu_product = st["mu_product"]
        m, v = st["exp_avg"], st["exp_avg_sq"]
        np.subtract(g, m, out=buf)
        buf *= 1 - b1
        m += buf                                     # m = b1 m + (1 - b1) g
        v *= b2
        np.multiply(g, g, out=buf)
        buf *= 1 - b2
        v += buf                                     # v = b2 v + (1 - b2) g^2
        np.divide(v, 1 - b2 ** t, out=buf)
        np.sqrt(buf, out=buf)
        buf += self.eps                              # denominator sqrt(v_hat) + eps
        np.divide(g, buf, out=buf2)
        buf2 *= -lr * (1.0 - mu) / (1.0 - mu_product)
        p += buf2                                    # the current-gradient term
        np.divide(m, buf, out=buf2)
        buf2 *= -lr * mu_next / (1.0 - mu_product * mu_next)
        p += buf2                                    # the look-ahead momentum term


class Adamax(Optimizer):
    """AdaMax: Adam with the infinity norm in place of the RMS.

        m_t = β₁·m_{t−1} + (1 − β₁)·g_t,    u_t = max(β₂·u_{t−1}, |g_t| + ε),
        w_{t+1} = w_t − η / (1 − β₁ᵗ) · m_t / u_t

    PyTorch's defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8 (added to |g|
    inside the max, as in PyTorch).
    """

    def __init__(self, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas)
        self.eps = self._number(eps, "eps", low_open=True)

    def _hyper(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay}

    def _init_state(self, p):
        return {"exp_avg": np.zeros_like(p), "exp_inf": np.zeros_like(p)}

    def _update(self, p, g, st, buf, buf2):
        st["step"] += 1
        b1, b2 = self.betas
        m, u = st["exp_avg"], st["exp_inf"]
        np.subtract(g, m, out=buf)
        buf *= 1 - b1
        m += buf                                     # m = b1 m + (1 - b1) g
        u *= b2
        np.abs(g, out=buf)
        buf += self.eps
        np.maximum(u, buf, out=u)                    # u = max(b2 u, |g| + eps)
        np.divide(m, u, out=buf)
        buf *= -self.lr / (1 - b1 ** st["step"])
        p += buf


_REGISTRY = {
    "sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adadelta": Adadelta,
    "adam": Adam, "adamw": AdamW, "nadam": Nadam, "adamax": Adamax,
}


def available() -> list[str]:
    """Names accepted by get (lower case, sorted)."""
    return sorted(_REGISTRY)


def get(name, **kwargs) -> Optimizer:
    """An optimizer by (case-insensitive) name, e.g. get("adam", lr=1e-3).

    kwargs are the class's hyper-parameters (an unknown one is a TypeError
    that lists the known ones). An Optimizer instance is returned unchanged
    (kwargs must then be empty).
    """
    if isinstance(name, Optimizer):
        if kwargs:
            raise ValueError(
                f"hyper-parameters {sorted(kwargs)} given together with an "
                "optimizer object as name; set them when you create it")
        return name
    if not isinstance(name, str):
        raise TypeError("name must be an optimizer name such as 'adam' or an "
                        f"nnlab.optim.Optimizer; got {describe(name)}")
    key = name.lower()
    if key not in _REGISTRY:
        raise ValueError(f"unknown optimizer name {name!r}; name must be "
                         f"one of {available()}")
    cls = _REGISTRY[key]
    known = list(inspect.signature(cls).parameters)
    unknown = sorted(k for k in kwargs if k not in known)
    if unknown:
        raise TypeError(f"{cls.__name__} has no hyper-parameter {unknown[0]!r}; "
                        f"its hyper-parameters are {known}")
    return cls(**kwargs)
