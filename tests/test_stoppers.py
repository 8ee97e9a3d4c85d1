"""scikit-optimize's stoppers in hptune.callbacks, and skopt's own DeltaXStopper.

Each stopper is checked on hand-computed histories of minimised values
(``func_vals``), with failed evaluations (NaN) among them, and against the
rule of scikit-optimize's class (stand-ins in ``_lookalikes.py``) on
histories without failures.
"""

import pickle
import re

import _lookalikes as L
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from hptune import BayesSearchCV, minimize
from hptune.callbacks import (
    DeltaXStopper,
    DeltaYStopper,
    HollowIterationsStopper,
    ThresholdStopper,
)
from hptune.space import Categorical, Integer, Real, Space
from hptune.strategies import OptimizeResult

NAN = float("nan")


@pytest.mark.parametrize(
    "stopper, func_vals, expected",
    [
        # sorted: 0.30, 0.305, 0.5 -> spread of the 3 best is 0.2
        (DeltaYStopper(0.01, n_best=3), [0.5, 0.30, 0.305, 0.9], False),
        # sorted: 0.30, 0.302, 0.305 -> 0.005 < 0.01
        (DeltaYStopper(0.01, n_best=3), [0.5, 0.30, 0.305, 0.9, 0.302], True),
        (DeltaYStopper(0.01, n_best=3), [0.30, 0.305], False),  # fewer than n_best
        (DeltaYStopper(0.005, n_best=3), [0.5, 0.30, 0.305, 0.9, 0.302], False),  # strict <
        (DeltaYStopper(0.01, n_best=3), [0.30, NAN, 0.305, NAN], False),  # two successes
        (DeltaYStopper(0.01, n_best=3), [0.30, NAN, 0.305, NAN, 0.301], True),
        (DeltaYStopper(0.01, n_best=2), [NAN, NAN, NAN], False),
        (DeltaYStopper(1.0), [1.0, 1.1, 1.2, 1.3], False),  # n_best=5 by default
        (DeltaYStopper(1.0), [1.0, 1.1, 1.2, 1.3, 1.4], True),
        # n_iterations=2: best before the last 2 evaluations vs now
        (HollowIterationsStopper(2), [0.5, 0.3, 0.29, 0.4], False),  # 0.3 -> 0.29
        (HollowIterationsStopper(2), [0.5, 0.3, 0.29, 0.4, 0.35], True),  # 0.29 -> 0.29
        (HollowIterationsStopper(2), [0.5, 0.3], False),  # not enough evaluations
        (HollowIterationsStopper(2, threshold=0.02), [0.5, 0.3, 0.29, 0.4], True),  # 0.01 <= 0.02
        (HollowIterationsStopper(2, threshold=-0.02), [0.5, 0.3, 0.29, 0.4], True),  # |threshold|
        (HollowIterationsStopper(2), [0.5, 0.3, NAN, NAN], True),  # failures improve nothing
        (HollowIterationsStopper(2), [0.5, NAN, NAN, 0.2], False),  # 0.5 -> 0.2
        (HollowIterationsStopper(2), [NAN, NAN, 0.2], False),  # first success is an improvement
        (HollowIterationsStopper(2), [NAN, NAN, NAN], True),  # nothing ever succeeded
        (ThresholdStopper(0.1), [0.5, 0.3], False),
        (ThresholdStopper(0.1), [0.5, 0.3, 0.1], True),  # at the threshold
        (ThresholdStopper(0.1), [0.5, NAN, 0.3], False),
        (ThresholdStopper(0.1), [0.5, -np.inf], False),  # an infinite value is a failure
        (ThresholdStopper(-0.9), [-0.85, -0.92], True),  # a search's func_vals: minus scores
        (ThresholdStopper(0.1), [], False),
    ],
)
def test_stoppers_on_hand_computed_histories(stopper, func_vals, expected):
    assert stopper({"func_vals": np.asarray(func_vals, dtype=float)}) is expected


SPACE = Space({"C": Real(0.0, 10.0), "n": Integer(1, 9), "kernel": Categorical(["rbf", "poly"])})


@pytest.mark.parametrize(
    "delta, x_iters, expected",
    [
        (1.0, [], False),
        (1.0, [[1.0, 2, "rbf"]], False),
        # |1.0 - 1.25| + |2 - 2| + 0 = 0.25
        (0.5, [[9.0, 9, "poly"], [1.0, 2, "rbf"], [1.25, 2, "rbf"]], True),
        (0.25, [[1.0, 2, "rbf"], [1.25, 2, "rbf"]], False),  # strict <
        # 0.25 + 1 (another integer) + 1 (another category) = 2.25
        (2.5, [[1.0, 2, "rbf"], [1.25, 3, "poly"]], True),
        (2.0, [[1.0, 2, "rbf"], [1.25, 3, "poly"]], False),
        # only the last two points count, whatever came before
        (0.5, [[1.0, 2, "rbf"], [1.0, 2, "rbf"], [5.0, 2, "rbf"]], False),
    ],
)
def test_delta_x_on_hand_computed_histories(delta, x_iters, expected):
    result = {"space": SPACE, "x_iters": x_iters, "func_vals": [NAN] * len(x_iters)}
    assert DeltaXStopper(delta)(result) is expected


