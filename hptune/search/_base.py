"""Shared scikit-learn adapter for ask/tell strategies.

``BaseHptuneSearchCV`` plugs a strategy into ``BaseSearchCV._run_search``: it
asks a batch, evaluates it with scikit-learn's own ``evaluate_candidates`` on
splits fixed once per fit, tells the batch's mean test scores back, runs the
callbacks and stops when the budget, the time limit or a callback says so.
Everything else (scoring, ``cv_results_``, refit, parallelism, metadata
routing) is scikit-learn's.
"""

import math
import time
import warnings
from abc import abstractmethod
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.utils import get_tags

from ..space import to_subspaces
from ..strategies._result import result_from_strategy
from ..strategies._subspaces import SubspaceStrategy, split_budget
from ..utils._random import check_random_state, child_seed
from ..utils._sklearn_compat import (
    NON_FINITE_SCORES_WARNING,
    BaseSearchCV,
    Interval,
    deferred_fit_failures,
    report_fit_failures,
)

__all__ = ["BaseHptuneSearchCV"]


class _FixedSplits:
    """A CV splitter replaying splits computed once per fit.

    Randomised splitters without a seed give new splits on every call; a
    sequential search must compare all its candidates on the same data.
    """

    def __init__(self, splits):
        self.splits = splits

    def split(self, X=None, y=None, **params):
        return iter(self.splits)

    def get_n_splits(self, X=None, y=None, **params):
        return len(self.splits)


def _as_list(callbacks):
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


@contextmanager
def _deferred_non_finite_warning(search):
    """Hold back scikit-learn's per-call "non-finite scores" warning.

    ``BaseSearchCV`` warns on every ``evaluate_candidates`` call once any score
    is NaN, so a sequential search would repeat it after every batch. That one
    warning is kept aside (the latest copy) and emitted once at the end of the
    search; every other warning is re-emitted unchanged.
    """
    with warnings.catch_warnings(record=True) as caught:
        # "always" only records every warning here; nothing is silenced, since
        # everything but the deferred warning is re-emitted below.
        warnings.simplefilter("always")
        yield
    for w in caught:
        if issubclass(w.category, UserWarning) and str(w.message).startswith(NON_FINITE_SCORES_WARNING):
            search._non_finite_warning = w
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _objective_key(search, results):
    """The ``cv_results_`` column that the strategy maximises."""
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(search.refit, str) and f"mean_test_{search.refit}" in results:
        return f"mean_test_{search.refit}"
    # Multi-metric scoring with a callable (or no) refit: the first metric.
    return next(k for k in results if k.startswith("mean_test_"))


