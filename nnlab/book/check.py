"""Automatic feedback for the book's exercises.

Each checker compares a student's answer with the value nnlab computes and
prints *what* is wrong — a wrong shape, a transposed matrix, a flipped sign,
a missing factor such as the ``1/m`` of a mean, a NaN — instead of a bare
"incorrect".  Every checker returns a :class:`Feedback`, which is truthy when
the answer is right.

When is a number right?  The book prints 4 significant digits, so an answer
counts as correct when it agrees with nnlab's value to 4 significant digits:

    |answer − expected| ≤ 0.0007 · |expected|        (0.07 %)

Why 0.07 %: a value rounded correctly to 4 significant digits is off by at
most half a unit in the 4th digit, which is at most 0.05 % of the value
(0.6931 for ln 2 = 0.693147…, 1.000 for 0.99995, 10.00 for 9.9996); an
answer wrong in the 3rd significant digit is off by at least one unit there,
which is more than 0.1 % of the value (0.694 or 0.692 for ln 2, 9.98 for
9.99).  The line sits between the two, with room on both sides, so the
verdict never depends on the last bits of floating point.  The rule is the
same for negative numbers and applies to every entry of an array on its own.
Three refinements:

* Zero has no significant digits.  A difference up to a billionth (1e-9)
  of the largest expected entry is always accepted, so rounding noise such
  as 1e-17 where nnlab has 0 is fine; only entries below about a millionth
  of the largest one feel this margin.  When every expected entry is
  exactly 0, an answer within 1e-9 of 0 is accepted.  A small value on its
  own is not zero: 0 is refused for an expected 1.7e-13.
* Counts and labels are exact: when nnlab's value is an integer (an int or
  an integer/boolean array), the answer must equal it (782.0 is fine, 781
  or 781.25 is not).
* An exercise may pass its own ``rtol=`` / ``atol=``; the test is then
  ``|answer − expected| ≤ atol + rtol · |expected|`` entry by entry
  (NumPy's ``isclose``), with the defaults above for the one not given.

The specific hints (a flipped sign, a factor 2 or ½, the m or 1/m of a
forgotten or doubled mean, a transposed matrix, swapped entries, a wrong
shape, a NaN) are recognised with the same 4-digit margin, so they also fire
for answers typed from a printout; an answer typed with only 2-3 digits
still gets its hint, plus a reminder to give 4.  A careful-library choice
where the course is silent: a blank answer (``None``) or an answer of the
wrong type (text, a dict, a function, ...) is never an error, always a "not
yet" with a hint; a mistake by the *exercise author* (an expected value
that is not a number, a negative tolerance, no test inputs) raises
``TypeError`` / ``ValueError``.

Typical exercise cell::

    answer = None          # replace None with your code
    check.close("z for the spam e-mail", answer, expected=1.1)
"""
from __future__ import annotations

import copy
import math
import numbers
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "close", "array", "labels", "function",
           "RTOL", "ZERO_FRACTION"]

#: Default relative tolerance: 4 significant digits (see the module docstring).
RTOL = 7e-4
#: A difference below this fraction of the largest expected entry is always
#: accepted (rounding noise next to an exact 0).
ZERO_FRACTION = 1e-9
# Feedback only: within 1 % (or written with 2-3 digits) is "close".
_NEAR = 1e-2

