"""Variation and selection operators of :class:`EvolutionOptimizer`.

Every operator works per *dimension* of the space, in the encoded (warped)
representation, so that log dimensions vary on the log scale and one-hot
blocks stay one-hot:

* numeric dimensions (``Real``, ``Integer``, ``Ordinal``, ``Distribution``;
  one column) take gaussian steps and blends, mirrored into [0, 1]; the space's
  ``snap`` then keeps integers integral and in bounds;
* ``Categorical`` blocks (several columns) are swapped between parents or
  resampled to another category;
* constant dimensions (no column) are left alone.

Notation: ``Z`` is a batch of encodings (n_points, n_columns) in [0, 1];
``sigma`` (n_points,) the mutation scales in encoded units; ``y`` (n_points,)
finite scores, greater is better; ``U`` (n_points, n_active) coordinates in the
unit cube with one column per active (non-constant) dimension, the space in
which the CMA-ES option works (``Space.from_unit`` maps them to encodings).
"""

import math

import numpy as np

from ..space import Categorical

__all__ = [
    "CMAES",
    "DimensionKinds",
    "crossover",
    "from_active_unit",
    "mutate",
    "reflect",
    "self_adapt",
    "to_active_unit",
    "tournament",
]

# Mutation scales live in [_SIGMA_MIN, _SIGMA_MAX] encoded units: below 1e-4 a
# step no longer changes a useful digit, above 0.5 a step is a random restart.
_SIGMA_MIN, _SIGMA_MAX = 1e-4, 0.5


class DimensionKinds:
    """The operator-relevant view of a space, computed once per strategy.

    Parameters
    ----------
    space : Space

    Attributes
    ----------
    numeric : list of int
        Encoded column of each numeric dimension.
    min_step : ndarray of shape (len(numeric),)
        Smallest useful step of each numeric column: one grid cell (``1 /
        size``) for discrete dimensions, 0 for continuous ones, so a mutation
        of a discrete dimension is never a no-op on average.
    categorical : list of (slice, int)
        Column block and number of categories of each categorical dimension.
    active : list of int
        Index (in ``space.dimensions``) of each dimension with a column.
    n_active : int
        Number of active dimensions.
    numeric_gene, categorical_gene : list of int
        Position in ``active`` of each numeric and each categorical dimension.
    """

    def __init__(self, space):
        self.numeric, steps, self.categorical, self.active = [], [], [], []
        self.numeric_gene, self.categorical_gene = [], []
        for j, (dim, sl) in enumerate(zip(space.dimensions, space._slices)):
            if sl.stop == sl.start:
                continue
            gene = len(self.active)
            self.active.append(j)
            if isinstance(dim, Categorical):
                self.categorical.append((sl, dim.size))
                self.categorical_gene.append(gene)
            else:
                self.numeric.append(sl.start)
                self.numeric_gene.append(gene)
                steps.append(0.0 if math.isinf(dim.size) else 1.0 / dim.size)
        self.min_step = np.asarray(steps, dtype=float)
        self.n_active = len(self.active)


def reflect(x):
    """Mirror ``x`` into [0, 1] (a reflecting boundary, period 2).

    Clipping would pile mutations up on the bounds; mirroring keeps a
    symmetric step distribution near them.
    """
    t = np.mod(np.asarray(x, dtype=float), 2.0)
    return np.where(t > 1.0, 2.0 - t, t)


def tournament(y, n, size, rng):
    """Indices of ``n`` tournament winners among the scores ``y``.

    Each tournament draws ``min(size, len(y))`` distinct contestants
    uniformly; the best score wins (the first contestant drawn on ties).

    Parameters
    ----------
    y : ndarray of shape (n_pool,)
        Finite scores, greater is better.
    n : int
        Number of tournaments.
    size : int
        Contestants per tournament.
    rng : RandomState

    Returns
    -------
    winners : ndarray of shape (n,) of int
    """
    y = np.asarray(y, dtype=float)
    k = min(size, len(y))
    contestants = np.argsort(rng.uniform(size=(n, len(y))), axis=1)[:, :k]
    return contestants[np.arange(n), np.argmax(y[contestants], axis=1)]


def crossover(A, B, kinds, rng, alpha=0.25):
    """Children of the parent pairs ``(A[i], B[i])``.

    Numeric dimensions blend, ``a + u (b - a)`` with ``u ~ U(-alpha, 1 + alpha)``
    (BLX-alpha, Eshelman & Schaffer 1993), then mirror into [0, 1]; categorical
    blocks are taken whole from either parent with probability 1/2.

    Parameters
    ----------
    A, B : ndarray of shape (n_points, n_columns)
        Valid parent encodings.
    kinds : DimensionKinds
    rng : RandomState
    alpha : float, default=0.25
        Extrapolation margin of the blend.

    Returns
    -------
    Z : ndarray of shape (n_points, n_columns)
        Children, to be snapped by the caller.
    """
    Z = np.array(A, dtype=float)
    B = np.asarray(B, dtype=float)
    u = rng.uniform(-alpha, 1.0 + alpha, size=(len(Z), len(kinds.numeric)))
    swap = rng.uniform(size=(len(Z), len(kinds.categorical))) < 0.5
    cols = kinds.numeric
    Z[:, cols] = reflect(Z[:, cols] + u * (B[:, cols] - Z[:, cols]))
    for k, (sl, _) in enumerate(kinds.categorical):
        Z[swap[:, k], sl] = B[swap[:, k], sl]
    return Z


