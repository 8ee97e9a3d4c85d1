"""Where a search sampled: evaluated points per pair of parameters, coloured by score."""

import numpy as np

from ._base import (
    best_index,
    check_matplotlib,
    check_params,
    corner_colorbar,
    draw_triangle,
    label_right,
    param_axes,
    param_names,
    results_of,
    score_key,
    score_norm,
    score_scatter,
    tied_with_best,
    triangle_axes,
    varying_params,
)

__all__ = ["EvaluationsDisplay", "plot_evaluations"]


class EvaluationsDisplay:
    """Evaluated points, one panel per pair of parameters, coloured by score.

    The diagonal shows how often each parameter's values were sampled
    (histograms); the panels below it show every evaluated pair of values,
    coloured by mean test score, with the best candidate as a red star and
    the candidates statistically tied with it (p-value above 5% in the
    corrected resampled t-test, ``pvalue_best_<metric>``) outlined in red.
    With a single parameter, the one panel shows the score against its value.
    Unlike :class:`ObjectiveDisplay` it needs no model, so it works for any
    search, scikit-learn's included.

    Use :meth:`from_search` (or :func:`plot_evaluations`) to build it from a
    fitted search; the constructor takes precomputed values.

    Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    names : list of str
        The parameters shown.
    values : list of list
        Values of each parameter per candidate (None where not set, as in
        the other sub-spaces of a conditional search).
    scores : ndarray of shape (n_candidates,)
        Score of each candidate (NaN for failures).
    axes_info : list of ParamAxis
        How each parameter's values are placed on an axis.
    score_name : str, default="mean_test_score"
        The ``cv_results_`` column of ``scores``.
    ties : ndarray of shape (n_candidates,) of bool, default=None
        Candidates tied with the best, outlined in red; None outlines none.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_params, n_params)
        The panels; those above the diagonal are hidden.
    ax_ : ndarray of matplotlib Axes
        Same as ``axes_``.
    figure_ : matplotlib Figure
        Figure containing the plot.
    best_index_ : int or None
        Index of the best candidate (None when every score is NaN).
    colorbar_ : matplotlib Colorbar
        Colour scale of the scores.

    See Also
    --------
    plot_evaluations : Draw the plot in one call.
    ObjectiveDisplay : The surrogate's view of the same space.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from hptune.plot import EvaluationsDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)}
    >>> search = RandomizedSearchCV(SVC(), space, n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> display = EvaluationsDisplay.from_search(search)
    >>> display.axes_[1, 0].get_xlabel(), display.axes_[1, 0].get_ylabel()
    ('C', 'gamma')
    """

    def __init__(
        self, names, values, scores, axes_info, *, score_name="mean_test_score", ties=None
    ):
        self.names = names
        self.values = values
        self.scores = scores
        self.axes_info = axes_info
        self.score_name = score_name
        self.ties = ties

    @classmethod
    def from_search(cls, search, *, params=None, metric=None, ax=None):
        """Plot the evaluated points of a fitted search (or of its ``cv_results_``).

        Parameters
        ----------
        search : fitted search or ``cv_results_`` dict
            Any fitted ``*SearchCV``. With hptune's searches the dimensions
            give the axis scales (log for log-uniform priors); from a
            ``cv_results_`` dict alone, positive values spanning two decades
            or more get a log scale.
        params : list of str, default=None
            Parameters to show; by default every parameter that takes more
            than one value.
        metric : str, default=None
            Scorer name of a multi-metric search; by default the ``refit``
            metric, or ``"score"``.
        ax : ndarray of matplotlib Axes of shape (n_params, n_params), default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : EvaluationsDisplay
            The display, with the plot drawn.
        """
        caller = f"{cls.__name__}.from_search"
        check_matplotlib(caller)
        results = results_of(search, caller)
        key = score_key(results, metric, search=search)
        names = _shown(results, params)
        values, axes_info = param_axes(search, results, names)
        scores = np.asarray(results[key], dtype=float)
        ties = tied_with_best(results, key)
        display = cls(names, values, scores, axes_info, score_name=key, ties=ties)
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the panels.

        Parameters
        ----------
        ax : ndarray of matplotlib Axes of shape (n_params, n_params), default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : EvaluationsDisplay
            Object that stores the computed values and the drawn artists.
        """
        n = len(self.names)
        # A single parameter is one scatter of score against value, labelled on the left.
        axes = triangle_axes(ax, n, f"{type(self).__name__}.plot", right_labels=n > 1)
        self.best_index_ = best_index(self.scores)
        positions = [info.positions(v) for info, v in zip(self.axes_info, self.values)]
        norm = score_norm(self.scores)
        if n == 1:
            mappable = self._scatter(axes[0, 0], positions[0], self.scores, norm)
            self.axes_info[0].format(axes[0, 0], "x", set_limits=True)
            axes[0, 0].set_xlabel(self.names[0])
            axes[0, 0].set_ylabel(self.score_name)
        else:
            mappable = draw_triangle(
                axes,
                self.names,
                lambda ax, i: self._histogram(ax, i, positions[i]),
                lambda ax, i, j: self._pair(ax, i, j, positions, norm),
            )
        self.axes_ = self.ax_ = axes
        self.figure_ = axes[0, 0].figure
        self.colorbar_ = corner_colorbar(axes, mappable, self.score_name)
        return self

    def _pair(self, ax, i, j, positions, norm):
        """Draw the candidates of the pair (``i`` on y, ``j`` on x)."""
        mappable = self._scatter(ax, positions[j], positions[i], norm)
        # Limits from all candidates: panels of a column share x, of a row y.
        self.axes_info[j].format(ax, "x", set_limits=True)
        self.axes_info[i].format(ax, "y", set_limits=True)
        return mappable

    def _scatter(self, ax, x, y, norm):
        keep = ~np.isnan(x) & ~np.isnan(y)  # NaN: a parameter of another sub-space
        if not keep.any():
            ax.text(
                0.5,
                0.5,
                "no candidate\nhas both",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="grey",
                fontsize="small",
            )
        ties = None if self.ties is None else self.ties[keep]
        mappable = score_scatter(
            ax, x[keep], y[keep], self.scores[keep], norm, ties=ties, s=22, plotnonfinite=True
        )
        best = self.best_index_
        if best is not None and keep[best]:
            ax.scatter(
                [x[best]],
                [y[best]],
                s=160,
                c="tab:red",
                marker="*",
                edgecolors="white",
                linewidths=0.5,
                zorder=3,
            )
        return mappable

    def _histogram(self, ax, i, x):
        info = self.axes_info[i]
        x = x[np.isfinite(x)]
        if info.numeric:
            lo, hi = x.min(), x.max()
            if info.log and lo > 0:
                bins = np.geomspace(lo, hi, 11) if hi > lo else 10
            else:
                bins = 10
            ax.hist(x, bins=bins, color="tab:blue", alpha=0.8)
        else:
            counts = np.bincount(x.astype(int), minlength=info.n_categories)
            ax.bar(np.arange(info.n_categories), counts, color="tab:blue", alpha=0.8)
        info.format(ax, "x", set_limits=True)
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        label_right(ax, "Count")


def _shown(results, params):
    """Names of the parameters to show."""
    if params is not None:
        check_params(params, param_names(results), "cv_results_")
        return list(params)
    shown = varying_params(results)
    if not shown:
        raise ValueError("No parameter takes more than one value; there is nothing to plot.")
    return shown


def plot_evaluations(search, *, params=None, metric=None, ax=None):
    """Plot the evaluated points per pair of parameters, coloured by score.

    The diagonal shows histograms of the sampled values, the panels below it
    the sampled pairs, with the best candidate as a red star. Works for any
    fitted search or ``cv_results_``. Read more in the :ref:`User Guide
    <plotting>`.

    Parameters
    ----------
    search : fitted search or ``cv_results_`` dict
        Any fitted ``*SearchCV``. With hptune's searches the dimensions give
        the axis scales (log for log-uniform priors); from a ``cv_results_``
        dict alone, positive values spanning two decades or more get a log
        scale.
    params : list of str, default=None
        Parameters to show; by default every parameter that takes more than
        one value.
    metric : str, default=None
        Scorer name of a multi-metric search; by default the ``refit``
        metric, or ``"score"``.
    ax : ndarray of matplotlib Axes of shape (n_params, n_params), default=None
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_params, n_params)
        The panels; those above the diagonal are hidden.

    See Also
    --------
    EvaluationsDisplay : The display object behind this function.
    plot_objective : The surrogate's view of the same space.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from hptune.plot import plot_evaluations
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"C": [0.1, 1, 10], "kernel": ["rbf", "linear"]}
    >>> search = GridSearchCV(SVC(), grid, cv=3).fit(X, y)
    >>> axes = plot_evaluations(search.cv_results_)
    >>> len(axes[1, 0].collections[0].get_offsets())
    6
    """
    return EvaluationsDisplay.from_search(search, params=params, metric=metric, ax=ax).axes_
