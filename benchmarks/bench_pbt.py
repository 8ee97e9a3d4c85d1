"""PBTSearchCV against RandomizedSearchCV and BayesSearchCV, counting training compute.

Compute is counted in units of training (epochs of ``partial_fit`` or trees)
per CV fold. Every model of every method is trained with the same ``resource``
units: RandomizedSearchCV and BayesSearchCV train each candidate with all of
them in one fit; PBTSearchCV trains ``n`` members for ``n_steps`` steps of
``resource / n_steps`` units. PBTSearchCV therefore spends ``n * resource``
units per fold.

RandomizedSearchCV and BayesSearchCV evaluate ``3 n`` candidates in order, and
their best-score-so-far curve is recorded against compute, so one run gives
both comparisons of the PBT issue:

* *equal compute*: their best among the first ``n`` candidates (``n *
  resource`` units, as PBT) against PBT's final best; a Bayes run's first
  ``n`` iterations are exactly those of an ``n``-iteration run (the initial
  design size is fixed), and random candidates are independent draws;
* *a third of the compute*: the compute PBT needed to reach the best score of
  the full ``3 n``-candidate random search, as a fraction of that search's
  compute (target: at most 1/3, i.e. within PBT's own budget).

Scores are mean CV scores (``best_score_``) and, to expose selection bias,
the score on a held-out quarter of the data that no search saw, of the best
candidate refitted on the rest (refits are not counted as compute). PBT's
curve takes the best member after each step.

Usage::

    PYTHONPATH=. python benchmarks/bench_pbt.py --seeds 0-2
    PYTHONPATH=. python benchmarks/bench_pbt.py --quick   # smoke run, no files
"""

import argparse
import json
import platform
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import sklearn
from scipy.stats import loguniform, randint, uniform
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold, RandomizedSearchCV, StratifiedKFold, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from hptune.exceptions import RefitWarning
from hptune.search._pbt_search import PBTSearchCV
from suite.seeds import parse_seeds  # the script's folder is on sys.path

try:
    from hptune.search import BayesSearchCV

    BAYES_ERROR = None
except Exception as err:  # recorded in the results instead of crashing the run
    BayesSearchCV, BAYES_ERROR = None, f"{type(err).__name__}: {err}"

RESULTS = Path(__file__).parent / "results"


# -- tasks ----------------------------------------------------------------------
# Each parameter: ("real", low, high, log) or ("int", low, high). ``full`` builds
# the estimator trained with all ``resource`` units in one fit (random and
# Bayes); ``incremental`` the one PBT trains step by step.
def _digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _sgd(units, seed):
    # tol=None: exactly ``units`` epochs, no early stop.
    return SGDClassifier(learning_rate="constant", max_iter=units, tol=None, random_state=seed)


def _mlp(units, seed):
    # n_iter_no_change > max_iter: exactly ``units`` epochs, no early stop.
    mlp = MLPClassifier(
        hidden_layer_sizes=(32,), solver="sgd", momentum=0.9, batch_size=64,
        max_iter=units, n_iter_no_change=units + 1, random_state=seed,
    )
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def _gb(units, seed):
    return GradientBoostingRegressor(n_estimators=units, random_state=seed)


TASKS = {
    "sgd_digits": dict(
        data=_digits, estimator=_sgd, resource=24, n_steps=8, unit="epochs",
        pbt_resource="partial_fit", classification=True,
        params={"alpha": ("real", 1e-7, 1e-1, True), "eta0": ("real", 1e-5, 1.0, True)},
    ),
    "mlp_pipeline_digits": dict(
        data=_digits, estimator=_mlp, resource=30, n_steps=10, unit="epochs",
        pbt_resource="partial_fit", classification=True,
        params={
            "mlp__learning_rate_init": ("real", 1e-5, 1.0, True),
            "mlp__alpha": ("real", 1e-6, 1e-1, True),
        },
    ),
    "gb_diabetes": dict(
        data=lambda: load_diabetes(return_X_y=True), estimator=_gb, resource=120, n_steps=8,
        unit="trees", pbt_resource="n_estimators", classification=False,
        params={
            "learning_rate": ("real", 5e-3, 1.0, True),
            "max_depth": ("int", 1, 6),
            "subsample": ("real", 0.3, 1.0, False),
            "min_samples_leaf": ("int", 1, 40),
        },
    ),
}


def hptune_space(params):
    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = (float(spec[1]), float(spec[2]), "log-uniform" if spec[3] else "uniform")
        else:
            out[name] = (int(spec[1]), int(spec[2]))
    return out


