"""``BayesSearchCV``: Bayesian optimisation behind scikit-learn's search API."""

import math
import numbers
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs

from ..acquisition import ACQ_FUNC_CHOICES, BATCH_STRATEGIES
from ..space._design import DESIGNS
from ..strategies import BayesOptimizer
from ..strategies._result import skopt_result
from ..strategies._warping import WARPINGS
from ..utils._sklearn_compat import Interval, StrOptions
from ._ask_tell import AskTellSearchCV
from ._docs import fill_doc

__all__ = ["BayesSearchCV"]

# scikit-optimize ``optimizer_kwargs`` keys and the parameter each maps onto.
_SKOPT_KEYS = {
    "n_initial_points": "n_initial_points",
    "initial_point_generator": "initial_point_generator",
    "acq_func": "acq_func",
}


# Improvement margin of expected and probable improvement, in score units.
_XI = 0.01


def _from_optimizer_kwargs(optimizer_kwargs):
    """Translate scikit-optimize ``optimizer_kwargs`` to BayesOptimizer parameters."""
    params = {}
    for key, value in (optimizer_kwargs or {}).items():
        if key in _SKOPT_KEYS:
            params[_SKOPT_KEYS[key]] = value
        elif key == "base_estimator":
            if not (isinstance(value, str) and value.upper() == "GP"):
                raise ValueError(
                    f"optimizer_kwargs['base_estimator']={value!r} is not supported; "
                    "hptune's surrogate is always a Gaussian process ('GP')."
                )
        elif key == "acq_func_kwargs":
            params.update({k: v for k, v in (value or {}).items() if k in ("xi", "kappa")})
        elif key == "acq_optimizer_kwargs":
            value = value or {}
            if "n_points" in value:
                params["n_candidates"] = value["n_points"]
            if "n_restarts_optimizer" in value:
                params["n_polish"] = value["n_restarts_optimizer"]
        elif key == "model_queue_size":
            if value is not None and not (isinstance(value, numbers.Integral) and value >= 1):
                raise ValueError(
                    f"optimizer_kwargs['model_queue_size'] must be None or an int >= 1. "
                    f"Got {value!r}."
                )
        elif key == "acq_optimizer":
            if value not in ("auto", "lbfgs", "sampling"):
                raise ValueError(
                    f"optimizer_kwargs['acq_optimizer'] must be 'auto', 'lbfgs' or "
                    f"'sampling'. Got {value!r}."
                )
            if value == "sampling":
                params["n_polish"] = 0
        else:
            allowed = sorted([
                *_SKOPT_KEYS, "base_estimator", "acq_func_kwargs", "acq_optimizer",
                "acq_optimizer_kwargs", "model_queue_size",
            ])
            raise ValueError(
                f"Unknown key {key!r} in optimizer_kwargs. Allowed keys: {allowed}; "
                "other settings are parameters of BayesSearchCV."
            )
    return params


