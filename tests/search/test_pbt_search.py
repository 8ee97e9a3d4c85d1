"""Tests of PBTSearchCV: results, replay, determinism, errors, scikit-learn API."""

import pickle

import re
import warnings

import numpy as np
import pytest
import sklearn
from joblib import parallel_backend
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.cluster import MiniBatchKMeans
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, KFold, ShuffleSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_param_validation

from hptune.exceptions import RefitWarning
from hptune.search._pbt_search import PBTSearchCV

X, y = make_classification(n_samples=60, n_features=6, random_state=0)
SPACE = {"alpha": (1e-5, 1e-1, "log-uniform"), "eta0": (1e-3, 1.0, "log-uniform")}


def _sgd():
    # eta0 is explicit: its default changed in scikit-learn 1.8 (0.0 before).
    return SGDClassifier(learning_rate="constant", eta0=0.01, random_state=0)


def _search(estimator=None, space=None, **kwargs):
    params = dict(population_size=4, n_steps=3, cv=3, random_state=0, perturbation_interval=1)
    params.update(kwargs)
    estimator = _sgd() if estimator is None else estimator
    return PBTSearchCV(estimator, SPACE if space is None else space, **params)


@pytest.fixture(scope="module")
def fitted():
    return _search(quantile_fraction=0.5).fit(X, y)


# -- results ----------------------------------------------------------------------
def test_cv_results_follow_grid_search_schema(fitted):
    grid = GridSearchCV(_sgd(), {"alpha": [1e-4], "eta0": [0.1]}, cv=3).fit(X, y)
    extra = {"member", "budget", "pvalue_best_score"}
    assert set(fitted.cv_results_) == set(grid.cv_results_) | extra
    assert fitted.cv_results_["member"].tolist() == [0, 1, 2, 3]
    assert fitted.cv_results_["budget"].tolist() == [3] * 4
    assert fitted.n_splits_ == 3 and fitted.n_steps_ == 3 and fitted.resource_ == "partial_fit"
    assert fitted.best_score_ == fitted.cv_results_["mean_test_score"][fitted.best_index_]
    assert fitted.best_params_ == fitted.cv_results_["params"][fitted.best_index_]
    assert fitted.refit_time_ > 0 and callable(fitted.scorer_) and not fitted.multimetric_


def test_history_and_final_rows_agree(fitted):
    history = fitted.pbt_history_
    assert len(history["step"]) == 4 * 3 and len(history["params"]) == 12
    last = history["step"] == 2
    np.testing.assert_allclose(
        history["mean_test_score"][last], fitted.cv_results_["mean_test_score"]
    )
    assert [history["params"][i] for i in np.flatnonzero(last)] == fitted.cv_results_["params"]
    assert history["budget"].tolist() == [1] * 4 + [2] * 4 + [3] * 4
    # Every exploit shows up as a row whose parent differs from the member.
    assert np.any(history["parent"] != history["member"])


def test_best_schedule_follows_the_winners_lineage(fitted):
    schedule = fitted.best_schedule_
    assert [e["step"] for e in schedule] == [0, 1, 2]
    assert [e["budget"] for e in schedule] == [1, 2, 3]
    assert schedule[-1]["member"] == fitted.best_index_
    assert schedule[-1]["params"] == fitted.best_params_
    history = fitted.pbt_history_
    for entry in schedule:
        at = (history["step"] == entry["step"]) & (history["member"] == entry["member"])
        row = np.flatnonzero(at)
        assert history["params"][row[0]] == entry["params"]


def test_refit_replays_the_schedule(fitted):
    model = clone(fitted.estimator)
    for step, entry in enumerate(fitted.best_schedule_):
        model.set_params(**entry["params"])
        model.partial_fit(X, y, **({"classes": np.unique(y)} if step == 0 else {}))
    np.testing.assert_array_equal(model.coef_, fitted.best_estimator_.coef_)
    np.testing.assert_array_equal(fitted.predict(X), model.predict(X))


def test_exploited_members_continue_from_copied_models():
    # With n_steps=2 and exploit after step 1, a replaced member's step-2 models
    # continue from its parent's: its schedule starts with the parent's params.
    search = _search(n_steps=2, quantile_fraction=0.5).fit(X, y)
    history = search.pbt_history_
    replaced = np.flatnonzero((history["step"] == 1) & (history["parent"] != history["member"]))
    assert len(replaced)
    member, parent = history["member"][replaced[0]], history["parent"][replaced[0]]
    schedule = search.scheduler_.schedule(int(member))
    assert schedule[0]["member"] == parent
    assert schedule[0]["params"] == history["params"][parent]


