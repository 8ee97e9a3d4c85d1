"""Bayesian optimisation of two objectives by expected hypervolume improvement.

Recipe of one model-based ``ask(n)`` (after the initial design of
:class:`~hptune.strategies.BayesOptimizer`):

1. fit one Gaussian process per objective, each to its own cleaned and
   output-warped scores (``output_warping``, as the single-objective
   optimiser; failures enter as the worst score of each objective), with
   the one-hot columns of categorical parameters shrunk
   (``CATEGORY_SCALE``) so that a parameter's categories are alike unless
   the scores say otherwise;
2. measure the hypervolume in the objectives' own units (``HV_UNITS``),
   the units :func:`hptune.selection.hypervolume` measures in: the told
   scores are the front, the reference point is the ``REFERENCE_QUANTILE``
   quantile of each objective's told scores, and each GP's prediction is
   carried back through the inverse of its warping
   (:class:`~._warping.Unwarp`) as the Gaussian of the same median and
   upper quantile. The warping helps the GP model an objective spanning
   orders of magnitude (a model size); but in warped units the gains among
   the smallest models, which that warping stretches, count for as much as
   those among the most accurate ones. The reference at the 10% quantile
   leaves out the worst tenth of the told values: the search no longer
   spends evaluations improving on degenerate candidates (forests of depth
   1, models barely above chance). Both measured on
   ``benchmarks/bench_multiobjective_ablation.py``;
3. maximise ``log EHVI`` (:mod:`hptune.acquisition._ehvi`) over the space
   with :func:`~hptune.acquisition.maximize_acquisition`, starting the
   local search from the candidate set's best points and from the told
   points of the front;
4. for a batch, or for points still pending, believe the models (kriging
   believer): condition each GP on its own predicted mean at the point and
   add the predicted pair (unwarped) to the front, so the next point looks
   elsewhere.
"""

import numpy as np

from ..acquisition import maximize_acquisition
from ..acquisition._ehvi import log_ehvi_and_grad
from ..space import Categorical
from ..surrogate import ScaledGaussianProcess
from ..utils._random import child_seed
from ..utils._threads import single_threaded_blas
from ._base import model_scores
from ._bayes import BayesOptimizer
from ._multiobjective import _VectorScores
from ._multiobjective_sort import front_mask
from ._warping import Unwarp, warp_scores

__all__ = ["EHVIOptimizer"]

# Design choices, kept as module settings (not parameters) so that
# benchmarks/bench_multiobjective_ablation.py can vary them; the values here
# were the best over both of its tasks on its development seeds
# (results/multiobjective_ablation_dev.md, then multiobjective_ablation.md).
#
# The units of the hypervolume: "scores" (the told objectives, see step 2 of
# the module docstring) or "warped" (the GPs' units, where the closed form
# needs no unwarping).
HV_UNITS = "scores"
# How a warped Gaussian prediction becomes a Gaussian in the objective's
# units: "quantiles" (same median and upper quantile, Unwarp.quantiles) or
# "moments" (same mean and variance, Unwarp.moments).
UNWARP_MATCH = "quantiles"
# The reference point: this quantile of each objective's told values (0: the
# worst; 0.1 leaves the worst tenth out of the hypervolume), lowered by this
# fraction of the objective's range (a margin gives the extremes of the
# front, best in one objective and worst in the other, a gain to offer).
REFERENCE_QUANTILE = 0.1
REFERENCE_MARGIN = 0.0
# Which told values the quantile is taken over: "all", "design" (the first
# n_initial_points told, the space-filling design), "max-design" (the higher
# of the two) or "ratchet" (the highest over the first k told, k from the
# design on: the reference only rises).
REFERENCE_OVER = "all"
# Which told points start the local search of the acquisition, besides the
# best candidates of the quasi-random set: "front" (every non-dominated told
# point), "extremes" (the best told point of each objective) or "none".
FRONT_STARTS = "front"
# The front's values: "told" (the told objectives) or "mean" (the GPs'
# posterior means at the told points, which discount noisy scores).
FRONT_VALUES = "told"
# The GPs see the one-hot columns of categorical parameters times this
# factor, which lengthens their lengthscales (prior median and bounds) by
# its inverse: the categories of one parameter are then correlated unless
# the data say otherwise. With the default prior (a median of half the unit
# cube, made for numeric columns) a category switch, a distance of sqrt(2),
# left the categories nearly independent, and the search probed the
# degenerate corner of each category in turn (depth-1 forests for every
# ``max_features``). 1 turns it off; 0.15 was the best of 0.15, 0.3 and 0.5
# on both tasks at 30 evaluations (results/multiobjective_ablation_dev.md).
CATEGORY_SCALE = 0.15


