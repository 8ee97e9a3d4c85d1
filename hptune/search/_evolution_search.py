"""``EvolutionSearchCV``: evolutionary search behind scikit-learn's search API."""

import math
from numbers import Integral, Real

import numpy as np

from ..strategies._evolution import ALGORITHMS, EvolutionOptimizer
from ..utils._sklearn_compat import Interval, StrOptions
from ._ask_tell import AskTellSearchCV
from ._base import objective_key
from ._docs import fill_doc

__all__ = ["EvolutionSearchCV"]

_HISTORY_KEYS = ("generation", "n_evaluations", "best_score", "generation_best_score",
                 "mean_score", "std_score", "n_failed")


@fill_doc("generation")
class EvolutionSearchCV(AskTellSearchCV):
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
    {estimator}
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
    tournament_size : int, default=None
        Candidates competing in each parent selection; at most
        ``population_size``. None means 3, or ``population_size`` when it is
        smaller. Raise it for faster progress at the cost of diversity.
    elitism : int, default=None
        Number of best candidates so far that stay parents next to the last
        generation; they are not evaluated again. None means
        ``population_size``; 0 gives a purely generational algorithm.
    surrogate : {"gp"} or None, default="gp"
        ``"gp"``: from the second generation on, breed ten times as many
        children as a generation needs and evaluate those that a Gaussian
        process fitted to every candidate so far expects to improve most
        (about 30% of each generation is taken unscreened, so a wrong model
        cannot trap the search). It finds better candidates for the same
        number of fits at a cost of a few milliseconds per candidate. None
        evaluates the children as bred (plain evolution), for searches of
        thousands of very cheap candidates. With sub-spaces (a list of
        dicts) the generations are not screened.
    patience : int, default=None
        Stop when the best score has not improved for this many generations.
        None never stops early.
    {scoring}
    {objectives}
    {n_jobs}
    refit : bool, str or callable, default=True
        As in ``GridSearchCV``.
    {cv}
    {verbose}
    {pre_dispatch}
    random_state : int, RandomState instance or None, default=None
        Seed of the initial design, the selections and the variations. Pass
        an int for reproducible output across multiple function calls.
        See :term:`Glossary <random_state>`.
    error_score : "raise" or numeric, default=np.nan
        Score given to a failed fit, as in ``GridSearchCV``; selection treats
        a failure as the worst score seen.
    {return_train_score}
    {callbacks}
    {max_time}
    {checkpoint}
    {warm_start}
    {initial_points}

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, plus ``generation``: the generation (batch)
        in which each candidate was evaluated. With ``return_train_score``,
        ``rank_train_<metric>`` ranks the train scores, as in scikit-optimize.
        {tie_columns}
    history_ : dict of ndarray of shape (n_iter_,)
        One entry per generation: ``generation``, ``n_evaluations`` (so
        far), ``best_score`` (best so far), ``generation_best_score``,
        ``mean_score`` and ``std_score`` (over the generation's finite
        scores, NaN when all failed) and ``n_failed``. Pass it to
        ``pandas.DataFrame`` for a table.
    {best_attributes}
    {pareto_attributes}
    {fitted_attributes}
    n_iter_ : int
        Number of generations run.
    strategy_ : EvolutionOptimizer or ConditionalEvolutionOptimizer
        The optimiser state at the end of the search.

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
    :class:`~hptune.exceptions.ExhaustedSpaceWarning`). With sub-spaces (a
    list of dicts), one population covers them all: individuals carry their
    sub-space, crossover stays within one, switching sub-space is a mutation,
    and each generation is one batch.

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

    # What one round of evaluations is called in progress lines.
    _iteration_name = "generation"

    _parameter_constraints: dict = {
        **AskTellSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "n_generations": [Interval(Integral, 1, None, closed="left")],
        "n_iter": [Interval(Integral, 1, None, closed="left"), None],
        "algorithm": [StrOptions(set(ALGORITHMS))],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "mutation_probability": [Interval(Real, 0, 1, closed="both"), None],
        "tournament_size": [Interval(Integral, 1, None, closed="left"), None],
        "elitism": [Interval(Integral, 0, None, closed="left"), None],
        "surrogate": [StrOptions({"gp"}), None],
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
        tournament_size=None,
        elitism=None,
        surrogate="gp",
        patience=None,
        scoring=None,
        objectives=None,
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
        warm_start=False,
        initial_points=None,
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
        self.surrogate = surrogate
        self.patience = patience
        self.random_state = random_state
        self.callbacks = callbacks
        self.max_time = max_time
        self.checkpoint = checkpoint
        self.warm_start = warm_start
        self.initial_points = initial_points
        self.objectives = objectives

    def _check_params(self, X, y):
        if self.tournament_size is not None and self.tournament_size > self.population_size:
            raise ValueError(
                f"tournament_size={self.tournament_size} exceeds population_size="
                f"{self.population_size}; lower tournament_size or raise population_size."
            )

    def _search_space(self):
        return self.search_spaces

    def _budget(self):
        return self.population_size * self.n_generations if self.n_iter is None else self.n_iter

    def _batch_size(self):
        return self.population_size

    def _make_strategy(self, space, budget, random_state):
        return self._strategy_class(EvolutionOptimizer)(
            space,
            population_size=self.population_size,
            algorithm=self.algorithm,
            crossover_probability=self.crossover_probability,
            mutation_probability=self.mutation_probability,
            tournament_size=self.tournament_size,
            elitism=self.elitism,
            surrogate=self.surrogate,
            random_state=random_state,
        )

    def _more_results(self, iteration, params):
        return {"generation": [iteration] * len(params)}

    def _should_stop(self, state):
        """True when the best score has not improved for ``patience`` generations."""
        best = state.best_scores
        if self.patience is None or len(best) <= self.patience:
            return False
        now, then = best[-1], best[-1 - self.patience]
        # NaN means no finite score yet: still none is no improvement either.
        return bool((math.isnan(now) and math.isnan(then)) or now <= then)

    def _after_search(self, results):
        self.history_ = _history(results, self.refit, self.n_iter_)


def _history(results, refit, n_generations):
    """``history_``: one entry per generation, from the search's results."""
    history = {key: [] for key in _HISTORY_KEYS}
    if results is None:
        return {k: np.asarray(v) for k, v in history.items()}
    scores = np.asarray(results[objective_key(refit, results)], dtype=float)
    generations = np.asarray(results["generation"])
    # A failure counts as no score; +inf as the best one (as the strategies do).
    valid = np.isfinite(scores) | (scores == np.inf)
    running = np.maximum.accumulate(np.where(valid, scores, -np.inf))
    for g in range(n_generations):
        batch = scores[generations == g]
        finite = batch[np.isfinite(batch)]
        n_so_far = int(np.count_nonzero(generations <= g))
        best = running[n_so_far - 1]
        history["generation"].append(g)
        history["n_evaluations"].append(n_so_far)
        history["best_score"].append(best if best > -np.inf else math.nan)
        history["generation_best_score"].append(finite.max() if len(finite) else math.nan)
        history["mean_score"].append(finite.mean() if len(finite) else math.nan)
        history["std_score"].append(finite.std() if len(finite) else math.nan)
        history["n_failed"].append(int(len(batch) - len(finite)))
    return {k: np.asarray(v) for k, v in history.items()}
