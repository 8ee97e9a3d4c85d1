import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hptune.selection import pareto_front, pareto_rank
from hptune.strategies import _multiobjective_sort

NAN = float("nan")
# Objectives of the random tables: two maximised scores and a minimised time.
OBJECTIVES = ["score", "acc", "fit_time"]
SIGNS = np.array([-1.0, -1.0, 1.0])  # to the minimisation convention


def results_from(values, objectives=OBJECTIVES):
    """A cv_results_ dict whose objective columns are the columns of ``values``."""
    values = np.asarray(values, dtype=float).reshape(-1, len(objectives))
    names = {"fit_time": "mean_fit_time", "score_time": "mean_score_time"}
    return {names.get(o, f"mean_test_{o}"): values[:, j] for j, o in enumerate(objectives)}


def dominates(a, b):
    """``a`` dominates ``b`` (minimised rows): by definition, NaN rows by every complete row."""
    if np.isnan(a).any():
        return False
    if np.isnan(b).any():
        return True
    return bool(np.all(a <= b) and np.any(a < b))


def minimised(values, m):
    return np.asarray(values, dtype=float).reshape(-1, m) * SIGNS[:m]


tables = st.integers(1, 3).flatmap(
    lambda m: st.tuples(
        st.just(m),
        st.lists(
            st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0, NAN]), min_size=m, max_size=m),
            min_size=1,
            max_size=25,
        ),
    )
)


@given(tables)
def test_front_is_exactly_the_non_dominated_candidates(table):
    m, rows = table
    F = minimised(rows, m)
    front = set(pareto_front(results_from(rows, OBJECTIVES[:m]), OBJECTIVES[:m]).tolist())
    for i in range(len(F)):
        dominated = any(dominates(F[j], F[i]) for j in range(len(F)))
        assert (i in front) == (not dominated)
        if i not in front:
            assert any(dominates(F[j], F[i]) for j in front)


@given(tables)
def test_ranks_are_the_successive_fronts(table):
    m, rows = table
    F = minimised(rows, m)
    results = results_from(rows, OBJECTIVES[:m])
    ranks = pareto_rank(results, OBJECTIVES[:m])
    np.testing.assert_array_equal(np.flatnonzero(ranks == 1), pareto_front(results, OBJECTIVES[:m]))
    assert set(ranks.tolist()) == set(range(1, ranks.max() + 1))
    for i in range(len(F)):
        # Nothing of the same rank or worse dominates i; something one rank better does.
        assert not any(dominates(F[j], F[i]) for j in range(len(F)) if ranks[j] >= ranks[i])
        if ranks[i] > 1:
            assert any(dominates(F[j], F[i]) for j in np.flatnonzero(ranks == ranks[i] - 1))
    incomplete = np.isnan(F).any(axis=1)
    if incomplete.any():
        assert (ranks[incomplete] == ranks.max()).all()
        assert ranks.max() == (ranks[~incomplete].max() + 1 if (~incomplete).any() else 1)


@given(tables, st.randoms(use_true_random=False))
def test_ranks_follow_a_permutation_of_the_candidates(table, random):
    m, rows = table
    order = list(range(len(rows)))
    random.shuffle(order)
    ranks = pareto_rank(results_from(rows, OBJECTIVES[:m]), OBJECTIVES[:m])
    shuffled = pareto_rank(results_from([rows[i] for i in order], OBJECTIVES[:m]), OBJECTIVES[:m])
    np.testing.assert_array_equal(shuffled, ranks[order])


def test_blocks_give_the_same_ranks(monkeypatch):
    # Continuous values, many fronts; then blocks of a single row.
    values = np.random.RandomState(0).rand(200, 3)
    expected = pareto_rank(results_from(values), OBJECTIVES)
    front = pareto_front(results_from(values), OBJECTIVES)
    monkeypatch.setattr(_multiobjective_sort, "_BLOCK_ELEMENTS", 7)
    np.testing.assert_array_equal(pareto_rank(results_from(values), OBJECTIVES), expected)
    np.testing.assert_array_equal(pareto_front(results_from(values), OBJECTIVES), front)
    assert expected.max() > 5


def test_hand_computed_fronts_and_ranks():
    # score (max), fit_time (min), score_time (min)
    values = [
        [0.9, 3.0, 1.0],  # 0: best score
        [0.9, 3.0, 1.0],  # 1: a copy of 0, also on the front
        [0.8, 1.0, 1.0],  # 2: faster to fit
        [0.8, 1.0, 2.0],  # 3: dominated by 2 only
        [0.7, 2.0, 2.0],  # 4: dominated by 2 and 3
        [0.5, 9.0, 0.5],  # 5: fastest to score
        [NAN, 0.1, 0.1],  # 6: failed
    ]
    objectives = ["score", "fit_time", "score_time"]
    results = results_from(values, objectives)
    np.testing.assert_array_equal(pareto_front(results, objectives), [0, 1, 2, 5])
    np.testing.assert_array_equal(pareto_rank(results, objectives), [1, 1, 1, 2, 3, 1, 4])
    # Without score_time, 3 equals 2 (both on the front), 4 dominates 5.
    np.testing.assert_array_equal(
        pareto_rank(results, ["score", "fit_time"]), [1, 1, 1, 1, 2, 3, 4]
    )


def test_all_failed_candidates_are_all_on_the_front():
    results = results_from([[NAN, 1.0], [0.5, NAN]], ["score", "fit_time"])
    np.testing.assert_array_equal(pareto_front(results, ["score", "fit_time"]), [0, 1])
    np.testing.assert_array_equal(pareto_rank(results, ["score", "fit_time"]), [1, 1])


def test_no_candidates():
    results = results_from(np.empty((0, 2)), ["score", "fit_time"])
    assert pareto_front(results, ["score", "fit_time"]).shape == (0,)
    assert pareto_rank(results, ["score", "fit_time"]).shape == (0,)


def test_time_names_read_the_timing_columns_even_when_a_scorer_has_that_name():
    results = {
        "mean_test_score": np.array([0.9, 0.8]),
        "mean_fit_time": np.array([2.0, 1.0]),
        "mean_test_fit_time": np.array([1.0, 2.0]),  # would make 0 dominate 1
    }
    np.testing.assert_array_equal(pareto_front(results, ["score", "fit_time"]), [0, 1])


@pytest.mark.parametrize("func", [pareto_front, pareto_rank])
@pytest.mark.parametrize(
    "objectives, err, match",
    [
        ("score", TypeError, "The 'objectives' parameter of {} must be a non-empty list of str (scorer names, 'fit_time', 'score_time'). Got 'score' instead."),
        ([], TypeError, "The 'objectives' parameter of {} must be a non-empty list of str"),
        (["score", 1], TypeError, "Got ['score', 1] instead."),
        (["score", "score"], ValueError, "The 'objectives' parameter of {} names an objective twice: ['score', 'score']."),
        (["acc"], ValueError, "Unknown objective 'acc' of {}: cv_results has no 'mean_test_acc' column. Objectives are scorer names (here ['score']; 'score' for single-metric scoring), 'fit_time' or 'score_time'."),
        (["score_time"], ValueError, "cv_results has no 'mean_score_time' column."),
    ],
)
def test_invalid_objectives(func, objectives, err, match):
    results = {"mean_test_score": [0.5], "mean_fit_time": [1.0]}
    with pytest.raises(err, match=re.escape(match.format(func.__name__))):
        func(results, objectives)
