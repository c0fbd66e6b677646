"""Datasets and data handling: rows are samples, X of shape (m, n) float64,
y of shape (m,) int64.

* Real data: load_digits (shipped with the package, works offline) and
  load_mnist (MNIST / Fashion-MNIST IDX files, checked by SHA-256,
  downloaded only when asked).
* Synthetic 2-D sets with a seed: make_linear, make_blobs, make_moons,
  make_circles, make_xor, make_spirals.
* Preparation: train_test_split, one_hot, Standardizer (fit on the
  training split only), and the mini-batches: minibatch_indices (the one
  mini-batch iterator of nnlab, also used by nnlab.train.fit and
  nnlab.schedules.lr_range_test) and minibatches.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import math
import os
import urllib.request
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ._validate import (CallOrderError, as_matrix, as_rng, check_flag,
                        check_int, check_real, class_labels)

__all__ = [
    "load_digits", "load_mnist", "read_idx", "cache_dir",
    "make_linear", "make_blobs", "make_moons", "make_circles", "make_xor", "make_spirals",
    "train_test_split", "one_hot", "Standardizer", "minibatches",
    "minibatch_indices",
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


def _hex_digest(value, name: str) -> str:
    """A SHA-256 hex digest: 64 hexadecimal characters."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a SHA-256 hex digest (a str of 64 hex "
                        f"characters); got {type(value).__name__}")
    if len(value) != 64 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise ValueError(f"{name} must be a SHA-256 hex digest of 64 hex characters; "
                         f"got {value!r}")
    return value


def _as_path(value, name: str) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file system path (str or pathlib.Path); "
                        f"got {type(value).__name__}")
    return Path(value)


def _decompressed(stored: bytes, path) -> bytes:
    """The bytes of a file, gunzipped if they start with gzip's magic 1f 8b."""
    if stored[:2] != b"\x1f\x8b":
        return stored
    try:
        return gzip.decompress(stored)
    except (EOFError, OSError, zlib.error) as err:   # truncated, bad CRC, bad data
        kind = "zlib.error" if isinstance(err, zlib.error) else type(err).__name__
        raise ValueError(
            f"{path} is not a valid gzip file ({kind}: {err}): it is "
            f"truncated or corrupted; delete it and download it again"
        ) from None


def _samples(a, name: str) -> np.ndarray:
    """a as an array with at least one dimension: its rows are the samples."""
    if a is None:
        raise TypeError(f"{name} must be an array whose rows are samples; got None")
    try:
        arr = np.asarray(a)
    except Exception as err:   # ragged lists and the like
        raise TypeError(f"{name} must be an array whose rows are samples; got "
                        f"{type(a).__name__} ({err})") from None
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (rows are samples); "
                         f"got the single value {a!r}")
    return arr


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
    """The 8×8 handwritten digits: X float64 of shape (1797, 64), y int64 of
    shape (1797,).

    Each row of X is an 8×8 image flattened row by row, pixel values 0–16
    (the number of "on" pixels in a 4×4 block of a 32×32 bitmap); y holds
    the digit 0–9. This is the test set of the UCI "Optical Recognition of
    Handwritten Digits" data (the copy scikit-learn ships), shipped in
    nnlab/datasets/digits.csv.gz and checked by SHA-256 at load.

    Source: E. Alpaydin and C. Kaynak (1998), Optical Recognition of
    Handwritten Digits, UCI Machine Learning Repository,
    https://doi.org/10.24432/C50P49, licensed CC BY 4.0. Returns fresh
    copies each call.
    """
    table = _digits_table()
    return table[:, :-1].copy(), table[:, -1].astype(np.int64)


# ------------------------------------------------------------------ MNIST
def cache_dir() -> Path:
    """Where downloaded data is kept: $NNLAB_DATA or ~/.cache/nnlab."""
    return Path(os.environ.get("NNLAB_DATA", "~/.cache/nnlab")).expanduser()


