import numpy as np
import pytest
from matplotlib.collections import PathCollection

from hptune.plot import PopulationDisplay, plot_population


def test_score_panel_and_one_panel_per_parameter(evolution_search):
    display = PopulationDisplay.from_search(evolution_search)
    axes = display.axes_
    results = evolution_search.cv_results_
    n = len(results["params"])
    assert len(axes) == 4
    assert [ax.get_ylabel() for ax in axes] == ["mean_test_score", "C", "gamma", "kernel"]
    assert axes[-1].get_xlabel() == "Generation"
    for ax in axes:
        points = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert len(points) == 1 and len(points[0].get_offsets()) == n
    # Candidates stay within half a generation of their own.
    x = axes[0].collections[0].get_offsets()[:, 0]
    assert np.all(np.abs(x - results["generation"]) < 0.5)
    gens, best = display.best_line_.get_data()
    np.testing.assert_array_equal(gens, [0, 1, 2])
    np.testing.assert_allclose(best, evolution_search.history_["best_score"])
    assert best[-1] == pytest.approx(evolution_search.best_score_)
    assert np.all(np.diff(best) >= 0)
    assert len(display.median_line_.get_xdata()) == 3


def test_cv_results_and_score_panel_only(evolution_search):
    axes = plot_population(evolution_search.cv_results_, params=[])
    assert len(axes) == 1
    assert axes[0].get_xlabel() == "Generation"


def test_needs_generations(bayes_search):
    with pytest.raises(ValueError, match="needs the 'generation' column"):
        plot_population(bayes_search)
