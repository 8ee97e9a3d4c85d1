"""Output warping: monotone transforms of the scores before the GP sees them.

Cross-validation scores are often heavy-tailed: a negative squared error
over a wide log range, a log-loss, a regressor that diverged. A Gaussian
process fitted to such raw scores takes its scale from the few terrible
candidates, so the differences among the good ones look like noise and the
acquisition no longer tells the good region apart. A monotone transform
keeps the order of the scores (the best stays the best) while giving the
good region its share of the model's range:

* ``"copula"``: normal quantiles of the ranks (a Gaussian copula),
  ``Phi^-1((rank - 1/2) / n)``; it keeps only the order, so no outlier can
  dominate, at the price of the magnitudes;
* ``"power"``: a Yeo-Johnson power transform of the scores (centred on
  their median, scaled by their interquartile range), its exponent fitted
  by maximum likelihood at every fit (HEBO warps with a power transform
  too); it keeps the magnitudes where they look Gaussian and compresses a
  long tail;
* ``"none"``: the scores as they are.
"""

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata

__all__ = ["WARPINGS", "Unwarp", "copula", "warp_scores"]

WARPINGS = ("none", "copula", "power")

# The Yeo-Johnson exponent is kept in a range where the transform stays
# tame: the maximum-likelihood exponent of a handful of points can be
# extreme, and an exponent far from 1 turns rounding-level differences of
# the best scores into large ones.
_LAMBDA_RANGE = (-2.0, 4.0)
# Exponents tried by the likelihood grid (a step of 0.05 over the range).
_LAMBDA_GRID = 121


def copula(y):
    """Scores as normal quantiles of their ranks, ``Phi^-1((rank - 1/2) / n)``.

    Ties share their mean rank. Monotone, so the best point stays the best;
    a few very bad scores (failed or degenerate candidates) no longer squash
    the differences among the good ones.

    Parameters
    ----------
    y : ndarray of shape (n_points,)
        Finite scores.

    Returns
    -------
    quantiles : ndarray of shape (n_points,)
    """
    y = np.asarray(y, dtype=float)
    if len(y) < 2:
        return np.zeros_like(y)
    return ndtri((rankdata(y) - 0.5) / len(y))


def _power(y):
    """Yeo-Johnson transform of the robustly scaled scores, exponent by likelihood.

    The scores are centred on their median and divided by their
    interquartile range (not the standard deviation, which the tail itself
    would set), so that the bulk of the scores sits near [-1, 1] and the
    tail far from it, where the fitted exponent can compress it.

    Scores near the float limits (a diverged regressor's squared error can
    reach 1e308) overflow the scaling or the likelihood fit; so can a
    spread that rounds the good scores together. The transform must keep
    every distinct score distinct, so whenever it cannot, the ranks'
    Gaussian copula is used instead: it always can.
    """
    y = np.asarray(y, dtype=float)
    if len(y) < 3:
        return y - y.mean() if np.isfinite(y.mean()) else copula(y)
    with np.errstate(all="ignore"):
        q1, median, q3 = np.percentile(y, [25, 50, 75])
        spread = q3 - q1 if q3 > q1 else y.std()
        if not (np.isfinite(spread) and spread > 0):
            return copula(y) if np.ptp(y) != 0 else np.zeros_like(y)
        z = (y - median) / spread
        lam = _yeojohnson_lambda(z)
        warped = None if lam is None else _yeojohnson(z, lam)
    if warped is None or not np.all(np.isfinite(warped)) or len(np.unique(warped)) < len(np.unique(y)):
        return copula(y)
    return warped


def _yeojohnson(z, lam):
    """Yeo-Johnson transform of ``z``, one row per exponent of the 1-D ``lam``, or 1-D for a scalar.

    ``((1 + z)^lam - 1) / lam`` for ``z >= 0`` and ``-((1 - z)^(2 - lam) - 1) / (2 - lam)``
    below, written with ``expm1`` and ``log1p`` so that small ``z`` and exponents near 0
    and 2 keep their precision; the limits at exactly 0 and 2 are logarithms.
    """
    lam = np.asarray(lam, dtype=float)
    lam_col = lam.reshape(-1, 1)
    log_abs = np.log1p(np.abs(z))
    a = np.where(lam_col == 0, 1.0, lam_col)
    b = np.where(lam_col == 2, 1.0, 2.0 - lam_col)
    upper = np.where(lam_col == 0, log_abs, np.expm1(lam_col * log_abs) / a)
    lower = np.where(lam_col == 2, -log_abs, -np.expm1((2.0 - lam_col) * log_abs) / b)
    out = np.where(z >= 0, upper, lower)
    return out[0] if lam.ndim == 0 else out


