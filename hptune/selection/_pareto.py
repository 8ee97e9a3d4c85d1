"""Pareto fronts and non-dominated sorting of candidates.

Notation: ``F`` is the objective matrix of shape (n_candidates,
n_objectives) in the *minimisation* convention (scores negated, times as
they are), so that candidate ``a`` dominates ``b`` when ``F[a] <= F[b]`` in
every objective and ``F[a] < F[b]`` in at least one. A row with a NaN (a
failed fit) is dominated by every complete row and dominates none.

Rows are first sorted lexicographically, since a row can only dominate
rows after it. Dominance is then tested for many pairs at once with numpy,
block of rows by block of rows, so memory stays at a few blocks of about
4 MB of booleans whatever the number of candidates, and the front and the
ranks each cost about n^2 m / 2 comparisons. The rank of a row is one more
than the highest rank of the rows that dominate it (the fronts of the
non-dominated sorting of Deb et al., 2002), so one pass in sorted order
ranks every row, however many fronts there are. 5,000 candidates with 3
objectives take a fraction of a second.
"""

import numpy as np

from ._columns import TIME_COLUMNS, column, metrics

__all__ = ["pareto_front", "pareto_rank"]

# Booleans compared per block: about 4 MB, small enough for any machine and
# large enough that a few thousand candidates take one or two blocks.
_BLOCK_ELEMENTS = 2**22


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


def _dominance(A, B):
    """Boolean matrix of shape (len(A), len(B)): True where ``A[i]`` dominates ``B[j]``."""
    no_worse = np.ones((len(A), len(B)), dtype=bool)
    better = np.zeros_like(no_worse)
    scratch = np.empty_like(no_worse)  # reused, as these comparisons are the cost
    for k in range(A.shape[1]):
        no_worse &= np.less_equal(A[:, k, None], B[None, :, k], out=scratch)
        better |= np.less(A[:, k, None], B[None, :, k], out=scratch)
    return np.logical_and(no_worse, better, out=scratch)


def _lexsorted(F):
    """The complete rows (without NaN) of ``F``, sorted lexicographically, and their indices."""
    index = np.flatnonzero(~np.isnan(F).any(axis=1))
    index = index[np.lexsort(F[index].T[::-1])]
    return F[index], index


def _dominance_blocks(G):
    """``(start, stop, D)`` for consecutive blocks of the lexicographically sorted rows ``G``.

    ``D[i, j]`` of shape (stop, stop - start) says whether ``G[i]`` dominates
    ``G[start + j]``: a row dominates only rows after it in this order, so the
    rows before ``stop`` are all the possible dominators of the block.
    """
    block = max(1, _BLOCK_ELEMENTS // max(len(G), 1))
    for start in range(0, len(G), block):
        stop = min(start + block, len(G))
        yield start, stop, _dominance(G[:stop], G[start:stop])


def _ranks(F):
    """Pareto rank of each row of ``F`` (1 = non-dominated), rows with NaN last.

    A row's rank is one more than the highest rank among the rows that
    dominate it (1 when none does), which is the front non-dominated sorting
    would put it in; in sorted order its dominators come first, so one pass
    gives every rank, however many fronts there are.
    """
    G, index = _lexsorted(F)
    rank = np.zeros(len(G), dtype=np.int32)
    for start, stop, D in _dominance_blocks(G):
        # Dominators in earlier blocks already have their ranks.
        ranks = np.where(D[:start], rank[:start, None], 0).max(axis=0, initial=0)
        for j in range(stop - start):
            within = rank[start : start + j][D[start : start + j, j]]
            rank[start + j] = 1 + max(ranks[j], within.max(initial=0))
    ranks = np.full(len(F), rank.max(initial=0) + 1, dtype=np.intp)
    ranks[index] = rank
    return ranks


def _front_mask(F):
    """True for the non-dominated rows of ``F``; rows with NaN only when no row is complete."""
    G, index = _lexsorted(F)
    if not len(G):
        return np.ones(len(F), dtype=bool)
    mask = np.zeros(len(F), dtype=bool)
    for start, stop, D in _dominance_blocks(G):
        mask[index[start:stop]] = ~D.any(axis=0)
    return mask


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
    return np.flatnonzero(_front_mask(F))


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
    return _ranks(F)
