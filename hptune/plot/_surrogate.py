"""The Gaussian process behind a search, and partial dependence on it.

Notation as in :mod:`hptune.surrogate`: ``Z`` is a batch of encodings of
shape (n_points, n_columns) in the unit cube, ``m(z)`` the GP posterior mean
in score units.

The partial dependence of ``m`` on the parameters ``S`` is ``m`` averaged
over the other parameters (Friedman, 2001, "Greedy function approximation: a
gradient boosting machine", Section 8.2, eq. 40)::

    PD_S(x_S) = 1/N * sum_n m(x_S, z_{n, -S})

with ``N`` base points ``z_n`` drawn from the priors of the space. This is
what scikit-optimize's ``plot_objective`` shows, and the first-order
("main effect") variance decomposition of :mod:`._importance` is built on it.
"""

import copy

import numpy as np

from ..space import Real
from ..strategies._base import clean_scores
from ..surrogate import GaussianProcess
from ..utils._random import check_random_state
from ._base import best_index

__all__ = ["Surrogate", "surrogate_of", "partial_dependence", "grid"]

# Predictions are made in chunks of this many points, which bounds the
# (chunk, n_train) cross-kernel in memory.
_CHUNK = 8192


class Surrogate:
    """A GP fitted to every told point of one (sub-)space.

    Attributes
    ----------
    space : Space
    params : list of dict
        Told points, in order.
    y : ndarray of shape (n_told,)
        Raw scores (NaN for failures).
    gp : GaussianProcess
        Fitted to the encodings of ``params`` and ``clean_scores(y)``.
    slices : list of slice
        Encoded columns of each dimension.
    """

    def __init__(self, space, params, y, gp):
        self.space, self.params, self.y, self.gp = space, list(params), np.asarray(y, float), gp
        widths = [d.n_columns for d in space.dimensions]
        edges = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        self.slices = [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]

    @property
    def active(self):
        """Indices of the dimensions with at least one encoded column."""
        return [i for i, d in enumerate(self.space.dimensions) if d.n_columns > 0]

    @property
    def best_params(self):
        best = best_index(self.y)
        return None if best is None else self.params[best]


def _describe(space):
    """A sub-space in a few words: its fixed choices and the names it searches."""
    parts = []
    for name, dim in space:
        categories = getattr(dim, "categories", None)
        if categories is not None and len(categories) == 1:
            value = categories[0]
            parts.append(f"{name}={type(value).__name__ if hasattr(value, 'get_params') else repr(value)}")
        else:
            parts.append(name)
    return ", ".join(parts)


def _strategy_of(obj, caller, subspace):
    strategy = getattr(obj, "strategy_", obj)
    subs = getattr(strategy, "strategies", None)
    if subs is not None:
        if subspace is None and len(subs) > 1:
            listed = "; ".join(
                f"{i}: {_describe(sub.space)}" for i, sub in enumerate(subs) if hasattr(sub, "space")
            )
            raise ValueError(
                f"The search has {len(subs)} sub-spaces and {caller} shows one; "
                f"pass subspace=0 ... {len(subs) - 1}" + (f" ({listed})." if listed else ".")
            )
        strategy = subs[subspace or 0]
    elif subspace not in (None, 0):
        raise ValueError(f"The search has a single space; got subspace={subspace!r}.")
    return strategy