def _yeojohnson_lambda(z):
    """Maximum-likelihood Yeo-Johnson exponent on a grid over :data:`_LAMBDA_RANGE`, or None.

    The profile log-likelihood ``-n/2 log var(psi) + (lam - 1) sum(sign(z) log1p|z|)`` is
    evaluated for all grid exponents in one array operation, then refined by the
    parabola through the best grid point and its neighbours. scipy's
    ``yeojohnson_normmax`` finds the same optimum by Brent's method but costs a
    third of a Bayesian step's time on a 30-point search (measured: 25 ms of
    75), all of it Python overhead per likelihood call; the grid's step of 0.05
    is far finer than the exponent's own uncertainty at such sizes.
    """
    grid = np.linspace(*_LAMBDA_RANGE, _LAMBDA_GRID)
    jacobian = np.sum(np.sign(z) * np.log1p(np.abs(z)))
    llf = -0.5 * len(z) * np.log(np.var(_yeojohnson(z, grid), axis=1)) + (grid - 1.0) * jacobian
    llf = np.where(np.isfinite(llf), llf, -np.inf)
    if not np.isfinite(llf).any():
        return None
    i = int(np.argmax(llf))
    if 0 < i < len(grid) - 1 and np.all(np.isfinite(llf[i - 1 : i + 2])):
        left, mid, right = llf[i - 1 : i + 2]
        curvature = left - 2.0 * mid + right
        if curvature < 0:  # a maximum: step to the parabola's vertex (within half a grid step)
            step = grid[1] - grid[0]
            return float(grid[i] + 0.5 * step * (left - right) / curvature)
    return float(grid[i])


def warp_scores(y, kind):
    """Apply the output warping ``kind`` (one of :data:`WARPINGS`) to finite scores.

    Parameters
    ----------
    y : ndarray of shape (n_points,)
        Finite scores (failures already replaced, see ``clean_scores``).
    kind : {"none", "copula", "power"}
        The warping.

    Returns
    -------
    y_warped : ndarray of shape (n_points,)
        A monotone non-decreasing function of ``y``.
    """
    if kind == "copula":
        return copula(y)
    if kind == "power":
        return _power(y)
    return np.asarray(y, dtype=float)


# Gauss-Hermite nodes (probabilists') of the moments of an unwarped Gaussian:
# 16 integrate the piecewise-linear inverse well past the accuracy the
# acquisition needs, at a cost negligible next to the GP's predictions.
_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite_e.hermegauss(16)
_HERMITE_WEIGHTS = _HERMITE_WEIGHTS / _HERMITE_WEIGHTS.sum()
# Told points at each end whose secant continues the inverse beyond them: one
# segment alone follows the noise of two neighbouring scores.
_TAIL_KNOTS = 3


