"""nnlab.data: shipped digits, the MNIST IDX reader (offline), synthetic sets, splits, batches."""
from __future__ import annotations

import gzip
import hashlib
import math
import re

import numpy as np
import pytest

import nnlab
from nnlab import data as D


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """No test in this file may touch the network."""
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to download something")
    monkeypatch.setattr(D.urllib.request, "urlopen", refuse)


# --------------------------------------------------------------------- digits
def test_load_digits():
    X, y = D.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.sum() == 1797 and counts.min() >= 170
    X[0, 0] = 99                                    # a fresh copy each call
    assert D.load_digits()[0][0, 0] != 99


def test_load_digits_matches_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn is the independent reference")
    X, y = D.load_digits()
    ref = datasets.load_digits()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)


def test_load_digits_rejects_a_corrupted_file(tmp_path, monkeypatch):
    corrupted = bytearray((D._DATASETS / "digits.csv.gz").read_bytes())
    corrupted[100] ^= 0xFF
    (tmp_path / "digits.csv.gz").write_bytes(bytes(corrupted))
    monkeypatch.setattr(D, "_DATASETS", tmp_path)
    D._digits_table.cache_clear()
    try:
        with pytest.raises(ValueError, match="digits.csv.gz failed its SHA-256 check"):
            D.load_digits()
    finally:
        D._digits_table.cache_clear()


# --------------------------------------------------------------------- MNIST (no download)
def idx_bytes(array, magic_type=0x08):
    """Encode an array as IDX by hand, independently of the reader."""
    header = bytes([0, 0, magic_type, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(">u1").tobytes()


@pytest.fixture
def tiny_mnist(rng):
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    return images, labels


def write(path, data, compress=False):
    path.write_bytes(gzip.compress(data) if compress else data)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_mnist_reads_raw_idx(tmp_path, tiny_mnist):
    images, labels = tiny_mnist
    write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(images))
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(labels))
    X, y = D.load_mnist(tmp_path, kind="test")
    assert X.shape == (5, 784) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, images.reshape(5, -1) / 255)
    assert y.tolist() == [3, 1, 4, 1, 5]
    X, _ = D.load_mnist(tmp_path, kind="test", normalize=False, flatten=False, dtype=np.float32)
    assert X.shape == (5, 28, 28) and X.dtype == np.float32 and X.max() == images.max()


def test_official_name_with_wrong_checksum_is_rejected(tmp_path, tiny_mnist):
    images, labels = tiny_mnist
    write(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(images), compress=True)
    write(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(labels), compress=True)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz failed its SHA-256 check: expected 440fcabf"):
        D.load_mnist(tmp_path)
    with pytest.raises(ValueError, match=r"failed its SHA-256 check: expected 3aede38d"):
        D.load_mnist(tmp_path, dataset="fashion")


def test_sha256_argument(tmp_path, tiny_mnist):
    images, labels = tiny_mnist
    hashes = {
        "train-images-idx3-ubyte.gz": write(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(images), True),
        "train-labels-idx1-ubyte.gz": write(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(labels), True),
    }
    X, y = D.load_mnist(tmp_path, sha256=hashes)             # gzip, our own hashes
    np.testing.assert_array_equal(X, images.reshape(5, -1) / 255)
    hashes["train-labels-idx1-ubyte.gz"] = "0" * 64
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz failed its SHA-256 check"):
        D.load_mnist(tmp_path, sha256=hashes)


def test_corrupted_and_truncated_files(tmp_path, tiny_mnist):
    images, labels = tiny_mnist
    good = idx_bytes(images)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels))
    path = tmp_path / "train-images-idx3-ubyte"
    digest = write(path, good)
    write(path, good[:-10])                                   # truncated
    with pytest.raises(ValueError, match="truncated"):
        D.load_mnist(tmp_path)
    corrupted = bytearray(good)
    corrupted[500] ^= 0x01                                    # one flipped bit
    write(path, bytes(corrupted))
    with pytest.raises(ValueError, match="failed its SHA-256 check"):
        D.load_mnist(tmp_path, sha256={"train-images-idx3-ubyte": digest})


