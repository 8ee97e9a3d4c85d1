"""Gaussian-process surrogate (numpy and scipy only).

Notation, shared by every module of this package:

============  ==============================================================
Symbol        Meaning
============  ==============================================================
``n``         number of training points (``n_samples``)
``d``         number of input dimensions (``n_dims``)
``X``         points, ndarray of shape (n, d), float64, in the unit cube [0, 1]^d
``y``         standardised targets, ndarray of shape (n,): ``(raw - y_mean) / y_std``
``l``         lengthscales, ndarray of shape (d,), in unit-cube units
``a``         amplitude: prior variance of the latent function (standardised units)
``noise``     observation noise variance (standardised units), at least ``noise_floor``
``theta``     log hyperparameters ``log([l_1, ..., l_d, a, noise])``, shape (d + 2,)
``r2``        squared scaled distances ``sum_j ((x_j - x'_j) / l_j)^2``
``K``         kernel matrix ``k(X, X) + noise * I``, shape (n, n)
``K_cross``   cross-kernel ``k(X_query, X)``, shape (n_points, n)
``L``         lower Cholesky factor, ``K = L @ L.T``
``alpha``     ``K^{-1} y``, shape (n,)
``V``         ``L^{-1} K_cross.T``, shape (n, n_points)
``mean``      posterior mean, shape (n_points,)
``var``       posterior variance of the latent function, ``a - sum(V**2, 0)``
``std``       ``sqrt(var)``, after clamping ``var`` to a tiny positive value
``LML``       log marginal likelihood ``log p(y | X, theta)``
============  ==============================================================

Modules: ``_linalg`` (safe Cholesky and solves), ``_kernels`` (Matern 5/2 and
its gradients), ``_hyperparams`` (marginal likelihood, priors, fit) and
``_gp`` (:class:`GaussianProcess`), with two variants that change its inputs:
``_scaled`` (:class:`ScaledGaussianProcess`, its kernel on column-scaled
inputs) and ``_fidelity`` (:class:`FidelityGaussianProcess`, one more input,
the fidelity of each training point, predicting at a target fidelity).
"""

from ._fidelity import FidelityGaussianProcess
from ._gp import GaussianProcess
from ._scaled import ScaledGaussianProcess

__all__ = ["FidelityGaussianProcess", "GaussianProcess", "ScaledGaussianProcess"]
