"""Output warping of BayesSearchCV's surrogate: an ablation on the suite's tasks.

BayesSearchCV's Gaussian process can learn the raw scores, their Gaussian
copula (normal quantiles of the ranks) or a Yeo-Johnson power transform of
them (``BayesOptimizer(output_warping=...)``, see
``hptune/strategies/_warping.py``). This script runs the three side by side
with RandomizedSearchCV and Optuna's TPE sampler on the tasks of
``suite/tasks.py`` (the same data, fixed 3-fold splitter and budget for
every method), and reports Bayesmark's normalised score per task:
``100 * (best - R) / (O - R)``, where ``R`` is random search's mean best
score and ``O`` the best score any run found on the task (0 = random search,
100 = the best found).

Usage (in an environment with the ``bench`` extra)::

    OMP_NUM_THREADS=1 python benchmarks/bench_warping.py --seeds 0-4 --budget 30
    python benchmarks/bench_warping.py --report-only

Writes ``results/warping.json`` (every run's scores) and ``results/warping.md``.
Finished runs are kept, so an interrupted run continues where it stopped.
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from suite.methods import _from_cv_results, _timed_fit, run_optuna_tpe, run_random  # noqa: E402
from suite.tasks import TASKS, hptune_space, make_cv, make_estimator, scoring  # noqa: E402
from suite.seeds import parse_seeds  # noqa: E402

WARPINGS = ("none", "copula", "power")


def run_bayes(warping, task, X, y, cv, budget, seed):
    """hptune's BayesSearchCV whose optimiser learns the warped scores."""
    from hptune import BayesSearchCV

    class WarpedBayesSearchCV(BayesSearchCV):
        def _make_strategy(self, space, budget, random_state):
            strategy = super()._make_strategy(space, budget, random_state)
            strategy.output_warping = warping
            return strategy

    search = WarpedBayesSearchCV(
        make_estimator(task), hptune_space(task["params"]), n_iter=budget, n_initial_points=10,
        cv=cv, scoring=scoring(task), random_state=seed, refit=False,
    )
    return _from_cv_results(search, _timed_fit(search, X, y))


def methods():
    found = {
        "RandomizedSearchCV": lambda *a: run_random(*a, n_jobs=1),
        "Optuna TPE": lambda *a: run_optuna_tpe(*a, n_jobs=1),
    }
    for warping in WARPINGS:
        found[f"hptune[{warping}]"] = lambda *a, w=warping: run_bayes(w, *a)
    return found


def normalised(runs):
    """{task: {method: [normalised score per seed]}}."""
    table = {}
    for task in dict.fromkeys(r["task"] for r in runs):
        rows = [r for r in runs if r["task"] == task]
        best = {}
        for r in rows:
            best.setdefault(r["method"], []).append(r["best_score"])
        reference = np.mean(best["RandomizedSearchCV"])
        top = max(max(v) for v in best.values())
        span = top - reference
        table[task] = {
            m: [100.0 * (b - reference) / span if span > 0 else 0.0 for b in v]
            for m, v in best.items()
        }
    return table


def markdown(table, meta):
    names = list(methods())
    lines = [
        "# Output warping of BayesSearchCV's surrogate",
        "",
        f"Budget {meta['budget']} evaluations, seeds {meta['seeds']}, 3-fold CV; normalised score "
        "(0 = RandomizedSearchCV's mean best, 100 = the best any run found on the task), "
        "mean ± standard error over the seeds. Produced by "
        f"`{meta['command']}`.",
        "",
        "| task | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for task, row in table.items():
        cells = []
        for m in names:
            v = np.asarray(row.get(m, []), dtype=float)
            cells.append(f"{v.mean():.1f} ± {v.std(ddof=1) / np.sqrt(len(v)):.1f}" if len(v) > 1 else "–")
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    means = [np.mean([np.mean(row[m]) for row in table.values() if m in row]) for m in names]
    lines.append("| **mean** | " + " | ".join(f"**{v:.1f}**" for v in means) + " |")
    lines += ["", "Paired by seed, each warping against the raw scores (mean ± standard error):", ""]
    lines += ["| task | " + " | ".join(f"{w} − none" for w in WARPINGS[1:]) + " |", "|---|---|---|"]
    for task, row in table.items():
        cells = []
        for w in WARPINGS[1:]:
            d = np.subtract(row[f"hptune[{w}]"], row["hptune[none]"][: len(row[f"hptune[{w}]"])])
            cells.append(f"{d.mean():+.1f} ± {d.std(ddof=1) / np.sqrt(len(d)):.1f}")
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--methods", default=",".join(methods()))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--output", default=os.path.join(HERE, "results", "warping"))
    args = parser.parse_args()
    path = args.output + ".json"
    saved = json.load(open(path)) if os.path.exists(path) else {"runs": []}
    runs = saved["runs"]
    meta = {"budget": args.budget, "seeds": parse_seeds(args.seeds), "command": "python " + " ".join(sys.argv)}
    if not args.report_only:
        done = {(r["task"], r["method"], r["seed"]) for r in runs}
        runners = methods()
        for name in args.tasks.split(","):
            task = TASKS[name]
            X, y = task["data"]()
            for seed in meta["seeds"]:
                for method in args.methods.split(","):
                    if (name, method, seed) in done:
                        continue
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        out = runners[method](task, X, y, make_cv(task), args.budget, seed)
                    runs.append({"task": name, "method": method, "seed": seed, **out})
                    print(f"{name:18s} {method:20s} seed {seed}: {out['best_score']:.5g}", flush=True)
                    with open(path, "w") as f:
                        json.dump({"meta": meta, "runs": runs}, f)
    else:
        meta = saved.get("meta", meta)
    with open(args.output + ".md", "w") as f:
        f.write(markdown(normalised(runs), meta))
    print(open(args.output + ".md").read())


if __name__ == "__main__":
    main()
