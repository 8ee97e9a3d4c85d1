"""Acquisition functions and their optimisation over a search space.

numpy and scipy only. Scores are maximised; see :mod:`._functions` for the
notation (``mean``, ``std``, ``best``, ``u``) and :mod:`._batch` for the batch
rule.
"""

from ._batch import (
    BATCH_STRATEGIES,
    gp_acquisition,
    observed_scores,
    propose_batch,
    select_from_pool,
)
from ._functions import (
    ACQUISITION_FUNCTIONS,
    ACQUISITION_GRADIENTS,
    ALIASES,
    log_ei,
    log_ei_and_grad,
    log_pi,
    log_pi_and_grad,
    make_acquisition,
    resolve_acquisition,
    ucb,
    ucb_and_grad,
)
from ._hedge import ACQ_FUNC_CHOICES, GPHedge
from ._optimize import maximize_acquisition

__all__ = [
    "ACQ_FUNC_CHOICES",
    "ACQUISITION_FUNCTIONS",
    "ACQUISITION_GRADIENTS",
    "ALIASES",
    "BATCH_STRATEGIES",
    "GPHedge",
    "gp_acquisition",
    "log_ei",
    "log_ei_and_grad",
    "log_pi",
    "log_pi_and_grad",
    "make_acquisition",
    "maximize_acquisition",
    "observed_scores",
    "propose_batch",
    "resolve_acquisition",
    "select_from_pool",
    "ucb",
    "ucb_and_grad",
]
