r"""The lectures' optimizers, shaped like ``torch.optim``.

Every optimizer here has the same hyper-parameter names, defaults and update
rule as its namesake in ``torch.optim`` (PyTorch 2.x), so the same settings give
the same trajectory (the test-suite checks 200+ steps against PyTorch). The
lectures' ten methods map onto eight classes:

============================  ===========================================
lecture                       nnlab
============================  ===========================================
gradient descent              ``SGD(lr)``
momentum                      ``SGD(lr, momentum=0.9)``
Nesterov accelerated gradient ``SGD(lr, momentum=0.9, nesterov=True)``
AdaGrad                       ``Adagrad(lr)``
RMSprop                       ``RMSprop(lr)``
Adadelta                      ``Adadelta()``
Adam                          ``Adam(lr)``
AMSGrad                       ``Adam(lr, amsgrad=True)``
Nadam                         ``Nadam(lr)``
AdaMax                        ``Adamax(lr)``
(decoupled weight decay)      ``AdamW(lr)``
============================  ===========================================

Usage — the optimizer does not own the parameters; you hand it the arrays at
every step, and it updates them **in place** (so a layer that holds ``W`` sees
the new values without any copying)::

    opt = nnlab.optim.Adam(lr=1e-3)
    for Xb, yb in batches:
        model.forward(Xb); model.backward(loss.gradient(yb, out))
        opt.step(model.params, model.grads)

``opt.state`` is a list with one dict per parameter array (same keys as
PyTorch's ``optimizer.state[p]``: ``"step"``, ``"exp_avg"``, ...), so you can
look at Adam's moment estimates while it trains. ``opt.lr`` can be changed
between steps (that is what a learning-rate schedule does).

Weight decay: ``weight_decay=λ`` adds :math:`\lambda w` to the gradient (the
L2 penalty :math:`\tfrac{\lambda}{2}\|w\|^2` of the lecture) — except in
:class:`AdamW` (and ``Nadam(decoupled_weight_decay=True)``), which shrinks the
weights directly, :math:`w \leftarrow (1-\eta\lambda) w`, before the Adam step.

Implementation note: the updates use NumPy's ``out=`` arguments and one scratch
buffer per parameter, so a step allocates no new arrays; float32 parameters stay
float32.
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_positive

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta",
    "Adam", "AdamW", "Nadam", "Adamax", "get", "available",
]


def _check_fraction(value, name: str, *, upper_inclusive: bool = False) -> float:
    """Return ``value`` as a float in [0, 1) (or [0, 1]) or raise ``ValueError``."""
    v = check_positive(value, name, allow_zero=True)
    if v > 1 or (v == 1 and not upper_inclusive):
        bound = "[0, 1]" if upper_inclusive else "[0, 1)"
        raise ValueError(f"{name} must be in {bound}; got {value!r}")
    return v


def _check_betas(betas) -> tuple[float, float]:
    try:
        b1, b2 = betas
    except (TypeError, ValueError) as err:
        raise TypeError(f"betas must be a pair (beta1, beta2); got {betas!r}") from err
    return _check_fraction(b1, "betas[0]"), _check_fraction(b2, "betas[1]")


class Optimizer:
    """Base class: bookkeeping shared by every optimizer.

    Subclasses implement ``_init_state(p)`` (the per-parameter state dict) and
    ``_update(p, g, state, buf, buf2)`` (one in-place update of the array ``p``
    given its gradient ``g``; ``buf`` is a scratch array shaped like ``p``, and
    so is ``buf2`` when the class sets ``_n_scratch = 2``, else ``None``).
    """

    _n_scratch = 1

    def __init__(self, lr: float, weight_decay: float = 0.0):
        self.lr = check_positive(lr, "lr")
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.state: list[dict] = []
        self._buffers: list[np.ndarray] = []   # one scratch array per parameter
        self._buffers2: list[np.ndarray | None] = []
        self._decay_buffers: list[np.ndarray | None] = []

    # -- the public API -----------------------------------------------------
    def step(self, params, grads) -> None:
        """Update every array in ``params`` in place from the matching ``grads``."""
        if len(params) != len(grads):
            raise ValueError(
                f"params has {len(params)} arrays but grads has {len(grads)}; "
                "they must correspond one to one"
            )
        if not self.state:
            self._start(params)
        elif len(params) != len(self.state):
            raise ValueError(
                f"this optimizer was started with {len(self.state)} parameter arrays but "
                f"step() got {len(params)}; create a new optimizer for a new model"
            )
        lr = self.lr
        if not (lr > 0 and math.isfinite(lr)):  # a schedule may have set it
            raise ValueError(f"lr must be a finite number > 0; got {lr!r}")
        for i, (p, g) in enumerate(zip(params, grads)):
            if p.shape != g.shape or p.shape != self._buffers[i].shape:
                raise ValueError(
                    f"params[{i}] has shape {p.shape} and grads[{i}] has shape {g.shape}; "
                    f"expected both to be {self._buffers[i].shape}"
                )
            self._update(p, self._decayed(i, p, g), self.state[i],
                         self._buffers[i], self._buffers2[i])

    def zero_state(self) -> None:
        """Forget all accumulated state (the next ``step`` starts afresh)."""
        self.state, self._buffers, self._buffers2, self._decay_buffers = [], [], [], []

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({args})"

    # -- helpers for subclasses ----------------------------------------------
    def _hyper(self) -> dict:
        return {"lr": self.lr, "weight_decay": self.weight_decay}

    def _start(self, params) -> None:
        for i, p in enumerate(params):
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise TypeError(f"params[{i}] must be a floating-point NumPy array")
            st = {"step": 0}
            st.update(self._init_state(p))
            self.state.append(st)
            self._buffers.append(np.empty_like(p))
            self._buffers2.append(np.empty_like(p) if self._n_scratch > 1 else None)
            self._decay_buffers.append(None)

    def _decayed(self, i: int, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The gradient with L2 weight decay added, g + λp (no copy when λ = 0)."""
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
        raise NotImplementedError


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum or Nesterov momentum.

    PyTorch's rule (with :math:`g_t = \nabla L(w_t) + \lambda w_t`):

    .. math::

        v_t = \mu v_{t-1} + (1-\tau)\, g_t \quad (v_1 = g_1), \qquad
        w_{t+1} = w_t - \eta\, v_t

    and with ``nesterov=True`` the step uses :math:`g_t + \mu v_t` instead of
    :math:`v_t`. (:math:`\mu` = ``momentum``, :math:`\tau` = ``dampening``.)

    **The lecture's form** :math:`\Delta w \leftarrow \alpha\Delta w - \eta\nabla L`,
    :math:`w \leftarrow w + \Delta w` is the same rule: put
    :math:`\Delta w_t = -\eta v_t`; then
    :math:`\Delta w_t = -\eta(\mu v_{t-1} + g_t) = \mu\Delta w_{t-1} - \eta g_t`
    with :math:`\alpha = \mu`. The two differ only when :math:`\eta` changes
    during training (a schedule): PyTorch's velocity does not carry the old
    learning rate. The lecture's Nesterov step, with the gradient taken at the
    look-ahead point :math:`w + \alpha\Delta w`, becomes PyTorch's
    :math:`g_t + \mu v_t` after the change of variables
    :math:`\tilde w = w + \alpha\Delta w` (Sutskever et al., 2013).
    """

    def __init__(self, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(lr, weight_decay)
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        self.dampening = check_positive(dampening, "dampening", allow_zero=True)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov=True requires momentum > 0 and dampening = 0")

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
    r"""AdaGrad: per-weight learning rates from the sum of squared gradients.

    .. math::

        s_t = s_{t-1} + g_t^2, \qquad
        w_{t+1} = w_t - \frac{\eta_t}{\sqrt{s_t} + \epsilon}\, g_t, \qquad
        \eta_t = \frac{\eta}{1 + (t-1)\,\text{lr\_decay}}

    with :math:`s_0` = ``initial_accumulator_value`` (PyTorch defaults: lr=1e-2,
    eps=1e-10). Because :math:`s_t` only grows, the steps shrink for ever —
    the lectures' "stops too early".
    """

    def __init__(self, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(lr, weight_decay)
        self.lr_decay = check_positive(lr_decay, "lr_decay", allow_zero=True)
        self.initial_accumulator_value = check_positive(
            initial_accumulator_value, "initial_accumulator_value", allow_zero=True)
        self.eps = check_positive(eps, "eps", allow_zero=True)

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
    r"""RMSprop: divide by a running root-mean-square of the gradients.

    .. math::

        s_t = \alpha s_{t-1} + (1-\alpha) g_t^2, \qquad
        w_{t+1} = w_t - \frac{\eta}{\sqrt{s_t} + \epsilon}\, g_t

    PyTorch's defaults: lr=1e-2, ``alpha`` (the lecture's decay rate
    :math:`\rho` or :math:`\beta`) = 0.99, eps=1e-8. ``centered=True`` divides
    by an estimate of the standard deviation instead,
    :math:`\sqrt{s_t - \bar g_t^2}`; ``momentum=μ`` accumulates
    :math:`b_t = \mu b_{t-1} + g_t / (\sqrt{s_t}+\epsilon)` and steps by
    :math:`-\eta b_t`. (Keras uses ρ=0.9 and ε=1e-7; set them to compare.)
    """

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(lr, weight_decay)
        self.alpha = _check_fraction(alpha, "alpha", upper_inclusive=True)
        self.eps = check_positive(eps, "eps", allow_zero=True)
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        self.centered = bool(centered)

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
    r"""Adadelta: RMSprop whose step size is a running RMS of past updates.

    .. math::

        s_t &= \rho s_{t-1} + (1-\rho) g_t^2, \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}}\, g_t, \\
        u_t &= \rho u_{t-1} + (1-\rho)\Delta_t^2, \qquad
        w_{t+1} = w_t - \eta\,\Delta_t

    The original method has no learning rate, which is PyTorch's default
    ``lr=1.0``; rho=0.9, eps=1e-6 (note ε is *inside* the square roots).
    """

    _n_scratch = 2

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.rho = _check_fraction(rho, "rho", upper_inclusive=True)
        self.eps = check_positive(eps, "eps", allow_zero=True)

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
    r"""Adam: momentum on the gradient plus RMSprop's scaling, bias-corrected.

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
        \hat m_t &= \frac{m_t}{1-\beta_1^t}, \qquad
        \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
        w_{t+1} = w_t - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    PyTorch's defaults: lr=1e-3, betas=(0.9, 0.999), **eps=1e-8**. The lecture's
    snippet (``x += -lr * mb / (np.sqrt(vb) + 1e-7)``) is the same rule with
    ε = 1e-7 (Keras' default); pass ``eps=1e-7`` to reproduce it. ε only matters
    where :math:`\sqrt{\hat v}` is tiny.

    ``amsgrad=True`` (AMSGrad) divides by the running *maximum* of
    :math:`v_t`, :math:`\hat v_t = \max(\hat v_{t-1}, v_t)/(1-\beta_2^t)`, so the
    effective step never grows. ``weight_decay=λ`` adds :math:`\lambda w` to
    the gradient (L2); for decoupled weight decay use :class:`AdamW`.
    """

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas)
        self.eps = check_positive(eps, "eps", allow_zero=True)
        self.amsgrad = bool(amsgrad)

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
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Before the Adam step the weights shrink, :math:`w \leftarrow (1-\eta\lambda)w`;
    the decay does not pass through Adam's per-weight scaling (which would
    weaken it for weights with large gradients). PyTorch's default
    ``weight_decay=1e-2``.
    """

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)

    def _decoupled(self) -> bool:
        return True


