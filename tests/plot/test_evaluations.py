import numpy as np
import pytest
from matplotlib.collections import PathCollection
from sklearn.svm import SVC

from hptune import BayesSearchCV
from hptune.plot import EvaluationsDisplay, plot_evaluations


def _points(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def test_pairs_coloured_by_score(bayes_search):
    display = EvaluationsDisplay.from_search(bayes_search)
    axes = display.axes_
    n = len(bayes_search.cv_results_["params"])
    assert axes.shape == (3, 3)
    scatter, best = _points(axes[1, 0])
    assert len(scatter.get_offsets()) == n
    np.testing.assert_allclose(scatter.get_array(), bayes_search.cv_results_["mean_test_score"])
    assert len(best.get_offsets()) == 1
    np.testing.assert_allclose(
        best.get_offsets()[0],
        [bayes_search.best_params_["C"], bayes_search.best_params_["gamma"]],
    )
    assert (axes[1, 0].get_xlabel(), axes[1, 0].get_ylabel()) == ("", "gamma")
    assert [ax.get_xlabel() for ax in axes[-1]] == ["C", "gamma", "kernel"]
    assert axes[1, 0].get_xscale() == axes[1, 0].get_yscale() == "log"
    # Diagonal histograms count every candidate.
    assert sum(p.get_height() for p in axes[0, 0].patches) == n
    assert sum(p.get_height() for p in axes[2, 2].patches) == n
    assert display.colorbar_.ax.get_ylabel() == "mean_test_score"


def test_any_search_and_cv_results(random_search):
    axes = plot_evaluations(random_search.cv_results_, params=["C", "kernel"])
    assert axes.shape == (2, 2)
    assert len(_points(axes[1, 0])[0].get_offsets()) == 7
    # From cv_results_ alone, categories come in order of first appearance.
    first = list(dict.fromkeys(random_search.cv_results_["param_kernel"]))
    assert [t.get_text() for t in axes[1, 0].get_yticklabels()] == first
    assert axes[1, 0].get_xscale() == "log"  # from the values alone: 4 decades


def test_single_parameter_shows_score_against_value(random_search):
    axes = plot_evaluations(random_search, params=["C"])
    assert axes.shape == (1, 1)
    assert axes[0, 0].get_ylabel() == "mean_test_score"
    assert len(_points(axes[0, 0])[0].get_offsets()) == 7


def test_conditional_space_draws_only_pairs_that_exist(data):
    spaces = [
        {"kernel": ["rbf"], "C": (0.1, 10.0, "log-uniform"), "gamma": (1e-3, 1.0, "log-uniform")},
        {"kernel": ["linear", "poly"], "C": (0.1, 10.0, "log-uniform")},
    ]
    search = BayesSearchCV(SVC(), spaces, n_iter=6, n_initial_points=3, cv=2, random_state=0)
    search.fit(*data)
    axes = plot_evaluations(search)
    names = [ax.get_xlabel() for ax in axes[-1]]
    has_gamma = sum(p.get("gamma") is not None for p in search.cv_results_["params"])
    i, j = names.index("gamma"), names.index("C")
    pair = axes[max(i, j), min(i, j)]
    assert len(_points(pair)[0].get_offsets()) == has_gamma < 6


def test_nothing_to_plot():
    results = {
        "params": [{"a": 1}, {"a": 1}],
        "param_a": np.ma.array([1, 1], dtype=object),
        "mean_test_score": np.array([0.1, 0.2]),
    }
    with pytest.raises(ValueError, match="No parameter takes more than one value"):
        plot_evaluations(results)
