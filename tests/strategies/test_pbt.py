"""Tests of the PBT scheduler on its own: exploit, explore, tell, schedules."""

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm, poisson

from hptune.space import Categorical, Integer, Ordinal, Real, Space
from hptune.strategies._pbt import PBTScheduler

MIXED = {
    "lr": Real(1e-4, 1e-1, "log-uniform"),
    "momentum": Real(0.5, 0.99),
    "depth": Integer(1, 8),
    "width": Integer(4, 512, "log-uniform"),
    "batch": Ordinal([16, 32, 64, 128]),
    "kind": Categorical(["a", "b", "c"]),
    "fixed": Categorical(["only"]),
    "noise": norm(0.0, 1.0),
    "count": poisson(3),
}


def _scheduler(space=None, **kwargs):
    kwargs.setdefault("random_state", 0)
    return PBTScheduler(MIXED if space is None else space, **kwargs)


# -- exploit ------------------------------------------------------------------
@pytest.mark.parametrize(
    "population_size, quantile_fraction, n_pairs",
    [(8, 0.25, 2), (4, 0.25, 1), (5, 0.5, 2), (8, 0.5, 4), (3, 0.1, 1), (2, 0.25, 1), (10, 0.3, 3)],
)
def test_exploit_quantile_sizes(population_size, quantile_fraction, n_pairs):
    scheduler = _scheduler(population_size=population_size, quantile_fraction=quantile_fraction)
    scores = np.arange(population_size, dtype=float)
    pairs = scheduler.exploit(scores)
    losers = sorted(loser for loser, _ in pairs)
    assert losers == list(range(n_pairs))
    assert all(winner >= population_size - n_pairs for _, winner in pairs)


def test_exploit_bottom_copies_top_by_score_not_index():
    scores = np.array([0.9, 0.1, 0.5, 0.95, 0.2, 0.6, 0.7, 0.3])
    pairs = _scheduler(population_size=8).exploit(scores)
    assert sorted(loser for loser, _ in pairs) == [1, 4]
    assert {winner for _, winner in pairs} <= {0, 3}


def test_exploit_picks_winners_at_random():
    scores = np.arange(8, dtype=float)
    winners = set()
    for seed in range(20):
        winners |= {w for _, w in _scheduler(population_size=8, random_state=seed).exploit(scores)}
    assert winners == {6, 7}


def test_failed_members_rank_last_and_are_replaced():
    scores = np.array([0.1, np.nan, 0.5, 0.9])
    pairs = _scheduler(population_size=4).exploit(scores)
    assert pairs[0][0] == 1 and pairs[0][1] == 3


def test_explore_does_not_return_to_hyperparameters_that_failed():
    # depth=3 fails; the best members sit at depth=2, one perturbation away.
    # Without redraws, about half of the explores of depth=2 move to 3.
    scheduler = _scheduler({"depth": Ordinal([1, 2, 3])}, population_size=8,
                           resample_probability=0.0, explore="perturb")
    proposals = []  # explores made once depth=3 is known to fail
    for _ in range(30):
        params = scheduler.ask()
        scores = [np.nan if p["depth"] == 3 else p["depth"] for p in params]
        known = any(r["params"]["depth"] == 3 for r in scheduler.history_)
        parents = scheduler.tell(scores)
        if known or 3 in [p["depth"] for p in params]:
            proposals += [scheduler.population_[i]["depth"] for i, j in enumerate(parents) if i != j]
    assert len(proposals) >= 30 and 3 not in proposals


def test_selection_window_averages_along_the_lineage():
    scheduler = _scheduler({"x": Real(0.0, 1.0)}, population_size=4, selection_window=2)
    scheduler.ask()
    scheduler.tell([0.1, 0.2, 0.3, 0.4], perturb=False)
    scheduler.ask()
    scheduler.tell([0.9, 0.2, 0.3, np.nan], perturb=False)
    smoothed = scheduler.selection_scores([0.9, 0.2, 0.3, np.nan])
    np.testing.assert_allclose(smoothed[:3], [0.5, 0.2, 0.3])
    assert np.isnan(smoothed[3])
    # A window of 1 ranks by the last step alone.
    scheduler.selection_window = 1
    np.testing.assert_array_equal(scheduler.selection_scores([0.9, 0.2]), [0.9, 0.2])