def read_idx(path, sha256=None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or raw) into an array.

    IDX layout: two zero bytes, a type byte (0x08 = uint8, ...), the number
    of dimensions d, then d big-endian uint32 sizes, then the data. If
    sha256 (64 hex characters) is given, the file's bytes as stored on disk
    must match it. Raises a ValueError naming the file for a bad checksum, a
    corrupted or truncated gzip stream, a bad magic number or a truncated
    file.
    """
    path = _as_path(path, "path")
    if sha256 is not None:
        sha256 = _hex_digest(sha256, "sha256")
    if path.is_dir():
        raise ValueError(f"path must be an IDX file; got the directory {path}")
    label = f"path {path}"                     # every message names the argument
    stored = path.read_bytes()
    if sha256 is not None:
        _verify(stored, sha256, label)
    return _parse_idx(_decompressed(stored, label), label)


def _parse_idx(data: bytes, path) -> np.ndarray:
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
    """Locate name (.gz or raw) in directory, downloading it if asked; return
    it and its hash.
    """
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
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except OSError as err:   # urllib.error.URLError, timeouts, refused connections
        raise ConnectionError(
            f"could not download {url} ({err}); check the network connection, or download "
            f"the file by hand into {directory}"
        ) from err
    _verify(data, MNIST_SHA256[dataset][gz.name], url)
    partial = gz.with_name(gz.name + ".part")
    partial.write_bytes(data)
    partial.replace(gz)
    return gz, None  # already verified


def _check_magic(data: bytes, path: Path, kind: str) -> None:
    head = data[:4]
    expected = _IDX_MAGIC[kind]
    if len(head) < 4 or int.from_bytes(head, "big") != expected:
        raise ValueError(
            f"{path} has magic number 0x{head.hex()}, but MNIST {kind} files start with "
            f"0x{expected:08x} ({expected}); is this the right file?"
        )


def load_mnist(path=None, kind="train", download=False, *, dataset="mnist", sha256=None,
               normalize=True, flatten=True, dtype=np.float64):
    """Load MNIST or Fashion-MNIST from the official IDX files.

    path is the directory holding train-images-idx3-ubyte.gz,
    train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
    t10k-labels-idx1-ubyte.gz (or the same names without .gz); None means
    cache_dir() / dataset. kind is "train" (60,000 images) or "test"
    (10,000). dataset is "mnist" or "fashion".

    Checks: files with an official .gz name must match the published
    SHA-256 (MNIST_SHA256); sha256={file name: hex digest} adds or overrides
    hashes (e.g. for the raw files, which have none published); the magic
    numbers must be those of IDX images (2051) and labels (2049); a
    truncated or corrupted file raises a ValueError naming it. Nothing is
    downloaded unless download=True.

    Returns X of shape (m, 784) ((m, 28, 28) with flatten=False) and the
    floating-point dtype, scaled to [0, 1] by normalize (else 0–255), and y
    int64 of shape (m,).

    Sources: Y. LeCun, C. Cortes and C. J. C. Burges, The MNIST database of
    handwritten digits; H. Xiao, K. Rasul and R. Vollgraf (2017),
    Fashion-MNIST, arXiv:1708.07747 (MIT licence).
    """
    if not isinstance(dataset, str) or dataset not in MNIST_SHA256:
        raise ValueError(f"dataset must be one of {', '.join(map(repr, MNIST_SHA256))}; got {dataset!r}")
    prefixes = {"train": "train", "test": "t10k", "t10k": "t10k"}
    if not isinstance(kind, str) or kind not in prefixes:
        raise ValueError(f'kind must be "train" or "test"; got {kind!r}')
    if sha256 is not None and not isinstance(sha256, Mapping):
        raise TypeError(f"sha256 must be None or a dict {{file name: hex digest}}; got "
                        f"{type(sha256).__name__}")
    hashes = {}
    for name, digest in (sha256 or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"sha256 keys must be file names (str); got {name!r}")
        hashes[name] = _hex_digest(digest, f"sha256[{name!r}]")
    download, normalize, flatten = (check_flag(v, n) for v, n in
                                    ((download, "download"), (normalize, "normalize"), (flatten, "flatten")))
    try:
        dtype = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype must be a floating-point type such as np.float32; got {dtype!r}") from err
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating-point type such as np.float32; got {dtype}")
    directory = _as_path(path, "path") if path is not None else cache_dir() / dataset
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"path must be a directory holding the IDX files; got the file {directory}")
    arrays = {}
    for part, suffix in (("images", "idx3-ubyte"), ("labels", "idx1-ubyte")):
        file, expected = _mnist_file(directory, f"{prefixes[kind]}-{part}-{suffix}", dataset,
                                     hashes, download)
        stored = file.read_bytes()
        if expected is not None:
            _verify(stored, expected, file)
        data = _decompressed(stored, file)
        _check_magic(data, file, part)
        arrays[part] = _parse_idx(data, file)
    images, labels = arrays["images"], arrays["labels"]
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{images.shape[0]} images but {labels.shape[0]} labels in {directory}")
    X = images.reshape(len(images), -1) if flatten else images
    X = X.astype(dtype)
    if normalize:
        X /= 255
    return X, labels.astype(np.int64)


# ------------------------------------------------------------------ synthetic data
def _class_sizes(n: int, k: int) -> list[int]:
    """Split n samples into k classes as evenly as possible."""
    return [n // k + (c < n % k) for c in range(k)]


def _noisy(points, noise, rng, shape):
    """points + noise·N(0, 1); a noise so large that the points overflow is
    refused.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        X = points + noise * rng.normal(size=shape)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"noise={noise!r} is so large that the points overflow float64; "
                         f"use a noise of the order of the data (0.1, say)")
    return X


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def make_linear(n_samples=100, noise=0.0, seed=0, *, n_features=2):
    """Two classes separated by a hyperplane, the perceptron's data.

    x ~ U([−1, 1]ⁿ), y = 1 if w·x + b + ε > 0 else 0, with a random unit
    vector w, |b| ≤ 0.3 and ε ~ N(0, noise²). noise=0 is linearly separable.
    Returns X of shape (n_samples, n_features), y of shape (n_samples,).
    """
    n = check_int(n_samples, "n_samples")
    n_features = check_int(n_features, "n_features")
    noise = check_real(noise, "noise", low=0)
    rng = as_rng(seed, "seed")
    w = rng.normal(size=n_features)
    w /= np.linalg.norm(w)
    b = rng.uniform(-0.3, 0.3)
    X = rng.uniform(-1, 1, size=(n, n_features))
    y = (_noisy(X @ w + b, noise, rng, n) > 0)
    return X, y.astype(np.int64)


