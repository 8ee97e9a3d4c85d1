"""HyperbandSearchCV against BayesSearchCV, HalvingRandomSearchCV and Optuna, at equal compute.

Compute is counted in *full evaluations*: one candidate trained with the full
resource (all the samples, all the epochs or boosting iterations) on every
CV fold. Every method gets the same budget ``B``:

* ``hptune.HyperbandSearchCV(n_iter=B)`` (model proposals: a Gaussian
  process across resources, with a third at random as in BOHB; and the default
  ``continue_training="auto"``: on the tasks whose resource is iterations, a
  promoted candidate continues training and pays only for the extra ones;
  ``--methods`` can add ``hptune.Hyperband-refit``, the same with
  ``continue_training=False``, and ``hptune.Hyperband-random``, with random
  proposals): it spends at most ``B`` by construction (``strategy_.spent``);
* ``hptune.BayesSearchCV(n_iter=B)``: ``B`` full evaluations;
* ``HalvingRandomSearchCV`` with the same ``factor`` and smallest resource,
  and the largest ``n_candidates`` whose successive halving costs at most
  ``B`` (its cost is recomputed from its ``cv_results_``);
* ``Optuna TPE + HyperbandPruner`` through ``OptunaSearchCV(enable_pruning=True)``
  where the estimator has ``partial_fit`` (the SGD task, whose resource is
  epochs): trials run until the epochs they trained reach ``B`` full
  evaluations (a study callback stops the study; the last trial may
  overshoot by at most one full evaluation, which is recorded).

Every method sees the same CV folds (a seeded StratifiedKFold) of the same
75 % of the data; the reported scores are the best *full-resource* mean CV
score (``best_score_``) and the held-out accuracy, on the other 25 %, of the
best candidate refitted on the 75 % (refits are not counted as compute).

Tasks (scikit-learn estimators on synthetic data large enough for small
resources to rank candidates):

* ``hgb_samples``: HistGradientBoostingClassifier, resource ``n_samples``;
* ``svc_samples``: SVC (RBF), resource ``n_samples`` (fit time grows
  quadratically with the samples, so small rungs are very cheap);
* ``sgd_epochs``: SGDClassifier (log loss, no early stop), resource
  ``max_iter`` (epochs), with Optuna's pruner as a peer;
* ``hgb_lr_misleads``: HistGradientBoostingClassifier, resource
  ``max_iter`` (boosting iterations), searching the learning rate: with few
  iterations the largest rates win, with all of them small rates do, so the
  low rungs mislead and only Hyperband's brackets that start higher protect.
* ``hgb_lr_noisy``: the same with a quarter of the labels flipped, where
  the inversion is strong: at 9 iterations learning rates of 0.1-0.3 rank
  first, at 243 they overfit the noise and 0.01-0.03 are best (3-fold CV,
  64 leaves: 0.7206 / 0.7226 at 9 iterations, 0.7367 / 0.7300 at 243,
  against 0.7427 / 0.7457 for 0.01 / 0.03).

``--reuse PATH`` takes the runs of (task, method, seed) that this run does
not make from an earlier ``hyperband.json`` (or ``.partial.jsonl``), so that
a change to one method does not rerun its peers; the report then mixes wall
times measured at different times (and with different ``--workers``).

Usage (with the benchmark environment, hptune from this worktree)::

    OMP_NUM_THREADS=1 PYTHONPATH=. /work/venv-bench/bin/python benchmarks/bench_hyperband.py --seeds 0-4
    PYTHONPATH=. python benchmarks/bench_hyperband.py --quick      # smoke run, no files

Wall times are measured with ``--workers`` processes side by side, on a
machine that may be shared: compute (full evaluations) is the primary axis.
"""

import argparse
import json
import math
import os
import platform
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import HalvingRandomSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from suite.seeds import parse_seeds  # the script's folder is on sys.path

RESULTS = Path(__file__).parent / "results"
FACTOR = 3


# -- tasks ----------------------------------------------------------------------
# Each task: data, estimator, resource, full resource R, smallest resource,
# and the space as {name: ("real", low, high, log) | ("int", low, high)}.
def _data(n_samples, n_features, n_informative, seed=0, flip_y=0.03):
    return make_classification(n_samples=n_samples, n_features=n_features, n_informative=n_informative,
                               n_redundant=2, n_clusters_per_class=3, flip_y=flip_y, class_sep=0.8,
                               random_state=seed)


