"""Behaviour that the mutation run (make mutation, issue 8 §7) showed no test
pinned: the summary table and reprs students read, History's dict and repr,
evaluate's dtype handling, the messages of numerical failures, early stopping
on a model without get/set_weights, the notebook detection, the argument
checks of the optimizers and schedules, and a few activation extremes.

Expected values are written by hand (tables: column widths counted from the
longest entry; numbers: small integer examples worked out on paper).
"""
import collections
import sys
import types

import numpy as np
import pytest

import nnlab
from nnlab import activations as A
from nnlab import layers as L
from nnlab import optim as O
from nnlab import schedules as S
from nnlab import train as T
from nnlab.train import History, evaluate, fit


# ------------------------------------------------------------ Layer.__call__
def test_layer_call_passes_positional_and_keyword_arguments_to_forward():
    X = np.arange(1.0, 7.0).reshape(2, 3)
    drop = L.Dropout(0.5)                       # train mode: would drop entries
    # training=False given by position, then by keyword: the identity
    np.testing.assert_array_equal(drop(X, False), X)
    np.testing.assert_array_equal(drop(X, training=False), X)
    keep = np.array([[True, False, True], [False, True, True]])
    expected = np.array([[2.0, 0.0, 6.0], [0.0, 10.0, 12.0]])     # kept × 1/(1-0.5)
    np.testing.assert_array_equal(drop(X, mask=keep), expected)
    np.testing.assert_array_equal(drop(X, True, keep), expected)


