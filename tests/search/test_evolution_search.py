"""Search-level tests of EvolutionSearchCV."""

import pickle
import re

import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from hptune.exceptions import ExhaustedSpaceWarning
from hptune.search._evolution_search import EvolutionSearchCV
from hptune.space import Integer, Real
from hptune.strategies._evolution import EvolutionOptimizer

X, y = make_classification(n_samples=60, n_features=5, random_state=0)

TREE_SPACE = {
    "max_depth": Integer(1, 8),
    "min_samples_leaf": (1, 10),
    "criterion": ["gini", "entropy"],
    "ccp_alpha": Real(1e-4, 1e-1, "log-uniform"),
}


def _search(**params):
    defaults = dict(population_size=4, n_generations=3, cv=2, random_state=0)
    return EvolutionSearchCV(DecisionTreeClassifier(random_state=0), TREE_SPACE, **{**defaults, **params})


def _candidates(search):
    return [tuple(sorted((k, repr(v)) for k, v in p.items())) for p in search.cv_results_["params"]]


def test_generations_results_and_history():
    search = _search().fit(X, y)
    assert len(search.cv_results_["params"]) == 12
    assert search.cv_results_["generation"].tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert len(set(_candidates(search))) == 12
    assert search.n_iter_ == 3
    assert isinstance(search.strategy_, EvolutionOptimizer)
    h = search.history_
    assert h["generation"].tolist() == [0, 1, 2]
    assert h["n_evaluations"].tolist() == [4, 8, 12]
    scores = search.cv_results_["mean_test_score"]
    np.testing.assert_allclose(h["best_score"][-1], scores.max())
    np.testing.assert_allclose(h["mean_score"], scores.reshape(3, 4).mean(axis=1))
    np.testing.assert_allclose(h["std_score"], scores.reshape(3, 4).std(axis=1))
    np.testing.assert_allclose(h["generation_best_score"], scores.reshape(3, 4).max(axis=1))
    assert np.all(np.diff(h["best_score"]) >= 0)
    assert search.best_score_ == scores.max()
    for p in search.cv_results_["params"]:
        assert type(p["max_depth"]) is int and 1 <= p["min_samples_leaf"] <= 10


def test_n_iter_wins_over_n_generations():
    search = _search(population_size=3, n_generations=10, n_iter=7).fit(X, y)
    assert search.cv_results_["generation"].tolist() == [0, 0, 0, 1, 1, 1, 2]
    assert search.n_iter_ == 3


def test_pipeline_with_distributions_and_estimator_choices():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    spaces = {
        "clf__C": loguniform(1e-3, 1e2),
        "clf__max_iter": randint(50, 200),
        "scale": [StandardScaler(), "passthrough"],
    }
    search = EvolutionSearchCV(pipe, spaces, population_size=4, n_generations=2, cv=2, random_state=0)
    search.fit(X, y)
    for p in search.cv_results_["params"]:
        assert 1e-3 <= p["clf__C"] <= 1e2 and type(p["clf__max_iter"]) is int
        assert p["scale"] is spaces["scale"][0] or p["scale"] == "passthrough"
    assert search.best_estimator_.score(X, y) > 0.5


