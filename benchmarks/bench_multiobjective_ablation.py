"""Ablation of BayesSearchCV's two-objective algorithm (EHVI) on the tasks of bench_multiobjective.

Each variant changes one choice of :class:`EHVIOptimizer` against the
default and runs the strategy's ask/tell loop on the memoised objectives of
``bench_multiobjective.py`` (same tasks, folds, hypervolume and seeds), so
that every variant is judged on the same deterministic function:

* ``default``: the hypervolume in the objectives' own units (each GP's
  warped prediction carried back as the Gaussian of the same median and
  upper quantile), the reference point at the 10% quantile of each
  objective's told values, power warping, 10 initial points, the told front
  as local-search starts, the GPs' one-hot columns of categorical
  parameters times 0.15 (``CATEGORY_SCALE``: categories correlated);
* ``categories-independent``: the previous default, the one-hot columns
  unscaled (``CATEGORY_SCALE = 1``); with the default lengthscale prior a
  category switch left the categories nearly independent, and the search
  probed the degenerate corner (depth-1 forests) of each ``max_features``
  category in turn. The variants from ``hv-warped`` to
  ``category-scale-0.5`` change one choice of it and are compared to it:
* ``hv-warped``: the default before, the hypervolume in the GPs' warped
  units with the reference a tenth of the range below the worst told values;
* ``ref-worst``, ``ref-q25``: the reference a tenth of the range below the
  worst told values, or at their 25% quantile;
* ``unwarp-moments``: as ``ref-worst``, each warped prediction carried back
  as the Gaussian of the same mean and variance instead;
* ``hv-warped-ref-q10``, ``hv-warped-ref-q25``: the warped units with the
  reference at the 10% or 25% quantile;
* ``ref-design``, ``ref-max-design``, ``ref-ratchet``: the 10% quantile
  over the initial design's values only, the higher of that and the
  quantile over all told values, or its highest over the first k told
  values (a reference that only rises); the quantile over all told values
  falls as the search tells degenerate models (``REFERENCE_OVER``);
* ``init-5-now``, ``copula-now``: 5 initial points, or the copula warping;
* ``ordinal``: the lists of numbers (``max_features``, ``learning_rate``)
  as :class:`~hptune.space.Ordinal`, what hptune makes of a plain list,
  instead of the :class:`~hptune.space.Categorical` the benchmark gives
  every method;
* ``category-scale-0.3``, ``category-scale-0.5``: the one-hot columns
  times 0.3 or 0.5 (the default's 0.15 was the best of the three on both
  tasks at 30 evaluations).

Those from ``ref-ratchet`` on were measured for issue 19 (forest at 30
evaluations behind Optuna's TPE) on the development seeds 10-14 only
(``--out multiobjective_ablation_dev``), where ``default`` is the run of
``CATEGORY_SCALE = 0.15`` of that comparison.

The variants below change one choice of ``hv-warped``; they were measured
on seeds 0-4 when it was the default, with code that has changed since in
ways that move single runs (forest, seed 0, 100 evaluations: 0.8477 then,
0.8462 for ``hv-warped`` now), so they are compared to the runs of the
default made with them, kept as ``hv-warped-then`` (not rerun):

* ``margin-0``, ``margin-0.5``: the reference point at the worst told value,
  or half the range below it (warped units);
* ``no-warping``: the GPs on the raw objectives (``output_warping="none"``);
* ``init-5``, ``init-20``: initial design of 5 or 20 points;
* ``starts-extremes``, ``starts-none``: local-search starts from the best
  told point of each objective only, or from the candidate set only;
* ``copula``: the GPs on the normal quantiles of each objective's ranks;
* ``front-means``: the front from the GPs' posterior
  means at the told points instead of the told values;
* ``candidates-4096``: 4096 candidates per proposal instead of 1024, so
  that both (discrete) spaces are scored entire;
* ``no-warping-margin-0.5``: raw objectives and the reference half the
  range below the worst told values.

The variants from ``hv-warped`` to ``hv-warped-ref-q25`` were compared on
the development seeds 10-14 (``--out multiobjective_ablation_dev``) before
the reference at the 10% quantile was chosen; that default (now
``categories-independent``) and ``hv-warped`` were then run on seeds 0-4
too. The categories' scale was measured on seeds 0-4 with BayesSearchCV
itself (``bench_multiobjective.py``), not in this ablation.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_multiobjective_ablation.py --seeds 0-4
    python benchmarks/bench_multiobjective_ablation.py --report-only
    # some variants only, replacing their runs in the results file
    python benchmarks/bench_multiobjective_ablation.py --variants default,hv-warped --merge

Writes ``results/multiobjective_ablation.json`` and ``.md`` (or ``--out``'s name).
"""