def make_blobs(n_samples=100, noise=1.0, seed=0, *, n_classes=3):
    """n_classes Gaussian clusters in 2-D.

    Centres evenly spaced on a circle of radius 4; each point is its centre
    plus N(0, noise²·I). Classes as equal in size as possible. Returns X of
    shape (n_samples, 2), y of shape (n_samples,) with labels
    0 .. n_classes − 1.
    """
    n_classes = check_int(n_classes, "n_classes")
    n = check_int(n_samples, "n_samples", n_classes)
    noise = check_real(noise, "noise", low=0)
    rng = as_rng(seed, "seed")
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 4 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.repeat(np.arange(n_classes), _class_sizes(n, n_classes))
    X = _noisy(centres[y], noise, rng, (n, 2))
    return _shuffled(X, y, rng)


def make_moons(n_samples=100, noise=0.1, seed=0):
    """Two interleaving half circles: not linearly separable.

    Class 0: (cos t, sin t), class 1: (1 − cos t, ½ − sin t), t ~ U(0, π),
    plus N(0, noise²·I). Returns X of shape (n_samples, 2), y of shape
    (n_samples,).
    """
    n = check_int(n_samples, "n_samples", 2)
    noise = check_real(noise, "noise", low=0)
    rng = as_rng(seed, "seed")
    y = np.repeat([0, 1], _class_sizes(n, 2))
    t = rng.uniform(0, np.pi, size=n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    X = _noisy(X, noise, rng, (n, 2))
    return _shuffled(X, y, rng)


def make_circles(n_samples=100, noise=0.05, seed=0, *, factor=0.5):
    """A small circle (class 1, radius factor) inside a large one (class 0,
    radius 1).

    Points r·(cos t, sin t), t ~ U(0, 2π), plus N(0, noise²·I). factor lies
    in [0, 1) (as in scikit-learn). Returns X of shape (n_samples, 2), y of
    shape (n_samples,).
    """
    n = check_int(n_samples, "n_samples", 2)
    noise = check_real(noise, "noise", low=0)
    factor = check_real(factor, "factor", low=0, high=1, high_open=True)
    rng = as_rng(seed, "seed")
    y = np.repeat([0, 1], _class_sizes(n, 2))
    radius = np.where(y == 0, 1.0, factor)
    t = rng.uniform(0, 2 * np.pi, size=n)
    X = _noisy(radius[:, None] * np.column_stack([np.cos(t), np.sin(t)]), noise, rng, (n, 2))
    return _shuffled(X, y, rng)


def make_xor(n_samples=100, noise=0.15, seed=0):
    """The XOR problem: no single perceptron can solve it.

    Points around the four corners (a, b) in {0, 1}² (equally many at
    each), label y = a XOR b, plus N(0, noise²·I); noise=0 gives exactly the
    truth table. Returns X of shape (n_samples, 2), y of shape (n_samples,).
    """
    n = check_int(n_samples, "n_samples", 4)
    noise = check_real(noise, "noise", low=0)
    rng = as_rng(seed, "seed")
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    corner = np.repeat(np.arange(4), _class_sizes(n, 4))
    a, b = corners[corner, 0], corners[corner, 1]
    y = (a != b).astype(np.int64)
    X = _noisy(corners[corner], noise, rng, (n, 2))
    return _shuffled(X, y, rng)


def make_spirals(n_samples=100, noise=0.05, seed=0, *, n_classes=2):
    """Interleaved spirals, one arm per class.

    Arm k of K: radius r in [0, 1] evenly spaced, angle θ = 4r + 2πk/K,
    point r·(sin θ, cos θ), plus N(0, noise²·I). Returns X of shape
    (n_samples, 2), y of shape (n_samples,) with labels 0 .. n_classes − 1.
    """
    n_classes = check_int(n_classes, "n_classes")
    n = check_int(n_samples, "n_samples", n_classes)
    noise = check_real(noise, "noise", low=0)
    rng = as_rng(seed, "seed")
    sizes = _class_sizes(n, n_classes)
    y = np.repeat(np.arange(n_classes), sizes)
    r = np.concatenate([np.linspace(0, 1, size) for size in sizes])
    theta = 4 * r + 2 * np.pi * y / n_classes
    X = _noisy(r[:, None] * np.column_stack([np.sin(theta), np.cos(theta)]), noise, rng, (n, 2))
    return _shuffled(X, y, rng)


# ------------------------------------------------------------------ preparation
def train_test_split(X, y, test_size=0.25, stratify=None, seed=0):
    """Shuffle and split (X, y) into training and test sets.

    X and y are arrays with one row per sample (at least 2 rows).
    test_size: a fraction in (0, 1) (the test set gets ⌈test_size·m⌉ rows;
    the product is first rounded to 9 decimals, so that 0.07·100 gives 7
    rows and not 8 as its floating-point value 7.000000000000001 would) or a
    number of rows. stratify: None, True (use y) or an array of m labels
    whose class proportions both parts should keep (largest-remainder
    rounding per class). seed: an int, a numpy.random.Generator or None
    (nnlab's generator, see nnlab.seed). Returns X_train, X_test, y_train,
    y_test.
    """
    X, y = _samples(X, "X"), _samples(y, "y")
    m = len(X)
    if len(y) != m:
        raise ValueError(f"X has {m} rows but y has {len(y)}; they must match (rows are samples)")
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, (int, float, np.integer, np.floating)):
        raise TypeError(f"test_size must be a fraction in (0, 1) or a positive integer; got {test_size!r}")
    if isinstance(test_size, (float, np.floating)):
        if not 0 < test_size < 1:   # also rejects NaN
            raise ValueError(f"test_size must be a fraction in (0, 1) or a positive integer; got {test_size!r}")
        n_test = math.ceil(round(float(test_size) * m, 9))
    elif test_size >= 1:
        n_test = int(test_size)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a positive integer; got {test_size!r}")
    if not 0 < n_test < m:
        raise ValueError(f"test_size={test_size!r} leaves {m - n_test} of {m} rows for training; need at least 1 in each part")
    rng = as_rng(seed, "seed")
    if stratify is None or (isinstance(stratify, (bool, np.bool_)) and not stratify):
        order = rng.permutation(m)
        test, train = order[:n_test], order[n_test:]
    else:
        by_y = isinstance(stratify, (bool, np.bool_))
        labels = y if by_y else _samples(stratify, "stratify")
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.ndim != 1:
            hint = (" (y is not 1-D; for one-hot y pass stratify=y.argmax(axis=1))" if by_y else "")
            raise ValueError(f"stratify needs one label per row, shape ({m},); got shape {labels.shape}{hint}")
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


