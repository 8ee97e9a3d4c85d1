"""Dimensions defined by a scipy.stats frozen distribution.

A ``RandomizedSearchCV`` user writes ``{"C": loguniform(1e-3, 1e3)}``. Such a
prior is kept exactly: the encoding of a value is its cumulative probability,
so a uniform number in [0, 1] decodes through the quantile function to a draw
from the distribution, and the surrogate works in the prior's geometry.

Well-known distributions become the equivalent plain dimension (``uniform`` and
``loguniform`` a ``Real``, ``randint`` an ``Integer``) so they print and behave
like the rest of the space.
"""

import math

import numpy as np
from scipy import stats

from ._dimensions import Dimension, Integer, Real, unit_steps

__all__ = ["Distribution", "from_distribution", "is_frozen_distribution"]

# Quantiles are evaluated on [_EPS, 1 - _EPS]: the ends map to +-inf for
# unbounded distributions such as the normal.
_EPS = 1e-12


def is_frozen_distribution(obj):
    """True for a scipy.stats frozen distribution such as ``uniform(0, 1)``."""
    return hasattr(obj, "dist") and hasattr(obj, "ppf") and hasattr(obj, "cdf")


def from_distribution(dist, name=None):
    """Convert a scipy.stats frozen distribution to a dimension.

    Parameters
    ----------
    dist : scipy.stats frozen distribution
        Continuous or discrete.
    name : str, default=None
        Name of the dimension, used in error messages.

    Returns
    -------
    dimension : Dimension
    """
    family = getattr(dist.dist, "name", "")
    low, high = (float(b) for b in dist.support())
    if family in ("loguniform", "reciprocal"):
        return Real(low, high, prior="log-uniform", name=name)
    if family == "uniform":
        return Real(low, high, name=name)
    if family == "randint":
        return Integer(int(low), int(high), name=name)
    if not np.isfinite(low) or not np.isfinite(high) or low < high:
        return Distribution(dist, name=name)
    raise ValueError(f"Distribution for {name!r} has an empty support [{low}, {high}].")


class Distribution(Dimension):
    """A dimension whose prior is a scipy.stats frozen distribution.

    Continuous distributions give floats and discrete ones ints. The encoding
    of a value is its cumulative probability (for a discrete value, the middle
    of its probability step), so uniform numbers decode to draws from ``dist``.

    Parameters
    ----------
    dist : scipy.stats frozen distribution
        For example ``scipy.stats.norm(0, 1)`` or ``scipy.stats.poisson(3)``.
    name : str, default=None
        Name of the dimension.

    Examples
    --------
    >>> from scipy.stats import norm
    >>> from hptune.space import Distribution
    >>> Distribution(norm(0, 1)).decode([[0.5]])
    [0.0]
    """

    def __init__(self, dist, name=None):
        if not is_frozen_distribution(dist):
            raise TypeError(
                f"Distribution needs a scipy.stats frozen distribution. Got {dist!r}."
            )
        self.dist, self.name = dist, name
        self.is_discrete = isinstance(dist.dist, stats.rv_discrete)
        self.is_continuous = not self.is_discrete
        self.low, self.high = (float(b) for b in dist.support())

    @property
    def size(self):
        if self.is_discrete and np.isfinite(self.low) and np.isfinite(self.high):
            return int(self.high - self.low + 1)
        return math.inf

    def encode(self, values):
        x = np.asarray(values, dtype=float).reshape(-1)
        bad = ~((x >= self.low) & (x <= self.high))
        if self.is_discrete:
            bad |= x != np.round(x)
        if np.any(bad):
            raise ValueError(f"Value {x[bad][0]!r} is outside the support of {self!r}.")
        if self.is_discrete:
            # The middle of the step gives each value a fair share of [0, 1].
            z = 0.5 * (self.dist.cdf(x - 1) + self.dist.cdf(x))
        else:
            z = self.dist.cdf(x)
        return np.clip(z, _EPS, 1 - _EPS)[:, None]

    def decode(self, Z):
        z = np.clip(np.asarray(Z, dtype=float).reshape(-1), _EPS, 1 - _EPS)
        x = np.clip(self.dist.ppf(z), self.low, self.high)
        if self.is_discrete:
            return [int(v) for v in x]
        return [float(v) for v in x]

    def from_unit(self, u):
        return self.snap(np.asarray(u, dtype=float).reshape(-1, 1))

    def snap(self, Z):
        Z = np.asarray(Z, dtype=float)
        if not self.is_discrete:
            return np.clip(Z, _EPS, 1 - _EPS)
        return self.encode(self.decode(Z))

    def all_encodings(self):
        if not np.isfinite(self.size):
            return super().all_encodings()
        return self.encode(np.arange(self.low, self.high + 1))

    def neighbour_rows(self, Z):
        if not self.is_discrete:
            return super().neighbour_rows(Z)
        steps, owner = unit_steps(np.asarray(self.decode(Z), dtype=float), self.low, self.high)
        return self.encode(steps), owner

    def _describe(self):
        args = [float(a) for a in self.dist.args]
        kwds = {k: float(v) for k, v in sorted(self.dist.kwds.items())}
        return {"type": "Distribution", "family": self.dist.dist.name, "args": args, "kwds": kwds}

    def __repr__(self):
        d = self._describe()
        params = ", ".join([repr(a) for a in d["args"]] + [f"{k}={v!r}" for k, v in d["kwds"].items()])
        return f"Distribution({d['family']}({params}))"
