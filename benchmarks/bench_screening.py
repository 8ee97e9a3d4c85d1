"""Ablation of EvolutionOptimizer's surrogate screening on synthetic functions.

Median regret (over seeds) of ``EvolutionOptimizer`` with ``surrogate=None``
and with ``surrogate="gp"`` at several unscreened shares (the module
constant ``hptune.strategies._screening.RANDOM_SHARE``, set here for the
ablation only), on Rastrigin-5, Hartmann-6, Ackley-10 and Branin, with the
default population size, and the CPU time of the optimiser per evaluation
(the functions themselves cost microseconds).

Usage::

    PYTHONPATH=. python benchmarks/bench_screening.py --seeds 0-4
    PYTHONPATH=. python benchmarks/bench_screening.py --quick   # smoke run

Writes ``results/evolution_screening_synthetic.json``; the table is quoted in
``results/evolution_screening.md``.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from hptune.space import Real, Space
from hptune.strategies import _screening
from hptune.strategies._evolution import EvolutionOptimizer
from hptune.utils._testfunctions import FUNCTIONS
from suite.seeds import parse_seeds  # the script's folder is on sys.path

#: function -> evaluations per run
BUDGETS = {"rastrigin5": 200, "hartmann6": 200, "ackley10": 100, "branin": 100}
#: variant label -> (surrogate, unscreened share)
VARIANTS = {
    "surrogate=None": (None, None),
    "gp, 10% unscreened": ("gp", 0.1),
    "gp, 20% unscreened": ("gp", 0.2),
    "gp, 30% unscreened (default)": ("gp", 0.3),
    "gp, 50% unscreened": ("gp", 0.5),
}


def run(name, surrogate, seed, budget):
    """Regret and optimiser CPU seconds of one run."""
    func, bounds, minimum = FUNCTIONS[name]
    space = Space({f"x{i}": Real(lo, hi) for i, (lo, hi) in enumerate(bounds)})
    opt = EvolutionOptimizer(space, surrogate=surrogate, random_state=seed)
    cpu = 0.0
    while opt.n_told < budget:
        start = time.process_time()
        points = opt.ask(min(opt.population_size_, budget - opt.n_told))
        cpu += time.process_time() - start
        values = [func([p[f"x{i}"] for i in range(len(bounds))]) for p in points]
        start = time.process_time()
        opt.tell(points, [-v for v in values])
        cpu += time.process_time() - start
    return float(-opt.best_score - minimum), cpu / budget


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0-4")
    p.add_argument("--quick", action="store_true", help="one seed, two functions")
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "evolution_screening_synthetic.json"))
    args = p.parse_args(argv)
    seeds = [0] if args.quick else parse_seeds(args.seeds)
    functions = ["branin", "hartmann6"] if args.quick else list(BUDGETS)
    default_share = _screening.RANDOM_SHARE
    results = {}
    try:
        for label, (surrogate, share) in VARIANTS.items():
            _screening.RANDOM_SHARE = default_share if share is None else share
            for name in functions:
                runs = [run(name, surrogate, seed, BUDGETS[name]) for seed in seeds]
                regrets, cpu = zip(*runs)
                results.setdefault(label, {})[name] = {
                    "median_regret": float(np.median(regrets)), "regrets": list(regrets),
                    "ms_per_evaluation": 1000 * float(np.median(cpu)),
                }
                print(f"{label:30s} {name:10s} median regret {np.median(regrets):.3g} "
                      f"({1000 * np.median(cpu):.1f} ms/eval)", flush=True)
    finally:
        _screening.RANDOM_SHARE = default_share
    Path(args.out).write_text(json.dumps({"seeds": seeds, "budgets": BUDGETS, "results": results}, indent=1))


if __name__ == "__main__":
    main()