def test_wrong_magic_number(tmp_path, tiny_mnist):
    images, labels = tiny_mnist
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images))
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels))
    bad = bytearray(idx_bytes(images))
    bad[0] = 0x42
    write(tmp_path / "train-images-idx3-ubyte", bytes(bad))
    with pytest.raises(ValueError, match=r"magic number 0x42000803.*0x00000803 \(2051\)"):
        D.load_mnist(tmp_path)
    with pytest.raises(ValueError, match="is not an IDX file: its magic number is 0x42000803"):
        D.read_idx(tmp_path / "train-images-idx3-ubyte")
    # images and labels swapped: both are valid IDX files, but the magic numbers say which is which
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(labels))
    with pytest.raises(ValueError, match=r"magic number 0x00000801.*images files start with 0x00000803"):
        D.load_mnist(tmp_path)


def test_missing_files_are_not_downloaded_unless_asked(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="download=True"):
        D.load_mnist(tmp_path / "nowhere")
    monkeypatch.setenv("NNLAB_DATA", str(tmp_path / "cache"))
    assert D.cache_dir() == tmp_path / "cache"
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "cache" / "fashion")):
        D.load_mnist(dataset="fashion")


def test_a_download_is_checked_before_it_is_kept(tmp_path, monkeypatch):
    class FakeResponse:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b"<html>not the data</html>"

    requested = []
    monkeypatch.setattr(D.urllib.request, "urlopen", lambda url, timeout: requested.append(url) or FakeResponse())
    with pytest.raises(ValueError, match="failed its SHA-256 check"):
        D.load_mnist(tmp_path, download=True)
    assert requested == [D.MNIST_URLS["mnist"] + "train-images-idx3-ubyte.gz"]
    assert list(tmp_path.iterdir()) == []                       # nothing unverified left on disk


def test_published_hash_table():
    for table in D.MNIST_SHA256.values():
        assert sorted(table) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                                 "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
        # a SHA-256 digest as _verify compares it: exactly 64 lowercase hex digits
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in table.values()), table
    assert set(D.MNIST_SHA256["mnist"].values()).isdisjoint(D.MNIST_SHA256["fashion"].values())
    assert re.fullmatch(r"[0-9a-f]{64}", D.DIGITS_SHA256)


def test_digits_hash_is_recomputed_from_the_shipped_bytes():
    """The recorded constant is the SHA-256 of the file as shipped (computed here independently)."""
    raw = (D._DATASETS / "digits.csv.gz").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == D.DIGITS_SHA256
    # and the loader really checks it: a copy with one byte changed is refused
    # (test_load_digits_rejects_a_corrupted_file); a copy that only differs in the
    # gzip header's timestamp decompresses to the same table but is refused too
    changed = bytearray(raw)
    changed[4] ^= 0x01                                  # gzip MTIME field
    assert gzip.decompress(bytes(changed)) == gzip.decompress(raw)
    with pytest.raises(ValueError, match="SHA-256"):
        D._verify(bytes(changed), D.DIGITS_SHA256, "digits.csv.gz")


def gzipped_idx(rng):
    return gzip.compress(idx_bytes(rng.integers(0, 256, size=(3, 4), dtype=np.uint8)))


@pytest.mark.parametrize("damage", ["truncated", "bad CRC", "corrupt deflate data", "empty after magic"])
def test_read_idx_rejects_broken_gzip_naming_the_file(tmp_path, rng, damage):
    good = gzipped_idx(rng)
    bad = {
        "truncated": good[:-12],
        "bad CRC": good[:-8] + bytes(4) + good[-4:],
        "corrupt deflate data": good[:10] + b"\xff" * 6 + good[16:],
        "empty after magic": good[:2],
    }[damage]
    path = tmp_path / "broken-idx1-ubyte.gz"
    path.write_bytes(bad)
    with pytest.raises(ValueError, match=r"broken-idx1-ubyte\.gz is not a valid gzip file"):
        D.read_idx(path)


