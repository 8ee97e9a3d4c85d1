"""Gaussian-process regression with a Matern 5/2 ARD kernel.

The posterior follows Rasmussen & Williams (2006), Algorithm 2.1, in
standardised ``y`` units; :class:`GaussianProcess` converts back to the
caller's units at prediction time.

Refit schedule
--------------
The caller refits after every observation, so a fit must be cheap. Random
restarts of the hyperparameter fit (``n_restarts`` prior draws besides the
main start, each with at most ``_RESTART_MAXITER`` L-BFGS-B iterations) run
only when there is no usable warm start (the first fit, ``warm_start=False``
or a new number of dimensions) and whenever the number of training points
has at least doubled since the last fit that ran them. Every other fit only
polishes the previous ``theta_`` for at most ``_WARM_MAXITER`` iterations,
and only once the number of points has grown by ``_POLISH_GROWTH`` (10%)
since the last optimisation; in between, the posterior is refitted with the
previous ``theta_`` (one Cholesky). One new point barely moves the
hyperparameters of a GP with hundreds, while the polish costs several
likelihood gradients of O(n^3) each. Over a run of ``n`` observations that is
O(log n) restart fits and O(log n / log 1.1) polishes. Above
``_MAX_FIT_SAMPLES`` points the hyperparameters are fitted on every
``ceil(n / _MAX_FIT_SAMPLES)``-th training point (deterministic, at most
``_MAX_FIT_SAMPLES`` points), which bounds the cost of each likelihood
evaluation; the posterior always uses every point, so a fit costs O(n^3)
overall.
"""

import math
import numbers

import numpy as np

from ..utils._random import check_random_state
from ..utils._threads import single_threaded_blas
from ._hyperparams import (
    default_theta,
    fit_theta,
    log_marginal_likelihood,
    random_thetas,
    split_theta,
    theta_bounds,
)
from ._kernels import matern52, matern52_grad_x_dot, matern52_with_dr2, scaled_sqdist
from ._linalg import cho_solve, cholesky_append, safe_cholesky, solve_lower, solve_upper

__all__ = ["GaussianProcess"]

# A warm start moves little between consecutive fits, and the next fit
# continues from wherever this one stopped, so a few iterations suffice
# (measured: within 0.05 nats of the converged optimum on a 200-step run).
_WARM_MAXITER = 8
_POLISH_GROWTH = 1.1
_RESTART_MAXITER = 40
# Hyperparameter fits above this size use a subset: each likelihood evaluation
# costs about n^3 flops, and a few hundred points pin down d + 2 parameters.
_MAX_FIT_SAMPLES = 256

# Below this fraction of max|y|, the spread of y is rounding noise around a
# constant; scaling it up to unit variance would invent structure, so such y
# is centred and divided by about max(1, max|y|) instead, which keeps it
# below 1e-12 in standardised units however large the scores.
_Y_STD_FLOOR = 1e-12

# Posterior variance floor in standardised units. Below it the subtraction
# ``amplitude - k K^{-1} k`` is dominated by rounding error (it may even turn
# negative), and acquisitions such as log-EI divide by the std.
_VAR_FLOOR = 1e-12


