import numpy as np

from hptune.space import to_subspaces
from hptune.strategies import RandomOptimizer
from hptune.strategies._subspaces import SubspaceStrategy, split_budget


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
