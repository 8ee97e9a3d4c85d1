"""Multi-objective versions of the evolution and Bayesian strategies.

They are told a row of objectives per point instead of one score, every
objective maximised (a search negates its times before telling them). A
row with a NaN is a failed evaluation: worst in every comparison.

Notation: ``Y`` of shape (n_told, m) holds the told objectives, ``F = -Y``
the same in the minimisation convention of
:mod:`~hptune.strategies._multiobjective_sort`, ``w`` a weight vector on the
simplex (m non-negative weights summing to 1), ``C`` of shape (n_told, m)
the normalised costs ``(max(Y) - Y) / (max(Y) - min(Y))`` per objective,
in [0, 1] with 0 the best value told.

- :class:`NSGA2Optimizer` selects parents (tournaments and elites) by the
  crowded-comparison order of NSGA-II (Deb et al., 2002): lower Pareto
  rank first, then larger crowding distance, computed over all told points.
- :class:`MultiObjectiveHyperband` promotes the members of a rung in the
  same crowded-comparison order (computed within the rung, whose members
  share one resource), and its proposal model (BOHB) learns a ParEGO
  scalarisation of the objectives at one resource.
- :class:`ParEGOOptimizer` fits the Gaussian process of
  :class:`~hptune.strategies.BayesOptimizer` to a scalarisation drawn
  afresh at every ask (Knowles, 2006): the augmented Chebyshev distance to
  the best values, ``g = max_j w_j C_j + rho * sum_j w_j C_j`` with
  ``rho = 0.05``, maximised as ``-g``. Each draw aims the acquisition at
  another part of the front; the max term reaches non-convex parts of a
  front that a weighted sum cannot, and the small sum term breaks ties
  between weakly dominated points. :func:`multi_objective_version` gives it
  to Bayesian searches of three or more objectives; two objectives get
  :class:`~hptune.strategies._multiobjective_ehvi.EHVIOptimizer` (expected
  hypervolume improvement, exact for two).

The first objective is the strategy's ``y_`` (and ``best_score``), so
that progress reports and stopping rules read it as a single-objective
strategy's score.
"""

import numpy as np

from ..utils._validation import check_int
from ._bayes import BayesOptimizer
from ._evolution import EvolutionOptimizer
from ._hyperband import HyperbandScheduler
from ._multiobjective_sort import crowded_order

__all__ = [
    "MultiObjectiveHyperband", "NSGA2Optimizer", "ParEGOOptimizer", "multi_objective_version",
]

# Weight of the sum term of the augmented Chebyshev scalarisation, Knowles's
# (2006) value: large enough to prefer a dominating point among points of
# equal max term, small enough to keep the max term in charge.
_RHO = 0.05
# Smallest objective range used to normalise: an objective on which every
# told point is equal contributes nothing rather than dividing by 0.
_MIN_RANGE = 1e-12


class _VectorScores:
    """Mixin storing the told objectives ``Y_`` next to the strategy's history.

    ``n_objectives`` is its own; every other parameter goes to the strategy.
    """

    def __init__(self, space, *, n_objectives, **kwargs):
        super().__init__(space, **kwargs)
        check_int(type(self).__name__, "n_objectives", n_objectives, 2)
        self.n_objectives = int(n_objectives)
        self.Y_ = np.empty((0, self.n_objectives))

    def tell(self, params, scores):
        """Record the objectives of evaluated parameter dicts.

        Parameters
        ----------
        params : list of dict
            Points, usually from :meth:`ask`.
        scores : array-like of shape (n_points, n_objectives)
            Their objectives, each maximised; a NaN marks a failure.
        """
        params = list(params)
        Y = np.asarray(scores, dtype=float)
        if Y.shape != (len(params), self.n_objectives):
            raise ValueError(
                f"tell got scores of shape {Y.shape} for {len(params)} points; "
                f"{type(self).__name__} has {self.n_objectives} objectives: pass an array "
                f"of shape ({len(params)}, {self.n_objectives})."
            )
        complete = ~np.isnan(Y).any(axis=1)
        self._last_Y = Y  # what a rung's promotion reads (Hyperband)
        super().tell(params, np.where(complete, Y[:, 0], np.nan))
        self.Y_ = np.vstack([self.Y_, Y])

    def _extra_state(self):
        return {**super()._extra_state(), "objectives": self.Y_.copy()}

    def _load_extra_state(self, extra):
        self._restore_objectives(extra["objectives"])
        super()._load_extra_state(extra)

    def _restore_objectives(self, Y):
        Y = np.asarray(Y, dtype=float).reshape(-1, self.n_objectives)
        if len(Y) != self.n_told:
            raise ValueError("The objectives of the state do not match the told points.")
        self.Y_ = Y


class NSGA2Optimizer(_VectorScores, EvolutionOptimizer):
    """Evolutionary multi-objective optimiser (NSGA-II selection).

    :class:`~hptune.strategies.EvolutionOptimizer` whose tournaments and
    elites compare points by Pareto rank, then crowding distance.

    Parameters
    ----------
    space : Space, dict or list of Dimension
        The search space.
    n_objectives : int
        Number of objectives told per point (at least 2).
    **kwargs : dict
        Parameters of :class:`~hptune.strategies.EvolutionOptimizer`.

    Attributes
    ----------
    Y_ : ndarray of shape (n_told, n_objectives)
        The told objectives (maximised).
    """

    def _fitness(self):
        return crowded_order(-self.Y_)


