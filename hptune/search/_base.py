"""What every hptune search is: a ``BaseSearchCV`` with one :class:`SearchRun` per fit.

:class:`BaseHptuneSearchCV` holds what the three searches share as
scikit-learn estimators: the constraints of the shared parameters
(``random_state``, ``callbacks``, ``max_time``, ``checkpoint``), the tags,
and the hooks through which the fit's :class:`~hptune.search._run.SearchRun`
asks a search for its own checks and checkpoint state. How a search proposes
and evaluates candidates is in its subclass: :mod:`._ask_tell` for Bayes and
evolution (scikit-learn's ``evaluate_candidates``), :mod:`._pbt_search` for
PBT (its own loop over models kept alive between steps).
"""

import os
from numbers import Integral, Real

import numpy as np
from scipy.stats import rankdata
from sklearn.utils import get_tags

from ..selection import compare_to_best
from ..selection._columns import metrics
from ..selection._pareto import objective_values
from ..strategies._multiobjective_sort import pareto_ranks
from ..utils._sklearn_compat import BaseSearchCV, Interval, InvalidParameterError

__all__ = ["BaseHptuneSearchCV", "objective_key"]


def objective_key(refit, results):
    """The ``cv_results_`` column that a search maximises.

    The single metric's ``mean_test_score``; with several metrics, the one
    ``refit`` names, else the first (``refit`` is then a callable or False).
    """
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    return next(k for k in results if k.startswith("mean_test_"))


class BaseHptuneSearchCV(BaseSearchCV):
    """Base class of hptune's searches (not for direct use)."""

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "random_state": ["random_state"],
        "callbacks": [list, callable, None],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "checkpoint": [str, os.PathLike, None],
        "warm_start": ["boolean"],
        "initial_points": [list, None],
    }

    # Parameters a search cannot honour, mapped to the reason (the shared
    # check in SearchRun refuses them before the first fit).
    _unsupported: dict = {}
    # Parameters that only say how far the search goes: a warm start may
    # change them (and the budgets of (dict, n_iter) sub-spaces).
    _budget_params = ("n_iter", "n_generations")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # BaseSearchCV does not pass on the target tags, so a search over a
        # multi-output regressor would claim to be single-output only.
        sub = get_tags(self.estimator).target_tags
        tags.target_tags.multi_output = sub.multi_output
        tags.target_tags.single_output = sub.single_output
        tags.target_tags.required = sub.required
        # The strategies work on numpy; array API inputs are not tested.
        tags.array_api_support = False
        return tags

    def _validate_params(self):
        # scikit-learn's Interval(Integral, ...) accepts True as 1; a count or
        # a size given as a bool is a mistake, refused with the same message.
        super()._validate_params()
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name)
            counts = [
                str(c) if isinstance(c, Interval) else "an int"
                for c in constraints
                if c is Integral or (isinstance(c, Interval) and c.type is Integral)
            ]
            if counts and isinstance(value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be {counts[0]}. "
                    f"Got {value!r} instead."
                )

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        results = super()._format_results(candidate_params, n_splits, out, more_results)
        # scikit-optimize's BayesSearchCV also ranks the train scores; code
        # migrating from it reads rank_train_<metric>. Ranked as scikit-learn
        # ranks the test scores: ties share the best rank, failures come last.
        for key in [k for k in results if k.startswith("mean_train_")]:
            means = np.asarray(results[key], dtype=float)
            if np.isnan(means).all():
                ranks = np.ones(len(means), dtype=np.int32)
            else:
                means = np.nan_to_num(means, nan=np.nanmin(means) - 1)
                ranks = rankdata(-means, method="min").astype(np.int32)
            results[f"rank_train_{key[len('mean_train_'):]}"] = ranks
        for metric in metrics(results):
            results[f"pvalue_best_{metric}"] = self._tie_pvalues(results, metric, n_splits)
        objectives = self._objective_names()
        if objectives is not None:
            results["pareto_rank"] = self._pareto_ranks(results, objectives)
        return results

    def _tie_pvalues(self, results, metric, n_splits):
        """``pvalue_best_<metric>``: each candidate against the best, by the corrected t-test.

        The ratio of test to training samples comes from the splits of the
        fit when the search keeps them, else from k-fold (``1 / (k - 1)``).
        """
        if n_splits < 2:  # no variance to estimate
            return np.full(len(results["params"]), np.nan)
        splits = getattr(getattr(getattr(self, "_run", None), "cv", None), "splits", None)
        sizes = {}
        if splits:
            sizes["n_train"] = float(np.mean([len(train) for train, _ in splits]))
            sizes["n_test"] = float(np.mean([len(test) for _, test in splits]))
        return compare_to_best(results, metric=metric, **sizes)

    def _pareto_ranks(self, results, objectives):
        """The ``pareto_rank`` column (a hook)."""
        F = -objective_values(results, objectives, type(self).__name__)
        return pareto_ranks(F).astype(np.int32)

    def _objective_names(self):
        """The objectives of a multi-objective search, None for one score (a hook)."""
        return None

    def _check_y(self, y):
        """Refuse a missing target that the estimator requires."""
        if y is None and get_tags(self.estimator).target_tags.required:
            raise ValueError(
                f"{type(self.estimator).__name__} requires y to be passed, but the target y is None."
            )

    def _check_params(self, X, y):
        """Cross-parameter checks of one search, run before anything else in ``fit``."""

    def _search_state(self):
        """Search-level state (beyond the strategy's) that a checkpoint keeps."""
        return {}

    def _load_search_state(self, state):
        """Restore :meth:`_search_state` output when resuming."""
