import copy
import math
import pickle
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from hptune import EvolutionSearchCV
from hptune.selection import best_within_cost, cheapest_within_score, one_standard_error
from hptune.space import Integer

NAN = float("nan")


def table(mean, std=None, n_splits=4, params=None, **columns):
    """A cv_results_ dict with the given means and stds (the split columns are only counted)."""
    mean = np.asarray(mean, dtype=float)
    results = {
        "params": params if params is not None else [{"i": i} for i in range(len(mean))],
        "mean_test_score": mean,
        "std_test_score": np.zeros_like(mean) if std is None else np.asarray(std, dtype=float),
    }
    for i in range(n_splits):
        results[f"split{i}_test_score"] = mean.copy()
    results.update({k: np.asarray(v, dtype=float) for k, v in columns.items()})
    return results


def alphas(*values):
    return [{"alpha": v} for v in values]


# -- one_standard_error --------------------------------------------------------------
# Four splits and a best std of 0.5 make the standard error exactly 0.25, so
# the boundary of the rule is exact in binary floating point.
@pytest.mark.parametrize(
    "mean, params, prefer, expected",
    [
        # best 0.75 - 0.25 = 0.5: index 1 (alpha 1) is in, index 0 (0.4999) is out
        ([0.4999, 0.5, 0.7, 0.75], alphas(0.1, 1.0, 10.0, 100.0), "lower", 1),
        ([0.75, 0.7, 0.5, 0.4999], alphas(0.1, 1.0, 10.0, 100.0), "higher", 2),
        # equal values of the parameter: the higher mean, then the lower index
        ([0.6, 0.7, 0.75, 0.7], alphas(1.0, 1.0, 5.0, 1.0), "lower", 1),
        # a failed fit with the simplest value is never chosen
        ([NAN, 0.6, 0.75], alphas(0.0, 1.0, 2.0), "lower", 1),
        # list-of-dicts space: candidates without the parameter are skipped
        ([0.6, 0.7, 0.75], [{"alpha": 1.0}, {"C": 0.0}, {"alpha": 3.0}], "lower", 0),
        # no candidate close to the best has it: the best candidate
        ([0.2, 0.7, 0.75], [{"alpha": 1.0}, {"C": 0.0}, {"C": 3.0}], "lower", 2),
    ],
)
def test_one_standard_error_hand_computed(mean, params, prefer, expected):
    results = table(mean, std=[0.5] * len(mean), params=params)
    chosen = one_standard_error("alpha", prefer=prefer)(results)
    assert chosen == expected and type(chosen) is int


def test_one_standard_error_uses_the_best_candidates_standard_error_and_split_count():
    # se = 0.3 / sqrt(9) = 0.1 from the best's std; the others' stds do not count.
    results = table([0.69, 0.71, 0.8], std=[5.0, 5.0, 0.3], n_splits=9, params=alphas(1, 2, 3))
    assert one_standard_error("alpha")(results) == 1


def test_one_standard_error_reads_the_named_metric():
    results = table([0.75, 0.5], std=[0.5, 0.5], params=alphas(2, 1))
    results["mean_test_acc"] = results.pop("mean_test_score")
    results["std_test_acc"] = results.pop("std_test_score")
    for i in range(4):
        results[f"split{i}_test_acc"] = results.pop(f"split{i}_test_score")
    assert one_standard_error("alpha", metric="acc")(results) == 1


def _reference_one_standard_error(results, param, prefer):
    """The rule written as a loop over candidates."""
    scores, params = results["mean_test_score"], results["params"]
    n_splits = sum(key.startswith("split") for key in results)
    finite = [i for i in range(len(scores)) if math.isfinite(scores[i])]
    best = max(finite, key=lambda i: (scores[i], -i))
    bound = scores[best] - results["std_test_score"][best] / math.sqrt(n_splits)
    close = [i for i in finite if scores[i] >= bound and param in params[i]]
    if not close:
        return best
    sign = 1 if prefer == "lower" else -1
    return min(close, key=lambda i: (sign * params[i][param], -scores[i], i))


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([0.5, 0.6, 0.65, 0.7, NAN]),
            st.sampled_from([0.0, 0.1, 0.4]),
            st.one_of(st.none(), st.integers(0, 3)),
        ),
        min_size=1,
        max_size=12,
    ),
    prefer=st.sampled_from(["lower", "higher"]),
)
def test_one_standard_error_matches_a_loop(rows, prefer):
    mean, std, values = zip(*rows)
    params = [{"alpha": v} if v is not None else {"C": 1} for v in values]
    if all(math.isnan(m) for m in mean) or all(v is None for v in values):
        return  # the error cases have tests of their own
    results = table(mean, std=std, params=params)
    expected = _reference_one_standard_error(results, "alpha", prefer)
    assert one_standard_error("alpha", prefer=prefer)(results) == expected


