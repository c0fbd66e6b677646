"""nnlab.chapters.ch04_gradient_descent: closed forms, finite differences, the
lectures' numbers, agreement with the core, and helpful errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import data, schedules
from nnlab.chapters import ch04_gradient_descent as D
from nnlab.gradcheck import check_gradient, numerical_gradient

X_TOY = np.array([1.0, 2.0, 3.0])


# ------------------------------------------------------------------ the lectures' table
def test_cost_table_of_the_lectures():
    thetas = np.array([-1.0, 0.0, 1.0, 2.0, 3.0])
    got = D.one_param_cost(thetas, X_TOY, X_TOY)
    np.testing.assert_allclose(got, [28 / 3, 7 / 3, 0, 7 / 3, 28 / 3])   # 9.33, 2.33, 0, 2.33, 9.33
    assert np.round(got, 2).tolist() == [9.33, 2.33, 0.0, 2.33, 9.33]


def test_one_param_gradient_matches_finite_differences_and_closed_form():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=7), rng.normal(size=7)
    for theta in [-2.0, 0.3, 5.0]:
        t = np.array([theta])
        num = numerical_gradient(lambda v: float(D.one_param_cost(v[0], x, y)), t)
        assert abs(num[0] - D.one_param_gradient(theta, x, y)) < 1e-7
    assert D.one_param_curvature(X_TOY) == pytest.approx(14 / 3)
    assert D.one_param_minimizer(x, y) == pytest.approx(np.dot(x, y) / np.dot(x, x))
    assert D.one_param_gradient(D.one_param_minimizer(x, y), x, y) == pytest.approx(0, abs=1e-12)


def test_one_param_cost_is_elementwise_over_theta_grids():
    grid = np.linspace(-1, 3, 12).reshape(3, 4)
    assert D.one_param_cost(grid, X_TOY, X_TOY).shape == (3, 4)


# ------------------------------------------------------------------ gradient descent
def test_gradient_descent_on_a_parabola_follows_the_closed_form():
    a, lr = D.one_param_curvature(X_TOY), 0.1
    path = D.gradient_descent(lambda t: D.one_param_gradient(t, X_TOY, X_TOY), 4.0, lr, 10)
    assert path.shape == (11,)
    np.testing.assert_allclose(path, 1 + 3 * (1 - lr * a) ** np.arange(11))


def test_gradient_descent_accepts_a_schedule_and_vectors():
    seen = []
    path = D.gradient_descent(lambda t: 2 * t, np.array([1.0, -2.0]), lambda t: seen.append(t) or 0.25, 3)
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(path[-1], np.array([1.0, -2.0]) * 0.5**3)


def test_a_diverging_run_stops_with_non_finite_rows():
    path = D.gradient_descent(lambda t: 1e200 * t, 1.0, 1e200, 5)
    assert not np.isfinite(path[-1])
    assert D.classify_run(path, np.abs(path)) == "diverging"


@pytest.mark.parametrize("lr, kind", [(0.05, "converging"), (0.2, "converging"), (0.3, "oscillating"),
                                      (0.4, "oscillating"), (3 / 7, "oscillating"), (0.45, "diverging")])
def test_classify_run_matches_the_theory(lr, kind):
    # a = 14/3: creeping below 1/a = 0.214, zig-zag up to 2/a = 0.4286, divergence beyond
    path = D.gradient_descent(lambda t: D.one_param_gradient(t, X_TOY, X_TOY), 4.0, lr, 25)
    assert D.classify_run(path, D.one_param_cost(path, X_TOY, X_TOY)) == kind


def test_classify_run_sees_zigzag_in_one_coordinate_of_many():
    A = np.diag([1.0, 100.0])
    path = D.gradient_descent(lambda t: A @ t, np.array([1.0, 1.0]), 0.015, 30)   # 1 - 1.5 < 0 in coordinate 2
    assert D.classify_run(path, 0.5 * np.einsum("ti,ij,tj->t", path, A, path)) == "oscillating"


# ------------------------------------------------------------------ convexity
def test_convexity_gap():
    rng = np.random.default_rng(1)
    a, b, t = rng.uniform(-3, 3, 500), rng.uniform(-3, 3, 500), rng.uniform(0, 1, 500)
    assert D.convexity_gap(np.square, a, b, t).min() >= -1e-12
    assert D.convexity_gap(D.double_well, -1.3, 1.13, 0.5) < 0            # chord over the hump
    assert D.convexity_gap(np.square, 0.0, 2.0, 0.5) == pytest.approx(1.0)  # (0 + 4)/2 - 1


# ------------------------------------------------------------------ linear regression
def test_linreg_cost_and_gradient():
    rng = np.random.default_rng(2)
    X, y, theta = rng.normal(size=(20, 3)), rng.normal(size=20), rng.normal(size=3)
    assert D.linreg_cost(theta, X, y) == pytest.approx(np.mean((X @ theta - y) ** 2) / 2)
    err = check_gradient(lambda th: D.linreg_cost(th, X, y), theta.copy(), D.linreg_gradient(theta, X, y))
    assert err < 1e-7
    grid = rng.normal(size=(4, 5, 3))
    costs = D.linreg_cost(grid, X, y)
    assert costs.shape == (4, 5) and costs[2, 3] == pytest.approx(D.linreg_cost(grid[2, 3], X, y))


def test_scaling_and_condition_numbers():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(0, 1, 60), rng.uniform(0, 10, 60)])
    Z = D.scale_features(X, "standardize")
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1)
    M = D.scale_features(X, "minmax")
    np.testing.assert_allclose([M.min(axis=0), M.max(axis=0)], [[0, 0], [1, 1]])
    np.testing.assert_allclose(D.scale_features(X, "center").mean(axis=0), 0, atol=1e-12)
    np.testing.assert_array_equal(D.scale_features(X, "none"), X)
    kappas = [D.hessian_condition(np.column_stack([np.ones(60), D.scale_features(X, m)])) for m in D.SCALINGS]
    assert kappas == sorted(kappas, reverse=True)                         # each scaling helps more
    assert D.hessian_condition(np.eye(3)) == pytest.approx(1.0)
    assert D.hessian_condition(np.array([[1.0, 1.0], [2.0, 2.0]])) == math.inf


def test_steps_to_tolerance():
    path = np.array([[4.0, 0.0], [2.0, 0.0], [1.0, 0.0], [0.5, 0.0]])
    assert D.steps_to_tolerance(path, np.zeros(2), 1.0) == 2
    assert D.steps_to_tolerance(path, np.zeros(2), 0.1) == -1


# ------------------------------------------------------------------ mini-batches
@pytest.mark.parametrize("m, B, expected", [(12, 3, 4), (12, None, 1), (12, 1, 12), (12, 5, 3), (50_000, 64, 782)])
def test_updates_per_epoch_matches_minibatches(m, B, expected):
    assert D.updates_per_epoch(m, B) == expected
    assert len(list(data.minibatches(np.zeros((m, 1)), None, B, rng=0))) == expected
    assert len(list(data.minibatch_indices(m, B, rng=0))) == expected


def test_batch_gd_equals_plain_gradient_descent():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    theta, hist = D.minibatch_gd(X, y, np.zeros(2), 0.1, 7)
    path = D.gradient_descent(lambda th: D.linreg_gradient(th, X, y), np.zeros(2), 0.1, 7)
    np.testing.assert_allclose(theta, path[-1])
    np.testing.assert_allclose(hist["cost"], D.linreg_cost(path, X, y))
    assert hist["train"].shape == (7,) and "val" not in hist


def test_minibatch_gd_records_history_schedule_and_validation():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(12, 2)), rng.normal(size=12)
    theta, hist = D.minibatch_gd(X, y, np.zeros(2), lambda t: 0.1 / (1 + t), 3, 3, X_val=X[:4], y_val=y[:4])
    assert hist["cost"].shape == (3 * 4 + 1,)
    np.testing.assert_allclose(hist["lr"], 0.1 / (1 + np.arange(12)))
    assert hist["val"].shape == (3,) and hist["val"][-1] == pytest.approx(D.linreg_cost(theta, X[:4], y[:4]))
    again, _ = D.minibatch_gd(X, y, np.zeros(2), lambda t: 0.1 / (1 + t), 3, 3, seed=0)
    np.testing.assert_array_equal(theta, again)                          # seeded: reproducible


def test_sgd_with_decay_gets_closer_than_constant():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 2, 240)
    X = np.column_stack([np.ones(240), D.scale_features(x[:, None])[:, 0]])
    y = 1 + 2 * x + rng.normal(0, 0.5, 240)
    best = np.linalg.lstsq(X, y, rcond=None)[0]
    const, _ = D.minibatch_gd(X, y, np.zeros(2), 0.05, 10, 1)
    decay, _ = D.minibatch_gd(X, y, np.zeros(2), lambda t: 0.05 / (1 + t / 240), 10, 1)
    assert np.linalg.norm(decay - best) < np.linalg.norm(const - best) / 5


@pytest.mark.parametrize("B", [None, 1, 5, 12])
def test_minibatch_gd_is_the_loop_written_out_by_hand(B):
    """Same numbers as the loop by hand: a generator seeded once, one
    rng.permutation(m) per epoch, cut into batches of B rows (the last one
    smaller), one step per batch along that batch's mean gradient."""
    r = np.random.default_rng(8)
    X, y = r.normal(size=(12, 2)), r.normal(size=12)
    schedule = lambda t: 0.2 / (1 + t / 5)
    theta, hist = D.minibatch_gd(X, y, np.zeros(2), schedule, 3, B, seed=7)
    rng, k = np.random.default_rng(7), B or 12
    by_hand, t = np.zeros(2), 0
    for epoch in range(3):
        order = rng.permutation(12)
        for start in range(0, 12, k):
            Xb, yb = X[order[start:start + k]], y[order[start:start + k]]
            by_hand = by_hand - schedule(t) / len(yb) * Xb.T.dot(Xb.dot(by_hand) - yb)
            t += 1
    np.testing.assert_allclose(theta, by_hand, rtol=1e-12)   # same steps, other rounding
    assert hist["lr"].tolist() == [schedule(i) for i in range(t)]
    assert hist["cost"].shape == (t + 1,)


