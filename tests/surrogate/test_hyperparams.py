import numpy as np
import pytest
from scipy.optimize import approx_fprime
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

from hptune.exceptions import NumericalWarning
from hptune.surrogate import GaussianProcess
from hptune.surrogate import _hyperparams
from hptune.surrogate._hyperparams import (
    default_theta,
    fit_theta,
    log_marginal_likelihood,
    log_prior,
    random_thetas,
    theta_bounds,
)


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(15, 3))
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.05 * rng.standard_normal(15)
    return X, (y - y.mean()) / y.std()


THETAS = [
    np.log([0.3, 1.0, 5.0, 1.2, 1e-2]),
    np.log([0.02, 0.05, 50.0, 0.1, 1e-6]),
    np.log([3.0, 3.0, 3.0, 20.0, 0.5]),
]


@pytest.mark.parametrize("theta", THETAS)
def test_lml_matches_sklearn(data, theta):
    X, y = data
    noise = np.exp(theta[-1])
    kernel = ConstantKernel(np.exp(theta[-2])) * Matern(np.exp(theta[:3]), nu=2.5)
    gpr = GaussianProcessRegressor(kernel, alpha=noise, optimizer=None).fit(X, y)
    expected = gpr.log_marginal_likelihood(np.r_[theta[-2], theta[:3]])
    np.testing.assert_allclose(log_marginal_likelihood(theta, X, y), expected, rtol=1e-9)


@pytest.mark.parametrize("theta", THETAS)
def test_lml_gradient_finite_differences(data, theta):
    X, y = data
    _, grad = log_marginal_likelihood(theta, X, y, eval_gradient=True)
    h = 1e-6
    def lml(t):
        return log_marginal_likelihood(t, X, y)

    fd = np.array([(lml(theta + h * e) - lml(theta - h * e)) / (2 * h) for e in np.eye(len(theta))])
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-5)


def test_log_prior_gradient_and_mode():
    theta = np.log([0.3, 2.0, 1.5, 0.01])
    value, grad = log_prior(theta)
    fd = approx_fprime(theta, lambda t: log_prior(t)[0], 1e-7)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)
    mode = default_theta(2, 1e-6)
    assert log_prior(mode)[0] == 0.0 and value < 0.0


def test_bounds_and_random_starts():
    bounds = theta_bounds(3, 1e-4)
    np.testing.assert_allclose(np.exp(bounds[-1]), [1e-4, 1.0])
    draws = random_thetas(50, 3, 1e-4, np.random.RandomState(0))
    assert draws.shape == (50, 5)
    assert np.all((draws >= bounds[:, 0]) & (draws <= bounds[:, 1]))
    np.testing.assert_array_equal(draws, random_thetas(50, 3, 1e-4, np.random.RandomState(0)))
    default = default_theta(3, 1e-4)
    assert np.all((default >= bounds[:, 0]) & (default <= bounds[:, 1]))


def test_fitted_lml_beats_default(data):
    X, y = data
    gp = GaussianProcess().fit(X, y, random_state=0)
    default = default_theta(3, gp.noise_floor)
    assert gp.log_marginal_likelihood() >= gp.log_marginal_likelihood(default)
    bounds = theta_bounds(3, gp.noise_floor)
    assert np.all((gp.theta_ >= bounds[:, 0]) & (gp.theta_ <= bounds[:, 1]))


def test_irrelevant_dimension_gets_long_lengthscale():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(40, 2))
    y = np.sin(6 * X[:, 0])
    gp = GaussianProcess().fit(X, y, random_state=0)
    assert gp.lengthscales_[1] > 10 * gp.lengthscales_[0]
    assert gp.lengthscales_[1] > 5.0


def test_all_starts_failing_falls_back_to_default(data, monkeypatch):
    def broken(theta, X, y):
        raise np.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(_hyperparams, "_neg_log_posterior", broken)
    X, y = data
    with pytest.warns(NumericalWarning, match="using the default hyperparameters") as record:
        gp = GaussianProcess(noise_floor=1e-4).fit(X, y, random_state=0)
    assert record[0].filename == __file__
    np.testing.assert_array_equal(gp.theta_, default_theta(3, 1e-4))


def test_non_finite_objective_counts_as_failure(data):
    X, y = data
    starts = np.array([default_theta(3, 1e-6)])
    with pytest.warns(NumericalWarning, match="All 1 starts"):
        bounds = theta_bounds(3, 1e-6)
        theta = fit_theta(X, y * np.nan, starts, bounds, maxiter=5, fallback=starts[0])
    np.testing.assert_array_equal(theta, starts[0])


def test_failing_start_keeps_best_evaluation(data, monkeypatch):
    # A start that breaks after a few steps still contributes its best point.
    original = _hyperparams._neg_log_posterior
    calls = []

    def flaky(theta, X, y):
        calls.append(theta)
        if len(calls) > 4:
            raise np.linalg.LinAlgError("not positive definite")
        return original(theta, X, y)

    monkeypatch.setattr(_hyperparams, "_neg_log_posterior", flaky)
    X, y = data
    start = default_theta(3, 1e-6)
    theta = fit_theta(X, y, start[None], theta_bounds(3, 1e-6), maxiter=50, fallback=start)
    values = [original(t, X, y)[0] for t in calls[:4]]
    np.testing.assert_array_equal(theta, calls[int(np.argmin(values))])