def surrogate_of(obj, caller, *, subspace=None, random_state=0):
    """The GP of a fitted search, ask/tell optimiser or :class:`OptimizeResult`.

    A ``BayesOptimizer``'s last GP is reused when it has seen every told point
    (otherwise a copy is refitted, warm-started, on all of them); other
    strategies and results get a GP fitted here. Nothing of ``obj`` changes.

    Parameters
    ----------
    obj : fitted BayesSearchCV or EvolutionSearchCV, Strategy or OptimizeResult
    caller : str
        Name of the caller, for error messages.
    subspace : int, default=None
        Which sub-space of a conditional search.
    random_state : int, RandomState instance or None, default=0
        Seed of the GP restarts when a GP is fitted here.

    Returns
    -------
    surrogate : Surrogate
    """
    if isinstance(obj, dict) and {"space", "params", "scores"} <= set(obj):
        space, params, y, gp = obj["space"], obj["params"], obj["scores"], None
    else:
        if not (hasattr(obj, "strategy_") or hasattr(obj, "tell")):
            if hasattr(obj, "cv_results_") or hasattr(obj, "fit"):
                raise TypeError(
                    f"{caller} needs the told points of an ask/tell strategy: a fitted "
                    "BayesSearchCV or EvolutionSearchCV (its strategy_), a BayesOptimizer "
                    f"or the result of hptune.minimize. Got {type(obj).__name__}"
                    + ("" if hasattr(obj, "cv_results_") else " (not fitted?)")
                    + "."
                )
            raise TypeError(f"{caller} cannot read a surrogate from {type(obj).__name__}.")
        strategy = _strategy_of(obj, caller, subspace)
        space, params, y = strategy.space, strategy.params_, strategy.y_
        gp = getattr(strategy, "gp_", None)
        if getattr(strategy, "score_scale_", 1.0) != 1.0:
            gp = None  # it models scaled scores; the plots show score units
    y = np.asarray(y, dtype=float)
    if len(params) < 2:
        raise ValueError(f"{caller} needs at least 2 evaluated points; got {len(params)}.")
    Z = space.encode(params)
    if gp is None or gp.X_train_.shape[0] != len(Z):
        gp = GaussianProcess() if gp is None else copy.deepcopy(gp)
        gp.fit(Z, clean_scores(y), random_state=random_state)
    return Surrogate(space, params, y, gp)


def grid(dimension, n_points, *, quantiles=False):
    """Grid of one dimension: encodings (g, n_columns) and the decoded values.

    Parameters
    ----------
    dimension : Dimension
    n_points : int
        Number of points of a continuous dimension (or of a discrete one
        with more values than that).
    quantiles : bool, default=False
        If True, the grid is the prior's quantiles at ``(k + 0.5) / n_points``,
        so that equal weights give the prior's average (with repeated values
        for discrete dimensions). Otherwise every value of a small discrete
        dimension, or evenly spaced points of the encoding from bound to
        bound.

    Returns
    -------
    block : ndarray of shape (g, n_columns)
    values : list
    """
    size = dimension.size
    midpoints = (np.arange(n_points) + 0.5) / n_points
    if quantiles:
        block = dimension.from_unit(midpoints)
    elif size <= n_points:
        block = dimension.all_encodings()
    elif isinstance(dimension, Real):
        block = dimension.from_unit(np.linspace(0.0, 1.0, n_points))
    else:
        # Large discrete dimensions and distributions (whose ends may be
        # infinite): the prior's quantiles, each value once.
        block = dimension.from_unit(midpoints)
        _, keep = np.unique(block, axis=0, return_index=True)
        block = block[np.sort(keep)]
    return block, dimension.decode(block)


def mean_prediction(gp, Z):
    """GP posterior mean at ``Z`` (n_points, n_columns), in chunks."""
    out = np.empty(len(Z))
    for start in range(0, len(Z), _CHUNK):
        out[start : start + _CHUNK] = gp.predict(Z[start : start + _CHUNK], return_std=False)
    return out


def base_points(space, n_samples, random_state):
    """``n_samples`` encodings drawn from the priors, shape (n_samples, n_columns)."""
    rng = check_random_state(random_state)
    return space.from_unit(rng.uniform(size=(n_samples, space.n_dims)))


def partial_dependence(gp, base, blocks):
    """Partial dependence of the GP mean on one or two dimensions.

    Parameters
    ----------
    gp : GaussianProcess
    base : ndarray of shape (N, n_columns)
        Base points ``z_n`` whose other columns are averaged over.
    blocks : list of (slice, ndarray of shape (g_k, width_k))
        For each dimension of ``S``: its columns and its grid of encodings.

    Returns
    -------
    pd : ndarray of shape (g_1,) or (g_1, g_2)
        ``PD_S`` on the product of the grids.
    """
    shape = tuple(len(b) for _, b in blocks)
    index = np.indices(shape).reshape(len(shape), -1)
    Z = np.repeat(base[None, :, :], index.shape[1], axis=0)  # (n_grid, N, n_columns)
    for (sl, block), idx in zip(blocks, index):
        Z[:, :, sl] = block[idx][:, None, :]
    m = mean_prediction(gp, Z.reshape(-1, base.shape[1])).reshape(index.shape[1], len(base))
    return m.mean(axis=1).reshape(shape)
