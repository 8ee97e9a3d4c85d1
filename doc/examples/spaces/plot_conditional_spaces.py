"""
==================================
Conditional spaces: one per kernel
==================================

``gamma`` only matters to the RBF kernel and ``degree`` only to the
polynomial one. A list of dicts gives each kernel its own sub-space, exactly
as a list of grids does in ``GridSearchCV``; hptune runs one optimiser per
sub-space and shares the budget among them.
"""

# %%
import pandas as pd
from sklearn.datasets import load_wine
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hptune import BayesSearchCV
from hptune.plot import plot_evaluations, plot_objective

X, y = load_wine(return_X_y=True)
spaces = [
    {
        "svc__kernel": ["rbf"],
        "svc__C": (1e-2, 1e3, "log-uniform"),
        "svc__gamma": (1e-4, 1e0, "log-uniform"),
    },
    {"svc__kernel": ["poly"], "svc__C": (1e-2, 1e3, "log-uniform"), "svc__degree": (2, 4)},
    {"svc__kernel": ["linear"], "svc__C": (1e-2, 1e3, "log-uniform")},
]
search = BayesSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    spaces,
    n_iter=24,
    n_initial_points=4,
    cv=3,
    random_state=0,
)
search.fit(X, y)
print(f"{search.total_iterations} candidates, best {search.best_score_:.4f}: {search.best_params_}")

# %%
# ``cv_results_`` masks the parameters a candidate's sub-space does not have,
# as ``GridSearchCV`` does:
results = pd.DataFrame(search.cv_results_)
results[
    [
        "param_svc__kernel",
        "param_svc__C",
        "param_svc__gamma",
        "param_svc__degree",
        "mean_test_score",
    ]
].head(6)

# %%
results.groupby("param_svc__kernel")["mean_test_score"].agg(["count", "max"])

# %%
# Each pair of parameters is drawn for the candidates that have both:
axes = plot_evaluations(search)

# %%
# The partial dependence is a model of one sub-space at a time; here the RBF
# one (the first dict):
axes = plot_objective(search, subspace=0, n_points=25, n_samples=100)