def mutate(Z, sigma, kinds, probability, rng):
    """Mutate each active dimension of each row with ``probability``.

    At least one dimension of every row mutates. A numeric column moves by
    ``max(sigma, min_step) * N(0, 1)`` (mirrored into [0, 1]); a categorical
    dimension jumps to another category drawn uniformly.

    Parameters
    ----------
    Z : ndarray of shape (n_points, n_columns)
        Valid encodings.
    sigma : ndarray of shape (n_points,)
        Mutation scale of each row, in encoded units.
    kinds : DimensionKinds
    probability : float
        Per-dimension mutation probability.
    rng : RandomState

    Returns
    -------
    Z : ndarray of shape (n_points, n_columns)
        Mutated rows, to be snapped by the caller.
    """
    Z = np.array(Z, dtype=float)
    n, d = len(Z), kinds.n_active
    if d == 0:
        return Z
    mask = rng.uniform(size=(n, d)) < probability
    mask[np.arange(n), rng.randint(d, size=n)] = True
    steps = rng.normal(size=(n, len(kinds.numeric)))
    jumps = rng.uniform(size=(n, len(kinds.categorical)))
    scale = np.maximum(np.asarray(sigma, dtype=float)[:, None], kinds.min_step[None, :])
    cols = kinds.numeric
    Z[:, cols] = reflect(Z[:, cols] + mask[:, kinds.numeric_gene] * scale * steps)
    for k, ((sl, size), g) in enumerate(zip(kinds.categorical, kinds.categorical_gene)):
        rows = np.flatnonzero(mask[:, g])
        current = np.argmax(Z[rows, sl], axis=1)
        # Shift by 1..size-1 places: uniform over the *other* categories.
        new = (current + 1 + np.floor(jumps[rows, k] * (size - 1)).astype(int)) % size
        block = np.zeros((len(rows), size))
        block[np.arange(len(rows)), new] = 1.0
        Z[rows, sl] = block
    return Z


def self_adapt(log_sigma, tau, rng):
    """Log-normal self-adaptation of mutation scales (Schwefel 1981).

    ``sigma' = exp(log_sigma + tau * N(0, 1))``, clipped to a sane range: the
    scale is inherited and varied, and selection keeps the scales that made
    good children.

    Parameters
    ----------
    log_sigma : ndarray of shape (n_points,)
        Inherited log scales (the mean of the parents' log scales).
    tau : float
        Learning rate, about ``1 / sqrt(n_active)``.
    rng : RandomState

    Returns
    -------
    sigma : ndarray of shape (n_points,)
    """
    sigma = np.exp(np.asarray(log_sigma, dtype=float) + tau * rng.normal(size=np.shape(log_sigma)))
    return np.clip(sigma, _SIGMA_MIN, _SIGMA_MAX)


def to_active_unit(space, kinds, Z):
    """Unit-cube coordinates (n_points, n_active) whose ``from_unit`` is ``Z``.

    One-column dimensions encode in the unit interval already; a categorical
    value maps to the middle of its prior interval.
    """
    Z = np.atleast_2d(np.asarray(Z, dtype=float))
    U = np.empty((len(Z), kinds.n_active))
    for g, j in enumerate(kinds.active):
        dim, sl = space.dimensions[j], space._slices[j]
        if not isinstance(dim, Categorical):
            U[:, g] = Z[:, sl.start]
            continue
        p = np.full(dim.size, 1.0 / dim.size) if dim.prior is None else dim.prior
        edges = np.concatenate([[0.0], np.cumsum(p)])
        i = np.argmax(Z[:, sl], axis=1)
        U[:, g] = 0.5 * (edges[i] + edges[i + 1])
    return U


def from_active_unit(space, kinds, U):
    """Valid encodings (n_points, n_columns) of active-unit coordinates ``U``."""
    U = np.atleast_2d(np.asarray(U, dtype=float))
    full = np.full((len(U), space.n_dims), 0.5)  # constants ignore their coordinate
    full[:, kinds.active] = U
    return space.from_unit(full)


