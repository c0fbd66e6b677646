"""Bad and extreme input, everywhere: a sweep over nnlab's public API.

For every public function (and the methods a student calls), start from one
valid call and replace one argument at a time by a value from ``BAD``. The
call may succeed, or fail with a ``ValueError`` / ``TypeError`` (a documented
``FloatingPointError`` where training diverges); any other exception — a bare
``AttributeError``, ``IndexError``, ``KeyError``, ``ZeroDivisionError``,
``OverflowError``, a NumPy ``LinAlgError`` — or a NaN in the result (a silent
wrong answer), or a RuntimeWarning (pytest turns them into errors) fails.
A test also fails when an error message does not name the argument that was
replaced, so that a student can tell which argument to fix.
"""
from __future__ import annotations

import math
import signal
import warnings

import numpy as np
import pytest

import nnlab
from nnlab import (activations, data, gradcheck, init, io, layers, losses, optim,
                   schedules, train)
from nnlab.chapters import (ch01_neuron, ch02_logistic, ch03_softmax,
                            ch04_gradient_descent, ch05_activations)

BAD = {
    "None": None,
    "str": "abc",
    "bool": True,
    "dict": {},
    "object": object(),
    "empty": [],
    "ragged": [[1.0, 2.0], [3.0]],
    "nan": float("nan"),
    "inf": float("inf"),
    "neg": -1,
    "zero": 0,
    "huge": 1e308,
    "0d": np.array(1.5),
    "3d": np.ones((2, 2, 2)),
    "nan_array": np.array([[np.nan, 1.0], [2.0, 3.0]]),
    "complex": 1 + 2j,
}


def _X(m=6, n=3, seed=0):
    return np.random.default_rng(seed).normal(size=(m, n))


def _labels(m=6, k=3):
    return np.arange(m) % k


def _model():
    return layers.mlp([3, 4, 3], rng=0)


def _grads_for(params):
    return [np.ones_like(p) for p in params]