_NO_ANSWER = ("no answer yet: replace `None` with your code and run the cell "
              "again")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``ok`` and a message for the student."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        """What a notebook shows: the message, wrapped to fit the page
        (at most 79 characters a line)."""
        return "\n".join(
            textwrap.fill(part, 79, subsequent_indent="  ",
                          break_long_words=False, break_on_hyphens=False)
            for part in self.message.split("\n"))

    _repr_pretty_ = lambda self, p, cycle: p.text(repr(self))  # noqa: E731


def _verdict(name: str, ok: bool, detail: str) -> Feedback:
    mark = "✅ correct" if ok else "❌ not yet"
    return Feedback(ok, f"{name}: {mark} — {detail}")


# --------------------------------------------------------------- tolerances
@dataclass(frozen=True)
class _Tol:
    """``|got − ref| ≤ max(atol, rtol·|ref|)`` (the default rule) or
    ``≤ atol + rtol·|ref|`` (explicit tolerances) entry by entry; non-finite
    refs must be matched exactly (NaN by NaN, +inf by +inf)."""

    rtol: float
    atol: float
    default: bool  # True: the 4-significant-digit rule

    def match(self, got: np.ndarray, ref: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            if self.default:   # the larger of the two margins, not their sum
                margin = np.maximum(self.atol, self.rtol * np.abs(ref))
            else:              # NumPy's isclose
                margin = self.atol + self.rtol * np.abs(ref)
            within = np.abs(got - ref) <= margin
            same = (got == ref) | (np.isnan(got) & np.isnan(ref))
            return np.where(np.isfinite(ref), within, same)

    def all(self, got: np.ndarray, ref: np.ndarray) -> bool:
        return bool(np.all(self.match(got, ref)))

    def rough(self) -> _Tol:
        """The 1 % margin used to recognise a slip typed with 2-3 digits."""
        return _Tol(max(self.rtol, _NEAR), self.atol, False)

    def rule(self) -> str:
        """The criterion in words, for a student."""
        if self.default:
            return ("an answer must agree with nnlab's value to 4 significant "
                    "digits, i.e. within 0.07 %")
        if self.rtol == 0 and self.atol == 0:
            return "this answer must be exact"
        return (f"this exercise accepts a relative difference of "
                f"{self.rtol:g} plus an absolute one of {self.atol:g}")


def _zero_floor(exp: np.ndarray) -> float:
    """1e-9 × the largest finite |expected| entry (1e-9 if they are all 0)."""
    finite = np.abs(exp[np.isfinite(exp)])
    scale = float(finite.max()) if finite.size else 0.0
    return ZERO_FRACTION * scale if scale > 0 else ZERO_FRACTION


def _tolerance_arg(value, arg: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{arg} must be a non-negative number or None; "
                        f"got {type(value).__name__}")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{arg} must be a finite number >= 0; got {value}")
    return value


def _tolerances(exp: np.ndarray, integer: bool,
                rtol, atol) -> tuple[_Tol, _Tol]:
    """(verdict tolerance, tolerance used to recognise a slip)."""
    rtol = _tolerance_arg(rtol, "rtol")
    atol = _tolerance_arg(atol, "atol")
    hint = _Tol(RTOL, _zero_floor(exp), True)
    if rtol is None and atol is None:
        return (_Tol(0.0, 0.0, False) if integer else hint), hint
    tol = _Tol(RTOL if rtol is None else rtol,
               _zero_floor(exp) if atol is None else atol, False)
    # a slip is recognised with the looser of the two criteria
    return tol, _Tol(max(tol.rtol, RTOL), max(tol.atol, hint.atol), False)


def _check_m(m, arg: str = "m") -> int | None:
    if m is None:
        return None
    if (isinstance(m, bool) or not isinstance(m, numbers.Integral)
            or m < 1):
        raise ValueError(f"{arg} must be the number of samples (an int >= 1) "
                         f"or None; got {m!r}")
    return int(m)


def _check_name(name) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string (what the answer is called); "
                        f"got {type(name).__name__}")


# ------------------------------------------------------------ reading values
def _read_expected(expected,
                   arg: str = "expected") -> tuple[np.ndarray, bool]:
    """nnlab's value as a float array, and whether it is an integer."""
    what = f"{arg} must be a real number or an array of real numbers"
    if expected is None or isinstance(expected, (str, bytes)):
        raise TypeError(f"{what}; got {type(expected).__name__}")
    try:
        raw = np.asarray(expected)
        if raw.dtype.kind not in "biuf" and raw.dtype != object:
            raise TypeError(f"dtype {raw.dtype}")
        exp = raw.astype(float)
    except (TypeError, ValueError, OverflowError) as err:
        raise TypeError(f"{what}; got {type(expected).__name__} "
                        f"({err})") from None
    integer = raw.dtype.kind in "biu" or (
        raw.dtype == object
        and all(isinstance(v, numbers.Integral) for v in raw.flat))
    return exp, integer


