"""nnlab.io: exact round trip, atomic writes, corrupt and mismatched files rejected."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import nnlab
from nnlab import io, layers as L


def _trained_model(dtype=np.float64):
    model = L.Sequential([L.Dense(4, 6, rng=0, dtype=dtype), L.BatchNorm(6, dtype=dtype),
                          L.PReLU(6, dtype=dtype), L.Dropout(0.2), L.Dense(6, 5, rng=1, dtype=dtype),
                          L.RReLU(0.1, 0.2, dtype=dtype), L.Activation("leaky_relu", alpha=0.05),
                          L.Dense(5, 3, rng=2, dtype=dtype)])
    X = np.random.default_rng(0).normal(size=(30, 4))
    y = np.arange(30) % 3
    nnlab.train.fit(model, X, y, optimizer="adam", lr=0.01, epochs=2, batch_size=8, progress=False)
    return model, X


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_is_exact(tmp_path, dtype):
    model, X = _trained_model(dtype)
    path = tmp_path / "model.npz"
    assert io.save(model, path) == str(path)
    loaded = io.load(path)
    assert [type(a) for a in loaded.layers] == [type(b) for b in model.layers]
    assert loaded.dtype == np.dtype(dtype)
    for a, b in zip(loaded.params + loaded.buffers, model.params + model.buffers):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert repr(loaded) == repr(model)
    # plain arrays, readable without pickle
    with np.load(path, allow_pickle=False) as f:
        arch = json.loads(str(f["architecture"]))
    assert arch["format"] == "nnlab-model" and arch["layers"][0]["type"] == "Dense"


def test_save_leaves_no_temporary_files_and_overwrites(tmp_path):
    model, _ = _trained_model()
    path = tmp_path / "m.npz"
    io.save(model, path)
    io.save(nnlab.mlp([2, 3]), path)          # replaced
    assert repr(io.load(path).layers) == "[Dense(2, 3)]"
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model, X = _trained_model()
    path = tmp_path / "m.npz"
    io.save(model, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt("power cut")
    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        io.save(nnlab.mlp([2, 3]), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_truncated_file_rejected(tmp_path, keep):
    model, _ = _trained_model()
    path = tmp_path / "m.npz"
    io.save(model, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="not a readable nnlab model file"):
        io.load(path)


def test_garbage_and_foreign_files_rejected(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file at all")
    with pytest.raises(ValueError, match="not a readable"):
        io.load(junk)
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match="single array"):
        io.load(single)
    other = tmp_path / "other.npz"
    np.savez(other, W=np.ones(3))
    with pytest.raises(ValueError, match="no 'architecture'"):
        io.load(other)
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "missing.npz")


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays.update(changes)
    np.savez(path, **arrays)


def test_mismatched_arrays_rejected(tmp_path):
    model = nnlab.mlp([4, 5, 3], rng=0)
    path = tmp_path / "m.npz"
    io.save(model, path)
    _rewrite(path, layer0_param0=np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"layer0_param0.*shape \(5, 5\).*\(4, 5\)"):
        io.load(path)
    io.save(model, path)
    _rewrite(path, layer2_param1=np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match="dtype float32"):
        io.load(path)
    io.save(model, path)
    _rewrite(path, layer9_param0=np.zeros(2))
    with pytest.raises(ValueError, match="unexpected arrays"):
        io.load(path)
    io.save(model, path)
    with np.load(path) as f:
        arch = json.loads(str(f["architecture"]))
    arch["layers"][0]["type"] = "Conv2D"
    _rewrite(path, architecture=np.array(json.dumps(arch)))
    with pytest.raises(ValueError, match="unknown layer type 'Conv2D'"):
        io.load(path)
    io.save(model, path)
    _rewrite(path, architecture=np.array("{not json"))
    with pytest.raises(ValueError, match="not valid JSON"):
        io.load(path)


def test_save_rejects_non_models(tmp_path):
    with pytest.raises(TypeError, match="Sequential"):
        io.save([np.ones(2)], tmp_path / "x.npz")


# ---------------------------------------------------------------- models load cannot rebuild (§5)
class MyScale(L.Layer):
    """A student's own layer: io.load cannot know it."""

    def forward(self, X, training=None):
        return 2 * np.asarray(X)

    def backward(self, dY, input_grad=True):
        return 2 * dY


class Dense(L.Dense):                                  # a subclass that borrows nnlab's name
    pass


