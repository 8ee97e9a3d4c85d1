"""``HyperbandSearchCV``: Hyperband and BOHB behind scikit-learn's search API.

The strategy (brackets, rungs, promotions, proposals, the budget) is the
:class:`~hptune.strategies.HyperbandScheduler`; this module only evaluates
what it asks for. One iteration is one *rung*: its candidates, all with the
same resource, go through one call of scikit-learn's ``evaluate_candidates``
(so ``n_jobs`` and joblib's backends, dask included, parallelise candidates
times folds), and the rung's mean test scores are told back. Everything
around it (checks, fixed splits, callbacks, ``max_time``, checkpoints) is the
fit's :class:`~hptune.search._run.SearchRun`, as for the other searches.

A rung goes through ``evaluate_candidates`` (as scikit-learn's successive
halving does): scoring, ``cv_results_``, refit, metadata routing and any
parameter of a Pipeline (leading steps included) are exactly
``GridSearchCV``'s, and a rung is a plain list of candidates that a
checkpoint can replay. A promoted candidate is then fitted again from
scratch, and the budget counts that in full. Where the estimator can
continue training (``continue_training``), a promoted candidate's fold
models are trained further instead, by
:class:`~hptune.search._hyperband_training.ContinuedRungs`, into the same
results; the budget then counts only the extra resource (the scheduler runs
with ``continued=True``), so ``n_iter`` buys more brackets.

Resources:

* ``"n_samples"``: each fold's training part is cut to the fraction
  ``n_resources / max_resources`` (``max_resources`` defaults to the number
  of samples of X), in nested subsets that hold every class
  (:mod:`~hptune.search._hyperband_samples`).
* any integer parameter of the estimator (``"n_estimators"``,
  ``"clf__max_iter"``): set to the rung's resource in the candidate's
  parameters (``max_resources`` defaults to the estimator's value). The
  parameter then appears in ``params`` and ``param_<name>`` of
  ``cv_results_`` and in ``best_params_``, and the checkpoint stores it as
  one more (ordinal) dimension of the space.

``best_index_``, ``best_score_`` and ``best_params_`` come from the
evaluations with the full resource only (the highest resource reached, if a
search is stopped before any), because lower-resource scores are not
comparable with them; ``rank_test_*`` ranks all rows, as in scikit-learn's
halving searches.
"""

from numbers import Integral, Real

import numpy as np

from ..space import Ordinal, Space, to_subspaces
from ..strategies import OptimizeResult
from ..strategies._hyperband import PROPOSALS, HyperbandScheduler
from ..utils._random import child_seed
from ..utils._sklearn_compat import Interval, StrOptions, _num_samples
from ._ask_tell import AskTellSearchCV, Batch
from ._docs import fill_doc
from ._hyperband_samples import SampleSubsets, class_labels, min_samples
from ._hyperband_training import ContinuedRungs, continuation

__all__ = ["HyperbandSearchCV"]

# min_resources="auto": the smallest rung gets 1 / factor**3 of the full
# resource, so that the default factor of 3 gives four brackets (Hyperband's
# usual R / r_min of about 81 would make the first rungs too noisy for most
# scikit-learn tasks).
_AUTO_DEPTH = 3


