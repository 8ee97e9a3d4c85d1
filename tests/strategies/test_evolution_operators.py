"""Tests of the evolutionary operators: bounds, types, log scale, categories, seeds."""

import numpy as np
import pytest

from hptune.space import Categorical, Integer, Ordinal, Real, Space
from hptune.strategies._operators import (
    CMAES,
    DimensionKinds,
    crossover,
    from_active_unit,
    mutate,
    reflect,
    self_adapt,
    to_active_unit,
    tournament,
)


@pytest.fixture
def space():
    return Space(
        {
            "lr": Real(1e-5, 1e-1, "log-uniform"),
            "x": Real(-1.0, 1.0),
            "depth": Integer(1, 10),
            "n": Integer(1, 1000, "log-uniform"),
            "width": Ordinal([8, 16, 32]),
            "kind": Categorical(["a", "b", "c"]),
            "const": Categorical(["only"]),
            "flag": Categorical([True, False], prior=[0.9, 0.1]),
        }
    )


def _batch(space, n, seed):
    return space.encode(space.sample(n, np.random.RandomState(seed)))


def _check_valid(space, Z):
    assert np.all((Z >= 0) & (Z <= 1))
    for p in space.decode(Z):
        assert space.contains(p)
        assert isinstance(p["depth"], int) and 1 <= p["depth"] <= 10
        assert isinstance(p["n"], int) and 1 <= p["n"] <= 1000
        assert p["kind"] in ("a", "b", "c") and p["const"] == "only"
        assert 1e-5 <= p["lr"] <= 1e-1


def test_dimension_kinds(space):
    kinds = DimensionKinds(space)
    assert kinds.numeric == [0, 1, 2, 3, 4]
    assert [size for _, size in kinds.categorical] == [3, 2]
    assert kinds.n_active == 7  # the constant has no column
    np.testing.assert_allclose(kinds.min_step, [0, 0, 0.1, 1e-3, 1 / 3])


def test_reflect_stays_in_unit_interval_and_mirrors():
    x = np.array([-0.25, 0.0, 0.3, 1.0, 1.25, 2.5, -3.1])
    np.testing.assert_allclose(reflect(x), [0.25, 0.0, 0.3, 1.0, 0.75, 0.5, 0.9])


def test_tournament_picks_the_best_contestant(rng):
    y = np.array([0.1, 0.5, 0.3, 0.9])
    assert np.all(tournament(y, 20, 4, rng) == 3)
    # Size larger than the pool is clipped to it.
    assert np.all(tournament(y, 5, 10, rng) == 3)
    # Size 1 is a uniform draw: every index shows up.
    assert set(tournament(y, 200, 1, rng)) == {0, 1, 2, 3}


def test_tournament_selection_pressure(rng):
    y = np.arange(10.0)
    wins = tournament(y, 5000, 3, rng)
    # P(worst wins a 3-tournament) = 0, P(best wins) = 3/10.
    assert not np.any(wins == 0)
    assert abs(np.mean(wins == 9) - 0.3) < 5 * np.sqrt(0.3 * 0.7 / 5000)


@pytest.mark.parametrize("probability", [0.0, 0.3, 1.0])
def test_mutate_keeps_points_valid(space, rng, probability):
    kinds = DimensionKinds(space)
    Z = _batch(space, 200, 0)
    out = space.snap(mutate(Z, np.full(200, 0.5), kinds, probability, rng))
    _check_valid(space, out)
    # At least one dimension of every row mutates (discrete ones by a full
    # cell at least, so nearly every row changes).
    assert np.mean(np.any(out != Z, axis=1)) > 0.9


def test_mutate_categorical_always_moves_to_another_category(space, rng):
    kinds = DimensionKinds(space)
    Z = _batch(space, 300, 1)
    out = mutate(Z, np.full(300, 0.1), kinds, 1.0, rng)
    sl = space._slices[space.names.index("kind")]
    assert np.all(out[:, sl].sum(axis=1) == 1)
    assert np.all(np.argmax(out[:, sl], axis=1) != np.argmax(Z[:, sl], axis=1))
    # The new category is uniform over the two others.
    moved_up = (np.argmax(out[:, sl], axis=1) - np.argmax(Z[:, sl], axis=1)) % 3 == 1
    assert abs(moved_up.mean() - 0.5) < 5 * np.sqrt(0.25 / 300)


def test_mutate_log_dimension_steps_on_the_log_scale(rng):
    space = Space({"lr": Real(1e-6, 1.0, "log-uniform")})
    kinds = DimensionKinds(space)
    Z = space.encode([{"lr": 1e-3}] * 10_000)
    lr = np.array([p["lr"] for p in space.decode(mutate(Z, np.full(10_000, 0.05), kinds, 1.0, rng))])
    log_steps = np.log10(lr) - (-3.0)
    # A step of 0.05 encoded units is 0.3 decades, symmetric in log10.
    assert abs(log_steps.mean()) < 5 * 0.3 / np.sqrt(10_000)
    assert abs(log_steps.std() - 0.3) < 0.01


