r"""Gradient descent, small enough to read (Chapter 4).

Everything here works on plain NumPy arrays of parameters ``theta``: a loss
:math:`J(\theta)` and its gradient :math:`\nabla J(\theta)` are ordinary
functions, and :func:`gradient_descent` repeats

.. math:: \theta_{t+1} = \theta_t - \eta_t\, \nabla J(\theta_t).

Contents, in the order of the chapter:

* the lectures' one-parameter example :math:`J(\theta) = \frac{1}{2m}\sum_i(\theta x_i - y_i)^2`
  (:func:`one_param_cost`, :func:`one_param_gradient`, :func:`one_param_curvature`,
  :func:`one_param_minimizer`) and :func:`convexity_gap`;
* :func:`classify_run`: converging, oscillating or diverging;
* linear regression with several parameters (:func:`linreg_cost`, :func:`linreg_gradient`),
  feature scaling (:func:`scale_features`, :func:`hessian_condition`, :func:`steps_to_tolerance`);
* batch, stochastic and mini-batch gradient descent (:func:`updates_per_epoch`,
  :func:`minibatch_gd`), with an optional learning-rate schedule (any callable
  ``step -> lr``, such as those of :mod:`nnlab.schedules`);
* non-convex examples: :func:`saddle_loss` and :func:`double_well`.

Rows are samples: ``X`` has shape ``(m, n)``, ``y`` shape ``(m,)``, ``theta`` shape ``(n,)``.
"""
from __future__ import annotations

import math

import numpy as np

from .. import data
from .._validate import as_float_array, as_matrix, as_rng, check_positive, check_int

__all__ = [
    "gradient_descent", "one_param_cost", "one_param_gradient", "one_param_curvature",
    "one_param_minimizer", "convexity_gap", "classify_run", "linreg_cost", "linreg_gradient",
    "scale_features", "hessian_curvatures", "hessian_condition", "steps_to_tolerance", "updates_per_epoch",
    "minibatch_gd", "saddle_loss", "saddle_gradient", "double_well", "double_well_gradient",
]

RUN_KINDS = ("converging", "oscillating", "diverging")
#: :func:`minibatch_gd` declares a run diverged when its cost exceeds this many
#: times its starting value (or overflows).
DIVERGENCE_FACTOR = 1e10
SCALINGS = ("none", "center", "minmax", "standardize")


def _xy(X, y, x_name="X", y_name="y"):
    """``X`` ``(m, n)`` (a 1-D ``X`` is one feature, ``(m, 1)``) and ``y`` ``(m,)``."""
    X = as_float_array(X, x_name)
    y = as_float_array(y, y_name)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"{x_name} must be 2-D of shape (m, n) (rows are samples); got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"{y_name} must have shape ({X.shape[0]},) to match {x_name} with "
                         f"{X.shape[0]} rows; got {y.shape}")
    return X, y


def _inf_not_nan(values):
    """A cost that came out NaN (inf - inf or 0 * inf from a diverged run) is +inf."""
    return np.where(np.isnan(values), np.inf, values)[()]


def _callable(f, name, what):
    if not callable(f):
        raise TypeError(f"{name} must be a function {what}; got {type(f).__name__}")


def _schedule(lr):
    """``t -> eta_t`` from a number (> 0) or a schedule (a callable)."""
    if callable(lr):
        return lr
    if isinstance(lr, (bool, np.bool_)):
        raise TypeError(f"lr must be a number or a schedule t -> lr; got {lr!r}")
    value = check_positive(lr, "lr")
    return lambda t: value