def test_load_mnist_rejects_a_broken_gzip_file_naming_it(tmp_path, tiny_mnist):
    images, labels = tiny_mnist
    broken = gzip.compress(idx_bytes(images))[:-20]
    hashes = {"train-images-idx3-ubyte.gz": write(tmp_path / "train-images-idx3-ubyte.gz", broken),
              "train-labels-idx1-ubyte.gz": write(tmp_path / "train-labels-idx1-ubyte.gz",
                                                  idx_bytes(labels), compress=True)}
    # the right hash for the broken bytes: the failure must come from the gzip stream itself
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz is not a valid gzip file"):
        D.load_mnist(tmp_path, sha256=hashes)


def test_read_idx_other_types(tmp_path):
    a = (np.arange(6).reshape(2, 3) - 3).astype(">i4")  # big-endian, as IDX requires
    (tmp_path / "x.idx").write_bytes(bytes([0, 0, 0x0C, 2]) + (2).to_bytes(4, "big")
                                     + (3).to_bytes(4, "big") + a.tobytes())
    out = D.read_idx(tmp_path / "x.idx")
    assert out.dtype == np.int32 and out.tolist() == [[-3, -2, -1], [0, 1, 2]]


# --------------------------------------------------------------------- synthetic sets
MAKERS = [D.make_linear, D.make_blobs, D.make_moons, D.make_circles, D.make_xor, D.make_spirals]


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_synthetic_shapes_dtypes_determinism(make):
    X, y = make(n_samples=60, seed=3)
    assert X.shape == (60, 2) and X.dtype == np.float64 and y.shape == (60,) and y.dtype == np.int64
    X2, y2 = make(n_samples=60, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n_samples=60, seed=4)
    assert not np.array_equal(X, X3)
    with pytest.raises(ValueError, match="n_samples must be an integer"):
        make(n_samples=0)
    with pytest.raises(ValueError, match=r"noise must be a (finite )?number >= 0"):
        make(noise=-1.0)


@pytest.mark.parametrize("make", [D.make_moons, D.make_circles, D.make_xor], ids=lambda f: f.__name__)
def test_balanced_two_class_sets(make):
    _, y = make(n_samples=101, seed=0)
    assert sorted(np.bincount(y).tolist()) == [50, 51]


