"""scikit-learn adapters: the ``*SearchCV`` meta-estimators."""

from ._bayes_search import BayesSearchCV

__all__ = ["BayesSearchCV"]
