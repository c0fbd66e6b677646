"""Layers and the Sequential model.

Rows are samples. A layer maps X of shape (m, n_in) to Y of shape
(m, n_out) and has

* forward(X, training=None): compute the output and remember what the
  backward pass needs. training=None uses the layer's current mode (see
  below); an explicit True / False overrides it for this call;
* backward(dY): given ∂L/∂Y (the shape of the output), store ∂L/∂θ in
  grads and return ∂L/∂X;
* params and grads: lists of arrays in the same order
  (Dense.params == [W, b]). The same arrays are updated in place at
  every step (the optimizer changes params, backward overwrites grads),
  so you can hold on to them;
* buffers: arrays that are not trained by gradient descent but are part
  of the model (BatchNorm's running mean and variance).

Training and inference mode (PyTorch's convention): every layer and
every Sequential has a training flag, True when built. model.train() and
model.eval() set it (on every layer) and return the model, so
model.eval()(X) works. In eval mode Dropout is the identity, BatchNorm
normalizes with its running statistics (and does not update them) and
RReLU uses its mean slope. model(X) runs in the current mode;
model.predict(X) always infers in eval mode and changes nothing (modes,
running statistics, random generators, what backward needs).
nnlab.train.fit trains in train mode and leaves the mode as it found it.

Randomness: rng=None (the default) draws from nnlab's package-level
generator, reset by nnlab.seed(s): two default layers get different
weights and masks, and the same seed gives the same run. An int is a
private seed, a numpy.random.Generator is used as is.

Every layer keeps its dtype end to end: a float32 model computes in
float32 in the forward pass, the backward pass and the optimizer.
float64 (the default) is for exact checks against PyTorch and finite
differences, float32 for speed; float16 is refused (too narrow to train
in: Adam's eps rounds to 0). Input beyond the range of the model's dtype
(1e39 for float32) is a ValueError, not a silent infinity.

A layer's forward / backward called directly checks its result: an
overflow to NaN or infinity (from finite input) is a ValueError; inside
a Sequential the model checks once for all its layers.

mlp([784, 256, 10]) builds the common case; print(model) shows the mode,
the layers, their output sizes and their parameter counts.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import threading

import numpy as np

from . import activations as _activations
from ._validate import (CallOrderError, IndexOutOfRange, as_float_array,
                        as_list, as_number_array, as_rng, cast, check_flag,
                        check_int, check_positive, check_real)

__all__ = [
    "Layer", "Dense", "Activation", "Dropout", "BatchNorm", "PReLU", "RReLU",
    "Sequential", "mlp", "layer_from_config",
]


# Inside Sequential the input was checked once (finite, 2-D): its layers skip the
# finiteness check of every intermediate array (no extra pass per batch in fit).
_LOCAL = threading.local()


def _trusted() -> bool:
    return getattr(_LOCAL, "trusted", False)


def _check_finite(X, what: str):
    if X.size and not (np.isfinite(X.min()) and np.isfinite(X.max())):   # NaN propagates to min
        raise ValueError(f"{what} contains NaN or infinity; expected finite values")


def _guarded(method):
    """forward / backward of a layer called directly (not inside a Sequential,
    which checks once for the whole model): no overflow warning, and a NaN
    or infinite result (output or gradients) from finite input is a
    ValueError instead of a silent answer.
    """
    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        if _trusted():
            return method(self, *args, **kwargs)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = method(self, *args, **kwargs)
        results = ([out] if isinstance(out, np.ndarray) else []) + \
            (list(self.grads) if method.__name__ == "backward" else [])
        if not all(np.isfinite(r).all() for r in results):
            raise ValueError(
                f"{type(self).__name__}.{method.__name__}: the result is NaN or infinite although "
                f"its input is finite: the computation overflowed (inputs or weights too "
                f"large for {self.dtype or 'the dtype'}); standardize X or lower the learning rate")
        return out
    return checked


def _float_dtype(dtype, name: str = "dtype") -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"{name} must be a floating-point type such as np.float32 or "
                        f"np.float64; got {dtype!r}") from err
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"{name} must be a floating-point type such as np.float32 or np.float64; got {dt}")
    if dt.itemsize < 4:
        # a careful library's choice: float16 holds at most 65504 and rounds
        # Adam's eps = 1e-8 to 0 (NaN weights), so training in it fails silently
        raise TypeError(f"{name} must be np.float32 or np.float64; got {dt}, too narrow to train "
                        "in (largest 65504, eps 1e-8 rounds to 0)")
    return dt


_MAX_SIZE = 2 ** 34        # entries of one weight array (128 GiB in float64)


def _check_size(size: int, what: str) -> None:
    if size > _MAX_SIZE:
        raise ValueError(f"{what} weights are far too many to allocate (at most {_MAX_SIZE:,})")


def _resolve_training(layer, training) -> bool:
    """training of one forward call: None means the layer's current mode."""
    if training is None:
        return getattr(layer, "training", True)
    if training is True or training is False:
        return training
    if isinstance(training, np.bool_):
        return bool(training)
    raise TypeError(f"training must be True, False or None (the current mode); got {training!r}")