def test_synthetic_geometry_without_noise():
    X, y = D.make_circles(n_samples=50, noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.3))
    X, y = D.make_xor(n_samples=40, noise=0.0)
    truth = {(0.0, 0.0): 0, (0.0, 1.0): 1, (1.0, 0.0): 1, (1.0, 1.0): 0}
    assert all(truth[tuple(x)] == label for x, label in zip(X.tolist(), y))
    X, y = D.make_moons(n_samples=50, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    X, y = D.make_blobs(n_samples=90, noise=0.5, n_classes=3, seed=1)
    assert np.bincount(y).tolist() == [30, 30, 30]
    X, y = D.make_spirals(n_samples=90, n_classes=3)
    assert np.bincount(y).tolist() == [30, 30, 30]


def test_make_linear_is_separable_without_noise():
    X, y = D.make_linear(n_samples=200, noise=0.0, seed=5)
    assert 0 < y.sum() < 200
    # the perceptron rule of Chapter 1 converges only on linearly separable data
    w, b = np.zeros(2), 0.0
    for _ in range(2000):
        errors = 0
        for x, t in zip(X, y):
            pred = 1 if x @ w + b > 0 else 0
            if pred != t:
                w, b, errors = w + (t - pred) * x, b + (t - pred), errors + 1
        if errors == 0:
            break
    assert errors == 0


# --------------------------------------------------------------------- preparation
def test_train_test_split_partitions_rows():
    X = np.arange(40).reshape(20, 2).astype(float)
    y = np.arange(20)
    X_tr, X_te, y_tr, y_te = D.train_test_split(X, y, test_size=0.25, seed=1)
    assert len(X_te) == 5 and len(X_tr) == 15
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(20))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)            # rows stay paired
    again = D.train_test_split(X, y, test_size=0.25, seed=1)
    np.testing.assert_array_equal(again[3], y_te)
    assert not np.array_equal(D.train_test_split(X, y, seed=2)[3], y_te)
    assert len(D.train_test_split(X, y, test_size=3)[1]) == 3


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(100.0)[:, None]
    _, _, y_tr, y_te = D.train_test_split(X, y, test_size=0.2, stratify=y, seed=0)
    assert np.bincount(y_te).tolist() == [10, 6, 4]
    assert np.bincount(y_tr).tolist() == [40, 24, 16]
    _, _, _, y_te = D.train_test_split(X, y, test_size=0.25, stratify=True, seed=0)
    assert len(y_te) == 25 and np.bincount(y_te).tolist() == [13, 7, 5]
    # quotas 3, 13.5, 13.5 -> the leftover row goes to a class with the largest remainder
    y = np.repeat([0, 1, 2], [10, 45, 45])
    _, _, _, y_te = D.train_test_split(np.zeros((100, 1)), y, test_size=0.3, stratify=y, seed=0)
    assert np.bincount(y_te).tolist() == [3, 14, 13]


def test_split_errors():
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        D.train_test_split(np.zeros((4, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="test_size"):
        D.train_test_split(np.zeros((4, 1)), np.zeros(4), test_size=1.5)


def test_one_hot():
    Y = D.one_hot([2, 0, 1, 2], 3)
    assert Y.dtype == np.float64 and Y.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert D.one_hot(np.array([0, 1]), n_classes=4, dtype=np.float32).shape == (2, 4)
    with pytest.raises(ValueError, match=r"y contains labels outside \[0, 2\)"):
        D.one_hot([0, 2], n_classes=2)
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        D.one_hot(np.array([0.0, 1.0]), 2)


def test_one_hot_keeps_a_class_missing_from_the_labels():
    # no label 3 in this batch: the encoding still has 4 columns (it once had 3)
    Y = D.one_hot(np.array([0, 2, 1, 2]), 4)
    assert Y.shape == (4, 4) and Y[:, 3].tolist() == [0, 0, 0, 0]
    with pytest.raises(TypeError, match="n_classes"):
        D.one_hot(np.array([0, 2, 1]))                       # never guessed from max(y) + 1


def test_one_hot_accepts_a_column_of_labels():
    np.testing.assert_array_equal(D.one_hot(np.array([[1], [0], [2]]), 3), D.one_hot(np.array([1, 0, 2]), 3))


@pytest.mark.parametrize(("labels", "n_classes", "error", "message"), [
    ([0, 3], 3, ValueError, r"y contains labels outside \[0, 3\).*from 0 to 3"),
    ([-1, 1], 3, ValueError, r"y contains labels outside \[0, 3\).*from -1 to 1"),
    (np.array([0.0, 1.5]), 3, TypeError, r"y .*non-integer value.*1\.5"),
    (np.array([0.0, 2.0]), 3, TypeError, r"y must hold integer class labels.*astype\(np\.int64\)"),
    (np.array([True, False]), 2, TypeError, r"y has dtype bool.*astype\(np\.int64\)"),
    (np.array([[0, 1], [1, 0]]), 2, ValueError, r"y must be a 1-D array.*\(2, 2\)"),
    (None, 2, TypeError, r"\by\b.*None"),
    (np.array([], dtype=np.int64), 2, ValueError, "y is empty"),
    (["a", "b"], 2, TypeError, r"\by\b.*integer class labels"),
    ([0, 1], 2.0, TypeError, "n_classes"),
    ([0, 1], "2", TypeError, "n_classes"),
    ([0, 1], True, TypeError, "n_classes"),
    ([0, 1], 0, ValueError, "n_classes"),
    ([0, 1], None, TypeError, "n_classes"),
])
def test_one_hot_bad_labels_are_explained(labels, n_classes, error, message):
    with pytest.raises(error, match=message) as info:
        D.one_hot(labels, n_classes)
    assert "astype(np.float64)" not in str(info.value)          # never advise float labels


def test_standardizer(rng):
    X_train = rng.normal(5, 3, size=(200, 3))
    X_train[:, 1] = 7.0                               # a constant feature
    X_test = rng.normal(5, 3, size=(10, 3))
    s = D.Standardizer().fit(X_train)
    Z = s.transform(X_train)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), [1, 0, 1], atol=1e-12)
    assert s.scale_[1] == 1 and s.mean_[1] == 7
    np.testing.assert_allclose(s.transform(X_test), (X_test - X_train.mean(0)) / np.where([1, 0, 1], X_train.std(0), 1))
    np.testing.assert_allclose(s.inverse_transform(s.transform(X_test)), X_test)
    np.testing.assert_allclose(D.Standardizer().fit_transform(X_train), Z)
    assert D.Standardizer().fit_transform(X_train.astype(np.float32)).dtype == np.float32
    with pytest.raises(RuntimeError, match="not fitted"):
        D.Standardizer().transform(X_test)
    with pytest.raises(ValueError, match="X has 2 features but the Standardizer was fitted on 3"):
        s.transform(X_test[:, :2])


