"""Benchmark hptune against every peer, side by side, and write the report.

One command runs the whole suite:

1. *probe*: each library (scikit-learn, hptune's three searches,
   scikit-optimize, Optuna TPE and GP, sklearn-genetic-opt) is imported and
   run on a tiny task in a fresh process; a peer that fails is reported with
   its error and left out (or run under the interpreter given with
   ``--python LIB=PATH``, e.g. a virtualenv with older numpy/scikit-learn);
2. *cv*: every (task, method, seed) tunes a scikit-learn estimator with the
   same budget of candidates on the same fixed folds; each (task, method)
   runs its seeds in a fresh process with one thread, ``--workers``
   processes side by side, the methods interleaved so that they share the
   machine's load alike;
3. *synthetic*: simple regret of the ask/tell optimisers on Branin,
   Hartmann-6, Ackley-10 and a mixed integer/categorical function;
4. *ask_time*: seconds per proposal as the number of observations grows;
5. *speedup*: the same runs with n_jobs=1 and n_jobs=2, one after the
   other with the machine to themselves, on a subset of tasks;

then writes ``report.md``, ``report.rst``, ``report.csv``, ``report.json``
(seeds, versions, every run) and PNG plots to ``--out``.

Usage::

    pip install -e ".[bench]"
    python benchmarks/run.py --quick             # under 5 minutes on 2 cores
    python benchmarks/run.py                     # full run, under 60 minutes
    python benchmarks/run.py --seeds 0-4 --budget 80 --parts cv,synthetic
    python benchmarks/run.py --python skopt=/path/to/venv-skopt/bin/python
    python benchmarks/run.py --report-only       # redraw from report.json
"""

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from suite.methods import ABLATIONS, DETERMINISTIC, LIBRARY, RUNNERS  # noqa: E402
from suite.tasks import QUICK_TASKS, TASKS  # noqa: E402
from suite.seeds import parse_seeds  # noqa: E402

PARTS = ("cv", "synthetic", "ask_time", "speedup")

#: library -> (import name for the version, pip name)
LIBRARIES = {
    "sklearn": ("sklearn", "scikit-learn"),
    "hptune": ("hptune", "hptune"),
    "hptune_evolution": ("hptune", "hptune"),
    "hptune_pbt": ("hptune", "hptune"),
    "skopt": ("skopt", "scikit-optimize"),
    "optuna": ("optuna", "optuna optuna-integration"),
    "optuna_gp": ("optuna", "optuna optuna-integration torch"),
    "sklearn_genetic": ("sklearn_genetic", "sklearn-genetic-opt"),
    "hebo": ("hebo", "hebo torch"),
    "smac": ("smac", "smac"),
}

#: library -> the method its probe runs
PROBE_METHOD = {
    "sklearn": "HalvingRandomSearchCV",
    "hptune": "hptune.BayesSearchCV",
    "hptune_evolution": "hptune.EvolutionSearchCV",
    "hptune_pbt": "hptune.PBTSearchCV",
    "skopt": "skopt.BayesSearchCV",
    "optuna": "Optuna TPE",
    "optuna_gp": "Optuna GP",
    "sklearn_genetic": "GASearchCV",
    "hebo": "HEBO",
    "smac": "SMAC3 BB",
}

SPEEDUP_TASKS = ["hgb_synth"]
#: methods of the quick speed-up
QUICK_SPEEDUP_METHODS = ["RandomizedSearchCV", "hptune.BayesSearchCV", "hptune.EvolutionSearchCV"]
FUNCTIONS = ["branin", "hartmann6", "ackley10", "mixed6"]
ASK_SIZES = [25, 50, 100, 200, 400, 1000]


# -- worker side: one run in this (fresh) process --------------------------------------------


