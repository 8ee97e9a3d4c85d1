"""Stopping callbacks for searches and :func:`hptune.minimize`.

Each stopper is a callable taking the
:class:`~hptune.strategies.OptimizeResult` of the search so far and returning
True to stop, as in scikit-optimize, so the same object works as
``BayesSearchCV(..., callbacks=[stopper])``, as ``search.fit(X, y,
callback=stopper)`` and as ``minimize(..., callback=stopper)``. A search calls
it after every batch (or generation) and keeps everything evaluated.

The stoppers read the result, not a history of their own, so a search
resumed from a checkpoint stops where an uninterrupted one would.
:class:`DeadlineStopper` is the exception: wall-clock time starts again with
every ``fit``, as ``max_time`` does.

scikit-optimize's stoppers are here under their own names and with their own
rules, which read skopt's keys of the result: :class:`DeltaXStopper`,
:class:`DeltaYStopper`, :class:`HollowIterationsStopper` and
:class:`ThresholdStopper`. Like skopt, they work on the *minimised* values
``func_vals`` (for a search, minus the scores) and count evaluations, not
batches. A failed evaluation (a NaN or infinite value) is ignored where
values are compared, and is an evaluation without improvement where they are
counted.
"""

import inspect
import math
import time

import numpy as np

from .utils._validation import check_int, check_real

__all__ = [
    "DeadlineStopper",
    "DeltaXStopper",
    "DeltaYStopper",
    "HollowIterationsStopper",
    "NoImprovementStopper",
    "TargetScoreStopper",
    "ThresholdStopper",
]


def _func_vals(result):
    """skopt's minimised values, failed evaluations (NaN or infinite) as +inf."""
    values = np.asarray(result.get("func_vals", []), dtype=float).reshape(-1)
    return np.where(np.isfinite(values), values, np.inf)


def _best_scores(result):
    """Best score so far after each iteration (NaN while none is finite).

    Searches give it per batch as ``best_scores``; otherwise (``minimize``)
    it is computed per evaluation from skopt's minimised ``func_vals``.
    """
    best = result.get("best_scores")
    if best is not None:
        return np.asarray(best, dtype=float)
    scores = -np.asarray(result.get("func_vals", []), dtype=float)
    scores = np.where(np.isnan(scores), -np.inf, scores)
    running = np.maximum.accumulate(scores) if len(scores) else scores
    return np.where(np.isneginf(running), np.nan, running)


class _Stopper:
    """Shared repr: the constructor arguments, as scikit-learn shows parameters."""

    def __repr__(self):
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__name__}({args})"


class DeadlineStopper(_Stopper):
    """Stop before the next iteration would end after a deadline.

    As scikit-optimize's ``DeadlineStopper``: the search stops when the time
    left is shorter than the longest iteration so far, so it ends *before*
    ``total_time`` is exceeded (``max_time`` instead stops after the first
    batch that ends past its limit).

    Parameters
    ----------
    total_time : float
        Seconds available, counted from the start of ``fit`` (or of the
        first call when used without a search).

    Attributes
    ----------
    iter_time : list of float
        Duration of each iteration seen, in seconds.

    Examples
    --------
    >>> from hptune.callbacks import DeadlineStopper
    >>> stopper = DeadlineStopper(total_time=60.0)
    >>> stopper({"elapsed": 1.0}), stopper({"elapsed": 59.5})
    (False, True)
    """

    def __init__(self, total_time):
        self.total_time = total_time

    def on_search_begin(self, search):
        """Restart the clock (called by the searches at the start of ``fit``).

        Parameters
        ----------
        search : estimator or None
            The search that starts (unused).
        """
        self._start = time.monotonic()
        self._last = 0.0
        self.iter_time = []

    def __call__(self, result):
        check_real(type(self).__name__, "total_time", self.total_time, 0, closed="neither")
        if not hasattr(self, "_last"):
            self.on_search_begin(None)
        elapsed = result.get("elapsed")
        if elapsed is None:
            elapsed = time.monotonic() - self._start
        self.iter_time.append(max(elapsed - self._last, 0.0))
        self._last = elapsed
        return bool(self.total_time - elapsed <= max(self.iter_time))