def test_standardizer_treats_a_column_constant_up_to_rounding_as_constant():
    big = 1e8 + 0.1
    X = np.array([[0.1 + 0.2, big, 5.0],
                  [0.3, np.nextafter(big, np.inf), 6.0],       # one unit in the last place apart
                  [0.3, big, 7.0]])
    s = D.Standardizer().fit(X)
    assert s.scale_[0] == 1 and s.scale_[1] == 1                 # not the ~1e-17 / 1e-8 noise
    Z = s.transform(X)
    assert np.max(np.abs(Z[:, 0])) < 1e-15                       # centred, not [1.41, -0.71, -0.71]
    assert np.max(np.abs(Z[:, 1])) < 1e-7                        # 1e-15 of the column's size
    np.testing.assert_allclose(Z[:, 2], [-math.sqrt(1.5), 0, math.sqrt(1.5)], rtol=1e-14)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-15)


def test_standardizer_near_constant_column_matches_scikit_learn():
    preprocessing = pytest.importorskip("sklearn.preprocessing", reason="scikit-learn is the independent reference")
    X = np.array([[0.1 + 0.2, 1.0], [0.3, 2.0], [0.3, 4.0]])
    np.testing.assert_allclose(D.Standardizer().fit_transform(X),
                               preprocessing.StandardScaler().fit_transform(X), rtol=1e-12, atol=1e-15)


def test_standardizer_tiny_and_huge_columns():
    X = np.array([[1e-300, 1e300], [2e-300, -1e300], [3e-300, 0.0]])
    with np.errstate(all="raise"):                               # squares of 1e300 and 1e-300 are out of range
        s = D.Standardizer().fit(X)
    expected = [-math.sqrt(1.5), 0, math.sqrt(1.5)]
    np.testing.assert_allclose(s.transform(X)[:, 0], expected, rtol=1e-14)
    np.testing.assert_allclose(s.transform(X)[:, 1], [expected[2], expected[0], 0], rtol=1e-14)
    np.testing.assert_allclose(s.scale_, [math.sqrt(2 / 3) * 1e-300, math.sqrt(2 / 3) * 1e300], rtol=1e-14)