# -- determinism ----------------------------------------------------------------
def _signature(search):
    return (
        search.pbt_history_["params"],
        search.pbt_history_["mean_test_score"].tolist(),
        search.pbt_history_["parent"].tolist(),
        search.best_estimator_.coef_.tolist(),
    )


def test_same_result_for_n_jobs_and_backends(fitted):
    expected = _signature(fitted)
    assert _signature(_search(quantile_fraction=0.5, n_jobs=2).fit(X, y)) == expected
    with parallel_backend("threading", n_jobs=2):
        assert _signature(_search(quantile_fraction=0.5).fit(X, y)) == expected


def test_bandit_explore_is_deterministic_across_n_jobs():
    def run(**kwargs):
        return _search(explore="bandit", population_size=6, n_steps=4, **kwargs).fit(X, y)

    search = run()
    assert _signature(run(n_jobs=2)) == _signature(search)
    history = search.pbt_history_
    replaced = np.flatnonzero(history["parent"] != history["member"])
    assert len(replaced)  # exploit happened, and explore chose inside the space
    assert all(1e-5 <= p["alpha"] <= 1e-1 and 1e-3 <= p["eta0"] <= 1.0 for p in history["params"])


def test_random_state_changes_the_population(fitted):
    other = _search(quantile_fraction=0.5, random_state=1).fit(X, y)
    assert other.pbt_history_["params"] != fitted.pbt_history_["params"]


def test_randomised_splitter_is_split_once():
    # No seed: new splits on every call, drawn from numpy's global generator,
    # which is seeded here so that the test sees the same splits on every run
    # (on 60 samples, an unlucky draw gives a refit one sample behind the
    # folds, and a RefitWarning).
    np.random.seed(0)
    cv = ShuffleSplit(n_splits=2, test_size=0.3)
    search = _search(cv=cv, n_steps=2).fit(X, y)
    assert search.n_splits_ == 2 and np.isfinite(search.cv_results_["mean_test_score"]).all()


# -- resources and estimators ----------------------------------------------------------
def test_partial_fit_pipeline_fits_leading_steps_once_per_fold():
    pipe = make_pipeline(StandardScaler(), _sgd())
    space = {"sgdclassifier__alpha": (1e-5, 1e-1, "log-uniform")}
    search = _search(pipe, space).fit(X * 10 + 3, y)
    best = search.best_estimator_
    np.testing.assert_allclose(best[0].mean_, (X * 10 + 3).mean(axis=0))
    assert search.best_params_.keys() == {"sgdclassifier__alpha"}
    model = make_pipeline(StandardScaler(), _sgd())
    Xt = model[0].fit_transform(X * 10 + 3)
    for step, entry in enumerate(search.best_schedule_):
        model[-1].set_params(alpha=entry["params"]["sgdclassifier__alpha"])
        model[-1].partial_fit(Xt, y, **({"classes": np.unique(y)} if step == 0 else {}))
    np.testing.assert_array_equal(model[-1].coef_, best[-1].coef_)


def test_warm_start_pipeline_grows_the_resource_and_restores_warm_start():
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(random_state=0))
    space = {"randomforestclassifier__max_features": (0.2, 1.0)}
    search = _search(
        pipe, space, resource="randomforestclassifier__n_estimators", step_size=2, n_steps=3
    ).fit(X, y)
    forest = search.best_estimator_[-1]
    assert search.resource_ == "n_estimators"
    assert forest.n_estimators == 6 and len(forest.estimators_) == 6
    assert forest.warm_start is False
    assert search.cv_results_["budget"].tolist() == [6] * 4
    # Trees grown at different steps use the schedule's max_features.
    used = [tree.max_features for tree in forest.estimators_]
    expected = [e["params"]["randomforestclassifier__max_features"] for e in search.best_schedule_]
    assert used == [v for v in expected for _ in range(2)]


def test_max_resources_sets_the_number_of_steps():
    search = _search(max_resources=7, step_size=2, n_steps=None).fit(X, y)
    assert search.n_steps_ == 3 and search.cv_results_["budget"][0] == 6


def test_auto_resource_prefers_partial_fit_then_warm_start():
    forest = _search(RandomForestClassifier(n_estimators=1, random_state=0),
                     {"max_depth": (1, 4)}, n_steps=2).fit(X, y)
    assert forest.resource_ == "n_estimators"
    assert _search(n_steps=1).fit(X, y).resource_ == "partial_fit"


