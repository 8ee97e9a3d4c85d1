"""
===========================================================
What the Gaussian process learned: objective and importance
===========================================================

After a :class:`~hptune.BayesSearchCV` run, its Gaussian process is a model
of the cross-validated score over the whole space. This example shows that
model three ways: the sampled points (:func:`~hptune.plot.plot_evaluations`),
its partial dependence per parameter and pair
(:func:`~hptune.plot.plot_objective`), and parameter importance
(:func:`~hptune.plot.plot_importance`).
"""

# %%
# A search over three parameters, one of them categorical
# -------------------------------------------------------
import pandas as pd
from sklearn.datasets import load_wine
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hptune import BayesSearchCV
from hptune.plot import plot_evaluations, plot_importance, plot_objective

X, y = load_wine(return_X_y=True)
model = make_pipeline(StandardScaler(), SVC())
space = {
    "svc__C": (1e-3, 1e3, "log-uniform"),
    "svc__gamma": (1e-4, 1e1, "log-uniform"),
    "svc__kernel": ["rbf", "sigmoid"],
}
search = BayesSearchCV(model, space, n_iter=18, n_initial_points=8, cv=3, random_state=0)
search.fit(X, y)
pd.DataFrame(search.cv_results_).sort_values("rank_test_score")[
    ["param_svc__C", "param_svc__gamma", "param_svc__kernel", "mean_test_score"]
].head()

# %%
# Where the search looked
# -----------------------
# One panel per pair of parameters, each point a candidate coloured by its
# mean test score; the red star is the best. The histograms on the diagonal
# show how often each value was tried.
axes = plot_evaluations(search)

# %%
# The model's view: partial dependence
# ------------------------------------
# Each diagonal panel is the Gaussian process's mean score as a function of
# one parameter, averaged over random values of the others; the panels below
# show pairs. Too small a ``C`` or too large a ``gamma`` hurts whatever the
# rest; where the black points are sparse, the model is guessing.
axes = plot_objective(search, n_points=25, n_samples=100)

# %%
# Parameter importance
# --------------------
# The default method splits the variance of the model's mean score among the
# parameters (main effects, as in fANOVA); the title says how much the main
# effects explain, the rest being interactions.
ax = plot_importance(search, n_samples=100)

# %%
# The length-scale method reads the Gaussian process's relevance directly:
# cheaper, but it depends on the encoding (a categorical has one length-scale
# per category). When the two methods agree, trust them more.
ax = plot_importance(search, method="lengthscale")
