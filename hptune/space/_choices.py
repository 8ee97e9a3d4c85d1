"""Dimensions over a finite list of user values.

* ``Ordinal``: one column, each value owning an equal interval by position,
  so neighbouring values are treated as similar.
* ``Categorical``: one-hot, one column per category, so categories are never
  treated as ordered numbers; a single category is a constant with no column.

Both return the very objects they were given, estimators included.
"""

import numbers
import re

import numpy as np

from ._dimensions import Dimension, _Grid
from ._values import CATEGORICAL_TRANSFORMS, check_name, check_transform

__all__ = ["Categorical", "Ordinal"]


def _index_of(categories, value):
    """Position of ``value`` in ``categories``: identity first, then equality."""
    for i, c in enumerate(categories):
        if c is value:
            return i
    for i, c in enumerate(categories):
        try:
            equal = bool(c == value) and type(c) is type(value)
        except (TypeError, ValueError):  # e.g. arrays, whose == is elementwise
            equal = False
        if equal:
            return i
    raise ValueError(f"Value {value!r} is not one of the categories {list(categories)!r}.")


class _Choices(Dimension):
    """Shared logic of dimensions over a finite list of user objects."""

    def __init__(self, categories, name=None):
        values = [] if isinstance(categories, str) else list(categories)
        if not values:
            raise ValueError(
                f"{type(self).__name__} needs a non-empty list of values. Got {categories!r}."
            )
        check_name(type(self).__name__, name)
        self.categories, self.name = values, name

    @property
    def size(self):
        return len(self.categories)

    def indices(self, values):
        """Index of each value in ``categories``, as an int ndarray."""
        return np.array([_index_of(self.categories, v) for v in values], dtype=np.int64)

    def _describe(self):
        # numpy scalars describe like the Python numbers they equal, and memory
        # addresses (reprs of functions and plain objects) differ between runs.
        plain = [c.item() if isinstance(c, np.generic) else c for c in self.categories]
        return {
            "type": type(self).__name__,
            "categories": [re.sub(r" at 0x[0-9a-fA-F]+", "", repr(c)) for c in plain],
        }

    def __repr__(self):
        return f"{type(self).__name__}({self.categories!r})"


class Ordinal(_Grid, _Choices):
    """An ordered list of values, encoded by position.

    Used for a list of numbers such as ``[1, 10, 100]`` (as given to
    ``GridSearchCV``): neighbouring values are treated as similar, but the
    values themselves are returned unchanged.

    Parameters
    ----------
    categories : list
        The values, in their order.
    name : str, default=None
        Name of the dimension.

    Examples
    --------
    >>> from hptune.space import Ordinal
    >>> Ordinal([0.01, 0.1, 1.0]).decode([[0.5]])
    [0.1]
    """

    def encode(self, values):
        return self._encoding_from_index(self.indices(values))

    def decode(self, Z):
        return [self.categories[i] for i in self._index_from_encoding(Z)]

    def distance(self, a, b):
        # A list of numbers is a grid of a numeric parameter: measure it in
        # the parameter's units, as for Real and Integer.
        i, j = self.indices([a, b])
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (a, b)):
            return abs(float(a) - float(b))
        return float(abs(i - j))


class Categorical(_Choices):
    """An unordered choice among arbitrary objects, one-hot encoded.

    Parameters
    ----------
    categories : list
        The choices: any objects, estimators included. ``decode`` returns the
        very objects given here.
    prior : array-like of shape (n_categories,), default=None
        Prior probabilities of the categories; uniform when None.
    name : str, default=None
        Name of the dimension.
    transform : {"onehot", "string", "identity", "label", "normalize"} or None, \
            default=None
        scikit-optimize's choice of internal encoding. Accepted for
        compatibility and validated; it has no effect, since hptune always
        encodes categories one-hot.

    Examples
    --------
    >>> from hptune.space import Categorical
    >>> Categorical(["rbf", "linear"]).decode([[0.2, 0.8]])
    ['linear']
    """

    def __init__(self, categories, prior=None, name=None, *, transform=None):
        super().__init__(categories, name=name)
        check_transform("Categorical", transform, CATEGORICAL_TRANSFORMS)
        self.transform = transform
        if prior is None:
            self.prior = None
        else:
            p = np.asarray(prior, dtype=float).reshape(-1)
            if p.shape != (self.size,) or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
                raise ValueError(
                    f"Categorical prior must be {self.size} non-negative probabilities "
                    f"summing to 1. Got {prior!r}."
                )
            self.prior = p
        # A constant has nothing to learn, so it gets no column at all.
        self.n_columns = self.size if self.size > 1 else 0

    def _one_hot(self, idx):
        Z = np.zeros((len(idx), self.n_columns))
        if self.n_columns:
            Z[np.arange(len(idx)), idx] = 1.0
        return Z

    def encode(self, values):
        return self._one_hot(self.indices(values))

    def decode(self, Z):
        Z = np.asarray(Z, dtype=float)
        if self.n_columns == 0:
            return [self.categories[0]] * len(Z)
        return [self.categories[i] for i in np.argmax(Z, axis=1)]

    def from_unit(self, u):
        u = np.asarray(u, dtype=float).reshape(-1)
        if self.prior is None:
            idx = np.clip(np.floor(u * self.size), 0, self.size - 1).astype(np.int64)
        else:
            idx = np.minimum(np.searchsorted(np.cumsum(self.prior), u, side="right"), self.size - 1)
        return self._one_hot(idx)

    def snap(self, Z):
        Z = np.asarray(Z, dtype=float)
        if self.n_columns == 0:
            return Z
        return self._one_hot(np.argmax(Z, axis=1))

    def all_encodings(self):
        return self._one_hot(np.arange(self.size)) if self.n_columns else np.empty((1, 0))

    def neighbour_rows(self, Z):
        if self.n_columns == 0:
            return super().neighbour_rows(Z)
        # Every other category, in the order of the categories.
        others = np.arange(self.size) != np.argmax(Z, axis=1)[:, None]
        owner, index = np.nonzero(others)
        return self._one_hot(index), owner

    def distance(self, a, b):
        i, j = self.indices([a, b])
        return int(i != j)

    def _describe(self):
        described = super()._describe()
        if self.prior is not None:
            described["prior"] = [float(p) for p in self.prior]
        return described
