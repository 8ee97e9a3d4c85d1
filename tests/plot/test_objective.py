import numpy as np
import pytest
from matplotlib.collections import PathCollection

from hptune import BayesOptimizer, minimize
from hptune.plot import ObjectiveDisplay, plot_objective
from hptune.space import Real

FAST = dict(n_points=8, n_samples=20)


def test_panels_per_parameter_and_pair(bayes_search):
    gp_before = bayes_search.strategy_.gp_
    n_train = gp_before.X_train_.shape[0]
    display = ObjectiveDisplay.from_search(bayes_search, **FAST)
    axes = display.axes_
    assert axes.shape == (3, 3)
    assert [ax.get_xlabel() for ax in axes[-1]] == ["C", "gamma", "kernel"]
    assert [axes[i, 0].get_ylabel() for i in (1, 2)] == ["gamma", "kernel"]
    assert not any(axes[i, j].get_visible() for i in range(3) for j in range(3) if j > i)
    n_evaluated = len(bayes_search.cv_results_["params"])
    for i in range(3):
        diag = axes[i, i]
        assert diag.get_ylabel() == "Partial dependence"
        assert len(diag.lines) == 2  # the partial dependence and the best value
        for j in range(i):
            points, best = [c for c in axes[i, j].collections if isinstance(c, PathCollection)]
            assert len(points.get_offsets()) == n_evaluated
            assert len(best.get_offsets()) == 1
    assert axes[0, 0].get_xscale() == "log"
    assert [t.get_text() for t in axes[2, 2].get_xticklabels()] == ["rbf", "linear"]
    # Plotting refits a copy: the search's own surrogate is untouched.
    assert bayes_search.strategy_.gp_ is gp_before
    assert gp_before.X_train_.shape[0] == n_train


def test_partial_dependence_finds_the_optimum_of_a_known_function():
    # Scores peak at x = 0.3 whatever z is; PD over x must peak there too.
    opt = BayesOptimizer(
        {"x": Real(0.0, 1.0), "z": Real(0.0, 1.0)}, n_initial_points=8, random_state=0
    )
    for _ in range(14):
        [p] = opt.ask()
        opt.tell([p], [-((p["x"] - 0.3) ** 2)])
    display = ObjectiveDisplay.from_search(opt, n_points=21, n_samples=30)
    x = np.asarray(display.grids[0])
    assert x[np.argmax(display.pd_1d[0])] == pytest.approx(0.3, abs=0.1)
    assert np.ptp(display.pd_1d[1]) < 0.2 * np.ptp(display.pd_1d[0])
    assert display.pd_2d[(1, 0)].shape == (21, 21)


def test_minimize_result_and_params_subset():
    res = minimize(
        lambda v: (v[0] - 1) ** 2 + 0.1 * v[1],
        [(-2.0, 2.0), (0.0, 1.0)],
        n_calls=8,
        n_initial_points=5,
        random_state=0,
    )
    axes = plot_objective(res, params=["x0"], **FAST)
    assert axes.shape == (1, 1)
    assert axes[0, 0].get_xlabel() == "x0"


def test_evolution_search_gets_a_surrogate_fitted_here(evolution_search):
    # No GP of its own: one is fitted to the evaluated candidates, on the spot.
    display = ObjectiveDisplay.from_search(evolution_search, **FAST)
    assert display.axes_.shape == (3, 3)
    assert len(display.samples) == len(evolution_search.cv_results_["params"])
    assert not hasattr(evolution_search.strategy_, "gp_")


def test_errors(random_search, bayes_search):
    with pytest.raises(TypeError, match="needs the told points of an ask/tell strategy"):
        plot_objective(random_search)
    with pytest.raises(ValueError, match=r"Unknown parameters \['nope'\]"):
        plot_objective(bayes_search, params=["nope"], **FAST)
    with pytest.raises(ValueError, match="single space; got subspace=1"):
        plot_objective(bayes_search, subspace=1, **FAST)
    with pytest.raises(ValueError, match="shows one; pass subspace=0 ... 1"):

        class Two:
            class strategy_:  # noqa: N801 - mimics a fitted attribute
                strategies = [None, None]

        plot_objective(Two())
