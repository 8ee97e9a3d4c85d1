"""Conversion of everything users already pass to scikit-learn and skopt.

Accepted for one parameter (the value in a ``param_grid``,
``param_distributions`` or skopt ``search_spaces`` dict):

* a :class:`Dimension` (``Real``, ``Integer``, ``Ordinal``, ``Categorical``);
* a tuple, as in scikit-optimize: ``(low, high)`` or ``(low, high, prior)`` gives
  an ``Integer`` when both bounds are ints and a ``Real`` otherwise; any other
  tuple is a list of categories;
* a list or 1-D array, as in ``GridSearchCV``: numbers become an ``Ordinal``
  (sorted ascending), anything else a ``Categorical``; one value is a constant;
* a scipy.stats frozen distribution, as in ``RandomizedSearchCV``;
* a scikit-optimize ``Real``, ``Integer`` or ``Categorical``, or an Optuna
  ``FloatDistribution``, ``IntDistribution`` or ``CategoricalDistribution``
  (and Optuna's deprecated distributions), recognised without importing
  either package (see ``_foreign.py``).

A list of values may not hold NaN: NaN never equals itself, and a NaN
hyperparameter makes the fits fail or silently means "missing". ``None`` is
accepted among numbers, since it is the documented "off" or default value of
many scikit-learn parameters (``max_depth=None``, ``class_weight=None``); the
list then becomes a ``Categorical``.

A whole space is a dict of those, a list of such dicts (conditional sub-spaces,
as in ``GridSearchCV``), or skopt's list of ``(dict, n_iter)`` tuples.
"""

import numbers

import numpy as np

from ._choices import Categorical, Ordinal
from ._dimensions import Dimension, Integer, Real
from ._distribution import from_distribution, is_frozen_distribution
from ._foreign import from_foreign
from ._space import Space
from ._values import check_no_nan

__all__ = ["to_dimension", "to_space", "to_subspaces"]

_ACCEPTED = (
    "a list of values, a (low, high[, prior]) tuple, a scipy.stats frozen "
    "distribution such as scipy.stats.loguniform(1e-3, 1e3), an hptune.space "
    "dimension (Real, Integer, Ordinal, Categorical, Distribution), a "
    "scikit-optimize Real, Integer or Categorical, or an Optuna "
    "FloatDistribution, IntDistribution or CategoricalDistribution"
)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _from_tuple(spec, name):
    n_numbers = sum(_is_number(v) for v in spec[:2])
    is_range = len(spec) in (2, 3) and n_numbers == 2 and (len(spec) == 2 or isinstance(spec[2], str))
    if not is_range:
        return _from_list(list(spec), name)
    low, high = spec[:2]
    prior = spec[2] if len(spec) == 3 else "uniform"
    if all(isinstance(v, numbers.Integral) for v in (low, high)):
        return Integer(low, high, prior=prior, name=name)
    return Real(low, high, prior=prior, name=name)


def _from_list(values, name):
    if not values:
        raise ValueError("the list of values is empty.")
    check_no_nan(values)
    numeric = len(values) > 1 and all(_is_number(v) and np.isfinite(v) for v in values)
    if numeric and len(set(values)) == len(values):
        return Ordinal(sorted(values), name=name)
    return Categorical(values, name=name)


def _describe_dist(dist):
    args = [repr(a) for a in dist.args] + [f"{k}={v!r}" for k, v in dist.kwds.items()]
    return f"{dist.dist.name}({', '.join(args)})"


