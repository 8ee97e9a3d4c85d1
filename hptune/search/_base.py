"""Shared scikit-learn adapter for ask/tell strategies.

``BaseHptuneSearchCV`` plugs a strategy into ``BaseSearchCV._run_search``: it
asks a batch, evaluates it with scikit-learn's own ``evaluate_candidates`` on
splits fixed once per fit, tells the batch's mean test scores back, runs the
callbacks, writes the checkpoint and stops when the budget, the time limit or
a callback says so. Everything else (scoring, ``cv_results_``, refit,
parallelism, metadata routing) is scikit-learn's.

Resuming from a checkpoint (:mod:`._checkpoint`) loads the strategy's state
and replays the saved candidates and raw per-fit results in front of the new
ones (``_format_results``), so a resumed search ends with the ``cv_results_``
and the fit-failure report of an uninterrupted one.
"""

import difflib
import math
import os
import time
import warnings
from abc import abstractmethod
from contextlib import contextmanager, nullcontext
from numbers import Real

import numpy as np
from joblib import parallel_config
from joblib.parallel import get_active_backend
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import get_tags
from sklearn.utils.validation import indexable
from sklearn.utils.multiclass import type_of_target

from ..space import to_subspaces
from ..strategies._result import result_from_strategy
from ..strategies._subspaces import SubspaceStrategy, split_budget
from ..utils._random import check_random_state, child_seed
from ..utils._sklearn_compat import (
    SEARCH_CHECKS_INPUTS,
    _check_method_params,
    NON_FINITE_SCORES_WARNING,
    BaseSearchCV,
    Interval,
    deferred_fit_failures,
    report_fit_failures,
)
from ._checkpoint import Progress, SearchCheckpoint
from ._fingerprint import search_fingerprint

__all__ = ["BaseHptuneSearchCV", "check_space_names"]


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


