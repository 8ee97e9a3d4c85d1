"""``python -m hptune``: a short demo search next to random search.

Tunes an RBF support-vector classifier on scikit-learn's bundled digits data
with each strategy and with ``RandomizedSearchCV`` at the same budget and on
the same folds, then prints a comparison table.
"""

import argparse
import sys
import time

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from . import BayesSearchCV

STRATEGIES = {"bayes": BayesSearchCV}


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m hptune", description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", choices=[*STRATEGIES, "all"], default="all")
    parser.add_argument("--n-iter", type=int, default=20, help="candidates per search")
    parser.add_argument("--random-state", type=int, default=0)
    return parser.parse_args(argv)


def _searches(args):
    space = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-5, 1e0)}
    estimator = make_pipeline(StandardScaler(), SVC())
    cv = StratifiedKFold(3, shuffle=True, random_state=args.random_state)
    common = dict(n_iter=args.n_iter, cv=cv, random_state=args.random_state, n_jobs=1)
    names = list(STRATEGIES) if args.strategy == "all" else [args.strategy]
    searches = {f"hptune.{STRATEGIES[n].__name__}": STRATEGIES[n](estimator, space, **common) for n in names}
    searches["RandomizedSearchCV"] = RandomizedSearchCV(estimator, space, **common)
    return searches


def main(argv=None):
    """Run the demo; returns the process exit code."""
    args = _parse(argv)
    X, y = load_digits(return_X_y=True)
    print(f"Tuning SVC(C, gamma) on digits ({X.shape[0]} samples), {args.n_iter} candidates, 3-fold CV\n")
    rows = []
    for name, search in _searches(args).items():
        start = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - start
        params = ", ".join(f"{k.split('__')[-1]}={v:.3g}" for k, v in search.best_params_.items())
        rows.append((name, search.best_score_, seconds, params))
        print(f"  {name:<28} best CV accuracy {search.best_score_:.4f}  ({seconds:.1f} s)", flush=True)
    print()
    print(f"{'search':<28} {'best score':>10} {'seconds':>8}  best parameters")
    for name, score, seconds, params in rows:
        print(f"{name:<28} {score:>10.4f} {seconds:>8.1f}  {params}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
