import numpy as np
import pytest

from hptune import BayesOptimizer
from hptune.plot import ImportanceDisplay, plot_importance
from hptune.space import Categorical, Real


@pytest.fixture(scope="module")
def optimizer():
    # Only x matters (strongly); the category adds a small constant shift.
    space = {"x": Real(0.0, 1.0), "z": Real(0.0, 1.0), "k": Categorical(["a", "b"])}
    opt = BayesOptimizer(space, n_initial_points=12, random_state=0)
    for _ in range(16):
        [p] = opt.ask()
        opt.tell([p], [np.sin(6 * p["x"]) + 0.05 * (p["k"] == "b")])
    return opt


def test_variance_method_finds_the_important_parameter(optimizer):
    display = ImportanceDisplay.from_search(optimizer, n_samples=100)
    values = dict(zip(display.names, display.importances))
    assert values["x"] > 0.8
    assert values["z"] < 0.05 and values["k"] < 0.1
    # Shares of one variance: at most 1 in total, up to sampling error.
    assert display.importances.sum() <= 1.02
    assert len(display.bars_) == 3
    ax = display.ax_
    assert ax.get_xlabel() == "Share of the variance of the GP mean score"
    assert "main effects" in ax.get_title()
    # Bars are sorted: the most important parameter is at the top.
    assert ax.get_yticklabels()[-1].get_text() == "x"


def test_lengthscale_method(optimizer, bayes_search):
    display = ImportanceDisplay.from_search(optimizer, method="lengthscale")
    assert display.importances.sum() == pytest.approx(1.0)
    assert dict(zip(display.names, display.importances))["x"] == display.importances.max()
    assert display.ax_.get_xlabel() == "Relevance 1 / length-scale (sums to 1)"
    assert "length-scales" in display.ax_.get_title()
    ax = plot_importance(bayes_search, method="lengthscale")
    assert len(ax.patches) == 3


def test_invalid_method(optimizer):
    with pytest.raises(
        ValueError, match=r"method must be one of \['lengthscale', 'variance'\]. Got 'x'"
    ):
        plot_importance(optimizer, method="x")


def test_lengthscale_method_reads_scaled_inputs_in_encoding_units():
    # The two-objective strategy's GPs see the one-hot columns shrunk; the
    # relevance of a category must come from its lengthscale in encoding units.
    from hptune.plot._importance import importances
    from hptune.plot._surrogate import surrogate_of
    from hptune.strategies._multiobjective_ehvi import EHVIOptimizer

    opt = EHVIOptimizer({"n": (1, 30), "kind": ["a", "b", "c"]}, n_initial_points=8,
                        random_state=0)
    for _ in range(8):
        points = opt.ask()
        opt.tell(points, [[p["n"] + (p["kind"] == "b"), -p["n"]] for p in points])
    opt.ask()  # fits the surrogates
    sur = surrogate_of(opt, "importances")
    _, values = importances(sur, "lengthscale")
    lengthscales = sur.gp.lengthscales_ / sur.gp.input_scale
    expected = 1.0 / np.array([lengthscales[s].min() for s in sur.slices])
    np.testing.assert_allclose(values, expected / expected.sum())
