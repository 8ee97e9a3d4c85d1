"""``minimize``: drive a strategy on a plain Python function."""

import importlib
import numbers
import reprlib
from collections.abc import Mapping

import numpy as np

from ..space import Space, to_dimension, to_space
from ..utils._validation import check_int
from ._base import Strategy
from ._result import result_from_strategy

__all__ = ["minimize"]


def _make_space(space):
    """A Space and whether ``func`` takes a list (True) or a dict (False)."""
    if isinstance(space, (list, tuple)):
        dims = [to_dimension(spec, name=f"x{i}") for i, spec in enumerate(space)]
        names = [getattr(d, "name", None) or f"x{i}" for i, d in enumerate(dims)]
        return Space(dict(zip(names, dims))), True
    return to_space(space), False


# method name -> (module, class, whether it takes n_initial_points); imported on
# demand so that each strategy's dependencies load only when it is used.
_METHODS = {
    "bayes": ("._bayes", "BayesOptimizer", True),
    "evolution": ("._evolution", "EvolutionOptimizer", False),
    "random": ("._random", "RandomOptimizer", False),
}


def _make_strategy(method, space, n_initial_points, random_state):
    if isinstance(method, Strategy):
        if method.space != space:
            raise ValueError("The strategy given as method was built for another space.")
        return method
    if not (isinstance(method, str) and method in _METHODS):
        raise ValueError(
            f"The 'method' parameter of minimize must be one of {sorted(_METHODS)} or a "
            f"Strategy. Got {method!r} instead."
        )
    module, name, takes_initial = _METHODS[method]
    cls = getattr(importlib.import_module(module, __package__), name)
    extra = {"n_initial_points": n_initial_points} if takes_initial else {}
    return cls(space, random_state=random_state, **extra)


def _check_callbacks(callback):
    callbacks = [] if callback is None else (
        list(callback) if isinstance(callback, (list, tuple)) else [callback]
    )
    if not all(callable(cb) for cb in callbacks):
        raise TypeError(
            "The 'callback' parameter of minimize must be a callable, a list of callables "
            f"or None. Got {reprlib.repr(callback)} instead."
        )
    return callbacks


def _as_value(value, source):
    """``value`` as a float: a real number, or an array holding exactly one.

    ``source`` says where the value came from, for the error message.
    """
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(-1)[0])
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    raise TypeError(
        f"{source} must be a real number (or an array holding exactly one). "
        f"Got {type(value).__name__} {reprlib.repr(value)} instead."
    )


def _initial_points(x0, y0, space, as_list):
    """``x0`` as a list of dicts and ``y0`` as floats (None when not given).

    Like scikit-optimize, ``x0`` may be one point (a list of values, or a
    dict) and ``y0`` one number.
    """
    if x0 is None:
        if y0 is not None:
            raise ValueError("y0 was given without x0; pass the points of its values as x0.")
        return [], None
    if isinstance(x0, str) or not isinstance(x0, (list, tuple, np.ndarray, Mapping)):
        raise TypeError(f"x0 must be a list of points or one point. Got {reprlib.repr(x0)} instead.")
    x0 = [x0] if isinstance(x0, Mapping) else list(x0)
    if x0 and as_list and not isinstance(x0[0], (list, tuple, np.ndarray, Mapping)):
        x0 = [x0]
    points = []
    for i, x in enumerate(x0):
        if isinstance(x, Mapping):
            points.append(dict(x))
        elif not as_list or not isinstance(x, (list, tuple, np.ndarray)):
            raise TypeError(
                f"x0[{i}] must be a {'list of values or a ' if as_list else ''}dict of the "
                f"space's parameters. Got {type(x).__name__} {reprlib.repr(x)} instead."
            )
        elif len(x) != space.n_dims:
            raise ValueError(
                f"x0[{i}] has {len(x)} value(s) but the space has {space.n_dims} dimension(s)."
            )
        else:
            points.append(dict(zip(space.names, x)))
    if y0 is None:
        return points, None
    y0 = [y0] if np.ndim(y0) == 0 else list(y0)
    if len(y0) != len(points):
        raise ValueError(
            f"y0 has {len(y0)} value(s) but x0 has {len(points)} point(s); give one value "
            "per point."
        )
    return points, [_as_value(v, f"y0[{i}]") for i, v in enumerate(y0)]