class EHVIOptimizer(_VectorScores, BayesOptimizer):
    """Bayesian optimiser of two objectives by expected hypervolume improvement.

    :class:`~hptune.strategies.BayesOptimizer` with one Gaussian process per
    objective and, as acquisition, the expected gain of the hypervolume
    dominated by the told points (Emmerich et al., 2006), computed in closed
    form in the objectives' own units (each GP's warped prediction carried
    back as a Gaussian, see the module docstring), above a reference point
    at the 10% quantile of each objective's told values. The surrogates see
    the one-hot columns of categorical parameters times 0.15, which
    correlates a parameter's categories. Its ``acq_func``,
    ``xi``, ``kappa`` and ``batch_strategy`` are not used: the hypervolume
    gain is the only acquisition here, and batches believe the models
    (kriging believer).

    Parameters
    ----------
    space : Space, dict or list of Dimension
        The search space.
    n_objectives : int, default=2
        Number of objectives told per point; must be 2 (use
        ``ParEGOOptimizer`` for more).
    **kwargs : dict
        Parameters of :class:`~hptune.strategies.BayesOptimizer`;
        ``output_warping`` applies to each objective on its own.

    Attributes
    ----------
    Y_ : ndarray of shape (n_told, 2)
        The told objectives (maximised).
    gps_ : list of GaussianProcess or None
        The last fitted surrogates, one per objective, of the warped scores.
        They take the space's encodings; their ``X_train_`` and
        ``lengthscales_`` are in the units of the scaled one-hot columns.
    gp_ : GaussianProcess or None
        The first objective's surrogate (what the surrogate plots read).
    reference_ : ndarray of shape (2,) or None
        The last reference point, in the units of the told objectives.

    References
    ----------
    .. [1] M. Emmerich, K. Giannakoglou and B. Naujoks, "Single- and
       multiobjective evolutionary optimization assisted by Gaussian random
       field metamodels", IEEE Transactions on Evolutionary Computation
       10(4), 2006, pp. 421-439.
    """

    def __init__(self, space, *, n_objectives=2, **kwargs):
        super().__init__(space, n_objectives=n_objectives, **kwargs)
        if self.n_objectives != 2:
            raise ValueError(
                f"EHVIOptimizer optimises exactly 2 objectives; got n_objectives="
                f"{n_objectives}. Use ParEGOOptimizer for 3 or more."
            )
        self.gps_ = None
        self.reference_ = None
        self._surrogates = [self._new_surrogate() for _ in range(2)]
        self._warped = self._scores = None

    def _new_surrogate(self):
        scale = np.concatenate([
            np.full(dim.n_columns, CATEGORY_SCALE if isinstance(dim, Categorical) else 1.0)
            for dim in self.space.dimensions
        ])
        return ScaledGaussianProcess(noise_floor=self._surrogate.noise_floor, input_scale=scale)

    def _fit_surrogate(self):
        if self._n_fitted != self.n_told:
            self._scores = np.column_stack([model_scores(self.Y_[:, j])[0] for j in range(2)])
            self._warped = np.column_stack(
                [warp_scores(y, self.output_warping) for y in self._scores.T]
            )
            self.gps_ = [
                surrogate.fit(self.Z_, y, random_state=child_seed(self._rng))
                for surrogate, y in zip(self._surrogates, self._warped.T)
            ]
            self.gp_ = self.gps_[0]
            self._n_fitted = self.n_told
        return self.gps_

    def _model_points(self, n, taken):
        with single_threaded_blas():
            gps = self._fit_surrogate()
            unwarps = None
            Y = self._warped
            if HV_UNITS == "scores":
                unwarps = [Unwarp(w, y) for w, y in zip(self._warped.T, self._scores.T)]
                Y = self._scores
            lo, hi = Y.min(axis=0), Y.max(axis=0)
            base = _reference_base(Y, min(self.n_initial_points, len(Y)))
            self.reference_ = base - REFERENCE_MARGIN * np.maximum(hi - lo, 1e-12)
            if FRONT_VALUES == "mean":
                Y = _unwarped(unwarps, [gp.predict(self.Z_, return_std=False) for gp in gps])
            mask = front_mask(-Y)
            front, starts = Y[mask], _starts(self.Z_, Y, mask)
            if len(self._pending):
                gps, front = _believe(gps, self._pending, front, unwarps)
            chosen = np.empty((0, self.space.n_columns))
            while len(chosen) < n:
                result = maximize_acquisition(
                    _acquisition(gps, front, self.reference_, unwarps), self.space, self._rng,
                    n_candidates=self.n_candidates, n_polish=self.n_polish,
                    exclude=np.vstack([taken, chosen]), x0=starts,
                )
                if result is None:
                    break
                chosen = np.vstack([chosen, result[0]])
                if len(chosen) < n:
                    gps, front = _believe(gps, chosen[-1:], front, unwarps)
        return chosen

    def _extra_state(self):
        return {**super()._extra_state(), "gps": [s.warm_state() for s in self._surrogates]}

    def _load_extra_state(self, extra):
        super()._load_extra_state(extra)
        self.gps_ = self.reference_ = self._warped = self._scores = None
        self._surrogates = [self._new_surrogate() for _ in range(2)]
        for surrogate, warm in zip(self._surrogates, extra.get("gps", [{}, {}])):
            surrogate.set_warm_state(warm)


