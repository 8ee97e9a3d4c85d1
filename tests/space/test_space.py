import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hptune.space import Categorical, Integer, Ordinal, Real, Space, initial_design, to_space


def _mixed():
    return Space(
        {
            "C": Real(1e-3, 1e3, "log-uniform"),
            "k": Categorical(["rbf", "poly", "linear"]),
            "n": Integer(1, 50),
            "a": Ordinal([0.1, 1.0, 10.0]),
            "c": Categorical(["only"]),
        }
    )


def test_layout():
    space = _mixed()
    assert space.n_dims == 5 and space.n_columns == 1 + 3 + 1 + 1
    np.testing.assert_array_equal(space.continuous_mask, [True, False, False, False, False, False])
    assert space.size == np.inf and to_space({"a": [1, 2], "b": ["x", "y", "z"]}).size == 6


def test_encode_decode_round_trip():
    space = _mixed()
    points = space.sample(50, np.random.RandomState(0))
    Z = space.encode(points)
    assert Z.shape == (50, space.n_columns) and np.all((Z >= 0) & (Z <= 1))
    decoded = space.decode(Z)
    for p, q in zip(points, decoded):
        assert p["C"] == pytest.approx(q["C"], rel=1e-12)
        assert {k: v for k, v in p.items() if k != "C"} == {k: v for k, v in q.items() if k != "C"}


def test_snap_gives_valid_encodings():
    space = _mixed()
    Z = space.snap(np.random.RandomState(1).uniform(size=(20, space.n_columns)))
    np.testing.assert_allclose(space.encode(space.decode(Z)), Z, atol=1e-12)


def test_from_unit_and_neighbours():
    space = _mixed()
    Z = space.from_unit(np.random.RandomState(2).uniform(size=(10, space.n_dims)))
    np.testing.assert_allclose(space.snap(Z), Z)
    N = space.neighbours(Z[0])
    # 2 other kernels, at most 2 integer steps, at most 2 ordinal steps
    assert 3 <= len(N) <= 6
    assert np.all(np.sum(np.abs(N - Z[0]) > 0, axis=1) >= 1)


def test_neighbour_rows_are_each_rows_neighbours_in_order():
    from scipy import stats

    base = _mixed()
    space = Space({**dict(zip(base.names, base.dimensions)), "p": to_space({"p": stats.randint(0, 5)}).dimensions[0]})
    # Rows at the grid ends (fewer neighbours) and inside.
    U = np.vstack([np.zeros(space.n_dims), np.ones(space.n_dims), np.random.RandomState(3).uniform(size=(8, space.n_dims))])
    Z = space.from_unit(U)
    N, owner = space.neighbour_rows(Z)
    assert np.all(np.diff(owner) >= 0)
    for i, z in enumerate(Z):
        # One discrete step in one dimension, dimension by dimension, as
        # decoded values: each row's neighbours differ from it in one place.
        point, rows = space.decode(z[None])[0], space.decode(N[owner == i])
        changed = [[name for name in space.names if row[name] != point[name]] for row in rows]
        assert all(len(c) == 1 for c in changed)
        order = [space.names.index(c[0]) for c in changed]
        assert order == sorted(order)
        for name, dim in zip(space.names, space.dimensions):
            moved = [row[name] for row, c in zip(rows, changed) if c == [name]]
            if isinstance(dim, Categorical):
                assert moved == [v for v in dim.categories if v != point[name]]
            elif name in ("n", "p"):
                assert moved == [v for v in (point[name] - 1, point[name] + 1) if dim.low <= v <= dim.high]
            elif name == "a":
                k = dim.categories.index(point[name])
                assert moved == [dim.categories[m] for m in (k - 1, k + 1) if 0 <= m < 3]
            else:
                assert moved == []
        np.testing.assert_array_equal(space.neighbours(z), N[owner == i])


def test_all_encodings_of_finite_space():
    space = to_space({"a": [1, 2, 3], "b": ["x", "y"], "c": (0, 2)})
    points = space.decode(space.all_encodings())
    assert len(points) == space.size == 18
    assert len({tuple(p.values()) for p in points}) == 18


