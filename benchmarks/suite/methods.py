"""One runner per tuning method, all with the same signature and output.

``runner(task, X, y, cv, budget, seed, n_jobs)`` tunes ``task``'s estimator
on ``X, y`` with the fixed splitter ``cv`` for ``budget`` evaluations and
returns a dict:

* ``scores``: mean CV score of each evaluated candidate, in evaluation order
  (NaN for a failed fit);
* ``curve``: ``[[cost, best score so far], ...]`` with the cost counted in
  full evaluations (one candidate on all folds with all the data and full
  training); one point per candidate for sequential methods;
* ``best_score``: the best mean CV score the method would return;
* ``n_candidates``, ``wall`` (seconds in ``fit``, refit disabled) and
  ``fit_score_time`` (sum over candidates and folds of the fit and score
  times that scikit-learn records).

Each library is imported inside its runner so that a worker loads only the
one it needs, and so that a peer can run under another interpreter.
"""

import contextlib
import io
import math
import random
import time
from pathlib import Path

import numpy as np

from .tasks import (
    decode_params,
    ga_space,
    grid_space,
    hebo_space,
    hptune_space,
    make_estimator,
    optuna_space,
    scipy_space,
    scoring,
    skopt_space,
    smac_space,
)

#: method -> library whose probe decides whether it can run (see run.py)
LIBRARY = {
    "RandomizedSearchCV": "sklearn",
    "GridSearchCV": "sklearn",
    "HalvingRandomSearchCV": "sklearn",
    "skopt.BayesSearchCV": "skopt",
    "Optuna TPE": "optuna",
    "Optuna GP": "optuna_gp",
    "GASearchCV": "sklearn_genetic",
    "hptune.BayesSearchCV": "hptune",
    "hptune.EvolutionSearchCV": "hptune_evolution",
    "hptune.EvolutionSearchCV(surrogate=None)": "hptune_evolution",
    "hptune.PBTSearchCV": "hptune_pbt",
    "HEBO": "hebo",
    "SMAC3 BB": "smac",
    "SMAC3 HPO": "smac",
}

#: variants of hptune's searches for ablations, run only when named in --methods
ABLATIONS = {"hptune.EvolutionSearchCV(surrogate=None)"}


def _curve(scores):
    """Best-so-far after each candidate, ignoring failed (NaN) scores."""
    finite = np.where(np.isfinite(scores), scores, -np.inf)
    best = np.maximum.accumulate(finite) if len(finite) else finite
    return [[i + 1, float(b) if np.isfinite(b) else None] for i, b in enumerate(best)]


def _best(scores):
    scores = np.asarray(scores, dtype=float)
    return float(np.nanmax(scores)) if np.isfinite(scores).any() else float("nan")


def _fit_score_time(cv_results, n_splits):
    total = np.asarray(cv_results["mean_fit_time"]) + np.asarray(cv_results["mean_score_time"])
    return float(np.sum(total) * n_splits)


def _timed_fit(search, X, y, **fit_params):
    start = time.perf_counter()
    search.fit(X, y, **fit_params)
    return time.perf_counter() - start


def _from_cv_results(search, wall):
    """The common output for searches whose ``cv_results_`` rows are in order."""
    scores = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    return dict(
        scores=[float(s) for s in scores],
        curve=_curve(scores),
        best_score=_best(scores),
        n_candidates=len(scores),
        wall=wall,
        fit_score_time=_fit_score_time(search.cv_results_, search.n_splits_),
    )


# -- scikit-learn ---------------------------------------------------------------------


def run_random(task, X, y, cv, budget, seed, n_jobs):
    from sklearn.model_selection import RandomizedSearchCV

    search = RandomizedSearchCV(
        make_estimator(task), scipy_space(task["params"]), n_iter=budget, cv=cv, scoring=scoring(task),
        random_state=seed, n_jobs=n_jobs, refit=False,
    )
    return _from_cv_results(search, _timed_fit(search, X, y))