def test_exploit_only_copies_strictly_better_members():
    assert _scheduler(population_size=6).exploit(np.full(6, 0.5)) == []
    assert _scheduler(population_size=6).exploit(np.full(6, np.nan)) == []


def test_ties_are_broken_at_random():
    scores = np.array([0.1, 0.1, 0.1, 0.1, 0.9, 0.9])
    losers = set()
    for seed in range(20):
        losers |= {loser for loser, _ in _scheduler(population_size=6, random_state=seed).exploit(scores)}
    assert losers == {0, 1, 2, 3}


# -- explore --------------------------------------------------------------------
def test_explore_multiplies_log_values_by_a_factor():
    scheduler = _scheduler({"lr": Real(1e-6, 1.0, "log-uniform")}, resample_probability=0.0)
    ratios = {round(scheduler.explore({"lr": 1e-3})["lr"] / 1e-3, 9) for _ in range(30)}
    assert ratios == {0.8, 1.2}


def test_explore_custom_factors():
    scheduler = _scheduler(
        {"lr": Real(1e-6, 1.0, "log-uniform")}, resample_probability=0.0, perturbation_factors=[0.5]
    )
    assert scheduler.explore({"lr": 1e-3})["lr"] == pytest.approx(5e-4)


def test_explore_multiplies_non_negative_linear_values_clipped_to_the_bounds():
    scheduler = _scheduler({"s": Real(0.3, 1.0)}, resample_probability=0.0)
    values = {round(scheduler.explore({"s": 0.5})["s"], 9) for _ in range(30)}
    assert values == {0.4, 0.6}
    values = {round(scheduler.explore({"s": 0.9})["s"], 9) for _ in range(30)}
    assert values == {0.72, 1.0}  # 0.9 * 1.2 is clipped to the upper bound
    values = {round(scheduler.explore({"s": 0.35})["s"], 9) for _ in range(30)}
    assert values == {0.3, 0.42}  # 0.35 * 0.8 is clipped to the lower bound


def test_explore_steps_shrink_with_the_value_near_zero():
    scheduler = _scheduler({"r": Real(0.0, 1.0)}, resample_probability=0.0)
    values = {round(scheduler.explore({"r": 0.01})["r"], 12) for _ in range(30)}
    assert values == {0.008, 0.012}
    assert {scheduler.explore({"r": 0.0})["r"] for _ in range(10)} == {0.0}


def test_explore_moves_signed_linear_values_by_a_tenth_of_the_range():
    # A product has no meaning of scale when the range admits negative values.
    scheduler = _scheduler({"m": Real(-1.0, 1.0)}, resample_probability=0.0)
    values = {round(scheduler.explore({"m": 0.5})["m"], 9) for _ in range(30)}
    assert values == {0.3, 0.7}
    values = {round(scheduler.explore({"m": 0.0})["m"], 9) for _ in range(30)}
    assert values == {-0.2, 0.2}


def test_explore_moves_integers_at_least_one_step():
    scheduler = _scheduler({"n": Integer(1, 1000, "log-uniform")}, resample_probability=0.0)
    values = {scheduler.explore({"n": 3})["n"] for _ in range(30)}
    assert values == {2, 4}  # 3 * 0.8 and 3 * 1.2 round back to 3
    values = {scheduler.explore({"n": 500})["n"] for _ in range(30)}
    assert values == {400, 600}


