"""Special functions for acquisition values computed in log space.

Notation: ``u`` is a standardised improvement, ``phi`` and ``Phi`` the standard
normal density and distribution function, and

    h(u) = phi(u) + u Phi(u)

the expected-improvement kernel: ``EI = std * h(u)``. Plain ``h`` underflows to
0 once ``u`` drops below about -38, which flattens the acquisition surface far
from the incumbent; ``log_h`` stays finite, exact and monotone for every finite
``u`` (Ament et al., 2023, eq. 9).

All functions are vectorised numpy ufunc-likes: they take scalars or arrays and
return arrays of the same shape (a numpy scalar for scalar input).

References
----------
.. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy (2023).
   "Unexpected improvements to expected improvement for Bayesian
   optimization". NeurIPS 2023, arXiv:2310.20708.
.. [2] M. Maechler (2012). "Accurately computing log(1 - exp(-|a|))".
   R package Rmpfr vignette.
"""

import math

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

__all__ = ["log_ndtr", "log1mexp", "log_h", "log_h_grad", "log_h_terms", "log_phi"]

_LOG_2PI_HALF = 0.5 * math.log(2.0 * math.pi)
_LOG_PI_HALF_HALF = 0.5 * math.log(math.pi / 2.0)
_LN2 = math.log(2.0)
_SQRT_HALF = math.sqrt(0.5)

# Below this u, the erfcx branch loses accuracy: its log1mexp argument is about
# -1/u**2, whose rounding error is ~eps relative to 1, so ~eps*u**2 relative to
# the result. At -1e6 that is ~1e-4 in log_h (~-5e11), far below its spacing;
# past it the asymptotic series is exact to double precision (next term 15/u**4).
_ASYMPTOTIC_BELOW = -1e6
# Beyond |u| = 1e150, u**2 would approach float overflow (1.8e308); log_h there is
# about -5e299 or larger than 345, and clipping keeps every branch warning-free.
_U_CLIP = 1e150


def log_phi(u):
    """Log of the standard normal density, ``-u**2/2 - log(2 pi)/2``."""
    u = np.clip(np.asarray(u, dtype=float), -_U_CLIP, _U_CLIP)
    return (-0.5 * u * u - _LOG_2PI_HALF)[()]


def log1mexp(x):
    """Compute ``log(1 - exp(x))`` for ``x <= 0`` without cancellation.

    Uses ``log(-expm1(x))`` for ``x > -log 2`` and ``log1p(-exp(x))`` otherwise
    (Maechler, 2012, eq. 7). Each branch sees only inputs of its own region, so
    neither warns. ``x = 0`` gives ``-inf``; ``x > 0`` is outside the domain and
    gives NaN.

    Parameters
    ----------
    x : float or ndarray

    Returns
    -------
    out : float or ndarray of the same shape
    """
    x = np.asarray(x, dtype=float)
    near_zero = x > -_LN2
    xa = np.where(near_zero, x, -_LN2)
    xb = np.where(near_zero, -_LN2, x)
    # log(0) = -inf is the exact limit at x = 0, not an error.
    with np.errstate(divide="ignore"):
        a = np.log(-np.expm1(xa))
    return np.where(near_zero, a, np.log1p(-np.exp(xb)))[()]


def _upper(u):
    """Branch u > -1: direct formula. Returns (log_h, log Phi/h, log phi/h)."""
    u = np.clip(u, -1.0, None)
    log_pdf = log_phi(u)
    # For u > ~38 exp(log_pdf) underflows to 0, where h = u to double precision.
    lh = np.log(np.exp(log_pdf) + u * ndtr(u))
    return lh, log_ndtr(u) - lh, log_pdf - lh