# -- cheapest_within_score and best_within_cost ---------------------------------------
TIMES = {"mean_fit_time": [4.0, 1.0, 2.0, 1.0, 0.1], "mean_score_time": [0.3, 0.1, 0.2, 0.3, 0.0]}
MEANS = [0.90, 0.86, 0.89, 0.87, NAN]  # the failed fit (index 4) is the cheapest in every cost


@pytest.mark.parametrize(
    "rule, expected",
    [
        (cheapest_within_score(0.02), 2),
        (cheapest_within_score(0.035), 3),
        (cheapest_within_score(0.05), 3),  # ties on time 1.0: the higher mean
        (cheapest_within_score(0.0), 0),
        (cheapest_within_score(0.05, cost="score_time"), 1),
        # se = 0.07 / sqrt(4) = 0.035: 0.87 is in, 0.86 is out
        (cheapest_within_score(), 3),
        (cheapest_within_score("one_standard_error", cost="n_weights"), 2),
        (best_within_cost(1.5), 3),
        (best_within_cost(2.0), 2),
        (best_within_cost(np.inf), 0),
        (best_within_cost(0.25, cost="score_time"), 2),
        (best_within_cost(50, cost="n_weights"), 2),
    ],
    ids=repr,
)
def test_cost_rules_hand_computed(rule, expected):
    results = table(MEANS, std=[0.07, 0, 0, 0, 0], **TIMES, n_weights=[100, 80, 30, 40, 1])
    assert rule(results) == expected


def test_cost_rule_ties_go_to_the_lower_index():
    results = table([0.8, 0.9, 0.9, 0.9], mean_fit_time=[1.0, 3.0, 2.0, 2.0])
    assert cheapest_within_score(0.0)(results) == 2
    assert best_within_cost(5.0)(results) == 2


def test_cheapest_within_score_skips_nan_costs():
    results = table([0.9, 0.89, 0.88], mean_fit_time=[3.0, NAN, 2.0])
    assert cheapest_within_score(0.05)(results) == 2


# -- errors ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, err, match",
    [
        (lambda: one_standard_error(3), TypeError, "The 'param' parameter of one_standard_error must be a str. Got 3 instead."),
        (lambda: one_standard_error("C", prefer="low"), ValueError, "The 'prefer' parameter of one_standard_error must be a str among {'lower', 'higher'}. Got 'low' instead."),
        (lambda: one_standard_error("C", metric=1), TypeError, "The 'metric' parameter of one_standard_error must be a str or None. Got 1 instead."),
        (lambda: cheapest_within_score(-0.1), ValueError, "The 'tolerance' parameter of cheapest_within_score must be a number in the range [0, inf). Got -0.1 instead."),
        (lambda: cheapest_within_score("1se"), ValueError, "The 'tolerance' parameter of cheapest_within_score must be a number in the range [0, inf). Got '1se' instead."),
        (lambda: cheapest_within_score(NAN), ValueError, "The 'tolerance' parameter of cheapest_within_score must be a number in the range [0, inf). Got nan instead."),
        (lambda: cheapest_within_score(cost=None), TypeError, "The 'cost' parameter of cheapest_within_score must be a str. Got None instead."),
        (lambda: best_within_cost("1s"), ValueError, "The 'max_cost' parameter of best_within_cost must be a number. Got '1s' instead."),
        (lambda: best_within_cost(True), ValueError, "The 'max_cost' parameter of best_within_cost must be a number. Got True instead."),
    ],
)
def test_invalid_parameters(make, err, match):
    with pytest.raises(err, match=re.escape(match)):
        make()


@pytest.mark.parametrize(
    "rule, results, err, match",
    [
        (one_standard_error("gamma"), table([0.5], params=[{"C": 1}]), ValueError, "No candidate has the parameter 'gamma'; the names in cv_results['params'] are ['C']."),
        (one_standard_error("kernel"), table([0.5, 0.6], params=[{"kernel": 1}, {"kernel": "rbf"}]), TypeError, "one_standard_error orders candidates by 'kernel', which must be a number; candidate 1 has kernel='rbf'."),
        (one_standard_error("C"), table([NAN, NAN], params=alphas(1, 2)), ValueError, "Every candidate's 'mean_test_score' is NaN or infinite (did every fit fail?)"),
        (one_standard_error("C"), {"mean_test_acc": [0.5], "mean_test_f1": [0.4]}, ValueError, "cv_results has no 'mean_test_score' column (multi-metric scoring?); pass metric= one of ['acc', 'f1']."),
        (one_standard_error("C", metric="auc"), {"mean_test_acc": [0.5]}, ValueError, "cv_results has no 'mean_test_auc' column; metrics found: ['acc']."),
        (one_standard_error("alpha"), table([0.5], n_splits=0, params=alphas(1)), ValueError, "cv_results has no per-split columns 'split0_test_score', 'split1_test_score', ..."),
        (one_standard_error("alpha"), {k: v for k, v in table([0.5]).items() if k != "params"}, ValueError, "cv_results has no 'params' column."),
        (cheapest_within_score(cost="memory"), table([0.5]), ValueError, "cv_results has no 'memory' column."),
        (best_within_cost(1.0), table([0.5, 0.6, NAN], mean_fit_time=[2.0, 3.0, 0.1]), ValueError, "No candidate with a finite 'mean_test_score' has mean_fit_time <= 1.0 (the lowest is 2); raise max_cost."),
        (best_within_cost(1.0, cost="kind"), {**table([0.5]), "kind": ["a"]}, ValueError, "The 'kind' column of cv_results is not numeric."),
    ],
)
def test_errors_on_bad_cv_results(rule, results, err, match):
    with pytest.raises(err, match=re.escape(match)):
        rule(results)


