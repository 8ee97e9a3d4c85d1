"""The one module that touches scikit-learn's private names.

Keeping them here means a scikit-learn upgrade that moves a private helper
breaks one file, with one obvious fix.
"""

import threading
from contextlib import contextmanager

from sklearn.model_selection import _search as _sk_search
from sklearn.utils._param_validation import Interval, StrOptions  # noqa: F401

__all__ = ["Interval", "StrOptions", "tolerate_failed_batches"]

_local = threading.local()
_original_warn_or_raise = _sk_search._warn_or_raise_about_fit_failures


def _warn_or_raise(results, error_score):
    """scikit-learn's check, unless this thread runs a sequential hptune search.

    ``BaseSearchCV`` raises "All the N fits failed" as soon as every fit of one
    ``evaluate_candidates`` call failed. That is right for ``GridSearchCV``,
    which evaluates everything in one call, but a sequential search evaluates
    one small batch at a time: one bad candidate would abort the search and
    lose its result. hptune checks for all-failed over the whole search instead
    (see ``BaseHptuneSearchCV``), so within its searches only the warning for
    partial failures is kept.
    """
    if not getattr(_local, "tolerate", False):
        return _original_warn_or_raise(results, error_score)
    if any(r["fit_error"] is None for r in results):
        return _original_warn_or_raise(results, error_score)
    _local.failed_batches.extend(results)
    return None


_sk_search._warn_or_raise_about_fit_failures = _warn_or_raise


@contextmanager
def tolerate_failed_batches():
    """Within the block, a batch whose fits all failed does not raise.

    Yields a list that collects the per-fit results of such batches, so the
    caller can raise scikit-learn's own error when every batch failed.
    """
    previous = getattr(_local, "tolerate", False), getattr(_local, "failed_batches", None)
    _local.tolerate, _local.failed_batches = True, []
    try:
        yield _local.failed_batches
    finally:
        _local.tolerate, _local.failed_batches = previous


def raise_all_fits_failed(all_results, error_score):
    """Raise scikit-learn's "All the N fits failed" error for ``all_results``."""
    _original_warn_or_raise(all_results, error_score)
