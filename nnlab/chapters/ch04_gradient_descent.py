"""Chapter 4: gradient descent, small enough to read.

Everything here works on plain NumPy arrays of parameters theta: a cost
J(θ) and its gradient ∇J(θ) are ordinary functions, and gradient_descent
repeats

    θ_{t+1} = θ_t − η_t ∇J(θ_t).

In the order of the chapter:

- the lectures' one-parameter cost J(θ) = Σᵢ (θ xᵢ − yᵢ)² / (2m)
  (one_param_cost, one_param_gradient, one_param_curvature,
  one_param_minimizer) and convexity_gap;
- classify_run: is a run converging, oscillating or diverging?
- linear regression with several parameters (linreg_cost,
  linreg_gradient) and feature scaling (scale_features,
  hessian_curvatures, hessian_condition, steps_to_tolerance);
- batch, stochastic and mini-batch gradient descent (updates_per_epoch,
  minibatch_gd), with a learning rate that may follow a schedule: any
  function t -> η_t, such as inverse_time_lr (the plain formula of
  nnlab.schedules.InverseTimeDecay) or the schedules of nnlab.schedules;
- the noise of a mini-batch gradient: minibatch_gradient_noise (measured)
  and minibatch_gradient_variance (the formula);
- non-convex examples: saddle_loss and double_well.

Rows are samples: X of shape (m, n), y of shape (m,), theta of shape (n,).

The functions the book shows hold only the mathematics: their inputs are
checked first by the private checker named in their @checks(...) line.
"""
from __future__ import annotations

import math

import numpy as np

from .. import data
from .._validate import (as_float_array, as_matrix, as_number_array, as_rng,
                         as_shaped, check_int, check_positive, check_real,
                         checks)

__all__ = [
    "gradient_descent", "one_param_cost", "one_param_gradient",
    "one_param_curvature", "one_param_minimizer", "convexity_gap",
    "classify_run", "linreg_cost", "linreg_gradient", "scale_features",
    "hessian_curvatures", "hessian_condition", "steps_to_tolerance",
    "updates_per_epoch", "minibatch_gd", "minibatch_gradient_noise",
    "minibatch_gradient_variance", "inverse_time_lr", "saddle_loss",
    "saddle_gradient", "double_well", "double_well_gradient",
]

RUN_KINDS = ("converging", "oscillating", "diverging")
#: minibatch_gd declares a run diverged when its cost exceeds this many
#: times its starting value (or overflows).
DIVERGENCE_FACTOR = 1e10
SCALINGS = ("none", "center", "minmax", "standardize")


# ------------------------------------------------------------ input checks
# Each checker takes the arguments of the function it guards and returns
# the checked values (nnlab._validate.checks puts them in place), or raises
# a TypeError / ValueError that names the argument.
def _xy(X, y, x_name="X", y_name="y"):
    """X of shape (m, n) (a 1-D X is one feature, (m, 1)), y of shape (m,)."""
    X = as_float_array(X, x_name)
    X = as_matrix(X[:, None] if X.ndim == 1 else X, x_name)
    m = X.shape[0]
    y = as_shaped(y, (m,), y_name, f"one per row of {x_name}")
    return X, y


def _array(value, name):
    """Numbers of any shape as float64 (a trajectory may hold inf or nan)."""
    if value is None:
        raise TypeError(f"{name} must be an array of numbers; got None")
    return as_number_array(value, name).astype(np.float64)


def _function(f, name, what):
    if not callable(f):
        raise TypeError(f"{name} must be a function {what}; "
                        f"got {type(f).__name__}")
    return f


def _schedule(lr):
    """lr as a function t -> η_t whose every value is checked.

    A number (> 0) is a constant rate; a function of the step t must
    return a finite number >= 0 at every step.
    """
    if not callable(lr):
        value = check_positive(lr, "lr")
        return lambda t: value

    def checked_rate(t):
        eta = lr(t)
        try:
            return check_real(eta, "lr", low=0)
        except TypeError:
            raise TypeError(f"the lr schedule must return a number; at step "
                            f"{t} it returned {eta!r}") from None
        except ValueError:
            raise ValueError(f"the lr schedule must return a finite "
                             f"number >= 0; at step {t} it returned "
                             f"{eta!r}") from None
    return checked_rate


