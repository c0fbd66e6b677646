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
gradient descent (:math:`\lceil m/k \rceil` updates per epoch; when
:math:`m \bmod k = 1` the single leftover sample joins the previous batch, so
no update is made from one sample — see :func:`fit`).

``fit`` trains in train mode (``model.train()``) and leaves the model in the
mode it found; :func:`evaluate` (and ``model.predict``) infer in eval mode and
change no state. The shuffling draws from nnlab's package generator
(``nnlab.seed``) unless ``seed=`` is given.

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

import contextlib
import math
import numbers
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from . import optim as _optim
from ._validate import as_float_array, as_matrix, as_rng, cast, check_positive, check_int
from .layers import Sequential

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
        self._own = isinstance(self.loss, _losses.Loss)      # nnlab's losses check themselves
        self.fused = self.name == "softmax_cross_entropy"
        self.dtype = dtype
        self._rows = np.arange(0)

    def prepare(self, y, n_out, name="y"):
        """Check ``y`` once and split it into (targets, labels for accuracy).

        Classification losses take integer labels ``(m,)`` (``(m, 1)`` is
        accepted as the same labels) or one-hot / soft rows ``(m, n_out)``;
        float or boolean 1-D labels are a ``TypeError`` (a class is a whole
        number). Other nnlab losses take values of shape ``(m, n_out)``, or
        ``(m,)`` when the model has one output.
        """
        y = _as_targets(y, name)
        if self.name in _CLASSIFICATION:
            # one label per row: (m,), or a column (m, 1) unless the model has one output
            per_row = y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and n_out != 1)
            if y.dtype.kind in "iu" and per_row:
                y = y.reshape(-1)
                if y.size and (y.min() < 0 or y.max() >= n_out):
                    raise ValueError(f"{name} has labels from {y.min()} to {y.max()} but the model has "
                                     f"{n_out} outputs; expected labels in [0, {n_out})")
                y = y.astype(np.intp, copy=False)
                return y, y
            if per_row:
                if y.dtype == bool:
                    kind = "booleans"
                else:
                    kind = f"floating-point values (e.g. {y.flat[0].item()!r})"
                raise TypeError(
                    f"{name} holds {kind}, but {self.name} needs integer class labels "
                    f"of shape (m,) or one-hot rows of shape (m, {n_out}); if the values are "
                    f"whole numbers, convert them with {name.split()[-1]}.astype(int)")
            if y.ndim != 2 or y.shape[1] != n_out:
                raise ValueError(f"{name} must be integer labels (m,) or one-hot (m, {n_out}); "
                                 f"got shape {y.shape}")
            Y = as_float_array(y.astype(self.dtype) if y.dtype.kind in "biu" else y, name)
            return cast(Y, self.dtype, name), np.argmax(Y, axis=1)
        if y.dtype.kind in "biu":
            y = y.astype(self.dtype)
        y = cast(as_float_array(y, name), self.dtype, name)
        if y.ndim == 1 and n_out == 1:      # (m,) against outputs (m, 1) would broadcast to (m, m)
            y = y.reshape(-1, 1)
        if self.name is not None and self.name in _losses.NAMES:   # nnlab's own losses
            if y.ndim != 2 or y.shape[1] != n_out:
                raise ValueError(f"{name} has shape {y.shape} but the model has {n_out} "
                                 f"output{'s' if n_out != 1 else ''}; expected shape "
                                 f"(m, {n_out}){' or (m,)' if n_out == 1 else ''}")
        return y, (y if self.name in _BINARY else None)

    def __call__(self, targets, labels, out, need_grad=True):
        if self.fused:
            return self._softmax_cross_entropy(targets, labels, out, need_grad)
        value = self.loss.value(targets, out)
        if not self._own:
            value = _loss_number(value)
            grad = _loss_gradient(self.loss.gradient(targets, out), out) if need_grad else None
        else:
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


