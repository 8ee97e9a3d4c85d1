"""The result object of :func:`hptune.minimize`, of skopt-style callbacks and
of ``BayesSearchCV.optimizer_results_``.

scikit-optimize *minimises*: its results hold ``func_vals = -score`` for a
search that maximises a score (its ``BayesSearchCV`` tells its optimiser
``-mean_test_score``), and so do hptune's. :func:`skopt_result` builds the
full scikit-optimize result, which skopt's plots accept: its ``space`` is a
:class:`~hptune.space._skopt_view.SkoptSpaceView` and its ``models`` an
adapter of hptune's Gaussian process that predicts ``-score``.
"""

import numpy as np
import scipy.optimize

from ..space._skopt_view import SkoptSpaceView
from ..surrogate import GaussianProcess
from ._base import model_scores

__all__ = ["MinimisedSurrogate", "OptimizeResult", "result_from_strategy", "skopt_result"]


class OptimizeResult(scipy.optimize.OptimizeResult):
    """A dict whose keys are also attributes, like scipy's and skopt's.

    A subclass of scipy's ``OptimizeResult``, which scikit-optimize's plots
    test for.

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


def result_from_strategy(strategy, sign=-1.0, names=None, **extra):
    """Summarise a strategy's history as an :class:`OptimizeResult`.

    Parameters
    ----------
    strategy : Strategy
        Any strategy with a told history.
    sign : float, default=-1.0
        ``func_vals = sign * scores``: -1 turns maximised scores into the
        minimised values skopt reports.
    names : list of str, default=None
        The order of the values in ``x`` and ``x_iters``; the space's own
        when None.
    **extra : dict
        Further keys.

    Returns
    -------
    result : OptimizeResult
    """
    names = strategy.space.names if names is None else names
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


class MinimisedSurrogate:
    """A strategy's Gaussian process as a scikit-optimize model: it predicts ``-score``.

    skopt's ``plot_objective`` calls ``model.predict(Xt)`` on points
    transformed by the result's space (a
    :class:`~hptune.space._skopt_view.SkoptSpaceView`, whose columns are
    hptune's encoding in the view's order). The strategy's last GP is used
    when it has seen every told point; otherwise (its GP was fitted before
    the last batch was told, or the strategy has none) a GP is fitted here,
    on first use, with a fixed seed, leaving the strategy untouched.

    Parameters
    ----------
    strategy : Strategy
        A strategy (or branch) with a told history ``Z_``, ``y_``.
    columns : ndarray of shape (n_columns,)
        For each column of the view's encoding, its column in the strategy's.
    """

    def __init__(self, strategy, columns):
        self.strategy, self.columns = strategy, np.asarray(columns, dtype=int)
        self._gp = self._scale = None

    def _model(self):
        if self._gp is None:
            s = self.strategy
            gp, scale = getattr(s, "gp_", None), getattr(s, "score_scale_", 1.0)
            if gp is None or len(gp.X_train_) != s.n_told:
                y, scale = model_scores(s.y_)
                gp = GaussianProcess().fit(s.Z_, y, random_state=0)
            self._gp, self._scale = gp, scale
        return self._gp

    def predict(self, X, return_std=False):
        """Predicted ``-score`` (and its standard deviation) at transformed points.

        Parameters
        ----------
        X : array-like of shape (n_points, n_columns)
            Points transformed by the result's ``space.transform``.
        return_std : bool, default=False
            Whether to return the standard deviation too.

        Returns
        -------
        mean : ndarray of shape (n_points,)
        std : ndarray of shape (n_points,)
            Only when ``return_std`` is True.
        """
        gp = self._model()
        X = np.atleast_2d(np.asarray(X, dtype=float))
        Z = np.empty_like(X)
        Z[:, self.columns] = X
        mean, std = gp.predict(Z)
        mean, std = -mean * self._scale, std * self._scale
        return (mean, std) if return_std else mean


def _columns(space, names):
    """The strategy-space column of each column of ``space`` reordered as ``names``."""
    edges = np.concatenate([[0], np.cumsum([d.n_columns for d in space.dimensions])])
    where = {n: np.arange(edges[i], edges[i + 1]) for i, n in enumerate(space.names)}
    return np.concatenate([where[n] for n in names] + [np.empty(0, dtype=int)]).astype(int)


def skopt_result(strategy, names, specs=None):
    """scikit-optimize's ``OptimizeResult`` of a strategy's history.

    The keys of skopt's ``create_result`` (``x``, ``fun``, ``func_vals``,
    ``x_iters``, ``models``, ``space``, ``random_state``, ``specs``), with
    values in the order of ``names`` and ``func_vals = -scores``, plus
    hptune's ``params``, ``scores`` and ``best_params``. ``models`` holds one
    :class:`MinimisedSurrogate` (skopt keeps the last few fitted models;
    its plots use the last), empty before anything was told.

    Parameters
    ----------
    strategy : Strategy
        A strategy (or a branch of a conditional one).
    names : list of str
        The dimension order (scikit-optimize's ``BayesSearchCV`` sorts them).
    specs : dict, default=None
        skopt's ``specs`` (the call that produced the result).

    Returns
    -------
    result : OptimizeResult
    """
    result = result_from_strategy(strategy, names=names)
    result.update(
        space=SkoptSpaceView(strategy.space, names),
        models=[MinimisedSurrogate(strategy, _columns(strategy.space, names))] if strategy.n_told else [],
        random_state=getattr(strategy, "random_state", None),
        specs=specs,
    )
    return result
