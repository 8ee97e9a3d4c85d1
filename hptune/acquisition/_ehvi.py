"""Expected hypervolume improvement (EHVI) for two maximised objectives.

Notation: a candidate's two objectives are independent Gaussians with means
``mean[:, j]`` and standard deviations ``std[:, j]`` (``j = 0, 1``); ``front``
holds the observed points, ``ref`` the reference point below every point
that counts. ``EI(c) = E[max(Y - c, 0)] = std h((mean - c) / std)`` is the
expected improvement over the level ``c``, with ``h`` of :mod:`._special`.

Closed form (the strip decomposition of Emmerich et al., 2006, and Yang et
al., 2019, for two objectives). Sort the non-dominated points above ``ref``
by the first objective, ``x_1 < ... < x_k`` (so ``y_1 > ... > y_k``), and
cut the first axis into strips ``[a_i, b_i]``: ``a_0 = ref_0``,
``a_i = b_{i-1} = x_i``, ``b_k = +inf``. In strip ``i`` the front dominates
the second objective up to ``c_i = y_{i+1}`` (``c_k = ref_1``). The
hypervolume a point ``(Y_0, Y_1)`` adds is

    HVI = sum_i max(min(Y_0, b_i) - a_i, 0) * max(Y_1 - c_i, 0),

and, the objectives being independent, each product's expectation is the
product of expectations, ``E[max(min(Y_0, b) - a, 0)] = EI_0(a) - EI_0(b)``:

    EHVI = sum_i (EI_0(a_i) - EI_0(b_i)) EI_1(c_i).

O(k) per candidate, vectorised over candidates. Far from the front every
term underflows to 0, which would leave the optimiser a flat surface;
:func:`log_ehvi_and_grad` sums the terms in log space instead, from the
stable ``log EI`` of :mod:`._functions` (finite for every finite input), with
``log(EI(a) - EI(b)) = log EI(a) + log1mexp(log EI(b) - log EI(a))``.

References
----------
.. [1] M. Emmerich, K. Giannakoglou and B. Naujoks (2006). "Single- and
   multiobjective evolutionary optimization assisted by Gaussian random field
   metamodels". IEEE Transactions on Evolutionary Computation 10(4), 421-439.
.. [2] K. Yang, M. Emmerich, A. Deutz and T. Baeck (2019). "Efficient
   computation of expected hypervolume improvement using box decomposition
   algorithms". Journal of Global Optimization 75, 3-34.
"""

import numpy as np
from scipy.special import logsumexp

from ._functions import log_ei_and_grad, log_pi_and_grad
from ._special import log1mexp, log_h

__all__ = ["ehvi", "ehvi_strips", "log_ehvi", "log_ehvi_and_grad"]

# Floor of 1 - EI(b)/EI(a) in the gradient of a strip's log term: a strip far
# narrower than the predictive std has a ratio within rounding of 1, where the
# quotient of two vanishing differences is noise.
_RATIO_GAP_FLOOR = 1e-12


def ehvi_strips(front, ref):
    """The strips of the region not dominated by a two-objective front.

    Parameters
    ----------
    front : array-like of shape (n_points, 2)
        Observed objectives, maximised; dominated points, points not strictly
        above ``ref`` in both objectives and rows with a NaN are ignored.
    ref : array-like of shape (2,)
        The reference point.

    Returns
    -------
    a, b, c : ndarray of shape (k + 1,)
        Strip ``i`` spans ``[a_i, b_i]`` along the first objective (``b_k =
        inf``) and is dominated up to ``c_i`` along the second; ``k`` is the
        number of non-dominated points above ``ref``.
    """
    P = np.asarray(front, dtype=float).reshape(-1, 2)
    ref = np.asarray(ref, dtype=float)
    P = P[np.isfinite(P).all(axis=1) & (P > ref).all(axis=1)]
    # Sort by the first objective descending (ties: second descending); a point
    # is non-dominated when its second objective beats every earlier one.
    P = P[np.lexsort((-P[:, 1], -P[:, 0]))]
    best_before = np.maximum.accumulate(np.concatenate(([-np.inf], P[:, 1])))[:-1]
    P = P[P[:, 1] > best_before][::-1]  # ascending in the first objective
    a = np.concatenate(([ref[0]], P[:, 0]))
    b = np.concatenate((P[:, 0], [np.inf]))
    c = np.concatenate((P[:, 1], [ref[1]]))
    return a, b, c


def _expected_improvement(mean, std, level):
    """``E[max(Y - level, 0)]``, broadcast; 0 at an infinite level."""
    std = np.maximum(std, 1e-100)
    u = (mean - level) / std
    return np.where(np.isinf(level), 0.0, std * np.exp(log_h(u)))


