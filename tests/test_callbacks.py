"""Stopping callbacks, as ``callbacks=[...]`` and as skopt-style ``fit(callback=...)``, for every search."""

import pickle
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from hptune import BayesSearchCV, HyperbandSearchCV, PBTSearchCV, minimize
from hptune.callbacks import DeadlineStopper, NoImprovementStopper, TargetScoreStopper
from hptune.search._evolution_search import EvolutionSearchCV

X, y = make_classification(n_samples=60, n_features=5, random_state=0)


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Fails the test if it is ever fitted."""

    def __init__(self, C=1.0):
        self.C = C

    def partial_fit(self, X, y, classes=None):
        raise AssertionError("fitted before the input errors were raised")

    fit = partial_fit


class ConstantClassifier(ClassifierMixin, BaseEstimator):
    """Predicts one class whatever its parameters, by fit or partial_fit: a flat score."""

    def __init__(self, strategy="most_frequent", constant=0):
        self.strategy = strategy
        self.constant = constant

    def partial_fit(self, X, y, classes=None):
        self.classes_ = np.unique(y) if classes is None else np.asarray(classes)
        return self

    def fit(self, X, y):
        return self.partial_fit(X, y)

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _search(kind, estimator=None, space=None, **params):
    """A search of 4 iterations (batches, generations or steps) of 2 evaluations.

    Hyperband's are 4 brackets of one full-resource rung of one candidate
    (factor=100 leaves no room for smaller rungs): its best score is known
    from the first iteration on, as the other searches'.
    """
    estimator = LogisticRegression() if estimator is None else estimator
    space = {"C": (1e-3, 1e2, "log-uniform")} if space is None else space
    if kind == "bayes":
        return BayesSearchCV(estimator, space, n_iter=8, n_points=2, n_initial_points=2, cv=2, random_state=0, **params)
    if kind == "pbt":
        return PBTSearchCV(estimator, space, population_size=2, n_steps=4, cv=2, random_state=0, **params)
    if kind == "hyperband":
        return HyperbandSearchCV(estimator, space, n_iter=4, factor=100, cv=2, random_state=0, **params)
    return EvolutionSearchCV(estimator, space, population_size=2, tournament_size=2, n_generations=4, cv=2,
                             random_state=0, **params)


def _fit(kind, stopper, how, **params):
    if how == "callbacks":
        return _search(kind, callbacks=[stopper], **params).fit(X, y)
    return _search(kind, **params).fit(X, y, callback=stopper)


def _iterations(search):
    return search.n_steps_ if isinstance(search, PBTSearchCV) else search.n_iter_


KINDS = pytest.mark.parametrize("kind", ["bayes", "evolution", "pbt", "hyperband"])
# Evaluations in the first iteration of each search of ``_search``.
FIRST_ITERATION = {"bayes": 2, "evolution": 2, "pbt": 2, "hyperband": 1}
HOWS = pytest.mark.parametrize("how", ["callbacks", "fit"])


@KINDS
@HOWS
def test_target_score_stops_once_reached(kind, how):
    search = _fit(kind, TargetScoreStopper(0.0), how)
    assert _iterations(search) == 1  # any accuracy reaches 0
    search = _fit(kind, TargetScoreStopper(1.01), how)
    assert _iterations(search) == 4  # never reached: the whole budget


@KINDS
@HOWS
def test_no_improvement_stops_after_patience_batches(kind, how):
    # Every candidate scores the same, so the best never improves after iteration 1.
    flat, space = ConstantClassifier(), {"strategy": ["most_frequent", "prior"], "constant": [0, 1, 2]}
    search = _fit(kind, NoImprovementStopper(patience=2), how, estimator=flat, space=space)
    assert _iterations(search) == 3


@KINDS
@HOWS
def test_deadline_stops_before_the_time_is_up(kind, how):
    search = _fit(kind, DeadlineStopper(total_time=1e-6), how)
    assert _iterations(search) == 1
    search = _fit(kind, DeadlineStopper(total_time=600.0), how)
    assert _iterations(search) == 4


def test_deadline_stopper_uses_the_longest_iteration():
    stopper = DeadlineStopper(total_time=10.0)
    stopper.on_search_begin(None)
    # After 6.5 s, 3.5 s are left: less than the longest iteration (4 s).
    assert [stopper({"elapsed": t}) for t in (1.0, 5.0, 6.5)] == [False, False, True]
    assert stopper.iter_time == [1.0, 4.0, 1.5]
    stopper.on_search_begin(None)  # a new fit starts the clock again
    assert stopper({"elapsed": 1.0}) is False and stopper.iter_time == [1.0]


def test_no_improvement_counts_min_delta_and_failures():
    stop = NoImprovementStopper(patience=2, min_delta=0.05)
    assert not stop({"best_scores": [0.5, 0.6]})
    assert stop({"best_scores": [0.5, 0.52, 0.54]})  # +0.04 in 2 batches is not enough
    assert not stop({"best_scores": [0.5, 0.52, 0.56]})
    assert stop({"best_scores": [np.nan, np.nan, np.nan]})  # still no finite score
    assert not stop({"best_scores": [np.nan, np.nan, 0.1]})


def test_stoppers_read_skopt_results_in_minimize():
    def f(x):
        return (x[0] - 0.3) ** 2

    res = minimize(f, [(-1.0, 1.0)], n_calls=30, n_initial_points=3, random_state=0,
                   callback=[TargetScoreStopper(-0.5)])
    assert len(res.func_vals) < 30 and -min(res.func_vals) >= -0.5
    flat = minimize(lambda x: 1.0, [(-1.0, 1.0)], n_calls=30, n_initial_points=3, random_state=0,
                    method="random", callback=NoImprovementStopper(patience=4))
    assert len(flat.func_vals) == 5
    quick = minimize(f, [(-1.0, 1.0)], n_calls=30, method="random", callback=DeadlineStopper(1e-6))
    assert len(quick.func_vals) == 1


def test_stoppers_survive_clone_pickle_and_show_their_parameters():
    search = _search("bayes", callbacks=[NoImprovementStopper(3), TargetScoreStopper(0.9), DeadlineStopper(60.0)])
    assert repr(search.callbacks) == (
        "[NoImprovementStopper(patience=3, min_delta=0.0), TargetScoreStopper(score=0.9), "
        "DeadlineStopper(total_time=60.0)]"
    )
    assert repr(clone(search).callbacks) == repr(search.callbacks)
    fitted = pickle.loads(pickle.dumps(search.fit(X, y)))
    assert fitted.n_iter_ == search.n_iter_
    assert "NoImprovementStopper" in search._repr_html_()


@pytest.mark.parametrize(
    "stopper, match",
    [
        (NoImprovementStopper(patience=0),
         "The 'patience' parameter of NoImprovementStopper must be an int in the range [1, inf). Got 0 instead."),
        (NoImprovementStopper(patience=2, min_delta=-1.0),
         "The 'min_delta' parameter of NoImprovementStopper must be a number in the range [0, inf). Got -1.0 instead."),
        (DeadlineStopper(total_time=0),
         "The 'total_time' parameter of DeadlineStopper must be a number in the range (0, inf). Got 0 instead."),
        (TargetScoreStopper(score="high"),
         "The 'score' parameter of TargetScoreStopper must be a number. Got 'high' instead."),
    ],
)
def test_invalid_stopper_parameters_name_the_parameter(stopper, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        _search("bayes").fit(X, y, callback=stopper)


@KINDS
@pytest.mark.parametrize("kind_of_bad", ["callbacks", "fit"])
def test_a_callback_that_cannot_be_called_is_refused_before_any_fit(kind, kind_of_bad):
    search = _search(kind, estimator=FailingClassifier())
    if kind_of_bad == "callbacks":
        search.set_params(callbacks=[TargetScoreStopper(0.5), "x"])
        match = "callbacks[1]='x' is not a callback: pass a callable taking the search state"
        fit_kwargs = {}
    else:
        match = "callback[0]=3 is not a callback"
        fit_kwargs = {"callback": 3}
    with pytest.raises(TypeError, match=re.escape(match)):
        search.fit(X, y, **fit_kwargs)


@KINDS
def test_callbacks_see_the_same_state_keys_and_max_time_stops_after_one_iteration(kind):
    states = []
    search = _search(kind, max_time=1e-9).fit(X, y, callback=lambda state: states.append(state) or False)
    assert _iterations(search) == 1 and len(states) == 1
    state = states[0]
    assert {"x", "fun", "x_iters", "func_vals", "params", "scores", "best_params", "iteration",
            "n_evaluations", "elapsed", "best_score", "best_scores", "cv_results"} <= set(state)
    assert state.iteration == 1 and state.n_evaluations == FIRST_ITERATION[kind] and state.elapsed >= 0
    assert state.best_score == state.best_scores[-1] == np.nanmax(state.cv_results["mean_test_score"])


def test_no_improvement_stops_a_resumed_search_where_an_uninterrupted_one_stops(tmp_path):
    # The stopper reads the best score per batch from the search, which keeps
    # it in the checkpoint, so pausing after every batch changes nothing.
    flat, space = ConstantClassifier(), {"strategy": ["most_frequent", "prior"], "constant": [0, 1, 2]}
    make = lambda **kw: _search("bayes", estimator=flat, space=space,  # noqa: E731
                                callbacks=[NoImprovementStopper(patience=1)], **kw)
    full = make().fit(X, y)
    path = tmp_path / "search.ckpt"
    for _ in range(10):
        paused = make(checkpoint=path, max_time=1e-9).fit(X, y)
    assert paused.n_iter_ == full.n_iter_ == 2
    assert paused.cv_results_["params"] == full.cv_results_["params"]