def _checked_gradient(grad_fn, shape):
    """grad_fn whose result must be an array of numbers of this shape."""
    def checked(theta):
        grad = _array(grad_fn(theta), "the result of grad_fn")
        if grad.shape != shape:
            raise ValueError(f"grad_fn must return the gradient, shaped like "
                             f"theta {shape}; it returned shape {grad.shape}")
        return grad
    return checked


def _descent_inputs(grad_fn, theta0, lr, steps):
    grad_fn = _function(grad_fn, "grad_fn",
                        "theta -> gradient (same shape as theta)")
    theta0 = as_float_array(theta0, "theta0").astype(np.float64)
    return {"grad_fn": _checked_gradient(grad_fn, theta0.shape),
            "theta0": theta0,
            "steps": check_int(steps, "steps", minimum=0),
            "lr": _schedule(lr)}


def _parabola_inputs(theta, x, y):
    """x and y of shape (m,); theta any shape, inf and nan allowed."""
    x, y = _xy(x, y, "x")
    return {"theta": as_float_array(theta, "theta", finite=False),
            "x": x[:, 0], "y": y}


def _slope_inputs(theta, x, y):
    """As _parabola_inputs, with a finite theta."""
    checked = _parabola_inputs(theta, x, y)
    return {**checked, "theta": as_float_array(theta, "theta")}


def _x_inputs(x):
    return {"x": as_float_array(x, "x")}


def _minimizer_inputs(x, y):
    x, y = _xy(x, y, "x")
    return {"x": x[:, 0], "y": y}


def _gap_inputs(f, a, b, t):
    t = as_float_array(t, "t")
    if np.any((t < 0) | (t > 1)):
        raise ValueError("t must lie in [0, 1]")
    return {"f": _function(f, "f", "of one array, applied element-wise"),
            "a": as_float_array(a, "a"), "b": as_float_array(b, "b"),
            "t": t}


def _run_inputs(path, losses):
    path = _array(path, "path")
    losses = _array(losses, "losses")
    if path.ndim == 0 or len(path) < 3:
        raise ValueError(f"path must hold at least 3 points (2 steps) to "
                         f"judge a run; got shape {path.shape}")
    if losses.shape != (len(path),):
        raise ValueError(f"losses must have shape ({len(path)},), one per "
                         f"row of path; got {losses.shape}")
    return {"path": path, "losses": losses}


def _linreg_cost_inputs(theta, X, y):
    """X (m, n), y (m,); theta (..., n), inf and nan allowed."""
    X, y = _xy(X, y)
    theta = as_float_array(theta, "theta", finite=False)
    if theta.shape[-1:] != (X.shape[1],):
        raise ValueError(f"theta must end in {X.shape[1]} entries, one per "
                         f"column of X; got shape {theta.shape}")
    return {"theta": theta, "X": X, "y": y}


def _linreg_gradient_inputs(theta, X, y):
    X, y = _xy(X, y)
    theta = as_shaped(theta, (X.shape[1],), "theta",
                      "one entry per column of X")
    return {"theta": theta, "X": X, "y": y}


def _scaling_inputs(X, method):
    if not isinstance(method, str) or method not in SCALINGS:
        raise ValueError(f"method must be one of {', '.join(SCALINGS)}; "
                         f"got {method!r}")
    return {"X": as_matrix(X, "X")}


def _matrix_inputs(X):
    return {"X": as_matrix(X, "X")}


