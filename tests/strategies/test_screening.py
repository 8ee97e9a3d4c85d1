"""Tests of the surrogate pre-screening of offspring (EvolutionOptimizer(surrogate="gp"))."""

import json
import re

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.linear_model import Ridge

from hptune.acquisition import gp_acquisition, select_from_pool
from hptune.search._evolution_search import EvolutionSearchCV
from hptune.space import Categorical, Integer, Real, Space
from hptune.strategies._evolution import EvolutionOptimizer
from hptune.strategies._screening import POOL_FACTOR, OffspringScreen, unscreened_count
from hptune.surrogate import GaussianProcess
# The runner and its score are test_evolution's (pytest puts this folder on sys.path).
from test_evolution import _mixed as _mixed5, _run


def _mixed():
    return Space(
        {
            "lr": Real(1e-4, 1.0, "log-uniform"),
            "x": Real(-2.0, 2.0),
            "depth": Integer(1, 8),
            "kind": Categorical(["a", "b", "c"]),
        }
    )


def _bowl(Z):
    """A smooth function of the unit square, best at (0.3, 0.7)."""
    return -np.sum((Z - np.array([0.3, 0.7])) ** 2, axis=1)


def test_unscreened_share():
    assert [unscreened_count(n) for n in (1, 2, 4, 10, 20)] == [0, 1, 2, 3, 6]


def test_screen_picks_the_pool_children_the_model_expects_best():
    rng = np.random.RandomState(0)
    Z, pool = rng.uniform(size=(30, 2)), rng.uniform(size=(200, 2))
    n = 10
    chosen = OffspringScreen().select(Z, _bowl(Z), pool, n, np.random.RandomState(1))
    k = unscreened_count(n)
    assert len(chosen) == n and len(set(chosen.tolist())) == n
    # The unscreened children are the first of the pool, as bred.
    np.testing.assert_array_equal(chosen[:k], np.arange(k))
    # The screened ones are among the pool's best: the model is accurate on a bowl.
    # (Measured: every pick in the pool's best 5%; the bar is the best 30%.)
    values = _bowl(pool)
    assert np.all(values[chosen[k:]] >= np.quantile(values, 0.7))


def test_select_from_pool_spreads_the_batch():
    """Fantasies at each pick let a second peak in before a fourth point of the first."""
    Z, y = np.array([[0.1], [0.3], [0.5], [0.7], [0.9]]), np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    gp = GaussianProcess().fit(Z, y, random_state=0)
    # Eight children around the peak at 0.3 and one near the peak at 0.7.
    pool = np.array([[0.24], [0.25], [0.26], [0.27], [0.33], [0.34], [0.35], [0.36], [0.77]])
    plain_top = np.argsort(-gp_acquisition(gp, "log_ei", best=1.0)(pool))[:4]
    assert 8 not in plain_top
    chosen = select_from_pool(gp, pool, 4, best=1.0)
    assert 8 in chosen and len(set(chosen.tolist())) == 4


def test_generations_come_from_a_screened_pool():
    opt = _run(EvolutionOptimizer(_mixed(), population_size=6, random_state=0), 5)
    assert opt._screen.gp_ is not None  # fitted while breeding generations 1-4
    assert POOL_FACTOR * opt.population_size_ > opt.population_size_
    # Points stay fresh and valid.
    assert len({tuple(z) for z in opt.Z_.round(12)}) == opt.n_told == 30
    np.testing.assert_allclose(opt.space.encode(opt.params_), opt.Z_, atol=1e-9)


def test_screening_helps_on_a_smooth_function():
    # Generation 4's mean score against generation 0 (an LHS); fixed seeds.
    opt = _run(EvolutionOptimizer(_mixed(), population_size=8, random_state=0), 5)
    assert np.mean(opt.y_[opt.generations_ == 4]) > np.mean(opt.y_[opt.generations_ == 0]) + 1.0


