"""Batches of proposals by fantasised observations.

Rule: points are chosen one at a time by maximising the acquisition; after each
choice the GP is conditioned on a *fantasy* observation at the chosen point,
with the same hyperparameters, so its variance collapses there and the next
maximisation looks elsewhere (Ginsbourger, Le Riche and Carraro, 2010). The
fantasy value ``y_fantasy`` is

- ``"kriging_believer"``: the GP's posterior mean at the point (the model
  believes its own prediction);
- ``"cl_min"``, ``"cl_mean"``, ``"cl_max"``: a constant lie, the minimum,
  mean or maximum of the observed scores, fixed once per batch (scikit-
  optimize's constant liar). Scores are maximised here, so ``"cl_min"`` is the
  pessimistic lie that spreads a batch most; scikit-optimize minimises a loss,
  so its ``"cl_min"`` corresponds to ``"cl_max"`` here.

Points still pending (asked, not yet told) are fantasised the same way before
the first choice. The incumbent ``best`` becomes ``max(best, y_fantasy)``, as if
the fantasy had been told.

Notation: ``Z`` encodings (n_points, n_columns), ``y`` scores (n_points,),
``mean``, ``std`` the GP posterior, ``best`` the incumbent.

References
----------
.. [1] D. Ginsbourger, R. Le Riche and L. Carraro (2010). "Kriging is
   well-suited to parallelize optimization". In Computational Intelligence in
   Expensive Optimization Problems, Springer, pp. 131-162.
"""

import numpy as np

from ._functions import make_acquisition
from ..utils._threads import single_threaded_blas
from ._optimize import maximize_acquisition

__all__ = [
    "BATCH_STRATEGIES", "gp_acquisition", "observed_scores", "propose_batch", "select_from_pool",
]


def _kriging_believer(gp, Z, y_observed):
    return gp.predict(Z, return_std=True)[0]


def _constant_liar(statistic):
    def lie(gp, Z, y_observed):
        return np.full(len(Z), float(statistic(y_observed)))

    return lie


#: Names of the batch rules to functions ``lie(gp, Z, y_observed) -> y_fantasy``.
BATCH_STRATEGIES = {
    "kriging_believer": _kriging_believer,
    "cl_min": _constant_liar(np.min),
    "cl_mean": _constant_liar(np.mean),
    "cl_max": _constant_liar(np.max),
}


def gp_acquisition(gp, acq_func, *, best, xi=0.0, kappa=1.96):
    """Acquisition over encodings: ``acq(Z, return_grad=False)``.

    Composes :func:`make_acquisition` with the GP posterior; the gradient uses
    the chain rule ``dacq/dZ = dacq/dmean dmean/dZ + dacq/dstd dstd/dZ``.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted surrogate, predicting in score units.
    acq_func : {"log_ei", "log_pi", "ucb", "EI", "PI", "LCB"}
        The acquisition function.
    best : float
        The incumbent.
    xi : float, default=0.0
        Improvement margin of ``log_ei`` and ``log_pi``.
    kappa : float, default=1.96
        Exploration weight of ``ucb``.

    Returns
    -------
    acq : callable
        ``acq(Z)`` gives values of shape (n_points,); ``acq(Z, True)`` gives
        ``(values, grads)``, grads of shape (n_points, n_columns).
    """
    function = make_acquisition(acq_func, best=best, xi=xi, kappa=kappa)

    def acq(Z, return_grad=False):
        if not return_grad:
            mean, std = gp.predict(Z, return_std=True)
            return function(mean, std)
        mean, std, dmean_dZ, dstd_dZ = gp.predict_with_grad(Z)
        values, d_dmean, d_dstd = function(mean, std, return_grad=True)
        return values, d_dmean[:, None] * dmean_dZ + d_dstd[:, None] * dstd_dZ

    return acq


