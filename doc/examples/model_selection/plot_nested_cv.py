"""
==========================================================
How optimistic is ``best_score_``? Nested cross-validation
==========================================================

``best_score_`` is the best of many noisy estimates, so it is biased
upwards. Nested cross-validation runs the whole search inside each outer
training fold and scores the chosen model on the outer test fold, which the
search never saw. The gap between the two is the search's optimism.
"""

# %%
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.tree import DecisionTreeClassifier

from hptune import BayesSearchCV

X, y = load_breast_cancer(return_X_y=True)
# A small sample makes the optimism easier to see.
X, y = X[::3], y[::3]
space = {
    "max_depth": (1, 10),
    "min_samples_leaf": (1, 30),
    "ccp_alpha": (1e-4, 1e-1, "log-uniform"),
}
inner = StratifiedKFold(3, shuffle=True, random_state=0)
outer = StratifiedKFold(4, shuffle=True, random_state=1)
search = BayesSearchCV(
    DecisionTreeClassifier(random_state=0),
    space,
    n_iter=12,
    n_initial_points=6,
    cv=inner,
    random_state=0,
)

# %%
# The outer loop: each fold runs a complete search and keeps it.
nested = cross_validate(search, X, y, cv=outer, return_estimator=True)
folds = pd.DataFrame(
    {
        "best_score_ (inner CV)": [s.best_score_ for s in nested["estimator"]],
        "outer test score": nested["test_score"],
        "best max_depth": [s.best_params_["max_depth"] for s in nested["estimator"]],
    }
)
folds

# %%
gap = folds["best_score_ (inner CV)"] - folds["outer test score"]
print(f"mean optimism of best_score_: {gap.mean():+.3f} (over {len(gap)} outer folds)")

# %%
# The same numbers as a picture. On average the inner ``best_score_`` is
# higher than the outer test score, though not on every fold: with this
# little data, a single test fold's score is itself noisy, which is why the
# outer loop has several folds.
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(layout="constrained")
x = np.arange(len(folds))
ax.bar(x - 0.2, folds["best_score_ (inner CV)"], width=0.4, label="best_score_ (inner CV)")
ax.bar(x + 0.2, folds["outer test score"], width=0.4, label="outer test score")
ax.set_xticks(x, [f"outer fold {i}" for i in x])
ax.set_ylim(0.8, 1.04)
ax.set_ylabel("accuracy")
ax.legend(loc="upper center", ncols=2)
