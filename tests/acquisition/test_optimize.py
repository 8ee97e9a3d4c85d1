"""Tests of hptune/acquisition/_optimize.py on real spaces."""

import numpy as np
import pytest

from hptune.acquisition import maximize_acquisition
from hptune.acquisition._optimize import EXCLUDE_ATOL, single_threaded_blas
from hptune.space import Categorical, Integer, Real, Space
from hptune.surrogate import GaussianProcess


def fit_gp(X, y):
    # One BLAS thread: on a busy machine OpenBLAS threads make the tiny
    # factorisations of a fit up to 100 times slower.
    with single_threaded_blas():
        return GaussianProcess(n_restarts=0).fit(X, y, random_state=0)


def quadratic(centre, weights=None):
    """Concave acquisition -sum w (z - centre)^2 with its gradient."""
    centre = np.asarray(centre, dtype=float)
    weights = np.ones_like(centre) if weights is None else np.asarray(weights, dtype=float)

    def acq(Z, return_grad=False):
        values = -np.sum(weights * (Z - centre) ** 2, axis=1)
        if return_grad:
            return values, -2.0 * weights * (Z - centre)
        return values

    return acq


def assert_valid(space, z):
    z = np.asarray(z)
    assert z.shape == (space.n_columns,)
    np.testing.assert_array_equal(space.snap(z[None, :])[0], z)
    np.testing.assert_allclose(space.encode(space.decode(z[None, :]))[0], z, atol=1e-12)


@pytest.fixture
def mixed_space():
    return Space(
        {
            "lr": Real(1e-4, 1e0, "log-uniform"),
            "frac": Real(0.0, 1.0),
            "depth": Integer(1, 50),
            "width": Integer(2, 10),
            "kind": Categorical(["a", "b", "c"]),
            "flag": Categorical([True, False]),
        }
    )


def test_finds_continuous_maximiser(rng):
    space = Space({"a": Real(0, 1), "b": Real(-5, 5), "c": Real(1e-3, 1e3, "log-uniform")})
    centre = np.array([0.3, 0.71, 0.123])
    z, value = maximize_acquisition(quadratic(centre, [1.0, 5.0, 0.2]), space, rng)
    np.testing.assert_allclose(z, centre, atol=1e-5)
    assert value == pytest.approx(0.0, abs=1e-9)


def test_maximiser_on_the_boundary(rng):
    space = Space({"a": Real(0, 1), "b": Real(0, 1)})
    z, _ = maximize_acquisition(quadratic([1.4, -0.2]), space, rng)
    np.testing.assert_allclose(z, [1.0, 0.0], atol=1e-12)


def test_mixed_space_valid_and_optimal(mixed_space, rng):
    # Peak between grid points of "depth" (v encoded as (v - 0.5) / 50) and pulls
    # towards category "c" and flag False; the best valid point is known.
    centre = np.array([0.37, 0.8, 0.523, 0.2, 0.1, 0.2, 0.9, 0.3, 0.7])
    z, value = maximize_acquisition(quadratic(centre), mixed_space, rng)
    assert_valid(mixed_space, z)
    point = mixed_space.decode(z[None, :])[0]
    assert point["depth"] == 27  # encoding (27 - 0.5) / 50 = 0.53 is nearest to 0.523
    assert point["width"] == 3  # (i + 0.5) / 9 nearest to 0.2 -> i = 1
    assert point["kind"] == "c" and point["flag"] is False
    np.testing.assert_allclose(z[:2], centre[:2], atol=1e-5)
    assert value == pytest.approx(quadratic(centre)(z[None, :])[0])


def test_discrete_space_larger_than_the_candidate_set(rng):
    space = Space({"i": Integer(0, 999), "j": Integer(0, 999), "k": Categorical(list("xyz"))})
    centre = np.array([0.1234, 0.9001, 0.0, 1.0, 0.0])
    z, _ = maximize_acquisition(quadratic(centre), space, rng, n_candidates=64)
    assert space.decode(z[None, :]) == [{"i": 123, "j": 900, "k": "y"}]