import argparse
import json
import os
import time

import numpy as np

import bench_multiobjective as bench

# Settings of the EHVI strategy before the hypervolume moved to the objectives'
# own units with a reference at the told values' 10% quantile: the base of the
# variants first measured then (seeds 0-4, results/multiobjective_ablation.md).
# Every variant up to ``categories-independent`` ran with the GPs' one-hot
# columns unscaled (CATEGORY_SCALE = 1), the default then.
ONE_HOT = {"CATEGORY_SCALE": 1.0}
WARPED = {"HV_UNITS": "warped", "REFERENCE_QUANTILE": 0.0, "REFERENCE_MARGIN": 0.1, **ONE_HOT}

VARIANTS = {
    "default": ({}, {}),
    "categories-independent": (ONE_HOT, {}),
    "hv-warped": (WARPED, {}),
    "ref-worst": ({**ONE_HOT, "REFERENCE_QUANTILE": 0.0, "REFERENCE_MARGIN": 0.1}, {}),
    "ref-q25": ({**ONE_HOT, "REFERENCE_QUANTILE": 0.25}, {}),
    "unwarp-moments": (
        {**ONE_HOT, "UNWARP_MATCH": "moments", "REFERENCE_QUANTILE": 0.0, "REFERENCE_MARGIN": 0.1}, {}
    ),
    "hv-warped-ref-q10": ({**ONE_HOT, "HV_UNITS": "warped"}, {}),
    "hv-warped-ref-q25": ({**ONE_HOT, "HV_UNITS": "warped", "REFERENCE_QUANTILE": 0.25}, {}),
    "ref-ratchet": ({**ONE_HOT, "REFERENCE_OVER": "ratchet"}, {}),
    "ref-design": ({**ONE_HOT, "REFERENCE_OVER": "design"}, {}),
    "ref-max-design": ({**ONE_HOT, "REFERENCE_OVER": "max-design"}, {}),
    "init-5-now": (ONE_HOT, {"n_initial_points": 5}),
    "copula-now": (ONE_HOT, {"output_warping": "copula"}),
    "ordinal": (ONE_HOT, {"choices": "ordinal"}),
    "category-scale-0.3": ({**ONE_HOT, "CATEGORY_SCALE": 0.3}, {}),
    "category-scale-0.5": ({**ONE_HOT, "CATEGORY_SCALE": 0.5}, {}),
    "margin-0": ({**WARPED, "REFERENCE_MARGIN": 0.0}, {}),
    "margin-0.5": ({**WARPED, "REFERENCE_MARGIN": 0.5}, {}),
    "no-warping": (WARPED, {"output_warping": "none"}),
    "init-5": (WARPED, {"n_initial_points": 5}),
    "init-20": (WARPED, {"n_initial_points": 20}),
    "starts-extremes": ({**WARPED, "FRONT_STARTS": "extremes"}, {}),
    "starts-none": ({**WARPED, "FRONT_STARTS": "none"}, {}),
    "copula": (WARPED, {"output_warping": "copula"}),
    "front-means": ({**WARPED, "FRONT_VALUES": "mean"}, {}),
    "candidates-4096": (WARPED, {"n_candidates": 4096}),
    "no-warping-margin-0.5": ({**WARPED, "REFERENCE_MARGIN": 0.5}, {"output_warping": "none"}),
    # The default's runs made with the variants above, at their code (a
    # row of the results only: rerunning it gives ``hv-warped`` today).
    "hv-warped-then": (WARPED, {}),
}

# The variants of the previous defaults, compared to their runs of their time.
OLD_VARIANTS = tuple(VARIANTS)[list(VARIANTS).index("margin-0"):-1]
ONE_HOT_VARIANTS = tuple(VARIANTS)[list(VARIANTS).index("hv-warped"):list(VARIANTS).index("margin-0")]


def base_of(variant):
    """The variant each variant is compared to (see the module docstring)."""
    if variant in OLD_VARIANTS:
        return "hv-warped-then"
    if variant in ONE_HOT_VARIANTS:
        return "categories-independent"
    return "default"


