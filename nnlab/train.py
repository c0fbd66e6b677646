"""The training loop: fit, the steps it is made of, and evaluate.

One epoch of mini-batch gradient descent:

    for each mini-batch (X_b, y_b) of a shuffled pass over the data:
        out = model.forward(X_b)                   forward pass
        J = loss(y_b, out)                         the batch's loss
        model.backward(dJ/d out)                   fills model.grads
        [clip the gradients]                       optional
        optimizer.step(model.params, model.grads)  update the weights

fit is made of named steps that can be read (and used) one by one:

    train_step   one update on one mini-batch: forward pass, loss,
                 backward pass, update; returns the batch's loss
    run_epoch    one pass over the data, one train_step per mini-batch
                 (the batches of nnlab.data.minibatch_indices)
    EarlyStopping  stops when the monitored loss no longer improves and
                 puts the best weights back
    History      what fit records, one entry per epoch

batch_size=None is batch gradient descent (one update per epoch),
batch_size=1 stochastic gradient descent, batch_size=k mini-batch gradient
descent (⌈m/k⌉ updates per epoch; when m mod k = 1 the single leftover
sample joins the previous batch, so that no update is made from one
sample).

fit trains in train mode (model.train()) and leaves the model in the mode
it found; evaluate (and model.predict) infer in eval mode and change no
state. The shuffling draws from nnlab's package generator (nnlab.seed)
unless seed= is given.

The training loss and accuracy of an epoch are running means over its
mini-batches, weighted by batch size (no extra pass over the data). The
model changes during the epoch, so they lag slightly behind a fresh
evaluation, which is why the training loss of the first epoch is often
above the validation loss.

Softmax + cross-entropy on logits (the default loss, with
mlp(..., output=None)) is computed in one fused step: the gradient is
(softmax(Z) − Y) / m, without ever forming log p.
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
from ._validate import (as_float_array, as_matrix, as_rng, cast, check_flag,
                        check_int, check_positive, checks, class_labels,
                        describe)
from .data import minibatch_indices
from .layers import Sequential

__all__ = ["fit", "evaluate", "train_step", "run_epoch", "EarlyStopping",
           "History", "Objective"]

_CLASSIFICATION = ("softmax_cross_entropy", "cross_entropy")
_BINARY = {"sigmoid_cross_entropy": 0.0,       # decision thresholds
           "binary_cross_entropy": 0.5}


# --------------------------------------------------------------------- History
@dataclass
class History:
    """What fit records, one entry per epoch.

    loss, accuracy: running means over the epoch's mini-batches (accuracy
    is None for regression losses). val_loss, val_accuracy: on the
    validation set after the epoch (empty lists without one). lr: the
    learning rate of the epoch's last update. updates: optimizer steps in
    the epoch. grad_norm: for each layer with parameters (keys such as
    "0:Dense"), the mean over the epoch's updates of the norm of that
    layer's gradient before clipping; watch it for vanishing or exploding
    gradients. (With more than 64 updates per epoch the mean is taken over
    every k-th update, k = updates // 32, to keep its cost negligible.)
    best_epoch (0-based) is the epoch whose weights the model ends with
    when early_stopping is on. seconds (wall time per epoch) is not
    compared by ==.
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
        return {"loss": self.loss, "accuracy": self.accuracy,
                "val_loss": self.val_loss, "val_accuracy": self.val_accuracy,
                "lr": self.lr, "updates": self.updates,
                "grad_norm": self.grad_norm, "best_epoch": self.best_epoch,
                "stopped_early": self.stopped_early, "seconds": self.seconds}

    def __repr__(self):
        if not self.loss:
            return "History(no epochs)"
        last = _epoch_line(self, len(self.loss) - 1)
        return f"History({len(self.loss)} epochs; last: {last})"


# ------------------------------------------------------------------- Objective
class Objective:
    """The loss of a batch, its gradient and the number of right answers.

    objective(targets, labels, out) returns (J, dJ/d out, correct):
    targets are what the loss takes (labels, one-hot rows or values, as
    prepare returns them), labels the integer classes for the accuracy
    (None when the loss is not a classification loss; correct is then
    None too). loss is a name of nnlab.losses or an object with .value
    and .gradient. With fused=True (the default), softmax cross-entropy
    on logits is computed in one step: J and (softmax(Z) − Y) / m from
    one softmax, without forming log p; fused=False calls the loss's own
    value and gradient. dtype is that of the model's arrays.
    """

    def __init__(self, loss="softmax_cross_entropy", dtype=np.float64, *,
                 fused=True):
        self.loss = _losses.get(loss) if isinstance(loss, str) else loss
        if not (hasattr(self.loss, "value")
                and hasattr(self.loss, "gradient")):
            raise TypeError("loss must be a name of nnlab.losses or an "
                            "object with .value and .gradient")
        self.name = getattr(self.loss, "name", None)
        self._own = isinstance(self.loss, _losses.Loss)   # checks itself
        self.fused = (check_flag(fused, "fused")
                      and self.name == "softmax_cross_entropy")
        self.dtype = dtype
        self._rows = np.arange(0)

    def prepare(self, y, n_out, name="y"):
        """Check y once and split it into (targets, labels for accuracy).

        Classification losses take integer labels of shape (m,) (a column
        (m, 1) is the same labels) or one-hot / soft rows of shape
        (m, n_out); float or boolean labels are a TypeError (a class is a
        whole number). nnlab's other losses take values of shape
        (m, n_out), or (m,) when the model has n_out = 1 output.
        """
        y = _as_targets(y, name)
        if self.name in _CLASSIFICATION:
            return self._class_targets(y, n_out, name)
        if y.dtype.kind in "biu":
            y = y.astype(self.dtype)
        y = cast(as_float_array(y, name), self.dtype, name)
        if y.ndim == 1 and n_out == 1:
            y = y.reshape(-1, 1)     # (m,) against (m, 1) would give (m, m)
        if self.name is not None and self.name in _losses.NAMES \
                and (y.ndim != 2 or y.shape[1] != n_out):
            many = "s" if n_out != 1 else ""
            also = " or (m,)" if n_out == 1 else ""
            raise ValueError(f"{name} has shape {y.shape} but the model has "
                             f"{n_out} output{many}; expected shape "
                             f"(m, {n_out}){also}")
        return y, (y if self.name in _BINARY else None)

    def _class_targets(self, y, n_out, name):
        """Labels (m,) or one-hot rows (m, n_out) for a classification loss."""
        # one label per row: (m,), or a column (m, 1) unless n_out is 1
        per_row = y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1
                                  and n_out != 1)
        if per_row and y.dtype.kind in "iu":
            labels = class_labels(y, name)
            low, high = labels.min(), labels.max()
            if low < 0 or high >= n_out:
                raise ValueError(
                    f"{name} has labels from {low} to {high} but the model "
                    f"has {n_out} outputs; expected labels in [0, {n_out})")
            return labels, labels
        if per_row:
            kind = ("booleans" if y.dtype == bool else "floating-point "
                    f"values (e.g. {y.flat[0].item()!r})")
            raise TypeError(
                f"{name} holds {kind}, but {self.name} needs integer class "
                f"labels of shape (m,) or one-hot rows of shape (m, {n_out})"
                "; if the values are whole numbers, convert them with "
                f"{name.split()[-1]}.astype(int)")
        if y.ndim != 2 or y.shape[1] != n_out:
            raise ValueError(f"{name} must be integer labels (m,) or one-hot "
                             f"(m, {n_out}); got shape {y.shape}")
        Y = y.astype(self.dtype) if y.dtype.kind in "biu" else y
        Y = as_float_array(Y, name)
        return cast(Y, self.dtype, name), np.argmax(Y, axis=1)

    def __call__(self, targets, labels, out, need_grad=True):
        if self.fused:
            return self._softmax_cross_entropy(targets, labels, out,
                                               need_grad)
        value = self.loss.value(targets, out)
        if not self._own:
            value = _loss_number(value)
        grad = self.loss.gradient(targets, out) if need_grad else None
        if grad is not None and not self._own:
            grad = _loss_gradient(grad, out)
        correct = None
        if labels is not None and self.name in _BINARY:
            pred = out > _BINARY[self.name]
            right = pred.reshape(labels.shape) == (labels > 0.5)
            correct = int(np.count_nonzero(right))
        elif labels is not None:
            right = np.argmax(out, axis=1) == labels
            correct = int(np.count_nonzero(right))
        return value, grad, correct

    def _softmax_cross_entropy(self, targets, labels, Z, need_grad):
        """Softmax + cross-entropy on logits Z of shape (m, K), fused:

            J = (1/m) Σ_i (log Σ_k exp(z_ik) − z_i,y_i)
            dJ/dZ = (softmax(Z) − Y) / m
        """
        m = Z.shape[0]
        shifted = Z - Z.max(axis=1, keepdims=True)    # exponents <= 0
        P = np.exp(shifted)
        sums = P.sum(axis=1, keepdims=True)
        log_sums = np.log(sums)
        if targets.ndim == 1:                          # integer labels
            if self._rows.size != m:
                self._rows = np.arange(m)
            picked = shifted[self._rows, targets].sum()
            value = float(log_sums.sum() - picked) / m
        else:                                          # one-hot or soft
            value = float(np.sum(targets * (log_sums - shifted))) / m
        correct = (None if labels is None else
                   int(np.count_nonzero(shifted.argmax(axis=1) == labels)))
        if not need_grad:
            return value, None, correct
        P /= sums                                      # softmax(Z)
        if targets.ndim == 1:
            P[self._rows, targets] -= 1                # softmax(Z) − Y
        else:
            P -= targets
        P *= 1.0 / m
        return value, P, correct


