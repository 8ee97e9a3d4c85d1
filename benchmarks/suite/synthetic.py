"""Core benchmark of the ask/tell optimisers on synthetic functions.

Two measures, each with the same driver for every library:

* ``regret``: simple regret (best value found minus the known minimum) after
  a fixed number of evaluations of Branin, Hartmann-6, Ackley-10 and
  ``mixed6``, a mixed real/log-real/integer/categorical function defined
  here;
* ``ask_time``: seconds per proposal (one ``ask`` plus the ``tell`` of its
  value, since scikit-optimize refits its GP in ``tell`` and hptune and
  Optuna in ``ask``) after ``N`` random observations of ``mixed6``, for N
  from 25 to 1000.

The adapters minimise; hptune's optimisers maximise, so they are told the
negated value.
"""

import math
import time

import numpy as np

# -- functions -----------------------------------------------------------------------------

_KIND_OFFSET = {"a": 0.6, "b": 0.0, "c": 1.2}


def mixed6(p):
    """A 6-D mixed function with minimum 0 at x0=1, x1=-0.5, n=7, lr=10**-2.5, b, False.

    Two reals (one multimodal), an integer, a log-uniform real and two
    categoricals that interact (``flag`` helps with kind ``a`` and hurts
    otherwise, but never beats the optimum).
    """
    x0, x1, n, lr, kind, flag = (p[k] for k in ("x0", "x1", "n", "lr", "kind", "flag"))
    value = (
        (x0 - 1.0) ** 2 / 4
        + 0.5 * (1 - math.cos(2 * math.pi * (x0 - 1.0)))
        + (x1 + 0.5) ** 2 / 4
        + ((n - 7) / 4) ** 2
        + (math.log10(lr) + 2.5) ** 2
        + _KIND_OFFSET[kind]
        + (-0.3 if kind == "a" else 0.3) * bool(flag)
    )
    return float(value)


MIXED6_PARAMS = {
    "x0": ("real", -5.0, 5.0, False),
    "x1": ("real", -5.0, 5.0, False),
    "n": ("int", 0, 20),
    "lr": ("real", 1e-5, 1.0, True),
    "kind": ("cat", ["a", "b", "c"]),
    "flag": ("cat", [False, True]),
}


def functions():
    """name -> (function of a parameter dict, params spec, known minimum)."""
    from hptune.utils._testfunctions import FUNCTIONS

    out = {}
    for name in ("branin", "hartmann6", "ackley10"):
        func, bounds, minimum = FUNCTIONS[name]
        names = [f"x{i}" for i in range(len(bounds))]
        params = {n: ("real", float(lo), float(hi), False) for n, (lo, hi) in zip(names, bounds)}
        out[name] = (lambda p, f=func, names=names: f([p[n] for n in names]), params, minimum)
    out["mixed6"] = (mixed6, MIXED6_PARAMS, 0.0)
    return out


# -- adapters: ask() -> list of dicts, tell(list of dicts, list of values) ----------------------


class HptuneAdapter:
    def __init__(self, kind, params, seed):
        from .tasks import hptune_space

        if kind == "bayes":
            from hptune import BayesOptimizer

            self.opt = BayesOptimizer(hptune_space(params), n_initial_points=10, random_state=seed)
        elif kind == "evolution":
            from hptune.strategies._evolution import EvolutionOptimizer

            self.opt = EvolutionOptimizer(hptune_space(params), population_size=10, random_state=seed)
        else:
            from hptune import RandomOptimizer

            self.opt = RandomOptimizer(hptune_space(params), random_state=seed)
        # Evolution breeds a generation at a time.
        self.batch = 10 if kind == "evolution" else 1

    def ask(self, n):
        return self.opt.ask(n)

    def tell(self, points, values):
        self.opt.tell(points, [-v for v in values])


class SkoptAdapter:
    def __init__(self, params, seed):
        from skopt import Optimizer

        from .tasks import skopt_space

        space = skopt_space(params)
        self.names = list(space)
        self.opt = Optimizer(list(space.values()), base_estimator="GP", n_initial_points=10, random_state=seed)
        self.batch = 1

    def ask(self, n):
        xs = self.opt.ask(n_points=n) if n > 1 else [self.opt.ask()]
        return [dict(zip(self.names, x)) for x in xs]

    def tell(self, points, values):
        self.opt.tell([[p[k] for k in self.names] for p in points], [float(v) for v in values])


