"""Choosing the winner of a search from its ``cv_results_``.

Everything here reads a ``cv_results_`` dict, from ``GridSearchCV``,
``RandomizedSearchCV`` or hptune's searches alike, and needs nothing else.

=======================  ==============================================================
Function                 Gives
=======================  ==============================================================
one_standard_error       refit rule: the simplest candidate within one standard error
cheapest_within_score    refit rule: the cheapest candidate within a score tolerance
best_within_cost         refit rule: the best candidate within a cost limit
pareto_front             the candidates no other candidate beats in every objective
pareto_rank              every candidate's front, by non-dominated sorting
hypervolume              the size of the objective region the candidates dominate
compare_to_best          p-values of the best candidate against each other
=======================  ==============================================================

The refit rules follow scikit-learn's ``refit=callable`` contract, so they
work as ``GridSearchCV(..., refit=one_standard_error("alpha"))``.
"""

from ._hypervolume import hypervolume
from ._pareto import pareto_front, pareto_rank
from ._rules import best_within_cost, cheapest_within_score, one_standard_error
from ._stats import compare_to_best

__all__ = [
    "best_within_cost",
    "cheapest_within_score",
    "compare_to_best",
    "hypervolume",
    "one_standard_error",
    "pareto_front",
    "pareto_rank",
]