def _read_answer(answer) -> tuple[np.ndarray | None, str | None]:
    """The answer as a float array, or (None, what is wrong with it)."""
    if answer is None:
        return None, _NO_ANSWER
    kind = type(answer).__name__
    if isinstance(answer, (str, bytes)):
        return None, (f"expected a number, got the text {answer!r}: "
                      "write the number itself, without quotes")
    if isinstance(answer, (Mapping, set, frozenset)):
        return None, (f"expected numbers, got a {kind}: give a number or "
                      "an array")
    if callable(answer) and not hasattr(answer, "__array__"):
        return None, (f"expected numbers, got a function ({kind}): call it, "
                      "with parentheses and its arguments, to get its value")
    try:
        raw = np.asarray(answer)
    except ValueError:
        return None, ("expected a regular array of numbers, got rows of "
                      "different lengths (or a mix of numbers and lists)")
    except Exception as err:  # noqa: BLE001 - any object a student may pass
        return None, (f"could not read the {kind} as numbers "
                      f"({type(err).__name__}: {err})")
    if raw.dtype.kind in "US":
        return None, (f"expected numbers, got text ({kind} of strings): "
                      "write the numbers without quotes")
    if raw.dtype.kind == "c":
        return None, "expected real numbers, got complex numbers"
    if raw.dtype.kind not in "biufO":
        return None, f"expected numbers, got a {kind} of {raw.dtype}"
    if raw.dtype == object and any(v is None for v in raw.flat):
        return None, "some entries are still `None`: fill in every entry"
    try:
        return raw.astype(float), None
    except OverflowError:
        return None, ("a number in your answer is too large for a float "
                      "(above 1.8e308)")
    except Exception:  # noqa: BLE001 - text, dicts, ... inside a list
        return None, (f"expected numbers, got a {kind} that holds something "
                      "else")


# ---------------------------------------------------------------- messages
def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _index(idx) -> str:
    return str(tuple(int(i) for i in idx))


def _rounded_digits(g: float, e: float) -> int | None:
    """k in 1..3 when ``g`` is ``e`` written with only k significant digits
    (rounded, or cut off), else None."""
    if not (math.isfinite(g) and math.isfinite(e)) or e == 0 or g == 0:
        return None
    lead = math.floor(math.log10(abs(e)))
    for k in (1, 2, 3):
        unit = 10.0 ** (lead - k + 1)
        n, n_e = g / unit, e / unit
        if not (math.isfinite(n) and abs(n) < 1e15):
            continue
        if abs(n - round(n)) > 1e-6 * max(1.0, abs(n)):
            continue                      # more than k digits
        if abs(n - n_e) <= 0.5 + 1e-6 or round(n) == math.trunc(n_e):
            return k
    return None


def _near(got: np.ndarray, exp: np.ndarray, hint: _Tol) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.abs(got - exp) <= hint.atol + _NEAR * np.abs(exp)


def _close_advice(tol: _Tol) -> str:
    if tol.default:
        return "give at least 4 significant digits"
    return f"give more significant digits ({tol.rule()})"


def _near_miss(got: np.ndarray, exp: np.ndarray,
               tol: _Tol, hint: _Tol) -> str | None:
    """The "close, but ..." message when every wrong entry is close.

    An entry is close when it is within 1 % of nnlab's, or is nnlab's value
    written with 2 or 3 significant digits (which can be up to 5 % off)."""
    bad = ~tol.match(got, exp)
    pairs = list(zip(got[bad].tolist(), exp[bad].tolist()))
    digits = [_rounded_digits(g, e) for g, e in pairs]
    near = _near(got[bad], exp[bad], hint)
    if not all(bool(n) or k in (2, 3) for n, k in zip(near, digits)):
        return None
    rounded = all(digits)
    if got.ndim == 0:
        g, e = pairs[0]
        if rounded:
            return f"{_fmt(g)} is close: {_close_advice(tol)} ({tol.rule()})"
        pct = abs(g - e) / abs(e) * 100 if e else math.inf
        if not tol.default:
            return (f"{_fmt(g)} is close but {pct:.2g} % off, and "
                    f"{tol.rule()}: compute the value rather than typing a "
                    "rounded one")
        return (f"{_fmt(g)} is close but {pct:.2g} % off, and {tol.rule()}: "
                "check the arithmetic, and keep at least 4 significant "
                "digits until the end")
    flat = np.flatnonzero(bad.ravel())
    i = np.unravel_index(int(flat[0]), exp.shape)
    where = (f"{flat.size} of {exp.size} entries are off, the first at "
             f"index {_index(i)}: expected {_fmt(exp[i])}, "
             f"got {_fmt(got[i])}")
    if rounded:
        return (f"the values are close: {_close_advice(tol)} for every "
                f"entry ({where})")
    return (f"the values are close but not equal ({where}); {tol.rule()}: "
            "check the arithmetic")


