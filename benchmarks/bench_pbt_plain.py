"""PBTSearchCV against a plain synchronous PBT, random search and successive halving.

Every method trains on the same three CV splits of a digits subset with the
same total training compute, counted independently of the searches: the
estimators are subclasses whose ``fit``/``partial_fit`` add the epochs or
boosting stages they train to a counter. One unit is one epoch (SGD, MLP by
``partial_fit``) or one boosting stage (gradient boosting by ``warm_start``) on
one fold.

* ``plain``: textbook synchronous PBT written here (Jaderberg et al., 2017):
  every ``interval`` steps the bottom 25 % copy the fold models and the
  hyperparameters of a random top-25 % member, then each hyperparameter is
  resampled with probability 0.25, else multiplied by 0.8 or 1.2 (an ordered
  list moves to a neighbouring value, an unordered one stays).
* ``PBTSearchCV-<explore>``: hptune's PBT with that explore rule (and any
  variant given with ``--variants``), from the same initial population as
  ``plain`` (paired: both draw it from the same seed).
* ``random``: RandomizedSearchCV, ``members`` candidates trained with all
  ``steps`` units each (the same compute).
* ``halving``: HalvingRandomSearchCV over the same resource (``max_iter`` or
  ``n_estimators``) from ``steps / 9`` to ``steps`` units with factor 3 and as
  many candidates as the compute allows.

Reported: the mean best CV score (the best member or candidate), the paired
difference of every method to ``plain`` with its standard error over seeds,
and the compute each method needed to reach the random search's best score,
as a fraction of the random search's compute.

Usage::

    PYTHONPATH=. python benchmarks/bench_pbt_plain.py --seeds 0-7
    PYTHONPATH=. python benchmarks/bench_pbt_plain.py --quick   # smoke run, no files
"""

import argparse
import copy
import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import HalvingRandomSearchCV, RandomizedSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from scipy.stats import loguniform, uniform
from threadpoolctl import threadpool_limits

import hptune
from suite.seeds import parse_seeds  # the script's folder is on sys.path
from hptune import PBTSearchCV
from hptune.strategies import PBTScheduler
from hptune.utils._random import check_random_state, child_seed

RESULTS = Path(__file__).parent / "results"


# -- compute counted by the estimators themselves ------------------------------------
class Counter:
    units = 0


def _count_fit(estimator, before):
    """Units trained by one ``fit``: epochs run, or boosting stages added."""
    if hasattr(estimator, "estimators_"):
        Counter.units += estimator.n_estimators_ - before
    else:
        Counter.units += estimator.n_iter_ - before


class SGD(SGDClassifier):
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        Counter.units += 1
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    def fit(self, X, y, **kwargs):
        super().fit(X, y, **kwargs)
        _count_fit(self, 0)
        return self


class MLP(MLPClassifier):
    def partial_fit(self, X, y, classes=None, **kwargs):
        Counter.units += 1
        return super().partial_fit(X, y, classes=classes, **kwargs)

    def fit(self, X, y, **kwargs):
        super().fit(X, y, **kwargs)
        _count_fit(self, 0)
        return self


class GB(GradientBoostingClassifier):
    def fit(self, X, y, **kwargs):
        before = getattr(self, "n_estimators_", 0) if self.warm_start else 0
        super().fit(X, y, **kwargs)
        _count_fit(self, before)
        return self


# -- tasks ---------------------------------------------------------------------------
# A parameter is ("log", low, high), ("lin", low, high) or ("list", values):
# a list of numbers is ordered (hptune makes it an Ordinal).
def _sgd(units, seed):
    return SGD(penalty="elasticnet", learning_rate="constant", max_iter=units, tol=None,
               random_state=seed)


def _mlp(units, seed):
    return MLP(hidden_layer_sizes=(32,), solver="sgd", max_iter=units, tol=0,
               n_iter_no_change=units + 1, random_state=seed)


