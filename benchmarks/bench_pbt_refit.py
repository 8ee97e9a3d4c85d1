"""Does PBTSearchCV's RefitWarning catch refits that diverge?

The MLP task of ``bench_pbt.py`` is searched over learning rates from 0.2 to
1.0 (with momentum 0.9, the edge of stability), where replaying the winner's
schedule on the whole training data sometimes diverges although the folds
trained well. For each seed the table gives the best CV score, the refitted
model's score on its own training data and on a held-out quarter, and whether
a :class:`~hptune.exceptions.RefitWarning` was raised. A warning is right
when the refit collapsed (training score far below the CV score) and wrong
otherwise.

Usage::

    PYTHONPATH=. python benchmarks/bench_pbt_refit.py --seeds 0-5
"""

import argparse
import sys
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, train_test_split
from threadpoolctl import threadpool_limits

from bench_pbt import TASKS, run_pbt
from suite.seeds import parse_seeds
from hptune.exceptions import RefitWarning

RESULTS = Path(__file__).parent / "results"
UNSTABLE = {"mlp__learning_rate_init": ("real", 0.2, 1.0, True), "mlp__alpha": ("real", 1e-6, 1e-1, True)}


def run(seed, n):
    task = {**TASKS["mlp_pipeline_digits"], "params": UNSTABLE}
    X, y = task["data"]()
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    search = run_pbt(task, X, y, cv, n, seed, 3)
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("always", RefitWarning)
        search.fit(X, y)
    return dict(
        seed=seed, cv=search.best_score_, train=search.best_estimator_.score(X, y),
        holdout=search.best_estimator_.score(X_test, y_test),
        warned=any(issubclass(w.category, RefitWarning) for w in caught),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-5")
    parser.add_argument("--n-candidates", type=int, default=16)
    parser.add_argument("--output", default=str(RESULTS / "pbt_refit.md"))
    args = parser.parse_args()
    lines = [
        "# RefitWarning on an unstable learning-rate range (MLP on digits, lr in [0.2, 1])",
        "",
        "| seed | best CV | refit, training data | refit, held out | RefitWarning |",
        "|---|---|---|---|---|",
    ]
    for seed in parse_seeds(args.seeds):
        r = run(seed, args.n_candidates)
        lines.append(
            f"| {seed} | {r['cv']:.4f} | {r['train']:.4f} | {r['holdout']:.4f} | "
            f"{'yes' if r['warned'] else 'no'} |"
        )
        print(lines[-1], flush=True)
    lines += ["", "Command: `PYTHONPATH=. python benchmarks/bench_pbt_refit.py " + " ".join(sys.argv[1:]) + "`"]
    Path(args.output).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
