"""Checks every search runs at the start of ``fit``, before the first fit.

Each raises a ValueError (or TypeError) that names the parameter, the value
received and the fix. They are called by :class:`~hptune.search._run.SearchRun`
for every search, so that the same input gives the same message whichever
search receives it.
"""

import difflib

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from sklearn.utils.multiclass import type_of_target

__all__ = [
    "as_list", "check_callbacks", "check_cv_classes", "check_initial_points", "check_space_names",
]


def as_list(callbacks):
    """``None``, one callable or a list of them, as a list."""
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def check_callbacks(callbacks, where):
    """Refuse a callback that can be called neither directly nor by ``on_iteration``.

    Without this check a bad callback fails only after the first batch has
    been fitted, and its work is lost.
    """
    for i, callback in enumerate(callbacks):
        if not (callable(callback) or callable(getattr(callback, "on_iteration", None))):
            raise TypeError(
                f"{where}[{i}]={callback!r} is not a callback: pass a callable taking the "
                "search state (an OptimizeResult) or an object with an "
                "on_iteration(search, state) method, such as the stoppers of hptune.callbacks."
            )


def check_cv_classes(cv, cv_param, y):
    """Refuse stratified folds that the smallest class cannot fill.

    ``StratifiedKFold`` only warns and then trains some folds without that
    class, so that candidates fail or are scored on a skewed split.

    Parameters
    ----------
    cv : cross-validation generator
        The checked splitter (``check_cv`` output).
    cv_param : object
        The user's ``cv``, quoted in the message.
    y : array-like or None
    """
    if not isinstance(cv, (StratifiedKFold, RepeatedStratifiedKFold)) or y is None:
        return
    if type_of_target(y) not in ("binary", "multiclass"):
        return
    n_splits = cv.n_splits if isinstance(cv, StratifiedKFold) else cv.cvargs["n_splits"]
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    smallest = int(np.argmin(counts))
    if counts[smallest] >= n_splits:
        return
    count = int(counts[smallest])
    fix = (
        f"lower cv to at most {count}" if count >= 2
        else "use a splitter that does not stratify, such as KFold"
    )
    raise ValueError(
        f"cv={cv_param!r} asks for {n_splits} stratified folds, but the smallest class "
        f"in y ({labels.tolist()[smallest]!r}) has {count} sample{'s' if count != 1 else ''}, "
        f"fewer than one per fold; {fix}, or collect more samples of that class."
    )


def _params_of(value):
    """Deep parameter names of an estimator instance (none for anything else)."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        return set(value.get_params(deep=True))
    return set()


def _searched_prefix(name, space):
    """The longest searched name ``p`` such that ``name`` is ``p__rest``."""
    parts = name.split("__")
    for k in range(len(parts) - 1, 0, -1):
        prefix = "__".join(parts[:k])
        if prefix in space.names:
            return prefix
    return None


def check_space_names(estimator, subspaces):
    """Raise a ValueError for a searched name that the estimator does not have.

    A name ``step__param`` whose ``step`` is itself searched (a categorical
    choice of estimators) must be a parameter of every value listed for
    ``step``, since scikit-learn sets both together; it need not exist on
    the base estimator. Any other name must be a key of
    ``estimator.get_params(deep=True)``. The error suggests the closest valid
    name, or separate sub-spaces when only some values have the parameter.

    Parameters
    ----------
    estimator : estimator object
    subspaces : list of (Space, int or None)
        Output of :func:`hptune.space.to_subspaces`.
    """
    base = _params_of(estimator)
    for i, (space, _) in enumerate(subspaces):
        where = f"sub-space {i} of search_spaces" if len(subspaces) > 1 else "search_spaces"
        for name in space.names:
            prefix = _searched_prefix(name, space)
            if prefix is None and name in base:
                continue
            if prefix is None:
                raise _unknown_name(name, base, estimator, where)
            rest, values = name[len(prefix) + 2 :], getattr(space[prefix], "categories", [])
            lacking = [v for v in values if rest not in _params_of(v)]
            if len(lacking) == len(values):
                choices = {f"{prefix}__{key}" for v in values for key in _params_of(v)}
                raise _unknown_name(name, base | choices, estimator, where)
            if lacking:
                raise ValueError(
                    f"Invalid parameter {name!r} in {where}: {lacking[0]!r}, one of the values "
                    f"searched for {prefix!r}, has no parameter {rest!r}. Put estimators with "
                    "different parameters in separate sub-spaces (a list of dicts, one per "
                    "estimator)."
                )


def _unknown_name(name, valid, estimator, where):
    close = difflib.get_close_matches(name, sorted(valid), n=1)
    hint = f"Did you mean {close[0]!r}?" if close else f"Valid names include {sorted(valid)[:10]!r}."
    return ValueError(
        f"Invalid parameter {name!r} in {where}: {type(estimator).__name__} has no parameter "
        f"of that name. {hint} Valid names are the keys of estimator.get_params(deep=True)."
    )


def check_initial_points(points, spaces):
    """``initial_points`` as a list of dicts, each a point of one of ``spaces``.

    Refuses, before the first fit, a point that is not a dict, that lacks
    or adds a parameter, or whose value lies outside its dimension.
    """
    if points is None:
        return []
    points = list(points)
    for i, point in enumerate(points):
        if not isinstance(point, dict):
            raise TypeError(
                f"initial_points[{i}]={point!r} is not a dict; give each initial point "
                "as a dict of parameter names to values, such as {'C': 1.0}."
            )
        if not any(space.contains(point) for space in spaces):
            raise ValueError(f"initial_points[{i}]={point!r} {_outside(point, spaces)}")
    return points


def _outside(point, spaces):
    """Why ``point`` is in none of ``spaces``: names of the closest space, else a value."""
    space = max(spaces, key=lambda s: len(set(s.names) & set(point)))
    unknown = [n for n in point if n not in space.names]
    missing = [n for n in space.names if n not in point]
    if unknown or missing:
        return (
            f"does not match the search space {list(space.names)}: "
            + (f"unknown {unknown}" if unknown else "")
            + ("; " if unknown and missing else "")
            + (f"missing {missing}" if missing else "")
            + ". Give a value for every parameter of the space, and no other."
        )
    name = next(n for n, dim in space if point[n] not in dim)
    return (
        f"has {name}={point[name]!r}, outside its dimension {space[name]!r}. Give a value "
        "inside the search space."
    )
