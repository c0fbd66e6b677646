r"""Datasets and data handling: rows are samples, ``X`` is ``(m, n)`` float64, ``y`` is ``(m,)`` int64.

* Real data: :func:`load_digits` (shipped with the package, works offline) and
  :func:`load_mnist` (MNIST / Fashion-MNIST IDX files, checked by SHA-256,
  downloaded only when asked).
* Synthetic 2-D sets with a seed: :func:`make_linear`, :func:`make_blobs`,
  :func:`make_moons`, :func:`make_circles`, :func:`make_xor`, :func:`make_spirals`.
* Preparation: :func:`train_test_split`, :func:`one_hot`, :class:`Standardizer`
  (fit on the training split only) and the mini-batch iterator :func:`minibatches`.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import math
import os
import urllib.request
from pathlib import Path

import numpy as np

from ._validate import as_float_array, as_matrix, as_rng, check_positive

__all__ = [
    "load_digits", "load_mnist", "read_idx", "cache_dir",
    "make_linear", "make_blobs", "make_moons", "make_circles", "make_xor", "make_spirals",
    "train_test_split", "one_hot", "Standardizer", "minibatches",
]

_DATASETS = Path(__file__).resolve().parent / "datasets"
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"

#: Published SHA-256 of the official gzipped IDX files (the raw, uncompressed
#: files have no published hash).
MNIST_SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
}
MNIST_URLS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion": "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
}
_IDX_MAGIC = {"images": 0x00000803, "labels": 0x00000801}
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verify(data: bytes, expected: str, path) -> None:
    actual = _sha256(data)
    if actual != expected.lower():
        raise ValueError(
            f"{path} failed its SHA-256 check: expected {expected}, got {actual}. The file is "
            f"corrupted, incomplete or not the expected one; delete it and download it again."
        )


# ------------------------------------------------------------------ digits
@functools.lru_cache(maxsize=1)
def _digits_table():
    path = _DATASETS / "digits.csv.gz"
    raw = path.read_bytes()
    _verify(raw, DIGITS_SHA256, path)
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",")
    table.setflags(write=False)
    return table


def load_digits():
    r"""The 8×8 handwritten digits (used from Chapter 3 on): ``X`` float64 ``(1797, 64)``, ``y`` int64 ``(1797,)``.

    Each row of ``X`` is an 8×8 image flattened row by row, pixel values 0–16
    (the number of "on" pixels in a 4×4 block of a 32×32 bitmap); ``y`` holds
    the digit 0–9. This is the test set of the UCI "Optical Recognition of
    Handwritten Digits" data (the copy scikit-learn ships), shipped in
    ``nnlab/datasets/digits.csv.gz`` and checked by SHA-256 at load.

    Source: E. Alpaydin and C. Kaynak (1998), *Optical Recognition of Handwritten
    Digits*, UCI Machine Learning Repository, https://doi.org/10.24432/C50P49,
    licensed CC BY 4.0. Returns fresh copies each call.
    """
    table = _digits_table()
    return table[:, :-1].copy(), table[:, -1].astype(np.int64)


# ------------------------------------------------------------------ MNIST
def cache_dir() -> Path:
    """Where downloaded data is kept: ``$NNLAB_DATA`` or ``~/.cache/nnlab``."""
    return Path(os.environ.get("NNLAB_DATA", "~/.cache/nnlab")).expanduser()


def read_idx(path, sha256=None) -> np.ndarray:
    r"""Read an IDX file (gzip-compressed or raw) into an array.

    IDX layout: two zero bytes, a type byte (``0x08`` = uint8, ...), the number of
    dimensions ``d``, then ``d`` big-endian uint32 sizes, then the data. If
    ``sha256`` is given the file's bytes (as stored on disk) must match it.
    Raises ``ValueError`` for a bad checksum, a bad magic number or a truncated file.
    """
    path = Path(path)
    stored = path.read_bytes()
    if sha256 is not None:
        _verify(stored, sha256, path)
    data = gzip.decompress(stored) if stored[:2] == b"\x1f\x8b" else stored
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in _IDX_DTYPES or data[3] == 0:
        raise ValueError(
            f"{path} is not an IDX file: its magic number is 0x{data[:4].hex() or '(empty)'}, "
            f"expected 0x0000TTDD (two zero bytes, a type code such as 08 for uint8, the number "
            f"of dimensions)"
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path} is truncated: the header needs {header} bytes, the file has {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{path} has {len(data)} bytes but its header (shape {shape}, {dtype.name}) says "
            f"{expected}: the file is truncated or corrupted"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _mnist_file(directory: Path, name: str, dataset: str, sha256: dict, download: bool) -> tuple[Path, str | None]:
    """Locate ``name`` (``.gz`` or raw) in ``directory``, downloading it if asked; return it and its hash."""
    gz, raw = directory / f"{name}.gz", directory / name
    if gz.exists():
        return gz, sha256.get(gz.name, MNIST_SHA256[dataset][gz.name])
    if raw.exists():
        return raw, sha256.get(raw.name)
    url = MNIST_URLS[dataset] + gz.name
    if not download:
        raise FileNotFoundError(
            f"{gz.name} (or {raw.name}) not found in {directory}; call load_mnist(..., download=True) "
            f"to fetch it from {url}, or put the files there"
        )
    directory.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    _verify(data, MNIST_SHA256[dataset][gz.name], url)
    partial = gz.with_name(gz.name + ".part")
    partial.write_bytes(data)
    partial.replace(gz)
    return gz, None  # already verified


def _check_magic(path: Path, kind: str) -> None:
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as fh:
            head = fh.read(4)
    expected = _IDX_MAGIC[kind]
    if int.from_bytes(head, "big") != expected or len(head) < 4:
        raise ValueError(
            f"{path} has magic number 0x{head.hex()}, but MNIST {kind} files start with "
            f"0x{expected:08x} ({expected}); is this the right file?"
        )


def load_mnist(path=None, kind="train", download=False, *, dataset="mnist", sha256=None,
               normalize=True, flatten=True, dtype=np.float64):
    r"""Load MNIST or Fashion-MNIST from the official IDX files (Chapters 6–9).

    ``path`` is the directory holding ``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz`` and
    ``t10k-labels-idx1-ubyte.gz`` (or the same names without ``.gz``);
    ``None`` means ``cache_dir() / dataset``. ``kind`` is ``"train"`` (60,000
    images) or ``"test"`` (10,000). ``dataset`` is ``"mnist"`` or ``"fashion"``.

    Checks: files with an official ``.gz`` name must match the published
    SHA-256 (:data:`MNIST_SHA256`); ``sha256={file name: hex digest}`` adds or
    overrides hashes (e.g. for the raw files, which have none published); the
    magic numbers must be those of IDX images (2051) and labels (2049).
    Nothing is downloaded unless ``download=True``.

    Returns ``X`` of shape ``(m, 784)`` (``(m, 28, 28)`` with ``flatten=False``)
    and dtype ``dtype``, scaled to [0, 1] by ``normalize`` (else 0–255), and
    ``y`` int64 ``(m,)``.

    Sources: Y. LeCun, C. Cortes and C. J. C. Burges, *The MNIST database of
    handwritten digits*; H. Xiao, K. Rasul and R. Vollgraf (2017),
    *Fashion-MNIST*, arXiv:1708.07747 (MIT licence).
    """
    if dataset not in MNIST_SHA256:
        raise ValueError(f"dataset must be one of {', '.join(MNIST_SHA256)}; got {dataset!r}")
    prefixes = {"train": "train", "test": "t10k", "t10k": "t10k"}
    if kind not in prefixes:
        raise ValueError(f'kind must be "train" or "test"; got {kind!r}')
    directory = Path(path) if path is not None else cache_dir() / dataset
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"path must be a directory holding the IDX files; got the file {directory}")
    arrays = {}
    for part, suffix in (("images", "idx3-ubyte"), ("labels", "idx1-ubyte")):
        file, expected = _mnist_file(directory, f"{prefixes[kind]}-{part}-{suffix}", dataset,
                                     dict(sha256 or {}), download)
        if expected is not None:
            _verify(file.read_bytes(), expected, file)
        _check_magic(file, part)
        arrays[part] = read_idx(file)
    images, labels = arrays["images"], arrays["labels"]
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{images.shape[0]} images but {labels.shape[0]} labels in {directory}")
    X = images.reshape(len(images), -1) if flatten else images
    X = X.astype(dtype)
    if normalize:
        X /= 255
    return X, labels.astype(np.int64)


# ------------------------------------------------------------------ synthetic data
def _count(value, name, minimum=1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _class_sizes(n: int, k: int) -> list[int]:
    """Split ``n`` samples into ``k`` classes as evenly as possible."""
    return [n // k + (c < n % k) for c in range(k)]


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def make_linear(n_samples=100, noise=0.0, seed=0, *, n_features=2):
    r"""Two classes separated by a hyperplane, the perceptron's data (Chapter 1).

    :math:`x \sim U([-1, 1]^n)`, :math:`y = 1` if :math:`w^\top x + b + \epsilon > 0`
    else 0, with a random unit :math:`w`, :math:`|b| \le 0.3` and
    :math:`\epsilon \sim \mathcal N(0, \text{noise}^2)`. ``noise=0`` is linearly separable.
    Returns ``X`` ``(n_samples, n_features)``, ``y`` ``(n_samples,)``.
    """
    n = _count(n_samples, "n_samples")
    n_features = _count(n_features, "n_features")
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = as_rng(seed, "seed")
    w = rng.normal(size=n_features)
    w /= np.linalg.norm(w)
    b = rng.uniform(-0.3, 0.3)
    X = rng.uniform(-1, 1, size=(n, n_features))
    y = (X @ w + b + noise * rng.normal(size=n) > 0)
    return X, y.astype(np.int64)


def make_blobs(n_samples=100, noise=1.0, seed=0, *, n_classes=3):
    r"""``n_classes`` Gaussian clusters in 2-D (Chapter 3).

    Centres evenly spaced on a circle of radius 4; each point is its centre plus
    :math:`\mathcal N(0, \text{noise}^2 I)`. Classes as equal in size as possible.
    Returns ``X`` ``(n_samples, 2)``, ``y`` ``(n_samples,)`` with labels ``0..n_classes-1``.
    """
    n_classes = _count(n_classes, "n_classes")
    n = _count(n_samples, "n_samples", n_classes)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = as_rng(seed, "seed")
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 4 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.repeat(np.arange(n_classes), _class_sizes(n, n_classes))
    X = centres[y] + noise * rng.normal(size=(n, 2))
    return _shuffled(X, y, rng)


def make_moons(n_samples=100, noise=0.1, seed=0):
    r"""Two interleaving half circles (Chapters 5–6): not linearly separable.

    Class 0: :math:`(\cos t, \sin t)`, class 1: :math:`(1 - \cos t, \tfrac12 - \sin t)`,
    :math:`t \sim U(0, \pi)`, plus :math:`\mathcal N(0, \text{noise}^2 I)`.
    Returns ``X`` ``(n_samples, 2)``, ``y`` ``(n_samples,)``.
    """
    n = _count(n_samples, "n_samples", 2)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = as_rng(seed, "seed")
    y = np.repeat([0, 1], _class_sizes(n, 2))
    t = rng.uniform(0, np.pi, size=n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    X = X + noise * rng.normal(size=(n, 2))
    return _shuffled(X, y, rng)


def make_circles(n_samples=100, noise=0.05, seed=0, *, factor=0.5):
    r"""A small circle (class 1, radius ``factor``) inside a large one (class 0, radius 1).

    Points :math:`r(\cos t, \sin t)`, :math:`t \sim U(0, 2\pi)`, plus
    :math:`\mathcal N(0, \text{noise}^2 I)` (Chapters 5–6).
    Returns ``X`` ``(n_samples, 2)``, ``y`` ``(n_samples,)``.
    """
    n = _count(n_samples, "n_samples", 2)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = as_rng(seed, "seed")
    y = np.repeat([0, 1], _class_sizes(n, 2))
    radius = np.where(y == 0, 1.0, factor)
    t = rng.uniform(0, 2 * np.pi, size=n)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)]) + noise * rng.normal(size=(n, 2))
    return _shuffled(X, y, rng)


def make_xor(n_samples=100, noise=0.15, seed=0):
    r"""The XOR problem (Chapters 1 and 6): no single perceptron can solve it.

    Points around the four corners :math:`(a, b) \in \{0, 1\}^2` (equally many
    at each), label :math:`y = a \oplus b`, plus :math:`\mathcal N(0, \text{noise}^2 I)`;
    ``noise=0`` gives exactly the truth table.
    Returns ``X`` ``(n_samples, 2)``, ``y`` ``(n_samples,)``.
    """
    n = _count(n_samples, "n_samples", 4)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = as_rng(seed, "seed")
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    corner = np.repeat(np.arange(4), _class_sizes(n, 4))
    a, b = corners[corner, 0], corners[corner, 1]
    y = (a != b).astype(np.int64)
    X = corners[corner] + noise * rng.normal(size=(n, 2))
    return _shuffled(X, y, rng)


def make_spirals(n_samples=100, noise=0.05, seed=0, *, n_classes=2):
    r"""Interleaved spirals, one arm per class (Chapter 6).

    Arm :math:`k`: radius :math:`r \in [0, 1]` evenly spaced, angle
    :math:`4r + 2\pi k/K`, point :math:`r(\sin\theta, \cos\theta)`, plus
    :math:`\mathcal N(0, \text{noise}^2 I)`.
    Returns ``X`` ``(n_samples, 2)``, ``y`` ``(n_samples,)`` with labels ``0..n_classes-1``.
    """
    n_classes = _count(n_classes, "n_classes")
    n = _count(n_samples, "n_samples", n_classes)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = as_rng(seed, "seed")
    sizes = _class_sizes(n, n_classes)
    y = np.repeat(np.arange(n_classes), sizes)
    r = np.concatenate([np.linspace(0, 1, size) for size in sizes])
    theta = 4 * r + 2 * np.pi * y / n_classes
    X = r[:, None] * np.column_stack([np.sin(theta), np.cos(theta)]) + noise * rng.normal(size=(n, 2))
    return _shuffled(X, y, rng)


# ------------------------------------------------------------------ preparation
def train_test_split(X, y, test_size=0.25, stratify=None, seed=0):
    r"""Shuffle and split ``(X, y)`` into training and test sets (Chapter 4).

    ``test_size``: a fraction in (0, 1) (the test set gets
    :math:`\lceil \text{test\_size} \cdot m \rceil` rows) or a number of rows.
    ``stratify``: ``None``, ``True`` (use ``y``) or an array of labels whose class
    proportions both parts should keep (largest-remainder rounding per class).
    Returns ``X_train, X_test, y_train, y_test``.
    """
    X, y = np.asarray(X), np.asarray(y)
    m = len(X)
    if len(y) != m:
        raise ValueError(f"X has {m} rows but y has {len(y)}; they must match (rows are samples)")
    if isinstance(test_size, float) and 0 < test_size < 1:
        n_test = math.ceil(test_size * m)
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool) and test_size > 0:
        n_test = int(test_size)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a positive integer; got {test_size!r}")
    if not 0 < n_test < m:
        raise ValueError(f"test_size={test_size!r} leaves {m - n_test} of {m} rows for training; need at least 1 in each part")
    rng = as_rng(seed, "seed")
    if stratify is None or stratify is False:
        order = rng.permutation(m)
        test, train = order[:n_test], order[n_test:]
    else:
        labels = y if stratify is True else np.asarray(stratify)
        if len(labels) != m:
            raise ValueError(f"stratify has {len(labels)} labels but X has {m} rows; they must match")
        classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        quota = counts * n_test / m
        per_class = np.floor(quota).astype(int)
        leftover = n_test - per_class.sum()
        per_class[np.argsort(-(quota - per_class), kind="stable")[:leftover]] += 1
        test_parts, train_parts = [], []
        for c, k in enumerate(per_class):
            members = rng.permutation(np.flatnonzero(inverse == c))
            test_parts.append(members[:k])
            train_parts.append(members[k:])
        test = rng.permutation(np.concatenate(test_parts))
        train = rng.permutation(np.concatenate(train_parts))
    return X[train], X[test], y[train], y[test]


def one_hot(y, n_classes=None, dtype=np.float64):
    r"""One-hot encoding (Chapter 3): :math:`Y_{ik} = 1` if :math:`y_i = k` else 0.

    ``y``: integer labels ``(m,)`` in ``[0, n_classes)``; ``n_classes`` defaults to
    ``max(y) + 1``. Returns ``(m, n_classes)`` of ``dtype``.
    """
    labels = np.asarray(y)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels; got dtype {labels.dtype}")
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of labels; got shape {labels.shape}")
    if n_classes is None:
        n_classes = int(labels.max()) + 1
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"y contains labels outside [0, {n_classes}): got labels from {labels.min()} to {labels.max()}"
        )
    Y = np.zeros((labels.size, n_classes), dtype=dtype)
    Y[np.arange(labels.size), labels] = 1
    return Y


class Standardizer:
    r"""Feature standardization (Chapter 4): :math:`x' = (x - \mu) / \sigma`, per column.

    ``fit(X_train)`` learns ``mean_`` (:math:`\mu`) and ``scale_`` (:math:`\sigma`,
    the population standard deviation; 1 for a constant column, so it is left
    centred instead of divided by 0). Fit on the **training split only** and
    apply the same transform to validation and test data.
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, X):
        """Learn ``mean_`` and ``scale_`` from ``X`` of shape ``(m, n)``; returns ``self``."""
        X = self._as_2d(X)
        self.mean_ = X.mean(axis=0)
        constant = np.all(X == X[0], axis=0)
        self.scale_ = np.where(constant, 1, X.std(axis=0)).astype(X.dtype)
        return self

    def transform(self, X):
        r""":math:`(X - \mu) / \sigma` with the fitted statistics, shape ``(m, n)``."""
        X = self._checked(X)
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        r""":math:`X \sigma + \mu`, undoing :meth:`transform`."""
        X = self._checked(X)
        return X * self.scale_ + self.mean_

    @staticmethod
    def _as_2d(X):
        return as_matrix(X, "X")

    def _checked(self, X):
        if self.mean_ is None:
            raise RuntimeError("this Standardizer is not fitted yet; call fit(X_train) first")
        X = self._as_2d(X)
        if X.shape[1] != self.mean_.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features but the Standardizer was fitted on {self.mean_.shape[0]}")
        return X


