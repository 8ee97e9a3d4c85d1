"""Conditional search spaces (a list of dicts): hptune against its peers.

Three model-selection tasks whose space is a list of dicts (one dict per
branch, each with its own parameters):

* ``svr``: SVR on Friedman #1 (300 samples, 10 features, noise 1; features
  and target standardised), one dict per kernel (linear, rbf, poly) with
  that kernel's parameters over wide log ranges;
* ``pipeline``: a Pipeline choosing among logistic regression, a random
  forest, k-nearest neighbours and an RBF SVC (two to four parameters each),
  with the scaler choice ``StandardScaler()``/``"passthrough"`` in every
  branch, on 1000 samples of a classification problem with three clusters
  per class;
* ``knn``: k-nearest neighbours whose Minkowski ``p`` exists only for the
  distance weighting.

Methods, each with the same fixed 3-fold splitter per task and ``--budget``
evaluations (30 by default):

* ``random``: scikit-learn's RandomizedSearchCV on the list of dicts
  (scipy.stats distributions);
* ``skopt``: scikit-optimize's BayesSearchCV with ``(dict, n_iter)``
  sub-spaces, the budget split evenly;
* ``tpe``: Optuna's TPE sampler (default settings) on the flattened union:
  one study whose first parameter is the branch, then the branch's own
  parameters (a parameter of the same name and range in several branches is
  one Optuna parameter). Optuna's GP sampler needs PyTorch, which is not
  installed here, so it is not run;
* ``bayes``: hptune's BayesSearchCV on the list of dicts (defaults);
* ``evolution``/``tpe``/``random`` at ``--evolution-budget`` (100)
  evaluations: hptune's EvolutionSearchCV (population 10) against TPE.

Scores are Bayesmark's normalised scores: for one task,
``100 * (best - R) / (O - R)``, where ``best`` is a run's best mean CV
score, ``R`` the mean best score of random search at the same budget and
``O`` the best score any run of any method found on the task; 0 is random
search, 100 the best found. The table also gives the share of each
method's evaluations that went to the branch of ``O`` (the best branch).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_conditional.py --seeds 0-4
    python benchmarks/bench_conditional.py --report-only

Writes ``results/conditional.json`` (every run: scores and branch of every
candidate, wall time, seeds) and ``results/conditional.md`` (the table).
Wall times are measured on a shared machine; compare the scores.
"""

import argparse
import json
import os
import time
import warnings

import numpy as np
from suite.seeds import parse_seeds  # the script's folder is on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")


# -- tasks ---------------------------------------------------------------------------------
# A parameter is ("real", low, high, log), ("int", low, high) or ("cat", [values]).


def _svr_task():
    from sklearn.datasets import make_friedman1
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVR

    # Friedman #1 is non-linear: the kernels differ by far more than the CV
    # noise, and C, gamma and epsilon matter over their wide ranges.
    X, y = make_friedman1(n_samples=300, n_features=10, noise=1.0, random_state=3)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    eps = ("real", 1e-3, 1.0, True)
    branches = [
        {"kernel": ("cat", ["linear"]), "C": ("real", 1e-3, 10.0, True), "epsilon": eps},
        {"kernel": ("cat", ["rbf"]), "C": ("real", 1e-2, 1e3, True), "gamma": ("real", 1e-4, 10.0, True),
         "epsilon": eps},
        # Large C, gamma and degree make libsvm's poly fits take minutes.
        {"kernel": ("cat", ["poly"]), "C": ("real", 1e-2, 10.0, True), "gamma": ("real", 1e-3, 0.3, True),
         "degree": ("int", 2, 4), "coef0": ("real", 0.0, 1.0, False), "epsilon": eps},
    ]
    return dict(X=X, y=y, estimator=SVR(), branches=branches, classification=False)


def _classifiers():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    return (LogisticRegression(max_iter=500), RandomForestClassifier(random_state=0),
            KNeighborsClassifier(), SVC())