class NoImprovementStopper(_Stopper):
    """Stop when the best score has not improved for ``patience`` iterations.

    Parameters
    ----------
    patience : int
        Number of iterations (batches or generations of a search, evaluations
        of :func:`~hptune.minimize`) without improvement before stopping.
    min_delta : float, default=0.0
        An improvement must raise the best score by more than this.

    Examples
    --------
    >>> from hptune.callbacks import NoImprovementStopper
    >>> stopper = NoImprovementStopper(patience=2)
    >>> stopper({"best_scores": [0.5, 0.7, 0.7]}), stopper({"best_scores": [0.5, 0.7, 0.7, 0.7]})
    (False, True)
    """

    def __init__(self, patience, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta

    def __call__(self, result):
        owner = type(self).__name__
        check_int(owner, "patience", self.patience, 1)
        check_real(owner, "min_delta", self.min_delta, 0, closed="left")
        best = _best_scores(result)
        if len(best) <= self.patience:
            return False
        now, then = best[-1], best[-1 - self.patience]
        if math.isnan(now):  # still no finite score: no improvement either
            return True
        return bool(not math.isnan(then) and now <= then + self.min_delta)


class TargetScoreStopper(_Stopper):
    """Stop once the best score reaches a target.

    Parameters
    ----------
    score : float
        Target of the maximised score (for a search, the refit metric's
        ``mean_test_score``; for :func:`~hptune.minimize`, minus the
        objective).

    Examples
    --------
    >>> from hptune.callbacks import TargetScoreStopper
    >>> TargetScoreStopper(0.9)({"best_score": 0.95})
    True
    """

    def __init__(self, score):
        self.score = score

    def __call__(self, result):
        check_real(type(self).__name__, "score", self.score)
        best = result.get("best_score")
        if best is None:
            fun = result.get("fun")
            best = math.nan if fun is None else -float(fun)
        return bool(not math.isnan(best) and best >= self.score)


class DeltaYStopper(_Stopper):
    """Stop when the ``n_best`` best objective values lie within ``delta``.

    scikit-optimize's ``DeltaYStopper``: the search stops once the ``n_best``
    smallest minimised values (``func_vals``; for a search, minus the scores)
    differ by less than ``delta``, that is when several candidates are about
    equally good and more search is unlikely to find a clearly better one.
    Failed evaluations are left out.

    Parameters
    ----------
    delta : float
        Largest spread of the ``n_best`` best values that stops the search, in
        the objective's units (score units for a search).
    n_best : int, default=5
        Number of best values compared; nothing stops before that many
        evaluations succeeded.

    See Also
    --------
    NoImprovementStopper : Stop when the best score stalls.

    Examples
    --------
    >>> from hptune.callbacks import DeltaYStopper
    >>> stopper = DeltaYStopper(delta=0.01, n_best=3)
    >>> stopper({"func_vals": [0.5, 0.30, 0.305, 0.9]})
    False
    >>> stopper({"func_vals": [0.5, 0.30, 0.305, 0.9, 0.302]})
    True
    """

    def __init__(self, delta, n_best=5):
        self.delta = delta
        self.n_best = n_best

    def __call__(self, result):
        owner = type(self).__name__
        check_real(owner, "delta", self.delta, 0, closed="neither")
        check_int(owner, "n_best", self.n_best, 1)
        values = np.sort(_func_vals(result))
        if len(values) < self.n_best or np.isinf(values[self.n_best - 1]):
            return False
        return bool(values[self.n_best - 1] - values[0] < self.delta)


class DeltaXStopper(_Stopper):
    """Stop when the last two points evaluated are closer than ``delta``.

    scikit-optimize's ``DeltaXStopper``: when the strategy proposes almost
    the same point twice in a row, it has converged. The distance is the
    space's :meth:`~hptune.space.Space.distance` between the last two points
    of ``x_iters``: the sum over parameters of ``|a - b|`` for numbers and
    0 or 1 for categories. Failed evaluations count like the others.

    Parameters
    ----------
    delta : float
        Distance below which the search stops, in the parameters' units.

    Examples
    --------
    >>> from hptune.callbacks import DeltaXStopper
    >>> from hptune.space import Real, Space
    >>> space = Space({"x": Real(0.0, 1.0)})
    >>> stopper = DeltaXStopper(delta=0.01)
    >>> stopper({"space": space, "x_iters": [[0.5], [0.2]]})
    False
    >>> stopper({"space": space, "x_iters": [[0.5], [0.2], [0.205]]})
    True
    """

    def __init__(self, delta):
        self.delta = delta

    def __call__(self, result):
        check_real(type(self).__name__, "delta", self.delta, 0, closed="neither")
        x_iters = result.get("x_iters", [])
        if len(x_iters) < 2:
            return False
        space = result.get("space")
        if not hasattr(space, "distance"):
            raise ValueError(
                f"{type(self).__name__} measures distances in the result's 'space', "
                f"which this result does not have (got {space!r}); use it with "
                "BayesSearchCV, EvolutionSearchCV or hptune.minimize."
            )
        return bool(space.distance(x_iters[-2], x_iters[-1]) < self.delta)


class HollowIterationsStopper(_Stopper):
    """Stop when ``n_iterations`` evaluations brought no real improvement.

    scikit-optimize's ``HollowIterationsStopper``: it compares the smallest
    minimised value (``func_vals``; for a search, minus the scores) before
    and after the last ``n_iterations`` evaluations, and stops when it fell
    by ``threshold`` or less. A failed evaluation is one without
    improvement. For a count of batches or generations of a
    search, use :class:`NoImprovementStopper`.

    Parameters
    ----------
    n_iterations : int
        Number of evaluations looked back.
    threshold : float, default=0
        Improvement (in the objective's units) that does not count as one;
        its absolute value is used, as in scikit-optimize.

    Examples
    --------
    >>> from hptune.callbacks import HollowIterationsStopper
    >>> stopper = HollowIterationsStopper(n_iterations=2)
    >>> stopper({"func_vals": [0.5, 0.3, 0.29, 0.4]})
    False
    >>> stopper({"func_vals": [0.5, 0.3, 0.29, 0.4, 0.35]})
    True
    """

    def __init__(self, n_iterations, threshold=0):
        self.n_iterations = n_iterations
        self.threshold = threshold

    def __call__(self, result):
        owner = type(self).__name__
        check_int(owner, "n_iterations", self.n_iterations, 1)
        check_real(owner, "threshold", self.threshold)
        values = _func_vals(result)
        if len(values) <= self.n_iterations:
            return False
        running = np.minimum.accumulate(values)
        then, now = running[-self.n_iterations - 1], running[-1]
        if np.isinf(now):  # still no successful evaluation: no improvement either
            return True
        return bool(then - now <= abs(self.threshold))


class ThresholdStopper(_Stopper):
    """Stop once an objective value is at or below ``threshold``.

    scikit-optimize's ``ThresholdStopper``, on the minimised values
    (``func_vals``). For a search these are minus the scores, so
    ``ThresholdStopper(-0.9)`` stops at a score of 0.9;
    :class:`TargetScoreStopper` says the same with the score itself.

    Parameters
    ----------
    threshold : float
        Minimised value low enough to stop.

    Examples
    --------
    >>> from hptune.callbacks import ThresholdStopper
    >>> stopper = ThresholdStopper(threshold=0.1)
    >>> stopper({"func_vals": [0.5, 0.3]}), stopper({"func_vals": [0.5, 0.3, 0.08]})
    (False, True)
    """

    def __init__(self, threshold):
        self.threshold = threshold

    def __call__(self, result):
        check_real(type(self).__name__, "threshold", self.threshold)
        return bool(np.any(_func_vals(result) <= self.threshold))
