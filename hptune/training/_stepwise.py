"""Training one model step by step: on a CV fold, or replayed on the whole data.

A search that keeps models between rounds (PBT's members; a promoted
candidate that continues training) trains a model by steps of a resource
(:mod:`._resources`) and scores it after each. :class:`TrainingPlan` holds
what any worker needs for that, :func:`prepare_fold` the data of one split
(with a Pipeline's leading steps fitted once per fold), :func:`run_step` one
step of one model (:func:`train_and_score` any stretch of training), and
:func:`replay` a whole schedule of hyperparameters on the whole data. The fitted models travel to the workers and back with every
step (``run_step`` takes a model and returns it), so the same code runs
under the sequential, thread, process and dask backends.
"""

import copy
import time
from traceback import format_exc

from sklearn.base import clone
from sklearn.utils.metadata_routing import process_routing

from ..utils._sklearn_compat import (
    _check_method_params,
    _MultimetricScorer,
    _num_samples,
    _routing_enabled,
    _safe_split,
    _score,
)
from ._resources import adapt, final_step

__all__ = ["Fold", "TrainingPlan", "prepare_fold", "replay", "run_step", "train_and_score"]


def split_fit_params(estimator, fit_params):
    """Share fit parameters between a Pipeline's leading steps and its final step.

    Returns
    -------
    pre_params : dict of str to dict
        ``fit_transform`` parameters of each leading step.
    final_params : dict
        Parameters of the final estimator's ``fit`` or ``partial_fit``.
    """
    pre_steps, prefix, _ = final_step(estimator)
    if not prefix:
        return {}, dict(fit_params)
    final_name = prefix[:-2]
    if _routing_enabled():
        routed = process_routing(estimator, "fit", **fit_params)
        pre = {name: dict(routed[name].get("fit_transform", {})) for name, _ in pre_steps}
        return pre, dict(routed[final_name].get("fit", {}))
    pre, final_params = {name: {} for name, _ in pre_steps}, {}
    for key, value in fit_params.items():
        step, sep, param = key.partition("__")
        if step == final_name:
            final_params[param] = value
        elif sep and step in pre:
            pre[step][param] = value
        else:
            raise ValueError(
                f"Pipeline.fit does not accept the {key} parameter. Pass parameters to "
                "specific steps of the pipeline with the stepname__parameter format, e.g. "
                f"{final_name}__sample_weight=sample_weight."
            )
    return pre, final_params


def fit_pre_steps(pre_steps, X, y, pre_params):
    """Fit a Pipeline's leading steps on ``X`` as ``Pipeline.fit`` does.

    Returns the fitted steps and the transformed data for the final step.
    """
    fitted, Xt = [], X
    for name, transformer in pre_steps:
        if transformer is None or transformer == "passthrough":
            fitted.append((name, transformer))
            continue
        transformer = clone(transformer)
        Xt = transformer.fit_transform(Xt, y, **pre_params.get(name, {}))
        fitted.append((name, transformer))
    return fitted, Xt


class Fold:
    """The data of one CV split, prepared once per fit.

    Attributes
    ----------
    pre_steps : list of (str, estimator)
        A Pipeline's leading steps fitted on the training part (empty for a
        plain estimator).
    X_fit : array-like
        Training part transformed by ``pre_steps``: the final estimator's input.
    y_train, X_test, y_test : array-like
        Training target and held-out part (raw).
    X_train : array-like or None
        Raw training part, kept for train scores.
    fit_params, score_params_test, score_params_train : dict
        Parameters indexed to the split.
    """

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


def prepare_fold(plan, X, y, train, test, fit_params, score_params):
    """Split the data, fit a Pipeline's leading steps and return a :class:`Fold`."""
    X_train, y_train = _safe_split(plan.estimator, X, y, train)
    X_test, y_test = _safe_split(plan.estimator, X, y, test, train)
    fit_params = _check_method_params(X, params=fit_params, indices=train)
    pre_params, final_params = split_fit_params(plan.estimator, fit_params)
    pre_steps, X_fit = fit_pre_steps(plan.pre_steps, X_train, y_train, pre_params)
    return Fold(
        pre_steps=pre_steps,
        X_fit=X_fit,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        X_train=X_train if plan.return_train_score else None,
        fit_params=final_params,
        score_params_test=_check_method_params(X, params=score_params, indices=test),
        score_params_train=_check_method_params(X, params=score_params, indices=train),
    )


