"""HyperbandSearchCV: rungs, resources, budget, best from full resource, resume mid-bracket."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from hptune import HyperbandSearchCV

X, y = make_classification(n_samples=90, n_features=5, n_informative=3, random_state=0)
y3 = np.arange(90) % 3  # three balanced classes, for the sample subsets


class Recorder(ClassifierMixin, BaseEstimator):
    """Remembers what it was trained on; its score is set by the test's scorer."""

    def __init__(self, alpha=1.0, n_rounds=1):
        self.alpha = alpha
        self.n_rounds = n_rounds

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.n_train_, self.min_class_count_ = len(y), counts.min()
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _n_train(estimator, X, y):
    return estimator.n_train_


def _rows(search, **where):
    r = search.cv_results_
    mask = np.ones(len(r["params"]), dtype=bool)
    for key, value in where.items():
        mask &= np.asarray(r[key]) == value
    return np.flatnonzero(mask)


@pytest.mark.parametrize("resource, kwargs", [("n_samples", {"min_resources": 6}),
                                              ("n_rounds", {"max_resources": 27, "min_resources": 3})])
def test_budget_counts_every_evaluation_on_every_fold_alike(resource, kwargs):
    search = HyperbandSearchCV(Recorder(), {"alpha": (0.0, 1.0)}, n_iter=7, resource=resource,
                               cv=KFold(3), scoring=_n_train, random_state=0, **kwargs).fit(X, y3)
    r = search.cv_results_
    spent = np.sum(r["n_resources"]) / search.max_resources_
    assert spent == pytest.approx(search.strategy_.spent) and spent <= 7
    assert len(r["params"]) > 7  # many more candidates than full evaluations
    assert search.n_candidates_ == np.bincount(r["iter"]).tolist() and sum(search.n_candidates_) == len(r["params"])
    assert search.n_iterations_ == search.n_iter_ == len(search.n_resources_)


def test_n_samples_cuts_each_folds_training_part_in_nested_stratified_subsets():
    search = HyperbandSearchCV(Recorder(), {"alpha": (0.0, 1.0)}, n_iter=5, min_resources=10, cv=KFold(3),
                               scoring=_n_train, random_state=0).fit(X, y3)
    r = search.cv_results_
    for i, resource in enumerate(r["n_resources"]):
        expected = round(60 * resource / 90)  # each fold trains on 60 of the 90 samples
        for k in range(3):
            assert r[f"split{k}_test_score"][i] == expected
    assert search.min_resources_ == 10 and search.max_resources_ == 90
    assert set(r["n_resources"].tolist()) == {10, 30, 90}


def test_first_rung_holds_every_class_in_every_fold():
    def min_class_count(estimator, X, y):
        return estimator.min_class_count_ if len(estimator.classes_) == 3 else 0

    y_skewed = np.r_[np.zeros(80, int), np.ones(7, int), np.full(3, 2)]
    search = HyperbandSearchCV(Recorder(), {"alpha": (0.0, 1.0)}, n_iter=3, min_resources=6,
                               cv=StratifiedKFold(3), scoring=min_class_count, random_state=0).fit(X, y_skewed)
    assert (search.cv_results_["mean_test_score"] >= 1).all()


def test_integer_parameter_resource_matches_gridsearch_on_every_rung():
    pipe = Pipeline([("scale", StandardScaler()), ("tree", DecisionTreeClassifier(random_state=0))])
    space = {"tree__min_samples_leaf": (1, 20), "tree__criterion": ["gini", "entropy"]}
    search = HyperbandSearchCV(pipe, space, n_iter=5, resource="tree__max_depth", max_resources=9, cv=KFold(3),
                               random_state=0).fit(X, y)
    r = search.cv_results_
    assert [p["tree__max_depth"] for p in r["params"]] == r["n_resources"].tolist()
    assert search.best_params_["tree__max_depth"] == 9
    assert search.best_estimator_.named_steps["tree"].max_depth == 9
    grid = GridSearchCV(pipe, [{k: [v] for k, v in p.items()} for p in r["params"]], cv=KFold(3)).fit(X, y)
    np.testing.assert_allclose(r["mean_test_score"], grid.cv_results_["mean_test_score"])


def test_best_comes_from_full_resource_evaluations_only():
    def small_is_better(estimator, X, y):
        return 1.0 / estimator.n_train_ + estimator.alpha * 1e-3

    search = HyperbandSearchCV(Recorder(), {"alpha": (0.0, 1.0)}, n_iter=5, min_resources=10, cv=KFold(3),
                               scoring=small_is_better, random_state=0).fit(X, y3)
    r = search.cv_results_
    full = _rows(search, n_resources=90)
    assert r["n_resources"][search.best_index_] == 90
    assert search.best_index_ == full[np.argmax(r["mean_test_score"][full])]
    assert search.best_score_ < r["mean_test_score"].max()
    assert search.best_estimator_.n_train_ == 90  # refitted on all of X


