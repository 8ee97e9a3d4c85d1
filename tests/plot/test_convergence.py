import matplotlib.pyplot as plt
import numpy as np
import pytest

from hptune.plot import ConvergenceDisplay, plot_convergence
from hptune.plot._convergence import best_so_far


def test_best_so_far_ignores_failures():
    np.testing.assert_array_equal(
        best_so_far([np.nan, 0.2, 0.1, np.nan, 0.5]), [np.nan, 0.2, 0.2, 0.2, 0.5]
    )


def test_one_line_per_search(bayes_search, random_search, evolution_search):
    ax = plot_convergence([bayes_search, random_search, evolution_search])
    assert len(ax.lines) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "BayesSearchCV",
        "RandomizedSearchCV",
        "EvolutionSearchCV",
    ]
    assert ax.get_xlabel() == "Number of evaluations"
    assert ax.get_ylabel() == "Best mean_test_score so far"
    x, y = ax.lines[0].get_data()
    scores = bayes_search.cv_results_["mean_test_score"]
    np.testing.assert_array_equal(x, np.arange(1, len(scores) + 1))
    np.testing.assert_allclose(y, np.maximum.accumulate(scores))
    assert y[-1] == pytest.approx(bayes_search.best_score_)


def test_dict_labels_cv_results_and_given_axes(bayes_search, random_search):
    _, ax = plt.subplots()
    display = ConvergenceDisplay.from_search(
        {"Bayes": bayes_search, "Random": random_search.cv_results_}, ax=ax
    )
    assert display.ax_ is ax and display.figure_ is ax.figure
    assert [line.get_label() for line in display.lines_] == ["Bayes", "Random"]
    # Same class twice: the labels stay distinct.
    ax = plot_convergence([bayes_search, bayes_search])
    assert [line.get_label() for line in ax.lines] == ["BayesSearchCV", "BayesSearchCV (2)"]


def test_pbt_counts_member_steps(pbt_search):
    ax = plot_convergence(pbt_search)
    x, y = ax.lines[0].get_data()
    n_rows = pbt_search.population_size * pbt_search.n_steps_
    assert len(x) == n_rows
    np.testing.assert_allclose(y[-1], np.max(pbt_search.pbt_history_["mean_test_score"]))


def test_label_count_must_match(bayes_search):
    with pytest.raises(ValueError, match="Got 2 labels for 1 searches"):
        plot_convergence([bayes_search], labels=["a", "b"])
