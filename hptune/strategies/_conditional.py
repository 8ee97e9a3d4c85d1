"""Ask/tell over a conditional space: the branches searched as one.

A list of dicts is a union of *branches* (see
:mod:`hptune.space._conditional`). :class:`ConditionalStrategy` is the shared
bookkeeping of the strategies that search all branches at once
(:class:`~hptune.strategies._conditional_bayes.ConditionalBayesOptimizer`,
:class:`~hptune.strategies._conditional_evolution.ConditionalEvolutionOptimizer`):
the told history in order with the branch of every point, the points pending
in each branch, the budgets, and the plain-data state.

Budgets
-------
Branches without a budget of their own share ``n_iter`` (``None``: no
limit), and the strategy decides how: the budget goes where the model or
the selection sends it. A branch given as scikit-optimize's ``(dict,
n_iter)`` keeps exactly its own budget. A finite branch that has no new
point left hands what it has not used to the others: the budgets are
*pools* (one per budgeted branch, one shared by the free branches), a pool
whose branches are all exhausted is slack, and slack may go to any branch
with points left. The strategy returns fewer points than asked only when
the budgets are spent or every branch is exhausted (then with an
:class:`~hptune.exceptions.ExhaustedSpaceWarning`).

Notation: ``k`` is a branch index, ``Z`` encodings of one branch,
``branch_`` (n_told,) the branch of every told point, ``y_`` their scores.
"""

import math
import warnings

import numpy as np

from ..exceptions import ExhaustedSpaceWarning
from ..space import to_space
from ..space._conditional import ConditionalSpace
from ..space._space import as_rows
from ..utils._random import check_random_state, rng_from_state, rng_to_state
from ._base import STATE_FORMAT, Strategy

__all__ = ["Branch", "ConditionalStrategy", "stack_rows"]


def stack_rows(rows, n_columns):
    """Encodings of one branch as an array of shape (n_rows, n_columns).

    Also for a branch of constants, whose encodings have no column at all:
    ``reshape(-1, 0)`` cannot tell how many rows an empty array holds.
    """
    return np.asarray(rows, dtype=float).reshape(len(rows), n_columns)


class Branch:
    """The history of one branch, with the attributes of a strategy's history.

    Parameters
    ----------
    space : Space

    Attributes
    ----------
    space : Space
    Z_ : ndarray of shape (n_told, n_columns)
        Encodings of the points told in this branch.
    y_ : ndarray of shape (n_told,)
    params_ : list of dict
    """

    def __init__(self, space, rng):
        self.space, self._rng = space, rng
        self.Z_ = np.empty((0, space.n_columns))
        self.y_ = np.empty(0)
        self.params_ = []
        self._pending = np.empty((0, space.n_columns))

    # The history and the search for fresh points work as in a strategy of
    # one space (``_rng`` is the conditional strategy's generator).
    n_told = Strategy.n_told
    best_index = Strategy.best_index
    best_params = Strategy.best_params
    best_score = Strategy.best_score
    taken = _taken = Strategy._taken
    fresh = _fresh = Strategy._fresh
    random_fresh = Strategy._random_fresh