class TrainingPlan:
    """Everything a worker needs to train and score any (member, fold) pair.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Unfitted clone of the user's estimator.
    resource : PartialFitResource, WarmStartResource or BoosterResource
        What one step means.
    scorer : callable or _MultimetricScorer
        From ``BaseSearchCV._get_scorers``.
    error_score : "raise" or float
        Score of a failed fit.
    return_train_score : bool
        Whether to score the training part too.
    scoring : str, callable, list, tuple, dict or None, default=None
        The user's ``scoring``, to recognise callables.
    """

    def __init__(self, estimator, resource, scorer, error_score, return_train_score, scoring=None):
        self.estimator = estimator
        self.scoring = scoring
        self.pre_steps, self.prefix, self.final = final_step(estimator)
        self.resource = resource
        self.scorer = scorer
        self.error_score = error_score
        self.return_train_score = return_train_score

    def new_final(self, params):
        """A fresh final estimator with ``params``, ready for step 0."""
        return self.resource.prepare(self.update(clone(self.final), params))

    def update(self, final, params):
        """Set ``params`` (full names) on ``final`` and make them take effect."""
        local = {name[len(self.prefix) :]: value for name, value in params.items()}
        before = final.get_params(deep=False)
        # Parameters may themselves be estimators: clone them, as
        # scikit-learn's _fit_and_score does, so members never share one.
        final.set_params(**clone(local, safe=False))
        return adapt(final, before)

    def assemble(self, final, pre_steps):
        """The model to score or return: ``final`` behind the fitted leading steps."""
        if not self.prefix:
            return final
        return copy.copy(self.estimator).set_params(
            steps=[*pre_steps, (self.prefix[:-2], final)]
        )

    def error_scores(self):
        """``error_score`` in the shape of this scorer's output."""
        if isinstance(self.scorer, _MultimetricScorer):
            return {name: self.error_score for name in self.scorer._scorers}
        return self.error_score

    def failed_result(self, fold, message, fit_time=0.0):
        """A ``_fit_and_score``-shaped result for a failed or skipped fit."""
        result = {
            "fit_error": message,
            "test_scores": self.error_scores(),
            "n_test_samples": _num_samples(fold.X_test),
            "fit_time": fit_time,
            "score_time": 0.0,
        }
        if self.return_train_score:
            result["train_scores"] = self.error_scores()
        return result


def run_step(final, fold, params, step, plan):
    """Train one (member, fold) pair by one step, then score it.

    Parameters
    ----------
    final : estimator or None
        The member's final estimator on this fold, None before step 0.
    fold : Fold
    params : dict
        The member's hyperparameters for this step.
    step : int
        Index of the step (0 creates the model).
    plan : TrainingPlan

    Returns
    -------
    final : estimator or None
        The trained final estimator (None if training failed).
    result : dict
        Shaped like the output of scikit-learn's ``_fit_and_score``.
    """
    size = plan.resource.step_size
    return train_and_score(final, fold, params, [step * size, (step + 1) * size], plan)


def train_and_score(final, fold, params, levels, plan):
    """Train one model on a fold through ``levels`` of resource, then score it.

    Parameters
    ----------
    final : estimator or None
        The final estimator trained to ``levels[0]`` units on this fold, None
        when ``levels[0]`` is 0 (a fresh model).
    fold : Fold
    params : dict
        The hyperparameters to train with (set again on a trained model).
    levels : list of int
        Resource levels: the model is trained from each to the next in
        turn (one warm fit or a run of ``partial_fit`` passes each), so that
        a model rebuilt after a resume goes through the same fits as the one
        it replaces.
    plan : TrainingPlan

    Returns
    -------
    final : estimator or None
        The trained final estimator (None if training failed).
    result : dict
        Shaped like the output of scikit-learn's ``_fit_and_score``.
    """
    start = time.time()
    try:
        final = plan.new_final(params) if final is None else plan.update(final, params)
        for done, target in zip(levels[:-1], levels[1:]):
            plan.resource.train_to(final, fold.X_fit, fold.y_train, fold.fit_params, done, target)
    except Exception:
        if plan.error_score == "raise":
            raise
        return None, plan.failed_result(fold, format_exc(), time.time() - start)
    fit_time = time.time() - start
    model = plan.assemble(final, fold.pre_steps)
    result = {"fit_error": None}
    result["test_scores"] = _score(
        model, fold.X_test, fold.y_test, plan.scorer, fold.score_params_test, plan.error_score
    )
    score_time = time.time() - start - fit_time
    if plan.return_train_score:
        result["train_scores"] = _score(
            model, fold.X_train, fold.y_train, plan.scorer, fold.score_params_train,
            plan.error_score,
        )
    result.update(
        n_test_samples=_num_samples(fold.X_test), fit_time=fit_time, score_time=score_time
    )
    return final, result


def replay(plan, X, y, fit_params, schedule):
    """Train a model on ``(X, y)`` following a hyperparameter schedule.

    Parameters
    ----------
    plan : TrainingPlan
    X, y : array-like
        The whole training data.
    fit_params : dict
        Routed fit parameters of the estimator.
    schedule : list of dict
        The hyperparameters of each step, in order.

    Returns
    -------
    model : estimator
        The trained estimator (a Pipeline when one was given).
    """
    pre_params, final_params = split_fit_params(plan.estimator, fit_params)
    pre_steps, X_fit = fit_pre_steps(plan.pre_steps, X, y, pre_params)
    final = None
    for step, params in enumerate(schedule):
        final = plan.new_final(params) if final is None else plan.update(final, params)
        plan.resource.train(final, X_fit, y, final_params, step)
    return plan.assemble(plan.resource.finish(final), pre_steps)
