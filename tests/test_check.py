"""Exercise feedback must say *what* is wrong, not just that it is wrong, and
accept every answer that is right to the 4 significant digits the book prints.

References are independent of nnlab.check: values come from ``math`` and
``fractions``, 4-digit roundings from Python's own decimal formatting
(``f"{x:.3e}"``).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from nnlab.book import check

LN2 = math.log(2)


def sig(x, digits=4):
    """x rounded to ``digits`` significant digits, by Python's formatting."""
    as_text = np.vectorize(lambda v: float(f"{v:.{digits - 1}e}"))
    return as_text(np.asarray(x, dtype=float))


def lead(x: float) -> int:
    """The decimal exponent of the leading digit of x (0.693 -> -1)."""
    return math.floor(math.log10(abs(x)))


def says(fb, *words) -> None:
    """``fb`` refuses the answer, and its message holds every one of words."""
    assert not fb, fb.message
    assert "not yet" in fb.message, fb.message
    for word in words:
        assert word in fb.message, fb.message


# ------------------------------------------------------------ correct answers
def test_correct_answers_pass():
    assert check.close("z", 1.1, 1.1)
    assert check.array("p", [0.2, 0.8], np.array([0.2, 0.8]))
    assert check.labels("y", [0, 2, 1], np.array([0, 2, 1]))
    assert check.function("sq", lambda x: x**2, lambda x: x * x,
                          [np.arange(3.0), 2.0])


def test_correct_messages_are_unchanged():
    """The book's solution cells check these outputs (NBVAL_CHECK_OUTPUT)."""
    assert (check.close("c", LN2, LN2).message
            == "c: ✅ correct — matches nnlab's value")
    assert (check.array("W", [[1.0], [2.0]], [[1.0], [2.0]]).message
            == "W: ✅ correct — all 2 entries match")
    assert (check.labels("y", [1, 0], [1, 0]).message
            == "y: ✅ correct — all 2 labels match")
    assert (check.function("f", abs, abs, [1.0, -2.0]).message
            == "f: ✅ correct — agrees with nnlab on all 2 test inputs")


@pytest.mark.parametrize("typed, exact", [
    (0.6931, math.log(2)),
    (0.2877, math.log(Fraction(4, 3))),
    (0.5833, float(Fraction(7, 12))),
    (0.2667, float(Fraction(4, 15))),
    (-0.6931, -math.log(2)),
    (1.000, 0.99995),        # the rounding carries into a new digit
    (0.9999, 0.99995),       # ... or is written the other way
    (10.00, 9.9996),
    (9.999, 9.9996),         # cut off instead of rounded: within 4 digits
    (1.0, 1.00049),          # a correct rounding at its largest error
    (-1.0, -1.00049),
    (1.235e-7, 1.23456e-7),
    (6.022e23, 6.02214076e23),
])
def test_the_book_s_four_digits_are_accepted(typed, exact):
    fb = check.close("v", typed, exact)
    assert fb, fb.message


@pytest.mark.parametrize("typed, exact", [
    (0.694, math.log(2)),    # 3rd significant digit wrong
    (0.692, math.log(2)),
    (0.2887, math.log(Fraction(4, 3))),
    (0.5933, float(Fraction(7, 12))),
    (0.2657, float(Fraction(4, 15))),
    (-0.694, -math.log(2)),
    (9.98, 9.99),            # the smallest relative error of such a slip
    (0.998, 0.99995),
    (0.69, math.log(2)),     # too few digits
    (0.7, math.log(2)),
])
def test_a_third_digit_slip_is_refused(typed, exact):
    assert not check.close("v", typed, exact)


