"""Refit rules: callables that choose a candidate other than the best-scoring one.

Each public function returns a small object that follows scikit-learn's
``refit=callable`` contract: called with ``cv_results_``, it returns the
index of the chosen candidate. The objects are plain classes rather than
closures so that a search holding one still pickles and clones, and their
repr is the call that made them.

All three rules share one shape: a set of acceptable candidates (within a
score tolerance of the best, or within a cost limit), then the first of
them by a list of sort keys, with the lower index as the last tie-break.
Candidates whose mean score is NaN or infinite (failed fits) are never
chosen.
"""

import math
import numbers

import numpy as np

from ._columns import (
    TIME_COLUMNS,
    best_finite,
    check_name,
    check_real,
    column,
    cost_column,
    metric_name,
    n_splits,
)

__all__ = ["best_within_cost", "cheapest_within_score", "one_standard_error"]


class _RefitRule:
    """Shared behaviour: the repr is the call that made the rule, equal calls are equal."""

    _factory = None  # the public function's name
    _positional = ()  # its positional parameters, then its keyword-only ones
    _keywords = ()

    def __init__(self, *values):
        # The factory has validated the values; they are stored as given.
        for name, value in zip(self._positional + self._keywords, values, strict=True):
            setattr(self, name, value)

    def _params(self):
        return tuple(getattr(self, name) for name in self._positional + self._keywords)

    def __repr__(self):
        args = [repr(getattr(self, name)) for name in self._positional]
        args += [f"{name}={getattr(self, name)!r}" for name in self._keywords]
        return f"{self._factory}({', '.join(args)})"

    def __eq__(self, other):
        return type(other) is type(self) and other._params() == self._params()

    def __hash__(self):
        return hash((type(self).__name__, self._params()))


def _scores_and_best(cv_results, metric):
    """Mean test scores of ``metric``, the metric's name, and the best candidate's index."""
    name = metric_name(cv_results, metric)
    scores = column(cv_results, f"mean_test_{name}")
    best = best_finite(scores)
    if best is None:
        raise ValueError(
            f"Every candidate's 'mean_test_{name}' is NaN or infinite (did every fit "
            "fail?); there is no candidate to choose."
        )
    return scores, name, best


def _standard_error(cv_results, name, index):
    """Standard error of candidate ``index``'s mean score: its std over sqrt(n_splits)."""
    std = column(cv_results, f"std_test_{name}")[index]
    return std / math.sqrt(n_splits(cv_results, name))


def _within(scores, best, tolerance):
    """Candidates with a finite mean score at least the best's minus ``tolerance``."""
    finite = np.isfinite(scores)
    within = finite & (np.where(finite, scores, -np.inf) >= scores[best] - tolerance)
    within[best] = True  # even when the tolerance itself is NaN
    return within


def _first(eligible, *keys):
    """Index of the eligible candidate that sorts first by ``keys``, then by index.

    Each key is an array of shape (n_candidates,); ``np.lexsort`` sorts by
    its last key first, hence the reversal.
    """
    index = np.flatnonzero(eligible)
    order = np.lexsort((index, *(key[index] for key in reversed(keys))))
    return int(index[order[0]])


def _param_values(cv_results, param, owner):
    """Values of ``param`` per candidate as floats, NaN where a candidate lacks it."""
    if "params" not in cv_results:
        raise ValueError("cv_results has no 'params' column.")
    values = np.full(len(cv_results["params"]), np.nan)
    for i, params in enumerate(cv_results["params"]):
        if param not in params:
            continue
        value = params[param]
        if not isinstance(value, numbers.Real):
            raise TypeError(
                f"{owner} orders candidates by {param!r}, which must be a number; "
                f"candidate {i} has {param}={value!r}. Choose a numeric parameter."
            )
        values[i] = value
    if np.isnan(values).all():
        raise ValueError(
            f"No candidate has the parameter {param!r}; the names in cv_results['params'] "
            f"are {sorted({k for p in cv_results['params'] for k in p})}."
        )
    return values


class _OneStandardError(_RefitRule):
    _factory = "one_standard_error"
    _positional = ("param",)
    _keywords = ("prefer", "metric")

    def __call__(self, cv_results):
        scores, name, best = _scores_and_best(cv_results, self.metric)
        values = _param_values(cv_results, self.param, self._factory)
        tolerance = _standard_error(cv_results, name, best)
        eligible = _within(scores, best, tolerance) & ~np.isnan(values)
        if not eligible.any():  # no candidate close to the best has the parameter
            return best
        key = values if self.prefer == "lower" else -values
        return _first(eligible, key, -scores)


