"""HyperbandSearchCV(continue_training=...): promoted candidates continue their fold models."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from hptune import HyperbandSearchCV
from hptune.checkpoint import CheckpointError

X, y = make_classification(n_samples=150, n_features=6, n_informative=4, random_state=0)

GB = GradientBoostingClassifier(n_estimators=27, max_depth=2, random_state=0)
GB_SPACE = {"learning_rate": (0.01, 1.0, "log-uniform"), "min_samples_leaf": (1, 20)}
SGD = SGDClassifier(max_iter=27, tol=None, shuffle=False, random_state=0)
SGD_SPACE = {"alpha": (1e-5, 1e-1, "log-uniform")}


def _search(estimator, space, resource, **kw):
    kw = {"n_iter": 3, "cv": KFold(3), "random_state": 0, **kw}
    return HyperbandSearchCV(estimator, space, resource=resource, **kw)


def _from_scratch(estimator, params):
    """Each row's candidate fitted from scratch at its resource, as GridSearchCV does."""
    return GridSearchCV(estimator, [{k: [v] for k, v in p.items()} for p in params], cv=KFold(3)).fit(X, y)


@pytest.mark.parametrize("estimator, space, resource", [
    (GB, GB_SPACE, "n_estimators"),  # warm_start adds trees
    (RandomForestClassifier(n_estimators=27, random_state=0), {"max_features": (0.2, 1.0)}, "n_estimators"),
    (HistGradientBoostingClassifier(max_iter=27, random_state=0), {"learning_rate": (0.01, 1.0, "log-uniform")},
     "max_iter"),  # warm_start adds boosting iterations
    (SGD, SGD_SPACE, "max_iter"),  # partial_fit passes
    (Pipeline([("scale", StandardScaler()), ("clf", SGD)]), {"clf__alpha": (1e-5, 1e-1, "log-uniform")},
     "clf__max_iter"),
])
def test_continued_candidates_score_as_a_fit_from_scratch(estimator, space, resource):
    search = _search(estimator, space, resource, return_train_score=True).fit(X, y)
    r = search.cv_results_
    assert search.continue_training_ and (r["rung"] > 0).sum() >= 5
    grid = _from_scratch(estimator, r["params"])
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_allclose(r[key], grid.cv_results_[key], rtol=0, atol=1e-12)
    refit = _search(estimator, space, resource, return_train_score=True, continue_training=False).fit(X, y)
    assert set(r) == set(refit.cv_results_)  # the same columns as the refit path


class CountingSGD(SGDClassifier):
    """SGDClassifier counting its partial_fit passes (sequential backend only)."""

    passes = []

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        CountingSGD.passes.append(1)
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


def test_budget_counts_only_the_extra_resource_of_a_continued_candidate():
    CountingSGD.passes.clear()
    estimator = CountingSGD(max_iter=27, tol=None, shuffle=False, random_state=0)
    search = _search(estimator, SGD_SPACE, "max_iter", n_iter=4).fit(X, y)
    r = search.cv_results_
    # Every pass trained is paid for, once: the extra passes of each rung only.
    assert len(CountingSGD.passes) == pytest.approx(search.strategy_.spent * 27 * 3)
    assert search.strategy_.spent <= 4
    plan = search.strategy_.plan_
    previous = [plan[b][1][k - 1][1] if k else 0 for b, k in zip(r["bracket"], r["rung"])]
    increments = r["n_resources"] - np.asarray(previous)
    assert increments.sum() / 27 == pytest.approx(search.strategy_.spent)
    assert increments.sum() < r["n_resources"].sum()
    # So the same budget examines more candidates than refitting every rung.
    refit = _search(SGD, SGD_SPACE, "max_iter", n_iter=4, continue_training=False).fit(X, y)
    assert refit.strategy_.spent <= 4 and len(r["params"]) > len(refit.cv_results_["params"])


def test_auto_refits_where_training_cannot_continue():
    tree = _search(DecisionTreeClassifier(random_state=0), {"min_samples_leaf": (1, 20)}, "max_depth",
                   max_resources=9).fit(X, y)
    samples = _search(GB, GB_SPACE, "n_samples", min_resources=30).fit(X, y)
    assert not tree.continue_training_ and not samples.continue_training_
    off = _search(GB, GB_SPACE, "n_estimators", continue_training=False).fit(X, y)
    assert not off.continue_training_