def _loss_number(value) -> float:
    """A custom loss's value(...) as a float, or an error naming loss."""
    if isinstance(value, np.ndarray) and value.size == 1 \
            and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) \
            or not isinstance(value, numbers.Real):
        raise TypeError("loss.value(y, out) must return a number (the mean "
                        f"loss); got {type(value).__name__} {value!r:.60}")
    return float(value)


def _loss_gradient(grad, out) -> np.ndarray:
    """A custom loss's gradient(...): a float array shaped like out."""
    if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f" \
            or grad.shape != out.shape:
        what = (f"shape {grad.shape}" if isinstance(grad, np.ndarray)
                else type(grad).__name__)
        raise ValueError(
            "loss.gradient(y, out) must return a float array shaped like the "
            f"model's output {out.shape}; got {what} (are y and out shaped "
            "alike? (m,) against (m, 1) broadcasts to (m, m))")
    return grad


# ------------------------------------------------------------------ train_step
def _check_parts(model, objective, optimizer):
    _check_model(model)
    _check_objective(objective)
    _check_optimizer(optimizer)


def _check_step(model, X_batch, targets, objective, optimizer, *,
                labels=None, before_update=None):
    _check_parts(model, objective, optimizer)
    if before_update is not None and not callable(before_update):
        raise TypeError("before_update must be a function of the loss or "
                        f"None; got {describe(before_update)}")
    X_batch = _as_inputs(X_batch, "X_batch", _dtype(model))
    return {"X_batch": X_batch,
            "targets": _rows_like(targets, "targets", X_batch),
            "labels": _rows_like(labels, "labels", X_batch)}