def _gb(units, seed):
    return GB(n_estimators=units, max_features=0.5, random_state=seed)


TASKS = {
    "sgd": dict(
        make=_sgd, resource="partial_fit", halving_resource="max_iter",
        params={"alpha": ("log", 1e-7, 1e-1), "eta0": ("log", 1e-5, 1.0),
                "l1_ratio": ("lin", 0.0, 1.0)},
    ),
    "mlp": dict(
        make=_mlp, resource="partial_fit", halving_resource="max_iter",
        params={"learning_rate_init": ("log", 1e-4, 1.0), "alpha": ("log", 1e-6, 1e-1),
                "momentum": ("lin", 0.5, 0.99), "batch_size": ("list", [16, 32, 64, 128, 256])},
    ),
    "gb": dict(
        # Fewer samples: one boosting stage fits 10 trees (one per class), the
        # cost of the whole benchmark otherwise.
        make=_gb, resource="n_estimators", halving_resource="n_estimators", n_samples=300,
        params={"learning_rate": ("log", 0.01, 1.0), "max_depth": ("list", [1, 2, 3, 4, 5, 6]),
                "subsample": ("lin", 0.3, 1.0)},
    ),
}


def hptune_space(params):
    out = {}
    for name, spec in params.items():
        if spec[0] == "list":
            out[name] = list(spec[1])
        else:
            out[name] = (spec[1], spec[2], "log-uniform" if spec[0] == "log" else "uniform")
    return out


def scipy_space(params):
    out = {}
    for name, spec in params.items():
        if spec[0] == "list":
            out[name] = list(spec[1])
        elif spec[0] == "log":
            out[name] = loguniform(spec[1], spec[2])
        else:
            out[name] = uniform(spec[1], spec[2] - spec[1])
    return out


# -- plain synchronous PBT -----------------------------------------------------------
def plain_explore(params, specs, rng):
    """Resample with probability 0.25, else x0.8/x1.2 (a list moves to a neighbour)."""
    new = {}
    for name, value in params.items():
        spec = specs[name]
        resample, factor = rng.uniform() < 0.25, (0.8, 1.2)[rng.randint(2)]
        if spec[0] == "list":
            values = spec[1]
            i = rng.randint(len(values)) if resample else values.index(value) + (1 if factor > 1 else -1)
            new[name] = values[min(max(i, 0), len(values) - 1)]
        elif resample:
            low, high = spec[1], spec[2]
            new[name] = (math.exp(rng.uniform(math.log(low), math.log(high))) if spec[0] == "log"
                         else rng.uniform(low, high))
        else:
            new[name] = min(max(value * factor, spec[1]), spec[2])
    return new


def train_unit(task, model, params, X, y, classes):
    """One unit of training of ``model`` with ``params`` (a fresh model when None)."""
    if task["resource"] == "partial_fit":
        model.set_params(**params).partial_fit(X, y, classes=classes)
    else:
        model.set_params(**params, warm_start=True,
                         n_estimators=getattr(model, "n_estimators_", 0) + 1).fit(X, y)
    return model


def run_plain(task, X, y, splits, init, seed, steps, interval):
    specs, members = task["params"], len(init)
    rng = np.random.RandomState(seed + 12345)
    classes = np.unique(y)
    params = [dict(p) for p in init]
    models = [[task["make"](1, seed) for _ in splits] for _ in range(members)]
    curve = []
    for step in range(steps):
        scores = np.empty(members)
        for i in range(members):
            fold_scores = []
            for k, (train, test) in enumerate(splits):
                train_unit(task, models[i][k], params[i], X[train], y[train], classes)
                fold_scores.append(models[i][k].score(X[test], y[test]))
            scores[i] = np.mean(fold_scores)
        curve.append(float(np.nanmax(scores)))
        if (step + 1) % interval == 0 and step < steps - 1:
            order = np.argsort(np.nan_to_num(scores, nan=-np.inf), kind="stable")
            n = members // 4
            for loser in order[:n]:
                winner = order[members - n + rng.randint(n)]
                models[loser] = copy.deepcopy(models[winner])
                params[loser] = plain_explore(params[winner], specs, rng)
    return curve