def test_unsupervised_partial_fit():
    search = _search(
        MiniBatchKMeans(n_clusters=3, n_init=1, random_state=0),
        {"reassignment_ratio": (1e-3, 1e-1, "log-uniform")},
        population_size=2, cv=2, n_steps=1,
    ).fit(X)
    assert search.best_estimator_.cluster_centers_.shape == (3, 6)


def test_sample_weight_is_split_and_passed_to_partial_fit():
    weights = np.where(y == 1, 5.0, 1.0)
    weighted = _search(n_steps=2).fit(X, y, sample_weight=weights)
    plain = _search(n_steps=2).fit(X, y)
    assert not np.allclose(weighted.best_estimator_.coef_, plain.best_estimator_.coef_)


def test_multimetric_refit_by_name_and_history_columns():
    search = _search(scoring=["accuracy", "f1"], refit="f1", n_steps=2).fit(X, y)
    assert search.multimetric_ and set(search.scorer_) == {"accuracy", "f1"}
    assert search.best_score_ == search.cv_results_["mean_test_f1"][search.best_index_]
    assert {"mean_test_accuracy", "std_test_f1"} <= set(search.pbt_history_)
    no_refit = _search(scoring=["accuracy", "f1"], refit=False, n_steps=2).fit(X, y)
    assert not hasattr(no_refit, "best_index_") and not hasattr(no_refit, "best_estimator_")


def test_callable_scoring_and_refit_and_train_scores():
    def scoring(estimator, X_, y_):
        return {"acc": estimator.score(X_, y_), "zero": 0.0}

    search = _search(
        scoring=scoring, refit=lambda results: 0, return_train_score=True, n_steps=2
    ).fit(X, y)
    assert search.best_index_ == 0 and not hasattr(search, "best_score_")
    assert {"mean_train_acc", "mean_test_zero"} <= set(search.cv_results_)
    assert "mean_train_acc" in search.pbt_history_


def test_verbose_prints_each_step(capsys):
    _search(verbose=2, quantile_fraction=0.5).fit(X, y)
    out = capsys.readouterr().out
    assert "step 1/3" in out and "step 3/3" in out and "<- member" in out


def test_feature_names_and_drop_in_use():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    search = _search(n_steps=2).fit(frame, y)
    assert search.feature_names_in_.tolist() == list(frame.columns)
    scores = cross_val_score(_search(n_steps=1, cv=2), X, y, cv=KFold(2))
    assert scores.shape == (2,)


def test_clone_and_pickle(fitted):
    cloned = clone(fitted)
    assert cloned.get_params()["population_size"] == 4 and not hasattr(cloned, "cv_results_")
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert restored.best_schedule_ == fitted.best_schedule_


# -- failures -------------------------------------------------------------------
class FlakyClassifier(ClassifierMixin, BaseEstimator):
    """SGD behind partial_fit, failing whenever ``fail`` is True."""

    def __init__(self, alpha=1e-4, fail=False):
        self.alpha = alpha
        self.fail = fail

    def partial_fit(self, X, y, classes=None):
        if self.fail:
            raise ValueError("flaky failure")
        if not hasattr(self, "sgd_"):
            self.sgd_ = SGDClassifier(random_state=0)
        self.sgd_.set_params(alpha=self.alpha).partial_fit(X, y, classes=classes)
        self.classes_ = self.sgd_.classes_
        return self

    def fit(self, X, y):
        return self.partial_fit(X, y, classes=np.unique(y))

    def predict(self, X):
        return self.sgd_.predict(X)


FLAKY_SPACE = {"alpha": (1e-5, 1e-1, "log-uniform"), "fail": [False, True]}


@pytest.mark.parametrize("interval", [1, 2])
def test_failed_members_rank_last_and_are_replaced(interval):
    search = _search(
        FlakyClassifier(), FLAKY_SPACE, quantile_fraction=0.5, resample_probability=0.0,
        perturbation_interval=interval, n_steps=3,
    )
    with pytest.warns(FitFailedWarning, match="fits failed out of a total of") as caught:
        search.fit(X, y)
    history = search.pbt_history_
    # The report adds up to the NaN fold scores: fits that raised, and pairs
    # not trained because their model had failed (listed with that reason).
    n_failed, n_total = map(int, re.search(r"(\d+) fits failed out of a total of (\d+)",
                                           str(caught[0].message)).groups())
    assert n_total == 3 * search.population_size * search.n_splits_
    assert n_failed == search.n_splits_ * np.isnan(history["mean_test_score"]).sum()
    if interval == 2:
        assert "Not trained: an earlier step of this member failed" in str(caught[0].message)
    first_failures = np.isnan(history["mean_test_score"][history["step"] == 0])
    assert first_failures.sum() == 2  # the Sobol design splits True/False evenly
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert all(not params["fail"] for params in search.cv_results_["params"])
    if interval == 2:  # failed members wait, untrained, until the exploit round
        assert np.isnan(history["mean_test_score"][history["step"] == 1]).sum() == 2


