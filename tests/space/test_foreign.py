"""scikit-optimize dimensions and Optuna distributions keep their meaning.

The objects come from stand-ins with the real classes' names, modules and
attributes (``_lookalikes.py``): neither package is installed.
"""

import re

import _lookalikes as L
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.svm import SVC

from hptune import BayesSearchCV, minimize
from hptune.space import Categorical, Integer, Ordinal, Real, to_dimension, to_space


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: L.Real(1e-2, 1e3, prior="log-uniform"), Real(1e-2, 1e3, "log-uniform")),
        # a log-uniform prior is the same distribution in every base
        (lambda: L.Real(1e-2, 1e3, "log-uniform", 2, "normalize"), Real(1e-2, 1e3, "log-uniform")),
        (lambda: L.Real(0, 1), Real(0.0, 1.0)),
        (lambda: L.Integer(1, 1024, "log-uniform", base=2, dtype=int), Integer(1, 1024, "log-uniform")),
        (lambda: L.Integer(1, 8, transform="normalize"), Integer(1, 8, dtype=np.int64)),
        (lambda: L.Real(0.1, 0.3, dtype="float32"), Real(0.1, 0.3, dtype=np.float32)),
        (lambda: L.Categorical(["rbf", "poly"]), Categorical(["rbf", "poly"])),
        (lambda: L.Categorical([1, 10, 100], transform="label"), Categorical([1, 10, 100])),
        (lambda: L.Categorical(["a", "b"], prior=[0.2, 0.8]), Categorical(["a", "b"], prior=[0.2, 0.8])),
        (lambda: L.FloatDistribution(1e-2, 1e3, log=True), Real(1e-2, 1e3, "log-uniform")),
        (lambda: L.FloatDistribution(0, 1), Real(0.0, 1.0)),
        (lambda: L.FloatDistribution(0.0, 0.5, step=0.1), Ordinal([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])),
        (lambda: L.FloatDistribution(0.5, 0.5), Categorical([0.5])),
        (lambda: L.IntDistribution(1, 5), Integer(1, 5)),
        (lambda: L.IntDistribution(1, 1000, log=True), Integer(1, 1000, "log-uniform")),
        (lambda: L.IntDistribution(0, 100, step=25), Ordinal([0, 25, 50, 75, 100])),
        (lambda: L.IntDistribution(3, 3), Categorical([3])),
        (lambda: L.CategoricalDistribution(["rbf", "poly"]), Categorical(["rbf", "poly"])),
        # Optuna's categorical choices are unordered, even numbers
        (lambda: L.CategoricalDistribution([1, 2, 4]), Categorical([1, 2, 4])),
        (lambda: L.LogUniformDistributionV2(1e-3, 1.0), Real(1e-3, 1.0, "log-uniform")),
    ],
)
def test_foreign_objects_convert(make, expected):
    assert to_dimension(make(), "p") == expected


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: L.UniformDistribution(0, 1), Real(0.0, 1.0)),
        (lambda: L.LogUniformDistribution(1e-3, 1), Real(1e-3, 1.0, "log-uniform")),
        (lambda: L.DiscreteUniformDistribution(0, 1, 0.25), Ordinal([0.0, 0.25, 0.5, 0.75, 1.0])),
        (lambda: L.IntUniformDistribution(0, 10, 2), Ordinal([0, 2, 4, 6, 8, 10])),
        (lambda: L.IntLogUniformDistribution(1, 100), Integer(1, 100, "log-uniform")),
    ],
)
def test_deprecated_optuna_distributions_convert(make, expected):
    with pytest.warns(FutureWarning, match="deprecated"):
        dist = make()
    assert to_dimension(dist, "p") == expected


def test_stepped_optuna_ranges_give_exactly_optunas_values():
    # Optuna lowers a high that the step does not reach, with a warning.
    with pytest.warns(UserWarning, match="not divisible by `step`"):
        dist = L.FloatDistribution(0.0, 1.0, step=0.3)
    dim = to_dimension(dist, "p")
    assert dim.categories == [0.0, 0.3, 0.6, 0.9]
    values = dim.sample(50, np.random.RandomState(0))
    assert set(values) == {0.0, 0.3, 0.6, 0.9}
    ints = to_dimension(L.IntDistribution(1, 9, step=4), "n")
    assert ints.categories == [1, 5, 9] and all(type(v) is int for v in ints.categories)


def test_skopt_dtype_is_kept():
    values = to_dimension(L.Integer(1, 8), "n").sample(5, np.random.RandomState(0))
    assert all(type(v) is np.int64 for v in values)  # skopt's default dtype
    reals = to_dimension(L.Real(0.1, 0.3, dtype=np.float32), "x").decode([[0.0], [1.0]])
    assert all(type(v) is np.float32 and 0.1 <= v <= 0.3 for v in reals)