def _tolerance_inputs(path, theta_star, tol):
    path = _array(path, "path")
    theta_star = as_float_array(theta_star, "theta_star")
    if path.ndim == 0:
        raise ValueError("path must hold one row per step, shape (T+1, n); "
                         "got a single number")
    tol = check_positive(tol, "tol")
    if path.shape[1:] != theta_star.shape:
        raise ValueError(f"path rows have shape {path.shape[1:]} but "
                         f"theta_star has shape {theta_star.shape}")
    return {"path": path, "theta_star": theta_star, "tol": tol}


def _epoch_inputs(m, batch_size):
    m = check_int(m, "m")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size")
    return {"m": m, "batch_size": batch_size}


def _minibatch_inputs(X, y, theta0, lr, epochs, batch_size, X_val, y_val,
                      seed):
    X, y = _xy(X, y)
    n = X.shape[1]
    theta0 = as_shaped(theta0, (n,), "theta0", "one entry per column of X")
    checked = {"X": X, "y": y, "theta0": theta0.astype(np.float64),
               "epochs": check_int(epochs, "epochs"), "lr": _schedule(lr),
               "batch_size": check_int(batch_size, "batch_size", typed=True,
                                       none_means="full batch")}
    if X_val is not None or y_val is not None:
        X_val, y_val = _xy(X_val, y_val, "X_val", "y_val")
        if X_val.shape[1] != n:
            raise ValueError(f"X_val has {X_val.shape[1]} columns but X has "
                             f"{n}; they must match")
        checked.update(X_val=X_val, y_val=y_val)
    return checked


def _noise_inputs(theta, X, y, batch_size, draws=1000, seed=0):
    checked = _linreg_gradient_inputs(theta, X, y)
    m = len(checked["y"])
    batch_size = check_int(batch_size, "batch_size")
    if batch_size > m:
        raise ValueError(f"batch_size must be at most the {m} rows of X; "
                         f"got {batch_size}")
    return {**checked, "batch_size": batch_size,
            "draws": check_int(draws, "draws"),
            "seed": as_rng(seed, "seed")}


def _variance_inputs(theta, X, y, batch_size):
    checked = _noise_inputs(theta, X, y, batch_size)
    return {key: checked[key] for key in ("theta", "X", "y", "batch_size")}


def _decay_inputs(t, lr, decay_rate, decay_steps):
    return {"t": check_real(t, "t", low=0),
            "lr": check_real(lr, "lr", low=0),
            "decay_rate": check_real(decay_rate, "decay_rate", low=0),
            "decay_steps": check_real(decay_steps, "decay_steps", low=0,
                                      low_open=True)}


def _pair_inputs(theta):
    theta = as_float_array(theta, "theta")
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta must end in 2 entries (x, y); "
                         f"got shape {theta.shape}")
    return {"theta": theta}


def _well_inputs(x):
    return {"x": as_float_array(x, "x", finite=False)}


def _inf_not_nan(values):
    """A cost that came out nan (inf − inf or 0 · inf in a diverged run)
    is +inf."""
    return np.where(np.isnan(values), np.inf, values)[()]


def _check_diverged(cost, epoch, t, eta):
    """A FloatingPointError when the cost overflowed or grew by more than
    DIVERGENCE_FACTOR: the learning rate is too large."""
    now, start = cost[-1], cost[0]
    if not math.isfinite(now) or now > DIVERGENCE_FACTOR * start > 0:
        raise FloatingPointError(
            f"mini-batch gradient descent diverged in epoch {epoch + 1} "
            f"(update {t}): the cost went from {start:.4g} to "
            f"{now:.4g}. The learning rate (lr={eta:g} at this update) "
            f"is too large: lower lr, or standardize the features.")


