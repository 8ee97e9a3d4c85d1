import numpy as np
import pytest
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

from hptune.surrogate._kernels import (
    matern52,
    matern52_grad_theta,
    matern52_grad_x,
    matern52_grad_x_dot,
    matern52_with_dr2,
    scaled_sqdist,
    sqdiff_dot,
)

LENGTHSCALES = np.array([0.3, 1.5, 0.07])
AMPLITUDE = 1.7


@pytest.fixture
def X():
    X = np.random.RandomState(0).uniform(size=(8, 3))
    X[5] = X[2]  # a coincident pair exercises r = 0
    return X


def _sklearn_kernel(lengthscales=LENGTHSCALES, amplitude=AMPLITUDE):
    return ConstantKernel(amplitude) * Matern(length_scale=lengthscales, nu=2.5)


def test_matern52_matches_sklearn(X):
    X2 = np.random.RandomState(1).uniform(size=(5, 3))
    kernel = _sklearn_kernel()
    np.testing.assert_allclose(matern52(X, X, LENGTHSCALES, AMPLITUDE), kernel(X), rtol=1e-12)
    np.testing.assert_allclose(matern52(X, X2, LENGTHSCALES, AMPLITUDE), kernel(X, X2), rtol=1e-12)


def test_matern52_diagonal_and_symmetry(X):
    K = matern52(X, X, LENGTHSCALES, AMPLITUDE)
    np.testing.assert_array_equal(np.diag(K), AMPLITUDE)
    np.testing.assert_array_equal(K, K.T)


def test_grad_theta_matches_sklearn(X):
    # scikit-learn orders its log-parameters as [amplitude, lengthscales].
    _, dK_sklearn = _sklearn_kernel()(X, eval_gradient=True)
    dK = matern52_grad_theta(X, LENGTHSCALES, AMPLITUDE)
    np.testing.assert_allclose(dK[..., :3], dK_sklearn[..., 1:], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dK[..., 3], dK_sklearn[..., 0], rtol=1e-12)


def test_grad_theta_finite_differences(X):
    theta = np.log(np.r_[LENGTHSCALES, AMPLITUDE])
    dK = matern52_grad_theta(X, LENGTHSCALES, AMPLITUDE)
    h = 1e-6
    for j in range(len(theta)):
        step = h * np.eye(len(theta))[j]
        K_plus = matern52(X, X, np.exp(theta + step)[:3], np.exp(theta + step)[3])
        K_minus = matern52(X, X, np.exp(theta - step)[:3], np.exp(theta - step)[3])
        np.testing.assert_allclose(dK[..., j], (K_plus - K_minus) / (2 * h), atol=1e-8)


def test_grad_x_finite_differences(X):
    Xq = np.random.RandomState(2).uniform(size=(4, 3))
    Xq[0] = X[0]  # gradient at a training point (r = 0) is zero, not NaN
    dK = matern52_grad_x(Xq, X, LENGTHSCALES, AMPLITUDE)
    assert dK.shape == (4, 8, 3)
    np.testing.assert_array_equal(dK[0, 0], 0.0)
    h = 1e-6
    for j in range(3):
        step = h * np.eye(3)[j]
        K_plus = matern52(Xq + step, X, LENGTHSCALES, AMPLITUDE)
        K_minus = matern52(Xq - step, X, LENGTHSCALES, AMPLITUDE)
        fd = (K_plus - K_minus) / (2 * h)
        np.testing.assert_allclose(dK[..., j], fd, atol=1e-7)


def test_grad_x_dot_matches_tensor(X):
    rng = np.random.RandomState(3)
    Xq = rng.uniform(size=(4, 3))
    W = rng.standard_normal((2, 4, 8))
    dK_dr2 = matern52_with_dr2(scaled_sqdist(Xq, X, LENGTHSCALES), AMPLITUDE)[1]
    expected = np.einsum("bpi,pij->bpj", W, matern52_grad_x(Xq, X, LENGTHSCALES, AMPLITUDE))
    np.testing.assert_allclose(
        matern52_grad_x_dot(W, dK_dr2, Xq, X, LENGTHSCALES), expected, rtol=1e-10, atol=1e-12
    )


def test_sqdiff_dot_matches_brute_force(X):
    M = np.random.RandomState(4).standard_normal((8, 8))
    expected = np.einsum("ik,ikj->j", M, (X[:, None, :] - X[None, :, :]) ** 2)
    np.testing.assert_allclose(sqdiff_dot(M, X), expected, rtol=1e-10, atol=1e-12)


def test_kernel_functions_return_float64(X):
    assert matern52(X.astype(np.float32), X, LENGTHSCALES, AMPLITUDE).dtype == np.float64
    assert matern52_grad_theta(X, LENGTHSCALES, AMPLITUDE).dtype == np.float64