# -------------------------------------------------------------------- reprs
def test_layer_reprs_list_every_constructor_argument():
    assert repr(L.BatchNorm(4)) == "BatchNorm(n=4, momentum=0.1, eps=1e-05)"
    assert repr(L.PReLU(3)) == "PReLU(num_parameters=3, init=0.25)"
    assert repr(L.Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(L.Activation("relu")) == "Activation('relu')"
    assert repr(L.Activation("leaky_relu", alpha=0.1)) == "Activation('leaky_relu', alpha=0.1)"
    assert repr(L.Activation("gelu", approximate="none")) == \
        "Activation('gelu', approximate='none')"


def test_getitem_with_a_wrong_index_type_names_that_type():
    model = L.Sequential([L.Dense(2, 3, rng=0)])
    with pytest.raises(TypeError, match=r"integer or a slice; got str$"):
        model["0"]
    with pytest.raises(TypeError, match=r"integer or a slice; got float$"):
        model[0.0]


# ------------------------------------------------------------------ summary
def _model():
    return L.Sequential([L.BatchNorm(2), L.Dense(2, 3, rng=0),
                         L.Activation("leaky_relu", alpha=0.1), L.Dropout(0.25),
                         L.Dense(3, 1, rng=0)])


# Column 1 is as wide as its longest entry, "(0) BatchNorm(n=2, momentum=0.1,
# eps=1e-05)" (43 characters); column 2 at least as wide as "output" (6);
# params right-aligned in 6 characters; two spaces before every column.
# BatchNorm(2): 2 + 2 parameters; Dense(2, 3): 2·3 + 3 = 9; Dense(3, 1): 3 + 1 = 4.
_HEAD = "  layer                                        output  params"
_ROWS = ["  (0) BatchNorm(n=2, momentum=0.1, eps=1e-05)  (m, 2)       4",
         "  (1) Dense(2, 3)                              (m, 3)       9",
         "  (2) Activation('leaky_relu', alpha=0.1)      (m, 3)       0",
         "  (3) Dropout(p=0.25)                          (m, 3)       0",
         "  (4) Dense(3, 1)                              (m, 1)       4"]
_TOTAL = "  total parameters: 17"


def test_summary_table_exact_in_train_mode():
    assert _model().summary() == "\n".join(
        ["Sequential (float64, train mode)", _HEAD, *_ROWS, _TOTAL])


def test_summary_marks_only_the_layers_whose_mode_differs():
    model = _model()
    model.eval()                                # all layers follow: no mark
    assert repr(model) == "\n".join(["Sequential (float64, eval mode)", _HEAD, *_ROWS, _TOTAL])
    model[2].train()                            # now the longest entry has 39 + 8 = 47
    assert model.summary() == "\n".join([
        "Sequential (float64, eval mode)",
        "  layer                                            output  params",
        "  (0) BatchNorm(n=2, momentum=0.1, eps=1e-05)      (m, 2)       4",
        "  (1) Dense(2, 3)                                  (m, 3)       9",
        "  (2) Activation('leaky_relu', alpha=0.1) [train]  (m, 3)       0",
        "  (3) Dropout(p=0.25)                              (m, 3)       0",
        "  (4) Dense(3, 1)                                  (m, 1)       4",
        _TOTAL])
    model.train()
    model[3].eval()
    rows = list(_ROWS)
    rows[3] = "  (3) Dropout(p=0.25) [eval]                   (m, 3)       0"
    assert model.summary() == "\n".join(
        ["Sequential (float64, train mode)", _HEAD, *rows, _TOTAL])


def test_summary_unknown_width_and_one_layer():
    # an activation first: any width works, so the output width is unknown
    assert L.Sequential([L.Activation("relu")]).summary() == "\n".join([
        "Sequential (float64, train mode)",
        "  layer                   output  params",
        "  (0) Activation('relu')  ?            0",
        "  total parameters: 0"])
    # ... and becomes known at the first layer with a fixed size
    lines = L.Sequential([L.Activation("tanh"), L.Dense(2, 120, rng=0),
                          L.Activation("relu")]).summary().splitlines()
    assert lines[1:] == ["  layer                   output    params",
                         "  (0) Activation('tanh')  ?              0",
                         "  (1) Dense(2, 120)       (m, 120)     360",
                         "  (2) Activation('relu')  (m, 120)       0",
                         "  total parameters: 360"]


# ------------------------------------------------------------------ History
def _history():
    return History(loss=[1.0, 0.25], accuracy=[0.5, 0.75], val_loss=[0.8, 0.5],
                   val_accuracy=[0.625, 0.875], lr=[0.1, 0.05], updates=[3, 3],
                   grad_norm={"0:Dense": [2.0, 1.0]}, best_epoch=1, stopped_early=True,
                   seconds=[0.5, 0.25])


def test_history_as_dict_has_every_field_under_its_name():
    assert _history().as_dict() == {
        "loss": [1.0, 0.25], "accuracy": [0.5, 0.75], "val_loss": [0.8, 0.5],
        "val_accuracy": [0.625, 0.875], "lr": [0.1, 0.05], "updates": [3, 3],
        "grad_norm": {"0:Dense": [2.0, 1.0]}, "best_epoch": 1, "stopped_early": True,
        "seconds": [0.5, 0.25]}


def test_history_repr_shows_the_last_epoch():
    assert repr(History()) == "History(no epochs)"
    assert repr(_history()) == ("History(2 epochs; last: loss 0.2500  acc 0.7500  "
                                "val_loss 0.5000  val_acc 0.8750  lr 0.05)")
    regression = History(loss=[2.0, 1.5, 0.125], accuracy=[None] * 3, lr=[0.01] * 3,
                         updates=[1] * 3)
    assert repr(regression) == "History(3 epochs; last: loss 0.1250  lr 0.01)"


# ----------------------------------------------------------------- evaluate
def test_evaluate_casts_X_and_y_to_the_models_dtype():
    # a float32 model whose first layer takes any dtype: X beyond the float32
    # range is an error naming X (not tanh(1e39) = 1 computed in float64)
    model = L.Sequential([L.Activation("tanh"), L.Dense(2, 2, rng=0, dtype=np.float32)])
    X = np.array([[1e39, 0.0], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"^X has values up to 1e\+39, "
                                         r"beyond the range of float32"):
        evaluate(model, X, np.array([0, 1]))
    # regression targets beyond float32 likewise name y
    reg = nnlab.mlp([2, 3, 1], rng=0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"^y has values up to 1e\+39, "
                                         r"beyond the range of float32"):
        evaluate(reg, np.ones((2, 2)), np.array([1e39, 0.0]), loss="mse")


def test_evaluate_with_non_finite_weights_blames_the_weights():
    model = nnlab.mlp([2, 3, 2], rng=0)
    model[0].W[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^the model's output is NaN or infinite because its "
                                         r"weights contain NaN or infinity \(did training "
                                         r"diverge\?\)$"):
        evaluate(model, np.ones((4, 2)), np.array([0, 1, 0, 1]))


def test_fit_with_non_finite_weights_blames_the_weights():
    model = nnlab.mlp([2, 3, 2], rng=0)
    model[0].W[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"before any update, on the first batch: .*; "
                                         r"the model's weights contain NaN or infinity$"):
        fit(model, np.ones((4, 2)), np.array([0, 1, 0, 1]), progress=False)


# ---------------------------------------- a model and optimizer of one's own
class _Line:
    """out = X @ w (one weight): a model without get_weights / set_weights."""

    def __init__(self):
        self.w = np.zeros((1, 1))
        self.dw = np.zeros((1, 1))
        self.params, self.grads = [self.w], [self.dw]

    def forward(self, X, training=None):
        self._X = np.asarray(X, dtype=float)
        return self._X @ self.w

    def backward(self, dY, input_grad=True):
        self.dw[...] = self._X.T @ dY
        return dY @ self.w.T if input_grad else None


class _Scripted:
    """An optimizer that sets the weight to the next value of a list."""
    lr = 0.1

    def __init__(self, values):
        self.values = iter(values)

    def step(self, params, grads):
        params[0][...] = next(self.values)


def test_early_stopping_restores_the_best_weights_of_a_model_without_set_weights():
    X = np.array([[1.0], [2.0]])
    y = np.array([1.0, 2.0])                    # the best weight is w = 1
    model = _Line()
    # one update per epoch: w = 1, 3, 5, 7; validation mse after each epoch:
    # w = 1: 0; w = 3: ((3-1)² + (6-2)²)/2 = 10; w = 5: (4² + 8²)/2 = 40
    h = fit(model, X, y, loss="mse", optimizer=_Scripted([1.0, 3.0, 5.0, 7.0]), epochs=4,
            batch_size=None, validation=(X, y), early_stopping=2, progress=False)
    assert h.val_loss == [0.0, 10.0, 40.0]
    assert h.stopped_early and h.best_epoch == 0
    assert model.w[0, 0] == 1.0


def test_evaluate_a_model_of_ones_own_without_dtype():
    model = _Line()
    model.w[...] = 2.0                          # out = 2x: errors 1 and 2
    loss, acc = evaluate(model, [[1.0], [2.0]], [1.0, 2.0], loss="mse")
    assert (loss, acc) == (2.5, None)           # (1² + 2²) / 2


class _Failing:
    """mse that raises ValueError(message) from its call number `at` on
    (call 1 is fit's loss of the initial model, call 2 the first batch)."""
    name = None

    def __init__(self, at, message):
        self.at, self.message, self.calls = at, message, 0

    def value(self, y, out):
        self.calls += 1
        if self.calls >= self.at:
            raise ValueError(self.message)
        return float(np.mean((out - y) ** 2))

    def gradient(self, y, out):
        return 2.0 * (out - y) / out.size


def _fit_line(loss, optimizer=None, batch_size=None):
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    return fit(_Line(), X, X[:, 0], loss=loss, epochs=3, batch_size=batch_size,
               optimizer=optimizer or "sgd", lr=None if optimizer else 0.01, progress=False)


def test_an_unrelated_value_error_inside_training_is_not_called_divergence():
    with pytest.raises(ValueError, match=r"^custom failure$"):
        _fit_line(_Failing(2, "custom failure"))
    with pytest.raises(ValueError, match=r"^custom failure$"):
        _fit_line(_Failing(3, "custom failure"))


@pytest.mark.parametrize("message", ["the loss got NaN", "an infinite value"])
def test_a_nan_or_infinity_error_inside_training_is_reported_as_such(message):
    # before any update: the data or the initial weights
    with pytest.raises(ValueError, match=r"^before any update, on the first batch: NaN or "
                                         r"infinity appeared \(" + message + r"\)"):
        _fit_line(_Failing(2, message))
    # after updates: divergence, in epoch 2 (update 2)
    with pytest.raises(FloatingPointError, match=r"^training diverged in epoch 2 \(update 2\): "
                                                 r"NaN or infinity appeared \(" + message):
        _fit_line(_Failing(3, message))


class _Nan:
    """An optimizer object that makes every weight NaN."""

    lr = 0.5

    def step(self, params, grads):
        for p in params:
            p[...] = np.nan


def test_divergence_after_weights_became_nan():
    # two batches per epoch; the first update makes the weights NaN.
    # Any ValueError once the weights are NaN is divergence, whatever it says
    with pytest.raises(FloatingPointError, match=r"^training diverged in epoch 1 \(update 2\): "
                                                 r"NaN or infinity appeared \(custom failure\)"):
        _fit_line(_Failing(3, "custom failure"), optimizer=_Nan(), batch_size=2)
    with pytest.raises(FloatingPointError, match=r"Lower the learning rate: lr=0\.5 is likely "
                                                 r"too high"):
        _fit_line("mse", optimizer=_Nan(), batch_size=2)


# ------------------------------------------------------- notebook detection
@pytest.mark.parametrize("shell, expected", [("ZMQInteractiveShell", True),
                                             ("TerminalInteractiveShell", False)])
def test_in_notebook_needs_a_jupyter_kernel_shell(monkeypatch, shell, expected):
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: type(shell, (), {})()
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert T._in_notebook() is expected


def test_not_in_notebook_without_ipython(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert T._in_notebook() is False
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: None            # IPython imported, no shell running
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert T._in_notebook() is False


# -------------------------------------------------- optimizer argument checks
def test_wrong_hyper_parameter_types_are_described_with_an_article():
    with pytest.raises(TypeError, match=r"^lr must be a number >= 0; got \[0\.1\] \(a list\)$"):
        O.SGD([0.1])
    with pytest.raises(TypeError, match=r"got Ellipsis \(an ellipsis\)$"):
        O.SGD(...)
    with pytest.raises(TypeError, match=r"got OrderedDict\(\) \(an OrderedDict\)$"):
        O.SGD(collections.OrderedDict())
    with pytest.raises(TypeError, match=r"^momentum must be a number in \[0, 1\); got None$"):
        O.SGD(0.1, momentum=None)


def test_long_values_are_cut_to_60_characters_in_messages():
    # repr of 58 letters is 60 characters with its quotes: shown whole
    whole = "'" + "x" * 58 + "'"
    with pytest.raises(TypeError) as info:
        O.SGD("x" * 58)
    assert str(info.value) == f"lr must be a number >= 0; got {whole} (a str)"
    # 61 characters: the first 57, then "..."
    with pytest.raises(TypeError) as info:
        O.SGD("x" * 59)
    assert str(info.value) == "lr must be a number >= 0; got '" + "x" * 56 + "... (a str)"


@pytest.mark.parametrize("make, message", [
    (lambda: O.Adagrad(lr_decay=-1), "lr_decay must be a number >= 0; got -1"),
    (lambda: O.Adagrad(initial_accumulator_value=-1),
     "initial_accumulator_value must be a number >= 0; got -1"),
    (lambda: O.Adagrad(eps=0), "eps must be a number > 0; got 0"),
    (lambda: O.RMSprop(alpha=1.5), "alpha must be a number in [0, 1]; got 1.5"),
    (lambda: O.RMSprop(eps=0), "eps must be a number > 0; got 0"),
    (lambda: O.RMSprop(centered="yes"), "centered must be True or False; got 'yes' (a str)"),
    (lambda: O.Adadelta(rho=1.5), "rho must be a number in [0, 1]; got 1.5"),
    (lambda: O.Adadelta(eps=0), "eps must be a number > 0; got 0"),
    (lambda: O.Nadam(eps=0), "eps must be a number > 0; got 0"),
    (lambda: O.Nadam(momentum_decay=-1), "momentum_decay must be a number >= 0; got -1"),
    (lambda: O.Nadam(decoupled_weight_decay="x"),
     "decoupled_weight_decay must be True or False; got 'x' (a str)"),
    (lambda: O.Nadam(0.01, True),
     "betas must be a pair (beta1, beta2) of numbers in [0, 1); got True (a bool); did you "
     "mean decoupled_weight_decay=True? Pass options by keyword, e.g. "
     "Nadam(0.01, decoupled_weight_decay=True)"),
    (lambda: O.Adamax(eps=0), "eps must be a number > 0; got 0"),
])
def test_optimizer_errors_name_the_argument_and_its_range(make, message):
    with pytest.raises((TypeError, ValueError)) as info:
        make()
    assert str(info.value) == message


def test_decay_rates_of_one_are_allowed():
    # alpha = 1 (RMSprop) and rho = 1 (Adadelta) are in the closed interval
    # [0, 1], as in torch; the averages then never change
    assert O.RMSprop(alpha=1.0).alpha == 1.0
    assert O.Adadelta(rho=1.0).rho == 1.0


def test_adagrad_adds_eps_to_the_root():
    p, g = np.zeros(1), np.ones(1)
    O.Adagrad(lr=1.0, eps=1.0).step([p], [g])
    # s = 0 + 1² = 1; p = 0 - 1 · 1 / (√1 + 1) = -0.5
    assert p[0] == -0.5


def test_rmsprop_state_has_no_momentum_buffer_without_momentum():
    p, g = np.zeros(2), np.ones(2)
    opt = O.RMSprop(lr=0.01)                    # momentum 0: torch keeps no buffer either
    opt.step([p], [g])
    assert set(opt.state[0]) == {"step", "square_avg"}


def test_optimizer_step_with_a_non_array_names_the_entry():
    opt = O.SGD(0.1)
    p = np.zeros(3)
    opt.step([p], [np.ones(3)])
    with pytest.raises(TypeError, match=r"^params\[0\] must be a NumPy array; "
                                        r"got \[0\.0\] \(a list\)$"):
        opt.step([[0.0]], [np.ones(3)])
    with pytest.raises(TypeError, match=r"^grads\[0\] must be a NumPy array like params\[0\] "
                                        r"\(shape \(3,\)\); got \[1\.0\] \(a list\)$"):
        opt.step([p], [[1.0]])
    with pytest.raises(ValueError, match=r"call zero_state\(\)\) for a new model$"):
        opt.step([np.zeros(4)], [np.ones(4)])


# ------------------------------------------------- schedule argument checks
def test_schedule_counts_accept_0d_integer_arrays_and_name_bad_values():
    s = S.StepDecay(1.0, step_size=np.array(2), gamma=0.5)
    # lr · gamma^(t // step_size): t = 3 gives 1 · 0.5^1
    assert s.step_size == 2 and s(3) == 0.5 and s(np.array(3)) == 0.5
    with pytest.raises(TypeError, match=r"^step_size must be an integer >= 1; "
                                        r"got 2\.0 \(a float\)$"):
        S.StepDecay(1.0, step_size=2.0)
    with pytest.raises(ValueError, match=r"^step_size must be an integer >= 1; got 0$"):
        S.StepDecay(1.0, step_size=0)


# --------------------------------------------------------------- activations
def test_leaky_relu_with_a_large_alpha_overflows_to_minus_infinity_quietly():
    # 10 · (-1e308) is beyond the float range: -inf, without a RuntimeWarning
    # (the test suite turns RuntimeWarnings into errors)
    out = A.leaky_relu(np.array([-1e308, -2.0, 3.0]), alpha=10)
    np.testing.assert_array_equal(out, [-np.inf, -20.0, 3.0])


def test_alpha_zero_is_allowed_and_a_negative_alpha_is_named():
    z = np.array([-2.0, -0.5, 0.0, 1.5])
    np.testing.assert_array_equal(A.leaky_relu(z, alpha=0), [0.0, 0.0, 0.0, 1.5])
    np.testing.assert_array_equal(A.elu(z, alpha=0), [0.0, 0.0, 0.0, 1.5])
    with pytest.raises(ValueError, match=r"^alpha must be"):
        A.leaky_relu(z, alpha=-1)


def test_exact_gelu_at_extreme_inputs():
    # Φ(z) is 0 far left and 1 far right: GELU(z) = z Φ(z) is 0 or z
    z = np.array([-1e308, -1e3, 1e3, 1e308])
    np.testing.assert_array_equal(A.gelu(z, approximate="none"), [0.0, 0.0, 1e3, 1e308])
    d = A.get("gelu", approximate="none").derivative(z)
    np.testing.assert_array_equal(d, [0.0, 0.0, 1.0, 1.0])


# ----------------------------------------------- two defects the survivors revealed
def test_evaluate_names_X_when_a_later_row_overflows_inside_an_activation():
    """Row 2 overflows to inf before a sigmoid: the message names X, not the layer's z."""
    import nnlab.layers as L
    from nnlab import train as T
    model = L.Sequential([L.Dense(1, 1, init="zeros", rng=0), L.Activation("sigmoid"),
                          L.Dense(1, 2, rng=0)])
    model[0].W[...] = 1e200
    X = np.array([[1e-300], [1e200]])
    with pytest.raises(ValueError, match=r"standardize X") as info:
        T.evaluate(model, X, np.array([0, 1]))
    assert "z contains" not in str(info.value)


def test_fit_rejects_an_optimizer_object_without_lr_up_front():
    import nnlab.layers as L
    from nnlab import train as T

    class NoLr:
        def step(self, params, grads):
            pass

    model = L.mlp([2, 3, 2], rng=0)
    X = np.random.default_rng(0).normal(size=(8, 2))
    with pytest.raises(TypeError, match=r"optimizer NoLr has \.step but no \.lr"):
        T.fit(model, X, np.arange(8) % 2, optimizer=NoLr(), epochs=1, progress=False)


# ------------------------------------------------- RReLU, Dropout, layer_from_config
def test_rrelu_with_an_int_seed_is_private_and_reproducible():
    X = -np.ones((4, 5))
    nnlab.seed(1)
    a = L.RReLU(rng=7).forward(X, training=True)
    nnlab.seed(2)                                   # the package generator must not matter
    b = L.RReLU(rng=7).forward(X, training=True)
    np.testing.assert_array_equal(a, b)
    c = L.RReLU(rng=8).forward(X, training=True)
    assert not np.array_equal(a, c)
    assert np.all((-a >= 1 / 8) & (-a <= 1 / 3))    # slopes drawn from U(1/8, 1/3)


def test_rrelu_bounds_may_be_zero_and_errors_name_them():
    layer = L.RReLU(lower=0.0, upper=0.0, rng=0)    # torch accepts lower = upper = 0
    np.testing.assert_array_equal(layer.forward(np.array([[-2.0, 3.0]]), training=True),
                                  [[0.0, 3.0]])
    with pytest.raises(ValueError, match="lower"):
        L.RReLU(lower=-0.1)
    with pytest.raises(ValueError, match="upper"):
        L.RReLU(upper=-0.1)


def test_dropout_keeps_the_dtype_it_is_given():
    assert L.Dropout(0.5, dtype=np.float32).dtype == np.float32
    assert L.Dropout(0.5).dtype is None


def test_layer_from_config_messages_name_what_is_wrong():
    with pytest.raises(TypeError, match=r"kind must be a layer class name such as 'Dense'; got int$"):
        L.layer_from_config(3, {})
    with pytest.raises(ValueError, match=r"kind must be one of: Dense, Activation, Dropout, "):
        L.layer_from_config("Conv", {})
    with pytest.raises(TypeError, match=r"config must be a dict of constructor arguments; got list$"):
        L.layer_from_config("Dense", [])
    with pytest.raises(ValueError, match=r"^config of an Activation needs its 'name'$"):
        L.layer_from_config("Activation", {})


@pytest.mark.parametrize("key", ["self", "dtype", "bogus"])
def test_layer_from_config_refuses_keys_that_are_not_constructor_arguments(key):
    with pytest.raises(ValueError, match=rf"config of a Dense has unknown keys \['{key}'\]"):
        L.layer_from_config("Dense", {"n_in": 2, "n_out": 3, key: 1})
