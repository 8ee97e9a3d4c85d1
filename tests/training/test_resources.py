"""Each supported estimator family really trains differently after a perturbation.

A step continues training a fitted model after ``set_params``; these tests
check, family by family, that (a) the new hyperparameters change what the
next step learns, (b) training continues instead of restarting, and (c) the
known traps (MLP's cached optimiser, gradient boosting's global learning
rate) are handled.
"""

import copy

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, Perceptron, SGDClassifier, SGDRegressor
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neural_network import MLPClassifier, MLPRegressor

from hptune import PBTSearchCV
from hptune.training import TrainingPlan, resolve_resource

X, y = make_classification(n_samples=60, n_features=6, random_state=0)
Xr, yr = make_regression(n_samples=60, n_features=6, noise=1.0, random_state=0)
MLP = dict(hidden_layer_sizes=(8,), batch_size=20, random_state=0)

CASES = [
    # estimator, resource, step_size, before, after, regression
    (SGDClassifier(random_state=0), "partial_fit", 1, {"alpha": 1e-4}, {"alpha": 1e-1}, False),
    (SGDRegressor(random_state=0), "partial_fit", 1, {"eta0": 0.001}, {"eta0": 0.05}, True),
    (Perceptron(random_state=0), "partial_fit", 1, {"eta0": 1.0}, {"eta0": 0.1}, False),
    (MLPClassifier(**MLP), "partial_fit", 1,
     {"learning_rate_init": 1e-3}, {"learning_rate_init": 1e-1}, False),
    (MLPClassifier(solver="sgd", **MLP), "partial_fit", 1,
     {"momentum": 0.9}, {"momentum": 0.1}, False),
    (MLPRegressor(**MLP), "partial_fit", 1, {"beta_1": 0.9}, {"beta_1": 0.5}, True),
    (MultinomialNB(), "partial_fit", 1, {"alpha": 1.0}, {"alpha": 0.01}, False),
    (GaussianNB(), "partial_fit", 1, {"var_smoothing": 1e-9}, {"var_smoothing": 1e-1}, False),
    (RandomForestClassifier(random_state=0), "n_estimators", 3,
     {"max_depth": 1}, {"max_depth": 6}, False),
    (GradientBoostingClassifier(random_state=0), "n_estimators", 3,
     {"learning_rate": 0.1}, {"learning_rate": 0.5}, False),
    (HistGradientBoostingClassifier(random_state=0), "max_iter", 3,
     {"learning_rate": 0.1}, {"learning_rate": 0.5}, False),
    (MLPClassifier(**MLP), "max_iter", 2,
     {"learning_rate_init": 1e-3}, {"learning_rate_init": 1e-1}, False),
    (LogisticRegression(), "max_iter", 2, {"C": 1.0}, {"C": 0.01}, False),
]


def _outputs(model, X_):
    for method in ("decision_function", "predict_proba", "predict"):
        if hasattr(model, method):
            return np.asarray(getattr(model, method)(X_), dtype=float)


def _data(estimator, regression):
    X_, y_ = (Xr, yr) if regression else (X, y)
    return (np.abs(X_) if isinstance(estimator, MultinomialNB) else X_), y_


def _plan(estimator, resource, step_size, y_):
    found = resolve_resource(estimator, resource, step_size, y_)
    return TrainingPlan(clone(estimator), found, None, np.nan, False), found


@pytest.mark.parametrize(
    "estimator, resource, step_size, before, after, regression",
    CASES,
    ids=[f"{type(c[0]).__name__}-{c[1]}-{next(iter(c[3]))}" for c in CASES],
)
def test_perturbation_takes_effect_and_training_continues(
    estimator, resource, step_size, before, after, regression
):
    X_, y_ = _data(estimator, regression)
    plan, found = _plan(estimator, resource, step_size, y_)
    kept = found.train(plan.new_final(before), X_, y_, {}, 0)
    perturbed = copy.deepcopy(kept)
    found.train(plan.update(kept, before), X_, y_, {}, 1)
    found.train(plan.update(perturbed, after), X_, y_, {}, 1)
    fresh = found.train(plan.new_final(after), X_, y_, {}, 0)
    assert not np.allclose(_outputs(kept, X_), _outputs(perturbed, X_)), "change ignored"
    assert not np.allclose(_outputs(fresh, X_), _outputs(perturbed, X_)), "restarted"


