"""hptune searches behave like GridSearchCV/RandomizedSearchCV.

Every comparison re-evaluates the candidates an hptune search chose with
GridSearchCV on the same folds and checks scikit-learn's own output against
hptune's, rather than hand-written expectations.
"""

import pickle

import numpy as np
from scipy.stats import rankdata
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, SGDRegressor
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import _searches

SEARCHES = _searches.available()
X, y = make_classification(n_samples=60, n_features=5, random_state=0)
C_SPACE = {"C": (1e-2, 1e2, "log-uniform")}
# hptune's extra columns: the iteration (and Hyperband's bracket, rung and
# resource) of each candidate, and scikit-optimize's
# rank of the train scores (with return_train_score); the p-values against
# the best candidate, one column per metric, are the pvalue_best_* keys.
EXTRA_COLUMNS = {"iter", "generation", "member", "budget", "bracket", "rung", "n_resources",
                 "rank_train_score"}
# PBTSearchCV's scores come from models trained on a hyperparameter schedule,
# so GridSearchCV on the final hyperparameters checks its schema, not values.
SCHEDULED = {"PBTSearchCV"}


def _grid_for(search, estimator=None, **kwargs):
    """GridSearchCV over exactly the candidates ``search`` evaluated."""
    grid = [{k: [v] for k, v in p.items()} for p in search.cv_results_["params"]]
    params = dict(cv=search.cv, scoring=search.scoring, refit=search.refit)
    params.update(kwargs)
    return GridSearchCV(estimator or clone(search.estimator), grid, **params)


def _assert_same_results(ours, theirs, values=True):
    """Same keys (besides hptune's extra columns), dtypes and values."""
    assert {k for k in ours if not k.startswith("pvalue_best_")} - EXTRA_COLUMNS == set(theirs)
    for key, value in theirs.items():
        mine = ours[key]
        if key.endswith("_time") or (not values and key != "params"):
            assert mine.dtype == value.dtype, key
        elif key == "params":
            assert mine == value
        elif key.startswith("param_"):
            assert isinstance(mine, np.ma.MaskedArray) and mine.dtype == value.dtype, key
            np.testing.assert_array_equal(np.ma.getmaskarray(mine), np.ma.getmaskarray(value))
            assert list(mine.compressed()) == list(value.compressed()), key
        else:
            assert mine.dtype == value.dtype, key
            np.testing.assert_allclose(mine, value, err_msg=key)


@pytest.mark.parametrize("name", SEARCHES)
@pytest.mark.parametrize(
    "scoring, refit",
    [
        (None, True),
        ("balanced_accuracy", True),
        (make_scorer(accuracy_score), True),
        (["accuracy", "neg_log_loss"], "neg_log_loss"),
        ({"acc": "accuracy", "ll": "neg_log_loss"}, False),
    ],
)
def test_cv_results_match_gridsearch(name, scoring, refit):
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    search = _searches.make(name, LogisticRegression(), C_SPACE, cv=cv, scoring=scoring, refit=refit)
    search.fit(X, y)
    grid = _grid_for(search).fit(X, y)
    _assert_same_results(search.cv_results_, grid.cv_results_, values=name not in SCHEDULED)
    if refit and name not in SCHEDULED:
        assert search.best_params_ == grid.best_params_
        np.testing.assert_allclose(search.best_score_, grid.best_score_)


@pytest.mark.parametrize("name", SEARCHES)
def test_train_scores_and_callable_refit(name):
    def refit(results):
        return int(np.argmax(results["mean_test_score"]))

    search = _searches.make(name, LogisticRegression(), C_SPACE, cv=KFold(2), return_train_score=True, refit=refit)
    search.fit(X, y)
    grid = _grid_for(search, return_train_score=True).fit(X, y)
    _assert_same_results(search.cv_results_, grid.cv_results_, values=name not in SCHEDULED)
    assert search.best_index_ == refit(search.cv_results_) and not hasattr(search, "best_score_")


@pytest.mark.parametrize("name", SEARCHES)
def test_pandas_dataframe_of_results(name):
    pd = pytest.importorskip("pandas")
    search = _searches.make(name, LogisticRegression(), C_SPACE).fit(X, y)
    frame = pd.DataFrame(search.cv_results_)
    assert len(frame) == len(search.cv_results_["params"]) and "rank_test_score" in frame


@pytest.mark.parametrize("name", SEARCHES)
def test_pipeline_inside_search_with_step_values(name):
    pipe = Pipeline([("scale", StandardScaler()), ("reduce", PCA(2)), ("clf", LogisticRegression())])
    space = {
        "scale": [StandardScaler(), "passthrough"],
        "reduce": ["passthrough", PCA(2)],
        "clf": [LogisticRegression(), LogisticRegression(fit_intercept=False)],
    }
    search = _searches.make(name, pipe, {**space, "clf": space["clf"] + [DecisionTreeClassifier(random_state=0)]}, cv=KFold(2))
    if name in SCHEDULED:
        # PBT fits the leading steps once per fold and trains only the final
        # step incrementally, so whole steps cannot be searched: a clear error.
        with pytest.raises(ValueError, match="only the final estimator's parameters can be searched"):
            search.fit(X, y)
        return
    search.fit(X, y)
    grid = _grid_for(search).fit(X, y)
    _assert_same_results(search.cv_results_, grid.cv_results_, values=name not in SCHEDULED)
    assert isinstance(search.best_estimator_, Pipeline)