def test_callable_refit_sees_full_resource_rows_only():
    seen = []

    def refit(results):
        seen.append(set(np.asarray(results["n_resources"]).tolist()))
        return len(results["params"]) - 1

    search = HyperbandSearchCV(Recorder(), {"alpha": (0.0, 1.0)}, n_iter=5, min_resources=10, cv=KFold(3),
                               scoring=_n_train, refit=refit, random_state=0).fit(X, y3)
    assert seen == [{90}]
    assert search.best_index_ == _rows(search, n_resources=90)[-1]


def test_a_search_stopped_before_any_full_evaluation_picks_the_highest_resource():
    search = HyperbandSearchCV(Recorder(), {"alpha": (0.0, 1.0)}, n_iter=5, min_resources=10, cv=KFold(3),
                               scoring=_n_train, random_state=0)
    search.fit(X, y3, callback=lambda state: True)  # stop after the first rung
    assert search.n_iter_ == 1 and search.cv_results_["n_resources"][search.best_index_] == 10
    assert np.isnan(search.strategy_.best_score)


def test_callbacks_see_no_best_score_until_a_full_evaluation():
    states = []
    HyperbandSearchCV(Recorder(), {"alpha": (0.0, 1.0)}, n_iter=3, min_resources=10, cv=KFold(3),
                      scoring=_n_train, random_state=0).fit(X, y3, callback=states.append)
    best = [s.best_score for s in states]
    assert np.isnan(best[0]) and best[-1] == 60
    assert all(np.isnan(b) or b == 60 for b in best)
    assert len(states[-1].func_vals) == int((states[-1].cv_results["n_resources"] == 90).sum())


def test_failed_candidates_are_never_promoted():
    class FailsAbove(Recorder):
        def fit(self, X, y):
            if self.alpha > 0.5:
                raise ValueError("alpha too high")
            return super().fit(X, y)

    with pytest.warns(FitFailedWarning), pytest.warns(UserWarning, match="non-finite"):
        search = HyperbandSearchCV(FailsAbove(), {"alpha": (0.0, 1.0)}, n_iter=6, min_resources=10,
                                   cv=KFold(3), scoring=_n_train, random_state=0).fit(X, y3)
    r = search.cv_results_
    promoted = r["rung"] > 0
    assert promoted.any() and np.isfinite(r["mean_test_score"][promoted]).all()
    assert np.isnan(r["mean_test_score"]).any() and search.best_params_["alpha"] <= 0.5


def test_parameter_resource_resumes_mid_bracket(tmp_path):
    path = tmp_path / "search.ckpt"

    def make(**kw):
        return HyperbandSearchCV(DecisionTreeClassifier(random_state=0), {"min_samples_leaf": (1, 20)}, n_iter=5,
                                 resource="max_depth", max_resources=9, cv=KFold(3), random_state=0, **kw)

    for _ in range(2):  # two rungs, paused in the middle of the first bracket
        paused = make(checkpoint=path, max_time=1e-9).fit(X, y)
    assert paused.n_iter_ == 2 and paused.cv_results_["rung"].tolist()[-1] == 1
    resumed, full = make(checkpoint=path).fit(X, y), make().fit(X, y)
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    np.testing.assert_array_equal(resumed.cv_results_["mean_test_score"], full.cv_results_["mean_test_score"])
    assert resumed.best_params_ == full.best_params_


@pytest.mark.parametrize("proposal", ["bayes", "random"])
def test_proposals_and_verbose(proposal, capsys):
    search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": (1, 30)}, n_iter=4,
                               min_resources=10, proposal=proposal, cv=KFold(3), verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "[HyperbandSearchCV] rung 1/4: 9/14 evaluated; best of this rung" in out
    assert search.strategy_.proposal == proposal and np.isfinite(search.best_score_)


def test_metadata_routing_indexes_the_sample_subsets():
    sklearn = pytest.importorskip("sklearn")

    class Weighted(Recorder):
        def fit(self, X, y, sample_weight=None):
            self.weight_sum_ = float(np.sum(sample_weight))
            return super().fit(X, y)

    def weight_sum(estimator, X, y):
        return estimator.weight_sum_

    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=90)
    cv = KFold(3)
    with sklearn.config_context(enable_metadata_routing=True):
        search = HyperbandSearchCV(Weighted().set_fit_request(sample_weight=True), {"alpha": (0.0, 1.0)},
                                   n_iter=4, min_resources=10, cv=cv, scoring=weight_sum,
                                   random_state=0).fit(X, y3, sample_weight=weights)
    r = search.cv_results_
    for k, (train, _) in enumerate(cv.split(X, y3)):
        full = r[f"split{k}_test_score"][r["n_resources"] == 90]
        np.testing.assert_allclose(full, weights[train].sum())
        low = r[f"split{k}_test_score"][r["n_resources"] == 10]
        assert (low < 0.3 * weights[train].sum()).all() and (low > 0).all()
