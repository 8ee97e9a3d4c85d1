"""Shared fixtures of the plotting tests: the Agg backend and tiny fitted searches.

The searches are fitted once per session (each takes well under a second)
and never modified by the plots, which tests check where it matters.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from hptune import BayesSearchCV, EvolutionSearchCV, PBTSearchCV  # noqa: E402

SPACE = {
    "C": (1e-2, 1e2, "log-uniform"),
    "gamma": (1e-3, 1e1, "log-uniform"),
    "kernel": ["rbf", "linear"],
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def data():
    return make_classification(n_samples=60, random_state=0)


@pytest.fixture(scope="session")
def bayes_search(data):
    search = BayesSearchCV(SVC(), SPACE, n_iter=7, n_initial_points=4, cv=2, random_state=0)
    return search.fit(*data)


@pytest.fixture(scope="session")
def random_search(data):
    space = {
        "C": loguniform(1e-2, 1e2),
        "gamma": loguniform(1e-3, 1e1),
        "kernel": ["rbf", "linear"],
    }
    return RandomizedSearchCV(SVC(), space, n_iter=7, cv=2, random_state=0).fit(*data)


@pytest.fixture(scope="session")
def evolution_search(data):
    search = EvolutionSearchCV(
        SVC(), SPACE, population_size=4, n_generations=3, cv=2, random_state=0
    )
    return search.fit(*data)


@pytest.fixture(scope="session")
def pbt_search(data):
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": (1e-5, 1e-1, "log-uniform"), "eta0": (1e-3, 1.0, "log-uniform")},
        population_size=4,
        n_steps=5,
        perturbation_interval=1,
        cv=2,
        random_state=0,
    )
    return search.fit(*data)
