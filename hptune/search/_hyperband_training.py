"""Continued training for ``HyperbandSearchCV``: a promoted candidate goes on from its last rung.

Without it every rung fits its candidates from scratch through
scikit-learn's ``evaluate_candidates``. With it (``continue_training``),
each candidate keeps one fitted model per fold while it can still be
promoted, and its next rung trains those models further by the extra
resource only: more trees or iterations through ``warm_start``, more
``partial_fit`` passes, or more rounds of a LightGBM or XGBoost booster
(:func:`~hptune.training.continued_resource` decides which). The models are trained and scored by :mod:`hptune.training`, the
same code as PBT's, in one joblib ``Parallel`` call over candidates times
folds per rung, and their ``_fit_and_score``-shaped results join the fit's
results through :func:`~hptune.utils._sklearn_compat.record_evaluations`,
so ``cv_results_`` has the same rows and columns as without it, and
refit, ``best_*``, callbacks and checkpoints are unchanged.

A model that is not at hand (a search resumed from a checkpoint or warm
started, or a finished search re-evaluating its last candidate) is rebuilt
from scratch through the same rungs of its bracket, one warm fit or run of
passes per rung, so that a resumed search gives the models, and the scores,
of an uninterrupted one. The checkpoint therefore stores no models; the
rebuild costs compute that the budget does not count.
"""

import warnings

from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.parallel import Parallel, delayed

from ..space import to_subspaces
from ..training import TrainingPlan, check_search_space, continued_resource, train_and_score
from ..utils._sklearn_compat import RECORDS_EVALUATIONS, _check_method_params, record_evaluations
from ._pbt_population import prepare_folds
from ._pbt_report import report_leaves
from ._run import scatter_once

__all__ = ["ContinuedRungs", "continuation"]


def continuation(search, y):
    """How ``search`` continues training, per its ``continue_training``, or None.

    Parameters
    ----------
    search : HyperbandSearchCV
    y : array-like or None
        The target (classifiers' ``partial_fit`` needs its labels).

    Returns
    -------
    resource : PartialFitResource, WarmStartResource, BoosterResource or None
        None: every rung refits from scratch.

    Raises
    ------
    ValueError
        With ``continue_training=True``, when training cannot be continued.
    """
    if search.continue_training is False:
        return None
    try:
        if search.resource == "n_samples":
            raise ValueError(
                "resource='n_samples' gives a promoted candidate more samples, and a model fitted "
                "on fewer samples is not the start of a fit on more."
            )
        if not RECORDS_EVALUATIONS:
            raise ValueError("this scikit-learn release's BaseSearchCV.fit cannot take them in.")
        resource = continued_resource(search.estimator, search.resource, y)
        names = {n for space, _ in to_subspaces(search.search_spaces) for n in space.names}
        check_search_space(search.estimator, names, resource, owner="HyperbandSearchCV")
    except ValueError as err:
        if search.continue_training == "auto":
            return None
        raise ValueError(
            f"continue_training=True, but HyperbandSearchCV cannot continue the training of "
            f"{type(search.estimator).__name__} with resource={search.resource!r}: {err} Pass "
            "continue_training='auto' or False to refit every rung from scratch."
        ) from err
    return resource


class ContinuedRungs:
    """The fold models of the candidates of one fit, trained on rung after rung.

    Parameters
    ----------
    search : HyperbandSearchCV
        The search being fitted (its ``_run`` holds the data and the splits).
    resource : PartialFitResource, WarmStartResource or BoosterResource
        From :func:`continuation`.
    """

    def __init__(self, search, resource):
        self.search, self.resource = search, resource
        # candidate -> (resource level, one final estimator per fold, None where it failed)
        self.models = {}
        self._plan = self._folds = None

    def _prepare(self):
        """The training plan and the folds, once per fit, at the first rung."""
        search = self.search
        X, y, params = search._run.fit_inputs
        scorers, _ = search._get_scorers()
        self._plan = TrainingPlan(
            clone(search.estimator), self.resource, scorers, search.error_score,
            search.return_train_score, search.scoring,
        )
        routed = search._get_routed_params_for_fit(_check_method_params(X, params=params))
        self._folds = prepare_folds(self._plan, (X, y), search._run.cv.splits, routed, search)

    def evaluate(self, evaluate_candidates, params, more_results, keys, paths):
        """Train and score one rung's candidates; returns all results of the fit so far.

        Parameters
        ----------
        evaluate_candidates : callable
            From ``BaseSearchCV.fit``.
        params : list of dict
            The candidates, with the resource parameter set to the rung's.
        more_results : dict of str to list
            Their extra ``cv_results_`` columns.
        keys : list of int or None
            The scheduler's candidate indices (None: keep no model).
        paths : list of list of int
            For each candidate, the resources of its bracket's rungs up to
            this one: the last is what it is trained to, the one before it
            what its kept models have.
        """
        if self._plan is None:
            self._prepare()
        search, run, folds = self.search, self.search._run, self._folds
        # Candidates not in this rung were not promoted: their models go.
        self.models = {k: v for k, v in self.models.items() if k in keys}
        tasks = []
        for key, p, path in zip(keys, params, paths):
            level, finals = self.models.get(key, (None, None))
            for k in range(len(folds)):
                if finals is not None and level == path[-2] and finals[k] is not None:
                    tasks.append((finals[k], k, p, path[-2:]))
                else:  # a new candidate, or a model to rebuild through the bracket
                    tasks.append((None, k, p, [0, *path]))
        n_tasks = len(tasks)
        with run.iteration(n_tasks) as ctx:
            with scatter_once(*folds), warnings.catch_warnings():
                # A rung stops training on purpose before convergence; set in
                # the dispatching thread, which joblib's workers inherit (see
                # hptune.search._pbt_population.train_step).
                warnings.filterwarnings("ignore", category=ConvergenceWarning)
                trained = Parallel(n_jobs=search.n_jobs, pre_dispatch=search.pre_dispatch)(
                    delayed(train_and_score)(final, folds[k], p, levels, self._plan)
                    for final, k, p, levels in tasks
                )
            report_leaves(ctx, n_tasks, search, task_name="candidate-split-evaluation")
        n_folds = len(folds)
        for i, (key, path) in enumerate(zip(keys, paths)):
            if key is not None and path[-1] < search.max_resources_:
                self.models[key] = (path[-1], [m for m, _ in trained[i * n_folds : (i + 1) * n_folds]])
        out = [result for _, result in trained]
        with run.defer_non_finite_warning():
            return record_evaluations(evaluate_candidates, search, params, out, more_results)

