"""Multi-objective search: hypervolume of the fronts found, hptune against its peers.

Two tasks with a real trade-off between accuracy and model size:

* ``forest``: RandomForestClassifier on the first 1000 samples of the
  digits data (10 classes): ``n_estimators`` 2-25, ``max_depth`` 1-16,
  ``max_features`` in {0.05, 0.1, 0.2, 0.35, 0.5};
* ``boosting``: HistGradientBoostingClassifier (no early stopping) on
  ``make_classification(n_samples=1000, n_features=20, n_informative=8,
  flip_y=0.05, random_state=0)``: ``max_iter`` 5-40, ``max_leaf_nodes``
  2-31, ``learning_rate`` in {0.03, 0.1, 0.3}.

The data and ranges are small so that the 50 runs of 100 evaluations take
about 20 minutes on a shared 2-core machine.

The objectives are the mean 3-fold accuracy (maximised) and the model size,
the total number of tree nodes of the fitted model (minimised, averaged over
the folds). The size stands for the cost of a model (memory, prediction
time): unlike ``fit_time`` it is deterministic, so that every method is
judged on the same function whatever the load of the machine.

Every method runs ``--budget`` evaluations (100) per seed on the same fixed
3-fold splits. The peers and the ask/tell reference go through one
evaluation function that memoises (params -> objectives), since the models
are deterministic (fixed ``random_state``); hptune's searches are the real
search classes, fitted on the same splits with the size as a scorer, so
they evaluate every candidate themselves (same values, more time):

* ``random``: scikit-learn's ``ParameterSampler``, the sampler of
  RandomizedSearchCV, with the seed;
* ``nsga2``: Optuna's NSGAIISampler through ``study.ask``/``study.tell``,
  population 10 (the default, 50, would leave 2 generations in 100);
* ``tpe``: Optuna's TPESampler (multi-objective, default settings);
* ``hptune-bayes``: ``BayesSearchCV(objectives=["accuracy", "size"],
  n_iter=budget)`` with its defaults (10 initial points, one candidate per
  step): expected hypervolume improvement (EHVIOptimizer);
* ``hptune-evolution``: ``EvolutionSearchCV(objectives=[...],
  population_size=10, n_iter=budget)`` (NSGA-II selection);
* ``hptune-parego``: hptune's ParEGOOptimizer with BayesSearchCV's settings
  (10 initial points, ``xi=0.01``, power warping) through ask/tell, one
  point per ask: what BayesSearchCV runs for three or more objectives, and
  ran for two before EHVI; kept for reference.

Hypervolume: accuracy and size are normalised to ``a = (accuracy - 0.5) /
0.5`` and ``s = size / size_max``, where ``size_max`` is the size of the
largest model of the space (all parameters at their maximum) on the first
fold; the reference point is ``a = 0, s = 1`` (accuracy 0.5, the largest
model); points beyond it add nothing. The hypervolume (in [0, 1]) of the
candidates evaluated after 30 and after all ``--budget`` evaluations is
reported as mean and std over the seeds. ``cpu`` is the process time of a
method's own proposals (ask and tell, evaluations excluded); it is not
measured for the search classes, whose proposals run inside ``fit``.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_multiobjective.py --seeds 0-4
    python benchmarks/bench_multiobjective.py --report-only
    # rerun some methods only, keeping the others' runs of the results file
    python benchmarks/bench_multiobjective.py --methods hptune-bayes --merge

Writes ``results/multiobjective.json`` (every run: the objectives of every
evaluation, seeds) and ``results/multiobjective.md``. Optuna's GP sampler
needs PyTorch, which is not installed here, so it is not run.
"""

import argparse
import json
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
CHECKPOINTS = (30, 100)
METHODS = ("random", "nsga2", "tpe", "hptune-bayes", "hptune-evolution", "hptune-parego")
# Methods run as hptune's search classes, whose proposal time is not measured
# apart from their evaluations.
SEARCH_CLASSES = ("hptune-bayes", "hptune-evolution")


# -- tasks ---------------------------------------------------------------------------------
def _forest_task():
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier

    X, y = load_digits(return_X_y=True)
    X, y = X[:1000], y[:1000]
    space = {
        "n_estimators": ("int", 2, 25),
        "max_depth": ("int", 1, 16),
        "max_features": ("cat", [0.05, 0.1, 0.2, 0.35, 0.5]),
    }
    return dict(X=X, y=y, estimator=RandomForestClassifier(random_state=0), space=space)


