"""Strategies over conditional spaces: budget flow, exhausted branches, state."""

import re
import warnings

import numpy as np
import pytest

from hptune.exceptions import ExhaustedSpaceWarning
from hptune.strategies._conditional_bayes import ConditionalBayesOptimizer
from hptune.strategies._conditional_evolution import ConditionalEvolutionOptimizer
from hptune.strategies._screening import POOL_FACTOR

# Branch "good" peaks at 0 at x = 0.5; "bad" never exceeds -1; "tiny" has 3 points.
SPACES = [
    {"kind": ["bad"], "x": (-2.0, 2.0)},
    {"kind": ["good"], "x": (-2.0, 2.0), "y": (0.0, 1.0)},
    {"kind": ["tiny"], "z": [1, 2, 3]},
]


def score(p):
    if p["kind"] == "bad":
        return -1.0 - 0.1 * (p["x"] - 0.5) ** 2
    if p["kind"] == "good":
        return -((p["x"] - 0.5) ** 2) - (p["y"] - 0.3) ** 2
    return -3.0 + 0.1 * p["z"]


def run(opt, n_iter, batch=1):
    while opt.n_told < n_iter:
        points = opt.ask(min(batch, n_iter - opt.n_told))
        if not points:
            break
        opt.tell(points, [score(p) for p in points])
    return opt


def bayes(**params):
    return ConditionalBayesOptimizer(SPACES, **{"n_iter": 30, "random_state": 0, **params})


def evolution(**params):
    return ConditionalEvolutionOptimizer(SPACES, **{"population_size": 6, "random_state": 0, **params})


@pytest.mark.parametrize("make, batch", [(bayes, 1), (evolution, 6)])
def test_budget_flows_to_the_better_branch_without_starving_the_others(make, batch):
    opt = run(make(), 30, batch)
    counts = np.bincount(opt.branch_, minlength=3)
    assert opt.n_told == 30 and opt.best_params["kind"] == "good"
    assert np.all(counts >= 1)  # every branch was seen
    # An even split would give the good branch 10 of 30; wide margin.
    assert counts[1] >= 15


def test_one_design_over_the_branches():
    opt = bayes(n_initial_points=6)
    first = opt.ask(3)
    assert [p["kind"] for p in first] == ["bad", "good", "tiny"]


def test_design_has_at_least_three_points_per_branch():
    spaces = [{"kind": [k], "x": (0.0, 1.0)} for k in "abcd"]
    opt = ConditionalBayesOptimizer(spaces, n_initial_points=2, random_state=0)
    design = opt.ask(12)  # nothing told yet: all of it is the initial design
    assert sorted(p["kind"] for p in design) == sorted("abcd" * 3)
    assert [p["kind"] for p in design[:4]] == list("abcd")  # interleaved