# ------------------------------------------------------------ the algorithm
@checks(_descent_inputs)
def gradient_descent(grad_fn, theta0, lr, steps):
    """Plain gradient descent; returns the whole trajectory θ_0, ..., θ_T.

        θ_{t+1} = θ_t − η_t ∇J(θ_t),   t = 0, ..., T − 1  (T = steps)

    grad_fn(θ) returns ∇J(θ), shaped like θ. lr is a number η or a
    schedule, a function t -> η_t. Returns an array of shape
    (steps + 1, *theta0.shape): row t is θ_t, row 0 the start.
    A run that overflows stops early: the rows after the first one that
    is not finite repeat it (inf or nan), and classify_run calls the run
    diverging.
    """
    path = np.empty((steps + 1, *theta0.shape))
    theta = path[0] = theta0
    with np.errstate(over="ignore", invalid="ignore"):  # it may diverge
        for t in range(steps):
            theta = theta - lr(t) * grad_fn(theta)
            path[t + 1] = theta
            if not np.all(np.isfinite(theta)):  # diverged: keep inf/nan
                path[t + 2:] = theta
                break
    return path


# ---------------------------------------------- one parameter (the lectures)
@checks(_parabola_inputs)
def one_param_cost(theta, x, y):
    """The lectures' one-parameter cost, for the line h(x) = θ x.

        J(θ) = Σᵢ (θ xᵢ − yᵢ)² / (2m)

    x and y of shape (m,). theta is a number or an array of any shape
    (evaluated element-wise, e.g. a grid for a plot); returns its shape.
    A theta that is not finite (a diverged run) costs inf, never nan.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        residuals = theta[..., None] * x - y            # (..., m)
        cost = np.sum(residuals**2, axis=-1) / (2 * len(x))
    return _inf_not_nan(cost)


@checks(_slope_inputs)
def one_param_gradient(theta, x, y):
    """The slope of one_param_cost.

        J'(θ) = Σᵢ (θ xᵢ − yᵢ) xᵢ / m

    Same shapes as one_param_cost; a huge theta gives an infinite slope.
    """
    with np.errstate(over="ignore"):
        return np.sum((theta[..., None] * x - y) * x, axis=-1) / len(x)


@checks(_x_inputs)
def one_param_curvature(x):
    """The curvature of one_param_cost, the same for every θ.

        J''(θ) = Σᵢ xᵢ² / m = a

    On this parabola one step of gradient descent multiplies the distance
    to the minimum by 1 − η a: it creeps for η < 1/a, zig-zags for
    1/a < η < 2/a and diverges for η > 2/a.
    """
    with np.errstate(over="ignore"):         # beyond the float range: inf
        return float(np.mean(x**2))


@checks(_minimizer_inputs)
def one_param_minimizer(x, y):
    """Where J'(θ) = 0: θ* = Σᵢ xᵢ yᵢ / Σᵢ xᵢ²."""
    denominator = float(np.sum(x * x))
    if denominator == 0:
        raise ValueError("all x are 0: every theta gives the same cost, "
                         "there is no unique minimizer")
    return float(np.sum(x * y)) / denominator


