import numpy as np
import pytest

from hptune.exceptions import NumericalWarning
from hptune.surrogate._linalg import (
    cho_inverse,
    cho_solve,
    cholesky_append,
    log_det,
    safe_cholesky,
    solve_lower,
    solve_upper,
)


def _spd(n, seed=0):
    A = np.random.RandomState(seed).standard_normal((n, n))
    return A @ A.T + n * np.eye(n)


def test_safe_cholesky_positive_definite_no_jitter():
    K = _spd(6)
    L = safe_cholesky(K)
    np.testing.assert_allclose(L, np.linalg.cholesky(K), rtol=1e-12)
    assert np.all(np.triu(L, 1) == 0)


def test_safe_cholesky_singular_adds_jitter_and_warns():
    # Rank one, with a tiny negative eigenvalue: the plain factorisation fails.
    K = np.ones((4, 4)) - 1e-10 * np.eye(4)
    with pytest.warns(NumericalWarning, match="added jitter .* duplicate") as record:
        L = safe_cholesky(K)
    assert len(record) == 1
    # The warning blames the caller, not the library.
    assert record[0].filename == __file__
    np.testing.assert_allclose(L @ L.T, K, atol=1e-4)


def test_safe_cholesky_hopeless_raises_with_advice():
    K = -np.eye(3)
    with pytest.raises(np.linalg.LinAlgError, match="raise noise_floor") as excinfo:
        safe_cholesky(K)
    assert isinstance(excinfo.value.__cause__, np.linalg.LinAlgError)


def test_cholesky_append_matches_full_factorisation():
    K = _spd(7, seed=1)
    L11 = np.linalg.cholesky(K[:5, :5])
    L = cholesky_append(L11, K[:5, 5:], K[5:, 5:])
    np.testing.assert_allclose(L, np.linalg.cholesky(K), rtol=1e-10, atol=1e-12)


def test_cholesky_append_raises_when_not_positive_definite():
    K = np.ones((3, 3))
    L11 = np.linalg.cholesky(K[:2, :2] + np.eye(2))
    with pytest.raises(np.linalg.LinAlgError):
        cholesky_append(L11, K[:2, 2:] * 10, K[2:, 2:])


def test_solves_inverse_and_log_det():
    K = _spd(5, seed=2)
    L = np.linalg.cholesky(K)
    B = np.random.RandomState(3).standard_normal((5, 2))
    np.testing.assert_allclose(cho_solve(L, B), np.linalg.solve(K, B), rtol=1e-10)
    np.testing.assert_allclose(L @ solve_lower(L, B), B, atol=1e-12)
    np.testing.assert_allclose(L.T @ solve_upper(L, B), B, atol=1e-12)
    K_inv = cho_inverse(L)
    np.testing.assert_allclose(K_inv, np.linalg.inv(K), rtol=1e-10, atol=1e-14)
    assert np.array_equal(K_inv, K_inv.T)
    np.testing.assert_allclose(log_det(L), np.linalg.slogdet(K)[1], rtol=1e-12)