def _loss_number(value) -> float:
    """A custom loss's ``value(...)`` as a float, or an error naming ``loss``."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"loss.value(y, out) must return a number (the mean loss); got "
                        f"{type(value).__name__} {value!r:.60}")
    return float(value)


def _loss_gradient(grad, out) -> np.ndarray:
    """A custom loss's ``gradient(...)``: an array shaped like the model's output."""
    if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f" or grad.shape != out.shape:
        what = (f"shape {grad.shape}" if isinstance(grad, np.ndarray) else type(grad).__name__)
        raise ValueError(f"loss.gradient(y, out) must return a float array shaped like the "
                         f"model's output {out.shape}; got {what} (are y and out shaped alike? "
                         f"(m,) against (m, 1) broadcasts to (m, m))")
    return grad


# ------------------------------------------------------------------------- fit
#: Divergence: the loss is declared divergent when it is NaN or infinite, or
#: when it exceeds DIVERGENCE_FACTOR times its value at the start for
#: DIVERGENCE_PATIENCE updates in a row, or for a whole epoch on average.
DIVERGENCE_FACTOR = 1e4
DIVERGENCE_PATIENCE = 5
_REFERENCE_ROWS = 256       # rows of X used for the starting loss (one forward pass)


def fit(model, X, y, *, loss="softmax_cross_entropy", optimizer="sgd", lr=None, epochs=10,
        batch_size=32, validation=None, schedule=None, schedule_unit="step", clip_norm=None,
        clip_value=None, early_stopping=None, seed=None, progress=True) -> History:
    """Train ``model`` on ``(X, y)`` and return a :class:`History`.

    Parameters
    ----------
    model : a :class:`~nnlab.layers.Sequential` (anything with ``forward``,
        ``backward``, ``params`` and ``grads``); trained in place.
    X, y : samples in rows, finite (NaN or infinity is a ``ValueError``);
        ``y`` integer labels ``(m,)`` (or ``(m, 1)``) or one-hot rows for the
        cross-entropy losses, values for the regression losses.
    loss : a name of :mod:`nnlab.losses` or a loss object (default: softmax
        cross-entropy on logits).
    optimizer : a name (``"sgd"``, ``"adam"``, ...) or an :mod:`nnlab.optim`
        object. ``lr`` goes with a name (``None``: that optimizer's default).
    epochs : number of passes over the data.
    batch_size : ``None`` (batch GD), ``1`` (SGD) or ``k`` (mini-batch). When
        the number of samples m leaves a single sample over (m mod k = 1,
        e.g. 33 samples, batch 32), that sample joins the previous batch
        (one batch of k + 1): a one-sample batch gives a very noisy update
        and cannot train BatchNorm. Other remainders form a smaller last
        batch, as in PyTorch. A model with BatchNorm needs batches of at
        least 2 samples: ``batch_size=1`` is rejected before training.
    validation : ``(X_val, y_val)`` evaluated (in eval mode) after every epoch.
    schedule : a function ``step -> lr`` (see :mod:`nnlab.schedules`), called
        before every update (``schedule_unit="step"``, steps counted from 0
        across epochs) or at the start of every epoch (``"epoch"``). It must
        return a finite lr >= 0; lr = 0 (e.g. the end of a cosine schedule)
        is allowed and leaves the weights unchanged.
    clip_norm : rescale the gradients when their global norm exceeds it
        (as ``torch.nn.utils.clip_grad_norm_``); clip_value : clip every
        gradient entry to ``[-clip_value, clip_value]``.
    early_stopping : ``None`` or a patience ``p``: stop when the validation
        loss (the training loss without ``validation``) has not improved for
        ``p`` epochs, and restore the weights of the best epoch.
    seed : the shuffling. ``None`` (default) draws from nnlab's package
        generator (reset by ``nnlab.seed``), so every epoch and every call
        gets a new order while a seeded notebook stays reproducible; an int
        gives a private order (the same for the same int), a Generator is
        used as is. Dropout masks come from the layers' own ``rng``.
    progress : a line per epoch (a progress bar in Jupyter when ``tqdm`` is
        installed); ``False`` is silent.

    Modes: the model is put in train mode (``model.train()``) for the updates
    and in eval mode for the validation; on return (or on an error) every
    layer is back in the mode it had before the call.

    Divergence raises ``FloatingPointError`` (naming the epoch and saying to
    lower the learning rate): when the loss becomes NaN or infinite, or stays
    above ``DIVERGENCE_FACTOR`` (1e4) times its starting value for
    ``DIVERGENCE_PATIENCE`` (5) updates in a row or for an epoch on average.
    The starting value is the larger of the first batch's loss and the loss of
    the initial model on the first 256 samples (eval mode), so a lucky first
    sample cannot make normal noise look like divergence. (A careful
    library's choice: a loss 10,000 times its start never comes back by
    itself; the constants are module attributes of :mod:`nnlab.train`.) The
    weights are left as they were when the error was raised.
    """
    _check_model(model)
    dtype = np.dtype(getattr(model, "dtype", np.float64))
    X = _as_inputs(X, "X", dtype)
    m = len(X)
    y = _as_targets(y, "y")
    if len(y) != m:
        raise ValueError(f"X has {m} samples (rows) but y has {len(y)}; they must match")
    epochs = check_int(epochs, "epochs")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size")
    if schedule is not None and not callable(schedule):
        raise TypeError("schedule must be a function step -> lr (e.g. an nnlab.schedules object)")
    if not isinstance(schedule_unit, str) or schedule_unit not in ("step", "epoch"):
        raise ValueError(f"schedule_unit must be 'step' or 'epoch'; got {schedule_unit!r}")
    clip_norm = None if clip_norm is None else check_positive(clip_norm, "clip_norm")
    clip_value = None if clip_value is None else check_positive(clip_value, "clip_value")
    patience = None if early_stopping is None else check_int(early_stopping, "early_stopping", minimum=0)
    if not isinstance(progress, (bool, np.bool_, int, np.integer)):
        raise TypeError(f"progress must be True or False; got {type(progress).__name__}")
    _check_batch_sizes(model, m, batch_size)
    opt = _make_optimizer(optimizer, lr)
    rng = as_rng(seed, "seed")

    objective = _Objective(loss, dtype)
    n_out = _output_width(model, X[:1])
    targets, labels = objective.prepare(y, n_out)
    val = None
    if validation is not None:
        if isinstance(validation, (str, bytes, dict)):
            raise TypeError(f"validation must be a pair (X_val, y_val); got {type(validation).__name__}")
        try:
            Xv, yv = validation
        except (TypeError, ValueError) as err:
            raise TypeError("validation must be a pair (X_val, y_val)") from err
        Xv = _as_inputs(Xv, "validation X", dtype)
        yv = _as_targets(yv, "validation y")
        if len(Xv) != len(yv):
            raise ValueError(f"validation X has {len(Xv)} samples but validation y has {len(yv)}; they must match")
        _output_width(model, Xv[:1], "validation X")
        val = (Xv, *objective.prepare(yv, n_out, "validation y"))

    restore_modes = _enter_train_mode(model)
    try:
        return _train(model, X, targets, labels, objective, opt, rng, epochs, batch_size, val,
                      schedule, schedule_unit, clip_norm, clip_value, patience, progress)
    finally:
        restore_modes()


def _train(model, X, targets, labels, objective, opt, rng, epochs, batch_size, val, schedule,
           schedule_unit, clip_norm, clip_value, patience, progress) -> History:
    """The loop of :func:`fit`, on checked arguments, in train mode."""
    m = len(X)
    forward, backward = _forward_fn(model), _backward_fn(model)
    params, grads = model.params, model.grads
    groups = _grad_groups(model)
    history = History(grad_norm={name: [] for name, _ in groups})
    reporter = _Reporter(progress, epochs)
    best = (np.inf, None, None)          # (monitored loss, epoch, weights)
    step = 0
    n_batches = 1 if batch_size is None else len(_bounds(m, batch_size)) - 1
    # gradient norms for the History: on every update, or on about 32 evenly spaced
    # updates per epoch when there are many (reading all gradients costs ~4% of a step)
    norm_every = max(1, n_batches // 32)
    # divergence: the loss at the start (see fit's docstring); above `limit` for
    # DIVERGENCE_PATIENCE updates in a row is divergence
    start = _start_loss(model, objective, X, targets, labels)
    limit = math.inf
    above = 0
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(epochs):
                t0 = time.perf_counter()
                if schedule is not None and schedule_unit == "epoch":
                    opt.lr = _scheduled_lr(schedule, epoch, "epoch")
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
                        out = forward(Xb, True)
                        value, dout, correct = objective(tb, lb, out)
                        if math.isfinite(value):
                            backward(dout, input_grad=False)
                    except ValueError as err:              # NaN or inf reached a checked function
                        if not _numerical_failure(err, params):
                            raise
                        what = f"NaN or infinity appeared ({err})"
                        if step == 0:                      # before any update: not the lr
                            raise _bad_start(model, X, what) from err
                        raise _diverged(epoch, step, opt, what) from err
                    if not math.isfinite(value):
                        if step == 0:
                            raise _bad_start(model, X, f"the loss is {value}")
                        raise _diverged(epoch, step, opt, f"the loss became {value}")
                    if step == 0:
                        start = max(start, value)
                        limit = DIVERGENCE_FACTOR * start if start > 0 else math.inf
                    elif value > limit:
                        above += 1
                        if above >= DIVERGENCE_PATIENCE:
                            raise _diverged(epoch, step, opt,
                                            f"the loss stayed above {DIVERGENCE_FACTOR:g} times its start "
                                            f"({start:.4g}) for {above} updates in a row (now {value:.4g})")
                    else:
                        above = 0
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
                        opt.lr = _scheduled_lr(schedule, step, "step")
                    opt.step(params, grads)
                    step += 1
                    n_updates += 1
                    k = len(Xb)
                    loss_sum += value * k
                    n_seen += k
                    if correct is not None:
                        n_correct += correct

                epoch_loss = loss_sum / n_seen
                if epoch_loss > limit:
                    raise _diverged(epoch, step - 1, opt,
                                    f"the epoch's mean loss {epoch_loss:.4g} is above "
                                    f"{DIVERGENCE_FACTOR:g} times its start ({start:.4g})")
                history.loss.append(epoch_loss)
                history.accuracy.append(None if labels is None else n_correct / n_seen)
                history.lr.append(float(opt.lr))
                history.updates.append(n_updates)
                for (name, _), s in zip(groups, norm_sums):
                    history.grad_norm[name].append(float(s / n_normed))
                if val is not None:
                    try:
                        with _inference(model):
                            v_loss, v_acc = _evaluate(model, objective, *val, name="validation X")
                    except ValueError as err:      # finite data, trained weights: divergence
                        raise _diverged(epoch, step - 1, opt, f"on the validation set: {err}") from err
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
    finally:
        reporter.close()
    if patience is not None and best[2] is not None:
        _set_weights(model, best[2])
        history.best_epoch = best[1]
    return history


def evaluate(model, X, y, loss="softmax_cross_entropy"):
    """``(loss, accuracy)`` of ``model`` on ``(X, y)`` (accuracy ``None`` for regression).

    Inference in eval mode that changes no state: the model's mode, BatchNorm's
    running statistics and the random generators are as before the call.
    ``X`` and ``y`` are checked as in :func:`fit` (finite, one row per sample).
    """
    _check_model(model)
    dtype = np.dtype(getattr(model, "dtype", np.float64))
    X = _as_inputs(X, "X", dtype)
    y = _as_targets(y, "y")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples (rows) but y has {len(y)}; they must match")
    objective = _Objective(loss, dtype)
    with _inference(model):
        targets, labels = objective.prepare(y, _output_width(model, X[:1]))
        return _evaluate(model, objective, X, targets, labels)


# --------------------------------------------------------------------- helpers
def _not_finite(model, name):
    if not all(np.isfinite(p).all() for p in model.params):
        return ValueError("the model's output is NaN or infinite because its weights contain NaN "
                          "or infinity (did training diverge?)")
    return ValueError(f"the model's output is NaN or infinite although {name} is finite: the "
                      f"computation overflowed; standardize {name}")


def _check_model(model):
    for attr in ("forward", "backward", "params", "grads"):
        if not hasattr(model, attr):
            raise TypeError(f"model must be an nnlab model with .{attr} (e.g. nnlab.mlp(...)); "
                            f"got {type(model).__name__}")


def _backward_fn(model):
    """``g(dY)``: a Sequential's unchecked backward pass (dY comes from the loss)."""
    if isinstance(model, Sequential):
        return model._backward
    return model.backward


def _forward_fn(model):
    """``f(X, training)``: a Sequential's unchecked pass (X is checked once, up front)."""
    if isinstance(model, Sequential):
        return model._forward
    return lambda Xb, training: model.forward(Xb, training=training)


@contextlib.contextmanager
def _inference(model):
    """Eval mode for a Sequential, its state restored afterwards (nothing for other models)."""
    if isinstance(model, Sequential):
        with model._inference():
            yield
    else:
        yield


def _enter_train_mode(model):
    """Put ``model`` in train mode; returns a function that restores every mode."""
    if isinstance(model, Sequential):
        saved = (model.training, [getattr(layer, "training", True) for layer in model.layers])
        model.train()

        def restore():
            model.training = saved[0]
            for layer, mode in zip(model.layers, saved[1]):
                layer.training = mode
        return restore
    if hasattr(model, "train") and isinstance(getattr(model, "training", None), bool):
        was = model.training
        model.train()
        return lambda: model.train(was)
    return lambda: None


def _evaluate(model, objective, X, targets, labels, chunk=8192, name="X"):
    """Loss and accuracy in chunks; ValueError if the output is not finite."""
    forward = _forward_fn(model)
    m = len(X)
    loss_sum, correct = 0.0, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for s in range(0, m, chunk):
            try:
                out = forward(X[s:s + chunk], False)
            except ValueError as err:          # a layer met an overflowed value
                if "NaN or infinity" not in str(err):
                    raise
                raise _not_finite(model, name) from err
            if not np.isfinite(out).all():
                raise _not_finite(model, name)
            lb = None if labels is None else labels[s:s + chunk]
            value, _, c = objective(targets[s:s + chunk], lb, out, need_grad=False)
            if not math.isfinite(value):
                raise ValueError(f"the loss on {name} is {value}: the model's outputs are too "
                                 f"large (up to {float(np.abs(out).max()):.3g}); standardize {name}")
            loss_sum += value * len(out)
            correct += c or 0
    return loss_sum / m, (None if labels is None else correct / m)


def _start_loss(model, objective, X, targets, labels):
    """The initial model's loss on the first rows, in eval mode (no state changed)."""
    n = min(len(X), _REFERENCE_ROWS)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), _inference(model):
            value, _, _ = objective(targets[:n], None if labels is None else labels[:n],
                                    _forward_fn(model)(X[:n], False), need_grad=False)
    except ValueError:                  # NaN at the start: the first update reports it
        return -math.inf
    return value if math.isfinite(value) else -math.inf


