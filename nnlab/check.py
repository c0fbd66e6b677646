"""Automatic feedback for the book's exercises.

Each checker compares a student's answer with the value nnlab computes and prints
*what* is wrong — a wrong shape, a transposed matrix, a flipped sign, a missing
factor such as the ``1/m`` of a mean, a NaN — instead of a bare "incorrect".
Every checker returns a :class:`Feedback`, which is truthy when the answer is right.

Typical exercise cell::

    answer = None          # replace None with your code
    check.close("z for the spam e-mail", answer, expected=1.1)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "close", "array", "labels", "function"]

_COMMON_FACTORS = {2.0: "2", 0.5: "1/2"}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``ok`` and a message written for the student."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:  # what a notebook shows
        return self.message

    _repr_pretty_ = lambda self, p, cycle: p.text(self.message)  # noqa: E731


def _verdict(name: str, ok: bool, detail: str) -> Feedback:
    mark = "✅ correct" if ok else "❌ not yet"
    return Feedback(ok, f"{name}: {mark} — {detail}")


def _named_factor(r: float, m: int | None) -> str | None:
    """Explain a ratio answer/expected that points at a classic slip, or return None."""
    if m and np.isclose(r, m):
        return f"it is {m} times too large: did you sum over the {m} samples instead of averaging?"
    if m and np.isclose(r, 1 / m):
        return f"it is {m} times too small: did you divide by the number of samples twice?"
    for factor, name in _COMMON_FACTORS.items():
        if np.isclose(r, factor):
            return f"it is off by a factor of {name} (expected value × {name})"
    return None


def _diagnose(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float, m: int | None) -> str:
    """Explain how ``got`` differs from ``exp`` (same shape, not close)."""
    if not np.all(np.isfinite(got)):
        return "your answer contains NaN or infinity: look for log(0), a division by zero or an overflow in exp"
    if np.allclose(got, -exp, rtol=rtol, atol=atol):
        return "the sign is flipped (check the minus sign of the loss or of the update)"
    nz = np.abs(exp) > atol
    if np.any(nz):
        r = float(np.median(got[nz] / exp[nz]))
        if r != 0 and np.allclose(got, r * exp, rtol=rtol, atol=atol):
            named = _named_factor(r, m)
            if named:
                return named
            if got.ndim > 0:   # for one number every wrong answer is "a factor" away: say nothing
                return f"it is off by a constant factor of {r:.4g} (expected value × {r:.4g})"
    if got.ndim == 0:
        return f"{float(got):.6g} is too {'large' if got > exp else 'small'}"
    if got.ndim == 1 and np.allclose(np.sort(got), np.sort(exp), rtol=rtol, atol=atol):
        return "the values are right but in the wrong order (which entry is which parameter?)"
    err = np.abs(got - exp)
    idx = np.unravel_index(int(np.argmax(err)), exp.shape)
    wrong = int(np.sum(~np.isclose(got, exp, rtol=rtol, atol=atol)))
    return (f"{wrong} of {exp.size} entries differ; the largest difference is at index {tuple(map(int, idx))}: "
            f"expected {exp[idx]:.6g}, got {got[idx]:.6g}")


def array(name: str, answer, expected, *, rtol: float = 1e-6, atol: float = 1e-9, m: int | None = None) -> Feedback:
    """Check an array (or number) against ``expected``; ``m`` = number of samples, to spot a missing mean."""
    if answer is None:
        return _verdict(name, False, "no answer yet: replace `None` with your code and run the cell again")
    exp = np.asarray(expected, dtype=float)
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return _verdict(name, False, f"expected numbers, got {type(answer).__name__}")
    if got.shape != exp.shape:
        if got.ndim == 2 and got.T.shape == exp.shape and np.allclose(got.T, exp, rtol=rtol, atol=atol):
            return _verdict(name, False, f"the values are right but transposed: expected shape {exp.shape}, "
                            f"got {got.shape} (rows are samples here)")
        if got.size == exp.size and np.allclose(got.reshape(exp.shape), exp, rtol=rtol, atol=atol):
            return _verdict(name, False, f"the values are right but the shape is {got.shape}; expected {exp.shape}")
        return _verdict(name, False, f"expected shape {exp.shape}, got shape {got.shape}")
    if np.allclose(got, exp, rtol=rtol, atol=atol):
        return _verdict(name, True, "matches nnlab's value" if exp.ndim == 0 else f"all {exp.size} entries match")
    return _verdict(name, False, _diagnose(got, exp, rtol, atol, m))


def close(name: str, answer, expected, *, rtol: float = 1e-6, atol: float = 1e-9, m: int | None = None) -> Feedback:
    """Check a single number (same diagnostics as :func:`array`)."""
    if answer is not None and np.ndim(answer) != 0:
        return _verdict(name, False, f"expected a single number, got an array of shape {np.shape(answer)}")
    return array(name, answer, expected, rtol=rtol, atol=atol, m=m)


def labels(name: str, answer, expected, class_names=None) -> Feedback:
    """Check predicted class labels (integers) and say which samples are wrong."""
    if answer is None:
        return _verdict(name, False, "no answer yet: replace `None` with your code and run the cell again")
    got, exp = np.asarray(answer), np.asarray(expected)
    if got.shape != exp.shape:
        return _verdict(name, False, f"expected {exp.size} labels of shape {exp.shape}, got shape {got.shape}")
    wrong = np.flatnonzero(got.ravel() != exp.ravel())
    if wrong.size == 0:
        return _verdict(name, True, f"all {exp.size} labels match")
    show = (lambda k: class_names[int(k)]) if class_names is not None else (lambda k: int(k))
    i = int(wrong[0])
    return _verdict(name, False, f"{wrong.size} of {exp.size} labels are wrong; the first is sample {i}: "
                    f"expected {show(exp.ravel()[i])}, got {show(got.ravel()[i])}")


def function(name: str, student, reference, cases, *, rtol: float = 1e-6, atol: float = 1e-9,
             m=None) -> Feedback:
    """Call ``student`` and ``reference`` on every input in ``cases`` and report the first mismatch.

    ``m`` (a number, or a function of a case's arguments returning one) is the number of
    samples of a case, so that a sum-instead-of-mean slip is named as such.
    """
    if student is None:
        return _verdict(name, False, "no answer yet: define the function and run the cell again")
    for k, args in enumerate(cases):
        args = args if isinstance(args, tuple) else (args,)
        try:
            got = student(*args)
        except Exception as err:  # the student's code raised: say which input broke it
            return _verdict(name, False, f"raised {type(err).__name__}: {err} on test input {k}")
        m_k = m(*args) if callable(m) else m
        result = array(f"{name}, test input {k}", got, reference(*args), rtol=rtol, atol=atol, m=m_k)
        if not result:
            return _verdict(name, False, result.message.split("— ", 1)[1] + f" (on test input {k})")
    return _verdict(name, True, f"agrees with nnlab on all {len(cases)} test inputs")
