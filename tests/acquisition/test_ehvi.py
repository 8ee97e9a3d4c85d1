"""Expected hypervolume improvement for two objectives."""

import numpy as np
import pytest

from hptune.acquisition._ehvi import ehvi, ehvi_strips, log_ehvi, log_ehvi_and_grad
from hptune.selection._hypervolume import _hypervolume


def _gain(front, point, ref):
    """Hypervolume a point adds to a front (maximised), by the exact sweep."""
    base = _hypervolume(-np.asarray(front), -ref)
    return _hypervolume(-np.vstack([front, point]), -ref) - base


def _random_case(seed, n_front=6, n_points=5):
    rng = np.random.RandomState(seed)
    front = rng.uniform(size=(n_front, 2))
    ref = np.array([-0.1, -0.2])
    mean = rng.uniform(-0.1, 1.1, size=(n_points, 2))
    std = rng.uniform(0.05, 0.35, size=(n_points, 2))
    return front, ref, mean, std


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ehvi_matches_monte_carlo_integration(seed):
    front, ref, mean, std = _random_case(seed)
    value = ehvi(mean, std, front, ref)
    samples = np.random.RandomState(100 + seed).standard_normal((4000, 2))
    for i in range(len(mean)):
        gains = np.array([_gain(front, y, ref) for y in mean[i] + std[i] * samples])
        # Six standard errors plus a small absolute slack: never flaky.
        tolerance = 6 * gains.std() / np.sqrt(len(gains)) + 1e-4
        assert abs(value[i] - gains.mean()) < tolerance


def test_certain_points_give_the_exact_hypervolume_gain():
    front = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])
    ref = np.array([0.0, 0.0])
    dominated, improving = [1.5, 1.5], [2.5, 2.5]
    std = np.full((2, 2), 1e-9)
    value = ehvi(np.array([dominated, improving]), std, front, ref)
    assert value[0] == pytest.approx(0.0, abs=1e-8)
    # Strips x in [1, 2] above y = 2 and x in [2, 2.5] above y = 1: 0.5 + 0.75.
    assert value[1] == pytest.approx(_gain(front, improving, ref), rel=1e-6)
    assert value[1] == pytest.approx(1.25, rel=1e-6)


def test_log_ehvi_is_the_log_and_stays_finite_and_ordered_far_below_the_front():
    front, ref, mean, std = _random_case(3)
    np.testing.assert_allclose(np.exp(log_ehvi(mean, std, front, ref)), ehvi(mean, std, front, ref),
                               rtol=1e-9)
    far = np.array([[-3.0, -3.0], [-30.0, -30.0], [-300.0, -300.0]])
    small = np.full((3, 2), 0.1)
    assert np.all(ehvi(far, small, front, ref) == 0.0)  # underflow of the plain form
    values = log_ehvi(far, small, front, ref)
    assert np.all(np.isfinite(values)) and values[0] > values[1] > values[2]


@pytest.mark.parametrize("seed", [0, 4])
def test_log_ehvi_gradient_matches_finite_differences(seed):
    front, ref, mean, std = _random_case(seed)
    _, d_dmean, d_dstd = log_ehvi_and_grad(mean, std, front, ref)
    eps = 1e-6
    for j in range(2):
        step = np.zeros(2)
        step[j] = eps
        numeric_mean = (log_ehvi(mean + step, std, front, ref)
                        - log_ehvi(mean - step, std, front, ref)) / (2 * eps)
        numeric_std = (log_ehvi(mean, std + step, front, ref)
                       - log_ehvi(mean, std - step, front, ref)) / (2 * eps)
        np.testing.assert_allclose(d_dmean[:, j], numeric_mean, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(d_dstd[:, j], numeric_std, rtol=1e-4, atol=1e-6)


def test_strips_keep_only_the_non_dominated_points_above_the_reference():
    front = [[1.0, 3.0], [2.0, 2.0], [1.5, 1.5], [3.0, 1.0], [4.0, -1.0], [np.nan, 5.0]]
    a, b, c = ehvi_strips(front, [0.0, 0.0])
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(b, [1.0, 2.0, 3.0, np.inf])
    np.testing.assert_array_equal(c, [3.0, 2.0, 1.0, 0.0])


def test_empty_front_is_the_box_above_the_reference():
    # With nothing above the reference, a certain point gains its whole box.
    value = ehvi(np.array([[2.0, 3.0]]), np.full((1, 2), 1e-9), np.empty((0, 2)), [0.0, 1.0])
    assert value[0] == pytest.approx(4.0, rel=1e-6)
