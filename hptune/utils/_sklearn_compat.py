"""Every private scikit-learn name hptune relies on, in one place.

A scikit-learn upgrade that moves or changes one of them breaks here first,
with one list to check. Private *functions and classes* are imported below
and only from here. Private *methods and attributes* cannot be imported;
hptune uses these, all of ``BaseSearchCV`` unless said otherwise:

* ``_validate_params`` (extended, see ``BaseHptuneSearchCV``);
* ``_run_search`` (overridden: the documented extension point),
  ``_check_input_parameters`` (overridden; called by ``fit`` from
  scikit-learn 1.7 on, see :data:`SEARCH_CHECKS_INPUTS`), ``_checked_cv_orig``
  (the checked splitter ``fit`` sets before calling it);
* ``_format_results``, ``_select_best_index``, ``_get_scorers``,
  ``_get_routed_params_for_fit``, ``_check_refit_for_multimetric`` (reused
  by ``PBTSearchCV``, which runs its own loop);
* ``_init_callback_context`` (scikit-learn >= 1.9 callbacks, looked up with
  ``getattr`` so older releases run without them);
* ``_MultimetricScorer._scorers`` (the scorers of a multi-metric scoring);
* ``_warn_or_raise_about_fit_failures``, a function of
  ``sklearn.model_selection._search`` that ``evaluate_candidates`` looks up
  on every call; :mod:`hptune.search._failures` replaces it by a hook that
  collects failures while an hptune search runs (see there);
* the closure of ``evaluate_candidates`` inside ``BaseSearchCV.fit``: the
  lists it accumulates (``all_candidate_params``, ``all_out``,
  ``all_more_results``) and the ``results`` it sets, which
  :func:`record_evaluations` extends with evaluations made by hptune's own
  training loop (:data:`RECORDS_EVALUATIONS` says whether it can).
"""

import inspect

from sklearn.base import _fit_context
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection import _search as sklearn_search_module
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._validation import _insert_error_scores, _score
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_method_params, _num_samples

__all__ = [
    "NON_FINITE_SCORES_WARNING",
    "SEARCH_CHECKS_INPUTS",
    "BaseSearchCV",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_MultimetricScorer",
    "_check_method_params",
    "_fit_context",
    "_insert_error_scores",
    "_num_samples",
    "_routing_enabled",
    "_safe_indexing",
    "_safe_split",
    "_score",
    "RECORDS_EVALUATIONS",
    "record_evaluations",
    "sklearn_search_module",
]

#: Whether ``BaseSearchCV.fit`` calls ``_check_input_parameters`` (with the
#: routed split params) before the search; older releases do not, and the
#: searches then do that step themselves (see ``BaseHptuneSearchCV``).
SEARCH_CHECKS_INPUTS = hasattr(BaseSearchCV, "_check_input_parameters")

#: Start of the warning ``BaseSearchCV._format_results`` emits on every call
#: when a score is NaN; a sequential search calls it once per batch.
NON_FINITE_SCORES_WARNING = "One or more of the test scores are non-finite"

# The variables of BaseSearchCV.fit that evaluate_candidates closes over and
# record_evaluations extends.
_RECORDED = ("all_candidate_params", "all_out", "all_more_results", "results")


def _closure_names():
    for const in inspect.unwrap(BaseSearchCV.fit).__code__.co_consts:
        if getattr(const, "co_name", None) == "evaluate_candidates":
            return set(const.co_freevars)
    return set()


#: Whether :func:`record_evaluations` can add evaluations to ``BaseSearchCV.fit``
#: (true from scikit-learn 0.24 to at least 1.9).
RECORDS_EVALUATIONS = set(_RECORDED) <= _closure_names()


def record_evaluations(evaluate_candidates, search, candidate_params, out, more_results):
    """Add evaluations made outside ``evaluate_candidates`` to the results of ``fit``.

    What ``evaluate_candidates`` does after its ``_fit_and_score`` calls, for
    ``out`` computed elsewhere (a search that continues training fitted
    models): check the failures, insert the error scores of a callable
    scoring, append to the results of the fit and format them all. Only
    valid when :data:`RECORDS_EVALUATIONS` is true.

    Parameters
    ----------
    evaluate_candidates : callable
        The function ``BaseSearchCV.fit`` gave to ``_run_search``.
    search : BaseSearchCV
        The search being fitted.
    candidate_params : list of dict
    out : list of dict
        ``_fit_and_score``-shaped results, candidate-major, ``n_splits_`` per
        candidate.
    more_results : dict of str to list
        Extra ``cv_results_`` columns of the candidates.

    Returns
    -------
    results : dict
        All results of the fit so far, in the ``cv_results_`` format.
    """
    cells = dict(zip(evaluate_candidates.__code__.co_freevars, evaluate_candidates.__closure__))
    sklearn_search_module._warn_or_raise_about_fit_failures(out, search.error_score)
    if callable(search.scoring):
        _insert_error_scores(out, search.error_score)
    all_params, all_out, all_more = (cells[name].cell_contents for name in _RECORDED[:3])
    all_params.extend(candidate_params)
    all_out.extend(out)
    for key, value in more_results.items():
        all_more[key].extend(value)
    results = search._format_results(all_params, search.n_splits_, all_out, all_more)
    cells["results"].cell_contents = results
    return results
