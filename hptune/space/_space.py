"""The search space: an ordered product of named dimensions.

Notation: a point is a dict ``{name: value}``; its encoding ``z`` is the
concatenation of the dimensions' encoded blocks, so a batch ``Z`` is an
``ndarray of shape (n_points, n_columns)`` with entries in [0, 1]. ``U`` is an
``ndarray of shape (n_points, n_dims)`` of uniform numbers, one per dimension
(for example a Sobol sequence), which :meth:`Space.from_unit` maps to valid
encodings distributed as the priors.
"""

import math

import numpy as np

from ._dimensions import Dimension

__all__ = ["Space"]

# Encodings closer than this are the same point: continuous columns are compared
# after decoding round trips, which move values by a few ulps at most.
_SAME_POINT_ATOL = 1e-9


class Space:
    """An ordered set of named dimensions.

    Parameters
    ----------
    dimensions : dict of str to Dimension, or list of Dimension
        The dimensions. A list takes each dimension's ``name`` or, when it has
        none, ``"x0"``, ``"x1"``, ...

    Attributes
    ----------
    names : list of str
        Dimension names in order.
    dimensions : list of Dimension
        The dimensions in order.
    n_dims : int
        Number of dimensions.
    n_columns : int
        Width of the encoding.
    continuous_mask : ndarray of shape (n_columns,)
        True for the columns of continuous dimensions.

    Examples
    --------
    >>> from hptune.space import Space, Real, Categorical
    >>> space = Space({"C": Real(1e-2, 1e2, "log-uniform"), "kernel": Categorical(["rbf", "poly"])})
    >>> space.decode(space.encode([{"C": 1.0, "kernel": "poly"}]))
    [{'C': 1.0, 'kernel': 'poly'}]
    """

    def __init__(self, dimensions):
        if isinstance(dimensions, dict):
            names, dims = list(dimensions), list(dimensions.values())
        else:
            dims = list(dimensions)
            names = [getattr(d, "name", None) or f"x{i}" for i, d in enumerate(dims)]
        if not dims:
            raise ValueError("The search space is empty: give at least one dimension.")
        for name, dim in zip(names, dims):
            if not isinstance(name, str):
                raise TypeError(f"Dimension names must be strings. Got {name!r}.")
            if not isinstance(dim, Dimension):
                raise TypeError(f"Dimension {name!r} must be a Dimension. Got {dim!r}.")
        if len(set(names)) != len(names):
            raise ValueError(f"Dimension names must be unique. Got {names!r}.")
        self.names, self.dimensions = names, dims
        widths = [d.n_columns for d in dims]
        edges = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        self._slices = [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]
        self.n_dims, self.n_columns = len(dims), int(edges[-1])
        self.continuous_mask = np.zeros(self.n_columns, dtype=bool)
        for dim, sl in zip(dims, self._slices):
            self.continuous_mask[sl] = dim.is_continuous

    @property
    def size(self):
        """Number of distinct points (``math.inf`` if any dimension is continuous)."""
        return math.prod(d.size for d in self.dimensions)

    def __len__(self):
        return self.n_dims

    def __iter__(self):
        return iter(zip(self.names, self.dimensions))

    def __getitem__(self, name):
        return self.dimensions[self.names.index(name)]

    def __eq__(self, other):
        return isinstance(other, Space) and list(self) == list(other)

    def __hash__(self):
        return hash(tuple(self.names))

    def __repr__(self):
        body = ", ".join(f"{n!r}: {d!r}" for n, d in self)
        return f"Space({{{body}}})"

    def encode(self, points):
        """Encode parameter dicts in the unit-cube representation.

        Parameters
        ----------
        points : list of dict
            Points of the space, each with every dimension's name.

        Returns
        -------
        Z : ndarray of shape (n_points, n_columns)
            Encodings in [0, 1].
        """
        points = list(points)
        Z = np.empty((len(points), self.n_columns))
        for name, dim, sl in zip(self.names, self.dimensions, self._slices):
            try:
                values = [p[name] for p in points]
            except KeyError as err:
                raise ValueError(f"A point is missing the parameter {name!r}.") from err
            try:
                Z[:, sl] = dim.encode(values)
            except (TypeError, ValueError) as err:
                raise ValueError(f"Parameter {name!r}: {err}") from err
        return Z

    def decode(self, Z):
        """Decode encodings to parameter dicts with the user's types.

        Parameters
        ----------
        Z : array-like of shape (n_points, n_columns)
            Encodings; values outside [0, 1] are clipped.

        Returns
        -------
        points : list of dict
            One dict per row, with the very category objects of the space.
        """
        Z = np.atleast_2d(np.asarray(Z, dtype=float))
        columns = [dim.decode(Z[:, sl]) for dim, sl in zip(self.dimensions, self._slices)]
        return [dict(zip(self.names, values)) for values in zip(*columns)]

    def from_unit(self, U):
        """Map uniform numbers, one per dimension, to valid encodings.

        Parameters
        ----------
        U : array-like of shape (n_points, n_dims)
            Numbers in [0, 1], for example a Sobol sequence.

        Returns
        -------
        Z : ndarray of shape (n_points, n_columns)
            Valid encodings, distributed as the priors when ``U`` is uniform.
        """
        U = np.atleast_2d(np.asarray(U, dtype=float))
        blocks = [dim.from_unit(U[:, j]) for j, dim in enumerate(self.dimensions)]
        return np.hstack(blocks) if blocks else np.empty((len(U), 0))

    def snap(self, Z):
        """Nearest valid encodings of arbitrary points of the unit cube.

        Parameters
        ----------
        Z : array-like of shape (n_points, n_columns)
            Points of the cube.

        Returns
        -------
        Z_valid : ndarray of shape (n_points, n_columns)
            Integers rounded to their grid, one-hot blocks made one-hot,
            everything clipped to [0, 1].
        """
        Z = np.atleast_2d(np.asarray(Z, dtype=float))
        out = np.empty_like(Z)
        for dim, sl in zip(self.dimensions, self._slices):
            out[:, sl] = dim.snap(Z[:, sl])
        return out

    def neighbours(self, z):
        """Valid encodings one discrete step away from ``z``.

        Parameters
        ----------
        z : array-like of shape (n_columns,)
            A valid encoding.

        Returns
        -------
        Z : ndarray of shape (n_neighbours, n_columns)
            Encodings differing from ``z`` in one discrete dimension (an
            integer step or another category).
        """
        return self.neighbour_rows(np.asarray(z, dtype=float).reshape(1, -1))[0]

    def neighbour_rows(self, Z):
        """The neighbours of many valid encodings at once.

        Parameters
        ----------
        Z : array-like of shape (n_points, n_columns)
            Valid encodings.

        Returns
        -------
        N : ndarray of shape (n_neighbours, n_columns)
            The neighbours of every row, row after row, each row's in the
            order of :meth:`neighbours` (by dimension, then as the dimension
            lists them).
        owner : ndarray of shape (n_neighbours,)
            The row of ``Z`` each neighbour belongs to.
        """
        Z = np.asarray(Z, dtype=float).reshape(-1, self.n_columns)
        blocks, owners = [np.empty((0, self.n_columns))], [np.empty(0, dtype=np.int64)]
        for dim, sl in zip(self.dimensions, self._slices):
            block, owner = dim.neighbour_rows(Z[:, sl])
            rows = Z[owner]
            rows[:, sl] = block
            blocks.append(rows)
            owners.append(owner)
        N, owner = np.vstack(blocks), np.concatenate(owners)
        # Stable: within one row, dimension blocks keep their order.
        order = np.argsort(owner, kind="stable")
        return N[order], owner[order]

    def all_encodings(self):
        """Every valid encoding of a finite space.

        Returns
        -------
        Z : ndarray of shape (size, n_columns)
            One row per point of the space. A ValueError is raised when the
            space is infinite; check ``size`` first.
        """
        blocks = [dim.all_encodings() for dim in self.dimensions]
        idx = np.indices([len(b) for b in blocks]).reshape(len(blocks), -1)
        return np.hstack([b[i] for b, i in zip(blocks, idx)])

    def sample(self, n, random_state):
        """Draw points from the priors.

        Parameters
        ----------
        n : int
            Number of points.
        random_state : numpy.random.RandomState
            The generator.

        Returns
        -------
        points : list of dict
            Parameter dicts with the user's types.
        """
        return self.decode(self.from_unit(random_state.uniform(size=(n, self.n_dims))))

    def contains(self, point):
        """Whether a parameter dict lies in the space.

        Parameters
        ----------
        point : dict
            Parameter names to values.

        Returns
        -------
        inside : bool
            True when ``point`` has exactly the space's names and valid values.
        """
        try:
            self.encode([point])
        except ValueError:
            return False
        return set(point) == set(self.names)

    def distance(self, point_a, point_b):
        """Distance between two points, as scikit-optimize's ``Space.distance``.

        The sum over dimensions of each dimension's ``distance``: ``|a - b|``
        for ``Real``, ``Integer`` and numeric ``Ordinal`` values, 0 or 1 for
        categories. scikit-optimize's ``DeltaXStopper`` calls it with the last
        two points of ``result.x_iters``.

        Parameters
        ----------
        point_a, point_b : list or dict
            Points as lists of values in dimension order (as in ``x_iters``)
            or as parameter dicts.

        Returns
        -------
        distance : float
            The sum of the per-dimension distances.

        Examples
        --------
        >>> from hptune.space import Space, Real, Categorical
        >>> space = Space({"C": Real(0.0, 10.0), "kernel": Categorical(["rbf", "poly"])})
        >>> space.distance([1.0, "rbf"], [3.5, "poly"])
        3.5
        """
        a, b = self._as_values(point_a), self._as_values(point_b)
        total = 0.0
        for name, dim, x, y in zip(self.names, self.dimensions, a, b):
            try:
                total += dim.distance(x, y)
            except (TypeError, ValueError) as err:
                raise ValueError(f"Parameter {name!r}: {err}") from err
        return total

    def _as_values(self, point):
        """A point's values in dimension order."""
        if isinstance(point, dict):
            missing = [n for n in self.names if n not in point]
            if missing:
                raise ValueError(f"The point {point!r} is missing the parameter {missing[0]!r}.")
            return [point[n] for n in self.names]
        values = list(point)
        if len(values) != self.n_dims:
            raise ValueError(
                f"A point of this space has {self.n_dims} values, one per dimension "
                f"{self.names}. Got {len(values)}: {point!r}."
            )
        return values

    def describe(self):
        """Plain-data description of the space, for checkpoints and comparisons.

        Returns
        -------
        description : list of dict
            One dict per dimension (name, type and its defining values).
        """
        return [dict(name=n, **d._describe()) for n, d in self]

    def to_rows(self, points):
        """Store points as plain numbers: their values, or indices of categories.

        Unlike :meth:`encode`, no warping and one number per dimension, so
        the stored values read as the user's (and a ``Categorical`` holding
        estimators or functions is stored without pickling them).

        Parameters
        ----------
        points : list of dict
            Points of the space.

        Returns
        -------
        rows : ndarray of shape (n_points, n_dims)
            One row per point, one number per dimension.
        """
        columns = [
            dim.indices([p[name] for p in points]) if hasattr(dim, "categories")
            else [p[name] for p in points]
            for name, dim in self
        ]
        return np.asarray(columns, dtype=float).reshape(self.n_dims, len(points)).T

    def from_rows(self, rows):
        """Rebuild points from :meth:`to_rows` output, with the user's types and objects.

        Parameters
        ----------
        rows : array-like of shape (n_points, n_dims)
            Output of :meth:`to_rows` on points of this space.

        Returns
        -------
        points : list of dict
            The points, with the very category objects of the space.
        """
        rows = np.asarray(rows, dtype=float).reshape(-1, self.n_dims)
        columns = [_from_plain(dim, rows[:, j]) for j, dim in enumerate(self.dimensions)]
        return [dict(zip(self.names, values)) for values in zip(*columns)]


