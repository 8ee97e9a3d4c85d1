"""One search run: the services of a ``fit`` that every hptune search shares.

A search supplies only what is its own: how to propose candidates and how to
evaluate one iteration (a batch of candidates through scikit-learn's
``evaluate_candidates``, or a PBT training step). Everything around it is
one :class:`SearchRun` per fit, used by composition:

* the checks before the first fit (parameter names, callbacks, stratified
  folds) and the CV splits, computed once so that every candidate is scored
  on the same data even with a randomised splitter;
* the callbacks (``callbacks`` and ``fit(callback=...)``), scikit-learn's
  callback contexts (scikit-learn >= 1.9), ``max_time`` and the reason the
  search stopped;
* the progress (iterations, evaluations, best score after each iteration)
  and the checkpoint: opened and fingerprinted before the first fit,
  restored, written after every iteration;
* fit failures and non-finite scores, reported once over the whole search.

An *iteration* is a batch (BayesSearchCV), a generation (EvolutionSearchCV)
or a training step (PBTSearchCV); an *evaluation* is one candidate (one
member-step for PBT) scored on every split.
"""

import time
from contextlib import contextmanager, nullcontext

import numpy as np
from joblib import parallel_config
from joblib.parallel import get_active_backend

from ..strategies import OptimizeResult
from ..utils._sklearn_compat import _num_samples
from ._checkpoint import Checkpoint, PreviousFit, Progress
from ._checks import (
    as_list,
    check_callbacks,
    check_cv_classes,
    check_initial_points,
    check_space_names,
)
from ._failures import defer_non_finite_warning, emit_held, report_fit_failures
from ._fingerprint import search_fingerprint

__all__ = ["FixedSplits", "SearchRun", "scatter_once"]


class FixedSplits:
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