def ehvi(mean, std, front, ref):
    """Expected hypervolume improvement of candidates over a two-objective front.

    Parameters
    ----------
    mean, std : ndarray of shape (n_points, 2)
        Predicted means and standard deviations of both (maximised)
        objectives, independent.
    front : array-like of shape (n_front, 2)
        Observed objectives (only the non-dominated points above ``ref``
        matter).
    ref : array-like of shape (2,)
        The reference point: the hypervolume counts the region above it.

    Returns
    -------
    value : ndarray of shape (n_points,)
        The expected gain of hypervolume; it underflows to 0 far below the
        front, where :func:`log_ehvi` stays informative.
    """
    a, b, c = ehvi_strips(front, ref)
    mean, std = np.atleast_2d(mean), np.atleast_2d(std)
    m0, s0, m1, s1 = mean[:, :1], std[:, :1], mean[:, 1:], std[:, 1:]
    width = _expected_improvement(m0, s0, a) - _expected_improvement(m0, s0, b)
    return np.sum(width * _expected_improvement(m1, s1, c), axis=1)


def log_ehvi(mean, std, front, ref):
    """Log of :func:`ehvi`, finite wherever the predictions are.

    Same parameters as :func:`ehvi`.

    Returns
    -------
    value : ndarray of shape (n_points,)
    """
    return log_ehvi_and_grad(mean, std, front, ref)[0]


def log_ehvi_and_grad(mean, std, front, ref):
    """Log EHVI and its partial derivatives with respect to the predictions.

    Parameters
    ----------
    mean, std : ndarray of shape (n_points, 2)
        Predicted means and standard deviations of both objectives.
    front : array-like of shape (n_front, 2)
        Observed objectives.
    ref : array-like of shape (2,)
        The reference point.

    Returns
    -------
    value : ndarray of shape (n_points,)
        ``log EHVI``.
    d_dmean, d_dstd : ndarray of shape (n_points, 2)
        Its derivatives with respect to each objective's mean and std.
    """
    a, b, c = ehvi_strips(front, ref)
    mean, std = np.atleast_2d(mean), np.atleast_2d(std)
    m0, s0, m1, s1 = mean[:, :1], std[:, :1], mean[:, 1:], std[:, 1:]
    # Second objective: log EI_1(c_i), one column per strip.
    log_g, dg_dm, dg_ds = log_ei_and_grad(m1, s1, c[None, :])
    # First objective: log(EI_0(a_i) - EI_0(b_i)); the last strip has b = inf.
    log_fa, dfa_dm, dfa_ds = log_ei_and_grad(m0, s0, a[None, :])
    log_fb, dfb_dm, dfb_ds = log_ei_and_grad(m0, s0, b[None, :-1])
    gap = log_fb - log_fa[:, :-1]  # log of EI(b) / EI(a), <= 0
    log_width = log_fa.copy()
    log_width[:, :-1] += log1mexp(np.minimum(gap, 0.0))
    ratio = np.exp(gap)
    spread = np.maximum(1.0 - ratio, _RATIO_GAP_FLOOR)
    dw_dm, dw_ds = dfa_dm.copy(), dfa_ds.copy()
    dw_dm[:, :-1] = (dfa_dm[:, :-1] - ratio * dfb_dm) / spread
    dw_ds[:, :-1] = (dfa_ds[:, :-1] - ratio * dfb_ds) / spread
    # Where rounding spoils the difference (a strip narrow next to the std),
    # the lower bound (b - a) P(Y_0 > b) is the better estimate of the width.
    log_p, dp_dm, dp_ds = log_pi_and_grad(m0, s0, b[None, :-1])
    with np.errstate(divide="ignore"):
        log_bound = np.log(b[:-1] - a[:-1])[None, :] + log_p
    use_bound = log_bound > log_width[:, :-1]
    log_width[:, :-1] = np.where(use_bound, log_bound, log_width[:, :-1])
    dw_dm[:, :-1] = np.where(use_bound, dp_dm, dw_dm[:, :-1])
    dw_ds[:, :-1] = np.where(use_bound, dp_ds, dw_ds[:, :-1])
    terms = log_width + log_g
    value = logsumexp(terms, axis=1)
    weights = np.exp(terms - value[:, None])  # each strip's share of EHVI
    d_dmean = np.column_stack([np.sum(weights * dw_dm, axis=1), np.sum(weights * dg_dm, axis=1)])
    d_dstd = np.column_stack([np.sum(weights * dw_ds, axis=1), np.sum(weights * dg_ds, axis=1)])
    return value, d_dmean, d_dstd
