"""FidelityGaussianProcess: a GP over (point, fidelity) that answers at the target fidelity."""

import numpy as np
import pytest

from hptune.acquisition import propose_batch
from hptune.space import to_space
from hptune.surrogate import FidelityGaussianProcess, GaussianProcess


def _data(seed=0, n=30):
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(n, 2))
    fidelity = rng.choice([0.0, 0.5, 1.0], size=n)
    y = np.sin(5 * X[:, 0]) + X[:, 1] * fidelity
    return X, fidelity, y


def _pair(target=1.0):
    """A fitted FidelityGaussianProcess and a plain GP with the same hyperparameters on (X, fidelity)."""
    X, fidelity, y = _data()
    gp = FidelityGaussianProcess(fidelity, target=target).fit(X, y, random_state=0)
    plain = GaussianProcess()._fit_fixed(np.column_stack([X, fidelity]), y, gp.theta_)
    return gp, plain


@pytest.mark.parametrize("target", [1.0, 0.25])
def test_predictions_are_the_plain_gps_at_the_target_fidelity(target):
    gp, plain = _pair(target)
    Q = np.random.RandomState(1).uniform(size=(7, 2))
    at_target = np.column_stack([Q, np.full(7, target)])
    for mine, theirs in zip(gp.predict(Q), plain.predict(at_target)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)
    mine, theirs = gp.predict_with_grad(Q), plain.predict_with_grad(at_target)
    for k in range(2):
        np.testing.assert_allclose(mine[k], theirs[k], rtol=1e-12, atol=1e-12)
    for k in range(2, 4):  # gradients with respect to the point only
        assert mine[k].shape == (7, 2)
        np.testing.assert_allclose(mine[k], theirs[k][:, :2], rtol=1e-12, atol=1e-12)


def test_conditioning_adds_fantasies_at_the_target_fidelity():
    gp, plain = _pair()
    X_new, y_new = np.array([[0.2, 0.4]]), np.array([1.5])
    conditioned = gp.condition_on(X_new, y_new)
    assert isinstance(conditioned, FidelityGaussianProcess)
    expected = plain.condition_on(np.array([[0.2, 0.4, 1.0]]), y_new)
    Q = np.random.RandomState(2).uniform(size=(5, 2))
    np.testing.assert_allclose(
        conditioned.predict(Q)[0], expected.predict(np.column_stack([Q, np.ones(5)]))[0], rtol=1e-12
    )
    assert conditioned.X_train_.shape == (31, 3) and gp.X_train_.shape == (30, 3)


def test_it_learns_where_the_full_fidelity_optimum_is_from_mostly_cheap_scores():
    # The optimum moves from x = 0.8 at fidelity 0 to x = 0.2 at fidelity 1;
    # 24 of the 30 scores are at fidelities 0 and 0.5. The mean at fidelity 1
    # peaks near 0.2, and at fidelity 0 near 0.8.
    rng = np.random.RandomState(0)
    fidelity = np.r_[np.zeros(16), np.full(8, 0.5), np.ones(6)]
    X = rng.uniform(size=(30, 1))
    y = -((X[:, 0] - (0.8 - 0.6 * fidelity)) ** 2)
    grid = np.linspace(0, 1, 201)[:, None]
    for target, optimum in [(1.0, 0.2), (0.0, 0.8)]:
        gp = FidelityGaussianProcess(fidelity, target=target).fit(X, y, random_state=0)
        assert abs(grid[np.argmax(gp.predict(grid)[0]), 0] - optimum) < 0.1


def test_the_acquisition_proposes_points_of_the_space_not_of_the_model_input():
    X, fidelity, y = _data()
    gp = FidelityGaussianProcess(fidelity).fit(X, y, random_state=0)
    space = to_space({"a": (0.0, 1.0), "b": (0.0, 1.0)})
    Z = propose_batch(gp, space, 3, np.random.RandomState(0), best=float(y.max()), exclude=X)
    assert Z.shape == (3, 2)


def test_fit_names_a_fidelity_of_the_wrong_length():
    X, fidelity, y = _data()
    with pytest.raises(ValueError, match="fidelity has 29 values for 30 points"):
        FidelityGaussianProcess(fidelity[:-1]).fit(X, y)


def test_parameters_round_trip():
    gp = FidelityGaussianProcess([0.0, 1.0], target=0.5, noise_floor=1e-4)
    assert gp.get_params() == {
        "noise_floor": 1e-4, "n_restarts": 2, "fidelity": [0.0, 1.0], "target": 0.5,
    }
