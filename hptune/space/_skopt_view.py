"""A read-only view of a :class:`Space` with scikit-optimize's ``Space`` interface.

scikit-optimize's plots (``plot_evaluations``, ``plot_objective``...) read a
result's ``space`` through skopt's own API: ``space.dimensions``,
``space.n_dims``, ``space.bounds``, ``space.rvs``, ``space.transform`` and, per
dimension, ``name``, ``prior``, ``bounds``, ``categories``, ``is_constant``,
``transformed_size`` and ``transform``. :class:`SkoptSpaceView` provides them
over an hptune space without importing scikit-optimize.

The view's "transformed" representation is hptune's own encoding (the unit
cube, categories one-hot), in the view's dimension order; a model adapter
that predicts on it (see :mod:`hptune.strategies._result`) keeps skopt's
partial-dependence code consistent. Dimensions are listed in the order given
(a search passes the sorted names, as scikit-optimize's ``BayesSearchCV``
sorts a dict space's names).
"""

import sys

import numpy as np

from ..utils._random import check_random_state
from ._choices import _Choices
from ._dimensions import Integer
from ._space import Space

__all__ = ["SkoptDimensionView", "SkoptSpaceView"]

# Quantiles standing in for the bounds of an unbounded scipy.stats distribution.
_TAILS = (0.001, 0.999)


def _skopt_categorical():
    """scikit-optimize's ``Categorical`` class if skopt is loaded, else None.

    skopt's plots recognise categorical dimensions only by ``isinstance``
    against their own class. When they run, skopt is loaded; it is looked up
    here, never imported.
    """
    module = sys.modules.get("skopt.space.space")
    return getattr(module, "Categorical", None)


class SkoptDimensionView:
    """One dimension of :class:`SkoptSpaceView` (scikit-optimize's ``Dimension`` API).

    Parameters
    ----------
    name : str
        The dimension's name.
    dimension : Dimension
        The hptune dimension.
    """

    def __init__(self, name, dimension):
        self.name, self.dimension = name, dimension

    @property
    def __class__(self):
        # A categorical view passes skopt's isinstance(dim, Categorical) test
        # (see _skopt_categorical); everything else stays this class.
        if self.is_categorical:
            return _skopt_categorical() or type(self)
        return type(self)

    def __reduce__(self):
        # Pickle by this class, not by the class __class__ reports.
        return (SkoptDimensionView, (self.name, self.dimension))

    @property
    def is_categorical(self):
        """Whether the dimension is a choice among values (categorical or ordinal)."""
        return isinstance(self.dimension, _Choices)

    @property
    def categories(self):
        """The choices, in order (a tuple; empty for numeric dimensions)."""
        return tuple(self.dimension.categories) if self.is_categorical else ()

    @property
    def prior(self):
        """``"log-uniform"`` or ``"uniform"`` (None for categories, as in skopt)."""
        if self.is_categorical:
            return None
        return "log-uniform" if getattr(self.dimension, "prior", None) == "log-uniform" else "uniform"

    @property
    def bounds(self):
        """``(low, high)`` of a numeric dimension; the categories of a categorical one."""
        if self.is_categorical:
            return self.categories
        dim = self.dimension
        low, high = dim.low, dim.high
        if not (np.isfinite(low) and np.isfinite(high)):  # an unbounded distribution
            low, high = (float(v) for v in dim.dist.ppf(_TAILS))
        return low, high

    @property
    def is_constant(self):
        """Whether the dimension has a single value."""
        return self.dimension.size == 1

    @property
    def transformed_size(self):
        """Number of columns of the transformed (encoded) values."""
        return self.dimension.n_columns

    def transform(self, values):
        """Encode values; shape (n_values, transformed_size).

        Integer dimensions round their values first, as skopt's do: its
        plots sample an integer axis with ``linspace``.
        """
        values = list(np.asarray(values, dtype=object).reshape(-1))
        if isinstance(self.dimension, Integer):
            values = [int(round(float(v))) for v in values]
        return self.dimension.encode(values)

    def inverse_transform(self, Xt):
        """Decode encodings to values of the user's types."""
        Xt = np.asarray(Xt, dtype=float).reshape(-1, self.dimension.n_columns)
        return self.dimension.decode(Xt)

    def rvs(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` values from the prior."""
        rng = check_random_state(random_state)
        return self.dimension.decode(self.dimension.from_unit(rng.uniform(size=(n_samples, 1))))

    def distance(self, a, b):
        """Distance between two values (skopt's ``Dimension.distance``)."""
        return self.dimension.distance(a, b)

    def __repr__(self):
        return f"SkoptDimensionView({self.name!r}, {self.dimension!r})"


class SkoptSpaceView:
    """A :class:`Space` with scikit-optimize's ``Space`` interface, read-only.

    Points are lists of values in the view's dimension order (skopt's
    ``x_iters``); the transformed representation is hptune's encoding in
    that order.

    Parameters
    ----------
    space : Space
        The hptune space.
    names : list of str, default=None
        The dimension order; the space's own when None.

    Attributes
    ----------
    space : Space
        The hptune space in the view's order.
    dimensions : list of SkoptDimensionView
    dimension_names : list of str
    n_dims : int
    """

    def __init__(self, space, names=None):
        names = list(space.names if names is None else names)
        self.space = Space({n: space[n] for n in names})
        self.dimension_names = names
        self.dimensions = [SkoptDimensionView(n, d) for n, d in self.space]
        self.n_dims = len(names)

    @property
    def bounds(self):
        """The bounds (or categories) of every dimension."""
        return [d.bounds for d in self.dimensions]

    @property
    def is_categorical(self):
        """Whether every dimension is categorical."""
        return all(d.is_categorical for d in self.dimensions)

    @property
    def is_partly_categorical(self):
        """Whether any dimension is categorical."""
        return any(d.is_categorical for d in self.dimensions)

    @property
    def transformed_n_dims(self):
        """Number of columns of the transformed points."""
        return self.space.n_columns

    def _dicts(self, X):
        return [dict(zip(self.dimension_names, row)) for row in X]

    def transform(self, X):
        """Encode points (lists in dimension order); shape (n_points, transformed_n_dims)."""
        return self.space.encode(self._dicts(X))

    def inverse_transform(self, Xt):
        """Decode encodings to points (lists in dimension order)."""
        return [list(p.values()) for p in self.space.decode(Xt)]

    def rvs(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` points from the priors, as lists in dimension order."""
        points = self.space.sample(n_samples, check_random_state(random_state))
        return [list(p.values()) for p in points]

    def distance(self, point_a, point_b):
        """Distance between two points (see :meth:`Space.distance`)."""
        return self.space.distance(point_a, point_b)

    def __getitem__(self, dimension_names):
        """``(index, dimension)`` pairs of the named dimensions, as skopt's ``Space``."""
        if isinstance(dimension_names, str):
            dimension_names = [dimension_names]
        return [(self.dimension_names.index(n), self.dimensions[self.dimension_names.index(n)])
                for n in dimension_names]

    def __len__(self):
        return self.n_dims

    def __repr__(self):
        return f"SkoptSpaceView({self.space!r})"
