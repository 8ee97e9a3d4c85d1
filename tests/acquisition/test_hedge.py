"""Tests of hptune/acquisition/_hedge.py (GP-Hedge portfolio)."""

import json
import re

import numpy as np
import pytest

from hptune.acquisition import GPHedge
from hptune.utils._threads import single_threaded_blas
from hptune.surrogate import GaussianProcess


def fit_gp(X, y):
    # One BLAS thread: on a busy machine OpenBLAS threads make the tiny
    # factorisations of a fit up to 100 times slower.
    with single_threaded_blas():
        return GaussianProcess(n_restarts=0).fit(X, y, random_state=0)


@pytest.fixture(scope="module")
def gp():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(15, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1] + 0.01 * rng.randn(15)
    return fit_gp(X, y)


def test_initial_state_is_uniform(rng):
    hedge = GPHedge(rng)
    np.testing.assert_allclose(hedge.probabilities(), [1 / 3] * 3)
    assert hedge.choose() in ("log_ei", "log_pi", "ucb")


def test_probabilities_are_a_max_shifted_softmax_with_exploration():
    hedge = GPHedge(gamma=0.1, eta=1.0)
    hedge.gains = {"log_ei": 1e4, "log_pi": 0.0, "ucb": -1e4}  # exp would overflow unshifted
    p = hedge.probabilities()
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p, [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3])


def test_update_rewards_the_recorded_acquisition(gp):
    hedge = GPHedge()
    best_x = gp.X_train_[[np.argmax(gp.y_train_)]]
    hedge.record("ucb", best_x)
    hedge.update(gp)
    # The GP mean at the best training point is near the top of the scores, so
    # the reward (a quantile) is near 1, importance weighted by 1 / (1/3).
    assert hedge.gains["ucb"] == pytest.approx(3.0, abs=0.3)
    assert hedge.gains["log_ei"] == hedge.gains["log_pi"] == 0.0
    hedge.update(gp)  # records are consumed once
    assert hedge.gains["ucb"] == pytest.approx(3.0, abs=0.3)


def test_better_acquisition_becomes_more_likely(gp, rng):
    hedge = GPHedge(rng)
    good = gp.X_train_[[np.argmax(gp.y_train_)]]
    bad = gp.X_train_[[np.argmin(gp.y_train_)]]
    for _ in range(100):
        name = hedge.choose()
        hedge.record(name, good if name == "log_pi" else bad)
        hedge.update(gp)
    p = hedge.probabilities()
    assert p[1] == p.max() and p[1] > 0.6
    assert p.min() >= hedge.gamma / 3


def test_state_roundtrip_is_plain_data(gp):
    hedge = GPHedge(np.random.RandomState(0))
    for _ in range(3):
        name = hedge.choose()
        hedge.record(name, gp.X_train_[:2])
        hedge.update(gp)
    hedge.record("log_ei", gp.X_train_[:1])  # pending reward survives the checkpoint
    state = json.loads(json.dumps(hedge.state_dict()))
    assert all(isinstance(g, float) for g in state["gains"].values())
    restored = GPHedge(np.random.RandomState(5)).load_state_dict(state)
    np.testing.assert_allclose(restored.probabilities(), hedge.probabilities())
    restored.update(gp)
    hedge.update(gp)
    assert restored.gains == hedge.gains
    assert restored.choose(np.random.RandomState(1)) == hedge.choose(np.random.RandomState(1))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: GPHedge(gamma=0.0), "gamma must be in (0, 1]. Got 0.0 instead."),
        (lambda: GPHedge(eta=-1.0), "eta must be >= 0. Got -1.0 instead."),
        (lambda: GPHedge().choose(), "GPHedge.choose needs a RandomState"),
        (
            lambda: GPHedge().load_state_dict({"gains": {"log_ei": 0.0}}),
            "The hedge state has gains for ['log_ei'], expected ['log_ei', 'log_pi', 'ucb'].",
        ),
    ],
)
def test_input_errors(call, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        call()
