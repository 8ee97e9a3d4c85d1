"""hptune: Bayesian, evolutionary and population-based hyperparameter search
for scikit-learn.

The ``*SearchCV`` classes are drop-in replacements for ``GridSearchCV`` and
``RandomizedSearchCV``; the ask/tell optimisers and :func:`minimize` work on
any function.

Public names are imported on first use, so that the numpy/scipy core
(``hptune.space``, ``hptune.strategies``, ...) loads without scikit-learn.
"""

import importlib

__version__ = "0.1.0.dev0"

# public name -> module that defines it
_PUBLIC = {
    "BayesSearchCV": "hptune.search",
    "EvolutionSearchCV": "hptune.search",
    "EvolutionOptimizer": "hptune.strategies",
    "HyperbandScheduler": "hptune.strategies",
    "HyperbandSearchCV": "hptune.search",
    "PBTSearchCV": "hptune.search",
    "PBTScheduler": "hptune.strategies",
    "BayesOptimizer": "hptune.strategies",
    "RandomOptimizer": "hptune.strategies",
    "OptimizeResult": "hptune.strategies",
    "minimize": "hptune.strategies",
    "Space": "hptune.space",
    "Real": "hptune.space",
    "Integer": "hptune.space",
    "Categorical": "hptune.space",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hptune' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *__all__])
