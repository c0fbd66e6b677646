"""Exercise feedback must say *what* is wrong, not just that it is wrong."""
from __future__ import annotations

import numpy as np

from nnlab import check


def test_correct_answers_pass():
    assert check.close("z", 1.1, 1.1)
    assert check.array("p", [0.2, 0.8], np.array([0.2, 0.8]))
    assert check.labels("y", [0, 2, 1], np.array([0, 2, 1]))
    assert check.function("sq", lambda x: x**2, lambda x: x * x, [np.arange(3.0), 2.0])


def test_missing_answer_is_not_an_error():
    fb = check.close("z", None, 1.0)
    assert not fb and "replace `None`" in fb.message


def test_sign_flip_is_named():
    fb = check.array("dw", [-1.0, 2.0], [1.0, -2.0])
    assert not fb and "sign" in fb.message


def test_forgotten_mean_is_named():
    fb = check.close("J", 12.0, 3.0, m=4)
    assert not fb and "sum" in fb.message and "4 times" in fb.message


def test_constant_factor_is_named():
    fb = check.array("grad", [2.0, 4.0], [1.0, 2.0])
    assert not fb and "factor of 2" in fb.message
    fb = check.array("grad", [3.0, 6.0], [1.0, 2.0])
    assert not fb and "constant factor of 3" in fb.message


def test_a_wrong_number_is_not_called_a_factor():
    """For a single number every wrong answer is *some* multiple: only classic slips are named."""
    fb = check.close("updates", 781, 782)
    assert not fb and "factor" not in fb.message and "too small" in fb.message
    fb = check.close("cost", 0.9, 0.6931)
    assert not fb and "too large" in fb.message
    assert "factor of 2" in check.close("grad", 2.2, 1.1).message


def test_transposed_matrix_is_named():
    W = np.arange(6.0).reshape(2, 3)
    fb = check.array("W", W.T, W)
    assert not fb and "transposed" in fb.message


def test_wrong_shape_and_nan_are_named():
    assert "shape" in check.array("Z", np.zeros((2, 2)), np.zeros(3)).message
    assert "NaN" in check.array("p", [np.nan, 1.0], [0.5, 1.0]).message


def test_swapped_entries_are_named():
    fb = check.array("theta", [0.8, 1.8], [1.8, 0.8])
    assert not fb and "wrong order" in fb.message


def test_wrong_entry_is_located():
    fb = check.array("p", [0.1, 0.2, 0.9], [0.1, 0.2, 0.3])
    assert not fb and "index (2,)" in fb.message and "expected 0.3" in fb.message


def test_labels_report_first_wrong_sample_by_name():
    fb = check.labels("post", [0, 1, 1], [0, 1, 2], class_names=["C", "Java", "Python"])
    assert not fb and "sample 2" in fb.message and "expected Python, got Java" in fb.message


def test_function_names_a_forgotten_mean():
    cases = [(np.arange(4.0),), (np.arange(6.0),)]
    fb = check.function("mean", np.sum, np.mean, cases, m=lambda x: len(x))
    assert not fb and "instead of averaging" in fb.message and "test input 0" in fb.message


def test_function_reports_failing_input_and_exceptions():
    fb = check.function("f", lambda x: x + 1, lambda x: x, [0.0])
    assert not fb and "test input 0" in fb.message

    def broken(x):
        raise ZeroDivisionError("oops")

    fb = check.function("f", broken, lambda x: x, [1.0])
    assert not fb and "ZeroDivisionError" in fb.message