@pytest.mark.parametrize("name", SEARCHES)
def test_search_inside_pipeline_and_nested_cv(name):
    search = _searches.make(name, LogisticRegression(), C_SPACE)
    pipe = make_pipeline(StandardScaler(), search)
    assert pipe.fit(X, y).predict(X).shape == (60,)
    scores = cross_val_score(search, X, y, cv=2)
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
    out = cross_validate(search, X, y, cv=2, return_estimator=True)
    assert all(hasattr(est, "best_params_") for est in out["estimator"])


@pytest.mark.parametrize("name", SEARCHES)
def test_clone_set_params_and_pickle(name):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    search = _searches.make(name, pipe, {"clf__C": (1e-2, 1e2, "log-uniform")})
    search.set_params(estimator__clf__max_iter=50)
    assert clone(search).get_params()["estimator__clf__max_iter"] == 50
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert restored.cv_results_["params"] == search.cv_results_["params"]


@pytest.mark.parametrize("name", SEARCHES)
def test_delegation_like_gridsearch(name):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    search = _searches.make(name, LogisticRegression(), C_SPACE).fit(frame, y)
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        expected = getattr(search.best_estimator_, method)(frame)
        np.testing.assert_allclose(getattr(search, method)(frame), expected)
    assert search.score(frame, y) == search.scorer_(search.best_estimator_, frame, y)
    np.testing.assert_array_equal(search.classes_, [0, 1])
    assert search.n_features_in_ == 5 and list(search.feature_names_in_) == list(frame.columns)
    assert "<div" in search._repr_html_()
    kmeans = MiniBatchKMeans(n_clusters=3, n_init=1, random_state=0)
    clusters = _searches.make(name, kmeans, {"tol": (1e-5, 1e-2, "log-uniform")}).fit(X)
    np.testing.assert_allclose(clusters.transform(X), clusters.best_estimator_.transform(X))
    assert not hasattr(search, "transform")


@pytest.mark.parametrize("name", SEARCHES)
def test_regressor_search(name):
    Xr, yr = make_regression(n_samples=60, n_features=4, random_state=0)
    sgd = SGDRegressor(random_state=0)
    search = _searches.make(name, sgd, {"alpha": (1e-6, 1e-1, "log-uniform")}, cv=KFold(2)).fit(Xr, yr)
    grid = _grid_for(search).fit(Xr, yr)
    _assert_same_results(search.cv_results_, grid.cv_results_, values=name not in SCHEDULED)


@pytest.mark.parametrize("name", SEARCHES)
def test_metadata_routing_matches_gridsearch(name):
    rng = np.random.RandomState(0)
    weights, groups = rng.uniform(0.5, 2.0, size=60), np.repeat(np.arange(6), 10)
    with sklearn.config_context(enable_metadata_routing=True):
        est = LogisticRegression().set_fit_request(sample_weight=True)
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        search = _searches.make(name, est, C_SPACE, cv=GroupKFold(3), scoring=scorer)
        search.fit(X, y, sample_weight=weights, groups=groups)
        grid = _grid_for(search).fit(X, y, sample_weight=weights, groups=groups)
        unweighted = _grid_for(search, scoring="accuracy").fit(X, y, groups=groups)
    _assert_same_results(search.cv_results_, grid.cv_results_, values=name not in SCHEDULED)
    assert not np.allclose(grid.cv_results_["mean_test_score"], unweighted.cv_results_["mean_test_score"])


@pytest.mark.parametrize("name", SEARCHES)
def test_legacy_groups_without_routing(name):
    groups = np.repeat(np.arange(6), 10)
    search = _searches.make(name, LogisticRegression(), C_SPACE, cv=GroupKFold(3)).fit(X, y, groups=groups)
    grid = _grid_for(search).fit(X, y, groups=groups)
    _assert_same_results(search.cv_results_, grid.cv_results_, values=name not in SCHEDULED)


@pytest.mark.parametrize("name", SEARCHES)
def test_verbose_prints_like_gridsearch(name, capsys):
    _searches.make(name, LogisticRegression(), C_SPACE, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    # PBTSearchCV trains members step by step and says so in its own words.
    expected = f"[{name}] Training 4 members on 2 folds" if name in SCHEDULED else "Fitting 2 folds for each of"
    assert expected in out
    # Every search: one progress line per iteration, with the best so far.
    word = {"BayesSearchCV": "batch", "EvolutionSearchCV": "generation", "PBTSearchCV": "step",
            "HyperbandSearchCV": "rung"}[name]
    lines = [line for line in out.splitlines() if line.startswith(f"[{name}] {word} ")]
    assert lines and all("evaluated; best of this" in line and "best so far" in line for line in lines)
    assert lines[-1].startswith(f"[{name}] {word} {len(lines)}/{len(lines)}: ")


@pytest.mark.parametrize("name", SEARCHES)
def test_sklearn_progress_bar_callback(name):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = _searches.make(name, LogisticRegression(), C_SPACE)
    search.set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    assert len(search.cv_results_["params"]) >= 2


@pytest.mark.parametrize("name", SEARCHES)
def test_train_scores_are_ranked_as_in_scikit_optimize(name):
    search = _searches.make(name, LogisticRegression(), C_SPACE, return_train_score=True).fit(X, y)
    results = search.cv_results_
    expected = rankdata(-np.asarray(results["mean_train_score"]), method="min")
    np.testing.assert_array_equal(results["rank_train_score"], expected)
