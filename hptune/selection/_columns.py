"""Reading the columns of a ``cv_results_`` dict, with errors that say what is missing.

Every function here takes the dict as scikit-learn's searches build it
(``GridSearchCV``, ``RandomizedSearchCV`` and hptune's searches alike):
``mean_test_<metric>``, ``std_test_<metric>``, ``split<i>_test_<metric>``,
``mean_fit_time``, ``mean_score_time`` and ``params``. Metric names follow
scikit-learn: ``"score"`` for single-metric scoring, the scorer's key for
multi-metric scoring.
"""

import numbers

import numpy as np

# Objectives and costs read from a timing column (minimised) rather than
# from a score (maximised).
TIME_COLUMNS = {"fit_time": "mean_fit_time", "score_time": "mean_score_time"}


def check_name(owner, name, value, *, allow_none=False):
    """Raise a TypeError unless ``value`` is a str (or None when allowed)."""
    if isinstance(value, str) or (allow_none and value is None):
        return
    kind = "a str or None" if allow_none else "a str"
    raise TypeError(f"The '{name}' parameter of {owner} must be {kind}. Got {value!r} instead.")


def check_real(owner, name, value, *, low=None, inclusive=True):
    """Raise a ValueError unless ``value`` is a real number, not NaN, above ``low`` if given."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not np.isnan(value)
    if ok and low is not None:
        ok = value >= low if inclusive else value > low
    if not ok:
        what = "a number" if low is None else "a number in the range "
        if low is not None:
            what += f"{'[' if inclusive else '('}{low:g}, inf)"
        raise ValueError(
            f"The '{name}' parameter of {owner} must be {what}. Got {value!r} instead."
        )


def metrics(cv_results):
    """Metric names that have a ``mean_test_<name>`` column, in the dict's order."""
    return [key[len("mean_test_") :] for key in cv_results if key.startswith("mean_test_")]


def metric_name(cv_results, metric):
    """The metric that ``metric`` (None for single-metric scoring) names; checked."""
    name = "score" if metric is None else metric
    if f"mean_test_{name}" in cv_results:
        return name
    found = metrics(cv_results)
    if metric is None:
        fix = f"pass metric= one of {found}" if found else "is it a cv_results_ dict?"
        raise ValueError(
            f"cv_results has no 'mean_test_score' column (multi-metric scoring?); {fix}."
        )
    raise ValueError(f"cv_results has no 'mean_test_{name}' column; metrics found: {found}.")


def column(cv_results, key):
    """``cv_results[key]`` as a float array of shape (n_candidates,)."""
    try:
        return np.asarray(cv_results[key], dtype=float)
    except KeyError:
        raise ValueError(f"cv_results has no {key!r} column.") from None
    except (TypeError, ValueError) as err:
        raise ValueError(f"The {key!r} column of cv_results is not numeric.") from err


def mean_scores(cv_results, metric):
    """Mean test scores of ``metric`` (see :func:`metric_name`), shape (n_candidates,)."""
    return column(cv_results, f"mean_test_{metric_name(cv_results, metric)}")


def n_splits(cv_results, name):
    """Number of ``split<i>_test_<name>`` columns, counted from 0 until one is missing."""
    k = 0
    while f"split{k}_test_{name}" in cv_results:
        k += 1
    if k == 0:
        raise ValueError(
            f"cv_results has no per-split columns 'split0_test_{name}', "
            f"'split1_test_{name}', ...; they are needed to count the splits."
        )
    return k


def split_scores(cv_results, name):
    """Per-split test scores of the checked metric ``name``, shape (n_candidates, n_splits)."""
    k = n_splits(cv_results, name)
    return np.stack([column(cv_results, f"split{i}_test_{name}") for i in range(k)], axis=1)


def cost_column(cv_results, cost):
    """The values of a cost (``"fit_time"``, ``"score_time"`` or any numeric column)."""
    return column(cv_results, TIME_COLUMNS.get(cost, cost))


def best_finite(scores):
    """Index of the highest finite score (the first on ties), or None if none is finite."""
    finite = np.isfinite(scores)
    if not finite.any():
        return None
    return int(np.argmax(np.where(finite, scores, -np.inf)))
