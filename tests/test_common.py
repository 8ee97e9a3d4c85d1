"""scikit-learn's estimator checks on every search, in a tiny configuration."""

import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from sklearn.linear_model import SGDClassifier, SGDRegressor

from hptune import BayesSearchCV, EvolutionSearchCV, HyperbandSearchCV, PBTSearchCV


def _searches():
    common = dict(cv=2, error_score="raise", random_state=0)
    bayes = dict(n_iter=2, n_initial_points=1, **common)
    evolution = dict(population_size=2, n_generations=2, tournament_size=2, **common)
    pbt = dict(population_size=2, n_steps=2, **common)
    hyperband = dict(n_iter=2, **common)
    return [
        BayesSearchCV(LogisticRegression(), {"C": (1e-2, 1e2, "log-uniform")}, **bayes),
        BayesSearchCV(Ridge(), {"alpha": (1e-2, 1e2, "log-uniform")}, **bayes),
        EvolutionSearchCV(LogisticRegression(), {"C": (1e-2, 1e2, "log-uniform")}, **evolution),
        EvolutionSearchCV(Ridge(), {"alpha": (1e-2, 1e2, "log-uniform")}, **evolution),
        PBTSearchCV(SGDClassifier(random_state=0), {"alpha": (1e-5, 1e-1, "log-uniform")}, **pbt),
        PBTSearchCV(SGDRegressor(random_state=0), {"alpha": (1e-5, 1e-1, "log-uniform")}, **pbt),
        HyperbandSearchCV(LogisticRegression(), {"C": (1e-2, 1e2, "log-uniform")}, **hyperband),
        HyperbandSearchCV(Ridge(), {"alpha": (1e-2, 1e2, "log-uniform")}, **hyperband),
    ]


# scikit-learn's own checks feed inf/NaN targets; numpy's cast warning on the
# way to the expected ValueError is third-party noise, allowed by name. Two
# epochs of SGD on the checks' 10-sample folds are too noisy for PBT's replay
# to match the folds, and PBTSearchCV rightly says so with a RefitWarning:
# that is the data of the checks, not what they check.
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
@pytest.mark.filterwarnings("ignore::hptune.exceptions.RefitWarning")
@parametrize_with_checks(_searches())
def test_sklearn_compatible_search(estimator, check):
    check(estimator)


@pytest.mark.parametrize("search", _searches(), ids=lambda s: type(s).__name__)
def test_param_validation(search):
    check_param_validation(type(search).__name__, search)
