import re

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from hptune.space import (
    Categorical,
    Distribution,
    Integer,
    Ordinal,
    Real,
    Space,
    to_dimension,
    to_space,
    to_subspaces,
)


@pytest.mark.parametrize(
    "spec, expected",
    [
        ((1, 10), Integer(1, 10)),
        ((1, 10, "log-uniform"), Integer(1, 10, "log-uniform")),
        ((0.1, 10), Real(0.1, 10)),
        ((1e-3, 1.0, "log-uniform"), Real(1e-3, 1.0, "log-uniform")),
        (("a", "b"), Categorical(["a", "b"])),
        ((1, 2, 3, 4), Ordinal([1, 2, 3, 4])),
        ([10, 1, 100], Ordinal([1, 10, 100])),
        (np.array([0.1, 1.0]), Ordinal([0.1, 1.0])),
        (["rbf", "linear"], Categorical(["rbf", "linear"])),
        ([True, False], Categorical([True, False])),
        ([1, None], Categorical([1, None])),
        ([5], Categorical([5])),
        (stats.loguniform(1e-3, 1e2), Real(1e-3, 1e2, "log-uniform")),
        (stats.uniform(2, 3), Real(2, 5)),
        (stats.randint(1, 10), Integer(1, 9)),
        (stats.randint(3, 4), Categorical([3])),
    ],
)
def test_to_dimension(spec, expected):
    assert to_dimension(spec, "p") == expected


def test_other_distributions_keep_their_prior():
    dim = to_dimension(stats.norm(2.0, 0.5), "p")
    assert isinstance(dim, Distribution) and dim.is_continuous
    assert dim.decode([[0.5]]) == [pytest.approx(2.0)]
    disc = to_dimension(stats.poisson(3), "p")
    assert not disc.is_continuous
    values = disc.sample(5_000, np.random.RandomState(0))
    assert all(type(v) is int for v in values)
    # mean of Poisson(3) within 5 standard errors (sqrt(3 / 5000) ~= 0.0245)
    assert abs(np.mean(values) - 3) < 0.13
    assert disc.decode(disc.encode([4])) == [4]


def test_estimators_as_categories():
    svc, lr = SVC(), LogisticRegression()
    space = to_space({"clf": [svc, lr]})
    [p] = space.decode([[0.0, 1.0]])
    assert p["clf"] is lr


@pytest.mark.parametrize(
    "spec, err, match",
    [
        ({}, ValueError, "The search space is empty"),
        ({"C": []}, ValueError, "Invalid search space for parameter 'C': the list of values is empty."),
        ({"C": stats.uniform(0, 0)}, ValueError, "parameter 'C': the distribution uniform(0, 0) has an empty support."),
        ({"C": (1.0, 0.5)}, ValueError, "Invalid search space for parameter 'C': Real needs low < high. Got low=1.0 and high=0.5"),
        ({"C": (0.0, 1.0, "log-uniform")}, ValueError, "parameter 'C': Real with prior='log-uniform' needs low > 0"),
        ({"C": (0.1, 1.0, "cubic")}, ValueError, "parameter 'C': Real prior must be one of"),
        ({"C": 3.0}, TypeError, "Parameter 'C' must be a list of values, a (low, high[, prior]) tuple"),
        ({"C": "rbf"}, TypeError, "Parameter 'C' must be a list of values"),
        ({1: [1, 2]}, TypeError, "Parameter names must be strings. Got 1"),
        ("C", ValueError, "search_spaces must be a dict"),
        ([], ValueError, "search_spaces must be a dict"),
        ([({"C": [1, 2]}, 0)], ValueError, "Sub-space 0 has n_iter=0"),
        ([{"C": [1]}, {}], ValueError, "Sub-space 1: The search space is empty"),
    ],
)
def test_invalid_spaces(spec, err, match):
    with pytest.raises(err, match=re.escape(match)):
        to_subspaces(spec)


def test_rvs_only_objects_are_rejected_saying_what_is_accepted():
    class Sampler:
        def rvs(self, random_state=None):
            return 1

    with pytest.raises(TypeError) as info:
        to_dimension(Sampler(), "C")
    message = str(info.value)
    assert message.startswith(
        "Parameter 'C': Sampler has an rvs method but neither bounds nor a quantile function"
    )
    for accepted in (
        "a scipy.stats frozen distribution such as scipy.stats.loguniform(1e-3, 1e3)",
        "a scikit-optimize Real, Integer or Categorical",
        "an Optuna FloatDistribution, IntDistribution or CategoricalDistribution",
    ):
        assert accepted in message


@pytest.mark.parametrize(
    "spec, position, shown",
    [
        ([0.1, float("nan"), 1.0], 1, "[0.1, nan, 1.0]"),
        # numpy scalars are shown with numpy's own repr, which numpy 2 changed.
        (np.array([np.nan, 1.0]), 0, repr([np.float64("nan"), np.float64(1.0)])),
        ((0.1, 1.0, np.float32("nan")), 2, repr([0.1, 1.0, np.float32("nan")])),
        (["mean", None, float("nan")], 2, "['mean', None, nan]"),
    ],
)
def test_nan_in_value_lists_is_refused(spec, position, shown):
    match = (
        f"Invalid search space for parameter 'C': the value at position {position} of the "
        f"list {shown} is NaN, which no search can use"
    )
    with pytest.raises(ValueError, match=re.escape(match)):
        to_space({"C": spec})


def test_nan_stays_possible_in_an_explicit_categorical():
    # SimpleImputer(missing_values=np.nan) is the case the error message names.
    missing = float("nan")
    space = to_space({"missing_values": Categorical([missing, -1])})
    [point] = space.decode([[1.0, 0.0]])
    assert point["missing_values"] is missing
    np.testing.assert_array_equal(space.encode([point]), [[1.0, 0.0]])


def test_none_among_numbers_is_a_category():
    # None is scikit-learn's "unlimited" for max_depth and the like.
    dim = to_dimension([None, 3, 10], "max_depth")
    assert dim == Categorical([None, 3, 10])
    assert dim.decode(dim.encode([None])) == [None]


def test_subspace_forms():
    grid = [{"kernel": ["linear"], "C": [1, 10]}, {"kernel": ["rbf"], "gamma": [0.1, 1.0]}]
    subs = to_subspaces(grid)
    assert [n for _, n in subs] == [None, None]
    assert subs[1][0].names == ["kernel", "gamma"]
    skopt = [({"C": (0.1, 10.0)}, 5), ({"gamma": (0.1, 10.0)}, 3)]
    assert [n for _, n in to_subspaces(skopt)] == [5, 3]
    assert isinstance(to_subspaces({"C": [1, 2]})[0][0], Space)
