import math
import re

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from hptune.selection import compare_to_best

NAN = float("nan")


def results_from(split_scores, metric="score"):
    """cv_results_ columns of the per-split test scores, shape (n_candidates, n_splits)."""
    S = np.asarray(split_scores, dtype=float)
    results = {f"mean_test_{metric}": S.mean(axis=1), f"std_test_{metric}": S.std(axis=1)}
    results.update({f"split{i}_test_{metric}": S[:, i] for i in range(S.shape[1])})
    return results


def reference_p_values(S, best, ratio):
    """Nadeau and Bengio's corrected resampled t-test, one candidate at a time."""
    k = len(S[best])
    p_values = []
    for i, row in enumerate(S):
        if not all(math.isfinite(s) for s in row):
            p_values.append(NAN)
            continue
        d = [S[best][j] - row[j] for j in range(k)]
        mean = sum(d) / k
        var = sum((x - mean) ** 2 for x in d) / (k - 1)
        scale = math.sqrt((1 / k + ratio) * var)
        if i == best:
            p_values.append(1.0)
        elif scale == 0:
            p_values.append(0.0 if mean > 0 else 1.0)
        else:
            p_values.append(stats.t.sf(mean / scale, df=k - 1))
    return np.array(p_values)


TABLE = [
    [0.86, 0.84, 0.88, 0.85, 0.87],  # 0: the best mean
    [0.85, 0.85, 0.86, 0.84, 0.85],
    [0.80, 0.81, 0.83, 0.80, 0.79],
    [0.86, 0.84, 0.88, 0.85, 0.87],  # 3: a copy of the best
    [0.85, 0.83, 0.87, 0.84, 0.86],  # 4: 0.01 below the best on every split
    [0.90, NAN, 0.90, 0.90, 0.90],  # 5: a failed split
]


@pytest.mark.parametrize(
    "kwargs, ratio",
    [({}, 1 / 4), ({"n_train": 80, "n_test": 20}, 0.25), ({"n_train": 90, "n_test": 10.5}, 10.5 / 90)],
)
def test_matches_the_formula_written_as_a_loop(kwargs, ratio):
    p_values = compare_to_best(results_from(TABLE), **kwargs)
    np.testing.assert_allclose(p_values, reference_p_values(TABLE, 0, ratio), rtol=1e-12)
    assert p_values[0] == p_values[3] == 1.0  # the best and its copy
    assert p_values[4] == 0.0  # a constant difference: no variance
    assert np.isnan(p_values[5])
    assert p_values[2] < 0.05 < p_values[1]


def test_is_the_paired_t_test_with_a_corrected_variance():
    # scipy's paired t statistic uses var(d) / k; the correction multiplies
    # the variance by 1 + k * n_test / n_train.
    best, other = np.array(TABLE[0]), np.array(TABLE[2])
    k, ratio = 5, 1 / 4
    paired = stats.ttest_rel(best, other, alternative="greater")
    t = paired.statistic / math.sqrt(1 + k * ratio)
    p_values = compare_to_best(results_from([best, other]))
    assert p_values[1] == pytest.approx(stats.t.sf(t, df=k - 1), rel=1e-12)
    assert p_values[1] > paired.pvalue


def test_two_splits_against_the_cauchy_distribution():
    # k = 2: d = (0.1, 0.3), mean 0.2, var 0.02, ratio 1; t = 0.2 / sqrt(1.5 * 0.02),
    # and Student's t with 1 degree of freedom is Cauchy: P(T >= t) = 1/2 - atan(t) / pi.
    p_values = compare_to_best(results_from([[0.9, 0.8], [0.8, 0.5]]))
    t = 0.2 / math.sqrt(1.5 * 0.02)
    assert p_values[1] == pytest.approx(0.5 - math.atan(t) / math.pi, rel=1e-12)


def test_best_index_and_metric():
    results = results_from(TABLE, metric="acc")
    p_values = compare_to_best(results, metric="acc", best_index=1)
    np.testing.assert_allclose(p_values, reference_p_values(TABLE, 1, 1 / 4), rtol=1e-12)
    assert p_values[1] == 1.0 and p_values[0] > 0.5  # candidate 0 is better than 1


def test_ties_for_the_best_go_to_the_lower_index():
    p_values = compare_to_best(results_from([[0.5, 0.25, 0.75], [0.75, 0.25, 0.5]]))
    np.testing.assert_array_equal(p_values, [1.0, 0.5])


def test_no_complete_candidate_gives_nan():
    p_values = compare_to_best(results_from([[0.9, NAN], [NAN, 0.5]]))
    assert p_values.shape == (2,) and np.isnan(p_values).all()


def test_on_a_grid_search(global_random_seed):
    X, y = make_classification(n_samples=60, random_state=global_random_seed)
    grid = {"max_depth": [1, 2, 4], "min_samples_leaf": [1, 10]}
    tree = DecisionTreeClassifier(random_state=0)
    search = GridSearchCV(tree, grid, cv=4).fit(X, y)
    p_values = compare_to_best(search.cv_results_)
    assert p_values.shape == (6,) and ((0 <= p_values) & (p_values <= 1)).all()
    assert p_values[search.best_index_] == 1.0
    again = compare_to_best(search.cv_results_, n_train=45, n_test=15)
    np.testing.assert_array_equal(p_values, again)  # 4-fold: n_test / n_train = 1 / 3


@pytest.mark.parametrize(
    "results, kwargs, match",
    [
        (results_from(TABLE, "acc"), {}, "cv_results has no 'mean_test_score' column (multi-metric scoring?); pass metric= one of ['acc']."),
        (results_from([[0.5], [0.6]]), {}, "compare_to_best needs at least 2 splits to estimate a variance; cv_results has 1 ('split0_test_score')."),
        ({"mean_test_score": [0.5]}, {}, "cv_results has no per-split columns 'split0_test_score', 'split1_test_score', ..."),
        (results_from(TABLE), {"n_train": 80}, "compare_to_best needs both n_train and n_test, or neither; got n_train=80 and n_test=None."),
        (results_from(TABLE), {"n_train": 0, "n_test": 20}, "The 'n_train' parameter of compare_to_best must be a number in the range (0, inf). Got 0 instead."),
        (results_from(TABLE), {"n_train": 80, "n_test": "20"}, "The 'n_test' parameter of compare_to_best must be a number in the range (0, inf). Got '20' instead."),
        (results_from(TABLE), {"best_index": 6}, "The 'best_index' parameter of compare_to_best must be an int in the range [0, 5] or None. Got 6 instead."),
        (results_from(TABLE), {"best_index": 1.0}, "Got 1.0 instead."),
        (results_from(TABLE), {"best_index": 5}, "Candidate best_index=5 has a NaN or infinite split score (a failed fit); compare with a candidate whose every split was scored."),
    ],
)
def test_invalid_inputs(results, kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        compare_to_best(results, **kwargs)
