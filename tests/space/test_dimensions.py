import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from hptune.space import Categorical, Integer, Ordinal, Real


@pytest.mark.parametrize(
    "make, err, match",
    [
        (lambda: Real(1.0, 1.0), ValueError, "Real needs low < high. Got low=1.0 and high=1.0"),
        (lambda: Real(2, 1), ValueError, "Real needs low < high. Got low=2 and high=1"),
        (lambda: Real(0.0, 1.0, "log-uniform"), ValueError, "needs low > 0. Got low=0.0"),
        (lambda: Real(0.0, 1.0, "loguniform"), ValueError, "prior must be one of ('uniform', 'log-uniform'). Got 'loguniform'"),
        (lambda: Real("a", 1.0), TypeError, "Real low must be a real number. Got 'a'"),
        (lambda: Real(0.0, np.inf), TypeError, "Real high must be a real number. Got inf"),
        (lambda: Integer(1.5, 3), TypeError, "Integer low must be an integer. Got 1.5"),
        (lambda: Integer(3, 3), ValueError, "Integer needs low < high. Got low=3 and high=3"),
        (lambda: Integer(0, 3, "log-uniform"), ValueError, "needs low > 0. Got low=0"),
        (lambda: Categorical([]), ValueError, "Categorical needs a non-empty list of values. Got []"),
        (lambda: Categorical("abc"), ValueError, "Categorical needs a non-empty list of values. Got 'abc'"),
        (lambda: Categorical(["a", "b"], prior=[0.5, 0.6]), ValueError, "prior must be 2 non-negative"),
    ],
)
def test_invalid_dimensions(make, err, match):
    with pytest.raises(err, match=re.escape(match)):
        make()


def test_real_log_encoding_is_log_linear():
    dim = Real(1e-3, 1e3, "log-uniform")
    np.testing.assert_allclose(dim.encode([1e-3, 1.0, 1e3]).ravel(), [0.0, 0.5, 1.0])
    assert dim.decode([[0.5]]) == [pytest.approx(1.0)]
    assert all(isinstance(v, float) for v in dim.decode([[0.1], [0.9]]))


def test_real_out_of_bounds_raises():
    with pytest.raises(ValueError, match="outside"):
        Real(0.0, 1.0).encode([1.5])
    assert 0.5 in Real(0.0, 1.0) and 2.0 not in Real(0.0, 1.0)


def test_integer_half_step_padding_is_fair():
    dim = Integer(1, 4)
    rng = np.random.RandomState(0)
    values = dim.decode(rng.uniform(size=(40_000, 1)))
    counts = np.bincount(values, minlength=5)[1:]
    # 10,000 expected per value; binomial std is about 87, so 5 std is 435.
    assert np.all(np.abs(counts - 10_000) < 435)
    np.testing.assert_allclose(dim.encode([1, 4]).ravel(), [0.125, 0.875])


def test_integer_log_prior_masses():
    dim = Integer(1, 100, "log-uniform")
    rng = np.random.RandomState(0)
    values = np.array(dim.decode(rng.uniform(size=(20_000, 1))))
    # P(v = 1) = log(1.5 / 0.5) / log(100.5 / 0.5) ~= 0.207
    assert abs(np.mean(values == 1) - math.log(3) / math.log(201)) < 0.015
    assert values.min() == 1 and values.max() <= 100


def test_integer_decode_returns_python_ints_in_bounds():
    dim = Integer(-3, 3)
    out = dim.decode([[-1.0], [0.0], [0.5], [1.0], [2.0]])
    assert out == [-3, -3, 0, 3, 3]
    assert all(type(v) is int for v in out)


def test_integer_rejects_non_integers():
    with pytest.raises(ValueError, match="not an integer"):
        Integer(0, 5).encode([2.5])


def test_categorical_returns_the_very_objects():
    svc, lr = SVC(), LogisticRegression()
    dim = Categorical([svc, lr, None, "passthrough"])
    decoded = dim.decode(np.eye(4))
    assert decoded[0] is svc and decoded[1] is lr and decoded[2] is None
    np.testing.assert_array_equal(dim.encode([lr]), [[0, 1, 0, 0]])


def test_categorical_identity_before_equality():
    a, b = [1], [1]
    dim = Categorical([a, b])
    np.testing.assert_array_equal(dim.encode([b]), [[0, 1]])


def test_categorical_distinguishes_bool_from_int():
    dim = Categorical([1, True])
    np.testing.assert_array_equal(dim.encode([True]), [[0, 1]])


def test_categorical_unknown_value():
    with pytest.raises(ValueError, match="is not one of the categories"):
        Categorical(["a", "b"]).encode(["c"])


def test_single_category_is_a_constant_without_columns():
    dim = Categorical(["only"])
    assert dim.n_columns == 0 and dim.size == 1
    assert dim.decode(np.empty((2, 0))) == ["only", "only"]


def test_categorical_prior_sampling():
    dim = Categorical(["a", "b"], prior=[0.9, 0.1])
    draws = dim.sample(10_000, np.random.RandomState(0))
    # 5 standard errors of a proportion 0.9 over 10,000 draws is 0.015.
    assert abs(draws.count("a") / 10_000 - 0.9) < 0.015


def test_neighbours():
    np.testing.assert_allclose(Integer(0, 9).neighbours(Integer(0, 9).encode([0])), Integer(0, 9).encode([1]))
    assert len(Categorical(list("abcd")).neighbours([1, 0, 0, 0])) == 3
    assert Real(0, 1).neighbours([0.5]).shape == (0, 1)
    assert Ordinal([1, 2, 3]).decode(Ordinal([1, 2, 3]).neighbours([0.5])) == [1, 3]


def test_equality_and_hash():
    assert Real(0, 1) == Real(0.0, 1.0) and Real(0, 1) != Real(0, 2)
    assert Integer(0, 3) != Real(0, 3)
    assert len({Real(0, 1), Real(0, 1)}) == 1


@given(
    low=st.floats(-1e6, 1e6),
    width=st.floats(1e-3, 1e6),
    u=st.floats(0, 1),
    log=st.booleans(),
)
def test_real_round_trip(low, width, u, log):
    if log:
        low = abs(low) + 1e-3
    dim = Real(low, low + width, "log-uniform" if log else "uniform")
    [x] = dim.decode([[u]])
    assert dim.low <= x <= dim.high
    z = dim.encode([x])
    assert 0.0 <= z[0, 0] <= 1.0
    assert dim.decode(z)[0] == pytest.approx(x, rel=1e-9, abs=1e-9 * width)


@given(low=st.integers(-1000, 1000), width=st.integers(1, 10_000), u=st.floats(0, 1), log=st.booleans())
def test_integer_round_trip(low, width, u, log):
    if log:
        low = abs(low) + 1
    dim = Integer(low, low + width, "log-uniform" if log else "uniform")
    [x] = dim.decode([[u]])
    assert type(x) is int and dim.low <= x <= dim.high
    assert dim.decode(dim.encode([x])) == [x]
    np.testing.assert_allclose(dim.snap(dim.encode([x])), dim.encode([x]))


@given(values=st.lists(st.one_of(st.text(max_size=3), st.integers(), st.none()), min_size=1, max_size=8, unique=True))
def test_categorical_round_trip(values):
    dim = Categorical(values)
    Z = dim.encode(values)
    assert np.all((Z >= 0) & (Z <= 1))
    assert dim.decode(Z) == values
