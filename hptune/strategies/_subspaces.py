"""Conditional sub-spaces: one strategy per sub-space, each with its own budget.

A list of dicts given to ``GridSearchCV`` describes a union of spaces with
different parameters (for example one dict per kernel of an SVC). A model of
one sub-space says nothing about another, so each gets its own strategy, and
the batches are shared out in proportion to the budgets left.
"""

import math

import numpy as np

__all__ = ["SubspaceStrategy", "split_budget"]


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
                self._owner.update({id(p): i for p in asked})
                params.extend(asked)
        return params

    def tell(self, params, scores):
        """Route each score to the strategy that proposed its point."""
        routed = [([], []) for _ in self.strategies]
        for p, s in zip(params, np.asarray(scores, dtype=float).reshape(-1)):
            i = self._owner.pop(id(p), None)
            if i is None:
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