@checks(_check_step)
def train_step(model, X_batch, targets, objective, optimizer, *,
               labels=None, before_update=None):
    """One step of gradient descent on one mini-batch.

    1. forward pass:   out = model(X_batch), in training mode
    2. loss:           J, dJ/d out, correct = objective(targets, labels, out)
    3. backward pass:  fills model.grads with dJ/dθ
    4. update:         optimizer.step(model.params, model.grads)

    Returns (J, correct): the batch's loss, computed before the update,
    and its number of right answers (None when labels is None). targets
    and labels are as Objective.prepare returns them.

    before_update(J), if given, runs between steps 3 and 4: fit watches
    the loss for divergence, clips the gradients and sets a scheduled
    learning rate there. If it returns False, there is no update. A loss
    that is NaN or infinite stops the step before step 3: the caller
    sees it in J and decides (fit raises an error).
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = _forward_fn(model)(X_batch, True)
        loss, dout, correct = objective(targets, labels, out)
        if not math.isfinite(loss):
            return loss, correct          # no backward pass, no update
        _backward_fn(model)(dout, input_grad=False)
        if before_update is None or before_update(loss) is not False:
            optimizer.step(model.params, model.grads)
    return loss, correct


_train_step = train_step.__wrapped__     # without the input checks


# ------------------------------------------------------------------- run_epoch
def _check_epoch(model, X, targets, objective, optimizer, *, labels=None,
                 batch_size=None, rng=None, step=None):
    _check_parts(model, objective, optimizer)
    if step is not None and not callable(step):
        raise TypeError("step must be a function like train_step or None; "
                        f"got {describe(step)}")
    X = _as_inputs(X, "X", _dtype(model))
    batch_size = check_int(batch_size, "batch_size", typed=True,
                           none_means="full batch")
    return {"X": X, "targets": _rows_like(targets, "targets", X),
            "labels": _rows_like(labels, "labels", X),
            "batch_size": batch_size, "rng": as_rng(rng)}


@checks(_check_epoch)
def run_epoch(model, X, targets, objective, optimizer, *, labels=None,
              batch_size=None, rng=None, step=None):
    """One pass over the data (an epoch): one step per mini-batch.

    The rows are cut into mini-batches by nnlab.data.minibatch_indices,
    shuffled by rng (batch_size=None: all rows in order, one update); a
    single leftover sample joins the previous batch. step is train_step
    (the default) or a function called like it (fit passes one that also
    checks for divergence). Returns (loss, accuracy, updates): the loss
    and accuracy are running means over the batches, weighted by batch
    size (accuracy is None when labels is None).
    """
    step = _train_step if step is None else step
    total, n_correct, n_updates = 0.0, 0, 0
    for rows in minibatch_indices(len(X), batch_size, rng=rng, last="join",
                                  shuffle=batch_size is not None):
        X_b, t_b = _take(X, rows), _take(targets, rows)
        l_b = (None if labels is None
               else t_b if labels is targets else _take(labels, rows))
        loss, correct = step(model, X_b, t_b, objective, optimizer,
                             labels=l_b)
        total += loss * len(X_b)
        n_correct += correct or 0
        n_updates += 1
    accuracy = None if labels is None else n_correct / len(X)
    return total / len(X), accuracy, n_updates


_run_epoch = run_epoch.__wrapped__


def _take(a, rows):
    """The rows of a: a view for a slice, a copy for an index array."""
    return a[rows] if isinstance(rows, slice) else a.take(rows, axis=0)


# --------------------------------------------------------------- EarlyStopping
class EarlyStopping:
    """Stop training when the monitored loss no longer improves.

    After every epoch, update(loss, epoch, model) keeps a copy of the
    model's weights (params and buffers) when loss is the lowest so far,
    and returns True once patience epochs have passed without a new best.
    restore() then puts the best weights back into the model (in place)
    and returns the best epoch (0-based; None if there was none).
    """

    def __init__(self, patience: int):
        self.patience = check_int(patience, "patience", minimum=0)
        self.best_loss = math.inf
        self.best_epoch = None
        self.best_weights = None

    def update(self, loss, epoch, model) -> bool:
        """Remember the weights if loss is a new best; True: stop now."""
        if loss < self.best_loss:
            self.best_loss, self.best_epoch = loss, epoch
            self.best_weights = _SavedArrays(_weights(model))
            return False
        return self.best_epoch is not None \
            and epoch - self.best_epoch >= self.patience

    def restore(self) -> int | None:
        """Put the best epoch's weights back; returns that epoch."""
        if self.best_weights is not None:
            self.best_weights.restore()
        return self.best_epoch