class DivergesOnLargeBatches(ClassifierMixin, BaseEstimator):
    """SGD that, like a learning rate at the edge of stability, blows up with more data.

    ``partial_fit`` on more than ``limit`` samples destroys the model (it then
    predicts one class), so the folds train well but the replay on the whole
    data does not: the situation the refit check exists for.
    """

    def __init__(self, alpha=1e-4, limit=50):
        self.alpha = alpha
        self.limit = limit

    def partial_fit(self, X, y, classes=None):
        if not hasattr(self, "sgd_"):
            self.sgd_ = SGDClassifier(random_state=0)
        self.sgd_.set_params(alpha=self.alpha).partial_fit(X, y, classes=classes)
        self.classes_ = self.sgd_.classes_
        self.diverged_ = getattr(self, "diverged_", False) or len(X) > self.limit
        return self

    def fit(self, X, y):
        return self.partial_fit(X, y, classes=np.unique(y))

    def predict(self, X):
        if self.diverged_:
            return np.full(len(X), self.classes_[0])
        return self.sgd_.predict(X)


def test_refit_that_trains_worse_than_the_folds_warns():
    search = _search(DivergesOnLargeBatches(), {"alpha": (1e-5, 1e-1, "log-uniform")})
    with pytest.warns(RefitWarning, match=r"scores 0\.\d+ \('score'\) on the CV test folds"):
        search.fit(X, y)
    assert search.best_score_ > 0.7  # the folds (40 samples each) trained normally
    # With a limit above the data size, the same search refits without a warning.
    _search(DivergesOnLargeBatches(limit=1000), {"alpha": (1e-5, 1e-1, "log-uniform")}).fit(X, y)


def test_error_score_raise_and_all_failures():
    with pytest.raises(ValueError, match="flaky failure"):
        _search(FlakyClassifier(fail=True), {"alpha": (1e-5, 1e-1, "log-uniform")},
                error_score="raise").fit(X, y)
    with pytest.raises(ValueError, match="All the 12 fits failed"):
        _search(FlakyClassifier(fail=True), {"alpha": (1e-5, 1e-1, "log-uniform")}).fit(X, y)


def test_param_validation():
    check_param_validation("PBTSearchCV", _search())


@pytest.mark.parametrize("routing", [False, True])
def test_fit_params_reach_pipeline_steps(routing):
    weights = np.where(y == 1, 5.0, 1.0)
    space = {"sgdclassifier__alpha": (1e-5, 1e-1, "log-uniform")}
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            pipe = make_pipeline(
                StandardScaler().set_fit_request(sample_weight=True),
                _sgd().set_fit_request(sample_weight=True),
            )
            scoring = get_scorer("accuracy").set_score_request(sample_weight=True)
            params = {"sample_weight": weights}
        else:
            pipe, scoring = make_pipeline(StandardScaler(), _sgd()), None
            params = {
                "standardscaler__sample_weight": weights,
                "sgdclassifier__sample_weight": weights,
            }
        search = _search(pipe, space, scoring=scoring, n_steps=1, cv=2).fit(X, y, **params)
    expected = StandardScaler().fit(X, sample_weight=weights).mean_
    np.testing.assert_allclose(search.best_estimator_[0].mean_, expected)


def test_convergence_warnings_stay_inside_the_threading_backend():
    # Every warm fit of LogisticRegression stops at max_iter=1 and warns; the
    # steps run in two threads at once, and none of the warnings may escape
    # (pytest turns them into errors) nor the filter outlive the fit.
    filters = list(warnings.filters)
    search = _search(
        LogisticRegression(max_iter=1), {"C": (0.01, 10.0, "log-uniform")}, resource="max_iter",
        population_size=6, n_steps=4, error_score="raise",
    )
    with parallel_backend("threading", n_jobs=2):
        search.fit(X, y)
    assert np.isfinite(search.pbt_history_["mean_test_score"]).all()
    assert list(warnings.filters) == filters