@checks(_gap_inputs)
def convexity_gap(f, a, b, t):
    """How far the chord of f between a and b lies above f, at fraction t.

        gap = t f(a) + (1 − t) f(b) − f(t a + (1 − t) b)

    f is convex exactly when the gap is >= 0 for all a, b and t in
    [0, 1]; a negative gap anywhere proves that f is not convex.
    a, b and t broadcast against each other. Where f is not finite (it
    overflowed) the gap is undefined: a ValueError says so.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        gap = t * f(a) + (1 - t) * f(b) - f(t * a + (1 - t) * b)
    if not np.all(np.isfinite(gap)):
        raise ValueError("the gap is not finite: f overflowed at a, b or "
                         "t a + (1 - t) b; choose a and b where f is finite")
    return gap


# ------------------------------------------------------------ reading a run
@checks(_run_inputs)
def classify_run(path, losses):
    """Say whether a run of gradient descent is converging, oscillating or
    diverging.

    path: the trajectory of gradient_descent, shape (T+1, ...); losses:
    the loss at each of its rows, shape (T+1,). The rules:
    - diverging: a loss is not finite, or the last loss exceeds the first;
    - oscillating: in some coordinate most consecutive steps
      Δ_t = θ_{t+1} − θ_t point in opposite directions (Δ_t Δ_{t+1} < 0):
      the run overshoots the minimum back and forth (it may still get
      closer to it, on a zig-zag path);
    - converging: otherwise, the loss went down without overshooting.
    Steps smaller than 1e-12 (the run has arrived) are not counted.
    """
    finite = np.all(np.isfinite(losses)) and np.all(np.isfinite(path))
    if not finite or losses[-1] > losses[0]:
        return "diverging"
    steps = np.diff(path.reshape(len(path), -1), axis=0)   # Δ_t, (T, d)
    moving = np.abs(steps[:-1]) > 1e-12
    flips = (steps[:-1] * steps[1:] < 0) & moving         # Δ_t Δ_{t+1} < 0
    share = flips.sum(axis=0) / np.maximum(moving.sum(axis=0), 1)
    return "oscillating" if np.any(share > 0.5) else "converging"


# ------------------------------------------------------ several parameters
@checks(_linreg_cost_inputs)
def linreg_cost(theta, X, y):
    """Half the mean squared error of the linear model ŷ = X θ.

        J(θ) = ‖X θ − y‖² / (2m)

    X of shape (m, n) (add a column of ones for an intercept θ₀), y of
    shape (m,). theta of shape (n,), or (..., n) for a grid of parameter
    vectors (contour plots); returns a number, or shape (...).
    Parameters that are not finite (a diverged run) cost inf, never nan.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        residuals = theta @ X.T - y                     # (..., m)
        cost = np.sum(residuals**2, axis=-1) / (2 * len(y))
    return _inf_not_nan(cost)


@checks(_linreg_gradient_inputs)
def linreg_gradient(theta, X, y):
    """The gradient of linreg_cost.

        ∇J(θ) = Xᵀ (X θ − y) / m

    theta of shape (n,); returns shape (n,).
    """
    return X.T @ (X @ theta - y) / len(y)


@checks(_scaling_inputs)
def scale_features(X, method="standardize"):
    """Rescale the columns of X, shape (m, n); returns the same shape.

    - "none":        unchanged (a copy);
    - "center":      mean subtraction, x − μ;
    - "minmax":      to [0, 1], (x − min) / (max − min);
    - "standardize": (x − μ) / σ, with nnlab.data.Standardizer.
    A column that is constant up to rounding (spread at most 10 machine
    epsilons times its largest |x|) is only shifted, never divided by its
    rounding noise. On real data, learn μ, σ, min and max on the training
    split only.
    """
    if method == "none":
        return X.copy()
    if method == "center":
        return X - X.mean(axis=0)
    if method == "minmax":
        low, span = X.min(axis=0), np.ptp(X, axis=0)
        flat = span <= 10 * np.finfo(X.dtype).eps * np.max(np.abs(X), axis=0)
        return (X - low) / np.where(flat, 1, span)
    return data.Standardizer().fit_transform(X)


@checks(_matrix_inputs)
def hessian_curvatures(X):
    """The curvatures of linreg_cost along its principal axes.

    They are the eigenvalues λ (ascending) of the Hessian H = Xᵀ X / m;
    gradient descent is stable for η < 2 / λ_max. X of shape (m, n);
    returns shape (n,).
    """
    return np.linalg.eigvalsh(X.T @ X / X.shape[0])


def hessian_condition(X):
    """How elongated the valley of linreg_cost is: the condition number.

        κ = λ_max / λ_min,  λ the eigenvalues of H = Xᵀ X / m

    The contours of linreg_cost are ellipses with axes proportional to
    1/√λ, so κ = 1 is a round bowl. Gradient descent needs η < 2/λ_max,
    and then about κ steps to shrink the error along the flattest
    direction by a constant factor. Returns inf when λ_min is 0.
    """
    curvatures = hessian_curvatures(X)          # ascending
    lam_min, lam_max = curvatures[0], curvatures[-1]
    if lam_min > 1e-15 * lam_max:
        return float(lam_max / lam_min)
    return math.inf                             # singular up to rounding