def minibatches(X, y=None, batch_size=None, *, shuffle=True, rng=None):
    r"""Iterate over one epoch of mini-batches ``(X_b, y_b)`` (Chapter 4).

    ``batch_size=None``: one batch with all :math:`m` rows (batch gradient
    descent); ``1``: stochastic gradient descent; ``k``: :math:`\lceil m/k \rceil`
    batches, the last one possibly smaller. With ``shuffle=True`` the rows are
    permuted by ``rng`` (a Generator, or an int seed / ``None`` = seed 0); pass
    the **same Generator** every epoch so that each epoch gets a new order.
    Without shuffling the batches are views (no copy); with it, each batch is one
    fancy-index take per array. ``y`` may be ``None`` (then ``y_b`` is ``None``).
    """
    X = np.asarray(X)
    m = len(X)
    if y is not None:
        y = np.asarray(y)
        if len(y) != m:
            raise ValueError(f"X has {m} rows but y has {len(y)}; they must match (rows are samples)")
    if batch_size is None:
        batch_size = max(m, 1)
    elif not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be None (full batch) or a positive integer; got {batch_size!r}")
    order = as_rng(rng).permutation(m) if shuffle else None
    return _batches(X, y, int(batch_size), order)


def _batches(X, y, batch_size, order):
    for start in range(0, len(X), batch_size):
        rows = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
        yield X[rows], (None if y is None else y[rows])