def _named_factor(got: np.ndarray, exp: np.ndarray, t: _Tol,
                  m: int | None) -> str | None:
    """Name a classic slip: a sum for a mean, a mean taken twice, ×2, ×½."""
    if m and m > 1:
        if t.all(got, m * exp):
            return (f"it is {m} times too large: did you sum over the {m} "
                    "samples instead of averaging?")
        if t.all(got, exp / m):
            return (f"it is {m} times too small: did you divide by the "
                    "number of samples twice?")
    if t.all(got, 2.0 * exp):
        return ("it is off by a factor of 2 (expected value × 2): is a ½ "
                "missing, or a 2 too many (e.g. from the derivative of a "
                "square)?")
    if t.all(got, 0.5 * exp):
        return ("it is off by a factor of 1/2 (expected value × 1/2): "
                "is there a ½ too many, or a 2 missing?")
    return None


def _slip(got: np.ndarray, exp: np.ndarray, t: _Tol,
          m: int | None) -> str | None:
    """Name a slip that explains ``got`` to within tolerance ``t``."""
    big = np.abs(exp) > t.atol          # entries that are not ~0
    if np.any(big) and t.all(got, -exp):
        return ("the sign is flipped (check the minus sign of the loss or "
                "of the update)")
    if (got.ndim == 2 and got.shape[0] == got.shape[1] > 1
            and t.all(got.T, exp)):
        return ("the values are right but transposed: entry [i, j] belongs "
                "at [j, i] (rows are samples; W has shape (n_in, n_out))")
    if np.any(big):
        named = _named_factor(got, exp, t, m)
        if named:
            return named
        r = float(np.median(got[big] / exp[big]))
        # for one number every wrong answer is "a factor" away: say nothing;
        # a factor within 1 % of 1 is a near miss, not a factor
        if (got.ndim > 0 and math.isfinite(r) and r != 0
                and abs(r - 1) > _NEAR and t.all(got, r * exp)):
            return (f"it is off by a constant factor of {r:.4g} "
                    f"(expected value × {r:.4g})")
    if got.ndim > 0 and t.all(np.sort(got, axis=None),
                              np.sort(exp, axis=None)):
        if got.ndim == 1:
            return ("the values are right but in the wrong order "
                    "(which entry is which parameter?)")
        return ("the values are right but some are in the wrong place "
                "(swapped rows, columns or entries?)")
    return None