def scatter_once(*objects):
    """On joblib's dask backend, send ``objects`` to the workers once.

    joblib's dask backend scatters large arguments automatically, but only
    within one ``Parallel.__call__``: ``BaseSearchCV`` calls it once per batch
    (and PBT once per step), so X would travel to the cluster again every
    time. Scattering up front (joblib's own ``scatter=``, which broadcasts to
    every worker and is looked up by object identity) makes every later call
    reuse the same copies. Any other backend is left untouched.
    """
    backend, _ = get_active_backend()
    futures = getattr(backend, "data_futures", None)
    if type(backend).__name__ != "DaskDistributedBackend" or futures is None:
        return nullcontext()
    data = [a for a in objects if a is not None and id(a) not in futures]
    if not data:  # already scattered, by the user or an enclosing search
        return nullcontext()
    config = parallel_config(backend="dask", client=backend.client, scatter=data)
    # Keep what was scattered in an enclosing parallel_config.
    get_active_backend()[0].data_futures.update(futures)
    return config


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
        "checkpoint": [str, os.PathLike, None],
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
        # The strategies work on numpy; array API inputs are not tested.
        tags.array_api_support = False
        return tags

    def _before_search(self):
        """Resolve fit-time settings once ``n_splits_`` is known (a hook)."""

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
            the search. They run after those given in ``callbacks``. Besides
            skopt's keys, the result holds ``iteration`` and
            ``n_evaluations`` (so far, including those restored from a
            checkpoint), ``elapsed`` (seconds since this ``fit`` started),
            ``best_score``, ``best_scores`` (the best score after each
            batch) and ``cv_results``. See :mod:`hptune.callbacks`.
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
        # BaseSearchCV.fit's own indexable() then returns these very objects,
        # which the scattered copies are keyed by.
        X, y = indexable(X, y)
        if not SEARCH_CHECKS_INPUTS:
            self._legacy_inputs = (X, y, params)
        try:
            with scatter_once(X, y):
                return super().fit(X, y, **params)
        finally:
            del self._fit_callbacks
            self.__dict__.pop("_legacy_inputs", None)

    def _legacy_check_inputs(self):
        """What newer scikit-learn's ``fit`` does before ``_run_search``.

        Older releases neither fix ``n_splits_`` early nor call
        ``_check_input_parameters``; the same routing, splitter and checks are
        run here, once per fit, so every release gets the same searches.
        """
        X, y, params = self._legacy_inputs
        routed = self._get_routed_params_for_fit(_check_method_params(X, params=params))
        self._checked_cv_orig = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = self._checked_cv_orig.get_n_splits(X, y, **routed.splitter.split)
        self._check_input_parameters(X, y, routed.splitter.split)

    def _check_input_parameters(self, X, y, split_params):
        # Called by BaseSearchCV.fit once per fit, before any candidate is
        # evaluated and with the routed split params: the place for the checks
        # of the space against the estimator and data, for fixing the splits
        # for the whole search and for opening the checkpoint.
        subspaces = to_subspaces(self._search_space())
        check_space_names(self.estimator, subspaces)
        self._check_cv_classes(y)
        splits = list(self._checked_cv_orig.split(X, y, **split_params))
        self._fixed_cv = _FixedSplits(splits)
        self._checkpoint = None
        if self.checkpoint is not None:
            fingerprint = search_fingerprint(self, subspaces, X, y, splits)
            self._checkpoint = SearchCheckpoint(self.checkpoint, fingerprint, [s for s, _ in subspaces])

    def _check_cv_classes(self, y):
        """Refuse stratified folds that the smallest class cannot fill.

        ``StratifiedKFold`` only warns and then trains some folds without that
        class, so that candidates fail or are scored on a skewed split.
        """
        cv = self._checked_cv_orig
        if not isinstance(cv, (StratifiedKFold, RepeatedStratifiedKFold)) or y is None:
            return
        if type_of_target(y) not in ("binary", "multiclass"):
            return
        n_splits = cv.n_splits if isinstance(cv, StratifiedKFold) else cv.cvargs["n_splits"]
        labels, counts = np.unique(np.asarray(y), return_counts=True)
        smallest = int(np.argmin(counts))
        if counts[smallest] < n_splits:
            count = int(counts[smallest])
            fix = (
                f"lower cv to at most {count}" if count >= 2
                else "use a splitter that does not stratify, such as KFold"
            )
            raise ValueError(
                f"cv={self.cv!r} asks for {n_splits} stratified folds, but the smallest class "
                f"in y ({labels.tolist()[smallest]!r}) has {count} sample{'s' if count != 1 else ''}, "
                f"fewer than one per fold; {fix}, or collect more samples of that class."
            )

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

    def _search_state(self):
        """Search-level state (beyond the strategy's) that a checkpoint keeps."""
        return {}

    def _load_search_state(self, state):
        """Restore :meth:`_search_state` output when resuming."""

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
        if not SEARCH_CHECKS_INPUTS:
            self._legacy_check_inputs()
        self._before_search()
        rng = check_random_state(self.random_state)
        strategy, budgets = self._build_strategy(rng)
        self.strategy_ = strategy
        self._non_finite_warning = None
        self._current, self._progress = ([], [], {}), Progress()
        try:
            progress = self._progress = self._restore(strategy, sum(budgets))
            with deferred_fit_failures() as fit_results:
                if progress.finished:
                    self._reevaluate_last(evaluate_candidates, progress, fit_results)
                else:
                    fit_results.extend(progress.outs)
                    self._loop(strategy, sum(budgets), evaluate_candidates, callback_ctx, progress)
            self._report_fit_failures(fit_results)
            w = self._non_finite_warning
            if w is not None:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
        finally:
            del self._fixed_cv, self._non_finite_warning, self._checkpoint, self._current, self._progress

    def _restore(self, strategy, n_total):
        """The progress saved in the checkpoint (loaded into ``strategy``), if any."""
        if self._checkpoint is None:
            return Progress()
        progress, search_state = self._checkpoint.restore(strategy)
        if search_state is not None:
            self._load_search_state(search_state)
        if progress.n_evaluated >= n_total:
            progress.stopped = "budget"
        if self.verbose > 0 and progress.n_evaluated:
            status = "finished" if progress.finished else "resuming"
            print(
                f"Checkpoint {self._checkpoint.path!r}: {progress.n_evaluated} candidates in "
                f"{progress.iteration} batches; {status}."
            )
        return progress

    def _reevaluate_last(self, evaluate_candidates, progress, fit_results):
        """Rebuild the results of a finished search from its checkpoint.

        ``BaseSearchCV.fit`` needs at least one evaluation per call, so the
        last candidate is evaluated again (the strategy is not told again).
        """
        params = progress.params.pop()
        del progress.outs[-self.n_splits_ :]
        more = {k: [v.pop()] for k, v in progress.more_results.items()}
        fit_results.extend(progress.outs)
        self._evaluate(evaluate_candidates, [params], more, None)
        self.n_iter_ = progress.iteration

    def _loop(self, strategy, n_total, evaluate_candidates, callback_ctx, progress):
        callbacks = _as_list(self.callbacks) + self._fit_callbacks
        for cb in callbacks:
            getattr(cb, "on_search_begin", lambda search: None)(self)
        n_batches = math.ceil((n_total - progress.n_evaluated) / self._batch_size())
        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=n_batches
            ).call_on_fit_task_begin(estimator=self)
        start = time.monotonic()
        progress.stopped = None  # a search paused by max_time continues
        while progress.stopped is None:
            params = strategy.ask(min(self._batch_size(), n_total - progress.n_evaluated))
            if not params:
                progress.stopped = "exhausted"
            else:
                more = self._more_results(progress.iteration, params)
                results = self._evaluate(evaluate_candidates, params, more, search_ctx)
                key = _objective_key(self, results)
                strategy.tell(params, np.asarray(results[key][-len(params) :], dtype=float))
                progress.iteration += 1
                progress.n_evaluated += len(params)
                progress.best_scores.append(strategy.best_score)
                state = self._state(strategy, progress, start, results)
                progress.stopped = self._stop_reason(callbacks, state, n_total)
            self._save_checkpoint(strategy, progress)
        self.n_iter_ = progress.iteration
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        for cb in callbacks:
            getattr(cb, "on_search_end", lambda search: None)(self)

    def _stop_reason(self, callbacks, state, n_total):
        """Why the search stops after this batch (None to go on)."""
        # Every callback and the strategy rule see every batch, even when an
        # earlier one already asks to stop (they may keep a history).
        by_callback = [self._call(cb, state) for cb in callbacks]
        by_rule = self._should_stop(state)
        if state.n_evaluations >= n_total:
            return "budget"
        if any(by_callback):
            return "callback"
        if by_rule:
            return "rule"
        if self.max_time is not None and state.elapsed >= self.max_time:
            return "max_time"
        return None

    def _save_checkpoint(self, strategy, progress):
        if self._checkpoint is None or progress.n_evaluated == 0:
            return
        params, outs, more = self._current
        self._checkpoint.save(
            strategy,
            progress,
            progress.params + list(params),
            progress.outs + list(outs),
            {k: progress.more_results.get(k, []) + list(v) for k, v in more.items()},
            self._search_state(),
        )

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # BaseSearchCV.fit formats all results of the current fit after every
        # evaluate_candidates call. The raw results are kept for the
        # checkpoint, and those replayed from a checkpoint come first, so a
        # resumed search ends with the cv_results_ of an uninterrupted one.
        # (Outside _run_search, e.g. in a subclass's own loop, nothing changes.)
        progress = getattr(self, "_progress", None)
        if progress is not None:
            self._current = (candidate_params, out, more_results or {})
            if progress.params:
                candidate_params = progress.params + list(candidate_params)
                out = progress.outs + list(out)
                more_results = {
                    k: progress.more_results.get(k, []) + list(v)
                    for k, v in (more_results or {}).items()
                }
        return super()._format_results(candidate_params, n_splits, out, more_results)

    def _report_fit_failures(self, fit_results):
        """scikit-learn's report over the whole search, naming the first failure."""
        try:
            report_fit_failures(fit_results, self.error_score)
        except ValueError as err:
            message = str(err)
            head = f"All the {len(fit_results)} fits failed.\n"
            if head not in message:
                raise
            i = next(i for i, r in enumerate(fit_results) if r["fit_error"] is not None)
            candidates = self._progress.params + list(self._current[0])
            lines = [line for line in fit_results[i]["fit_error"].splitlines() if line.strip()]
            first = (
                f"The first failure (candidate {candidates[i // self.n_splits_]!r}, "
                f"split {i % self.n_splits_}) raised {lines[-1].strip()}\n"
            )
            raise ValueError(message.replace(head, head + first, 1)) from err

    def _evaluate(self, evaluate_candidates, params, more_results, search_ctx):
        kwargs = {"cv": self._fixed_cv, "more_results": more_results}
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

    def _state(self, strategy, progress, start, results):
        subs = getattr(strategy, "strategies", [strategy])
        result = max(
            (result_from_strategy(s) for s in subs),
            key=lambda r: -np.inf if r.fun is None or np.isnan(r.fun) else -r.fun,
        )
        result.update(
            iteration=progress.iteration,
            n_evaluations=progress.n_evaluated,
            elapsed=time.monotonic() - start,
            best_score=strategy.best_score,
            best_scores=np.asarray(progress.best_scores, dtype=float),
            cv_results=results,
        )
        return result

    def _call(self, callback, state):
        if hasattr(callback, "on_iteration"):
            return bool(callback.on_iteration(self, state))
        return bool(callback(state))