def _call_initializer(init, shape, rng, dtype):
    """Draw W with init: a name, f(shape, rng) or f(shape, rng, dtype=...)."""
    from . import init as _init

    if not (isinstance(init, str) or callable(init)):
        raise TypeError("init must be a name of nnlab.init (e.g. 'he_normal') or a function "
                        f"f(shape, rng) returning an array; got {type(init).__name__}")
    f = _init.get(init)
    try:
        params = inspect.signature(f).parameters.values()
        takes_dtype = any(p.name == "dtype" or p.kind is p.VAR_KEYWORD for p in params)
    except (TypeError, ValueError):          # no signature (a builtin): try the full form
        takes_dtype = True
    try:
        inspect.signature(f).bind(shape, rng)
    except TypeError as err:
        raise TypeError(f"init must be a function f(shape, rng) (it may also take dtype=); "
                        f"{getattr(f, '__name__', 'it')} cannot be called that way: {err}") from None
    except ValueError:                       # no signature (a builtin): just call it
        pass
    W = f(shape, rng, dtype=dtype) if takes_dtype else f(shape, rng)
    W = as_number_array(W, "the result of init")
    if W.shape != shape:
        raise ValueError(f"init returned shape {W.shape}; expected {shape}")
    if W.dtype.kind == "f" and not np.all(np.isfinite(W)):
        raise ValueError("init returned NaN or infinity; weights must be finite")
    W = np.ascontiguousarray(cast(W, dtype, "W (from init)"))
    return W


