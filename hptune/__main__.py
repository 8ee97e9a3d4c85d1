"""``python -m hptune``: a short demo of hptune's searches next to random search.

Tunes an RBF support-vector classifier on scikit-learn's bundled digits data
with hptune's Bayesian and evolutionary searches and with scikit-learn's
``RandomizedSearchCV``, all with the same number of candidates and on the
same folds. Population-based training tunes the schedule of an SGD
classifier, next to random search at equal compute (the same number of
epochs). Prints a comparison table; ``--plot`` saves the convergence curves.
"""

import argparse
import sys
import time

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

STRATEGIES = ("bayes", "evolution", "pbt")
SVC_TASK = "SVC(C, gamma)"
SGD_TASK = "SGD(alpha, eta0)"

# PBT trains this many members for this many epochs (one partial_fit pass per
# step); random search gets as many candidates, each fitted for as many epochs.
_PBT_MEMBERS = 8
_PBT_EPOCHS = 10


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m hptune",
        description="A short demo of hptune's searches next to random search.",
        epilog="Example: python -m hptune --strategy all --n-iter 12 --plot convergence.png",
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
        help="candidates per search on the SVC task (default: 20)",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="parallel jobs per search (default: 1)"
    )
    parser.add_argument(
        "--random-state", type=int, default=0, help="seed of every search (default: 0)"
    )
    parser.add_argument(
        "--plot", metavar="FILE.png", help="save the convergence curves to this file"
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no live progress line on the terminal"
    )
    return parser.parse_args(argv)


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an int >= 1. Got {text!r}.")
    return value


# -- the searches ---------------------------------------------------------------
class _Run:
    """One search to run: what it is, on which task, and how to report it."""

    def __init__(self, name, task, search, budget, data, *, hptune=False):
        self.name, self.task, self.search, self.budget = name, task, search, budget
        self.data, self.hptune = data, hptune
        self.seconds = None