def minimize(
    func,
    space,
    *,
    method="bayes",
    n_calls=50,
    n_initial_points=10,
    n_points=1,
    x0=None,
    y0=None,
    callback=None,
    random_state=None,
):
    """Minimise ``func`` over ``space`` with an ask/tell strategy.

    Parameters
    ----------
    func : callable
        The objective. Called with a list of values when ``space`` is a list
        of dimensions (as ``skopt.gp_minimize``), with a dict when it is a
        dict. It must return a real number; an array holding exactly one
        number (such as a model's prediction for one sample) is accepted
        too, while None, strings, bools and longer arrays raise a
        TypeError. NaN or infinite values mark failed evaluations.
    space : list or dict
        A list of dimensions or specifications such as ``(low, high)``
        tuples, or a dict of them (see :mod:`hptune.space`).
    method : {"bayes", "evolution", "random"} or Strategy, default="bayes"
        The strategy, or a configured strategy over the same space.
    n_calls : int, default=50
        Number of calls of ``func``, at least 1, besides the evaluations of
        ``x0``.
    n_initial_points : int, default=10
        Initial design size of ``"bayes"``.
    n_points : int, default=1
        Points asked per batch.
    x0 : list, default=None
        Points to evaluate first: a list of points (lists of values or
        dicts, matching ``space``), or a single point.
    y0 : list of float or float, default=None
        Known values of ``x0``, one per point; when given, ``x0`` is not
        evaluated again.
    callback : callable or list of callables, default=None
        Called with the current :class:`OptimizeResult` after each batch;
        returning True stops.
    random_state : int, RandomState instance or None, default=None
        Seed of the strategy.

    Returns
    -------
    result : OptimizeResult
        ``x`` (best point as a list), ``fun`` (its value), ``x_iters``,
        ``func_vals``, ``space`` and ``params`` (points as dicts).

    Examples
    --------
    >>> from hptune import minimize
    >>> res = minimize(lambda x: (x[0] - 1.0) ** 2, [(-3.0, 3.0)], n_calls=15, random_state=0)
    >>> abs(res.x[0] - 1.0) < 0.1
    True
    """
    if not callable(func):
        raise TypeError(f"The 'func' parameter of minimize must be a callable. Got {func!r} instead.")
    for name, value in (("n_calls", n_calls), ("n_initial_points", n_initial_points), ("n_points", n_points)):
        check_int("minimize", name, value, 1)
    callbacks = _check_callbacks(callback)
    space, as_list = _make_space(space)
    x0, y0 = _initial_points(x0, y0, space, as_list)
    strategy = _make_strategy(method, space, n_initial_points, random_state)
    argument = (lambda p: [p[n] for n in space.names]) if as_list else dict

    def evaluate(points):
        values = []
        for p in points:
            x = argument(p)
            values.append(-_as_value(func(x), f"The value of func({reprlib.repr(x)})"))
        return values

    if x0:
        strategy.tell(x0, evaluate(x0) if y0 is None else [-v for v in y0])
    n_done = 0
    while n_done < n_calls:
        points = strategy.ask(min(n_points, n_calls - n_done))
        if not points:
            break
        strategy.tell(points, evaluate(points))
        n_done += len(points)
        result = result_from_strategy(strategy)
        if any(bool(cb(result)) for cb in callbacks):
            break
    result = result_from_strategy(strategy)
    result.func_vals = np.asarray(result.func_vals, dtype=float)
    return result
