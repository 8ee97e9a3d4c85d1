"""Tests of hptune/acquisition/_batch.py with the real GP and space."""

import re

import numpy as np
import pytest

from hptune.acquisition import (
    BATCH_STRATEGIES,
    gp_acquisition,
    observed_scores,
    propose_batch,
)
from hptune.acquisition._optimize import EXCLUDE_ATOL, single_threaded_blas
from hptune.space import Categorical, Integer, Real, Space
from hptune.surrogate import GaussianProcess


def fit_gp(X, y):
    # One BLAS thread: on a busy machine OpenBLAS threads make the tiny
    # factorisations of a fit up to 100 times slower.
    with single_threaded_blas():
        return GaussianProcess(n_restarts=0).fit(X, y, random_state=0)


def make_space():
    return Space(
        {
            "lr": Real(1e-3, 1e0, "log-uniform"),
            "depth": Integer(1, 8),
            "kind": Categorical(["a", "b", "c"]),
        }
    )


def objective(Z):
    return -np.sum((Z - 0.6) ** 2, axis=1)


@pytest.fixture(scope="module")
def fitted():
    space = make_space()
    rng = np.random.RandomState(0)
    Z = space.from_unit(rng.uniform(size=(12, space.n_dims)))
    y = objective(Z) + 0.01 * rng.randn(len(Z))
    gp = fit_gp(Z, y)
    return space, gp, Z, y


def assert_distinct_valid_new(space, Z, exclude):
    np.testing.assert_array_equal(space.snap(Z), Z)
    gaps = np.max(np.abs(Z[:, None, :] - Z[None, :, :]), axis=2)
    assert np.all(gaps[~np.eye(len(Z), dtype=bool)] > EXCLUDE_ATOL)
    assert np.all(np.max(np.abs(Z[:, None, :] - exclude[None, :, :]), axis=2) > EXCLUDE_ATOL)


@pytest.mark.parametrize("strategy", sorted(BATCH_STRATEGIES))
@pytest.mark.parametrize("acq_func", ["log_ei", "log_pi", "ucb", "EI"])
def test_batch_points_are_distinct_valid_and_new(fitted, strategy, acq_func, rng):
    space, gp, Z, y = fitted
    batch = propose_batch(
        gp, space, 4, rng, acq_func=acq_func, acq_params={"xi": 0.0, "kappa": 1.96},
        best=float(y.max()), exclude=Z, strategy=strategy, n_candidates=256,
    )
    assert batch.shape == (4, space.n_columns)
    assert_distinct_valid_new(space, batch, Z)


def test_pending_points_are_fantasised_and_avoided(fitted, rng):
    space, gp, Z, y = fitted
    first = propose_batch(gp, space, 1, np.random.RandomState(1), best=float(y.max()), exclude=Z)
    again = propose_batch(gp, space, 1, np.random.RandomState(1), best=float(y.max()), exclude=Z)
    np.testing.assert_array_equal(first, again)
    taken = np.vstack([Z, first])
    second = propose_batch(
        gp, space, 1, np.random.RandomState(1), best=float(y.max()), exclude=taken, pending=first
    )
    assert_distinct_valid_new(space, np.vstack([first, second]), Z)


def test_deterministic_under_a_fixed_seed(fitted):
    space, gp, Z, y = fitted
    runs = [
        propose_batch(gp, space, 3, np.random.RandomState(7), best=float(y.max()), exclude=Z,
                      strategy="cl_min", n_candidates=128)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])


def test_exhausted_space_gives_fewer_points(rng):
    space = Space({"i": Integer(0, 2), "c": Categorical(["u", "v"])})
    Z = space.all_encodings()
    y = objective(Z) + 0.01 * rng.randn(len(Z))
    gp = fit_gp(Z[:4], y[:4])
    batch = propose_batch(gp, space, 5, rng, best=float(y[:4].max()), exclude=Z[:4])
    assert batch.shape == (2, space.n_columns)
    assert sorted(map(tuple, batch)) == sorted(map(tuple, Z[4:]))
    assert propose_batch(gp, space, 2, rng, best=0.0, exclude=Z).shape == (0, space.n_columns)


def test_lies(fitted):
    space, gp, Z, y = fitted
    np.testing.assert_allclose(observed_scores(gp), y)
    point = Z[:2] * 0.5 + 0.25
    np.testing.assert_allclose(BATCH_STRATEGIES["kriging_believer"](gp, point, y), gp.predict(point)[0])
    for name, expected in (("cl_min", y.min()), ("cl_mean", y.mean()), ("cl_max", y.max())):
        np.testing.assert_allclose(BATCH_STRATEGIES[name](gp, point, y), [expected] * 2)


def test_fantasy_shrinks_the_std_at_the_chosen_point(fitted, rng):
    space, gp, Z, y = fitted
    [z] = propose_batch(gp, space, 1, rng, best=float(y.max()), exclude=Z)
    std_before = gp.predict(z[None, :])[1][0]
    conditioned = gp.condition_on(z[None, :], gp.predict(z[None, :])[0])
    std_after = conditioned.predict(z[None, :])[1][0]
    # Down to about the noise level, which is all a fantasy can remove.
    assert std_after < std_before
    assert std_after <= 1.5 * np.sqrt(gp.noise_) * gp.y_std_


@pytest.mark.parametrize("acq_func", ["log_ei", "log_pi", "ucb"])
def test_gp_acquisition_gradient_matches_finite_differences(fitted, acq_func):
    space, gp, Z, y = fitted
    acq = gp_acquisition(gp, acq_func, best=float(y.max()), xi=0.01, kappa=2.0)
    X = np.random.RandomState(0).uniform(0.1, 0.9, size=(4, space.n_columns))
    values, grads = acq(X, True)
    np.testing.assert_allclose(values, acq(X))
    step = 1e-6
    for j in range(space.n_columns):
        E = np.zeros_like(X)
        E[:, j] = step
        fd = (acq(X + E) - acq(X - E)) / (2 * step)
        np.testing.assert_allclose(grads[:, j], fd, rtol=1e-4, atol=1e-6 * np.abs(grads).max())


def test_unknown_strategy(fitted, rng):
    space, gp, Z, y = fitted
    match = "strategy must be one of ['cl_max', 'cl_mean', 'cl_min', 'kriging_believer']. Got 'cl' instead."
    with pytest.raises(ValueError, match=re.escape(match)):
        propose_batch(gp, space, 1, rng, best=0.0, strategy="cl")