def one_standard_error(param, *, prefer="lower", metric=None):
    """Refit rule: the simplest candidate within one standard error of the best.

    Read more in the :ref:`User Guide <selection>`.

    Among the candidates whose mean test score is at least the best mean
    score minus the best candidate's standard error, choose the one with the
    lowest (or highest) value of ``param``: the "one standard error rule" of
    Breiman et al. (1984) and Hastie, Tibshirani and Friedman (2009, sec.
    7.10). Pass the result as ``refit=`` of any scikit-learn search.

    Parameters
    ----------
    param : str
        The parameter that measures complexity, as a key of the candidates'
        parameter dicts (``"alpha"``, ``"clf__C"``). Its values must be
        numbers. Candidates that do not have it (in a list-of-dicts space)
        are skipped.
    prefer : {"lower", "higher"}, default="lower"
        Which end of ``param`` is simpler: "lower" for ``C``, ``max_depth``
        or ``n_components``, "higher" for a regularisation strength such as
        ``alpha``.
    metric : str or None, default=None
        The scorer to read, ``mean_test_<metric>``, for multi-metric scoring;
        None reads ``mean_test_score`` (single-metric scoring).

    Returns
    -------
    rule : callable
        Takes ``cv_results_`` and returns the index of the chosen candidate.
        It pickles, and its repr is this call.

    See Also
    --------
    cheapest_within_score : The cheapest candidate within a score tolerance.
    compare_to_best : Whether the best is significantly better than each candidate.

    Notes
    -----
    The standard error of the best candidate's mean is
    ``std_test_<metric> / sqrt(n_splits)``, with ``n_splits`` counted from the
    ``split<i>_test_<metric>`` columns. scikit-learn's ``std_test_score`` is
    the population standard deviation of the split scores, so the tolerance
    is slightly smaller than with the sample standard deviation; splits of
    repeated cross-validation are not independent, so it is a rule of thumb
    rather than a test (see :func:`compare_to_best` for one).

    Ties on ``param`` go to the higher mean score, then to the lower index.
    Candidates whose mean score is NaN (failed fits) are never chosen. When
    no candidate within the tolerance has ``param``, the best candidate is
    chosen.

    References
    ----------
    .. [1] L. Breiman, J. Friedman, R. Olshen and C. Stone, "Classification
       and Regression Trees", Wadsworth, 1984, sec. 3.4.3.
    .. [2] T. Hastie, R. Tibshirani and J. Friedman, "The Elements of
       Statistical Learning", 2nd ed., Springer, 2009, sec. 7.10.

    Examples
    --------
    >>> from hptune.selection import one_standard_error
    >>> cv_results = {
    ...     "params": [{"alpha": 0.01}, {"alpha": 0.1}, {"alpha": 1.0}],
    ...     "mean_test_score": [0.90, 0.89, 0.80],
    ...     "std_test_score": [0.02, 0.02, 0.02],
    ...     "split0_test_score": [0.92, 0.91, 0.82],
    ...     "split1_test_score": [0.88, 0.87, 0.78],
    ... }
    >>> rule = one_standard_error("alpha", prefer="higher")
    >>> rule
    one_standard_error('alpha', prefer='higher', metric=None)
    >>> rule(cv_results)  # 0.89 is within 0.02 / sqrt(2) of 0.90
    1
    """
    check_name("one_standard_error", "param", param)
    if prefer not in ("lower", "higher"):
        raise ValueError(
            "The 'prefer' parameter of one_standard_error must be a str among "
            f"{{'lower', 'higher'}}. Got {prefer!r} instead."
        )
    check_name("one_standard_error", "metric", metric, allow_none=True)
    return _OneStandardError(param, prefer, metric)


class _CostRule(_RefitRule):
    """A rule that weighs the mean score against a cost column."""

    _keywords = ("cost", "metric")

    @classmethod
    def _make(cls, value, cost, metric):
        """Check the shared parameters and build the rule (the factories' last step)."""
        check_name(cls._factory, "cost", cost)
        check_name(cls._factory, "metric", metric, allow_none=True)
        return cls(value, cost, metric)

    def _read(self, cv_results):
        """Mean scores, the metric's name, the best candidate and the costs."""
        scores, name, best = _scores_and_best(cv_results, self.metric)
        return scores, name, best, cost_column(cv_results, self.cost)


class _CheapestWithinScore(_CostRule):
    _factory = "cheapest_within_score"
    _positional = ("tolerance",)

    def __call__(self, cv_results):
        scores, name, best, costs = self._read(cv_results)
        tolerance = self.tolerance
        if tolerance == "one_standard_error":
            tolerance = _standard_error(cv_results, name, best)
        eligible = _within(scores, best, tolerance) & ~np.isnan(costs)
        if not eligible.any():  # the best candidate's own cost is NaN
            return best
        return _first(eligible, costs, -scores)


