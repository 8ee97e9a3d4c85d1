"""What ``PBTSearchCV`` does around each training step: the step hooks.

After every step the search reports progress (``verbose``), tells
scikit-learn's callbacks (scikit-learn >= 1.9) that the step's tasks ended,
passes an :class:`~hptune.strategies.OptimizeResult` to the stopping
callbacks, checks ``max_time`` and writes the checkpoint. Before each step it
opens the step's scikit-learn callback context.

The scikit-learn task tree is: the root ``fit`` task, with a ``search`` task
(one ``step`` subtask per step run in this ``fit``, each with one leaf per
(member, fold) pair) and, with ``refit``, a ``refit-with-best-schedule`` task.
"""

import re
import time
import warnings
from contextlib import contextmanager

import numpy as np

from ..strategies import OptimizeResult
from ..utils._sklearn_compat import NON_FINITE_SCORES_WARNING

__all__ = ["StepHooks", "as_list", "callback_task", "root_callback_context"]


def root_callback_context(search, X, y):
    """scikit-learn's root ``fit`` task, begun (None before scikit-learn 1.9)."""
    init = getattr(search, "_init_callback_context", None)
    if init is None:
        return None
    n_tasks = 2 if search.refit is not False else 1  # search, and refit
    return init(max_subtasks=n_tasks).call_on_fit_task_begin(estimator=search, X=X, y=y)


@contextmanager
def callback_task(parent, task_name, search, X, y):
    """Report the body as a subtask of ``parent`` (nothing when ``parent`` is None)."""
    if parent is None:
        yield
        return
    ctx = parent.subcontext(task_name=task_name).call_on_fit_task_begin(estimator=search, X=X, y=y)
    yield
    ctx.call_on_fit_task_end(estimator=search, X=X, y=y)


def as_list(callbacks):
    """``None``, one callable or a list of them, as a list."""
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


class StepHooks:
    """Callbacks, stopping rules and checkpoint of one ``PBTSearchCV.fit``.

    Parameters
    ----------
    search : PBTSearchCV
    scheduler : PBTScheduler
    population : Population
    progress : PBTProgress
        Restored from the checkpoint (or empty); updated after every step.
    callbacks : list
        Stopping callbacks (constructor ones, then ``fit(callback=...)``).
    checkpoint : PBTCheckpoint or None
    n_steps : int
        Steps planned in total.
    """

    def __init__(self, search, scheduler, population, progress, callbacks, checkpoint, n_steps):
        self.search, self.scheduler, self.population = search, scheduler, population
        self.progress, self.callbacks, self.checkpoint = progress, callbacks, checkpoint
        self.n_steps = n_steps
        self.search_ctx = self._step_ctx = None
        self._start = time.monotonic()

    def begin_search(self, root_ctx, n_to_run):
        """Start the callbacks and scikit-learn's ``search`` task (``n_to_run`` steps)."""
        for cb in self.callbacks:
            getattr(cb, "on_search_begin", lambda search: None)(self.search)
        if root_ctx is not None:
            self.search_ctx = root_ctx.subcontext(
                task_name="search", max_subtasks=n_to_run
            ).call_on_fit_task_begin(estimator=self.search)
        self.progress.stopped = None  # a search paused by max_time continues

    def end_search(self):
        if self.search_ctx is not None:
            self.search_ctx.call_on_fit_task_end(estimator=self.search)
        for cb in self.callbacks:
            getattr(cb, "on_search_end", lambda search: None)(self.search)

    def begin_step(self, step):
        if self.search_ctx is None:
            return
        n_pairs = self.population.failed.size
        self._step_ctx = self.search_ctx.subcontext(
            task_name="step", max_subtasks=n_pairs, sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self.search)

    def end_step(self, step, scores, parents):
        """Report, run the callbacks and write the checkpoint; True to stop."""
        self._end_step_context()
        self.search._report(step, scores, parents)
        finite = scores[np.isfinite(scores)]
        self.progress.best_scores.append(float(finite.max()) if finite.size else np.nan)
        self.progress.records = self.population.records
        self.progress.stopped = self._stop_reason(self._state(step))
        if self.checkpoint is not None:
            self.checkpoint.save(self.scheduler, self.progress, self.population.models, self.population.failed)
        return self.progress.stopped is not None

    def _end_step_context(self):
        if self._step_ctx is None:
            return
        # The (member, fold) fits ran in the workers; their leaf tasks are
        # reported here, in the main process, once the step is done.
        for task_id in range(self.population.failed.size):
            leaf = self._step_ctx.subcontext(task_name="member-fold-step", task_id=task_id)
            leaf.call_on_fit_task_begin(estimator=self.search)
            leaf.call_on_fit_task_end(estimator=self.search)
        self._step_ctx.call_on_fit_task_end(estimator=self.search)
        self._step_ctx = None

    def _state(self, step):
        """An OptimizeResult with the keys of the other searches' callback state."""
        history = self.scheduler.history_
        scores = np.array([r["score"] for r in history], dtype=float)
        last = scores[-self.scheduler.population_size :]
        best = None if np.isnan(last).all() else int(np.nanargmax(last))
        best_params = None if best is None else history[len(history) - len(last) + best]["params"]
        best_scores = np.asarray(self.progress.best_scores, dtype=float)
        with warnings.catch_warnings():
            # BaseSearchCV warns about non-finite scores whenever it formats
            # results; fit warns once, with the final cv_results_.
            warnings.filterwarnings(
                "ignore", message=re.escape(NON_FINITE_SCORES_WARNING), category=UserWarning
            )
            cv_results = self.search._cv_results(self.population.records, self.scheduler)
        return OptimizeResult(
            x=None if best_params is None else list(best_params.values()),
            fun=np.nan if best is None else -float(last[best]),
            x_iters=[list(r["params"].values()) for r in history],
            func_vals=-scores,
            params=[r["params"] for r in history],
            scores=scores,
            best_params=best_params,
            iteration=step + 1,
            n_evaluations=len(history),
            elapsed=time.monotonic() - self._start,
            best_score=best_scores[-1],
            best_scores=best_scores,
            cv_results=cv_results,
        )

    def _stop_reason(self, state):
        # Every callback sees every step, even when an earlier one asks to stop.
        by_callback = [self._call(cb, state) for cb in self.callbacks]
        if state.iteration >= self.n_steps:
            return "budget"
        if any(by_callback):
            return "callback"
        max_time = self.search.max_time
        if max_time is not None and state.elapsed >= max_time:
            return "max_time"
        return None

    def _call(self, callback, state):
        if hasattr(callback, "on_iteration"):
            return bool(callback.on_iteration(self.search, state))
        return bool(callback(state))