def _diagnose(got: np.ndarray, exp: np.ndarray, tol: _Tol, hint: _Tol,
              m: int | None, integer: bool) -> str:
    """Explain how ``got`` differs from ``exp`` (same shape, not accepted).

    Slips are first looked for with the 4-digit margin; then a near miss is
    reported as such; then slips are looked for again with a 1 % margin
    (an answer typed with fewer digits), saying that digits are missing."""
    with np.errstate(all="ignore"):
        if np.any(~np.isfinite(got) & np.isfinite(exp)):
            return ("your answer contains NaN or infinity: look for log(0), "
                    "a division by zero or an overflow in exp")
        slip = _slip(got, exp, hint, m)
        if slip:
            return slip
        if integer and tol.rtol == 0 and tol.atol == 0:
            whole = np.isfinite(got) & (got == np.round(got))
            if not np.all(whole):
                first = int(np.flatnonzero(~whole.ravel())[0])
                i = np.unravel_index(first, exp.shape)
                at = "" if got.ndim == 0 else f" at index {_index(i)}"
                return (f"nnlab's value is a whole number (a count or a "
                        f"label), got {_fmt(got[i])}{at}: did you forget to "
                        "round (up or down?) or to threshold?")
        elif np.all(np.isfinite(exp)):
            close_msg = _near_miss(got, exp, tol, hint)
            if close_msg:
                return close_msg
            slip = _slip(got, exp, hint.rough(), m)
            if slip:
                return slip + "; also give at least 4 significant digits"
        if got.ndim == 0:
            g, e = float(got), float(exp)
            msg = f"{_fmt(g)} is too {'large' if g > e else 'small'}"
            if g == 0:
                msg += ": nnlab's value is small but not 0"
            if integer and math.isfinite(e):
                msg += f" by {_fmt(abs(g - e))} (a count must be exact)"
            return msg
        # name the entry that fails worst relative to its own margin
        bad = ~tol.match(got, exp)
        scale = hint.atol + hint.rtol * np.abs(exp) + 1e-300
        badness = np.where(
            bad, np.nan_to_num(np.abs(got - exp) / scale, nan=np.inf), -1.0)
        i = np.unravel_index(int(np.argmax(badness)), exp.shape)
        msg = (f"{int(bad.sum())} of {exp.size} entries differ; the largest "
               f"difference is at index {_index(i)}: expected "
               f"{_fmt(exp[i])}, got {_fmt(got[i])}")
        if exp[i] != 0 and hint.all(got[i], -exp[i]):
            msg += " (the sign is flipped there)"
        elif not integer and np.isfinite(exp[i]) and (
                _near(got[i], exp[i], hint)
                or _rounded_digits(got[i], exp[i])):
            msg += f" (close: {_close_advice(tol)})"
        return msg


def _shape_message(got: np.ndarray, exp: np.ndarray, hint: _Tol) -> str:
    def right(x: np.ndarray) -> str | None:   # "right", "right to 2-3 digits"
        if hint.all(x, exp):
            return ""
        if np.all(np.isfinite(exp)) and hint.rough().all(x, exp):
            return " to 2-3 digits"
        return None

    if exp.ndim == 0:
        msg = f"expected a single number, got an array of shape {got.shape}"
        if got.size == 1 and right(got.reshape(())) == "":
            msg += "; the value is right: take the number out with float(...)"
        return msg
    if got.ndim == 2 and got.T.shape == exp.shape:
        ok = right(got.T)
        if ok is not None:
            return (f"the values are right{ok} but transposed: expected "
                    f"shape {exp.shape}, got {got.shape} (rows are samples "
                    "here)")
    if got.size == exp.size:
        ok = right(got.reshape(exp.shape))
        if ok is not None:
            return (f"the values are right{ok} but the shape is {got.shape}; "
                    f"expected {exp.shape}")
    msg = f"expected shape {exp.shape}, got shape {got.shape}"
    n = got.shape[0] if got.ndim == 2 else 0
    if n > 1 and got.shape == (n, n) and exp.shape in ((n,), (n, 1), (1, n)):
        msg += (": an (n, n) result usually comes from broadcasting a column "
                "(n, 1) against a row (n,); check the shapes with .shape")
    return msg


def _judge(answer, expected, rtol, atol, m,
           arg: str = "expected") -> tuple[bool, str]:
    """(ok, detail) for one answer against nnlab's value."""
    exp, integer = _read_expected(expected, arg)
    tol, hint = _tolerances(exp, integer, rtol, atol)
    got, problem = _read_answer(answer)
    if problem:
        return False, problem
    if got.shape != exp.shape:
        return False, _shape_message(got, exp, hint)
    if tol.all(got, exp):
        return True, ("matches nnlab's value" if exp.ndim == 0
                      else f"all {exp.size} entries match")
    return False, _diagnose(got, exp, tol, hint, m, integer)