def test_split_size_is_not_fooled_by_rounding():
    # 0.07 * 100 is 7.000000000000001 in floating point: the test set still gets 7 rows
    X, y = np.zeros((100, 1)), np.arange(100)
    assert len(D.train_test_split(X, y, test_size=0.07)[1]) == 7
    assert len(D.train_test_split(X, y, test_size=0.075)[1]) == 8            # a real fraction rounds up
    assert len(D.train_test_split(X, y, test_size=np.float32(0.5))[1]) == 50


def test_minibatches_without_rng_draw_a_new_order_each_call():
    X, y = np.arange(40.0).reshape(20, 2), np.arange(20)

    def order():
        return np.concatenate([yb for _, yb in D.minibatches(X, y, 5)])

    nnlab.seed(11)
    first, second = order(), order()
    assert not np.array_equal(first, second)                  # a new order every epoch
    assert sorted(first.tolist()) == list(range(20))
    nnlab.seed(11)
    np.testing.assert_array_equal(order(), first)             # reproducible from nnlab.seed
    np.testing.assert_array_equal(order(), second)


@pytest.mark.parametrize(("batch_size", "n_batches", "sizes"), [
    (3, 4, [3, 3, 3, 3]), (None, 1, [12]), (1, 12, [1] * 12), (5, 3, [5, 5, 2]), (50, 1, [12])])
def test_minibatch_counts(batch_size, n_batches, sizes):
    X, y = np.arange(24.0).reshape(12, 2), np.arange(12)
    batches = list(D.minibatches(X, y, batch_size, rng=np.random.default_rng(0)))
    assert len(batches) == n_batches and [len(b[1]) for b in batches] == sizes
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(12))               # each row exactly once
    assert all(np.array_equal(Xb[:, 0], 2 * yb) for Xb, yb in batches)  # rows stay paired


def test_minibatch_shuffling():
    X, y = np.arange(24.0).reshape(12, 2), np.arange(12)
    rng = np.random.default_rng(0)
    epoch1 = np.concatenate([yb for _, yb in D.minibatches(X, y, 4, rng=rng)])
    epoch2 = np.concatenate([yb for _, yb in D.minibatches(X, y, 4, rng=rng)])
    assert not np.array_equal(epoch1, epoch2)                      # reshuffled each epoch
    replay = np.concatenate([yb for _, yb in D.minibatches(X, y, 4, rng=np.random.default_rng(0))])
    np.testing.assert_array_equal(replay, epoch1)                  # deterministic by seed
    ordered = [yb.tolist() for _, yb in D.minibatches(X, y, 4, shuffle=False)]
    assert ordered == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_minibatches_do_not_copy_without_shuffling():
    X, y = np.zeros((10, 3)), np.zeros(10)
    (Xb, yb), = D.minibatches(X, y, None, shuffle=False)
    assert Xb.base is X or Xb is X
    assert all(np.shares_memory(Xb, X) for Xb, _ in D.minibatches(X, y, 4, shuffle=False))
    assert [yb for _, yb in D.minibatches(X, None, 5, shuffle=False)] == [None, None]


def test_minibatch_errors():
    with pytest.raises(ValueError, match="batch_size must be None"):
        D.minibatches(np.zeros((4, 1)), np.zeros(4), 0)
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        D.minibatches(np.zeros((4, 1)), np.zeros(3))


# --------------------------------------------------------------------- minibatch_indices
def _rows_of(batches, m):
    """Each batch (a slice or an index array) as a list of row numbers."""
    return [list(range(m))[b] if isinstance(b, slice) else b.tolist() for b in batches]