TASKS = {
    "hgb_samples": dict(
        data=lambda: _data(12000, 30, 12),
        estimator=lambda: HistGradientBoostingClassifier(max_iter=80, early_stopping=False, random_state=0),
        resource="n_samples",
        space={"learning_rate": ("real", 0.01, 1.0, True), "max_leaf_nodes": ("int", 3, 128),
               "min_samples_leaf": ("int", 1, 200), "l2_regularization": ("real", 1e-6, 10.0, True)},
    ),
    "svc_samples": dict(
        data=lambda: _data(6000, 20, 10),
        estimator=lambda: make_pipeline(StandardScaler(), SVC()),
        resource="n_samples",
        space={"svc__C": ("real", 1e-2, 1e3, True), "svc__gamma": ("real", 1e-4, 1e1, True)},
    ),
    "sgd_epochs": dict(
        data=lambda: _data(20000, 100, 30),
        estimator=lambda: SGDClassifier(loss="log_loss", penalty="elasticnet", learning_rate="invscaling",
                                        tol=None, max_iter=27, random_state=0),
        resource="max_iter",
        space={"alpha": ("real", 1e-7, 1e-1, True), "l1_ratio": ("real", 0.0, 1.0, False),
               "eta0": ("real", 1e-4, 1.0, True), "power_t": ("real", 0.05, 0.9, False)},
    ),
    "hgb_lr_misleads": dict(
        data=lambda: _data(8000, 20, 10),
        estimator=lambda: HistGradientBoostingClassifier(max_iter=243, early_stopping=False, random_state=0),
        resource="max_iter",
        space={"learning_rate": ("real", 1e-3, 1.0, True), "max_leaf_nodes": ("int", 2, 64)},
    ),
    "hgb_lr_noisy": dict(
        data=lambda: _data(8000, 20, 10, flip_y=0.25),
        estimator=lambda: HistGradientBoostingClassifier(max_iter=243, early_stopping=False, random_state=0),
        resource="max_iter",
        space={"learning_rate": ("real", 1e-3, 1.0, True), "max_leaf_nodes": ("int", 2, 64)},
    ),
}


def _max_resources(task, X):
    return len(X) if task["resource"] == "n_samples" else task["estimator"]().get_params()[task["resource"]]


def _hptune_space(space):
    return {k: (v[1], v[2], "log-uniform" if v[3] else "uniform") if v[0] == "real" else (v[1], v[2])
            for k, v in space.items()}


def _scipy_space(space):
    from scipy.stats import loguniform, randint, uniform

    return {k: (loguniform(v[1], v[2]) if v[3] else uniform(v[1], v[2] - v[1])) if v[0] == "real"
            else randint(v[1], v[2] + 1) for k, v in space.items()}


def _optuna_space(space):
    from optuna.distributions import FloatDistribution, IntDistribution

    return {k: FloatDistribution(v[1], v[2], log=v[3]) if v[0] == "real" else IntDistribution(v[1], v[2])
            for k, v in space.items()}


# -- methods ----------------------------------------------------------------------
def _hyperband(task, X, y, cv, budget, seed, proposal="bayes", continue_training="auto"):
    from hptune import HyperbandSearchCV

    search = HyperbandSearchCV(task["estimator"](), _hptune_space(task["space"]), n_iter=budget,
                               resource=task["resource"], factor=FACTOR, proposal=proposal, cv=cv,
                               continue_training=continue_training, random_state=seed)
    search.fit(X, y)
    return search, search.strategy_.spent


def _bayes(task, X, y, cv, budget, seed):
    from hptune import BayesSearchCV

    search = BayesSearchCV(task["estimator"](), _hptune_space(task["space"]), n_iter=int(budget), cv=cv,
                           random_state=seed)
    return search.fit(X, y), float(budget)


def _halving_cost(n, r_min, R, factor):
    """Cost in full evaluations of HalvingRandomSearchCV's rungs, by its own rule.

    It runs ``min(1 + floor(log_factor(n)), 1 + floor(log_factor(R / r_min)))``
    rungs; rung ``i`` has ``ceil(n / factor**i)`` candidates at ``r_min * factor**i``.
    """
    n_rungs = min(1 + int(math.log(n) / math.log(factor) + 1e-9),
                  1 + int(math.log(R / r_min) / math.log(factor) + 1e-9))
    return sum(math.ceil(n / factor**i) * r_min * factor**i / R for i in range(n_rungs))