@fill_doc("rung")
class HyperbandSearchCV(AskTellSearchCV):
    """Hyperband (and BOHB) over a resource, with cross-validation.

    Many candidates are evaluated cheaply, on a fraction of the training
    samples or with few trees or iterations, and only the best of them get
    more, rung after rung, up to a full evaluation (successive halving).
    Brackets that start at different resources, down to one that evaluates
    only with the full resource, keep a small resource that ranks
    candidates wrongly from deciding everything (Hyperband). New candidates
    come from a Gaussian process of every score so far with the resource as
    an input, which learns how far the small resources predict the full one
    (a BOHB-style search with a model across fidelities), or at random.

    Read more in the :ref:`User Guide <hyperband_search>`.

    Parameters
    ----------
    {estimator}
    search_spaces : dict or list of dict
        Parameter names mapped to a :mod:`hptune.space` dimension, a
        ``(low, high[, prior])`` tuple, a list of values or a scipy.stats
        frozen distribution, as for ``BayesSearchCV``. A list of dicts gives
        conditional sub-spaces: with ``proposal="bayes"`` one model over all
        of them puts new candidates in the branches that score well, and
        the random share goes to the branches with the fewest candidates.
        The resource parameter does not belong here.
    n_iter : float, default=50
        The budget, in full evaluations: the search spends at most what
        evaluating ``n_iter`` candidates with ``max_resources`` costs (an
        evaluation with ``r`` samples, trees or iterations costs
        ``r / max_resources``, on every fold alike), so it compares with
        ``BayesSearchCV(n_iter=...)`` at equal compute, while it examines
        many more candidates. At least 1.
    resource : str, default="n_samples"
        What a rung gives its candidates: ``"n_samples"`` (training samples
        of each fold), or the name of an integer parameter of the estimator
        (``"n_estimators"``, ``"max_iter"``, ``"clf__max_iter"`` in a
        Pipeline), set to the rung's value.
    factor : int, default=3
        Each rung keeps the best ``1 / factor`` of its candidates and gives
        them ``factor`` times the resource. Larger factors select harder
        and run fewer rungs.
    min_resources : int or "auto", default="auto"
        The resource of the smallest rung. ``"auto"``:
        ``max_resources // factor**3`` (four brackets with the default
        factor), and with ``"n_samples"`` at least enough samples for every
        class in every fold's first rung.
    max_resources : int or "auto", default="auto"
        The full resource: all the samples of X for ``"n_samples"``, else
        the estimator's own value of the parameter.
    proposal : {"bayes", "random"}, default="bayes"
        How new candidates are chosen. ``"bayes"``: two thirds from a
        Gaussian process of every score so far, with the resource as an
        input, maximising expected improvement at the full resource; one
        third at random; until there are as many scores as dimensions plus
        2, all at random. ``"random"``: all at random (Hyperband); choose
        it to compare with plain Hyperband.
    continue_training : "auto" or bool, default="auto"
        Whether a promoted candidate continues training from its previous
        rung (on every fold) instead of being fitted again from scratch. It
        can when the resource is ``n_estimators`` or ``max_iter`` of the
        estimator (of the last step of a Pipeline, with only that step's
        parameters searched): ``max_iter`` of an estimator with
        ``partial_fit`` (SGD, MLP...) counts ``partial_fit`` passes, else a
        warm ``fit`` adds the trees or iterations (``warm_start``: forests,
        gradient boosting, logistic regression...), and for LightGBM's and
        XGBoost's estimators a ``fit`` continuing the previous booster
        (``init_model``, ``xgb_model``) adds boosting rounds. The budget then counts
        only the extra resource, so the same ``n_iter`` runs more brackets.
        ``"auto"`` continues where it can and refits elsewhere; ``True``
        raises a ValueError where it cannot; ``False`` always refits (every
        evaluation then is an independent fit, as in ``GridSearchCV``).
    {scoring}
    {objectives}
    refit : bool, str or callable, default=True
        As in ``GridSearchCV``, among the evaluations with the full
        resource: ``best_estimator_`` is refitted with ``max_resources``
        (all of X for ``"n_samples"``). A callable receives the
        ``cv_results_`` rows of those evaluations only.
    {cv}
    {n_jobs}
    verbose : int, default=0
        Controls the verbosity: 1 prints one line per rung, more also
        scikit-learn's messages.
    {pre_dispatch}
    random_state : int, RandomState instance or None, default=None
        Seed of the proposals and of the sample subsets. Pass an int for
        reproducible output across multiple function calls.
        See :term:`Glossary <random_state>`.
    error_score : "raise" or numeric, default=np.nan
        Score given to a failed fit, as in ``GridSearchCV``; a failed
        candidate is never promoted.
    {return_train_score}
    {callbacks}
    {max_time}
    {checkpoint}
    warm_start : bool, default=False
        When True, ``fit`` on the same data continues the previous fit of
        this search, as with a ``checkpoint`` but in memory: a search stopped
        by ``max_time`` or a callback goes on. ``n_iter`` must stay the same,
        since the plan of brackets depends on it; other data, another space
        or other settings raise a :class:`~hptune.checkpoint.CheckpointError`
        before the first fit. See :ref:`warm_starts`.
    initial_points : list of dict, default=None
        Configurations that are the first candidates, before any proposal
        (scikit-optimize's ``x0``, Optuna's ``enqueue_trial``): they start in
        the first bracket's first rung (the next brackets' if there are more
        of them than it holds) and are promoted by their scores like any
        other candidate. Each must give a value inside the search space for
        every parameter of one sub-space. See :ref:`warm_starts`.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, one row per evaluation (a promoted candidate
        has one row per rung), plus ``iter`` (the rung of the search, in
        order), ``bracket`` (index of the bracket), ``rung`` (index of the
        rung in its bracket) and ``n_resources``.
        With ``objectives``, ``pareto_rank`` ranks each evaluation among the
        evaluations with the same resource (a smaller resource is faster and
        less accurate, so they are not compared).
        {tie_columns}
    best_estimator_ : estimator
        Estimator refitted on the whole data with the best parameters and the
        full resource (when ``refit`` is not False).
    best_score_ : float
        Mean cross-validated score of the best full-resource evaluation.
    best_params_ : dict
        Parameters of the best full-resource evaluation (with the resource
        parameter, unless it is ``"n_samples"``).
    refit_time_ : float
        Seconds spent refitting the best estimator.
    pareto_front_ : ndarray of shape (n_front,)
        With ``objectives``: indices into ``cv_results_`` of the
        evaluations with the full resource that no other full-resource
        evaluation beats in every objective (failed ones never included).
    {fitted_attributes}
    n_iter_ : int
        Number of rungs run.
    n_iterations_ : int
        Number of rungs run, as in ``HalvingRandomSearchCV``.
    n_resources_ : list of int
        The resource of each rung run.
    n_candidates_ : list of int
        The number of candidates of each rung run.
    max_resources_ : int
        The full resource.
    min_resources_ : int
        The resource of the smallest rung.
    strategy_ : HyperbandScheduler
        The scheduler at the end of the search: its ``plan_`` lists the
        brackets and its ``spent`` the full evaluations used.
    continue_training_ : bool
        Whether promoted candidates continued training (see
        ``continue_training``).

    See Also
    --------
    BayesSearchCV : Bayesian optimisation with full evaluations only.
    sklearn.model_selection.HalvingRandomSearchCV : One bracket of successive
        halving over random candidates.

    Notes
    -----
    Without continued training, every evaluation fits its candidate from
    scratch, a promoted one too, and the budget counts it so. With it, the
    ``fit_time`` of a promoted candidate's row is the time of its extra
    training only, and ``best_estimator_`` is still fitted from scratch with
    ``max_resources`` by the estimator's ``fit`` (with ``partial_fit``
    passes, ``fit`` gives the same model when it runs exactly ``max_iter``
    passes: no ``tol`` or early stopping, and for SGD ``shuffle=False``).
    A search resumed from a checkpoint (or warm started) rebuilds the models
    of the candidates it continues from scratch, through the same rungs.

    References
    ----------
    .. [1] Li, L., Jamieson, K., DeSalvo, G., Rostamizadeh, A. and Talwalkar,
       A. (2018). "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
       Optimization". JMLR 18(185).
    .. [2] Falkner, S., Klein, A. and Hutter, F. (2018). "BOHB: Robust and
       Efficient Hyperparameter Optimization at Scale". ICML.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from hptune import HyperbandSearchCV
    >>> X, y = load_digits(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": (2, 12), "min_samples_leaf": (1, 20)},
    ...     n_iter=6, min_resources=150, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> search.n_resources_, search.n_candidates_
    ([200, 599, 1797, 599, 1797], [9, 3, 1, 5, 1])
    >>> bool(search.strategy_.spent <= 6)
    True
    """

    # What one round of evaluations is called in progress lines.
    _iteration_name = "rung"
    # The scheduler holds every sub-space itself, several objectives too.
    _objectives_with_subspaces = True

    # The plan of brackets depends on n_iter (a larger n_iter is not the same
    # plan with more brackets), so a warm start keeps n_iter: it continues a
    # search stopped by max_time or a callback.
    _budget_params = ()

    _parameter_constraints: dict = {
        **AskTellSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(Real, 0, None, closed="neither")],
        "resource": [str],
        "factor": [Interval(Integral, 2, None, closed="left")],
        "min_resources": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_resources": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "proposal": [StrOptions(set(PROPOSALS))],
        "continue_training": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        resource="n_samples",
        factor=3,
        min_resources="auto",
        max_resources="auto",
        proposal="bayes",
        continue_training="auto",
        scoring=None,
        objectives=None,
        refit=True,
        cv=None,
        n_jobs=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
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
        self.n_iter = n_iter
        self.resource = resource
        self.factor = factor
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.proposal = proposal
        self.continue_training = continue_training
        self.random_state = random_state
        self.callbacks = callbacks
        self.max_time = max_time
        self.checkpoint = checkpoint
        self.warm_start = warm_start
        self.initial_points = initial_points
        self.objectives = objectives

    # -- checks and resources ------------------------------------------------------------
    def _check_params(self, X, y):
        if any(n_iter is not None for _, n_iter in to_subspaces(self.search_spaces)):
            raise ValueError(
                "search_spaces holds (dict, n_iter) tuples, but HyperbandSearchCV shares one "
                "budget among its brackets; pass a dict or a list of dicts."
            )
        if self.n_iter < 1:
            raise ValueError(
                f"n_iter={self.n_iter} is less than one full evaluation (a candidate evaluated "
                "with max_resources); raise n_iter to at least 1."
            )
        names = {n for space, _ in to_subspaces(self.search_spaces) for n in space.names}
        if self.resource in names:
            raise ValueError(
                f"search_spaces names {self.resource!r}, which is the resource that "
                "HyperbandSearchCV sets at every rung; remove it from search_spaces."
            )
        self.max_resources_ = self._resolve_max_resources(X)
        r_max = self.max_resources_
        auto = max(1, r_max // self.factor**_AUTO_DEPTH)
        self.min_resources_ = auto if self.min_resources == "auto" else self.min_resources
        if self.min_resources_ > r_max:
            raise ValueError(
                f"min_resources={self.min_resources_} exceeds max_resources={r_max}; lower "
                "min_resources or raise max_resources."
            )
        self._continuation = continuation(self, y)
        self.continue_training_ = self._continuation is not None

    def _resolve_max_resources(self, X):
        if self.resource == "n_samples":
            return _num_samples(X) if self.max_resources == "auto" else self.max_resources
        params = self.estimator.get_params(deep=True)
        if self.resource not in params:
            close = [n for n in params if n.endswith("__" + self.resource)]
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"resource={self.resource!r} is neither 'n_samples' nor a parameter of "
                f"{type(self.estimator).__name__}.{hint} Pass 'n_samples' or the name of an "
                "integer parameter, such as n_estimators or max_iter."
            )
        if self.max_resources != "auto":
            return self.max_resources
        value = params[self.resource]
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(
                f"max_resources='auto' takes the estimator's {self.resource}, but it is "
                f"{value!r}, not an int >= 1; pass max_resources=<int>."
            )
        return int(value)

    # -- the search space and the strategy ------------------------------------------------
    def _plan(self):
        from ..strategies._hyperband import plan_brackets

        return plan_brackets(
            self.max_resources_, self.min_resources_, self.factor, self.n_iter,
            continued=self.continue_training_,
        )

    def _search_space(self):
        # With a parameter resource, the candidates evaluated carry it: the
        # checkpoint stores it as one more dimension of each sub-space.
        if self.resource == "n_samples":
            return self.search_spaces
        values = sorted({r for _, rungs in self._plan() for _, r in rungs})
        return [
            Space({**dict(space), self.resource: Ordinal(values)})
            for space, _ in to_subspaces(self.search_spaces)
        ]

    def _budget(self):
        return self.n_iter

    def _batch_size(self):
        """Not used: the scheduler's plan sets the size of each rung."""
        return None

    def _make_strategy(self, space, budget, random_state):
        return self._strategy_class(HyperbandScheduler)(
            space, max_resources=self.max_resources_, min_resources=self.min_resources_,
            factor=self.factor, budget=budget, proposal=self.proposal,
            continued=self.continue_training_, initial_points=self._run.initial_points,
            random_state=random_state,
        )

    def _before_search(self):
        if self.resource == "n_samples":
            _, y, _ = self._run.fit_inputs
            self.min_resources_ = min_samples(
                class_labels(self.estimator, y), self._run.cv.splits, self.min_resources,
                self.min_resources_, self.max_resources_,
            )

    def _build_strategy(self, rng):
        spaces = [space for space, _ in to_subspaces(self.search_spaces)]
        strategy = self._make_strategy(spaces, self._budget(), child_seed(rng))
        self._subsets = None
        if self.resource == "n_samples":
            _, y, _ = self._run.fit_inputs
            self._subsets = SampleSubsets(
                self._run.cv, class_labels(self.estimator, y), self.max_resources_, child_seed(rng)
            )
        self._rungs = ContinuedRungs(self, self._continuation) if self.continue_training_ else None
        return strategy, strategy.n_planned

    def _cv_at(self, resource):
        """The splits of a rung: each fold's training part cut for ``n_samples``."""
        return self._run.cv if self._subsets is None else self._subsets.at(resource)

    # -- the rungs --------------------------------------------------------------------------------
    def _candidate_params(self, job):
        if self.resource == "n_samples":
            return job.params
        return {**job.params, self.resource: job.resource}

    def _planned_iterations(self, strategy, n_left):
        return max(1, sum(len(rungs) for _, rungs in strategy.plan_) - self._run.progress.iteration)

    def _plan_done(self, strategy):
        # Promotions that fell short (failures are not promoted) leave planned
        # evaluations unused: the plan, not the count, says the budget is spent.
        return strategy.done

    def _next_batch(self, strategy, n_left, iteration):
        """The next rung: its jobs, evaluated with their resource's splits."""
        jobs = strategy.ask()
        if not jobs:
            return None
        job = jobs[0]
        more = {
            "iter": [iteration] * len(jobs),
            "bracket": [j.bracket for j in jobs],
            "rung": [j.rung for j in jobs],
            "n_resources": [j.resource for j in jobs],
        }
        return Batch(
            jobs, [self._candidate_params(j) for j in jobs], more, self._cv_at(job.resource),
            detail=f"bracket {job.bracket}, rung {job.rung}, {self.resource}={job.resource}",
        )

    def _evaluate_batch(self, evaluate_candidates, batch):
        """Evaluate a rung: continue training its candidates, or fit them from scratch."""
        if self._rungs is None:
            return super()._evaluate_batch(evaluate_candidates, batch)
        jobs = batch.told
        return self._rungs.evaluate(
            evaluate_candidates, batch.params, batch.more, [j.candidate for j in jobs],
            [self._rung_path(j.bracket, j.rung) for j in jobs],
        )

    def _rung_path(self, bracket, rung):
        """The resources of a bracket's rungs up to ``rung``: a continued model's training."""
        return [r for _, r in self.strategy_.plan_[bracket][1][: rung + 1]]

    def _reevaluate_last(self, evaluate_candidates, fit_results):
        """Rebuild the results of a finished search from its checkpoint.

        As for the other searches, the last evaluation is run again, with the
        resource (and the sample subset) it had; a continued one is trained
        again through its bracket's rungs.
        """
        params, more = self._run.pop_last()
        del fit_results[-self._run.n_splits :]
        if self._rungs is not None:
            path = self._rung_path(more["bracket"][0], more["rung"][0])
            return self._rungs.evaluate(evaluate_candidates, [params], more, [None], [path])
        return self._evaluate(evaluate_candidates, [params], more, self._cv_at(more["n_resources"][0]))

    def _summary(self, strategy, results):
        """skopt's result keys over the full-resource evaluations, and the results so far."""
        ev = strategy.evaluations_
        full = np.flatnonzero(ev["resource"] == strategy.max_resources)
        params = [strategy.candidates_[c] for c in ev["candidate"][full]]
        scores = ev["score"][full]
        best = strategy.best_params
        space = strategy.spaces[0] if best is None else next(s for s in strategy.spaces if s.contains(best))
        return OptimizeResult(
            space=space,
            x=None if best is None else [best[n] for n in space.names],
            fun=np.nan if best is None else -strategy.best_score,
            x_iters=[list(p.values()) for p in params],
            func_vals=-scores,
            params=params,
            scores=scores,
            best_params=best,
            cv_results=results,
        )

    # -- results --------------------------------------------------------------------------------
    def _pareto_ranks(self, results, objectives):
        resources = np.asarray(results["n_resources"])
        ranks = np.empty(len(resources), dtype=np.int32)
        for r in np.unique(resources):
            index = np.flatnonzero(resources == r)
            ranks[index] = super()._pareto_ranks(_rows(results, index), objectives)
        return ranks

    def _pareto_front(self, results):
        """The front among the evaluations with the highest resource, as ``best_index_``."""
        front = super()._pareto_front(results)
        if results is None:
            return front
        resources = np.asarray(results["n_resources"])
        return front[resources[front] == resources.max()]

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """The best of the evaluations with the highest resource (the full one)."""
        resources = np.asarray(results["n_resources"])
        top = np.flatnonzero(resources == resources.max())
        if callable(refit):
            index = refit(_rows(results, top))
            if not isinstance(index, Integral) or not 0 <= index < len(top):
                raise IndexError(
                    f"The refit callable must return an index into the {len(top)} rows of "
                    f"full-resource evaluations it was given. Got {index!r}."
                )
            return int(top[index])
        scores = np.asarray(results[f"mean_test_{refit_metric}"], dtype=float)[top]
        if not np.isfinite(scores).any():
            return int(top[0])
        return int(top[np.nanargmax(np.where(np.isfinite(scores), scores, np.nan))])

    def _after_search(self, results):
        # The sample subsets and the fold models of this fit only.
        del self._subsets, self._rungs, self._continuation
        iters = np.asarray(results["iter"])
        starts = np.flatnonzero(np.r_[True, iters[1:] != iters[:-1]])
        self.n_iterations_ = len(starts)
        self.n_resources_ = [int(r) for r in np.asarray(results["n_resources"])[starts]]
        self.n_candidates_ = [int(n) for n in np.diff(np.r_[starts, len(iters)])]


def _rows(results, index):
    """The rows ``index`` of a ``cv_results_`` dict."""
    return {
        k: [v[i] for i in index] if isinstance(v, list) else v[index] for k, v in results.items()
    }