def test_tolerance_property_over_many_magnitudes_and_signs():
    """For 2,000 values from 1e-9 to 1e9, both signs: the 4-digit rounding
    is accepted; one unit more or less in the 3rd digit is refused."""
    rng = np.random.default_rng(8)
    xs = 10.0 ** rng.uniform(-9, 9, size=2000)
    xs *= rng.choice([-1.0, 1.0], size=2000)
    edges = [1.00049, 0.10005, 9.9994, 0.99995, 9.9996, 0.99949, -1.00049]
    for x in map(float, np.concatenate([xs, edges])):
        typed = float(sig(x))
        assert check.close("x", typed, x), x
        unit3 = 10.0 ** (lead(x) - 2)
        for wrong in (typed + unit3, typed - unit3, x + unit3, x - unit3):
            assert not check.close("x", wrong, x), (x, wrong)


@pytest.mark.parametrize("x", [LN2, -LN2, 3.5e-6, -812.25])
def test_tolerance_edge_just_inside_and_just_outside(x):
    """The line is 0.07 % of nnlab's value, on either side, for either sign,
    for a number and for an entry of an array."""
    for inside in (x * (1 + 6.5e-4), x * (1 - 6.5e-4)):
        assert check.close("x", inside, x)
        assert check.array("a", [inside, 1.0], [x, 1.0])
    for outside in (x * (1 + 7.5e-4), x * (1 - 7.5e-4)):
        assert not check.close("x", outside, x)
        assert not check.array("a", [outside, 1.0], [x, 1.0])


def test_array_tolerance_is_per_entry():
    exp = np.array([[1234.5678, -0.00123456], [7.654321e-5, 42.0]])
    assert check.array("A", sig(exp), exp)
    wrong = sig(exp)
    wrong[0, 1] = -0.001244       # 3rd digit of a small entry, next to big
    says(check.array("A", wrong, exp), "index (0, 1)")


def test_zero_and_tiny_entries():
    # exact zeros: rounding noise is accepted, a real number is not
    assert check.close("g", 1e-17, 0.0)
    assert check.close("g", -3e-10, 0.0)
    assert not check.close("g", 1e-8, 0.0)
    assert check.array("g", [1e-12, -1e-11], [0.0, 0.0])
    assert not check.array("g", [2e-9, 0.0], [0.0, 0.0])
    # next to an entry of size 1, a difference of 1e-9 is noise
    assert check.array("g", [0.5, 1e-17], [0.5, 0.0])
    assert check.array("g", [1.0, -0.9e-9], [1.0, 0.0])
    assert not check.array("g", [1.0, -1.1e-9], [1.0, 0.0])
    assert check.array("g", [1.0, 0.0], [1.0, 3e-10])
    assert not check.array("g", [1.0, 0.0], [1.0, 2e-6])
    assert check.array("g", [1.0, 2.0002e-6], [1.0, 2e-6])
    assert not check.array("g", [1.0, 2.1e-6], [1.0, 2e-6])
    # a small value on its own is not zero: vanishing gradients are not 0
    says(check.close("g", 0.0, 1.7e-13), "not 0")
    assert not check.close("g", 3.4e-13, 1.7e-13)
    assert check.close("g", 1.7e-13, 1.7004e-13)


def test_counts_must_be_exact():
    assert check.close("updates", 782.0, 782)
    assert not check.close("updates", 1563, 1562)   # within 0.07 %, a count
    says(check.close("updates", 781, 782), "by 1")
    says(check.close("updates", 781.25, 782), "whole number")
    assert check.array("labels", np.array([True, False]), np.array([1, 0]))
    assert not check.array("labels", [1, 1], np.array([1, 0]))


def test_explicit_tolerances_still_work():
    assert not check.close("x", 0.6931, LN2, rtol=1e-6)       # tighter
    assert check.close("x", 0.69, LN2, rtol=1e-2)             # looser
    assert check.close("x", 0.5, 0.0, atol=1.0)
    assert check.close("x", 1e-6, 0.0, atol=1e-5)
    assert not check.close("x", 1e-4, 0.0, atol=1e-5)
    assert check.array("a", [1.0, 2.01], [1.0, 2.0], rtol=0.01)
    assert check.close("n", 781, 782, rtol=1e-2)   # a count, made lenient
    assert check.function("f", lambda x: x * 1.01, lambda x: x, [1.0],
                          rtol=0.02)
    fb = check.close("x", 0.6931, LN2, rtol=1e-6)
    says(fb, "1e-06")
    assert "4 significant digits" not in fb.message