@pytest.mark.parametrize(("m", "k", "last", "sizes"), [
    (12, 5, "keep", [5, 5, 2]), (12, 5, "join", [5, 5, 2]), (12, 5, "drop", [5, 5]),
    (11, 5, "keep", [5, 5, 1]), (11, 5, "join", [5, 6]), (11, 5, "drop", [5, 5]),
    (33, 32, "join", [33]), (34, 32, "join", [32, 2]), (5, 1, "join", [1] * 5),
    (3, 5, "keep", [3]), (3, 5, "join", [3]), (3, 5, "drop", []),
    (7, None, "keep", [7]), (7, None, "drop", [7]), (1, 1, "join", [1]), (0, 4, "keep", []),
])
@pytest.mark.parametrize("shuffle", [True, False])
def test_minibatch_indices_cover_every_row_once(m, k, last, sizes, shuffle):
    rows = _rows_of(D.minibatch_indices(m, k, shuffle=shuffle, rng=3, last=last), m)
    assert [len(r) for r in rows] == sizes
    flat = [i for r in rows for i in r]
    assert len(set(flat)) == len(flat) == sum(sizes)              # no row twice
    if last != "drop":
        assert sorted(flat) == list(range(m))                     # every row once
    if not shuffle:
        assert flat == list(range(sum(sizes)))                    # in order


def test_minibatch_indices_cut_one_permutation_per_call():
    """The batches are consecutive pieces of rng.permutation(m), one per call,
    and the generator advances exactly as by that one call."""
    rng, twin = np.random.default_rng(7), np.random.default_rng(7)
    for _ in range(3):                                            # three epochs
        batches = D.minibatch_indices(10, 4, rng=rng)             # drawn here, not lazily
        order = twin.permutation(10)
        assert rng.bit_generator.state == twin.bit_generator.state
        got = [b.tolist() for b in batches]
        assert got == [order[:4].tolist(), order[4:8].tolist(), order[8:].tolist()]
    assert rng.random() == twin.random()


def test_minibatch_indices_full_batch_and_slices():
    (only,) = D.minibatch_indices(6, None, shuffle=False)
    assert only == slice(0, 6)                                    # X[only] is a view
    (perm,) = D.minibatch_indices(6, rng=np.random.default_rng(1))
    assert perm.tolist() == np.random.default_rng(1).permutation(6).tolist()
    nnlab.seed(4)
    first = next(D.minibatch_indices(6, 2))                       # rng=None: the package generator
    nnlab.seed(4)
    assert next(D.minibatch_indices(6, 2)).tolist() == first.tolist()
    assert list(D.minibatch_indices(0, None)) == []


@pytest.mark.parametrize(("kw", "error", "message"), [
    (dict(m=-1), ValueError, r"^m must be an integer >= 0; got -1$"),
    (dict(m=4.0), TypeError, r"^m must be an integer >= 0; got 4\.0 \(a float\)$"),
    (dict(m=None), TypeError, r"^m must be an integer >= 0; got None$"),
    (dict(batch_size=0), ValueError,
     r"^batch_size must be None \(full batch\) or an integer >= 1; got 0$"),
    (dict(batch_size=2.0), TypeError, r"^batch_size must be None \(full batch\) or an integer"),
    (dict(batch_size=True), TypeError, r"batch_size .*True \(a bool\)"),
    (dict(shuffle="no"), TypeError, r"^shuffle must be True or False; got 'no' \(a str\)$"),
    (dict(rng="seed"), TypeError, r"^rng must be an int seed, a numpy.random.Generator or None"),
    (dict(last="tail"), ValueError, r"^last must be one of 'keep', 'join', 'drop'; got 'tail'$"),
    (dict(last=None), ValueError, r"^last must be one of"),
])
def test_minibatch_indices_bad_input_is_refused_at_the_call(kw, error, message):
    args = dict(m=4, batch_size=2)
    args.update(kw)
    with pytest.raises(error, match=message):
        D.minibatch_indices(args.pop("m"), **args)                # no next(): checked at once


