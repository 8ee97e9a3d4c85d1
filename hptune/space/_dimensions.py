"""One-dimensional search dimensions and their numeric encoding.

Every dimension maps user values to an encoded block of ``n_columns`` numbers in
[0, 1] and back. The encoding is the geometry in which surrogates and
evolutionary operators work:

* ``Real``: one column, linear or log-warped, so the prior is uniform on [0, 1].
* ``Integer``: one column with half-step padding, so every value owns an
  interval of equal width (in the warped scale) and rounding is fair.

Dimensions over a list of values (``Ordinal``, ``Categorical``) are in
``_choices.py``.

All methods are vectorised over points: an encoded batch is an
``ndarray of shape (n_points, n_columns)``.
"""

import math
import numbers
from abc import ABC, abstractmethod

import numpy as np

from ._values import (
    BOUNDED_TRANSFORMS,
    ValueType,
    check_base,
    check_name,
    check_transform,
)

__all__ = ["Dimension", "Integer", "Real"]

_PRIORS = ("uniform", "log-uniform")


def _check_bounds(cls_name, low, high, prior, integral):
    kind = "an integer" if integral else "a real number"
    for label, value in (("low", low), ("high", high)):
        ok = isinstance(value, numbers.Integral if integral else numbers.Real)
        if not ok or isinstance(value, bool) or not np.isfinite(value):
            raise TypeError(f"{cls_name} {label} must be {kind}. Got {value!r} instead.")
    if low >= high:
        raise ValueError(
            f"{cls_name} needs low < high. Got low={low!r} and high={high!r}; "
            "use a list with one value for a constant."
        )
    if prior not in _PRIORS:
        raise ValueError(f"{cls_name} prior must be one of {_PRIORS}. Got {prior!r} instead.")
    if prior == "log-uniform" and low <= 0:
        raise ValueError(
            f"{cls_name} with prior='log-uniform' needs low > 0. Got low={low!r}."
        )