def _weights(model) -> list:
    """The arrays a model learns, updated in place: params, then buffers."""
    return list(model.params) + list(getattr(model, "buffers", []))


class _SavedArrays:
    """Copies of arrays that training changes in place (weights, buffers,
    gradients); restore() writes them back into the same arrays."""

    def __init__(self, arrays=()):
        self.saved = []
        self._ids = set()
        self.add(arrays)

    def add(self, arrays) -> None:
        for a in arrays:
            if isinstance(a, np.ndarray) and id(a) not in self._ids:
                self._ids.add(id(a))
                self.saved.append((a, a.copy()))

    def restore(self) -> None:
        for a, copy in self.saved:
            if a.flags.writeable:
                a[...] = copy


# ------------------------------------------------------------------------- fit
#: Divergence: the loss is declared divergent when it is NaN or infinite, or
#: when it exceeds DIVERGENCE_FACTOR times its value at the start for
#: DIVERGENCE_PATIENCE updates in a row, or for a whole epoch on average.
DIVERGENCE_FACTOR = 1e4
DIVERGENCE_PATIENCE = 5
_REFERENCE_ROWS = 256       # rows of X for the starting loss (one forward)


def fit(model, X, y, *, loss="softmax_cross_entropy", optimizer="sgd",
        lr=None, epochs=10, batch_size=32, validation=None, schedule=None,
        schedule_unit="step", clip_norm=None, clip_value=None,
        early_stopping=None, seed=None, progress=True) -> History:
    """Train model on (X, y) and return a History.

    model: a Sequential (or anything with forward, backward, params and
        grads); trained in place.
    X, y: samples in rows, finite (NaN or infinity is a ValueError); y
        holds integer labels (m,) (or (m, 1)) or one-hot rows for the
        cross-entropy losses, values for the regression losses.
    loss: a name of nnlab.losses or a loss object (default: softmax
        cross-entropy on logits).
    optimizer: a name ("sgd", "adam", ...) or an nnlab.optim object. lr
        goes with a name (None: that optimizer's default).
    epochs: the number of passes over the data.
    batch_size: None (batch gradient descent), 1 (stochastic) or k
        (mini-batch). When the number of samples m leaves a single sample
        over (m mod k = 1, e.g. 33 samples, batch 32), that sample joins
        the previous batch (one batch of k + 1): a one-sample batch gives
        a very noisy update and cannot train BatchNorm. Other remainders
        form a smaller last batch, as in PyTorch. A model with BatchNorm
        needs batches of at least 2 samples: batch_size=1 is refused
        before training.
    validation: (X_val, y_val), evaluated in eval mode after every epoch.
    schedule: a function step -> lr (see nnlab.schedules), called before
        every update (schedule_unit="step", steps counted from 0 across
        epochs) or at the start of every epoch ("epoch"). It must return
        a finite lr >= 0; lr = 0 (e.g. the end of a cosine schedule) is
        allowed and leaves the weights unchanged.
    clip_norm: rescale the gradients when their global norm exceeds it
        (as torch.nn.utils.clip_grad_norm_); clip_value: clip every
        gradient entry to [−clip_value, clip_value].
    early_stopping: None or a patience p: stop when the validation loss
        (the training loss without validation) has not improved for p
        epochs, and restore the weights of the best epoch.
    seed: the shuffling. None (the default) draws from nnlab's package
        generator (reset by nnlab.seed), so every epoch and every call
        gets a new order while a seeded notebook stays reproducible; an
        int gives a private order (the same for the same int); a
        Generator is used as is. Dropout masks come from the layers' own
        rng.
    progress: a line per epoch (a progress bar in Jupyter when tqdm is
        installed); False is silent.

    Modes: the model is put in train mode (model.train()) for the updates
    and in eval mode for the validation; on return (or on an error) every
    layer is back in the mode it had before the call.

    Divergence raises FloatingPointError (naming the epoch and saying to
    lower the learning rate): when the loss becomes NaN or infinite, or
    stays above DIVERGENCE_FACTOR (1e4) times its starting value for
    DIVERGENCE_PATIENCE (5) updates in a row or for an epoch on average.
    The starting value is the larger of the first batch's loss and the
    loss of the initial model on the first 256 samples (eval mode), so
    that a lucky first sample cannot make normal noise look like
    divergence. (A careful library's choice: a loss 10,000 times its
    start never comes back by itself; the constants are module attributes
    of nnlab.train.) The weights are left as they were when the error was
    raised.
    """
    run = _checked_run(model, X, y, loss, optimizer, lr, epochs, batch_size,
                       validation, schedule, schedule_unit, clip_norm,
                       clip_value, early_stopping, seed, progress)
    history = History(grad_norm={name: [] for name, _ in run.groups})
    stopper = None if run.patience is None else EarlyStopping(run.patience)
    with _train_mode(model), _Reporter(progress, run.epochs) as reporter, \
            np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        step = _GuardedStep(model, run)        # train_step + fit's checks
        for epoch in range(run.epochs):
            _fit_epoch(model, run, step, epoch, history)
            reporter.epoch(history, epoch)
            watched = (history.val_loss or history.loss)[-1]
            if stopper is not None and stopper.update(watched, epoch, model):
                history.stopped_early = True
                break
    if stopper is not None:
        history.best_epoch = stopper.restore()
    return history