def _acquisition(gps, front, reference, unwarps=None):
    """``log EHVI`` over encodings, ``acq(Z, return_grad=False)``, by the chain rule.

    With ``unwarps`` (one :class:`~._warping.Unwarp` per objective), each
    GP's warped prediction is replaced by a Gaussian in the objective's
    units (``UNWARP_MATCH``), where ``front`` and ``reference`` are.
    """

    def acq(Z, return_grad=False):
        if not return_grad:
            predictions = [gp.predict(Z, return_std=True) for gp in gps]
            if unwarps is not None:
                predictions = [_matched(u, m, s)[:2] for u, (m, s) in zip(unwarps, predictions)]
            mean, std = (np.column_stack(p) for p in zip(*predictions))
            return log_ehvi_and_grad(mean, std, front, reference)[0]
        predictions = [gp.predict_with_grad(Z) for gp in gps]
        if unwarps is not None:
            predictions = [
                _unwarp_prediction(u, *p) for u, p in zip(unwarps, predictions)
            ]
        mean, std = (np.column_stack(p) for p in list(zip(*predictions))[:2])
        value, d_dmean, d_dstd = log_ehvi_and_grad(mean, std, front, reference)
        grad = sum(
            d_dmean[:, [j]] * dmean + d_dstd[:, [j]] * dstd
            for j, (_, _, dmean, dstd) in enumerate(predictions)
        )
        return value, grad

    return acq


def _unwarp_prediction(unwarp, mean, std, dmean_dx, dstd_dx):
    """A prediction with gradients, carried to the objective's units (``UNWARP_MATCH``)."""
    out_mean, out_std, d_dmean, d_dstd = _matched(unwarp, mean, std)
    dmean = d_dmean[0][:, None] * dmean_dx + d_dstd[0][:, None] * dstd_dx
    dstd = d_dmean[1][:, None] * dmean_dx + d_dstd[1][:, None] * dstd_dx
    return out_mean, out_std, dmean, dstd


def _matched(unwarp, mean, std):
    """The Gaussian of an objective's units matching a warped prediction (``UNWARP_MATCH``)."""
    if UNWARP_MATCH == "moments":
        return unwarp.moments(mean, std)
    return unwarp.quantiles(mean, std)


def _unwarped(unwarps, columns):
    """Warped values, one array per objective, as a (n, 2) array in the hypervolume's units."""
    if unwarps is None:
        return np.column_stack(columns)
    return np.column_stack([u(c)[0] for u, c in zip(unwarps, columns)])


def _reference_base(Y, n_start):
    """The reference point before its margin (``REFERENCE_QUANTILE``, ``REFERENCE_OVER``)."""
    n_start = max(n_start, 1)
    if REFERENCE_OVER == "all":
        return np.quantile(Y, REFERENCE_QUANTILE, axis=0)
    if REFERENCE_OVER == "design":
        return np.quantile(Y[:n_start], REFERENCE_QUANTILE, axis=0)
    if REFERENCE_OVER == "max-design":
        return np.maximum(np.quantile(Y[:n_start], REFERENCE_QUANTILE, axis=0),
                          np.quantile(Y, REFERENCE_QUANTILE, axis=0))
    return np.max(
        [np.quantile(Y[:k], REFERENCE_QUANTILE, axis=0) for k in range(n_start, len(Y) + 1)],
        axis=0,
    )


def _starts(Z, Y, mask):
    """The told encodings that start the local search (see ``FRONT_STARTS``)."""
    if FRONT_STARTS == "front":
        return Z[mask]
    if FRONT_STARTS == "extremes":
        return Z[np.unique(np.argmax(Y, axis=0))]
    return None


def _believe(gps, Z, front, unwarps=None):
    """Condition each GP on its predicted means at ``Z``; add them (unwarped) to the front."""
    means = [gp.predict(Z, return_std=False) for gp in gps]
    gps = [gp.condition_on(Z, mean) for gp, mean in zip(gps, means)]
    return gps, np.vstack([front, _unwarped(unwarps, means)])