def test_mutate_integer_moves_at_least_one_cell_on_average(rng):
    space = Space({"k": Integer(0, 4)})
    kinds = DimensionKinds(space)
    Z = space.encode([{"k": 2}] * 2000)
    k = np.array([p["k"] for p in space.decode(space.snap(mutate(Z, np.full(2000, 1e-4), kinds, 1.0, rng)))])
    assert np.all((k >= 0) & (k <= 4))
    assert np.mean(k != 2) > 0.3  # the tiny sigma is raised to one cell


def test_crossover_takes_blocks_from_parents_and_blends_numbers(space, rng):
    kinds = DimensionKinds(space)
    A, B = _batch(space, 500, 2), _batch(space, 500, 3)
    C = space.snap(crossover(A, B, kinds, rng, alpha=0.25))
    _check_valid(space, C)
    for name in ("kind", "flag"):
        sl = space._slices[space.names.index(name)]
        from_a = np.all(C[:, sl] == A[:, sl], axis=1)
        from_b = np.all(C[:, sl] == B[:, sl], axis=1)
        assert np.all(from_a | from_b)
    x = space.names.index("x")
    lo = np.minimum(A[:, x], B[:, x]) - 0.25 * np.abs(A[:, x] - B[:, x]) - 1e-12
    hi = np.maximum(A[:, x], B[:, x]) + 0.25 * np.abs(A[:, x] - B[:, x]) + 1e-12
    inside = (C[:, x] >= lo) & (C[:, x] <= hi)
    assert inside.mean() > 0.95  # only reflections at the bounds leave the blend range


def test_crossover_of_identical_parents_is_the_parent(space, rng):
    kinds = DimensionKinds(space)
    A = _batch(space, 20, 4)
    np.testing.assert_allclose(space.snap(crossover(A, A, kinds, rng)), A)


def test_operators_are_deterministic_under_a_seed(space):
    kinds = DimensionKinds(space)
    A, B = _batch(space, 30, 5), _batch(space, 30, 6)

    def run(seed):
        rng = np.random.RandomState(seed)
        C = crossover(A, B, kinds, rng)
        sigma = self_adapt(np.log(np.full(30, 0.1)), 0.3, rng)
        return mutate(C, sigma, kinds, 0.5, rng), tournament(np.arange(30.0), 10, 3, rng)

    (Z1, w1), (Z2, w2), (Z3, _) = run(0), run(0), run(1)
    np.testing.assert_array_equal(Z1, Z2)
    np.testing.assert_array_equal(w1, w2)
    assert not np.array_equal(Z1, Z3)


def test_self_adapt_is_log_normal_and_bounded(rng):
    sigma = self_adapt(np.full(10_000, np.log(0.1)), 0.3, rng)
    assert abs(np.log(sigma).mean() - np.log(0.1)) < 5 * 0.3 / 100
    assert np.all((sigma >= 1e-4) & (sigma <= 0.5))
    assert self_adapt(np.array([np.log(10.0)]), 0.0, rng)[0] == 0.5


def test_active_unit_round_trip(space):
    kinds = DimensionKinds(space)
    Z = _batch(space, 100, 7)
    U = to_active_unit(space, kinds, Z)
    assert U.shape == (100, 7) and np.all((U >= 0) & (U <= 1))
    np.testing.assert_allclose(from_active_unit(space, kinds, U), Z)


def test_cmaes_samples_in_the_cube_and_moves_to_the_optimum(rng):
    cma = CMAES(3, sigma0=0.3)
    target = np.array([0.8, 0.2, 0.6])
    for _ in range(40):
        X = cma.sample(8, rng)
        assert X.shape == (8, 3) and np.all((X >= 0) & (X <= 1))
        cma.update(X, -np.sum((X - target) ** 2, axis=1))
    np.testing.assert_allclose(cma.mean, target, atol=0.02)
    assert cma.sigma < 0.1


def test_cmaes_state_round_trip(rng):
    cma = CMAES(2)
    X = cma.sample(6, rng)
    cma.update(X, -X.sum(axis=1))
    other = CMAES(2)
    other.load_state_dict(cma.state_dict())
    np.testing.assert_array_equal(
        cma.sample(4, np.random.RandomState(0)), other.sample(4, np.random.RandomState(0))
    )
    # Fewer than two points: nothing to learn.
    before = cma.state_dict()
    cma.update(X[:1], [0.0])
    np.testing.assert_array_equal(before["mean"], cma.mean)