def _fit_epoch(model, run, step, epoch, history) -> None:
    """One epoch of fit: the updates, then the validation; adds a row to
    the history."""
    started = time.perf_counter()
    if run.schedule is not None and run.schedule_unit == "epoch":
        run.optimizer.lr = _scheduled_lr(run.schedule, epoch, "epoch")
    step.start_epoch(epoch)
    loss, accuracy, updates = _run_epoch(
        model, run.X, run.targets, run.objective, run.optimizer,
        labels=run.labels, batch_size=run.batch_size, rng=run.rng,
        step=step)
    step.check_epoch(loss)
    history.loss.append(loss)
    history.accuracy.append(accuracy)
    history.lr.append(float(run.optimizer.lr))
    history.updates.append(updates)
    for (name, _), norm in zip(run.groups, step.mean_norms()):
        history.grad_norm[name].append(norm)
    if run.validation is not None:
        val_loss, val_accuracy = step.validate(run.validation)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
    history.seconds.append(time.perf_counter() - started)


@dataclass
class _Run:
    """fit's arguments, checked."""

    X: np.ndarray
    targets: np.ndarray
    labels: np.ndarray | None
    objective: Objective
    optimizer: object
    rng: np.random.Generator
    epochs: int
    batch_size: int | None
    validation: tuple | None
    schedule: object
    schedule_unit: str
    clip_norm: float | None
    clip_value: float | None
    patience: int | None
    groups: list


def _checked_run(model, X, y, loss, optimizer, lr, epochs, batch_size,
                 validation, schedule, schedule_unit, clip_norm, clip_value,
                 early_stopping, seed, progress) -> _Run:
    """Every argument of fit checked; the first bad one is reported."""
    _check_model(model)
    dtype = _dtype(model)
    X = _as_inputs(X, "X", dtype)
    y = _as_targets(y, "y")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} samples (rows) but y has {len(y)};"
                         " they must match")
    settings = _checked_settings(epochs, batch_size, schedule, schedule_unit,
                                 clip_norm, clip_value, early_stopping,
                                 progress)
    _check_batch_sizes(model, len(X), settings["batch_size"])
    opt = _make_optimizer(optimizer, lr)
    rng = as_rng(seed, "seed")
    objective = Objective(loss, dtype)
    n_out = _output_width(model, X[:1])
    targets, labels = objective.prepare(y, n_out)
    val = _checked_validation(model, validation, objective, n_out, dtype)
    return _Run(X=X, targets=targets, labels=labels, objective=objective,
                optimizer=opt, rng=rng, validation=val,
                groups=_grad_groups(model), **settings)


def _checked_settings(epochs, batch_size, schedule, schedule_unit,
                      clip_norm, clip_value, early_stopping, progress):
    epochs = check_int(epochs, "epochs")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size")
    if schedule is not None and not callable(schedule):
        raise TypeError("schedule must be a function step -> lr (e.g. an "
                        "nnlab.schedules object)")
    if not isinstance(schedule_unit, str) \
            or schedule_unit not in ("step", "epoch"):
        raise ValueError("schedule_unit must be 'step' or 'epoch'; "
                         f"got {schedule_unit!r}")
    if clip_norm is not None:
        clip_norm = check_positive(clip_norm, "clip_norm")
    if clip_value is not None:
        clip_value = check_positive(clip_value, "clip_value")
    if early_stopping is not None:
        early_stopping = check_int(early_stopping, "early_stopping",
                                   minimum=0)
    if not isinstance(progress, (bool, np.bool_, int, np.integer)):
        raise TypeError("progress must be True or False; "
                        f"got {type(progress).__name__}")
    return dict(epochs=epochs, batch_size=batch_size, schedule=schedule,
                schedule_unit=schedule_unit, clip_norm=clip_norm,
                clip_value=clip_value, patience=early_stopping)


def _checked_validation(model, validation, objective, n_out, dtype):
    """(X_val, targets, labels) from validation=(X_val, y_val), or None."""
    if validation is None:
        return None
    if isinstance(validation, (str, bytes, dict)):
        raise TypeError("validation must be a pair (X_val, y_val); "
                        f"got {type(validation).__name__}")
    try:
        Xv, yv = validation
    except (TypeError, ValueError) as err:
        raise TypeError("validation must be a pair (X_val, y_val)") from err
    Xv = _as_inputs(Xv, "validation X", dtype)
    yv = _as_targets(yv, "validation y")
    if len(Xv) != len(yv):
        raise ValueError(f"validation X has {len(Xv)} samples but "
                         f"validation y has {len(yv)}; they must match")
    _output_width(model, Xv[:1], "validation X")
    return (Xv, *objective.prepare(yv, n_out, "validation y"))