def _rate_at(rate, t) -> float:
    """The learning rate of step ``t``; a schedule must give a finite number >= 0."""
    eta = rate(t)
    try:
        value = float(eta)
    except (TypeError, ValueError):
        raise TypeError(f"the lr schedule must return a number; at step {t} it returned {eta!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"the lr schedule must return a finite number >= 0; at step {t} it returned {eta!r}")
    return value


def _trajectory(path, name="path") -> np.ndarray:
    if path is None:
        raise TypeError(f"{name} must be an array of numbers; got None")
    try:
        return np.asarray(path, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, e.g. the result of gradient_descent; "
                        f"got {type(path).__name__}") from None


# ------------------------------------------------------------------ the algorithm
def gradient_descent(grad_fn, theta0, lr, steps):
    r"""Plain gradient descent; returns the whole trajectory.

    .. math:: \theta_{t+1} = \theta_t - \eta_t\, \nabla J(\theta_t), \qquad t = 0, \dots, T-1

    ``grad_fn(theta)`` returns :math:`\nabla J(\theta)` (same shape as ``theta``);
    ``lr`` is a number :math:`\eta` or a schedule, a callable ``t -> eta_t``.
    Returns an array of shape ``(steps + 1, *theta0.shape)``: row ``t`` is
    :math:`\theta_t` (row 0 is the start). A run that overflows stops early:
    once a step is no longer finite, the remaining rows repeat that ``inf``/``nan``
    value, which :func:`classify_run` calls diverging.
    """
    _callable(grad_fn, "grad_fn", "theta -> gradient (same shape as theta)")
    theta = as_float_array(theta0, "theta0").astype(np.float64)
    steps = check_int(steps, "steps", minimum=0)
    rate = _schedule(lr)
    path = np.empty((steps + 1, *theta.shape))
    path[0] = theta
    for t in range(steps):
        eta = _rate_at(rate, t)
        with np.errstate(over="ignore", invalid="ignore"):
            grad = _trajectory(grad_fn(theta), "the result of grad_fn")
            if grad.shape != theta.shape:
                raise ValueError(f"grad_fn must return the gradient, shaped like theta {theta.shape}; "
                                 f"it returned shape {grad.shape}")
            theta = theta - eta * grad
            path[t + 1] = theta
            if not np.all(np.isfinite(theta)):
                path[t + 1:] = theta
                break
    return path


# ------------------------------------------------------- one parameter (the lectures)
def one_param_cost(theta, x, y):
    r"""The lectures' one-parameter cost, :math:`h_\theta(x) = \theta x` (no intercept).

    .. math:: J(\theta) = \frac{1}{2m} \sum_{i=1}^{m} (\theta x_i - y_i)^2

    ``x``, ``y``: shape ``(m,)``. ``theta``: a number or an array of any shape
    (evaluated element-wise, e.g. a grid for a plot); returns the same shape.
    A ``theta`` that is not finite (a diverged run of :func:`gradient_descent`)
    costs ``inf``, never NaN.
    """
    x, y = _xy(x, y, "x")
    x = x[:, 0]
    theta = as_float_array(theta, "theta", finite=False)   # a diverged run may hold inf or NaN
    with np.errstate(over="ignore", invalid="ignore"):
        residual = theta[..., None] * x - y              # (..., m)
        return _inf_not_nan(np.sum(residual**2, axis=-1) / (2 * len(x)))


def one_param_gradient(theta, x, y):
    r"""Derivative of :func:`one_param_cost`.

    .. math:: J'(\theta) = \frac{1}{m} \sum_{i=1}^{m} (\theta x_i - y_i)\, x_i

    Same shapes as :func:`one_param_cost`.
    """
    x, y = _xy(x, y, "x")
    x = x[:, 0]
    theta = as_float_array(theta, "theta")
    with np.errstate(over="ignore"):         # a huge theta gives an inf slope, as gradient descent expects
        return np.sum((theta[..., None] * x - y) * x, axis=-1) / len(x)


def one_param_curvature(x):
    r"""Second derivative of :func:`one_param_cost`, the same for every :math:`\theta`.

    .. math:: J''(\theta) = \frac{1}{m} \sum_{i=1}^{m} x_i^2 = a

    On this parabola gradient descent multiplies the distance to the minimum by
    :math:`1 - \eta a` at every step, so it creeps for :math:`\eta < 1/a`,
    zig-zags for :math:`1/a < \eta < 2/a` and diverges for :math:`\eta > 2/a`.
    """
    x = as_float_array(x, "x")
    with np.errstate(over="ignore"):         # beyond the float range: inf
        return float(np.mean(x**2))


def one_param_minimizer(x, y):
    r"""Where :math:`J'(\theta) = 0`: :math:`\theta^\star = \sum_i x_i y_i / \sum_i x_i^2`."""
    x, y = _xy(x, y, "x")
    x = x[:, 0]
    denom = float(np.sum(x * x))
    if denom == 0:
        raise ValueError("all x are 0: every theta gives the same cost, there is no unique minimizer")
    return float(np.sum(x * y)) / denom


def convexity_gap(f, a, b, t):
    r"""How far the chord lies above ``f`` between ``a`` and ``b`` at the fraction ``t``.

    .. math:: \operatorname{gap} = t\,f(a) + (1-t)\,f(b) - f\big(t a + (1-t) b\big)

    ``f`` is convex exactly when the gap is :math:`\ge 0` for all ``a``, ``b`` and
    :math:`t \in [0, 1]`; a negative gap anywhere proves ``f`` is not convex.
    ``a``, ``b``, ``t`` broadcast against each other.
    """
    _callable(f, "f", "of one array, applied element-wise")
    a, b, t = (as_float_array(v, n) for v, n in ((a, "a"), (b, "b"), (t, "t")))
    if np.any((t < 0) | (t > 1)):
        raise ValueError("t must lie in [0, 1]")
    return t * f(a) + (1 - t) * f(b) - f(t * a + (1 - t) * b)


# ---------------------------------------------------------- reading a run
def classify_run(path, losses):
    r"""Say whether a run of gradient descent is ``"converging"``, ``"oscillating"`` or ``"diverging"``.

    ``path``: the trajectory ``(T+1, ...)`` of :func:`gradient_descent`; ``losses``:
    the loss at each of its rows, shape ``(T+1,)``. The rules:

    * **diverging** — a loss is not finite, or the last loss is larger than the first;
    * **oscillating** — in some coordinate, most consecutive steps
      :math:`\Delta_t = \theta_{t+1} - \theta_t` point in opposite directions
      (:math:`\Delta_t \Delta_{t+1} < 0`): the run overshoots the minimum back and
      forth (it may still get closer to it, only on a zig-zag path);
    * **converging** — otherwise: the loss went down without overshooting.

    Steps smaller than 1e-12 (the run has arrived) are not counted.
    """
    path = _trajectory(path)
    losses = _trajectory(losses, "losses")
    if path.ndim == 0 or len(path) < 3:
        raise ValueError(f"path must hold at least 3 points (2 steps) to judge a run; got shape {path.shape}")
    if losses.shape != (len(path),):
        raise ValueError(f"losses must have shape ({len(path)},), one per row of path; got {losses.shape}")
    if not np.all(np.isfinite(losses)) or not np.all(np.isfinite(path)) or losses[-1] > losses[0]:
        return "diverging"
    steps = np.diff(path.reshape(len(path), -1), axis=0)          # (T, d)
    moving = np.abs(steps[:-1]) > 1e-12
    flips = (steps[:-1] * steps[1:] < 0) & moving
    counted = np.maximum(moving.sum(axis=0), 1)
    if np.any(flips.sum(axis=0) / counted > 0.5):
        return "oscillating"
    return "converging"


# ------------------------------------------------------- several parameters
def linreg_cost(theta, X, y):
    r"""Half mean squared error of the linear model :math:`\hat y = X\theta`.

    .. math:: J(\theta) = \frac{1}{2m} \lVert X\theta - y \rVert^2

    ``X`` ``(m, n)`` (add a column of ones for an intercept :math:`\theta_0`),
    ``y`` ``(m,)``. ``theta`` has shape ``(n,)`` or ``(..., n)`` (a grid of
    parameter vectors, for contour plots); returns a number or shape ``(...)``.
    Parameters that are not finite (a diverged run) cost ``inf``, never NaN.
    """
    X, y = _xy(X, y)
    theta = as_float_array(theta, "theta", finite=False)   # a diverged run may hold inf or NaN
    if theta.shape[-1:] != (X.shape[1],):
        raise ValueError(f"theta must end in {X.shape[1]} entries, one per column of X; got shape {theta.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        residual = theta @ X.T - y                       # (..., m)
        return _inf_not_nan(np.sum(residual**2, axis=-1) / (2 * X.shape[0]))


def linreg_gradient(theta, X, y):
    r"""Gradient of :func:`linreg_cost`.

    .. math:: \nabla J(\theta) = \frac{1}{m} X^\top (X\theta - y)

    ``theta`` ``(n,)`` → ``(n,)``.
    """
    X, y = _xy(X, y)
    theta = as_float_array(theta, "theta")
    if theta.shape != (X.shape[1],):
        raise ValueError(f"theta must have shape ({X.shape[1]},), one entry per column of X; got {theta.shape}")
    return X.T @ (X @ theta - y) / X.shape[0]


def scale_features(X, method="standardize"):
    r"""Rescale the columns of ``X`` ``(m, n)``; returns an array of the same shape.

    * ``"none"``: unchanged (a copy);
    * ``"center"``: mean subtraction, :math:`x - \mu`;
    * ``"minmax"``: to :math:`[0, 1]`, :math:`(x - \min) / (\max - \min)`;
    * ``"standardize"``: :math:`(x - \mu)/\sigma` with :class:`nnlab.data.Standardizer`.

    A column that is constant up to rounding (spread at most 10 machine
    epsilons times its largest :math:`|x|`) is only shifted, never divided by
    its rounding noise, for ``"minmax"`` as for ``"standardize"``.
    (On real data, learn :math:`\mu, \sigma, \min, \max` on the training split only.)
    """
    X = as_matrix(X, "X")
    if not isinstance(method, str) or method not in SCALINGS:
        raise ValueError(f"method must be one of {', '.join(SCALINGS)}; got {method!r}")
    if method == "none":
        return X.copy()
    if method == "center":
        return X - X.mean(axis=0)
    if method == "minmax":
        low, span = X.min(axis=0), np.ptp(X, axis=0)
        constant = span <= 10 * np.finfo(X.dtype).eps * np.max(np.abs(X), axis=0)
        return (X - low) / np.where(constant, 1, span)
    if method == "standardize":
        return data.Standardizer().fit_transform(X)
    raise ValueError(f"method must be one of {', '.join(SCALINGS)}; got {method!r}")


def hessian_curvatures(X):
    r"""Eigenvalues (ascending) of the linear-regression Hessian :math:`H = \frac1m X^\top X` (Chapter 4).

    They are the curvatures of :func:`linreg_cost` along its principal axes; gradient
    descent is stable for :math:`\eta < 2/\lambda_{\max}`. ``X``: ``(m, n)`` → ``(n,)``.
    """
    X = as_matrix(X, "X")
    return np.linalg.eigvalsh(X.T @ X / X.shape[0])


def hessian_condition(X):
    r"""Condition number of the linear-regression Hessian :math:`H = \frac1m X^\top X`.

    .. math:: \kappa = \lambda_{\max}(H) / \lambda_{\min}(H)

    The contours of :func:`linreg_cost` are ellipses whose axes have lengths
    proportional to :math:`1/\sqrt{\lambda}`, so :math:`\kappa` says how elongated the
    valley is (1 = round). Gradient descent needs :math:`\eta < 2/\lambda_{\max}`
    and then about :math:`\kappa` steps to shrink the error along the flattest
    direction by a constant factor. Returns ``inf`` when :math:`\lambda_{\min} = 0`.
    """
    eig = hessian_curvatures(X)
    return float(eig[-1] / eig[0]) if eig[0] > 1e-15 * eig[-1] else math.inf


def steps_to_tolerance(path, theta_star, tol=1e-3):
    r"""First step ``t`` with :math:`\lVert\theta_t - \theta^\star\rVert \le` ``tol``, or ``-1`` if never.

    ``path``: ``(T+1, n)`` from :func:`gradient_descent`; ``theta_star``: ``(n,)``.
    """
    path = _trajectory(path)
    theta_star = as_float_array(theta_star, "theta_star")
    if path.ndim == 0:
        raise ValueError("path must hold one row per step, shape (T+1, n); got a single number")
    tol = check_positive(tol, "tol")
    if path.shape[1:] != theta_star.shape:
        raise ValueError(f"path rows have shape {path.shape[1:]} but theta_star has shape {theta_star.shape}")
    with np.errstate(invalid="ignore", over="ignore"):
        dist = np.linalg.norm(path.reshape(len(path), -1) - theta_star.ravel(), axis=1)
    hit = np.flatnonzero(dist <= tol)
    return int(hit[0]) if hit.size else -1


# ----------------------------------------------- batch, stochastic and mini-batch
def updates_per_epoch(m, batch_size=None):
    r"""Parameter updates in one epoch over ``m`` samples: :math:`\lceil m / B \rceil`.

    ``batch_size=None`` means batch gradient descent (:math:`B = m`, 1 update);
    ``1`` is stochastic gradient descent (:math:`m` updates). The count matches
    the number of batches :func:`nnlab.data.minibatches` yields.
    """
    m = check_int(m, "m")
    if batch_size is None:
        return 1
    return math.ceil(m / check_int(batch_size, "batch_size"))


def minibatch_gd(X, y, theta0, lr, epochs, batch_size=None, *, X_val=None, y_val=None, seed=0):
    r"""Mini-batch gradient descent on :func:`linreg_cost`; returns ``(theta, history)``.

    Every epoch shuffles the rows (:func:`nnlab.data.minibatches`) and, for each
    batch :math:`\mathcal B`, steps along the gradient of that batch's cost only:

    .. math:: \theta \leftarrow \theta - \eta_t\, \frac{1}{|\mathcal B|} X_{\mathcal B}^\top (X_{\mathcal B}\theta - y_{\mathcal B})

    ``batch_size``: ``None`` (batch GD), ``1`` (stochastic GD) or ``k``
    (mini-batch GD). ``lr``: a number or a schedule ``t -> eta_t`` with ``t`` the
    update counter (e.g. an :mod:`nnlab.schedules` object).

    ``history`` (a dict of arrays): ``"cost"`` — the full training cost before
    training and after every update, ``(epochs * updates_per_epoch + 1,)``;
    ``"train"`` and ``"val"`` — the training and validation cost at the end of
    each epoch, ``(epochs,)`` (``"val"`` only when ``X_val``, ``y_val`` are given);
    ``"lr"`` — the learning rate of every update.

    Divergence: a run whose cost overflows or exceeds ``DIVERGENCE_FACTOR``
    (1e10) times its start raises ``FloatingPointError`` saying to lower the
    learning rate (as :func:`nnlab.fit` does); :func:`gradient_descent`
    instead keeps the diverging path, to be plotted.
    """
    X, y = _xy(X, y)
    theta = as_float_array(theta0, "theta0").astype(np.float64).copy()
    if theta.shape != (X.shape[1],):
        raise ValueError(f"theta0 must have shape ({X.shape[1]},), one entry per column of X; got {theta.shape}")
    epochs = check_int(epochs, "epochs")
    rate = _schedule(lr)
    has_val = X_val is not None or y_val is not None
    if has_val:
        X_val, y_val = _xy(X_val, y_val, "X_val", "y_val")
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(f"X_val has {X_val.shape[1]} columns but X has {X.shape[1]}; they must match")
    rng = as_rng(seed, "seed")
    cost, train, val, rates = [linreg_cost(theta, X, y)], [], [], []
    t = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            for Xb, yb in data.minibatches(X, y, batch_size, rng=rng):
                eta = _rate_at(rate, t)
                theta = theta - eta * (Xb.T @ (Xb @ theta - yb)) / len(Xb)
                rates.append(eta)
                cost.append(float(linreg_cost(theta, X, y)))
                t += 1
                if not math.isfinite(cost[-1]) or cost[-1] > DIVERGENCE_FACTOR * cost[0] > 0:
                    raise FloatingPointError(
                        f"mini-batch gradient descent diverged in epoch {epoch + 1} (update {t}): "
                        f"the cost went from {cost[0]:.4g} to {cost[-1]:.4g}. The learning rate "
                        f"(lr={eta:g} at this update) is too large: lower lr, or standardize the features."
                    )
            train.append(cost[-1])
            if has_val:
                val.append(linreg_cost(theta, X_val, y_val))
    history = {"cost": np.array(cost), "train": np.array(train), "lr": np.array(rates)}
    if has_val:
        history["val"] = np.array(val)
    return theta, history


# ------------------------------------------------------------ non-convex losses
def saddle_loss(theta):
    r"""The saddle :math:`f(x, y) = x^2 - y^2`: a minimum along :math:`x`, a maximum along :math:`y`.

    ``theta`` ``(..., 2)`` → ``(...)``. At the origin the gradient is 0 and the
    Hessian :math:`\operatorname{diag}(2, -2)` has eigenvalues of both signs.
    """
    theta = as_float_array(theta, "theta")
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta must end in 2 entries (x, y); got shape {theta.shape}")
    return theta[..., 0] ** 2 - theta[..., 1] ** 2


def saddle_gradient(theta):
    r""":math:`\nabla f(x, y) = (2x, -2y)`; ``(..., 2)`` → ``(..., 2)``."""
    theta = as_float_array(theta, "theta")
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta must end in 2 entries (x, y); got shape {theta.shape}")
    return np.stack([2 * theta[..., 0], -2 * theta[..., 1]], axis=-1)


def double_well(x):
    r"""A one-dimensional loss with two minima, :math:`f(x) = x^4 - 3x^2 + x`.

    The global minimum is near :math:`x \approx -1.30`, a worse local one near
    :math:`x \approx 1.13`, with a local maximum between them. Any shape → same;
    a non-finite ``x`` (a diverged run) gives ``inf``, never NaN.
    """
    x = as_float_array(x, "x", finite=False)
    with np.errstate(over="ignore", invalid="ignore"):
        return _inf_not_nan(x**4 - 3 * x**2 + x)        # x -> ±inf: x^4 wins, +inf


def double_well_gradient(x):
    r""":math:`f'(x) = 4x^3 - 6x + 1`. Any shape → same (±inf where it exceeds the float range,
    as for :func:`double_well`)."""
    x = as_float_array(x, "x")
    with np.errstate(over="ignore"):
        return 4 * x**3 - 6 * x + 1
