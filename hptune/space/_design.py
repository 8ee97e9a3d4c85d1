"""Initial designs: space-filling points drawn before any model is fitted.

Each design returns uniform numbers ``U`` of shape (n_points, n_dims), which
:meth:`Space.from_unit` maps to encodings distributed as the priors.
"""

import math

import numpy as np
from scipy.stats import qmc

__all__ = ["DESIGNS", "initial_design"]


def _sobol(n, d, seed):
    # Drawing a power of two keeps the Sobol balance properties (and avoids
    # scipy's warning); the first n points of a scrambled sequence are still
    # well spread.
    m = max(0, math.ceil(math.log2(max(n, 1))))
    return qmc.Sobol(d=d, scramble=True, seed=seed).random_base2(m)[:n]


def _lhs(n, d, seed):
    return qmc.LatinHypercube(d=d, seed=seed).random(n)


def _halton(n, d, seed):
    return qmc.Halton(d=d, scramble=True, seed=seed).random(n)


def _random(n, d, seed):
    return np.random.RandomState(seed).uniform(size=(n, d))


DESIGNS = {"sobol": _sobol, "lhs": _lhs, "halton": _halton, "random": _random}


def initial_design(space, n, seed, method="sobol"):
    """Draw ``n`` space-filling encodings of ``space``.

    Parameters
    ----------
    space : Space
        The space to cover.
    n : int
        Number of points.
    seed : int
        Seed of the scrambling or of the random draw.
    method : {"sobol", "lhs", "halton", "random"}, default="sobol"
        The design.

    Returns
    -------
    Z : ndarray of shape (n, space.n_columns)
        Valid encodings, spread over the priors.

    Examples
    --------
    >>> from hptune.space import Space, Real, initial_design
    >>> initial_design(Space({"x": Real(0, 1)}), 4, seed=0).shape
    (4, 1)
    """
    try:
        design = DESIGNS[method]
    except KeyError as err:
        raise ValueError(
            f"initial_point_generator must be one of {sorted(DESIGNS)}. Got {method!r}."
        ) from err
    return space.from_unit(design(n, space.n_dims, seed))