def test_sub_spaces_share_the_budget():
    spaces = [
        {"criterion": ["gini"], "max_depth": Integer(1, 8)},
        {"criterion": ["entropy"], "min_samples_leaf": Integer(1, 10)},
    ]
    search = EvolutionSearchCV(
        DecisionTreeClassifier(random_state=0), spaces, population_size=4, n_generations=3,
        cv=2, random_state=0,
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 12 and len(search.cv_results_["generation"]) == 12
    assert {p["criterion"] for p in params} == {"gini", "entropy"}
    assert all(("max_depth" in p) == (p["criterion"] == "gini") for p in params)


def test_multi_metric_refit_by_name():
    search = _search(scoring={"acc": "accuracy", "bal": "balanced_accuracy"}, refit="bal").fit(X, y)
    assert search.multimetric_
    assert "mean_test_acc" in search.cv_results_ and "generation" in search.cv_results_
    assert search.best_score_ == search.cv_results_["mean_test_bal"].max()
    np.testing.assert_allclose(search.history_["best_score"][-1], search.cv_results_["mean_test_bal"].max())


def test_clone_pickle_and_html_repr():
    search = _search(elitism=2, patience=5)
    assert clone(search).get_params()["elitism"] == 2
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert restored.history_["best_score"].tolist() == search.history_["best_score"].tolist()
    assert "EvolutionSearchCV" in search._repr_html_()


@pytest.mark.slow  # starts joblib's worker processes
def test_same_seed_same_results_for_n_jobs_1_and_2():
    runs = [_search(random_state=7, n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 2, 1)]
    assert _candidates(runs[0]) == _candidates(runs[1]) == _candidates(runs[2])
    for r in runs[1:]:
        np.testing.assert_array_equal(r.cv_results_["mean_test_score"], runs[0].cv_results_["mean_test_score"])
    assert _candidates(_search(random_state=8).fit(X, y)) != _candidates(runs[0])


def test_patience_stops_when_the_best_stops_improving():
    search = EvolutionSearchCV(
        DummyClassifier(), {"strategy": ["most_frequent", "prior", "stratified", "uniform"],
                            "random_state": Integer(0, 1000)},
        population_size=3, n_generations=20, patience=2, cv=2, random_state=0,
    ).fit(X, y)
    best = search.history_["best_score"]
    assert search.n_iter_ < 20
    assert best[-1] == best[-3]
    assert len(best) == search.n_iter_


def test_fit_callback_and_callbacks_parameter():
    seen = []

    def stop_after_two(result):
        seen.append((result.iteration, result.n_evaluations, result.best_score))
        return result.iteration >= 2

    class Counter:
        calls = 0

        def on_iteration(self, search, state):
            Counter.calls += 1
            return False

    search = _search(callbacks=[Counter()], n_generations=5).fit(X, y, callback=stop_after_two)
    assert search.n_iter_ == 2 and Counter.calls == 2
    assert [s[:2] for s in seen] == [(1, 4), (2, 8)]


class _FailsOnEntropy(ClassifierMixin, BaseEstimator):
    def __init__(self, criterion="gini", max_depth=1):
        self.criterion, self.max_depth = criterion, max_depth

    def fit(self, X, y):
        if self.criterion == "entropy":
            raise ValueError("entropy is not supported")
        self.tree_ = DecisionTreeClassifier(max_depth=self.max_depth).fit(X, y)
        self.classes_ = self.tree_.classes_
        return self

    def predict(self, X):
        return self.tree_.predict(X)


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite:UserWarning")
def test_failed_fits_are_the_worst_and_the_search_goes_on():
    search = EvolutionSearchCV(
        _FailsOnEntropy(), {"criterion": ["gini", "entropy"], "max_depth": Integer(1, 10)},
        population_size=4, n_generations=3, cv=2, random_state=0,
    )
    with pytest.warns(FitFailedWarning, match="fits failed"):
        search.fit(X, y)
    assert search.best_params_["criterion"] == "gini"
    assert search.history_["n_failed"].sum() == sum(
        p["criterion"] == "entropy" for p in search.cv_results_["params"]
    )


def test_space_smaller_than_the_budget():
    search = EvolutionSearchCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3], "criterion": ["gini", "entropy"]},
        population_size=4, n_generations=5, cv=2, random_state=0,
    )
    with pytest.warns(ExhaustedSpaceWarning):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 6 == len(set(_candidates(search)))


def test_cma_algorithm_runs():
    search = _search(algorithm="cma", n_generations=4).fit(X, y)
    assert len(set(_candidates(search))) == 16
    assert search.strategy_.algorithm_ == "cma"


@pytest.mark.parametrize(
    "params, err, match",
    [
        ({"population_size": 1}, ValueError,
         "The 'population_size' parameter of EvolutionSearchCV must be an int in the range [2, inf). Got 1 instead."),
        ({"n_generations": 0}, ValueError, "The 'n_generations' parameter of EvolutionSearchCV"),
        ({"n_iter": 0}, ValueError, "The 'n_iter' parameter of EvolutionSearchCV"),
        ({"crossover_probability": 1.2}, ValueError, "The 'crossover_probability' parameter"),
        ({"mutation_probability": -1.0}, ValueError, "The 'mutation_probability' parameter"),
        ({"elitism": -1}, ValueError, "The 'elitism' parameter"),
        ({"patience": 0}, ValueError, "The 'patience' parameter"),
        ({"algorithm": "pso"}, ValueError, "The 'algorithm' parameter"),
        ({"population_size": 4, "tournament_size": 5}, ValueError,
         "tournament_size=5 exceeds population_size=4; lower tournament_size or raise population_size."),
    ],
)
def test_input_errors(params, err, match):
    with pytest.raises(err, match=re.escape(match)):
        _search(**params).fit(X, y)


def test_constructor_stores_parameters_only():
    search = EvolutionSearchCV(DecisionTreeClassifier(), TREE_SPACE, population_size=1, tournament_size=9)
    assert search.population_size == 1 and search.tournament_size == 9
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(search))
    assert search.get_params()["n_iter"] is None


def test_stratified_cv_object_accepted():
    search = _search(cv=StratifiedKFold(3)).fit(X, y)
    assert search.n_splits_ == 3


def test_population_of_two_works_with_the_default_tournament():
    # The documented minimum population, with every other parameter left alone.
    search = EvolutionSearchCV(LogisticRegression(), {"C": (1e-3, 1e2, "log-uniform")},
                               population_size=2, n_generations=3, cv=2, random_state=0).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert search.strategy_.tournament_size_ == 2
