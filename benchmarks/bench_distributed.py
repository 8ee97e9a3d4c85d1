"""hptune on a dask cluster: speed-up, data shipped and the cost of batches.

Three measurements, in one run:

1. speed-up: each search class on a local dask cluster with 1, then 2
   single-threaded worker processes (fits of about 0.1-0.3 s), wall time and ratio;
2. data shipped: a search over a ~200 MB X on a 2-worker dask cluster, with the
   bytes that crossed the loopback interface and the number of times X was
   scattered, with hptune's scatter-once-per-fit and without it (joblib's
   per-``Parallel``-call auto-scatter only);
3. batch cost: simple regret of ``hptune.minimize`` (Bayes) at equal budget with
   ``n_points`` = 1, 2, 4 on synthetic functions, over seeds.

    python benchmarks/bench_distributed.py --seeds 0-5 --budget 30 --mb 200
"""

import argparse
import json
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import psutil
from distributed import Client, LocalCluster
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Ridge, SGDRegressor

import hptune.search._base as search_base
import hptune.search._pbt_search as pbt_search
from hptune import BayesSearchCV, EvolutionSearchCV, PBTSearchCV, minimize
from hptune.utils._testfunctions import FUNCTIONS
from suite.seeds import parse_seeds  # the script's folder is on sys.path

RESULTS = Path(__file__).parent / "results"


def cluster(n_workers):
    return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, silence_logs=40)


# -- 1. speed-up ------------------------------------------------------------------
def speedup_searches():
    space = {"C": (1e-3, 1e2, "log-uniform")}
    est = LogisticRegression(max_iter=200)
    # n_points fixed, so both cluster sizes evaluate the same candidates.
    return {
        "BayesSearchCV": BayesSearchCV(est, space, n_iter=12, n_initial_points=4, n_points=2, cv=2,
                                       random_state=0),
        "EvolutionSearchCV": EvolutionSearchCV(est, space, population_size=4, n_generations=3, cv=2,
                                               random_state=0),
        "PBTSearchCV": PBTSearchCV(LogisticRegression(max_iter=20), space, population_size=4, n_steps=3,
                                   cv=2, random_state=0),
    }


def run_speedup(repeats=3):
    """Wall time on 1 and 2 workers, interleaved (1, 2, 2, 1, 1, 2, ...) so
    that the load of a shared machine hits both alike; the median over ``repeats``."""
    X, y = make_classification(n_samples=6000, n_features=40, n_informative=20, random_state=0)
    clusters = {n: cluster(n) for n in (1, 2)}
    clients = {n: Client(c) for n, c in clusters.items()}
    walls, out = {}, {}
    try:
        for client in clients.values():
            with parallel_config(backend="dask", client=client):  # warm up: imports on the workers
                speedup_searches()["EvolutionSearchCV"].set_params(n_generations=1).fit(X, y)
        for rep in range(repeats):
            for n, client in sorted(clients.items(), reverse=bool(rep % 2)):
                for name, search in speedup_searches().items():
                    with parallel_config(backend="dask", client=client):
                        start = time.perf_counter()
                        search.fit(X, y)
                        walls.setdefault(name, {}).setdefault(n, []).append(time.perf_counter() - start)
                    fits = np.asarray(search.cv_results_["mean_fit_time"])
                    out.setdefault(name, {})[n] = {"n_candidates": len(fits), "mean_fit_time": float(fits.mean())}
    finally:
        for n in clients:
            clients[n].close()
            clusters[n].close()
    for name in out:
        for n in (1, 2):
            out[name][n].update(wall=float(np.median(walls[name][n])), walls=walls[name][n])
        out[name]["speedup"] = out[name][1]["wall"] / out[name][2]["wall"]
    out["load_average_1min"] = psutil.getloadavg()[0]
    out["cpu_count"] = psutil.cpu_count()
    return out


# -- 2. data shipped ------------------------------------------------------------------
def _loopback_bytes():
    return psutil.net_io_counters(pernic=True)["lo"].bytes_recv


def run_shipping(mb):
    n_features = 250
    n_samples = int(mb * 1e6 / 8 / n_features)
    rng = np.random.RandomState(0)
    X = rng.standard_normal((n_samples, n_features))
    y = X[:, :5].sum(axis=1) + rng.standard_normal(n_samples)
    space = {"alpha": (1e-3, 1e3, "log-uniform")}
    searches = {
        "BayesSearchCV": lambda: BayesSearchCV(Ridge(), space, n_iter=4, n_initial_points=2, n_points=1,
                                               cv=2, refit=False, random_state=0),
        "PBTSearchCV": lambda: PBTSearchCV(SGDRegressor(random_state=0), space, population_size=2,
                                           n_steps=2, cv=2, refit=False, random_state=0),
    }
    out = {"X_bytes": X.nbytes, "n_workers": 2}
    with cluster(2) as c, Client(c) as client:
        with parallel_config(backend="dask"):  # warm up the workers (imports) on tiny data
            searches["BayesSearchCV"]().fit(X[:200], y[:200])
        scatter, sent = client.scatter, []

        def counting_scatter(data, *args, **kwargs):
            items = data if isinstance(data, (list, tuple)) else [data]
            sent.extend(a for a in items if a is X)
            return scatter(data, *args, **kwargs)

        client.scatter = counting_scatter
        for name, make in searches.items():
            for mode in ("scatter_once", "joblib_auto_scatter"):
                patch = nullcontext() if mode == "scatter_once" else _no_scatter_once()
                sent.clear()
                before = _loopback_bytes()
                start = time.perf_counter()
                with patch, parallel_config(backend="dask"):
                    search = make().fit(X, y)
                wall = time.perf_counter() - start
                shipped = _loopback_bytes() - before
                out[f"{name}/{mode}"] = {
                    "batches": int(getattr(search, "n_iter_", 0)) or None,
                    "n_fits": len(search.cv_results_["params"]) * search.n_splits_,
                    "X_scatter_calls": len(sent),
                    "loopback_bytes": shipped,
                    "X_copies": shipped / X.nbytes,
                    "wall": wall,
                }
    return out