@pytest.mark.parametrize(
    "estimator, resource, count",
    [
        (RandomForestClassifier(random_state=0), "n_estimators", lambda m: len(m.estimators_)),
        (GradientBoostingClassifier(random_state=0), "n_estimators", lambda m: m.n_estimators_),
        (HistGradientBoostingClassifier(random_state=0), "max_iter", lambda m: m.n_iter_),
        (MLPClassifier(**MLP), "max_iter", lambda m: len(m.loss_curve_)),
    ],
)
def test_warm_start_resource_counts_the_work_done(estimator, resource, count):
    plan, found = _plan(estimator, resource, 2, y)
    model = plan.new_final({})
    for step in range(3):
        found.train(model, X, y, {}, step)
    # Ensembles count trees in total, solvers iterations per warm fit: either
    # way three steps of two units is six units of work.
    assert count(model) == 6


def test_mlp_partial_fit_trap_is_handled():
    plan, found = _plan(MLPClassifier(**MLP), "partial_fit", 1, y)
    model = found.train(plan.new_final({"learning_rate_init": 1e-3}), X, y, {}, 0)
    naive, synced, kept = copy.deepcopy(model), copy.deepcopy(model), model
    naive.set_params(learning_rate_init=1e-1)  # what a plain set_params does
    plan.update(synced, {"learning_rate_init": 1e-1})
    for m in (naive, synced, kept):
        found.train(m, X, y, {}, 1)
    np.testing.assert_allclose(naive.coefs_[0], kept.coefs_[0])  # the trap
    assert synced._optimizer.learning_rate_init == 1e-1
    assert not np.allclose(synced.coefs_[0], kept.coefs_[0])


def test_mlp_solver_change_rebuilds_the_optimizer():
    plan, found = _plan(MLPClassifier(**MLP), "partial_fit", 1, y)
    model = found.train(plan.new_final({"solver": "adam"}), X, y, {}, 0)
    found.train(plan.update(model, {"solver": "sgd"}), X, y, {}, 1)
    assert type(model._optimizer).__name__ == "SGDOptimizer"


def test_gradient_boosting_learning_rate_change_keeps_grown_stages():
    plan, found = _plan(GradientBoostingClassifier(random_state=0), "n_estimators", 3, y)
    model = found.train(plan.new_final({"learning_rate": 0.1}), X, y, {}, 0)
    before = model.decision_function(X)
    plan.update(model, {"learning_rate": 0.5})
    np.testing.assert_allclose(model.decision_function(X), before)


class _LoggingWrapper(ClassifierMixin, BaseEstimator):
    """A user's thin wrapper: passes every keyword on through ``**kwargs``."""

    def __init__(self, alpha=1e-4):
        self.alpha = alpha

    def fit(self, X, y):
        self.__dict__.pop("model_", None)
        return self.partial_fit(X, y, classes=np.unique(y))

    def partial_fit(self, X, y, **kwargs):
        if not hasattr(self, "model_"):
            self.model_ = SGDClassifier(alpha=self.alpha, random_state=0)
        self.model_.set_params(alpha=self.alpha).partial_fit(X, y, **kwargs)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_classes_reach_a_partial_fit_that_takes_keywords():
    # SGDClassifier.partial_fit requires classes on its first call: if the
    # wrapper's **kwargs did not receive them, every fit would fail.
    search = PBTSearchCV(_LoggingWrapper(), {"alpha": (1e-5, 1e-1, "log-uniform")},
                         population_size=2, n_steps=2, cv=2, random_state=0, error_score="raise")
    search.fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
