"""Conditional spaces: several branches (sub-spaces) seen as one model input.

A list of dicts given to ``GridSearchCV`` is a union of *branches*: one
estimator, kernel or pipeline variant per dict, each with its own parameters.
:class:`ConditionalSpace` keeps every branch as a :class:`Space` (points are
proposed, decoded and deduplicated in their branch) and adds one shared
*model input* in which a surrogate learns across branches, as SMAC and HEBO
do with a branch variable and inactive parameters:

* a one-hot block for the branch (no column with a single branch);
* one block per *group*: the dimensions of one parameter name that the
  model can put on one scale, in whichever branches they appear:

  - ``Real`` (or ``Integer``) dimensions with the same prior share one
    column over the union of their bounds, on the warped (log) scale, so
    that ``C`` of two kernels is one input even with different ranges;
  - ``Categorical`` dimensions share one one-hot block over the union of
    their categories (matched by identity, then equality, then for
    estimators by class and parameters: see :func:`choice_index`), so that
    the same ``StandardScaler()``/``"passthrough"`` choice is one input in
    every branch;
  - any other dimension shares only with equal ones (an ``Ordinal`` of the
    same values, the same scipy distribution);

  dimensions of one name that fit none of these rules (``gamma`` as the
  strings ``"scale"``/``"auto"`` in one branch and a ``Real`` in another)
  simply get separate groups: the model never needs to refuse a space;
* a branch lacking a group gives it a constant *inactive* value: 0.5 in a
  numeric column (the middle, so that no real value is favoured) and
  ``1 / m`` in each of the ``m`` columns of a one-hot block (its centroid,
  equally far from every category).

Every branch's embedding is affine, ``X = Z @ A + b``, so the gradient of a
function of ``X`` with respect to a branch encoding ``Z`` is ``dX @ A.T``:
acquisition functions of the shared model are maximised in each branch with
the branch's own geometry (snapping, neighbours, excluded points).

Notation: ``Z`` is a batch of encodings of one branch, shape (n_points,
branch.n_columns); ``X`` the model inputs, shape (n_points, n_columns), in
[0, 1]; ``k`` a branch index.
"""

import numpy as np

from ._choices import Categorical, _index_of
from ._dimensions import Integer, Real
from ._space import as_rows

__all__ = ["ConditionalSpace", "choice_index"]

# Value of an inactive numeric column: the middle of the unit interval.
_INACTIVE = 0.5


def choice_index(choices, value):
    """Position of ``value`` among ``choices`` as one category across branches, or None.

    The very object first, then an equal value of the same type, then an
    estimator of the same class with the same parameters: users write a new
    ``StandardScaler()`` in every dict, and those are one choice.
    """
    try:
        return int(_index_of(choices, value))
    except ValueError:
        pass
    if hasattr(value, "get_params"):
        for i, c in enumerate(choices):
            if type(c) is type(value) and repr(c) == repr(value):
                return i
    return None


def _group_key(dim):
    """Which dimensions of one name may share a model group (see the module docstring)."""
    if isinstance(dim, (Real, Integer)) and type(dim) in (Real, Integer):
        return (type(dim).__name__, dim.prior)
    if isinstance(dim, Categorical):
        return ("Categorical",)
    return ("equal", repr(sorted(dim._describe().items())))


class _Group:
    """The model columns of one parameter name in the branches where it shares them."""

    def __init__(self, name, members):
        self.name, self.members = name, members  # members: list of (branch, dim index, dim)
        dims = [dim for _, _, dim in members]
        first = dims[0]
        if isinstance(first, Categorical):
            self.kind = "categorical"
            self.categories = []
            for dim in dims:
                for c in dim.categories:
                    if choice_index(self.categories, c) is None:
                        self.categories.append(c)
            self.width = len(self.categories) if len(self.categories) > 1 else 0
            self.fill = np.full(self.width, 1.0 / max(self.width, 1))
        elif isinstance(first, (Real, Integer)) and type(first) in (Real, Integer):
            self.kind = "bounded"
            self.t_low = min(float(d._t_low) for d in dims)
            self.t_high = max(float(d._t_high) for d in dims)
            self.width, self.fill = 1, np.array([_INACTIVE])
        else:
            self.kind = "equal"
            self.width = first.n_columns
            self.fill = np.full(self.width, _INACTIVE)

    def dimension(self):
        """One dimension over the group's values in every branch (for displays)."""
        first = self.members[0][2]
        if self.kind == "categorical":
            return Categorical(self.categories, name=self.name)
        if self.kind == "bounded":
            low = min(dim.low for _, _, dim in self.members)
            high = max(dim.high for _, _, dim in self.members)
            return type(first)(low, high, prior=first.prior, name=self.name)
        return first

    def place(self, dim, A, b, rows, cols):
        """Write the embedding of ``dim`` (branch columns ``rows``) into ``A`` and ``b``."""
        if self.kind == "categorical":
            union = [choice_index(self.categories, c) for c in dim.categories]
            if not self.width:
                return
            if dim.n_columns:
                A[rows.start + np.arange(dim.size), cols.start + np.asarray(union)] = 1.0
            else:  # a single category: a constant of this branch
                b[cols.start + union[0]] = 1.0
        elif self.kind == "bounded":
            span = self.t_high - self.t_low
            A[rows.start, cols.start] = (dim._t_high - dim._t_low) / span
            b[cols.start] = (dim._t_low - self.t_low) / span
        else:
            A[rows, cols] = np.eye(self.width)


