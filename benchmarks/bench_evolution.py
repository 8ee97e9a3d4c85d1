"""EvolutionSearchCV against RandomizedSearchCV and sklearn-genetic-opt's GASearchCV.

Every method tunes the same estimator on the same folds with the same budget of
distinct candidates, for each seed; the table reports the best mean CV score
(mean ± std over seeds) and the overhead per candidate: wall time minus the
summed fit and score times, divided by the number of candidates. For
EvolutionSearchCV the time spent in the optimiser's own ``ask``/``tell`` is
reported too.

GASearchCV has no ``random_state``: it draws from Python's and numpy's global
generators, which are seeded before its run. It evaluates candidates one at a
time and caches repeats; it is stopped once ``budget`` distinct candidates were
evaluated, and its score is the best of the first ``budget`` of them.

Usage::

    PYTHONPATH=. python benchmarks/bench_evolution.py --seeds 0-4 --budget 100
    PYTHONPATH=. python benchmarks/bench_evolution.py --quick   # smoke run

sklearn-genetic-opt lives in a separate virtualenv (see the results note).
"""

import argparse
import contextlib
import io
import json
import platform
import random
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import sklearn
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor
from sklearn.model_selection import KFold, RandomizedSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from hptune.search._evolution_search import EvolutionSearchCV
from hptune.strategies._evolution import EvolutionOptimizer
from suite.seeds import parse_seeds  # the script's folder is on sys.path

try:
    import sklearn_genetic
    from sklearn_genetic import GASearchCV
    from sklearn_genetic import space as ga_space
    from sklearn_genetic.callbacks.base import BaseCallback

    GA_ERROR = None
except Exception as err:  # recorded in the results instead of crashing the run
    GASearchCV, GA_ERROR = None, f"{type(err).__name__}: {err}"

RESULTS = Path(__file__).parent / "results"


# -- tasks ----------------------------------------------------------------------
# Each parameter: ("real", low, high, log), ("int", low, high) or ("cat", values).
def _digits():
    X, y = load_digits(return_X_y=True)
    return X[:500] / 16.0, y[:500]


def _cancer():
    return load_breast_cancer(return_X_y=True)


def _wine():
    return load_wine(return_X_y=True)


def _diabetes():
    return load_diabetes(return_X_y=True)


TASKS = {
    "svc_digits": dict(
        data=_digits,
        estimator=lambda: SVC(),
        params={"C": ("real", 1e-2, 1e3, True), "gamma": ("real", 1e-5, 1e0, True)},
        classification=True,
    ),
    "hgb_cancer": dict(
        data=_cancer,
        estimator=lambda: HistGradientBoostingClassifier(max_iter=20, early_stopping=False, random_state=0),
        params={
            "learning_rate": ("real", 1e-3, 1.0, True),
            "max_leaf_nodes": ("int", 2, 32),
            "min_samples_leaf": ("int", 1, 80),
            "l2_regularization": ("real", 1e-6, 10.0, True),
        },
        classification=True,
    ),
    "rf_cancer": dict(
        data=_cancer,
        estimator=lambda: RandomForestClassifier(n_estimators=25, random_state=0),
        params={
            "max_depth": ("int", 1, 20),
            "max_features": ("real", 0.05, 1.0, False),
            "min_samples_leaf": ("int", 1, 30),
            "criterion": ("cat", ["gini", "entropy", "log_loss"]),
            "bootstrap": ("cat", [True, False]),
        },
        classification=True,
    ),
    "mlp_pipeline_wine": dict(
        data=_wine,
        estimator=lambda: Pipeline(
            [("scale", StandardScaler()), ("mlp", MLPClassifier(max_iter=60, random_state=0))]
        ),
        params={
            "mlp__alpha": ("real", 1e-6, 10.0, True),
            "mlp__learning_rate_init": ("real", 1e-4, 0.3, True),
            "mlp__hidden_layer_sizes": ("cat", [(4,), (16,), (64,), (16, 16)]),
            "mlp__activation": ("cat", ["relu", "tanh", "logistic"]),
        },
        classification=True,
    ),
    "sgd_pipeline_diabetes": dict(
        data=_diabetes,
        estimator=lambda: Pipeline(
            [("scale", StandardScaler()), ("sgd", SGDRegressor(max_iter=50, random_state=0))]
        ),
        params={
            "sgd__alpha": ("real", 1e-6, 10.0, True),
            "sgd__l1_ratio": ("real", 0.0, 1.0, False),
            "sgd__penalty": ("cat", ["l2", "l1", "elasticnet"]),
            "sgd__loss": ("cat", ["squared_error", "huber", "epsilon_insensitive"]),
            "sgd__eta0": ("real", 1e-4, 1.0, True),
            "sgd__learning_rate": ("cat", ["constant", "invscaling", "adaptive"]),
        },
        classification=False,
    ),
}


def hptune_space(params):
    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = (float(spec[1]), float(spec[2]), "log-uniform" if spec[3] else "uniform")
        elif spec[0] == "int":
            out[name] = (int(spec[1]), int(spec[2]))
        else:
            out[name] = list(spec[1])
    return out


