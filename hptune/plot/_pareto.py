"""The Pareto front of a search over two or three objectives."""

import numpy as np

from ..selection import pareto_front
from ..selection._columns import TIME_COLUMNS
from ._base import check_matplotlib, get_axes, results_of

__all__ = ["ParetoFrontDisplay", "plot_pareto_front"]


def _objectives_of(search, objectives, caller):
    """The objectives given, else the search's ``objectives``; two or three."""
    if objectives is None:
        objectives = getattr(search, "objectives", None)
    if objectives is None:
        raise ValueError(
            f"{caller} needs the objectives to plot: pass objectives=[...] (scorer names, "
            "'fit_time', 'score_time'), or a search fitted with objectives."
        )
    if not 2 <= len(objectives) <= 3:
        raise ValueError(
            f"{caller} draws two or three objectives; got {len(objectives)}: {list(objectives)}."
        )
    return list(objectives)


def _column(name):
    return TIME_COLUMNS.get(name, f"mean_test_{name}")


class ParetoFrontDisplay:
    """The candidates of a search in objective space, with their Pareto front.

    Every candidate is a grey point at its objective means; the candidates
    of the front (those no other candidate beats in every objective) are
    coloured and, for two objectives, joined by the staircase of the region
    they dominate. The refitted candidate (``best_index_``) is a red star.
    Three objectives give a 3-D scatter.

    Use :meth:`from_search` (or :func:`plot_pareto_front`) to build it from a
    fitted search; the constructor takes precomputed values.

    Read more in the :ref:`User Guide <objectives>`.

    Parameters
    ----------
    values : ndarray of shape (n_candidates, n_objectives)
        Objective means of each candidate (NaN for failures), in their own
        units: scores as they are, times in seconds.
    front : ndarray of shape (n_front,)
        Indices of the candidates on the front.
    names : list of str
        The objectives, for the axis labels.
    maximise : list of bool
        Whether each objective is maximised (scores) or minimised (times).
    best_index : int or None, default=None
        The candidate to mark with a star.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the plot (3-D Axes for three objectives).
    figure_ : matplotlib Figure
        Figure containing the plot.
    points_ : matplotlib PathCollection
        All candidates.
    front_points_ : matplotlib PathCollection
        The candidates on the front.
    front_line_ : matplotlib Line2D or None
        The staircase through the front (two objectives only).

    See Also
    --------
    plot_pareto_front : Draw the plot in one call.
    hptune.selection.pareto_front : The front of a ``cv_results_``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from hptune import EvolutionSearchCV
    >>> from hptune.plot import ParetoFrontDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionSearchCV(
    ...     DecisionTreeClassifier(random_state=0), {"max_depth": (1, 8)},
    ...     objectives=["score", "fit_time"], population_size=4, n_generations=2,
    ...     cv=3, random_state=0,
    ... ).fit(X, y)
    >>> display = ParetoFrontDisplay.from_search(search)
    >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
    ('score (maximised)', 'fit_time (minimised)')
    """

    def __init__(self, values, front, names, maximise, *, best_index=None):
        self.values = values
        self.front = front
        self.names = names
        self.maximise = maximise
        self.best_index = best_index

    @classmethod
    def from_search(cls, search, *, objectives=None, ax=None):
        """Plot the candidates and the front of a fitted search (or of its ``cv_results_``).

        Parameters
        ----------
        search : fitted search or ``cv_results_`` dict
            Any fitted ``*SearchCV`` (scikit-learn's too).
        objectives : list of str, default=None
            Two or three objectives: scorer names (maximised), "fit_time"
            and "score_time" (minimised). By default the search's
            ``objectives``.
        ax : matplotlib Axes, default=None
            Axes to draw on (3-D Axes for three objectives); a new figure is
            created when None.

        Returns
        -------
        display : ParetoFrontDisplay
            The display, with the plot drawn.
        """
        caller = f"{cls.__name__}.from_search"
        check_matplotlib(caller)
        results = results_of(search, caller)
        own = objectives is None or list(objectives) == getattr(search, "objectives", None)
        objectives = _objectives_of(search, objectives, caller)
        # The search's own front when it has one: HyperbandSearchCV's holds
        # only its full-resource evaluations.
        front = getattr(search, "pareto_front_", None) if own else None
        front = pareto_front(results, objectives) if front is None else np.asarray(front)
        values = np.stack([np.asarray(results[_column(o)], dtype=float) for o in objectives], axis=1)
        front = front[np.isfinite(values[front]).all(axis=1)]  # all failed: no front
        maximise = [o not in TIME_COLUMNS for o in objectives]
        best = getattr(search, "best_index_", None)
        display = cls(values, front, objectives, maximise, best_index=best)
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the candidates and the front.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on (3-D Axes for three objectives); a new figure is
            created when None.

        Returns
        -------
        display : ParetoFrontDisplay
            Object that stores the computed values and the drawn artists.
        """
        caller = f"{type(self).__name__}.plot"
        m = self.values.shape[1]
        if m == 3 and ax is None:
            plt = check_matplotlib(caller)
            ax = plt.figure(layout="constrained").add_subplot(projection="3d")
        ax = get_axes(ax, caller)
        columns = self.values.T
        front = self.values[self.front]
        self.points_ = ax.scatter(*columns, c="lightgrey", edgecolors="grey", linewidths=0.3,
                                  s=18, label="candidates")
        self.front_points_ = ax.scatter(*front.T, c="tab:blue", edgecolors="black",
                                        linewidths=0.4, s=36, label="Pareto front", zorder=3)
        self.front_line_ = self._staircase(ax, front) if m == 2 else None
        if self.best_index is not None:
            ax.scatter(*self.values[self.best_index][:, None], s=160, c="tab:red", marker="*",
                       edgecolors="white", linewidths=0.5, zorder=4, label="refitted")
        setters = [ax.set_xlabel, ax.set_ylabel] + ([ax.set_zlabel] if m == 3 else [])
        for set_label, name, up in zip(setters, self.names, self.maximise):
            set_label(f"{name} ({'maximised' if up else 'minimised'})")
        ax.legend(loc="best", fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _staircase(self, ax, front):
        """The boundary of the region the front dominates, from one end to the other."""
        if not len(front):
            return None
        points = front[np.argsort(front[:, 0])]
        # Between two neighbours of the front, the dominated region's edge
        # takes the y of the one further in x's good direction: the right one
        # (steps-pre) when x is maximised, the left one (steps-post) otherwise.
        style = "steps-pre" if self.maximise[0] else "steps-post"
        (line,) = ax.plot(
            points[:, 0], points[:, 1], drawstyle=style, color="tab:blue", linewidth=1.2, alpha=0.8
        )
        return line


def plot_pareto_front(search, *, objectives=None, ax=None):
    """Plot the candidates of a search in objective space, with their Pareto front.

    Read more in the :ref:`User Guide <objectives>`.

    Parameters
    ----------
    search : fitted search or ``cv_results_`` dict
        Any fitted ``*SearchCV`` (scikit-learn's too).
    objectives : list of str, default=None
        Two or three objectives: scorer names (maximised), "fit_time" and
        "score_time" (minimised). By default the search's ``objectives``.
    ax : matplotlib Axes, default=None
        Axes to draw on (3-D Axes for three objectives); a new figure is
        created when None.

    Returns
    -------
    ax : matplotlib Axes
        The Axes with the plot.

    See Also
    --------
    ParetoFrontDisplay : The display object behind this function.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from hptune.plot import plot_pareto_front
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(
    ...     DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3, 4]}, cv=3,
    ... ).fit(X, y)
    >>> ax = plot_pareto_front(search, objectives=["score", "score_time"])
    >>> ax.get_legend().get_texts()[1].get_text()
    'Pareto front'
    """
    return ParetoFrontDisplay.from_search(search, objectives=objectives, ax=ax).ax_