class Nadam(Optimizer):
    r"""Nadam: Adam with Nesterov momentum (Dozat, 2016), as in PyTorch.

    The momentum coefficient warms up, :math:`\mu_t = \beta_1\,(1 - \tfrac12\,
    0.96^{\,t\,\psi})` with :math:`\psi` = ``momentum_decay`` (4e-3), and

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
        w_{t+1} &= w_t - \frac{\eta}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}
        \left(\frac{(1-\mu_t)\, g_t}{1-\prod_{i\le t}\mu_i}
        + \frac{\mu_{t+1}\, m_t}{1-\prod_{i\le t+1}\mu_i}\right)

    The first term is the bias-corrected current gradient, the second the
    look-ahead momentum. Defaults lr=2e-3, betas=(0.9, 0.999), eps=1e-8.
    (Keras' Nadam uses the same μ schedule.) ``decoupled_weight_decay=True``
    gives NAdamW.
    """

    _n_scratch = 2

    def __init__(self, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False):
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas)
        self.eps = check_positive(eps, "eps", allow_zero=True)
        self.momentum_decay = check_positive(momentum_decay, "momentum_decay", allow_zero=True)
        self.decoupled_weight_decay = bool(decoupled_weight_decay)

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
    r"""AdaMax: Adam with the infinity norm in place of the RMS.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon), \qquad
        w_{t+1} = w_t - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}

    PyTorch's defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8 (added to
    :math:`|g|` inside the max, as in PyTorch).
    """

    def __init__(self, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas)
        self.eps = check_positive(eps, "eps", allow_zero=True)

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
    """Names accepted by :func:`get`."""
    return sorted(_REGISTRY)


def get(name, **kwargs) -> Optimizer:
    """An optimizer by (case-insensitive) name, e.g. ``get("adam", lr=1e-3)``.

    An :class:`Optimizer` instance is returned unchanged (``kwargs`` must then
    be empty).
    """
    if isinstance(name, Optimizer):
        if kwargs:
            raise ValueError("hyper-parameters given together with an optimizer object; "
                             "set them when you create the optimizer")
        return name
    if not isinstance(name, str):
        raise TypeError(f"optimizer must be a name or an nnlab.optim.Optimizer; got {type(name).__name__}")
    key = name.lower()
    if key not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {available()}")
    return _REGISTRY[key](**kwargs)
