import re

import numpy as np
import pytest

from hptune.exceptions import ExhaustedSpaceWarning
from hptune.space import Categorical, Integer, Real
from hptune.strategies import BayesOptimizer, minimize
from hptune.utils._testfunctions import FUNCTIONS


def _mixed_space():
    return {
        "x": Real(-2.0, 2.0),
        "lr": Real(1e-4, 1e-1, "log-uniform"),
        "n": Integer(1, 20),
        "kind": Categorical(["a", "b", "c"]),
    }


def _objective(p):
    bonus = {"a": 0.0, "b": 1.0, "c": 0.3}[p["kind"]]
    return -((p["x"] - 0.7) ** 2) - (np.log10(p["lr"]) + 2) ** 2 - 0.01 * (p["n"] - 12) ** 2 + bonus


def test_initial_design_then_model():
    # 30 evaluations: the model then finds the best category with seeds 0-29
    # but one (at 20, with two seeds in three: too close to the edge for a test).
    opt = BayesOptimizer(_mixed_space(), n_initial_points=5, random_state=0)
    for _ in range(30):
        [p] = opt.ask()
        opt.tell([p], [_objective(p)])
    assert opt.gp_ is not None and opt.n_told == 30
    assert opt.best_params["kind"] == "b"


def test_batches_are_distinct_and_valid():
    opt = BayesOptimizer(_mixed_space(), n_initial_points=4, random_state=1)
    first = opt.ask(4)
    opt.tell(first, [_objective(p) for p in first])
    batch = opt.ask(5)
    assert len(batch) == 5
    Z = opt.space.encode(batch)
    assert len({tuple(np.round(z, 9)) for z in Z}) == 5
    for p in batch:
        assert opt.space.contains(p) and type(p["n"]) is int and p["kind"] in ("a", "b", "c")


def test_pending_points_are_not_proposed_again():
    opt = BayesOptimizer({"k": Integer(0, 5)}, n_initial_points=2, random_state=0)
    opt.tell(opt.ask(2), [1.0, 2.0])
    a = opt.ask(2)
    b = opt.ask(2)
    assert len({p["k"] for p in a + b}) == 4


def test_integer_space_exhausts_without_repeats():
    opt = BayesOptimizer({"k": Integer(0, 7)}, n_initial_points=3, random_state=0)
    seen = []
    with pytest.warns(ExhaustedSpaceWarning):
        for _ in range(10):
            batch = opt.ask()
            if not batch:
                break
            seen += batch
            opt.tell(batch, [-(p["k"] - 3) ** 2 for p in batch])
    assert sorted(p["k"] for p in seen) == list(range(8))


@pytest.mark.parametrize("bad", [np.nan, -np.inf])
def test_failures_are_learned_not_repeated(bad):
    # Everything right of 0 fails: the model must steer away, never crash.
    opt = BayesOptimizer({"x": Real(-1.0, 1.0), "y": Real(-1.0, 1.0)}, n_initial_points=4, random_state=0)
    for _ in range(20):
        [p] = opt.ask()
        opt.tell([p], [bad if p["x"] > 0 else -(p["x"] + 0.5) ** 2 - p["y"] ** 2])
    Z = opt.Z_
    assert len(np.unique(np.round(Z, 9), axis=0)) == len(Z)
    assert np.isfinite(opt.best_score) and opt.best_score > -0.05


def test_constant_scores_still_propose():
    opt = BayesOptimizer({"x": Real(0, 1)}, n_initial_points=2, random_state=0)
    for _ in range(6):
        [p] = opt.ask()
        opt.tell([p], [1.0])
    assert opt.n_told == 6


@pytest.mark.parametrize("batch_strategy", ["kriging_believer", "cl_mean"])
def test_scores_near_the_float_maximum_give_the_proposals_of_ordinary_scores(batch_strategy):
    # _objective lies in [-12.5, 1]: times 2**1020 (1.1e307) it reaches down
    # to about -1.4e308, close to the float maximum. The surrogate sees scores
    # divided by a power of two, and so the acquisition's standardised
    # improvement and every proposal are exactly those of the ordinary scores
    # (log_pi and xi=0 depend on the scores only through it).
    def run(factor):
        opt = BayesOptimizer(
            _mixed_space(), n_initial_points=3, acq_func="log_pi", batch_strategy=batch_strategy,
            n_candidates=128, random_state=0,
        )
        for _ in range(4):
            batch = opt.ask(2)
            opt.tell(batch, [factor * _objective(p) for p in batch])
        return opt

    ordinary, huge = run(1.0), run(2.0**1020)
    assert np.abs(huge.y_).max() > 5e307 and huge.score_scale_ > 1 and ordinary.score_scale_ == 1
    assert huge.params_ == ordinary.params_


@pytest.mark.parametrize("acq_func", ["log_ei", "log_pi", "ucb", "gp_hedge", "EI", "LCB"])
@pytest.mark.parametrize("batch_strategy", ["kriging_believer", "cl_min"])
def test_acquisitions_run(acq_func, batch_strategy):
    opt = BayesOptimizer(
        _mixed_space(), n_initial_points=3, acq_func=acq_func, batch_strategy=batch_strategy, random_state=0
    )
    for _ in range(3):
        batch = opt.ask(2)
        opt.tell(batch, [_objective(p) for p in batch])
    assert opt.n_told == 6


def test_same_seed_same_proposals():
    def run(seed):
        opt = BayesOptimizer(_mixed_space(), n_initial_points=3, random_state=seed)
        for _ in range(6):
            [p] = opt.ask()
            opt.tell([p], [_objective(p)])
        return opt.params_

    assert run(4) == run(4)
    assert run(4) != run(5)


def test_state_round_trip_continues_identically():
    a = BayesOptimizer(_mixed_space(), n_initial_points=3, random_state=0)
    for _ in range(5):
        [p] = a.ask()
        a.tell([p], [_objective(p)])
    b = BayesOptimizer(_mixed_space(), n_initial_points=3).load_state_dict(a.state_dict())
    pa, pb = a.ask(2), b.ask(2)
    for p, q in zip(pa, pb):
        assert p["kind"] == q["kind"] and p["n"] == q["n"]
        assert p["x"] == pytest.approx(q["x"], abs=1e-6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_initial_points": 0}, "The 'n_initial_points' parameter of BayesOptimizer must be an int in the range [1, inf). Got 0"),
        ({"acq_func": "ei"}, "The 'acq_func' parameter of BayesOptimizer must be one of"),
        ({"batch_strategy": "liar"}, "The 'batch_strategy' parameter of BayesOptimizer must be one of"),
        ({"initial_point_generator": "grid"}, "The 'initial_point_generator' parameter of BayesOptimizer must be one of"),
    ],
)
def test_invalid_parameters(kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        BayesOptimizer({"x": Real(0, 1)}, **kwargs)


def _median_regret(name, method, seeds, n_calls):
    func, bounds, minimum = FUNCTIONS[name]
    regrets = [
        minimize(func, bounds, method=method, n_calls=n_calls, random_state=s).fun - minimum
        for s in seeds
    ]
    return float(np.median(regrets))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["branin", "hartmann6"])
def test_bayes_beats_random_search(name):
    # Fixed seeds; the issue asks for a median simple regret after 40
    # evaluations under a third of random search's.
    seeds = range(5)
    bayes = _median_regret(name, "bayes", seeds, 40)
    random = _median_regret(name, "random", seeds, 40)
    assert bayes < random / 3, (bayes, random)