@pytest.mark.parametrize("estimator, space, resource, match", [
    (DecisionTreeClassifier(), {"min_samples_leaf": (1, 20)}, "max_depth",
     "DecisionTreeClassifier with resource='max_depth'.*not a count of trees or iterations"),
    (GB, GB_SPACE, "n_samples", "GradientBoostingClassifier with resource='n_samples'.*more samples"),
    (Pipeline([("scale", StandardScaler()), ("clf", SGD)]),
     {"scale__with_mean": [True, False], "clf__alpha": (1e-5, 1e-1)}, "clf__max_iter",
     "'scale__with_mean', which is not a parameter of the final step 'clf'"),
    (GB, {"warm_start": [True, False]}, "n_estimators", "sets warm_start itself"),
])
def test_continue_training_true_names_why_the_estimator_cannot(estimator, space, resource, match):
    kw = {"max_resources": 9} if resource != "n_samples" else {}
    search = _search(estimator, space, resource, continue_training=True, **kw)
    with pytest.raises(ValueError, match=f"continue_training=True.*{match}.*continue_training='auto' or False"):
        search.fit(X, y)


def test_continue_training_is_validated():
    with pytest.raises(ValueError, match="continue_training"):
        _search(GB, GB_SPACE, "n_estimators", continue_training="yes").fit(X, y)


def test_same_results_for_any_n_jobs():
    one = _search(GB, GB_SPACE, "n_estimators", n_jobs=1).fit(X, y)
    two = _search(GB, GB_SPACE, "n_estimators", n_jobs=2).fit(X, y)
    assert one.cv_results_["params"] == two.cv_results_["params"]
    np.testing.assert_array_equal(one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"])
    assert one.best_params_ == two.best_params_


@pytest.mark.parametrize("estimator, space, resource", [(GB, GB_SPACE, "n_estimators"), (SGD, SGD_SPACE, "max_iter")])
def test_resume_mid_bracket_rebuilds_the_continued_models(tmp_path, estimator, space, resource):
    path = tmp_path / "search.ckpt"
    for _ in range(2):  # two rungs, paused in the middle of the first bracket
        paused = _search(estimator, space, resource, checkpoint=path, max_time=1e-9).fit(X, y)
    assert paused.n_iter_ == 2 and paused.cv_results_["rung"].tolist()[-1] == 1
    resumed = _search(estimator, space, resource, checkpoint=path).fit(X, y)
    full = _search(estimator, space, resource).fit(X, y)
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    np.testing.assert_array_equal(resumed.cv_results_["mean_test_score"], full.cv_results_["mean_test_score"])
    assert resumed.best_params_ == full.best_params_
    # A finished search resumed again evaluates its last candidate once more, alike.
    again = _search(estimator, space, resource, checkpoint=path).fit(X, y)
    np.testing.assert_array_equal(again.cv_results_["mean_test_score"], full.cv_results_["mean_test_score"])


def test_checkpoint_of_another_continue_training_is_refused(tmp_path):
    path = tmp_path / "search.ckpt"
    _search(GB, GB_SPACE, "n_estimators", checkpoint=path, max_time=1e-9).fit(X, y)
    with pytest.raises(CheckpointError, match="continue_training"):
        _search(GB, GB_SPACE, "n_estimators", checkpoint=path, continue_training=False).fit(X, y)


def test_failed_continued_candidates_are_never_promoted():
    class FailsAbove(GradientBoostingClassifier):
        def fit(self, X, y, sample_weight=None, monitor=None):
            if self.learning_rate > 0.3:
                raise ValueError("learning_rate too high")
            return super().fit(X, y, sample_weight=sample_weight, monitor=monitor)

    estimator = FailsAbove(n_estimators=27, max_depth=2, random_state=0)
    with pytest.warns(FitFailedWarning), pytest.warns(UserWarning, match="non-finite"):
        search = _search(estimator, GB_SPACE, "n_estimators", n_iter=4).fit(X, y)
    r = search.cv_results_
    assert search.continue_training_ and np.isnan(r["mean_test_score"]).any()
    assert np.isfinite(r["mean_test_score"][r["rung"] > 0]).all()
    assert search.best_params_["learning_rate"] <= 0.3


def test_sklearn_callbacks_see_the_same_tasks_as_refitting():
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callback API")
    from tests.search.test_pbt_reliability import TaskRecorder

    seen = {}
    for continue_training in (True, False):
        recorder = TaskRecorder()
        search = _search(SGD, SGD_SPACE, "max_iter", n_iter=2, continue_training=continue_training)
        search.set_callbacks(recorder).fit(X, y)
        assert sorted(recorder.begun) == sorted(recorder.ended)
        n_fits = len(search.cv_results_["params"]) * 3
        assert recorder.begun.count("candidate-split-evaluation") == n_fits
        seen[continue_training] = set(recorder.begun)
    assert seen[True] == seen[False]


def test_warm_start_after_a_stop_rebuilds_the_continued_models():
    search = _search(GB, GB_SPACE, "n_estimators", warm_start=True)
    search.fit(X, y, callback=lambda state: state.iteration >= 2)  # stop mid-bracket
    assert search.cv_results_["rung"].tolist()[-1] == 1
    search.fit(X, y)
    full = _search(GB, GB_SPACE, "n_estimators").fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], full.cv_results_["mean_test_score"])
