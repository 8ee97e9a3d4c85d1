"""Plots of fitted searches (needs matplotlib: ``pip install "hptune[plots]"``).

Each plot is a display object in scikit-learn's style: ``from_search``
computes what to draw from a fitted search and draws it, ``plot(ax=None)``
draws again (on new or given Axes) and keeps ``ax_`` and ``figure_``. The
``plot_*`` functions do both in one call and return the Axes.

=====================  ====================  ===========================================
Function               Display               Shows
=====================  ====================  ===========================================
plot_convergence       ConvergenceDisplay    best score so far against evaluations
plot_objective         ObjectiveDisplay      the surrogate's partial dependence
plot_evaluations       EvaluationsDisplay    sampled points per pair, coloured by score
plot_importance        ImportanceDisplay     parameter importance from the surrogate
plot_population        PopulationDisplay     an evolutionary search, per generation
plot_pareto_front      ParetoFrontDisplay    candidates in objective space, their front
plot_schedules         ScheduleDisplay       PBT schedules and lineage
=====================  ====================  ===========================================

matplotlib is imported only when something is drawn, so this module imports
without it; drawing then raises an ImportError naming the ``plots`` extra.
"""

from ._convergence import ConvergenceDisplay, plot_convergence
from ._evaluations import EvaluationsDisplay, plot_evaluations
from ._importance import ImportanceDisplay, plot_importance
from ._objective import ObjectiveDisplay, plot_objective
from ._pareto import ParetoFrontDisplay, plot_pareto_front
from ._population import PopulationDisplay, plot_population
from ._schedules import ScheduleDisplay, plot_schedules

__all__ = [
    "ConvergenceDisplay",
    "EvaluationsDisplay",
    "ImportanceDisplay",
    "ObjectiveDisplay",
    "ParetoFrontDisplay",
    "PopulationDisplay",
    "ScheduleDisplay",
    "plot_convergence",
    "plot_evaluations",
    "plot_importance",
    "plot_objective",
    "plot_pareto_front",
    "plot_population",
    "plot_schedules",
]