class Layer:
    """Base class. Subclasses override forward and backward.

    input_size is the number of input features the layer needs (None when
    any width works) and output_size(n) the width it produces from n
    inputs; Sequential uses them to check that layers fit. min_train_batch
    is the smallest mini-batch the layer can train on (BatchNorm: 2), which
    fit checks before it starts.

    training is the layer's mode (True when built); train() / eval() set it
    and return the layer. A subclass's forward(X, training=None) should
    resolve None to self.training.
    """

    params: list
    grads: list
    buffers: list
    input_size: int | None = None
    dtype: np.dtype | None = None
    training: bool = True          # also the default of subclasses that skip __init__
    min_train_batch: int = 1

    def __init__(self):
        self.params, self.grads, self.buffers = [], [], []
        self.training = True

    # the two passes ---------------------------------------------------------
    def forward(self, X, training=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dY, input_grad: bool = True):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, X, *args, **kwargs):
        """layer(X) is layer.forward(X) in the current mode."""
        return self.forward(X, *args, **kwargs)

    # mode ---------------------------------------------------------------------
    def train(self, mode: bool = True):
        """Set training mode (mode=False: eval mode); returns the layer."""
        self.training = check_flag(mode, "mode")
        return self

    def eval(self):
        """Set eval (inference) mode; returns the layer. Same as train(False).
        """
        return self.train(False)

    # helpers ------------------------------------------------------------------
    def output_size(self, n_in):
        return n_in

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params))

    def config(self) -> dict:
        """The constructor arguments as plain JSON values (used by nnlab.io).
        """
        return {}

    def _input(self, X, name: str = "X"):
        """X as a 2-D float array of this layer's dtype (no copy if it is
        already)."""
        if not isinstance(X, np.ndarray) or X.dtype.kind != "f":
            X = as_float_array(X, name)
        if X.ndim != 2:
            raise ValueError(f"{type(self).__name__}: {name} must be 2-D (samples, features); got shape {X.shape}")
        if self.input_size is not None and X.shape[1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: {name} has {X.shape[1]} features (columns) but the layer "
                f"expects {self.input_size}"
            )
        if not _trusted():
            _check_finite(X, f"{type(self).__name__}: {name}")
        if self.dtype is not None and X.dtype != self.dtype:
            X = cast(X, self.dtype, name)
        return X

    def _grad_input(self, dY, shape):
        if not isinstance(dY, np.ndarray) or dY.dtype.kind != "f":
            dY = as_float_array(dY, "dY")
        if dY.shape != shape:
            raise ValueError(
                f"{type(self).__name__}.backward: dY has shape {dY.shape} but the last forward "
                f"output had shape {shape}; they must match"
            )
        if not _trusted():
            _check_finite(dY, f"{type(self).__name__}.backward: dY")
        if self.dtype is not None and dY.dtype != self.dtype:
            dY = cast(dY, self.dtype, "dY")
        return dY

    def _need_forward(self, attr):
        if getattr(self, attr, None) is None:
            raise CallOrderError(f"{type(self).__name__}.backward called before forward; "
                                 "run forward(X) first")

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Dense(Layer):
    """Fully connected layer, Y = XW + b.

    W has shape (n_in, n_out) and b shape (n_out,) (zeros). W is drawn by
    init: a name of nnlab.init or a function f(shape, rng) returning an
    array of that shape (it may also take dtype=; otherwise its result is
    converted to the layer's dtype). rng=None draws from nnlab's package
    generator (nnlab.seed). Backward, with G = ∂L/∂Y:

        ∂L/∂W = Xᵀ G,    ∂L/∂b = Σ_i G_i (the column sums),    ∂L/∂X = G Wᵀ

    backward(dY, input_grad=False) skips G Wᵀ (the first layer of a network
    does not need it; PyTorch skips it too).
    """

    def __init__(self, n_in: int, n_out: int, init="he_normal", rng=None, dtype=np.float64):
        super().__init__()
        self.n_in = check_int(n_in, "n_in")
        self.n_out = check_int(n_out, "n_out")
        self.dtype = _float_dtype(dtype)
        self.init = init
        _check_size(self.n_in * self.n_out, f"n_in × n_out = {self.n_in} × {self.n_out}")
        self.W = _call_initializer(init, (self.n_in, self.n_out), as_rng(rng), self.dtype)
        self.b = np.zeros(self.n_out, dtype=self.dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.params = [self.W, self.b]
        self.grads = [self.dW, self.db]
        self.input_size = self.n_in
        self._X = None

    def output_size(self, n_in):
        return self.n_out

    @_guarded
    def forward(self, X, training=None):
        X = self._input(X)
        self._X = X
        Y = X @ self.W
        Y += self.b
        return Y

    @_guarded
    def backward(self, dY, input_grad=True):
        self._need_forward("_X")
        dY = self._grad_input(dY, (self._X.shape[0], self.n_out))
        np.matmul(self._X.T, dY, out=self.dW)      # dL/dW = X^T G, written in place
        np.sum(dY, axis=0, out=self.db)             # dL/db = column sums of G
        return dY @ self.W.T if input_grad else None

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"

    def config(self):
        cfg = {"n_in": self.n_in, "n_out": self.n_out}
        if isinstance(self.init, str):
            cfg["init"] = self.init
        return cfg


class Activation(Layer):
    """An activation function of nnlab.activations as a layer.

    Activation("relu"), Activation("leaky_relu", alpha=0.1),
    Activation("softmax"). Backward multiplies by f'(Z) element-wise
    (softmax: its vector-Jacobian product). The output has the input's
    dtype (or dtype if given). Train and eval mode are the same.
    """

    def __init__(self, name, dtype=None, **params):
        super().__init__()
        if not isinstance(name, (str, _activations.ActivationFunction)):
            raise TypeError("name must be the name of an activation of nnlab.activations, such as "
                            f"'relu'; got {type(name).__name__}")
        try:
            self.fn = _activations.get(name, **params)
        except ValueError as err:
            raise ValueError(f"name: {err}") from None
        self.name = self.fn.name
        # an Activation object carries its own parameters (alpha, ...): keep
        # them in the config, or io.load would rebuild it with the defaults
        self.act_params = dict(params) if isinstance(name, str) else dict(self.fn.params)
        self.dtype = None if dtype is None else _float_dtype(dtype)
        self._Z = None

    @_guarded
    def forward(self, X, training=None):
        X = self._input(X)
        self._Z = X
        if self.name == "relu":                      # the common case, without input checks
            return np.maximum(X, 0)
        return self.fn.forward(X)

    @_guarded
    def backward(self, dY, input_grad=True):
        self._need_forward("_Z")
        Z = self._Z
        dY = self._grad_input(dY, Z.shape)
        if self.name == "relu":
            return dY * (Z > 0)                      # ReLU'(z) = 1 for z > 0, else 0
        return self.fn.vjp(Z, dY)

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.act_params.items())
        return f"Activation({self.name!r}{args})"

    def config(self):
        return {"name": self.name, **self.act_params}