def _svc_runs(strategies, args, data):
    from . import BayesSearchCV, EvolutionSearchCV

    space = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-5, 1e0)}
    estimator = make_pipeline(StandardScaler(), SVC())
    cv = StratifiedKFold(3, shuffle=True, random_state=args.random_state)
    common = dict(cv=cv, random_state=args.random_state, n_jobs=args.n_jobs)
    budget = f"{args.n_iter} candidates"
    runs = []
    if "bayes" in strategies:
        n_initial = min(10, max(1, args.n_iter // 2))
        search = BayesSearchCV(
            estimator, space, n_iter=args.n_iter, n_initial_points=n_initial, **common
        )
        runs.append(_Run("BayesSearchCV", SVC_TASK, search, budget, data, hptune=True))
    if "evolution" in strategies:
        population = max(2, min(10, args.n_iter // 4))
        search = EvolutionSearchCV(
            estimator,
            space,
            population_size=population,
            n_iter=args.n_iter,
            tournament_size=min(3, population),
            **common,
        )
        runs.append(_Run("EvolutionSearchCV", SVC_TASK, search, budget, data, hptune=True))
    search = RandomizedSearchCV(estimator, space, n_iter=args.n_iter, **common)
    runs.append(_Run("RandomizedSearchCV", SVC_TASK, search, budget, data))
    return runs


def _sgd_runs(args, data):
    from . import PBTSearchCV

    space = {
        "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
        "sgdclassifier__eta0": loguniform(1e-4, 1e-1),
    }
    cv = StratifiedKFold(3, shuffle=True, random_state=args.random_state)
    sgd = SGDClassifier(learning_rate="invscaling", random_state=args.random_state)
    pbt = PBTSearchCV(
        make_pipeline(StandardScaler(), sgd),
        space,
        population_size=_PBT_MEMBERS,
        n_steps=_PBT_EPOCHS,
        resource="partial_fit",
        cv=cv,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
    )
    # Equal compute: each candidate trains for as many epochs as a PBT member.
    # tol=None runs exactly max_iter epochs (no early stop, no convergence check).
    fixed = SGDClassifier(
        learning_rate="invscaling", max_iter=_PBT_EPOCHS, tol=None, random_state=args.random_state
    )
    random = RandomizedSearchCV(
        make_pipeline(StandardScaler(), fixed),
        space,
        n_iter=_PBT_MEMBERS,
        cv=cv,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
    )
    budget = f"{_PBT_MEMBERS} x {_PBT_EPOCHS} epochs"
    return [
        _Run("PBTSearchCV", SGD_TASK, pbt, budget, data),
        _Run("RandomizedSearchCV", SGD_TASK, random, budget, data),
    ]


# -- live progress ------------------------------------------------------------------
class _PlainProgress:
    """One status line on stderr, rewritten in place with ``\\r``."""

    def __init__(self, stream):
        self.stream, self.width = stream, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._write("")

    def _write(self, text):
        # Pad with spaces to wipe the end of a longer previous line.
        self.stream.write("\r" + text.ljust(self.width) + ("\r" if not text else ""))
        self.width = len(text)
        self.stream.flush()

    def start(self, run, total):
        self._write(f"{run.name} on {run.task}: running ({run.budget}) ...")

    def update(self, run, done, total, best, elapsed):
        self._write(
            f"{run.name} on {run.task}: {done}/{total} candidates, best {best:.4f}, {elapsed:.0f} s"
        )

    def finish(self, run):
        self._write("")


class _RichProgress:
    """rich's progress bar, when rich is installed (the ``progress`` extra)."""

    def __init__(self, stream):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description:<38}"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self.tasks = {}

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def start(self, run, total):
        self.tasks[id(run)] = self.progress.add_task(
            f"{run.name} on {run.task}", total=total, status=run.budget
        )

    def update(self, run, done, total, best, elapsed):
        self.progress.update(self.tasks[id(run)], completed=done, status=f"best {best:.4f}")

    def finish(self, run):
        self.progress.remove_task(self.tasks.pop(id(run)))


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def start(self, run, total):
        pass

    def update(self, run, done, total, best, elapsed):
        pass

    def finish(self, run):
        pass


def _progress(disabled, stream=None):
    stream = sys.stderr if stream is None else stream
    if disabled or not stream.isatty():
        return _NoProgress()
    try:
        return _RichProgress(stream)
    except ImportError:
        return _PlainProgress(stream)


def _fit(run, progress):
    """Fit one search, reporting progress after every batch of an hptune search."""
    total = getattr(run.search, "n_iter", None) if run.hptune else None
    progress.start(run, total)
    start = time.perf_counter()

    def on_batch(state):
        progress.update(
            run, state.n_evaluations, total, state.best_score, time.perf_counter() - start
        )

    X, y = run.data
    fit_params = {"callback": on_batch} if run.hptune else {}
    run.search.fit(X, y, **fit_params)
    run.seconds = time.perf_counter() - start
    progress.finish(run)


# -- output ------------------------------------------------------------------------
def _params_text(params):
    return ", ".join(f"{k.split('__')[-1]}={v:.3g}" for k, v in params.items())


def _table(runs):
    header = ("task", "search", "best CV acc.", "budget", "seconds", "best parameters")
    rows = [
        (
            r.task,
            r.name,
            f"{r.search.best_score_:.4f}",
            r.budget,
            f"{r.seconds:.1f}",
            _params_text(r.search.best_params_),
        )
        for r in runs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {2, 4}

    def line(row):
        cells = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _curve(run):
    """x (compute) and scores of one run, for the convergence plot."""
    import numpy as np

    history = getattr(run.search, "pbt_history_", None)
    if history is not None:  # one row per member and epoch
        scores = np.asarray(history["mean_test_score"], dtype=float)
        return np.arange(1, len(scores) + 1), scores
    scores = np.asarray(run.search.cv_results_["mean_test_score"], dtype=float)
    per_candidate = _PBT_EPOCHS if run.task == SGD_TASK else 1
    return per_candidate * np.arange(1, len(scores) + 1), scores


def _save_plot(path, runs):
    from matplotlib.figure import Figure

    from .plot import ConvergenceDisplay
    from .plot._convergence import best_so_far

    tasks = list(dict.fromkeys(r.task for r in runs))
    figure = Figure(figsize=(5.5 * len(tasks), 4.0), layout="constrained")
    axes = figure.subplots(1, len(tasks), squeeze=False)[0]
    for ax, task in zip(axes, tasks):
        group = [r for r in runs if r.task == task]
        curves = [_curve(r) for r in group]
        display = ConvergenceDisplay(
            [x for x, _ in curves],
            [best_so_far(y) for _, y in curves],
            [r.name for r in group],
            score_name="CV accuracy",
        ).plot(ax=ax)
        display.ax_.set_title(f"{task} on digits")
        if task == SGD_TASK:
            display.ax_.set_xlabel("Epochs trained (all candidates or members)")
    figure.savefig(path, dpi=110)


def _check_plot_support():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        from .plot._base import INSTALL_HINT

        return f"--plot needs matplotlib; install it with: {INSTALL_HINT}"
    return None


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
    args = _parse(argv)
    if args.plot:
        problem = _check_plot_support()
        if problem:
            print(problem, file=sys.stderr)
            return 2
    strategies = STRATEGIES if args.strategy == "all" else (args.strategy,)
    digits = load_digits(return_X_y=True)
    runs = []
    if {"bayes", "evolution"} & set(strategies):
        runs += _svc_runs(strategies, args, digits)
    if "pbt" in strategies:
        runs += _sgd_runs(args, digits)
    print(
        f"Tuning on scikit-learn's digits ({digits[0].shape[0]} samples, 3-fold CV), "
        "each hptune search next to RandomizedSearchCV at the same budget.\n",
        flush=True,
    )
    with _progress(args.no_progress) as progress:
        for run in runs:
            _fit(run, progress)
            print(f"  done: {run.name:<20} {run.task:<17} {run.seconds:6.1f} s", flush=True)
    print()
    print(_table(runs))
    if args.plot:
        _save_plot(args.plot, runs)
        print(f"\nConvergence plot saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
