"""``PBTSearchCV``: population-based training behind scikit-learn's search API."""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils.parallel import Parallel
from sklearn.utils.validation import indexable

from ..space import to_subspaces
from ..strategies._pbt import EXPLORE_RULES, PBTScheduler
from ..utils._random import check_random_state, child_seed
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    _MultimetricScorer,
)
from ._base import BaseHptuneSearchCV
from ..training import TrainingPlan, check_search_space, replay, resolve_resource
from ._pbt_population import SKIPPED, cv_results, describe_pairs, history_table, member_scores
from ._pbt_population import prepare_folds, restored_population, train_step
from ._pbt_report import announce, best_schedule, callback_task, check_replay, optimize_result
from ._pbt_report import report_leaves, root_callback_context, step_detail
from ._docs import fill_doc
from ._run import SearchRun, scatter_once

__all__ = ["PBTSearchCV"]

# Number of steps when neither n_steps nor max_resources is given.
_DEFAULT_N_STEPS = 10


@fill_doc("step")
class PBTSearchCV(BaseHptuneSearchCV):
    """Population-based training of an incrementally trained estimator.

    Population-based training (PBT) trains a population of models at once,
    each with its own hyperparameters. Every ``perturbation_interval`` steps,
    the weakest members are replaced by copies of the strongest (*exploit*),
    whose hyperparameters are then perturbed (*explore*), so the
    hyperparameters follow a schedule during training instead of staying
    fixed. Each member holds one model per cross-validation fold and is
    scored by its mean held-out score, as in ``GridSearchCV``.

    Read more in the :ref:`User Guide <pbt_search>`.

    Parameters
    ----------
    estimator : estimator object
        The estimator to train. Its final step (the estimator itself, or the
        last step of a Pipeline) must continue training, through
        ``partial_fit`` or ``warm_start``; see ``resource``. The steps of a
        Pipeline before the final estimator are fitted once per fold and
        shared by all members.
    search_spaces : dict or list of dict
        Parameter names mapped to a :mod:`hptune.space` dimension, a
        ``(low, high[, prior])`` tuple, a list of values or a scipy.stats
        frozen distribution, as for ``BayesSearchCV``. A list of dicts gives
        conditional sub-spaces. Only parameters of the final estimator that
        can change during training belong here (learning rates,
        regularisation, tree depth of new trees, ...), not the resource.
    population_size : int, default=8
        Number of members trained together.
    n_steps : int, default=None
        Number of training steps. When both ``n_steps`` and
        ``max_resources`` are None, 10 steps are run.
    max_resources : int, default=None
        Total resource per member (passes over the data, trees,
        iterations); runs ``max_resources // step_size`` steps. Give either
        ``n_steps`` or ``max_resources``.
    resource : str, default="auto"
        What one step trains:

        - ``"partial_fit"``: ``step_size`` calls of the final estimator's
          ``partial_fit`` on the fold's whole training set (one pass each);
        - the name of a parameter of the final estimator, with its Pipeline
          prefix (``"n_estimators"``, ``"clf__max_iter"``): the estimator is
          switched to ``warm_start=True`` and refitted warm with the
          parameter grown by ``step_size`` (for ensembles, it counts trees
          in total; for iterative solvers such as MLP or logistic
          regression, every warm fit runs ``step_size`` more iterations).
          For LightGBM's and XGBoost's estimators, ``"n_estimators"``
          instead adds ``step_size`` boosting rounds to the fitted booster
          (``init_model``, ``xgb_model``);
        - ``"auto"``: ``"partial_fit"`` when the final estimator has it, else
          ``n_estimators`` for LightGBM and XGBoost, else ``n_estimators``
          or ``max_iter`` with ``warm_start``.
    step_size : int, default=1
        Amount of resource per step.
    perturbation_interval : int, default=1
        Number of steps between two exploit/explore rounds.
    quantile_fraction : float, default=0.25
        Fraction of the population in the bottom quantile (replaced) and in
        the top quantile (copied), in (0, 0.5].
    resample_probability : float, default=0.25
        Probability that explore redraws a hyperparameter from its prior
        instead of perturbing it.
    perturbation_factors : tuple of float, default=(0.8, 1.2)
        Factors applied by explore: a log-uniform value, and a uniform real
        one whose range holds no negative value, is multiplied by one
        (clipped to the bounds); other ordered values move by
        ``(factor - 1) / 2`` of their range, and discrete ones at least to the
        neighbouring value. Categorical values change only when resampled.
        Factors further from 1 explore more boldly after each copy.
    explore : {"perturb", "bandit"}, default="perturb"
        How a replaced member's hyperparameters are chosen. ``"perturb"``:
        the copied ones are explored once as described above (Jaderberg et
        al.), drawn again if they land on hyperparameters that failed.
        ``"bandit"``, after PB2 (Parker-Holder et al., 2020): 32 such
        explores are drawn and a Gaussian process of each step's score
        improvement, given the step and the hyperparameters, keeps the one
        with the highest upper confidence bound; random explore is used while
        fewer than 4 finite scores are known. The model costs more CPU per
        round than ``"perturb"`` (most in the first rounds, which fit its
        kernel hyperparameters; later rounds reuse them), little next to a
        training step of most estimators; worth trying when a training step is
        expensive and the population small.
    {scoring}
    refit : bool, str or callable, default=True
        As in ``GridSearchCV``; the best member's hyperparameter schedule
        (``best_schedule_``) is replayed on the whole data, so
        ``best_estimator_`` is trained the way the winner was. The replayed
        model is then scored on the CV test folds (which it was trained on),
        and a :class:`~hptune.exceptions.RefitWarning` says so when it scores
        below both the winner's held-out score and the median member's after
        the first step (a replay that diverged).
    {cv}
    n_jobs : int, default=None
        Number of jobs to run in parallel: each step trains every (member,
        fold) pair in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context. ``-1`` means using all
        processors. See :term:`Glossary <n_jobs>` for more details.
    verbose : int, default=0
        0 prints nothing. 1 prints one line per step: steps run, member-steps
        evaluated, the best member's score, the resource trained so far, the
        median member and how many were replaced. 2 also says who copied
        whom.
    {pre_dispatch}
    random_state : int, RandomState instance or None, default=None
        Seed of the initial population and of exploit/explore. The
        estimator's own ``random_state`` is left alone: set it too for
        reproducible models. Pass an int for reproducible output across
        multiple function calls. See :term:`Glossary <random_state>`.
    error_score : "raise" or numeric, default=np.nan
        Score given to a failed fit, as in ``GridSearchCV``. A member whose
        fit fails ranks below all others (and is replaced at the next
        exploit round); ``"raise"`` raises the error.
    {return_train_score}
    {callbacks}
    {max_time}
    checkpoint : str or os.PathLike, default=None
        File written after every step with everything needed to continue
        (plain data, validated on load), next to a joblib file of the fold
        models (``<checkpoint>.models-<step>.joblib``). When the file exists
        at the start of ``fit``, training resumes after its last step and
        ends with the ``cv_results_`` of an uninterrupted run. The model file
        is as trusted as a pickle: only resume from files you wrote. Read
        more in the :ref:`User Guide <pbt_checkpoints>`.
    warm_start : bool, default=False
        Must stay False (True raises a ValueError): continuing a PBT run needs
        the population's partly trained models, which a fitted search does
        not keep. Use ``checkpoint`` to continue training.
    initial_points : list of dict, default=None
        Must stay None (a list raises a ValueError): the initial population
        is the scheduler's space-filling design.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, one row per member: its final hyperparameters
        and its scores after the last step (``fit_time`` and ``score_time``
        add up all steps). Extra keys: ``member`` (the member index) and
        ``budget`` (resource trained per member). With ``return_train_score``,
        ``rank_train_<metric>`` ranks the train scores, as in scikit-optimize.
        {tie_columns}
    best_estimator_ : estimator
        Estimator trained on the whole data with the best member's schedule
        (when ``refit`` is not False).
    best_score_ : float
        Mean cross-validated score of the best member after the last step.
    best_params_ : dict
        Final hyperparameters of the best member.
    {fitted_attributes}
    best_schedule_ : list of dict
        The best member's hyperparameter schedule: one entry per step with
        ``step``, ``budget`` (resource after the step), ``member`` (the
        member that trained this lineage during the step) and ``params``.
    pbt_history_ : dict of ndarrays
        One row per (step, member): ``step``, ``member``, ``parent`` (the
        member whose models it continued from during the step), ``budget``,
        ``params``, and ``mean_test_<metric>``, ``std_test_<metric>`` (and
        the train scores with ``return_train_score``), with ``<metric>``
        named as in ``cv_results_``. ``pandas.DataFrame(pbt_history_)``
        gives a table.
    scheduler_ : PBTScheduler
        The exploit/explore scheduler at the end of training.
    resource_ : str
        The resource used: ``"partial_fit"`` or a parameter name.
    n_steps_ : int
        Number of steps run.
    refit_time_ : float
        Seconds spent replaying the best schedule on the whole data.

    See Also
    --------
    BayesSearchCV : Bayesian optimisation of fixed hyperparameters.
    sklearn.model_selection.HalvingRandomSearchCV : Successive halving over a
        resource.

    Notes
    -----
    Hyperparameters are changed on models that are already fitted, so the
    change must act on them: MLP optimiser settings (``learning_rate_init``,
    ``momentum``, ``beta_1``...) are copied onto the optimiser that
    ``partial_fit`` keeps, and gradient boosting's past stages are rescaled
    when ``learning_rate`` changes. Parameters that fix the shape of a
    fitted model (``hidden_layer_sizes``, ``n_clusters``...) cannot change
    during training and must not be searched.

    A step trains every (member, fold) pair in parallel and returns the
    models to the main process, which copies them when a member exploits
    another; the total work is ``population_size * n_steps * step_size``
    units of resource per fold.

    References
    ----------
    .. [1] Jaderberg, M. et al. (2017). "Population Based Training of Neural
       Networks". arXiv:1711.09846.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from hptune import PBTSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = PBTSearchCV(
    ...     SGDClassifier(random_state=0), {"alpha": (1e-5, 1e-1, "log-uniform")},
    ...     population_size=4, n_steps=4, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"]), len(search.best_schedule_)
    (4, 4)
    """

    # What one round of evaluations is called in progress lines.
    _iteration_name = "step"

    _unsupported = {
        "warm_start": "a PBT run continues from its population's partly trained models, "
        "which only a checkpoint keeps (use checkpoint=...)",
        "initial_points": "the initial population is the scheduler's own design",
    }

    _parameter_constraints: dict = {
        **BaseHptuneSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "n_steps": [Interval(Integral, 1, None, closed="left"), None],
        "max_resources": [Interval(Integral, 1, None, closed="left"), None],
        "resource": [str],
        "step_size": [Interval(Integral, 1, None, closed="left")],
        "perturbation_interval": [Interval(Integral, 1, None, closed="left")],
        "quantile_fraction": [Interval(Real, 0, 0.5, closed="right")],
        "resample_probability": [Interval(Real, 0, 1, closed="both")],
        "perturbation_factors": ["array-like"],
        "explore": [StrOptions(set(EXPLORE_RULES))],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        population_size=8,
        n_steps=None,
        max_resources=None,
        resource="auto",
        step_size=1,
        perturbation_interval=1,
        quantile_fraction=0.25,
        resample_probability=0.25,
        perturbation_factors=(0.8, 1.2),
        explore="perturb",
        scoring=None,
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
        self.population_size = population_size
        self.n_steps = n_steps
        self.max_resources = max_resources
        self.resource = resource
        self.step_size = step_size
        self.perturbation_interval = perturbation_interval
        self.quantile_fraction = quantile_fraction
        self.resample_probability = resample_probability
        self.perturbation_factors = perturbation_factors
        self.explore = explore
        self.random_state = random_state
        self.callbacks = callbacks
        self.max_time = max_time
        self.checkpoint = checkpoint
        self.warm_start = warm_start
        self.initial_points = initial_points

    # -- fit ------------------------------------------------------------------
    @_fit_context(
        # PBTSearchCV.estimator is not validated yet
        prefer_skip_nested_validation=False
    )
    @fill_doc("step")
    def fit(self, X, y=None, *, callback=None, **params):
        """Train the population and refit the best member's schedule.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        {fit_callback}
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit`` or ``partial_fit``
            (split with the folds), the scorer and the CV splitter, as in
            ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._check_y(y)
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        routed_params = self._get_routed_params_for_fit(_check_method_params(X, params=params))
        run = SearchRun(self, callback, fit_inputs=(X, y, params))
        run.check_data(X, y)
        subspaces = to_subspaces(self.search_spaces)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        run.check_inputs(X, y, cv, routed_params.splitter.split, subspaces, candidates=False)
        plan, scheduler = self._plan(y, scorers, subspaces, check_random_state(self.random_state))
        self.n_splits_ = run.n_splits
        root_ctx = root_callback_context(self, X, y)
        records = self._train(run, X, y, plan, scheduler, routed_params, root_ctx)
        self.n_steps_ = len(records)
        self.scheduler_ = scheduler
        with run.defer_non_finite_warning():
            results, first_scores = self._store_results(records)
        self.multimetric_ = isinstance(first_scores, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_scores)
            refit_metric = self.refit
        self._select_best(results, refit_metric)
        run.finish()
        if self.refit:
            with callback_task(root_ctx, "refit-with-best-schedule", self, X, y):
                self._refit_best(plan, X, y, routed_params.estimator.fit)
                if not callable(self.refit):  # else no single metric to compare with
                    check_replay(
                        self, scorers, refit_metric, results, (X, y), run.cv.splits,
                        routed_params.scorer.score,
                    )
        self.scorer_ = scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
        self.cv_results_ = results
        if root_ctx is not None:
            root_ctx.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

    def _train(self, run, X, y, plan, scheduler, routed_params, root_ctx):
        """Train (or resume training) for the planned steps; returns the step records."""
        n_members, n_folds = self.population_size, run.n_splits
        progress = run.restore(scheduler, n_total=self.n_steps_ * n_members, load_models=True)
        population = restored_population(progress, n_members, n_folds, run.checkpoint)
        if progress.finished:
            return population.records
        folds = prepare_folds(plan, (X, y), run.cv.splits, routed_params, self)
        announce(self, n_folds)
        # Every step trains every (member, fold) pair: on a dask cluster the
        # prepared folds are sent once, not with each of those tasks.
        with scatter_once(*folds), Parallel(n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch) as parallel:
            run.begin(root_ctx, self.n_steps_ - len(population.records))
            while run.stopped is None:
                self._train_step(run, parallel, plan, folds, scheduler, population)
                run.save(scheduler, models={"models": population.models, "failed": population.failed})
            run.end()
        # Every (member, fold, step) result counts, so that the report adds up
        # to the NaN scores of pbt_history_: a pair not trained because its
        # model failed at an earlier step is listed with its own reason.
        results = [r for out in population.records for r in out]
        if any(r["fit_error"] is not None for r in results):
            run.report_fit_failures(results, lambda i: "")  # warns: some fits failed
        return population.records

    def _train_step(self, run, parallel, plan, folds, scheduler, population):
        """Train every member by one step, then exploit/explore and report it."""
        step, n_pairs = len(population.records), population.failed.size
        with run.iteration(n_pairs) as ctx:
            params = scheduler.ask()
            out = train_step(parallel, plan, folds, population, params, step)
            report_leaves(ctx, n_pairs, self)
        scores = member_scores(out, len(folds), self.refit)
        if not np.isfinite(scores).any():
            attempted = [r for r in out if r["fit_error"] != SKIPPED]
            run.report_fit_failures(attempted, describe_pairs(out, params, len(folds)))
        parents = scheduler.tell(scores, perturb=step < self.n_steps_ - 1)
        population.copy_models(parents)
        population.records.append(out)
        run.progress.outs.extend(out)
        finite = scores[np.isfinite(scores)]
        best = float(finite.max()) if finite.size else np.nan
        with run.defer_non_finite_warning():
            summary = optimize_result(scheduler, self._cv_results(population.records, scheduler))
        run.end_iteration(
            summary, n_evaluated=self.population_size, best_score=best, iteration_best=best,
            detail=step_detail(self, step, scores, parents),
        )

    def _check_params(self, X, y):
        if self.n_steps is not None and self.max_resources is not None:
            raise ValueError(
                f"n_steps={self.n_steps} and max_resources={self.max_resources} both set "
                "the length of training; give only one of them."
            )
        if self.max_resources is not None and self.max_resources < self.step_size:
            raise ValueError(
                f"max_resources={self.max_resources} is smaller than "
                f"step_size={self.step_size}; raise max_resources or lower step_size."
            )
        if any(n_iter is not None for _, n_iter in to_subspaces(self.search_spaces)):
            raise ValueError(
                "search_spaces holds (dict, n_iter) tuples, but PBTSearchCV trains one "
                "population; pass a dict or a list of dicts."
            )

    def _plan(self, y, scorers, subspaces, rng):
        """The training plan and the scheduler of this fit (after the estimator checks)."""
        if self.max_resources is not None:
            self.n_steps_ = self.max_resources // self.step_size
        else:
            self.n_steps_ = _DEFAULT_N_STEPS if self.n_steps is None else self.n_steps
        estimator = clone(self.estimator)
        resource = resolve_resource(estimator, self.resource, self.step_size, y)
        check_search_space(estimator, {n for space, _ in subspaces for n in space.names}, resource)
        self.resource_ = resource.name
        scheduler = PBTScheduler(
            [space for space, _ in subspaces],
            population_size=self.population_size,
            perturbation_interval=self.perturbation_interval,
            quantile_fraction=self.quantile_fraction,
            resample_probability=self.resample_probability,
            perturbation_factors=self.perturbation_factors,
            explore=self.explore,
            random_state=child_seed(rng),
        )
        plan = TrainingPlan(
            estimator, resource, scorers, self.error_score, self.return_train_score, self.scoring
        )
        return plan, scheduler

    # -- results --------------------------------------------------------------
    def _cv_results(self, records, scheduler):
        """``cv_results_`` after the steps in ``records``, one row per member."""
        return cv_results(self._format_results, records, scheduler, self.n_splits_, self.step_size)

    def _store_results(self, records):
        """Build ``cv_results_`` (returned) and ``pbt_history_``."""
        results = self._cv_results(records, self.scheduler_)
        self.pbt_history_ = history_table(
            records, self.scheduler_.history_, self.step_size, self.n_splits_,
            self.return_train_score,
        )
        final_out = records[-1]
        successes = [r for r in final_out if r["fit_error"] is None] or final_out
        return results, successes[0]["test_scores"]

    def _select_best(self, results, refit_metric):
        """``best_index_``, ``best_score_``, ``best_params_`` and ``best_schedule_``."""
        if not (self.refit or not self.multimetric_):
            return
        self.best_index_ = self._select_best_index(self.refit, refit_metric, results)
        if not callable(self.refit):
            self.best_score_ = results[f"mean_test_{refit_metric}"][self.best_index_]
        self.best_params_ = results["params"][self.best_index_]
        self.best_schedule_ = best_schedule(self.scheduler_, int(self.best_index_), self.step_size)

    def _refit_best(self, plan, X, y, fit_params):
        """Replay the best schedule on the whole data, timing it."""
        schedule = [entry["params"] for entry in self.best_schedule_]
        start = time.time()
        self.best_estimator_ = replay(plan, X, y, fit_params, schedule)
        self.refit_time_ = time.time() - start
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_