def _boosting_task():
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = make_classification(
        n_samples=1000, n_features=20, n_informative=8, flip_y=0.05, random_state=0
    )
    space = {
        "max_iter": ("int", 5, 40),
        "max_leaf_nodes": ("int", 2, 31),
        "learning_rate": ("cat", [0.03, 0.1, 0.3]),
    }
    estimator = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    return dict(X=X, y=y, estimator=estimator, space=space)


TASKS = {"forest": _forest_task, "boosting": _boosting_task}


def n_nodes(model):
    """Total number of tree nodes of a fitted forest or histogram boosting model."""
    if hasattr(model, "estimators_"):
        return sum(tree.tree_.node_count for tree in model.estimators_)
    # HistGradientBoosting keeps its trees in a private list (one list of
    # predictors per iteration); the benchmark reads it for the true size.
    return sum(len(p.nodes) for predictors in model._predictors for p in predictors)


class Objectives:
    """Memoised (accuracy, size) of a task's candidates on fixed 3-fold splits."""

    def __init__(self, task):
        from sklearn.model_selection import StratifiedKFold

        self.task = task
        self.splits = list(
            StratifiedKFold(3, shuffle=True, random_state=0).split(task["X"], task["y"])
        )
        self.cache = {}
        largest = {
            name: spec[2] if spec[0] == "int" else max(spec[1])
            for name, spec in task["space"].items()
        }
        self.size_max = self._fold(largest, *self.splits[0])[1]

    def _fold(self, params, train, test):
        from sklearn.base import clone

        model = clone(self.task["estimator"]).set_params(**params)
        X, y = self.task["X"], self.task["y"]
        model.fit(X[train], y[train])
        return float(np.mean(model.predict(X[test]) == y[test])), float(n_nodes(model))

    def __call__(self, params):
        key = tuple(sorted((k, float(v)) for k, v in params.items()))
        if key not in self.cache:
            folds = [self._fold(params, train, test) for train, test in self.splits]
            self.cache[key] = tuple(np.mean(folds, axis=0).tolist())
        return self.cache[key]


# -- methods ---------------------------------------------------------------------------------
def _hptune_space(space, choices="categorical"):
    """The task's space as hptune dimensions; its lists of numbers as ``choices``.

    ``"categorical"`` (the benchmark's space, as Optuna's samplers get it)
    or ``"ordinal"`` (what hptune makes of a plain list of numbers, the
    ``param_distributions`` form).
    """
    from hptune.space import Categorical, Integer, Ordinal

    kind = Categorical if choices == "categorical" else Ordinal
    return {
        name: Integer(spec[1], spec[2]) if spec[0] == "int" else kind(spec[1])
        for name, spec in space.items()
    }


def _hptune_loop(strategy, evaluate, budget, batch):
    """Ask/tell ``strategy`` for ``budget`` evaluations; objectives told maximised."""
    history, cpu = [], 0.0
    while len(history) < budget:
        start = time.process_time()
        params = strategy.ask(min(batch, budget - len(history)))
        cpu += time.process_time() - start
        values = [evaluate(p) for p in params]
        start = time.process_time()
        strategy.tell(params, [[acc, -size] for acc, size in values])
        cpu += time.process_time() - start
        history.extend(values)
    return history, cpu


def _size_scorer(estimator, X, y):
    """Minus the model size, a scorer: hptune's objectives are scorers, maximised."""
    return -n_nodes(estimator)


def _run_search(search, task, evaluate):
    """Fit an hptune search class on the task's folds; its history in evaluation order.

    The proposal time is not separated from the evaluations here (``cpu`` is
    None): ``bench_multiobjective_ablation.py`` reports the strategy's own.
    """
    search.set_params(
        scoring={"accuracy": "accuracy", "size": _size_scorer},
        objectives=["accuracy", "size"], cv=evaluate.splits, refit=False,
    )
    search.fit(task["X"], task["y"])
    results = search.cv_results_
    history = [
        (float(acc), float(-size))
        for acc, size in zip(results["mean_test_accuracy"], results["mean_test_size"])
    ]
    return history, None


def run_hptune_bayes(task, evaluate, budget, seed):
    from hptune import BayesSearchCV

    search = BayesSearchCV(
        task["estimator"], _hptune_space(task["space"]), n_iter=budget, random_state=seed
    )
    return _run_search(search, task, evaluate)


