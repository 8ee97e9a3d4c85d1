"""
================================
Four searches at the same budget
================================

Grid, random, Bayesian and evolutionary search tune the same support-vector
classifier on the same folds with 16 candidates each. One run on one task is an
anecdote, not a benchmark (see the :ref:`benchmarks` page for that), but it
shows how to set up a fair comparison and read it.
"""

# %%
import numpy as np
import pandas as pd
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hptune import BayesSearchCV, EvolutionSearchCV
from hptune.plot import plot_convergence

X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(StandardScaler(), SVC())
cv = StratifiedKFold(3, shuffle=True, random_state=0)  # the same folds for all
space = {"svc__C": loguniform(1e-3, 1e3), "svc__gamma": loguniform(1e-5, 1e1)}
grid = {"svc__C": np.logspace(-3, 3, 4), "svc__gamma": np.logspace(-5, 1, 4)}  # 16 points

searches = {
    "GridSearchCV": GridSearchCV(model, grid, cv=cv),
    "RandomizedSearchCV": RandomizedSearchCV(model, space, n_iter=16, cv=cv, random_state=0),
    "BayesSearchCV": BayesSearchCV(
        model, space, n_iter=16, n_initial_points=6, cv=cv, random_state=0
    ),
    "EvolutionSearchCV": EvolutionSearchCV(
        model, space, population_size=4, n_generations=4, cv=cv, random_state=0
    ),
}
for search in searches.values():
    search.fit(X, y)

# %%
# Every search fills the same ``cv_results_`` format:
pd.DataFrame(
    {
        name: {
            "candidates": len(s.cv_results_["params"]),
            "best score": s.best_score_,
            "median score": np.median(s.cv_results_["mean_test_score"]),
            "total fit time (s)": s.cv_results_["mean_fit_time"].sum() * s.n_splits_,
        }
        for name, s in searches.items()
    }
).T

# %%
# The grid is evaluated in its own order, so its curve says little about
# "how fast"; for the others, the curve is the story of the search.
ax = plot_convergence(searches)
ax.set_ylim(0.9, None)
