"""Several objectives, Pareto fronts and the tie columns, for every search that has them."""

import re

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.model_selection import ShuffleSplit
from sklearn.tree import DecisionTreeClassifier

from hptune import PBTSearchCV
from tests import _searches

X, y = make_classification(n_samples=80, n_features=5, random_state=0)
SPACE = {"max_depth": (1, 8), "min_samples_leaf": (1, 20)}
MULTI = ["BayesSearchCV", "EvolutionSearchCV", "HyperbandSearchCV"]
NAMES = [name for name in MULTI if name in _searches.available()]


def neg_leaves(estimator, X, y):
    """A deterministic cost, as a scorer: minus the tree's number of leaves."""
    return -float(estimator.get_n_leaves())


SCORING = {"acc": "accuracy", "leaves": neg_leaves}


def _search(name, estimator=None, space=SPACE, **kwargs):
    estimator = DecisionTreeClassifier(random_state=0) if estimator is None else estimator
    params = {"scoring": SCORING, "refit": "acc", "objectives": ["acc", "leaves"], "cv": 3}
    params.update(kwargs)
    if name == "HyperbandSearchCV":
        # Several rungs, so that promotions by Pareto rank take place.
        params = {"n_iter": 4, "factor": 3, "min_resources": 20, **params}
    elif name == "BayesSearchCV":
        params = {"n_iter": 8, "n_initial_points": 3, **params}
    elif name == "EvolutionSearchCV":
        params = {"population_size": 4, "n_generations": 3, **params}
    return _searches.make(name, estimator, space, **params)


def _non_dominated(Y):
    """Brute force: rows of ``Y`` (maximised, all finite) that no other row dominates."""
    return [
        i for i in range(len(Y))
        if not any(np.all(Y[j] >= Y[i]) and np.any(Y[j] > Y[i]) for j in range(len(Y)))
    ]


@pytest.fixture(scope="module", params=NAMES)
def fitted(request):
    return _search(request.param).fit(X, y)


def test_front_is_exactly_the_non_dominated_candidates(fitted):
    results = fitted.cv_results_
    rows = np.arange(len(results["params"]))
    if "n_resources" in results:  # Hyperband: among the full-resource evaluations
        rows = np.flatnonzero(results["n_resources"] == np.max(results["n_resources"]))
    Y = np.stack([results["mean_test_acc"][rows], results["mean_test_leaves"][rows]], axis=1)
    assert fitted.pareto_front_.tolist() == rows[_non_dominated(Y)].tolist()
    assert np.all(results["pareto_rank"][fitted.pareto_front_] == 1)
    assert results["pareto_rank"].dtype == np.int32 and results["pareto_rank"].min() == 1


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_the_same_results(name):
    first, second = (_search(name).fit(X, y).cv_results_ for _ in range(2))
    assert first["params"] == second["params"]
    np.testing.assert_array_equal(first["pareto_rank"], second["pareto_rank"])
    np.testing.assert_array_equal(first["mean_test_acc"], second["mean_test_acc"])


@pytest.mark.parametrize("name", NAMES)
def test_strategy_is_told_every_objective(name):
    search = _search(name).fit(X, y)
    results = search.cv_results_
    told = search.strategy_.Y_
    expected = np.stack([results["mean_test_acc"], results["mean_test_leaves"]], axis=1)
    np.testing.assert_array_equal(told, expected)