def cheapest_within_score(tolerance="one_standard_error", *, cost="fit_time", metric=None):
    """Refit rule: the cheapest candidate whose score is within a tolerance of the best.

    Read more in the :ref:`User Guide <selection>`.

    Among the candidates whose mean test score is at least the best mean
    score minus ``tolerance``, choose the one with the lowest cost: by
    default the fastest to fit. Pass the result as ``refit=`` of any
    scikit-learn search.

    Parameters
    ----------
    tolerance : float or "one_standard_error", default="one_standard_error"
        How much score to give up, in the metric's units (``0.01`` is one
        point of accuracy). "one_standard_error" uses the standard error of
        the best candidate's mean score, as :func:`one_standard_error` does.
    cost : str, default="fit_time"
        What to minimise: "fit_time" (``mean_fit_time``), "score_time"
        (``mean_score_time``) or the name of any numeric column of
        ``cv_results_``.
    metric : str or None, default=None
        The scorer to read, ``mean_test_<metric>``, for multi-metric scoring;
        None reads ``mean_test_score`` (single-metric scoring).

    Returns
    -------
    rule : callable
        The refit callable, which pickles and shows this call as its repr.

    See Also
    --------
    best_within_cost : The best candidate within a cost limit.
    one_standard_error : The simplest candidate within one standard error.

    Notes
    -----
    Ties on the cost go to the higher mean score, then to the lower index.
    Candidates whose mean score is NaN (failed fits) or whose cost is NaN
    are never chosen. Times measured while other jobs share the machine are
    noisy; a tolerance that admits many candidates of similar cost picks
    among them almost at random.

    Examples
    --------
    >>> from hptune.selection import cheapest_within_score
    >>> cv_results = {
    ...     "params": [{"n_estimators": 50}, {"n_estimators": 200}, {"n_estimators": 400}],
    ...     "mean_test_score": [0.85, 0.88, 0.89],
    ...     "mean_fit_time": [0.5, 2.0, 4.0],
    ... }
    >>> cheapest_within_score(0.02)(cv_results)
    1
    """
    if tolerance != "one_standard_error":
        check_real("cheapest_within_score", "tolerance", tolerance, low=0.0)
    return _CheapestWithinScore._make(tolerance, cost, metric)


class _BestWithinCost(_CostRule):
    _factory = "best_within_cost"
    _positional = ("max_cost",)

    def __call__(self, cv_results):
        scores, name, _, costs = self._read(cv_results)
        finite = np.isfinite(scores)
        eligible = finite & (costs <= self.max_cost)
        if not eligible.any():
            known = costs[finite & ~np.isnan(costs)]
            lowest = known.min() if known.size else np.nan
            column_name = TIME_COLUMNS.get(self.cost, self.cost)
            raise ValueError(
                f"No candidate with a finite 'mean_test_{name}' has {column_name} <= "
                f"{self.max_cost!r} (the lowest is {lowest:.4g}); raise max_cost."
            )
        return _first(eligible, -scores, costs)


def best_within_cost(max_cost, *, cost="fit_time", metric=None):
    """Refit rule: the best-scoring candidate whose cost is within a limit.

    Read more in the :ref:`User Guide <selection>`.

    Among the candidates whose cost is at most ``max_cost``, choose the one
    with the highest mean test score: for example the most accurate model
    that fits in under a second, or that predicts fast enough to serve.
    Pass the result as ``refit=`` of any scikit-learn search.

    Parameters
    ----------
    max_cost : float
        The largest acceptable cost, in the cost's units (seconds for the
        times).
    cost : str, default="fit_time"
        What is limited: "fit_time" (``mean_fit_time``, seconds per fit on
        a training split), "score_time" (``mean_score_time``, seconds to
        score a test split) or the name of any numeric column of
        ``cv_results_``.
    metric : str or None, default=None
        The scorer to read, ``mean_test_<metric>``, for multi-metric scoring;
        None reads ``mean_test_score`` (single-metric scoring).

    Returns
    -------
    rule : callable
        The refit callable, which pickles and shows this call as its repr.
        It raises a ValueError when no candidate with a finite score is
        within the limit.

    See Also
    --------
    cheapest_within_score : The cheapest candidate within a score tolerance.

    Notes
    -----
    Ties on the score go to the lower cost, then to the lower index.
    Candidates whose mean score is NaN (failed fits) are never chosen. The
    times in ``cv_results_`` are per split, measured on the training folds:
    refitting on all the data takes longer, and a loaded machine measures
    slower.

    Examples
    --------
    >>> from hptune.selection import best_within_cost
    >>> cv_results = {
    ...     "params": [{"n_estimators": 50}, {"n_estimators": 200}, {"n_estimators": 400}],
    ...     "mean_test_score": [0.85, 0.88, 0.89],
    ...     "mean_fit_time": [0.5, 2.0, 4.0],
    ... }
    >>> best_within_cost(3.0)(cv_results)
    1
    """
    check_real("best_within_cost", "max_cost", max_cost)
    return _BestWithinCost._make(max_cost, cost, metric)
