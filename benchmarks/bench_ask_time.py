"""Seconds per ``ask`` of BayesOptimizer as the number of observations grows.

A 6-D mixed space (three reals, one log-real, an integer and a 3-way
categorical) is told N observations of a smooth test function, then ``ask``
is timed (median wall and CPU time over repeats; CPU time is the better guide
on a shared machine, since the work is single-threaded; each proposal is told before the next ask, so
every ask refits the GP as in a real search). Growth is reported against the Cholesky's cube.

    python benchmarks/bench_ask_time.py --sizes 25,50,100,200,400,1000 --repeats 5
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from hptune import BayesOptimizer
from hptune.space import Categorical, Integer, Real


def space():
    return {
        "a": Real(-2.0, 2.0),
        "b": Real(0.0, 1.0),
        "c": Real(-1.0, 3.0),
        "lr": Real(1e-4, 1.0, "log-uniform"),
        "n": Integer(1, 64),
        "kind": Categorical(["x", "y", "z"]),
    }


def objective(p):
    shift = {"x": 0.0, "y": 0.5, "z": -0.3}[p["kind"]]
    return float(
        -((p["a"] - 0.3) ** 2)
        - (p["b"] - 0.6) ** 2
        - 0.1 * np.sin(3 * p["c"])
        - (np.log10(p["lr"]) + 2) ** 2 / 4
        - ((p["n"] - 20) / 64) ** 2
        + shift
    )


def time_ask(n_obs, repeats, seed):
    """Median and min seconds of ``ask`` with about ``n_obs`` observations."""
    opt = BayesOptimizer(space(), n_initial_points=10, random_state=seed)
    points = opt.space.sample(n_obs, np.random.RandomState(seed))
    opt.tell(points, [objective(p) for p in points])
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        [p] = opt.ask()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        # Telling the proposal makes the next ask refit the GP, as in a search.
        opt.tell([p], [objective(p)])
    return float(np.median(times)), float(np.median(cpu))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,50,100,200,400,1000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/ask_time.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    print(f"{'n_obs':>6} {'wall s/ask':>11} {'CPU s/ask':>10} {'ratio to prev':>14} {'cube ratio':>11}")
    for n in sizes:
        median, cpu = time_ask(n, args.repeats, args.seed)
        prev = rows[-1] if rows else None
        ratio = median / prev["median_seconds"] if prev else float("nan")
        cube = (n / prev["n_obs"]) ** 3 if prev else float("nan")
        rows.append({"n_obs": n, "median_seconds": median, "median_cpu_seconds": cpu})
        print(f"{n:>6} {median:>11.4f} {cpu:>10.4f} {ratio:>14.2f} {cube:>11.2f}", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"machine": platform.machine(), "python": platform.python_version(), "seed": args.seed, "repeats": args.repeats}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