def test_delta_x_needs_a_space():
    with pytest.raises(ValueError, match=re.escape(
        "DeltaXStopper measures distances in the result's 'space', which this result does "
        "not have (got None); use it with BayesSearchCV, EvolutionSearchCV or hptune.minimize."
    )):
        DeltaXStopper(0.1)({"x_iters": [[1.0], [2.0]]})


@pytest.mark.parametrize(
    "stopper, match",
    [
        (DeltaYStopper(0), "The 'delta' parameter of DeltaYStopper must be a number in the range (0, inf). Got 0 instead."),
        (DeltaYStopper(0.1, n_best=0), "The 'n_best' parameter of DeltaYStopper must be an int in the range [1, inf). Got 0 instead."),
        (DeltaYStopper(0.1, n_best=2.5), "The 'n_best' parameter of DeltaYStopper must be an int in the range [1, inf). Got 2.5 instead."),
        (DeltaXStopper(-1.0), "The 'delta' parameter of DeltaXStopper must be a number in the range (0, inf). Got -1.0 instead."),
        (DeltaXStopper("0.1"), "The 'delta' parameter of DeltaXStopper must be a number in the range (0, inf). Got '0.1' instead."),
        (HollowIterationsStopper(0), "The 'n_iterations' parameter of HollowIterationsStopper must be an int in the range [1, inf). Got 0 instead."),
        (HollowIterationsStopper(3, threshold=NAN), "The 'threshold' parameter of HollowIterationsStopper must be a number. Got nan instead."),
        (ThresholdStopper(None), "The 'threshold' parameter of ThresholdStopper must be a number. Got None instead."),
        (ThresholdStopper(True), "The 'threshold' parameter of ThresholdStopper must be a number. Got True instead."),
    ],
)
def test_invalid_parameters_name_the_parameter(stopper, match):
    result = {"func_vals": [1.0, 2.0], "x_iters": [[1.0], [2.0]], "space": Space({"x": Real(0, 3)})}
    with pytest.raises(ValueError, match=re.escape(match)):
        stopper(result)


@pytest.mark.parametrize(
    "ours, skopts",
    [
        (DeltaYStopper(0.05, n_best=4), L.DeltaYStopper(0.05, n_best=4)),
        (HollowIterationsStopper(5, threshold=0.01), L.HollowIterationsStopper(5, threshold=0.01)),
        (ThresholdStopper(0.05), L.ThresholdStopper(0.05)),
    ],
)
def test_same_decisions_as_skopt_without_failures(ours, skopts):
    rng = np.random.RandomState(0)
    for _ in range(200):
        func_vals = rng.uniform(size=rng.randint(0, 15)) ** 3  # many near 0
        result = OptimizeResult(func_vals=func_vals)
        assert ours(result) == bool(skopts(result))


def test_skopt_delta_x_stopper_works_with_minimize():
    # skopt's own object calls result.space.distance(x_iters[-2], x_iters[-1]).
    res = minimize(
        lambda x: (x[0] - 0.3) ** 2,
        [(0.0, 1.0)],
        method="random",
        n_calls=50,
        callback=L.DeltaXStopper(0.1),
        random_state=0,
    )
    gaps = np.abs(np.diff([x[0] for x in res.x_iters]))
    assert 2 <= len(res.x_iters) < 50
    assert gaps[-1] < 0.1 and np.all(gaps[:-1] >= 0.1)


def test_delta_x_stopper_in_minimize_over_mixed_dimensions():
    def f(x):
        return NAN if x[1] == "b" else x[0]  # failed evaluations count as points

    space = [Real(0.0, 1.0), Categorical(["a", "b"])]
    res = minimize(f, space, method="random", n_calls=60, callback=DeltaXStopper(0.05), random_state=0)
    last, before = res.x_iters[-1], res.x_iters[-2]
    assert len(res.x_iters) < 60
    assert last[1] == before[1] and abs(last[0] - before[0]) < 0.05


def test_skopt_stoppers_in_a_search():
    X, y = make_classification(n_samples=60, random_state=0)
    search = BayesSearchCV(
        LogisticRegression(),
        {"C": L.Real(1e-3, 1e2, prior="log-uniform")},
        n_iter=8,
        n_initial_points=2,
        cv=2,
        random_state=0,
        callbacks=[ThresholdStopper(-0.5)],  # any accuracy >= 0.5 stops
    )
    search.fit(X, y)
    assert search.n_iter_ == 1
    assert search.cv_results_["mean_test_score"][0] >= 0.5


def test_new_stoppers_survive_clone_pickle_and_show_their_parameters():
    stoppers = [DeltaXStopper(0.1), DeltaYStopper(0.01, n_best=3), HollowIterationsStopper(4), ThresholdStopper(-0.9)]
    assert repr(stoppers) == (
        "[DeltaXStopper(delta=0.1), DeltaYStopper(delta=0.01, n_best=3), "
        "HollowIterationsStopper(n_iterations=4, threshold=0), ThresholdStopper(threshold=-0.9)]"
    )
    for stopper in stoppers:
        assert repr(pickle.loads(pickle.dumps(stopper))) == repr(stopper)
        assert repr(clone(stopper, safe=False)) == repr(stopper)
