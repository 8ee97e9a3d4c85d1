"""Bayesian optimisation: a Gaussian process over the encoded space.

Recipe of one ``ask(n)``:

1. while fewer than ``n_initial_points`` points are told or pending, take the
   next points of a space-filling design (Sobol by default);
2. otherwise fit the GP to the told scores (failures enter as the worst score,
   see :func:`~hptune.strategies._base.clean_scores`; scores beyond about
   3e150 in magnitude are divided by a power of two, see
   :func:`~hptune.strategies._base.score_scale`), condition it on pending
   points with the batch rule, and maximise the acquisition;
3. never propose a point that is told or pending; when a finite space runs
   out, return fewer points.
"""

import numpy as np

from ..acquisition import ACQ_FUNC_CHOICES, ALIASES, BATCH_STRATEGIES, GPHedge, propose_batch
from ..space import initial_design
from ..space._design import DESIGNS
from ..surrogate import GaussianProcess
from ..utils._random import child_seed
from ..utils._threads import single_threaded_blas
from ..utils._validation import check_choice, check_int
from ._base import Strategy, model_scores
from ._warping import WARPINGS, warp_scores

__all__ = ["BayesOptimizer"]



class BayesOptimizer(Strategy):
    """Ask/tell Bayesian optimiser with a Gaussian-process surrogate.

    Scores are maximised. The surrogate is a Matern 5/2 Gaussian process with
    one length-scale per encoded column, fitted by maximum marginal likelihood;
    the acquisition is maximised over a Sobol candidate set and random
    perturbations of the incumbent, polished by L-BFGS-B and a discrete
    neighbourhood search.

    Parameters
    ----------
    space : Space, dict or list of Dimension
        The search space.
    n_initial_points : int, default=10
        Number of points from the initial design before the GP is used.
    initial_point_generator : {"sobol", "lhs", "halton", "random"}, default="sobol"
        The initial design.
    acq_func : {"log_ei", "log_pi", "ucb", "gp_hedge"}, default="log_ei"
        The acquisition function. ``"gp_hedge"`` chooses among the other three
        at every step by their past gains (Hoffman et al., 2011). skopt's names
        ``"EI"``, ``"PI"`` and ``"LCB"`` are accepted as aliases.
    xi : float, default=0.0
        Improvement margin of ``log_ei`` and ``log_pi``, in score units: gains
        smaller than ``xi`` count for little. 0 refines the best point as
        finely as the model allows (deterministic functions);
        :class:`~hptune.BayesSearchCV` uses 0.01 (see there).
    kappa : float, default=1.96
        Exploration weight of ``ucb``.
    batch_strategy : {"kriging_believer", "cl_min", "cl_mean", "cl_max"}, \
            default="kriging_believer"
        How a batch of several points (and points still pending) is built:
        the GP is conditioned on each chosen point with its posterior mean
        (kriging believer) or a constant lie (the minimum, mean or maximum
        observed score, as skopt's constant liar).
    n_candidates : int, default=1024
        Size of the quasi-random candidate set scored per proposal, and
        the number of perturbations of the incumbent scored besides.
    n_polish : int, default=5
        Number of best candidates polished by gradient ascent.
    noise_floor : float, default=1e-6
        Lower bound of the GP noise variance, in standardised units.
    output_warping : {"none", "copula", "power"}, default="none"
        A monotone transform of the scores before the GP is fitted:
        ``"copula"`` keeps only their order (normal quantiles of the ranks),
        ``"power"`` fits a Yeo-Johnson transform. Use one when a few
        candidates score far worse than the rest (squared errors over wide
        ranges, log-losses, diverging fits), so that they do not set the
        model's scale. With a warping, ``xi`` is in the warped units.
    random_state : int, RandomState instance or None, default=None
        Seed of the design, the GP restarts and the candidate sets.

    Attributes
    ----------
    gp_ : GaussianProcess or None
        The last fitted surrogate, of the scores divided by ``score_scale_``.
    score_scale_ : float
        The power of two the surrogate's scores are divided by: 1 unless a
        finite score exceeds about 3e150 in magnitude, which keeps the
        surrogate's arithmetic far from overflow.

    Examples
    --------
    >>> from hptune import BayesOptimizer
    >>> from hptune.space import Real
    >>> opt = BayesOptimizer({"x": Real(-2.0, 2.0)}, n_initial_points=3, random_state=0)
    >>> for _ in range(8):
    ...     [p] = opt.ask()
    ...     opt.tell([p], [-(p["x"] - 0.5) ** 2])
    >>> abs(opt.best_params["x"] - 0.5) < 0.05
    True
    """

    def __init__(
        self,
        space,
        *,
        n_initial_points=10,
        initial_point_generator="sobol",
        acq_func="log_ei",
        xi=0.0,
        kappa=1.96,
        batch_strategy="kriging_believer",
        n_candidates=1024,
        n_polish=5,
        noise_floor=1e-6,
        output_warping="none",
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        owner = type(self).__name__
        check_int(owner, "n_initial_points", n_initial_points, 1)
        check_int(owner, "n_candidates", n_candidates, 1)
        check_int(owner, "n_polish", n_polish, 0)
        check_choice(owner, "initial_point_generator", initial_point_generator, list(DESIGNS))
        check_choice(owner, "acq_func", acq_func, ACQ_FUNC_CHOICES)
        check_choice(owner, "batch_strategy", batch_strategy, list(BATCH_STRATEGIES))
        check_choice(owner, "output_warping", output_warping, list(WARPINGS))
        self.n_initial_points = int(n_initial_points)
        self.initial_point_generator = initial_point_generator
        self.acq_func = ALIASES.get(acq_func, acq_func)
        self.xi, self.kappa = float(xi), float(kappa)
        self.batch_strategy = batch_strategy
        self.n_candidates, self.n_polish = int(n_candidates), int(n_polish)
        self.output_warping = output_warping
        self.gp_, self.score_scale_ = None, 1.0
        self._surrogate = GaussianProcess(noise_floor=noise_floor)
        self._design = None
        self._n_fitted = -1
        self._hedge = GPHedge() if self.acq_func == "gp_hedge" else None

    def _propose(self, n):
        taken = self._taken()
        n_design = min(n, max(0, self.n_initial_points - len(taken)))
        Z = self._design_points(n_design, taken) if n_design else np.empty((0, self.space.n_columns))
        if len(Z) < n and self.n_told >= 1 and self.n_told + len(self._pending) >= self.n_initial_points:
            Z = np.vstack([Z, self._model_points(n - len(Z), np.vstack([taken, Z]))])
        if len(Z) < n:
            Z = np.vstack([Z, self._random_fresh(n - len(Z), np.vstack([taken, Z]))])
        return Z

    def _design_points(self, n, taken):
        if self._design is None:
            seed = child_seed(self._rng)
            self._design = initial_design(
                self.space, self.n_initial_points, seed, self.initial_point_generator
            )
        # Later design rows first; rows already taken (small discrete spaces) are skipped.
        return self._fresh(self._design, taken)[:n]

    def _model_targets(self):
        """The scores the surrogate learns, one per told point (a hook).

        The told scores; multi-objective versions scalarise their objectives.
        """
        return self.y_

    def _surrogate_scores(self):
        """The scores the GP learns (cleaned, scaled, warped) and their scale."""
        y, scale = model_scores(self._model_targets())
        return warp_scores(y, self.output_warping), scale

    def _fit_surrogate(self):
        if self._n_fitted != self.n_told:
            # Kept for the acquisition's incumbent: warping refits its exponent, not free.
            self._fitted_scores = self._surrogate_scores()
            y, self.score_scale_ = self._fitted_scores
            seed = child_seed(self._rng)
            self.gp_ = self._surrogate.fit(self.Z_, y, random_state=seed)
            self._n_fitted = self.n_told
            if self._hedge is not None:
                self._hedge.update(self.gp_)
        return self.gp_

    def _model_points(self, n, taken):
        # Small GP fits are slower with several BLAS threads, and much slower
        # when joblib workers already keep the cores busy.
        with single_threaded_blas():
            gp = self._fit_surrogate()
        y, scale = self._fitted_scores  # the surrogate's scores: divided by scale, as xi
        acq_func = self._hedge.choose(self._rng) if self._hedge is not None else self.acq_func
        Z = propose_batch(
            gp,
            self.space,
            n,
            self._rng,
            acq_func=acq_func,
            acq_params={"xi": self.xi / scale, "kappa": self.kappa},
            best=float(y.max()),
            exclude=taken,
            pending=self._pending,
            strategy=self.batch_strategy,
            n_candidates=self.n_candidates,
            n_polish=self.n_polish,
        )
        if self._hedge is not None and len(Z):
            self._hedge.record(acq_func, Z)
        return Z

    def _extra_state(self):
        extra = {
            "design": None if self._design is None else self._design.copy(),
            "gp": self._surrogate.warm_state(),
        }
        if self._hedge is not None:
            extra["hedge"] = self._hedge.state_dict()
        return extra

    def _load_extra_state(self, extra):
        design = extra.get("design")
        self._design = None if design is None else np.asarray(design, dtype=float)
        self._n_fitted, self.gp_, self.score_scale_ = -1, None, 1.0
        self._surrogate = GaussianProcess(noise_floor=self._surrogate.noise_floor)
        self._surrogate.set_warm_state(extra.get("gp", {}))
        if self._hedge is not None and "hedge" in extra:
            self._hedge.load_state_dict(extra["hedge"])