def propose_batch(
    gp,
    space,
    n,
    rng,
    *,
    acq_func="log_ei",
    acq_params=None,
    best,
    exclude=None,
    pending=None,
    strategy="kriging_believer",
    n_candidates=1024,
    n_polish=5,
):
    """Propose up to ``n`` distinct encodings by sequential fantasies.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted surrogate of the scores.
    space : Space
        The search space.
    n : int
        Number of points wanted.
    rng : RandomState
        Source of the Sobol seeds.
    acq_func : {"log_ei", "log_pi", "ucb", "EI", "PI", "LCB"}, default="log_ei"
        The acquisition function.
    acq_params : dict, default=None
        ``xi`` and/or ``kappa`` for the acquisition.
    best : float
        The incumbent (best observed score).
    exclude : ndarray of shape (n_excluded, n_columns), default=None
        Encodings never to propose (told and pending points).
    pending : ndarray of shape (n_pending, n_columns), default=None
        Points being evaluated; the GP is conditioned on fantasies there first.
    strategy : {"kriging_believer", "cl_min", "cl_mean", "cl_max"}, \
            default="kriging_believer"
        The fantasy rule, see the module docstring.
    n_candidates, n_polish : int, default=1024, 5
        Passed to :func:`maximize_acquisition`.

    Returns
    -------
    Z : ndarray of shape (n_proposed, n_columns)
        ``n_proposed <= n``; fewer when the space runs out of new points.
    """
    lie, acq_params = _batch_rule(strategy), dict(acq_params or {})
    y_observed = observed_scores(gp)
    exclude = _rows(exclude, space.n_columns)
    chosen = np.empty((0, space.n_columns))
    with single_threaded_blas():
        pending = _rows(pending, space.n_columns)
        if len(pending):
            gp, best = _fantasise(gp, pending, lie, y_observed, best)
        while len(chosen) < n:
            acq = gp_acquisition(gp, acq_func, best=best, **acq_params)
            result = maximize_acquisition(
                acq, space, rng, n_candidates=n_candidates, n_polish=n_polish,
                exclude=np.vstack([exclude, chosen]), x0=_incumbent(gp, space.n_columns),
            )
            if result is None:
                break
            chosen = np.vstack([chosen, result[0]])
            if len(chosen) < n:
                gp, best = _fantasise(gp, chosen[-1:], lie, y_observed, best)
    return chosen


def select_from_pool(
    gp,
    pool,
    n,
    *,
    acq_func="log_ei",
    acq_params=None,
    best,
    pending=None,
    strategy="kriging_believer",
):
    """Choose up to ``n`` rows of a finite candidate pool by sequential fantasies.

    The batch rule of :func:`propose_batch` with the acquisition maximised
    over the given rows instead of the whole space: after each choice the GP
    is conditioned on a fantasy there, so the next choice favours rows the
    model knows less about (a diverse batch rather than ``n`` near-copies of
    the single best-predicted row).

    Parameters
    ----------
    gp : GaussianProcess
        Fitted surrogate of the scores.
    pool : ndarray of shape (n_pool, n_columns)
        The candidates, for example offspring bred by an evolutionary algorithm.
    n : int
        Number of rows wanted.
    acq_func : {"log_ei", "log_pi", "ucb", "EI", "PI", "LCB"}, default="log_ei"
        The acquisition function.
    acq_params : dict, default=None
        ``xi`` and/or ``kappa`` for the acquisition.
    best : float
        The incumbent (best observed score).
    pending : ndarray of shape (n_pending, n_columns), default=None
        Points being evaluated (or already chosen by other means); the GP is
        conditioned on fantasies there first.
    strategy : {"kriging_believer", "cl_min", "cl_mean", "cl_max"}, \
            default="kriging_believer"
        The fantasy rule, see the module docstring.

    Returns
    -------
    chosen : ndarray of shape (min(n, n_pool),) of int
        Indices into ``pool``, in the order they were chosen.
    """
    lie, acq_params = _batch_rule(strategy), dict(acq_params or {})
    y_observed = observed_scores(gp)
    pool = np.asarray(pool, dtype=float)
    chosen, free = [], np.ones(len(pool), dtype=bool)
    with single_threaded_blas():
        pending = _rows(pending, pool.shape[1])
        if len(pending):
            gp, best = _fantasise(gp, pending, lie, y_observed, best)
        while len(chosen) < min(n, len(pool)):
            values = gp_acquisition(gp, acq_func, best=best, **acq_params)(pool[free])
            # NaN (a degenerate posterior) ranks last; ties go to the earlier row.
            values = np.where(np.isnan(values), -np.inf, values)
            i = int(np.flatnonzero(free)[np.argmax(values)])
            chosen.append(i)
            free[i] = False
            if len(chosen) < min(n, len(pool)):
                gp, best = _fantasise(gp, pool[i : i + 1], lie, y_observed, best)
    return np.asarray(chosen, dtype=int)


def _batch_rule(strategy):
    """The fantasy function of ``strategy``, or a ValueError naming the choices."""
    if strategy not in BATCH_STRATEGIES:
        raise ValueError(
            f"strategy must be one of {sorted(BATCH_STRATEGIES)}. Got {strategy!r} instead."
        )
    return BATCH_STRATEGIES[strategy]


def _fantasise(gp, Z, lie, y_observed, best):
    """Condition ``gp`` on fantasies at ``Z``; return it and the updated incumbent."""
    y_fantasy = lie(gp, Z, y_observed)
    return gp.condition_on(Z, y_fantasy), max(best, float(np.max(y_fantasy)))


def observed_scores(gp):
    """The GP's training targets in score units (it stores them standardised)."""
    return gp.unstandardise(gp.y_train_)


def _incumbent(gp, width):
    """The training encoding with the highest score: a good local-search start.

    Only its first ``width`` columns: a GP across fidelities has one more.
    """
    return gp.X_train_[np.argmax(gp.y_train_), :width][None, :]


def _rows(Z, width):
    return np.empty((0, width)) if Z is None else np.asarray(Z, dtype=float).reshape(-1, width)
