"""Save and load models: one ``.npz`` file, no pickle (Chapter 10).

``save(model, "model.npz")`` writes every parameter and buffer as a plain
array plus the architecture as a JSON string (the array ``"architecture"``),
so the file can be inspected with ``np.load(path)`` and loaded without
``allow_pickle`` — loading a file never runs code.

The write is atomic: the data go to a temporary file in the same folder,
which then replaces the target with ``os.replace``. An interrupted save leaves
the previous file intact. ``load`` checks everything (format, layer types,
array names, shapes and dtypes) and raises ``ValueError`` with the reason when
the file is truncated, corrupt or does not match its architecture.

Random generators (Dropout, RReLU) are not saved: a loaded model draws new
masks from a fresh default generator.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib

import numpy as np

from .layers import Sequential, layer_from_config

__all__ = ["save", "load", "FORMAT", "VERSION"]

FORMAT = "nnlab-model"
VERSION = 1


def _key(i: int, kind: str, j: int) -> str:
    return f"layer{i}_{kind}{j}"


def save(model: Sequential, path) -> str:
    """Write ``model`` to ``path`` (a ``.npz`` file) atomically; returns the path."""
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be an nnlab Sequential model; got {type(model).__name__}")
    path = os.fspath(path)
    arch = {
        "format": FORMAT, "version": VERSION, "dtype": str(model.dtype),
        "layers": [{"type": type(layer).__name__, "config": layer.config(),
                    "n_params": len(layer.params), "n_buffers": len(layer.buffers)}
                   for layer in model.layers],
    }
    arrays = {"architecture": np.array(json.dumps(arch))}
    for i, layer in enumerate(model.layers):
        for j, p in enumerate(layer.params):
            arrays[_key(i, "param", j)] = p
        for j, b in enumerate(layer.buffers):
            arrays[_key(i, "buffer", j)] = b

    folder = os.path.dirname(os.path.abspath(path))
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
    """Read a model written by :func:`save`. ``ValueError`` if the file is not a valid model."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such model file: {path!r}")
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
    try:
        dtype = np.dtype(arch["dtype"])
        specs = list(arch["layers"])
    except (KeyError, TypeError) as err:
        raise bad(f"the architecture lacks {err}") from err

    layers = []
    expected = set()
    for i, spec in enumerate(specs):
        try:
            layer = layer_from_config(spec["type"], spec["config"], dtype=dtype)
        except (KeyError, TypeError, ValueError) as err:
            raise bad(f"layer {i} ({spec.get('type') if isinstance(spec, dict) else spec!r}) "
                      f"cannot be rebuilt: {err}") from err
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