class Dropout(Layer):
    """Inverted dropout: in train mode keep each entry with probability 1 − p
    and scale the kept ones by 1/(1 − p), so that E[x'] = x; in eval mode it
    is the identity.

        x'_i = 0 with probability p, else x_i / (1 − p)

    rng draws the masks: None (default) nnlab's package generator (reset by
    nnlab.seed, so two default Dropout layers draw different masks), an int
    a private seed, or a Generator. forward(X, mask=M) uses the boolean
    keep-mask M instead of drawing one (for worked examples and tests); the
    mask of the last forward pass is layer.mask.
    """

    def __init__(self, p: float = 0.5, rng=None, dtype=None):
        super().__init__()
        p = check_positive(p, "p", allow_zero=True)
        if p >= 1:
            raise ValueError(f"p (the drop probability) must be in [0, 1); got {p!r}")
        self.p = p
        # None is kept: the package generator is looked up at every draw, so
        # nnlab.seed() called after building the layer still applies
        self.rng = None if rng is None else as_rng(rng)
        self.dtype = None if dtype is None else _float_dtype(dtype)
        self.mask = None
        self._scale = None

    @_guarded
    def forward(self, X, training=None, mask=None):
        X = self._input(X)
        training = _resolve_training(self, training)
        if not training or (self.p == 0 and mask is None):
            self._scale = None
            return X
        if mask is None:
            rng = self.rng if self.rng is not None else as_rng(None)
            mask = rng.random(X.shape, dtype=X.dtype) >= self.p
        else:
            try:
                mask = np.asarray(mask, dtype=bool)
            except (TypeError, ValueError) as err:
                raise TypeError(f"mask must be a boolean array shaped like X {X.shape}") from err
            if mask.shape != X.shape:
                raise ValueError(f"mask has shape {mask.shape} but X has shape {X.shape}; they must match")
        self.mask = mask
        # one array holding 0 or 1/(1-p): the forward and backward multiplier
        self._scale = mask * X.dtype.type(1.0 / (1.0 - self.p))
        return X * self._scale

    @_guarded
    def backward(self, dY, input_grad=True):
        if self._scale is None:                      # inference or p = 0: identity
            if not _trusted():
                dY = as_float_array(dY, "dY")
            return dY
        dY = self._grad_input(dY, self._scale.shape)
        return dY * self._scale

    def config(self):
        return {"p": self.p}


class BatchNorm(Layer):
    """Batch normalization over the features of X of shape (m, n), with
    PyTorch's conventions.

    Train mode (statistics of the mini-batch, variance biased):

        μ_B = (1/m) Σ_i x_i,        σ_B² = (1/m) Σ_i (x_i − μ_B)²,
        x̂_i = (x_i − μ_B) / √(σ_B² + ε),    y_i = γ ⊙ x̂_i + β

    and the running estimates used at inference are updated as
    v̂ ← (1 − momentum)·v̂ + momentum·v with the unbiased batch variance
    m/(m − 1)·σ_B² (momentum=0.1, eps=1e-5). The lectures write
    v̂ ← v̂·m + v·(1 − m): the same rule with m = 1 − momentum (Keras'
    momentum=0.99 is PyTorch's 0.01). Train mode needs at least 2 samples
    per batch. Eval mode normalizes with the running estimates and leaves
    them unchanged.

    params == [gamma, beta]; buffers == [running_mean, running_var].
    """

    min_train_batch = 2

    def __init__(self, n: int, momentum: float = 0.1, eps: float = 1e-5, dtype=np.float64):
        super().__init__()
        self.n = check_int(n, "n")
        _check_size(self.n, f"n = {self.n}")
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        if self.momentum > 1:
            raise ValueError(f"momentum must be in [0, 1]; got {momentum!r}")
        self.eps = check_positive(eps, "eps")
        self.dtype = _float_dtype(dtype)
        if self.eps < np.finfo(self.dtype).tiny:
            raise ValueError(f"eps must be at least {float(np.finfo(self.dtype).tiny):.3g} in "
                             f"{self.dtype} (smaller rounds to 0: division by zero); got {eps!r}")
        self.gamma = np.ones(self.n, dtype=self.dtype)
        self.beta = np.zeros(self.n, dtype=self.dtype)
        self.dgamma = np.zeros_like(self.gamma)
        self.dbeta = np.zeros_like(self.beta)
        self.running_mean = np.zeros(self.n, dtype=self.dtype)
        self.running_var = np.ones(self.n, dtype=self.dtype)
        self.params = [self.gamma, self.beta]
        self.grads = [self.dgamma, self.dbeta]
        self.buffers = [self.running_mean, self.running_var]
        self.input_size = self.n
        self._xhat = self._inv_std = None
        self._batch_stats = True          # did the last forward use the batch's statistics?

    @_guarded
    def forward(self, X, training=None):
        X = self._input(X)
        training = _resolve_training(self, training)
        m = X.shape[0]
        if training:
            if m < 2:
                raise ValueError("BatchNorm needs at least 2 samples per batch in training "
                                 f"(got {m}); use a larger batch_size, or eval mode (model.eval())")
            mu = X.mean(axis=0)
            xc = X - mu
            with np.errstate(over="ignore"):
                var = np.mean(xc * xc, axis=0)                   # biased, for normalizing
            if not np.isfinite(var).all():                     # O(n): cheap in fit too
                raise ValueError(f"BatchNorm: the variance of X is infinite (it overflowed: X has "
                                 f"entries up to {float(np.abs(X).max()):.3g}); standardize X")
            mom = self.momentum
            self.running_mean *= 1 - mom
            self.running_mean += mom * mu
            self.running_var *= 1 - mom
            self.running_var += (mom * m / (m - 1)) * var       # unbiased, for inference
        else:
            xc = X - self.running_mean
            var = self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        self._xhat = xc * inv_std
        self._inv_std = inv_std
        self._batch_stats = training
        return self._xhat * self.gamma + self.beta

    @_guarded
    def backward(self, dY, input_grad=True):
        self._need_forward("_xhat")
        xhat = self._xhat
        dY = self._grad_input(dY, xhat.shape)
        np.sum(dY * xhat, axis=0, out=self.dgamma)
        np.sum(dY, axis=0, out=self.dbeta)
        if not input_grad:
            return None
        g = dY * self.gamma                                     # dL/dx_hat
        if not self._batch_stats:                               # fixed statistics: a per-feature scale
            return g * self._inv_std
        # the batch statistics depend on every x_i:
        # dx = (1/sigma) (g - mean(g) - x_hat * mean(g * x_hat))
        return self._inv_std * (g - g.mean(axis=0) - xhat * np.mean(g * xhat, axis=0))

    def config(self):
        return {"n": self.n, "momentum": self.momentum, "eps": self.eps}


