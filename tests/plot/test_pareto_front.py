import re

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

from hptune import EvolutionSearchCV, HyperbandSearchCV
from hptune.plot import EvaluationsDisplay, ParetoFrontDisplay, PopulationDisplay, plot_pareto_front

X, y = make_classification(n_samples=80, n_features=5, random_state=0)
SPACE = {"max_depth": (1, 8), "min_samples_leaf": (1, 20)}


def neg_leaves(estimator, X, y):
    return -float(estimator.get_n_leaves())


SCORING = {"acc": "accuracy", "leaves": neg_leaves, "bal": "balanced_accuracy"}


@pytest.fixture(scope="module")
def search():
    return EvolutionSearchCV(
        DecisionTreeClassifier(random_state=0), SPACE, scoring=SCORING, refit="acc",
        objectives=["acc", "leaves"], population_size=5, n_generations=3, cv=3, random_state=0,
    ).fit(X, y)


def test_two_objectives(search):
    display = ParetoFrontDisplay.from_search(search)
    results = search.cv_results_
    values = np.stack([results["mean_test_acc"], results["mean_test_leaves"]], axis=1)
    np.testing.assert_array_equal(display.points_.get_offsets(), values)
    np.testing.assert_array_equal(
        display.front_points_.get_offsets(), values[search.pareto_front_]
    )
    # The staircase passes through every point of the front, in order of x.
    front = values[search.pareto_front_]
    front = front[np.argsort(front[:, 0])]
    line = display.front_line_.get_xydata()
    assert all(any(np.allclose(p, q) for q in line) for p in front)
    assert display.ax_.get_xlabel() == "acc (maximised)"
    assert display.ax_.get_ylabel() == "leaves (maximised)"
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["candidates", "Pareto front", "refitted"]


def test_three_objectives_and_times(search):
    display = ParetoFrontDisplay.from_search(search, objectives=["acc", "bal", "fit_time"])
    assert display.ax_.name == "3d" and display.front_line_ is None
    assert display.ax_.get_zlabel() == "fit_time (minimised)"
    assert len(display.front) >= 1


def test_cv_results_dict_and_given_axes(search):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    out = plot_pareto_front(search.cv_results_, objectives=["acc", "score_time"], ax=ax)
    assert out is ax and ax.get_ylabel() == "score_time (minimised)"


@pytest.mark.parametrize(
    "objectives, match",
    [
        (None, "ParetoFrontDisplay.from_search needs the objectives to plot"),
        (["acc"], "ParetoFrontDisplay.from_search draws two or three objectives; got 1: ['acc']."),
    ],
)
def test_errors(search, objectives, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        ParetoFrontDisplay.from_search(search.cv_results_, objectives=objectives)


def test_hyperband_front_is_the_full_resource_front():
    search = HyperbandSearchCV(
        DecisionTreeClassifier(random_state=0), SPACE, scoring=SCORING, refit="acc",
        objectives=["acc", "leaves"], n_iter=3, min_resources=20, cv=3, random_state=0,
    ).fit(X, y)
    display = ParetoFrontDisplay.from_search(search)
    np.testing.assert_array_equal(display.front, search.pareto_front_)


def test_ties_are_outlined_in_red(search):
    results = search.cv_results_
    p = results["pvalue_best_acc"]
    best = int(np.nanargmax(results["mean_test_acc"]))
    ties = (p > 0.05) & (np.arange(len(p)) != best)
    assert ties.any() and not ties.all()
    display = EvaluationsDisplay.from_search(search)
    np.testing.assert_array_equal(display.ties, ties)
    scatter = display.axes_[1, 0].collections[0]
    np.testing.assert_array_equal(np.asarray(scatter.get_linewidths()) > 1, ties)
    population = PopulationDisplay.from_search(search, params=[])
    np.testing.assert_array_equal(np.asarray(population.axes_[0].collections[0].get_linewidths()) > 1, ties)


def test_ties_of_any_search_come_from_the_test(random_search):
    from hptune.selection import compare_to_best

    display = EvaluationsDisplay.from_search(random_search)
    p = compare_to_best(random_search.cv_results_)
    expected = p > 0.05
    expected[random_search.best_index_] = False
    np.testing.assert_array_equal(display.ties, expected)