# ------------------------------------------------------------------ learning-rate decay
EPS = np.finfo(np.float64).eps


@pytest.mark.parametrize("lr, k, s", [(0.05, 1.0, 240), (0.1, 0.5, 1), (1.0, 3.0, 7), (0.3, 0.0, 5),
                                      (0.0, 1.0, 10), (1e308, 1.0, 1), (1e-300, 1e10, 3)])
def test_inverse_time_lr_agrees_with_the_core_schedule(lr, k, s):
    """The plain formula gives the numbers of schedules.InverseTimeDecay, at
    ordinary and extreme steps (up to 2**1000, where k t / s overflows to inf
    and both give the limit 0). Both compute lr / (1 + k t / s) with the same
    floating-point operations in the same order; the core also raises
    (1 + k t / s) to the power c = 1.0, which libm returns within one ulp
    (in practice exactly). 4 machine epsilons relative covers that, and is
    far tighter than any real difference in the formula."""
    core = schedules.InverseTimeDecay(lr, decay_rate=k, decay_steps=s)
    for t in [0, 1, 2, 3, 10, 239, 240, 241, 10**6, 2**53, 2**60, 10**300, 2**1000]:
        assert D.inverse_time_lr(t, lr, k, s) == pytest.approx(core(t), rel=4 * EPS, abs=0)


