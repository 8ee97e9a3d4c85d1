"""The result object of :func:`hptune.minimize` and of skopt-style callbacks."""

import numpy as np

__all__ = ["OptimizeResult", "result_from_strategy"]


class OptimizeResult(dict):
    """A dict whose keys are also attributes, like scipy's and skopt's.

    Keys follow scikit-optimize, whose functions *minimise*: ``x`` (best point
    as a list in dimension order), ``fun`` (its objective value), ``x_iters``
    (every point), ``func_vals`` (every objective value) and ``space``. hptune
    adds ``params`` (the points as dicts), ``scores`` (the maximised scores) and
    ``best_params``.

    Examples
    --------
    >>> from hptune.strategies import OptimizeResult
    >>> OptimizeResult(fun=0.5).fun
    0.5
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(name) from err

    def __setattr__(self, name, value):
        self[name] = value

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        keys = ", ".join(sorted(self.keys()))
        return f"OptimizeResult(keys=[{keys}])"


def result_from_strategy(strategy, sign=-1.0, **extra):
    """Summarise a strategy's history as an :class:`OptimizeResult`.

    Parameters
    ----------
    strategy : Strategy
        Any strategy with a told history.
    sign : float, default=-1.0
        ``func_vals = sign * scores``: -1 turns maximised scores into the
        minimised values skopt reports.
    **extra : dict
        Further keys.

    Returns
    -------
    result : OptimizeResult
    """
    names = strategy.space.names
    scores = np.asarray(strategy.y_, dtype=float)
    best = strategy.best_index
    return OptimizeResult(
        x=None if best is None else [strategy.params_[best][n] for n in names],
        fun=np.nan if best is None else float(sign * scores[best]),
        x_iters=[[p[n] for n in names] for p in strategy.params_],
        func_vals=sign * scores,
        space=strategy.space,
        params=list(strategy.params_),
        scores=scores,
        best_params=strategy.best_params,
        **extra,
    )
