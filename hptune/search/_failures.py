"""Failed fits and non-finite scores, reported once per search as GridSearchCV does.

``GridSearchCV`` evaluates all its candidates in one call of
``evaluate_candidates``, so scikit-learn checks fit failures once: it raises
"All the N fits failed" when every fit failed and warns otherwise, and it
warns once when a score is not finite. hptune's searches evaluate one batch
per call, where the same checks would abort a search because one small batch
failed (losing everything evaluated before it) and repeat the warnings after
every batch. Within an hptune search both are collected instead, and
reported once over the whole search, so the outcome is the one
``GridSearchCV`` gives for the same candidates.
"""

import threading
import warnings
from contextlib import contextmanager

from ..utils._sklearn_compat import NON_FINITE_SCORES_WARNING, sklearn_search_module

__all__ = ["collect_fit_failures", "defer_non_finite_warning", "emit_held", "report_fit_failures"]

_local = threading.local()
# scikit-learn's check, looked up by name in its module on every call of
# evaluate_candidates; kept to run it once at the end of a search.
_check_fit_failures = sklearn_search_module._warn_or_raise_about_fit_failures


def _collect_or_check(results, error_score):
    """scikit-learn's check, or, while this thread runs an hptune search, collection."""
    collected = getattr(_local, "collected", None)
    if collected is None:
        return _check_fit_failures(results, error_score)
    collected.extend(results)
    return None


@contextmanager
def collect_fit_failures():
    """Collect the per-fit results of ``evaluate_candidates`` calls in this block.

    Yields the list receiving them, for :func:`report_fit_failures` at the end
    of the search. The hook that collects them replaces scikit-learn's check
    in ``sklearn.model_selection._search`` and stays installed: outside a
    block it runs scikit-learn's check unchanged, and the list is
    thread-local, so searches running in other threads are unaffected.
    """
    sklearn_search_module._warn_or_raise_about_fit_failures = _collect_or_check
    previous = getattr(_local, "collected", None)
    _local.collected = []
    try:
        yield _local.collected
    finally:
        _local.collected = previous


def report_fit_failures(results, error_score, describe):
    """scikit-learn's failure report over all ``results`` of a search.

    It warns when some fits failed and raises when all did; the error then
    also names the first failure, which ``describe(i)`` (the candidate and
    split of ``results[i]``) locates.

    Parameters
    ----------
    results : list of dict
        ``_fit_and_score``-shaped results of every fit of the search.
    error_score : "raise" or float
    describe : callable
        ``describe(i) -> str`` for the ``i``-th result.
    """
    if not results:
        return
    try:
        _check_fit_failures(results, error_score)
    except ValueError as err:
        message = str(err)
        head = f"All the {len(results)} fits failed.\n"
        if head not in message:
            raise
        i = next(i for i, r in enumerate(results) if r["fit_error"] is not None)
        lines = [line for line in results[i]["fit_error"].splitlines() if line.strip()]
        first = f"The first failure ({describe(i)}) raised {lines[-1].strip()}\n"
        raise ValueError(message.replace(head, head + first, 1)) from err


@contextmanager
def defer_non_finite_warning(held):
    """Hold back scikit-learn's "non-finite scores" warning raised in the block.

    ``BaseSearchCV`` warns every time it formats results with a NaN score,
    so a sequential search would repeat it after every batch. Each block
    formats all the results so far, so the latest block decides: ``held``
    (a list) is replaced by the warning it raised, or emptied when it raised
    none, and the search emits what is held once at its end. Every other
    warning is re-emitted unchanged.
    """
    with warnings.catch_warnings(record=True) as caught:
        # "always" only records every warning here; nothing is silenced, since
        # everything but the deferred warning is re-emitted below.
        warnings.simplefilter("always")
        yield
    held.clear()
    for w in caught:
        if issubclass(w.category, UserWarning) and str(w.message).startswith(NON_FINITE_SCORES_WARNING):
            held[:] = [w]
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def emit_held(held):
    """Emit the warning kept by :func:`defer_non_finite_warning`, if any."""
    for w in held:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    held.clear()