# Row sums of the encodings told over four generations, population 6, seed 0,
# by the optimiser before the surrogate existed (recorded from its code; CMA-ES
# since it samples through the Cholesky factor, which made the draws the same
# under numpy 1.24 and 2.x, whose LAPACK builds flip eigenvector signs apart).
_BEFORE = {
    "ga": [3.636876017, 3.853289527, 2.114618798, 2.838015352, 2.068231469, 3.152861061,
           3.647521435, 3.659115304, 3.580924851, 3.611324112, 3.232035532, 3.825133844,
           3.4837072, 3.612962351, 3.705924851, 3.723378274, 3.659115304, 3.66994524,
           3.562782239, 3.914435452, 3.762103055, 3.550769071, 3.542156074, 3.73721746],
    "cma": [4.168127062, 2.902874376, 3.618041492, 3.470483572, 2.814723081, 2.968971717,
            2.646471262, 3.442367365, 2.601523323, 2.594453755, 2.603812082, 3.194886962,
            2.393580019, 2.426062058, 3.138405795, 2.417822462, 2.816724422, 3.280860555,
            2.889354602, 2.990683904, 2.574703961, 2.961985724, 3.199300664, 2.882222266],
}


@pytest.mark.parametrize("algorithm", ["ga", "cma"])
def test_no_surrogate_proposes_what_evolution_proposed_before(algorithm):
    opt = _run(EvolutionOptimizer(_mixed5(), population_size=6, algorithm=algorithm,
                                  surrogate=None, random_state=0), 4)
    assert opt._screen is None
    np.testing.assert_allclose(opt.Z_.sum(axis=1), _BEFORE[algorithm], rtol=0, atol=1e-8)


@pytest.mark.parametrize("algorithm", ["ga", "cma"])
def test_same_seed_same_screened_points(algorithm):
    a = _run(EvolutionOptimizer(_mixed(), population_size=5, algorithm=algorithm, random_state=7), 4)
    b = _run(EvolutionOptimizer(_mixed(), population_size=5, algorithm=algorithm, random_state=7), 4)
    np.testing.assert_array_equal(a.Z_, b.Z_)


@pytest.mark.parametrize("algorithm", ["ga", "cma"])
@pytest.mark.parametrize("n_first", [18, 20])  # at a generation's end and within one
def test_state_round_trip_continues_exactly_with_screening(algorithm, n_first):
    opt = EvolutionOptimizer(_mixed(), population_size=6, algorithm=algorithm, random_state=0)
    _run(opt, n_first, batch=1)
    state = json.loads(json.dumps(opt.state_dict(), default=lambda a: a.tolist()))
    clone = EvolutionOptimizer(_mixed(), population_size=6, algorithm=algorithm, random_state=123)
    clone.load_state_dict(state)
    _run(opt, 12, batch=2)
    _run(clone, 12, batch=2)
    np.testing.assert_array_equal(opt.Z_, clone.Z_)
    np.testing.assert_array_equal(opt.generations_, clone.generations_)


def test_invalid_surrogate_is_refused_with_the_choices():
    msg = ("The 'surrogate' parameter of EvolutionOptimizer must be 'gp' (screen the offspring "
           "with a Gaussian process) or None (plain evolution). Got 'rf' instead.")
    with pytest.raises(ValueError, match=re.escape(msg)):
        EvolutionOptimizer(_mixed(), surrogate="rf")


def test_search_refuses_an_invalid_surrogate_in_fit():
    X, y = np.random.RandomState(0).normal(size=(30, 3)), np.arange(30.0)
    search = EvolutionSearchCV(Ridge(), {"alpha": (1e-3, 1e3, "log-uniform")}, surrogate="rf",
                               population_size=4, n_generations=2, cv=3)
    with pytest.raises(InvalidParameterError, match="'surrogate' parameter of EvolutionSearchCV"):
        search.fit(X, y)


def test_search_passes_the_surrogate_to_its_strategy():
    X, y = np.random.RandomState(0).normal(size=(40, 3)), np.arange(40.0)
    space = {"alpha": (1e-3, 1e3, "log-uniform")}
    screened = EvolutionSearchCV(Ridge(), space, population_size=4, n_generations=3, cv=3,
                                 random_state=0).fit(X, y)
    plain = EvolutionSearchCV(Ridge(), space, population_size=4, n_generations=3, cv=3,
                              random_state=0, surrogate=None).fit(X, y)
    assert screened.strategy_.surrogate == "gp" and plain.strategy_.surrogate is None
    # Generation 0 is the same design; later ones differ by the screening.
    assert screened.cv_results_["params"][:4] == plain.cv_results_["params"][:4]
