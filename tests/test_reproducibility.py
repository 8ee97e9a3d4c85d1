"""The same random_state gives the same cv_results_, whatever n_jobs and backend.

Child seeds are drawn before any joblib dispatch, so the
candidates, and hence the per-split scores, depend on neither ``n_jobs`` nor
the joblib backend. ``HPTUNE_TEST_SEEDS=all`` sweeps twenty seeds.
"""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import ShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from hptune import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from hptune.search._evolution_search import EvolutionSearchCV

X, y = make_classification(n_samples=60, n_features=5, random_state=0)

TREE_SPACE = {"max_depth": (1, 8), "criterion": ["gini", "entropy"], "ccp_alpha": (1e-4, 1e-1, "log-uniform")}
PIPE = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
SUBSPACES = [
    {"clf": [LogisticRegression()], "clf__C": (1e-2, 1e2, "log-uniform")},
    {"clf": [DecisionTreeClassifier(random_state=0)], "clf__max_depth": (1, 6)},
]


def _make(kind, seed, **params):
    # The splitter has its own seed: runs are compared on the same splits.
    cv = ShuffleSplit(n_splits=2, test_size=0.3, random_state=seed)
    if kind == "bayes":
        return BayesSearchCV(DecisionTreeClassifier(random_state=0), TREE_SPACE, n_iter=8, n_points=4,
                             n_initial_points=4, cv=cv, random_state=seed, **params)
    if kind == "bayes-subspaces":
        return BayesSearchCV(PIPE, SUBSPACES, n_iter=8, n_points=4, n_initial_points=2, cv=cv,
                             random_state=seed, **params)
    if kind == "evolution-subspaces":
        return EvolutionSearchCV(PIPE, SUBSPACES, population_size=4, n_generations=2, tournament_size=2, cv=cv,
                                 random_state=seed, **params)
    if kind == "pbt":
        sgd = Pipeline([("scale", StandardScaler()), ("clf", SGDClassifier(learning_rate="constant", random_state=0))])
        return PBTSearchCV(sgd, {"clf__alpha": (1e-5, 1e-1, "log-uniform"), "clf__eta0": (1e-3, 1.0, "log-uniform")},
                           population_size=4, n_steps=3, cv=cv, random_state=seed, **params)
    if kind == "hyperband":
        # Subsets of the samples (drawn from random_state) and BOHB proposals.
        return HyperbandSearchCV(DecisionTreeClassifier(random_state=0), TREE_SPACE, n_iter=6, min_resources=12,
                                 cv=cv, random_state=seed, **params)
    if kind == "hyperband-resource":
        # A parameter resource, over sub-spaces of a Pipeline.
        return HyperbandSearchCV(Pipeline([("scale", StandardScaler()), ("clf", DecisionTreeClassifier(random_state=0))]),
                                 [{"clf__criterion": ["gini", "entropy"], "clf__min_samples_leaf": (1, 10)}, {"clf__ccp_alpha": (1e-4, 1e-1, "log-uniform")}],
                                 n_iter=5, resource="clf__max_depth", max_resources=9, cv=cv, random_state=seed, **params)
    return EvolutionSearchCV(DecisionTreeClassifier(random_state=0), TREE_SPACE, population_size=4,
                             n_generations=3, cv=cv, random_state=seed, **params)


def _signature(search):
    r = search.cv_results_
    params = [sorted((k, repr(v)) for k, v in p.items()) for p in r["params"]]
    return params, r["split0_test_score"], r["split1_test_score"]


def _assert_same(a, b):
    pa, *sa = _signature(a)
    pb, *sb = _signature(b)
    assert pa == pb
    for x, z in zip(sa, sb):
        np.testing.assert_array_equal(x, z)


@pytest.mark.parametrize("kind", ["bayes", "bayes-subspaces", "evolution", "evolution-subspaces", "pbt", "hyperband", "hyperband-resource"])
def test_same_seed_same_results_for_n_jobs_and_backends(kind, global_random_seed):
    reference = _make(kind, global_random_seed).fit(X, y)
    _assert_same(reference, _make(kind, global_random_seed).fit(X, y))
    for backend in ("threading", "loky"):
        with parallel_config(backend=backend):
            _assert_same(reference, _make(kind, global_random_seed, n_jobs=2).fit(X, y))


@pytest.mark.parametrize("kind", ["bayes", "evolution", "pbt", "hyperband"])
def test_other_seed_other_candidates(kind, global_random_seed):
    a = _make(kind, global_random_seed).fit(X, y)
    b = _make(kind, global_random_seed + 1).fit(X, y)
    assert _signature(a)[0] != _signature(b)[0]


@pytest.mark.parametrize("kind", ["bayes", "evolution", "pbt", "hyperband"])
def test_random_state_instance_is_consumed_once_per_fit(kind, global_random_seed):
    # A RandomState instance is shared state: two fits continue it and differ,
    # but two instances with the same seed give the same searches.
    rng_a, rng_b = np.random.RandomState(global_random_seed), np.random.RandomState(global_random_seed)
    first_a = _make(kind, global_random_seed).set_params(random_state=rng_a).fit(X, y)
    first_b = _make(kind, global_random_seed).set_params(random_state=rng_b).fit(X, y)
    _assert_same(first_a, first_b)