class OptunaAdapter:
    def __init__(self, kind, params, seed):
        import optuna

        from .tasks import optuna_space

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        if kind == "gp":
            import torch

            torch.set_num_threads(1)  # as every other method: one thread
            sampler = optuna.samplers.GPSampler(seed=seed)
        else:
            sampler = optuna.samplers.TPESampler(seed=seed)
        self.study = optuna.create_study(direction="minimize", sampler=sampler)
        self.space = optuna_space(params)
        self.pending = {}
        self.batch = 1

    def ask(self, n):
        out = []
        for _ in range(n):
            trial = self.study.ask(self.space)
            params = trial.params
            self.pending[id(params)] = trial
            out.append(params)
        return out

    def tell(self, points, values):
        for p, v in zip(points, values):
            self.study.tell(self.pending.pop(id(p)), v)

    def add(self, points, values):
        """Add finished observations without asking (for ``ask_time``)."""
        import optuna

        trials = [
            optuna.trial.create_trial(params=p, distributions=self.space, value=v)
            for p, v in zip(points, values)
        ]
        self.study.add_trials(trials)


#: method -> (library probed in run.py, adapter factory)
OPTIMIZERS = {
    "random": ("hptune", lambda params, seed: HptuneAdapter("random", params, seed)),
    "hptune Bayes": ("hptune", lambda params, seed: HptuneAdapter("bayes", params, seed)),
    "hptune Evolution": ("hptune_evolution", lambda params, seed: HptuneAdapter("evolution", params, seed)),
    "skopt GP": ("skopt", SkoptAdapter),
    "Optuna TPE": ("optuna", lambda params, seed: OptunaAdapter("tpe", params, seed)),
    "Optuna GP": ("optuna_gp", lambda params, seed: OptunaAdapter("gp", params, seed)),
}


def run_regret(function, method, seed, budget):
    """Minimise ``function`` with ``method`` for ``budget`` evaluations."""
    func, params, minimum = functions()[function]
    opt = OPTIMIZERS[method][1](params, seed)
    values, opt_time = [], 0.0
    while len(values) < budget:
        start = time.perf_counter()
        points = opt.ask(min(opt.batch, budget - len(values)))
        opt_time += time.perf_counter() - start
        batch = [func(p) for p in points]
        start = time.perf_counter()
        opt.tell(points, batch)
        opt_time += time.perf_counter() - start
        values.extend(batch)
    best = np.minimum.accumulate(values)
    return dict(
        regret=float(best[-1] - minimum),
        curve=[float(b - minimum) for b in best],
        optimizer_seconds=opt_time,
    )


def _random_points(params, n, seed):
    """``n`` points drawn uniformly (log-uniformly where marked), Python types."""
    rng = np.random.RandomState(seed)
    points = []
    for _ in range(n):
        p = {}
        for name, spec in params.items():
            if spec[0] == "real":
                lo, hi = (math.log(spec[1]), math.log(spec[2])) if spec[3] else spec[1:3]
                v = float(rng.uniform(lo, hi))
                p[name] = math.exp(v) if spec[3] else v
            elif spec[0] == "int":
                p[name] = int(rng.randint(spec[1], spec[2] + 1))
            else:
                p[name] = spec[1][rng.randint(len(spec[1]))]
        points.append(p)
    return points


def run_ask_time(method, sizes, repeats, seed, limit):
    """Median seconds (wall and CPU) per ask+tell cycle after N random observations, for each N.

    Sizes after one whose median exceeded ``limit`` seconds are skipped
    (reported as such), which bounds the run time of slow libraries.
    """
    rows = []
    for n_obs in sizes:
        if rows and rows[-1].get("median_seconds", math.inf) > limit:
            rows.append(dict(n_obs=n_obs, skipped=f"over {limit} s per proposal at a smaller N"))
            continue
        opt = OPTIMIZERS[method][1](MIXED6_PARAMS, seed)
        points = _random_points(MIXED6_PARAMS, n_obs, seed)
        values = [mixed6(p) for p in points]
        if isinstance(opt, OptunaAdapter):
            opt.add(points, values)
        else:
            opt.tell(points, values)
        times, cpu = [], []
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            [p] = opt.ask(1)
            opt.tell([p], [mixed6(p)])
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        # CPU time as well: on a shared machine the wall time measures the load.
        rows.append(dict(n_obs=n_obs, median_seconds=float(np.median(times)), min_seconds=float(np.min(times)),
                         median_cpu_seconds=float(np.median(cpu))))
    return rows