def scipy_space(params):
    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            low, high = spec[1], spec[2]
            out[name] = loguniform(low, high) if spec[3] else uniform(low, high - low)
        else:
            out[name] = randint(spec[1], spec[2] + 1)
    return out


# -- runners ----------------------------------------------------------------------
def _scores(best_score, model, X_test, y_test, compute):
    return dict(
        best_score=float(best_score), holdout_score=float(model.score(X_test, y_test)),
        compute=int(compute),
    )


def _sequential(search, task, n, X, y, X_test, y_test):
    """Curve, and best CV/holdout scores after ``n`` and after all candidates."""
    scores = np.nan_to_num(search.cv_results_["mean_test_score"], nan=-np.inf)
    curve = np.maximum.accumulate(scores)
    compute = [task["resource"] * (k + 1) for k in range(len(curve))]
    first = int(np.argmax(scores[:n]))
    refit = clone(search.estimator).set_params(**search.cv_results_["params"][first]).fit(X, y)
    return dict(
        equal=_scores(scores[first], refit, X_test, y_test, compute[n - 1]),
        full=_scores(search.best_score_, search.best_estimator_, X_test, y_test, compute[-1]),
        curve_compute=compute, curve=curve.tolist(),
    )


def run_random(task, X, y, cv, n, seed, factor):
    return RandomizedSearchCV(
        task["estimator"](task["resource"], seed), scipy_space(task["params"]),
        n_iter=factor * n, cv=cv, random_state=seed,
    )


def run_bayes(task, X, y, cv, n, seed, factor):
    # A fixed initial design: the first n iterations are those of an n-iteration run.
    return BayesSearchCV(
        task["estimator"](task["resource"], seed), hptune_space(task["params"]),
        n_iter=factor * n, n_initial_points=5, cv=cv, random_state=seed,
    )


def run_pbt(task, X, y, cv, n, seed, factor, **pbt_params):
    step_size = task["resource"] // task["n_steps"]
    resource = task["pbt_resource"]
    estimator = task["estimator"](step_size, seed)
    if resource != "partial_fit" and isinstance(estimator, Pipeline):
        resource = f"{estimator.steps[-1][0]}__{resource}"
    return PBTSearchCV(
        estimator, hptune_space(task["params"]), population_size=n, n_steps=task["n_steps"],
        step_size=step_size, resource=resource, cv=cv, random_state=seed, **pbt_params,
    )