# ----------------------------------------------------------------- checkers
def array(name: str, answer, expected, *, rtol: float | None = None,
          atol: float | None = None, m: int | None = None) -> Feedback:
    """Check an array (or number) against nnlab's value ``expected``.

    Every entry must agree with nnlab's to 4 significant digits, that is
    within 0.07 % of the expected entry (a correctly rounded 4-digit answer
    is within 0.05 %, one wrong in the 3rd digit is more than 0.1 % off);
    a difference below 1e-9 of the largest expected entry is always
    accepted (rounding noise next to a 0); integer (count or label) arrays
    must match exactly.  ``rtol`` / ``atol``, if given, replace this rule
    by ``|answer − expected| ≤ atol + rtol·|expected|`` (NumPy's isclose).
    ``m`` = number of samples, to spot a sum taken instead of a mean.
    """
    _check_name(name)
    ok, detail = _judge(answer, expected, rtol, atol, _check_m(m))
    return _verdict(name, ok, detail)


def close(name: str, answer, expected, *, rtol: float | None = None,
          atol: float | None = None, m: int | None = None) -> Feedback:
    """Check a single number against nnlab's value ``expected``.

    Correct means: equal to 4 significant digits, within 0.07 % of the
    expected value (0.6931 is accepted for ln 2 = 0.693147…, 0.69 or 0.694
    is not); an integer ``expected`` (a count) must be matched exactly.
    Same diagnostics and tolerances as :func:`array`.
    """
    _check_name(name)
    exp, _ = _read_expected(expected)
    if exp.ndim != 0:
        raise ValueError(f"expected must be a single number for check.close; "
                         f"got shape {exp.shape} (use check.array for arrays)")
    ok, detail = _judge(answer, expected, rtol, atol, _check_m(m))
    return _verdict(name, ok, detail)


def _label_text(values) -> np.ndarray | None:
    try:
        raw = np.asarray(values)
    except Exception:  # noqa: BLE001 - ragged lists: reported by _read_answer
        return None
    return raw if raw.dtype.kind in "US" else None


def _read_labels(answer, exp: np.ndarray,
                 text: bool) -> tuple[np.ndarray | None, str | None]:
    """The student's labels as an array, or (None, what is wrong)."""
    if answer is None:
        return None, _NO_ANSWER
    if text:
        got = None if isinstance(answer, (str, bytes)) else _label_text(answer)
        if got is None:
            like = f", like {str(exp.ravel()[0])!r}" if exp.size else ""
            return None, (f"expected class names (text){like}, got "
                          f"{type(answer).__name__}")
        return got, None
    if (isinstance(answer, (list, tuple, np.ndarray))
            and _label_text(answer) is not None):
        return None, ("expected class labels as numbers (class indices 0, 1, "
                      "...), got text: give the index of the class, not its "
                      "name")
    return _read_answer(answer)