@pytest.mark.parametrize("name", NAMES)
def test_times_are_minimised_and_failures_never_on_the_front(name):
    class Flaky(DecisionTreeClassifier):
        def fit(self, X, y, **kwargs):
            if self.max_depth == 1:  # some candidates fail
                raise ValueError("depth 1 refused")
            return super().fit(X, y, **kwargs)

    space = {"max_depth": [1, 2, 3, 4, 5], "min_samples_leaf": [1, 5]}
    kwargs = {"objectives": ["acc", "fit_time"], "error_score": np.nan}
    if name == "HyperbandSearchCV":
        kwargs["factor"] = 100  # one full-resource rung: every candidate is compared
    search = _search(name, Flaky(random_state=0), space, **kwargs)
    with pytest.warns(Warning):  # scikit-learn's and hptune's failure warnings
        search.fit(X, y)
    results = search.cv_results_
    failed = np.isnan(results["mean_test_acc"])
    assert failed.any() and not failed.all()
    assert not set(np.flatnonzero(failed)) & set(search.pareto_front_.tolist())
    assert np.isnan(results["pvalue_best_acc"][failed]).all()
    ok = np.flatnonzero(~failed)
    Y = np.stack([results["mean_test_acc"][ok], -results["mean_fit_time"][ok]], axis=1)
    assert sorted(search.pareto_front_.tolist()) == ok[_non_dominated(Y)].tolist()


# -- the tie columns ---------------------------------------------------------------------------
def _corrected_pvalues(S, n_train, n_test):
    """The corrected resampled t-test, written out row by row (Nadeau and Bengio, 2003)."""
    means = S.mean(axis=1)
    best = int(np.argmax(means))
    k = S.shape[1]
    out = []
    for row in S:
        d = S[best] - row
        if np.all(d == d[0]):
            out.append(1.0 if d[0] <= 0 else 0.0)
            continue
        t = d.mean() / np.sqrt((1 / k + n_test / n_train) * np.var(d, ddof=1))
        out.append(1 - stats.t.cdf(t, k - 1))
    return np.array(out)


@pytest.mark.parametrize("name", _searches.available())
def test_pvalue_columns_match_the_corrected_t_test_on_the_fit_splits(name):
    from sklearn.linear_model import LogisticRegression

    cv = ShuffleSplit(n_splits=4, test_size=0.25, random_state=0)
    search = _searches.make(
        name, LogisticRegression(), {"C": (1e-3, 1e2, "log-uniform")}, cv=cv,
        scoring=["accuracy", "balanced_accuracy"], refit="accuracy",
    ).fit(X, y)
    results = search.cv_results_
    for metric in ("accuracy", "balanced_accuracy"):
        S = np.stack([results[f"split{i}_test_{metric}"] for i in range(4)], axis=1)
        # PBTSearchCV does not keep its splits: it takes them for k folds.
        n_train, n_test = (3, 1) if name == "PBTSearchCV" else (60, 20)
        np.testing.assert_allclose(
            results[f"pvalue_best_{metric}"], _corrected_pvalues(S, n_train, n_test), atol=1e-12
        )


def test_pvalue_column_is_nan_with_one_split():
    from sklearn.model_selection import PredefinedSplit

    search = _searches.make(
        "BayesSearchCV", DecisionTreeClassifier(random_state=0), SPACE,
        cv=PredefinedSplit(np.r_[np.zeros(20), -np.ones(60)]),
    ).fit(X, y)
    assert np.isnan(search.cv_results_["pvalue_best_score"]).all()


def test_pbt_has_no_objectives():
    # Exploitation copies the best member; a population ranked by one score.
    assert "objectives" not in PBTSearchCV(DecisionTreeClassifier(), SPACE).get_params()


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (
            {"objectives": ["acc", "nope"]}, ValueError,
            "The 'objectives' parameter of {name} must be a list of scorer names of 'scoring' "
            "('acc', 'leaves'), 'fit_time' or 'score_time'. Got 'nope' in ['acc', 'nope'] instead.",
        ),
        (
            {"objectives": ["acc"]}, ValueError,
            "The 'objectives' parameter of {name} must name at least two different objectives, "
            "each once. Got ['acc'] instead;",
        ),
        (
            {"objectives": ["acc", "fit_time", "acc"]}, ValueError,
            "Got ['acc', 'fit_time', 'acc'] instead;",
        ),
        (
            {"objectives": "acc"}, ValueError,
            "The 'objectives' parameter of {name} must be an instance of 'list' or None. "
            "Got 'acc' instead.",
        ),
        (
            {"scoring": None, "refit": True, "objectives": ["accuracy", "fit_time"]}, ValueError,
            "must be a list of scorer names of 'scoring' ('score'), 'fit_time' or 'score_time'. "
            "Got 'accuracy' in ['accuracy', 'fit_time'] instead.",
        ),
        (
            {"refit": True}, ValueError,
            "For multi-metric scoring, the parameter refit must be set to a scorer key",
        ),
    ],
)
def test_objectives_errors(name, kwargs, err, match):
    with pytest.raises(err, match=re.escape(match.format(name=name))):
        _search(name, **kwargs).fit(X, y)