def test_never_returns_an_excluded_point(mixed_space, rng):
    acq = quadratic(np.array([0.37, 0.8, 0.523, 0.2, 0.1, 0.2, 0.9, 0.3, 0.7]))
    first, first_value = maximize_acquisition(acq, mixed_space, rng)
    exclude = np.vstack([mixed_space.from_unit(rng.uniform(size=(30, 6))), first])
    second, second_value = maximize_acquisition(acq, mixed_space, rng, exclude=exclude)
    assert np.max(np.abs(second - first)) > EXCLUDE_ATOL
    assert second_value <= first_value


def test_excluded_corner_optimum(rng):
    # The maximiser sits on a corner that was already evaluated.
    space = Space({"a": Real(0, 1), "b": Real(0, 1)})
    acq = quadratic([1.5, 1.5])
    z, _ = maximize_acquisition(acq, space, rng, exclude=np.array([[1.0, 1.0]]))
    assert np.max(np.abs(z - 1.0)) > EXCLUDE_ATOL


def test_discrete_exclusion_gives_the_next_best(rng):
    space = Space({"i": Integer(0, 9), "c": Categorical(["u", "v"])})
    acq = quadratic(space.encode([{"i": 4, "c": "v"}])[0])
    taken = space.encode([{"i": 4, "c": "v"}, {"i": 3, "c": "v"}])
    z, _ = maximize_acquisition(acq, space, rng, exclude=taken)
    assert space.decode(z[None, :]) == [{"i": 5, "c": "v"}]


def test_exhausted_space_returns_none(rng):
    space = Space({"i": Integer(0, 2), "c": Categorical(["u", "v"])})
    everything = space.all_encodings()
    assert maximize_acquisition(quadratic(np.zeros(3)), space, rng, exclude=everything) is None
    z, _ = maximize_acquisition(quadratic(np.zeros(3)), space, rng, exclude=everything[1:])
    np.testing.assert_array_equal(z, everything[0])


def test_incumbent_start_moves_to_a_fresh_neighbour(rng):
    # Only the start x0 is polished (n_polish=0); it is excluded, so the
    # discrete ascent must leave it even though its neighbours are worse.
    space = Space({"i": Integer(0, 99)})
    start = space.encode([{"i": 40}])
    z, _ = maximize_acquisition(
        quadratic(start[0]), space, rng, n_candidates=4, n_polish=0, exclude=start, x0=start
    )
    assert space.decode(z[None, :])[0]["i"] in (39, 41)


def test_deterministic_under_a_fixed_seed(mixed_space):
    acq = quadratic(np.linspace(0.1, 0.9, 9), np.linspace(1, 3, 9))
    runs = [maximize_acquisition(acq, mixed_space, np.random.RandomState(3)) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_nan_acquisition_values_are_ranked_last(rng):
    space = Space({"a": Real(0, 1)})
    base = quadratic([0.6])

    def acq(Z, return_grad=False):
        out = base(Z, return_grad)
        values = out[0] if return_grad else out
        values = np.where(Z[:, 0] < 0.2, np.nan, values)
        return (values, out[1]) if return_grad else values

    z, value = maximize_acquisition(acq, space, rng)
    assert np.isfinite(value) and z[0] == pytest.approx(0.6, abs=1e-5)


def test_log_ei_of_a_real_gp(mixed_space, rng):
    from hptune.acquisition import gp_acquisition

    Z = mixed_space.from_unit(rng.uniform(size=(25, mixed_space.n_dims)))
    y = -np.sum((Z - 0.4) ** 2, axis=1) + 0.01 * rng.randn(25)
    gp = fit_gp(Z, y)
    acq = gp_acquisition(gp, "log_ei", best=float(y.max()))
    z, value = maximize_acquisition(acq, mixed_space, rng, exclude=Z)
    assert_valid(mixed_space, z)
    assert np.min(np.max(np.abs(Z - z), axis=1)) > EXCLUDE_ATOL
    # At least as good as the best of a large random batch.
    batch = mixed_space.from_unit(rng.uniform(size=(4096, mixed_space.n_dims)))
    assert value >= acq(batch).max() - 1e-9
    assert value == pytest.approx(acq(z[None, :])[0])