class Dimension(ABC):
    """Abstract base class of a search dimension.

    Subclasses define how user values map to an encoded block of ``n_columns``
    numbers in [0, 1]: ``encode``, ``decode``, ``from_unit``, ``snap`` and
    ``neighbours``. Values returned by ``decode`` have the user's types.

    Examples
    --------
    >>> from hptune.space import Dimension, Integer
    >>> isinstance(Integer(1, 5), Dimension)
    True
    """

    #: Number of encoded columns.
    n_columns = 1
    #: True when the encoded columns take a continuum of valid values.
    is_continuous = False

    @abstractmethod
    def encode(self, values):
        """Encode values in the dimension's block of the unit cube.

        Parameters
        ----------
        values : sequence
            Values of the dimension.

        Returns
        -------
        Z : ndarray of shape (n_values, n_columns)
            Encodings in [0, 1].
        """

    @abstractmethod
    def decode(self, Z):
        """Decode encodings to values of the user's types.

        Parameters
        ----------
        Z : array-like of shape (n_points, n_columns)
            Encodings; values outside [0, 1] are clipped.

        Returns
        -------
        values : list
            Values of the user's types.
        """

    @abstractmethod
    def from_unit(self, u):
        """Map uniform numbers to valid encodings.

        Uniform ``u`` gives draws from the dimension's prior, so a quasi-random
        sequence gives a space-filling design in the prior's geometry.

        Parameters
        ----------
        u : array-like of shape (n_points,)
            Numbers in [0, 1].

        Returns
        -------
        Z : ndarray of shape (n_points, n_columns)
            Valid encodings.
        """

    @abstractmethod
    def snap(self, Z):
        """Nearest valid encodings.

        Parameters
        ----------
        Z : array-like of shape (n_points, n_columns)
            Points of the dimension's block of the unit cube.

        Returns
        -------
        Z_valid : ndarray of shape (n_points, n_columns)
            The nearest valid encodings.
        """

    def neighbours(self, z):
        """Valid encodings one discrete step away from a valid encoding.

        Parameters
        ----------
        z : array-like of shape (n_columns,)
            A valid encoding.

        Returns
        -------
        Z : ndarray of shape (n_neighbours, n_columns)
            Empty for continuous dimensions.
        """
        z = np.asarray(z, dtype=float).reshape(1, self.n_columns)
        return self.neighbour_rows(z)[0]

    def neighbour_rows(self, Z):
        """The neighbours of many valid encodings at once.

        Parameters
        ----------
        Z : ndarray of shape (n_points, n_columns)
            Valid encodings.

        Returns
        -------
        N : ndarray of shape (n_neighbours, n_columns)
            The neighbours of every row, row after row, each row's in the
            order of :meth:`neighbours`.
        owner : ndarray of shape (n_neighbours,)
            The row of ``Z`` each neighbour belongs to (non-decreasing).
        """
        return np.empty((0, self.n_columns)), np.empty(0, dtype=np.int64)

    @property
    def size(self):
        """Number of distinct values (``math.inf`` when continuous or unbounded)."""
        return math.inf

    def all_encodings(self):
        """Every valid encoding of a finite dimension, shape (size, n_columns)."""
        raise ValueError(f"{self!r} has infinitely many values.")

    def sample(self, n, random_state):
        """Draw values from the prior.

        Parameters
        ----------
        n : int
            Number of values.
        random_state : numpy.random.RandomState
            The generator.

        Returns
        -------
        values : list
            Values of the user's types.
        """
        return self.decode(self.from_unit(random_state.uniform(size=n)))

    def __contains__(self, value):
        try:
            z = self.encode([value])
        except (TypeError, ValueError):
            return False
        return bool(np.all(np.isfinite(z)))

    def _check_members(self, *values):
        for value in values:
            if value not in self:
                raise ValueError(f"Value {value!r} is not a value of {self!r}.")

    def distance(self, a, b):
        """Distance between two values, as scikit-optimize's ``Dimension.distance``.

        ``|a - b|`` for ``Real``, ``Integer``, ``Distribution`` and an
        ``Ordinal`` of numbers (a grid of a numeric parameter); the number of
        steps between positions for an ``Ordinal`` of other values; for a
        ``Categorical``, 0 for the same category and 1 otherwise, since
        categories have no order.

        Parameters
        ----------
        a, b : object
            Values of the dimension; a ValueError names a value outside it.

        Returns
        -------
        distance : float or int
            The distance, an int for ``Integer`` and ``Categorical``.
        """
        self._check_members(a, b)
        return abs(float(a) - float(b))

    def _describe(self):
        return {"type": type(self).__name__}

    def __eq__(self, other):
        return type(self) is type(other) and self._describe() == other._describe()

    def __hash__(self):
        return hash(repr(self))


class _Bounded(Dimension):
    """Shared logic of ``Real`` and ``Integer``: bounds and a warped scale."""

    #: Python type of the values when ``dtype`` is the default.
    _python_type = float

    def _set(self, low, high, prior, name, base, transform, dtype):
        """Validate and store the arguments shared with scikit-optimize."""
        cls_name, integral = type(self).__name__, self._python_type is int
        _check_bounds(cls_name, low, high, prior, integral=integral)
        check_name(cls_name, name)
        check_base(cls_name, base)
        check_transform(cls_name, transform, BOUNDED_TRANSFORMS)
        self._type = ValueType(cls_name, dtype, integral)
        self.low, self.high = self._python_type(low), self._python_type(high)
        self._type.check_bounds(self.low, self.high)
        self.prior, self.name = prior, name
        self.base, self.transform, self.dtype = base, transform, dtype

    def cast(self, values):
        """Give numbers inside the bounds the dimension's type (``dtype``).

        Parameters
        ----------
        values : array-like of shape (n_values,)
            Numbers in ``[low, high]`` (for an ``Integer``, whole numbers).

        Returns
        -------
        values : list
            Python numbers for the default ``dtype``, numpy scalars otherwise.
        """
        return self._type.cast(values, self.low, self.high)

    def _warp(self, x):
        x = np.asarray(x, dtype=float)
        return np.log(x) if self.prior == "log-uniform" else x

    def _unwarp(self, t):
        return np.exp(t) if self.prior == "log-uniform" else t

    def _describe(self):
        described = {
            "type": type(self).__name__,
            "low": self.low,
            "high": self.high,
            "prior": self.prior,
        }
        # Only a non-default dtype is described, so that spaces (and the
        # checkpoints that store their description) stay as they were.
        if not self._type.python:
            described["dtype"] = self._type.label
        return described

    def __repr__(self):
        dtype = "" if self._type.python else f", dtype={self._type.label!r}"
        return (
            f"{type(self).__name__}(low={self.low!r}, high={self.high!r}, "
            f"prior={self.prior!r}{dtype})"
        )