@fill_doc("batch")
class BayesSearchCV(AskTellSearchCV):
    """Bayesian optimisation over hyperparameters, with cross-validation.

    A drop-in replacement for ``GridSearchCV``, ``RandomizedSearchCV`` and
    scikit-optimize's ``BayesSearchCV``: it proposes candidates with a
    Gaussian process fitted to the cross-validated scores seen so far, and
    evaluates them with scikit-learn's own machinery, so scoring,
    ``cv_results_``, refit, parallelism and metadata routing behave as in
    ``GridSearchCV``.

    Read more in the :ref:`User Guide <bayes_search>`.

    Parameters
    ----------
    {estimator}
    search_spaces : dict, list of dict or list of (dict, int)
        Parameter names mapped to a :mod:`hptune.space` dimension, a
        ``(low, high[, prior])`` tuple, a list of values or a scipy.stats
        frozen distribution: a ``GridSearchCV`` ``param_grid`` or a
        ``RandomizedSearchCV`` ``param_distributions`` works as is. A list of
        dicts gives conditional sub-spaces sharing ``n_iter``; skopt's
        ``(dict, n_iter)`` tuples give each its own budget.
    optimizer_kwargs : dict, default=None
        Settings of scikit-optimize's ``Optimizer``, kept so that code migrates
        unchanged: ``n_initial_points``, ``initial_point_generator``,
        ``acq_func``, ``acq_func_kwargs`` (``xi``, ``kappa``),
        ``acq_optimizer``, ``acq_optimizer_kwargs`` (``n_points``,
        ``n_restarts_optimizer``) and ``base_estimator="GP"``. They override
        the matching parameters below. ``acq_func_kwargs["xi"]`` defaults to
        0.01 score units, as in scikit-optimize: expected and probable
        improvement then count gains below 0.01 for little, which stops the
        search from creeping next to the best candidate by tiny gains (on
        the benchmark's ElasticNet task, 2 of 6 seeds stuck at R² 0.48 without
        it, none with it). Lower it for scores whose meaningful differences
        are much smaller than 0.01, raise it for scores of large magnitude. ``model_queue_size`` (how many past
        surrogates scikit-optimize keeps) is accepted and has no effect:
        hptune keeps only the current one, ``strategy_.gp_``. Other keys
        raise a ValueError.
    n_iter : int, default=50
        Number of candidates evaluated in total (shared by the sub-spaces).
    {scoring}
    {objectives}
    {n_jobs}
    n_points : int or "auto", default=1
        Number of candidates proposed per batch; each batch is evaluated in
        parallel (candidates times folds). The default, 1, is a sequential
        search whose candidates are the same whatever ``n_jobs`` or joblib
        backend runs it. ``"auto"`` sizes the batch to keep every worker
        busy: ``ceil(effective_n_jobs(n_jobs) / n_splits)`` candidates, at
        least 1, resolved once at the start of ``fit`` under the active joblib
        backend (on a dask cluster, its number of worker threads); the
        candidates then depend on the number of workers once it exceeds the
        number of folds (a checkpoint keeps the resolved size, so a resumed
        search continues with it). Batches cost some sample efficiency (see
        :ref:`distributed`).
    refit : bool, str or callable, default=True
        As in ``GridSearchCV``.
    {cv}
    {verbose}
    {pre_dispatch}
    random_state : int, RandomState instance or None, default=None
        Seed of the design, the surrogate fits and the candidate sets. Pass an
        int for reproducible output across multiple function calls.
        See :term:`Glossary <random_state>`.
    error_score : "raise" or numeric, default=np.nan
        Score given to a failed fit, as in ``GridSearchCV``; the surrogate
        learns failures as the worst observed score.
    {return_train_score}
    n_initial_points : int, default=10
        Candidates from the space-filling design before the GP is used (in
        total over the sub-spaces of a list of dicts, at least three each
        where their budgets allow, so that more sub-spaces mean a larger
        design). Raise it for a wide space and a large ``n_iter``.
    initial_point_generator : {"sobol", "lhs", "halton", "random"}, default="sobol"
        The initial design.
    acq_func : {"log_ei", "log_pi", "ucb", "gp_hedge"}, default="log_ei"
        Acquisition function; skopt's ``"EI"``, ``"PI"``, ``"LCB"`` are aliases.
        With two ``objectives`` the search maximises the expected hypervolume
        improvement instead, and ``acq_func``, ``xi`` and ``batch_strategy``
        are not used (batches believe the models' predictions); see
        :ref:`objectives`.
    batch_strategy : {"kriging_believer", "cl_min", "cl_mean", "cl_max"}, \
            default="kriging_believer"
        How batches of ``n_points`` distinct candidates are built.
    output_warping : {"power", "copula", "none"}, default="power"
        A monotone transform of the scores before the Gaussian process is
        fitted. ``"power"`` fits a Yeo-Johnson transform at every step, so
        that a few candidates scoring far worse than the rest (squared errors
        over wide ranges, log-losses, diverging fits) do not set the model's
        scale; ``"copula"`` keeps only the order of the scores; ``"none"``
        models them as they are, which suits scores that vary smoothly and
        without outliers. With a warping, ``xi`` is in the warped units. A
        list of dicts (conditional sub-spaces searched as one) always uses
        ``"copula"``, as its branches' scores differ by far more than noise.
    {callbacks}
    {max_time}
    {checkpoint}
    {warm_start}
    {initial_points}

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, plus ``iter``: the batch in which each
        candidate was evaluated. With ``return_train_score``,
        ``rank_train_<metric>`` ranks the train scores, as in scikit-optimize.
        {tie_columns}
    {best_attributes}
    {pareto_attributes}
    {fitted_attributes}
    n_iter_ : int
        Number of batches run.
    n_points_ : int
        Number of candidates proposed per batch: ``n_points``, with
        ``"auto"`` resolved.
    strategy_ : BayesOptimizer or ConditionalBayesOptimizer
        The optimiser state at the end of the search.
    optimizer_results_ : list of OptimizeResult
        One scikit-optimize result per sub-space, with skopt's keys and
        order, so that ``skopt.plots`` functions accept it: ``x`` (the best
        point as a list, in the sorted order of the parameter names, as
        scikit-optimize sorts them), ``fun``, ``x_iters``, ``func_vals``
        (minimised values: ``-mean_test_score``, as scikit-optimize's
        ``BayesSearchCV`` stores them), ``space`` (skopt's ``Space``
        interface), ``models`` (the last Gaussian process, predicting
        ``-score`` on ``space.transform``-ed points), ``random_state`` and
        ``specs``; plus ``params``, ``scores`` and ``best_params``.

    See Also
    --------
    EvolutionSearchCV : Evolutionary search over the same spaces.
    sklearn.model_selection.RandomizedSearchCV : Random search.

    Notes
    -----
    Unlike scikit-optimize, ``n_iter`` is the total budget over all
    sub-spaces (as in ``RandomizedSearchCV``); use ``(dict, n_iter)`` tuples
    to give each sub-space its own.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import BayesSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": (1e-2, 1e2, "log-uniform"), "gamma": (1e-3, 1e1, "log-uniform")},
    ...     n_iter=8, n_initial_points=4, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    8
    """

    # What one round of evaluations is called in progress lines.
    _iteration_name = "batch"

    _parameter_constraints: dict = {
        **AskTellSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "optimizer_kwargs": [dict, None],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "n_points": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "n_initial_points": [Interval(Integral, 1, None, closed="left")],
        "initial_point_generator": [StrOptions(set(DESIGNS))],
        "acq_func": [StrOptions(set(ACQ_FUNC_CHOICES))],
        "batch_strategy": [StrOptions(set(BATCH_STRATEGIES))],
        "output_warping": [StrOptions(set(WARPINGS))],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        optimizer_kwargs=None,
        n_iter=50,
        scoring=None,
        objectives=None,
        n_jobs=None,
        n_points=1,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        *,
        n_initial_points=10,
        initial_point_generator="sobol",
        acq_func="log_ei",
        batch_strategy="kriging_believer",
        output_warping="power",
        callbacks=None,
        max_time=None,
        checkpoint=None,
        warm_start=False,
        initial_points=None,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.optimizer_kwargs = optimizer_kwargs
        self.n_iter = n_iter
        self.n_points = n_points
        self.random_state = random_state
        self.n_initial_points = n_initial_points
        self.initial_point_generator = initial_point_generator
        self.acq_func = acq_func
        self.batch_strategy = batch_strategy
        self.output_warping = output_warping
        self.callbacks = callbacks
        self.max_time = max_time
        self.checkpoint = checkpoint
        self.warm_start = warm_start
        self.initial_points = initial_points
        self.objectives = objectives

    def _search_space(self):
        return self.search_spaces

    def _budget(self):
        return self.n_iter

    def _batch_size(self):
        return self.n_points_

    def _search_state(self):
        # The resolved batch size: with "auto", resuming on another number of
        # workers must not change the candidates of an uninterrupted run.
        return {"n_points": np.asarray(self.n_points_, dtype=np.int64)}

    def _load_search_state(self, state):
        if "n_points" in state:
            self.n_points_ = int(state["n_points"])

    def _resolve_n_points(self):
        """``n_points``, with "auto" as the candidates that fill the workers.

        One batch runs ``n_points * n_splits_`` fits, so ``ceil(workers /
        n_splits_)`` candidates keep every worker busy. Resolved once per fit
        (an adaptive dask cluster may grow mid-search; the batch size must not).
        """
        if self.n_points != "auto":
            return self.n_points
        return max(1, math.ceil(effective_n_jobs(self.n_jobs) / self.n_splits_))

    def _make_strategy(self, space, budget, random_state):
        params = {
            # scikit-optimize's margin: CV scores are noisy, and without it the
            # search crept along ridges by gains of 1e-4 (see the docstring).
            "xi": _XI,
            "n_initial_points": self.n_initial_points,
            "initial_point_generator": self.initial_point_generator,
            "acq_func": self.acq_func,
            "batch_strategy": self.batch_strategy,
            "output_warping": self.output_warping,
            **_from_optimizer_kwargs(self.optimizer_kwargs),
        }
        return self._strategy_class(BayesOptimizer)(space, random_state=random_state, **params)

    def _before_search(self):
        self.n_points_ = self._resolve_n_points()

    def _after_search(self, results):
        # scikit-optimize's results, in its order: it sorts a dict space's names.
        subs = getattr(self.strategy_, "strategies", [self.strategy_])
        specs = {"function": type(self).__name__, "args": self.get_params(deep=False)}
        self.optimizer_results_ = [skopt_result(s, sorted(s.space.names), specs) for s in subs]

    @property
    def total_iterations(self):
        """Total number of candidates the search evaluates, as in scikit-optimize."""
        from ..space import to_subspaces
        from ..strategies._subspaces import split_budget

        fixed = [b for _, b in to_subspaces(self.search_spaces)]
        return sum(split_budget(self.n_iter, fixed))