class PReLU(Layer):
    """Parametric ReLU: leaky ReLU whose slope a is learned.

        f(x) = max(0, x) + a·min(0, x)

    As torch.nn.PReLU: num_parameters=1 (default) shares one slope by all
    features; num_parameters=n learns one slope per feature (column). The
    slope starts at init=0.25. params == [alpha], with
    ∂L/∂a = Σ G ⊙ min(0, x) (summed over the samples, and over the features
    when shared).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=np.float64):
        super().__init__()
        self.num_parameters = check_int(num_parameters, "num_parameters")
        _check_size(self.num_parameters, f"num_parameters = {self.num_parameters}")
        if isinstance(init, (bool, np.bool_)):
            raise TypeError(f"init (the starting slope) must be a number; got {init!r}")
        self.init = check_real(init, "init")
        self.dtype = _float_dtype(dtype)
        self.alpha = np.full(self.num_parameters, self.init, dtype=self.dtype)
        self.dalpha = np.zeros_like(self.alpha)
        self.params = [self.alpha]
        self.grads = [self.dalpha]
        self.input_size = self.num_parameters if self.num_parameters > 1 else None
        self._X = None

    @_guarded
    def forward(self, X, training=None):
        X = self._input(X)
        self._X = X
        return np.where(X > 0, X, self.alpha * X)

    @_guarded
    def backward(self, dY, input_grad=True):
        self._need_forward("_X")
        X = self._X
        dY = self._grad_input(dY, X.shape)
        contrib = dY * np.minimum(X, 0)
        if self.num_parameters == 1:
            self.dalpha[0] = contrib.sum()
        else:
            np.sum(contrib, axis=0, out=self.dalpha)
        return np.where(X > 0, dY, self.alpha * dY)

    def config(self):
        return {"num_parameters": self.num_parameters, "init": self.init}


class RReLU(Layer):
    """Randomized leaky ReLU, as torch.nn.RReLU.

    In train mode every negative entry gets its own slope
    a ~ U(lower, upper) (defaults 1/8 and 1/3); in eval mode the slope is
    the mean (lower + upper)/2. f(x) = x for x ≥ 0, a·x otherwise. rng draws
    the slopes (None: nnlab's package generator, as for Dropout); those of
    the last forward pass are layer.slopes.
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, rng=None, dtype=np.float64):
        super().__init__()
        self.lower = check_positive(lower, "lower", allow_zero=True)
        self.upper = check_positive(upper, "upper", allow_zero=True)
        if self.upper < self.lower:
            raise ValueError(f"upper ({upper}) must be >= lower ({lower})")
        self.rng = None if rng is None else as_rng(rng)
        self.dtype = _float_dtype(dtype)
        self.slopes = None

    @_guarded
    def forward(self, X, training=None):
        X = self._input(X)
        if _resolve_training(self, training):
            rng = self.rng if self.rng is not None else as_rng(None)
            a = rng.uniform(self.lower, self.upper, size=X.shape).astype(X.dtype)
            a[X >= 0] = 1.0
        else:
            a = np.where(X >= 0, 1.0, (self.lower + self.upper) / 2).astype(X.dtype)
        self.slopes = a
        return X * a

    @_guarded
    def backward(self, dY, input_grad=True):
        self._need_forward("slopes")
        dY = self._grad_input(dY, self.slopes.shape)
        return dY * self.slopes

    def config(self):
        return {"lower": self.lower, "upper": self.upper}