class GaussianProcess:
    """Gaussian-process surrogate with a Matern 5/2 ARD kernel.

    Inputs are points of the unit cube; targets are standardised internally.
    Hyperparameters (one lengthscale per dimension, amplitude and noise
    variance) are fitted by maximising the log marginal likelihood plus weak
    log-normal priors with L-BFGS-B, warm-started from the previous fit.

    Parameters
    ----------
    noise_floor : float, default=1e-6
        Lower bound of the noise variance, in standardised ``y`` units. Must
        lie in (0, 1).
    n_restarts : int, default=2
        Number of random starts (prior draws) of the hyperparameter fit,
        besides the warm or default start, in the fits that run restarts.

    Attributes
    ----------
    theta_ : ndarray of shape (n_dims + 2,)
        ``log`` of the lengthscales, the amplitude and the noise variance.
    lengthscales_ : ndarray of shape (n_dims,)
        Lengthscales, in unit-cube units.
    amplitude_ : float
        Prior variance of the latent function, in standardised units.
    noise_ : float
        Noise variance, in standardised units.
    X_train_ : ndarray of shape (n_samples, n_dims)
        Training points.
    y_train_ : ndarray of shape (n_samples,)
        Standardised training targets, ``(y - y_mean_) / y_std_``.
    y_mean_ : float
        Mean of the targets passed to :meth:`fit`.
    y_std_ : float
        Standard deviation of those targets, or ``max(1, max|y|)`` (up to a
        factor of 2) if they are constant up to rounding.
    L_ : ndarray of shape (n_samples, n_samples)
        Lower Cholesky factor of ``K(X_train_, X_train_) + noise_ * I``.
    alpha_ : ndarray of shape (n_samples,)
        ``K^{-1} y_train_``, the weights of the posterior mean.

    See Also
    --------
    sklearn.gaussian_process.GaussianProcessRegressor : The general-purpose
        estimator; this class is a small, refit-friendly special case.

    Notes
    -----
    Predictions are of the latent function: the returned std excludes the
    observation noise.

    Refitting after every observation is cheap: random restarts of the
    hyperparameter fit run only on the first fit (or without a usable warm
    start) and when the number of points has doubled since they last ran;
    other fits polish the previous ``theta_`` with a few L-BFGS-B
    iterations. Above 256 points the hyperparameters are fitted on every
    ``ceil(n / 256)``-th point; the posterior always uses all of them.

    References
    ----------
    Rasmussen, C. E. and Williams, C. K. I. (2006). Gaussian Processes for
    Machine Learning. MIT Press.

    Examples
    --------
    >>> import numpy as np
    >>> from hptune.surrogate import GaussianProcess
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(size=(20, 2))
    >>> y = np.sin(6 * X[:, 0])
    >>> gp = GaussianProcess().fit(X, y, random_state=0)
    >>> mean, std = gp.predict(X[:3])
    >>> bool(np.allclose(mean, y[:3], atol=1e-2))
    True
    """

    def __init__(self, *, noise_floor=1e-6, n_restarts=2):
        self.noise_floor = noise_floor
        self.n_restarts = n_restarts

    def get_params(self, deep=True):
        """Get the parameters of this object.

        Parameters
        ----------
        deep : bool, default=True
            Unused (there are no nested objects); kept for scikit-learn's API.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return {"noise_floor": self.noise_floor, "n_restarts": self.n_restarts}

    def set_params(self, **params):
        """Set the parameters of this object.

        Parameters
        ----------
        **params : dict
            New parameter values, by name.

        Returns
        -------
        self : GaussianProcess
        """
        valid = self.get_params(deep=False)
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for GaussianProcess. "
                    f"Valid parameters are: {sorted(valid)!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def fit(self, X, y, *, random_state=None, warm_start=True):
        """Fit the hyperparameters and the posterior.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_dims)
            Training points in the unit cube.
        y : ndarray of shape (n_samples,)
            Finite training targets.
        random_state : int, RandomState instance or None, default=None
            Seed of the random restarts of the hyperparameter fit. Pass an
            int for reproducible output across multiple function calls.
        warm_start : bool, default=True
            Start the hyperparameter fit from the previous ``theta_`` when it
            has the right number of dimensions.

        Returns
        -------
        self : GaussianProcess
            The fitted surrogate.
        """
        self._validate_params()
        rng = check_random_state(random_state)
        X, y = _check_X(X), _check_y(y)
        _check_lengths(X, y)
        y_mean, y_std, unit = _standardisation(y)
        y = _standardise(y, y_mean, y_std, unit)
        with single_threaded_blas():
            theta, restarted, optimised = self._optimize_theta(X, y, rng, warm_start)
            L = _factor(X, theta, stacklevel=4)
        if restarted:
            self._n_samples_restarted = len(X)
        if optimised:
            self._n_samples_polished = len(X)
        return self._store(X, y, theta, L, (y_mean, y_std, unit))

    def warm_state(self):
        """What the next :meth:`fit` starts from, as plain data.

        The warm-start hyperparameters and the sample count of the last fit
        with random restarts; restoring them with :meth:`set_warm_state`
        makes a rebuilt surrogate fit exactly as this one would.

        Returns
        -------
        state : dict
            ``{"theta": list of float or None, "restarted_at": int,
            "polished_at": int}``.
        """
        theta = getattr(self, "theta_", None)
        return {
            "theta": None if theta is None else [float(t) for t in theta],
            "restarted_at": int(getattr(self, "_n_samples_restarted", 0)),
            "polished_at": int(getattr(self, "_n_samples_polished", 0)),
        }

    def set_warm_state(self, state):
        """Restore :meth:`warm_state` output before the next :meth:`fit`.

        Parameters
        ----------
        state : dict
            Output of :meth:`warm_state`.

        Returns
        -------
        self : GaussianProcess
        """
        if state.get("theta") is not None:
            self.theta_ = np.asarray(state["theta"], dtype=float)
        self._n_samples_restarted = int(state.get("restarted_at", 0))
        self._n_samples_polished = int(state.get("polished_at", 0))
        return self

    def _fit_fixed(self, X, y, theta):
        """Fit the posterior with fixed hyperparameters ``theta`` (no optimisation).

        Used by tests against scikit-learn and to rebuild a surrogate from
        stored hyperparameters.
        """
        self._validate_params()
        X, y = _check_X(X), _check_y(y)
        _check_lengths(X, y)
        theta = np.array(theta, dtype=float)
        if theta.shape != (X.shape[1] + 2,):
            raise ValueError(
                f"theta must have shape ({X.shape[1] + 2},) for {X.shape[1]} dimensions. "
                f"Got shape {theta.shape} instead."
            )
        y_mean, y_std, unit = _standardisation(y)
        y = _standardise(y, y_mean, y_std, unit)
        return self._store(X, y, theta, _factor(X, theta, stacklevel=4), (y_mean, y_std, unit))

    def _optimize_theta(self, X, y, rng, warm_start):
        n_samples, n_dims = X.shape
        bounds = theta_bounds(n_dims, self.noise_floor)
        fallback = default_theta(n_dims, self.noise_floor)
        warm = self._warm_theta(n_dims, bounds) if warm_start else None
        restart = warm is None or n_samples >= 2 * getattr(self, "_n_samples_restarted", 0)
        if not restart and n_samples < _POLISH_GROWTH * getattr(self, "_n_samples_polished", 0):
            return warm, False, False
        starts = [fallback if warm is None else warm]
        if restart:
            starts.extend(random_thetas(self.n_restarts, n_dims, self.noise_floor, rng))
        # Every stride-th point keeps early (space-filling) and late points,
        # and consecutive fits share their subset until the stride changes.
        stride = -(-n_samples // _MAX_FIT_SAMPLES)
        X, y = X[::stride], y[::stride]
        theta = fit_theta(
            X, y, np.array(starts), bounds, fallback=fallback, stacklevel=4,
            maxiter=_RESTART_MAXITER if restart else _WARM_MAXITER,
        )
        return theta, restart, True

    def _warm_theta(self, n_dims, bounds):
        theta = getattr(self, "theta_", None)
        if theta is None:
            return None
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (n_dims + 2,) or not np.all(np.isfinite(theta)):
            return None
        # noise_floor may have been raised since theta was fitted.
        return np.clip(theta, bounds[:, 0], bounds[:, 1])

    def _store(self, X, y, theta, L, standardisation):
        self.theta_ = theta
        self.lengthscales_, self.amplitude_, self.noise_ = split_theta(theta)
        self.X_train_, self.y_train_ = X, y
        self.y_mean_, self.y_std_, self._y_unit = standardisation
        # LAPACK works on column-major arrays; storing L that way saves a copy
        # of the whole factor in every triangular solve of the acquisition.
        self.L_ = np.asfortranarray(L)
        self.alpha_ = cho_solve(self.L_, y)
        return self

    def _validate_params(self):
        noise_floor, n_restarts = self.noise_floor, self.n_restarts
        if not (isinstance(noise_floor, numbers.Real) and 0 < noise_floor < 1):
            raise ValueError(
                "The 'noise_floor' parameter of GaussianProcess must be a float in the "
                f"range (0, 1). Got {noise_floor!r} instead."
            )
        is_int = isinstance(n_restarts, numbers.Integral) and not isinstance(n_restarts, bool)
        if not (is_int and n_restarts >= 0):
            raise ValueError(
                "The 'n_restarts' parameter of GaussianProcess must be an int in the "
                f"range [0, inf). Got {n_restarts!r} instead."
            )

    def _check_is_fitted(self):
        if not hasattr(self, "L_"):
            raise ValueError(
                "This GaussianProcess instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using it."
            )

    def _check_fitted_X(self, X):
        self._check_is_fitted()
        X = _check_X(X)
        if X.shape[1] != self.X_train_.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} columns, but this GaussianProcess was fitted with "
                f"{self.X_train_.shape[1]}."
            )
        return X

    def predict(self, X, return_std=True):
        """Posterior mean and standard deviation of the latent function.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_dims)
            Query points; a single point must be passed as shape (1, n_dims).
        return_std : bool, default=True
            Whether to return the standard deviation too.

        Returns
        -------
        mean : ndarray of shape (n_points,)
            Posterior mean, in the units of ``y``.
        std : ndarray of shape (n_points,)
            Posterior standard deviation (without observation noise), in the
            units of ``y``. Only when ``return_std`` is True.
        """
        X = self._check_fitted_X(X)
        K_cross = matern52(X, self.X_train_, self.lengthscales_, self.amplitude_)
        mean = self.unstandardise(K_cross @ self.alpha_)
        if not return_std:
            return mean
        V = solve_lower(self.L_, K_cross.T)
        var = np.maximum(self.amplitude_ - np.einsum("ij,ij->j", V, V), _VAR_FLOOR)
        return mean, np.sqrt(var) * self.y_std_

    def predict_with_grad(self, X):
        """Posterior mean and std with their gradients with respect to ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_dims)
            Query points.

        Returns
        -------
        mean : ndarray of shape (n_points,)
        std : ndarray of shape (n_points,)
        dmean_dX : ndarray of shape (n_points, n_dims)
        dstd_dX : ndarray of shape (n_points, n_dims)
            Zero where the variance is clamped at its floor.

        Notes
        -----
        With ``k = k(x, X_train_)``, ``mean = k alpha`` and
        ``var = a - k K^{-1} k``, so ``dmean/dx = sum_i alpha_i dk_i/dx`` and
        ``dvar/dx = -2 sum_i (K^{-1} k)_i dk_i/dx``; ``dstd = dvar / (2 std)``.
        """
        X = self._check_fitted_X(X)
        r2 = scaled_sqdist(X, self.X_train_, self.lengthscales_)
        K_cross, dK_dr2 = matern52_with_dr2(r2, self.amplitude_)
        V = solve_lower(self.L_, K_cross.T)
        beta = solve_upper(self.L_, V).T
        raw_var = self.amplitude_ - np.einsum("ij,ij->j", V, V)
        std = np.sqrt(np.maximum(raw_var, _VAR_FLOOR))
        weights = np.stack([np.broadcast_to(self.alpha_, beta.shape), beta])
        dmean, dquad = matern52_grad_x_dot(weights, dK_dr2, X, self.X_train_, self.lengthscales_)
        dstd = np.where((raw_var > _VAR_FLOOR)[:, None], -dquad / std[:, None], 0.0)
        mean = self.unstandardise(K_cross @ self.alpha_)
        return mean, std * self.y_std_, dmean * self.y_std_, dstd * self.y_std_

    def condition_on(self, X_new, y_new):
        """A copy of this surrogate conditioned on extra observations.

        The hyperparameters and the standardisation constants are kept: the
        extra observations are fantasies (kriging believer or constant liar
        values for pending points), and letting them move the
        hyperparameters or rescale ``y`` would make the model more confident
        about information that was never observed. The Cholesky factor is
        grown by a block update in O(n^2 m) time.

        Parameters
        ----------
        X_new : ndarray of shape (n_new, n_dims)
            Extra points.
        y_new : ndarray of shape (n_new,)
            Their finite targets, in the units of ``y``.

        Returns
        -------
        gp : GaussianProcess
            A new fitted surrogate; this one is unchanged.
        """
        X_new = self._check_fitted_X(X_new)
        y_new = _check_y(y_new)
        _check_lengths(X_new, y_new)
        X = np.vstack([self.X_train_, X_new])
        standardisation = (self.y_mean_, self.y_std_, self._y_unit)
        y = np.r_[self.y_train_, _standardise(y_new, *standardisation)]
        K_cross = matern52(self.X_train_, X_new, self.lengthscales_, self.amplitude_)
        K_new = matern52(X_new, X_new, self.lengthscales_, self.amplitude_)
        K_new[np.diag_indices_from(K_new)] += self.noise_
        try:
            L = cholesky_append(self.L_, K_cross, K_new)
        except np.linalg.LinAlgError:
            L = _factor(X, self.theta_, stacklevel=4)
        gp = type(self)(**self.get_params())
        for name in ("_n_samples_restarted", "_n_samples_polished"):
            if hasattr(self, name):
                setattr(gp, name, getattr(self, name))
        return gp._store(X, y, self.theta_.copy(), L, standardisation)

    def unstandardise(self, values):
        """Convert standardised values, such as ``y_train_``, to the units of ``y``.

        ``values * y_std_ + y_mean_``, computed in units of a power of two
        near ``max|y|`` (exactly, as the scaling is by a power of two), so
        that the product cannot overflow when the sum does not.

        Parameters
        ----------
        values : ndarray of shape (n_points,)
            Values in standardised units.

        Returns
        -------
        values : ndarray of shape (n_points,)
            The same values in the units of the targets passed to :meth:`fit`.
        """
        self._check_is_fitted()
        unit = self._y_unit
        return (np.asarray(values, dtype=float) * (self.y_std_ / unit) + self.y_mean_ / unit) * unit

    def log_marginal_likelihood(self, theta=None):
        """Log marginal likelihood of the training data (without the priors).

        Parameters
        ----------
        theta : ndarray of shape (n_dims + 2,), default=None
            Log hyperparameters; None means the fitted ``theta_``.

        Returns
        -------
        lml : float
            ``log p(y_train_ | X_train_, theta)``, in standardised units.
        """
        self._check_is_fitted()
        theta = self.theta_ if theta is None else np.asarray(theta, dtype=float)
        if theta.shape != self.theta_.shape:
            raise ValueError(
                f"theta must have shape {self.theta_.shape}. Got shape {theta.shape} instead."
            )
        return log_marginal_likelihood(theta, self.X_train_, self.y_train_)


def _factor(X, theta, *, stacklevel):
    """``chol(K(X, X) + noise I)``, with jitter if needed (R&W Alg. 2.1, line 2)."""
    lengthscales, amplitude, noise = split_theta(theta)
    K = matern52(X, X, lengthscales, amplitude)
    K[np.diag_indices_from(K)] += noise
    return safe_cholesky(K, stacklevel=stacklevel)


def _standardisation(y):
    """Mean and std (ddof=0, as scikit-learn's ``normalize_y``, with a floor) and unit.

    Both are computed on ``y / unit``, where ``unit`` is the power of two with
    ``unit <= max|y| < 2 unit``: squaring scores above about 1e154 overflows,
    and so does ``y - y_mean`` when the scores span most of the float range,
    while the scaled values are below 2. Dividing by a power of two is exact,
    so the results equal the direct formulas wherever those do not overflow.
    """
    top = float(np.max(np.abs(y))) if len(y) else 0.0
    # unit = 2**(e - 1) with top = m 2**e, 0.5 <= m < 1; it never overflows.
    unit = math.ldexp(0.5, math.frexp(top)[1]) if 0.0 < top < np.inf else 1.0
    scaled = y / unit
    y_mean, y_std = float(np.mean(scaled)) * unit, float(np.std(scaled)) * unit
    if not y_std > _Y_STD_FLOOR * unit:
        unit = y_std = max(1.0, unit)
    return y_mean, y_std, unit


def _standardise(y, y_mean, y_std, unit):
    """``(y - y_mean) / y_std``, computed on ``y / unit`` so that it cannot overflow."""
    return (np.asarray(y, dtype=float) / unit - y_mean / unit) / (y_std / unit)


def _check_X(X):
    # A copy, so that the caller may modify its array after fitting.
    X = np.array(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            "X must be a non-empty 2-D array of shape (n_points, n_dims). Got shape "
            f"{X.shape} instead; pass a single point as X.reshape(1, -1)."
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite. Got NaN or infinity in X.")
    return X


def _check_y(y):
    y = np.array(y, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(
            f"y must be a 1-D array of shape (n_samples,). Got shape {y.shape} instead."
        )
    n_bad = int(np.sum(~np.isfinite(y)))
    if n_bad:
        raise ValueError(
            f"y must be finite. Got {n_bad} NaN or infinite value(s); replace failed scores "
            "by a finite bad value before fitting the surrogate."
        )
    return y


def _check_lengths(X, y):
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length. Got {len(X)} and {len(y)}.")
