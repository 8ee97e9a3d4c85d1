"""Matern 5/2 kernel with automatic relevance determination (ARD).

With lengthscales ``l`` (one per input column) and amplitude ``a`` (the
prior variance of the latent function)::

    r^2    = sum_j ((x_j - x'_j) / l_j)^2
    k(r)   = a * (1 + sqrt(5) r + 5/3 r^2) * exp(-sqrt(5) r)
    dk/dr2 = -5/6 * a * (1 + sqrt(5) r) * exp(-sqrt(5) r)

(Rasmussen & Williams, 2006, eq. 4.17). Derivatives go through ``dk/dr2``,
which is finite at ``r = 0`` unlike ``dr/dx`` (the square root has an
infinite slope there), so coincident points need no special case.

Gradient contractions (``*_dot``) return sums of the form
``sum_ik W_ik dK_ik / dparam`` through matrix products, in O(n^2 d) time and
O(n^2 + n d) memory; the full (n1, n2, d) gradient tensors are provided for
small inputs and for tests.
"""

import numpy as np
from scipy.spatial.distance import cdist

__all__ = [
    "diff_dot",
    "matern52",
    "matern52_grad_theta",
    "matern52_grad_x",
    "matern52_grad_x_dot",
    "matern52_with_dr2",
    "scaled_sqdist",
    "sqdiff_dot",
]

_SQRT5 = np.sqrt(5.0)


def scaled_sqdist(X1, X2, lengthscales):
    """Squared scaled distances ``r^2`` between rows, shape (n1, n2).

    ``cdist`` subtracts coordinates directly instead of expanding
    ``|x|^2 + |x'|^2 - 2 x.x'``, which cancels catastrophically for close points.
    """
    return cdist(X1 / lengthscales, X2 / lengthscales, "sqeuclidean")


def matern52_with_dr2(r2, amplitude):
    """Kernel values ``k`` and their derivative ``dk/dr2`` from ``r^2``.

    Parameters
    ----------
    r2 : ndarray
        Squared scaled distances.
    amplitude : float

    Returns
    -------
    K, dK_dr2 : ndarray of the shape of ``r2``
    """
    # In-place steps: these (n1, n2) temporaries dominate the cost of the
    # marginal-likelihood evaluations after the Cholesky factorisation.
    linear = np.sqrt(r2)
    decay = np.multiply(linear, -_SQRT5)
    np.exp(decay, out=decay)
    decay *= amplitude
    linear *= _SQRT5
    linear += 1.0
    dK_dr2 = np.multiply(linear, decay)
    K = np.multiply(r2, 5.0 / 3.0)
    K *= decay
    K += dK_dr2
    dK_dr2 *= -5.0 / 6.0
    return K, dK_dr2


def matern52(X1, X2, lengthscales, amplitude):
    """Matern 5/2 ARD kernel matrix.

    Parameters
    ----------
    X1 : ndarray of shape (n1, d)
    X2 : ndarray of shape (n2, d)
    lengthscales : ndarray of shape (d,)
    amplitude : float

    Returns
    -------
    K : ndarray of shape (n1, n2)
    """
    return matern52_with_dr2(scaled_sqdist(X1, X2, lengthscales), amplitude)[0]


def matern52_grad_theta(X, lengthscales, amplitude):
    """Gradient of ``K(X, X)`` with respect to the log-parameters.

    ``dK/dlog l_j = dk/dr2 * (-2) ((x_j - x'_j) / l_j)^2`` and
    ``dK/dlog a = K``. Memory is O(n^2 d): for large ``n`` use
    :func:`sqdiff_dot` on ``W * dK_dr2`` instead.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    lengthscales : ndarray of shape (d,)
    amplitude : float

    Returns
    -------
    dK : ndarray of shape (n, n, d + 1)
        ``dK[..., j]`` for ``j < d`` is the derivative with respect to
        ``log lengthscales[j]``; ``dK[..., d]`` with respect to ``log amplitude``.
    """
    K, dK_dr2 = matern52_with_dr2(scaled_sqdist(X, X, lengthscales), amplitude)
    scaled_diff = (X[:, None, :] - X[None, :, :]) / lengthscales
    dK_dlog_l = -2.0 * dK_dr2[:, :, None] * scaled_diff**2
    return np.concatenate([dK_dlog_l, K[:, :, None]], axis=2)


def matern52_grad_x(X1, X2, lengthscales, amplitude):
    """Gradient of ``k(x, x')`` with respect to ``x`` for every pair.

    ``dk/dx_j = dk/dr2 * 2 (x_j - x'_j) / l_j^2``. Memory is O(n1 n2 d);
    :func:`matern52_grad_x_dot` computes weighted sums without the tensor.

    Parameters
    ----------
    X1 : ndarray of shape (n_points, d)
        The points ``x`` differentiated against.
    X2 : ndarray of shape (n_train, d)
    lengthscales : ndarray of shape (d,)
    amplitude : float

    Returns
    -------
    dK_dX1 : ndarray of shape (n_points, n_train, d)
    """
    dK_dr2 = matern52_with_dr2(scaled_sqdist(X1, X2, lengthscales), amplitude)[1]
    diff = X1[:, None, :] - X2[None, :, :]
    return 2.0 * dK_dr2[:, :, None] * diff / lengthscales**2


def matern52_grad_x_dot(W, dK_dr2, X1, X2, lengthscales):
    """Weighted sums of kernel x-gradients, ``sum_i W_pi dk(x_p, x'_i)/dx_p``.

    Parameters
    ----------
    W : ndarray of shape (..., n_points, n_train)
        Weights; leading dimensions batch several weightings.
    dK_dr2 : ndarray of shape (n_points, n_train)
        From :func:`matern52_with_dr2` on ``scaled_sqdist(X1, X2, lengthscales)``.
    X1 : ndarray of shape (n_points, d)
    X2 : ndarray of shape (n_train, d)
    lengthscales : ndarray of shape (d,)

    Returns
    -------
    grad : ndarray of shape (..., n_points, d)
    """
    return 2.0 * diff_dot(W * dK_dr2, X1, X2) / lengthscales**2


def diff_dot(M, X1, X2):
    """``sum_i M_pi (X1_pj - X2_ij)`` for every ``p, j``, by matrix products.

    Parameters
    ----------
    M : ndarray of shape (..., n1, n2)
    X1 : ndarray of shape (n1, d)
    X2 : ndarray of shape (n2, d)

    Returns
    -------
    out : ndarray of shape (..., n1, d)
    """
    return M.sum(axis=-1)[..., None] * X1 - M @ X2


def sqdiff_dot(M, X):
    """``sum_ik M_ik (X_ij - X_kj)^2`` for every column ``j``, by matrix products.

    Expanding the square gives ``(rowsum + colsum) @ X^2 - 2 sum(X * (M @ X))``.
    Centring the columns first keeps the expanded terms small, so that the
    cancellation between them loses little precision.

    Parameters
    ----------
    M : ndarray of shape (n, n)
    X : ndarray of shape (n, d)

    Returns
    -------
    out : ndarray of shape (d,)
    """
    Xc = X - X.mean(axis=0)
    weights = M.sum(axis=0) + M.sum(axis=1)
    return weights @ Xc**2 - 2.0 * np.einsum("ij,ij->j", Xc, M @ Xc)