def _quiet():
    """Silence the warnings that the small fit budgets trigger on purpose."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    # Capped max_iter keeps the tasks cheap; the convergence warnings say
    # nothing about the tuners.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # Optuna marks OptunaSearchCV and GPSampler as experimental.
    warnings.filterwarnings("ignore", message=".*experimental.*")
    # sklearn-genetic-opt's notes about its own settings.
    warnings.filterwarnings("ignore", category=UserWarning, module="sklearn_genetic")
    # skopt repeats points on small integer/categorical spaces.
    warnings.filterwarnings("ignore", message="The objective has been evaluated at point")


def _versions(library):
    import importlib

    import numpy
    import scipy
    import sklearn

    name = LIBRARIES[library][0]
    module = importlib.import_module(name)
    # SMAC3 keeps its version in ``smac.version``, not ``__version__``.
    version = getattr(module, "__version__", None) or getattr(module, "version", None)
    return {
        "python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__, name: version,
        "executable": sys.executable,
    }


def _import_estimators():
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.neighbors  # noqa: F401
    import sklearn.neural_network  # noqa: F401
    import sklearn.svm  # noqa: F401


def _warm_pool(n_jobs):
    """Start joblib's worker processes (and their imports) before timing.

    The speed-up then measures steady-state parallelism, not the one-off
    start of the pool, which a long search amortises and which took several
    seconds on a loaded 2-core machine.
    """
    from joblib import Parallel, delayed

    Parallel(n_jobs=n_jobs)(delayed(_import_estimators)() for _ in range(2 * n_jobs))


def run_job(job):
    """Execute one job dict and return its JSON-able result."""
    from threadpoolctl import threadpool_limits

    _quiet()
    kind = job["kind"]
    with threadpool_limits(1):
        if kind == "cv":
            from suite.tasks import make_cv

            task = TASKS[job["task"]]
            X, y = task["data"]()
            if job["n_jobs"] > 1:
                _warm_pool(job["n_jobs"])
            return RUNNERS[job["method"]](task, X, y, make_cv(task), job["budget"], job["seed"], job["n_jobs"])
        if kind == "regret":
            from suite.synthetic import run_regret

            return run_regret(job["function"], job["method"], job["seed"], job["budget"])
        if kind == "ask_time":
            from suite.synthetic import run_ask_time

            return {"rows": run_ask_time(job["method"], job["sizes"], job["repeats"], job["seed"], job["limit"])}
        if kind == "probe":
            return probe(job["library"])
    raise ValueError(f"unknown job kind {kind!r}")


def probe(library):
    """Import ``library`` and tune a tiny task with its method."""
    from suite.tasks import make_cv

    method = PROBE_METHOD[library]
    name = "sgd_digits" if method == "hptune.PBTSearchCV" else "hgb_synth"
    task = dict(TASKS[name])
    X, y = task["data"]()
    X, y = X[:240], y[:240]
    result = RUNNERS[method](task, X, y, make_cv(task), 4, 0, 1)
    if not result["scores"] or not any(s == s for s in result["scores"]):
        raise RuntimeError(f"the probe run of {method} gave no finite score")
    return {"versions": _versions(library)}


def worker_main(job_text, result_path):
    """Run one job or a list of jobs, appending one JSON line per result."""
    jobs = json.loads(job_text)
    for job in jobs if isinstance(jobs, list) else [jobs]:
        try:
            out = {"ok": True, **run_job(job)}
        except BaseException as err:  # reported in the results, not fatal to the run
            import traceback

            out = {"ok": False, "error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc()[-3000:]}
        with open(result_path, "a") as fh:
            fh.write(json.dumps(out) + "\n")


# -- driver side -------------------------------------------------------------------------------


def launch(jobs, python, timeout):
    """Run ``jobs`` one after the other in one fresh ``python`` process.

    Returns each job merged with its result; a job that the process did not
    finish (crash, or ``timeout`` seconds per job exceeded) gets the error.
    """
    with tempfile.TemporaryDirectory() as tmp:
        result_path = Path(tmp) / "result.jsonl"
        cmd = [python, str(HERE / "run.py"), "--worker", json.dumps(jobs), "--result", str(result_path)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * len(jobs), env=env)
            failure = {"ok": False, "error": f"worker exited with {proc.returncode}: {proc.stderr[-2000:]}"}
        except subprocess.TimeoutExpired:
            failure = {"ok": False, "error": f"timeout after {timeout * len(jobs):.0f} s for {len(jobs)} runs"}
        lines = result_path.read_text().splitlines() if result_path.exists() else []
        outs = [json.loads(line) for line in lines]
    seconds = (time.perf_counter() - start) / len(jobs)
    outs += [failure] * (len(jobs) - len(outs))
    return [{**job, **out, "process_seconds": seconds} for job, out in zip(jobs, outs)]


def run_probes(libraries, pythons, timeout):
    """library -> {"ok", "python", "versions" or "error", "fallback_error"}."""
    status = {}
    jobs = {lib: {"kind": "probe", "library": lib} for lib in libraries}
    with ThreadPoolExecutor(2) as pool:
        first = dict(zip(jobs, pool.map(lambda lib: launch([jobs[lib]], sys.executable, timeout)[0], jobs)))
    for lib, res in first.items():
        entry = {"ok": res["ok"], "python": sys.executable}
        entry.update({"versions": res["versions"]} if res["ok"] else {"error": res["error"]})
        if not res["ok"] and lib in pythons:
            alt = launch([jobs[lib]], pythons[lib], timeout)[0]
            entry["error_here"] = res["error"]
            entry.update(ok=alt["ok"], python=pythons[lib])
            entry.update({"versions": alt["versions"]} if alt["ok"] else {"error": alt["error"]})
        status[lib] = entry
        print(f"probe {lib:17s} {'ok' if entry['ok'] else 'FAILED: ' + entry['error'][:300]}"
              f"{'' if entry['python'] == sys.executable else ' (under ' + entry['python'] + ')'}", flush=True)
    return status


def cv_jobs(tasks, methods, seeds, budget):
    jobs = []
    for seed in seeds:
        for task in tasks:
            for method in methods:
                if method == "hptune.PBTSearchCV" and TASKS[task]["pbt"] is None:
                    continue
                if method in DETERMINISTIC and seed != seeds[0]:
                    continue
                jobs.append(dict(kind="cv", task=task, method=method, seed=seed, budget=budget, n_jobs=1))
    return jobs


def speedup_jobs(tasks, methods, seed, budget):
    jobs = []
    for task in tasks:
        for method in methods:
            if method == "hptune.PBTSearchCV" and TASKS[task]["pbt"] is None:
                continue
            for n_jobs in (1, 2):
                jobs.append(dict(kind="cv", part="speedup", task=task, method=method, seed=seed, budget=budget, n_jobs=n_jobs))
    return jobs


def describe(r):
    if r["kind"] == "cv":
        head = f"{r['task']:17s} {r['method']:25s} seed={r['seed']} n_jobs={r['n_jobs']}"
        body = f"best={r['best_score']:.4f} wall={r['wall']:.1f}s" if r["ok"] else "FAILED " + r["error"][:200]
    elif r["kind"] == "regret":
        head = f"{r['function']:17s} {r['method']:25s} seed={r['seed']}"
        body = f"regret={r['regret']:.4g}" if r["ok"] else "FAILED " + r["error"][:200]
    else:
        head = f"ask_time {r['method']:25s}"
        body = "done" if r["ok"] else "FAILED " + r["error"][:200]
    return f"{head} {body}"


def group(jobs, key):
    """Consecutive-order groups of ``jobs`` with equal ``key(job)`` (one process each)."""
    groups = {}
    for job in jobs:
        groups.setdefault(key(job), []).append(job)
    return list(groups.values())


def run_pool(groups, python_for, workers, timeout, label, on_result):
    """Run each group of jobs in its own fresh process, ``workers`` at a time.

    ``on_result(run)`` is called for each finished run, in submission order.
    """
    done = 0
    start = time.perf_counter()
    n_jobs = sum(len(g) for g in groups)
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(launch, g, python_for(g[0]), timeout) for g in groups]
        for fut in futures:
            for r in fut.result():
                done += 1
                on_result(r)
                print(f"[{label} {done}/{n_jobs} {time.perf_counter() - start:5.0f}s] {describe(r)}", flush=True)


def run_key(run):
    """What identifies a run across reports (for ``--update``)."""
    fields = ("kind", "part", "task", "function", "method", "seed", "n_jobs")
    return tuple(run.get(f) for f in fields)


def merge_update(old, new):
    """``old`` with the runs of ``new`` replacing those with the same key."""
    replaced = {run_key(r) for r in new["runs"]}
    runs = [r for r in old["runs"] if run_key(r) not in replaced] + new["runs"]
    meta = dict(old["meta"])
    meta["libraries"] = {**meta["libraries"], **new["meta"]["libraries"]}
    # The budgets shown in the headings are those of the parts run last.
    for part, key in (("cv", "budget"), ("synthetic", "synthetic_budget")):
        if part in new["meta"].get("parts", ()):
            meta[key] = new["meta"][key]
    update = {k: new["meta"][k] for k in ("command", "date", "seconds", "machine")}
    update["n_runs"] = len(new["runs"])
    meta["updates"] = [*meta.get("updates", []), update]
    return dict(meta=meta, runs=runs)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke run: 1 seed, budget 10, 3 tasks, fewer sizes")
    p.add_argument("--seeds", default=None, help="e.g. 0-2 or 0,3,7 (default 0-2; quick: 0)")
    p.add_argument("--budget", type=int, default=None, help="candidates per CV run (default 50; quick 10)")
    p.add_argument("--synthetic-budget", type=int, default=None, help="evaluations per synthetic run (default 40; quick 15)")
    p.add_argument("--tasks", default=None, help="comma-separated task names (default all)")
    p.add_argument("--methods", default=",".join(m for m in RUNNERS if m not in ABLATIONS),
                   help="comma-separated CV methods (ablation variants only when named)")
    p.add_argument("--optimizers", default=None,
                   help="comma-separated ask/tell optimisers of the synthetic and ask_time parts (default all), "
                   "e.g. 'random,hptune Bayes'")
    p.add_argument("--parts", default=",".join(PARTS), help=f"subset of {','.join(PARTS)}")
    p.add_argument("--workers", type=int, default=2, help="runs side by side (default 2)")
    p.add_argument("--timeout", type=float, default=1200, help="seconds before a run is killed")
    p.add_argument("--python", action="append", default=[], metavar="LIB=PATH",
                   help=f"interpreter for a library that fails here; LIB in {','.join(LIBRARIES)}")
    p.add_argument("--out", default=str(HERE / "results"), help="output folder")
    p.add_argument("--report-only", action="store_true", help="rewrite the report from OUT/report.json")
    p.add_argument("--merge", action="append", default=[], metavar="REPORT_JSON",
                   help="merge the runs of another run's report.json into OUT/report.json (its runs replace "
                   "those with the same key, as with --update) and rewrite the report; repeatable")
    p.add_argument("--update", action="store_true",
                   help="replace only the runs of the given methods/parts in OUT/report.json (noted in the report)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker_main(args.worker, args.result)
    from suite.report import write_report

    out = Path(args.out)
    if args.merge:
        report = json.loads((out / "report.json").read_text())
        for path in args.merge:
            report = merge_update(report, json.loads(Path(path).read_text()))
        (out / "report.json").write_text(json.dumps(report, indent=1))
        write_report(report, out)
        return None
    if args.report_only:
        path = out / "report.json"
        if not path.exists():  # an interrupted run: report what finished
            path = out / "report.partial.json"
        write_report(json.loads(path.read_text()), out)
        return None
    quick = args.quick
    seeds = parse_seeds(args.seeds or ("0" if quick else "0-2"))
    budget = args.budget or (10 if quick else 50)
    synthetic_budget = args.synthetic_budget or (15 if quick else 40)
    tasks = args.tasks.split(",") if args.tasks else (QUICK_TASKS if quick else list(TASKS))
    methods = args.methods.split(",")
    parts = args.parts.split(",")
    pythons = dict(item.split("=", 1) for item in args.python)
    unknown = sorted(set(tasks) - set(TASKS)) + sorted(set(methods) - set(RUNNERS)) + sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"unknown task, method or part: {unknown}")

    from suite.synthetic import OPTIMIZERS

    t0 = time.perf_counter()
    libraries = sorted({LIBRARY[m] for m in methods} | {lib for lib, _ in OPTIMIZERS.values()} | {"sklearn"})
    status = run_probes(libraries, pythons, args.timeout)
    ok = {lib for lib, s in status.items() if s["ok"]}

    def python_for(job):
        lib = LIBRARY[job["method"]] if job["kind"] == "cv" else OPTIMIZERS[job["method"]][0]
        return status[lib]["python"]

    cv_methods = [m for m in methods if LIBRARY[m] in ok]
    wanted = set(OPTIMIZERS) if args.optimizers is None else set(args.optimizers.split(","))
    unknown = wanted - set(OPTIMIZERS)
    if unknown:
        raise SystemExit(f"unknown --optimizers {sorted(unknown)}; choose among {list(OPTIMIZERS)}")
    opt_methods = [m for m, (lib, _) in OPTIMIZERS.items() if lib in ok and m in wanted]
    runs, timings = [], {"probe": time.perf_counter() - t0}
    out.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()

    def make_meta():
        return dict(
            command="python benchmarks/run.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
            quick=quick, seeds=seeds, budget=budget, synthetic_budget=synthetic_budget, tasks=tasks,
            methods=methods, parts=parts, workers=args.workers,
            cv="3-fold StratifiedKFold/KFold, shuffle=True, random_state=0",
            machine=dict(
                platform=platform.platform(), processor=platform.machine(), cpu_count=os.cpu_count(),
                load_average_start=load_start, load_average_end=os.getloadavg(),
            ),
            libraries=status, seconds={**timings, "total": time.perf_counter() - t0},
            date=time.strftime("%Y-%m-%d %H:%M:%S"),
        )

    def record(run):
        # Keep every finished run on disk, so an interrupted benchmark still
        # gives a report (``--report-only`` reads the partial file).
        runs.append(run)
        (out / "report.partial.json").write_text(json.dumps(dict(meta={**make_meta(), "complete": False}, runs=runs)))

    if "cv" in parts or "synthetic" in parts:
        jobs = cv_jobs(tasks, cv_methods, seeds, budget) if "cv" in parts else []
        if "synthetic" in parts:
            jobs += [
                dict(kind="regret", function=f, method=m, seed=s, budget=synthetic_budget)
                for s in seeds for f in FUNCTIONS for m in opt_methods
            ]
        # One process per (task or function, method) runs all its seeds:
        # fresh state per method without paying the imports for every seed.
        groups = group(jobs, lambda j: (j["kind"], j.get("task") or j.get("function"), j["method"]))
        start = time.perf_counter()
        run_pool(groups, python_for, args.workers, args.timeout, "cv+synthetic", record)
        timings["cv+synthetic"] = time.perf_counter() - start
    if "ask_time" in parts:
        sizes = [25, 100, 200] if quick else ASK_SIZES
        jobs = [
            dict(kind="ask_time", method=m, sizes=sizes, repeats=3, seed=0, limit=5.0 if quick else 20.0)
            for m in opt_methods if m != "random"
        ]
        start = time.perf_counter()
        run_pool([[j] for j in jobs], python_for, args.workers, args.timeout * 2, "ask_time", record)
        timings["ask_time"] = time.perf_counter() - start
    if "speedup" in parts:
        speed_methods = [m for m in cv_methods if not quick or m in QUICK_SPEEDUP_METHODS]
        jobs = speedup_jobs(SPEEDUP_TASKS, speed_methods, seeds[0], budget)
        start = time.perf_counter()
        # One at a time: an n_jobs=2 run needs both cores.
        run_pool([[j] for j in jobs], python_for, 1, args.timeout, "speedup", record)
        timings["speedup"] = time.perf_counter() - start
    report = dict(meta={**make_meta(), "complete": True}, runs=runs)
    if args.update:
        report = merge_update(json.loads((out / "report.json").read_text()), report)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    (out / "report.partial.json").unlink(missing_ok=True)
    write_report(report, out)
    timings["total"] = report["meta"]["seconds"]["total"]
    print(f"total {timings['total']:.0f}s; wrote {out}/report.md, report.rst, report.csv, report.json and PNGs")
    return report


if __name__ == "__main__":
    main()