class Real(_Bounded):
    """A real-valued dimension on ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Inclusive bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        Distribution of the prior. ``"log-uniform"`` needs ``low > 0`` and makes
        the search (and the encoding) work on ``log(x)``.
    name : str, default=None
        Name of the dimension, used when a list of dimensions is given to
        :func:`hptune.minimize`.
    base : float, default=10
        Base of the logarithm of a log-uniform prior, as in scikit-optimize.
        Accepted for compatibility and validated; it has no effect, since a
        log-uniform distribution is the same in every base.
    transform : {"identity", "normalize"} or None, default=None
        scikit-optimize's choice of internal scale. Accepted for compatibility
        and validated; it has no effect, since hptune always encodes each
        dimension in [0, 1].
    dtype : type or str, default=float
        Type of the values returned: ``float`` gives Python floats, a numpy
        floating type (such as ``numpy.float32`` or ``"float32"``) gives numpy
        scalars of that type, as in scikit-optimize.

    Notes
    -----
    scikit-optimize's ``Real(low, high, prior, base, transform, name, dtype)``
    takes ``base`` fourth; here the fourth positional argument is ``name`` and
    ``base``, ``transform`` and ``dtype`` are keyword-only. Code that passes
    them by keyword, as is usual, runs unchanged.

    Examples
    --------
    >>> from hptune.space import Real
    >>> [round(v, 6) for v in Real(1e-3, 1e1, prior="log-uniform").decode([[0.5]])]
    [0.1]
    >>> Real(1e-2, 1e3, prior="log-uniform", base=2, transform="normalize")
    Real(low=0.01, high=1000.0, prior='log-uniform')
    """

    is_continuous = True

    def __init__(
        self, low, high, prior="uniform", name=None, *, base=10, transform=None, dtype=float
    ):
        self._set(low, high, prior, name, base, transform, dtype)
        self._t_low, self._t_high = self._warp([self.low, self.high])

    def encode(self, values):
        x = np.asarray(values, dtype=float).reshape(-1)
        if np.any(~np.isfinite(x)) or np.any(x < self.low) or np.any(x > self.high):
            bad = x[~((x >= self.low) & (x <= self.high))][0]
            raise ValueError(f"Value {bad!r} is outside {self!r}.")
        z = (self._warp(x) - self._t_low) / (self._t_high - self._t_low)
        return np.clip(z, 0.0, 1.0)[:, None]

    def decode(self, Z):
        z = np.clip(np.asarray(Z, dtype=float).reshape(-1), 0.0, 1.0)
        x = self._unwarp(self._t_low + z * (self._t_high - self._t_low))
        # exp(log(x)) can overshoot a bound by one ulp; clip so decode stays inside.
        return self._type.cast(np.clip(x, self.low, self.high), self.low, self.high)

    def from_unit(self, u):
        return np.asarray(u, dtype=float).reshape(-1, 1)

    def snap(self, Z):
        return np.clip(np.asarray(Z, dtype=float), 0.0, 1.0)


def unit_steps(values, low, high):
    """One step down, then one step up, from each of ``values``, inside ``[low, high]``.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Integer-valued positions (grid indices or integer values).
    low, high : float
        The smallest and largest valid position.

    Returns
    -------
    steps : ndarray
        The steps that stay inside, row after row.
    owner : ndarray of int
        The index in ``values`` each step comes from.
    """
    steps = np.asarray(values)[:, None] + np.array([-1, 1])
    inside = (steps >= low) & (steps <= high)
    owner = np.broadcast_to(np.arange(len(steps))[:, None], steps.shape)[inside]
    return steps[inside], owner


