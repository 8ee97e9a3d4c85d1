"""Robust numerics: proposals always valid, no crash on any sequence of scores.

Property tests (hypothesis, derandomised with bounded examples in CI) draw
random mixed spaces and random score sequences: one point, duplicates,
constants, NaN and infinities, and finite scores anywhere in the float range,
from subnormals to the float maximum, alone or mixed.
"""

import math
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from hptune import BayesOptimizer, BayesSearchCV
from hptune.exceptions import ExhaustedSpaceWarning, NumericalWarning
from hptune.search._evolution_search import EvolutionSearchCV
from hptune.space import Categorical, Integer, Ordinal, Real, Space
from hptune.strategies._evolution import EvolutionOptimizer
from hptune.strategies._pbt import PBTScheduler

X, y = make_classification(n_samples=60, n_features=5, random_state=0)

# Category objects compared by identity: decode must return these very objects.
_OBJECTS = ["a", "b", "c", None, True, ("t", 1), 2.5, object(), LogisticRegression()]


@st.composite
def dimensions(draw):
    kind = draw(st.sampled_from(["real", "real-log", "int", "int-log", "categorical", "ordinal"]))
    if kind == "real":
        low = draw(st.floats(-1e3, 1e3))
        return Real(low, low + 10 ** draw(st.floats(-3, 3)))
    if kind == "real-log":
        low = 10 ** draw(st.floats(-8, 3))
        return Real(low, low * 10 ** draw(st.floats(0.01, 8)), prior="log-uniform")
    if kind == "int":
        low = draw(st.integers(-100, 100))
        return Integer(low, low + draw(st.integers(1, 1000)))
    if kind == "int-log":
        low = draw(st.integers(1, 100))
        return Integer(low, low + draw(st.integers(1, 10_000)), prior="log-uniform")
    if kind == "categorical":
        idx = draw(st.lists(st.integers(0, len(_OBJECTS) - 1), min_size=1, max_size=5, unique=True))
        return Categorical([_OBJECTS[i] for i in idx])
    values = draw(st.lists(st.integers(-50, 50), min_size=2, max_size=6, unique=True))
    return Ordinal(sorted(values))


spaces = st.lists(dimensions(), min_size=1, max_size=4).map(
    lambda dims: Space({f"x{i}": d for i, d in enumerate(dims)})
)
FLOAT_MAX = float(np.finfo(float).max)
# Finite extremes: the float maximum, values next to it, the smallest normal
# and subnormal values.
EXTREMES = [FLOAT_MAX, -FLOAT_MAX, 1.7e308, -1e308, 2.2e-308, 5e-324, -5e-324]
# Scores as a search may produce them: ordinary, failed (NaN), infinite, and
# any float at all (hypothesis draws from the whole range, subnormals included).
scores = st.one_of(
    st.floats(-1.0, 1.0),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, 1e150, -1e150, 1e-300, *EXTREMES]),
)


def _assert_valid(space, point):
    assert set(point) == set(space.names)
    for name, dim in space:
        value = point[name]
        if isinstance(dim, Real):
            assert type(value) is float and dim.low <= value <= dim.high
        elif isinstance(dim, Integer):
            assert type(value) is int and dim.low <= value <= dim.high
        else:
            assert any(value is c for c in dim.categories)
    assert space.contains(point)


def _ask(opt, n):
    with warnings.catch_warnings():
        # Small finite spaces run out of fresh points (ExhaustedSpaceWarning)
        # and extreme scores trigger the GP's safeguards (NumericalWarning);
        # both are expected here, where only validity and not raising matter.
        warnings.filterwarnings("ignore", category=ExhaustedSpaceWarning)
        warnings.filterwarnings("ignore", category=NumericalWarning)
        return opt.ask(n)


def _tell(opt, points, values):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=NumericalWarning)  # +inf clipped, as documented
        opt.tell(points, values)


