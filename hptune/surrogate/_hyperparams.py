"""Kernel hyperparameters: log marginal likelihood, priors and the fit.

``theta = log([l_1, ..., l_d, a, noise])`` holds the lengthscales, the
amplitude and the noise variance, all in standardised-``y`` and unit-cube
units. The fit maximises the log posterior ``LML(theta) + log p(theta)`` with
L-BFGS-B inside box bounds.

Priors
------
Independent normal priors ``N(mean, variance)`` on the components of
``theta`` (log-normal priors on the parameters), weak enough that a few
points of data override them:

- ``log l_j ~ N(log 0.5, 1)``: a lengthscale of about half the unit cube,
  within a factor e either way at one standard deviation, close to BoTorch's
  former Gamma(3, 6) prior (mean 0.5). Hyperparameter searches have a few
  dimensions with features at that scale. The dimension-scaled prior of
  Hvarfner et al. (2024) (median ``exp(sqrt(2)) sqrt(d)``, about 10 for
  d = 6) was measured worse here: on Hartmann-6 after 40 evaluations its
  median regret over 12 seeds was 0.81 against 0.053 with this prior
  (measured with ``benchmarks/bench_regret.py``).
- ``log a ~ N(0, 1)``: with standardised ``y`` the signal variance is of
  order one.
- ``log noise ~ N(-4, 1)``: BoTorch's noise prior; a little noise (median
  0.018) stops the fit from degenerating to exact interpolation, and
  cross-validation scores are noisy anyway.

Bounds: lengthscales in [1e-2, 1e2] (from a hundredth of the unit cube to
effectively constant), amplitude in [1e-2, 1e2], noise variance in
[noise_floor, 1] (a noise variance above the variance of standardised ``y``
means the model explains nothing).

References
----------
Rasmussen, C. E. and Williams, C. K. I. (2006). Gaussian Processes for
Machine Learning. MIT Press. Algorithm 2.1 and eq. 5.9.

Hvarfner, C., Hellsten, E. O. and Nardi, L. (2024). Vanilla Bayesian
optimization performs great in high dimensions. ICML.
"""

import warnings

import numpy as np
import scipy.optimize

from ..exceptions import NumericalWarning
from ._kernels import matern52_with_dr2, scaled_sqdist, sqdiff_dot
from ._linalg import cho_inverse, cho_solve, cholesky, log_det

__all__ = [
    "default_theta",
    "fit_theta",
    "log_marginal_likelihood",
    "log_prior",
    "random_thetas",
    "split_theta",
    "theta_bounds",
]

LENGTHSCALE_BOUNDS = (1e-2, 1e2)
AMPLITUDE_BOUNDS = (1e-2, 1e2)
NOISE_MAX = 1.0

_LOG_2PI = np.log(2.0 * np.pi)

# L-BFGS-B stopping rules, looser than scipy's defaults: the objective is in
# nats, and a relative change of 1e-6 (about 1e-4 nats at n = 200) or a
# projected gradient of 1e-3 per log-unit changes the posterior negligibly.
_LBFGS_OPTIONS = {"ftol": 1e-6, "gtol": 1e-3}


def split_theta(theta):
    """``(lengthscales, amplitude, noise)`` from ``theta`` (shape (d + 2,))."""
    params = np.exp(theta)
    return params[:-2], float(params[-2]), float(params[-1])


def theta_bounds(n_dims, noise_floor):
    """Box bounds of ``theta``, shape (n_dims + 2, 2)."""
    rows = [LENGTHSCALE_BOUNDS] * n_dims + [AMPLITUDE_BOUNDS, (noise_floor, NOISE_MAX)]
    return np.log(np.array(rows, dtype=float))


def _prior_mean_std(n_dims):
    mean = np.r_[np.full(n_dims, np.log(0.5)), 0.0, -4.0]
    std = np.r_[np.full(n_dims, 1.0), 1.0, 1.0]
    return mean, std


def log_prior(theta):
    """Log prior density of ``theta`` (up to a constant) and its gradient.

    ``sum_j -(theta_j - mean_j)^2 / (2 std_j^2)`` with the means and standard
    deviations of the module docstring.
    """
    mean, std = _prior_mean_std(len(theta) - 2)
    z = (theta - mean) / std
    return -0.5 * float(z @ z), -z / std


def default_theta(n_dims, noise_floor):
    """The prior mode, clipped to the bounds: start and fallback of the fit."""
    bounds = theta_bounds(n_dims, noise_floor)
    return np.clip(_prior_mean_std(n_dims)[0], bounds[:, 0], bounds[:, 1])