def test_inverse_time_lr_halves_after_s_steps():
    assert D.inverse_time_lr(0, 0.05, 1.0, 240) == 0.05
    assert D.inverse_time_lr(240, 0.05, 1.0, 240) == 0.025
    assert D.inverse_time_lr(480, 0.05, 1.0, 240) == pytest.approx(0.05 / 3)
    assert D.inverse_time_lr(2.5, 1.0, 2.0, 1) == pytest.approx(1 / 6)   # t need not be an integer


def test_inverse_time_lr_drives_minibatch_gd_like_the_core_schedule():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    core = schedules.InverseTimeDecay(0.05, decay_rate=1.0, decay_steps=30)
    plain = lambda t: D.inverse_time_lr(t, 0.05, 1.0, 30)
    theta_core, hist_core = D.minibatch_gd(X, y, np.zeros(2), core, 4, 1, seed=2)
    theta_plain, hist_plain = D.minibatch_gd(X, y, np.zeros(2), plain, 4, 1, seed=2)
    np.testing.assert_allclose(hist_plain["lr"], hist_core["lr"], rtol=4 * EPS, atol=0)
    np.testing.assert_allclose(theta_plain, theta_core, rtol=1e-12)


# ------------------------------------------------------------------ non-convex examples
def test_saddle_and_double_well_gradients():
    p = np.array([0.7, -1.3])
    assert check_gradient(lambda v: float(D.saddle_loss(v)), p.copy(), D.saddle_gradient(p)) < 1e-8
    assert D.saddle_loss(np.zeros(2)) == 0 and np.all(D.saddle_gradient(np.zeros(2)) == 0)
    for x0 in [-1.7, 0.2, 1.4]:
        x = np.array([x0])
        assert abs(numerical_gradient(lambda v: float(D.double_well(v[0])), x)[0] - D.double_well_gradient(x0)) < 1e-6
    roots = np.sort(np.roots([4, 0, -6, 1]).real)
    assert roots[0] == pytest.approx(-1.3008, abs=1e-4) and roots[2] == pytest.approx(1.1309, abs=1e-4)
    small = D.gradient_descent(D.double_well_gradient, 2.0, 0.01, 300)[-1]
    large = D.gradient_descent(D.double_well_gradient, 2.0, 0.1, 300)[-1]
    assert small == pytest.approx(roots[2]) and large == pytest.approx(roots[0])


