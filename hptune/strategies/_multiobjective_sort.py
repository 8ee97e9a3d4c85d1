"""Non-dominated sorting and crowding distance, the numerics of multi-objective search.

Notation: ``F`` is an objective matrix of shape (n_points, n_objectives) in
the *minimisation* convention (scores negated, times as they are), so that
point ``a`` dominates ``b`` when ``F[a] <= F[b]`` in every objective and
``F[a] < F[b]`` in at least one. A row with a NaN (a failed evaluation) is
dominated by every complete row and dominates none.

Rows are first sorted lexicographically, since a row can only dominate
rows after it. Dominance is then tested for many pairs at once with numpy,
block of rows by block of rows, so memory stays at a few blocks of about
4 MB of booleans whatever the number of points, and the front and the
ranks each cost about n^2 m / 2 comparisons. The rank of a row is one more
than the highest rank of the rows that dominate it (the fronts of the
non-dominated sorting of Deb et al., 2002), so one pass in sorted order
ranks every row, however many fronts there are. 5,000 points with 3
objectives take a fraction of a second.

The crowding distance of a point (Deb et al., 2002, sec. III-B) is the sum,
over the objectives, of the gap between its two neighbours on its front,
divided by the front's range in that objective; the extremes of a front get
an infinite distance, so that selection keeps the ends of the trade-off.
"""

import numpy as np

__all__ = ["crowded_order", "crowding_distance", "front_mask", "pareto_ranks"]

# Booleans compared per block: about 4 MB, small enough for any machine and
# large enough that a few thousand candidates take one or two blocks.
_BLOCK_ELEMENTS = 2**22


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


def pareto_ranks(F):
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


def front_mask(F):
    """True for the non-dominated rows of ``F``; rows with NaN only when no row is complete."""
    G, index = _lexsorted(F)
    if not len(G):
        return np.ones(len(F), dtype=bool)
    mask = np.zeros(len(F), dtype=bool)
    for start, stop, D in _dominance_blocks(G):
        mask[index[start:stop]] = ~D.any(axis=0)
    return mask




def crowding_distance(F, ranks):
    """Crowding distance of each row of ``F`` within its front (Deb et al., 2002).

    Parameters
    ----------
    F : ndarray of shape (n_points, n_objectives)
        Objectives, minimised.
    ranks : ndarray of shape (n_points,)
        Front of each row, from :func:`pareto_ranks`.

    Returns
    -------
    distance : ndarray of shape (n_points,)
        ``sum_k (F[next, k] - F[prev, k]) / (max_k - min_k)`` over the
        neighbours of the row on its front sorted by objective ``k``; inf
        at the ends of each front, 0 for rows with a NaN.
    """
    distance = np.zeros(len(F))
    complete = ~np.isnan(F).any(axis=1)
    for r in np.unique(ranks[complete]):
        members = np.flatnonzero(complete & (ranks == r))
        for k in range(F.shape[1]):
            order = members[np.argsort(F[members, k], kind="stable")]
            f = F[order, k]
            span = f[-1] - f[0]
            distance[order[[0, -1]]] = np.inf
            if len(order) > 2 and span > 0:
                distance[order[1:-1]] += (f[2:] - f[:-2]) / span
    return distance


def crowded_order(F):
    """Fitness of each row for the crowded-comparison operator of NSGA-II.

    Lower fronts first, and within a front the larger crowding distance
    first: ``-position`` in that order (ties keep the row order), so that
    "greater is better" selection (tournaments, elites) applies unchanged.

    Parameters
    ----------
    F : ndarray of shape (n_points, n_objectives)
        Objectives, minimised; rows with a NaN come last.

    Returns
    -------
    fitness : ndarray of shape (n_points,)
        A permutation of ``-(0, ..., n_points - 1)``, as floats.
    """
    ranks = pareto_ranks(F)
    order = np.lexsort((-crowding_distance(F, ranks), ranks))
    fitness = np.empty(len(F))
    fitness[order] = -np.arange(len(F), dtype=float)
    return fitness