# -- objects: repr, pickle, clone, determinism ---------------------------------------
RULES = [
    one_standard_error("clf__C", prefer="higher", metric="acc"),
    cheapest_within_score(0.01, cost="score_time"),
    best_within_cost(2.5),
]


@pytest.mark.parametrize(
    "rule, text",
    zip(
        RULES,
        [
            "one_standard_error('clf__C', prefer='higher', metric='acc')",
            "cheapest_within_score(0.01, cost='score_time', metric=None)",
            "best_within_cost(2.5, cost='fit_time', metric=None)",
        ],
    ),
)
def test_repr_is_the_call(rule, text):
    assert repr(rule) == text


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_rules_pickle_copy_and_clone_equal(rule):
    for copied in (pickle.loads(pickle.dumps(rule)), copy.deepcopy(rule), clone(rule, safe=False)):
        assert copied == rule and hash(copied) == hash(rule) and copied is not rule
    assert rule != one_standard_error("other")


def test_rules_are_deterministic_and_leave_cv_results_unchanged():
    results = table(MEANS, std=[0.12, 0, 0, 0, 0], params=alphas(1, 2, 3, 4, 5), **TIMES)
    before = copy.deepcopy(results)
    for rule in (one_standard_error("alpha"), cheapest_within_score(), best_within_cost(3.0)):
        assert len({rule(results) for _ in range(3)}) == 1
    for key, value in before.items():
        np.testing.assert_array_equal(results[key], value)


# -- as refit= of scikit-learn's searches ---------------------------------------------
@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=60, random_state=0)


def test_one_standard_error_as_refit_of_grid_search(data):
    tree = DecisionTreeClassifier(random_state=0)
    rule = one_standard_error("min_samples_leaf", prefer="higher")
    grid = {"min_samples_leaf": [1, 2, 4, 8, 16]}
    search = GridSearchCV(tree, grid, cv=3, refit=rule).fit(*data)
    results = search.cv_results_
    assert search.best_index_ == rule(results)
    assert search.best_estimator_.min_samples_leaf == search.best_params_["min_samples_leaf"]
    # On these data the rule gives up a little score for larger leaves.
    best = int(np.argmin(results["rank_test_score"]))
    assert search.best_params_["min_samples_leaf"] > results["params"][best]["min_samples_leaf"]
    bound = results["mean_test_score"][best] - results["std_test_score"][best] / math.sqrt(3)
    assert bound <= results["mean_test_score"][search.best_index_] < results["mean_test_score"][best]
    # A search holding a rule pickles and clones with it.
    assert pickle.loads(pickle.dumps(search)).refit == rule
    assert clone(search).refit == rule


def test_cost_rules_as_refit_with_multi_metric_scoring(data):
    tree = DecisionTreeClassifier(random_state=0)
    grid = {"max_depth": [1, 3], "min_samples_leaf": [1, 5]}
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    for rule in (cheapest_within_score(0.05, metric="bal"), best_within_cost(np.inf, metric="acc")):
        search = GridSearchCV(tree, grid, cv=3, scoring=scoring, refit=rule)
        results = search.fit(*data).cv_results_
        assert search.best_index_ == rule(results)
    assert results["mean_test_acc"][search.best_index_] == results["mean_test_acc"].max()


def test_rules_as_refit_of_hptune_searches(data):
    rule = one_standard_error("min_samples_leaf", prefer="higher")
    search = EvolutionSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"min_samples_leaf": Integer(1, 20)},
        population_size=3,
        n_generations=2,
        tournament_size=2,
        cv=3,
        random_state=0,
        refit=rule,
    ).fit(*data)
    assert search.best_index_ == rule(search.cv_results_)
    assert search.best_estimator_.min_samples_leaf == search.best_params_["min_samples_leaf"]