_MAX_ENTRIES = 2 ** 34        # 128 GiB in float64, as for a layer's weights


def one_hot(y, n_classes, dtype=np.float64):
    """One-hot encoding: Y_ik = 1 if y_i = k, else 0.

    y: integer labels of shape (m,) (a column (m, 1) is flattened) in
    [0, n_classes). n_classes (K) is required: it is never guessed from
    max(y) + 1, because a class absent from y (say no 9 in a small batch of
    digits) would silently shrink the encoding to fewer columns. A label
    outside [0, n_classes), a negative one, a float such as 1.5 or a boolean
    array raises an error that says so. Returns Y of shape (m, n_classes)
    and type dtype.
    """
    n_classes = check_int(n_classes, "n_classes", typed=True)
    labels = class_labels(y, "y", n_classes=n_classes)
    try:
        dtype = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype must be a NumPy number type such as np.float64; got {dtype!r}") from err
    if not (np.issubdtype(dtype, np.number) or dtype == bool):
        raise TypeError(f"dtype must be a NumPy number type such as np.float64; got {dtype}")
    if labels.size * n_classes > _MAX_ENTRIES:
        raise ValueError(f"n_classes = {n_classes:,} with {labels.size:,} labels makes a one-hot "
                         f"array far too large to allocate (at most {_MAX_ENTRIES:,} entries)")
    Y = np.zeros((labels.size, n_classes), dtype=dtype)
    Y[np.arange(labels.size), labels] = 1
    return Y


