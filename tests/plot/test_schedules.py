import numpy as np
import pytest

from hptune.plot import ScheduleDisplay, plot_schedules
from hptune.plot._schedules import member_paths


def test_member_paths_follow_lineage():
    # Two members, three steps; after step 0 member 1 copies member 0.
    steps = np.array([0, 0, 1, 1, 2, 2])
    members = np.array([0, 1, 0, 1, 0, 1])
    parents = np.array([0, 1, 0, 0, 0, 1])
    x = np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0])
    y = np.array([10.0, 20.0, 11.0, 12.0, 13.0, 14.0])
    paths, jumps = member_paths(steps, members, parents, x, y)
    np.testing.assert_array_equal(paths[0][1], [10, 11, 13])
    # Member 1 leaves its own line and continues from member 0's point at step 0.
    np.testing.assert_array_equal(paths[1][0], [1, np.nan, 1, 2, 3])
    np.testing.assert_array_equal(paths[1][1], [20, np.nan, 10, 12, 14])
    assert jumps == [(1.0, 10.0)]


def test_one_line_per_member_and_the_best_schedule(pbt_search):
    display = ScheduleDisplay.from_search(pbt_search)
    axes = display.axes_
    assert [ax.get_ylabel() for ax in axes] == ["mean_test_score", "alpha", "eta0"]
    assert axes[-1].get_xlabel() == f"Training budget ({pbt_search.resource_})"
    for ax, lines in zip(axes, display.member_lines_):
        assert len(lines) == pbt_search.population_size
        assert len(ax.lines) == pbt_search.population_size + 1
    assert len(display.best_lines_) == 3
    x, alpha = display.best_lines_[1].get_data()
    schedule = pbt_search.best_schedule_
    np.testing.assert_array_equal(x, [e["budget"] for e in schedule])
    np.testing.assert_allclose(alpha, [e["params"]["alpha"] for e in schedule])
    assert axes[1].get_yscale() == "log"
    # The best schedule ends at the best member's final score.
    assert display.best_lines_[0].get_ydata()[-1] == pytest.approx(pbt_search.best_score_)


def test_history_alone_and_params(pbt_search):
    axes = plot_schedules(pbt_search.pbt_history_, params=["eta0"])
    assert len(axes) == 2
    assert axes[-1].get_xlabel() == "Training budget (resource)"
    assert len(axes[1].lines) == pbt_search.population_size  # no best schedule known


def test_errors(bayes_search, pbt_search):
    with pytest.raises(TypeError, match=r"needs a fitted PBTSearchCV \(or its pbt_history_\)"):
        plot_schedules(bayes_search)
    with pytest.raises(ValueError, match=r"Unknown parameters \['C'\]"):
        plot_schedules(pbt_search, params=["C"])
