"""Acquisition functions as pure, vectorised functions of the GP posterior.

Notation (scores are maximised):

- ``mean``, ``std``: posterior mean and standard deviation of the score at the
  candidate points, ``ndarray of shape (n_points,)`` (any broadcastable shapes
  work; scalars too);
- ``best``: the incumbent, the best observed score (float);
- ``xi``: improvement margin (``xi >= 0`` asks for at least ``xi`` of gain);
- ``kappa``: exploration weight of the upper confidence bound;
- ``u = (mean - best - xi) / std``: the standardised improvement;
- ``phi``, ``Phi``: standard normal density and distribution function, and
  ``h(u) = phi(u) + u Phi(u)`` (see :mod:`._special`).

Every ``*_and_grad`` variant returns ``(value, d_dmean, d_dstd)``: the value and
its partial derivatives with respect to ``mean`` and ``std``, each of the
broadcast shape. The optimiser applies the chain rule with the GP's
``dmean/dX`` and ``dstd/dX``.

``std`` is floored at ``1e-100`` before dividing, so a zero predictive standard
deviation (a noiseless model at a training point) gives finite values.

References
----------
.. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy (2023).
   "Unexpected improvements to expected improvement for Bayesian
   optimization". NeurIPS 2023, arXiv:2310.20708.
.. [2] N. Srinivas, A. Krause, S. Kakade and M. Seeger (2010). "Gaussian
   process optimization in the bandit setting: no regret and experimental
   design". ICML 2010.
"""

import functools
import math

import numpy as np
from scipy.special import erfcx

from ._special import log_h_terms, log_ndtr, log_phi

__all__ = [
    "ACQUISITION_FUNCTIONS",
    "ACQUISITION_GRADIENTS",
    "ALIASES",
    "log_ei",
    "log_ei_and_grad",
    "log_pi",
    "log_pi_and_grad",
    "make_acquisition",
    "resolve_acquisition",
    "ucb",
    "ucb_and_grad",
]

# Floor of std before the division in u: keeps u finite (|u| < 1e150 for any
# score gap below 1e50) when a noiseless GP predicts std = 0 at a training point.
_STD_FLOOR = 1e-100
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_HALF = math.sqrt(0.5)


def _standardise(mean, std, best, xi):
    """Return ``u = (mean - best - xi) / std`` and the floored ``std``."""
    std = np.maximum(np.asarray(std, dtype=float), _STD_FLOOR)
    return (np.asarray(mean, dtype=float) - best - xi) / std, std


def log_ei(mean, std, best, xi=0.0):
    """Log expected improvement, ``log(std) + log h(u)``.

    ``EI = E[max(f - best - xi, 0)] = std h(u)`` (Jones et al., 1998); its log
    is computed with the stable ``log h`` of Ament et al. (2023, eq. 9), so it
    stays finite and informative where EI itself underflows to 0.

    Parameters
    ----------
    mean, std : ndarray of shape (n_points,)
    best : float
    xi : float, default=0.0

    Returns
    -------
    value : ndarray of shape (n_points,)
    """
    u, std = _standardise(mean, std, best, xi)
    return (np.log(std) + log_h_terms(u)[0])[()]


def log_ei_and_grad(mean, std, best, xi=0.0):
    """Log expected improvement and its partial derivatives.

    ``d/dmean = Phi(u) / (std h(u))`` and ``d/dstd = phi(u) / (std h(u))``
    (both positive), with the ratios from :func:`._special.log_h_terms`.

    Returns
    -------
    value, d_dmean, d_dstd : ndarray of shape (n_points,)
    """
    u, std = _standardise(mean, std, best, xi)
    value, cdf_over_h, pdf_over_h = log_h_terms(u)
    return (np.log(std) + value)[()], (cdf_over_h / std)[()], (pdf_over_h / std)[()]


def log_pi(mean, std, best, xi=0.0):
    """Log probability of improvement, ``log Phi(u)`` (``scipy.special.log_ndtr``).

    Parameters
    ----------
    mean, std : ndarray of shape (n_points,)
    best : float
    xi : float, default=0.0

    Returns
    -------
    value : ndarray of shape (n_points,)
    """
    u, _ = _standardise(mean, std, best, xi)
    return log_ndtr(u)[()]