def _halving(task, X, y, cv, budget, seed):
    R = _max_resources(task, X)
    if task["resource"] == "n_samples":
        R = len(X)
    r_min = max(1, R // FACTOR**3)
    n = 1
    while _halving_cost(n + 1, r_min, R, FACTOR) <= budget and n < 10_000:
        n += 1
    search = HalvingRandomSearchCV(task["estimator"](), _scipy_space(task["space"]), n_candidates=n,
                                   factor=FACTOR, resource=task["resource"], min_resources=r_min,
                                   max_resources=R, cv=cv, random_state=seed)
    search.fit(X, y)
    spent = float(np.sum(search.cv_results_["n_resources"]) / R)
    return search, spent


def _optuna(task, X, y, cv, budget, seed):
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    R = _max_resources(task, X)
    spent = [0.0]

    def stop_at_budget(study, trial):
        spent[0] += len(trial.intermediate_values) / R
        if spent[0] >= budget - 1e-9:
            study.stop()

    sampler = optuna.samplers.TPESampler(seed=seed)
    pruner = optuna.pruners.HyperbandPruner(min_resource=max(1, R // FACTOR**3), max_resource=R,
                                            reduction_factor=FACTOR)
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    estimator = task["estimator"]().set_params(max_iter=R)
    with warnings.catch_warnings():
        # OptunaSearchCV is experimental and says so on every construction.
        warnings.simplefilter("ignore", category=optuna.exceptions.ExperimentalWarning)
        search = OptunaSearchCV(estimator, _optuna_space(task["space"]), cv=cv, enable_pruning=True,
                                max_iter=R, n_trials=10_000, study=study, callbacks=[stop_at_budget],
                                random_state=seed)
        search.fit(X, y)
    return search, spent[0]


METHODS = {
    "hptune.HyperbandSearchCV": _hyperband,
    "hptune.Hyperband-random": lambda *a: _hyperband(*a, proposal="random"),
    "hptune.Hyperband-refit": lambda *a: _hyperband(*a, continue_training=False),
    "hptune.BayesSearchCV": _bayes,
    "HalvingRandomSearchCV": _halving,
    "Optuna TPE+HyperbandPruner": _optuna,
}
DEFAULT_METHODS = ["hptune.HyperbandSearchCV", "hptune.BayesSearchCV", "HalvingRandomSearchCV",
                   "Optuna TPE+HyperbandPruner"]
#: methods that need partial_fit (only the tasks whose resource is epochs of partial_fit)
PARTIAL_FIT_ONLY = {"Optuna TPE+HyperbandPruner"}


def _full_resource_best(search):
    """The best mean CV score with the full resource, as the method reports it."""
    return float(search.best_score_)


def run_one(task_name, method, seed, budget):
    """One (task, method, seed): tune on 75 %, score the refitted best on 25 %."""
    task = TASKS[task_name]
    X, y = task["data"]()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # tol=None SGD and iteration-capped solvers warn by design; the warning
        # says nothing about the comparison.
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        search, spent = METHODS[method](task, X_train, y_train, cv, budget, seed)
    wall = time.perf_counter() - start
    return {
        "task": task_name, "method": method, "seed": seed, "budget": budget,
        "cv_score": _full_resource_best(search),
        "test_score": float(search.score(X_test, y_test)),
        "spent": float(spent), "wall": wall,
        "n_candidates": len(search.study_.trials) if hasattr(search, "study_")
        else len(search.cv_results_["params"]),
        "continued": bool(getattr(search, "continue_training_", False)),
    }


# -- report -------------------------------------------------------------------------
def _mean_std(rows, key, fmt):
    v = np.array([r[key] for r in rows], dtype=float)
    return f"{v.mean():{fmt}} ± {v.std():{fmt}}"


def _table(runs):
    lines = ["| task | method | full-resource CV score | held-out score | compute (full evals) | "
             "candidates | wall (s) |", "|---|---|---|---|---|---|---|"]
    keys = sorted({(r["task"], r["method"]) for r in runs}, key=lambda k: (list(TASKS).index(k[0]), k[1]))
    for task, method in keys:
        rows = [r for r in runs if r["task"] == task and r["method"] == method]
        cells = [_mean_std(rows, key, fmt) for key, fmt in
                 (("cv_score", ".4f"), ("test_score", ".4f"), ("spent", ".2f"), ("n_candidates", ".0f"),
                  ("wall", ".1f"))]
        lines.append(f"| {task} | {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _paired(runs, reference="hptune.HyperbandSearchCV"):
    """Per task and peer: mean (reference - peer) over the seeds both ran, and the seeds it is higher."""
    lines = ["| task | peer | seeds | Δ CV score (mean) | higher CV | Δ held-out (mean) | higher held-out |",
             "|---|---|---|---|---|---|---|"]
    by = {(r["task"], r["method"], r["seed"]): r for r in runs}
    for task in TASKS:
        for peer in sorted({r["method"] for r in runs if r["task"] == task} - {reference}):
            seeds = sorted(s for (t, m, s) in by if t == task and m == peer and (task, reference, s) in by)
            if not seeds:
                continue
            cells = []
            for key in ("cv_score", "test_score"):
                d = np.array([by[task, reference, s][key] - by[task, peer, s][key] for s in seeds])
                cells += [f"{d.mean():+.4f}", f"{int((d > 0).sum())}/{len(seeds)}"]
            lines.append(f"| {task} | {peer} | {len(seeds)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--budget", type=float, default=15)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="one seed, budget 3, no files")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="take the runs this run does not make from this earlier JSON or .partial.jsonl")
    parser.add_argument("--report-only", action="store_true",
                        help="write the report from the runs finished so far (hyperband.partial.jsonl)")
    args = parser.parse_args(argv)
    partial = RESULTS / "hyperband.partial.jsonl"
    if args.report_only:
        runs = [json.loads(line) for line in partial.read_text().splitlines() if line.strip()]
        seeds, budget = sorted({r["seed"] for r in runs}), runs[0]["budget"]
        runs += _reused(args.reuse, {(r["task"], r["method"], r["seed"]) for r in runs}, seeds, budget)
        _write_report(runs, seeds, budget, args.workers, reused=args.reuse is not None)
        return
    seeds, budget = ([0], 3.0) if args.quick else (parse_seeds(args.seeds), args.budget)
    jobs = [(t, m, s, budget) for s in seeds for t in args.tasks.split(",") for m in args.methods.split(",")
            if not (m in PARTIAL_FIT_ONLY and TASKS[t]["resource"] != "max_iter" or
                    m in PARTIAL_FIT_ONLY and not hasattr(TASKS[t]["estimator"](), "partial_fit"))]
    runs = _reused(args.reuse, {(t, m, s) for t, m, s, _ in jobs}, seeds, budget)
    with ProcessPoolExecutor(args.workers) as pool:
        futures = {pool.submit(run_one, *job): job for job in jobs}
        for future in as_completed(futures):
            run = future.result()
            runs.append(run)
            print(json.dumps(run), flush=True)
            if not args.quick:
                with partial.open("a") as f:
                    f.write(json.dumps(run) + "\n")
    print(_table(runs))
    if not args.quick:
        _write_report(runs, seeds, budget, args.workers, reused=args.reuse is not None)


def _reused(path, made, seeds, budget):
    """The runs of ``path`` (same budget and seeds) that this run does not make."""
    if path is None:
        return []
    text = path.read_text()
    runs = json.loads(text)["runs"] if path.suffix == ".json" else [json.loads(x) for x in text.splitlines() if x]
    return [r for r in runs if r["budget"] == budget and r["seed"] in seeds
            and (r["task"], r["method"], r["seed"]) not in made]


def _write_report(runs, seeds, budget, workers, reused=False):
    import hptune

    table = _table(runs)

    command = "python benchmarks/bench_hyperband.py " + " ".join(sys.argv[1:])
    meta = {"command": command, "seeds": seeds, "budget": budget, "factor": FACTOR, "python": sys.version.split()[0],
            "sklearn": sklearn.__version__, "numpy": np.__version__, "platform": platform.platform(),
            "hptune": hptune.__file__, "workers": workers,
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    (RESULTS / "hyperband.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=1))
    (RESULTS / "hyperband.md").write_text(
        f"# HyperbandSearchCV benchmark\n\nBudget {budget} full evaluations, seeds {seeds}, factor "
        f"{FACTOR}, 3-fold CV on 75 % of the data, held-out score on the other 25 %. Mean ± std over "
        f"seeds. Wall times with {workers} processes on a shared machine"
        f"{' (runs taken from an earlier result with --reuse keep their own wall times)' if reused else ''}"
        f".\n\nCommand: `{command}`\n\n{table}\n\n"
        f"HyperbandSearchCV minus each peer, paired by seed:\n\n{_paired(runs)}\n"
    )


if __name__ == "__main__":
    main()
