"""Searches that plug an ask/tell strategy into ``BaseSearchCV._run_search``.

:class:`AskTellSearchCV` asks a batch, evaluates it with scikit-learn's own
``evaluate_candidates`` on the splits fixed once per fit, tells the batch's
mean test scores back, and lets the fit's
:class:`~hptune.search._run.SearchRun` run the callbacks, write the
checkpoint and decide whether to stop. Everything else (scoring,
``cv_results_``, refit, parallelism, metadata routing) is scikit-learn's.

Resuming from a checkpoint loads the strategy's state and replays the saved
candidates and raw per-fit results in front of the new ones
(``_format_results``), so a resumed search ends with the ``cv_results_`` and
the fit-failure report of an uninterrupted one.
"""

import functools
import math
from abc import abstractmethod
from typing import NamedTuple

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils.validation import indexable

from ..selection._pareto import objective_values
from ..space import to_subspaces
from ..strategies._multiobjective import multi_objective_version
from ..strategies._result import result_from_strategy
from ..strategies._subspaces import conditional_strategy, split_budget
from ..utils._random import check_random_state, child_seed
from ..utils._sklearn_compat import SEARCH_CHECKS_INPUTS, _check_method_params
from ._base import BaseHptuneSearchCV, objective_key
from ._docs import fill_doc
from ._failures import collect_fit_failures
from ._run import SearchRun, scatter_once

__all__ = ["AskTellSearchCV", "Batch", "best_finite"]


class Batch(NamedTuple):
    """One iteration's evaluations, as the loop of :class:`AskTellSearchCV` runs them.

    ``told`` is what the strategy is told the scores of (its own objects,
    such as Hyperband's jobs); ``params`` the candidates evaluated; ``more``
    their extra ``cv_results_`` columns; ``cv`` other splits than the fit's
    (None for the fit's); ``detail`` the search's part of the progress line.
    """

    told: list
    params: list
    more: dict
    cv: object = None
    detail: str = ""


def best_finite(scores):
    """The best finite score of a batch (NaN when every candidate failed)."""
    finite = scores[np.isfinite(scores)]
    return float(finite.max()) if finite.size else np.nan


