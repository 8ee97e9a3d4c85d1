"""Simple regret of the ask/tell optimisers on synthetic functions.

For each function and seed, every method minimises the function through
``hptune.minimize`` with the same budget; the table reports the median and
spread of the simple regret (best value found minus the known minimum) and
the ratio to random search's median.

    python benchmarks/bench_regret.py --functions branin,hartmann6 --seeds 0-11 --budget 40
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from hptune import minimize
from hptune.utils._testfunctions import FUNCTIONS
from suite.seeds import parse_seeds  # the script's folder is on sys.path


def run(name, method, seeds, budget):
    func, bounds, minimum = FUNCTIONS[name]
    regrets, seconds = [], []
    for seed in seeds:
        start = time.perf_counter()
        res = minimize(func, bounds, method=method, n_calls=budget, random_state=seed)
        seconds.append(time.perf_counter() - start)
        regrets.append(float(res.fun - minimum))
    return {"regrets": regrets, "seconds": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", default="branin,hartmann6")
    parser.add_argument("--methods", default="bayes,random")
    parser.add_argument("--seeds", default="0-11")
    parser.add_argument("--budget", type=int, default=40)
    parser.add_argument("--out", default="benchmarks/results/regret.json")
    args = parser.parse_args()
    seeds = parse_seeds(args.seeds)
    results = {}
    print(f"{'function':<11} {'method':<10} {'median regret':>14} {'IQR':>17} {'x random':>9} {'s/run':>7}")
    for name in args.functions.split(","):
        results[name] = {m: run(name, m, seeds, args.budget) for m in args.methods.split(",")}
        base = np.median(results[name]["random"]["regrets"]) if "random" in results[name] else np.nan
        for method, r in results[name].items():
            q1, med, q3 = np.percentile(r["regrets"], [25, 50, 75])
            print(
                f"{name:<11} {method:<10} {med:>14.4f} {f'[{q1:.3f}, {q3:.3f}]':>17} "
                f"{med / base:>9.3f} {np.mean(r['seconds']):>7.2f}",
                flush=True,
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"seeds": seeds, "budget": args.budget, "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