class CMAES:
    """(mu/mu_w, lambda)-CMA-ES in the unit cube (Hansen 2016, "The CMA
    Evolution Strategy: A Tutorial", arXiv:1604.00772, Table 1 and Fig. 6).

    Samples are mirrored into [0, 1], and the mirrored points are the ones the
    update learns from, so the mean never leaves the cube.

    Parameters
    ----------
    n : int
        Dimension of the cube (the active dimensions of the space).
    sigma0 : float
        Initial step size.

    Attributes
    ----------
    mean : ndarray of shape (n,)
    sigma : float
    C : ndarray of shape (n, n)
        Covariance matrix.
    p_sigma, p_c : ndarray of shape (n,)
        Evolution paths of the step size and of the covariance.
    """

    def __init__(self, n, sigma0=0.3):
        self.n = n
        self.mean = np.full(n, 0.5)
        self.sigma = float(sigma0)
        self.C = np.eye(n)
        self.p_sigma, self.p_c = np.zeros(n), np.zeros(n)
        self.n_updates = 0

    def sample(self, m, rng):
        """Draw ``m`` points, mirrored into the cube; shape (m, n)."""
        # Any square root of C gives the same distribution; the Cholesky factor
        # is the unique one, so the same seed draws the same points whatever
        # LAPACK computes the eigenvectors' signs to be. The jitter keeps a
        # nearly singular C (round-off after many rank-one updates) factorable.
        jitter = 1e-12 * max(float(np.trace(self.C)) / max(self.n, 1), 1e-12)
        try:
            L = np.linalg.cholesky(self.C + jitter * np.eye(self.n))
        except np.linalg.LinAlgError:  # round-off made C indefinite: clamp its spectrum
            eigval, B = np.linalg.eigh(self.C)
            L = B * np.sqrt(np.maximum(eigval, 1e-20))
        z = rng.normal(size=(m, self.n))
        return reflect(self.mean + self.sigma * z @ L.T)

    def update(self, X, y):
        """One generation's update from points ``X`` (m, n) and scores ``y`` (m,).

        Uses the best ``m // 2`` points with log-rank weights (Table 1);
        nothing happens with fewer than two points.
        """
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        m, n = len(X), self.n
        if m < 2 or n == 0:
            return
        mu = m // 2
        w = np.log((m + 1) / 2.0) - np.log(np.arange(1, mu + 1))
        w /= w.sum()
        mu_eff = 1.0 / np.sum(w**2)
        c_sigma = (mu_eff + 2) / (n + mu_eff + 5)
        d_sigma = 1 + 2 * max(0.0, math.sqrt((mu_eff - 1) / (n + 1)) - 1) + c_sigma
        c_c = (4 + mu_eff / n) / (n + 4 + 2 * mu_eff / n)
        c_1 = 2 / ((n + 1.3) ** 2 + mu_eff)
        c_mu = min(1 - c_1, 2 * (mu_eff - 2 + 1 / mu_eff) / ((n + 2) ** 2 + mu_eff))
        chi_n = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n**2))

        order = np.argsort(-y, kind="stable")[:mu]
        Y = (X[order] - self.mean) / self.sigma  # (mu, n) steps of the selected points
        y_w = w @ Y
        self.mean = np.clip(self.mean + self.sigma * y_w, 0.0, 1.0)
        eigval, B = np.linalg.eigh(self.C)
        inv_sqrt_C = (B / np.sqrt(np.maximum(eigval, 1e-20))) @ B.T
        self.p_sigma = (1 - c_sigma) * self.p_sigma + math.sqrt(
            c_sigma * (2 - c_sigma) * mu_eff
        ) * inv_sqrt_C @ y_w
        norm_ps = np.linalg.norm(self.p_sigma)
        self.n_updates += 1
        # Stall h_sigma while the path is long, so p_c does not overshoot (Eq. 45).
        h_sigma = norm_ps / math.sqrt(1 - (1 - c_sigma) ** (2 * self.n_updates)) < (1.4 + 2 / (n + 1)) * chi_n
        self.p_c = (1 - c_c) * self.p_c + h_sigma * math.sqrt(c_c * (2 - c_c) * mu_eff) * y_w
        delta_h = (1 - h_sigma) * c_c * (2 - c_c)
        rank_mu = np.einsum("i,ij,ik->jk", w, Y, Y)
        self.C = (
            (1 + c_1 * delta_h - c_1 - c_mu) * self.C
            + c_1 * np.outer(self.p_c, self.p_c)
            + c_mu * rank_mu
        )
        self.C = 0.5 * (self.C + self.C.T)
        self.sigma *= math.exp(min(1.0, (c_sigma / d_sigma) * (norm_ps / chi_n - 1)))
        self.sigma = float(np.clip(self.sigma, _SIGMA_MIN, 1.0))

    def state_dict(self):
        """Plain-data state."""
        return {
            "mean": self.mean.copy(),
            "sigma": self.sigma,
            "C": self.C.copy(),
            "p_sigma": self.p_sigma.copy(),
            "p_c": self.p_c.copy(),
            "n_updates": self.n_updates,
        }

    def load_state_dict(self, state):
        """Restore :meth:`state_dict` output."""
        self.mean = np.asarray(state["mean"], dtype=float).reshape(self.n)
        self.sigma = float(state["sigma"])
        self.C = np.asarray(state["C"], dtype=float).reshape(self.n, self.n)
        self.p_sigma = np.asarray(state["p_sigma"], dtype=float).reshape(self.n)
        self.p_c = np.asarray(state["p_c"], dtype=float).reshape(self.n)
        self.n_updates = int(state["n_updates"])