def to_dimension(spec, name=None):
    """Convert one parameter's specification to a :class:`Dimension`.

    Parameters
    ----------
    spec : Dimension, tuple, list, ndarray, scipy.stats frozen distribution, \
            scikit-optimize dimension or Optuna distribution
        See the module docstring for the accepted forms.
    name : str, default=None
        The parameter's name, used in error messages.

    Returns
    -------
    dimension : Dimension
        The equivalent dimension.

    Examples
    --------
    >>> from hptune.space import to_dimension
    >>> to_dimension((1e-3, 1.0, "log-uniform"))
    Real(low=0.001, high=1.0, prior='log-uniform')
    >>> to_dimension(["rbf", "linear"])
    Categorical(['rbf', 'linear'])
    """
    if isinstance(spec, Dimension):
        return spec
    try:
        if isinstance(spec, tuple):
            return _from_tuple(spec, name)
        if isinstance(spec, list) or (isinstance(spec, np.ndarray) and spec.ndim == 1):
            return _from_list(list(spec), name)
        if is_frozen_distribution(spec):
            low, high = spec.support()
            if np.isnan(low) or np.isnan(high):
                raise ValueError(f"the distribution {_describe_dist(spec)} has an empty support.")
            if low == high:  # randint(3, 4) and similar degenerate supports
                return Categorical([int(low)], name=name)
            return from_distribution(spec, name=name)
        dimension = from_foreign(spec, name)
    except (TypeError, ValueError) as err:
        raise type(err)(f"Invalid search space for parameter {name!r}: {err}") from err
    if dimension is not None:
        return dimension
    if hasattr(spec, "rvs"):
        raise TypeError(
            f"Parameter {name!r}: {type(spec).__name__} has an rvs method but neither "
            "bounds nor a quantile function, and a model-based search needs the shape "
            f"of the distribution, not only its samples. Give {_ACCEPTED}. Got {spec!r}."
        )
    raise TypeError(
        f"Parameter {name!r} must be {_ACCEPTED}. Got {spec!r} of type {type(spec).__name__}."
    )


def to_space(spec):
    """Convert a dict of parameter specifications to a :class:`Space`.

    Parameters
    ----------
    spec : dict or Space
        Parameter names mapped to specifications (see :func:`to_dimension`);
        a Space is returned as is.

    Returns
    -------
    space : Space
        The converted space.

    Examples
    --------
    >>> from hptune.space import to_space
    >>> to_space({"C": (0.1, 10.0), "kernel": ["rbf", "poly"]}).names
    ['C', 'kernel']
    """
    if isinstance(spec, Space):
        return spec
    if not isinstance(spec, dict):
        raise TypeError(f"A search space must be a dict of parameter names. Got {spec!r}.")
    if not spec:
        raise ValueError("The search space is empty: give at least one parameter.")
    for name in spec:
        if not isinstance(name, str):
            raise TypeError(f"Parameter names must be strings. Got {name!r}.")
    return Space({name: to_dimension(value, name) for name, value in spec.items()})


def to_subspaces(spec):
    """Convert a whole search-space specification to sub-spaces.

    Parameters
    ----------
    spec : dict, Space, list of dict or list of (dict, int)
        A single space, conditional sub-spaces, or skopt's sub-spaces each with
        its own number of iterations.

    Returns
    -------
    subspaces : list of (Space, int or None)
        Each sub-space with its own iteration budget (None when not given).

    Examples
    --------
    >>> from hptune.space import to_subspaces
    >>> [n for _, n in to_subspaces([({"C": (0.1, 1.0)}, 5), {"gamma": [1, 2]}])]
    [5, None]
    """
    if isinstance(spec, (dict, Space)):
        return [(to_space(spec), None)]
    if not isinstance(spec, (list, tuple)) or not spec:
        raise ValueError(
            "search_spaces must be a dict, a non-empty list of dicts or a list of "
            f"(dict, n_iter) tuples. Got {spec!r}."
        )
    subspaces = []
    for i, item in enumerate(spec):
        n_iter = None
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], (dict, Space)):
            item, n_iter = item
            if not isinstance(n_iter, numbers.Integral) or n_iter < 1:
                raise ValueError(
                    f"Sub-space {i} has n_iter={n_iter!r}; it must be an int >= 1."
                )
        try:
            subspaces.append((to_space(item), None if n_iter is None else int(n_iter)))
        except (TypeError, ValueError) as err:
            raise type(err)(f"Sub-space {i}: {err}") from err
    return subspaces