def test_skopt_categorical_keeps_objects_and_prior():
    svc = SVC()
    dim = to_dimension(L.Categorical([svc, "passthrough"], prior=[0.9, 0.1]), "clf")
    values = dim.sample(2_000, np.random.RandomState(0))
    assert all(v is svc or v == "passthrough" for v in values)
    # P(svc) = 0.9; binomial std over 2,000 draws is about 0.0067, 5 std ~= 0.034
    assert abs(np.mean([v is svc for v in values]) - 0.9) < 0.034


def test_skopt_dimension_names_name_minimize_lists():
    res = minimize(
        lambda x: (x[0] - 0.3) ** 2 + x[1],
        [L.Real(0.0, 1.0, name="learning_rate"), L.Integer(0, 3, name="depth")],
        n_calls=4,
        n_initial_points=4,
        random_state=0,
    )
    assert res.space.names == ["learning_rate", "depth"]


def test_subclasses_are_recognised_by_their_skopt_parent():
    class MyReal(L.Real):
        pass

    MyReal.__module__ = "mylib.space"
    assert to_dimension(MyReal(1e-3, 1.0, "log-uniform"), "p") == Real(1e-3, 1.0, "log-uniform")


@pytest.mark.parametrize("module", ["mylib.space", "skoptimizer.space", "optuna_extra"])
def test_lookalike_names_from_other_packages_are_not_taken_for_skopt(module):
    class Real:  # a class named like skopt's, with an rvs method, elsewhere
        low, high, prior = 0.0, 1.0, "uniform"

        def rvs(self, n_samples=1, random_state=None):
            return [0.5] * n_samples

    Real.__module__ = module
    msg = "Parameter 'C': Real has an rvs method but neither bounds nor a quantile function"
    with pytest.raises(TypeError, match=re.escape(msg)):
        to_dimension(Real(), "C")


def _bad_log_step():
    dist = L.IntDistribution(1, 100, log=True)
    dist.step = 2  # Optuna 2's IntLogUniformDistribution allowed a step
    return dist


def _bad_float_step():
    dist = L.FloatDistribution(0.0, 1.0, step=0.5)
    dist.step = -0.5
    return dist


@pytest.mark.parametrize(
    "make, err, match",
    [
        (_bad_log_step, ValueError, "parameter 'p': IntDistribution with log=True and step=2 is not supported, as in Optuna: drop step for a log-uniform range, or log for a stepped one."),
        (_bad_float_step, ValueError, "parameter 'p': FloatDistribution step must be a positive number or None. Got -0.5 instead."),
        (lambda: L.CategoricalDistribution([0.1, float("nan")]), ValueError, "parameter 'p': the value at position 1 of the choices [0.1, nan] is NaN"),
        (lambda: L.Categorical(["mean", np.nan]), ValueError, "parameter 'p': the value at position 1 of the categories ['mean', nan] is NaN"),
        (lambda: L.Integer(1, 1000, dtype="int8"), ValueError, "parameter 'p': Integer bounds [1, 1000] do not fit in dtype 'int8', whose range is [-128, 127]; use a wider dtype."),
    ],
)
def test_foreign_errors(make, err, match):
    with pytest.raises(err, match=re.escape(match)):
        to_dimension(make(), "p")


def test_foreign_objects_without_the_expected_attributes():
    dim = L.Real(0.0, 1.0)
    del dim.high  # as a version that renamed it would
    match = (
        "Invalid search space for parameter 'p': this skopt Real has no attribute 'high'; "
        "hptune reads the attributes of scikit-optimize 0.9 and 0.10. Give the equivalent "
        "hptune.space dimension."
    )
    with pytest.raises(TypeError, match=re.escape(match)):
        to_dimension(dim, "p")


def test_search_with_skopt_and_optuna_spaces():
    X, y = make_classification(n_samples=60, random_state=0)
    space = {
        "C": L.Real(1e-2, 1e3, prior="log-uniform"),
        "kernel": L.CategoricalDistribution(["rbf", "linear"]),
        "degree": L.Integer(2, 4),
        "coef0": L.FloatDistribution(0.0, 1.0, step=0.5),
    }
    search = BayesSearchCV(SVC(), space, n_iter=3, n_initial_points=2, cv=2, random_state=0)
    search.fit(X, y)
    best = search.best_params_
    assert 1e-2 <= best["C"] <= 1e3 and best["kernel"] in ("rbf", "linear")
    assert best["degree"] in (2, 3, 4) and type(best["degree"]) is np.int64  # skopt's dtype
    assert best["coef0"] in (0.0, 0.5, 1.0)


def test_foreign_space_dicts():
    space = to_space({"a": L.Real(0, 1), "b": L.IntDistribution(0, 4, step=2)})
    assert space.names == ["a", "b"] and space["b"] == Ordinal([0, 2, 4])