class ConditionalSpace:
    """Branches of a conditional search space and their shared model input.

    Parameters
    ----------
    branches : list of Space
        The sub-spaces, in the user's order (the branch index is the position
        in this list).

    Attributes
    ----------
    branches : list of Space
    n_branches : int
    n_columns : int
        Width of the model input.
    groups : list of _Group
        The parameter groups, in order of first appearance.

    Examples
    --------
    >>> from hptune.space import to_space
    >>> from hptune.space._conditional import ConditionalSpace
    >>> space = ConditionalSpace([to_space({"kernel": ["rbf"], "C": (0.1, 10.0)}),
    ...                           to_space({"kernel": ["linear"], "C": (1.0, 100.0)})])
    >>> space.n_columns  # branch one-hot, kernel one-hot, one shared C column
    5
    """

    def __init__(self, branches):
        self.branches = list(branches)
        self.n_branches = len(self.branches)
        clusters = {}
        for k, space in enumerate(self.branches):
            for j, (name, dim) in enumerate(space):
                clusters.setdefault((name, _group_key(dim)), []).append((k, j, dim))
        self.groups = [_Group(name, members) for (name, _), members in clusters.items()]
        width_branch = self.n_branches if self.n_branches > 1 else 0
        edges = np.cumsum([width_branch] + [g.width for g in self.groups])
        self._group_cols = [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]
        self.n_columns = int(edges[-1])
        self._embeddings = [self._embedding(k, width_branch) for k in range(self.n_branches)]

    def _embedding(self, k, width_branch):
        space = self.branches[k]
        A, b = np.zeros((space.n_columns, self.n_columns)), np.zeros(self.n_columns)
        if width_branch:
            b[k] = 1.0
        for group, cols in zip(self.groups, self._group_cols):
            b[cols] = group.fill
            for branch, j, dim in group.members:
                if branch == k:
                    b[cols] = 0.0
                    group.place(dim, A, b, space._slices[j], cols)
        return A, b

    @property
    def size(self):
        """Number of distinct points over all branches (``math.inf`` if any is infinite)."""
        return sum(space.size for space in self.branches)

    def embedding(self, k):
        """The affine map ``X = Z @ A + b`` of branch ``k``.

        Returns
        -------
        A : ndarray of shape (branches[k].n_columns, n_columns)
        b : ndarray of shape (n_columns,)
        """
        return self._embeddings[k]

    def embed(self, k, Z):
        """Model inputs of encodings ``Z`` of branch ``k``, shape (n_points, n_columns)."""
        A, b = self._embeddings[k]
        return as_rows(Z, A.shape[0]) @ A + b

    def branch_of(self, point):
        """Index of the first branch that contains the parameter dict ``point``.

        Raises a ValueError naming the point when no branch does.
        """
        for k, space in enumerate(self.branches):
            if space.contains(point):
                return k
        raise ValueError(
            f"The point {point!r} is in none of the {self.n_branches} sub-spaces; every "
            "told point must have exactly the parameters of one sub-space, with values inside it."
        )

    def dimensions(self):
        """One dimension per parameter name, over its values in every branch.

        Categories of one name are merged (an estimator in two branches is
        one category); numeric ranges are joined. Displays use it to draw one
        axis per parameter.

        Returns
        -------
        dimensions : dict of str to Dimension
        """
        merged = {}
        for group in self.groups:
            merged.setdefault(group.name, group.dimension())
        return merged

    def describe(self):
        """Plain-data description: one :meth:`Space.describe` per branch."""
        return [space.describe() for space in self.branches]

    def __repr__(self):
        return f"ConditionalSpace({self.branches!r})"