class Unwarp:
    """The inverse of an output warping, through the told (warped, score) pairs.

    A warping is monotone, so the told pairs trace its inverse exactly at
    the told scores; between them the inverse is interpolated linearly, and
    beyond the lowest and highest it continues along the secant through the
    last few pairs (:data:`_TAIL_KNOTS`). Monotone non-decreasing, and the
    identity for ``warping="none"`` up to rounding.

    Parameters
    ----------
    warped : ndarray of shape (n_points,)
        Warped scores, from :func:`warp_scores`.
    scores : ndarray of shape (n_points,)
        The scores they were warped from.
    """

    def __init__(self, warped, scores):
        warped, scores = np.asarray(warped, dtype=float), np.asarray(scores, dtype=float)
        knots, index = np.unique(warped, return_index=True)
        values = np.maximum.accumulate(scores[index])
        if len(knots) < 2:  # nothing to learn the scale from: unit slope
            knots = np.concatenate([knots, knots + 1.0]) if len(knots) else np.array([0.0, 1.0])
            values = np.concatenate([values, values + 1.0]) if len(values) else knots.copy()
        self.knots, self.values = knots, values
        tail = min(_TAIL_KNOTS, len(knots) - 1)
        self._slope_low = (values[tail] - values[0]) / (knots[tail] - knots[0])
        self._slope_high = (values[-1] - values[-1 - tail]) / (knots[-1] - knots[-1 - tail])
        self._slopes = np.diff(values) / np.diff(knots)

    def __call__(self, w):
        """Scores at warped values ``w`` (any shape) and the slope of the inverse there."""
        w = np.asarray(w, dtype=float)
        knots, values = self.knots, self.values
        segment = np.clip(np.searchsorted(knots, w, side="right") - 1, 0, len(knots) - 2)
        slope = self._slopes[segment]
        slope = np.where(w < knots[0], self._slope_low, slope)
        slope = np.where(w > knots[-1], self._slope_high, slope)
        start = np.where(w > knots[-1], knots[-1], np.where(w < knots[0], knots[0], knots[segment]))
        base = np.where(w > knots[-1], values[-1], np.where(w < knots[0], values[0], values[segment]))
        return base + slope * (w - start), slope

    def quantiles(self, mean, std):
        """The Gaussian of the scores' units with the median and upper quantile of ``unwarp(W)``.

        For ``W ~ N(mean, std^2)``, ``unwarp(W)`` has median ``unwarp(mean)``
        and 84th percentile ``unwarp(mean + std)``; the Gaussian with the
        same two has the std ``unwarp(mean + std) - unwarp(mean)``. It
        follows the side of the better scores, which is what an improvement
        depends on; a long tail on the worse side (the sizes of the largest
        models, compressed by the warping) does not widen it.

        Parameters
        ----------
        mean, std : ndarray of shape (n_points,)
            The warped Gaussian.

        Returns
        -------
        mean, std : ndarray of shape (n_points,)
            The Gaussian in the scores' units.
        d_dmean, d_dstd : ndarray of shape (2, n_points)
            Derivatives of its ``(mean, std)`` with respect to the warped mean
            and the warped std.
        """
        centre, slope = self(mean)
        upper, upper_slope = self(mean + std)
        out_std = np.maximum(upper - centre, 1e-300)
        d_dmean = np.stack([slope, upper_slope - slope])
        d_dstd = np.stack([np.zeros_like(slope), upper_slope])
        return centre, out_std, d_dmean, d_dstd

    def moments(self, mean, std):
        """Mean and std of the scores of a Gaussian in warped units, with their derivatives.

        For ``W ~ N(mean, std^2)``, the moments of ``unwarp(W)`` by
        Gauss-Hermite quadrature: what a Gaussian of the scores' own units
        matching them (a moment-matched Gaussian) needs.

        Parameters
        ----------
        mean, std : ndarray of shape (n_points,)
            The warped Gaussian.

        Returns
        -------
        mean, std : ndarray of shape (n_points,)
            The unwarped moments.
        d_dmean, d_dstd : ndarray of shape (2, n_points)
            Derivatives of the unwarped ``(mean, std)`` with respect to the
            warped mean and the warped std.
        """
        z, weights = _HERMITE_NODES, _HERMITE_WEIGHTS
        values, slopes = self(mean[:, None] + std[:, None] * z)
        out_mean = values @ weights
        centred = values - out_mean[:, None]
        variance = (centred**2) @ weights
        out_std = np.sqrt(np.maximum(variance, 1e-300))
        # The mean's own derivative drops out of the variance's: sum(weights * centred) = 0.
        dvar_dmean = 2.0 * (centred * slopes) @ weights
        dvar_dstd = 2.0 * (centred * slopes * z) @ weights
        d_dmean = np.stack([slopes @ weights, dvar_dmean / (2.0 * out_std)])
        d_dstd = np.stack([(slopes * z) @ weights, dvar_dstd / (2.0 * out_std)])
        return out_mean, out_std, d_dmean, d_dstd