@pytest.mark.parametrize("bad, err", [
    (-1e-3, ValueError), (math.nan, ValueError), (math.inf, ValueError),
    ("0.1", TypeError)])
def test_bad_tolerances_are_named(bad, err):
    with pytest.raises(err, match="rtol"):
        check.close("x", 1.0, 1.0, rtol=bad)
    with pytest.raises(err, match="atol"):
        check.array("x", [1.0], [1.0], atol=bad)


def test_close_feedback_says_how_many_digits():
    says(check.close("cost", 0.69, LN2),
         "0.69 is close: give at least 4 significant digits", "0.07 %")
    # 3 digits with the 3rd wrong: close, but not a rounding of ln 2
    says(check.close("cost", 0.694, LN2), "close", "0.12 % off")
    says(check.array("p", [0.9, 0.0012], [0.9, 0.00123456]),
         "at least 4 significant digits for every entry", "index (1,)")


# --------------------------------------------------------------- the hints
def test_missing_answer_is_not_an_error():
    says(check.close("z", None, 1.0), "replace `None`")
    says(check.array("a", None, [1.0]), "replace `None`")
    says(check.labels("y", None, [1]), "replace `None`")
    says(check.function("f", None, abs, [1.0]), "define the function")


@pytest.mark.parametrize("answer, hint", [
    ("0.6931", "without quotes"),
    (b"0.6931", "without quotes"),
    (["0.5", "0.2"], "without quotes"),
    (["0.5", 0.2], "without quotes"),
    ({"a": 1}, "dict"),
    ({0.5}, "set"),
    ([[1.0, 2.0], [3.0]], "different lengths"),
    ([0.5, None], "None"),
    (abs, "call it"),
    (1 + 2j, "complex"),
    (10**400, "too large"),
    ([10**400, 1], "too large"),
    (np.datetime64("2024-01-01"), "datetime64"),
    ((x for x in [1.0]), "generator"),
])
def test_wrong_types_get_a_hint_not_a_traceback(answer, hint):
    says(check.close("x", answer, 0.5), hint)
    says(check.array("x", answer, [0.5, 0.2]), hint)


def test_wrong_types_for_labels_and_functions():
    for answer in ("0", ["a", "b"], {"a": 0}, [[0], [1, 2]], [0, None]):
        says(check.labels("y", answer, [0, 1], class_names=["a", "b"]))
    says(check.function("f", 3.0, abs, [1.0]), "expected a function")
    says(check.function("f", lambda x: "1.0", abs, [1.0]),
         "without quotes", "test input 0")


def test_sign_flip_is_named():
    says(check.array("dw", [-1.0, 2.0], [1.0, -2.0]), "sign")
    says(check.close("J", -0.6931, LN2), "sign is flipped")
    says(check.close("J", 0.6931, -LN2), "sign is flipped")
    exp = np.array([0.123456, -2.34567, 0.0])
    says(check.array("dw", sig(-exp), exp), "sign is flipped")


def test_half_and_double_are_named_at_four_digits():
    says(check.close("J", 0.3466, LN2), "factor of 1/2")        # ln 2 / 2
    says(check.close("J", 1.386, LN2), "factor of 2")           # 2 ln 2
    says(check.array("g", sig([0.5 * LN2, -0.5 * math.pi]), [LN2, -math.pi]),
         "factor of 1/2")
    # typed with only 3 digits: still named, and told to give 4
    says(check.close("J", 0.347, LN2), "factor of 1/2",
         "4 significant digits")


