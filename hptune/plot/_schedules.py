"""Hyperparameter schedules and lineage of population-based training."""

import numpy as np

from ._base import ParamAxis, check_matplotlib, check_params, column_axes, score_key

__all__ = ["ScheduleDisplay", "plot_schedules"]


def _history_of(search, caller):
    history = getattr(search, "pbt_history_", None)
    if history is None and isinstance(search, dict) and {"step", "member", "parent"} <= set(search):
        history = search
    if history is None:
        raise TypeError(
            f"{caller} needs a fitted PBTSearchCV (or its pbt_history_). "
            f"Got {type(search).__name__}."
        )
    return history


def member_paths(steps, members, parents, x, values):
    """One polyline per member, following its lineage.

    A member's point at step ``s`` is joined to its own point at ``s - 1``,
    or, when it continued from another member's model (exploit), to that
    parent's point at ``s - 1``; NaN separates the pieces within a line.

    Parameters
    ----------
    steps, members, parents : ndarray of shape (n_rows,)
        ``pbt_history_``'s columns.
    x, values : ndarray of shape (n_rows,)
        Coordinates of each row.

    Returns
    -------
    paths : list of (ndarray, ndarray)
        ``(x, y)`` of each member's line, in member order.
    jumps : list of (float, float)
        The points where a member branched off its parent's lineage.
    """
    at = {(int(s), int(m)): k for k, (s, m) in enumerate(zip(steps, members))}
    paths, jumps = [], []
    for member in np.unique(members):
        xs, ys = [], []
        for step in np.unique(steps):
            k = at.get((int(step), int(member)))
            if k is None:
                continue
            parent = int(parents[k])
            previous = at.get((int(step) - 1, parent))
            if previous is not None and parent != member:
                xs += [np.nan, x[previous]]
                ys += [np.nan, values[previous]]
                jumps.append((x[previous], values[previous]))
            xs.append(x[k])
            ys.append(values[k])
        paths.append((np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)))
    return paths, jumps