@pytest.mark.parametrize("make,error,match", [
    (lambda: L.Sequential([L.Dense(2, 3, rng=0), MyScale()]), TypeError,
     "layer 1 is a MyScale, which nnlab.io.load cannot rebuild.*nothing was written"),
    (lambda: L.Sequential([Dense(2, 3, rng=0)]), TypeError, "layer 0 is a Dense, which nnlab.io.load cannot"),
    (lambda: L.Sequential([L.Dense(2, 3, rng=0), L.Activation("leaky_relu", alpha=np.float32(0.1))]),
     TypeError, "not plain JSON"),
])
def test_save_of_a_model_load_cannot_rebuild_keeps_the_old_file(tmp_path, make, error, match):
    """The old save wrote such a model over a good file; load then failed on it."""
    path = tmp_path / "m.npz"
    good = nnlab.mlp([2, 4, 3], rng=0)
    io.save(good, path)
    before = path.read_bytes()
    with pytest.raises(error, match=match):
        io.save(make(), path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["m.npz"]
    np.testing.assert_array_equal(io.load(path).layers[0].W, good.layers[0].W)


def test_dense_with_a_function_initializer_round_trips(tmp_path):
    model = L.Sequential([L.Dense(3, 2, init=lambda shape, rng: rng.normal(size=shape), rng=0)])
    io.save(model, tmp_path / "m.npz")
    np.testing.assert_array_equal(io.load(tmp_path / "m.npz").layers[0].W, model.layers[0].W)


def test_a_loaded_model_is_in_train_mode_and_draws_from_the_package_generator(tmp_path):
    model = nnlab.mlp([3, 4, 2], dropout=0.5, rng=0).eval()
    io.save(model, tmp_path / "m.npz")
    loaded = io.load(tmp_path / "m.npz")
    assert loaded.training and all(layer.training for layer in loaded.layers)
    X = np.ones((5, 3))
    nnlab.seed(2)
    first = loaded(X)
    nnlab.seed(2)
    np.testing.assert_array_equal(loaded(X), first)


# ---------------------------------------------------------------- bad input (§6)
def _arch(path):
    with np.load(path) as f:
        return json.loads(str(f["architecture"]))


def _with_arch(path, **changes):
    arch = _arch(path)
    arch.update(changes)
    _rewrite(path, architecture=np.array(json.dumps(arch)))


def test_save_and_load_bad_paths(tmp_path):
    model = nnlab.mlp([2, 3], rng=0)
    with pytest.raises(TypeError, match="path must be a file path"):
        io.save(model, None)
    with pytest.raises(TypeError, match="path must be a file path"):
        io.load(None)
    with pytest.raises(TypeError, match="path must be a file path"):
        io.load(3.5)
    with pytest.raises(ValueError, match="path is empty"):
        io.load("")
    with pytest.raises(ValueError, match="is a folder"):
        io.save(model, tmp_path)
    with pytest.raises(ValueError, match="is a folder"):
        io.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="the folder .* does not exist"):
        io.save(model, tmp_path / "nope" / "m.npz")
    with pytest.raises(FileNotFoundError, match="no such model file"):
        io.load(tmp_path / "missing.npz")
    assert os.listdir(tmp_path) == []
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a readable nnlab model file"):
        io.load(text)


@pytest.mark.parametrize("changes,match", [
    ({"dtype": "foo"}, "dtype 'foo' is not a NumPy dtype"),
    ({"dtype": "int64"}, "not a floating-point type"),
    ({"layers": 5}, "'layers' is not a non-empty list"),
    ({"layers": []}, "'layers' is not a non-empty list"),
    ({"layers": ["Dense"]}, "layer 0 of the architecture is not"),
    ({"layers": [{"type": "Dense"}]}, "layer 0 of the architecture is not"),
    ({"layers": [{"type": "Dense", "config": None}]}, "config must be a dict"),
    ({"layers": [{"type": ["Dense"], "config": {}}]}, "kind must be a layer class name"),
    ({"layers": [{"type": "Dense", "config": {"n_in": 2, "n_out": "x"}}]}, r"n_out must be (a positive integer|an integer >= 1)"),
    ({"version": 99}, "version 99 is not supported"),
    ({"format": "keras"}, "format is not 'nnlab-model'"),
])
def test_load_rejects_bad_architectures(tmp_path, changes, match):
    path = tmp_path / "m.npz"
    io.save(nnlab.mlp([2, 3], rng=0), path)
    _with_arch(path, **changes)
    with pytest.raises(ValueError, match=match):
        io.load(path)


def test_load_rejects_an_architecture_without_dtype_or_layers(tmp_path):
    path = tmp_path / "m.npz"
    for key in ("dtype", "layers"):
        io.save(nnlab.mlp([2, 3], rng=0), path)
        arch = _arch(path)
        del arch[key]
        _rewrite(path, architecture=np.array(json.dumps(arch)))
        with pytest.raises(ValueError, match=f"lacks '{key}'"):
            io.load(path)