@pytest.mark.parametrize("name", ["BayesSearchCV", "EvolutionSearchCV"])
def test_sub_spaces_with_objectives_are_refused(name):
    search = _searches.make(
        name, DecisionTreeClassifier(), [SPACE, {"max_depth": [2], "min_samples_split": (2, 40)}], scoring=SCORING,
        refit="acc", objectives=["acc", "leaves"],
    )
    msg = f"{name} does not search a list of sub-spaces with several objectives yet; got 2"
    with pytest.raises(ValueError, match=re.escape(msg)):
        search.fit(X, y)


def test_hyperband_searches_sub_spaces_with_objectives():
    search = _search("HyperbandSearchCV", space=[SPACE, {"max_depth": [2], "min_samples_split": (2, 40)}]).fit(X, y)
    assert len(search.pareto_front_) >= 1


def test_single_metric_score_is_an_objective():
    search = _searches.make(
        "EvolutionSearchCV", DecisionTreeClassifier(random_state=0), SPACE,
        objectives=["score", "score_time"],
    ).fit(X, y)
    assert search.strategy_.Y_[:, 0].tolist() == search.cv_results_["mean_test_score"].tolist()


@pytest.mark.parametrize("name", NAMES)
def test_paused_search_resumes_with_its_objectives(tmp_path, name):
    path = tmp_path / "search.ckpt"
    for _ in range(2):  # max_time pauses after every iteration
        _search(name, checkpoint=path, max_time=1e-9).fit(X, y)
    resumed = _search(name, checkpoint=path).fit(X, y)
    full = _search(name).fit(X, y)
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    np.testing.assert_array_equal(resumed.cv_results_["pareto_rank"], full.cv_results_["pareto_rank"])
    np.testing.assert_array_equal(resumed.pareto_front_, full.pareto_front_)
    np.testing.assert_array_equal(resumed.strategy_.Y_, full.strategy_.Y_)


def test_objectives_of_a_callable_scoring_are_checked_on_its_results():
    def scorer(estimator, X, y):
        return {"acc": float(np.mean(estimator.predict(X) == y)), "leaves": neg_leaves(estimator, X, y)}

    search = _search("EvolutionSearchCV", scoring=scorer).fit(X, y)
    assert len(search.pareto_front_) >= 1
    msg = "Unknown objective 'nope' of EvolutionSearchCV: cv_results has no 'mean_test_nope' column."
    with pytest.raises(ValueError, match=re.escape(msg)):
        _search("EvolutionSearchCV", scoring=scorer, objectives=["acc", "nope"]).fit(X, y)


def test_bayes_search_uses_ehvi_for_two_objectives_and_parego_for_three():
    from hptune.strategies._multiobjective import ParEGOOptimizer
    from hptune.strategies._multiobjective_ehvi import EHVIOptimizer

    two = _search("BayesSearchCV").fit(X, y)
    assert type(two.strategy_) is EHVIOptimizer
    three = _search("BayesSearchCV", objectives=["acc", "leaves", "fit_time"]).fit(X, y)
    assert type(three.strategy_) is ParEGOOptimizer
    # The same candidates whatever the number of workers.
    parallel = _search("BayesSearchCV", n_jobs=2).fit(X, y)
    assert parallel.cv_results_["params"] == two.cv_results_["params"]