# ------------------------------------------------------------------ errors
def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        D.gradient_descent(lambda t: t, 1.0, -0.1, 3)
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        D.gradient_descent(lambda t: t, 1.0, 0.1, 2.5)
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        D.one_param_cost(1.0, X_TOY, np.ones(4))
    with pytest.raises(ValueError, match="all x are 0"):
        D.one_param_minimizer(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="t must lie in"):
        D.convexity_gap(np.square, 0.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="at least 3 points"):
        D.classify_run(np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="one per row of path"):
        D.classify_run(np.zeros(4), np.zeros(3))
    with pytest.raises(ValueError, match="theta must end in 2 entries, one per column"):
        D.linreg_cost(np.zeros(3), np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"theta must have shape \(2,\)"):
        D.linreg_gradient(np.zeros(3), np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match="method must be one of none, center, minmax, standardize"):
        D.scale_features(np.ones((3, 2)), "zscore")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        D.updates_per_epoch(12, 0)
    with pytest.raises(ValueError, match=r"theta0 must have shape \(2,\)"):
        D.minibatch_gd(np.ones((4, 2)), np.ones(4), np.zeros(3), 0.1, 1)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        D.minibatch_gd(np.ones((4, 2)), np.ones(4), np.zeros(2), 0.1, 0)
    with pytest.raises(ValueError, match="theta must end in 2 entries"):
        D.saddle_loss(np.zeros(3))
    with pytest.raises(ValueError, match="path rows have shape"):
        D.steps_to_tolerance(np.zeros((3, 2)), np.zeros(3))


