import numpy as np

from hptune.space import to_subspaces
from hptune.strategies import RandomOptimizer
from hptune.strategies import BayesOptimizer, EvolutionOptimizer
from hptune.strategies._conditional_bayes import ConditionalBayesOptimizer
from hptune.strategies._conditional_evolution import ConditionalEvolutionOptimizer
from hptune.strategies._subspaces import SubspaceStrategy, conditional_strategy, split_budget


def test_split_budget():
    assert split_budget(10, [None, None, None]) == [4, 3, 3]
    assert split_budget(10, [5, None]) == [5, 10]


def _composite(budgets=(6, 3)):
    spaces = to_subspaces([{"kernel": ["linear"], "C": (0.1, 10.0)}, {"kernel": ["rbf"], "gamma": (0.1, 1.0)}])
    return SubspaceStrategy([RandomOptimizer(s, random_state=i) for i, (s, _) in enumerate(spaces)], list(budgets))


def test_batches_follow_remaining_budgets():
    strategy = _composite()
    asked = strategy.ask(9)
    kernels = [p["kernel"] for p in asked]
    assert kernels.count("linear") == 6 and kernels.count("rbf") == 3
    strategy.tell(asked, np.arange(9.0))
    assert [s.n_told for s in strategy.strategies] == [6, 3]
    assert strategy.ask(1) == [] and strategy.best_score == 8.0


def test_tell_routes_foreign_points_by_membership():
    strategy = _composite()
    strategy.tell([{"kernel": "rbf", "gamma": 0.5}], [1.0])
    assert [s.n_told for s in strategy.strategies] == [0, 1]


def test_state_round_trip():
    a = _composite()
    a.tell(a.ask(3), [1.0, 2.0, 3.0])
    b = _composite().load_state_dict(a.state_dict())
    assert a.ask(4) == b.ask(4)


def test_conditional_strategy_keeps_the_settings_of_the_template():
    spaces = [s for s, _ in to_subspaces([{"a": (0.0, 1.0)}, {"b": [1, 2, 3]}])]
    bayes = conditional_strategy(
        BayesOptimizer(spaces[0], n_initial_points=3, acq_func="EI", xi=0.01), spaces,
        budgets=[None, 2], n_iter=5, random_state=0,
    )
    assert isinstance(bayes, ConditionalBayesOptimizer)
    assert (bayes.n_initial_points, bayes.acq_func, bayes.xi, bayes.budgets) == (3, "log_ei", 0.01, [None, 2])
    evolution = conditional_strategy(
        EvolutionOptimizer(spaces[0], population_size=5, tournament_size=2), spaces,
        budgets=[None, None], n_iter=10, random_state=0,
    )
    assert isinstance(evolution, ConditionalEvolutionOptimizer)
    assert (evolution.population_size_, evolution.tournament_size) == (5, 2)


def test_other_strategies_run_once_per_sub_space():
    spaces = [s for s, _ in to_subspaces([{"a": (0.0, 1.0)}, {"b": (0.0, 1.0)}])]
    strategy = conditional_strategy(
        RandomOptimizer(spaces[0]), spaces, budgets=[None, None], n_iter=6, random_state=0,
        make_strategy=lambda space, budget, seed: RandomOptimizer(space, random_state=seed),
    )
    assert isinstance(strategy, SubspaceStrategy) and strategy.budgets == [3, 3]