def test_forgotten_mean_is_named():
    says(check.close("J", 12.0, 3.0, m=4), "sum", "4 times")
    says(check.close("CE", 2.079, LN2, m=3),                    # 3 ln 2
         "3 times too large", "instead of averaging")
    says(check.close("CE", 0.2310, LN2, m=3),                   # ln 2 / 3
         "3 times too small", "twice")
    g = np.array([0.12345, -1.5, 2.25])
    says(check.array("grad", sig(4 * g), g, m=4), "4 times too large")


def test_constant_factor_is_named():
    says(check.array("grad", [2.0, 4.0], [1.0, 2.0]), "factor of 2")
    says(check.array("grad", [3.0, 6.0], [1.0, 2.0]), "constant factor of 3")
    says(check.array("grad", sig([3 * LN2, 6 * math.pi]),
                     [LN2, 2 * math.pi]), "constant factor of 3")


def test_a_wrong_number_is_not_called_a_factor():
    """For a single number every wrong answer is *some* multiple: only the
    classic slips are named."""
    fb = check.close("updates", 781, 782)
    says(fb, "too small")
    assert "factor" not in fb.message
    says(check.close("cost", 0.9, 0.6931), "too large")
    says(check.close("grad", 2.2, 1.1), "factor of 2")


def test_transposed_matrix_is_named():
    W = np.arange(6.0).reshape(2, 3)
    says(check.array("W", W.T, W), "transposed")


def test_transposed_matrix_typed_to_four_digits_is_named():
    W = np.array([[math.pi, -LN2, 1 / 3], [math.e, 0.0, -1e3 / 7]])
    says(check.array("W", sig(W.T), W), "transposed")
    S = np.array([[math.pi, -LN2], [math.e, 1 / 7]])   # square: same shape
    says(check.array("S", sig(S.T), S), "transposed")
    assert check.array("S", sig(S), S)
    # typed with 3 digits: still named, and told to give 4
    says(check.array("S", sig(S.T, 3), S), "transposed",
         "4 significant digits")


def test_wrong_shape_and_nan_are_named():
    says(check.array("Z", np.zeros((2, 2)), np.zeros(3)), "shape")
    says(check.array("p", [np.nan, 1.0], [0.5, 1.0]), "NaN")
    says(check.close("J", math.inf, LN2), "NaN")
    says(check.array("p", sig(np.array([[LN2], [0.5]])), [LN2, 0.5]),
         "values are right but the shape is (2, 1)")
    says(check.array("p", np.ones((3, 3)), np.ones(3)), "broadcasting")
    says(check.close("J", np.array([0.6931]), LN2),
         "expected a single number", "float(")


def test_nan_where_nnlab_has_nan_matches():
    assert check.array("p", [np.nan, 1.0, np.inf], [np.nan, 1.0, np.inf])
    assert not check.array("p", [np.nan, 1.0, -np.inf], [np.nan, 1.0, np.inf])


def test_swapped_entries_are_named():
    says(check.array("theta", [0.8, 1.8], [1.8, 0.8]), "wrong order")
    theta = np.array([math.pi, -LN2, 0.125])
    says(check.array("theta", sig(theta[::-1]), theta), "wrong order")
    M = np.array([[math.pi, 1.0, 2.0], [LN2, 3.0, 4.0]])
    says(check.array("M", sig(M[::-1]), M), "wrong place")


def test_wrong_entry_is_located():
    says(check.array("p", [0.1, 0.2, 0.9], [0.1, 0.2, 0.3]),
         "index (2,)", "expected 0.3")
    # the entry named is the one that fails, not the largest difference
    says(check.array("p", [1000.5, 0.5], [1000.0, 0.3]), "index (1,)")


# ------------------------------------------------------------------ labels
def test_labels_report_first_wrong_sample_by_name():
    says(check.labels("post", [0, 1, 1], [0, 1, 2],
                      class_names=["C", "Java", "Python"]),
         "sample 2", "expected Python, got Java")