def scipy_space(params):
    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = loguniform(spec[1], spec[2]) if spec[3] else uniform(spec[1], spec[2] - spec[1])
        elif spec[0] == "int":
            out[name] = randint(spec[1], spec[2] + 1)
        else:
            out[name] = list(spec[1])
    return out


def ga_param_grid(params):
    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            dist = "log-uniform" if spec[3] else "uniform"
            out[name] = ga_space.Continuous(spec[1], spec[2], distribution=dist)
        elif spec[0] == "int":
            out[name] = ga_space.Integer(spec[1], spec[2])
        else:
            out[name] = ga_space.Categorical(list(spec[1]))
    return out


# -- runners ----------------------------------------------------------------------
class _TimedOptimizer(EvolutionOptimizer):
    """EvolutionOptimizer that adds up the time spent in ask and tell."""

    def ask(self, n=1):
        start = time.perf_counter()
        try:
            return super().ask(n)
        finally:
            self.time_ += time.perf_counter() - start

    def tell(self, params, scores):
        start = time.perf_counter()
        try:
            return super().tell(params, scores)
        finally:
            self.time_ += time.perf_counter() - start

    time_ = 0.0


class _TimedEvolutionSearchCV(EvolutionSearchCV):
    def _make_strategy(self, space, budget, random_state):
        strategy = super()._make_strategy(space, budget, random_state)
        timed = _TimedOptimizer.__new__(_TimedOptimizer)
        timed.__dict__.update(strategy.__dict__)
        return timed


def _fit_score_time(cv_results, n_splits):
    return float(np.sum(cv_results["mean_fit_time"] + cv_results["mean_score_time"]) * n_splits)