def _pipeline_task():
    from sklearn.datasets import make_classification
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    # Three clusters per class: a linear model is clearly worse than the three
    # others, which are close to each other once their parameters are tuned.
    X, y = make_classification(n_samples=1000, n_features=20, n_informative=8, n_redundant=2,
                               n_clusters_per_class=3, class_sep=1.0, flip_y=0.02, random_state=7)
    lr, rf, knn, svc = _classifiers()
    scale = ("cat", [StandardScaler(), "passthrough"])
    branches = [
        {"scale": scale, "clf": ("cat", [lr]), "clf__C": ("real", 1e-4, 1e2, True),
         "clf__class_weight": ("cat", [None, "balanced"])},
        {"scale": scale, "clf": ("cat", [rf]), "clf__n_estimators": ("int", 10, 80),
         "clf__max_depth": ("int", 2, 16), "clf__max_features": ("real", 0.1, 1.0, False),
         "clf__min_samples_leaf": ("int", 1, 10)},
        {"scale": scale, "clf": ("cat", [knn]), "clf__n_neighbors": ("int", 1, 40),
         "clf__weights": ("cat", ["uniform", "distance"])},
        {"scale": scale, "clf": ("cat", [svc]), "clf__C": ("real", 1e-2, 1e3, True),
         "clf__gamma": ("real", 1e-4, 1.0, True)},
    ]
    estimator = Pipeline([("scale", StandardScaler()), ("clf", lr)])
    return dict(X=X, y=y, estimator=estimator, branches=branches, classification=True)


def _knn_task():
    from sklearn.datasets import make_classification
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(n_samples=500, n_features=12, n_informative=5, n_redundant=2,
                               flip_y=0.05, class_sep=0.8, random_state=11)
    k = ("int", 1, 60)
    branches = [
        {"knn__weights": ("cat", ["uniform"]), "knn__n_neighbors": k},
        {"knn__weights": ("cat", ["distance"]), "knn__n_neighbors": k,
         "knn__p": ("real", 1.0, 4.0, False)},
    ]
    estimator = Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier())])
    return dict(X=X, y=y, estimator=estimator, branches=branches, classification=True)


TASKS = {"svr": _svr_task, "pipeline": _pipeline_task, "knn": _knn_task}


def _cv(task):
    from sklearn.model_selection import KFold, StratifiedKFold

    cls = StratifiedKFold if task["classification"] else KFold
    return cls(n_splits=3, shuffle=True, random_state=0)


def branch_of(branches, params):
    """Index of the branch whose names and constant values match ``params``."""
    for k, branch in enumerate(branches):
        if set(branch) != set(params):
            continue
        constants = {n: s[1][0] for n, s in branch.items() if s[0] == "cat" and len(s[1]) == 1}
        # Estimators are compared by type: searches may hand back clones.
        if all(params[n] == v if isinstance(v, str) else type(params[n]) is type(v)
               for n, v in constants.items()):
            return k
    raise ValueError(f"{params!r} matches no branch")


# -- converters ------------------------------------------------------------------------------


def hptune_space(branches):
    def convert(spec):
        if spec[0] == "real":
            return (float(spec[1]), float(spec[2]), "log-uniform") if spec[3] else (float(spec[1]), float(spec[2]))
        if spec[0] == "int":
            return (int(spec[1]), int(spec[2]))
        return list(spec[1])

    return [{n: convert(s) for n, s in b.items()} for b in branches]


def scipy_space(branches):
    from scipy.stats import loguniform, randint, uniform

    def convert(spec):
        if spec[0] == "real":
            return loguniform(spec[1], spec[2]) if spec[3] else uniform(spec[1], spec[2] - spec[1])
        if spec[0] == "int":
            return randint(spec[1], spec[2] + 1)
        return list(spec[1])

    return [{n: convert(s) for n, s in b.items()} for b in branches]