class Standardizer:
    """Feature standardization, x' = (x − μ) / σ, per column.

    fit(X_train) learns mean_ (μ) and scale_ (σ, the population standard
    deviation). A column whose spread is zero up to rounding is constant:
    σ ≤ 10·ε·max_i |x_i|, with ε the machine epsilon of the dtype (2.2e-16
    in float64). Such a column gets scale_ = 1, so it is only centred (to
    about 1e-17) instead of having its rounding noise blown up to ±1: e.g.
    [0.1 + 0.2, 0.3, 0.3] would otherwise become [1.41, −0.71, −0.71].
    scikit-learn's StandardScaler uses a similar rule. Fit on the training
    split only, and apply the same transform to validation and test data.
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, X):
        """Learn mean_ and scale_ from X of shape (m, n); returns self."""
        X = self._as_2d(X)
        # Work on each column divided by a power of two close to its largest |x|:
        # exact (so the results are bit for bit those of X.mean, X.std) and
        # immune to overflow (1e308) or underflow (1e-300) of the squares.
        biggest = np.max(np.abs(X), axis=0)
        exponent = np.frexp(biggest)[1]
        scaled = np.ldexp(X, -exponent)
        mean, std = scaled.mean(axis=0), scaled.std(axis=0)
        constant = std <= 10 * np.finfo(X.dtype).eps * np.ldexp(biggest, -exponent)
        self.mean_ = np.ldexp(mean, exponent).astype(X.dtype, copy=False)
        self.scale_ = np.where(constant, 1, np.ldexp(std, exponent)).astype(X.dtype)
        return self

    def transform(self, X):
        """(X − μ) / σ with the fitted statistics; X of shape (m, n)."""
        X = self._checked(X)
        with np.errstate(over="ignore"):
            out = (X - self.mean_) / self.scale_
        return self._finite(out, X)

    def fit_transform(self, X):
        """fit(X), then transform(X)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """X·σ + μ, undoing transform."""
        X = self._checked(X)
        with np.errstate(over="ignore"):
            out = X * self.scale_ + self.mean_
        return self._finite(out, X)

    @staticmethod
    def _finite(out, X):
        """out, or a ValueError if it overflowed (X far from the fitted data).
        """
        if not np.isfinite(out).all():
            raise ValueError(f"X has values (up to {float(np.abs(X).max()):.3g}) so far from the "
                             "fitted data that the result overflows to infinity")
        return out

    @staticmethod
    def _as_2d(X):
        return as_matrix(X, "X")

    def _checked(self, X):
        if self.mean_ is None:
            raise CallOrderError("this Standardizer is not fitted yet; call fit(X_train) first")
        X = self._as_2d(X)
        if X.shape[1] != self.mean_.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features but the Standardizer was fitted on {self.mean_.shape[0]}")
        return X