def _from_plain(dim, values):
    """Values of one dimension from :meth:`Space.to_rows` numbers, typed."""
    if hasattr(dim, "categories"):
        return [dim.categories[int(v)] for v in values]
    if hasattr(dim, "cast"):  # Real and Integer, with their dtype
        return dim.cast(values)
    if getattr(dim, "is_discrete", False):
        return [int(v) for v in values]
    return [float(v) for v in values]


def as_rows(Z, n_columns):
    """``Z`` as an ndarray of shape (n_points, n_columns), also for zero columns."""
    Z = np.asarray(Z, dtype=float)
    n_points = Z.shape[0] if Z.ndim == 2 else (Z.size // n_columns if n_columns else 0)
    return Z.reshape(n_points, n_columns)


def is_member(Z, z):
    """Boolean mask of rows of ``Z`` (n, n_columns) equal to ``z`` (n_columns,).

    With zero columns (a space of constants) every row equals ``z``.
    """
    z = np.asarray(z, dtype=float).reshape(-1)
    Z = as_rows(Z, z.size)
    return np.all(np.abs(Z - z) <= _SAME_POINT_ATOL, axis=1)


def point_keys(Z):
    """Hashable keys of the rows of ``Z``, equal for points within rounding.

    Rounding to 9 decimals merges encodings that differ by decoding round
    trips (a few ulps) and keeps every distinct grid value of a discrete
    dimension apart.
    """
    Z = np.ascontiguousarray(np.round(np.asarray(Z, dtype=float), 9) + 0.0)
    return [row.tobytes() for row in Z]
