"""
================================================
An evolving population, generation by generation
================================================

``EvolutionSearchCV`` evaluates a whole generation of candidates at once and
breeds the next one from the best so far. Here it tunes a decision tree,
whose fits take milliseconds: the regime where an evolutionary search (many
cheap evaluations, all of a generation in parallel) fits best.
"""

# %%
# The search
# ----------
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.tree import DecisionTreeClassifier

from hptune import EvolutionSearchCV
from hptune.plot import plot_convergence, plot_population

X, y = load_breast_cancer(return_X_y=True)
space = {
    "max_depth": (1, 12),
    "min_samples_leaf": (1, 60, "log-uniform"),
    "ccp_alpha": (1e-5, 1e-1, "log-uniform"),
    "criterion": ["gini", "entropy", "log_loss"],
}
search = EvolutionSearchCV(
    DecisionTreeClassifier(random_state=0),
    space,
    population_size=10,
    n_generations=6,
    cv=3,
    random_state=0,
)
search.fit(X, y)

# %%
# ``history_`` summarises each generation; ``cv_results_`` has a
# ``generation`` column.
pd.DataFrame(search.history_)

# %%
pd.DataFrame(search.cv_results_).groupby("generation")["mean_test_score"].describe()[
    ["mean", "50%", "max"]
]

# %%
# The population
# --------------
# The top panel shows every candidate's score, each generation's median and
# the best so far; the panels below show where each generation sampled,
# coloured by score. Generation 0 is spread over the whole space; later
# generations are bred from the best candidates, so poor regions (very
# shallow trees, large ``ccp_alpha``) are sampled less often. A real run would
# have more generations; six are enough to see the mechanism.
axes = plot_population(search)

# %%
# Convergence, counted in evaluations, reads like any other search's:
ax = plot_convergence(search)
