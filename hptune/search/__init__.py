"""scikit-learn adapters: the ``*SearchCV`` meta-estimators."""

from ._bayes_search import BayesSearchCV
from ._evolution_search import EvolutionSearchCV
from ._hyperband_search import HyperbandSearchCV
from ._pbt_search import PBTSearchCV

__all__ = ["BayesSearchCV", "EvolutionSearchCV", "HyperbandSearchCV", "PBTSearchCV"]