# name -> (function to call, {argument: factory of a valid value})
# Factories keep every call independent (a mutated array never leaks).
CASES = {
    # activations
    **{f"activations.{n}": (getattr(activations, n), {"z": lambda: _X()})
       for n in ("step", "linear", "sigmoid", "tanh", "relu", "selu", "softplus",
                 "mish")},
    "activations.leaky_relu": (activations.leaky_relu, {"z": _X, "alpha": lambda: 0.1}),
    "activations.elu": (activations.elu, {"z": _X, "alpha": lambda: 1.0}),
    "activations.gelu": (activations.gelu, {"z": _X, "approximate": lambda: "tanh"}),
    "activations.softmax": (activations.softmax, {"z": _X, "axis": lambda: -1}),
    "activations.log_softmax": (activations.log_softmax, {"z": _X, "axis": lambda: -1}),
    "activations.get": (activations.get, {"name": lambda: "relu"}),
    # losses
    **{f"losses.{n}": (getattr(losses, n), {"y_true": lambda: np.eye(3)[_labels()],
                                           "y_pred": lambda: np.full((6, 3), 1 / 3)})
       for n in ("mse", "half_mse", "mae", "cross_entropy", "mse_gradient",
                 "half_mse_gradient", "mae_gradient", "cross_entropy_gradient")},
    **{f"losses.{n}": (getattr(losses, n), {"y_true": lambda: np.array([0.0, 1.0, 1.0]),
                                           "y_pred": lambda: np.array([0.2, 0.7, 0.9])})
       for n in ("binary_cross_entropy", "binary_cross_entropy_gradient",
                 "sigmoid_cross_entropy", "sigmoid_cross_entropy_gradient")},
    **{f"losses.{n}": (getattr(losses, n), {"y_true": _labels, "y_pred": _X})
       for n in ("softmax_cross_entropy", "softmax_cross_entropy_gradient")},
    "losses.get": (losses.get, {"name": lambda: "mse"}),
    # init
    **{f"init.{n}": (getattr(init, n), {"shape": lambda: (3, 4), "rng": lambda: 0,
                                       "dtype": lambda: np.float64})
       for n in ("zeros", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                 "lecun_normal", "lecun_uniform")},
    "init.constant": (init.constant, {"value": lambda: 0.5}),
    "init.normal": (init.normal, {"std": lambda: 0.1}),
    "init.uniform": (init.uniform, {"limit": lambda: 0.1}),
    "init.fans": (init.fans, {"shape": lambda: (3, 4)}),
    "init.get": (init.get, {"name": lambda: "he_normal"}),
    # gradcheck
    "gradcheck.numerical_gradient": (gradcheck.numerical_gradient,
                                     {"f": lambda: (lambda x: float(np.sum(x ** 2))),
                                      "x": lambda: np.array([1.0, 2.0]), "eps": lambda: 1e-6}),
    "gradcheck.check_gradient": (gradcheck.check_gradient,
                                 {"f": lambda: (lambda x: float(np.sum(x ** 2))),
                                  "x": lambda: np.array([1.0, 2.0]),
                                  "analytic": lambda: np.array([2.0, 4.0]), "eps": lambda: 1e-6}),
    "gradcheck.relative_error": (gradcheck.relative_error,
                                 {"analytic": lambda: np.array([2.0, 4.0]),
                                  "numeric": lambda: np.array([2.0, 4.0])}),
    # data
    **{f"data.{n}": (getattr(data, n), {"n_samples": lambda: 20, "noise": lambda: 0.1,
                                       "seed": lambda: 0})
       for n in ("make_linear", "make_blobs", "make_moons", "make_circles", "make_xor",
                 "make_spirals")},
    "data.train_test_split": (data.train_test_split,
                              {"X": lambda: _X(12), "y": lambda: _labels(12),
                               "test_size": lambda: 0.25, "stratify": lambda: True,
                               "seed": lambda: 0}),
    "data.one_hot": (data.one_hot, {"y": _labels, "n_classes": lambda: 3}),
    "data.minibatches": (lambda **kw: list(data.minibatches(**kw)),
                         {"X": _X, "y": _labels, "batch_size": lambda: 4, "rng": lambda: 0}),
    "data.read_idx": (data.read_idx, {"path": lambda: "/nonexistent/file.idx"}),
    "data.load_mnist": (data.load_mnist, {"path": lambda: "/nonexistent", "kind": lambda: "train"}),
    "data.Standardizer.fit": (lambda X: data.Standardizer().fit(X), {"X": _X}),
    "data.Standardizer.transform": (lambda X: data.Standardizer().fit(_X()).transform(X),
                                    {"X": _X}),
    # chapter 1
    "ch01_neuron.add_bias_column": (ch01_neuron.add_bias_column, {"X": _X}),
    "ch01_neuron.normal_equation": (ch01_neuron.normal_equation,
                               {"X": lambda: _X(8), "y": lambda: np.arange(8.0)}),
    "ch01_neuron.linear_regression_gd": (ch01_neuron.linear_regression_gd,
                                    {"X": lambda: _X(8), "y": lambda: np.arange(8.0),
                                     "lr": lambda: 0.1, "steps": lambda: 5}),
    "ch01_neuron.perceptron_predict": (ch01_neuron.perceptron_predict,
                                  {"X": _X, "w": lambda: np.ones(3), "b": lambda: 0.0}),
    "ch01_neuron.perceptron_train": (ch01_neuron.perceptron_train,
                                {"X": _X, "y": lambda: _labels(6, 2), "lr": lambda: 1.0,
                                 "epochs": lambda: 3}),
    # chapters 2-3
    "ch03_softmax.logits": (ch03_softmax.logits,
                             {"X": _X, "W": lambda: np.ones((3, 2)), "b": lambda: np.zeros(2)}),
    "ch03_softmax.softmax": (ch03_softmax.softmax, {"z": _X}),
    "ch03_softmax.cross_entropy": (ch03_softmax.cross_entropy,
                                   {"Y": lambda: np.eye(3)[_labels()],
                                    "P": lambda: np.full((6, 3), 1 / 3)}),
    "ch03_softmax.mae": (ch03_softmax.mae,
                         {"y": _X, "y_hat": lambda: _X(seed=1)}),
    "ch03_softmax.logit": (ch03_softmax.logit,
                           {"p": lambda: np.array([0.2, 0.5])}),
    "activations.logit": (activations.logit, {"p": lambda: np.array([0.2, 0.5])}),
    **{f"ch02_logistic.{n}": (getattr(ch02_logistic, n),
                              {"X": _X, "w": lambda: np.ones(3), "b": lambda: 0.0})
       for n in ("logistic_forward", "logistic_predict")},
    **{f"ch02_logistic.{n}": (getattr(ch02_logistic, n),
                              {"X": _X, "y": lambda: _labels(6, 2), "w": lambda: np.ones(3),
                               "b": lambda: 0.0})
       for n in ("logistic_loss", "logistic_gradients")},
    "ch02_logistic.logistic_one_sample": (ch02_logistic.logistic_one_sample,
                                          {"x": lambda: np.ones(3), "y": lambda: 1,
                                           "w": lambda: np.ones(3), "b": lambda: 0.0}),
    "ch02_logistic.logistic_regression_fit": (ch02_logistic.logistic_regression_fit,
                                              {"X": _X, "y": lambda: _labels(6, 2),
                                               "lr": lambda: 0.1, "epochs": lambda: 3}),
    "ch03_softmax.softmax_temperature": (ch03_softmax.softmax_temperature,
                                          {"z": lambda: np.array([1.0, 2.0]),
                                           "temperature": lambda: 2.0}),
    **{f"ch03_softmax.{n}": (getattr(ch03_softmax, n),
                              {"X": _X, "W": lambda: np.ones((3, 3)), "b": lambda: np.zeros(3)})
       for n in ("softmax_regression_forward", "softmax_regression_predict",
                 "multilabel_forward")},
    **{f"ch03_softmax.{n}": (getattr(ch03_softmax, n),
                              {"X": _X, "y": _labels, "W": lambda: np.ones((3, 3)),
                               "b": lambda: np.zeros(3)})
       for n in ("softmax_regression_loss", "softmax_regression_gradients")},
    "ch03_softmax.softmax_regression_fit": (ch03_softmax.softmax_regression_fit,
                                             {"X": _X, "y": _labels, "n_classes": lambda: 3,
                                              "lr": lambda: 0.1, "epochs": lambda: 3}),
    **{f"ch03_softmax.{n}": (getattr(ch03_softmax, n),
                              {"X": _X, "Y": lambda: np.eye(3)[_labels()],
                               "W": lambda: np.ones((3, 3)), "b": lambda: np.zeros(3)})
       for n in ("multilabel_loss", "multilabel_gradients")},
    "ch03_softmax.multilabel_fit": (ch03_softmax.multilabel_fit,
                                     {"X": _X, "Y": lambda: np.eye(3)[_labels()],
                                      "lr": lambda: 0.1, "epochs": lambda: 3}),
    "ch03_softmax.multilabel_predict": (ch03_softmax.multilabel_predict,
                                         {"scores": lambda: np.full((2, 3), 0.7),
                                          "threshold": lambda: 0.5}),
    # chapter 4
    "ch04_gradient_descent.gradient_descent": (ch04_gradient_descent.gradient_descent,
                                 {"grad_fn": lambda: (lambda t: 2 * t), "theta0": lambda: 1.0,
                                  "lr": lambda: 0.1, "steps": lambda: 5}),
    **{f"ch04_gradient_descent.{n}": (getattr(ch04_gradient_descent, n),
                        {"theta": lambda: 1.0, "x": lambda: np.array([1.0, 2.0]),
                         "y": lambda: np.array([1.0, 2.5])})
       for n in ("one_param_cost", "one_param_gradient")},
    "ch04_gradient_descent.one_param_curvature": (ch04_gradient_descent.one_param_curvature, {"x": lambda: np.array([1.0, 2.0])}),
    "ch04_gradient_descent.one_param_minimizer": (ch04_gradient_descent.one_param_minimizer,
                                    {"x": lambda: np.array([1.0, 2.0]), "y": lambda: np.array([1.0, 2.5])}),
    **{f"ch04_gradient_descent.{n}": (getattr(ch04_gradient_descent, n),
                        {"theta": lambda: np.zeros(2), "X": lambda: _X(5, 2),
                         "y": lambda: np.arange(5.0)})
       for n in ("linreg_cost", "linreg_gradient")},
    "ch04_gradient_descent.scale_features": (ch04_gradient_descent.scale_features, {"X": _X, "method": lambda: "standardize"}),
    "ch04_gradient_descent.hessian_curvatures": (ch04_gradient_descent.hessian_curvatures, {"X": _X}),
    "ch04_gradient_descent.hessian_condition": (ch04_gradient_descent.hessian_condition, {"X": _X}),
    "ch04_gradient_descent.steps_to_tolerance": (ch04_gradient_descent.steps_to_tolerance,
                                   {"path": lambda: np.array([[1.0], [0.5], [0.0]]),
                                    "theta_star": lambda: np.array([0.0]), "tol": lambda: 1e-3}),
    "ch04_gradient_descent.updates_per_epoch": (ch04_gradient_descent.updates_per_epoch,
                                  {"m": lambda: 12, "batch_size": lambda: 5}),
    "ch04_gradient_descent.minibatch_gd": (ch04_gradient_descent.minibatch_gd,
                             {"X": lambda: _X(8, 2), "y": lambda: np.arange(8.0),
                              "theta0": lambda: np.zeros(2), "lr": lambda: 0.05,
                              "epochs": lambda: 2, "batch_size": lambda: 4, "seed": lambda: 0}),
    "ch04_gradient_descent.saddle_loss": (ch04_gradient_descent.saddle_loss, {"theta": lambda: np.array([1.0, 2.0])}),
    "ch04_gradient_descent.double_well": (ch04_gradient_descent.double_well, {"x": lambda: np.array([1.0, 2.0])}),
    "ch04_gradient_descent.inverse_time_lr": (ch04_gradient_descent.inverse_time_lr,
                                              {"t": lambda: 3, "lr": lambda: 0.1,
                                               "decay_rate": lambda: 1.0, "decay_steps": lambda: 4}),
    # chapter 5
    "ch05_activations.collapse_linear_layers": (ch05_activations.collapse_linear_layers,
                                                {"W1": lambda: np.ones((3, 4)), "b1": lambda: np.zeros(4),
                                                 "W2": lambda: np.ones((4, 2)), "b2": lambda: np.zeros(2)}),
    "ch05_activations.value_range": (ch05_activations.value_range,
                                     {"name": lambda: "tanh", "z": lambda: np.linspace(-3, 3, 7)}),
    "ch05_activations.gradient_after_layers": (ch05_activations.gradient_after_layers,
                                               {"name": lambda: "sigmoid", "z": lambda: 0.0,
                                                "n_layers": lambda: 5, "weight": lambda: 1.0}),
    "ch05_activations.dead_fraction": (ch05_activations.dead_fraction,
                                       {"X": _X, "W": lambda: np.ones((3, 4)), "b": lambda: np.zeros(4)}),
    "ch05_activations.sigmoid": (ch05_activations.sigmoid, {"z": lambda: np.linspace(-3, 3, 7)}),
    "ch05_activations.tanh": (ch05_activations.tanh, {"z": lambda: np.linspace(-3, 3, 7)}),
    "ch05_activations.relu": (ch05_activations.relu, {"z": lambda: np.linspace(-3, 3, 7)}),
    "ch05_activations.leaky_relu": (ch05_activations.leaky_relu,
                                    {"z": lambda: np.linspace(-3, 3, 7), "alpha": lambda: 0.1}),
    "ch05_activations.gelu": (ch05_activations.gelu,
                              {"z": lambda: np.linspace(-3, 3, 7), "approximate": lambda: "none"}),
    "ch05_activations.prelu": (ch05_activations.prelu, {"X": _X, "alpha": lambda: np.full(3, 0.25)}),
    # chapters 1-5, second edition
    **{f"ch04_gradient_descent.{n}": (getattr(ch04_gradient_descent, n),
                                      {"theta": lambda: np.zeros(2), "X": lambda: _X(8, 2),
                                       "y": lambda: np.arange(8.0), "batch_size": lambda: 4})
       for n in ("minibatch_gradient_noise", "minibatch_gradient_variance")},
    "ch04_gradient_descent.convexity_gap": (ch04_gradient_descent.convexity_gap,
                                            {"f": lambda: np.square,
                                             "a": lambda: np.array([-1.0, 0.0]),
                                             "b": lambda: np.array([1.0, 2.0]),
                                             "t": lambda: np.array([0.5, 0.25])}),
    "ch04_gradient_descent.classify_run": (ch04_gradient_descent.classify_run,
                                           {"path": lambda: np.array([4.0, 2.0, 1.5, 1.2]),
                                            "losses": lambda: np.array([9.0, 4.0, 2.0, 1.0])}),
    "ch04_gradient_descent.saddle_gradient": (ch04_gradient_descent.saddle_gradient,
                                              {"theta": lambda: np.array([1.0, 2.0])}),
    "ch04_gradient_descent.double_well_gradient": (ch04_gradient_descent.double_well_gradient,
                                                   {"x": lambda: np.array([1.0, 2.0])}),
    "ch01_neuron.step": (ch01_neuron.step, {"z": lambda: np.array([-1.0, 0.0, 2.0])}),
    "ch01_neuron.mse": (ch01_neuron.mse, {"y": lambda: np.array([1.0, 2.0]),
                                          "y_hat": lambda: np.array([2.0, 4.0])}),
    "ch01_neuron.step_with": (ch01_neuron.step_with,
                              {"z": lambda: np.array([-1.0, 0.0, 2.0]), "at_zero": lambda: 0.5}),
    "ch01_neuron.largest_stable_lr": (ch01_neuron.largest_stable_lr, {"X": _X}),
    "ch02_logistic.sigmoid": (ch02_logistic.sigmoid, {"z": lambda: np.linspace(-3, 3, 7)}),
    "ch02_logistic.logit": (ch02_logistic.logit, {"p": lambda: np.array([0.2, 0.5])}),
    "ch02_logistic.binary_cross_entropy": (ch02_logistic.binary_cross_entropy,
                                           {"y": lambda: np.array([0.0, 1.0]),
                                            "p_hat": lambda: np.array([0.3, 0.8])}),
    **{f"ch02_logistic.{n}": (getattr(ch02_logistic, n),
                              {"z": lambda: np.array([0.5, 5.0]), "y": lambda: np.array([0.0, 1.0])})
       for n in ("sigmoid_bce_dz", "sigmoid_mse_dz")},
    "ch02_logistic.logistic_mse": (ch02_logistic.logistic_mse,
                                   {"X": _X, "y": lambda: _labels(6, 2), "w": lambda: np.ones(3),
                                    "b": lambda: 0.0}),
    "ch03_softmax.softmax_jacobian": (ch03_softmax.softmax_jacobian,
                                      {"z": lambda: np.array([1.0, 2.0, 0.0])}),
    "ch03_softmax.cross_entropy_logit_gradient": (ch03_softmax.cross_entropy_logit_gradient,
                                                  {"z": lambda: np.array([1.0, 2.0, 0.0]),
                                                   "y": lambda: 1}),
    "ch03_softmax.entropy": (ch03_softmax.entropy, {"p": lambda: np.array([0.2, 0.3, 0.5])}),
    "ch03_softmax.kl_divergence": (ch03_softmax.kl_divergence,
                                   {"p": lambda: np.array([0.2, 0.3, 0.5]),
                                    "q": lambda: np.array([0.3, 0.3, 0.4])}),
    "ch03_softmax.smooth_labels": (ch03_softmax.smooth_labels,
                                   {"y": lambda: np.array([0, 2]), "n_classes": lambda: 3,
                                    "epsilon": lambda: 0.1}),
    "ch05_activations.layer_factors": (ch05_activations.layer_factors,
                                       {"name": lambda: "sigmoid", "z": lambda: 0.0,
                                        "n_layers": lambda: 5, "weight": lambda: 1.0}),
    # layers
    "layers.Dense": (layers.Dense, {"n_in": lambda: 3, "n_out": lambda: 2, "init": lambda: "he_normal",
                                    "rng": lambda: 0, "dtype": lambda: np.float64}),
    "layers.Activation": (layers.Activation, {"name": lambda: "relu"}),
    "layers.Dropout": (layers.Dropout, {"p": lambda: 0.5, "rng": lambda: 0}),
    "layers.BatchNorm": (layers.BatchNorm, {"n": lambda: 3, "momentum": lambda: 0.1, "eps": lambda: 1e-5}),
    "layers.PReLU": (layers.PReLU, {"num_parameters": lambda: 1, "init": lambda: 0.25}),
    "layers.RReLU": (layers.RReLU, {"lower": lambda: 0.1, "upper": lambda: 0.3, "rng": lambda: 0}),
    "layers.Sequential": (layers.Sequential, {"layers": lambda: [layers.Dense(3, 2, rng=0)]}),
    "layers.mlp": (layers.mlp, {"sizes": lambda: [3, 4, 2], "activation": lambda: "relu",
                                "dropout": lambda: 0.1, "rng": lambda: 0}),
    "layers.Dense.forward": (lambda X: layers.Dense(3, 2, rng=0).forward(X), {"X": _X}),
    "layers.Dense.backward": (lambda dY: _forwarded(layers.Dense(3, 2, rng=0)).backward(dY),
                              {"dY": lambda: np.ones((6, 2))}),
    "layers.BatchNorm.forward": (lambda X: layers.BatchNorm(3).forward(X), {"X": _X}),
    "layers.Dropout.forward": (lambda X: layers.Dropout(0.5, rng=0).forward(X), {"X": _X}),
    "layers.Sequential.predict": (lambda X, batch_size: _model().predict(X, batch_size=batch_size),
                                  {"X": _X, "batch_size": lambda: 2}),
    "layers.Sequential.forward": (lambda X: _model().forward(X), {"X": _X}),
    "layers.Sequential.backward": (lambda dY: _forwarded(_model()).backward(dY),
                                   {"dY": lambda: np.ones((6, 3))}),
    "layers.Sequential.set_weights": (lambda weights: _model().set_weights(weights),
                                      {"weights": lambda: _model().get_weights()}),
    "layers.layer_from_config": (layers.layer_from_config,
                                 {"kind": lambda: "Dense", "config": lambda: {"n_in": 3, "n_out": 2}}),
    # optim
    **{f"optim.{n}": (getattr(optim, n), {"lr": lambda: 0.01})
       for n in ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Nadam", "Adamax")},
    "optim.SGD.momentum": (optim.SGD, {"lr": lambda: 0.01, "momentum": lambda: 0.9,
                                       "nesterov": lambda: False}),
    "optim.Adam.betas": (optim.Adam, {"lr": lambda: 0.01, "betas": lambda: (0.9, 0.999),
                                      "eps": lambda: 1e-8}),
    "optim.get": (optim.get, {"name": lambda: "adam"}),
    **{f"optim.{n}.step": (lambda params, grads, n=n: getattr(optim, n)(lr=0.01).step(params, grads),
                           {"params": lambda: [np.ones((3, 2)), np.zeros(2)],
                            "grads": lambda: [np.ones((3, 2)), np.ones(2)]})
       for n in ("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Nadam", "Adamax")},
    # schedules
    "schedules.Constant": (schedules.Constant, {"lr": lambda: 0.1}),
    "schedules.StepDecay": (schedules.StepDecay, {"lr": lambda: 0.1, "step_size": lambda: 10,
                                                  "gamma": lambda: 0.5}),
    "schedules.ExponentialDecay": (schedules.ExponentialDecay, {"lr": lambda: 0.1, "gamma": lambda: 0.9,
                                                                "decay_steps": lambda: 1}),
    "schedules.InverseTimeDecay": (schedules.InverseTimeDecay, {"lr": lambda: 0.1, "decay_rate": lambda: 1.0,
                                                                "decay_steps": lambda: 1}),
    "schedules.CosineDecay": (schedules.CosineDecay, {"lr": lambda: 0.1, "T_max": lambda: 10,
                                                      "eta_min": lambda: 0.0}),
    "schedules.LinearWarmup": (schedules.LinearWarmup, {"lr": lambda: 0.1, "warmup_steps": lambda: 5}),
    "schedules.OneCycle": (schedules.OneCycle, {"max_lr": lambda: 0.1, "total_steps": lambda: 20,
                                                "pct_start": lambda: 0.3}),
    "schedules.Schedule.__call__": (lambda step: schedules.CosineDecay(0.1, 10)(step), {"step": lambda: 3}),
    "schedules.lr_range_test": (schedules.lr_range_test,
                                {"model": _model, "X": lambda: _X(16), "y": lambda: _labels(16),
                                 "lr_min": lambda: 1e-4, "lr_max": lambda: 1.0, "n_steps": lambda: 5,
                                 "batch_size": lambda: 4}),
    # train
    "train.fit": (train.fit, {"model": _model, "X": lambda: _X(16), "y": lambda: _labels(16),
                              "epochs": lambda: 2, "batch_size": lambda: 4, "lr": lambda: 0.05,
                              "validation": lambda: (_X(4, seed=1), _labels(4)),
                              "progress": lambda: False}),
    "train.evaluate": (train.evaluate, {"model": _model, "X": _X, "y": _labels}),
    # io
    "io.save": (lambda model, path: io.save(model, path),
                {"model": _model, "path": lambda: "model.npz"}),
    "io.load": (io.load, {"path": lambda: "/nonexistent/model.npz"}),
}

# Where a documented error that is not a ValueError/TypeError is the right answer.
EXTRA_OK = {
    "train.fit": (FloatingPointError,),
    "schedules.lr_range_test": (FloatingPointError,),
    "ch01_neuron.linear_regression_gd": (FloatingPointError,),
    "ch04_gradient_descent.minibatch_gd": (FloatingPointError,),
    "data.read_idx": (FileNotFoundError,),
    "data.load_mnist": (FileNotFoundError,),
    "io.load": (FileNotFoundError,),
}
# Calls whose valid form already raises (a missing file): only the argument sweep matters.
BASE_MAY_RAISE = {"data.read_idx", "data.load_mnist", "io.load"}


def _forwarded(layer):
    layer.forward(_X())
    return layer


def _has_nan(value) -> bool:
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return bool(np.isnan(value).any())
    if isinstance(value, (list, tuple)):
        return any(_has_nan(v) for v in value)
    return False


class _Timeout(Exception):
    pass


def _call(fn, kwargs, seconds=20):
    def handler(signum, frame):
        raise _Timeout(f"took more than {seconds} s")
    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return fn(**kwargs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run in a scratch folder: a bad path such as "abc" must not litter the repository."""
    monkeypatch.chdir(tmp_path)


def _sweep_ids():
    for name, (_, args) in CASES.items():
        for arg in args:
            yield f"{name}:{arg}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_valid_call_works(case):
    """The starting point of every sweep is a call that works."""
    fn, args = CASES[case]
    nnlab.seed(0)
    if case in BASE_MAY_RAISE:
        with pytest.raises(EXTRA_OK[case]):
            _call(fn, {k: f() for k, f in args.items()})
        return
    result = _call(fn, {k: f() for k, f in args.items()})
    assert not _has_nan(result), f"{case}: the valid call returned NaN"


@pytest.mark.parametrize("target", sorted(_sweep_ids()))
def test_bad_argument(target):
    """Replace one argument by each bad value: a clear error naming it, or a sound result."""
    case, arg = target.split(":")
    fn, args = CASES[case]
    allowed = (ValueError, TypeError) + EXTRA_OK.get(case, ())
    problems = []
    for label, bad in BAD.items():
        kwargs = {k: f() for k, f in args.items()}
        if isinstance(bad, np.ndarray):
            bad = bad.copy()
        kwargs[arg] = bad
        nnlab.seed(0)
        try:
            result = _call(fn, kwargs)
        except allowed as err:
            if isinstance(err, (ValueError, TypeError)) and not _names(err, arg):
                problems.append(f"{label}: {type(err).__name__} does not name {arg!r}: {err}")
            continue
        except Exception as err:  # noqa: BLE001 - the point of the sweep
            problems.append(f"{label}: bare {type(err).__name__}: {err}")
            continue
        if _has_nan(result):
            problems.append(f"{label}: returned NaN without an error")
    assert not problems, f"{case}, argument {arg!r}:\n  " + "\n  ".join(problems)


def _names(err, arg) -> bool:
    """True when the message names the argument (or, for a whole-array problem, its role)."""
    text = str(err)
    aliases = {arg, arg.lower(), arg.replace("_", " ")}
    return any(a in text for a in aliases)


# ------------------------------------------------------------------ combinations
# What replacing one argument cannot reach: arguments that are each fine but do
# not fit together, extreme arrays (1e39 into float32, 1e200 through BatchNorm),
# calls in the wrong order, NumPy scalar types, custom objects. Each entry is
# (call, words): words=None means the call must work and return no NaN;
# otherwise it must raise a ValueError / TypeError (FloatingPointError where
# documented) whose message contains every word. Never a bare error, a
# RuntimeWarning (an error here) or a silent NaN.
def _f32_model():
    return layers.mlp([3, 4, 3], rng=0, dtype=np.float32)


def _huge(value, m=4, n=3):
    return np.full((m, n), value) * np.linspace(1, 2, m)[:, None]


class _StrLoss:
    """A custom loss whose value is not a number."""

    def value(self, y, out):
        return "small"

    def gradient(self, y, out):
        return np.zeros_like(out)


class _PlainMSE:
    """A custom loss written as a student would: no shape checks at all."""

    def value(self, y, out):
        return float(np.mean((out - y) ** 2))

    def gradient(self, y, out):
        return 2 * (out - y) / out.size


class _NoLrAt(schedules.Schedule):
    pass


COMBOS = {
    # calls in the wrong order: CallOrderError is a RuntimeError and a ValueError
    "Dense.backward before forward": (lambda: layers.Dense(3, 2, rng=0).backward(np.ones((6, 2))),
                                      ["backward", "before forward"]),
    "BatchNorm.backward before forward": (lambda: layers.BatchNorm(3).backward(np.ones((6, 3))),
                                          ["before forward"]),
    "Sequential.backward before forward": (lambda: _model().backward(np.ones((6, 3))),
                                           ["before forward"]),
    "Standardizer.transform before fit": (lambda: data.Standardizer().transform(_X()),
                                          ["not fitted", "fit"]),
    "Sequential[99]": (lambda: _model()[99], ["index 99", "out of range"]),
    "softmax derivative": (lambda: activations.get("softmax").derivative(_X()), ["vjp"]),
    "Schedule without lr_at": (lambda: _NoLrAt()(0), ["lr_at"]),
    # values beyond float32 converted into a float32 model (was: overflow warning, inf)
    "float32 predict 1e39": (lambda: _f32_model().predict(_huge(1e39)), ["X", "float32"]),
    "float32 forward 1e39": (lambda: _f32_model().forward(_huge(1e39)), ["X", "float32"]),
    "float32 Dense.forward 1e39": (lambda: layers.Dense(3, 2, rng=0, dtype=np.float32)
                                   .forward(_huge(1e39)), ["X", "float32"]),
    "float32 fit 1e39": (lambda: train.fit(_f32_model(), _huge(1e39), _labels(4), progress=False),
                         ["X", "float32"]),
    "float32 evaluate 1e39": (lambda: train.evaluate(_f32_model(), _huge(1e39), _labels(4)),
                              ["X", "float32"]),
    "float32 validation 1e39": (lambda: train.fit(_f32_model(), _X(), _labels(), progress=False,
                                                  validation=(_huge(1e39), _labels(4))),
                                ["validation X", "float32"]),
    "float32 set_weights 1e300": (lambda: (lambda m: m.set_weights(
        [np.full(w.shape, 1e300) for w in m.get_weights()]))(_f32_model()), ["weights[0]", "float32"]),
    "float32 Dense init 1e300": (lambda: layers.Dense(2, 2, dtype=np.float32,
                                                      init=lambda s, r: np.full(s, 1e300)),
                                 ["init", "float32"]),
    "float32 mse y_true 1e300": (lambda: losses.mse(np.array([1e300]), np.ones(1, np.float32)),
                                 ["y_true", "float32"]),
    "float32 lr_range_test 1e39": (lambda: schedules.lr_range_test(
        _f32_model(), _huge(1e39, m=16), _labels(16), n_steps=3), ["X", "float32"]),
    "float16 model": (lambda: layers.mlp([3, 4, 3], dtype=np.float16), ["dtype", "float16"]),
    # overflow inside a layer called directly (was: RuntimeWarning, or 0 from an inf variance)
    "BatchNorm.forward 1e200": (lambda: layers.BatchNorm(3).forward(_huge(1e200)),
                                ["BatchNorm", "variance", "standardize X"]),
    "Sequential.forward 1e200 BatchNorm": (lambda: layers.mlp([3, 4, 3], batchnorm=True, rng=0)
                                           .forward(_huge(1e200)), ["variance"]),
    "Dense.backward 1e300": (lambda: (lambda d: (d.forward(_huge(1e300, 6)),
                                                 d.backward(np.full((6, 2), 1e300))))(
        layers.Dense(3, 2, rng=0)), ["Dense.backward", "overflowed"]),
    "PReLU.backward 1e300": (lambda: (lambda d: (d.forward(-_huge(1e300, 6)),
                                                 d.backward(np.full((6, 3), 1e300))))(
        layers.PReLU()), ["PReLU.backward", "overflowed"]),
    "Sequential.backward 1e308": (lambda: (lambda m: (m.forward(_X()),
                                                      m.backward(np.full((6, 3), 1e308))))(
        layers.mlp([3, 4, 3], rng=0)), ["backward", "overflowed"]),
    "BatchNorm eps below float32": (lambda: layers.BatchNorm(3, eps=1e-50, dtype=np.float32),
                                    ["eps", "float32"]),
    # optimizers: huge finite gradients overflow to inf as in torch, without a warning
    **{f"{n}.step huge gradient": (lambda n=n: getattr(optim, n)(lr=0.1).step(
        [np.ones(3)], [np.full(3, 1e300)]), None)
       for n in ("Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Nadam")},
    # fit: schedules, optimizers and losses of the wrong kind
    "fit schedule returns True": (lambda: train.fit(_model(), _X(), _labels(), progress=False,
                                                    schedule=lambda t: True), ["schedule", "number"]),
    "fit schedule returns '0.1'": (lambda: train.fit(_model(), _X(), _labels(), progress=False,
                                                     schedule=lambda t: "0.1"), ["schedule", "number"]),
    "fit schedule returns np.float32": (lambda: train.fit(_model(), _X(), _labels(), progress=False,
                                                          schedule=lambda t: np.float32(0.1)), None),
    "fit optimizer class": (lambda: train.fit(_model(), _X(), _labels(), optimizer=optim.Adam,
                                              progress=False), ["optimizer", "Adam(lr="]),
    "fit loss value not a number": (lambda: train.fit(layers.mlp([3, 4, 1], rng=0), _X(), np.ones(6),
                                                      loss=_StrLoss(), progress=False),
                                    ["loss.value", "number"]),
    "fit NumPy scalar arguments": (lambda: train.fit(
        _model(), _X(16), _labels(16), epochs=np.int64(2), batch_size=np.int32(4),
        lr=np.float32(0.1), clip_norm=np.float32(1.0), clip_value=np.float64(0.5),
        early_stopping=np.int64(1), seed=np.int64(3), progress=np.bool_(False)), None),
    "lr_range_test regression y (m,)": (lambda: schedules.lr_range_test(
        layers.mlp([3, 4, 1], rng=0), _X(16), _X(16).sum(axis=1), loss="mse", n_steps=3), None),
    "lr_range_test NaN y": (lambda: schedules.lr_range_test(
        layers.mlp([3, 4, 1], rng=0), _X(16), np.full(16, np.nan), loss="mse", n_steps=3), ["y", "NaN"]),
    # schedules: counts beyond the float range (was: OverflowError)
    "CosineDecay T_max 10**400": (lambda: schedules.CosineDecay(0.1, 10 ** 400)(5), ["T_max"]),
    "LinearWarmup warmup_steps 10**400": (lambda: schedules.LinearWarmup(0.1, 10 ** 400)(5),
                                          ["warmup_steps"]),
    "OneCycle total_steps 10**400": (lambda: schedules.OneCycle(0.1, 10 ** 400)(5), ["total_steps"]),
    # data
    "one_hot n_classes 10**12": (lambda: data.one_hot(np.array([0]), 10 ** 12), ["n_classes"]),
    "one_hot uint64 label 2**64-1": (lambda: data.one_hot(np.array([2 ** 64 - 1], np.uint64), 3),
                                     ["18446744073709551615"]),
    "Standardizer.transform overflow": (lambda: data.Standardizer().fit(
        np.array([[1e-300], [2e-300]])).transform(np.array([[1e300]])), ["X", "overflow"]),
    "softmax_temperature 1e-320": (lambda: ch03_softmax.softmax_temperature(
        np.array([1.0, 2.0]), 1e-320), None),
    "cross_entropy float16 100000 rows": (lambda: losses.cross_entropy(
        np.zeros(100000, int), np.full((100000, 2), 0.5, np.float16)), None),
}

_COMBO_OK = {"fit": (FloatingPointError,), "lr_range_test": (FloatingPointError,)}


@pytest.mark.parametrize("case", sorted(COMBOS))
def test_combination(case):
    """Arguments that do not fit together, extremes, wrong call order: a clear error or a sound result."""
    fn, words = COMBOS[case]
    nnlab.seed(0)
    if words is None:
        result = _call(lambda: fn(), {})
        assert not _has_nan(result), f"{case}: returned NaN without an error"
        return
    allowed = (ValueError, TypeError) + _COMBO_OK.get(case.split()[0], ())
    with pytest.raises(allowed) as info:
        _call(lambda: fn(), {})
    missing = [w for w in words if w not in str(info.value)]
    assert not missing, f"{case}: the message does not say {missing}: {info.value}"


def test_combination_results_are_right():
    """Silent wrong answers found by the combination probes, against independent references."""
    # a tiny temperature puts all probability on the largest logit (the T -> 0 limit)
    p = ch03_softmax.softmax_temperature(np.array([[1.0, 2.0, -3.0]]), 1e-320)
    assert p.tolist() == [[0.0, 1.0, 0.0]]
    # cross-entropy of 1/2 is ln 2 however many float16 rows (the sum overflowed float16)
    ce = losses.cross_entropy(np.zeros(100000, int), np.full((100000, 2), 0.5, np.float16))
    assert abs(ce - math.log(2)) < 1e-3
    # a schedule returning -0.0 records lr 0.0, not -0.0
    h = train.fit(_model(), _X(), _labels(), epochs=1, schedule=lambda t: -0.0, progress=False)
    assert math.copysign(1.0, h.lr[0]) == 1.0
    # a custom loss given y of shape (m,) for a one-output model: the same loss as y (m, 1)
    # (it used to compare (m,) with (m, 1), i.e. broadcast to (m, m))
    X, y = _X(8), np.linspace(-1, 1, 8)
    model = layers.mlp([3, 4, 1], rng=0)
    loss = train.evaluate(model, X, y, loss=_PlainMSE())[0]
    out = model.predict(X)[:, 0]
    assert loss == pytest.approx(sum((o - t) ** 2 for o, t in zip(out, y)) / 8, rel=1e-12)
    # new parameters for an existing activation object are used, never ignored
    assert activations.get(activations.get("leaky_relu", alpha=0.3), alpha=0.5).params == {"alpha": 0.5}


def test_activation_object_survives_save_and_load(tmp_path):
    """An Activation layer built from an activation object keeps its alpha through io.save/load
    (it used to come back with the default slope 0.01: a silently different model)."""
    model = layers.Sequential([layers.Dense(3, 2, rng=0),
                               layers.Activation(activations.get("leaky_relu", alpha=0.3))])
    X = -np.abs(_X())
    path = io.save(model, tmp_path / "m.npz")
    loaded = io.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    Z = X @ model[0].W                                  # b = 0
    expected = np.where(Z > 0, Z, 0.3 * Z)
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-12)


def test_every_public_chapter_function_is_swept():
    """A new function in a chapter module gets its bad-input sweep here."""
    missing = [f"{m.__name__.rsplit('.', 1)[1]}.{n}"
               for m in (ch01_neuron, ch02_logistic, ch03_softmax, ch04_gradient_descent,
                         ch05_activations)
               for n in m.__all__ if callable(getattr(m, n))
               and f"{m.__name__.rsplit('.', 1)[1]}.{n}" not in CASES]
    assert not missing, f"add these to CASES: {missing}"