def _numerical_failure(err, params) -> bool:
    """Did a ValueError come from NaN / infinity made by the model (X and y are finite)?"""
    text = str(err)
    if "NaN" in text or "infinit" in text:
        return True
    return not all(np.isfinite(p).all() for p in params)


def _scheduled_lr(schedule, t, unit) -> float:
    value = schedule(t)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    # a real number (not a bool, not a string such as "0.1"), as for opt.lr
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"schedule({t}) (the {unit}) must return a number; got {value!r}")
    lr = float(value) + 0.0                    # -0.0 becomes 0.0
    if not (math.isfinite(lr) and lr >= 0):
        raise ValueError(f"schedule({t}) (the {unit}) returned lr={value!r}; a learning rate must "
                         f"be a finite number >= 0")
    return lr


def _bounds(m, batch_size):
    """Start and end rows of the mini-batches: 0, k, 2k, ..., m; a single
    leftover sample (m mod k = 1, k > 1) joins the previous batch."""
    bounds = list(range(0, m, batch_size)) + [m]
    if batch_size > 1 and len(bounds) > 2 and bounds[-1] - bounds[-2] == 1:
        del bounds[-2]
    return bounds


def _batches(m, batch_size, rng):
    """Row indices of each mini-batch of one epoch (``None``: all rows, in order)."""
    if batch_size is None:
        yield None
        return
    order = rng.permutation(m)
    bounds = _bounds(m, batch_size)
    for start, stop in zip(bounds[:-1], bounds[1:]):
        yield order[start:stop]