class _GuardedStep:
    """fit's train_step: train_step with fit's checks and extras.

    Before each update it watches the loss for divergence, records the
    gradient norms for the History, clips the gradients and sets the
    scheduled learning rate. NaN or infinity in the step becomes a clear
    error: bad data or weights before the first update, divergence after.
    """

    def __init__(self, model, run: _Run):
        self.model, self.run, self.opt = model, run, run.optimizer
        self.params, self.grads = model.params, model.grads
        n_batches = len(_batch_sizes(len(run.X), run.batch_size))
        # the norms on every update, or on about 32 evenly spaced updates
        # per epoch when there are many (reading every gradient costs ~4%)
        self.norm_every = max(1, n_batches // 32)
        self.start = _start_loss(model, run)   # see fit's docstring
        self.limit, self.above = math.inf, 0
        self.step, self.epoch, self.updating = 0, 0, False

    def start_epoch(self, epoch) -> None:
        self.epoch, self.n_updates = epoch, 0
        self.norm_sums = np.zeros(len(self.run.groups))
        self.n_normed = 0

    def __call__(self, model, X_b, targets, objective, optimizer, *,
                 labels=None):
        self.updating = False
        try:
            loss, correct = _train_step(model, X_b, targets, objective,
                                        optimizer, labels=labels,
                                        before_update=self._before_update)
        except ValueError as err:     # NaN or inf reached a checked function
            if self.updating or not _numerical_failure(err, self.params):
                raise
            raise self._error(f"NaN or infinity appeared ({err})") from err
        if not math.isfinite(loss):
            raise self._error(f"the loss {'became' if self.step else 'is'} "
                              f"{loss}")
        self.step += 1
        self.n_updates += 1
        return loss, correct

    def _error(self, what) -> Exception:
        if self.step == 0:        # before any update: not the learning rate
            return _bad_start(self.model, self.run.X, what)
        return _diverged(self.epoch, self.step, self.opt, what)

    def _before_update(self, loss) -> None:
        self.updating = True
        self._watch(loss)
        run = self.run
        if run.clip_norm is not None or self.n_updates % self.norm_every == 0:
            norms = _norms(run.groups)
            self.norm_sums += norms
            self.n_normed += 1
        if run.clip_norm is not None:
            _clip_norm(self.grads, norms, run.clip_norm)
        if run.clip_value is not None:
            for g in self.grads:
                np.clip(g, -run.clip_value, run.clip_value, out=g)
        if run.schedule is not None and run.schedule_unit == "step":
            self.opt.lr = _scheduled_lr(run.schedule, self.step, "step")

    def _watch(self, loss) -> None:
        """Divergence: DIVERGENCE_PATIENCE updates in a row far above the
        start (see fit)."""
        if self.step == 0:
            self.start = max(self.start, loss)
            self.limit = (DIVERGENCE_FACTOR * self.start if self.start > 0
                          else math.inf)
        elif loss > self.limit:
            self.above += 1
            if self.above >= DIVERGENCE_PATIENCE:
                raise _diverged(
                    self.epoch, self.step, self.opt,
                    f"the loss stayed above {DIVERGENCE_FACTOR:g} times its "
                    f"start ({self.start:.4g}) for {self.above} updates in a "
                    f"row (now {loss:.4g})")
        else:
            self.above = 0

    def check_epoch(self, loss) -> None:
        """The epoch's mean loss far above the start is divergence too."""
        if loss > self.limit:
            raise _diverged(self.epoch, self.step - 1, self.opt,
                            f"the epoch's mean loss {loss:.4g} is above "
                            f"{DIVERGENCE_FACTOR:g} times its start "
                            f"({self.start:.4g})")

    def mean_norms(self) -> list:
        return [float(s / self.n_normed) for s in self.norm_sums]

    def validate(self, validation):
        """Loss and accuracy on the validation set, in eval mode."""
        try:
            with _inference(self.model):
                return _evaluate(self.model, self.run.objective, *validation,
                                 name="validation X")
        except ValueError as err:  # finite data, trained weights: divergence
            raise _diverged(self.epoch, self.step - 1, self.opt,
                            f"on the validation set: {err}") from err


def _clip_norm(grads, norms, clip_norm) -> None:
    """Rescale grads in place when their global norm exceeds clip_norm
    (as torch.nn.utils.clip_grad_norm_)."""
    total = math.sqrt(float(np.sum(norms * norms)))
    if total > clip_norm:
        scale = clip_norm / (total + 1e-6)
        for g in grads:
            g *= scale


# -------------------------------------------------------------------- evaluate
def evaluate(model, X, y, loss="softmax_cross_entropy"):
    """(loss, accuracy) of model on (X, y); accuracy is None for
    regression.

    Inference in eval mode that changes no state: the model's mode,
    BatchNorm's running statistics and the random generators are as
    before the call. X and y are checked as in fit (finite, one row per
    sample).
    """
    _check_model(model)
    dtype = _dtype(model)
    X = _as_inputs(X, "X", dtype)
    y = _as_targets(y, "y")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples (rows) but y has {len(y)};"
                         " they must match")
    objective = Objective(loss, dtype)
    with _inference(model):
        targets, labels = objective.prepare(y, _output_width(model, X[:1]))
        return _evaluate(model, objective, X, targets, labels)


# --------------------------------------------------------------------- helpers
def _dtype(model) -> np.dtype:
    return np.dtype(getattr(model, "dtype", np.float64))


def _not_finite(model, name):
    if not all(np.isfinite(p).all() for p in model.params):
        return ValueError("the model's output is NaN or infinite because its "
                          "weights contain NaN or infinity (did training "
                          "diverge?)")
    return ValueError(f"the model's output is NaN or infinite although {name}"
                      " is finite: the computation overflowed; standardize "
                      f"{name}")