class BaseHptuneSearchCV(BaseSearchCV):
    """Base class of hptune's sequential searches (not for direct use).

    Subclasses provide the search space (``_search_space``), the strategy of
    one sub-space (``_make_strategy``), the budget (``_budget``) and the batch
    size (``_batch_size``).
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "random_state": ["random_state"],
        "callbacks": [list, callable, None],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
    }

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # BaseSearchCV does not pass on the target tags, so a search over a
        # multi-output regressor would claim to be single-output only.
        sub = get_tags(self.estimator).target_tags
        tags.target_tags.multi_output = sub.multi_output
        tags.target_tags.single_output = sub.single_output
        tags.target_tags.required = sub.required
        return tags

    def _should_stop(self, state):
        """Strategy-specific stopping rule, checked after every batch."""
        return False

    def _more_results(self, iteration, params):
        """Extra ``cv_results_`` columns for one batch."""
        return {"iter": [iteration] * len(params)}

    def fit(self, X, y=None, *, callback=None, **params):
        """Run the search and refit the best candidate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        callback : callable, list of callables or None, default=None
            scikit-optimize style callbacks, called after every batch with an
            :class:`~hptune.strategies.OptimizeResult`; returning True stops
            the search. They run after those given in ``callbacks``.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter, exactly as in ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        if y is None and get_tags(self.estimator).target_tags.required:
            raise ValueError(
                f"{type(self.estimator).__name__} requires y to be passed, but the target y is None."
            )
        self._fit_callbacks = _as_list(callback)
        try:
            return super().fit(X, y, **params)
        finally:
            del self._fit_callbacks

    def _check_input_parameters(self, X, y, split_params):
        # Called by BaseSearchCV.fit once per fit, with the routed split params:
        # the one place where the splits can be fixed for the whole search.
        self._fixed_cv = _FixedSplits(list(self._checked_cv_orig.split(X, y, **split_params)))

    def _build_strategy(self, rng):
        subspaces = to_subspaces(self._search_space())
        budgets = split_budget(self._budget(), [b for _, b in subspaces])
        strategies = [
            self._make_strategy(space, budget, child_seed(rng))
            for (space, _), budget in zip(subspaces, budgets)
        ]
        if len(strategies) == 1:
            return strategies[0], budgets
        return SubspaceStrategy(strategies, budgets), budgets

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Ask, evaluate on fixed splits, tell; repeat until a stopping rule holds.

        Parameters
        ----------
        evaluate_candidates : callable
            Provided by ``BaseSearchCV.fit``; evaluates a list of parameter dicts
            and returns all results so far in the ``cv_results_`` format.
        callback_ctx : CallbackContext, default=None
            scikit-learn's callback context (scikit-learn >= 1.9).
        """
        rng = check_random_state(self.random_state)
        strategy, budgets = self._build_strategy(rng)
        self.strategy_ = strategy
        self._non_finite_warning = None
        try:
            with deferred_fit_failures() as fit_results:
                self._loop(strategy, sum(budgets), evaluate_candidates, callback_ctx)
            report_fit_failures(fit_results, self.error_score)
            w = self._non_finite_warning
            if w is not None:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
        finally:
            del self._fixed_cv, self._non_finite_warning

    def _loop(self, strategy, n_total, evaluate_candidates, callback_ctx):
        callbacks = _as_list(self.callbacks) + self._fit_callbacks
        for cb in callbacks:
            getattr(cb, "on_search_begin", lambda search: None)(self)
        n_batches = math.ceil(n_total / self._batch_size())
        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=n_batches
            ).call_on_fit_task_begin(estimator=self)
        start, n_evaluated, iteration = time.monotonic(), 0, 0
        while n_evaluated < n_total:
            params = strategy.ask(min(self._batch_size(), n_total - n_evaluated))
            if not params:
                break
            results = self._evaluate(evaluate_candidates, params, iteration, search_ctx)
            key = _objective_key(self, results)
            strategy.tell(params, np.asarray(results[key][-len(params) :], dtype=float))
            n_evaluated, iteration = n_evaluated + len(params), iteration + 1
            state = self._state(strategy, iteration, n_evaluated, start, results)
            stop = [self._call(cb, state) for cb in callbacks] + [self._should_stop(state)]
            if any(stop) or (self.max_time is not None and state.elapsed >= self.max_time):
                break
        self.n_iter_ = iteration
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        for cb in callbacks:
            getattr(cb, "on_search_end", lambda search: None)(self)

    def _evaluate(self, evaluate_candidates, params, iteration, search_ctx):
        kwargs = {"cv": self._fixed_cv, "more_results": self._more_results(iteration, params)}
        ctx = None
        if search_ctx is not None:
            ctx = search_ctx.subcontext(
                task_name="iteration",
                max_subtasks=len(params) * self.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self)
            kwargs["callback_ctx"] = ctx
        with _deferred_non_finite_warning(self):
            results = evaluate_candidates(params, **kwargs)
        if ctx is not None:
            ctx.call_on_fit_task_end(estimator=self)
        return results

    def _state(self, strategy, iteration, n_evaluated, start, results):
        subs = getattr(strategy, "strategies", [strategy])
        result = max(
            (result_from_strategy(s) for s in subs),
            key=lambda r: -np.inf if r.fun is None or np.isnan(r.fun) else -r.fun,
        )
        result.update(
            iteration=iteration,
            n_evaluations=n_evaluated,
            elapsed=time.monotonic() - start,
            best_score=strategy.best_score,
            cv_results=results,
        )
        return result

    def _call(self, callback, state):
        if hasattr(callback, "on_iteration"):
            return bool(callback.on_iteration(self, state))
        return bool(callback(state))
