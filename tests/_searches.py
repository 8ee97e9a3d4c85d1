"""Tiny configurations of every hptune search, shared by cross-cutting tests.

Each factory takes an estimator and a search space and returns a search that
evaluates a handful of candidates with 2-fold CV; the per-class keywords are
the smallest that exercise a real search (a model-based phase for Bayes,
several generations for evolution).
"""

import importlib

# class name -> (module, tiny keyword arguments)
_TINY = {
    "BayesSearchCV": ("hptune", dict(n_iter=4, n_initial_points=2)),
    "EvolutionSearchCV": ("hptune", dict(population_size=4, n_generations=2)),
    # LogisticRegression and the other test estimators learn by warm start
    # (max_iter grows each step), which PBTSearchCV detects.
    "PBTSearchCV": ("hptune", dict(population_size=4, n_steps=2)),
    # factor=100 makes every bracket a single rung with the full resource, so
    # the candidates compare with GridSearchCV's on the same folds; the rungs
    # themselves are tested in tests/search/test_hyperband_search.py.
    "HyperbandSearchCV": ("hptune", dict(n_iter=3, factor=100)),
}


def available():
    """Names of the searches whose module imports (others are being built)."""
    names = []
    for name, (module, _) in _TINY.items():
        try:
            getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        names.append(name)
    return names


def make(name, estimator, space, **kwargs):
    """A tiny search of class ``name`` over ``space``."""
    module, tiny = _TINY[name]
    cls = getattr(importlib.import_module(module), name)
    params = {"cv": 2, "random_state": 0, **tiny, **kwargs}
    return cls(estimator, space, **params)
