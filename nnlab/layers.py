r"""Layers and the :class:`Sequential` model (Chapters 6–9).

Rows are samples. A layer maps ``X`` of shape ``(m, n_in)`` to ``(m, n_out)``
and has

* ``forward(X, training=True)`` — compute the output and remember what the
  backward pass needs (``training=False`` switches Dropout, BatchNorm and
  RReLU to their inference behaviour);
* ``backward(dY)`` — given :math:`\partial L/\partial Y` (same shape as the
  output), store :math:`\partial L/\partial\theta` in ``grads`` and return
  :math:`\partial L/\partial X`;
* ``params`` and ``grads`` — lists of arrays in the same order
  (``Dense.params == [W, b]``). The *same* arrays are updated in place at every
  step (the optimizer changes ``params``, ``backward`` overwrites ``grads``), so
  you can hold on to them;
* ``buffers`` — arrays that are not trained by gradient descent but are part of
  the model (BatchNorm's running mean and variance).

Every layer keeps its ``dtype`` end to end: a float32 model computes in
float32 in the forward pass, the backward pass and the optimizer. float64 (the
default) is for exact checks against PyTorch and finite differences, float32
for speed.

``mlp([784, 256, 10])`` builds the common case; ``print(model)`` shows the
layers, their output sizes and their parameter counts.
"""
from __future__ import annotations

import numpy as np

from . import activations as _activations
from ._validate import as_float_array, as_rng, check_positive

__all__ = [
    "Layer", "Dense", "Activation", "Dropout", "BatchNorm", "PReLU", "RReLU",
    "Sequential", "mlp", "layer_from_config",
]


def _float_dtype(dtype, name: str = "dtype") -> np.dtype:
    dt = np.dtype(dtype)
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"{name} must be a floating-point type such as np.float32 or np.float64; got {dt}")
    return dt


def _check_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


