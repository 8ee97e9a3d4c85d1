"""What a PBTSearchCV fit reports: progress lines, callback tasks, results, the refit check.

``refit`` replays the best member's hyperparameter schedule on the whole data
(:func:`hptune.training.replay`). A replay can train differently from the
folds (a diverging learning rate, too noisy a schedule), and nothing else
would notice: :func:`check_replay` compares the replayed model with the scores
the search measured and warns.
"""

import warnings
from contextlib import contextmanager

import numpy as np

from ..exceptions import RefitWarning
from ..strategies import OptimizeResult
from ..utils._sklearn_compat import _check_method_params, _MultimetricScorer, _safe_indexing

__all__ = [
    "announce",
    "best_schedule",
    "callback_task",
    "check_replay",
    "optimize_result",
    "report_leaves",
    "root_callback_context",
    "step_detail",
]


def announce(search, n_folds):
    """The first progress line of a fit (printed at ``verbose > 0``)."""
    if search.verbose > 0:
        print(
            f"[PBTSearchCV] Training {search.population_size} members on {n_folds} folds "
            f"for {search.n_steps_} steps of {search.step_size} {search.resource_} "
            f"({search.population_size * n_folds} fits per step)"
        )


def step_detail(search, step, scores, parents):
    """PBT's part of the progress line: resource, median, replacements (and who, at 2)."""
    moved = [(int(i), int(j)) for i, j in enumerate(parents) if i != j]
    median = np.nanmedian(scores) if np.isfinite(scores).any() else np.nan
    resource = (step + 1) * search.step_size
    detail = f"{search.resource_}={resource}, median {median:.4f}, {len(moved)} replaced"
    if search.verbose > 1 and moved:
        detail += "\n    " + ", ".join(f"member {i} <- member {j}" for i, j in moved)
    return detail


def optimize_result(scheduler, cv_results):
    """skopt's result keys over the scheduler's (step, member) history.

    The best point is the best member after the last told step.
    """
    history = scheduler.history_
    scores = np.array([r["score"] for r in history], dtype=float)
    last = scores[-scheduler.population_size :]
    best = None if np.isnan(last).all() else int(np.nanargmax(last))
    best_params = None if best is None else history[len(history) - len(last) + best]["params"]
    spaces = scheduler.spaces
    space = spaces[0] if best is None else next(s for s in spaces if s.contains(best_params))
    return OptimizeResult(
        space=space,
        x=None if best_params is None else list(best_params.values()),
        fun=np.nan if best is None else -float(last[best]),
        x_iters=[list(r["params"].values()) for r in history],
        func_vals=-scores,
        params=[r["params"] for r in history],
        scores=scores,
        best_params=best_params,
        cv_results=cv_results,
    )


def best_schedule(scheduler, member, step_size):
    """``best_schedule_``: ``member``'s lineage, with the resource after each step."""
    return [
        {**entry, "budget": (entry["step"] + 1) * step_size}
        for entry in scheduler.schedule(member)
    ]


def check_replay(search, scorers, metric, results, data, splits, score_params):
    """Warn when the replayed ``best_estimator_`` fails on the folds it was trained on.

    The refitted model is scored on each fold's test part, which it was
    trained on, and compared with two held-out scores: the winner's (minus
    one fold standard deviation) and the median member's after the first
    step. A model that is worse on samples it was trained on than both of
    these has not been trained the way the winner was (usually the replay
    diverged), and ``best_estimator_`` should not be trusted silently. Small
    shortfalls, which small folds produce by chance, stay above the second
    bound. Scoring subsets of the folds' size keeps scores that grow with the
    number of samples (such as k-means' inertia) comparable.

    Parameters
    ----------
    search : PBTSearchCV
        The search, after ``best_index_``, ``pbt_history_`` and
        ``best_estimator_`` are set.
    scorers : callable or _MultimetricScorer
        The search's scorers.
    metric : str
        The refit metric.
    results : dict
        The ``cv_results_`` being built.
    data : tuple of (X, y)
    splits : list of (train, test)
    score_params : dict
        Parameters routed to the scorer.
    """
    X, y = data
    scorer = scorers._scorers[metric] if isinstance(scorers, _MultimetricScorer) else scorers
    held_out = np.array(
        [results[f"split{k}_test_{metric}"][search.best_index_] for k in range(len(splits))],
        dtype=float,
    )
    history = search.pbt_history_
    first = history[f"mean_test_{metric}"][history["step"] == 0]
    tested = np.isfinite(held_out)
    first = first[np.isfinite(first)]
    if not tested.any() or not first.size:
        return
    refit_scores = [
        scorer(
            search.best_estimator_,
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


def report_leaves(ctx, n_pairs, search, task_name="member-fold-step"):
    """Report the (model, fold) fits of an iteration, which ran in the workers, as leaf tasks."""
    if ctx is None:
        return
    for task_id in range(n_pairs):
        leaf = ctx.subcontext(task_name=task_name, task_id=task_id)
        leaf.call_on_fit_task_begin(estimator=search)
        leaf.call_on_fit_task_end(estimator=search)