def skopt_space(branches, budget):
    from skopt.space import Categorical, Integer, Real

    def convert(spec):
        if spec[0] == "real":
            return Real(spec[1], spec[2], prior="log-uniform" if spec[3] else "uniform")
        if spec[0] == "int":
            return Integer(spec[1], spec[2])
        return Categorical(list(spec[1]))

    shares = [budget // len(branches) + (k < budget % len(branches)) for k in range(len(branches))]
    return [({n: convert(s) for n, s in b.items()}, n_k) for b, n_k in zip(branches, shares)]


# -- methods ---------------------------------------------------------------------------------


def _from_search(search, branches):
    results = search.cv_results_
    return dict(
        scores=[float(s) for s in results["mean_test_score"]],
        branches=[branch_of(branches, p) for p in results["params"]],
    )


def run_random(task, budget, seed):
    from sklearn.model_selection import RandomizedSearchCV

    search = RandomizedSearchCV(task["estimator"], scipy_space(task["branches"]), n_iter=budget,
                                cv=_cv(task), random_state=seed, refit=False)
    return _from_search(search.fit(task["X"], task["y"]), task["branches"])


def run_skopt(task, budget, seed):
    from skopt import BayesSearchCV

    search = BayesSearchCV(task["estimator"], skopt_space(task["branches"], budget), cv=_cv(task),
                           random_state=seed, refit=False, error_score=np.nan)
    return _from_search(search.fit(task["X"], task["y"]), task["branches"])


def run_bayes(task, budget, seed):
    from hptune import BayesSearchCV

    search = BayesSearchCV(task["estimator"], hptune_space(task["branches"]), n_iter=budget,
                           cv=_cv(task), random_state=seed, refit=False)
    return _from_search(search.fit(task["X"], task["y"]), task["branches"])


def run_evolution(task, budget, seed):
    from hptune.search._evolution_search import EvolutionSearchCV

    search = EvolutionSearchCV(task["estimator"], hptune_space(task["branches"]), population_size=10,
                               n_iter=budget, cv=_cv(task), random_state=seed, refit=False)
    return _from_search(search.fit(task["X"], task["y"]), task["branches"])


def _optuna_names(branches):
    """Optuna parameter name of each (branch, name): shared when the spec is equal."""
    def shared(n, spec):
        return all(repr(b[n]) == repr(spec) for b in branches if n in b)

    return [{n: n if shared(n, s) else f"{k}:{n}" for n, s in b.items()} for k, b in enumerate(branches)]


def _suggest(trial, name, spec):
    if spec[0] == "real":
        return trial.suggest_float(name, spec[1], spec[2], log=spec[3])
    if spec[0] == "int":
        return trial.suggest_int(name, spec[1], spec[2])
    values = list(spec[1])
    if len(values) == 1:
        return values[0]
    index = trial.suggest_categorical(name, list(range(len(values))))
    return values[index]


def run_tpe(task, budget, seed):
    import optuna
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    branches, names = task["branches"], _optuna_names(task["branches"])
    splits = list(_cv(task).split(task["X"], task["y"]))
    record = []

    def objective(trial):
        k = trial.suggest_categorical("branch", list(range(len(branches))))
        params = {n: _suggest(trial, names[k][n], s) for n, s in branches[k].items()}
        estimator = clone(task["estimator"]).set_params(**params)
        score = float(np.mean(cross_val_score(estimator, task["X"], task["y"], cv=splits)))
        record.append((k, score))
        return score

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=budget)
    return dict(scores=[s for _, s in record], branches=[k for k, _ in record])


METHODS = {"random": run_random, "skopt": run_skopt, "tpe": run_tpe, "bayes": run_bayes,
           "evolution": run_evolution}
#: (method, budget argument) pairs of the two comparisons
SHORT = ("random", "skopt", "tpe", "bayes")
LONG = ("random", "tpe", "evolution")


# -- report ------------------------------------------------------------------------------------


def normalised(runs):
    """Per (task, budget, method): normalised scores over seeds and best-branch shares."""
    table = {}
    for task in sorted({r["task"] for r in runs}):
        task_runs = [r for r in runs if r["task"] == task]
        best_run = max(task_runs, key=lambda r: np.nanmax(r["scores"]))
        top = float(np.nanmax(best_run["scores"]))
        best_branch = best_run["branches"][int(np.nanargmax(best_run["scores"]))]
        for budget in sorted({r["budget"] for r in task_runs}):
            at = [r for r in task_runs if r["budget"] == budget]
            random_mean = np.mean([np.nanmax(r["scores"]) for r in at if r["method"] == "random"])
            for method in sorted({r["method"] for r in at}):
                mine = [r for r in at if r["method"] == method]
                scores = [100 * (np.nanmax(r["scores"]) - random_mean) / (top - random_mean) for r in mine]
                shares = [np.mean(np.asarray(r["branches"]) == best_branch) for r in mine]
                table[(task, budget, method)] = dict(
                    score=float(np.mean(scores)), score_std=float(np.std(scores)),
                    share=float(np.mean(shares)), best=float(np.mean([np.nanmax(r["scores"]) for r in mine])),
                    wall=float(np.mean([r["wall"] for r in mine])), n_seeds=len(mine),
                    n_evaluated=float(np.mean([len(r["scores"]) for r in mine])),
                )
    return table