def run_hptune_evolution(task, evaluate, budget, seed):
    from hptune import EvolutionSearchCV

    search = EvolutionSearchCV(
        task["estimator"], _hptune_space(task["space"]), population_size=10, n_iter=budget,
        random_state=seed,
    )
    return _run_search(search, task, evaluate)


def run_hptune_parego(task, evaluate, budget, seed):
    from hptune.strategies._multiobjective import ParEGOOptimizer

    # ParEGO, which BayesSearchCV runs for three or more objectives, with its
    # settings, through the ask/tell loop: the previous two-objective algorithm.
    strategy = ParEGOOptimizer(
        _hptune_space(task["space"]), n_objectives=2, n_initial_points=10, xi=0.01,
        output_warping="power", random_state=seed,
    )
    return _hptune_loop(strategy, evaluate, budget, batch=1)


def run_ehvi_strategy(task, evaluate, budget, seed, **kwargs):
    """The strategy BayesSearchCV runs for two objectives, ask/tell on memoised objectives.

    For ablations (``bench_multiobjective_ablation.py``): the same proposals
    as ``hptune-bayes`` without refitting the models of repeated candidates.
    """
    from hptune.strategies._multiobjective_ehvi import EHVIOptimizer

    params = dict(n_initial_points=10, output_warping="power")
    params.update(kwargs)
    choices = params.pop("choices", "categorical")
    strategy = EHVIOptimizer(_hptune_space(task["space"], choices), random_state=seed, **params)
    return _hptune_loop(strategy, evaluate, budget, batch=1)


def run_random(task, evaluate, budget, seed):
    from scipy.stats import randint
    from sklearn.model_selection import ParameterSampler

    distributions = {
        name: randint(spec[1], spec[2] + 1) if spec[0] == "int" else spec[1]
        for name, spec in task["space"].items()
    }
    start = time.process_time()
    candidates = list(ParameterSampler(distributions, budget, random_state=seed))
    cpu = time.process_time() - start
    return [evaluate(p) for p in candidates], cpu


def _run_optuna(sampler, task, evaluate, budget):
    import optuna
    from optuna.distributions import CategoricalDistribution, IntDistribution

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = {
        name: IntDistribution(spec[1], spec[2]) if spec[0] == "int" else CategoricalDistribution(spec[1])
        for name, spec in task["space"].items()
    }
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    history, cpu = [], 0.0
    for _ in range(budget):
        start = time.process_time()
        trial = study.ask(distributions)
        cpu += time.process_time() - start
        values = evaluate(trial.params)
        start = time.process_time()
        study.tell(trial, list(values))
        cpu += time.process_time() - start
        history.append(values)
    return history, cpu


def run_nsga2(task, evaluate, budget, seed):
    import optuna

    sampler = optuna.samplers.NSGAIISampler(population_size=10, seed=seed)
    return _run_optuna(sampler, task, evaluate, budget)


def run_tpe(task, evaluate, budget, seed):
    import optuna

    return _run_optuna(optuna.samplers.TPESampler(seed=seed), task, evaluate, budget)


RUNNERS = {
    "random": run_random, "nsga2": run_nsga2, "tpe": run_tpe,
    "hptune-bayes": run_hptune_bayes, "hptune-evolution": run_hptune_evolution,
    "hptune-parego": run_hptune_parego,
}


# -- hypervolume and report --------------------------------------------------------------------
def normalised_hypervolume(history, size_max):
    """Hypervolume of (accuracy, size) pairs, normalised as in the module docstring."""
    from hptune.selection import hypervolume

    values = np.asarray(history, dtype=float)
    results = {
        "mean_test_accuracy": (values[:, 0] - 0.5) / 0.5,
        "mean_test_size": -values[:, 1] / size_max,
    }
    return hypervolume(results, ["accuracy", "size"], reference=[0.0, -1.0])