class _no_scatter_once:
    """Disable hptune's scatter-once-per-fit (the behaviour before it)."""

    def __enter__(self):
        self.saved = search_base.scatter_once
        search_base.scatter_once = pbt_search.scatter_once = lambda *objects: nullcontext()

    def __exit__(self, *exc):
        search_base.scatter_once = pbt_search.scatter_once = self.saved


# -- 3. batch cost ------------------------------------------------------------------
def run_batch_cost(seeds, budget, functions=("branin", "hartmann6")):
    out = {}
    for name in functions:
        func, bounds, minimum = FUNCTIONS[name]
        for n_points in (1, 2, 4):
            regrets = []
            for seed in seeds:
                res = minimize(func, bounds, n_calls=budget, n_initial_points=8, n_points=n_points,
                               random_state=seed)
                regrets.append(float(res.fun - minimum))
            out.setdefault(name, {})[n_points] = {
                "regrets": regrets, "median": float(np.median(regrets)),
                "mean": float(np.mean(regrets)), "std": float(np.std(regrets)),
            }
        for n_points in (2, 4):
            out[name][n_points]["median_ratio_to_sequential"] = (
                out[name][n_points]["median"] / max(out[name][1]["median"], 1e-12)
            )
    return out


# -- report ------------------------------------------------------------------
def markdown(res):
    lines = ["# hptune on a dask cluster", "", f"Seeds {res['seeds']}, budget {res['budget']}. "
             f"Load average during the speed-up runs: {res['speedup']['load_average_1min']:.1f} "
             f"on {res['speedup']['cpu_count']} CPUs (shared machine).", "",
             "## Speed-up from 1 to 2 local dask workers (one run, 2-core machine)", "",
             "| search | candidates | mean fit (s) | 1 worker (s) | 2 workers (s) | speed-up |",
             "|---|---|---|---|---|---|"]
    for name, r in res["speedup"].items():
        if not isinstance(r, dict):
            continue
        lines.append(f"| {name} | {r['1']['n_candidates']} | {r['1']['mean_fit_time']:.3f} | "
                     f"{r['1']['wall']:.1f} | {r['2']['wall']:.1f} | {r['speedup']:.2f}x |")
    s = res["shipping"]
    lines += ["", f"## Data shipped: X of {s['X_bytes'] / 1e6:.0f} MB, 2 workers", "",
              "| search / mode | batches | fits | X scatters | loopback MB | copies of X | wall (s) |",
              "|---|---|---|---|---|---|---|"]
    for key, r in s.items():
        if isinstance(r, dict):
            lines.append(f"| {key} | {r['batches']} | {r['n_fits']} | {r['X_scatter_calls']} | "
                         f"{r['loopback_bytes'] / 1e6:.0f} | {r['X_copies']:.1f} | {r['wall']:.1f} |")
    lines += ["", "## Cost of batch proposals (simple regret at equal evaluations)", "",
              "| function | n_points | median regret | mean ± std | median / sequential |", "|---|---|---|---|---|"]
    for name, by_n in res["batch_cost"].items():
        for n, r in by_n.items():
            ratio = r.get("median_ratio_to_sequential", 1.0)
            lines.append(f"| {name} | {n} | {r['median']:.4g} | {r['mean']:.3g} ± {r['std']:.2g} | {ratio:.2f} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-5")
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--mb", type=float, default=200.0, help="size of X in the data-shipping test")
    parser.add_argument("--parts", default="speedup,shipping,batch_cost")
    parser.add_argument("--merge", action="store_true", help="keep the other parts of an earlier run")
    args = parser.parse_args()
    seeds, parts = parse_seeds(args.seeds), args.parts.split(",")
    out_json = RESULTS / "distributed.json"
    res = json.loads(out_json.read_text()) if args.merge and out_json.exists() else {}
    res.update(seeds=seeds, budget=args.budget)
    if "batch_cost" in parts:
        res["batch_cost"] = run_batch_cost(seeds, args.budget)
    if "speedup" in parts:
        res["speedup"] = run_speedup()
    if "shipping" in parts:
        res["shipping"] = run_shipping(args.mb)
    RESULTS.mkdir(exist_ok=True)
    out_json.write_text(json.dumps(res, indent=1, default=str))
    if all(k in res for k in ("speedup", "shipping", "batch_cost")):
        res = json.loads(json.dumps(res, default=str))  # int keys become str, as when merged
        (RESULTS / "distributed.md").write_text(markdown(res))
        print(markdown(res))
    else:
        print(json.dumps(res, indent=1, default=str))


if __name__ == "__main__":
    main()