class ParEGOOptimizer(_VectorScores, BayesOptimizer):
    """Bayesian multi-objective optimiser: ParEGO's random scalarisations.

    :class:`~hptune.strategies.BayesOptimizer` whose Gaussian process, at
    each ask, learns a new random augmented Chebyshev scalarisation of the
    normalised objectives.

    Parameters
    ----------
    space : Space, dict or list of Dimension
        The search space.
    n_objectives : int
        Number of objectives told per point (at least 2).
    **kwargs : dict
        Parameters of :class:`~hptune.strategies.BayesOptimizer`.

    Attributes
    ----------
    Y_ : ndarray of shape (n_told, n_objectives)
        The told objectives (maximised).
    weights_ : ndarray of shape (n_objectives,) or None
        The weights of the last scalarisation (None before the first).

    References
    ----------
    .. [1] J. Knowles, "ParEGO: a hybrid algorithm with on-line landscape
       approximation for expensive multiobjective optimization problems",
       IEEE Transactions on Evolutionary Computation 10(1), 2006, pp. 50-66.
    """

    def __init__(self, space, *, n_objectives, **kwargs):
        super().__init__(space, n_objectives=n_objectives, **kwargs)
        self.weights_ = None

    def _model_points(self, n, taken):
        # A uniform draw on the simplex (Dirichlet(1, ..., 1)); the surrogate
        # is refitted, as its targets changed with the weights.
        self.weights_ = self._rng.dirichlet(np.ones(self.n_objectives))
        self._n_fitted = -1
        return super()._model_points(n, taken)

    def _model_targets(self):
        return -chebyshev(self.Y_, self.weights_)


class MultiObjectiveHyperband(_VectorScores, HyperbandScheduler):
    """Hyperband (or BOHB) promoting by Pareto rank, then crowding distance.

    Parameters
    ----------
    space : Space, dict, or list of them
        The search space or sub-spaces.
    n_objectives : int
        Number of objectives told per evaluation (at least 2).
    **kwargs : dict
        Parameters of :class:`~hptune.strategies.HyperbandScheduler`.

    Attributes
    ----------
    Y_ : ndarray of shape (n_told, n_objectives)
        The told objectives (maximised), in the order of ``evaluations_``.
    """

    def _promotion_order(self, y):
        return np.argsort(-crowded_order(-self._last_Y), kind="stable")

    def _model_targets(self, index):
        weights = self._rng.dirichlet(np.ones(self.n_objectives))
        return -chebyshev(self.Y_[index], weights)

    def state_dict(self):
        """The scheduler's state with the told objectives, as plain data.

        Returns
        -------
        state : dict
            :meth:`HyperbandScheduler.state_dict` plus ``"objectives"``.
        """
        return {**super().state_dict(), "objectives": self.Y_.copy()}

    def load_state_dict(self, state):
        """Restore a state produced by :meth:`state_dict`.

        Parameters
        ----------
        state : dict
            Output of :meth:`state_dict`.

        Returns
        -------
        self : MultiObjectiveHyperband
        """
        super().load_state_dict(state)
        self._restore_objectives(state["objectives"])
        return self


def chebyshev(Y, w, rho=_RHO):
    """Augmented Chebyshev distance of each row of ``Y`` to the best told values.

    Parameters
    ----------
    Y : ndarray of shape (n_points, n_objectives)
        Objectives, maximised; rows with a NaN give NaN.
    w : ndarray of shape (n_objectives,)
        Weights on the simplex.
    rho : float, default=0.05
        Weight of the sum term.

    Returns
    -------
    g : ndarray of shape (n_points,)
        ``max_j w_j C_j + rho * sum_j w_j C_j`` with ``C`` the costs
        normalised over the complete rows (0 = best told, 1 = worst told).
    """
    complete = ~np.isnan(Y).any(axis=1)
    if not complete.any():
        return np.full(len(Y), np.nan)
    hi, lo = Y[complete].max(axis=0), Y[complete].min(axis=0)
    C = w * (hi - Y) / np.maximum(hi - lo, _MIN_RANGE)
    return C.max(axis=1) + rho * C.sum(axis=1)


_VERSIONS = {
    EvolutionOptimizer: NSGA2Optimizer,
    BayesOptimizer: ParEGOOptimizer,
    HyperbandScheduler: MultiObjectiveHyperband,
}


def multi_objective_version(cls, n_objectives=2):
    """The multi-objective strategy class built on ``cls`` for ``n_objectives``.

    Bayesian optimisation of two objectives maximises the expected
    hypervolume improvement (exact in closed form for two objectives);
    three or more fall back to ParEGO's scalarisations.
    """
    if cls is BayesOptimizer and n_objectives == 2:
        from ._multiobjective_ehvi import EHVIOptimizer  # it builds on this module

        return EHVIOptimizer
    return _VERSIONS[cls]