def test_labels_out_of_range_or_fractional_are_explained():
    says(check.labels("post", [0, 7], [0, 1], class_names=["C", "Java"]),
         "expected Java, got 7")
    says(check.labels("post", [-1, 1], [0, 1],
                      class_names={0: "four", 1: "nine"}),
         "expected four, got -1")
    says(check.labels("y", [0.2, 0.9], [0, 1]), "whole numbers", "threshold")


def test_labels_hints():
    says(check.labels("y", [[0.9, 0.1], [0.2, 0.8]], [0, 1]), "argmax")
    says(check.labels("y", [1, 0, 0], [0, 1, 1]), "flipped")
    says(check.labels("y", [[0], [1]], [0, 1]), "shape is (2, 1)")
    says(check.labels("y", ["Java", "C"], [1, 0], class_names=["C", "Java"]),
         "index of the class")
    assert check.labels("y", [1.0, 0.0], [1, 0])
    assert check.labels("y", np.array([True, False]), [1, 0])
    assert check.labels("y", ["cat", "dog"], np.array(["cat", "dog"]))
    says(check.labels("y", ["dog", "dog"], np.array(["cat", "dog"])),
         "expected cat, got dog")
    says(check.labels("y", [0, 1], np.array(["cat", "dog"])), "class names")


# ---------------------------------------------------------------- function
def test_function_names_a_forgotten_mean():
    cases = [(np.arange(4.0),), (np.arange(6.0),)]
    says(check.function("mean", np.sum, np.mean, cases, m=lambda x: len(x)),
         "instead of averaging", "test input 0")


def test_function_reports_failing_input_and_exceptions():
    says(check.function("f", lambda x: x + 1, lambda x: x, [0.0]),
         "test input 0")

    def broken(x):
        raise ZeroDivisionError("oops")

    says(check.function("f", broken, lambda x: x, [1.0]), "ZeroDivisionError")


def test_function_reports_first_failing_case_and_accepts_four_digits():
    says(check.function("f", lambda x: x if x < 2 else -x, lambda x: x,
                        [1.0, 3.0]), "sign", "test input 1")
    # a student's result that is right to 4 significant digits is accepted
    assert check.function("ln", lambda x: float(sig(math.log(x))), math.log,
                          [2.0, 3.0])


def test_function_that_forgets_return():
    def forgot(x):
        x + 1

    fb = check.function("f", forgot, lambda x: x + 1, [1.0])
    says(fb, "return")
    assert "replace `None`" not in fb.message


def test_function_that_changes_its_input_cannot_fool_the_reference():
    def doubles_in_place(x):
        x *= 2
        return x

    data = np.array([1.0, 2.0])
    says(check.function("f", doubles_in_place, lambda x: x, [data]),
         "factor of 2")
    assert np.array_equal(data, [1.0, 2.0])     # the case itself is intact


# ------------------------------------------------------ author's mistakes
def test_author_mistakes_raise_clear_errors():
    with pytest.raises(ValueError, match="cases"):
        check.function("f", abs, abs, [])
    with pytest.raises(TypeError, match="reference"):
        check.function("f", abs, 3.0, [1.0])
    with pytest.raises(TypeError, match="expected"):
        check.close("x", 1.0, None)
    with pytest.raises(TypeError, match="expected"):
        check.array("x", [1.0], ["a"])
    with pytest.raises(ValueError, match="check.array"):
        check.close("x", 1.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="m must be"):
        check.close("x", 1.0, 1.0, m=0)
    with pytest.raises(TypeError, match="class_names"):
        check.labels("y", [0], [0], class_names=3)
    with pytest.raises(TypeError, match="name"):
        check.close(None, 1.0, 1.0)


def test_what_a_notebook_shows_fits_the_page():
    """The verdict a cell prints is wrapped at 79 characters; the message
    itself (what code and tests read) is unchanged."""
    fb = check.close("a_rather_long_answer_name", None, 1.5)
    assert len(fb.message) > 79
    shown = repr(fb)
    assert max(len(line) for line in shown.splitlines()) <= 79
    assert " ".join(shown.split()) == " ".join(fb.message.split())
