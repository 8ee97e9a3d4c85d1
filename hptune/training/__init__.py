"""Incremental training of scikit-learn estimators, for searches that keep models.

Population-based training keeps every member's models alive between steps,
and a multi-fidelity search continues training a promoted candidate instead
of refitting it. Both need to know what one step of training means for an
estimator (``partial_fit`` passes, a parameter grown with ``warm_start``, or boosting
rounds added to a LightGBM or XGBoost booster),
how a hyperparameter changed on a fitted model takes effect, and how to train
and score a model step by step on a fold. This package holds that knowledge;
the searches (:mod:`hptune.search`) decide which models train and when.
"""

from ._resources import (
    BoosterResource,
    PartialFitResource,
    WarmStartResource,
    adapt,
    check_search_space,
    continued_resource,
    final_step,
    resolve_resource,
)
from ._stepwise import Fold, TrainingPlan, prepare_fold, replay, run_step, train_and_score

__all__ = [
    "BoosterResource",
    "Fold",
    "PartialFitResource",
    "TrainingPlan",
    "WarmStartResource",
    "adapt",
    "check_search_space",
    "continued_resource",
    "final_step",
    "prepare_fold",
    "replay",
    "resolve_resource",
    "run_step",
    "train_and_score",
]