def _check_model(model):
    for attr in ("forward", "backward", "params", "grads"):
        if not hasattr(model, attr):
            raise TypeError(f"model must be an nnlab model with .{attr} "
                            "(e.g. nnlab.mlp(...)); "
                            f"got {type(model).__name__}")


def _check_objective(objective):
    if not isinstance(objective, Objective):
        raise TypeError("objective must be an nnlab.train.Objective, e.g. "
                        f"Objective('mse'); got {describe(objective)}")


def _check_optimizer(optimizer):
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "lr")):
        raise TypeError("optimizer must be an optimizer object with .step "
                        "and .lr, e.g. nnlab.optim.SGD(lr=0.1); "
                        f"got {describe(optimizer)}")


def _rows_like(a, name, X):
    """targets or labels (None passes): an array with one row per row of
    X."""
    if a is None:
        return None
    a = _as_targets(a, name)
    if len(a) != len(X):
        raise ValueError(f"{name} has {len(a)} rows but the batch has "
                         f"{len(X)}; they must match")
    return a


def _backward_fn(model):
    """g(dY): a Sequential's unchecked backward pass (dY comes from the
    loss)."""
    if isinstance(model, Sequential):
        return model._backward
    return model.backward


def _forward_fn(model):
    """f(X, training): a Sequential's unchecked forward pass (X is checked
    once, up front)."""
    if isinstance(model, Sequential):
        return model._forward
    return lambda Xb, training: model.forward(Xb, training=training)


@contextlib.contextmanager
def _inference(model):
    """Eval mode for a Sequential, its state restored afterwards (nothing
    for other models)."""
    if isinstance(model, Sequential):
        with model._inference():
            yield
    else:
        yield


@contextlib.contextmanager
def _train_mode(model):
    """Train mode inside the block; every mode restored afterwards."""
    restore = _enter_train_mode(model)
    try:
        yield
    finally:
        restore()


def _enter_train_mode(model):
    """Put model in train mode; returns a function that restores every
    mode."""
    if isinstance(model, Sequential):
        saved = (model.training,
                 [getattr(layer, "training", True) for layer in model.layers])
        model.train()

        def restore():
            model.training = saved[0]
            for layer, mode in zip(model.layers, saved[1]):
                layer.training = mode
        return restore
    if hasattr(model, "train") \
            and isinstance(getattr(model, "training", None), bool):
        was = model.training
        model.train()
        return lambda: model.train(was)
    return lambda: None


def _evaluate(model, objective, X, targets, labels, chunk=8192, name="X"):
    """Loss and accuracy in chunks; ValueError if the output is not
    finite."""
    forward = _forward_fn(model)
    m = len(X)
    loss_sum, correct = 0.0, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for s in range(0, m, chunk):
            try:
                out = forward(X[s:s + chunk], False)
            except ValueError as err:    # a layer met an overflowed value
                if "NaN or infinity" not in str(err):
                    raise
                raise _not_finite(model, name) from err
            if not np.isfinite(out).all():
                raise _not_finite(model, name)
            lb = None if labels is None else labels[s:s + chunk]
            value, _, c = objective(targets[s:s + chunk], lb, out,
                                    need_grad=False)
            if not math.isfinite(value):
                raise ValueError(
                    f"the loss on {name} is {value}: the model's outputs are "
                    f"too large (up to {float(np.abs(out).max()):.3g}); "
                    f"standardize {name}")
            loss_sum += value * len(out)
            correct += c or 0
    return loss_sum / m, (None if labels is None else correct / m)


def _start_loss(model, run) -> float:
    """The initial model's loss on the first rows, in eval mode (no state
    changed)."""
    n = min(len(run.X), _REFERENCE_ROWS)
    labels = None if run.labels is None else run.labels[:n]
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                _inference(model):
            out = _forward_fn(model)(run.X[:n], False)
            value, _, _ = run.objective(run.targets[:n], labels, out,
                                        need_grad=False)
    except ValueError:           # NaN at the start: the first update says so
        return -math.inf
    return value if math.isfinite(value) else -math.inf


def _numerical_failure(err, params) -> bool:
    """Did a ValueError come from NaN / infinity made by the model (X and y
    are finite)?"""
    text = str(err)
    if "NaN" in text or "infinit" in text:
        return True
    return not all(np.isfinite(p).all() for p in params)


def _scheduled_lr(schedule, t, unit) -> float:
    value = schedule(t)
    if isinstance(value, np.ndarray) and value.ndim == 0 \
            and value.dtype.kind in "iuf":
        value = value.item()
    # a real number (not a bool, not a string such as "0.1"), as for opt.lr
    if isinstance(value, (bool, np.bool_)) \
            or not isinstance(value, numbers.Real):
        raise TypeError(f"schedule({t}) (the {unit}) must return a number; "
                        f"got {value!r}")
    lr = float(value) + 0.0                    # -0.0 becomes 0.0
    if not (math.isfinite(lr) and lr >= 0):
        raise ValueError(f"schedule({t}) (the {unit}) returned lr={value!r}; "
                         "a learning rate must be a finite number >= 0")
    return lr


