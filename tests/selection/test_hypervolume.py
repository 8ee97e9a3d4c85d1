import itertools
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hptune.selection import hypervolume, pareto_front

NAN = float("nan")
# Minimised objectives for tables of points: two timing columns and a
# scorer that holds minus the third coordinate (scores are maximised).
OBJECTIVES = ["fit_time", "score_time", "neg"]


def results_from(points):
    """cv_results_ columns whose minimised objectives are the columns of ``points``."""
    P = np.asarray(points, dtype=float)
    columns = {"mean_fit_time": P[:, 0], "mean_score_time": P[:, 1]}
    if P.shape[1] == 3:
        columns["mean_test_neg"] = -P[:, 2]
    return columns


def volume(points, reference):
    """hypervolume of minimised ``points``, the reference given in the same convention."""
    m = len(reference)
    reference = np.array(reference, dtype=float) * ([1, 1, -1][:m])
    return hypervolume(results_from(points), OBJECTIVES[:m], reference)


def grid_volume(points, reference):
    """The union of the boxes [p, reference] of integer points, counted cell by cell."""
    low = np.min(np.vstack([points, reference]), axis=0)
    cells = itertools.product(*(range(int(a), int(b)) for a, b in zip(low, reference)))
    return sum(any(np.all(p <= c) for p in points) for c in map(np.array, cells))


@pytest.mark.parametrize(
    "points, reference, expected",
    [
        ([[1, 3], [2, 2], [3, 1]], [4, 4], 6.0),  # a staircase: 3 + 2 + 1
        ([[1, 3], [1, 3], [2, 2], [3, 3]], [4, 4], 5.0),  # copies and a dominated point
        ([[1, 1], [2, 3], [3, 2]], [4, 4], 9.0),  # dominated points between the sweep's steps
        ([[1, 1]], [4, 3], 6.0),
        ([[1, 1], [5, 0]], [4, 3], 6.0),  # beyond the reference in one objective: nothing
        ([[4, 1]], [4, 3], 0.0),  # on the reference: nothing
        ([[0, 0, 0]], [1, 2, 3], 6.0),
        ([[0, 0, 1], [1, 1, 0]], [2, 2, 2], 4.0 + 1.0),  # 2x2x1 + the 1x1x1 cube under it
        ([[0, 1, 1], [1, 0, 1], [1, 1, 0]], [2, 2, 2], 4.0),  # 3 x (2x1x1) - 3 x 1 + 1 = 4
    ],
)
def test_hand_computed(points, reference, expected):
    assert volume(points, reference) == pytest.approx(expected, abs=1e-12)


@given(
    st.integers(2, 3).flatmap(
        lambda m: st.tuples(
            st.lists(st.lists(st.integers(0, 4), min_size=m, max_size=m), min_size=1, max_size=10),
            st.lists(st.integers(3, 5), min_size=m, max_size=m),
        )
    )
)
def test_equals_the_union_of_boxes_on_a_grid(case):
    points, reference = case
    assert volume(points, reference) == grid_volume(np.array(points), np.array(reference))


@given(
    st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=1, max_size=20),
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
)
def test_only_the_front_counts_and_more_points_never_hurt(points, extra):
    reference = [1.0, 1.0, 1.0]
    results = results_from(points)
    front = pareto_front(results, OBJECTIVES)
    total = volume(points, reference)
    assert volume(np.array(points)[front], reference) == pytest.approx(total, rel=1e-12, abs=1e-15)
    assert volume([*points, extra], reference) >= total - 1e-12


def test_scores_are_maximised_with_the_reference_in_their_units():
    results = {"mean_test_score": [0.9, 0.8], "mean_fit_time": [3.0, 1.0]}
    # 0.4 x 1 s above (0.5, 4 s) for the first, 0.3 x 2 s more for the second
    assert hypervolume(results, ["score", "fit_time"], [0.5, 4.0]) == pytest.approx(1.0)
    assert hypervolume(results, ["score"], [0.5]) == pytest.approx(0.4)
    assert hypervolume(results, ["fit_time"], [5]) == pytest.approx(4.0)


def test_failed_and_infinite_candidates_are_left_out():
    results = {
        "mean_test_score": [0.9, NAN, np.inf, 0.95],
        "mean_fit_time": [1.0, 0.0, 0.0, NAN],
    }
    assert hypervolume(results, ["score", "fit_time"], [0.0, 2.0]) == pytest.approx(0.9)
    assert hypervolume(results, ["score", "fit_time"], [0.95, 2.0]) == 0.0


@pytest.mark.parametrize(
    "objectives, reference, match",
    [
        (["score", "fit_time"], [0.5], "The 'reference' parameter of hypervolume must hold one finite number per objective (2 for ['score', 'fit_time']). Got [0.5] instead."),
        (["score", "fit_time"], [0.5, NAN], "Got [0.5, nan] instead."),
        (["score", "fit_time"], ["a", 1], "Got ['a', 1] instead."),
        (["score", "fit_time"], [[0.5, 1.0]], "Got [[0.5, 1.0]] instead."),
        (["score", "fit_time", "score_time", "acc"], [0, 1, 1, 0], "hypervolume computes 1 to 3 objectives exactly; got 4: ['score', 'fit_time', 'score_time', 'acc']."),
    ],
)
def test_invalid_arguments(objectives, reference, match):
    results = {
        "mean_test_score": [0.9],
        "mean_test_acc": [0.8],
        "mean_fit_time": [1.0],
        "mean_score_time": [1.0],
    }
    with pytest.raises(ValueError, match=re.escape(match)):
        hypervolume(results, objectives, reference)