@pytest.mark.parametrize("make, batch", [(bayes, 2), (evolution, 6)])
def test_exhausted_branch_hands_its_budget_to_the_others(make, batch):
    spaces = [{"clf": ["nb"]}, {"clf": ["lr"], "C": (1e-4, 1e2, "log-uniform")}]
    cls = type(make())
    opt = cls(spaces, n_iter=20, random_state=0, **({"population_size": 6} if batch == 6 else {}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExhaustedSpaceWarning)  # budget left: no warning
        while opt.n_told < 20:
            points = opt.ask(min(batch, 20 - opt.n_told))
            assert points
            opt.tell(points, [float(p["clf"] == "lr") for p in points])
    assert np.bincount(opt.branch_).tolist() == [1, 19]


@pytest.mark.parametrize("make", [bayes, evolution])
def test_search_ends_only_when_the_whole_space_is_exhausted(make):
    spaces = [{"a": [1, 2]}, {"b": ["u", "v", "w"]}]
    cls = type(make())
    opt = cls(spaces, random_state=0, **({"population_size": 4} if cls is ConditionalEvolutionOptimizer else {}))
    told = opt.ask(4)
    opt.tell(told, np.arange(4.0))
    with pytest.warns(ExhaustedSpaceWarning, match=re.escape("Only 1 of the 4 requested points are new")):
        last = opt.ask(4)
    told += last
    opt.tell(last, [0.0])
    assert len({repr(sorted(p.items())) for p in told}) == 5
    with pytest.warns(ExhaustedSpaceWarning, match=re.escape("Only 0 of the 2 requested points are new")):
        assert opt.ask(2) == []


def test_explicit_budgets_are_kept():
    # skopt's (dict, n_iter): each branch gets exactly its own budget, even
    # the branch the model would rather leave.
    opt = ConditionalBayesOptimizer(SPACES[:2], budgets=[8, 4], n_iter=None, n_initial_points=4, random_state=0)
    run(opt, 20)
    assert opt.n_told == 12 and np.bincount(opt.branch_).tolist() == [8, 4]


def test_explicit_budget_of_an_exhausted_branch_goes_to_the_free_ones():
    spaces = [{"kind": ["tiny"], "z": [1, 2]}, SPACES[1]]
    opt = ConditionalBayesOptimizer(spaces, budgets=[5, None], n_iter=4, n_initial_points=2, random_state=0)
    run(opt, 9)
    assert np.bincount(opt.branch_).tolist() == [2, 7]


@pytest.mark.parametrize("make, batch", [(bayes, 2), (evolution, 6)])
def test_state_round_trip_mid_search(make, batch):
    a = run(make(), 8, batch)
    b = type(a)(SPACES, **_settings(a)).load_state_dict(a.state_dict())
    assert b.n_told == 8 and b.params_ == a.params_ and b.branch_.tolist() == a.branch_.tolist()
    # The restored strategy continues exactly as the uninterrupted one.
    for _ in range(2):
        asked = a.ask(3)
        assert asked == b.ask(3)
        a.tell(asked, [score(p) for p in asked])
        b.tell(asked, [score(p) for p in asked])


def _settings(opt):
    if isinstance(opt, ConditionalBayesOptimizer):
        return {"n_iter": 30, "random_state": 1}
    return {"population_size": 6, "random_state": 1}


def test_state_of_other_spaces_is_refused():
    state = run(bayes(), 4).state_dict()
    other = ConditionalBayesOptimizer([SPACES[0], SPACES[2], SPACES[1]], random_state=0)
    with pytest.raises(ValueError, match="different sub-space 1"):
        other.load_state_dict(state)


def test_tell_files_foreign_points_by_membership():
    opt = bayes()
    opt.tell([{"kind": "tiny", "z": 2}, {"kind": "good", "x": 0.0, "y": 0.5}], [1.0, 2.0])
    assert opt.branch_.tolist() == [2, 1] and opt.best_params["kind"] == "good"
    with pytest.raises(ValueError, match="is in none of the 3 sub-spaces"):
        opt.tell([{"kind": "tiny", "z": 7}], [0.0])


def test_batches_are_distinct_and_failures_are_learned_from():
    opt = bayes(n_initial_points=3)
    opt.tell(opt.ask(3), [np.nan, 0.0, -1.0])
    batch = opt.ask(4)
    keys = [repr(sorted(p.items())) for p in batch]
    assert len(set(keys)) == 4


def test_evolution_generation_is_one_batch_and_individuals_keep_their_branch():
    opt = evolution()
    for _ in range(4):
        points = opt.ask(6)
        assert len(points) == 6
        opt.tell(points, [score(p) for p in points])
    assert opt.generations_.tolist() == [g for g in range(4) for _ in range(6)]
    # Every told point is a point of the branch it is filed under.
    for k, p in zip(opt.branch_, opt.params_):
        assert opt.space.branches[k].contains(p)


def test_evolution_switches_branch_as_a_mutation():
    # Only the "bad" branch scores at first; switching still visits the others.
    opt = ConditionalEvolutionOptimizer(SPACES[:2], population_size=6, random_state=0)
    points = opt.ask(6)
    opt.tell(points, [0.0 if p["kind"] == "bad" else -5.0 for p in points])
    later = [p["kind"] for _ in range(8) for p in _generation(opt)]
    assert 1 <= later.count("good") < len(later) // 2


def _generation(opt):
    points = opt.ask(opt.population_size_)
    opt.tell(points, [0.0 if p["kind"] == "bad" else -5.0 for p in points])
    return points


def test_evolution_refuses_cma():
    with pytest.raises(ValueError, match=re.escape("algorithm='cma' searches one continuous space")):
        ConditionalEvolutionOptimizer(SPACES, algorithm="cma")


def test_settings_are_validated_with_the_single_space_messages():
    with pytest.raises(ValueError, match=r"The 'n_initial_points' parameter of BayesOptimizer must be an int in the range \[1, inf\)"):
        ConditionalBayesOptimizer(SPACES, n_initial_points=0)
    with pytest.raises(ValueError, match="tournament_size=5 exceeds population_size=4"):
        ConditionalEvolutionOptimizer(SPACES, population_size=4, tournament_size=5)


@pytest.mark.parametrize("surrogate", ["gp", None])
def test_evolution_screens_offspring_with_one_gp_over_the_branches(surrogate):
    opt = run(evolution(surrogate=surrogate), 30, 6)
    assert opt.n_told == 30 and opt.best_params["kind"] == "good"
    if surrogate is None:
        assert opt._screen is None
    else:
        # Fitted while breeding generations 1-4, on the model input of all branches.
        assert opt._screen.gp_.X_train_.shape[1] == opt.space.n_columns
    for branch in opt.branches:  # points stay fresh in their branch
        assert len({tuple(z) for z in branch.Z_.round(12)}) == len(branch.Z_)


def test_evolution_screens_every_generation_from_a_full_pool_under_a_shared_budget():
    # n_iter=15 with generations of 6: 6, 6, then the 3 left. Each screened
    # generation chooses among POOL_FACTOR times its size, the last one too.
    opt = evolution(n_iter=15)
    pool_sizes, select = [], opt._screen.select

    def spy(Z, fitness, pool, n, rng, pending=None):
        pool_sizes.append((len(pool), n))
        return select(Z, fitness, pool, n, rng, pending=pending)

    opt._screen.select = spy
    sizes = []
    while points := opt.ask(6):
        sizes.append(len(points))
        opt.tell(points, [score(p) for p in points])
    assert sizes == [6, 6, 3] and opt.n_told == 15
    assert pool_sizes == [(POOL_FACTOR * 6, 6), (POOL_FACTOR * 3, 3)]


def test_evolution_refuses_an_unknown_surrogate():
    with pytest.raises(ValueError, match="'surrogate' parameter of ConditionalEvolutionOptimizer.*'rf'"):
        evolution(surrogate="rf")
