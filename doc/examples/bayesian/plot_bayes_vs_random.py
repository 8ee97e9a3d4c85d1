"""
===========================================
Bayesian optimisation next to random search
===========================================

Tune an RBF support-vector classifier's ``C`` and ``gamma`` with
:class:`~hptune.BayesSearchCV` and with scikit-learn's ``RandomizedSearchCV``,
at the same budget, on the same folds and with the same priors, then compare
their ``cv_results_`` and convergence.
"""

# %%
# The task and the space
# ----------------------
# Log-uniform priors: ``C`` and ``gamma`` are scale parameters that matter
# over orders of magnitude. The same dict works for both searches.
import pandas as pd
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hptune import BayesSearchCV
from hptune.plot import plot_convergence

X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(StandardScaler(), SVC())
space = {"svc__C": loguniform(1e-3, 1e3), "svc__gamma": loguniform(1e-5, 1e1)}
cv = StratifiedKFold(3, shuffle=True, random_state=0)

bayes = BayesSearchCV(model, space, n_iter=16, n_initial_points=6, cv=cv, random_state=0)
bayes.fit(X, y)
random = RandomizedSearchCV(model, space, n_iter=16, cv=cv, random_state=0)
random.fit(X, y)

# %%
# The results
# -----------
# ``cv_results_`` has the same columns as scikit-learn's, plus ``iter``: the
# batch in which each candidate was evaluated. The first six candidates come
# from a space-filling design; after that the Gaussian process chooses.
results = pd.DataFrame(bayes.cv_results_)
columns = ["iter", "param_svc__C", "param_svc__gamma", "mean_test_score", "rank_test_score"]
results[columns].sort_values("rank_test_score").head(8)

# %%
# Both searches, side by side:
summary = pd.DataFrame(
    {
        "best score": [bayes.best_score_, random.best_score_],
        "candidates within 0.5% of the best": [
            int((pd.Series(s.cv_results_["mean_test_score"]) >= s.best_score_ - 0.005).sum())
            for s in (bayes, random)
        ],
    },
    index=["BayesSearchCV", "RandomizedSearchCV"],
)
summary

# %%
# Convergence
# -----------
# The best score so far against the number of evaluations. Random search
# keeps drawing from the whole prior; Bayesian optimisation spends its later
# evaluations near the best region, so more of them are good ones.
ax = plot_convergence({"BayesSearchCV": bayes, "RandomizedSearchCV": random})
ax.set_title("SVC on breast cancer, 16 candidates each")