class _Grid(Dimension):
    """A dimension of ``size`` ordered values, each owning an equal interval."""

    def _index_from_encoding(self, Z):
        z = np.asarray(Z, dtype=float).reshape(-1)
        return np.clip(np.floor(z * self.size), 0, self.size - 1).astype(np.int64)

    def _encoding_from_index(self, idx):
        return ((np.asarray(idx, dtype=float) + 0.5) / self.size).reshape(-1, 1)

    def from_unit(self, u):
        return self._encoding_from_index(self._index_from_encoding(u))

    def snap(self, Z):
        return self._encoding_from_index(self._index_from_encoding(Z))

    def all_encodings(self):
        return self._encoding_from_index(np.arange(self.size))

    def neighbour_rows(self, Z):
        steps, owner = unit_steps(self._index_from_encoding(Z), 0, self.size - 1)
        return self._encoding_from_index(steps), owner


class Integer(_Grid, _Bounded):
    """An integer dimension on ``[low, high]`` (both inclusive).

    Parameters
    ----------
    low, high : int
        Inclusive bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        ``"log-uniform"`` needs ``low > 0``; each integer then gets the prior
        mass of ``[v - 0.5, v + 0.5]`` on the log scale.
    name : str, default=None
        Name of the dimension, used when a list of dimensions is given to
        :func:`hptune.minimize`.
    base : float, default=10
        As for :class:`Real`: scikit-optimize's log base, validated, no effect.
    transform : {"identity", "normalize"} or None, default=None
        As for :class:`Real`: scikit-optimize's scale, validated, no effect.
    dtype : type or str, default=int
        Type of the values returned: ``int`` gives Python ints, a numpy
        integer type (such as ``numpy.int64`` or ``"int32"``, whose range must
        hold the bounds) gives numpy scalars of that type, as in
        scikit-optimize (whose default is ``numpy.int64``).

    Notes
    -----
    scikit-optimize's ``Integer(low, high, prior, base, transform, name,
    dtype)`` takes ``base`` fourth; here the fourth positional argument is
    ``name`` and ``base``, ``transform`` and ``dtype`` are keyword-only.

    Examples
    --------
    >>> from hptune.space import Integer
    >>> Integer(1, 10).decode([[0.0], [0.999]])
    [1, 10]
    """

    _python_type = int

    def __init__(
        self, low, high, prior="uniform", name=None, *, base=10, transform=None, dtype=int
    ):
        self._set(low, high, prior, name, base, transform, dtype)
        # Half-step padding: value v owns [v - 0.5, v + 0.5] in the warped scale.
        self._t_low, self._t_high = self._warp([self.low - 0.5, self.high + 0.5])

    @property
    def size(self):
        return self.high - self.low + 1

    def encode(self, values):
        x = np.asarray(values, dtype=float).reshape(-1)
        bad = ~((x >= self.low) & (x <= self.high) & (x == np.round(x)))
        if np.any(bad):
            raise ValueError(f"Value {x[bad][0]!r} is not an integer of {self!r}.")
        return self._encoding_of(x)

    def _encoding_of(self, x):
        """Encodings of valid integers (float ndarray), unchecked: for internal grids."""
        return ((self._warp(x) - self._t_low) / (self._t_high - self._t_low))[:, None]

    def _integers(self, Z):
        """Decoded values as a float ndarray of shape (n_points,)."""
        z = np.clip(np.asarray(Z, dtype=float).reshape(-1), 0.0, 1.0)
        x = np.floor(self._unwarp(self._t_low + z * (self._t_high - self._t_low)) + 0.5)
        return np.clip(x, self.low, self.high)

    def decode(self, Z):
        return self._type.cast(self._integers(Z), self.low, self.high)

    def distance(self, a, b):
        # As integers: a - b of numpy int8 values could overflow.
        self._check_members(a, b)
        return abs(int(a) - int(b))

    def _index_from_encoding(self, Z):
        return self._integers(Z).astype(np.int64) - self.low

    def _encoding_from_index(self, idx):
        return self._encoding_of(np.asarray(idx, dtype=float).reshape(-1) + self.low)

    def from_unit(self, u):
        return self.snap(np.asarray(u, dtype=float).reshape(-1, 1))
