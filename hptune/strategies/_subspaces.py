"""Conditional sub-spaces: the strategy that searches a list of dicts.

A list of dicts given to ``GridSearchCV`` describes a union of spaces with
different parameters (for example one dict per kernel of an SVC).
:func:`conditional_strategy` turns the strategy a search would use on one
space into the strategy over all of them: Bayesian optimisation and
evolution search every branch at once
(:class:`~hptune.strategies._conditional_bayes.ConditionalBayesOptimizer`,
:class:`~hptune.strategies._conditional_evolution.ConditionalEvolutionOptimizer`),
so that the budget flows to the branches that score well. Any other
strategy runs once per sub-space behind :class:`SubspaceStrategy`, each
with a fixed share of the budget.
"""

import math

import numpy as np

from ._bayes import BayesOptimizer
from ._conditional_bayes import ConditionalBayesOptimizer
from ._conditional_evolution import ConditionalEvolutionOptimizer
from ._evolution import EvolutionOptimizer
from ..utils._random import check_random_state, child_seed

__all__ = ["SubspaceStrategy", "conditional_strategy", "split_budget"]

_BAYES_SETTINGS = (
    "n_initial_points", "initial_point_generator", "acq_func", "xi", "kappa",
    "batch_strategy", "n_candidates", "n_polish",
)
_EVOLUTION_SETTINGS = (
    "population_size", "algorithm", "crossover_probability", "mutation_probability",
    "tournament_size", "elitism", "mutation_scale", "surrogate",
)


def conditional_strategy(template, spaces, *, budgets, n_iter, random_state, make_strategy=None):
    """The strategy over several sub-spaces that does what ``template`` does on one.

    Parameters
    ----------
    template : Strategy
        The strategy configured for one sub-space (its settings are copied).
    spaces : list of Space
        The sub-spaces.
    budgets : list of int or None
        Each sub-space's own budget, or None for those sharing ``n_iter``.
    n_iter : int
        Budget shared by the sub-spaces without their own.
    random_state : int
        Seed of the strategy.
    make_strategy : callable, default=None
        ``make_strategy(space, budget, seed)``, for strategies run once per
        sub-space (those with no conditional version).

    Returns
    -------
    strategy : ConditionalStrategy or SubspaceStrategy
    """
    common = {"budgets": budgets, "n_iter": n_iter, "random_state": random_state}
    if isinstance(template, BayesOptimizer):
        settings = {name: getattr(template, name) for name in _BAYES_SETTINGS}
        noise_floor = template._surrogate.noise_floor
        return ConditionalBayesOptimizer(spaces, noise_floor=noise_floor, **settings, **common)
    if isinstance(template, EvolutionOptimizer):
        settings = {name: getattr(template, name) for name in _EVOLUTION_SETTINGS}
        return ConditionalEvolutionOptimizer(spaces, **settings, **common)
    shares = split_budget(n_iter, budgets)
    rng = check_random_state(random_state)
    return SubspaceStrategy(
        [make_strategy(space, share, child_seed(rng)) for space, share in zip(spaces, shares)], shares
    )


def split_budget(n_iter, fixed):
    """Share ``n_iter`` evaluations among sub-spaces without a budget of their own.

    Parameters
    ----------
    n_iter : int
        Total budget for the sub-spaces whose entry in ``fixed`` is None.
    fixed : list of int or None
        Explicit budgets (skopt's ``(dict, n_iter)`` form) or None.

    Returns
    -------
    budgets : list of int
        The budget of each sub-space; free ones share ``n_iter`` as evenly as
        possible, earlier sub-spaces taking the remainder.
    """
    free = [i for i, b in enumerate(fixed) if b is None]
    budgets = list(fixed)
    for rank, i in enumerate(free):
        budgets[i] = n_iter // len(free) + (rank < n_iter % len(free))
    return [int(b) for b in budgets]


class SubspaceStrategy:
    """Run one strategy per sub-space behind a single ask/tell interface.

    Parameters
    ----------
    strategies : list of Strategy
        One strategy per sub-space.
    budgets : list of int
        Number of evaluations each sub-space may receive.

    Attributes
    ----------
    strategies : list of Strategy
    budgets : list of int
    """

    def __init__(self, strategies, budgets):
        self.strategies, self.budgets = list(strategies), list(budgets)
        self._owner = {}

    def _remaining(self):
        return np.array(
            [b - s.n_told - len(s._pending) for s, b in zip(self.strategies, self.budgets)]
        )

    def ask(self, n=1):
        """Propose up to ``n`` points, drawn from the sub-spaces with budget left."""
        counts = np.zeros(len(self.strategies), dtype=int)
        remaining = self._remaining()
        for _ in range(n):
            # Hand each slot to the sub-space with the largest share of budget left.
            share = np.where(remaining - counts > 0, (remaining - counts) / np.maximum(self.budgets, 1), -1)
            if share.max() <= 0:
                break
            counts[int(np.argmax(share))] += 1
        params = []
        for i, (strategy, k) in enumerate(zip(self.strategies, counts)):
            if k:
                asked = strategy.ask(int(k))
                # The dict itself is kept: an id alone may be reused once it is gone.
                self._owner.update({id(p): (i, p) for p in asked})
                params.extend(asked)
        return params

    def tell(self, params, scores):
        """Route each score to the strategy that proposed its point."""
        routed = [([], []) for _ in self.strategies]
        for p, s in zip(params, np.asarray(scores, dtype=float).reshape(-1)):
            i, asked = self._owner.pop(id(p), (None, None))
            if asked is not p:
                i = next(j for j, st in enumerate(self.strategies) if st.space.contains(p))
            routed[i][0].append(p)
            routed[i][1].append(s)
        for strategy, (p, s) in zip(self.strategies, routed):
            if p:
                strategy.tell(p, s)

    @property
    def n_told(self):
        """Number of told points over all sub-spaces."""
        return sum(s.n_told for s in self.strategies)

    @property
    def best_score(self):
        """Best told score over all sub-spaces (NaN while none is finite)."""
        scores = [s.best_score for s in self.strategies if not math.isnan(s.best_score)]
        return max(scores) if scores else math.nan

    def state_dict(self):
        """Plain-data state: one state per sub-space strategy."""
        return {"subspaces": [s.state_dict() for s in self.strategies], "budgets": self.budgets}

    def load_state_dict(self, state):
        """Restore :meth:`state_dict` output."""
        if len(state.get("subspaces", [])) != len(self.strategies):
            raise ValueError("The state was saved for a different number of sub-spaces.")
        for strategy, sub in zip(self.strategies, state["subspaces"]):
            strategy.load_state_dict(sub)
        self._owner = {}
        return self
