"""``BayesSearchCV.optimizer_results_``: scikit-optimize's result shape and its plots.

The shape, the field order and the sign are checked without scikit-optimize;
skopt's own plots run on the results when it is installed.
"""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.svm import SVC

from hptune import BayesSearchCV
from hptune.space import Categorical, Integer, Real

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
SPACE = {
    # Given out of alphabetical order: skopt sorts the names.
    "kernel": Categorical(["rbf", "poly", "linear"]),
    "gamma": Real(1e-3, 1e1, "log-uniform"),
    "degree": Integer(1, 3),
    "C": Real(1e-2, 1e2, "log-uniform"),
}
SKOPT_KEYS = {"x", "fun", "func_vals", "x_iters", "models", "space", "random_state", "specs"}


@pytest.fixture(scope="module")
def search():
    return BayesSearchCV(
        SVC(), SPACE, n_iter=8, n_initial_points=4, cv=2, random_state=0
    ).fit(X, y)


def test_fields_order_and_sign(search):
    [res] = search.optimizer_results_
    assert SKOPT_KEYS <= set(res)
    names = ["C", "degree", "gamma", "kernel"]
    assert res.space.dimension_names == names
    assert res.x == [search.best_params_[n] for n in names]
    assert res.x_iters == [[p[n] for n in names] for p in search.cv_results_["params"]]
    # skopt minimises: func_vals are the negated mean test scores.
    np.testing.assert_allclose(res.func_vals, -search.cv_results_["mean_test_score"])
    assert res.fun == pytest.approx(-search.best_score_)
    assert res.specs["function"] == "BayesSearchCV"


def test_space_has_skopt_interface(search):
    space = search.optimizer_results_[0].space
    C, degree, gamma, kernel = space.dimensions
    assert space.n_dims == 4 and space.is_partly_categorical and not space.is_categorical
    assert (C.prior, C.bounds) == ("log-uniform", (1e-2, 1e2))
    assert (degree.prior, degree.bounds) == ("uniform", (1, 3))
    assert kernel.categories == ("rbf", "poly", "linear") and kernel.prior is None
    assert not any(d.is_constant for d in space.dimensions)
    Xt = space.transform(space.rvs(n_samples=5, random_state=0))
    assert Xt.shape == (5, sum(d.transformed_size for d in space.dimensions))
    assert Xt.shape[1] == space.transformed_n_dims
    assert space[["gamma"]] == [(2, gamma)]
    assert space.distance([1.0, 1, 0.5, "rbf"], [2.0, 1, 0.5, "poly"]) == 2.0


def test_model_predicts_minimised_scores(search):
    # The GP interpolates its data closely: at the evaluated points it predicts
    # about -score, in skopt's transformed space (sorted dimension order).
    res = search.optimizer_results_[0]
    [model] = res.models
    predicted = model.predict(res.space.transform(res.x_iters))
    assert predicted.shape == (8,)
    assert np.corrcoef(predicted, res.func_vals)[0, 1] > 0.9
    mean, std = model.predict(res.space.transform([res.x]), return_std=True)
    assert mean.shape == std.shape == (1,) and std[0] >= 0


def test_results_pickle(search):
    res = pickle.loads(pickle.dumps(search)).optimizer_results_[0]
    assert res.space.dimension_names == ["C", "degree", "gamma", "kernel"]


def test_one_result_per_subspace():
    spaces = [({"C": Real(1e-2, 1e2, "log-uniform"), "kernel": ["linear"]}, 3),
              ({"gamma": Real(1e-3, 1e1, "log-uniform"), "C": Real(1e-2, 1e2, "log-uniform")}, 4)]
    search = BayesSearchCV(SVC(), spaces, n_initial_points=2, cv=2, random_state=0).fit(X, y)
    first, second = search.optimizer_results_
    assert len(first.x_iters) == 3 and len(second.x_iters) == 4
    assert second.space.dimension_names == ["C", "gamma"]
    assert first.space.dimensions[1].is_constant


def test_skopt_plots_accept_results(search):
    pytest.importorskip("skopt")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from skopt.plots import plot_convergence, plot_evaluations, plot_objective
    from skopt.space import Categorical as SkoptCategorical

    res = search.optimizer_results_[0]
    assert isinstance(res.space.dimensions[3], SkoptCategorical)
    assert plot_convergence(res) is not None
    # A 4 x 4 grid of sub-axes (inside the returned axes) for 4 dimensions.
    assert len(plot_evaluations(res).figure.axes) >= 16
    ax = plot_objective(res, n_points=5, n_samples=20)
    assert len(ax.figure.axes) >= 16
    plt.close("all")