def run_grid(task, X, y, cv, budget, seed, n_jobs):
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(
        make_estimator(task), grid_space(task["params"], budget), cv=cv, scoring=scoring(task), n_jobs=n_jobs, refit=False
    )
    return _from_cv_results(search, _timed_fit(search, X, y))


def halving_schedule(n_samples, budget, min_resources, max_iterations=3):
    """``(n_candidates, min_resources, n_iterations)`` with factor 3.

    Iteration ``i`` evaluates ``n_candidates / 3**i`` candidates on
    ``min_resources * 3**i`` samples, the last one on all samples, so each
    iteration costs about ``n_candidates / 3**(k - 1)`` full evaluations;
    ``n_candidates`` is chosen so that the ``k`` iterations cost ``budget``
    full evaluations' worth of training samples. ``k`` is at most
    ``max_iterations``: the fixed cost of many tiny fits would otherwise
    dominate the wall time.
    """
    k = max(1, int(math.floor(math.log(n_samples / min_resources, 3))) + 1)
    k = min(k, budget, max_iterations)
    # Rounded down: the last iteration, on r0 * 3**(k - 1) samples, must fit
    # in the data, or scikit-learn drops it (and the best score would come
    # from a third of the data).
    r0 = n_samples // 3 ** (k - 1)
    n_candidates = max(1, int(budget * 3 ** (k - 1) // k))
    return n_candidates, r0, k


def run_halving(task, X, y, cv, budget, seed, n_jobs):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    n_samples = len(y)
    smallest = 2 * cv.get_n_splits() * (len(np.unique(y)) if task["classification"] else 1)
    n_candidates, r0, _ = halving_schedule(n_samples, budget, max(smallest, 20))
    search = HalvingRandomSearchCV(
        make_estimator(task), scipy_space(task["params"]), n_candidates=n_candidates, factor=3,
        min_resources=r0, cv=cv, scoring=scoring(task), random_state=seed, n_jobs=n_jobs, refit=False,
    )
    wall = _timed_fit(search, X, y)
    res = search.cv_results_
    scores = np.asarray(res["mean_test_score"], dtype=float)
    n_resources = np.asarray(res["n_resources"])
    # Only scores on (nearly) all the data compare with the other methods'.
    top = scores[n_resources == n_resources.max()]
    cost = float(np.sum(n_resources) / n_samples)
    return dict(
        scores=[float(s) for s in top],
        curve=[[cost, _best(top)]],
        best_score=_best(top),
        n_candidates=len(scores),
        wall=wall,
        fit_score_time=_fit_score_time(res, search.n_splits_),
        cost=cost,
    )


# -- scikit-optimize ----------------------------------------------------------------------


def run_skopt(task, X, y, cv, budget, seed, n_jobs):
    from skopt import BayesSearchCV

    search = BayesSearchCV(
        make_estimator(task), skopt_space(task["params"]), n_iter=budget, cv=cv, scoring=scoring(task),
        random_state=seed, n_jobs=n_jobs, n_points=n_jobs, refit=False, error_score=np.nan,
    )
    return _from_cv_results(search, _timed_fit(search, X, y))


# -- Optuna ------------------------------------------------------------------------------


def _run_optuna(sampler, task, X, y, cv, budget, seed, n_jobs):
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    search = OptunaSearchCV(
        make_estimator(task), optuna_space(task["params"]), n_trials=budget, cv=cv, scoring=scoring(task),
        study=study, random_state=seed, n_jobs=n_jobs, refit=False, error_score=np.nan,
    )
    wall = _timed_fit(search, X, y)
    trials = sorted(search.trials_, key=lambda t: t.number)
    scores = np.array([np.nan if t.value is None else t.value for t in trials], dtype=float)
    n_splits = cv.get_n_splits()
    fit_score = sum(
        (t.user_attrs.get("mean_fit_time", 0.0) + t.user_attrs.get("mean_score_time", 0.0)) * n_splits
        for t in trials
    )
    return dict(
        scores=[float(s) for s in scores], curve=_curve(scores), best_score=_best(scores),
        n_candidates=len(trials), wall=wall, fit_score_time=float(fit_score),
    )


def run_optuna_tpe(task, X, y, cv, budget, seed, n_jobs):
    from optuna.samplers import TPESampler

    return _run_optuna(TPESampler(seed=seed), task, X, y, cv, budget, seed, n_jobs)


def run_optuna_gp(task, X, y, cv, budget, seed, n_jobs):
    import torch
    from optuna.samplers import GPSampler

    # One thread, as every other method gets (threadpoolctl does not reach
    # torch's intra-op pool).
    torch.set_num_threads(1)
    return _run_optuna(GPSampler(seed=seed), task, X, y, cv, budget, seed, n_jobs)


# -- sklearn-genetic-opt ---------------------------------------------------------------------


def run_ga(task, X, y, cv, budget, seed, n_jobs):
    from sklearn_genetic import GASearchCV
    from sklearn_genetic.callbacks.base import BaseCallback

    class StopAfter(BaseCallback):
        """Stop once ``budget`` distinct candidates were evaluated."""

        def on_step(self, record=None, logbook=None, estimator=None):
            return len(estimator.fitness_cache) >= budget

    # GASearchCV has no random_state: DEAP draws from the global generators.
    random.seed(seed)
    np.random.seed(seed)
    search = GASearchCV(
        make_estimator(task), cv=cv, scoring=scoring(task), param_grid=ga_space(task["params"]), population_size=10,
        generations=10 * budget, n_jobs=n_jobs, verbose=False, refit=False, error_score=np.nan,
    )
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # "INFO: Stopping the algorithm"
        search.fit(X, y, callbacks=[StopAfter()])
    wall = time.perf_counter() - start
    # Repeated candidates come from its cache at no cost: count distinct ones.
    evaluated = sorted(
        (c["current_generation_params"] for c in search.fitness_cache.values()),
        key=lambda p: p["index"],
    )
    scores = np.array([p["score"] for p in evaluated], dtype=float)
    fit_score = sum(float(np.sum(p["fit_time"]) + np.sum(p["score_time"])) for p in evaluated)
    # It stops at the end of a generation: score the first ``budget`` only.
    first = scores[:budget]
    return dict(
        scores=[float(s) for s in first], curve=_curve(first), best_score=_best(first),
        n_candidates=len(scores), wall=wall, fit_score_time=fit_score,
    )


# -- hptune ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _strategy_cpu():
    """Accumulate the CPU seconds spent in hptune strategies' ask and tell.

    The wall-clock overhead of a search also holds scikit-learn's work per
    ``evaluate_candidates`` call and whatever else the machine runs; this
    is the optimiser's part alone. Only the base class's methods are timed,
    which every strategy of the CV tasks (one space, no sub-spaces) uses.
    """
    from hptune.strategies._base import Strategy

    spent = [0.0]
    methods = {name: getattr(Strategy, name) for name in ("ask", "tell")}

    def timed(method):
        def wrapper(self, *args, **kwargs):
            start = time.process_time()
            try:
                return method(self, *args, **kwargs)
            finally:
                spent[0] += time.process_time() - start

        return wrapper

    for name, method in methods.items():
        setattr(Strategy, name, timed(method))
    try:
        yield spent
    finally:
        for name, method in methods.items():
            setattr(Strategy, name, method)


def _timed_hptune(search, X, y):
    with _strategy_cpu() as spent:
        result = _from_cv_results(search, _timed_fit(search, X, y))
    return dict(result, strategy_cpu=spent[0])


def run_hptune_bayes(task, X, y, cv, budget, seed, n_jobs):
    from hptune import BayesSearchCV

    search = BayesSearchCV(
        make_estimator(task), hptune_space(task["params"]), n_iter=budget, n_initial_points=10,
        cv=cv, scoring=scoring(task), random_state=seed, n_jobs=n_jobs, n_points=n_jobs, refit=False,
    )
    return _timed_hptune(search, X, y)


def _import_hptune(name, module):
    import importlib

    import hptune

    try:
        return getattr(hptune, name)
    except AttributeError:  # not exported yet: take it from its module
        return getattr(importlib.import_module(module), name)


def run_hptune_evolution(task, X, y, cv, budget, seed, n_jobs, **settings):
    EvolutionSearchCV = _import_hptune("EvolutionSearchCV", "hptune.search._evolution_search")
    search = EvolutionSearchCV(
        make_estimator(task), hptune_space(task["params"]), population_size=10, n_iter=budget,
        cv=cv, scoring=scoring(task), random_state=seed, n_jobs=n_jobs, refit=False, **settings,
    )
    return _timed_hptune(search, X, y)


def run_hptune_evolution_plain(task, X, y, cv, budget, seed, n_jobs):
    """EvolutionSearchCV without the surrogate screening of its offspring (an ablation)."""
    return run_hptune_evolution(task, X, y, cv, budget, seed, n_jobs, surrogate=None)


def run_hptune_pbt(task, X, y, cv, budget, seed, n_jobs):
    """PBT at equal training compute: ``budget`` members, each fully trained.

    A sequential method trains ``budget`` candidates with the whole resource;
    PBT trains ``budget`` members over ``n_steps`` steps, so it spends the
    same resource per fold. Its curve is the best member's score after each
    step (a partly trained model), at the compute spent so far.
    """
    PBTSearchCV = _import_hptune("PBTSearchCV", "hptune.search._pbt_search")
    pbt = task["pbt"]
    search = PBTSearchCV(
        make_estimator(task), hptune_space(task["params"]), population_size=budget,
        n_steps=pbt["n_steps"], step_size=pbt["step_size"], resource=pbt["resource"],
        cv=cv, scoring=scoring(task), random_state=seed, n_jobs=n_jobs, refit=False,
    )
    wall = _timed_fit(search, X, y)
    history = search.pbt_history_
    steps = np.asarray(history["step"])
    step_scores = np.asarray(history["mean_test_score"], dtype=float)
    curve = []
    for s in np.unique(steps):
        cost = budget * (int(s) + 1) / search.n_steps_
        curve.append([cost, _best(step_scores[steps == s])])
    scores = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    return dict(
        scores=[float(s) for s in scores], curve=curve, best_score=float(search.best_score_),
        n_candidates=len(scores), wall=wall,
        fit_score_time=_fit_score_time(search.cv_results_, search.n_splits_),
    )


# -- ask/tell peers without a search-CV wrapper (HEBO, SMAC3) ---------------------------------


def _cross_val(task, X, y, cv, params):
    """Mean CV score of ``params`` on the fixed folds (NaN if a fit failed) and its fit+score seconds."""
    from sklearn.model_selection import cross_validate

    estimator = make_estimator(task).set_params(**params)
    start = time.perf_counter()
    try:
        res = cross_validate(estimator, X, y, cv=cv, scoring=scoring(task), error_score=np.nan)
    except ValueError:
        # cross_validate raises when every fold failed; a search records
        # that candidate as NaN and goes on, and so do these runners.
        return float("nan"), time.perf_counter() - start
    return float(np.mean(res["test_score"])), float(np.sum(res["fit_time"]) + np.sum(res["score_time"]))


def _told(scores):
    """The score to tell an optimiser for the last of ``scores``.

    A failed fit (NaN) is told as the worst score so far (-1e6 if none
    succeeded yet): HEBO cannot take a NaN, and SMAC3's default crash cost
    (infinity) turns its GP's normalised targets into NaN.
    """
    if np.isfinite(scores[-1]):
        return scores[-1]
    finite = [s for s in scores if np.isfinite(s)]
    return min(finite) if finite else -1e6


def _ask_tell_output(scores, wall, fit_score):
    scores = np.asarray(scores, dtype=float)
    return dict(
        scores=[float(s) for s in scores], curve=_curve(scores), best_score=_best(scores),
        n_candidates=len(scores), wall=wall, fit_score_time=fit_score,
    )


def run_hebo(task, X, y, cv, budget, seed, n_jobs):
    """HEBO, one suggestion at a time (it minimises: it is told minus the score).

    A failed fit is told as in ``_told``; the result still records NaN.
    """
    import torch
    from hebo.optimizers.hebo import HEBO

    torch.set_num_threads(1)  # threadpoolctl does not reach torch's pool
    # HEBO draws from the global generators and has no seed of its own.
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    params = task["params"]
    opt = HEBO(hebo_space(params), rand_sample=None)
    scores, fit_score = [], 0.0
    start = time.perf_counter()
    for _ in range(budget):
        rec = opt.suggest(n_suggestions=1)
        score, seconds = _cross_val(task, X, y, cv, decode_params(params, rec.iloc[0].to_dict()))
        scores.append(score)
        fit_score += seconds
        opt.observe(rec, np.array([[-_told(scores)]]))
    return _ask_tell_output(scores, time.perf_counter() - start, fit_score)


def _run_smac(facade_name, task, X, y, cv, budget, seed, n_jobs):
    """SMAC3 through its ask/tell interface, run directory in a temporary folder.

    ``deterministic=True``: the folds are fixed, so a configuration's score
    does not change with SMAC3's seed and is never re-evaluated. A failed fit
    is told as in ``_told``.
    """
    import logging
    import tempfile

    import smac
    from smac.runhistory.dataclasses import TrialValue

    params = task["params"]
    Facade = getattr(smac, facade_name)
    scores, fit_score = [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        scenario = smac.Scenario(
            smac_space(params, seed), deterministic=True, n_trials=budget, seed=seed, output_directory=Path(tmp),
        )

        def unused(config, seed=0):  # SMAC3 requires a target; ask/tell never calls it
            raise RuntimeError("SMAC3 called the target function in ask/tell mode")

        start = time.perf_counter()
        optimizer = Facade(scenario, unused, overwrite=True, logging_level=logging.ERROR)
        for _ in range(budget):
            info = optimizer.ask()
            score, seconds = _cross_val(task, X, y, cv, decode_params(params, dict(info.config)))
            scores.append(score)
            fit_score += seconds
            optimizer.tell(info, TrialValue(cost=-_told(scores), time=seconds), save=False)
        wall = time.perf_counter() - start
    return _ask_tell_output(scores, wall, fit_score)


def run_smac_bb(task, X, y, cv, budget, seed, n_jobs):
    """SMAC3's BlackBoxFacade (a GP with a Sobol initial design)."""
    return _run_smac("BlackBoxFacade", task, X, y, cv, budget, seed, n_jobs)


def run_smac_hpo(task, X, y, cv, budget, seed, n_jobs):
    """SMAC3's HyperparameterOptimizationFacade (a random forest, log-transformed costs)."""
    return _run_smac("HyperparameterOptimizationFacade", task, X, y, cv, budget, seed, n_jobs)


RUNNERS = {
    "RandomizedSearchCV": run_random,
    "GridSearchCV": run_grid,
    "HalvingRandomSearchCV": run_halving,
    "skopt.BayesSearchCV": run_skopt,
    "Optuna TPE": run_optuna_tpe,
    "Optuna GP": run_optuna_gp,
    "GASearchCV": run_ga,
    "hptune.BayesSearchCV": run_hptune_bayes,
    "hptune.EvolutionSearchCV": run_hptune_evolution,
    "hptune.EvolutionSearchCV(surrogate=None)": run_hptune_evolution_plain,
    "hptune.PBTSearchCV": run_hptune_pbt,
    "HEBO": run_hebo,
    "SMAC3 BB": run_smac_bb,
    "SMAC3 HPO": run_smac_hpo,
}

#: methods whose result does not depend on the seed (run once)
DETERMINISTIC = {"GridSearchCV"}