def _check_batch_sizes(model, m, batch_size):
    """Fail before training when a layer cannot train on the smallest batch."""
    need, who = 1, None
    for i, layer in enumerate(getattr(model, "layers", [])):
        k = getattr(layer, "min_train_batch", 1)
        if k > need:
            need, who = k, f"layer {i} ({type(layer).__name__})"
    if need <= 1:
        return
    if m < need:
        raise ValueError(f"X has {m} sample{'s' if m != 1 else ''} but {who} needs at least {need} "
                         f"samples per batch in training")
    if batch_size is not None:
        bounds = _bounds(m, batch_size)
        smallest = min(b - a for a, b in zip(bounds[:-1], bounds[1:]))
        if smallest < need:
            raise ValueError(f"batch_size={batch_size} gives batches of {smallest} sample(s) but {who} "
                             f"needs at least {need} per batch in training; use batch_size >= {need}")


def _as_inputs(X, name, dtype):
    return np.ascontiguousarray(cast(as_matrix(X, name), dtype, name))


def _as_targets(y, name):
    """``y`` as a NumPy array of real numbers with one entry (or row) per sample."""
    if y is None:
        raise TypeError(f"{name} must be an array of targets, one per sample; got None")
    if not isinstance(y, np.ndarray):
        try:
            y = np.asarray(y)
        except (TypeError, ValueError) as err:     # ragged lists
            raise TypeError(f"{name} must be a rectangular array of numbers (one entry or row "
                            f"per sample); got a ragged {type(y).__name__}") from err
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers; got dtype {y.dtype}")
    if y.ndim == 0:
        raise ValueError(f"{name} must have one entry per sample, shape (m,) or (m, k); got a scalar")
    if y.ndim > 2:
        raise ValueError(f"{name} must have shape (m,) or (m, k); got shape {y.shape}")
    if len(y) == 0:
        raise ValueError(f"{name} is empty; expected one entry per sample")
    return y