def test_hessian_curvatures_are_the_eigenvalues_of_the_cost(rng):
    """The second derivative of J along an eigenvector equals its eigenvalue (finite differences)."""
    from nnlab.chapters import ch04_gradient_descent as descent

    X = rng.normal(size=(30, 2)) * np.array([1.0, 5.0])
    y = rng.normal(size=30)
    lam = descent.hessian_curvatures(X)
    vecs = np.linalg.eigh(X.T @ X)[1]
    h = 1e-3
    for k in range(2):
        v = vecs[:, k]
        second = (descent.linreg_cost(h * v, X, y) - 2 * descent.linreg_cost(0 * v, X, y)
                  + descent.linreg_cost(-h * v, X, y)) / h**2
        assert second == pytest.approx(lam[k], rel=1e-6)
    assert descent.hessian_condition(X) == pytest.approx(lam[1] / lam[0])


# ------------------------------------------------------------------ robustness
def test_minmax_treats_a_column_constant_up_to_rounding_as_constant():
    X = np.array([[0.1 + 0.2, 1.0], [0.3, 3.0], [0.3, 2.0]])
    M = D.scale_features(X, "minmax")
    assert np.max(np.abs(M[:, 0])) < 1e-15                  # shifted, not [1, 0, 0]
    np.testing.assert_allclose(M[:, 1], [0.0, 1.0, 0.5])
    Z = D.scale_features(X, "standardize")
    assert np.max(np.abs(Z[:, 0])) < 1e-15


def test_gradient_descent_checks_what_grad_fn_and_the_schedule_return():
    with pytest.raises(ValueError, match=r"grad_fn must return the gradient, shaped like theta \(2,\).*\(1,\)"):
        D.gradient_descent(lambda t: np.ones(1), np.zeros(2), 0.1, 2)      # would broadcast silently
    with pytest.raises(TypeError, match="grad_fn must be a function"):
        D.gradient_descent(3, np.zeros(2), 0.1, 2)
    with pytest.raises(ValueError, match=r"lr schedule must return a finite number >= 0; at step 1"):
        D.gradient_descent(lambda t: t, 1.0, lambda t: [0.1, -0.1][t], 3)
    with pytest.raises(TypeError, match="lr schedule must return a number"):
        D.gradient_descent(lambda t: t, 1.0, lambda t: None, 3)
    path = D.gradient_descent(lambda t: 2 * t, 1.0, lambda t: 0.25 if t < 2 else 0.0, 4)   # lr = 0 is legal
    assert path.tolist() == [1.0, 0.5, 0.25, 0.25, 0.25]


def test_minibatch_gd_reports_divergence():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, 2)) * 10
    y = X @ np.array([1.0, -2.0]) + rng.normal(size=20)
    with pytest.raises(FloatingPointError, match=r"diverged in epoch \d+ .*lr=0\.5.*lower lr"):
        D.minibatch_gd(X, y, np.zeros(2), 0.5, 50, 4)
    with np.errstate(all="raise"):                     # the same lr a hundred times smaller is fine
        theta, hist = D.minibatch_gd(X, y, np.zeros(2), 0.005, 50, 4)
    assert hist["cost"][-1] < 1e-2 * hist["cost"][0]


def test_diverged_parameters_cost_inf_never_nan():
    x = np.array([0.0, 1.0, 2.0])
    assert D.one_param_cost(np.array([np.inf, -np.inf, np.nan]), x, x).tolist() == [np.inf] * 3
    assert D.linreg_cost(np.array([[np.inf, -np.inf], [np.nan, 0.0]]), np.eye(2), np.ones(2)).tolist() == [np.inf] * 2
    assert D.double_well(np.array([np.inf, -np.inf, 1e200, np.nan])).tolist() == [np.inf] * 4
    path = D.gradient_descent(lambda t: D.linreg_gradient(t, np.array([[1e200, -1e200]]), np.ones(1)),
                              np.array([1.0, 2.0]), 1e200, 5)
    assert D.classify_run(path, D.linreg_cost(path, np.array([[1e200, -1e200]]), np.ones(1))) == "diverging"