def minibatch_indices(m, batch_size=None, *, shuffle=True, rng=None,
                      last="keep"):
    """The rows of each mini-batch of one epoch over m samples.

    Yields the rows of one batch after the other: X[rows] is the batch.
    batch_size None is one batch of all m rows (batch gradient descent),
    1 is stochastic gradient descent, and k gives batches of k rows.

    shuffle=True: one permutation rng.permutation(m), drawn when the
    function is called, is cut into index arrays. shuffle=False: the rows
    in order, as slices, so that X[rows] is a view (no copy).
    rng is a Generator (pass the same one every epoch: a new order each
    epoch), an int seed (the same order every time) or None, nnlab's
    package generator (a new order each call, reproducible after
    nnlab.seed).

    The m mod k rows left over at the end form the last batch; last says
    what becomes of it:
      "keep"  a smaller last batch, as in PyTorch's DataLoader;
      "join"  the same, except that a single leftover sample (m mod k = 1,
              k > 1) joins the previous batch, which gets k + 1 rows: a
              one-sample batch gives a very noisy update and cannot train
              BatchNorm (nnlab.train.fit batches this way);
      "drop"  a last batch smaller than k is left out (PyTorch's
              drop_last=True); k > m gives no batch at all.

    Every row is in exactly one batch (except dropped ones). The arguments
    are checked when the function is called, not at the first batch.
    """
    m = check_int(m, "m", minimum=0, typed=True)
    batch_size = check_int(batch_size, "batch_size", typed=True,
                           none_means="full batch")
    shuffle = check_flag(shuffle, "shuffle")
    rng = as_rng(rng)
    if not isinstance(last, str) or last not in _LAST_BATCH:
        raise ValueError(f"last must be one of {', '.join(map(repr, _LAST_BATCH))}; "
                         f"got {last!r}")
    bounds = _batch_bounds(m, max(m, 1) if batch_size is None else batch_size,
                           last)
    order = rng.permutation(m) if shuffle else None
    return _batch_rows(order, bounds)


_LAST_BATCH = ("keep", "join", "drop")


def _batch_bounds(m: int, k: int, last: str) -> list:
    """First row of every batch, then m: 0, k, 2k, ..., m (see
    minibatch_indices for last)."""
    bounds = list(range(0, m, k)) + [m]
    if last == "join" and k > 1 and len(bounds) > 2 \
            and bounds[-1] - bounds[-2] == 1:
        del bounds[-2]
    elif last == "drop" and len(bounds) > 1 and bounds[-1] - bounds[-2] < k:
        del bounds[-1]
    return bounds


def _batch_rows(order, bounds):
    for start, stop in zip(bounds[:-1], bounds[1:]):
        yield slice(start, stop) if order is None else order[start:stop]


def minibatches(X, y=None, batch_size=None, *, shuffle=True, rng=None):
    """One epoch of mini-batches (X_b, y_b) of X and y.

    The batches are those of minibatch_indices(len(X), batch_size,
    shuffle=shuffle, rng=rng): batch_size None is one batch of all m rows,
    1 is stochastic gradient descent, k gives batches of k rows, the last
    one possibly smaller. With shuffle=True the rows are permuted by rng:
    a Generator (pass the same one every epoch, so that each epoch gets a
    new order), an int seed (the same order every time) or None, nnlab's
    package generator (a new order at every call, reproducible after
    nnlab.seed). Without shuffling the batches are views (no copy); with
    it, each batch is one fancy-index take per array. y may be None (then
    y_b is None). The arguments are checked when minibatches is called,
    not at the first batch.
    """
    X = _samples(X, "X")
    m = len(X)
    if y is not None:
        y = _samples(y, "y")
        if len(y) != m:
            raise ValueError(f"X has {m} rows but y has {len(y)}; they must "
                             "match (rows are samples)")
    batches = minibatch_indices(m, batch_size, shuffle=shuffle, rng=rng)
    return ((X[rows], None if y is None else y[rows]) for rows in batches)