def labels(name: str, answer, expected, class_names=None) -> Feedback:
    """Check predicted class labels and say which samples are wrong.

    Labels are compared exactly (1.0 counts as 1, True as 1).
    ``class_names`` (a list, or a dict from label to name) names the classes
    in the feedback.
    """
    _check_name(name)
    if class_names is not None and (
            isinstance(class_names, (str, bytes))
            or not isinstance(class_names, (Sequence, Mapping, np.ndarray))):
        raise TypeError(f"class_names must be a list of names or a dict; "
                        f"got {type(class_names).__name__}")
    if expected is None or isinstance(expected, (str, bytes)):
        raise TypeError(f"expected must be an array of labels; "
                        f"got {type(expected).__name__}")
    try:
        exp = np.asarray(expected)
    except ValueError as err:
        raise TypeError(f"expected must be a regular array of labels "
                        f"({err})") from None
    text = exp.dtype.kind in "US"
    if not text:
        exp, _ = _read_expected(expected)
    got, problem = _read_labels(answer, exp, text)
    if problem:
        return _verdict(name, False, problem)
    if got.shape != exp.shape:
        if got.size == exp.size and np.array_equal(got.reshape(exp.shape),
                                                   exp):
            return _verdict(name, False, f"the labels are right but the shape "
                            f"is {got.shape}; expected {exp.shape}")
        if (got.ndim == exp.ndim + 1 and got.shape[:-1] == exp.shape
                and got.shape[-1] > 1):
            return _verdict(name, False, f"expected one label per sample "
                            f"(shape {exp.shape}), got {got.shape[-1]} "
                            "numbers per sample (scores or one-hot rows?): "
                            "take the class with np.argmax(..., axis=-1)")
        return _verdict(name, False, f"expected {exp.size} labels of shape "
                        f"{exp.shape}, got shape {got.shape}")
    if not text:
        if not np.all(np.isfinite(got)):
            return _verdict(name, False, "your labels contain NaN or "
                            "infinity")
        frac = np.flatnonzero((got != np.round(got)).ravel())
        if frac.size and np.all(exp == np.round(exp)):
            i = int(frac[0])
            return _verdict(name, False, f"labels are whole numbers (class "
                            f"indices); sample {i} is {_fmt(got.ravel()[i])}: "
                            "did you forget to threshold the probabilities "
                            "or to take the argmax?")
    wrong = np.flatnonzero(got.ravel() != exp.ravel())
    if wrong.size == 0:
        return _verdict(name, True, f"all {exp.size} labels match")
    if (not text and exp.size > 1 and np.all(np.isin(exp, (0, 1)))
            and np.all(got == 1 - exp)):
        return _verdict(name, False, "every label is flipped (0 ↔ 1): check "
                        "the direction of the comparison and which class is 1")

    def show(k):
        if text:
            return str(k)
        k = float(k)
        if class_names is not None and k == int(k):
            if isinstance(class_names, Mapping):
                return str(class_names.get(int(k), _fmt(k)))
            if 0 <= int(k) < len(class_names):
                return str(class_names[int(k)])
        return _fmt(k)

    i = int(wrong[0])
    return _verdict(name, False, f"{wrong.size} of {exp.size} labels are "
                    f"wrong; the first is sample {i}: expected "
                    f"{show(exp.ravel()[i])}, got {show(got.ravel()[i])}")


def _fresh(args: tuple) -> tuple:
    """A deep copy, so that a function that changes its inputs harms no one."""
    try:
        return copy.deepcopy(args)
    except Exception:  # noqa: BLE001 - uncopyable objects are passed as is
        return args


def function(name: str, student, reference, cases, *,
             rtol: float | None = None, atol: float | None = None,
             m=None) -> Feedback:
    """Call ``student`` and ``reference`` on every input in ``cases`` and
    report the first mismatch.

    Each case is a tuple of arguments (or one argument); both functions get
    their own copy of it.  Results are compared as in :func:`array` (4
    significant digits per entry, unless ``rtol`` / ``atol`` are given).
    ``m`` (a number, or a function of a case's arguments returning one) is
    the number of samples of a case, so that a sum-instead-of-mean slip is
    named as such.
    """
    _check_name(name)
    if not callable(reference):
        raise TypeError(f"reference must be a function; "
                        f"got {type(reference).__name__}")
    if m is not None and not callable(m):
        _check_m(m)
    try:
        cases = list(cases)
    except TypeError:
        raise TypeError(f"cases must be a list of test inputs; "
                        f"got {type(cases).__name__}") from None
    if not cases:
        raise ValueError("cases must hold at least one test input")
    _tolerance_arg(rtol, "rtol")
    _tolerance_arg(atol, "atol")
    if student is None:
        return _verdict(name, False, "no answer yet: define the function and "
                        "run the cell again")
    if not callable(student):
        return _verdict(name, False, f"expected a function, got a "
                        f"{type(student).__name__}: define it with `def` and "
                        "pass the function itself, without calling it")
    for k, args in enumerate(cases):
        args = args if isinstance(args, tuple) else (args,)
        exp = reference(*_fresh(args))
        try:
            got = student(*_fresh(args))
        except Exception as err:  # the student's code raised: say where
            return _verdict(name, False, f"raised {type(err).__name__}: "
                            f"{err} on test input {k}")
        if got is None:
            return _verdict(name, False, f"returned None on test input {k}: "
                            "did you forget the `return` line?")
        m_k = _check_m(m(*args), "m(...)") if callable(m) else m
        ok, detail = _judge(got, exp, rtol, atol, m_k, "reference's result")
        if not ok:
            return _verdict(name, False, f"{detail} (on test input {k})")
    return _verdict(name, True,
                    f"agrees with nnlab on all {len(cases)} test inputs")
