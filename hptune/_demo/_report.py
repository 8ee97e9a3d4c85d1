"""The demo's summary: one table row per search and task, over the seeds."""

import numpy as np

from ._tasks import MODEL_TASK, PBT_EPOCHS, SGD_TASK

_RANDOM = "RandomizedSearchCV"


class Summary:
    """The runs of one search on one task, over every seed."""

    def __init__(self, runs):
        self.runs = runs
        self.name, self.task, self.budget = runs[0].name, runs[0].task, runs[0].budget
        self.scores = np.array([r.search.best_score_ for r in runs])
        self.seconds = sum(r.seconds for r in runs)

    def paired_with(self, reference):
        """Seeds on which this search beat, tied or lost to ``reference``."""
        diff = self.scores - reference.scores
        tie = np.isclose(diff, 0.0, rtol=0.0, atol=1e-12)
        return int(np.sum((diff > 0) & ~tie)), int(np.sum(tie)), int(np.sum((diff < 0) & ~tie))


def summarise(runs):
    """One :class:`Summary` per (task, search), in the order first run."""
    groups = {}
    for run in runs:
        groups.setdefault((run.task, run.name), []).append(run)
    return [Summary(group) for group in groups.values()]


def _versus_random(summary, summaries):
    if summary.name == _RANDOM:
        return "-"
    reference = next(s for s in summaries if s.task == summary.task and s.name == _RANDOM)
    better, tied, worse = summary.paired_with(reference)
    n = len(summary.scores)
    return f"{better} of {n}" + (f" ({tied} tied)" if tied else "")


def table(summaries):
    """The comparison table as text, aligned in columns."""
    header = ("task", "search", "budget", "mean", "sd", "worst", "best", "better", "seconds")
    rows = [
        (
            s.task,
            s.name,
            s.budget,
            f"{s.scores.mean():.4f}",
            f"{s.scores.std():.4f}",
            f"{s.scores.min():.4f}",
            f"{s.scores.max():.4f}",
            _versus_random(s, summaries),
            f"{s.seconds:.1f}",
        )
        for s in summaries
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {3, 4, 5, 6, 8}

    def line(row):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _model_name(params):
    return type(params["clf"]).__name__


def budget_shares(summaries):
    """Which estimator won the model selection, and each search's share of candidates on it.

    Returns None when the model-selection task was not run.
    """
    summaries = [s for s in summaries if s.task == MODEL_TASK]
    if not summaries:
        return None
    best_run = max((r for s in summaries for r in s.runs), key=lambda r: r.search.best_score_)
    winner = _model_name(best_run.search.best_params_)
    shares = {
        s.name: np.mean([_model_name(p) == winner for r in s.runs for p in r.search.cv_results_["params"]])
        for s in summaries
    }
    return winner, shares


def _curve(run):
    """x (compute) and scores of one run, for the convergence plot."""
    history = getattr(run.search, "pbt_history_", None)
    if history is not None:  # one row per member and epoch
        scores = np.asarray(history["mean_test_score"], dtype=float)
        return np.arange(1, len(scores) + 1), scores
    scores = np.asarray(run.search.cv_results_["mean_test_score"], dtype=float)
    per_candidate = PBT_EPOCHS if run.task == SGD_TASK else 1
    return per_candidate * np.arange(1, len(scores) + 1), scores


def save_plot(path, summaries):
    """Mean best-so-far curves over the seeds, one panel per task."""
    from matplotlib.figure import Figure

    from ..plot import ConvergenceDisplay
    from ..plot._convergence import best_so_far

    tasks = list(dict.fromkeys(s.task for s in summaries))
    figure = Figure(figsize=(5.5 * len(tasks), 4.0), layout="constrained")
    axes = figure.subplots(1, len(tasks), squeeze=False)[0]
    for ax, task in zip(axes, tasks):
        group = [s for s in summaries if s.task == task]
        xs, means = [], []
        for summary in group:
            curves = [_curve(r) for r in summary.runs]
            xs.append(curves[0][0])
            means.append(np.mean([best_so_far(y) for _, y in curves], axis=0))
        display = ConvergenceDisplay(
            xs, means, [s.name for s in group], score_name="CV accuracy, mean over seeds"
        ).plot(ax=ax)
        display.ax_.set_title(f"{task} on digits")
        if task == SGD_TASK:
            display.ax_.set_xlabel("Epochs trained (all candidates or members)")
    figure.savefig(path, dpi=110)