# ------------------------------------------------------------------ the model
class Sequential:
    """A stack of layers applied in order.

    forward(X, training=None) (also model(X)) runs the layers in the
    current mode (each layer's training flag, set for all of them by
    train() / eval()) or, with an explicit training=True/False, in that
    mode for this call only. backward(dY) runs them in reverse and returns
    ∂L/∂X; params / grads are the layers' lists joined in order; predict(X)
    is the inference forward pass (eval mode, no state changed). Layer sizes
    are checked when the model is built. X must be finite: NaN or infinity
    is a ValueError.
    """

    def __init__(self, layers):
        if isinstance(layers, Layer):
            raise TypeError(f"layers must be a list of layers; got a single {type(layers).__name__}: "
                            f"write Sequential([{type(layers).__name__}(...)])")
        layers = as_list(layers, "layers", "nnlab layers", exclude=())
        if not layers:
            raise ValueError("layers is empty; a Sequential model needs at least one layer")
        width = None
        dtype = None
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be an nnlab layer; got {type(layer).__name__}")
            need = layer.input_size
            if need is not None and width is not None and need != width:
                raise ValueError(
                    f"layer {i} ({type(layer).__name__}) expects {need} input features but "
                    f"layer {i - 1} produces {width}; sizes of consecutive layers must match"
                )
            width = layer.output_size(need if width is None else width)
            if layer.dtype is not None:
                if dtype is not None and layer.dtype != dtype:
                    raise ValueError(
                        f"layer {i} ({type(layer).__name__}) has dtype {layer.dtype} but earlier "
                        f"layers have {dtype}; build every layer with the same dtype="
                    )
                dtype = layer.dtype
        self.layers = layers
        self.dtype = dtype if dtype is not None else np.dtype(np.float64)
        self.training = True

    # mode ---------------------------------------------------------------------
    def train(self, mode: bool = True):
        """Set every layer (and the model) to training mode, or eval mode with
        mode=False; returns the model (model.train(), as in PyTorch).
        """
        mode = check_flag(mode, "mode")
        self.training = mode
        for layer in self.layers:
            layer.train(mode)
        return self

    def eval(self):
        """Set eval (inference) mode on every layer; returns the model."""
        return self.train(False)

    @contextlib.contextmanager
    def _inference(self):
        """Eval mode for the block, then everything back as it was: the
        modes and what the layers keep for backward (their attributes)."""
        saved = [(layer, dict(vars(layer))) for layer in self.layers]
        try:
            for layer in self.layers:
                layer.training = False
            yield
        finally:
            for layer, attrs in saved:
                state = vars(layer)
                state.clear()
                state.update(attrs)

    # the passes ---------------------------------------------------------------
    def _check_input(self, X):
        """X as a finite 2-D array of the model's dtype (converted once)."""
        if not isinstance(X, np.ndarray) or X.dtype.kind != "f":
            X = as_float_array(X, "X")
        if X.ndim != 2:
            hint = ""
            if X.ndim == 1:
                hint = ("; for one sample use X.reshape(1, -1), for one feature "
                        "X.reshape(-1, 1)")
            raise ValueError(f"X must be 2-D of shape (samples, features); got shape "
                             f"{X.shape}{hint}")
        if X.size == 0:
            raise ValueError(f"X is empty (shape {X.shape}); expected at least one sample")
        if not (np.isfinite(X.min()) and np.isfinite(X.max())):     # NaN propagates to min
            raise ValueError("X contains NaN or infinity; expected finite values")
        return cast(X, self.dtype, "X")

    def _forward(self, X, training):
        """The layers, without input checks (X already checked, as in fit)."""
        if training is not None:
            training = _resolve_training(self, training)
        previous = _trusted()
        _LOCAL.trusted = True
        try:
            for layer in self.layers:
                X = layer.forward(X, getattr(layer, "training", True) if training is None else training)
        finally:
            _LOCAL.trusted = previous
        return X

    def forward(self, X, training=None):
        """Run every layer in the current mode (training=None) or in another.

        X is checked (finite, 2-D) and converted once to the model's dtype. A
        NaN or infinite output (an overflow, or weights that are not finite) is
        a ValueError, as in predict; fit uses an unchecked pass and checks the
        loss instead.
        """
        X = self._check_input(X)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = self._forward(X, training)
        self._check_output(out, X)
        return out

    __call__ = forward

    def backward(self, dY, input_grad: bool = True):
        """Backpropagate dY (= ∂L/∂ output); fills every layer's grads.

        Returns ∂L/∂X, or None with input_grad=False (saves the first layer's
        largest matrix product when only the parameters' gradients are needed,
        as in training).
        """
        input_grad = check_flag(input_grad, "input_grad")
        if not isinstance(dY, np.ndarray) or dY.dtype.kind != "f":
            dY = as_float_array(dY, "dY")
        _check_finite(dY, "dY")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            dX = self._backward(dY, input_grad)
        if not all(np.isfinite(a).all() for a in self.grads + ([] if dX is None else [dX])):
            raise ValueError("backward: a gradient is NaN or infinite although dY is finite: "
                             "it overflowed (dY, X or the weights are too large)")
        return dX

    def _backward(self, dY, input_grad=True):
        """Backward through the layers, without checking dY (as in fit)."""
        previous = _trusted()
        _LOCAL.trusted = True
        try:
            for i in range(len(self.layers) - 1, -1, -1):
                dY = self.layers[i].backward(dY, input_grad or i > 0)
        finally:
            _LOCAL.trusted = previous
        return dY

    def predict(self, X, batch_size: int | None = None):
        """Inference forward pass, in chunks of batch_size rows if given.

        Runs in eval mode and changes no state: the layers' modes, BatchNorm's
        running statistics, the random generators and what backward needs are
        as before the call.
        """
        X = self._check_input(X)
        if batch_size is not None:
            batch_size = check_int(batch_size, "batch_size")
        with self._inference(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if batch_size is None or batch_size >= len(X):
                out = self._forward(X, False)
            else:
                out = np.concatenate([self._forward(X[i:i + batch_size], False)
                                      for i in range(0, len(X), batch_size)])
        self._check_output(out, X)
        return out

    def _check_output(self, out, X, name="X"):
        """A clear error instead of a NaN / inf prediction from finite inputs.
        """
        if np.isfinite(out).all():
            return
        if not all(np.isfinite(p).all() for p in self.params + self.buffers):
            raise ValueError("the model's output is NaN or infinite because its weights contain NaN "
                             "or infinity (did training diverge?)")
        raise ValueError(f"the model's output is NaN or infinite although {name} is finite: the "
                         f"computation overflowed ({name} has entries up to "
                         f"{float(np.abs(X).max()):.3g}); standardize {name}")

    # parameters ---------------------------------------------------------------
    @property
    def params(self) -> list:
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self) -> list:
        return [g for layer in self.layers for g in layer.grads]

    @property
    def buffers(self) -> list:
        return [b for layer in self.layers for b in layer.buffers]

    @property
    def n_params(self) -> int:
        return sum(layer.n_params for layer in self.layers)

    def get_weights(self) -> list:
        """Copies of every parameter and buffer (in params + buffers order)."""
        return [a.copy() for a in self.params + self.buffers]

    def set_weights(self, weights) -> None:
        """Copy weights (as from get_weights) into the model, in place.

        Every array is checked (count, shape, real numbers, finite) before any
        is copied, so a bad list leaves the model unchanged.
        """
        targets = self.params + self.buffers
        weights = as_list(weights, "weights", "arrays, as returned by get_weights()")
        if len(weights) != len(targets):
            raise ValueError(f"weights has {len(weights)} arrays but the model has {len(targets)}")
        checked = []
        for i, (t, w) in enumerate(zip(targets, weights)):
            w = as_number_array(w, f"weights[{i}]")
            if w.shape != t.shape:
                raise ValueError(f"weights[{i}] has shape {w.shape}; the model's array has shape {t.shape}")
            if not np.all(np.isfinite(w)):
                raise ValueError(f"weights[{i}] contains NaN or infinity; expected finite values")
            checked.append(cast(w, t.dtype, f"weights[{i}]"))
        for t, w in zip(targets, checked):
            t[...] = w

    # container and display ----------------------------------------------------
    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        try:
            return self.layers[i]
        except IndexError:
            raise IndexOutOfRange(f"the model has {len(self.layers)} layers; index {i} is out "
                                  "of range") from None
        except TypeError:
            raise TypeError(f"layer index must be an integer or a slice; got {type(i).__name__}") from None

    def __iter__(self):
        return iter(self.layers)

    def summary(self) -> str:
        """A table: the mode, each layer, its output width and its number of
        parameters.

        A layer whose mode differs from the model's is marked [train] or
        [eval].
        """
        rows = []
        width = None
        for i, layer in enumerate(self.layers):
            width = layer.output_size(layer.input_size if width is None else width)
            own = getattr(layer, "training", True)
            mark = "" if own == self.training else (" [train]" if own else " [eval]")
            rows.append((f"({i}) {layer!r}{mark}", "?" if width is None else f"(m, {width})",
                         f"{layer.n_params:,}"))
        w0 = max(len("layer"), *(len(r[0]) for r in rows))
        w1 = max(len("output"), *(len(r[1]) for r in rows))
        mode = "train mode" if self.training else "eval mode"
        lines = [f"Sequential ({self.dtype}, {mode})",
                 f"  {'layer':<{w0}}  {'output':<{w1}}  params"]
        lines += [f"  {a:<{w0}}  {b:<{w1}}  {c:>6}" for a, b, c in rows]
        lines.append(f"  total parameters: {self.n_params:,}")
        return "\n".join(lines)

    __repr__ = summary


