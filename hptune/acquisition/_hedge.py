"""GP-Hedge: a portfolio of acquisition functions chosen by their past gains.

Hoffman, Brochu and de Freitas (2011) keep a gain ``g_a`` per acquisition ``a``
and pick one with probability ``softmax(eta g)_a``; after the GP is refitted,
each acquisition's gain grows by the posterior mean at the point it proposed.
Their algorithm asks every acquisition for a nominee at every step. A strategy
that maximises only the chosen acquisition (one optimisation per ask instead of
three) sees the reward of that one alone, the bandit setting of Exp3 (Auer et
al., 2002), so the gain estimate is importance weighted,
``g_a += r / p_a``, and a share ``gamma`` of uniform exploration keeps every
``p_a >= gamma / n_arms``, bounding the weights.

Rewards must not depend on the score's scale, so ``r`` is the quantile of the
GP mean at the proposed point among the observed scores,
``r = mean(y < mean(z)) + mean(y == mean(z)) / 2`` in [0, 1], averaged over a
batch. With the defaults ``gamma = eta = 0.1``, one importance-weighted reward
moves a logit by at most ``eta n_arms / gamma = 3``, and arms whose mean
rewards differ by 0.1 separate clearly after about a hundred steps (Exp3's own
``eta = gamma / n_arms`` stays near uniform for budgets of tens of steps;
scikit-optimize's ``eta = 1`` on raw gains locks onto early luck).

References
----------
.. [1] M. Hoffman, E. Brochu and N. de Freitas (2011). "Portfolio allocation
   for Bayesian optimization". UAI 2011.
.. [2] P. Auer, N. Cesa-Bianchi, Y. Freund and R. Schapire (2002). "The
   nonstochastic multiarmed bandit problem". SIAM J. Computing 32(1).
"""

import numpy as np

from ._batch import observed_scores
from ._functions import ACQUISITION_FUNCTIONS, ALIASES

__all__ = ["ACQ_FUNC_CHOICES", "GPHedge"]

#: Every name the ``acq_func`` parameter accepts: the functions, the portfolio
#: of all three, and scikit-optimize's aliases. The one list the optimiser and
#: the search validate against.
ACQ_FUNC_CHOICES = (*ACQUISITION_FUNCTIONS, "gp_hedge", *ALIASES)


class GPHedge:
    """Choose among acquisition functions by softmax of their gains.

    Parameters
    ----------
    rng : RandomState, default=None
        Generator of the choices; may also be passed to :meth:`choose`.
    acquisitions : tuple of str, default=("log_ei", "log_pi", "ucb")
        The portfolio.
    gamma : float, default=0.1
        Share of uniform exploration mixed into the softmax, in (0, 1]; it
        bounds the importance weights by ``n_arms / gamma``.
    eta : float, default=0.1
        Softmax temperature on the gains.

    Attributes
    ----------
    gains : dict of str to float
        Importance-weighted cumulative reward of each acquisition.

    Examples
    --------
    >>> import numpy as np
    >>> hedge = GPHedge(np.random.RandomState(0))
    >>> hedge.choose() in ("log_ei", "log_pi", "ucb")
    True
    >>> hedge.probabilities().round(3).tolist()
    [0.333, 0.333, 0.333]
    """

    def __init__(self, rng=None, *, acquisitions=("log_ei", "log_pi", "ucb"), gamma=0.1, eta=0.1):
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"gamma must be in (0, 1]. Got {gamma!r} instead.")
        if not eta >= 0.0:
            raise ValueError(f"eta must be >= 0. Got {eta!r} instead.")
        self.rng = rng
        self.acquisitions = tuple(acquisitions)
        self.gamma = float(gamma)
        self.eta = float(eta)
        self.gains = dict.fromkeys(self.acquisitions, 0.0)
        self._records = []  # (acquisition, Z, probability) awaiting a reward

    def probabilities(self):
        """Choice probabilities, ``(1 - gamma) softmax(eta g) + gamma / n_arms``.

        Returns
        -------
        p : ndarray of shape (n_acquisitions,)
            In the order of ``acquisitions``.
        """
        logits = self.eta * np.array([self.gains[a] for a in self.acquisitions])
        weights = np.exp(logits - logits.max())  # max-shifted softmax
        return (1.0 - self.gamma) * weights / weights.sum() + self.gamma / len(weights)

    def choose(self, rng=None):
        """Draw an acquisition function by the current probabilities.

        Parameters
        ----------
        rng : RandomState, default=None
            Generator of the draw; None means the one given to the constructor.

        Returns
        -------
        acq_func : str
        """
        rng = self.rng if rng is None else rng
        if rng is None:
            raise ValueError("GPHedge.choose needs a RandomState: pass rng here or to GPHedge.")
        return self.acquisitions[rng.choice(len(self.acquisitions), p=self.probabilities())]

    def record(self, acq_func, Z):
        """Remember proposals, to be rewarded by the next :meth:`update`.

        Parameters
        ----------
        acq_func : str
            The acquisition that proposed them, as returned by :meth:`choose`.
        Z : ndarray of shape (n_points, n_columns)
            The proposed encodings.
        """
        probability = float(self.probabilities()[self.acquisitions.index(acq_func)])
        self._records.append((acq_func, np.asarray(Z, dtype=float).copy(), probability))

    def update(self, gp):
        """Reward recorded proposals with the refitted GP's mean there.

        Parameters
        ----------
        gp : GaussianProcess
            The surrogate refitted after the proposals were told.
        """
        y = np.sort(observed_scores(gp))
        for acq_func, Z, probability in self._records:
            if len(Z) and len(y):
                mean = gp.predict(Z, return_std=True)[0]
                below = np.searchsorted(y, mean, side="left")
                not_above = np.searchsorted(y, mean, side="right")
                reward = float(np.mean((below + not_above) / (2.0 * len(y))))
                self.gains[acq_func] += reward / probability
        self._records = []

    def state_dict(self):
        """The state as plain data (JSON-serialisable).

        Returns
        -------
        state : dict
            ``"gains"``, a dict of floats, and ``"records"``, the proposals
            awaiting a reward (acquisition name, encodings as nested lists and
            the probability it was chosen with).
        """
        return {
            "gains": {a: float(g) for a, g in self.gains.items()},
            "records": [
                {"acq_func": a, "Z": Z.tolist(), "probability": p} for a, Z, p in self._records
            ],
        }

    def load_state_dict(self, state):
        """Restore a state from :meth:`state_dict`.

        Parameters
        ----------
        state : dict
            Output of :meth:`state_dict`.

        Returns
        -------
        self : GPHedge
        """
        gains = {str(a): float(g) for a, g in state["gains"].items()}
        if set(gains) != set(self.acquisitions):
            raise ValueError(
                f"The hedge state has gains for {sorted(gains)}, "
                f"expected {sorted(self.acquisitions)}."
            )
        self.gains = gains
        self._records = [
            (r["acq_func"], np.asarray(r["Z"], dtype=float), float(r["probability"]))
            for r in state.get("records", [])
        ]
        return self