def test_explore_moves_ordinals_to_neighbours():
    scheduler = _scheduler({"b": Ordinal([16, 32, 64, 128])}, resample_probability=0.0)
    assert {scheduler.explore({"b": 32})["b"] for _ in range(30)} == {16, 64}
    assert {scheduler.explore({"b": 128})["b"] for _ in range(30)} == {64, 128}


def test_explore_keeps_categoricals_unless_resampled():
    space = {"k": Categorical(["a", "b", "c"])}
    kept = _scheduler(space, resample_probability=0.0)
    assert {kept.explore({"k": "b"})["k"] for _ in range(20)} == {"b"}
    resampled = _scheduler(space, resample_probability=1.0)
    draws = [resampled.explore({"k": "b"})["k"] for _ in range(3000)]
    for value in "abc":
        # Uniform prior: 1/3 each, within 5 standard errors.
        assert abs(draws.count(value) / 3000 - 1 / 3) < 5 * math.sqrt(2 / 9 / 3000)


def test_resample_probability_is_respected():
    scheduler = _scheduler({"lr": Real(1e-6, 1.0, "log-uniform")}, resample_probability=0.25)
    n = 4000
    ratios = np.array([scheduler.explore({"lr": 1e-3})["lr"] / 1e-3 for _ in range(n)])
    perturbed = np.isclose(ratios, 0.8) | np.isclose(ratios, 1.2)
    # A redraw lands on exactly 0.8x or 1.2x with probability zero.
    assert abs((1 - perturbed.mean()) - 0.25) < 5 * math.sqrt(0.25 * 0.75 / n)


def test_explore_clips_at_bounds():
    scheduler = _scheduler(
        {"lr": Real(1e-3, 1e-1, "log-uniform"), "n": Integer(1, 5)}, resample_probability=0.0
    )
    for _ in range(20):
        params = scheduler.explore({"lr": 1e-1, "n": 5})
        assert 1e-3 <= params["lr"] <= 1e-1 and 1 <= params["n"] <= 5


@given(seed=st.integers(0, 2**31 - 1), u=st.lists(st.floats(0, 1), min_size=9, max_size=9))
def test_explore_stays_in_space_with_user_types(seed, u):
    space = Space({name: spec for name, spec in _scheduler().spaces[0]})
    params = space.decode(space.from_unit(np.array([u])))[0]
    explored = _scheduler(random_state=seed, resample_probability=0.3).explore(params)
    assert space.contains(explored)
    for name, value in explored.items():
        assert type(value) is type(params[name])


# -- ask / tell -----------------------------------------------------------------
def test_initial_population_covers_the_space():
    scheduler = _scheduler({"k": Categorical(["a", "b"]), "x": Real(0, 1)}, population_size=4)
    population = scheduler.ask()
    assert len(population) == 4
    assert sorted(p["k"] for p in population) == ["a", "a", "b", "b"]  # Sobol is balanced
    assert sorted(int(p["x"] * 4) for p in population) == [0, 1, 2, 3]


@pytest.mark.parametrize("explore", ["perturb", "bandit"])
def test_tell_replaces_losers_by_explored_copies(explore):
    scheduler = _scheduler(
        {"lr": Real(1e-6, 1.0, "log-uniform")}, population_size=4, resample_probability=0.0,
        explore=explore,
    )
    before = scheduler.ask()
    parents = scheduler.tell([0.1, 0.9, 0.5, 0.7])
    after = scheduler.ask()
    assert parents.tolist() == [1, 1, 2, 3]
    assert after[1:] == before[1:]
    # One of the two perturbations of the winner's value (clipped at the bound).
    perturbed = {max(1e-6, round(before[1]["lr"] * f, 15)) for f in (0.8, 1.2)}
    assert round(after[0]["lr"], 15) in perturbed


