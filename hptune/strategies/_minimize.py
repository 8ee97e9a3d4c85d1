"""``minimize``: drive a strategy on a plain Python function."""

import importlib
import numbers

import numpy as np

from ..space import Space, to_dimension, to_space
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
    if method not in _METHODS:
        raise ValueError(
            f"method must be one of {sorted(_METHODS)} or a Strategy. Got {method!r} instead."
        )
    module, name, takes_initial = _METHODS[method]
    cls = getattr(importlib.import_module(module, __package__), name)
    extra = {"n_initial_points": n_initial_points} if takes_initial else {}
    return cls(space, random_state=random_state, **extra)


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
        dict. NaN or infinite values mark failed evaluations.
    space : list or dict
        A list of dimensions or specifications such as ``(low, high)``
        tuples, or a dict of them (see :mod:`hptune.space`).
    method : {"bayes", "evolution", "random"} or Strategy, default="bayes"
        The strategy, or a configured strategy over the same space.
    n_calls : int, default=50
        Number of calls of ``func`` (besides the points in ``x0`` with ``y0``).
    n_initial_points : int, default=10
        Initial design size of ``"bayes"``.
    n_points : int, default=1
        Points asked per batch.
    x0 : list, default=None
        Points to evaluate first (lists or dicts, matching ``space``).
    y0 : list of float, default=None
        Known values of ``x0``; when given, ``x0`` is not evaluated again.
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
    if not isinstance(n_calls, numbers.Integral) or n_calls < 0:
        raise ValueError(f"n_calls must be an int >= 0. Got {n_calls!r} instead.")
    space, as_list = _make_space(space)
    strategy = _make_strategy(method, space, n_initial_points, random_state)
    callbacks = [] if callback is None else (list(callback) if isinstance(callback, (list, tuple)) else [callback])
    to_dict = (lambda x: dict(zip(space.names, x))) if as_list else dict
    call = (lambda p: func([p[n] for n in space.names])) if as_list else func

    def evaluate(points):
        return [-float(call(p)) for p in points]

    pending = [to_dict(x) for x in (x0 or [])]
    if pending:
        scores = evaluate(pending) if y0 is None else [-float(v) for v in y0]
        strategy.tell(pending, scores)
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