_HE = ("relu", "leaky_relu", "elu", "gelu", "prelu", "rrelu")


def mlp(sizes, activation="relu", output=None, init=None, dropout=0.0, batchnorm=False,
        rng=None, dtype=np.float64) -> Sequential:
    """A multi-layer perceptron: mlp([n_in, h1, ..., n_out]).

    Each hidden layer is Dense → [BatchNorm] → Activation(activation) →
    [Dropout(dropout)]; the last layer is Dense, followed by
    Activation(output) if output is given. With output=None the network
    returns logits: train it with softmax_cross_entropy (or
    sigmoid_cross_entropy), which is faster and more stable than a softmax
    layer followed by cross_entropy. activation="prelu" / "rrelu" use the
    PReLU / RReLU layers.

    init=None picks He normal for the ReLU family (relu, leaky_relu, elu,
    gelu, prelu, rrelu), LeCun normal for SELU (what its self-normalization
    assumes) and Glorot uniform otherwise. rng=None draws the weights, and
    later the dropout masks, from nnlab's package generator (nnlab.seed); an
    int seed or a Generator makes the network private and reproducible: the
    same seed gives the same network and the same masks.
    """
    sizes = as_list(sizes, "sizes", "layer widths such as [784, 256, 10]", exclude=())
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least the input and output widths; got {sizes}")
    for i, s in enumerate(sizes):
        check_int(s, f"sizes[{i}]")
    if isinstance(activation, Layer):
        raise TypeError("activation must be a name (e.g. 'relu', 'prelu', 'rrelu'), not a layer object")
    if not isinstance(activation, (str, _activations.ActivationFunction)):
        raise TypeError("activation must be a name such as 'relu', 'prelu' or 'rrelu'; "
                        f"got {type(activation).__name__}")
    if output is not None and not isinstance(output, (str, _activations.ActivationFunction)):
        raise TypeError(f"output must be None (logits) or an activation name such as 'softmax'; "
                        f"got {type(output).__name__}")
    act_name = activation if isinstance(activation, str) else getattr(activation, "name", None)
    if init is None:
        init = "he_normal" if act_name in _HE else "lecun_normal" if act_name == "selu" \
            else "glorot_uniform"
    dropout = check_positive(dropout, "dropout", allow_zero=True)
    if dropout >= 1:
        raise ValueError(f"dropout (the drop probability) must be in [0, 1); got {dropout!r}")
    if not isinstance(batchnorm, (bool, np.bool_)):
        raise TypeError(f"batchnorm must be True or False; got {batchnorm!r}")
    dtype = _float_dtype(dtype)
    draw = as_rng(rng)                 # draws the weights now
    masks = None if rng is None else draw   # None: the package generator at each draw
    layers: list[Layer] = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(Dense(n_in, n_out, init=init, rng=draw, dtype=dtype))
        if batchnorm:
            layers.append(BatchNorm(n_out, dtype=dtype))
        layers.append(_activation_layer(activation, masks, dtype))
        if dropout:
            layers.append(Dropout(dropout, rng=masks))
    out_init = init if output is None or output in ("linear",) else \
        ("glorot_uniform" if output in ("softmax", "sigmoid", "tanh") else init)
    layers.append(Dense(sizes[-2], sizes[-1], init=out_init, rng=draw, dtype=dtype))
    if output is not None:
        try:
            layers.append(Activation(output))
        except (TypeError, ValueError) as err:
            raise type(err)(f"output: {err}") from None
    return Sequential(layers)