# -- hptune and scikit-learn ---------------------------------------------------------
def initial_population(task, seed, members):
    """PBTSearchCV's initial members for ``random_state=seed`` (its scheduler's first draw)."""
    rng = check_random_state(seed)
    scheduler = PBTScheduler(hptune_space(task["params"]), population_size=members,
                             random_state=child_seed(rng))
    return scheduler.ask()


class AblationPBT(PBTSearchCV):
    """PBTSearchCV whose scheduler gets settings that PBTSearchCV does not expose."""

    scheduler_settings = {}

    def _plan(self, *args):
        plan, scheduler = super()._plan(*args)
        for name, value in self.scheduler_settings.items():
            setattr(scheduler, name, value)
        return plan, scheduler


def run_hptune(task, X, y, splits, init, seed, steps, interval, scheduler=None, **params):
    search = AblationPBT(
        task["make"](1, seed), hptune_space(task["params"]), population_size=len(init),
        n_steps=steps, resource=task["resource"], perturbation_interval=interval, cv=splits,
        refit=False, random_state=seed, **params,
    )
    search.scheduler_settings = scheduler or {}
    search.fit(X, y)
    history = search.pbt_history_
    first = [p for p, s in zip(history["params"], history["step"]) if s == 0]
    assert first == init, "the initial population is not shared with plain PBT"
    scores = history["mean_test_score"]
    return [float(np.nanmax(scores[history["step"] == s])) for s in range(steps)]


def run_random(task, X, y, splits, init, seed, steps, interval):
    search = RandomizedSearchCV(
        task["make"](steps, seed), scipy_space(task["params"]), n_iter=len(init), cv=splits,
        refit=False, random_state=seed,
    ).fit(X, y)
    return np.maximum.accumulate(np.nan_to_num(search.cv_results_["mean_test_score"], nan=-1)).tolist()


def run_halving(task, X, y, splits, init, seed, steps, interval):
    # Rungs of steps/9, steps/3 and steps units, three times fewer candidates each:
    # c candidates cost 3 c steps/9 ... so c = 3 * members gives the same compute.
    search = HalvingRandomSearchCV(
        task["make"](steps, seed), scipy_space(task["params"]), n_candidates=3 * len(init),
        resource=task["halving_resource"], min_resources=steps // 9, max_resources=steps,
        factor=3, cv=splits, refit=False, random_state=seed,
    ).fit(X, y)
    results = search.cv_results_
    last = results["iter"] == results["iter"].max()
    return [float(np.nanmax(results["mean_test_score"][last]))]


def variant_runner(params):
    return lambda *args: run_hptune(*args, **params)


