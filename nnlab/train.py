r"""The training loop: :func:`fit` and the :class:`History` it returns (Chapters 8–10).

One epoch of mini-batch gradient descent, as in the lectures::

    for each mini-batch (X_b, y_b) of a shuffled pass over the data:
        out   = model.forward(X_b)                 # forward pass
        loss  = L(y_b, out)                        # running mean kept for the History
        model.backward(dL/d out)                   # backward pass fills model.grads
        [clip the gradients]                       # optional
        optimizer.step(model.params, model.grads)  # update the weights in place

``batch_size=None`` is batch gradient descent (one update per epoch),
``batch_size=1`` stochastic gradient descent, ``batch_size=k`` mini-batch
gradient descent (:math:`\lceil m/k \rceil` updates per epoch).

The training loss and accuracy of an epoch are the **running means** over its
mini-batches, weighted by batch size (no extra pass over the data): the model
changes during the epoch, so they lag slightly behind a fresh evaluation —
which is why the training loss of epoch 1 is often *above* the validation
loss.

Softmax + cross-entropy on logits (the default loss, with ``mlp(...,
output=None)``) is computed in one fused step: the gradient is
:math:`(\operatorname{softmax}(Z) - Y)/m`, never forming :math:`\log p`.
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from . import optim as _optim
from ._validate import as_float_array, as_matrix, as_rng, check_positive

__all__ = ["fit", "evaluate", "History"]

_CLASSIFICATION = ("softmax_cross_entropy", "cross_entropy")
_BINARY = {"sigmoid_cross_entropy": 0.0, "binary_cross_entropy": 0.5}   # decision thresholds


# --------------------------------------------------------------------- History
@dataclass
class History:
    """What :func:`fit` records, one entry per epoch.

    ``loss`` / ``accuracy``: running means over the epoch's mini-batches;
    ``val_loss`` / ``val_accuracy``: on ``validation`` after the epoch (empty
    lists without it); ``accuracy`` is ``None`` for regression losses; ``lr``:
    the learning rate of the epoch's last update; ``updates``: optimizer steps
    in the epoch; ``grad_norm``: for each layer with parameters (keys like
    ``"0:Dense"``), the mean over the epoch's updates of the norm of that layer's
    gradient (before clipping) — watch it for vanishing or exploding gradients.
    (With more than 64 updates per epoch the mean is taken over every k-th
    update, k = updates // 32, to keep its cost negligible.)
    ``best_epoch`` (0-based) is the epoch whose weights the model ends with when
    ``early_stopping`` is on. ``seconds`` (wall time per epoch) is not compared
    by ``==``.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    grad_norm: dict = field(default_factory=dict)
    best_epoch: int | None = None
    stopped_early: bool = False
    seconds: list = field(default_factory=list, compare=False)

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def as_dict(self) -> dict:
        """Plain lists and numbers (e.g. for JSON or a pandas DataFrame)."""
        return {"loss": self.loss, "accuracy": self.accuracy, "val_loss": self.val_loss,
                "val_accuracy": self.val_accuracy, "lr": self.lr, "updates": self.updates,
                "grad_norm": self.grad_norm, "best_epoch": self.best_epoch,
                "stopped_early": self.stopped_early, "seconds": self.seconds}

    def __repr__(self):
        if not self.loss:
            return "History(no epochs)"
        last = _epoch_line(self, len(self.loss) - 1)
        return f"History({len(self.loss)} epochs; last: {last})"


# ------------------------------------------------------------------ objectives
class _Objective:
    """Loss value, gradient and number of correct predictions for one batch.

    ``targets`` are what the loss takes (labels, one-hot or values) and
    ``labels`` the integer classes for accuracy (``None`` when not a
    classification loss).
    """

    def __init__(self, loss, dtype):
        self.loss = _losses.get(loss) if isinstance(loss, str) else loss
        if not (hasattr(self.loss, "value") and hasattr(self.loss, "gradient")):
            raise TypeError("loss must be a name of nnlab.losses or an object with .value and .gradient")
        self.name = getattr(self.loss, "name", None)
        self.fused = self.name == "softmax_cross_entropy"
        self.dtype = dtype
        self._rows = np.arange(0)

    def prepare(self, y, n_out, name="y"):
        """Check ``y`` once and split it into (targets, labels for accuracy)."""
        y = np.asarray(y)
        if self.name in _CLASSIFICATION:
            if np.issubdtype(y.dtype, np.integer) and y.ndim == 1:
                if y.size and (y.min() < 0 or y.max() >= n_out):
                    raise ValueError(f"{name} has labels from {y.min()} to {y.max()} but the model has "
                                     f"{n_out} outputs; expected labels in [0, {n_out})")
                y = y.astype(np.intp, copy=False)
                return y, y
            Y = as_float_array(y, name).astype(self.dtype, copy=False)
            if Y.ndim != 2 or Y.shape[1] != n_out:
                raise ValueError(f"{name} must be integer labels (m,) or one-hot (m, {n_out}); got shape {Y.shape}")
            return Y, np.argmax(Y, axis=1)
        if np.issubdtype(y.dtype, np.integer) or y.dtype == bool:
            y = y.astype(self.dtype)
        y = as_float_array(y, name).astype(self.dtype, copy=False)
        return y, (y if self.name in _BINARY else None)

    def __call__(self, targets, labels, out, need_grad=True):
        if self.fused:
            return self._softmax_cross_entropy(targets, labels, out, need_grad)
        value = float(self.loss.value(targets, out))
        grad = self.loss.gradient(targets, out) if need_grad else None
        correct = None
        if labels is not None:
            if self.name in _BINARY:
                pred = out > _BINARY[self.name]
                correct = int(np.count_nonzero(pred.reshape(labels.shape) == (labels > 0.5)))
            else:
                correct = int(np.count_nonzero(np.argmax(out, axis=1) == labels))
        return value, grad, correct

    def _softmax_cross_entropy(self, targets, labels, Z, need_grad):
        r"""Fused softmax + cross-entropy on logits ``Z`` (m, K):
        :math:`J = \frac1m\sum_i(\log\sum_k e^{z_{ik}} - z_{i,y_i})`,
        :math:`\partial J/\partial Z = (\operatorname{softmax}(Z) - Y)/m`."""
        m = Z.shape[0]
        shifted = Z - Z.max(axis=1, keepdims=True)          # every exponent <= 0: no overflow
        P = np.exp(shifted)
        sums = P.sum(axis=1, keepdims=True)
        log_sums = np.log(sums)
        if targets.ndim == 1:                                # integer labels
            if self._rows.size != m:
                self._rows = np.arange(m)
            value = float(log_sums.sum() - shifted[self._rows, targets].sum()) / m
        else:                                                # one-hot or soft labels
            value = float(np.sum(targets * (log_sums - shifted))) / m
        correct = int(np.count_nonzero(shifted.argmax(axis=1) == labels))
        if not need_grad:
            return value, None, correct
        P /= sums                                            # softmax(Z)
        if targets.ndim == 1:
            P[self._rows, targets] -= 1                      # softmax(Z) - Y
        else:
            P -= targets
        P *= 1.0 / m
        return value, P, correct


# ------------------------------------------------------------------------- fit
def fit(model, X, y, *, loss="softmax_cross_entropy", optimizer="sgd", lr=None, epochs=10,
        batch_size=32, validation=None, schedule=None, schedule_unit="step", clip_norm=None,
        clip_value=None, early_stopping=None, seed=0, progress=True) -> History:
    """Train ``model`` on ``(X, y)`` and return a :class:`History`.

    Parameters
    ----------
    model : a :class:`~nnlab.layers.Sequential` (anything with ``forward``,
        ``backward``, ``params`` and ``grads``); trained in place.
    X, y : samples in rows; ``y`` integer labels or one-hot for the
        cross-entropy losses, values for the regression losses.
    loss : a name of :mod:`nnlab.losses` or a loss object (default: softmax
        cross-entropy on logits).
    optimizer : a name (``"sgd"``, ``"adam"``, ...) or an :mod:`nnlab.optim`
        object. ``lr`` goes with a name (``None``: that optimizer's default).
    epochs : number of passes over the data.
    batch_size : ``None`` (batch GD), ``1`` (SGD) or ``k`` (mini-batch).
    validation : ``(X_val, y_val)`` evaluated after every epoch.
    schedule : a function ``step -> lr`` (see :mod:`nnlab.schedules`), called
        before every update (``schedule_unit="step"``, steps counted from 0
        across epochs) or at the start of every epoch (``"epoch"``).
    clip_norm : rescale the gradients when their global norm exceeds it
        (as ``torch.nn.utils.clip_grad_norm_``); clip_value : clip every
        gradient entry to ``[-clip_value, clip_value]``.
    early_stopping : ``None`` or a patience ``p``: stop when the validation
        loss (the training loss without ``validation``) has not improved for
        ``p`` epochs, and restore the weights of the best epoch.
    seed : seeds the shuffling (the layers' own ``rng`` draw dropout masks).
    progress : a line per epoch (a progress bar in Jupyter when ``tqdm`` is
        installed); ``False`` is silent.

    A loss that becomes NaN or infinite stops training with a
    ``FloatingPointError`` naming the epoch and the likely cause.
    """
    for attr in ("forward", "backward", "params", "grads"):
        if not hasattr(model, attr):
            raise TypeError(f"model must be an nnlab model with .{attr} (e.g. nnlab.mlp(...)); "
                            f"got {type(model).__name__}")
    dtype = np.dtype(getattr(model, "dtype", np.float64))
    X = _as_inputs(X, "X", dtype)
    m = len(X)
    if len(y) != m:
        raise ValueError(f"X has {m} samples (rows) but y has {len(y)}; they must match")
    epochs = _positive_int(epochs, "epochs")
    if batch_size is not None:
        batch_size = _positive_int(batch_size, "batch_size")
    if schedule is not None and not callable(schedule):
        raise TypeError("schedule must be a function step -> lr (e.g. an nnlab.schedules object)")
    if schedule_unit not in ("step", "epoch"):
        raise ValueError(f"schedule_unit must be 'step' or 'epoch'; got {schedule_unit!r}")
    clip_norm = None if clip_norm is None else check_positive(clip_norm, "clip_norm")
    clip_value = None if clip_value is None else check_positive(clip_value, "clip_value")
    patience = None if early_stopping is None else _positive_int(early_stopping, "early_stopping", minimum=0)
    opt = _make_optimizer(optimizer, lr)
    rng = as_rng(seed, "seed")

    objective = _Objective(loss, dtype)
    n_out = _output_width(model, X[:1])
    targets, labels = objective.prepare(y, n_out)
    val = None
    if validation is not None:
        try:
            Xv, yv = validation
        except (TypeError, ValueError) as err:
            raise TypeError("validation must be a pair (X_val, y_val)") from err
        Xv = _as_inputs(Xv, "validation X", dtype)
        if len(Xv) != len(yv):
            raise ValueError(f"validation X has {len(Xv)} samples but validation y has {len(yv)}; they must match")
        val = (Xv, *objective.prepare(yv, n_out, "validation y"))

    params, grads = model.params, model.grads
    groups = _grad_groups(model)
    history = History(grad_norm={name: [] for name, _ in groups})
    reporter = _Reporter(progress, epochs)
    best = (np.inf, None, None)          # (monitored loss, epoch, weights)
    step = 0
    n_batches = 1 if batch_size is None else -(-m // batch_size)
    # gradient norms for the History: on every update, or on about 32 evenly spaced
    # updates per epoch when there are many (reading all gradients costs ~4% of a step)
    norm_every = max(1, n_batches // 32)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(epochs):
            t0 = time.perf_counter()
            if schedule is not None and schedule_unit == "epoch":
                opt.lr = float(schedule(epoch))
            loss_sum, n_correct, n_seen, n_updates = 0.0, 0, 0, 0
            norm_sums, n_normed = np.zeros(len(groups)), 0
            for rows in _batches(m, batch_size, rng):
                if rows is None:                       # batch GD: the whole set, no copy
                    Xb, tb, lb = X, targets, labels
                else:
                    Xb = X.take(rows, axis=0)
                    tb = targets.take(rows, axis=0)
                    lb = None if labels is None else (tb if labels is targets else labels.take(rows, axis=0))
                try:
                    out = model.forward(Xb, training=True)
                    value, dout, correct = objective(tb, lb, out)
                    if not math.isfinite(value):
                        raise _diverged(value, epoch, step, opt)
                    model.backward(dout, input_grad=False)
                except ValueError as err:              # NaN reached a checked function
                    if not all(np.isfinite(p).all() for p in params):
                        raise _diverged(float("nan"), epoch, step, opt) from err
                    raise
                if clip_norm is not None or n_updates % norm_every == 0:
                    norms = _norms(groups)
                    norm_sums += norms
                    n_normed += 1
                if clip_norm is not None:
                    total = math.sqrt(float(np.sum(norms * norms)))
                    if total > clip_norm:              # rescale, as torch's clip_grad_norm_
                        scale = clip_norm / (total + 1e-6)
                        for g in grads:
                            g *= scale
                if clip_value is not None:
                    for g in grads:
                        np.clip(g, -clip_value, clip_value, out=g)
                if schedule is not None and schedule_unit == "step":
                    opt.lr = float(schedule(step))
                opt.step(params, grads)
                step += 1
                n_updates += 1
                k = len(Xb)
                loss_sum += value * k
                n_seen += k
                if correct is not None:
                    n_correct += correct

            history.loss.append(loss_sum / n_seen)
            history.accuracy.append(None if labels is None else n_correct / n_seen)
            history.lr.append(float(opt.lr))
            history.updates.append(n_updates)
            for (name, _), s in zip(groups, norm_sums):
                history.grad_norm[name].append(float(s / n_normed))
            if val is not None:
                v_loss, v_acc = _evaluate(model, objective, *val)
                history.val_loss.append(v_loss)
                history.val_accuracy.append(v_acc)
            history.seconds.append(time.perf_counter() - t0)
            reporter.epoch(history, epoch)

            if patience is not None:
                monitored = history.val_loss[-1] if val is not None else history.loss[-1]
                if monitored < best[0]:
                    best = (monitored, epoch, _get_weights(model))
                elif epoch - best[1] >= patience:
                    history.stopped_early = True
                    break
    reporter.close()
    if patience is not None and best[2] is not None:
        _set_weights(model, best[2])
        history.best_epoch = best[1]
    return history


def evaluate(model, X, y, loss="softmax_cross_entropy"):
    """``(loss, accuracy)`` of ``model`` on ``(X, y)`` in inference mode (accuracy ``None`` for regression)."""
    dtype = np.dtype(getattr(model, "dtype", np.float64))
    X = _as_inputs(X, "X", dtype)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples (rows) but y has {len(y)}; they must match")
    objective = _Objective(loss, dtype)
    targets, labels = objective.prepare(y, _output_width(model, X[:1]))
    return _evaluate(model, objective, X, targets, labels)


# --------------------------------------------------------------------- helpers
def _evaluate(model, objective, X, targets, labels, chunk=8192):
    m = len(X)
    loss_sum, correct = 0.0, 0
    for s in range(0, m, chunk):
        out = model.forward(X[s:s + chunk], training=False)
        lb = None if labels is None else labels[s:s + chunk]
        value, _, c = objective(targets[s:s + chunk], lb, out, need_grad=False)
        loss_sum += value * len(out)
        correct += c or 0
    return loss_sum / m, (None if labels is None else correct / m)


def _batches(m, batch_size, rng):
    """Row indices of each mini-batch of one epoch (``None``: all rows, in order)."""
    if batch_size is None:
        yield None
        return
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        yield order[start:start + batch_size]


def _as_inputs(X, name, dtype):
    return np.ascontiguousarray(as_matrix(X, name), dtype=dtype)


def _positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _make_optimizer(optimizer, lr):
    if isinstance(optimizer, _optim.Optimizer):
        if lr is not None:
            raise ValueError("lr given together with an optimizer object; set lr when creating the optimizer")
        return optimizer
    if isinstance(optimizer, str):
        return _optim.get(optimizer) if lr is None else _optim.get(optimizer, lr=lr)
    if hasattr(optimizer, "step"):
        return optimizer
    raise TypeError(f"optimizer must be a name or an nnlab.optim optimizer; got {type(optimizer).__name__}")


def _output_width(model, X1):
    out = model.forward(X1, training=False)
    return out.shape[1] if out.ndim == 2 else 1


def _grad_groups(model):
    """(name, grads) for each layer that has parameters."""
    layers = getattr(model, "layers", None)
    if layers is None:
        return [("model", list(model.grads))]
    return [(f"{i}:{type(layer).__name__}", list(layer.grads))
            for i, layer in enumerate(layers) if layer.grads]


def _norms(groups) -> np.ndarray:
    """The Euclidean norm of each layer's gradient (all its arrays together)."""
    return np.sqrt(np.array([sum(float(np.vdot(g, g)) for g in gs) for _, gs in groups]))


def _get_weights(model):
    if hasattr(model, "get_weights"):
        return model.get_weights()
    return [p.copy() for p in model.params]


def _set_weights(model, weights):
    if hasattr(model, "set_weights"):
        model.set_weights(weights)
    else:
        for p, w in zip(model.params, weights):
            p[...] = w


def _diverged(value, epoch, step, opt) -> FloatingPointError:
    return FloatingPointError(
        f"training diverged in epoch {epoch + 1} (update {step + 1}): the loss became {value}. "
        f"Likely cause: the learning rate (lr={opt.lr:g}) is too high or the gradients exploded. "
        f"Try a smaller lr, gradient clipping (clip_norm=1.0), standardized inputs or BatchNorm."
    )


def _epoch_line(h: History, e: int) -> str:
    parts = [f"loss {h.loss[e]:.4f}"]
    if h.accuracy[e] is not None:
        parts.append(f"acc {h.accuracy[e]:.4f}")
    if h.val_loss:
        parts.append(f"val_loss {h.val_loss[e]:.4f}")
        if h.val_accuracy[e] is not None:
            parts.append(f"val_acc {h.val_accuracy[e]:.4f}")
    parts.append(f"lr {h.lr[e]:.3g}")
    return "  ".join(parts)


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (not merely when ipykernel was imported, as under nbval)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


class _Reporter:
    """A tqdm bar over epochs in Jupyter (if tqdm is installed), else one printed line per epoch."""

    def __init__(self, progress, epochs):
        self.enabled = bool(progress)
        self.epochs = epochs
        self.bar = None
        if self.enabled and _in_notebook():
            try:
                from tqdm.auto import tqdm
                self.bar = tqdm(total=epochs, unit="epoch")
            except ImportError:
                self.bar = None

    def epoch(self, h, e):
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(_epoch_line(h, e), refresh=False)
            self.bar.update(1)
        else:
            width = len(str(self.epochs))
            print(f"epoch {e + 1:>{width}}/{self.epochs}  {_epoch_line(h, e)}  ({h.seconds[e]:.2f} s)",
                  flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
