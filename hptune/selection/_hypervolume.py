"""Exact hypervolume of candidates for one, two or three objectives.

Notation as in ``_pareto``: ``P`` holds points of shape (n, m) in the
minimisation convention, every coordinate strictly below the reference
point ``r``; the hypervolume is the measure of the union of the boxes
``[P[i], r]``.

- m = 1: ``r - min(P)``.
- m = 2: sort by the first objective and sweep: point i adds the strip
  ``(r_0 - x_i) * (y_prev - y_i)`` when its y is below the lowest y seen so
  far, ``y_prev`` (While et al., 2006, the 2-D base case of HSO).
- m = 3: slice along the third objective: between consecutive z values the
  dominated region is the 2-D region of the points below the slice, so the
  volume is a sum of 2-D sweeps times slab thicknesses. O(n^2 log n) for n
  non-dominated points, fine for the few hundred points a front holds.
"""

import numpy as np

from ..strategies._multiobjective_sort import front_mask
from ._pareto import _objective_matrix

__all__ = ["hypervolume"]


def _hypervolume_2d(P, r):
    """Area dominated by ``P`` of shape (n, 2) and bounded by ``r``, by a sweep."""
    x, y = P[np.lexsort((P[:, 1], P[:, 0]))].T
    y_prev = np.minimum.accumulate(np.concatenate(([r[1]], y)))[:-1]
    return float(np.sum((r[0] - x) * np.clip(y_prev - y, 0.0, None)))


def _hypervolume_3d(P, r):
    """Volume dominated by ``P`` of shape (n, 3) and bounded by ``r``, slab by slab."""
    P = P[np.argsort(P[:, 2], kind="stable")]
    thickness = np.diff(np.append(P[:, 2], r[2]))
    areas = [_hypervolume_2d(P[: j + 1, :2], r[:2]) for j in np.flatnonzero(thickness)]
    return float(np.dot(areas, thickness[thickness != 0]))


def _hypervolume(P, r):
    """Hypervolume of the points ``P`` (minimised) with respect to ``r``, for m <= 3."""
    P = P[np.isfinite(P).all(axis=1) & (P < r).all(axis=1)]
    if len(P) == 0:
        return 0.0
    if P.shape[1] == 1:
        return float(r[0] - P[:, 0].min())
    if P.shape[1] == 2:
        return _hypervolume_2d(P, r)
    # Dominated points add nothing; dropping them first shortens every slab's sweep.
    return _hypervolume_3d(P[front_mask(P)], r)


def hypervolume(cv_results, objectives, reference):
    """Hypervolume of the candidates: the size of the objective region they dominate.

    Read more in the :ref:`User Guide <selection>`.

    The region of objective values that are worse than some candidate and
    better than ``reference``: the larger, the better a set of candidates
    covers the trade-off. Compare searches by the hypervolume of their
    results with a common reference point.

    Parameters
    ----------
    cv_results : dict
        The ``cv_results_`` of a search (scikit-learn's or hptune's).
    objectives : list of str
        One to three names: scorers, maximised through their
        ``mean_test_<name>`` column ("score" for single-metric scoring),
        and "fit_time" and "score_time", minimised through
        ``mean_fit_time`` and ``mean_score_time``.
    reference : array-like of shape (n_objectives,)
        The worst acceptable value of each objective, in its own units: the
        lowest score, the longest time. Candidates not strictly better than
        it in every objective add nothing.

    Returns
    -------
    volume : float
        The hypervolume, in the product of the objectives' units; 0.0 when no
        candidate is better than ``reference``.

    See Also
    --------
    pareto_front : The candidates that make up the dominated region.

    Notes
    -----
    The computation is exact: a sweep for two objectives and a slicing
    along the third objective for three (While et al., 2006). Candidates
    with a NaN or infinite objective are left out.

    References
    ----------
    .. [1] E. Zitzler and L. Thiele, "Multiobjective optimization using
       evolutionary algorithms: a comparative case study", Parallel Problem
       Solving from Nature V, 1998, pp. 292-301.
    .. [2] L. While, P. Hingston, L. Barone and S. Huband, "A faster algorithm
       for calculating hypervolume", IEEE Transactions on Evolutionary
       Computation 10(1), 2006, pp. 29-38.

    Examples
    --------
    >>> from hptune.selection import hypervolume
    >>> cv_results = {
    ...     "mean_test_score": [0.90, 0.80],
    ...     "mean_fit_time": [3.0, 1.0],
    ... }
    >>> # 0.4 x 1.0 s (score 0.5 to 0.9, 3 s to 4 s) + 0.3 x 2.0 s (0.5 to 0.8, 1 s to 3 s)
    >>> round(hypervolume(cv_results, ["score", "fit_time"], reference=[0.5, 4.0]), 6)
    1.0
    """
    F, signs = _objective_matrix(cv_results, objectives, "hypervolume")
    if len(objectives) > 3:
        raise ValueError(
            f"hypervolume computes 1 to 3 objectives exactly; got {len(objectives)}: "
            f"{list(objectives)}."
        )
    try:
        r = np.asarray(reference, dtype=float)
    except (TypeError, ValueError):
        r = None
    if r is None or r.shape != (len(objectives),) or not np.isfinite(r).all():
        raise ValueError(
            "The 'reference' parameter of hypervolume must hold one finite number per "
            f"objective ({len(objectives)} for {list(objectives)}). Got {reference!r} instead."
        )
    return _hypervolume(F, r * signs)

