"""Convergence: the best score so far against the number of evaluations."""

import numpy as np

from ._base import check_matplotlib, get_axes, results_of, score_key

__all__ = ["ConvergenceDisplay", "plot_convergence"]


def _label_of(obj):
    if isinstance(obj, dict):
        return "search"
    return type(obj).__name__


def _trace(obj, metric, caller):
    """Scores in evaluation order and the name of the score.

    ``PBTSearchCV`` counts each (step, member) of ``pbt_history_`` as one
    evaluation, in step order; every other search reads its ``cv_results_``
    rows, which are in evaluation order.
    """
    table = getattr(obj, "pbt_history_", None)
    if table is None:
        table = results_of(obj, caller)
    key = score_key(table, metric, search=obj)
    return np.asarray(table[key], dtype=float), key


def best_so_far(scores):
    """Running maximum of ``scores``, ignoring NaN (NaN until a finite score).

    Parameters
    ----------
    scores : array-like of shape (n_evaluations,)

    Returns
    -------
    best : ndarray of shape (n_evaluations,)
    """
    y = np.asarray(scores, dtype=float)
    best = np.maximum.accumulate(np.where(np.isnan(y), -np.inf, y))
    return np.where(np.isneginf(best), np.nan, best)


class ConvergenceDisplay:
    """Convergence plot: best score so far against the number of evaluations.

    Use :meth:`from_search` (or :func:`plot_convergence`) to build it from
    fitted searches; the constructor takes precomputed curves.

    Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    n_evaluations : list of ndarray of shape (n_evaluations,)
        Evaluation counts (1, 2, ...) of each curve.
    best_scores : list of ndarray of shape (n_evaluations,)
        Best score so far of each curve (NaN before the first finite score).
    labels : list of str
        Legend label of each curve.
    score_name : str, default="mean_test_score"
        The ``cv_results_`` column plotted, for the axis label.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One line per curve.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    plot_convergence : Draw the plot in one call.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from scipy.stats import loguniform
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from hptune import BayesSearchCV
    >>> from hptune.plot import ConvergenceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-2, 1e2)}
    >>> bayes = BayesSearchCV(SVC(), space, n_iter=5, n_initial_points=3,
    ...                       cv=3, random_state=0).fit(X, y)
    >>> rand = RandomizedSearchCV(SVC(), space, n_iter=5, cv=3, random_state=0).fit(X, y)
    >>> display = ConvergenceDisplay.from_search([bayes, rand])
    >>> len(display.lines_)
    2
    """

    def __init__(self, n_evaluations, best_scores, labels, *, score_name="mean_test_score"):
        self.n_evaluations = n_evaluations
        self.best_scores = best_scores
        self.labels = labels
        self.score_name = score_name

    @classmethod
    def from_search(cls, searches, *, labels=None, metric=None, ax=None):
        """Plot the convergence of one or several fitted searches.

        Parameters
        ----------
        searches : fitted search, ``cv_results_`` dict, or a list or dict of them
            The searches to overlay; a dict maps legend labels to searches.
            Any fitted ``*SearchCV`` works (scikit-learn's too); for
            ``PBTSearchCV`` each (step, member) of ``pbt_history_`` counts
            as one evaluation.
        labels : list of str, default=None
            Legend labels; by default the class names (or the dict's keys).
        metric : str, default=None
            Scorer name of a multi-metric search; by default the ``refit``
            metric, or ``"score"``.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ConvergenceDisplay
            The display, with the plot drawn.
        """
        caller = f"{cls.__name__}.from_search"
        check_matplotlib(caller)  # fail before any work if matplotlib is missing
        if isinstance(searches, dict) and "params" not in searches:
            labels = list(searches) if labels is None else labels
            searches = list(searches.values())
        elif not isinstance(searches, (list, tuple)):
            searches = [searches]
        if labels is None:
            labels = _unique([_label_of(s) for s in searches])
        if len(labels) != len(searches):
            raise ValueError(f"Got {len(labels)} labels for {len(searches)} searches.")
        n_evaluations, best_scores, names = [], [], []
        for search in searches:
            scores, key = _trace(search, metric, caller)
            n_evaluations.append(np.arange(1, len(scores) + 1))
            best_scores.append(best_so_far(scores))
            names.append(key)
        score_name = names[0] if len(set(names)) == 1 else "score"
        display = cls(n_evaluations, best_scores, list(labels), score_name=score_name)
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ConvergenceDisplay
            Object that stores the computed values and the drawn artists.
        """
        ax = get_axes(ax, f"{type(self).__name__}.plot")
        self.lines_ = []
        for x, y, label in zip(self.n_evaluations, self.best_scores, self.labels):
            (line,) = ax.plot(x, y, drawstyle="steps-post", label=label, linewidth=2)
            self.lines_.append(line)
        ax.set_xlabel("Number of evaluations")
        ax.set_ylabel(f"Best {self.score_name} so far")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _unique(labels):
    """Make repeated labels distinct: ``A``, ``A (2)``, ..."""
    seen, out = {}, []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def plot_convergence(searches, *, labels=None, metric=None, ax=None):
    """Plot the best score so far against the number of evaluations.

    Several searches are overlaid, so that strategies can be compared at
    equal budgets. Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    searches : fitted search, ``cv_results_`` dict, or a list or dict of them
        The searches to overlay; a dict maps legend labels to searches. Any
        fitted ``*SearchCV`` works (scikit-learn's too); for ``PBTSearchCV``
        each (step, member) of ``pbt_history_`` counts as one evaluation.
    labels : list of str, default=None
        Legend labels; by default the class names (or the dict's keys).
    metric : str, default=None
        Scorer name of a multi-metric search; by default the ``refit``
        metric, or ``"score"``.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib Axes
        The Axes with the plot.

    See Also
    --------
    ConvergenceDisplay : The display object behind this function.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import BayesSearchCV
    >>> from hptune.plot import plot_convergence
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                        n_iter=5, n_initial_points=3, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_convergence({"Bayes": search})
    >>> ax.get_xlabel()
    'Number of evaluations'
    """
    display = ConvergenceDisplay.from_search(searches, labels=labels, metric=metric, ax=ax)
    return display.ax_