class Layer:
    """Base class. Subclasses override ``forward`` and ``backward``.

    ``input_size`` is the number of input features the layer needs (``None``
    when any width works) and ``output_size(n)`` the width it produces from
    ``n`` inputs; :class:`Sequential` uses them to check that layers fit.
    """

    params: list
    grads: list
    buffers: list
    input_size: int | None = None
    dtype: np.dtype | None = None

    def __init__(self):
        self.params, self.grads, self.buffers = [], [], []

    # the two passes ---------------------------------------------------------
    def forward(self, X, training: bool = True):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dY, input_grad: bool = True):  # pragma: no cover - abstract
        raise NotImplementedError

    __call__ = forward

    # helpers ------------------------------------------------------------------
    def output_size(self, n_in):
        return n_in

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params))

    def config(self) -> dict:
        """The constructor arguments as plain JSON values (used by :mod:`nnlab.io`)."""
        return {}

    def _input(self, X, name: str = "X"):
        """``X`` as a 2-D float array of this layer's dtype (no copy when it already is)."""
        if not isinstance(X, np.ndarray) or X.dtype.kind != "f":
            X = as_float_array(X, name)
        if X.ndim != 2:
            raise ValueError(f"{type(self).__name__}: {name} must be 2-D (samples, features); got shape {X.shape}")
        if self.input_size is not None and X.shape[1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: {name} has {X.shape[1]} features (columns) but the layer "
                f"expects {self.input_size}"
            )
        if self.dtype is not None and X.dtype != self.dtype:
            X = X.astype(self.dtype)
        return X

    def _grad_input(self, dY, shape):
        if not isinstance(dY, np.ndarray):
            dY = as_float_array(dY, "dY")
        if dY.shape != shape:
            raise ValueError(
                f"{type(self).__name__}.backward: dY has shape {dY.shape} but the last forward "
                f"output had shape {shape}; they must match"
            )
        if self.dtype is not None and dY.dtype != self.dtype:
            dY = dY.astype(self.dtype)
        return dY

    def _need_forward(self, attr):
        if getattr(self, attr, None) is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Dense(Layer):
    r"""Fully connected layer, :math:`Y = XW + b`.

    ``W`` has shape ``(n_in, n_out)`` (drawn by the initializer ``init``, a
    name of :mod:`nnlab.init` or a function ``f(shape, rng, dtype)``) and ``b``
    shape ``(n_out,)`` (zeros). Backward, with :math:`G = \partial L/\partial Y`:

    .. math:: \frac{\partial L}{\partial W} = X^\top G,\qquad
              \frac{\partial L}{\partial b} = \textstyle\sum_i G_{i\cdot},\qquad
              \frac{\partial L}{\partial X} = G W^\top

    ``backward(dY, input_grad=False)`` skips :math:`GW^\top` (the first layer
    of a network does not need it; PyTorch skips it too).
    """

    def __init__(self, n_in: int, n_out: int, init="he_normal", rng=None, dtype=np.float64):
        super().__init__()
        from . import init as _init

        self.n_in = _check_count(n_in, "n_in")
        self.n_out = _check_count(n_out, "n_out")
        self.dtype = _float_dtype(dtype)
        self.init = init
        W = np.asarray(_init.get(init)((self.n_in, self.n_out), as_rng(rng), dtype=self.dtype))
        if W.shape != (self.n_in, self.n_out):
            raise ValueError(f"init returned shape {W.shape}; expected {(self.n_in, self.n_out)}")
        self.W = np.ascontiguousarray(W, dtype=self.dtype)
        self.b = np.zeros(self.n_out, dtype=self.dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.params = [self.W, self.b]
        self.grads = [self.dW, self.db]
        self.input_size = self.n_in
        self._X = None

    def output_size(self, n_in):
        return self.n_out

    def forward(self, X, training=True):
        X = self._input(X)
        self._X = X
        Y = X @ self.W
        Y += self.b
        return Y

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
    r"""An activation function of :mod:`nnlab.activations` as a layer.

    ``Activation("relu")``, ``Activation("leaky_relu", alpha=0.1)``,
    ``Activation("softmax")``. Backward multiplies by :math:`f'(Z)`
    element-wise (softmax: its Jacobian-vector product). The output has the
    input's dtype (or ``dtype`` if given).
    """

    def __init__(self, name, dtype=None, **params):
        super().__init__()
        self.fn = _activations.get(name, **params)
        self.name = self.fn.name
        self.act_params = dict(params)
        self.dtype = None if dtype is None else _float_dtype(dtype)
        self._Z = None

    def forward(self, X, training=True):
        X = self._input(X)
        self._Z = X
        if self.name == "relu":                      # the common case, without input checks
            return np.maximum(X, 0)
        return self.fn.forward(X)

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
    r"""Inverted dropout: in training keep each entry with probability
    :math:`1-p` and scale the kept ones by :math:`1/(1-p)`, so that
    :math:`E[x'] = x`; at inference (``training=False``) it is the identity.

    .. math:: x'_i = \begin{cases} 0 & \text{with probability } p \\
              \frac{x_i}{1-p} & \text{otherwise} \end{cases}

    ``rng`` (a seed or Generator) draws the masks. ``forward(X, mask=M)``
    uses the boolean keep-mask ``M`` instead of drawing one (for worked
    examples and tests); the mask of the last forward pass is ``layer.mask``.
    """

    def __init__(self, p: float = 0.5, rng=None, dtype=None):
        super().__init__()
        p = check_positive(p, "p", allow_zero=True)
        if p >= 1:
            raise ValueError(f"p (the drop probability) must be in [0, 1); got {p!r}")
        self.p = p
        self.rng = as_rng(rng)
        self.dtype = None if dtype is None else _float_dtype(dtype)
        self.mask = None
        self._scale = None

    def forward(self, X, training=True, mask=None):
        X = self._input(X)
        if not training or (self.p == 0 and mask is None):
            self._scale = None
            return X
        if mask is None:
            mask = self.rng.random(X.shape, dtype=X.dtype) >= self.p
        else:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != X.shape:
                raise ValueError(f"mask has shape {mask.shape} but X has shape {X.shape}; they must match")
        self.mask = mask
        # one array holding 0 or 1/(1-p): the forward and backward multiplier
        self._scale = mask * X.dtype.type(1.0 / (1.0 - self.p))
        return X * self._scale

    def backward(self, dY, input_grad=True):
        if self._scale is None:                      # inference or p = 0: identity
            return dY
        dY = self._grad_input(dY, self._scale.shape)
        return dY * self._scale

    def config(self):
        return {"p": self.p}


class BatchNorm(Layer):
    r"""Batch normalization over the features of ``(m, n)`` inputs, with PyTorch's conventions.

    Training (statistics of the mini-batch, variance *biased*):

    .. math:: \mu_B = \tfrac1m\textstyle\sum_i x_i,\quad
              \sigma_B^2 = \tfrac1m\textstyle\sum_i (x_i-\mu_B)^2,\quad
              \hat x_i = \frac{x_i-\mu_B}{\sqrt{\sigma_B^2+\epsilon}},\quad
              y_i = \gamma\odot\hat x_i + \beta

    and the running estimates used at inference are updated as
    :math:`\hat v \leftarrow (1-\text{momentum})\,\hat v + \text{momentum}\, v`
    with the *unbiased* batch variance :math:`\tfrac{m}{m-1}\sigma_B^2`
    (``momentum=0.1``, ``eps=1e-5``). The lectures write
    :math:`\hat v \leftarrow \hat v\cdot m + v\cdot(1-m)`: the same rule with
    :math:`m = 1-\text{momentum}` (Keras' ``momentum=0.99`` is PyTorch's 0.01).

    ``params == [gamma, beta]``; ``buffers == [running_mean, running_var]``.
    """

    def __init__(self, n: int, momentum: float = 0.1, eps: float = 1e-5, dtype=np.float64):
        super().__init__()
        self.n = _check_count(n, "n")
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        if self.momentum > 1:
            raise ValueError(f"momentum must be in [0, 1]; got {momentum!r}")
        self.eps = check_positive(eps, "eps")
        self.dtype = _float_dtype(dtype)
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
        self._training = True

    def forward(self, X, training=True):
        X = self._input(X)
        m = X.shape[0]
        if training:
            if m < 2:
                raise ValueError("BatchNorm needs at least 2 samples per batch in training "
                                 f"(got {m}); use a larger batch_size or training=False")
            mu = X.mean(axis=0)
            xc = X - mu
            var = np.mean(xc * xc, axis=0)                       # biased, for normalizing
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
        self._training = training
        return self._xhat * self.gamma + self.beta

    def backward(self, dY, input_grad=True):
        self._need_forward("_xhat")
        xhat = self._xhat
        dY = self._grad_input(dY, xhat.shape)
        np.sum(dY * xhat, axis=0, out=self.dgamma)
        np.sum(dY, axis=0, out=self.dbeta)
        if not input_grad:
            return None
        g = dY * self.gamma                                     # dL/dx_hat
        if not self._training:                                  # fixed statistics: a per-feature scale
            return g * self._inv_std
        # the batch statistics depend on every x_i:
        # dx = (1/sigma) (g - mean(g) - x_hat * mean(g * x_hat))
        return self._inv_std * (g - g.mean(axis=0) - xhat * np.mean(g * xhat, axis=0))

    def config(self):
        return {"n": self.n, "momentum": self.momentum, "eps": self.eps}


class PReLU(Layer):
    r"""Parametric ReLU: leaky ReLU whose slope :math:`a` is learned.

    .. math:: f(x) = \max(0, x) + a \min(0, x)

    As ``torch.nn.PReLU``: ``num_parameters=1`` (default) shares one slope by
    all features; ``num_parameters=n`` learns one slope per feature (column).
    The slope starts at ``init=0.25``. ``params == [alpha]`` with
    :math:`\partial L/\partial a = \sum G \odot \min(0, x)` (summed over the
    samples, and over the features when shared).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=np.float64):
        super().__init__()
        self.num_parameters = _check_count(num_parameters, "num_parameters")
        self.init = float(init)
        self.dtype = _float_dtype(dtype)
        self.alpha = np.full(self.num_parameters, self.init, dtype=self.dtype)
        self.dalpha = np.zeros_like(self.alpha)
        self.params = [self.alpha]
        self.grads = [self.dalpha]
        self.input_size = self.num_parameters if self.num_parameters > 1 else None
        self._X = None

    def forward(self, X, training=True):
        X = self._input(X)
        self._X = X
        return np.where(X > 0, X, self.alpha * X)

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
    r"""Randomized leaky ReLU, as ``torch.nn.RReLU``.

    In training every negative entry gets its own slope
    :math:`a \sim U(\text{lower}, \text{upper})` (defaults 1/8 and 1/3); at
    inference the slope is the mean :math:`(\text{lower}+\text{upper})/2`.
    :math:`f(x) = x` for :math:`x \ge 0`, :math:`a x` otherwise. ``rng`` draws
    the slopes; those of the last forward pass are ``layer.slopes``.
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, rng=None, dtype=np.float64):
        super().__init__()
        self.lower = check_positive(lower, "lower", allow_zero=True)
        self.upper = check_positive(upper, "upper", allow_zero=True)
        if self.upper < self.lower:
            raise ValueError(f"upper ({upper}) must be >= lower ({lower})")
        self.rng = as_rng(rng)
        self.dtype = _float_dtype(dtype)
        self.slopes = None

    def forward(self, X, training=True):
        X = self._input(X)
        if training:
            a = self.rng.uniform(self.lower, self.upper, size=X.shape).astype(X.dtype)
            a[X >= 0] = 1.0
        else:
            a = np.where(X >= 0, 1.0, (self.lower + self.upper) / 2).astype(X.dtype)
        self.slopes = a
        return X * a

    def backward(self, dY, input_grad=True):
        self._need_forward("slopes")
        dY = self._grad_input(dY, self.slopes.shape)
        return dY * self.slopes

    def config(self):
        return {"lower": self.lower, "upper": self.upper}