def run_one(task_name, method, runner, seed, args):
    task = TASKS[task_name]
    X, y = load_digits(return_X_y=True)
    n_samples = min(args.n_samples, task.get("n_samples", args.n_samples))
    X, y = X[:n_samples] / 16.0, y[:n_samples]
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    splits = list(cv.split(X, y))
    init = initial_population(task, seed, args.members)
    Counter.units = 0
    with warnings.catch_warnings(), threadpool_limits(1):
        # Training stops at a fixed number of epochs on purpose (equal compute).
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        cpu = time.process_time()
        curve = runner(task, X, y, splits, init, seed, args.steps, args.interval)
        cpu = time.process_time() - cpu
    return dict(task=task_name, method=method, seed=seed, curve=curve, best=max(curve),
                units=Counter.units // len(splits), cpu=cpu)


# -- cost of explore --------------------------------------------------------------
def explore_cost(task, explore, members, steps, interval, seeds=3):
    """CPU milliseconds of one exploit/explore round of PBTScheduler (mean, max).

    The scheduler runs alone on the task's space, told a synthetic learning
    curve (the score rises with the step and falls with the distance of the
    first hyperparameter from the middle of its log range, plus noise), so
    only its own work is timed, with ``time.process_time``.
    """
    space = hptune_space(task["params"])
    name, spec = next(iter(task["params"].items()))
    middle = (math.log10(spec[1]) + math.log10(spec[2])) / 2
    costs = []
    for seed in range(seeds):
        scheduler = PBTScheduler(space, population_size=members, perturbation_interval=interval,
                                 explore=explore, random_state=seed)
        noise = np.random.RandomState(seed)
        for step in range(steps):
            params = scheduler.ask()
            scores = [1 - math.exp(-step / 5) - 0.05 * abs(math.log10(p[name]) - middle)
                      + 0.01 * noise.randn() for p in params]
            start = time.process_time()
            scheduler.tell(scores, perturb=step < steps - 1)
            if (step + 1) % interval == 0 and step < steps - 1:
                costs.append(time.process_time() - start)
    return 1000 * float(np.mean(costs)), 1000 * float(np.max(costs))


# -- report --------------------------------------------------------------------------
def reach(run, target, budget):
    """Fraction of ``budget`` units ``run`` needed to reach ``target`` (inf: never).

    None when the run kept no curve (runs recovered from a log of best scores).
    """
    if run["curve"] is None:
        return None
    per_point = run["units"] / len(run["curve"])
    for i, best in enumerate(run["curve"]):
        if best >= target - 1e-12:
            return per_point * (i + 1) / budget
    return math.inf


def report(runs, methods, meta):
    by = {(r["task"], r["method"], r["seed"]): r for r in runs}
    tasks = list(dict.fromkeys(r["task"] for r in runs))
    seeds = sorted({r["seed"] for r in runs})
    lines = [
        f"# PBTSearchCV against plain PBT (digits, first {meta['n_samples']} samples "
        "(gradient boosting: 300), "
        f"{meta['members']} members, {meta['steps']} steps, interval {meta['interval']}, "
        f"3-fold CV, seeds {seeds[0]}-{seeds[-1]})", "",
        "Best mean CV score, mean over seeds; `Δ plain`: mean paired difference to plain "
        "PBT ± its standard error (std / sqrt(seeds)); `units`: training units per fold "
        "(epochs or boosting stages) counted by the estimators; `reach`: compute at which "
        "the method's best-so-far first reached the random search's best, as a fraction of "
        "the random search's compute (mean over the seeds that reached it; how many did); "
        "`cpu`: process time of one run, seconds (the machine was shared); `seeds`: "
        "how many seeds the row averages.", "",
        "| task | method | seeds | best CV | Δ plain | units | reach random's best | cpu (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for task in tasks:
        for method in methods:
            done = [s for s in seeds if (task, method, s) in by]
            if not done:
                continue
            rs = [by[(task, method, s)] for s in done]
            best = np.array([r["best"] for r in rs])
            plain = [by.get((task, "plain", s), {"best": math.nan}) for s in done]
            diff = best - np.array([r["best"] for r in plain])
            se = diff.std(ddof=1) / math.sqrt(len(diff)) if len(diff) > 1 else math.nan
            random = [by.get((task, "random", s), {"best": math.inf, "units": 1}) for s in done]
            fractions = [reach(r, other["best"], other["units"]) for r, other in zip(rs, random)]
            known = [f for f in fractions if f is not None]
            hit = [f for f in known if math.isfinite(f)]
            reached = (f"{np.mean(hit):.2f} ({len(hit)}/{len(known)})" if hit
                       else f"never (0/{len(known)})" if known else "n/a")
            lines.append(
                f"| {task} | {method} | {len(done)} | {best.mean():.4f} | "
                f"{diff.mean():+.4f} ± {se:.4f} | "
                f"{rs[0]['units']} | {reached} | {np.mean([r['cpu'] for r in rs]):.1f} |"
            )
    lines += ["", "CPU time of one exploit/explore round of PBTScheduler alone (ms, mean / max "
              "over 3 seeds, synthetic scores, same population, steps and interval):", "",
              "| task | " + " | ".join(meta["explore_cost"][tasks[0]]) + " |",
              "|---|" + "---|" * len(meta["explore_cost"][tasks[0]])]
    for task in tasks:
        cells = [f"{m:.1f} / {x:.1f}" for m, x in meta["explore_cost"][task].values()]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    lines += ["", f"hptune {meta['hptune']}; command: `{meta['command']}`"]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-7")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--members", type=int, default=16)
    parser.add_argument("--steps", type=int, default=27)
    parser.add_argument("--interval", type=int, default=3)
    parser.add_argument("--n-samples", type=int, default=600, help="first samples of digits")
    parser.add_argument("--methods", default="plain,random,halving,PBTSearchCV-bandit,PBTSearchCV-perturb")
    parser.add_argument("--variants", default="{}",
                        help='JSON: extra PBTSearchCV runs, {"name": {parameters}}; the parameter '
                        '"scheduler" sets PBTScheduler attributes, e.g. {"selection_window": 3}')
    parser.add_argument("--quick", action="store_true", help="1 seed, 8 members, 9 steps, no files")
    parser.add_argument("--reuse", default=None,
                        help="JSON (or .partial.jsonl) files of earlier runs, comma-separated: reused")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing: report the --reuse runs (a method missing a seed is left out)")
    parser.add_argument("--output", default=str(RESULTS / "pbt_plain"))
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.members, args.steps = "0", 8, 9
    runners = {"plain": run_plain, "random": run_random, "halving": run_halving,
               "PBTSearchCV-bandit": variant_runner({"explore": "bandit"}),
               "PBTSearchCV-perturb": variant_runner({"explore": "perturb"})}
    runners.update({k: variant_runner(v) for k, v in json.loads(args.variants).items()})
    methods = [m for m in args.methods.split(",") if m] + list(json.loads(args.variants))
    done = {}
    for path in args.reuse.split(",") if args.reuse else ():
        text = Path(path).read_text()
        rows = ([json.loads(line) for line in text.splitlines()] if path.endswith(".jsonl")
                else json.loads(text)["runs"])
        done.update({(r["task"], r["method"], r["seed"]): r for r in rows})
    partial = Path(args.output).with_suffix(".partial.jsonl")
    runs = []
    for task in args.tasks.split(","):
        for seed in parse_seeds(args.seeds):
            for method in methods:
                r = done.get((task, method, seed))
                if r is None and args.report_only:
                    continue
                if r is None:
                    r = run_one(task, method, runners[method], seed, args)
                    if not args.quick:  # kept, so that an interrupted run can be reused
                        with partial.open("a") as f:
                            f.write(json.dumps(r) + "\n")
                runs.append(r)
                print(f"{task:4s} {method:24s} seed={seed} best={r['best']:.4f} "
                      f"units={r['units']} cpu={r['cpu']:.1f}s", flush=True)
    with threadpool_limits(1):
        cost = {task: {rule: explore_cost(TASKS[task], rule, args.members, args.steps, args.interval)
                       for rule in ("perturb", "bandit")} for task in args.tasks.split(",")}
    meta = dict(vars(args), hptune=hptune.__file__, explore_cost=cost,
                command="PYTHONPATH=. python benchmarks/bench_pbt_plain.py " + " ".join(sys.argv[1:]))
    text = report(runs, methods, meta)
    print(text)
    if not args.quick:
        out = Path(args.output)
        out.with_suffix(".json").write_text(json.dumps(dict(meta=meta, runs=runs), indent=1))
        out.with_suffix(".md").write_text(text)


if __name__ == "__main__":
    main()