OPTIMIZERS = {
    "bayes": lambda space: BayesOptimizer(space, n_initial_points=2, n_candidates=64, n_polish=1, random_state=0),
    "bayes-batch": lambda space: BayesOptimizer(space, n_initial_points=2, n_candidates=64, n_polish=1,
                                                batch_strategy="cl_min", random_state=0),
    "ga": lambda space: EvolutionOptimizer(space, population_size=4, tournament_size=2, algorithm="ga", random_state=0),
    "cma": lambda space: EvolutionOptimizer(space, population_size=4, tournament_size=2, algorithm="cma",
                                            random_state=0),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@settings(max_examples=20)
@given(space=spaces, data=st.data())
def test_every_proposal_lies_in_its_space_with_the_declared_types(name, space, data):
    opt = OPTIMIZERS[name](space)
    for n in (2, 3, 4):
        points = _ask(opt, n)
        assert len(points) <= n
        for p in points:
            _assert_valid(space, p)
        if not points:
            break
        _tell(opt, points, data.draw(st.lists(scores, min_size=len(points), max_size=len(points))))


SPACE = Space(
    {"a": Real(1e-3, 1e3, "log-uniform"), "b": Integer(1, 50), "c": Categorical(["x", "y", "z"]), "d": Real(-1, 1)}
)


FAMILIES = ["normal", "constant", "scaled", "float range", "near the limit", "mixed", "failures"]


def _score_family(draw, shape):
    """Scores of one family, an array of the given shape."""
    family = draw(st.sampled_from(FAMILIES))
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    sign = rng.choice([-1.0, 1.0], size=shape)
    if family == "normal":
        return rng.normal(size=shape)
    if family == "constant":
        return np.full(shape, draw(st.one_of(st.floats(-1e6, 1e6), st.sampled_from(EXTREMES))))
    if family == "scaled":
        return rng.normal(size=shape) * 10.0 ** draw(st.integers(-300, 300))
    if family == "float range":  # a random binade each, from subnormal to the largest
        return sign * np.ldexp(rng.uniform(0.5, 1.0, size=shape), rng.randint(-1073, 1025, size=shape))
    if family == "near the limit":
        return sign * FLOAT_MAX * rng.uniform(0.5, 1.0, size=shape)
    if family == "mixed":  # huge and tiny together, with failures
        return rng.choice([*EXTREMES, 0.0, 1.0, -0.5, math.nan, math.inf, -math.inf], size=shape)
    return rng.choice([math.nan, math.inf, -math.inf, 0.3, -0.2], size=shape)


@st.composite
def tell_sequences(draw):
    """Points (duplicates likely) and scores of one family."""
    n = draw(st.integers(1, 40))
    pool = SPACE.sample(draw(st.integers(1, 6)), np.random.RandomState(draw(st.integers(0, 2**16))))
    points = [pool[i] for i in draw(st.lists(st.integers(0, len(pool) - 1), min_size=n, max_size=n))]
    return points, _score_family(draw, n)


@settings(max_examples=40)
@given(sequence=tell_sequences())
def test_gp_accepts_any_sequence_of_tells(sequence):
    points, values = sequence
    opt = BayesOptimizer(SPACE, n_initial_points=1, n_candidates=64, n_polish=1, random_state=0)
    _tell(opt, points, values)
    for n in (1, 3):
        proposals = _ask(opt, n)
        assert len(proposals) == n
        for p in proposals:
            _assert_valid(SPACE, p)
        _tell(opt, proposals, [0.0] * n)


@st.composite
def pbt_score_steps(draw):
    """Per-step score vectors of one family for a population of 6 members."""
    return _score_family(draw, (draw(st.integers(1, 6)), 6))


@pytest.mark.parametrize("explore", ["bandit", "perturb"])
@settings(max_examples=30)
@given(steps=pbt_score_steps())
def test_pbt_explore_accepts_any_scores(explore, steps):
    scheduler = PBTScheduler(SPACE, population_size=6, quantile_fraction=0.5, explore=explore, random_state=0)
    for scores in steps:
        scheduler.ask()
        with warnings.catch_warnings():
            # Extreme improvements trigger the GP's safeguards (NumericalWarning),
            # expected here, where only validity and not raising matter.
            warnings.filterwarnings("ignore", category=NumericalWarning)
            scheduler.tell(scores)
        for p in scheduler.ask():
            _assert_valid(SPACE, p)


@pytest.mark.parametrize(
    "values",
    [[1e300, -1e300, 5e299, 0.0], [FLOAT_MAX, -FLOAT_MAX, 1.7e308, 0.0], [FLOAT_MAX, 5e-324, 1.0, -0.5]],
)
def test_gp_accepts_scores_near_the_float_limit(values):
    opt = BayesOptimizer(SPACE, n_initial_points=1, n_candidates=64, n_polish=1, random_state=0)
    opt.tell(SPACE.sample(4, np.random.RandomState(0)), values)
    for p in _ask(opt, 2):
        _assert_valid(SPACE, p)


def test_gp_ask_stays_fast_at_2000_observations():
    rng = np.random.RandomState(0)
    opt = BayesOptimizer(SPACE, n_initial_points=5, random_state=0)
    opt.tell(SPACE.sample(2000, rng), rng.normal(size=2000))
    start = time.process_time()
    [point] = opt.ask()
    elapsed = time.process_time() - start
    _assert_valid(SPACE, point)
    # A guard against complexity regressions (say O(n^4) or an unbounded
    # hyperparameter fit), not a performance claim: CPU time was 2-4 s (GP fit
    # on a 256-point subset, O(n^3) posterior on all 2000 points); a shared
    # machine's load does not count in CPU time, so the bound is 20x that.
    assert elapsed < 60.0, f"ask took {elapsed:.1f} s of CPU after 2000 observations"


# -- at the search level ---------------------------------------------------------------
def _odd_scorer(estimator, X, y):
    """inf, -inf, NaN or a constant, by the value of C."""
    C = estimator.C
    return math.inf if C > 10 else -math.inf if C < 1e-2 else math.nan if C < 1e-1 else 0.5


def _searches(estimator, space, **params):
    return [
        BayesSearchCV(estimator, space, n_iter=10, n_initial_points=3, cv=2, random_state=0, **params),
        EvolutionSearchCV(estimator, space, population_size=4, tournament_size=2, n_generations=3, cv=2,
                          random_state=0, **params),
    ]


# scikit-learn's own std_test_score of [inf, inf] (GridSearchCV warns the same).
@pytest.mark.filterwarnings("ignore:invalid value encountered in subtract:RuntimeWarning")
@pytest.mark.parametrize("index", [0, 1], ids=["bayes", "evolution"])
def test_nan_and_infinite_scores_never_crash_a_search(index):
    search = _searches(LogisticRegression(), {"C": (1e-3, 1e3, "log-uniform")}, scoring=_odd_scorer)[index]
    with pytest.warns(UserWarning, match="non-finite"):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=NumericalWarning)  # +inf clipped for the surrogate
            search.fit(X, y)
    values = search.cv_results_["mean_test_score"]
    assert len(values) in (10, 12) and np.isinf(values).any()
    assert search.best_score_ == np.inf and search.best_params_["C"] > 10


@pytest.mark.parametrize("index", [0, 1], ids=["bayes", "evolution"])
def test_all_equal_scores_still_run_and_give_a_valid_best(index):
    space = {"C": (1e-3, 1e3, "log-uniform"), "fit_intercept": [True, False]}
    search = _searches(LogisticRegression(), space, scoring=lambda estimator, X, y: 0.5)[index].fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(scores == 0.5) and len(scores) in (10, 12)
    assert len({(p["C"], p["fit_intercept"]) for p in search.cv_results_["params"]}) == len(scores)
    assert search.best_index_ == 0 and search.best_params_ == search.cv_results_["params"][0]
    assert search.best_score_ == 0.5
