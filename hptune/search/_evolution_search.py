"""``EvolutionSearchCV``: evolutionary search behind scikit-learn's search API."""

import math
from numbers import Integral, Real

import numpy as np

from ..strategies._evolution import EvolutionOptimizer
from ..utils._sklearn_compat import Interval, StrOptions
from ._base import BaseHptuneSearchCV, _objective_key

__all__ = ["EvolutionSearchCV"]

_HISTORY_KEYS = ("generation", "n_evaluations", "best_score", "generation_best_score",
                 "mean_score", "std_score", "n_failed")


class EvolutionSearchCV(BaseHptuneSearchCV):
    """Evolutionary search over hyperparameters, with cross-validation.

    A drop-in replacement for ``GridSearchCV``, ``RandomizedSearchCV`` and
    genetic searches such as sklearn-genetic-opt's ``GASearchCV``: each
    generation of ``population_size`` new candidates is bred from the best
    candidates so far (tournament selection, elitism, crossover, mutation)
    and evaluated in one call of scikit-learn's machinery, so all candidates
    times folds run in parallel under ``n_jobs``, and scoring,
    ``cv_results_``, refit and metadata routing behave as in ``GridSearchCV``.

    Read more in the :ref:`User Guide <evolution_search>`.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; needs ``fit`` and a score (``scoring`` or its
        own ``score``).
    search_spaces : dict, list of dict or list of (dict, int)
        Parameter names mapped to a :mod:`hptune.space` dimension, a
        ``(low, high[, prior])`` tuple, a list of values or a scipy.stats
        frozen distribution: a ``GridSearchCV`` ``param_grid`` or a
        ``RandomizedSearchCV`` ``param_distributions`` works as is. A list of
        dicts gives conditional sub-spaces sharing the budget; ``(dict,
        n_iter)`` tuples give each its own.
    population_size : int, default=10
        Number of new candidates per generation, evaluated together.
    n_generations : int, default=10
        Number of generations; the budget is ``population_size *
        n_generations`` candidates unless ``n_iter`` is given.
    n_iter : int, default=None
        Total number of candidates. When given, it wins over
        ``n_generations``: the search runs ``ceil(n_iter / population_size)``
        generations, the last one possibly smaller.
    algorithm : {"auto", "ga", "cma"}, default="auto"
        ``"ga"``: genetic algorithm with self-adaptive mutation scales.
        ``"cma"``: CMA-ES in the unit cube of the dimensions, an
        alternative for continuous spaces. ``"auto"`` is ``"ga"``, which
        did as well or better in the benchmarks (Rastrigin-5D, Hartmann-6
        and scikit-learn tasks at 100-200 evaluations).
    crossover_probability : float, default=0.8
        Probability that a child has two parents.
    mutation_probability : float, default=None
        Probability that each hyperparameter of a child mutates (at least one
        always does). None means ``1 / sqrt(d)`` for ``d`` hyperparameters.
    tournament_size : int, default=3
        Candidates competing in each parent selection; at most
        ``population_size``.
    elitism : int, default=None
        Number of best candidates so far that stay parents next to the last
        generation; they are not evaluated again. None means
        ``population_size``; 0 gives a purely generational algorithm.
    patience : int, default=None
        Stop when the best score has not improved for this many generations.
        None never stops early.
    scoring : str, callable, list, tuple or dict, default=None
        As in ``GridSearchCV``. With several metrics, the search maximises
        the one named by ``refit`` (or the first, if ``refit`` is not a name).
    n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context. ``-1`` means using all
        processors. See :term:`Glossary <n_jobs>` for more details.
    refit : bool, str or callable, default=True
        As in ``GridSearchCV``.
    cv : int, cross-validation generator or an iterable, default=None
        Determines the cross-validation splitting strategy, as in
        ``GridSearchCV``. The splits are computed once per fit, so every
        candidate is scored on the same data even with a randomised splitter.
        See :term:`Glossary <cv>`.
    verbose : int, default=0
        Controls the verbosity: the higher, the more messages.
    pre_dispatch : int or str, default="2*n_jobs"
        As in ``GridSearchCV``.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial design, the selections and the variations. Pass
        an int for reproducible output across multiple function calls.
        See :term:`Glossary <random_state>`.
    error_score : "raise" or numeric, default=np.nan
        Score given to a failed fit, as in ``GridSearchCV``; selection treats
        a failure as the worst score seen.
    return_train_score : bool, default=False
        As in ``GridSearchCV``.
    callbacks : list of callables or None, default=None
        Called after every generation with an
        :class:`~hptune.strategies.OptimizeResult` (objects with an
        ``on_iteration(search, state)`` method are called through it);
        returning True stops the search.
    max_time : float, default=None
        Stop after the first generation that ends later than this many
        seconds after the search started; everything evaluated is kept.
        With a ``checkpoint``, the next ``fit`` continues the search.
    checkpoint : str or path-like, default=None
        File in which the search saves its progress after every generation:
        candidates, per-split scores and times, and the optimiser state, as
        plain data (an ``.npz`` file with a JSON header, never a pickle). It
        is replaced atomically, so after a crash or Ctrl-C it holds the last
        completed generation. If the file exists, ``fit`` resumes from it: only
        the generation in flight at the interruption is evaluated again, and the
        final ``cv_results_`` equal those of an uninterrupted search. A file
        written by another search (estimator, space, settings, data or CV
        splits) raises a :class:`~hptune.checkpoint.CheckpointError`. See
        :ref:`checkpoints`.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, plus ``generation``: the generation (batch)
        in which each candidate was evaluated.
    history_ : dict of ndarray of shape (n_iter_,)
        One entry per generation: ``generation``, ``n_evaluations`` (so
        far), ``best_score`` (best so far), ``generation_best_score``,
        ``mean_score`` and ``std_score`` (over the generation's finite
        scores, NaN when all failed) and ``n_failed``. Pass it to
        ``pandas.DataFrame`` for a table.
    best_estimator_ : estimator
        Estimator refitted on the whole data with the best parameters
        (when ``refit`` is not False).
    best_score_ : float
        Mean cross-validated score of the best candidate.
    best_params_ : dict
        Parameters of the best candidate.
    best_index_ : int
        Index of the best candidate in ``cv_results_``.
    scorer_ : function or dict
        Scorer(s) used on the held-out data.
    n_splits_ : int
        Number of cross-validation splits.
    refit_time_ : float
        Seconds spent refitting the best estimator.
    multimetric_ : bool
        Whether several metrics were evaluated.
    n_iter_ : int
        Number of generations run.
    strategy_ : EvolutionOptimizer or SubspaceStrategy
        The optimiser state at the end of the search.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers with ``refit``).
    n_features_in_ : int
        Number of features seen during fit (with ``refit``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when X has string column names.

    See Also
    --------
    BayesSearchCV : Bayesian optimisation over the same spaces.
    sklearn.model_selection.RandomizedSearchCV : Random search.

    Notes
    -----
    No candidate is evaluated twice: a child equal to an earlier candidate
    is varied again, and replaced by a random new point if that keeps
    failing. When a finite space has fewer points than the budget, the search
    stops once every point has been evaluated (with an
    :class:`~hptune.exceptions.ExhaustedSpaceWarning`). With sub-spaces, each
    has its own population and a generation's batch is shared among them.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import EvolutionSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionSearchCV(
    ...     SVC(), {"C": (1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]},
    ...     population_size=4, n_generations=3, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"]), search.cv_results_["generation"].tolist()
    (12, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    """

    _parameter_constraints: dict = {
        **BaseHptuneSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "n_generations": [Interval(Integral, 1, None, closed="left")],
        "n_iter": [Interval(Integral, 1, None, closed="left"), None],
        "algorithm": [StrOptions({"auto", "ga", "cma"})],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "mutation_probability": [Interval(Real, 0, 1, closed="both"), None],
        "tournament_size": [Interval(Integral, 1, None, closed="left")],
        "elitism": [Interval(Integral, 0, None, closed="left"), None],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        population_size=10,
        n_generations=10,
        n_iter=None,
        algorithm="auto",
        crossover_probability=0.8,
        mutation_probability=None,
        tournament_size=3,
        elitism=None,
        patience=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        callbacks=None,
        max_time=None,
        checkpoint=None,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.population_size = population_size
        self.n_generations = n_generations
        self.n_iter = n_iter
        self.algorithm = algorithm
        self.crossover_probability = crossover_probability
        self.mutation_probability = mutation_probability
        self.tournament_size = tournament_size
        self.elitism = elitism
        self.patience = patience
        self.random_state = random_state
        self.callbacks = callbacks
        self.max_time = max_time
        self.checkpoint = checkpoint

    def _check_params(self):
        if self.tournament_size > self.population_size:
            raise ValueError(
                f"tournament_size={self.tournament_size} exceeds population_size="
                f"{self.population_size}; lower tournament_size or raise population_size."
            )

    def _check_input_parameters(self, X, y, split_params):
        self._check_params()
        super()._check_input_parameters(X, y, split_params)

    def _search_space(self):
        return self.search_spaces

    def _budget(self):
        return self.population_size * self.n_generations if self.n_iter is None else self.n_iter

    def _batch_size(self):
        return self.population_size

    def _make_strategy(self, space, budget, random_state):
        return EvolutionOptimizer(
            space,
            population_size=self.population_size,
            algorithm=self.algorithm,
            crossover_probability=self.crossover_probability,
            mutation_probability=self.mutation_probability,
            tournament_size=self.tournament_size,
            elitism=self.elitism,
            random_state=random_state,
        )

    def _more_results(self, iteration, params):
        return {"generation": [iteration] * len(params)}

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        self._history = {key: [] for key in _HISTORY_KEYS}
        try:
            super()._run_search(evaluate_candidates, callback_ctx=callback_ctx)
        finally:
            self.history_ = {k: np.asarray(v) for k, v in self._history.items()}
            del self._history

    def _search_state(self):
        return {"history": {k: np.asarray(v) for k, v in self._history.items()}}

    def _load_search_state(self, state):
        self._history = {k: np.asarray(state["history"][k]).tolist() for k in _HISTORY_KEYS}

    def _should_stop(self, state):
        history = self._history
        n_before = history["n_evaluations"][-1] if history["n_evaluations"] else 0
        scores = np.asarray(state.cv_results[_objective_key(self, state.cv_results)], dtype=float)
        batch = scores[n_before : state.n_evaluations]
        finite = batch[np.isfinite(batch)]
        best = state.best_score
        history["generation"].append(state.iteration - 1)
        history["n_evaluations"].append(state.n_evaluations)
        history["best_score"].append(best)
        history["generation_best_score"].append(finite.max() if len(finite) else math.nan)
        history["mean_score"].append(finite.mean() if len(finite) else math.nan)
        history["std_score"].append(finite.std() if len(finite) else math.nan)
        history["n_failed"].append(int(len(batch) - len(finite)))
        return self._stagnated(history["best_score"])

    def _stagnated(self, best):
        """True when the best score has not improved for ``patience`` generations."""
        if self.patience is None or len(best) <= self.patience:
            return False
        now, then = best[-1], best[-1 - self.patience]
        # NaN means no finite score yet: still none is no improvement either.
        return bool((math.isnan(now) and math.isnan(then)) or now <= then)
