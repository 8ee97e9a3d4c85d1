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
        (lambda: Real(0.1, 1.0, transform="log10"), ValueError, "Real transform must be None or one of 'identity', 'normalize'. Got 'log10' instead."),
        (lambda: Integer(1, 9, transform="onehot"), ValueError, "Integer transform must be None or one of 'identity', 'normalize'. Got 'onehot' instead."),
        (lambda: Categorical(["a", "b"], transform="log"), ValueError, "Categorical transform must be None or one of 'onehot', 'string', 'identity', 'label', 'normalize'. Got 'log' instead."),
        (lambda: Real(0.1, 1.0, base=1), ValueError, "Real base must be a positive number other than 1 (the base of the logarithm of a log-uniform prior). Got 1 instead."),
        (lambda: Integer(1, 9, base=-2), ValueError, "Integer base must be a positive number other than 1"),
        (lambda: Real(0.1, 1.0, dtype="int32"), ValueError, "Real dtype must be float or a numpy float type such as 'float32'. Got 'int32' instead."),
        (lambda: Integer(1, 9, dtype=float), ValueError, "Integer dtype must be int or a numpy int type such as 'int32'. Got <class 'float'> instead."),
        (lambda: Integer(-1, 9, dtype="uint8"), ValueError, "Integer bounds [-1, 9] do not fit in dtype 'uint8', whose range is [0, 255]; use a wider dtype."),
        (lambda: Real(1.0, 1e6, dtype=np.float16), ValueError, "Real bounds [1.0, 1000000.0] do not fit in dtype 'float16', whose range is [-65504.0, 65504.0]"),
        (lambda: Real(1.0001, 1.0002, dtype="float16"), ValueError, "Real bounds [1.0001, 1.0002] hold no value of dtype 'float16', being closer than its precision"),
        # scikit-optimize's fourth positional argument is base
        (lambda: Real(1e-3, 1.0, "log-uniform", 2), TypeError, "Real name must be a str or None. Got 2 instead. In scikit-optimize the fourth positional argument is base; here base, transform and dtype are keyword-only: write Real(low, high, prior, base=2)."),
        (lambda: Categorical(["a"], name=1), TypeError, "Categorical name must be a str or None. Got 1 instead."),
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


def test_skopt_keywords_are_accepted_and_change_nothing_but_dtype():
    plain = Real(1e-2, 1e3, prior="log-uniform")
    skopt_style = Real(1e-2, 1e3, prior="log-uniform", base=2, transform="normalize", name="C")
    assert skopt_style == plain and skopt_style.name == "C"
    assert skopt_style.base == 2 and skopt_style.transform == "normalize"
    np.testing.assert_array_equal(skopt_style.encode([0.1, 10.0]), plain.encode([0.1, 10.0]))
    assert Integer(1, 9, transform="identity", dtype="int") == Integer(1, 9)
    assert "dtype" not in Real(0, 1, dtype="float")._describe()  # checkpoints unchanged
    assert Real(0, 1, dtype=np.float32) != Real(0, 1)


@pytest.mark.parametrize(
    "dim, kind",
    [
        (Real(0.1, 0.3, dtype=np.float32), np.float32),
        (Real(1e-3, 7.0, "log-uniform", dtype="float16"), np.float16),
        (Integer(1, 100, dtype=np.int8), np.int8),
        (Integer(0, 5, dtype="uint64"), np.uint64),
    ],
)
def test_dtype_values_stay_inside_and_round_trip(dim, kind):
    # float32(0.3) is above 0.3: the value must step back inside, or telling
    # the point back to a strategy would fail as out of bounds.
    values = dim.decode(np.linspace(0, 1, 11)[:, None])
    assert all(type(v) is kind and dim.low <= v <= dim.high for v in values)
    assert dim.decode(dim.encode(values)) == values
    assert float(values[0]) == pytest.approx(dim.low, rel=1e-3)
    assert float(values[-1]) == pytest.approx(dim.high, rel=1e-3)


@pytest.mark.parametrize(
    "dim, a, b, expected",
    [
        (Real(0.0, 10.0), 1.5, 4.0, 2.5),
        (Real(1e-3, 1e3, "log-uniform"), 1.0, 100.0, 99.0),  # in values, as skopt
        (Integer(1, 9), 8, 2, 6),
        (Ordinal([1, 10, 100]), 1, 100, 99.0),
        (Ordinal(["low", "mid", "high"]), "high", "low", 2.0),
        (Categorical(["rbf", "poly", "linear"]), "rbf", "linear", 1),
        (Categorical(["rbf", "poly", "linear"]), "poly", "poly", 0),
    ],
)
def test_distance(dim, a, b, expected):
    assert dim.distance(a, b) == expected
    assert dim.distance(b, a) == expected


@pytest.mark.parametrize(
    "dim, a, b, match",
    [
        (Real(0.0, 1.0), 0.5, 2.0, "Value 2.0 is not a value of Real(low=0.0, high=1.0, prior='uniform')."),
        (Integer(0, 3), 1.5, 2, "Value 1.5 is not a value of Integer(low=0, high=3, prior='uniform')."),
        (Categorical(["a", "b"]), "a", "z", "Value 'z' is not one of the categories ['a', 'b']."),
    ],
)
def test_distance_outside_the_dimension(dim, a, b, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        dim.distance(a, b)


@given(
    low=st.floats(-1e4, 1e4),
    width=st.floats(1e-2, 1e4),
    u=st.floats(0, 1),
    log=st.booleans(),
    dtype=st.sampled_from(["float16", "float32"]),
)
def test_narrow_float_dtype_stays_inside(low, width, u, log, dtype):
    if log:
        low = abs(low) + 1e-2
    if dtype == "float16" and low + width > 6e4:
        return
    try:
        dim = Real(low, low + width, "log-uniform" if log else "uniform", dtype=dtype)
    except ValueError as err:  # float16 steps by 2 above 2048, say
        assert "hold no value of dtype" in str(err)
        return
    [x] = dim.decode([[u]])
    assert type(x) is np.dtype(dtype).type and dim.low <= x <= dim.high
    assert dim.decode(dim.encode([x])) == [x]
