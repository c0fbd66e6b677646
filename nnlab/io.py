"""Save and load models: one .npz file, no pickle.

save(model, "model.npz") writes every parameter and buffer as a plain
array plus the architecture as a JSON string (the array "architecture"),
so the file can be inspected with np.load(path) and loaded without
allow_pickle: loading a file never runs code.

The write is atomic: the data go to a temporary file in the same folder,
which then replaces the target with os.replace. An interrupted save
leaves the previous file intact. load checks everything (format, layer
types, array names, shapes and dtypes) and raises a ValueError with the
reason when the file is truncated, corrupt or does not match its
architecture.

save first checks that load can rebuild every layer (only the layer
types of nnlab.layers, with plain JSON configurations, can be saved; a
layer class of your own cannot) and fails before touching an existing
file otherwise.

Random generators (Dropout, RReLU) and the training/eval mode are not
saved: a loaded model is in train mode, as a freshly built one, and
draws its masks from nnlab's package generator (nnlab.seed).
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib

import numpy as np

from .layers import LAYER_TYPES, Sequential, layer_from_config

__all__ = ["save", "load", "FORMAT", "VERSION"]

FORMAT = "nnlab-model"
VERSION = 1


def _key(i: int, kind: str, j: int) -> str:
    return f"layer{i}_{kind}{j}"


def _path(path, name="path") -> str:
    try:
        path = os.fspath(path)
    except TypeError as err:
        raise TypeError(f"{name} must be a file path (str or pathlib.Path); got "
                        f"{type(path).__name__}") from err
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ValueError(f"{name} is empty; give a file name such as 'model.npz'")
    return path


def _check_rebuildable(model: Sequential) -> list:
    """The architecture's layer entries, after checking that load can rebuild
    each layer with the same arrays (raises before anything is written).
    """
    specs = []
    for i, layer in enumerate(model.layers):
        kind = type(layer).__name__
        if LAYER_TYPES.get(kind) is not type(layer):
            raise TypeError(
                f"layer {i} is a {kind}, which nnlab.io.load cannot rebuild: it knows only "
                f"{', '.join(LAYER_TYPES)}. Save such a model's arrays yourself, e.g. "
                f"np.savez(path, *model.get_weights()); nothing was written")
        try:
            config = json.loads(json.dumps(layer.config()))
        except (TypeError, ValueError) as err:
            raise TypeError(f"layer {i} ({layer!r}) has a configuration that is not plain JSON "
                            f"({err}); nothing was written") from err
        try:
            twin = layer_from_config(kind, config, dtype=model.dtype)
        except (TypeError, ValueError) as err:
            raise ValueError(f"layer {i} ({layer!r}) could not be rebuilt from its configuration "
                             f"({err}); nothing was written") from err
        for what in ("params", "buffers"):
            ours, theirs = getattr(layer, what), getattr(twin, what)
            if [(a.shape, a.dtype) for a in ours] != [(a.shape, a.dtype) for a in theirs]:
                raise ValueError(f"layer {i} ({layer!r}): its {what} do not match those of the "
                                 f"layer load would rebuild; nothing was written")
        specs.append({"type": kind, "config": config,
                      "n_params": len(layer.params), "n_buffers": len(layer.buffers)})
    return specs


def save(model: Sequential, path) -> str:
    """Write model to path (a .npz file) atomically; returns the path.

    Raises a TypeError / ValueError before writing anything when load could
    not rebuild the model (e.g. a layer class of your own).
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be an nnlab Sequential model; got {type(model).__name__}")
    path = _path(path)
    if os.path.isdir(path):
        raise ValueError(f"path {path!r} is a folder; give a file name such as 'model.npz'")
    arch = {"format": FORMAT, "version": VERSION, "dtype": str(model.dtype),
            "layers": _check_rebuildable(model)}
    arrays = {"architecture": np.array(json.dumps(arch))}
    for i, layer in enumerate(model.layers):
        for j, p in enumerate(layer.params):
            arrays[_key(i, "param", j)] = p
        for j, b in enumerate(layer.buffers):
            arrays[_key(i, "buffer", j)] = b

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path!r}: the folder {folder!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)           # atomic: readers see the old file or the new one
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def load(path) -> Sequential:
    """Read a model written by save; a ValueError if the file is not a valid
    model.
    """
    path = _path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such model file: {path!r}")
    if os.path.isdir(path):
        raise ValueError(f"path {path!r} is a folder, not a model file")
    try:
        with open(path, "rb") as fh:                   # we own (and close) the file
            f = np.load(fh, allow_pickle=False)
            if not hasattr(f, "files"):                # a single .npy array, not an .npz archive
                raise ValueError("it holds a single array, not an .npz archive")
            arrays = {k: f[k] for k in f.files}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as err:
        raise ValueError(f"{path!r} is not a readable nnlab model file (truncated or corrupt?): {err}") from err

    def bad(msg):
        return ValueError(f"{path!r} is not a valid nnlab model file: {msg}")

    if "architecture" not in arrays:
        raise bad("it has no 'architecture' entry (was it written by nnlab.io.save?)")
    try:
        arch = json.loads(str(arrays.pop("architecture")))
    except json.JSONDecodeError as err:
        raise bad(f"the architecture is not valid JSON ({err})") from err
    if not isinstance(arch, dict) or arch.get("format") != FORMAT:
        raise bad(f"the architecture's format is not {FORMAT!r}")
    if arch.get("version") != VERSION:
        raise bad(f"format version {arch.get('version')!r} is not supported (this nnlab reads {VERSION})")
    for key in ("dtype", "layers"):
        if key not in arch:
            raise bad(f"the architecture lacks {key!r}")
    try:
        dtype = np.dtype(arch["dtype"])
    except (TypeError, ValueError) as err:
        raise bad(f"the architecture's dtype {arch['dtype']!r} is not a NumPy dtype") from err
    if not np.issubdtype(dtype, np.floating):
        raise bad(f"the architecture's dtype {dtype} is not a floating-point type")
    specs = arch["layers"]
    if not isinstance(specs, list) or not specs:
        raise bad("the architecture's 'layers' is not a non-empty list")

    layers = []
    expected = set()
    for i, spec in enumerate(specs):
        if not isinstance(spec, dict) or "type" not in spec or "config" not in spec:
            raise bad(f"layer {i} of the architecture is not a {{'type': ..., 'config': ...}} entry")
        try:
            layer = layer_from_config(spec["type"], spec["config"], dtype=dtype)
        except (KeyError, TypeError, ValueError) as err:
            raise bad(f"layer {i} ({spec['type']!r}) cannot be rebuilt: {err}") from err
        for kind, targets in (("param", layer.params), ("buffer", layer.buffers)):
            if len(targets) != spec.get(f"n_{kind}s", len(targets)):
                raise bad(f"layer {i} ({spec['type']}) should have {len(targets)} {kind}s")
            for j, target in enumerate(targets):
                key = _key(i, kind, j)
                expected.add(key)
                if key not in arrays:
                    raise bad(f"array {key!r} of layer {i} ({spec['type']}) is missing")
                a = arrays[key]
                if a.shape != target.shape:
                    raise bad(f"array {key!r} of layer {i} ({spec['type']}) has shape {a.shape}; "
                              f"the architecture needs {target.shape}")
                if a.dtype != target.dtype:
                    raise bad(f"array {key!r} has dtype {a.dtype}; the model's dtype is {target.dtype}")
                target[...] = a
        layers.append(layer)
    extra = sorted(set(arrays) - expected)
    if extra:
        raise bad(f"unexpected arrays {extra} that no layer uses")
    try:
        return Sequential(layers)
    except (TypeError, ValueError) as err:
        raise bad(str(err)) from err