@checks(_tolerance_inputs)
def steps_to_tolerance(path, theta_star, tol=1e-3):
    """The first step t with ‖θ_t − θ*‖ <= tol, or -1 if there is none.

    path of shape (T+1, n), from gradient_descent; theta_star of shape (n,).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        rows = path.reshape(len(path), -1)
        distances = np.linalg.norm(rows - theta_star.ravel(), axis=1)
    hits = np.flatnonzero(distances <= tol)
    return int(hits[0]) if hits.size else -1


# ---------------------------------------- batch, stochastic and mini-batch
@checks(_epoch_inputs)
def updates_per_epoch(m, batch_size=None):
    """Parameter updates in one epoch over m samples: ⌈m / B⌉.

    batch_size None is batch gradient descent (B = m, 1 update), 1 is
    stochastic gradient descent (m updates). The count is the number of
    batches nnlab.data.minibatch_indices yields.
    """
    if batch_size is None:
        return 1
    return math.ceil(m / batch_size)


@checks(_minibatch_inputs)
def minibatch_gd(X, y, theta0, lr, epochs, batch_size=None, *,
                 X_val=None, y_val=None, seed=0):
    """Mini-batch gradient descent on linreg_cost; returns (theta, history).

    Every epoch shuffles the rows and cuts them into batches; each batch
    (X_B, y_B) of |B| rows takes one step along the gradient of its own
    cost:

        θ ← θ − η_t X_Bᵀ (X_B θ − y_B) / |B|

    batch_size: None (batch GD), 1 (stochastic GD) or k (mini-batch GD).
    lr: a number, or a schedule t -> η_t, t counting the updates (e.g.
    inverse_time_lr or an nnlab.schedules object). seed: an int, a
    numpy Generator, or None (nnlab's package generator).

    history, a dict of arrays:
      "cost"  the training cost before training and after every update,
              shape (epochs * updates_per_epoch + 1,);
      "train" the training cost at the end of each epoch, (epochs,);
      "lr"    the learning rate of every update;
      "val"   the cost on X_val, y_val after each epoch (only when given).
    A run whose cost overflows or exceeds DIVERGENCE_FACTOR (1e10) times
    its start raises FloatingPointError, saying to lower the learning
    rate (gradient_descent instead keeps a diverging path, for a plot).
    """
    rng = as_rng(seed, "seed")       # one generator: a new order each epoch
    theta, t = theta0, 0
    cost, train, val, rates = [linreg_cost(theta, X, y)], [], [], []
    with np.errstate(over="ignore", invalid="ignore"):  # caught just below
        for epoch in range(epochs):
            for rows in data.minibatch_indices(len(y), batch_size, rng=rng):
                X_B, y_B = X[rows], y[rows]
                eta = lr(t)
                theta = theta - eta * (X_B.T @ (X_B @ theta - y_B)) / len(y_B)
                rates.append(eta)
                cost.append(float(linreg_cost(theta, X, y)))
                t += 1
                _check_diverged(cost, epoch, t, eta)
            train.append(cost[-1])
            if X_val is not None:
                val.append(linreg_cost(theta, X_val, y_val))
    history = {"cost": np.array(cost), "train": np.array(train),
               "lr": np.array(rates)}
    if X_val is not None:
        history["val"] = np.array(val)
    return theta, history


@checks(_noise_inputs)
def minibatch_gradient_noise(theta, X, y, batch_size, draws=1000, seed=0):
    """Measure how a mini-batch gradient scatters around the full one.

    Draws `draws` batches of batch_size rows (without replacement, as in
    one shuffled epoch), takes each batch's gradient g_B of linreg_cost
    at theta and returns (mean, variance):

        mean     = the average of the g_B, shape (n,): close to ∇J(θ)
        variance = the average of ‖g_B − ∇J(θ)‖², a number

    seed: an int, a numpy Generator, or None (nnlab's generator).
    """
    rng = seed                  # the checker made it a numpy Generator
    full = X.T @ (X @ theta - y) / len(y)
    grads = np.empty((draws, len(theta)))
    for k in range(draws):
        rows = rng.choice(len(y), batch_size, replace=False)
        X_B, y_B = X[rows], y[rows]
        grads[k] = X_B.T @ (X_B @ theta - y_B) / batch_size
    variance = np.mean(np.sum((grads - full) ** 2, axis=1))
    return grads.mean(axis=0), float(variance)


@checks(_variance_inputs)
def minibatch_gradient_variance(theta, X, y, batch_size):
    """The exact variance E‖g_B − ∇J(θ)‖² of a mini-batch gradient.

    With gᵢ = xᵢ (xᵢ·θ − yᵢ) the gradient of sample i, ḡ = ∇J(θ) their
    mean and σ² = Σᵢ ‖gᵢ − ḡ‖² / m their spread, a batch of B rows drawn
    without replacement from m has

        E‖g_B − ḡ‖² = (σ² / B) · (m − B) / (m − 1):

    1/B times the one-sample variance, shrunk a little further because
    the batch cannot repeat a row (0 for the full batch, B = m).
    """
    m, B = len(y), batch_size
    if m == 1:                              # one row: no noise at all
        return 0.0
    per_sample = X * (X @ theta - y)[:, None]            # (m, n): the gᵢ
    spread = np.mean(np.sum((per_sample - per_sample.mean(axis=0)) ** 2,
                            axis=1))
    return float(spread / B * (m - B) / (m - 1))


@checks(_decay_inputs)
def inverse_time_lr(t, lr, decay_rate=1.0, decay_steps=1):
    """The learning rate of update t under 1/t decay, starting from lr.

        η_t = η₀ / (1 + k t / s)    (η₀ = lr, k = decay_rate, s = decay_steps)

    With k = 1 the rate halves after s updates, is a third of η₀ after 2s,
    and so on; t may be any real number >= 0. The core schedule
    nnlab.schedules.InverseTimeDecay(lr, decay_rate, decay_steps) gives
    the same numbers, checks the step, and also has the power form
    η₀ / (1 + k t / s)^c.
    """
    return lr / (1 + decay_rate * t / decay_steps)


# ------------------------------------------------------- non-convex losses
@checks(_pair_inputs)
def saddle_loss(theta):
    """The saddle f(x, y) = x² − y²: a minimum along x, a maximum along y.

    theta of shape (..., 2) holds (x, y); returns shape (...). At the
    origin the gradient is 0 and the Hessian diag(2, −2) has eigenvalues
    of both signs.
    """
    x, y = theta[..., 0], theta[..., 1]
    return x**2 - y**2


@checks(_pair_inputs)
def saddle_gradient(theta):
    """∇f(x, y) = (2x, −2y); theta of shape (..., 2), returns (..., 2)."""
    x, y = theta[..., 0], theta[..., 1]
    return np.stack([2 * x, -2 * y], axis=-1)


@checks(_well_inputs)
def double_well(x):
    """A one-dimensional loss with two minima: f(x) = x⁴ − 3x² + x.

    The global minimum is near x ≈ −1.30, a worse local one near
    x ≈ 1.13, with a local maximum between them. x of any shape; returns
    the same shape. A non-finite x (a diverged run) gives inf, never nan.
    """
    with np.errstate(over="ignore", invalid="ignore"):   # x → ±∞: +inf
        return _inf_not_nan(x**4 - 3 * x**2 + x)


@checks(_x_inputs)
def double_well_gradient(x):
    """f'(x) = 4x³ − 6x + 1. x of any shape; returns the same shape (±inf
    where it exceeds the float range, as for double_well)."""
    with np.errstate(over="ignore", invalid="ignore"):
        slope = 4 * x**3 - 6 * x + 1
    # a huge |x| gives inf − inf = nan; the x³ term wins: ±inf
    return np.where(np.isnan(slope), np.copysign(np.inf, x), slope)[()]
