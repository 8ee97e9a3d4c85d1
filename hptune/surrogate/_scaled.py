"""A Gaussian process whose kernel sees its inputs column-scaled."""

import numpy as np

from ._gp import GaussianProcess

__all__ = ["ScaledGaussianProcess"]


class ScaledGaussianProcess(GaussianProcess):
    """A :class:`GaussianProcess` of the inputs times ``input_scale``, column by column.

    Scaling a column by ``s`` lengthens its lengthscale (prior median and
    bounds included) by ``1 / s``: the two-objective strategy shrinks the
    one-hot columns of categorical parameters so that a parameter's
    categories are correlated unless the scores say otherwise. Everything
    else takes and returns the unscaled inputs (gradients included); only
    ``X_train_`` and ``lengthscales_`` are in the scaled units.

    Parameters
    ----------
    noise_floor : float, default=1e-6
        As for :class:`GaussianProcess`.
    n_restarts : int, default=2
        As for :class:`GaussianProcess`.
    input_scale : ndarray of shape (n_dims,) or None, default=None
        Factor of each input column; None leaves the inputs as they are.
    """

    def __init__(self, *, noise_floor=1e-6, n_restarts=2, input_scale=None):
        super().__init__(noise_floor=noise_floor, n_restarts=n_restarts)
        self.input_scale = input_scale

    def get_params(self, deep=True):
        """The constructor's parameters, ``input_scale`` included."""
        return {**super().get_params(deep), "input_scale": self.input_scale}

    def _scaled(self, X):
        return X if self.input_scale is None else np.asarray(X, dtype=float) * self.input_scale

    def fit(self, X, y, **kwargs):
        """Fit to the scaled ``X`` (keywords as :meth:`GaussianProcess.fit`)."""
        return super().fit(self._scaled(X), y, **kwargs)

    def predict(self, X, return_std=True):
        """Posterior at the unscaled points ``X``."""
        return super().predict(self._scaled(X), return_std)

    def predict_with_grad(self, X):
        """Posterior and its gradients with respect to the unscaled ``X`` (chain rule)."""
        mean, std, dmean, dstd = super().predict_with_grad(self._scaled(X))
        if self.input_scale is None:
            return mean, std, dmean, dstd
        return mean, std, dmean * self.input_scale, dstd * self.input_scale

    def condition_on(self, X_new, y_new):
        """A copy conditioned on extra observations at the unscaled ``X_new``."""
        return super().condition_on(self._scaled(X_new), y_new)
