"""Pareto fronts and non-dominated sorting of a search's candidates.

Notation: ``F`` is the objective matrix of shape (n_candidates,
n_objectives) in the *minimisation* convention (scores negated, times as
they are), built from the ``cv_results_`` columns; the sorting itself is
:mod:`hptune.strategies._multiobjective_sort`, shared with the
multi-objective strategies.
"""

import numpy as np

from ..strategies._multiobjective_sort import front_mask, pareto_ranks
from ._columns import TIME_COLUMNS, column, metrics

__all__ = ["objective_values", "pareto_front", "pareto_rank"]

def _check_objectives(objectives, owner):
    ok = isinstance(objectives, (list, tuple)) and all(isinstance(o, str) for o in objectives)
    if not ok or not objectives:
        raise TypeError(
            f"The 'objectives' parameter of {owner} must be a non-empty list of str "
            f"(scorer names, 'fit_time', 'score_time'). Got {objectives!r} instead."
        )
    if len(set(objectives)) < len(objectives):
        raise ValueError(
            f"The 'objectives' parameter of {owner} names an objective twice: {objectives!r}."
        )


def _objective_matrix(cv_results, objectives, owner):
    """``F`` (minimised) and the sign of each objective: -1 for scores, +1 for times."""
    _check_objectives(objectives, owner)
    columns, signs = [], []
    for name in objectives:
        if name in TIME_COLUMNS:
            columns.append(column(cv_results, TIME_COLUMNS[name]))
            signs.append(1.0)
        elif f"mean_test_{name}" in cv_results:
            columns.append(column(cv_results, f"mean_test_{name}"))
            signs.append(-1.0)
        else:
            raise ValueError(
                f"Unknown objective {name!r} of {owner}: cv_results has no 'mean_test_{name}' "
                f"column. Objectives are scorer names (here {metrics(cv_results)}; 'score' "
                "for single-metric scoring), 'fit_time' or 'score_time'."
            )
    signs = np.array(signs)
    return np.stack(columns, axis=1) * signs, signs


def objective_values(cv_results, objectives, owner):
    """The objectives of each candidate, all maximised: shape (n_candidates, n_objectives).

    Scores as they are and times negated (``-F``), the form the
    multi-objective strategies are told.
    """
    F, _ = _objective_matrix(cv_results, objectives, owner)
    return -F


def pareto_front(cv_results, objectives):
    """Find the Pareto-optimal candidates: those that no other candidate dominates.

    Read more in the :ref:`User Guide <selection>`.

    A candidate dominates another when it is at least as good in every
    objective and strictly better in one. Scores are maximised, times
    minimised, and each objective is the mean over the splits.

    Parameters
    ----------
    cv_results : dict
        The ``cv_results_`` of a search (scikit-learn's or hptune's).
    objectives : list of str
        Scorer names, maximised through their ``mean_test_<name>`` column
        ("score" for single-metric scoring), and "fit_time" and
        "score_time", minimised through ``mean_fit_time`` and
        ``mean_score_time``. These two names take precedence over scorers of
        the same name.

    Returns
    -------
    indices : ndarray of shape (n_front,)
        The indices of the non-dominated candidates, in increasing order.

    See Also
    --------
    pareto_rank : The front of every candidate, by non-dominated sorting.
    hypervolume : The size of the region a front dominates.

    Notes
    -----
    Candidates with equal objectives do not dominate each other, so copies
    of a Pareto-optimal point are all returned. A candidate with a NaN
    objective (a failed fit) is dominated by every candidate without one;
    when every candidate has a NaN, all are returned.

    Examples
    --------
    >>> from hptune.selection import pareto_front
    >>> cv_results = {
    ...     "mean_test_score": [0.90, 0.85, 0.80, 0.84],
    ...     "mean_fit_time": [3.0, 1.0, 0.5, 2.0],
    ... }
    >>> pareto_front(cv_results, ["score", "fit_time"])
    array([0, 1, 2])
    """
    F, _ = _objective_matrix(cv_results, objectives, "pareto_front")
    return np.flatnonzero(front_mask(F))


def pareto_rank(cv_results, objectives):
    """Pareto rank of every candidate, by non-dominated sorting.

    Read more in the :ref:`User Guide <selection>`.

    Rank 1 is the Pareto front (:func:`pareto_front`), rank 2 the front of
    the candidates left once rank 1 is removed, and so on (Deb et al.,
    2002). Candidates with a NaN objective (failed fits) come last,
    together, one rank after the last front.

    Parameters
    ----------
    cv_results : dict
        The ``cv_results_`` of a search (scikit-learn's or hptune's).
    objectives : list of str
        As in :func:`pareto_front`: scorer names (maximised), "fit_time" and
        "score_time" (minimised).

    Returns
    -------
    ranks : ndarray of shape (n_candidates,)
        The rank of each candidate, an int starting at 1.

    See Also
    --------
    pareto_front : The indices of the candidates of rank 1.

    References
    ----------
    .. [1] K. Deb, A. Pratap, S. Agarwal and T. Meyarivan, "A fast and
       elitist multiobjective genetic algorithm: NSGA-II", IEEE Transactions
       on Evolutionary Computation 6(2), 2002, pp. 182-197.

    Examples
    --------
    >>> from hptune.selection import pareto_rank
    >>> cv_results = {
    ...     "mean_test_score": [0.90, 0.85, 0.80, 0.84, float("nan")],
    ...     "mean_fit_time": [3.0, 1.0, 0.5, 2.0, 0.1],
    ... }
    >>> pareto_rank(cv_results, ["score", "fit_time"])
    array([1, 1, 1, 2, 3])
    """
    F, _ = _objective_matrix(cv_results, objectives, "pareto_rank")
    return pareto_ranks(F)
