"""Command line of ``python -m hptune``: parse, run every search, report."""

import argparse
import sys
import time

from sklearn.datasets import load_digits

from . import _progress, _report
from ._tasks import STRATEGIES, all_runs


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an int >= 1. Got {text!r}.")
    return value


def parse(argv):
    """The demo's options; see ``python -m hptune --help``."""
    parser = argparse.ArgumentParser(
        prog="python -m hptune",
        description="A short demo of hptune's searches next to random search.",
        epilog="Example: python -m hptune --strategy all --seeds 3 --plot convergence.png",
    )
    parser.add_argument(
        "--strategy",
        choices=[*STRATEGIES, "all"],
        default="bayes",
        help="which hptune search to run next to random search (default: bayes)",
    )
    parser.add_argument(
        "--n-iter",
        type=_positive,
        default=20,
        help="candidates per search on the model-selection task (default: 20)",
    )
    parser.add_argument(
        "--seeds",
        type=_positive,
        default=8,
        help="how many seeds each search is run with (default: 8)",
    )
    parser.add_argument("--random-state", type=int, default=0, help="the first seed (default: 0)")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel jobs per search (default: 1)")
    parser.add_argument("--plot", metavar="FILE.png", help="save the mean convergence curves to this file")
    parser.add_argument("--no-progress", action="store_true", help="no live progress line on the terminal")
    return parser.parse_args(argv)


def _fit(run, data, progress):
    """Fit one search, reporting progress after every batch of an hptune search."""
    total = getattr(run.search, "n_iter", None) if run.hptune else None
    progress.start(run, total)
    start = time.perf_counter()

    def on_batch(state):
        progress.update(run, state.n_evaluations, total, state.best_score, time.perf_counter() - start)

    fit_params = {"callback": on_batch} if run.hptune else {}
    run.search.fit(*data, **fit_params)
    run.seconds = time.perf_counter() - start
    progress.finish(run)


def _check_plot_support():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        from ..plot._base import INSTALL_HINT

        return f"--plot needs matplotlib; install it with: {INSTALL_HINT}"
    return None


def _introduction(data, args):
    n_samples = data[0].shape[0]
    seeds = f"seeds {args.random_state}-{args.random_state + args.seeds - 1}"
    return (
        f"Tuning on scikit-learn's digits ({n_samples} samples, 3-fold CV), {seeds}; "
        "each hptune search next to RandomizedSearchCV at the same budget and on the "
        "same folds.\nModel selection: five classifiers in a list of dicts (GaussianNB, "
        "RidgeClassifier, DecisionTree, KNeighbors, SVC), each with its own parameters.\n"
    )


def _explain(summaries):
    lines = [
        "",
        "mean, sd, worst, best: the best CV accuracy each search found, over the seeds;",
        "better: on how many seeds it beat RandomizedSearchCV run with the same seed.",
    ]
    shares = _report.budget_shares(summaries)
    if shares is not None:
        winner, share = shares
        spent = ", ".join(f"{name} {100 * s:.0f} %" for name, s in share.items())
        lines.append(f"Candidates spent on {winner}, the best estimator found: {spent}.")
    return "\n".join(lines)


def main(argv=None):
    """Run the demo and print the comparison table.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        The process exit code.
    """
    args = parse(argv)
    if args.plot:
        problem = _check_plot_support()
        if problem:
            print(problem, file=sys.stderr)
            return 2
    strategies = STRATEGIES if args.strategy == "all" else (args.strategy,)
    data = load_digits(return_X_y=True)
    runs = all_runs(strategies, args)
    print(_introduction(data, args), flush=True)
    with _progress.progress(args.no_progress) as progress:
        for run in runs:
            _fit(run, data, progress)
    summaries = _report.summarise(runs)
    print(_report.table(summaries))
    print(_explain(summaries))
    if args.plot:
        _report.save_plot(args.plot, summaries)
        print(f"\nConvergence plot saved to {args.plot}")
    return 0