def run_variant(name, task, evaluate, budget, seed):
    """One run of a variant: module settings are set for the run and restored."""
    from hptune.strategies import _multiobjective_ehvi as module

    settings, kwargs = VARIANTS[name]
    saved = {key: getattr(module, key) for key in settings}
    try:
        for key, value in settings.items():
            setattr(module, key, value)
        return bench.run_ehvi_strategy(task, evaluate, budget, seed, **kwargs)
    finally:
        for key, value in saved.items():
            setattr(module, key, value)


def report(runs):
    lines = [
        "# Ablation of the two-objective EHVI strategy",
        "",
        "Written by `benchmarks/bench_multiobjective_ablation.py` (see its docstring). "
        "Normalised hypervolume as in `multiobjective.md`, mean ± std over the seeds, and "
        "the seed-paired difference to the variant's base (mean, wins/seeds): "
        "`hv-warped-then` (the previous default's runs of their time) for its variants, "
        "from `margin-0` on, `categories-independent` for those from `hv-warped` to "
        "`category-scale-0.5`, `default` for the others; `cpu` is the "
        "strategy's own time per run (ask and tell, seconds of process time).",
        "",
    ]
    for task in sorted({r["task"] for r in runs}):
        lines += [f"## {task}", "", "| variant | HV @ 30 | HV @ 100 | vs base @ 30 "
                  "| vs base @ 100 | cpu (s) | seeds |", "|---|---|---|---|---|---|---|"]
        hv = {(r["variant"], r["seed"], c): bench.normalised_hypervolume(
            r["history"][:c], r["size_max"]) for r in runs if r["task"] == task
            for c in bench.CHECKPOINTS}
        for variant in VARIANTS:
            mine = [r for r in runs if r["task"] == task and r["variant"] == variant]
            if not mine:
                continue
            seeds = [r["seed"] for r in mine]
            cells = []
            for c in bench.CHECKPOINTS:
                values = [hv[variant, s, c] for s in seeds]
                cells.append(f"{np.mean(values):.4f} ± {np.std(values):.4f}")
            for c in bench.CHECKPOINTS:
                base = base_of(variant)
                d = np.array([hv[variant, s, c] - hv[base, s, c] for s in seeds
                              if (base, s, c) in hv])
                if not len(d):
                    cells.append("–")
                    continue
                cells.append(f"{d.mean():+.4f}, {int((d > 0).sum())}/{len(d)}")
            cpu = np.mean([r["cpu"] for r in mine])
            lines.append(f"| {variant} | " + " | ".join(cells) + f" | {cpu:.1f} | "
                         + ",".join(map(str, seeds)) + " |")
        lines.append("")
    return "\n".join(lines)


def main():
    from suite.seeds import parse_seeds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-4", type=parse_seeds)
    parser.add_argument("--budget", default=100, type=int)
    parser.add_argument("--tasks", default=",".join(bench.TASKS))
    parser.add_argument("--variants", default=",".join(v for v in VARIANTS if v != "hv-warped-then"))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--append", action="store_true",
                        help="add the runs to those of the results file")
    parser.add_argument("--merge", action="store_true",
                        help="keep the results file's runs except those of the tasks, seeds "
                             "and variants run now")
    parser.add_argument("--out", default="multiobjective_ablation",
                        help="name of the results files in results/ (without extension)")
    args = parser.parse_args()
    path = os.path.join(bench.RESULTS, args.out + ".json")
    if not args.report_only:
        runs = []
        if args.append or args.merge:
            with open(path) as f:
                runs = json.load(f)["runs"]
        if args.merge:
            rerun = {(t, s, v) for t in args.tasks.split(",") for s in args.seeds
                     for v in args.variants.split(",")}
            runs = [r for r in runs if (r["task"], r["seed"], r["variant"]) not in rerun]
        for name in args.tasks.split(","):
            task = bench.TASKS[name]()
            evaluate = bench.Objectives(task)
            for seed in args.seeds:
                for variant in args.variants.split(","):
                    start = time.time()
                    history, cpu = run_variant(variant, task, evaluate, args.budget, seed)
                    runs.append(dict(task=name, variant=variant, seed=seed, history=history,
                                     cpu=cpu, size_max=evaluate.size_max,
                                     wall=time.time() - start))
                    hv = bench.normalised_hypervolume(history, evaluate.size_max)
                    print(f"{name} {variant} seed {seed}: HV {hv:.4f}, cpu {cpu:.1f}s",
                          flush=True)
                with open(path, "w") as f:
                    json.dump({"budget": args.budget, "runs": runs}, f)
    with open(path) as f:
        data = json.load(f)
    text = report(data["runs"])
    with open(os.path.join(bench.RESULTS, args.out + ".md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
