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
"""

import inspect
import math
import numbers
import time

import numpy as np

__all__ = ["DeadlineStopper", "NoImprovementStopper", "TargetScoreStopper"]


def _check_number(owner, name, value, low, *, integral=False, inclusive=False):
    kind = numbers.Integral if integral else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool) and not (
        isinstance(value, float) and math.isnan(value)
    )
    if ok:
        ok = value >= low if inclusive else value > low
    if not ok:
        what = "an int" if integral else "a number"
        bound = f"[{low}, inf)" if inclusive else f"({low}, inf)"
        raise ValueError(
            f"The '{name}' parameter of {owner} must be {what} in the range {bound}. "
            f"Got {value!r} instead."
        )


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
        _check_number(type(self).__name__, "total_time", self.total_time, 0)
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
        _check_number(owner, "patience", self.patience, 1, integral=True, inclusive=True)
        _check_number(owner, "min_delta", self.min_delta, 0, inclusive=True)
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
        if not isinstance(self.score, numbers.Real) or isinstance(self.score, bool):
            raise ValueError(
                f"The 'score' parameter of {type(self).__name__} must be a number. "
                f"Got {self.score!r} instead."
            )
        best = result.get("best_score")
        if best is None:
            fun = result.get("fun")
            best = math.nan if fun is None else -float(fun)
        return bool(not math.isnan(best) and best >= self.score)
