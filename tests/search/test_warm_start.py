"""``warm_start`` and ``initial_points``, over every search of tests/_searches.py.

A warm start restores the previous fit's state through the checkpoint's own
path, so a warm-started search ends exactly as one uninterrupted run with the
same seed; that equality is what these tests check, with the count of
evaluations, the refusals before the first fit and the interplay with a
checkpoint file.
"""

import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import _searches
from hptune.checkpoint import CheckpointError
from hptune.exceptions import ExhaustedSpaceWarning

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
SPACE = {"C": (1e-3, 1e2, "log-uniform"), "tol": (1e-5, 1e-2, "log-uniform")}
SEARCHES = [n for n in _searches.available() if n != "PBTSearchCV"]
# The budget parameter of each search, with a small and a larger value.
GROWS = {"BayesSearchCV": ("n_iter", 4, 6), "EvolutionSearchCV": ("n_generations", 2, 3)}
POINTS = [{"C": 30.0, "tol": 1e-4}, {"C": 0.002, "tol": 1e-3}]


def make(name, **params):
    return _searches.make(name, LogisticRegression(), SPACE, **params)


def stop_at_once(state):
    """A callback that stops the search after its first iteration."""
    return True


def assert_same_results(a, b):
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_allclose(a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"])
    assert a.best_params_ == b.best_params_ and a.n_iter_ == b.n_iter_


@pytest.mark.parametrize("name", SEARCHES)
def test_warm_start_continues_a_stopped_search_as_one_run(name):
    search = make(name, warm_start=True, callbacks=[stop_at_once]).fit(X, y)
    n_first = len(search.cv_results_["params"])
    search.set_params(callbacks=None).fit(X, y)
    reference = make(name).fit(X, y)
    assert n_first < len(search.cv_results_["params"])
    assert_same_results(search, reference)


@pytest.mark.parametrize("name", sorted(GROWS))
def test_warm_start_with_a_larger_budget_equals_one_long_run(name):
    param, small, large = GROWS[name]
    search = make(name, warm_start=True, **{param: small}).fit(X, y)
    n_small = len(search.cv_results_["params"])
    search.set_params(**{param: large}).fit(X, y)
    reference = make(name, **{param: large}).fit(X, y)
    assert n_small < len(search.cv_results_["params"])
    assert_same_results(search, reference)
    # The strategy continued: it was told every evaluation of both fits.
    assert search.strategy_.n_told == len(search.cv_results_["params"])


def test_warm_start_grows_n_iter_by_the_difference():
    search = make("BayesSearchCV", n_iter=4, warm_start=True).fit(X, y)
    first = search.cv_results_["params"]
    search.set_params(n_iter=7).fit(X, y)
    assert len(search.cv_results_["params"]) == 7
    assert search.cv_results_["params"][:4] == first


@pytest.mark.parametrize("name", SEARCHES)
def test_without_warm_start_a_fit_starts_over(name):
    search = make(name).fit(X, y)
    params = search.cv_results_["params"]
    assert search.fit(X, y).cv_results_["params"] == params
    # clone drops the previous fit: nothing to continue.
    again = clone(search).set_params(warm_start=True).fit(X, y)
    assert again.cv_results_["params"] == params


@pytest.mark.parametrize("name", SEARCHES)
@pytest.mark.parametrize(
    "change, match",
    [
        (lambda s: (X[:50], y[:50]), "the shape of X differs"),
        (lambda s: (s.set_params(search_spaces={"C": (1e-3, 1e2, "log-uniform")}), (X, y))[1],
         "the search space differs"),
        (lambda s: (s.set_params(random_state=1), (X, y))[1], "the search parameter 'random_state'"),
    ],
)
def test_warm_start_mismatch_is_refused_before_any_fit(name, change, match):
    search = make(name, warm_start=True).fit(X, y)
    results = search.cv_results_
    data = change(search)
    with pytest.raises(CheckpointError, match=re.escape(match)):
        search.fit(*data)
    with pytest.raises(CheckpointError, match=re.escape("or set warm_start=False to start a new search")):
        search.fit(*data)
    assert search.cv_results_ is results  # nothing was refitted


def test_warm_start_on_an_exhausted_space_keeps_its_results():
    search = make("BayesSearchCV", n_iter=3, warm_start=True)
    search.set_params(search_spaces={"C": [0.1, 1.0, 10.0]}).fit(X, y)
    params = search.cv_results_["params"]
    with pytest.warns(ExhaustedSpaceWarning):
        search.set_params(n_iter=5).fit(X, y)
    assert search.cv_results_["params"] == params


def test_hyperband_warm_start_keeps_n_iter():
    search = make("HyperbandSearchCV", warm_start=True).fit(X, y)
    with pytest.raises(CheckpointError, match=re.escape("the search parameter 'n_iter' differs")):
        search.set_params(n_iter=5).fit(X, y)


@pytest.mark.parametrize("name", sorted(GROWS))
def test_warm_start_continues_a_checkpoint_with_a_larger_budget(name, tmp_path):
    param, small, large = GROWS[name]
    path = tmp_path / "search.ckpt"
    make(name, checkpoint=path, **{param: small}).fit(X, y)
    # A new search object has no previous fit in memory: without warm_start
    # the larger budget is another search; with it, the file is continued.
    with pytest.raises(CheckpointError, match=re.escape(f"the search parameter {param!r} differs")):
        make(name, checkpoint=path, **{param: large}).fit(X, y)
    with pytest.raises(CheckpointError, match=re.escape(f"with another {param}, set warm_start=True")):
        make(name, checkpoint=path, **{param: large}).fit(X, y)
    search = make(name, checkpoint=path, warm_start=True, **{param: large}).fit(X, y)
    assert_same_results(search, make(name, **{param: large}).fit(X, y))


@pytest.mark.parametrize("param, value", [("warm_start", True), ("initial_points", [{"C": 1.0}])])
def test_pbt_refuses_warm_start_and_initial_points(param, value):
    if "PBTSearchCV" not in _searches.available():
        pytest.skip("PBTSearchCV is not available")
    search = _searches.make("PBTSearchCV", LogisticRegression(), {"C": (1e-3, 1e2, "log-uniform")}, **{param: value})
    with pytest.raises(ValueError, match=re.escape(f"PBTSearchCV does not support {param}=")):
        search.fit(X, y)


# -- initial points ----------------------------------------------------------------------
@pytest.mark.parametrize("name", SEARCHES)
def test_initial_points_are_evaluated_first_and_told(name):
    search = make(name, initial_points=POINTS).fit(X, y)
    assert search.cv_results_["params"][:2] == POINTS
    # Told like any evaluation (Hyperband: its first candidates).
    told = getattr(search.strategy_, "params_", None) or search.strategy_.candidates_
    assert told[:2] == POINTS
    plain = make(name).fit(X, y)
    assert len(search.cv_results_["params"]) == len(plain.cv_results_["params"])


def test_initial_points_are_not_evaluated_again_by_a_warm_start():
    search = make("BayesSearchCV", n_iter=3, initial_points=POINTS, warm_start=True).fit(X, y)
    search.set_params(n_iter=5).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 5 and params[:2] == POINTS and POINTS[0] not in params[2:]


@pytest.mark.parametrize(
    "points, err, match",
    [
        ([{"C": 500.0, "tol": 1e-4}], ValueError,
         "initial_points[0]={'C': 500.0, 'tol': 0.0001} has C=500.0, outside its dimension"),
        ([{"C": 1.0}], ValueError,
         "initial_points[0]={'C': 1.0} does not match the search space ['C', 'tol']: missing ['tol']"),
        ([{"C": 1.0, "tol": 1e-4, "penalty": "l2"}], ValueError, "unknown ['penalty']"),
        (["C=1"], TypeError, "initial_points[0]='C=1' is not a dict"),
        (POINTS * 3, ValueError,
         "initial_points has 6 points but BayesSearchCV evaluates 4 candidates in all"),
    ],
)
def test_initial_points_errors(points, err, match):
    with pytest.raises(err, match=re.escape(match)):
        make("BayesSearchCV", initial_points=points).fit(X, y)


def test_hyperband_initial_points_start_in_the_first_rung():
    search = make("HyperbandSearchCV", n_iter=6, factor=3, initial_points=POINTS).fit(X, y)
    results = search.cv_results_
    first_rung = [p for p, b, r in zip(results["params"], results["bracket"], results["rung"]) if b == r == 0]
    assert first_rung[:2] == POINTS
    with pytest.raises(ValueError, match=re.escape("initial_points has 40 points but the plan of brackets")):
        make("HyperbandSearchCV", n_iter=1, initial_points=POINTS * 20).fit(X, y)


def test_initial_points_in_a_list_of_subspaces():
    spaces = [{"C": (1e-3, 1e2, "log-uniform")}, {"C": (1e-3, 1e2, "log-uniform"), "tol": (1e-5, 1e-2)}]
    points = [{"C": 1.0}, {"C": 2.0, "tol": 1e-3}]
    search = _searches.make("BayesSearchCV", LogisticRegression(), spaces, initial_points=points).fit(X, y)
    assert search.cv_results_["params"][:2] == points