# --------------------------------------------------------------------- bad input, one table
Z41 = np.zeros((4, 1))
BAD_CALLS = [
    (lambda: D.train_test_split(None, None), TypeError, r"\bX\b"),
    (lambda: D.train_test_split(np.float64(3.0), np.int64(1)), ValueError, r"\bX\b"),
    (lambda: D.train_test_split(Z41, 5), ValueError, r"\by\b"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size=0.0), ValueError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size=1.0), ValueError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size=-1), ValueError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size=4), ValueError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size=float("nan")), ValueError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size="0.2"), TypeError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size=True), TypeError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), test_size=None), TypeError, "test_size"),
    (lambda: D.train_test_split(Z41, np.zeros(4), stratify="yes"), ValueError, "stratify"),
    (lambda: D.train_test_split(Z41, np.zeros(4), stratify=[0, 1]), ValueError, "stratify"),
    (lambda: D.train_test_split(Z41, np.zeros((4, 2)), stratify=True), ValueError, "stratify"),
    (lambda: D.train_test_split(Z41, np.zeros(4), seed="s"), TypeError, "seed"),
    (lambda: D.minibatches(None), TypeError, r"\bX\b"),
    (lambda: D.minibatches(np.float64(1.0)), ValueError, r"\bX\b"),
    (lambda: D.minibatches(Z41, 3.0), ValueError, r"\by\b"),
    (lambda: D.minibatches(Z41, None, 0), ValueError, "batch_size"),
    (lambda: D.minibatches(Z41, None, -2), ValueError, "batch_size"),
    (lambda: D.minibatches(Z41, None, 2.0), TypeError, "batch_size"),
    (lambda: D.minibatches(Z41, None, True), TypeError, "batch_size"),
    (lambda: D.minibatches(Z41, None, "2"), TypeError, "batch_size"),
    (lambda: D.minibatches(Z41, None, 2, shuffle="no"), TypeError, "shuffle"),
    (lambda: D.minibatches(Z41, None, 2, rng="seed"), TypeError, "rng"),
    (lambda: D.make_moons(-5), ValueError, "n_samples"),
    (lambda: D.make_blobs(10.0), ValueError, "n_samples"),
    (lambda: D.make_linear(None), ValueError, "n_samples"),
    (lambda: D.make_xor(8, noise=True), TypeError, "noise"),
    (lambda: D.make_spirals(8, noise="a"), TypeError, "noise"),
    (lambda: D.make_circles(10, factor=float("nan")), ValueError, "factor"),
    (lambda: D.make_circles(10, factor=1.0), ValueError, "factor"),
    (lambda: D.make_circles(10, factor="half"), TypeError, "factor"),
    (lambda: D.make_blobs(10, n_classes=0), ValueError, "n_classes"),
    (lambda: D.make_moons(10, seed=-1), ValueError, "seed"),
    (lambda: D.read_idx(None), TypeError, "path"),
    (lambda: D.read_idx(D._DATASETS), ValueError, "path"),
    (lambda: D.read_idx(D._DATASETS / "digits.csv.gz", sha256=5), TypeError, "sha256"),
    (lambda: D.read_idx(D._DATASETS / "digits.csv.gz", sha256="abc"), ValueError, "sha256"),
    (lambda: D.load_mnist(5), TypeError, "path"),
    (lambda: D.load_mnist(kind=["train"]), ValueError, "kind"),
    (lambda: D.load_mnist(kind="validation"), ValueError, "kind"),
    (lambda: D.load_mnist(dataset=["mnist"]), ValueError, "dataset"),
    (lambda: D.load_mnist(sha256="abc"), TypeError, "sha256"),
    (lambda: D.load_mnist(sha256={"train-images-idx3-ubyte": "xyz"}), ValueError, "sha256"),
    (lambda: D.load_mnist(dtype=np.int64), TypeError, "dtype"),
    (lambda: D.load_mnist(dtype="no-such-type"), TypeError, "dtype"),
    (lambda: D.load_mnist(download="yes"), TypeError, "download"),
    (lambda: D.Standardizer().fit(None), TypeError, r"\bX\b"),
    (lambda: D.Standardizer().fit(np.ones(3)), ValueError, r"\bX\b"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()
