"""Record what hptune's searches evaluate on the benchmark tasks, to compare two versions.

A refactoring of the search layer must not change which candidates a search
evaluates or how they score. This script runs BayesSearchCV,
EvolutionSearchCV and PBTSearchCV (where the task trains incrementally) on
the benchmark tasks with fixed seeds, one thread, and writes every
candidate's parameters, per-split test scores and extra ``cv_results_``
columns (``iter``, ``generation``, ``member``, ``budget``) to a JSON file.
Times are left out: they change from run to run. ``--compare`` diffs two
such files and exits non-zero when any candidate or score differs.

Usage (``PYTHONPATH`` names the checkout to measure; the script prints which
hptune it imported)::

    python benchmarks/record_results.py --out before.json            # old code
    python benchmarks/record_results.py --out after.json             # new code
    python benchmarks/record_results.py --compare before.json after.json
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from suite.tasks import TASKS, hptune_space, make_cv, make_estimator  # noqa: E402

_EXTRA_COLUMNS = ("iter", "generation", "member", "budget")


def _searches(task, budget, seed):
    """(name, unfitted search) for each hptune search that applies to ``task``."""
    from hptune import BayesSearchCV, EvolutionSearchCV, PBTSearchCV

    space, cv = hptune_space(task["params"]), make_cv(task)
    common = dict(cv=cv, random_state=seed, n_jobs=1, refit=False)
    yield "BayesSearchCV", BayesSearchCV(
        make_estimator(task), space, n_iter=budget, n_initial_points=5, **common
    )
    yield "EvolutionSearchCV", EvolutionSearchCV(
        make_estimator(task), space, population_size=5, n_iter=budget, **common
    )
    if task["pbt"] is not None:
        pbt = task["pbt"]
        yield "PBTSearchCV", PBTSearchCV(
            make_estimator(task), space, population_size=8, n_steps=pbt["n_steps"],
            step_size=pbt["step_size"], resource=pbt["resource"], **common,
        )


def _record(search):
    results = search.cv_results_
    splits = [f"split{k}_test_score" for k in range(search.n_splits_)]
    return {
        "params": [repr(sorted(p.items())) for p in results["params"]],
        "split_scores": [[float(results[s][i]) for s in splits] for i in range(len(results["params"]))],
        **{c: np.asarray(results[c]).tolist() for c in _EXTRA_COLUMNS if c in results},
    }


def record(tasks, seeds, budget):
    runs = {}
    for name in tasks:
        task = TASKS[name]
        X, y = task["data"]()
        for seed in seeds:
            for search_name, search in _searches(task, budget, seed):
                start = time.perf_counter()
                search.fit(X, y)
                key = f"{name}/{search_name}/{seed}"
                runs[key] = _record(search)
                print(f"{key}: {len(runs[key]['params'])} candidates, {time.perf_counter() - start:.1f} s")
    return runs


def compare(path_a, path_b):
    a, b = (json.loads(Path(p).read_text()) for p in (path_a, path_b))
    differ = 0
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            print(f"{key}: only in {'the second' if key in b else 'the first'} file")
            differ += 1
        elif a[key] != b[key]:
            first = next(c for c in a[key] if a[key][c] != b[key].get(c))
            print(f"{key}: differs in {first!r}")
            differ += 1
    print(f"{len(set(a) | set(b))} runs compared, {differ} differ")
    return differ


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="JSON file to write")
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated task names")
    parser.add_argument("--seeds", default="0,1", help="comma-separated seeds")
    parser.add_argument("--budget", type=int, default=20, help="candidates per Bayes/evolution run")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="diff two recordings")
    args = parser.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)
    if not args.out:
        parser.error("give --out or --compare")
    seeds = [int(s) for s in args.seeds.split(",")]
    import hptune

    # An editable install and a second checkout are easy to mix up: say which one runs.
    print(f"hptune {hptune.__version__} from {Path(hptune.__file__).parent}")
    runs = record(args.tasks.split(","), seeds, args.budget)
    Path(args.out).write_text(json.dumps(runs, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
