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
