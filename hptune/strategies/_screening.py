"""Surrogate pre-screening of offspring: evolution that evaluates its most promising children.

An evolutionary algorithm spends one evaluation per child, and most
children of a generation are no better than their parents. A Gaussian
process fitted to every told point is cheap next to one cross-validated
fit, so a generation is chosen from a larger pool instead (as in
surrogate-assisted evolution, e.g. Emmerich et al., 2006):

1. the usual operators breed a pool of ``POOL_FACTOR * n`` children for a
   generation of ``n`` (GA: tournaments, crossover, mutation; CMA-ES:
   samples of the search distribution), each fresh;
2. the first ``unscreened_count(n)`` children of the pool (the pool is in
   random order) join the generation as they are, so that a model that is
   wrong about a region cannot keep the search away from it;
3. the GP of :class:`~hptune.BayesOptimizer` (Matern 5/2, one length-scale
   per encoded column) is fitted to the fitness of every told point, after
   :func:`~hptune.strategies._base.model_scores` and the ``"power"`` output
   warping (heavy-tailed cross-validation scores would otherwise set its
   scale);
4. the rest of the generation is picked from the pool by log expected
   improvement, one child at a time, the GP conditioned on a kriging-believer
   fantasy at each chosen child (and at the unscreened and pending points)
   so that the picks spread out instead of crowding one predicted optimum.

The model only chooses among children the operators produced, so
selection pressure, self-adapted mutation scales and CMA-ES updates work as
without it.

References
----------
.. [1] M. Emmerich, K. Giannakoglou and B. Naujoks, "Single- and
   multiobjective evolutionary optimization assisted by Gaussian random
   field metamodels", IEEE Transactions on Evolutionary Computation 10(4),
   2006, pp. 421-439.
"""

import math

import numpy as np

from ..acquisition import select_from_pool
from ..surrogate import GaussianProcess
from ..utils._random import child_seed
from ..utils._threads import single_threaded_blas
from ._base import model_scores
from ._warping import warp_scores

__all__ = ["POOL_FACTOR", "SURROGATES", "OffspringScreen", "check_surrogate", "unscreened_count"]

#: Accepted values of the ``surrogate`` parameter.
SURROGATES = ("gp", None)
# Children bred per child evaluated. A pool much larger than the generation
# lets the model pick; a far larger one would pick near-copies of the
# parents the model already knows, away from what the operators explore.
POOL_FACTOR = 10
# Share of each generation taken from the pool unscreened (plain operator
# output), so that the search keeps sampling where the model is wrong. On
# Rastrigin-5, Hartmann-6, Ackley-10 and Branin (5 seeds) 0.3 had a median
# regret as low or lower than 0.1 and 0.2 on all four, and 0.1 fell behind
# unscreened evolution on the very multimodal Rastrigin
# (benchmarks/results/evolution_screening.md).
RANDOM_SHARE = 0.3
# Told points needed before the model is trusted to screen: a GP of fewer
# points has no length-scales worth the name.
_MIN_TOLD = 3


def check_surrogate(owner, surrogate):
    """Return ``surrogate`` if it is one of :data:`SURROGATES`; raise a ValueError otherwise."""
    if not (surrogate is None or (isinstance(surrogate, str) and surrogate == "gp")):
        raise ValueError(
            f"The 'surrogate' parameter of {owner} must be 'gp' (screen the offspring "
            f"with a Gaussian process) or None (plain evolution). Got {surrogate!r} instead."
        )
    return surrogate


def unscreened_count(n):
    """Children of a generation of ``n`` that skip the screening: about 30%, at least one.

    A generation of one child is screened (0 unscreened), otherwise at least
    one child of each generation is unscreened.
    """
    return min(math.ceil(RANDOM_SHARE * n), n - 1) if n > 1 else 0


class OffspringScreen:
    """Choose a generation from a pool of offspring by a GP's expected improvement.

    Parameters
    ----------
    noise_floor : float, default=1e-6
        Lower bound of the GP noise variance, in standardised units.
    output_warping : {"power", "copula", "none"}, default="power"
        Transform of the fitness before the GP fit (see
        :mod:`~hptune.strategies._warping`); conditional spaces use the
        copula, as their Bayesian optimiser does.

    Attributes
    ----------
    gp_ : GaussianProcess or None
        The surrogate of the last screening.
    """

    def __init__(self, *, noise_floor=1e-6, output_warping="power"):
        self._surrogate = GaussianProcess(noise_floor=noise_floor)
        self.output_warping = output_warping
        self.gp_ = None

    @staticmethod
    def is_ready(n_told):
        """Whether enough points are told for the model to screen."""
        return n_told >= _MIN_TOLD

    def select(self, Z, fitness, pool, n, rng, pending=None):
        """Indices of the ``n`` children of ``pool`` that make the generation.

        Parameters
        ----------
        Z : ndarray of shape (n_told, n_columns)
            Encodings (or model inputs) of the told points; ``pool`` and
            ``pending`` are in the same columns.
        fitness : ndarray of shape (n_told,)
            Their finite fitness, greater is better.
        pool : ndarray of shape (n_pool, n_columns)
            Fresh children in random order.
        n : int
            Size of the generation.
        rng : RandomState
            Seeds the GP's hyperparameter restarts.
        pending : ndarray of shape (n_pending, n_columns), default=None
            Points asked and not yet told.

        Returns
        -------
        chosen : ndarray of shape (min(n, n_pool),) of int
            The unscreened children (the first rows of the pool) first, then
            the screened ones in the order they were picked.
        """
        n = min(n, len(pool))
        k = unscreened_count(n)
        y, _ = model_scores(fitness)
        y = warp_scores(y, self.output_warping)
        with single_threaded_blas():
            self.gp_ = self._surrogate.fit(Z, y, random_state=child_seed(rng))
        pending = np.empty((0, pool.shape[1])) if pending is None else np.asarray(pending, dtype=float)
        picked = select_from_pool(
            self.gp_, pool[k:], n - k, best=float(y.max()), pending=np.vstack([pending, pool[:k]]),
        )
        return np.concatenate([np.arange(k), k + picked]).astype(int)

    def warm_state(self):
        """The GP's warm-start state, as plain data (see ``GaussianProcess.warm_state``).

        Returns
        -------
        state : dict
        """
        return self._surrogate.warm_state()

    def set_warm_state(self, state):
        """Restore :meth:`warm_state` output, so that the next fit is the one the saved screen would do.

        Parameters
        ----------
        state : dict
            Output of :meth:`warm_state`.

        Returns
        -------
        self : OffspringScreen
        """
        self._surrogate = GaussianProcess(noise_floor=self._surrogate.noise_floor)
        self._surrogate.set_warm_state(state)
        self.gp_ = None
        return self
