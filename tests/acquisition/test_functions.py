"""Tests of hptune/acquisition/_functions.py: log-EI, log-PI, UCB and dispatch."""

import math
import re

import numpy as np
import pytest
from scipy.stats import norm

from hptune.acquisition import (
    ACQUISITION_FUNCTIONS,
    ACQUISITION_GRADIENTS,
    log_ei,
    log_ei_and_grad,
    log_pi,
    log_pi_and_grad,
    make_acquisition,
    resolve_acquisition,
    ucb,
)

MAGNITUDES = 10.0 ** np.arange(-3, 9)
SWEEP = np.sort(np.concatenate([-MAGNITUDES, [0.0], MAGNITUDES]))


@pytest.fixture(autouse=True)
def strict_float_errors():
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        yield


def naive_ei(mean, std, best, xi=0.0):
    u = (mean - best - xi) / std
    return std * (norm.pdf(u) + u * norm.cdf(u))


@pytest.mark.parametrize("std", [1e-3, 0.3, 1.0, 50.0])
def test_log_ei_matches_naive_where_accurate(std):
    best, xi = 0.4, 0.05
    mean = best + xi + std * np.linspace(-4.9, 4.9, 41)
    expected = np.log(naive_ei(mean, std, best, xi))
    np.testing.assert_allclose(log_ei(mean, std, best, xi), expected, rtol=1e-11, atol=1e-12)


def test_log_ei_sweep_finite_and_increasing_in_mean():
    values = log_ei(SWEEP, 1.0, 0.0)
    assert np.all(np.isfinite(values)) and np.all(np.diff(values) > 0)


def test_log_ei_increasing_in_std():
    for gap in (-1e3, -5.0, 0.0, 3.0):
        values = log_ei(gap, np.logspace(-6, 3, 40), 0.0)
        assert np.all(np.isfinite(values))
        # Above the incumbent, EI = gap + std * O(phi(u)/u**2) is flat to
        # rounding while std << gap; log(std) + log h(u) then rounds at ~eps * |log std|.
        tolerance = 1e-14 if gap > 0 else 0.0
        assert np.all(np.diff(values) > -tolerance)
        assert values[-1] > values[0]


def test_far_from_incumbent_where_plain_ei_underflows():
    mean = np.array([-1e7, -1e3, -40.0])
    assert np.all(naive_ei(mean, 1.0, 0.0) == 0.0)
    for values in (log_ei(mean, 1.0, 0.0), log_pi(mean, 1.0, 0.0)):
        assert np.all(np.isfinite(values)) and np.all(np.diff(values) > 0)


def test_log_pi_matches_scipy():
    u = SWEEP[np.abs(SWEEP) < 1e3]
    np.testing.assert_allclose(log_pi(u, 1.0, 0.0), norm.logcdf(u), rtol=1e-13)
    assert np.all(np.diff(log_pi(SWEEP, 1.0, 0.0)) >= 0)  # log Phi(u) = 0 for u >= 9
    assert np.all(np.isfinite(log_pi(SWEEP, 1.0, 0.0)))


def test_xi_shifts_the_incumbent():
    mean, std = np.array([0.1, 0.5, 2.0]), np.array([0.3, 1.0, 0.2])
    np.testing.assert_allclose(log_ei(mean, std, 0.2, xi=0.3), log_ei(mean, std, 0.5))
    np.testing.assert_allclose(log_pi(mean, std, 0.2, xi=0.3), log_pi(mean, std, 0.5))


def test_ucb():
    np.testing.assert_allclose(ucb(np.array([1.0, -2.0]), np.array([0.5, 2.0]), kappa=2.0), [2.0, 2.0])


@pytest.mark.parametrize("std", [0.0, 1e-300, 1e-12])
def test_tiny_std(std):
    mean = np.array([-1.0, 0.0, 2.0])
    for name in ACQUISITION_GRADIENTS:
        value, d_mean, d_std = make_acquisition(name, best=0.5)(mean, np.full(3, std), return_grad=True)
        assert np.all(~np.isnan(value)) and np.all(np.isfinite(d_mean))
        assert np.all(~np.isnan(d_std))
    # Below the incumbent log EI is hugely negative but finite; above it, EI -> gap.
    values = log_ei(mean, std, 0.5)
    assert np.all(np.isfinite(values)) and np.all(np.diff(values) > 0)
    assert values[2] == pytest.approx(math.log(1.5))


GRAD_POINTS = [
    (0.3, 1.0, 0.0),
    (-2.0, 0.5, 0.0),
    (5.0, 0.7, 1.0),
    (-40.0, 1.0, 0.0),
    (-3e3, 2.0, 1.0),
    (1.0, 1e-3, 0.9995),
    (0.0, 3.0, 25.0),
]


