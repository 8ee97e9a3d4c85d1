"""Is the best candidate really better? The corrected resampled t-test.

Notation, for one candidate compared with the best: ``d`` of shape (k,)
holds the differences of their test scores split by split (best minus
candidate), ``k`` is the number of splits, ``n_train`` and ``n_test`` the
sizes of a training and a test set. Nadeau and Bengio (2003, sec. 5,
the "corrected resampled t-test") replace the variance of the mean
difference, ``var(d) / k``, by

    (1 / k + n_test / n_train) * var(d)

because the splits share training data: their scores are positively
correlated, and the naive ``1 / k`` makes every difference look
significant. The statistic ``t = mean(d) / sqrt(that)`` is compared with
Student's t distribution with ``k - 1`` degrees of freedom.
"""

import numbers

import numpy as np
from scipy import stats

from ._columns import best_finite, check_real, column, metric_name, split_scores

__all__ = ["compare_to_best"]

_OWNER = "compare_to_best"


def _test_train_ratio(n_train, n_test, k):
    """``n_test / n_train``, or ``1 / (k - 1)`` (k-fold) when neither is given."""
    if (n_train is None) != (n_test is None):
        raise ValueError(
            f"{_OWNER} needs both n_train and n_test, or neither; got n_train={n_train!r} "
            f"and n_test={n_test!r}. Give the numbers of training and test samples per split."
        )
    if n_train is None:
        return 1.0 / (k - 1)
    check_real(_OWNER, "n_train", n_train, low=0, inclusive=False)
    check_real(_OWNER, "n_test", n_test, low=0, inclusive=False)
    return n_test / n_train


def _best_complete(means, complete, best_index):
    """The candidate the others are compared with: checked ``best_index``, or the best mean."""
    if best_index is None:
        return best_finite(np.where(complete, means, np.nan))
    n = len(means)
    if not isinstance(best_index, numbers.Integral) or not 0 <= best_index < n:
        raise ValueError(
            f"The 'best_index' parameter of {_OWNER} must be an int in the range "
            f"[0, {n - 1}] or None. Got {best_index!r} instead."
        )
    if not complete[best_index]:
        raise ValueError(
            f"Candidate best_index={best_index} has a NaN or infinite split score (a failed "
            "fit); compare with a candidate whose every split was scored."
        )
    return int(best_index)


def compare_to_best(cv_results, *, metric=None, n_train=None, n_test=None, best_index=None):
    """Test whether the best candidate beats each other one (corrected resampled t-test).

    Read more in the :ref:`User Guide <selection>`.

    For each candidate, the one-sided p-value of "the best candidate's mean
    test score is higher than this candidate's", from the paired per-split
    scores, with Nadeau and Bengio's (2003) correction for the overlap
    between training sets. A large p-value means that the data cannot tell
    the two apart.

    Parameters
    ----------
    cv_results : dict
        The ``cv_results_`` of a search (scikit-learn's or hptune's), with
        its ``split<i>_test_<metric>`` columns.
    metric : str or None, default=None
        The scorer to compare on, for multi-metric scoring; None reads the
        ``split<i>_test_score`` columns (single-metric scoring).
    n_train : float or None, default=None
        Number of training samples per split (their mean when the splits
        differ). Give it with ``n_test`` for repeated or shuffled splitters
        (``RepeatedKFold``, ``ShuffleSplit``); when both are None, the splits
        are taken to be the k folds of one k-fold, so that
        ``n_test / n_train = 1 / (k - 1)``.
    n_test : float or None, default=None
        Number of test samples per split (their mean when the splits
        differ); see ``n_train``.
    best_index : int or None, default=None
        The candidate to compare with, for example the ``best_index_`` that a
        ``refit`` callable chose. None takes the highest
        ``mean_test_<metric>`` among the candidates without failed splits
        (the first on ties, as ``rank_test_<metric>`` orders them).

    Returns
    -------
    p_values : ndarray of shape (n_candidates,)
        One p-value per candidate: 1.0 for the best candidate itself (there
        is no evidence that it beats itself), NaN for candidates with a NaN
        or infinite split score (failed fits), and all NaN when no candidate
        has all its splits.

    See Also
    --------
    one_standard_error : A rule of thumb in the same spirit, as a refit rule.

    Notes
    -----
    The test statistic for a candidate is
    ``t = mean(d) / sqrt((1 / k + n_test / n_train) * var(d))``, where ``d``
    holds the best candidate's split scores minus the candidate's, ``var``
    is the sample variance and ``k`` the number of splits; the p-value is
    ``P(T >= t)`` for Student's ``T`` with ``k - 1`` degrees of freedom.
    When ``var(d)`` is 0 the p-value is 0 if ``mean(d) > 0`` and 1
    otherwise.

    The correction makes the test conservative rather than exact, and it
    needs several splits to have any power: with 5 folds, only large
    differences come out significant; repeated cross-validation helps (give
    ``n_train`` and ``n_test`` then). The p-values are not corrected for
    comparing many candidates; divide the significance level by the number
    of comparisons (Bonferroni) if you read them as a family.

    References
    ----------
    .. [1] C. Nadeau and Y. Bengio, "Inference for the generalization
       error", Machine Learning 52(3), 2003, pp. 239-281.
    .. [2] R. Bouckaert and E. Frank, "Evaluating the replicability of
       significance tests for comparing learning algorithms", PAKDD 2004,
       pp. 3-12.

    Examples
    --------
    >>> from hptune.selection import compare_to_best
    >>> cv_results = {
    ...     "mean_test_score": [0.86, 0.85, 0.82],
    ...     "split0_test_score": [0.88, 0.86, 0.83],
    ...     "split1_test_score": [0.84, 0.85, 0.80],
    ...     "split2_test_score": [0.86, 0.84, 0.82],
    ...     "split3_test_score": [0.87, 0.85, 0.84],
    ...     "split4_test_score": [0.85, 0.85, 0.81],
    ... }
    >>> compare_to_best(cv_results).round(3)  # 0.85 may be as good; 0.82 is not
    array([1.   , 0.176, 0.001])
    """
    name = metric_name(cv_results, metric)
    S = split_scores(cv_results, name)
    n, k = S.shape
    if k < 2:
        raise ValueError(
            f"{_OWNER} needs at least 2 splits to estimate a variance; cv_results has 1 "
            f"('split0_test_{name}')."
        )
    ratio = _test_train_ratio(n_train, n_test, k)
    complete = np.isfinite(S).all(axis=1)
    p_values = np.full(n, np.nan)
    best = _best_complete(column(cv_results, f"mean_test_{name}"), complete, best_index)
    if best is None:
        return p_values
    d = S[best] - S[complete]
    mean = d.mean(axis=1)
    scale = np.sqrt((1.0 / k + ratio) * d.var(axis=1, ddof=1))
    # Without variance the sign of the mean decides: t = +inf or -inf.
    t = np.divide(mean, scale, out=np.where(mean > 0, np.inf, -np.inf), where=scale > 0)
    p_values[complete] = stats.t.sf(t, df=k - 1)
    p_values[best] = 1.0
    return p_values