def _params_of(value):
    """Deep parameter names of an estimator instance (none for anything else)."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        return set(value.get_params(deep=True))
    return set()


def _searched_prefix(name, space):
    """The longest searched name ``p`` such that ``name`` is ``p__rest``."""
    parts = name.split("__")
    for k in range(len(parts) - 1, 0, -1):
        prefix = "__".join(parts[:k])
        if prefix in space.names:
            return prefix
    return None


def check_space_names(estimator, subspaces):
    """Raise a ValueError for a searched name that the estimator does not have.

    A name ``step__param`` whose ``step`` is itself searched (a categorical
    choice of estimators) must be a parameter of every value listed for
    ``step``, since scikit-learn sets both together; it need not exist on
    the base estimator. Any other name must be a key of
    ``estimator.get_params(deep=True)``. The error suggests the closest valid
    name, or separate sub-spaces when only some values have the parameter.

    Parameters
    ----------
    estimator : estimator object
    subspaces : list of (Space, int or None)
        Output of :func:`hptune.space.to_subspaces`.
    """
    base = _params_of(estimator)
    for i, (space, _) in enumerate(subspaces):
        where = f"sub-space {i} of search_spaces" if len(subspaces) > 1 else "search_spaces"
        for name in space.names:
            prefix = _searched_prefix(name, space)
            if prefix is None and name in base:
                continue
            if prefix is None:
                raise _unknown_name(name, base, estimator, where)
            rest, values = name[len(prefix) + 2 :], getattr(space[prefix], "categories", [])
            lacking = [v for v in values if rest not in _params_of(v)]
            if len(lacking) == len(values):
                choices = {f"{prefix}__{key}" for v in values for key in _params_of(v)}
                raise _unknown_name(name, base | choices, estimator, where)
            if lacking:
                raise ValueError(
                    f"Invalid parameter {name!r} in {where}: {lacking[0]!r}, one of the values "
                    f"searched for {prefix!r}, has no parameter {rest!r}. Put estimators with "
                    "different parameters in separate sub-spaces (a list of dicts, one per "
                    "estimator)."
                )


def _unknown_name(name, valid, estimator, where):
    close = difflib.get_close_matches(name, sorted(valid), n=1)
    hint = f"Did you mean {close[0]!r}?" if close else f"Valid names include {sorted(valid)[:10]!r}."
    return ValueError(
        f"Invalid parameter {name!r} in {where}: {type(estimator).__name__} has no parameter "
        f"of that name. {hint} Valid names are the keys of estimator.get_params(deep=True)."
    )
