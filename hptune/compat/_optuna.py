"""``OptunaSearchCV`` with Optuna's signature, run by ``BayesSearchCV``.

Optuna's scikit-learn search takes ``param_distributions``, ``n_trials`` and
``timeout`` where ``BayesSearchCV`` takes ``search_spaces``, ``n_iter`` and
``max_time``. This subclass stores Optuna's parameters (so ``get_params``,
``clone`` and ``set_params`` speak Optuna's names) and reads hptune's names
through properties, so that the search itself is ``BayesSearchCV``'s code,
not a second implementation. Parameters that hptune cannot honour with the
same meaning (a study, pruning, subsampling, Optuna's study callbacks) are
refused before the first fit with the way to get the same result.
"""

import inspect
from numbers import Integral, Real

import numpy as np

from ..search import BayesSearchCV
from ..utils._sklearn_compat import Interval

__all__ = ["OptunaSearchCV"]


class OptunaSearchCV(BayesSearchCV):
    """Bayesian search with the signature of Optuna's ``OptunaSearchCV``.

    Code written for ``optuna_integration.OptunaSearchCV`` runs with only the
    import changed; the search is :class:`~hptune.BayesSearchCV` (a
    Gaussian process over the space, scikit-learn's ``cv_results_``,
    ``best_*`` and refit). Optuna distributions (``FloatDistribution``,
    ``IntDistribution``, ``CategoricalDistribution`` and the older ones) are
    read as they are, without importing Optuna.

    Read more in the :ref:`migration guide <from_optuna>`.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune.
    param_distributions : dict
        Parameter names mapped to Optuna distributions, or to anything
        :class:`~hptune.BayesSearchCV` accepts (hptune dimensions, tuples,
        lists, scipy.stats distributions).
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (5-fold when None).
    enable_pruning : bool, default=False
        Must be False: per-trial pruning is not how hptune stops poor
        candidates early. Use :class:`~hptune.HyperbandSearchCV` (with
        ``resource="max_iter"`` or ``"n_samples"``) for that.
    error_score : "raise" or float, default=np.nan
        Score of a failed fit; ``"raise"`` raises the error.
    max_iter : int, default=1000
        Used by Optuna only with pruning; accepted and unused here.
    n_jobs : int, default=None
        Parallel fits (candidates times folds).
    n_trials : int, default=10
        The number of candidates evaluated (``BayesSearchCV``'s ``n_iter``).
        Must be an int: unlike Optuna, hptune does not run without a count
        until ``timeout``; give a large ``n_trials`` and a ``timeout``.
    random_state : int, RandomState instance or None, default=None
        Seed of the search; the same seed gives the same results.
    refit : bool, str or callable, default=True
        As in scikit-learn.
    return_train_score : bool, default=False
        Also score the training folds.
    scoring : str, callable, list, tuple or dict, default=None
        As in scikit-learn.
    study : None, default=None
        Must be None: hptune keeps no Optuna study. To continue a search, use
        ``BayesSearchCV(warm_start=True)`` or its ``checkpoint``.
    subsample : float or int, default=1.0
        Must be 1.0 (all samples): a search on a subsample is a different
        search; pass the subsample to ``fit``, or use
        :class:`~hptune.HyperbandSearchCV` with ``resource="n_samples"``.
    timeout : float, default=None
        Seconds after which no new candidate is started
        (``BayesSearchCV``'s ``max_time``).
    verbose : int, default=0
        Progress lines: one per candidate from 1.
    callbacks : None, default=None
        Must be None: Optuna's callbacks receive a study and a trial, which
        hptune does not have. Pass hptune or scikit-optimize callbacks to
        ``fit(callback=...)`` instead.
    catch : exception class or tuple of them, default=()
        Accepted for compatibility: every failed fit already gets
        ``error_score`` and the search goes on (``error_score="raise"``
        stops it).

    Attributes
    ----------
    n_trials_ : int
        The number of candidates evaluated.
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, \
scorer_, n_splits_, refit_time_, multimetric_, optimizer_results_ : see \
:class:`~hptune.BayesSearchCV`
        As in ``BayesSearchCV``. Optuna's ``study_``, ``trials_``,
        ``best_trial_`` and ``user_attrs_`` do not exist.

    See Also
    --------
    hptune.BayesSearchCV : The same search with hptune's parameter names.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune.compat import OptunaSearchCV
    >>> from hptune.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = OptunaSearchCV(SVC(), {"C": Real(1e-2, 1e2, "log-uniform")},
    ...                         n_trials=6, cv=3, random_state=0).fit(X, y)
    >>> search.n_trials_
    6
    """

    _parameter_constraints: dict = {
        **BayesSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "enable_pruning": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_trials": [Interval(Integral, 1, None, closed="left"), None],
        "study": [object, None],
        "subsample": [Interval(Real, 0, None, closed="neither")],
        "timeout": [Interval(Real, 0, None, closed="neither"), None],
        "catch": [object],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        cv=None,
        enable_pruning=False,
        error_score=np.nan,
        max_iter=1000,
        n_jobs=None,
        n_trials=10,
        random_state=None,
        refit=True,
        return_train_score=False,
        scoring=None,
        study=None,
        subsample=1.0,
        timeout=None,
        verbose=0,
        callbacks=None,
        catch=(),
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.cv = cv
        self.enable_pruning = enable_pruning
        self.error_score = error_score
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.n_trials = n_trials
        self.random_state = random_state
        self.refit = refit
        self.return_train_score = return_train_score
        self.scoring = scoring
        self.study = study
        self.subsample = subsample
        self.timeout = timeout
        self.verbose = verbose
        self.callbacks = callbacks
        self.catch = catch

    @property
    def search_spaces(self):
        """``param_distributions``, under BayesSearchCV's name."""
        return self.param_distributions

    @property
    def n_iter(self):
        """``n_trials``, under BayesSearchCV's name."""
        return self.n_trials

    @property
    def max_time(self):
        """``timeout``, under BayesSearchCV's name."""
        return self.timeout

    def _check_params(self, X, y):
        self._refuse_optuna_only()
        super()._check_params(X, y)

    def _refuse_optuna_only(self):
        """Optuna's parameters hptune cannot honour, refused with the way to do it."""
        name = type(self).__name__
        if self.n_trials is None:
            raise ValueError(
                f"n_trials=None (until timeout) is not supported by hptune's {name}: the "
                "Gaussian process needs a budget. Pass n_trials=<int>, with timeout=<seconds> "
                "as the limit on time."
            )
        if self.enable_pruning:
            raise ValueError(
                f"enable_pruning=True is not supported by {name}. To stop poor candidates "
                "early, use hptune.HyperbandSearchCV(resource='max_iter' or 'n_samples')."
            )
        if self.study is not None:
            raise ValueError(
                f"study={self.study!r} is not supported by {name}: hptune keeps no Optuna "
                "study. To continue a search, use hptune.BayesSearchCV(warm_start=True) or "
                "its checkpoint parameter."
            )
        if self.subsample != 1.0:
            raise ValueError(
                f"subsample={self.subsample!r} is not supported by {name}. Pass the subsample "
                "to fit, or use hptune.HyperbandSearchCV(resource='n_samples')."
            )
        if self.callbacks is not None:
            raise ValueError(
                f"callbacks={self.callbacks!r} is not supported by {name}: Optuna's callbacks "
                "receive a study and a trial. Pass hptune (or scikit-optimize) callbacks to "
                "fit(callback=...) instead."
            )

    def _after_search(self, results):
        super()._after_search(results)
        self.n_trials_ = len(results["params"])


def _inherit_bayes_defaults(cls):
    """BayesSearchCV's parameters that Optuna's signature lacks, at their defaults.

    Set as class attributes (not parameters of ``cls``, so ``get_params`` and
    ``clone`` see only Optuna's names), read from BayesSearchCV's signature so
    that a parameter added there is never missing here.
    """
    own = set(inspect.signature(cls.__init__).parameters) | set(vars(cls))
    for name, param in inspect.signature(BayesSearchCV.__init__).parameters.items():
        if name not in own and param.default is not inspect.Parameter.empty:
            setattr(cls, name, param.default)


_inherit_bayes_defaults(OptunaSearchCV)