class ConditionalStrategy:
    """Base class of the strategies that search every branch at once.

    Parameters
    ----------
    spaces : list of Space or dict
        The branches (sub-spaces), in order.
    budgets : list of int or None, default=None
        Each branch's own budget, or None for a branch sharing ``n_iter``.
    n_iter : int, default=None
        Budget shared by the branches without their own (None: no limit).
    random_state : int, RandomState instance or None, default=None
        Seed of every random choice.

    Attributes
    ----------
    space : ConditionalSpace
    branches : list of Branch
        The history of each branch.
    branch_ : ndarray of shape (n_told,)
        Branch of each told point, in order.
    y_ : ndarray of shape (n_told,)
        Scores of the told points (NaN for failures).
    params_ : list of dict
        The told points, in order.
    """

    def __init__(self, spaces, *, budgets=None, n_iter=None, random_state=None):
        self.space = ConditionalSpace([to_space(s) for s in spaces])
        self._rng = check_random_state(random_state)
        self.branches = [Branch(space, self._rng) for space in self.space.branches]
        n = self.space.n_branches
        self.budgets = [None] * n if budgets is None else list(budgets)
        if len(self.budgets) != n:
            raise ValueError(f"budgets has {len(self.budgets)} entries for {n} sub-spaces.")
        self.n_iter = n_iter
        self.random_state = random_state
        self.branch_, self.y_, self.params_ = np.empty(0, dtype=np.int64), np.empty(0), []
        self._owner = {}

    # -- public API ---------------------------------------------------------
    @property
    def strategies(self):
        """The per-branch histories (the name code written for one strategy per sub-space reads)."""
        return self.branches

    def ask(self, n=1):
        """Propose up to ``n`` new parameter dicts, from any branch.

        Fewer are returned when the budgets are spent, or, with an
        :class:`~hptune.exceptions.ExhaustedSpaceWarning`, when every branch
        with budget left has no unevaluated point left.

        Parameters
        ----------
        n : int, default=1
            Number of points wanted.

        Returns
        -------
        params : list of dict
        """
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n must be an int >= 1. Got {n!r} instead.")
        picks = self._propose(int(n))
        if len(picks) < n and self._budget_left(self._used()) > len(picks):
            warnings.warn(
                f"Only {len(picks)} of the {n} requested points are new: the "
                f"{self.space.n_branches} sub-spaces have {self.space.size} points and "
                f"{self.n_told + sum(len(b._pending) for b in self.branches)} were already proposed.",
                ExhaustedSpaceWarning,
                stacklevel=2,
            )
        params = []
        for k, z in picks:
            branch = self.branches[k]
            branch._pending = np.vstack([branch._pending, z[None, :]])
            [p] = branch.space.decode(z[None, :])
            # The dict itself is kept: an id alone may be reused by another
            # dict once this one is gone.
            self._owner[id(p)] = (k, p)
            params.append(p)
        return params

    def tell(self, params, scores):
        """Record the scores of evaluated parameter dicts.

        Parameters
        ----------
        params : list of dict
            Points, usually from :meth:`ask`; a point of any branch is allowed
            (it is filed under the first branch that contains it).
        scores : array-like of shape (n_points,)
            Their scores (greater is better); NaN or -inf mark failures.
        """
        params = list(params)
        y = np.asarray(scores, dtype=float).reshape(-1)
        if len(params) != len(y):
            raise ValueError(f"tell got {len(params)} points but {len(y)} scores.")
        owners = [self._owner.pop(id(p), (None, None)) for p in params]
        ks = np.array(
            [k if asked is p else self.space.branch_of(p) for (k, asked), p in zip(owners, params)],
            dtype=np.int64,
        )
        Z = []
        for k, p, score in zip(ks, params, y):
            branch = self.branches[k]
            z = branch.space.encode([p])[0]
            hit = np.flatnonzero(np.all(np.abs(branch._pending - z) <= 1e-9, axis=1))
            if len(hit):
                branch._pending = np.delete(branch._pending, hit[0], axis=0)
            branch.Z_ = np.vstack([branch.Z_, z[None, :]])
            branch.y_ = np.append(branch.y_, score)
            branch.params_.append(p)
            Z.append(z)
        self.branch_ = np.concatenate([self.branch_, ks])
        self.y_ = np.concatenate([self.y_, y])
        self.params_.extend(params)
        self._observe(ks, Z, y)

    n_told = Strategy.n_told
    best_index = Strategy.best_index
    best_params = Strategy.best_params
    best_score = Strategy.best_score

    # -- budgets ----------------------------------------------------------------
    def _used(self):
        """Points told or pending in each branch, shape (n_branches,)."""
        return np.array([b.n_told + len(b._pending) for b in self.branches], dtype=float)

    def _pools(self):
        """Pool of each branch (its own, or the shared one last) and each pool's budget."""
        n = self.space.n_branches
        pool = np.array([k if b is not None else n for k, b in enumerate(self.budgets)])
        free = math.inf if self.n_iter is None else float(self.n_iter)
        budget = np.array([float(b) if b is not None else 0.0 for b in self.budgets] + [free])
        if not np.any(pool == n):
            budget[n] = 0.0
        return pool, budget

    def _budget_left(self, used):
        """Evaluations left over all pools."""
        pool, budget = self._pools()
        spent = np.bincount(pool, weights=used, minlength=len(budget))
        return float(np.sum(budget - spent))

    def _open(self, used, exhausted, budgeted=True):
        """Branches that may receive one more point, as a boolean mask.

        ``used`` counts each branch's told, pending and already chosen
        points; ``exhausted`` marks branches with no new point left.
        ``budgeted=False`` ignores the budgets (only exhaustion closes a
        branch).
        """
        if not budgeted:
            return ~exhausted
        pool, budget = self._pools()
        spent = np.bincount(pool, weights=used, minlength=len(budget))
        remaining = budget - spent
        live = np.bincount(pool, weights=~exhausted, minlength=len(budget)) > 0
        # Budget of pools whose branches are all exhausted, less what live
        # pools already took beyond their own budgets: anyone may use it.
        slack = np.sum(np.where(live, np.minimum(remaining, 0.0), remaining)[budget > 0])
        return ~exhausted & ((remaining[pool] > 0) | (slack > 0))

    def _exhausted(self, used):
        """Branches whose finite spaces have no point left, boolean mask."""
        return np.array([b.space.size <= u for b, u in zip(self.branches, used)])

    def _allot(self, n, used, exhausted, rng=None):
        """Share ``n`` slots among the open branches as evenly as possible.

        Every open branch gets one slot before any gets two (in branch
        order, or in a random order when ``rng`` is given); branches close as
        their budgets or spaces run out.

        Returns
        -------
        counts : ndarray of shape (n_branches,) of int
        """
        used, counts = used.copy(), np.zeros(self.space.n_branches, dtype=int)
        sizes = np.array([b.space.size for b in self.branches], dtype=float)
        order = np.arange(self.space.n_branches) if rng is None else rng.permutation(self.space.n_branches)
        while counts.sum() < n:
            is_open = self._open(used, exhausted | (sizes <= used))
            candidates = [k for k in order if is_open[k]]
            if not candidates:
                break
            k = min(candidates, key=lambda j: counts[j])
            counts[k] += 1
            used[k] += 1
        return counts

    def _told_X(self):
        """Model inputs of the told points in order, shape (n_told, n_columns)."""
        X = np.empty((self.n_told, self.space.n_columns))
        for k, branch in enumerate(self.branches):
            X[self.branch_ == k] = self.space.embed(k, branch.Z_)
        return X

    # -- hooks --------------------------------------------------------------------
    def _propose(self, n):
        """Return up to ``n`` fresh ``(k, z)`` pairs."""
        raise NotImplementedError

    def _observe(self, ks, Z, y):
        """Hook called by ``tell`` after the history is updated."""

    def _random_picks(self, n, used, exhausted):
        """Up to ``n`` fresh random points from open branches, one branch at a time."""
        picks = []
        for k, count in enumerate(self._allot(n, used, exhausted, self._rng)):
            if count:
                taken = np.vstack([self.branches[k].taken(), *[z[None, :] for j, z in picks if j == k]])
                picks.extend((k, z) for z in self.branches[k].random_fresh(int(count), taken))
        return picks

    # -- state ----------------------------------------------------------------------
    def state_dict(self):
        """The strategy's state as plain data (JSON and numpy arrays).

        Returns
        -------
        state : dict
            Per branch its space's description and told encodings; the
            branch and score of every told point in order; the random
            generator and what the strategy needs to continue exactly.
        """
        return {
            "format": STATE_FORMAT,
            "strategy": type(self).__name__,
            "subspaces": [{"space": b.space.describe(), "Z": b.Z_.copy()} for b in self.branches],
            "branch": self.branch_.copy(),
            "y": self.y_.copy(),
            "rng": rng_to_state(self._rng),
            "extra": self._extra_state(),
        }

    def load_state_dict(self, state):
        """Restore a state produced by :meth:`state_dict` on an equal strategy.

        Parameters
        ----------
        state : dict
            Output of :meth:`state_dict`.

        Returns
        -------
        self : ConditionalStrategy
        """
        if state.get("format") != STATE_FORMAT or state.get("strategy") != type(self).__name__:
            raise ValueError(
                f"The state belongs to a {state.get('strategy')} (format {state.get('format')!r}), "
                f"not a {type(self).__name__} (format {STATE_FORMAT})."
            )
        subs = state["subspaces"]
        if len(subs) != len(self.branches):
            raise ValueError("The state was saved for a different number of sub-spaces.")
        ks = np.asarray(state["branch"], dtype=np.int64).reshape(-1)
        y = np.asarray(state["y"], dtype=float).reshape(-1)
        for k, (branch, sub) in enumerate(zip(self.branches, subs)):
            if sub["space"] != branch.space.describe():
                raise ValueError(f"The state was saved for a different sub-space {k}.")
            branch.Z_ = as_rows(sub["Z"], branch.space.n_columns)
            branch.y_ = y[ks == k]
            if len(branch.Z_) != len(branch.y_):
                raise ValueError(f"The state of sub-space {k} has {len(branch.Z_)} points but {len(branch.y_)} scores.")
            branch.params_ = branch.space.decode(branch.Z_) if len(branch.Z_) else []
            branch._pending = np.empty((0, branch.space.n_columns))
        self.branch_, self.y_, self._owner = ks, y, {}
        self.params_ = self._in_told_order([b.params_ for b in self.branches])
        self._rng = rng_from_state(state["rng"])
        for branch in self.branches:
            branch._rng = self._rng
        self._load_extra_state(state.get("extra", {}))
        return self

    def _extra_state(self):
        return {}

    def _load_extra_state(self, extra):
        pass

    def _told_Z(self):
        """Encodings of the told points in order, each in its branch, as a list."""
        return self._in_told_order([b.Z_ for b in self.branches])

    def _in_told_order(self, per_branch):
        """One item per told point, in order, from each branch's items in its order."""
        position = np.zeros(len(self.branches), dtype=int)
        out = []
        for k in self.branch_:
            out.append(per_branch[k][position[k]])
            position[k] += 1
        return out

    def __repr__(self):
        return f"{type(self).__name__}(n_branches={self.space.n_branches}, n_told={self.n_told})"