def _middle(u):
    """Branch -1e6 < u <= -1: h = phi(u) (1 - |u| erfcx(-u/sqrt 2) sqrt(pi/2)).

    The factor uses the scaled complementary error function, so neither phi nor
    Phi is formed and nothing underflows (Ament et al., 2023, eq. 9, second case).
    """
    u = np.clip(u, _ASYMPTOTIC_BELOW, -1.0)
    log_abs_u = np.log(-u)
    # w = log(|u| Phi(u) / phi(u)) < 0, so log1mexp(w) = log(h / phi).
    w = log_abs_u + np.log(erfcx(-u * _SQRT_HALF)) + _LOG_PI_HALF_HALF
    log_h_over_phi = log1mexp(w)
    return log_phi(u) + log_h_over_phi, w - log_abs_u - log_h_over_phi, -log_h_over_phi


def _asymptotic(u):
    """Branch u <= -1e6: h = phi(u) / u**2 (1 - 3/u**2 + O(u**-4)).

    From the Mills-ratio series Phi(u)/phi(u) = 1/|u| (1 - 1/u**2 + 3/u**4 - ...);
    the neglected terms are below 1e-23 relative here.
    """
    u = np.clip(u, -_U_CLIP, _ASYMPTOTIC_BELOW)
    log_abs_u = np.log(-u)
    a = 1.0 / (u * u)
    log_h_over_phi = -2.0 * log_abs_u + np.log1p(-3.0 * a)
    log_cdf_over_phi = -log_abs_u + np.log1p(-a)
    return (
        log_phi(u) + log_h_over_phi,
        log_cdf_over_phi - log_h_over_phi,
        -log_h_over_phi,
    )


def log_h_terms(u):
    """Compute ``log h(u)``, ``Phi(u)/h(u)`` and ``phi(u)/h(u)`` stably.

    The two ratios give the derivatives of the log acquisitions:
    ``d log h / du = Phi/h`` and ``1 - u d log h/du = phi/h``. They are formed
    per branch from the same intermediate quantities, never as a difference of
    two large logs, so they keep full relative precision for every ``u``.

    Parameters
    ----------
    u : float or ndarray

    Returns
    -------
    log_h : ndarray
    Phi_over_h : ndarray
    phi_over_h : ndarray
        Each of the shape of ``u``.
    """
    u = np.asarray(u, dtype=float)
    upper, middle = u > -1.0, u > _ASYMPTOTIC_BELOW
    # A branch no element needs is skipped (the acquisition optimiser calls
    # this thousands of times per proposal, nearly always with u > -1e6); the
    # others run on the whole array, so every value is the one np.where picks.
    terms = _upper(u)
    if not upper.all():
        lower = _middle(u)
        if not middle.all():
            lower = [np.where(middle, b, c) for b, c in zip(lower, _asymptotic(u))]
        terms = [np.where(upper, a, b) for a, b in zip(terms, lower)]
    log_h_value, log_cdf_over_h, log_pdf_over_h = terms
    return log_h_value[()], np.exp(log_cdf_over_h)[()], np.exp(log_pdf_over_h)[()]


def log_h(u):
    """Log of the expected-improvement kernel, ``log(phi(u) + u Phi(u))``.

    Three branches (Ament et al., 2023, eq. 9), each evaluated on inputs clipped
    to its own region:

    - ``u > -1``: ``log(phi(u) + u Phi(u))`` directly;
    - ``-1e6 < u <= -1``:
      ``log phi(u) + log1mexp(log(|u| erfcx(-u/sqrt 2) sqrt(pi/2))))``;
    - ``u <= -1e6``: ``-u**2/2 - log(2 pi)/2 - 2 log|u| + log1p(-3/u**2)``.

    Parameters
    ----------
    u : float or ndarray

    Returns
    -------
    log_h : float or ndarray of the same shape
    """
    return log_h_terms(u)[0]


def log_h_grad(u):
    """Derivative ``d log h / du = Phi(u) / (phi(u) + u Phi(u))``.

    Positive everywhere; about ``1/u`` for large ``u`` and ``|u|`` for very
    negative ``u``. See :func:`log_h_terms`.
    """
    return log_h_terms(u)[1]