def test_double_well_gradient_overflows_quietly_to_inf():
    with np.errstate(all="raise"):
        assert D.double_well_gradient(1e200) == math.inf
        assert D.double_well_gradient(-1e200) == -math.inf


BAD_CALLS = [
    (lambda: D.classify_run(None, None), TypeError, "path"),
    (lambda: D.classify_run([["a"], ["b"], ["c"]], [1.0, 2.0, 3.0]), TypeError, "path"),
    (lambda: D.classify_run(np.zeros(3), None), TypeError, "losses"),
    (lambda: D.steps_to_tolerance(None, np.zeros(2)), TypeError, "path"),
    (lambda: D.steps_to_tolerance(3.0, np.zeros(2)), ValueError, "path"),
    (lambda: D.steps_to_tolerance(np.zeros((3, 2)), np.zeros(2), tol=-1), ValueError, "tol"),
    (lambda: D.convexity_gap(3, 0.0, 1.0, 0.5), TypeError, r"\bf\b"),
    (lambda: D.gradient_descent(lambda t: t, 1.0, True, 3), TypeError, r"\blr\b"),
    (lambda: D.gradient_descent(lambda t: t, None, 0.1, 3), TypeError, "theta0"),
    (lambda: D.minibatch_gd(np.ones((4, 1)), np.ones(4), np.zeros(1), 0.1, 1, X_val=np.ones((2, 1))),
     TypeError, "y_val"),
    (lambda: D.minibatch_gd(np.ones((4, 1)), np.ones(4), np.zeros(1), 0.1, 1, X_val=np.ones((2, 2)),
                            y_val=np.ones(2)), ValueError, "X_val"),
    (lambda: D.minibatch_gd(np.ones((4, 1)), np.ones(4), np.zeros(1), 0.1, 1, batch_size=0), ValueError,
     "batch_size"),
    (lambda: D.minibatch_gd(np.ones((4, 1)), np.ones(4), np.zeros(1), lambda t: float("nan"), 1), ValueError,
     "lr schedule"),
    (lambda: D.scale_features(np.ones((3, 2)), ["minmax"]), ValueError, "method"),
    (lambda: D.one_param_cost(1.0, None, np.ones(3)), TypeError, r"\bx\b"),
    (lambda: D.updates_per_epoch(-3), ValueError, r"\bm\b"),
    (lambda: D.saddle_loss(None), TypeError, "theta"),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_raises_and_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


@pytest.mark.parametrize("returned", ["0.1", True])
def test_a_schedule_must_return_a_number_not_text_or_a_bool(returned):
    """float("0.1") and float(True) succeed, so these were taken as learning rates."""
    with pytest.raises(TypeError, match="lr schedule must return a number; at step 0"):
        D.gradient_descent(lambda t: t, 1.0, lambda t: returned, 2)
    with pytest.raises(TypeError, match="lr schedule must return a number; at step 0"):
        D.minibatch_gd(np.ones((4, 1)), np.ones(4), np.zeros(1), lambda t: returned, 1)


def test_the_shown_functions_keep_their_checks():
    """The checks moved into @checks(...) checkers: each still names its argument."""
    with pytest.raises(TypeError, match="theta"):
        D.one_param_gradient(None, X_TOY, X_TOY)
    with pytest.raises(ValueError, match="theta contains NaN or infinity"):
        D.linreg_gradient(np.array([np.nan, 1.0]), np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match="batch_size"):
        D.minibatch_gd(np.ones((4, 1)), np.ones(4), np.zeros(1), 0.1, 1, batch_size=-2)
    with pytest.raises(TypeError, match="seed"):
        D.minibatch_gd(np.ones((4, 1)), np.ones(4), np.zeros(1), 0.1, 1, seed="a")
    with pytest.raises(ValueError, match="decay_steps"):
        D.inverse_time_lr(3, 0.1, 1.0, 0)
    with pytest.raises(TypeError, match=r"\bt\b"):
        D.inverse_time_lr(None, 0.1)


# ------------------------------------------------ mini-batch gradient noise
def _noise_problem(m=7, n=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=n), rng.normal(size=(m, n)), rng.normal(size=m)


def test_minibatch_gradient_variance_matches_all_batches_enumerated():
    import itertools
    theta, X, y = _noise_problem()
    full = X.T @ (X @ theta - y) / len(y)
    for B in range(1, 8):
        grads = []
        for rows in itertools.combinations(range(7), B):   # every batch
            rows = list(rows)
            r = sum(X[i] * (X[i] @ theta - y[i]) for i in rows) / B
            grads.append(r)
        grads = np.array(grads)
        # unbiased: the batches' gradients average to the full gradient
        np.testing.assert_allclose(grads.mean(axis=0), full, atol=1e-12)
        exact = np.mean(np.sum((grads - full) ** 2, axis=1))
        got = D.minibatch_gradient_variance(theta, X, y, B)
        assert got == pytest.approx(exact, rel=1e-10, abs=1e-14)
    assert D.minibatch_gradient_variance(theta, X, y, 7) == pytest.approx(
        0, abs=1e-14)
    assert D.minibatch_gradient_variance(theta, X[:1], y[:1], 1) == 0.0


def test_minibatch_gradient_noise_measures_the_formula():
    theta, X, y = _noise_problem(m=40)
    full = X.T @ (X @ theta - y) / 40
    for B in [1, 4, 16]:
        mean, var = D.minibatch_gradient_noise(theta, X, y, B, draws=20_000,
                                               seed=1)
        exact = D.minibatch_gradient_variance(theta, X, y, B)
        assert var == pytest.approx(exact, rel=0.05)
        # the mean of 20 000 draws is within a few standard errors
        assert np.sum((mean - full) ** 2) < 25 * exact / 20_000
    # variance falls like 1/B (times the finite-population factor)
    v1 = D.minibatch_gradient_variance(theta, X, y, 1)
    v4 = D.minibatch_gradient_variance(theta, X, y, 4)
    assert v1 / v4 == pytest.approx(4 * 39 / 36)


def test_minibatch_gradient_noise_is_reproducible_and_checks_inputs():
    theta, X, y = _noise_problem()
    a = D.minibatch_gradient_noise(theta, X, y, 2, draws=50, seed=3)
    b = D.minibatch_gradient_noise(theta, X, y, 2, draws=50, seed=3)
    assert a[1] == b[1]
    with pytest.raises(ValueError, match="batch_size"):
        D.minibatch_gradient_noise(theta, X, y, 8)
    with pytest.raises(ValueError, match="batch_size"):
        D.minibatch_gradient_variance(theta, X, y, 0)
    with pytest.raises(ValueError, match="draws"):
        D.minibatch_gradient_noise(theta, X, y, 2, draws=0)
    with pytest.raises(ValueError, match="theta"):
        D.minibatch_gradient_variance(theta[:2], X, y, 2)


# ------------------------------------------- overflow (found by the sweep)
def test_convexity_gap_says_when_f_overflows():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no bare RuntimeWarning
        with pytest.raises(ValueError, match="not finite"):
            D.convexity_gap(np.square, 1e308, 0.0, 0.5)
        assert D.convexity_gap(np.square, -1.0, 1.0, 0.5) == 1.0


def test_double_well_gradient_of_a_huge_x_is_an_infinity_not_nan():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = D.double_well_gradient(np.array([1e308, -1e308, 1e103, 2.0]))
    assert got[0] == math.inf and got[1] == -math.inf
    assert got[2] == math.inf                   # 4x³ overflows alone
    assert got[3] == 4 * 8 - 12 + 1
    assert D.double_well_gradient(1e308) == math.inf
