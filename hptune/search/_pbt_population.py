"""PBT's population: the models of every (member, fold) pair, trained one step at a time.

A step trains every (member, fold) pair in parallel with joblib
(:func:`train_step`) and scores it on the fold's held-out part; between
steps the main process copies the models of members that exploit others
(:meth:`Population.copy_models`). A pair whose fit failed is not trained
again until its member copies a stronger one.
"""

import copy
import warnings
from itertools import product

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.parallel import Parallel, delayed

from ..training import prepare_fold, run_step
from ..utils._sklearn_compat import _insert_error_scores
from ._checkpoint import CheckpointError
from ._run import scatter_once

__all__ = [
    "SKIPPED",
    "Population",
    "cv_results",
    "describe_pairs",
    "history_table",
    "member_scores",
    "prepare_folds",
    "restored_population",
    "train_step",
]

SKIPPED = (
    "Not trained: an earlier step of this member failed on this fold, and the member "
    "has not been replaced by a copy of a stronger one since."
)


class Population:
    """The models of every (member, fold) pair and the results of the steps done.

    Parameters
    ----------
    n_members, n_folds : int
    records : list of list of dict, default=()
        Results of the steps already done (restored from a checkpoint), each
        the results of every (member, fold) pair, member-major.
    models : list of list or None, default=None
        Their models (None before step 0).
    failed : ndarray of shape (n_members, n_folds) or None, default=None
        Whether the pair's model failed (and is not trained any more).
    """

    def __init__(self, n_members, n_folds, records=(), models=None, failed=None):
        self.records = list(records)
        self.models = models if models is not None else [[None] * n_folds for _ in range(n_members)]
        self.failed = failed if failed is not None else np.zeros((n_members, n_folds), dtype=bool)

    def copy_models(self, parents):
        """Give each member its parent's models (deep copies: members never share one)."""
        previous, previous_failed = [list(row) for row in self.models], self.failed.copy()
        for member, parent in enumerate(parents):
            if parent != member:
                self.models[member] = [copy.deepcopy(m) for m in previous[parent]]
                self.failed[member] = previous_failed[parent]


def restored_population(progress, n_members, n_folds, checkpoint):
    """The population of a restored ``progress`` (models included while training goes on)."""
    n_pairs = n_members * n_folds
    outs = progress.outs
    records = [outs[i : i + n_pairs] for i in range(0, len(outs), n_pairs)]
    if progress.models is None:
        return Population(n_members, n_folds, records)
    models, failed = progress.models["models"], np.asarray(progress.models["failed"], dtype=bool)
    if failed.shape != (n_members, n_folds) or len(models) != n_members:
        raise CheckpointError(
            f"The model file of the checkpoint {checkpoint.path!r} holds another "
            "population than the checkpoint; delete both files to start a new search."
        )
    return Population(n_members, n_folds, records, [list(row) for row in models], failed)


def prepare_folds(plan, data, splits, routed_params, search):
    """The :class:`~hptune.training.Fold` of every split, for the training steps.

    Without leading Pipeline steps, preparing a fold is only indexing: it is
    done here, so the data travels once, inside the folds. Fitting leading
    steps is real work, run in parallel (``search.n_jobs``) on the workers,
    which costs sending them the data and the folds back.
    """
    X, y = data
    tasks = [
        (plan, X, y, train, test, routed_params.estimator.fit, routed_params.scorer.score)
        for train, test in splits
    ]
    if not plan.pre_steps:
        return [prepare_fold(*task) for task in tasks]
    with scatter_once(X, y), Parallel(n_jobs=search.n_jobs, pre_dispatch=search.pre_dispatch) as parallel:
        return parallel(delayed(prepare_fold)(*task) for task in tasks)


def describe_pairs(out, params, n_folds):
    """``describe(i)`` for the attempted (not skipped) fits of one step's ``out``."""
    attempted = [j for j, r in enumerate(out) if r["fit_error"] != SKIPPED]

    def describe(i):
        member, fold = divmod(attempted[i], n_folds)
        return f"member {member} with {params[member]!r}, split {fold}"

    return describe