def _make_optimizer(optimizer, lr):
    if isinstance(optimizer, _optim.Optimizer):
        if lr is not None:
            raise ValueError("lr given together with an optimizer object; set lr when creating the optimizer")
        return optimizer
    if isinstance(optimizer, str):
        return _optim.get(optimizer) if lr is None else _optim.get(optimizer, lr=lr)
    if isinstance(optimizer, type):
        raise TypeError(f"optimizer must be a name or an optimizer object, e.g. "
                        f"{optimizer.__name__}(lr=0.01); got the class {optimizer.__name__} itself")
    if hasattr(optimizer, "step"):
        if not hasattr(optimizer, "lr"):   # fit records (and schedules set) opt.lr
            raise TypeError(f"optimizer {type(optimizer).__name__} has .step but no .lr; "
                            "an optimizer object needs both (see nnlab.optim.Optimizer)")
        return optimizer
    raise TypeError(f"optimizer must be a name or an nnlab.optim optimizer; got {type(optimizer).__name__}")


def _output_width(model, X1, name="X"):
    """The number of outputs, from one row in eval mode (no state changed)."""
    try:
        with np.errstate(over="ignore", invalid="ignore"), _inference(model):
            out = _forward_fn(model)(X1, False)
    except ValueError as err:
        if "NaN" in str(err) or "infinit" in str(err):
            raise ValueError(f"the model's forward pass on {name} gives NaN or infinity before any "
                             f"training ({err}); its weights are too large or not finite") from err
        if name == "X":
            raise
        raise ValueError(f"{name}: {err}") from err
    out = np.asarray(out)
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


def _bad_start(model, X, what) -> ValueError:
    """Non-finite numbers before any update: the data or the initial weights, not the lr."""
    if not all(np.isfinite(p).all() for p in model.params):
        cause = "the model's weights contain NaN or infinity"
    else:
        cause = (f"the forward pass overflowed: X has entries up to {float(np.abs(X).max()):.3g} "
                 f"(standardize X) or the initial weights are too large")
    return ValueError(f"before any update, on the first batch: {what}; {cause}")


def _diverged(epoch, step, opt, what) -> FloatingPointError:
    lr = getattr(opt, "lr", None)
    lr = f"lr={lr:g}" if isinstance(lr, (int, float, np.floating)) else "the learning rate"
    return FloatingPointError(
        f"training diverged in epoch {epoch + 1} (update {step + 1}): {what}. "
        f"Lower the learning rate: {lr} is likely too high (or the gradients exploded). "
        f"Also try gradient clipping (clip_norm=1.0), standardized inputs or BatchNorm."
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