def test_perturbation_interval_and_last_step():
    scheduler = _scheduler(population_size=4, perturbation_interval=2)
    scheduler.ask()
    assert scheduler.tell([0.1, 0.9, 0.5, 0.7]).tolist() == [0, 1, 2, 3]
    assert scheduler.tell([0.1, 0.9, 0.5, 0.7]).tolist() == [1, 1, 2, 3]
    assert scheduler.tell([0.1, 0.9, 0.5, 0.7]).tolist() == [0, 1, 2, 3]
    assert scheduler.tell([0.1, 0.9, 0.5, 0.7], perturb=False).tolist() == [0, 1, 2, 3]


def test_same_seed_same_run_other_seed_other_run():
    def run(seed):
        scheduler = _scheduler(population_size=6, random_state=seed)
        rng = np.random.RandomState(123)
        for _ in range(5):
            scheduler.ask()
            scheduler.tell(rng.uniform(size=6))
        return scheduler.history_

    assert run(0) == run(0)
    assert run(0) != run(1)


def test_history_and_schedule_follow_lineage():
    scheduler = _scheduler(
        {"lr": Real(1e-6, 1.0, "log-uniform")}, population_size=4, resample_probability=0.0
    )
    p0 = scheduler.ask()
    scheduler.tell([0.1, 0.9, 0.5, 0.7])  # member 0 <- member 1
    p1 = scheduler.ask()
    scheduler.tell([0.95, 0.2, 0.5, 0.7])  # member 1 <- member 0
    p2 = scheduler.ask()
    scheduler.tell([0.1, 0.99, 0.5, 0.7], perturb=False)
    rows = [(r["step"], r["member"], r["parent"]) for r in scheduler.history_]
    assert rows[4:8] == [(1, 0, 1), (1, 1, 1), (1, 2, 2), (1, 3, 3)]
    assert (2, 1, 0) in rows
    schedule = scheduler.schedule(1)
    assert [e["member"] for e in schedule] == [1, 0, 1]
    assert [e["params"] for e in schedule] == [p0[1], p1[0], p2[1]]
    assert [e["params"] for e in scheduler.schedule(2)] == [p0[2]] * 3


def test_subspaces_share_members_and_losers_move_to_the_winners_subspace():
    spaces = [{"a": Real(0, 1)}, {"b": Integer(1, 9)}]
    scheduler = PBTScheduler(spaces, population_size=4, random_state=0)
    population = scheduler.ask()
    assert [set(p) for p in population] == [{"a"}, {"b"}, {"a"}, {"b"}]
    scheduler.tell([0.9, 0.1, 0.5, 0.5])
    assert set(scheduler.ask()[1]) == {"a"} and scheduler.subspace_[1] == 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"population_size": 1}, "The 'population_size' parameter of PBTScheduler must be an int in the range [2, inf). Got 1 instead."),
        ({"perturbation_interval": 0}, "The 'perturbation_interval' parameter of PBTScheduler must be an int in the range [1, inf). Got 0"),
        ({"quantile_fraction": 0.0}, "The 'quantile_fraction' parameter of PBTScheduler must be a number in the range (0, 0.5]"),
        ({"quantile_fraction": 0.6}, "The 'quantile_fraction' parameter of PBTScheduler must be a number in the range (0, 0.5]"),
        ({"resample_probability": 1.5}, "The 'resample_probability' parameter of PBTScheduler must be a number in the range [0, 1]"),
        ({"perturbation_factors": []}, "perturbation_factors must be a non-empty sequence"),
        ({"perturbation_factors": [0.8, -1]}, "perturbation_factors must be a non-empty sequence"),
        ({"perturbation_factors": ["x"]}, "perturbation_factors must be a sequence of positive"),
    ],
)
def test_invalid_parameters(kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        _scheduler(**kwargs)


def test_tell_errors():
    scheduler = _scheduler(population_size=4)
    with pytest.raises(RuntimeError, match=re.escape("Call ask() before tell()")):
        scheduler.tell([1.0] * 4)
    scheduler.ask()
    with pytest.raises(ValueError, match="one score per member"):
        scheduler.tell([1.0] * 3)
