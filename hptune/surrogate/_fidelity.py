"""A Gaussian process across fidelities that predicts at one of them."""

import numpy as np

from ._gp import GaussianProcess

__all__ = ["FidelityGaussianProcess"]


class FidelityGaussianProcess(GaussianProcess):
    """A :class:`GaussianProcess` whose training points carry a fidelity.

    Every training point has one more input, its fidelity in [0, 1] (for
    Hyperband, the log of its resource scaled so that the smallest is 0 and
    the full one 1), with a lengthscale of its own: the kernel learns how far
    scores at a small resource say something about scores at the full one,
    and the interaction of the fidelity with the other inputs (a learning
    rate that ranks first after a few iterations and overfits after many).
    Everything that takes points after the fit (:meth:`predict`,
    :meth:`predict_with_grad`, :meth:`condition_on`) takes them *without*
    the fidelity and answers at ``target``, so an acquisition maximised over
    the space's encodings proposes for the target fidelity. ``X_train_``
    keeps the fidelity as its last column.

    Parameters
    ----------
    fidelity : ndarray of shape (n_samples,)
        The fidelity of each point of the next :meth:`fit`.
    target : float, default=1.0
        The fidelity predictions are made at.
    noise_floor : float, default=1e-6
        As for :class:`GaussianProcess`.
    n_restarts : int, default=2
        As for :class:`GaussianProcess`.
    """

    def __init__(self, fidelity, *, target=1.0, noise_floor=1e-6, n_restarts=2):
        super().__init__(noise_floor=noise_floor, n_restarts=n_restarts)
        self.fidelity = fidelity
        self.target = target

    def get_params(self, deep=True):
        """The constructor's parameters, ``fidelity`` and ``target`` included."""
        return {**super().get_params(deep), "fidelity": self.fidelity, "target": self.target}

    def fit(self, X, y, **kwargs):
        """Fit to ``X`` with the fidelities as a last column (keywords as :meth:`GaussianProcess.fit`)."""
        X = np.asarray(X, dtype=float)
        fidelity = np.asarray(self.fidelity, dtype=float).reshape(-1)
        if len(fidelity) != len(X):
            raise ValueError(f"fidelity has {len(fidelity)} values for {len(X)} points.")
        return super().fit(np.column_stack([X, fidelity]), y, **kwargs)

    def _check_fitted_X(self, X):
        self._check_is_fitted()
        X = np.asarray(X, dtype=float)
        if X.ndim == 2 and X.shape[1] == self.X_train_.shape[1] - 1:
            X = np.column_stack([X, np.full(len(X), float(self.target))])
        return super()._check_fitted_X(X)

    def predict_with_grad(self, X):
        """Posterior at ``target`` and its gradients with respect to ``X`` (no fidelity column)."""
        mean, std, dmean, dstd = super().predict_with_grad(X)
        return mean, std, dmean[:, :-1], dstd[:, :-1]