def markdown(table):
    lines = []
    for budget in sorted({b for _, b, _ in table}):
        methods = [m for m in METHODS if any(key[1:] == (budget, m) for key in table)]
        tasks = sorted({t for t, b, _ in table if b == budget})
        lines += [f"### {budget} evaluations", "",
                  "| method | " + " | ".join(tasks) + " | mean | best-branch share | wall (s) |",
                  "|---" * (len(tasks) + 4) + "|"]
        for m in methods:
            cells = [table[(t, budget, m)] for t in tasks]
            scores = " | ".join(f"{c['score']:.1f} ± {c['score_std']:.1f}" for c in cells)
            lines.append(
                f"| {m} | {scores} | {np.mean([c['score'] for c in cells]):.1f} | "
                + ", ".join(f"{c['share']:.0%}" for c in cells)
                + f" | {np.mean([c['wall'] for c in cells]):.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


def targets(table, budget, evolution_budget):
    """The issue's targets, checked against the table, as Markdown lines."""
    lines = ["### Targets", ""]
    tasks = sorted({t for t, b, _ in table if b == budget})
    if all((t, budget, m) in table for t in tasks for m in ("bayes", "tpe")):
        above = [t for t in tasks if table[(t, budget, "bayes")]["score"] > table[(t, budget, "tpe")]["score"]]
        mean = np.mean([table[(t, budget, "bayes")]["score"] for t in tasks])
        lines.append(f"- BayesSearchCV above Optuna TPE at {budget} evaluations on every task: "
                     f"{'met' if len(above) == len(tasks) else 'not met'} (above on {', '.join(above) or 'none'}).")
        lines.append(f"- BayesSearchCV at least 60 on average: {'met' if mean >= 60 else 'not met'} ({mean:.1f}).")
    long = sorted({t for t, b, _ in table if b == evolution_budget})
    if all((t, evolution_budget, m) in table for t in long for m in ("evolution", "tpe")):
        evo = np.mean([table[(t, evolution_budget, "evolution")]["score"] for t in long])
        tpe = np.mean([table[(t, evolution_budget, "tpe")]["score"] for t in long])
        above = [t for t in long if table[(t, evolution_budget, "evolution")]["score"]
                 > table[(t, evolution_budget, "tpe")]["score"]]
        lines.append(f"- EvolutionSearchCV above Optuna TPE at {evolution_budget} evaluations: "
                     f"{evo:.1f} vs {tpe:.1f} on average, above on {', '.join(above) or 'none'}.")
    return "\n".join(lines + [""])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--evolution-budget", type=int, default=100)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--output", default=os.path.join(RESULTS, "conditional"))
    args = parser.parse_args()
    path = args.output + ".json"
    runs = []
    if os.path.exists(path):
        with open(path) as f:
            runs = json.load(f)["runs"]
    if not args.report_only:
        methods = args.methods.split(",")
        plan = [(m, args.budget) for m in SHORT if m in methods]
        if args.evolution_budget > 0:  # 0: the short budget only
            plan += [(m, args.evolution_budget) for m in LONG if m in methods]
        for name in args.tasks.split(","):
            task = TASKS[name]()
            for method, budget in plan:
                for seed in parse_seeds(args.seeds):
                    runs = [r for r in runs if (r["task"], r["method"], r["budget"], r["seed"]) != (name, method, budget, seed)]
                    start = time.perf_counter()
                    with warnings.catch_warnings():
                        # Peers' convergence and deprecation chatter is not what is measured.
                        warnings.simplefilter("ignore")
                        out = METHODS[method](task, budget, seed)
                    out.update(task=name, method=method, budget=budget, seed=seed,
                               wall=time.perf_counter() - start)
                    runs.append(out)
                    print(f"{name:9s} {method:10s} {budget:4d} seed {seed}: best "
                          f"{np.nanmax(out['scores']):.4f} in {out['wall']:.1f} s", flush=True)
                    with open(path, "w") as f:
                        json.dump({"runs": runs}, f)
    table = normalised(runs)
    seeds = sorted({r["seed"] for r in runs})
    text = (markdown(table) + targets(table, args.budget, args.evolution_budget)
            + f"\nSeeds: {seeds}. Scores are mean ± std over seeds; shares are per task, in the "
            "column order. Wall times were measured on a 2-core machine shared with other jobs.\n")
    with open(args.output + ".md", "w") as f:
        f.write("# Conditional spaces (list of dicts)\n\n" + __doc__.split("Usage::")[0].split("\n\n", 1)[1]
                + "\n" + text)
    print(text)


if __name__ == "__main__":
    main()
