"""Ask/tell strategies: no estimators, folds or joblib in this layer."""

from ._base import Strategy
from ._bayes import BayesOptimizer
from ._evolution import EvolutionOptimizer
from ._hyperband import HyperbandScheduler
from ._minimize import minimize
from ._pbt import PBTScheduler
from ._random import RandomOptimizer
from ._result import OptimizeResult

__all__ = ["BayesOptimizer", "EvolutionOptimizer", "HyperbandScheduler", "OptimizeResult", "PBTScheduler", "RandomOptimizer", "Strategy", "minimize"]
