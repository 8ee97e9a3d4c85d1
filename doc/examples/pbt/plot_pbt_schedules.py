"""
================================================
Population-based training: schedules and lineage
================================================

``PBTSearchCV`` trains eight SGD classifiers on the digits at once, one pass
over the data per step. Every two steps the weakest members copy a stronger
one and perturb its ``alpha`` and ``eta0``, so the hyperparameters follow a
schedule. We plot every member's schedule and lineage, and compare with a
random search given the same compute.
"""

# %%
# The search
# ----------
import numpy as np
import pandas as pd
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from hptune import PBTSearchCV
from hptune.plot import ConvergenceDisplay, plot_schedules

X, y = load_digits(return_X_y=True)
cv = StratifiedKFold(3, shuffle=True, random_state=0)
space = {
    "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
    "sgdclassifier__eta0": loguniform(1e-4, 1e-1),
}
sgd = SGDClassifier(learning_rate="invscaling", random_state=0)
pbt = PBTSearchCV(
    make_pipeline(StandardScaler(), sgd),
    space,
    population_size=8,
    n_steps=12,
    resource="partial_fit",
    cv=cv,
    random_state=0,
)
pbt.fit(X, y)
print(f"best member: {pbt.best_score_:.4f} with final {pbt.best_params_}")

# %%
# ``best_schedule_`` is the winner's hyperparameters at every step, followed
# back through the copies it descends from; ``refit`` replayed it on all the
# data.
schedule = pd.DataFrame(
    [
        {"budget": e["budget"], "trained by member": e["member"], **e["params"]}
        for e in pbt.best_schedule_
    ]
)
schedule

# %%
# Schedules and lineage
# ---------------------
# One line per member. Where a line jumps (a cross marks the branch), that
# member copied a stronger member's model and perturbed its hyperparameters.
# The thick black line is the best schedule.
axes = plot_schedules(pbt)

# %%
# The same compute for random search
# ----------------------------------
# PBT trained 8 members for 12 epochs each. A random search over the same
# space with 8 candidates of 12 epochs costs the same. ``tol=None`` makes SGD
# run exactly ``max_iter`` epochs.
fixed = SGDClassifier(learning_rate="invscaling", max_iter=12, tol=None, random_state=0)
random = RandomizedSearchCV(
    make_pipeline(StandardScaler(), fixed), space, n_iter=8, cv=cv, random_state=0
)
random.fit(X, y)

# %%
# Counted in epochs, PBT's member-steps and random search's candidates are
# comparable; the display's constructor takes the curves directly (no fit
# failed here, so a running maximum is the best score so far).
history = pd.DataFrame(pbt.pbt_history_)
pbt_scores = history["mean_test_score"].to_numpy()
random_scores = random.cv_results_["mean_test_score"]
display = ConvergenceDisplay(
    [range(1, len(pbt_scores) + 1), [12 * (i + 1) for i in range(len(random_scores))]],
    [np.maximum.accumulate(pbt_scores), np.maximum.accumulate(random_scores)],
    ["PBTSearchCV", "RandomizedSearchCV"],
).plot()
display.ax_.set_xlabel("Epochs trained (all members or candidates)")