@pytest.mark.parametrize("name", sorted(ACQUISITION_GRADIENTS))
@pytest.mark.parametrize("mean, std, best", GRAD_POINTS)
def test_gradients_match_finite_differences(name, mean, std, best):
    acquisition = make_acquisition(name, best=best, xi=0.0, kappa=1.5)
    value, d_mean, d_std = acquisition(np.array([mean]), np.array([std]), return_grad=True)
    assert value == pytest.approx(acquisition(np.array([mean]), np.array([std])))
    step_m, step_s = 1e-6 * max(std, abs(mean - best), 1e-3), 1e-6 * std
    fd_mean = (acquisition(mean + step_m, std) - acquisition(mean - step_m, std)) / (2 * step_m)
    fd_std = (acquisition(mean, std + step_s) - acquisition(mean, std - step_s)) / (2 * step_s)
    scale = abs(d_mean[0]) + abs(d_std[0])
    assert d_mean[0] == pytest.approx(fd_mean, rel=1e-5, abs=1e-7 * scale)
    assert d_std[0] == pytest.approx(fd_std, rel=1e-5, abs=1e-7 * scale)


def test_gradients_sweep_finite():
    for grad_fn in (log_ei_and_grad, log_pi_and_grad):
        value, d_mean, d_std = grad_fn(SWEEP, 1.0, 0.0)
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(d_mean)) and np.all(np.isfinite(d_std))
        # d/dmean log PI = phi/Phi underflows to 0 for u > 38; log EI's stays 1/u.
        assert np.all(d_mean > 0) if grad_fn is log_ei_and_grad else np.all(d_mean >= 0)
    # log EI always grows with std (phi/h underflows to 0 for u > 38); log PI
    # grows with std only below the incumbent.
    d_std = log_ei_and_grad(SWEEP, 1.0, 0.0)[2]
    assert np.all(d_std[SWEEP < 38] > 0) and np.all(d_std >= 0)
    _, _, d_std = log_pi_and_grad(SWEEP, 1.0, 0.0)
    assert np.all(d_std[SWEEP < 0] > 0) and np.all(d_std[SWEEP > 0] <= 0)


@pytest.mark.parametrize("name", sorted(ACQUISITION_GRADIENTS))
@pytest.mark.parametrize("shape", [(), (1,), (6,), (2, 3)])
def test_shapes(name, shape):
    size = int(np.prod(shape))
    mean = np.linspace(-3.0, 3.0, size).reshape(shape) if shape else 0.2
    std = np.full(shape, 0.5) if shape else 0.5
    acquisition = make_acquisition(name, best=0.0)
    assert np.shape(acquisition(mean, std)) == shape
    for out in acquisition(mean, std, return_grad=True):
        assert np.shape(out) == shape


def test_broadcast_scalar_std():
    mean = np.linspace(-1, 1, 5)
    for fn in (log_ei, log_pi):
        np.testing.assert_allclose(fn(mean, 0.5, 0.0), fn(mean, np.full(5, 0.5), 0.0))


@pytest.mark.parametrize(
    "alias, name", [("EI", "log_ei"), ("PI", "log_pi"), ("LCB", "ucb"), ("ucb", "ucb")]
)
def test_skopt_aliases(alias, name):
    assert resolve_acquisition(alias) == name
    mean, std = np.array([0.1, 0.9]), np.array([0.2, 0.4])
    bound = make_acquisition(alias, best=0.5, xi=0.01, kappa=1.0)
    params = {"kappa": 1.0} if name == "ucb" else {"best": 0.5, "xi": 0.01}
    np.testing.assert_allclose(bound(mean, std), ACQUISITION_FUNCTIONS[name](mean, std, **params))


def test_lcb_alias_is_skopt_lcb_on_the_negated_score():
    mean, std, kappa = np.array([0.1, 0.9]), np.array([0.2, 0.4]), 1.96
    skopt_lcb_of_loss = -mean - kappa * std  # skopt minimises this
    np.testing.assert_allclose(make_acquisition("LCB")(mean, std), -skopt_lcb_of_loss)


@pytest.mark.parametrize(
    "params, err, match",
    [
        ({"name": "ei"}, ValueError, "acq_func must be one of ['log_ei', 'log_pi', 'ucb', 'EI', 'LCB', 'PI']. Got 'ei' instead."),
        ({"name": "log_ei"}, ValueError, "The acquisition 'log_ei' needs the incumbent score best."),
    ],
)
def test_input_errors(params, err, match):
    with pytest.raises(err, match=re.escape(match)):
        make_acquisition(**params)