def scatter_once(*objects):
    """On joblib's dask backend, send ``objects`` to the workers once.

    joblib's dask backend scatters large arguments automatically, but only
    within one ``Parallel.__call__``: a search calls it once per iteration,
    so X would travel to the cluster again every time. Scattering up front
    (joblib's own ``scatter=``, which broadcasts to every worker and is
    looked up by object identity) makes every later call reuse the same
    copies. Any other backend is left untouched.
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


class SearchRun:
    """The shared services of one ``fit`` of a search (see the module docstring).

    Parameters
    ----------
    search : estimator
        The search being fitted; read for ``estimator``, ``callbacks``,
        ``max_time``, ``checkpoint``, ``warm_start``, ``initial_points``,
        ``error_score`` and ``verbose``, and asked for ``_search_state()`` /
        ``_load_search_state(state)``. Its private ``_previous_fit`` holds
        the state of its last fit, for ``warm_start``.
    fit_callbacks : callable, list of callables or None
        The ``callback`` argument of ``fit``; they run after ``callbacks``.
    fit_inputs : tuple, default=None
        ``(X, y, fit_params)`` as given to ``fit``, for the checks that old
        scikit-learn releases do not run before the search.

    Attributes
    ----------
    cv : FixedSplits
        The splits of this fit (after :meth:`check_inputs`).
    n_splits : int
    checkpoint : Checkpoint or None
    initial_points : list of dict
        The checked ``initial_points`` (after :meth:`check_inputs`).
    progress : Progress
        Where the search stands, restored from the checkpoint by :meth:`restore`.
    stopped : str or None
        Why the search stopped: "budget", "exhausted", "callback", "rule" or
        "max_time" (None while it goes on).
    """

    def __init__(self, search, fit_callbacks=None, fit_inputs=None):
        self.search, self.fit_inputs = search, fit_inputs
        self._fit_callbacks = as_list(fit_callbacks)
        self.callbacks = as_list(search.callbacks) + self._fit_callbacks
        self.cv, self.n_splits, self.checkpoint = None, None, None
        self.initial_points, self._previous = [], None
        self.progress = Progress()
        self._replayed = Progress()
        self._held_warning = []
        self._start = None
        self._search_ctx = None
        self._n_total = self._n_iterations = None

    @property
    def stopped(self):
        return self.progress.stopped

    # -- before the first fit -------------------------------------------------------
    def check_data(self, X, y):
        """Refuse empty data, then run the search's own checks (``_check_params``).

        First of all the checks, since a search's checks may depend on the
        data (HyperbandSearchCV's resources) and the others on the search's.
        """
        if _num_samples(X) == 0:
            raise ValueError(
                f"X has 0 samples (shape {getattr(X, 'shape', (0,))}); a search needs data to "
                "split into CV folds."
            )
        self.search._check_params(X, y)

    def check_inputs(self, X, y, cv, split_params, subspaces, *, candidates=True):
        """Check the inputs, fix the splits and open the checkpoint.

        After :meth:`check_data`: callbacks, parameter names, stratified folds.

        Parameters
        ----------
        X, y : array-like
            The data given to ``fit``.
        cv : cross-validation generator
            The checked splitter.
        split_params : dict
            Routed parameters of ``cv.split``.
        subspaces : list of (Space, int or None)
        candidates : bool, default=True
            Whether the checkpoint stores the candidates (see :class:`Checkpoint`).
        """
        search = self.search
        check_callbacks(as_list(search.callbacks), "callbacks")
        check_callbacks(self._fit_callbacks, "callback")
        check_space_names(search.estimator, subspaces)
        check_cv_classes(cv, search.cv, y)
        spaces = [space for space, _ in subspaces]
        self._check_warm_start()
        self.initial_points = check_initial_points(search.initial_points, spaces)
        splits = list(cv.split(X, y, **split_params))
        self.cv, self.n_splits = FixedSplits(splits), len(splits)
        fit_params = self.fit_inputs[2] if self.fit_inputs is not None else None
        # Computed on every fit: the next fit may be a warm start.
        fingerprint = search_fingerprint(search, subspaces, X, y, splits, fit_params)
        if search.checkpoint is not None:
            self.checkpoint = Checkpoint(
                search.checkpoint, fingerprint, spaces, candidates=candidates,
                free=search._budget_params if search.warm_start else (),
                budget=search._budget_params,
            )
            self.checkpoint.claim()
        previous = getattr(search, "_previous_fit", None) if search.warm_start else None
        self._previous = PreviousFit(
            previous, fingerprint, spaces, candidates=candidates, free=search._budget_params
        )

    def _check_warm_start(self):
        """Refuse ``warm_start`` / ``initial_points`` where a search cannot honour them."""
        search = self.search
        for param, value in (("warm_start", search.warm_start), ("initial_points", search.initial_points)):
            reason = search._unsupported.get(param)
            if value not in (False, None) and reason:
                raise ValueError(
                    f"{type(search).__name__} does not support {param}={value!r}: {reason}. "
                    f"Set {param}={False if param == 'warm_start' else None}."
                )

    def restore(self, strategy, *, n_total, load_models=False):
        """Load the checkpoint, if any, into ``strategy``; returns the :class:`Progress`.

        ``n_total`` is the number of evaluations the search plans: a search
        that has done them all is finished, whatever stopped it last time.
        """
        self._n_total = n_total
        # A checkpoint is kept up to date by every fit; without one, a warm
        # start continues the last fit of this search object.
        source = self.checkpoint if self.checkpoint is not None else self._previous
        if source is not None:
            progress, state = source.restore(strategy, load_models=load_models)
            if state:
                self.search._load_search_state(state)
            if progress.n_evaluated >= n_total:
                progress.stopped = "budget"
            elif self.search.warm_start:
                progress.stopped = None  # a warm start goes on whatever stopped it
            self.progress = progress
            self._replayed = Progress(
                params=list(progress.params), outs=list(progress.outs),
                more_results={k: list(v) for k, v in progress.more_results.items()},
            )
            self._announce_restored()
        return self.progress

    def _announce_restored(self):
        progress = self.progress
        if self.search.verbose > 0 and progress.n_evaluated:
            status = "finished" if progress.finished else "resuming"
            source = self.checkpoint or self._previous
            what = "Warm start" if source is self._previous else f"Checkpoint {source.path!r}"
            print(
                f"[{type(self.search).__name__}] {what}: "
                f"{progress.n_evaluated} evaluations in {progress.iteration} iterations; {status}."
            )

    # -- the iterations ---------------------------------------------------------------
    def begin(self, callback_ctx, n_iterations):
        """Start the clock, the callbacks and scikit-learn's ``search`` task.

        ``n_iterations`` is the number of iterations this ``fit`` plans to run.
        """
        self._n_iterations = self.progress.iteration + n_iterations
        for cb in self.callbacks:
            getattr(cb, "on_search_begin", lambda search: None)(self.search)
        if callback_ctx is not None:
            self._search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=n_iterations
            ).call_on_fit_task_begin(estimator=self.search)
        self._start = time.monotonic()
        self.progress.stopped = None  # a search paused by max_time continues

    @contextmanager
    def iteration(self, n_tasks):
        """scikit-learn's context of one iteration of ``n_tasks`` fits (or None)."""
        if self._search_ctx is None:
            yield None
            return
        ctx = self._search_ctx.subcontext(
            task_name="iteration", max_subtasks=n_tasks, sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self.search)
        yield ctx
        ctx.call_on_fit_task_end(estimator=self.search)

    def end_iteration(
        self, result, *, n_evaluated, best_score, iteration_best, rule=None, detail="", done=False
    ):
        """Record one iteration, run the callbacks and decide whether to stop.

        Parameters
        ----------
        result : dict
            The search's summary so far (skopt's keys, ``cv_results``...).
        n_evaluated : int
            Evaluations in this iteration.
        best_score : float
            The search's best score after it.
        iteration_best : float
            The best score of this iteration's evaluations (NaN if all failed).
        rule : callable, default=None
            The search's own stopping rule, ``rule(state) -> bool``.
        detail : str, default=""
            What the search adds to the progress line printed with ``verbose``.
        done : bool, default=False
            Whether the search's plan has run out although fewer evaluations
            than planned were made (Hyperband's promotions that fell short).

        Returns
        -------
        state : OptimizeResult
            What the callbacks received.
        """
        progress = self.progress
        progress.iteration += 1
        progress.n_evaluated += n_evaluated
        progress.best_scores.append(best_score)
        state = OptimizeResult(result)
        state.update(
            iteration=progress.iteration,
            n_evaluations=progress.n_evaluated,
            elapsed=time.monotonic() - self._start,
            best_score=best_score,
            best_scores=np.asarray(progress.best_scores, dtype=float),
        )
        self._print_progress(state, iteration_best, detail)
        spent = done or progress.n_evaluated >= self._n_total
        progress.stopped = self._stop_reason(state, spent, rule)
        return state

    def _print_progress(self, state, iteration_best, detail):
        """One line per iteration with ``verbose`` > 0 (scikit-learn's per-fit lines from 2)."""
        search = self.search
        if search.verbose <= 0:
            return
        word = search._iteration_name
        line = (
            f"[{type(search).__name__}] {word} {state.iteration}/{self._n_iterations}: "
            f"{state.n_evaluations}/{self._n_total} evaluated; best of this {word} "
            f"{iteration_best:.4f}, best so far {state.best_score:.4f}; {state.elapsed:.1f} s"
        )
        print(line + (f"; {detail}" if detail else ""))

    def exhausted(self):
        """The strategy has no new candidate: stop."""
        self.progress.stopped = "exhausted"

    def _stop_reason(self, state, budget_spent, rule):
        # Every callback and the search's rule see every iteration, even when an
        # earlier one already asks to stop (they may keep a history).
        by_callback = [self._call(cb, state) for cb in self.callbacks]
        by_rule = rule is not None and rule(state)
        if budget_spent:
            return "budget"
        if any(by_callback):
            return "callback"
        if by_rule:
            return "rule"
        max_time = self.search.max_time
        if max_time is not None and state.elapsed >= max_time:
            return "max_time"
        return None

    def _call(self, callback, state):
        if hasattr(callback, "on_iteration"):
            return bool(callback.on_iteration(self.search, state))
        return bool(callback(state))

    def save(self, strategy, models=None):
        """Write the checkpoint (if any) after an iteration."""
        if self.checkpoint is not None and self.progress.n_evaluated:
            self.checkpoint.save(strategy, self.progress, self.search._search_state(), models)

    def keep_for_warm_start(self, strategy):
        """Keep this fit's state in the search, for a later ``warm_start`` fit.

        The same tree as a checkpoint, in memory (see :class:`PreviousFit`).
        """
        if self.progress.n_evaluated:
            self._previous.save(strategy, self.progress, self.search._search_state())
            self.search._previous_fit = self._previous.data

    def end(self):
        """End scikit-learn's ``search`` task and tell the callbacks."""
        if self._search_ctx is not None:
            self._search_ctx.call_on_fit_task_end(estimator=self.search)
        for cb in self.callbacks:
            getattr(cb, "on_search_end", lambda search: None)(self.search)

    # -- results ------------------------------------------------------------------------
    def with_replayed(self, params, outs, more_results):
        """Results of this fit behind those replayed from the checkpoint.

        Also records them as the search's progress, for the next checkpoint.
        """
        replayed = self._replayed
        progress = self.progress
        progress.params = replayed.params + list(params)
        progress.outs = replayed.outs + list(outs)
        progress.more_results = {
            k: replayed.more_results.get(k, []) + list(v) for k, v in (more_results or {}).items()
        }
        return progress.params, progress.outs, progress.more_results

    @property
    def replayed_outs(self):
        """The raw per-fit results restored from the checkpoint (a copy)."""
        return list(self._replayed.outs)

    def pop_last(self):
        """Take the last restored candidate out of the replay, to evaluate it again.

        Returns
        -------
        params : dict
        more_results : dict of str to list
            Its extra ``cv_results_`` columns.
        """
        replayed = self._replayed
        del replayed.outs[-self.n_splits :]
        more = {k: [v.pop()] for k, v in replayed.more_results.items()}
        return replayed.params.pop(), more

    def defer_non_finite_warning(self):
        """Hold scikit-learn's non-finite score warning until :meth:`finish`."""
        return defer_non_finite_warning(self._held_warning)

    def report_fit_failures(self, results, describe):
        """scikit-learn's failure report over the whole search (see ``_failures``)."""
        report_fit_failures(results, self.search.error_score, describe)

    def finish(self):
        """Emit what was held back until the end of the search."""
        emit_held(self._held_warning)
