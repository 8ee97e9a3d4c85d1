"""hptune.compat.OptunaSearchCV: Optuna's signature, BayesSearchCV's search."""

import pickle
import re
import time

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from hptune import BayesSearchCV
from hptune.space import Real
from hptune.compat import OptunaSearchCV

import _lookalikes as optuna


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def _distributions():
    return {
        "C": optuna.FloatDistribution(1e-2, 1e2, log=True),
        "kernel": optuna.CategoricalDistribution(["rbf", "linear"]),
        "degree": optuna.IntDistribution(1, 4),
    }


def test_the_same_search_as_bayes_search_cv(iris):
    X, y = iris
    compat = OptunaSearchCV(SVC(), _distributions(), n_trials=8, cv=3, random_state=0).fit(X, y)
    bayes = BayesSearchCV(SVC(), _distributions(), n_iter=8, cv=3, random_state=0).fit(X, y)
    assert compat.n_trials_ == 8
    assert compat.cv_results_["params"] == bayes.cv_results_["params"]
    np.testing.assert_array_equal(compat.cv_results_["mean_test_score"], bayes.cv_results_["mean_test_score"])
    assert compat.best_params_ == bayes.best_params_
    assert compat.best_estimator_.score(X, y) == bayes.best_estimator_.score(X, y)


def test_parameters_are_optunas(iris):
    space = {"C": Real(1e-2, 1e2, "log-uniform")}  # picklable, unlike the stand-ins
    search = OptunaSearchCV(SVC(), space, n_trials=3, timeout=60.0)
    params = search.get_params(deep=False)
    assert {"param_distributions", "n_trials", "timeout", "study", "enable_pruning"} <= set(params)
    assert not {"search_spaces", "n_iter", "max_time"} & set(params)
    copy = clone(search).set_params(n_trials=4)
    assert (copy.n_iter, copy.max_time, copy.search_spaces) == (4, 60.0, search.param_distributions)
    fitted = pickle.loads(pickle.dumps(copy.set_params(cv=3).fit(*iris)))
    assert fitted.n_trials_ == 4 and "OptunaSearchCV" in fitted._repr_html_()


def test_timeout_stops_the_search(iris):
    X, y = iris

    class SlowSVC(SVC):
        def fit(self, X, y):
            time.sleep(0.2)
            return super().fit(X, y)

    space = {"C": optuna.FloatDistribution(1e-2, 1e2, log=True)}
    search = OptunaSearchCV(SlowSVC(), space, n_trials=200, timeout=1.0, cv=2, random_state=0)
    search.fit(X, y)
    assert 1 <= search.n_trials_ < 200


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_trials": None}, "n_trials=None (until timeout) is not supported"),
        ({"enable_pruning": True}, "use hptune.HyperbandSearchCV(resource='max_iter' or"),
        ({"study": "my-study"}, "study='my-study' is not supported by OptunaSearchCV"),
        ({"subsample": 0.5}, "subsample=0.5 is not supported by OptunaSearchCV"),
        ({"callbacks": [print]}, "Pass hptune (or scikit-optimize) callbacks to fit(callback=...)"),
    ],
)
def test_optuna_only_parameters_are_refused_before_any_fit(iris, params, message):
    class NeverFit(SVC):
        def fit(self, X, y):
            raise AssertionError("fitted")

    search = OptunaSearchCV(NeverFit(), _distributions(), cv=3, **params)
    with pytest.raises(ValueError, match=re.escape(message)):
        search.fit(*iris)


def test_invalid_n_trials_names_the_parameter(iris):
    search = OptunaSearchCV(SVC(), _distributions(), n_trials=0)
    with pytest.raises(ValueError, match=re.escape("The 'n_trials' parameter of OptunaSearchCV")):
        search.fit(*iris)