def train_step(parallel, plan, folds, population, params, step):
    """Train every healthy (member, fold) pair by one step, in parallel.

    Returns the step's results, one per (member, fold) pair, member-major;
    pairs that failed at an earlier step are not trained and get
    :data:`SKIPPED` results.
    """
    models, failed = population.models, population.failed
    n_members, n_folds = len(models), len(folds)
    pairs = list(product(range(n_members), range(n_folds)))
    out = [plan.failed_result(folds[k], SKIPPED) if failed[i, k] else None for i, k in pairs]
    todo = [(i, k) for i, k in pairs if not failed[i, k]]
    with warnings.catch_warnings():
        # A step stops training on purpose before convergence. The filter is
        # set here, in the dispatching thread: scikit-learn's delayed gives
        # every task the filters of that thread, so it holds in processes and
        # threads alike, whereas a catch_warnings inside a thread races with
        # the other threads' (the process-wide list is saved and restored).
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        trained = parallel(
            delayed(run_step)(models[i][k], folds[k], params[i], step, plan) for i, k in todo
        )
    for (i, k), (model, result) in zip(todo, trained):
        models[i][k], failed[i, k] = model, result["fit_error"] is not None
        out[i * n_folds + k] = result
    if callable(plan.scoring):
        # A callable scorer's output type is known only after a success.
        _insert_error_scores(out, plan.error_score)
    return out


def member_scores(out, n_folds, refit):
    """Mean objective of each member over its folds; NaN if a fold failed.

    The objective is the refit metric, else (``refit`` is a bool or a
    callable) the first metric.
    """

    def objective(test_scores):
        if not isinstance(test_scores, dict):
            return test_scores
        if isinstance(refit, str) and refit in test_scores:
            return test_scores[refit]
        return next(iter(test_scores.values()))

    y = [np.nan if r["fit_error"] is not None else objective(r["test_scores"]) for r in out]
    return np.asarray(y, dtype=float).reshape(-1, n_folds).mean(axis=1)


def cv_results(format_results, records, scheduler, n_folds, step_size):
    """``cv_results_`` after the steps in ``records``: one row per member.

    Each row holds the member's last hyperparameters and the last step's
    scores, with its fit and score times summed over all steps;
    ``format_results`` is the search's ``_format_results``.
    """
    n_members = scheduler.population_size
    final_out = []
    for index, result in enumerate(records[-1]):
        row = dict(result)
        row["fit_time"] = sum(out[index]["fit_time"] for out in records)
        row["score_time"] = sum(out[index]["score_time"] for out in records)
        final_out.append(row)
    budget = len(records) * step_size
    more_results = {"member": list(range(n_members)), "budget": [budget] * n_members}
    final_params = [row["params"] for row in scheduler.history_[-n_members:]]
    return format_results(final_params, n_folds, final_out, more_results)


def history_table(records, rows, step_size, n_splits, return_train_score):
    """``pbt_history_``: one row per (step, member), from the step records.

    Parameters
    ----------
    records : list of list of dict
        Output of :func:`train_population`.
    rows : list of dict
        The scheduler's ``history_``, in the same (step, member) order.
    step_size : int
    n_splits : int
    return_train_score : bool

    Returns
    -------
    history : dict of ndarray or list
    """
    history = {
        "step": np.array([r["step"] for r in rows]),
        "member": np.array([r["member"] for r in rows]),
        "parent": np.array([r["parent"] for r in rows]),
        "budget": np.array([(r["step"] + 1) * step_size for r in rows]),
        "params": [r["params"] for r in rows],
    }
    out = [r for step_out in records for r in step_out]
    for kind in ("test", "train") if return_train_score else ("test",):
        scores = [r[f"{kind}_scores"] for r in out]
        names = next((list(s) for s in scores if isinstance(s, dict)), None)
        for name in names or ["score"]:
            values = [s.get(name, np.nan) if isinstance(s, dict) else s for s in scores]
            values = np.asarray(values, dtype=float).reshape(len(rows), n_splits)
            history[f"mean_{kind}_{name}"] = values.mean(axis=1)
            history[f"std_{kind}_{name}"] = values.std(axis=1)
    return history