def _pbt_results(search, task, n, X_test, y_test):
    history = search.pbt_history_
    steps = range(task["n_steps"])
    per_step = [np.nanmax(history["mean_test_score"][history["step"] == s]) for s in steps]
    curve = np.maximum.accumulate(np.nan_to_num(per_step, nan=-np.inf))
    compute = [n * (task["resource"] // task["n_steps"]) * (s + 1) for s in steps]
    final = _scores(search.best_score_, search.best_estimator_, X_test, y_test, compute[-1])
    return dict(equal=final, full=final, curve_compute=compute, curve=curve.tolist())


def run_pbt_bandit(task, X, y, cv, n, seed, factor, **pbt_params):
    """PBT with the model-based explore, to show what it adds to the default random one."""
    return run_pbt(task, X, y, cv, n, seed, factor, **{**pbt_params, "explore": "bandit"})


METHODS = {
    "RandomizedSearchCV": run_random,
    "BayesSearchCV": run_bayes,
    "PBTSearchCV": run_pbt,
    "PBTSearchCV-bandit": run_pbt_bandit,
}


def is_pbt(method):
    return method.startswith("PBTSearchCV")


def run_one(job):
    """One (task, seed, method) run, single-threaded so that runs do not compete."""
    task_name, seed, method, n, factor, pbt_params = job
    task = TASKS[task_name]
    X, y = task["data"]()
    X, X_test, y, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y if task["classification"] else None
    )
    splitter = StratifiedKFold if task["classification"] else KFold
    cv = splitter(n_splits=3, shuffle=True, random_state=seed)  # the same folds for everyone
    extra = pbt_params if is_pbt(method) else {}
    search = METHODS[method](task, X, y, cv, n, seed, factor, **extra)
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
        # Every model is trained for a fixed number of epochs on purpose (equal
        # compute), so "maximum iterations reached" is expected.
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        start = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - start
        if is_pbt(method):
            result = _pbt_results(search, task, n, X_test, y_test)
        else:
            result = _sequential(search, task, n, X, y, X_test, y_test)
    result.update(
        task=task_name, method=method, seed=seed, wall=wall,
        refit_warning=any(issubclass(w.category, RefitWarning) for w in caught),
    )
    return result


# -- reporting ----------------------------------------------------------------------
def reach_fraction(pbt, other, key):
    """Fraction of ``other``'s compute PBT needed to reach its best (inf: never)."""
    target, budget = other[key]["best_score"], other[key]["compute"]
    for compute, best in zip(pbt["curve_compute"], pbt["curve"]):
        if best >= target - 1e-12:
            return compute / budget
    return float("inf")


def _mean_std(values):
    return float(np.mean(values)), float(np.std(values))


def summarise(runs):
    by = {}
    for r in runs:
        by.setdefault(r["task"], {}).setdefault(r["method"], {})[r["seed"]] = r
    summary = {}
    for task, methods in by.items():
        rows = {}
        for method, seeds in methods.items():
            rs = list(seeds.values())
            for key in ("equal",) if is_pbt(method) else ("equal", "full"):
                timed = is_pbt(method) or key == "full"  # wall time of the whole run
                rows[(method, key)] = dict(
                    best_score=_mean_std([r[key]["best_score"] for r in rs]),
                    holdout_score=_mean_std([r[key]["holdout_score"] for r in rs]),
                    wall=_mean_std([r["wall"] for r in rs]) if timed else None,
                    compute=rs[0][key]["compute"],
                )
        reach = {}  # per PBT variant
        for variant in filter(is_pbt, methods):
            pbt, reach[variant] = methods[variant], {}
            for method in ("RandomizedSearchCV", "BayesSearchCV"):
                for key in ("full", "equal"):
                    if method in methods:
                        reach[variant][f"{method}_{key}"] = [
                            reach_fraction(pbt[s], methods[method][s], key)
                            for s in sorted(pbt) if s in methods[method]
                        ]
        summary[task] = dict(rows={f"{m}|{k}": v for (m, k), v in rows.items()}, reach=reach)
    return summary


def _cell(mean_std, top):
    text = f"{mean_std[0]:.4f} ± {mean_std[1]:.4f}"
    return f"**{text}**" if np.isclose(mean_std[0], top) else text


def _fractions(values):
    return ", ".join("never" if np.isinf(f) else f"{f:.2f}" for f in values)


def _targets(summary, factor):
    """The issue's two targets, task by task."""
    lines = [
        "Targets: (1) RandomizedSearchCV's best reached with at most 1/3 of its compute "
        f"(seeds where PBT reached the {factor} n-candidate best within PBT's own budget); "
        "(2) a higher final score at equal compute (PBT's mean minus the n-candidate "
        "searches' means).",
        "",
        "| task | PBT | (1) seeds reached | (2) best CV − Random | − Bayes | holdout − Random "
        "| − Bayes |",
        "|---|---|---|---|---|---|---|",
    ]
    for task, entry in summary.items():
        rows = entry["rows"]
        for variant, reach in entry["reach"].items():
            fractions = reach.get("RandomizedSearchCV_full", [])
            hit = sum(f <= 1 / factor + 1e-9 for f in fractions)
            pbt = rows[f"{variant}|equal"]
            cells = [variant, f"{hit} of {len(fractions)}"]
            for score in ("best_score", "holdout_score"):
                for method in ("RandomizedSearchCV", "BayesSearchCV"):
                    other = rows.get(f"{method}|equal")
                    cells.append(f"{pbt[score][0] - other[score][0]:+.4f}" if other else "n/a")
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
    return lines


def markdown(summary, meta, runs):
    factor = meta["factor"]
    lines = [
        f"# PBTSearchCV benchmark (seeds {meta['seeds']}, n = {meta['n_candidates']}, "
        f"3-fold CV, {meta['workers']} runs side by side, one thread each)",
        "",
        f"Compute is epochs or trees per fold. PBTSearchCV trains n members; the other "
        f"searches evaluate {factor} n candidates, each trained with the full resource, "
        f"and are reported after n candidates (equal compute) and after all {factor} n. "
        "`best CV`: best mean CV score; `holdout`: the best candidate refitted and scored "
        "on a held-out quarter of the data; mean ± std over seeds, best of the "
        "equal-compute rows in bold. `PBTSearchCV` runs with its defaults (the paper's "
        "random explore, `explore=\"perturb\"`), `PBTSearchCV-bandit` with the "
        "model-based explore (`explore=\"bandit\"`).",
        "",
        "| task | method | compute | best CV | holdout | wall (s) |",
        "|---|---|---|---|---|---|",
    ]
    for task, entry in summary.items():
        rows = entry["rows"]
        equal = [k for k in rows if k.endswith("|equal")]
        top_cv = max(rows[k]["best_score"][0] for k in equal)
        top_ho = max(rows[k]["holdout_score"][0] for k in equal)
        unit = TASKS[task]["unit"]
        for method in METHODS:
            for key in ("equal", "full"):
                e = rows.get(f"{method}|{key}")
                if e is None:
                    continue
                label = method if is_pbt(method) else (
                    f"{method} ({meta['n_candidates']})" if key == "equal"
                    else f"{method} ({factor * meta['n_candidates']})"
                )
                bold = key == "equal"
                wall = "" if e["wall"] is None else f"{e['wall'][0]:.1f}"
                lines.append(
                    f"| {task} | {label} | {e['compute']} {unit} | "
                    f"{_cell(e['best_score'], top_cv if bold else np.inf)} | "
                    f"{_cell(e['holdout_score'], top_ho if bold else np.inf)} | {wall} |"
                )
    lines += [
        "",
        "Compute PBTSearchCV needed to reach another search's best CV score, per seed, as a "
        f"fraction of that search's compute (`{factor} n`: the full run, target ≤ 1/{factor}; "
        "`n`: at equal compute, where 1.00 means only at the end):",
        "",
        f"| task | PBT | Random ({factor} n) | Random (n) | Bayes ({factor} n) | Bayes (n) |",
        "|---|---|---|---|---|---|",
    ]
    for task, entry in summary.items():
        for variant, r in entry["reach"].items():
            cells = [variant] + [
                _fractions(r.get(k, [])) or "n/a"
                for k in (
                    "RandomizedSearchCV_full", "RandomizedSearchCV_equal",
                    "BayesSearchCV_full", "BayesSearchCV_equal",
                )
            ]
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
    warned = sorted(
        f"{r['task']} {r['method']} seed {r['seed']}" for r in runs if r.get("refit_warning")
    )
    lines += ["", *_targets(summary, factor), "",
              f"RefitWarning (replay trained worse than the folds) in: {', '.join(warned) or 'no run'}.",
              "", f"Versions: {meta['versions']}", "",
              f"Command: `{meta['command']}`"]
    if meta.get("bayes_error"):
        lines += ["", f"BayesSearchCV could not run: {meta['bayes_error']}"]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-2", help="e.g. 0-2 or 0,3,7")
    parser.add_argument("--n-candidates", type=int, default=16, help="PBT members (n)")
    parser.add_argument("--factor", type=int, default=3, help="other searches evaluate factor * n")
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated task names")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--workers", type=int, default=2, help="runs executed side by side")
    parser.add_argument(
        "--pbt-params", default="{}", help='extra PBTSearchCV parameters as JSON, e.g. \'{"explore": "bandit"}\''
    )
    parser.add_argument("--quick", action="store_true", help="1 seed, n=4, no files")
    parser.add_argument("--output", default=str(RESULTS / "pbt"), help="path without suffix")
    args = parser.parse_args(argv)
    seeds, n = parse_seeds(args.seeds), args.n_candidates
    if args.quick:
        seeds, n = seeds[:1], 4
    methods = [m for m in args.methods.split(",") if m != "BayesSearchCV" or BayesSearchCV]
    tasks = args.tasks.split(",")
    pbt_params = json.loads(args.pbt_params)
    jobs = [(t, s, m, n, args.factor, pbt_params) for t in tasks for s in seeds for m in methods]
    runs = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for r in pool.map(run_one, jobs):
            runs.append(r)
            print(
                f"{r['task']:20s} {r['method']:18s} seed={r['seed']} "
                f"best(n)={r['equal']['best_score']:.4f} best(all)={r['full']['best_score']:.4f} "
                f"holdout={r['full']['holdout_score']:.4f} wall={r['wall']:.1f}s",
                flush=True,
            )
    meta = dict(
        seeds=seeds, n_candidates=n, factor=args.factor, workers=args.workers,
        pbt_params=pbt_params,
        cv="3-fold (Stratified)KFold, shuffle, random_state=seed",
        versions=dict(
            python=platform.python_version(), numpy=np.__version__, sklearn=sklearn.__version__
        ),
        bayes_error=BAYES_ERROR,
        command="PYTHONPATH=. python benchmarks/bench_pbt.py " + " ".join(sys.argv[1:]),
    )
    summary = summarise(runs)
    text = markdown(summary, meta, runs)
    print(text)
    if not args.quick:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        record = dict(meta=meta, summary=summary, runs=runs)
        out.with_suffix(".json").write_text(json.dumps(record, indent=1))
        out.with_suffix(".md").write_text(text)


if __name__ == "__main__":
    main()