def report(runs, budget):
    lines = [
        "# Multi-objective search: hypervolume of the front (accuracy vs model size)",
        "",
        "Written by `benchmarks/bench_multiobjective.py` (see its docstring for tasks, "
        "normalisation and reference point). Hypervolume in [0, 1], larger is better, "
        "mean ± std over the seeds; `cpu` is the method's own proposal time per run "
        "(seconds of process time, evaluations excluded; not measured for the search "
        "classes, see `multiobjective_ablation.md` for the EHVI strategy's). Every method "
        "evaluates on the same 3 stratified folds; the objectives are deterministic (accuracy, tree nodes), "
        "so the numbers do not depend on the machine's load. The paired tables give, per "
        "seed, an hptune method's hypervolume minus a peer's: the mean and on how many "
        "seeds hptune's is larger. Optuna's GP sampler needs PyTorch (not installed): "
        "not run.",
        "",
        "Commands: `OMP_NUM_THREADS=1 python benchmarks/bench_multiobjective.py --seeds 0-4` "
        "runs every method; `--methods hptune-bayes --merge` reruns one method and keeps "
        "the other methods' runs of the results file (deterministic, so unchanged while "
        "their code is), as for the last `hptune-bayes` rows (EHVI in the objectives' "
        "units, reference at the 10% quantile, categories correlated: the GPs' one-hot "
        "columns times 0.15).",
        "",
    ]
    for task in sorted({r["task"] for r in runs}):
        at = [c for c in CHECKPOINTS if c <= budget]
        lines += [f"## {task}", "", "| method | " + " | ".join(f"HV @ {c}" for c in at)
                  + " | cpu (s) | seeds |", "|---" * (len(at) + 3) + "|"]
        for method in METHODS:
            mine = [r for r in runs if r["task"] == task and r["method"] == method]
            if not mine:
                continue
            cells = []
            for c in at:
                hv = [normalised_hypervolume(r["history"][:c], r["size_max"]) for r in mine]
                cells.append(f"{np.mean(hv):.4f} ± {np.std(hv):.4f}")
            cpu = "–" if method in SEARCH_CLASSES else f"{np.mean([r['cpu'] for r in mine]):.2f}"
            seeds = ",".join(str(r["seed"]) for r in mine)
            lines.append(f"| {method} | " + " | ".join(cells) + f" | {cpu} | {seeds} |")
        lines += ["", *_paired(runs, task, at), ""]
    return "\n".join(lines)


def _paired(runs, task, checkpoints):
    """Seed-paired differences of hypervolume, each hptune method minus each peer."""
    hv = {
        (r["method"], r["seed"], c): normalised_hypervolume(r["history"][:c], r["size_max"])
        for r in runs if r["task"] == task for c in checkpoints
    }
    seeds = sorted({s for _, s, _ in hv})
    lines = ["| hptune − peer | " + " | ".join(f"@ {c}: mean diff, wins" for c in checkpoints)
             + " |", "|---" * (len(checkpoints) + 1) + "|"]
    for ours in ("hptune-bayes", "hptune-evolution", "hptune-parego"):
        for peer in ("random", "nsga2", "tpe"):
            cells = []
            if not any(m == ours for m, _, _ in hv):
                continue
            for c in checkpoints:
                d = np.array([hv[ours, s, c] - hv[peer, s, c] for s in seeds if (peer, s, c) in hv])
                cells.append(f"{d.mean():+.4f}, {int((d > 0).sum())}/{len(d)}")
            lines.append(f"| {ours} − {peer} | " + " | ".join(cells) + " |")
    return lines


def main():
    from suite.seeds import parse_seeds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-4", type=parse_seeds)
    parser.add_argument("--budget", default=100, type=int)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument(
        "--merge", action="store_true",
        help="keep the results file's runs of the methods not run now (the objectives are "
             "deterministic, so a method's runs only change when its code does)",
    )
    args = parser.parse_args()
    path = os.path.join(RESULTS, "multiobjective.json")
    if not args.report_only:
        runs = []
        if args.merge:
            with open(path) as f:
                kept = json.load(f)["runs"]
            runs = [r for r in kept if r["method"] not in args.methods.split(",")]
        for name in args.tasks.split(","):
            task = TASKS[name]()
            evaluate = Objectives(task)
            for seed in args.seeds:
                for method in args.methods.split(","):
                    start = time.time()
                    history, cpu = RUNNERS[method](task, evaluate, args.budget, seed)
                    runs.append(dict(task=name, method=method, seed=seed, history=history,
                                     cpu=cpu, size_max=evaluate.size_max,
                                     wall=time.time() - start))
                    hv = normalised_hypervolume(history, evaluate.size_max)
                    print(f"{name} {method} seed {seed}: HV {hv:.4f}, cpu {cpu or 0.0:.1f}s, "
                          f"{len(evaluate.cache)} cached", flush=True)
            with open(path, "w") as f:
                json.dump({"budget": args.budget, "runs": runs}, f)
    with open(path) as f:
        data = json.load(f)
    text = report(data["runs"], data["budget"])
    with open(os.path.join(RESULTS, "multiobjective.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