def run_evolution(task, X, y, cv, budget, seed, n_jobs):
    search = _TimedEvolutionSearchCV(
        task["estimator"](), hptune_space(task["params"]), population_size=10, n_iter=budget,
        cv=cv, random_state=seed, n_jobs=n_jobs, refit=False,
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    scores = search.cv_results_["mean_test_score"]
    return dict(
        best_score=float(np.nanmax(scores)),
        n_candidates=len(scores),
        wall=wall,
        fit_score_time=_fit_score_time(search.cv_results_, search.n_splits_),
        optimizer_time=search.strategy_.time_,
    )


def run_random(task, X, y, cv, budget, seed, n_jobs):
    search = RandomizedSearchCV(
        task["estimator"](), scipy_space(task["params"]), n_iter=budget, cv=cv,
        random_state=seed, n_jobs=n_jobs, refit=False,
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    scores = search.cv_results_["mean_test_score"]
    return dict(
        best_score=float(np.nanmax(scores)),
        n_candidates=len(scores),
        wall=wall,
        fit_score_time=_fit_score_time(search.cv_results_, search.n_splits_),
    )


if GASearchCV is not None:

    class _StopAfter(BaseCallback):
        """Stop GASearchCV once ``budget`` distinct candidates were evaluated."""

        def __init__(self, budget):
            self.budget = budget

        def on_step(self, record=None, logbook=None, estimator=None):
            return len(estimator.fitness_cache) >= self.budget


def run_ga(task, X, y, cv, budget, seed, n_jobs):
    # GASearchCV (through DEAP) only draws from the global generators.
    random.seed(seed)
    np.random.seed(seed)
    search = GASearchCV(
        task["estimator"](), cv=cv, param_grid=ga_param_grid(task["params"]),
        population_size=10, generations=10 * budget, n_jobs=n_jobs, verbose=False, refit=False,
    )
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints "INFO: Stopping the algorithm"
        search.fit(X, y, callbacks=[_StopAfter(budget)])
    wall = time.perf_counter() - start
    evaluated = sorted(
        (c["current_generation_params"] for c in search.fitness_cache.values()),
        key=lambda p: p["index"],
    )
    first = evaluated[:budget]
    times = sum(float(np.sum(p["fit_time"]) + np.sum(p["score_time"])) for p in evaluated)
    return dict(
        best_score=float(np.nanmax([p["score"] for p in first])),
        n_candidates=len(evaluated),
        wall=wall,
        fit_score_time=times,
    )


METHODS = {"RandomizedSearchCV": run_random, "GASearchCV": run_ga, "EvolutionSearchCV": run_evolution}


# -- reporting ----------------------------------------------------------------------
def summarise(runs):
    table = {}
    for r in runs:
        table.setdefault(r["task"], {}).setdefault(r["method"], []).append(r)
    summary = {}
    for task, by_method in table.items():
        summary[task] = {}
        for method, rs in by_method.items():
            best = np.array([r["best_score"] for r in rs])
            overhead = np.array([(r["wall"] - r["fit_score_time"]) / r["n_candidates"] for r in rs])
            entry = dict(
                best_mean=float(best.mean()), best_std=float(best.std()),
                overhead_ms=float(1e3 * overhead.mean()),
                wall_mean=float(np.mean([r["wall"] for r in rs])), n_seeds=len(rs),
            )
            if "optimizer_time" in rs[0]:
                entry["optimizer_ms"] = float(
                    1e3 * np.mean([r["optimizer_time"] / r["n_candidates"] for r in rs])
                )
            summary[task][method] = entry
    return summary


def markdown(summary, meta):
    methods = [m for m in METHODS if any(m in s for s in summary.values())]
    lines = [
        f"# EvolutionSearchCV benchmark (budget {meta['budget']}, seeds {meta['seeds']}, "
        f"n_jobs={meta['n_jobs']}, {meta['workers']} runs side by side, one thread each)",
        "",
        "Best mean CV score, mean ± std over seeds (higher is better; best per task in bold).",
        "",
        "| task | " + " | ".join(methods) + " |",
        "|---" * (len(methods) + 1) + "|",
    ]
    for task, by_method in summary.items():
        top = max(by_method[m]["best_mean"] for m in methods if m in by_method)
        cells = []
        for m in methods:
            if m not in by_method:
                cells.append("n/a")
                continue
            e = by_method[m]
            cell = f"{e['best_mean']:.4f} ± {e['best_std']:.4f}"
            cells.append(f"**{cell}**" if e["best_mean"] == top else cell)
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Overhead per candidate in ms: (wall − Σ fit and score times) / candidates; "
        "for EvolutionSearchCV, in brackets, the time inside the optimiser's ask/tell.",
        "",
        "| task | " + " | ".join(methods) + " |",
        "|---" * (len(methods) + 1) + "|",
    ]
    for task, by_method in summary.items():
        cells = []
        for m in methods:
            e = by_method.get(m)
            if e is None:
                cells.append("n/a")
            else:
                extra = f" [{e['optimizer_ms']:.2f}]" if "optimizer_ms" in e else ""
                cells.append(f"{e['overhead_ms']:.1f}{extra}")
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    lines += ["", f"Versions: {meta['versions']}"]
    if meta.get("ga_error"):
        lines += ["", f"GASearchCV could not run: {meta['ga_error']}"]
    return "\n".join(lines) + "\n"


def run_one(job):
    """One (task, seed, method) run, single-threaded so that runs do not compete."""
    task_name, seed, method, budget, n_jobs = job
    task = TASKS[task_name]
    X, y = task["data"]()
    splitter = StratifiedKFold if task["classification"] else KFold
    cv = splitter(n_splits=3, shuffle=True, random_state=0)  # the same folds for everyone
    with warnings.catch_warnings(), threadpool_limits(1):
        # Small max_iter budgets keep the tasks cheap; their convergence
        # warnings say nothing about the optimisers. One BLAS/OpenMP thread:
        # OpenMP start-up costs dominate these small fits otherwise.
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        r = METHODS[method](task, X, y, cv, budget, seed, n_jobs)
    r.update(task=task_name, method=method, seed=seed)
    return r


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-4", help="e.g. 0-4 or 0,3,7")
    parser.add_argument("--budget", type=int, default=100, help="distinct candidates per run")
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated task names")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--n-jobs", type=int, default=1, help="n_jobs of every method")
    parser.add_argument("--workers", type=int, default=2, help="runs executed side by side")
    parser.add_argument("--quick", action="store_true", help="2 seeds, budget 20, no output files")
    parser.add_argument("--output", default=str(RESULTS / "evolution"), help="path without suffix")
    args = parser.parse_args(argv)
    seeds, budget = parse_seeds(args.seeds), args.budget
    if args.quick:
        seeds, budget = seeds[:2], 20
    methods = [m for m in args.methods.split(",") if not (m == "GASearchCV" and GASearchCV is None)]
    jobs = [
        (task_name, seed, method, budget, args.n_jobs)
        for task_name in args.tasks.split(",")
        for seed in seeds
        for method in methods
    ]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = []
        for r in pool.map(run_one, jobs):
            runs.append(r)
            print(
                f"{r['task']:24s} {r['method']:20s} seed={r['seed']} best={r['best_score']:.4f} "
                f"n={r['n_candidates']} wall={r['wall']:.1f}s",
                flush=True,
            )
    meta = dict(
        seeds=seeds, budget=budget, n_jobs=args.n_jobs, workers=args.workers, cv="3-fold (Stratified)KFold, shuffle, random_state=0",
        versions=dict(
            python=platform.python_version(), numpy=np.__version__, sklearn=sklearn.__version__,
            sklearn_genetic_opt=None if GA_ERROR else sklearn_genetic.__version__,
        ),
        ga_error=GA_ERROR, argv=sys.argv[1:],
    )
    summary = summarise(runs)
    text = markdown(summary, meta)
    print(text)
    if not args.quick:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".json").write_text(json.dumps(dict(meta=meta, summary=summary, runs=runs), indent=1))
        out.with_suffix(".md").write_text(text)


if __name__ == "__main__":
    main()
