import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.svm import SVC

import hptune.plot
from hptune import BayesSearchCV
from hptune.plot._base import ParamAxis, results_of, score_key
from hptune.space import Categorical, Real

PLOT_FUNCTIONS = [
    "plot_convergence",
    "plot_objective",
    "plot_evaluations",
    "plot_importance",
    "plot_population",
    "plot_schedules",
    "plot_pareto_front",
]


@pytest.mark.parametrize("name", PLOT_FUNCTIONS)
def test_missing_matplotlib_names_the_extra(monkeypatch, bayes_search, name):
    # A None entry in sys.modules makes "import matplotlib" raise ImportError.
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=r'pip install "hptune\[plots\]"') as info:
        getattr(hptune.plot, name)(bayes_search)
    assert name.split("_")[0] in str(info.value) or "Display" in str(info.value)


def test_importing_hptune_plot_does_not_need_matplotlib():
    import subprocess

    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import hptune.plot\n"
        "assert 'plot_convergence' in hptune.plot.__all__\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_function_has_a_display():
    for name in PLOT_FUNCTIONS:
        assert callable(getattr(hptune.plot, name))
    displays = [n for n in hptune.plot.__all__ if n.endswith("Display")]
    assert len(displays) == len(PLOT_FUNCTIONS)
    for name in displays:
        cls = getattr(hptune.plot, name)
        assert hasattr(cls, "from_search") and hasattr(cls, "plot")


def test_results_of_errors():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        results_of(BayesSearchCV(SVC(), {"C": (0.1, 1.0)}), "plot_x")
    with pytest.raises(TypeError, match="expects a fitted search or its cv_results_"):
        results_of([1, 2], "plot_x")


def test_score_key_picks_the_metric():
    multi = {"params": [{}], "mean_test_acc": np.array([0.5]), "mean_test_f1": np.array([0.4])}
    assert score_key(multi) == "mean_test_acc"
    assert score_key(multi, metric="f1") == "mean_test_f1"

    class Search:
        refit = "f1"

    assert score_key(multi, search=Search()) == "mean_test_f1"
    with pytest.raises(
        ValueError, match=r"metric='auc' is not in cv_results_; available: \['acc', 'f1'\]"
    ):
        score_key(multi, metric="auc")


def test_param_axis_numeric_log_and_categorical():
    axis = ParamAxis("C", [0.01, None, 10.0], Real(1e-3, 1e2, "log-uniform"))
    assert axis.numeric and axis.log
    assert np.isnan(axis.positions([None])[0])
    assert not ParamAxis("C", [0.01, 10.0], Real(1e-3, 1e2)).log
    # Without a dimension, two decades of positive values read as log scale.
    assert ParamAxis("C", [0.01, 10.0]).log and not ParamAxis("x", [1.0, 5.0]).log

    svc = SVC()
    axis = ParamAxis("model", [svc, "none", None], Categorical(["none", svc]))
    assert not axis.numeric
    assert axis.categories == ["none", svc]
    np.testing.assert_array_equal(axis.positions([svc, "none", None]), [1.0, 0.0, np.nan])
