"""Searches over a list of dicts: one strategy over every sub-space.

BayesSearchCV and EvolutionSearchCV search conditional sub-spaces as one
(budget flowing between them, exhausted sub-spaces handing theirs on); this
file checks the rules at the level of the searches: budgets, early ends,
scikit-learn's callbacks and checkpoints.
"""

import re

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from hptune import BayesSearchCV, PBTSearchCV
from hptune.exceptions import ExhaustedSpaceWarning
from hptune.search._evolution_search import EvolutionSearchCV

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
PIPE = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
NB_OR_LR = [
    {"clf": [GaussianNB()]},
    {"clf": [LogisticRegression()], "clf__C": (1e-4, 1e2, "log-uniform")},
]
THREE = [
    {"scale": [StandardScaler(), "passthrough"], "clf": [GaussianNB()]},
    {"clf": [LogisticRegression()], "clf__C": (1e-2, 1e2, "log-uniform")},
    {"clf": [DecisionTreeClassifier(random_state=0)], "clf__max_depth": (1, 6)},
]


def _bayes(space, **params):
    return BayesSearchCV(PIPE, space, **{"n_iter": 6, "n_initial_points": 4, "cv": 2, "random_state": 0, **params})


def _evolution(space, **params):
    defaults = {"population_size": 4, "n_generations": 3, "tournament_size": 2, "cv": 2, "random_state": 0}
    return EvolutionSearchCV(PIPE, space, **{**defaults, **params})


def _branches(search):
    return [type(p["clf"]).__name__ for p in search.cv_results_["params"]]


def test_exhausted_sub_space_does_not_end_the_search():
    # GaussianNB has one point: the other sub-space gets the rest of n_iter.
    search = _bayes(NB_OR_LR, n_iter=8).fit(X, y)
    assert _branches(search).count("GaussianNB") == 1 and len(_branches(search)) == 8


def test_evolution_evaluates_population_times_generations():
    search = _evolution(THREE, population_size=5, n_generations=4).fit(X, y)
    assert len(search.cv_results_["params"]) == 20
    assert np.bincount(search.cv_results_["generation"]).tolist() == [5] * 4
    assert set(_branches(search)) == {"GaussianNB", "LogisticRegression", "DecisionTreeClassifier"}


def test_whole_space_exhausted_ends_with_the_warning():
    grids = [{"clf": [GaussianNB()]}, {"clf": [LogisticRegression()], "clf__C": [0.1, 1.0]}]
    with pytest.warns(ExhaustedSpaceWarning):
        search = _bayes(grids, n_iter=6, n_initial_points=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 3


def test_skopt_budgets_stay_per_sub_space():
    space = [(NB_OR_LR[1], 3), ({"clf": [DecisionTreeClassifier(random_state=0)], "clf__max_depth": (1, 6)}, 2)]
    search = _bayes(space, n_initial_points=2).fit(X, y)
    assert sorted(_branches(search)) == ["DecisionTreeClassifier"] * 2 + ["LogisticRegression"] * 3
    assert search.total_iterations == 5 and len(search.optimizer_results_) == 2


@pytest.mark.parametrize("make", [_bayes, _evolution])
def test_progress_bar_callback_with_sub_spaces(make):
    callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callback API")
    pytest.importorskip("rich")
    search = make(THREE)
    search.set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == (6 if make is _bayes else 12)


@pytest.mark.parametrize("make", [_bayes, _evolution])
def test_resume_mid_search_with_several_sub_spaces(tmp_path, make):
    path = tmp_path / "search.ckpt"
    for _ in range(2):  # stopped after one iteration, twice
        make(THREE, checkpoint=path, max_time=1e-9).fit(X, y)
    resumed = make(THREE, checkpoint=path).fit(X, y)
    full = make(THREE).fit(X, y)
    assert [repr(p) for p in resumed.cv_results_["params"]] == [repr(p) for p in full.cv_results_["params"]]
    np.testing.assert_array_equal(resumed.cv_results_["mean_test_score"], full.cv_results_["mean_test_score"])


def test_pbt_spreads_its_population_over_sub_spaces():
    # PBT follows the same rule: one population over every sub-space, moved
    # to the better ones by exploit.
    from sklearn.linear_model import SGDClassifier

    sgd = Pipeline([("scale", StandardScaler()), ("clf", SGDClassifier(random_state=0))])
    spaces = [{"clf__alpha": (1e-5, 1e-1, "log-uniform")},
              {"clf__alpha": (1e-5, 1e-1, "log-uniform"), "clf__eta0": (1e-3, 1.0, "log-uniform"),
               "clf__learning_rate": ["constant"]}]
    search = PBTSearchCV(sgd, spaces, population_size=4, n_steps=2, cv=2, random_state=0).fit(X, y)
    assert {"clf__eta0" in p for p in search.cv_results_["params"]} == {True, False}


def test_empty_sub_space_is_named():
    with pytest.raises(ValueError, match=re.escape("Sub-space 1: The search space is empty")):
        _bayes([{"clf__C": (0.1, 1.0)}, {}]).fit(X, y)