def _inverse_mills(u):
    """``phi(u) / Phi(u)``, stable for every u.

    For u < 0 it is ``sqrt(2/pi) / erfcx(-u/sqrt 2)`` (no underflow, no
    difference of large logs); for u >= 0 Phi(u) >= 1/2, so the log form is exact.
    """
    negative = u < 0.0
    from_erfcx = _SQRT_2_OVER_PI / erfcx(-np.minimum(u, 0.0) * _SQRT_HALF)
    u_pos = np.maximum(u, 0.0)
    return np.where(negative, from_erfcx, np.exp(log_phi(u_pos) - log_ndtr(u_pos)))


def log_pi_and_grad(mean, std, best, xi=0.0):
    """Log probability of improvement and its partial derivatives.

    With ``lambda = phi(u) / Phi(u)``: ``d/dmean = lambda / std`` and
    ``d/dstd = -u lambda / std``.

    Returns
    -------
    value, d_dmean, d_dstd : ndarray of shape (n_points,)
    """
    u, std = _standardise(mean, std, best, xi)
    ratio = _inverse_mills(u)
    return log_ndtr(u)[()], (ratio / std)[()], (-u * ratio / std)[()]


def ucb(mean, std, kappa=1.96):
    """Upper confidence bound, ``mean + kappa std`` (Srinivas et al., 2010).

    Parameters
    ----------
    mean, std : ndarray of shape (n_points,)
    kappa : float, default=1.96

    Returns
    -------
    value : ndarray of shape (n_points,)
    """
    return (np.asarray(mean, dtype=float) + kappa * np.asarray(std, dtype=float))[()]


def ucb_and_grad(mean, std, kappa=1.96):
    """Upper confidence bound and its partial derivatives (1 and ``kappa``).

    Returns
    -------
    value, d_dmean, d_dstd : ndarray of shape (n_points,)
    """
    value = ucb(mean, std, kappa)
    ones = np.ones_like(value)
    return value, ones[()], (kappa * ones)[()]


#: Canonical names to acquisition functions.
ACQUISITION_FUNCTIONS = {"log_ei": log_ei, "log_pi": log_pi, "ucb": ucb}
#: Canonical names to their ``*_and_grad`` variants.
ACQUISITION_GRADIENTS = {"log_ei": log_ei_and_grad, "log_pi": log_pi_and_grad, "ucb": ucb_and_grad}
#: scikit-optimize's names. skopt minimises, and its LCB ``mean - kappa std`` of
#: the loss ``-score`` is ``-(score_mean + kappa std)``, so minimising it is
#: maximising UCB here; its EI and PI become their (better-behaved) logs.
ALIASES = {"EI": "log_ei", "PI": "log_pi", "LCB": "ucb"}
# Keyword parameters each acquisition takes besides (mean, std).
_PARAMETERS = {"log_ei": ("best", "xi"), "log_pi": ("best", "xi"), "ucb": ("kappa",)}


def resolve_acquisition(name):
    """Canonical name of an acquisition function or a skopt alias.

    Raises ValueError for unknown names.
    """
    canonical = ALIASES.get(name, name)
    if canonical not in ACQUISITION_FUNCTIONS:
        options = sorted(ACQUISITION_FUNCTIONS) + sorted(ALIASES)
        raise ValueError(f"acq_func must be one of {options}. Got {name!r} instead.")
    return canonical


def make_acquisition(name, *, best=None, xi=0.0, kappa=1.96):
    """Bind an acquisition's parameters: returns ``f(mean, std, return_grad=False)``.

    Parameters
    ----------
    name : {"log_ei", "log_pi", "ucb", "EI", "PI", "LCB"}
        The acquisition function.
    best : float, default=None
        Incumbent, required by ``log_ei`` and ``log_pi``.
    xi : float, default=0.0
        Improvement margin of ``log_ei`` and ``log_pi``.
    kappa : float, default=1.96
        Exploration weight of ``ucb``.

    Returns
    -------
    acquisition : callable
        ``acquisition(mean, std)`` gives the values and
        ``acquisition(mean, std, return_grad=True)`` gives
        ``(value, d_dmean, d_dstd)``.
    """
    name = resolve_acquisition(name)
    given = {"best": None if best is None else float(best), "xi": float(xi), "kappa": float(kappa)}
    params = {key: given[key] for key in _PARAMETERS[name]}
    if params.get("best", 0.0) is None:
        raise ValueError(f"The acquisition {name!r} needs the incumbent score best.")
    value = functools.partial(ACQUISITION_FUNCTIONS[name], **params)
    with_grad = functools.partial(ACQUISITION_GRADIENTS[name], **params)

    def acquisition(mean, std, return_grad=False):
        return with_grad(mean, std) if return_grad else value(mean, std)

    return acquisition