def _batch_sizes(m, batch_size) -> list:
    """The sizes of fit's mini-batches of m rows (see run_epoch)."""
    return [rows.stop - rows.start for rows in
            minibatch_indices(m, batch_size, shuffle=False, last="join")]


def _check_batch_sizes(model, m, batch_size):
    """Fail before training when a layer cannot train on the smallest
    batch."""
    need, who = 1, None
    for i, layer in enumerate(getattr(model, "layers", [])):
        k = getattr(layer, "min_train_batch", 1)
        if k > need:
            need, who = k, f"layer {i} ({type(layer).__name__})"
    if need <= 1:
        return
    if m < need:
        raise ValueError(f"X has {m} sample{'s' if m != 1 else ''} but {who} "
                         f"needs at least {need} samples per batch in "
                         "training")
    smallest = min(_batch_sizes(m, batch_size))
    if batch_size is not None and smallest < need:
        raise ValueError(f"batch_size={batch_size} gives batches of "
                         f"{smallest} sample(s) but {who} needs at least "
                         f"{need} per batch in training; use batch_size >= "
                         f"{need}")


def _as_inputs(X, name, dtype):
    return np.ascontiguousarray(cast(as_matrix(X, name), dtype, name))


def _as_targets(y, name):
    """y as a NumPy array of real numbers with one entry (or row) per
    sample."""
    if y is None:
        raise TypeError(f"{name} must be an array of targets, one per "
                        "sample; got None")
    if not isinstance(y, np.ndarray):
        try:
            y = np.asarray(y)
        except (TypeError, ValueError) as err:     # ragged lists
            raise TypeError(f"{name} must be a rectangular array of numbers "
                            "(one entry or row per sample); got a ragged "
                            f"{type(y).__name__}") from err
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers; "
                        f"got dtype {y.dtype}")
    if y.ndim == 0:
        raise ValueError(f"{name} must have one entry per sample, shape (m,)"
                         " or (m, k); got a scalar")
    if y.ndim > 2:
        raise ValueError(f"{name} must have shape (m,) or (m, k); "
                         f"got shape {y.shape}")
    if len(y) == 0:
        raise ValueError(f"{name} is empty; expected one entry per sample")
    return y


def _make_optimizer(optimizer, lr):
    if isinstance(optimizer, _optim.Optimizer):
        if lr is not None:
            raise ValueError("lr given together with an optimizer object; "
                             "set lr when creating the optimizer")
        return optimizer
    if isinstance(optimizer, str):
        return (_optim.get(optimizer) if lr is None
                else _optim.get(optimizer, lr=lr))
    if isinstance(optimizer, type):
        raise TypeError(f"optimizer must be a name or an optimizer object, "
                        f"e.g. {optimizer.__name__}(lr=0.01); got the class "
                        f"{optimizer.__name__} itself")
    if hasattr(optimizer, "step"):
        if not hasattr(optimizer, "lr"):   # fit records (and sets) opt.lr
            raise TypeError(f"optimizer {type(optimizer).__name__} has .step "
                            "but no .lr; an optimizer object needs both (see "
                            "nnlab.optim.Optimizer)")
        return optimizer
    raise TypeError("optimizer must be a name or an nnlab.optim optimizer; "
                    f"got {type(optimizer).__name__}")


def _output_width(model, X1, name="X"):
    """The number of outputs, from one row in eval mode (no state
    changed)."""
    try:
        with np.errstate(over="ignore", invalid="ignore"), _inference(model):
            out = _forward_fn(model)(X1, False)
    except ValueError as err:
        if "NaN" in str(err) or "infinit" in str(err):
            raise ValueError(f"the model's forward pass on {name} gives NaN "
                             f"or infinity before any training ({err}); its "
                             "weights are too large or not finite") from err
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
    """The Euclidean norm of each layer's gradient (its arrays together)."""
    return np.sqrt(np.array([sum(float(np.vdot(g, g)) for g in gs)
                             for _, gs in groups]))


def _bad_start(model, X, what) -> ValueError:
    """Non-finite numbers before any update: the data or the initial
    weights, not the learning rate."""
    if not all(np.isfinite(p).all() for p in model.params):
        cause = "the model's weights contain NaN or infinity"
    else:
        cause = (f"the forward pass overflowed: X has entries up to "
                 f"{float(np.abs(X).max()):.3g} (standardize X) or the "
                 "initial weights are too large")
    return ValueError(f"before any update, on the first batch: {what}; "
                      f"{cause}")


def _diverged(epoch, step, opt, what) -> FloatingPointError:
    lr = getattr(opt, "lr", None)
    lr = (f"lr={lr:g}" if isinstance(lr, (int, float, np.floating))
          else "the learning rate")
    return FloatingPointError(
        f"training diverged in epoch {epoch + 1} (update {step + 1}): "
        f"{what}. Lower the learning rate: {lr} is likely too high (or the "
        "gradients exploded). Also try gradient clipping (clip_norm=1.0), "
        "standardized inputs or BatchNorm.")


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
    """True inside a Jupyter kernel (not merely when ipykernel was
    imported, as under nbval)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


class _Reporter:
    """A tqdm bar over epochs in Jupyter (if tqdm is installed), else one
    printed line per epoch."""

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
            print(f"epoch {e + 1:>{width}}/{self.epochs}  "
                  f"{_epoch_line(h, e)}  ({h.seconds[e]:.2f} s)", flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