def _activation_layer(activation, rng, dtype) -> Layer:
    if isinstance(activation, str) and activation == "prelu":
        return PReLU(dtype=dtype)
    if isinstance(activation, str) and activation == "rrelu":
        return RReLU(rng=rng, dtype=dtype)
    try:
        return Activation(activation)
    except (TypeError, ValueError) as err:
        raise type(err)(f"activation: {err}") from None


# ------------------------------------------------------------ serialization
LAYER_TYPES = {cls.__name__: cls for cls in (Dense, Activation, Dropout, BatchNorm, PReLU, RReLU)}


def layer_from_config(kind: str, config: dict, dtype=np.float64) -> Layer:
    """Rebuild a layer from its class name and Layer.config() (the weights are
    set afterwards).
    """
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a layer class name such as 'Dense'; got {type(kind).__name__}")
    if kind not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {kind!r}; kind must be one of: {', '.join(LAYER_TYPES)}")
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict of constructor arguments; got {type(config).__name__}")
    cls = LAYER_TYPES[kind]
    config = dict(config)
    params = inspect.signature(cls.__init__).parameters
    if cls is not Activation:
        unknown = sorted(k for k in config if k not in params or k in ("self", "dtype"))
        if unknown:
            raise ValueError(f"config of a {kind} has unknown keys {unknown}")
    if cls is Activation and "name" not in config:
        raise ValueError("config of an Activation needs its 'name'")
    missing = [p.name for p in params.values()
               if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
               and p.name not in ("self", "name") and p.name not in config]
    if missing:
        raise ValueError(f"config of a {kind} lacks {missing}")
    try:
        if cls is Activation:
            return Activation(config.pop("name"), **config)
        if cls is Dropout:
            return Dropout(**config)
        if cls is Dense:  # the weights are loaded next: no need to draw random ones
            config["init"] = "zeros"
        return cls(**config, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise type(err)(f"config of a {kind}: {err}") from None