class AskTellSearchCV(BaseHptuneSearchCV):
    """Base class of the searches driven by an ask/tell strategy (not for direct use).

    Subclasses provide the search space (``_search_space``), the strategy of
    one sub-space (``_make_strategy``), the budget (``_budget``) and the batch
    size (``_batch_size``).
    """

    _parameter_constraints: dict = {
        **BaseHptuneSearchCV._parameter_constraints,
        "objectives": [list, None],
    }
    # Whether the conditional strategy of a list of sub-spaces takes objectives.
    _objectives_with_subspaces = False

    @abstractmethod
    def _search_space(self):
        """The user's search-space specification."""

    @abstractmethod
    def _make_strategy(self, space, budget, random_state):
        """Strategy for one sub-space with ``budget`` evaluations."""

    @abstractmethod
    def _budget(self):
        """Total number of evaluations for sub-spaces without their own."""

    @abstractmethod
    def _batch_size(self):
        """Number of candidates evaluated per ``evaluate_candidates`` call."""

    def _before_search(self):
        """Resolve fit-time settings once ``n_splits_`` is known (a hook)."""

    def _after_search(self, results):
        """Set fitted attributes from the last ``evaluate_candidates`` results (a hook).

        ``results`` (None when nothing was evaluated) holds every candidate
        of the search in the ``cv_results_`` format.
        """

    def _should_stop(self, state):
        """Strategy-specific stopping rule, checked after every batch."""
        return False

    def _more_results(self, iteration, params):
        """Extra ``cv_results_`` columns for one batch."""
        return {"iter": [iteration] * len(params)}

    @fill_doc("iteration (batch or generation)")
    def fit(self, X, y=None, *, callback=None, **params):
        """Run the search and refit the best candidate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        {fit_callback}
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter, exactly as in ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._check_y(y)
        # BaseSearchCV.fit's own indexable() then returns these very objects,
        # which the scattered copies are keyed by.
        X, y = indexable(X, y)
        self._run = SearchRun(self, callback, fit_inputs=(X, y, params))
        try:
            with scatter_once(X, y):
                return super().fit(X, y, **params)
        finally:
            del self._run

    def _check_input_parameters(self, X, y, split_params):
        # Called by BaseSearchCV.fit once per fit, before any candidate is
        # evaluated and with the routed split params (scikit-learn >= 1.7).
        self._run.check_data(X, y)
        subspaces = to_subspaces(self._search_space())
        self._check_objectives(subspaces)
        self._run.check_inputs(X, y, self._checked_cv_orig, split_params, subspaces)

    def _objective_names(self):
        return self.objectives

    def _check_objectives(self, subspaces):
        """Refuse ``objectives`` that the results will not have, before the first fit."""
        if self.objectives is None:
            return
        name, objectives = type(self).__name__, self.objectives
        scorers = _scorer_names(self.scoring)
        allowed = [*scorers, "fit_time", "score_time"]
        # A callable scoring may return a dict, whose keys show only once
        # evaluated: its names are checked when the first results are read.
        known = not callable(self.scoring)
        for objective in objectives:
            if not isinstance(objective, str) or (known and objective not in allowed):
                raise ValueError(
                    f"The 'objectives' parameter of {name} must be a list of scorer names of "
                    f"'scoring' ({', '.join(map(repr, scorers))}), 'fit_time' or 'score_time'. "
                    f"Got {objective!r} in {objectives!r} instead."
                )
        if len(set(objectives)) < 2 or len(set(objectives)) < len(objectives):
            raise ValueError(
                f"The 'objectives' parameter of {name} must name at least two different "
                f"objectives, each once. Got {objectives!r} instead; for a single score, "
                "leave objectives=None and choose it with scoring and refit."
            )
        if len(subspaces) > 1 and not self._objectives_with_subspaces:
            raise ValueError(
                f"{name} does not search a list of sub-spaces with several objectives yet; "
                f"got {len(subspaces)} sub-spaces and objectives={objectives!r}. Search each "
                "sub-space on its own, or merge them into one dict."
            )

    def _pareto_front(self, results):
        """``pareto_front_``: the rows of Pareto rank 1 whose objectives are all finite."""
        if results is None:
            return np.empty(0, dtype=np.intp)
        Y = objective_values(results, self.objectives, "pareto_front_")
        front = (np.asarray(results["pareto_rank"]) == 1) & np.isfinite(Y).all(axis=1)
        return np.flatnonzero(front)

    def _strategy_class(self, cls):
        """``cls``, or its multi-objective version with the number of objectives given."""
        if self.objectives is None:
            return cls
        n_objectives = len(self.objectives)
        return functools.partial(multi_objective_version(cls, n_objectives), n_objectives=n_objectives)

    def _told_scores(self, results, n):
        """What the strategy is told of the last ``n`` candidates of ``results``.

        The mean test score it maximises, shape (n,); with ``objectives``, one
        row of objectives per candidate, shape (n, n_objectives), times negated
        so that every column is maximised.
        """
        if self.objectives is None:
            return np.asarray(results[objective_key(self.refit, results)][-n:], dtype=float)
        return objective_values(results, self.objectives, type(self).__name__)[-n:]

    def _legacy_check_inputs(self):
        """What newer scikit-learn's ``fit`` does before ``_run_search``.

        Older releases neither fix ``n_splits_`` early nor call
        ``_check_input_parameters``; the same routing, splitter and checks are
        run here, once per fit, so every release gets the same searches.
        """
        X, y, params = self._run.fit_inputs
        routed = self._get_routed_params_for_fit(_check_method_params(X, params=params))
        self._checked_cv_orig = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = self._checked_cv_orig.get_n_splits(X, y, **routed.splitter.split)
        self._check_input_parameters(X, y, routed.splitter.split)

    def _build_strategy(self, rng):
        """The strategy of this fit and the number of evaluations it plans.

        Sub-spaces (a list of dicts) are searched as one by the conditional
        version of the search's strategy (see
        :func:`~hptune.strategies._subspaces.conditional_strategy`).
        """
        subspaces = to_subspaces(self._search_space())
        fixed = [b for _, b in subspaces]
        budgets = split_budget(self._budget(), fixed)
        template = self._make_strategy(subspaces[0][0], budgets[0], child_seed(rng))
        if len(subspaces) == 1:
            return template, budgets[0]
        strategy = conditional_strategy(
            template, [space for space, _ in subspaces], budgets=fixed, n_iter=self._budget(),
            random_state=child_seed(rng), make_strategy=self._make_strategy,
        )
        return strategy, sum(budgets)

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Ask, evaluate on fixed splits, tell; repeat until the run stops.

        Parameters
        ----------
        evaluate_candidates : callable
            Provided by ``BaseSearchCV.fit``; evaluates a list of parameter dicts
            and returns all results so far in the ``cv_results_`` format.
        callback_ctx : CallbackContext, default=None
            scikit-learn's callback context (scikit-learn >= 1.9).
        """
        run = self._run
        if not SEARCH_CHECKS_INPUTS:
            self._legacy_check_inputs()
        self._before_search()
        self.strategy_, n_total = self._build_strategy(check_random_state(self.random_state))
        self._check_initial_points(n_total)
        progress = run.restore(self.strategy_, n_total=n_total)
        with collect_fit_failures() as fit_results:
            fit_results.extend(run.replayed_outs)
            if progress.finished:
                results = self._reevaluate_last(evaluate_candidates, fit_results)
            else:
                results = self._loop(self.strategy_, n_total, evaluate_candidates, callback_ctx)
            if results is None and run.replayed_outs:
                # A warm start on a space already exhausted finds nothing new.
                results = self._reevaluate_last(evaluate_candidates, fit_results)
        n_splits = run.n_splits
        run.report_fit_failures(
            fit_results,
            lambda i: f"candidate {progress.params[i // n_splits]!r}, split {i % n_splits}",
        )
        self.n_iter_ = progress.iteration
        self._after_search(results)
        if self.objectives is not None:
            self.pareto_front_ = self._pareto_front(results)
        run.keep_for_warm_start(self.strategy_)
        run.finish()

    def _check_initial_points(self, n_total):
        n_points = len(self._run.initial_points)
        if n_points > n_total:
            raise ValueError(
                f"initial_points has {n_points} points but {type(self).__name__} evaluates "
                f"{n_total} candidates in all; pass at most {n_total} initial points or "
                "raise the budget."
            )

    def _reevaluate_last(self, evaluate_candidates, fit_results):
        """Rebuild the results of a finished search from its checkpoint.

        ``BaseSearchCV.fit`` needs at least one evaluation per call, so the
        last candidate is evaluated again (the strategy is not told again).
        """
        params, more = self._run.pop_last()
        del fit_results[-self._run.n_splits :]
        return self._evaluate(evaluate_candidates, [params], more)

    def _planned_iterations(self, strategy, n_left):
        """Iterations still to run for ``n_left`` evaluations (a hook).

        Batches of initial points come first and hold no asked candidate.
        """
        size = self._batch_size()
        seeds = max(0, len(self._run.initial_points) - self._run.progress.n_evaluated)
        return math.ceil(seeds / size) + math.ceil((n_left - seeds) / size)

    def _next_batch(self, strategy, n_left, iteration):
        """The next batch to evaluate, or None when the strategy has nothing new (a hook).

        The ``initial_points`` not yet evaluated come first (the first
        evaluations of a search are its initial points, so a resumed or
        warm-started search skips those done); then the strategy is asked for
        at most a batch of candidates. A search whose strategy plans its own
        batches (Hyperband's rungs) overrides it.
        """
        done, size = self._run.progress.n_evaluated, min(self._batch_size(), n_left)
        params = self._run.initial_points[done : done + size] or strategy.ask(size)
        if not params:
            return None
        return Batch(params, params, self._more_results(iteration, params))

    def _plan_done(self, strategy):
        """Whether the strategy's own plan has run out before the budget (a hook)."""
        return False

    def _loop(self, strategy, n_total, evaluate_candidates, callback_ctx):
        run, progress, results = self._run, self._run.progress, None
        run.begin(callback_ctx, self._planned_iterations(strategy, n_total - progress.n_evaluated))
        while run.stopped is None:
            batch = self._next_batch(strategy, n_total - progress.n_evaluated, progress.iteration)
            if batch is None:
                run.exhausted()
            else:
                results = self._evaluate_batch(evaluate_candidates, batch)
                scores = self._told_scores(results, len(batch.params))
                strategy.tell(batch.told, scores)
                # With several objectives, progress reports follow the first.
                first = scores if scores.ndim == 1 else scores[:, 0]
                run.end_iteration(
                    self._summary(strategy, results), n_evaluated=len(batch.params),
                    best_score=strategy.best_score, iteration_best=best_finite(first),
                    rule=self._should_stop, detail=batch.detail,
                    done=self._plan_done(strategy),
                )
            run.save(strategy)
        run.end()
        return results

    def _evaluate_batch(self, evaluate_candidates, batch):
        """Evaluate one :class:`Batch` (a hook: Hyperband may continue training instead)."""
        return self._evaluate(evaluate_candidates, batch.params, batch.more, batch.cv)

    def _evaluate(self, evaluate_candidates, params, more_results, cv=None):
        """Evaluate ``params`` on the fit's splits (or on ``cv``, splits derived from them)."""
        run = self._run
        with run.iteration(len(params) * run.n_splits) as ctx:
            kwargs = {"cv": run.cv if cv is None else cv, "more_results": more_results}
            if ctx is not None:
                kwargs["callback_ctx"] = ctx
            with run.defer_non_finite_warning():
                return evaluate_candidates(params, **kwargs)

    def _summary(self, strategy, results):
        """skopt's result keys for the best sub-space, and the results so far."""
        subs = getattr(strategy, "strategies", [strategy])
        result = max(
            (result_from_strategy(s) for s in subs),
            key=lambda r: -np.inf if r.fun is None or np.isnan(r.fun) else -r.fun,
        )
        result["cv_results"] = results
        return result

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # BaseSearchCV.fit formats all results of the current fit after every
        # evaluate_candidates call; those replayed from a checkpoint come
        # first, so a resumed search ends with the cv_results_ of an
        # uninterrupted one.
        run = getattr(self, "_run", None)
        if run is not None:
            candidate_params, out, more_results = run.with_replayed(
                candidate_params, out, more_results
            )
        return super()._format_results(candidate_params, n_splits, out, more_results)


def _scorer_names(scoring):
    """The metric names of ``cv_results_`` for ``scoring``: its keys, or "score"."""
    if isinstance(scoring, dict):
        return list(scoring)
    if isinstance(scoring, (list, tuple, set)):
        return list(scoring)
    return ["score"]

