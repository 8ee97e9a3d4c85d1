"""``PBTSearchCV``: population-based training behind scikit-learn's search API."""

import os
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import indexable

from ..exceptions import RefitWarning
from ..space import to_subspaces
from ..strategies._pbt import PBTScheduler
from ..utils._random import check_random_state, child_seed
from ..utils._sklearn_compat import (
    BaseSearchCV,
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    _MultimetricScorer,
    _safe_indexing,
)
from ._pbt_checkpoint import PBTProgress, open_checkpoint
from ._pbt_loop import StepHooks, as_list, callback_task, root_callback_context
from ._base import scatter_once
from ._pbt_resources import check_search_space, resolve_resource
from ._pbt_training import (
    Population,
    TrainingPlan,
    history_table,
    prepare_fold,
    replay,
    train_population,
)

__all__ = ["PBTSearchCV"]

# Number of steps when neither n_steps nor max_resources is given.
_DEFAULT_N_STEPS = 10


class PBTSearchCV(BaseSearchCV):
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
          regression, every warm fit runs ``step_size`` more iterations);
        - ``"auto"``: ``"partial_fit"`` when the final estimator has it, else
          ``n_estimators`` or ``max_iter`` with ``warm_start``.
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
        Factors applied by explore: a log-uniform value is multiplied by one,
        other ordered values move by ``(factor - 1) / 2`` of their range, and
        discrete ones at least to the neighbouring value. Categorical values
        change only when resampled.
    explore : {"bandit", "perturb"}, default="bandit"
        How a replaced member's hyperparameters are chosen. ``"perturb"``:
        the copied ones are explored once as described above (Jaderberg et
        al.). ``"bandit"``, after PB2 (Parker-Holder et al., 2020): 32 such
        explores are drawn and a Gaussian process of each step's score
        improvement, given the step and the hyperparameters, keeps the one
        with the highest upper confidence bound; random explore is used while
        fewer than 4 finite scores are known.
    scoring : str, callable, list, tuple or dict, default=None
        As in ``GridSearchCV``. With several metrics, the members are ranked
        by the one named by ``refit`` (or the first, if ``refit`` is not a
        name).
    refit : bool, str or callable, default=True
        As in ``GridSearchCV``; the best member's hyperparameter schedule
        (``best_schedule_``) is replayed on the whole data, so
        ``best_estimator_`` is trained the way the winner was. The replayed
        model is then scored on the CV test folds (which it was trained on),
        and a :class:`~hptune.exceptions.RefitWarning` says so when it scores
        below both the winner's held-out score and the median member's after
        the first step (a replay that diverged).
    cv : int, cross-validation generator or an iterable, default=None
        Determines the cross-validation splitting strategy, as in
        ``GridSearchCV``. The splits are computed once per fit and shared by
        all members. See :term:`Glossary <cv>`.
    n_jobs : int, default=None
        Number of jobs to run in parallel: each step trains every (member,
        fold) pair in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context. ``-1`` means using all
        processors. See :term:`Glossary <n_jobs>` for more details.
    verbose : int, default=0
        Controls the verbosity: 1 prints one line per step, 2 also the
        exploit decisions.
    pre_dispatch : int or str, default="2*n_jobs"
        As in ``GridSearchCV``.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial population and of exploit/explore. The
        estimator's own ``random_state`` is left alone: set it too for
        reproducible models. Pass an int for reproducible output across
        multiple function calls. See :term:`Glossary <random_state>`.
    error_score : "raise" or numeric, default=np.nan
        Score given to a failed fit, as in ``GridSearchCV``. A member whose
        fit fails ranks below all others (and is replaced at the next
        exploit round); ``"raise"`` raises the error.
    return_train_score : bool, default=False
        As in ``GridSearchCV``.
    callbacks : callable, list of callables or None, default=None
        Stopping callbacks (for example those of :mod:`hptune.callbacks`),
        called after every step with an
        :class:`~hptune.strategies.OptimizeResult`; returning True stops
        training after that step. See ``fit`` for the keys of the result.
    max_time : float, default=None
        Seconds after which training stops, checked after every step: the
        search stops after the step that ends past the limit, keeps every
        step done and refits the best member. With a ``checkpoint``, the
        next ``fit`` continues.
    checkpoint : str or os.PathLike, default=None
        File written after every step with everything needed to continue
        (plain data, validated on load), next to a joblib file of the fold
        models (``<checkpoint>.models-<step>.joblib``). When the file exists
        at the start of ``fit``, training resumes after its last step and
        ends with the ``cv_results_`` of an uninterrupted run. The model file
        is as trusted as a pickle: only resume from files you wrote. Read
        more in the :ref:`User Guide <pbt_checkpoints>`.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, one row per member: its final hyperparameters
        and its scores after the last step (``fit_time`` and ``score_time``
        add up all steps). Extra keys: ``member`` (the member index) and
        ``budget`` (resource trained per member).
    best_estimator_ : estimator
        Estimator trained on the whole data with the best member's schedule
        (when ``refit`` is not False).
    best_score_ : float
        Mean cross-validated score of the best member after the last step.
    best_params_ : dict
        Final hyperparameters of the best member.
    best_index_ : int
        Index of the best member in ``cv_results_``.
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
    scorer_ : function or dict
        Scorer(s) used on the held-out data.
    n_splits_ : int
        Number of cross-validation splits.
    refit_time_ : float
        Seconds spent replaying the best schedule on the whole data.
    multimetric_ : bool
        Whether several metrics were evaluated.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers with ``refit``).
    n_features_in_ : int
        Number of features seen during fit (with ``refit``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when X has string column names.

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

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
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
        "explore": [StrOptions({"perturb", "bandit"})],
        "random_state": ["random_state"],
        "callbacks": [list, callable, None],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "checkpoint": [str, os.PathLike, None],
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
        explore="bandit",
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

    # -- fit ------------------------------------------------------------------
    @_fit_context(
        # PBTSearchCV.estimator is not validated yet
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y=None, *, callback=None, **params):
        """Train the population and refit the best member's schedule.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        callback : callable, list of callables or None, default=None
            Stopping callbacks in scikit-optimize's style, called after every step (after
            those given in ``callbacks``) with an
            :class:`~hptune.strategies.OptimizeResult`; returning True stops
            training. Its keys: ``iteration`` (steps done, including those
            restored from a checkpoint), ``n_evaluations`` (member-steps
            scored), ``elapsed`` (seconds since this ``fit`` started),
            ``best_score`` (best member's mean test score after the step),
            ``best_scores`` (the same after each step), ``x``, ``fun``,
            ``x_iters``, ``func_vals``, ``params``, ``scores`` and
            ``best_params`` over the (step, member) history, and
            ``cv_results`` (as ``cv_results_`` would be after this step).
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit`` or ``partial_fit``
            (split with the folds), the scorer and the CV splitter, as in
            ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed_params = self._get_routed_params_for_fit(params)
        rng = check_random_state(self.random_state)
        plan, scheduler = self._check_params(y, scorers, child_seed(rng))
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, **routed_params.splitter.split))
        self.n_splits_ = len(splits)
        root_ctx = root_callback_context(self, X, y)
        records = self._train(X, y, splits, plan, scheduler, routed_params, callback, root_ctx)
        self.n_steps_ = len(records)
        self.scheduler_ = scheduler
        results, first_scores = self._store_results(records)
        self.multimetric_ = isinstance(first_scores, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_scores)
            refit_metric = self.refit
        self._select_best(results, refit_metric)
        if self.refit:
            with callback_task(root_ctx, "refit-with-best-schedule", self, X, y):
                self._refit_best(plan, X, y, routed_params.estimator.fit)
                self._check_refit(
                    scorers, refit_metric, results, X, y, splits, routed_params.scorer.score
                )
        self.scorer_ = scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
        self.cv_results_ = results
        if root_ctx is not None:
            root_ctx.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

    def _train(self, X, y, splits, plan, scheduler, routed_params, callback, root_ctx):
        """Train (or resume training) for the planned steps; returns the step records."""
        checkpoint = open_checkpoint(self, X, y, splits)
        progress = PBTProgress() if checkpoint is None else checkpoint.restore(
            scheduler, len(splits), self.n_steps_
        )
        population = Population(
            self.population_size, len(splits), progress.records, progress.models, progress.failed
        )
        # A restored search without models has stopped for good: no step to run.
        finished = bool(progress.records) and progress.models is None
        n_steps = len(progress.records) if finished else self.n_steps_
        hooks = StepHooks(
            self, scheduler, population, progress, as_list(self.callbacks) + as_list(callback),
            checkpoint, self.n_steps_,
        )
        folds = []
        if len(progress.records) < n_steps:
            folds = self._prepare_folds(plan, X, y, splits, routed_params)
            self._announce(len(folds))
        # Every step trains every (member, fold) pair: on a dask cluster the
        # prepared folds are sent once, not with each of those tasks.
        with scatter_once(*folds), Parallel(n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch) as parallel:
            hooks.begin_search(root_ctx, n_steps - len(progress.records))
            records = train_population(
                parallel, plan, folds, scheduler, n_steps, self._objective, population, hooks
            )
            hooks.end_search()
        return records

    def _prepare_folds(self, plan, X, y, splits, routed_params):
        """The :class:`Fold` of every split, for the training steps.

        Without leading Pipeline steps, preparing a fold is only indexing: it
        is done here, so the data travels once, inside the folds. Fitting
        leading steps is real work, run in parallel on the workers, which
        costs sending them the data and the folds back.
        """
        tasks = [
            (plan, X, y, train, test, routed_params.estimator.fit, routed_params.scorer.score)
            for train, test in splits
        ]
        if not plan.pre_steps:
            return [prepare_fold(*task) for task in tasks]
        with scatter_once(X, y), Parallel(n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch) as parallel:
            return parallel(delayed(prepare_fold)(*task) for task in tasks)

    def _check_params(self, y, scorers, seed):
        """Cross-parameter and estimator checks; returns the plan and scheduler."""
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
        if self.max_resources is not None:
            self.n_steps_ = self.max_resources // self.step_size
        else:
            self.n_steps_ = _DEFAULT_N_STEPS if self.n_steps is None else self.n_steps
        subspaces = to_subspaces(self.search_spaces)
        if any(n_iter is not None for _, n_iter in subspaces):
            raise ValueError(
                "search_spaces holds (dict, n_iter) tuples, but PBTSearchCV trains one "
                "population; pass a dict or a list of dicts."
            )
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
            random_state=seed,
        )
        plan = TrainingPlan(
            estimator, resource, scorers, self.error_score, self.return_train_score, self.scoring
        )
        return plan, scheduler

    def _objective(self, test_scores):
        """The score that ranks members: the refit metric, else the first one."""
        if not isinstance(test_scores, dict):
            return test_scores
        if isinstance(self.refit, str) and self.refit in test_scores:
            return test_scores[self.refit]
        return next(iter(test_scores.values()))

    def _announce(self, n_folds):
        if self.verbose > 0:
            print(
                f"[PBTSearchCV] Training {self.population_size} members on {n_folds} folds "
                f"for {self.n_steps_} steps of {self.step_size} {self.resource_} "
                f"({self.population_size * n_folds} fits per step)"
            )

    def _report(self, step, scores, parents):
        """Progress line after each step (``verbose`` > 0)."""
        if self.verbose <= 0:
            return
        budget = (step + 1) * self.step_size
        moved = [(int(i), int(j)) for i, j in enumerate(parents) if i != j]
        if np.isfinite(scores).any():
            best = int(np.nanargmax(scores))
            summary = (
                f"best {scores[best]:.4f} (member {best}), median {np.nanmedian(scores):.4f}"
            )
        else:
            summary = "every member failed"
        print(
            f"[PBTSearchCV] step {step + 1}/{self.n_steps_}, {self.resource_}={budget}: "
            f"{summary}; {len(moved)} replaced"
        )
        if self.verbose > 1 and moved:
            print("    " + ", ".join(f"member {i} <- member {j}" for i, j in moved))

    # -- results --------------------------------------------------------------
    def _cv_results(self, records, scheduler):
        """``cv_results_`` after the steps in ``records``, one row per member."""
        n_members, n_folds = self.population_size, self.n_splits_
        final_out = []
        for index, result in enumerate(records[-1]):
            row = dict(result)
            # Time spent on this (member, fold) slot over all steps.
            row["fit_time"] = sum(out[index]["fit_time"] for out in records)
            row["score_time"] = sum(out[index]["score_time"] for out in records)
            final_out.append(row)
        budget = len(records) * self.step_size
        more_results = {"member": list(range(n_members)), "budget": [budget] * n_members}
        final_params = [row["params"] for row in scheduler.history_[-n_members:]]
        return self._format_results(final_params, n_folds, final_out, more_results)

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
        self.best_schedule_ = [
            {**entry, "budget": (entry["step"] + 1) * self.step_size}
            for entry in self.scheduler_.schedule(int(self.best_index_))
        ]

    def _check_refit(self, scorers, metric, results, X, y, splits, score_params):
        """Warn when the replayed model fails on the very folds it was trained on.

        The refitted model is scored on each fold's test part, which it was
        trained on, and compared with two held-out scores: the winner's
        (minus one fold standard deviation) and the median member's after the
        first step. A model that is worse on samples it was trained on than
        both of these has not been trained the way the winner was (usually the
        replay diverged), and ``best_estimator_`` should not be trusted
        silently. Small shortfalls, which small folds produce by chance, stay
        above the second bound. Scoring subsets of the folds' size keeps
        scores that grow with the number of samples (such as k-means'
        inertia) comparable.
        """
        if callable(self.refit):
            return  # no single metric to compare with
        scorer = scorers._scorers[metric] if isinstance(scorers, _MultimetricScorer) else scorers
        held_out = np.array(
            [results[f"split{k}_test_{metric}"][self.best_index_] for k in range(len(splits))],
            dtype=float,
        )
        tested = np.isfinite(held_out)
        first = self.pbt_history_[f"mean_test_{metric}"][self.pbt_history_["step"] == 0]
        first = first[np.isfinite(first)]
        if not tested.any() or not first.size:
            return
        refit_scores = [
            scorer(
                self.best_estimator_,
                _safe_indexing(X, test),
                None if y is None else _safe_indexing(y, test),
                **_check_method_params(X, params=score_params, indices=test),
            )
            for (_, test), ok in zip(splits, tested)
            if ok
        ]
        held_out, typical = held_out[tested], float(np.median(first))
        score, cv_score = float(np.mean(refit_scores)), held_out.mean()
        if not score >= min(cv_score - held_out.std(), typical):  # NaN warns too
            warnings.warn(
                f"The refitted best_estimator_ scores {score:.4g} ({metric!r}) on the CV test "
                f"folds, which it was trained on, below the {cv_score:.4g} that the best member "
                "scored on them held out, and below the median member after the first "
                f"step ({typical:.4g}). Replaying best_schedule_ on the whole data "
                "trained differently from the folds: training diverged (narrow the search "
                "space, for example the largest learning rate) or is too noisy for the "
                "schedule to carry over (more data or steps); with refit=False you can "
                "retrain yourself.",
                RefitWarning,
                stacklevel=3,
            )

    def _refit_best(self, plan, X, y, fit_params):
        """Replay the best schedule on the whole data, timing it."""
        schedule = [entry["params"] for entry in self.best_schedule_]
        start = time.time()
        self.best_estimator_ = replay(plan, X, y, fit_params, schedule)
        self.refit_time_ = time.time() - start
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_

