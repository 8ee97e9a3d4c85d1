"""The shared model input of conditional spaces (``hptune/space/_conditional.py``)."""

import math

import numpy as np
import pytest

from hptune.space import Categorical, Real, to_space
from hptune.space._conditional import ConditionalSpace


class _Scaler:
    def __repr__(self):
        return "_Scaler()"


SCALER = _Scaler()


def _space(*branches):
    return ConditionalSpace([to_space(b) for b in branches])


def test_layout_branch_one_hot_shared_groups_and_inactive_values():
    space = _space(
        {"kernel": ["linear"], "C": (1e-2, 1e2, "log-uniform")},
        {"kernel": ["rbf"], "C": (1e-1, 1e1, "log-uniform"), "gamma": (1e-3, 1.0, "log-uniform")},
    )
    # branch (2) + kernel categories (2) + one shared C + gamma
    assert space.n_columns == 6
    X = space.embed(0, space.branches[0].encode([{"kernel": "linear", "C": 1.0}]))
    np.testing.assert_allclose(X, [[1.0, 0.0, 1.0, 0.0, 0.5, 0.5]])
    # The same C in both branches is the same model input despite other bounds.
    X1 = space.embed(1, space.branches[1].encode([{"kernel": "rbf", "C": 1.0, "gamma": 1.0}]))
    np.testing.assert_allclose(X1, [[0.0, 1.0, 0.0, 1.0, 0.5, 1.0]])


def test_categories_are_merged_across_branches_by_identity():
    space = _space({"scale": [SCALER, "passthrough"], "a": (0.0, 1.0)},
                   {"scale": ["passthrough", SCALER], "b": (0.0, 1.0)})
    [group] = [g for g in space.groups if g.name == "scale"]
    assert group.categories == [SCALER, "passthrough"] and group.width == 2
    for k in range(2):
        Z = space.branches[k].encode([{"scale": SCALER, "a" if k == 0 else "b": 0.3}])
        np.testing.assert_allclose(space.embed(k, Z)[0, 2:4], [1.0, 0.0])
    assert space.dimensions()["scale"].categories == [SCALER, "passthrough"]


def test_inactive_categorical_is_the_centroid():
    space = _space({"a": ["x", "y", "z"]}, {"b": (0.0, 1.0)})
    X = space.embed(1, space.branches[1].encode([{"b": 0.2}]))
    np.testing.assert_allclose(X[0, 2:5], [1 / 3] * 3)


def test_incompatible_dimensions_of_one_name_get_separate_groups():
    space = _space({"gamma": ["scale", "auto"]}, {"gamma": Real(1e-3, 1.0, "log-uniform")},
                   {"gamma": (1e-3, 1.0)})
    assert [g.kind for g in space.groups] == ["categorical", "bounded", "bounded"]
    assert space.n_columns == 3 + 2 + 1 + 1


def test_embedding_is_affine_and_a_is_its_jacobian():
    space = _space({"C": (1e-2, 1e2, "log-uniform"), "d": (1, 5)},
                   {"C": (1e-1, 1e3, "log-uniform"), "k": ["a", "b"]})
    A, b = space.embedding(1)
    Z = np.array([[0.3, 1.0, 0.0]])
    step = np.array([[1e-3, 0.0, 0.0]])
    np.testing.assert_allclose(space.embed(1, Z + step) - space.embed(1, Z), step @ A)
    assert np.all((space.embed(1, Z) >= 0) & (space.embed(1, Z) <= 1))


def test_constant_branches_and_sizes():
    space = _space({"clf": ["nb"]}, {"clf": ["lr"], "C": [0.1, 1.0]})
    assert space.size == 3 and space.branches[0].n_columns == 0
    X = space.embed(0, np.empty((1, 0)))
    assert X.shape == (1, space.n_columns)
    assert math.isinf(_space({"x": (0.0, 1.0)}, {"y": [1, 2]}).size)


def test_branch_of_names_the_point_in_no_branch():
    space = _space({"a": (0.0, 1.0)}, {"b": (0.0, 1.0)})
    assert space.branch_of({"b": 0.5}) == 1
    with pytest.raises(ValueError, match="is in none of the 2 sub-spaces"):
        space.branch_of({"a": 2.0})


def test_describe_lists_the_branches():
    space = _space({"a": (0.0, 1.0)}, {"b": Categorical(["u", "v"])})
    assert space.describe() == [b.describe() for b in space.branches]