# ------------------------------------------------------------------ the model
class Sequential:
    """A stack of layers applied in order.

    ``forward(X, training=True)`` runs the layers, ``backward(dY)`` runs them in
    reverse and returns :math:`\\partial L/\\partial X`; ``params`` / ``grads``
    are the layers' lists joined in order; ``predict(X)`` is the inference
    forward pass. Layer sizes are checked when the model is built.
    """

    def __init__(self, layers):
        layers = list(layers)
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

    # the passes ---------------------------------------------------------------
    def forward(self, X, training: bool = True):
        """Run every layer; ``X`` is converted once to the model's dtype."""
        if not isinstance(X, np.ndarray) or X.dtype.kind != "f":
            X = as_float_array(X, "X")
        if X.dtype != self.dtype:
            X = X.astype(self.dtype)
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    __call__ = forward

    def backward(self, dY, input_grad: bool = True):
        """Backpropagate ``dY`` (= dL/d output); fills every layer's ``grads``.

        Returns dL/dX, or ``None`` with ``input_grad=False`` (saves the first
        layer's largest matrix product when only the parameters' gradients are
        needed, as in training).
        """
        for i in range(len(self.layers) - 1, -1, -1):
            dY = self.layers[i].backward(dY, input_grad or i > 0)
        return dY

    def predict(self, X, batch_size: int | None = None):
        """Inference forward pass (``training=False``), in chunks of ``batch_size`` rows if given."""
        if batch_size is None:
            return self.forward(X, training=False)
        X = as_float_array(X, "X")
        batch_size = _check_count(batch_size, "batch_size")
        return np.concatenate([self.forward(X[i:i + batch_size], training=False)
                               for i in range(0, len(X), batch_size)])

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
        """Copies of every parameter and buffer (in ``params + buffers`` order)."""
        return [a.copy() for a in self.params + self.buffers]

    def set_weights(self, weights) -> None:
        """Copy ``weights`` (as from :meth:`get_weights`) into the model, in place."""
        targets = self.params + self.buffers
        weights = list(weights)
        if len(weights) != len(targets):
            raise ValueError(f"weights has {len(weights)} arrays but the model has {len(targets)}")
        for i, (t, w) in enumerate(zip(targets, weights)):
            w = np.asarray(w)
            if w.shape != t.shape:
                raise ValueError(f"weights[{i}] has shape {w.shape}; the model's array has shape {t.shape}")
            t[...] = w

    # container and display ----------------------------------------------------
    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    def summary(self) -> str:
        """A table: each layer, its output width and its number of parameters."""
        rows = []
        width = None
        for i, layer in enumerate(self.layers):
            width = layer.output_size(layer.input_size if width is None else width)
            rows.append((f"({i}) {layer!r}", "?" if width is None else f"(m, {width})", f"{layer.n_params:,}"))
        w0 = max(len("layer"), *(len(r[0]) for r in rows))
        w1 = max(len("output"), *(len(r[1]) for r in rows))
        lines = [f"Sequential ({self.dtype})",
                 f"  {'layer':<{w0}}  {'output':<{w1}}  params"]
        lines += [f"  {a:<{w0}}  {b:<{w1}}  {c:>6}" for a, b, c in rows]
        lines.append(f"  total parameters: {self.n_params:,}")
        return "\n".join(lines)

    __repr__ = summary