def test_errors():
    with pytest.raises(ValueError, match="missing the parameter 'k'"):
        _mixed().encode([{"C": 1.0}])
    with pytest.raises(ValueError, match="Parameter 'n'"):
        _mixed().encode([{"C": 1.0, "k": "rbf", "n": 0, "a": 1.0, "c": "only"}])
    with pytest.raises(ValueError, match="unique"):
        Space([Real(0, 1, name="x"), Real(0, 2, name="x")])
    with pytest.raises(TypeError, match="must be a Dimension"):
        Space({"x": (0, 1)})
    with pytest.raises(ValueError, match="empty"):
        Space({})


def test_describe_distinguishes_spaces():
    assert _mixed().describe() == _mixed().describe()
    assert to_space({"a": [1, 2]}).describe() != to_space({"a": [1, 3]}).describe()


@pytest.mark.parametrize("method", ["sobol", "lhs", "halton", "random"])
def test_initial_design(method):
    space = _mixed()
    Z = initial_design(space, 13, seed=0, method=method)
    assert Z.shape == (13, space.n_columns)
    np.testing.assert_allclose(space.snap(Z), Z)
    np.testing.assert_array_equal(Z, initial_design(space, 13, seed=0, method=method))


def test_sobol_design_covers_the_cube():
    space = Space({"x": Real(0, 1), "y": Real(0, 1)})
    Z = initial_design(space, 16, seed=3)
    # A scrambled Sobol batch of 16 puts exactly one point in each 1/16 slice.
    np.testing.assert_array_equal(np.sort(np.floor(Z[:, 0] * 16)), np.arange(16))


def test_unknown_design():
    with pytest.raises(ValueError, match="initial_point_generator must be one of"):
        initial_design(_mixed(), 3, 0, method="grid")


dims = st.one_of(
    st.builds(lambda a, w: Real(a, a + w), st.floats(-100, 100), st.floats(0.01, 100)),
    st.builds(lambda a, w: Real(a, a * w, "log-uniform"), st.floats(1e-4, 10), st.floats(1.5, 1e4)),
    st.builds(lambda a, w: Integer(a, a + w), st.integers(-50, 50), st.integers(1, 100)),
    st.builds(lambda n: Categorical([f"c{i}" for i in range(n)]), st.integers(1, 5)),
    st.builds(lambda n: Ordinal(list(range(0, 3 * n, 3))), st.integers(2, 6)),
)


@given(dimensions=st.lists(dims, min_size=1, max_size=6), seed=st.integers(0, 2**31 - 2))
def test_random_spaces_propose_valid_typed_points(dimensions, seed):
    space = Space(dimensions)
    points = space.sample(5, np.random.RandomState(seed))
    for p in points:
        assert space.contains(p)
        for name, dim in space:
            if isinstance(dim, Integer):
                assert type(p[name]) is int
            if isinstance(dim, Real):
                assert type(p[name]) is float and dim.low <= p[name] <= dim.high
    Z = space.encode(points)
    assert np.all((Z >= 0) & (Z <= 1))


def test_distance_sums_skopt_style_distances():
    space = Space({"C": Real(0.0, 10.0), "n": Integer(1, 9), "kernel": Categorical(["rbf", "poly"])})
    assert space.distance([1.0, 2, "rbf"], [3.5, 5, "poly"]) == 2.5 + 3 + 1
    assert space.distance([1.0, 2, "rbf"], [1.0, 2, "rbf"]) == 0.0
    as_dicts = [{"C": 1.0, "n": 2, "kernel": "rbf"}, {"kernel": "poly", "n": 5, "C": 3.5}]
    assert space.distance(*as_dicts) == 6.5


@pytest.mark.parametrize(
    "a, b, match",
    [
        ([1.0, 2], [1.0, 2, "rbf"], "A point of this space has 3 values, one per dimension ['C', 'n', 'kernel']. Got 2: [1.0, 2]."),
        ([1.0, 2, "rbf"], [1.0, 2, "sigmoid"], "Parameter 'kernel': Value 'sigmoid' is not one of the categories ['rbf', 'poly']."),
        ({"C": 1.0, "n": 2}, [1.0, 2, "rbf"], "The point {'C': 1.0, 'n': 2} is missing the parameter 'kernel'."),
        ([11.0, 2, "rbf"], [1.0, 2, "rbf"], "Parameter 'C': Value 11.0 is not a value of Real(low=0.0, high=10.0, prior='uniform')."),
    ],
)
def test_distance_errors(a, b, match):
    space = Space({"C": Real(0.0, 10.0), "n": Integer(1, 9), "kernel": Categorical(["rbf", "poly"])})
    with pytest.raises(ValueError, match=re.escape(match)):
        space.distance(a, b)