class ScheduleDisplay:
    """Hyperparameter schedules and lineage of a population-based training run.

    One panel for the members' scores and one per hyperparameter, against
    the resource trained (steps times ``step_size``). Each member is a line
    that follows its lineage: when a member copies a stronger one (exploit),
    its line jumps from the parent's line (a small cross marks the branch)
    and goes on with the perturbed hyperparameters (explore). The thick
    black line is the best member's schedule (``best_schedule_``), the one
    replayed by the refit.

    Use :meth:`from_search` (or :func:`plot_schedules`) to build it from a
    fitted ``PBTSearchCV``; the constructor takes precomputed values.

    Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    history : dict of ndarray
        ``pbt_history_`` of a fitted ``PBTSearchCV``.
    names : list of str
        Hyperparameters shown, one panel each.
    score_key : str
        The ``pbt_history_`` column of the scores.
    best_schedule : list of dict, default=None
        ``best_schedule_`` of the search, highlighted when given.
    resource : str, default=None
        Name of the resource, for the axis label.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (1 + n_params,)
        The score panel, then one panel per hyperparameter.
    ax_ : ndarray of matplotlib Axes
        Same as ``axes_``.
    figure_ : matplotlib Figure
        Figure containing the plot.
    member_lines_ : list of list of matplotlib Line2D
        Per panel, one line per member.
    best_lines_ : list of matplotlib Line2D
        Per panel, the best schedule (empty without ``best_schedule``).

    See Also
    --------
    plot_schedules : Draw the plot in one call.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from hptune import PBTSearchCV
    >>> from hptune.plot import ScheduleDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = PBTSearchCV(SGDClassifier(random_state=0),
    ...                      {"alpha": (1e-5, 1e-1, "log-uniform")},
    ...                      population_size=4, n_steps=4, cv=3, random_state=0).fit(X, y)
    >>> display = ScheduleDisplay.from_search(search)
    >>> [len(lines) for lines in display.member_lines_]
    [4, 4]
    """

    def __init__(self, history, names, score_key, *, best_schedule=None, resource=None):
        self.history = history
        self.names = names
        self.score_key = score_key
        self.best_schedule = best_schedule
        self.resource = resource

    @classmethod
    def from_search(cls, search, *, params=None, metric=None, ax=None):
        """Plot the schedules of a fitted ``PBTSearchCV``.

        Parameters
        ----------
        search : fitted PBTSearchCV or its ``pbt_history_`` dict
            The search (for ``best_schedule_`` and the resource's name) or
            its history alone.
        params : list of str, default=None
            Hyperparameters to show, one panel each; by default every one
            that takes more than one value.
        metric : str, default=None
            Scorer name of a multi-metric search; by default the ``refit``
            metric, or ``"score"``.
        ax : ndarray of matplotlib Axes of shape (1 + n_params,), default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ScheduleDisplay
            The display, with the plot drawn.
        """
        caller = f"{cls.__name__}.from_search"
        check_matplotlib(caller)
        history = _history_of(search, caller)
        key = score_key(history, metric, search=search)
        all_names = list(dict.fromkeys(n for p in history["params"] for n in p))
        if params is None:
            params = [n for n in all_names if len({repr(p.get(n)) for p in history["params"]}) > 1]
        check_params(params, all_names, "the search")
        display = cls(
            history,
            list(params),
            key,
            best_schedule=getattr(search, "best_schedule_", None),
            resource=getattr(search, "resource_", None),
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the panels.

        Parameters
        ----------
        ax : ndarray of matplotlib Axes of shape (1 + n_params,), default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ScheduleDisplay
            Object that stores the computed values and the drawn artists.
        """
        h = self.history
        n = 1 + len(self.names)
        axes = column_axes(ax, n, f"{type(self).__name__}.plot", figsize=(6.5, 1.5 + 1.8 * n))
        steps, members = np.asarray(h["step"]), np.asarray(h["member"])
        parents, x = np.asarray(h["parent"]), np.asarray(h["budget"], dtype=float)
        panels = [(self.score_key, None, np.asarray(h[self.score_key], dtype=float))]
        for name in self.names:
            values = [p.get(name) for p in h["params"]]
            info = ParamAxis(name, values)
            panels.append((name, info, info.positions(values)))
        self.member_lines_, self.best_lines_ = [], []
        for ax_, (label, info, y) in zip(axes, panels):
            paths, jumps = member_paths(steps, members, parents, x, y)
            lines = []
            for k, (px, py) in enumerate(paths):
                (line,) = ax_.plot(
                    px, py, color=f"C{k % 10}", alpha=0.7, linewidth=1.2, marker="o", markersize=2.5
                )
                lines.append(line)
            if jumps:
                jx, jy = zip(*jumps)
                ax_.scatter(jx, jy, marker="x", s=18, color="black", linewidths=0.8, zorder=3)
            self.member_lines_.append(lines)
            best = self._best_path(steps, members, x, y)
            if best is not None:
                (line,) = ax_.plot(*best, color="black", linewidth=2.5, label="best schedule")
                self.best_lines_.append(line)
            if info is not None:
                info.format(ax_, "y")
            ax_.set_ylabel(label)
            ax_.grid(True, alpha=0.3)
        if self.best_lines_:
            axes[0].legend(loc="lower right", fontsize="small")
        resource = self.resource or "resource"
        axes[-1].set_xlabel(f"Training budget ({resource})")
        self.axes_ = self.ax_ = axes
        self.figure_ = axes[0].figure
        return self

    def _best_path(self, steps, members, x, y):
        """Coordinates of the best schedule in one panel, or None."""
        if not self.best_schedule:
            return None
        at = {(int(s), int(m)): k for k, (s, m) in enumerate(zip(steps, members))}
        rows = [at[(int(e["step"]), int(e["member"]))] for e in self.best_schedule]
        return x[rows], y[rows]


def plot_schedules(search, *, params=None, metric=None, ax=None):
    """Plot the hyperparameter schedules and lineage of population-based training.

    One panel for the members' scores and one per hyperparameter, against
    the resource trained. Each member's line follows its lineage, jumping
    from its parent's line where it copied a stronger member; the thick black
    line is the best member's schedule. Read more in the :ref:`User Guide
    <plotting>`.

    Parameters
    ----------
    search : fitted PBTSearchCV or its ``pbt_history_`` dict
        The search (for ``best_schedule_`` and the resource's name) or its
        history alone.
    params : list of str, default=None
        Hyperparameters to show, one panel each; by default every one that
        takes more than one value.
    metric : str, default=None
        Scorer name of a multi-metric search; by default the ``refit`` metric,
        or ``"score"``.
    ax : ndarray of matplotlib Axes of shape (1 + n_params,), default=None
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (1 + n_params,)
        The score panel, then one panel per hyperparameter.

    See Also
    --------
    ScheduleDisplay : The display object behind this function.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from hptune import PBTSearchCV
    >>> from hptune.plot import plot_schedules
    >>> X, y = load_iris(return_X_y=True)
    >>> search = PBTSearchCV(SGDClassifier(random_state=0),
    ...                      {"alpha": (1e-5, 1e-1, "log-uniform")},
    ...                      population_size=4, n_steps=4, cv=3, random_state=0).fit(X, y)
    >>> axes = plot_schedules(search)
    >>> [ax.get_ylabel() for ax in axes]
    ['mean_test_score', 'alpha']
    """
    return ScheduleDisplay.from_search(search, params=params, metric=metric, ax=ax).axes_