def mlp(sizes, activation="relu", output=None, init=None, dropout=0.0, batchnorm=False,
        rng=None, dtype=np.float64) -> Sequential:
    """A multi-layer perceptron: ``mlp([n_in, h1, ..., n_out])``.

    Each hidden layer is ``Dense → [BatchNorm] → Activation(activation) →
    [Dropout(dropout)]``; the last layer is ``Dense`` followed by
    ``Activation(output)`` if ``output`` is given. With ``output=None`` the
    network returns logits: train it with ``softmax_cross_entropy`` (or
    ``sigmoid_cross_entropy``), which is faster and more stable than a softmax
    layer followed by ``cross_entropy``.

    ``init=None`` picks He initialization for the ReLU family and Glorot
    otherwise (Chapter 7). ``rng`` (seed or Generator) draws the weights and
    the dropout masks, so the same ``rng`` seed gives the same network.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least the input and output widths; got {sizes}")
    for i, s in enumerate(sizes):
        _check_count(s, f"sizes[{i}]")
    act_name = activation if isinstance(activation, str) else getattr(activation, "name", None)
    if init is None:
        init = "he_normal" if act_name in ("relu", "leaky_relu", "elu", "gelu", "prelu", "rrelu") \
            else "glorot_uniform"
    rng = as_rng(rng)
    dropout = check_positive(dropout, "dropout", allow_zero=True)
    layers: list[Layer] = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(Dense(n_in, n_out, init=init, rng=rng, dtype=dtype))
        if batchnorm:
            layers.append(BatchNorm(n_out, dtype=dtype))
        layers.append(_activation_layer(activation, rng, dtype))
        if dropout:
            layers.append(Dropout(dropout, rng=rng))
    out_init = init if output is None or output in ("linear",) else \
        ("glorot_uniform" if output in ("softmax", "sigmoid", "tanh") else init)
    layers.append(Dense(sizes[-2], sizes[-1], init=out_init, rng=rng, dtype=dtype))
    if output is not None:
        layers.append(Activation(output))
    return Sequential(layers)


def _activation_layer(activation, rng, dtype) -> Layer:
    if isinstance(activation, Layer):
        raise TypeError("activation must be a name (e.g. 'relu', 'prelu', 'rrelu'), not a layer object")
    if activation == "prelu":
        return PReLU(dtype=dtype)
    if activation == "rrelu":
        return RReLU(rng=rng, dtype=dtype)
    return Activation(activation)


# ------------------------------------------------------------ serialization
LAYER_TYPES = {cls.__name__: cls for cls in (Dense, Activation, Dropout, BatchNorm, PReLU, RReLU)}


def layer_from_config(kind: str, config: dict, dtype=np.float64) -> Layer:
    """Rebuild a layer from its class name and :meth:`Layer.config` (weights are set afterwards)."""
    if kind not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {kind!r}; known: {', '.join(LAYER_TYPES)}")
    cls = LAYER_TYPES[kind]
    config = dict(config)
    if cls is Activation:
        return Activation(config.pop("name"), **config)
    if cls is Dropout:
        return Dropout(**config)
    if cls is Dense:  # the weights are loaded next: no need to draw random ones
        config["init"] = "zeros"
    return cls(**config, dtype=dtype)