def random_thetas(n, n_dims, noise_floor, rng):
    """``n`` draws from the prior, clipped to the bounds, shape (n, n_dims + 2)."""
    mean, std = _prior_mean_std(n_dims)
    bounds = theta_bounds(n_dims, noise_floor)
    draws = mean + std * rng.standard_normal((n, n_dims + 2))
    return np.clip(draws, bounds[:, 0], bounds[:, 1])


def log_marginal_likelihood(theta, X, y, *, eval_gradient=False):
    """Log marginal likelihood of a zero-mean GP, optionally with its gradient.

    Rasmussen & Williams (2006), Algorithm 2.1::

        L = chol(K + noise I),  alpha = L^T \\ (L \\ y)
        log p(y | X, theta) = -y^T alpha / 2 - sum_i log L_ii - n/2 log(2 pi)

    and eq. 5.9::

        d log p / d theta_j = tr((alpha alpha^T - K^{-1}) dK/dtheta_j) / 2

    Parameters
    ----------
    theta : ndarray of shape (d + 2,)
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    eval_gradient : bool, default=False

    Returns
    -------
    lml : float
    grad : ndarray of shape (d + 2,)
        Only when ``eval_gradient`` is True.

    Raises
    ------
    numpy.linalg.LinAlgError
        If the kernel matrix is not positive definite (no jitter is added
        here: the optimiser should see the true objective).
    """
    lengthscales, amplitude, noise = split_theta(theta)
    K_f, dK_dr2 = matern52_with_dr2(scaled_sqdist(X, X, lengthscales), amplitude)
    L = cholesky(K_f + noise * np.eye(len(X)))
    alpha = cho_solve(L, y)
    lml = -0.5 * float(y @ alpha) - 0.5 * log_det(L) - 0.5 * len(y) * _LOG_2PI
    if not eval_gradient:
        return lml
    W = np.outer(alpha, alpha) - cho_inverse(L)
    # dK/dlog l_j = -2 dk/dr2 (dx_j / l_j)^2, so the trace contracts W * dk/dr2.
    grad_lengthscales = -sqdiff_dot(W * dK_dr2, X) / lengthscales**2
    grad_amplitude = 0.5 * float(np.sum(W * K_f))
    grad_noise = 0.5 * noise * float(np.trace(W))
    return lml, np.r_[grad_lengthscales, grad_amplitude, grad_noise]


def _neg_log_posterior(theta, X, y):
    """Objective of the fit: ``-(LML + log prior)`` and its gradient."""
    lml, grad = log_marginal_likelihood(theta, X, y, eval_gradient=True)
    prior, prior_grad = log_prior(theta)
    return -(lml + prior), -(grad + prior_grad)


class _BestEvaluation:
    """Objective wrapper that remembers the best finite evaluation.

    The best point seen is kept even when a start later fails (an exception
    or a non-finite value), so one bad step does not waste a whole start.
    """

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.value, self.theta = np.inf, None

    def __call__(self, theta):
        # Overflow or invalid operations mean the optimiser left the region
        # where the objective is computable; raising ends this start cleanly.
        # Underflow of exp(-sqrt(5) r) to zero is harmless.
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            value, grad = _neg_log_posterior(theta, self.X, self.y)
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            raise FloatingPointError("non-finite objective")
        if value < self.value:
            self.value, self.theta = value, theta.copy()
        return value, grad


def fit_theta(X, y, starts, bounds, *, maxiter, fallback, stacklevel=2):
    """Maximise the log posterior of ``theta`` by L-BFGS-B from several starts.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
        Standardised targets.
    starts : ndarray of shape (n_starts, d + 2)
    bounds : ndarray of shape (d + 2, 2)
    maxiter : int
        Iteration cap of each L-BFGS-B run.
    fallback : ndarray of shape (d + 2,)
        Returned, with a :class:`~hptune.exceptions.NumericalWarning`, when
        no start gives a single finite evaluation.
    stacklevel : int, default=2
        Stack level of that warning, as for :func:`warnings.warn` here.

    Returns
    -------
    theta : ndarray of shape (d + 2,)
        The best point evaluated over all starts.
    """
    objective = _BestEvaluation(X, y)
    for start in starts:
        try:
            scipy.optimize.minimize(
                objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
                options={"maxiter": maxiter, **_LBFGS_OPTIONS},
            )
        except (np.linalg.LinAlgError, ArithmeticError):
            continue
    if objective.theta is None:
        warnings.warn(
            f"All {len(starts)} starts of the kernel hyperparameter fit failed; using the "
            "default hyperparameters. Duplicate points or a tiny noise_floor are the "
            "usual cause.",
            NumericalWarning,
            stacklevel=stacklevel,
        )
        return np.array(fallback, dtype=float)
    return objective.theta
