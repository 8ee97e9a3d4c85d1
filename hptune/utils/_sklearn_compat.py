"""The one module that touches scikit-learn's private names.

Keeping them here means a scikit-learn upgrade that moves a private helper
breaks one file, with one obvious fix.
"""

import threading
from contextlib import contextmanager

from sklearn.base import _fit_context
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection import _search as _sk_search
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._validation import _insert_error_scores, _score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_method_params, _num_samples

__all__ = [
    "NON_FINITE_SCORES_WARNING",
    "SEARCH_CHECKS_INPUTS",
    "BaseSearchCV",
    "Interval",
    "StrOptions",
    "_MultimetricScorer",
    "_check_method_params",
    "_fit_context",
    "_insert_error_scores",
    "_num_samples",
    "_routing_enabled",
    "_safe_split",
    "_score",
    "deferred_fit_failures",
    "report_fit_failures",
]

#: Whether ``BaseSearchCV.fit`` calls ``_check_input_parameters`` (with the
#: routed split parameters) before the search; older releases do not, and the
#: searches then do that step themselves (see ``BaseHptuneSearchCV``).
SEARCH_CHECKS_INPUTS = hasattr(BaseSearchCV, "_check_input_parameters")

#: Start of the warning ``BaseSearchCV._format_results`` emits on every call
#: when a score is NaN; a sequential search calls it once per batch.
NON_FINITE_SCORES_WARNING = "One or more of the test scores are non-finite"

_local = threading.local()
_original_warn_or_raise = _sk_search._warn_or_raise_about_fit_failures


def _warn_or_raise(results, error_score):
    """scikit-learn's check, deferred while this thread runs an hptune search.

    ``BaseSearchCV`` checks fit failures on every ``evaluate_candidates`` call:
    it raises "All the N fits failed" when every fit of the call failed, and
    warns otherwise. ``GridSearchCV`` makes one call, so it reports once over
    all candidates. A sequential search makes one call per small batch, where
    one bad candidate would abort the search and lose its results. Within an
    hptune search the per-call results are collected instead, and the same
    check runs once over the whole search (:func:`report_fit_failures`), so
    the outcome is the one ``GridSearchCV`` gives for the same candidates.
    """
    collected = getattr(_local, "collected", None)
    if collected is None:
        return _original_warn_or_raise(results, error_score)
    collected.extend(results)
    return None


_sk_search._warn_or_raise_about_fit_failures = _warn_or_raise


@contextmanager
def deferred_fit_failures():
    """Collect per-fit results instead of checking failures batch by batch.

    Yields the list that receives every fit result of the block, to pass to
    :func:`report_fit_failures` at the end of the search.
    """
    previous = getattr(_local, "collected", None)
    _local.collected = []
    try:
        yield _local.collected
    finally:
        _local.collected = previous


def report_fit_failures(results, error_score):
    """scikit-learn's failure report over all ``results`` of a search."""
    if results:
        _original_warn_or_raise(results, error_score)


# -- PBTSearchCV ---------------------------------------------------------------
# PBTSearchCV keeps fitted models alive between training steps, so it runs its
# own (member, fold) loop; these are the pieces of scikit-learn's search and
# cross-validation machinery it reuses for splitting, scoring and formatting.
from sklearn.base import _fit_context  # noqa: E402
from sklearn.metrics._scorer import _MultimetricScorer  # noqa: E402
from sklearn.model_selection._search import BaseSearchCV  # noqa: E402
from sklearn.model_selection._validation import _insert_error_scores, _score  # noqa: E402
from sklearn.utils.metadata_routing import _routing_enabled  # noqa: E402
from sklearn.utils.metaestimators import _safe_split  # noqa: E402
from sklearn.utils.validation import _check_method_params, _num_samples  # noqa: E402

__all__ += [
    "BaseSearchCV",
    "_MultimetricScorer",
    "_check_method_params",
    "_fit_context",
    "_insert_error_scores",
    "_num_samples",
    "_routing_enabled",
    "_safe_split",
    "_score",
]


# -- Checkpoints ---------------------------------------------------------------
# The data fingerprint of a checkpoint hashes a strided sample of rows of X and
# y, whatever their container (array, sparse matrix, DataFrame, list).
from sklearn.utils import _safe_indexing  # noqa: E402

__all__ += ["_safe_indexing"]
