"""Cholesky-based linear algebra for the Gaussian process.

Every solve with the kernel matrix ``K`` goes through its lower Cholesky
factor ``L`` (``K = L @ L.T``). Predictions never form ``K^{-1}``; the one
accepted exception is the trace term of the marginal-likelihood gradient
(:func:`cho_inverse`).
"""

import warnings

import numpy as np
import scipy.linalg
from scipy.linalg import lapack

from ..exceptions import NumericalWarning

__all__ = [
    "cho_inverse",
    "cho_solve",
    "cholesky",
    "cholesky_append",
    "log_det",
    "safe_cholesky",
    "solve_lower",
    "solve_upper",
]

# Jitter tried in turn, as multiples of the mean diagonal of K: 1e-8 is far
# below any noise floor a user would set (so it only rescues round-off), 1e-4
# is the most we add before declaring the matrix hopeless, since more would
# visibly blur the posterior.
_JITTER_FACTORS = 10.0 ** np.arange(-8, -3)


def cholesky(K):
    """Lower Cholesky factor of ``K``; raises ``LinAlgError`` if not positive definite."""
    return scipy.linalg.cholesky(K, lower=True, check_finite=False)


def safe_cholesky(K, *, stacklevel=2):
    """Lower Cholesky factor of ``K``, adding diagonal jitter if needed.

    The plain factorisation is tried first. If it fails, jitter of
    1e-8, 1e-7, ..., 1e-4 times the mean diagonal of ``K`` is added to the
    diagonal in turn, and the first success is returned with one
    :class:`~hptune.exceptions.NumericalWarning`.

    Parameters
    ----------
    K : ndarray of shape (n, n)
        Symmetric matrix, meant to be positive definite.
    stacklevel : int, default=2
        Stack level of the warning, as for :func:`warnings.warn` called in
        this function: 2 blames the caller, 3 the caller's caller.

    Returns
    -------
    L : ndarray of shape (n, n)
        Lower-triangular factor with ``L @ L.T == K + jitter * I``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If the largest jitter does not make ``K`` positive definite.
    """
    try:
        return cholesky(K)
    except np.linalg.LinAlgError as err:
        first_error = err
    # A non-positive mean diagonal cannot come from a valid kernel; fall back
    # to unit scale so that the retries still mean something.
    scale = float(np.mean(np.diag(K)))
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    for factor in _JITTER_FACTORS:
        try:
            L = cholesky(K + factor * scale * np.eye(len(K)))
        except np.linalg.LinAlgError:
            continue
        warnings.warn(
            f"The kernel matrix was not positive definite; added jitter {factor * scale:.1e} "
            f"({factor:.0e} times its mean diagonal) to the diagonal. Duplicate or nearly "
            "duplicate points are the usual cause; raising noise_floor avoids it.",
            NumericalWarning,
            stacklevel=stacklevel,
        )
        return L
    raise np.linalg.LinAlgError(
        f"The kernel matrix of shape {K.shape} is not positive definite, even with jitter "
        f"of {_JITTER_FACTORS[-1]:.0e} times its mean diagonal. Remove duplicate points, "
        "check the inputs for NaN or infinity, or raise noise_floor."
    ) from first_error


def cholesky_append(L, K_cross, K_new):
    """Cholesky factor of a matrix grown by ``m`` rows and columns.

    With ``K = L @ L.T`` and the grown matrix ``[[K, K_cross], [K_cross.T, K_new]]``,
    the new factor is ``[[L, 0], [L21, L22]]`` with ``L21 = (L^{-1} K_cross).T``
    and ``L22 = chol(K_new - L21 @ L21.T)`` (the Schur complement). Cost
    O(n^2 m + m^3) instead of O((n + m)^3).

    Parameters
    ----------
    L : ndarray of shape (n, n)
    K_cross : ndarray of shape (n, m)
    K_new : ndarray of shape (m, m)

    Returns
    -------
    L_grown : ndarray of shape (n + m, n + m)

    Raises
    ------
    numpy.linalg.LinAlgError
        If the Schur complement is not positive definite.
    """
    L21 = solve_lower(L, K_cross).T
    L22 = cholesky(K_new - L21 @ L21.T)
    n, m = len(L), len(L22)
    L_grown = np.zeros((n + m, n + m))
    L_grown[:n, :n] = L
    L_grown[n:, :n] = L21
    L_grown[n:, n:] = L22
    return L_grown


def _trtrs(L, B, trans):
    # LAPACK directly: solve_triangular's argument handling costs more than
    # the solve itself for the small batches of the acquisition polish.
    X, info = lapack.dtrtrs(L, B, lower=1, trans=trans)
    if info != 0:
        raise np.linalg.LinAlgError(f"LAPACK dtrtrs failed with info={info}.")
    return X


def solve_lower(L, B):
    """Solve ``L @ X = B`` for lower-triangular ``L``."""
    return _trtrs(L, B, 0)


def solve_upper(L, B):
    """Solve ``L.T @ X = B`` for lower-triangular ``L``."""
    return _trtrs(L, B, 1)


def cho_solve(L, B):
    """Solve ``K @ X = B`` given the lower Cholesky factor ``L`` of ``K``."""
    return scipy.linalg.cho_solve((L, True), B, check_finite=False)


def log_det(L):
    """``log det K = 2 * sum(log diag L)`` for ``K = L @ L.T``."""
    return 2.0 * float(np.sum(np.log(np.diag(L))))


def cho_inverse(L):
    """``K^{-1}`` from the lower Cholesky factor ``L`` of ``K``.

    Only the marginal-likelihood gradient uses this: its trace term
    ``tr(K^{-1} dK/dtheta)`` needs every entry of ``K^{-1}`` (Rasmussen &
    Williams, 2006, eq. 5.9). LAPACK's ``potri`` costs 2/3 n^3, a third of a
    ``cho_solve`` against the identity.
    """
    K_inv, info = lapack.dpotri(L, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"LAPACK dpotri failed with info={info}.")
    # potri fills the lower triangle only.
    return np.tril(K_inv) + np.tril(K_inv, -1).T
