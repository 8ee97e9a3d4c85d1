"""Partial dependence of the GP's view of the objective, per parameter and pair."""

import numpy as np

from ._base import (
    ParamAxis,
    check_matplotlib,
    check_params,
    corner_colorbar,
    draw_triangle,
    label_right,
    triangle_axes,
)
from ._surrogate import base_points, grid, partial_dependence, surrogate_of

__all__ = ["ObjectiveDisplay", "plot_objective"]

# Colour levels of the two-parameter panels, shared by all panels.
_N_LEVELS = 12


class ObjectiveDisplay:
    """Partial dependence of the surrogate's mean score, one panel per parameter and pair.

    The diagonal shows, for each parameter, the Gaussian process's mean score
    averaged over the other parameters (the *partial dependence*); the panels
    below it show the same for each pair of parameters, with the evaluated
    points (black dots) and the best one (red star). The layout follows
    scikit-optimize's ``plot_objective``; scores are greater-is-better.

    Use :meth:`from_search` (or :func:`plot_objective`) to build it from a
    fitted search; the constructor takes precomputed values.

    Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    names : list of str
        The parameters shown, in order.
    axes_info : list of ParamAxis
        How each parameter's values are placed on an axis.
    grids : list of list
        Grid values of each parameter.
    pd_1d : list of ndarray of shape (n_grid_i,)
        Partial dependence on each parameter.
    pd_2d : dict of (int, int) to ndarray of shape (n_grid_i, n_grid_j)
        Partial dependence on each pair ``i > j``.
    samples : list of dict
        The evaluated points.
    best_params : dict or None
        The best evaluated point.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_params, n_params)
        The panels; those above the diagonal are hidden.
    ax_ : ndarray of matplotlib Axes
        Same as ``axes_`` (the name of scikit-learn's displays).
    figure_ : matplotlib Figure
        Figure containing the plot.
    colorbar_ : matplotlib Colorbar or None
        Colour scale of the pair panels (None with a single parameter).

    See Also
    --------
    plot_objective : Draw the plot in one call.
    ImportanceDisplay : Parameter importance from the same surrogate.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import BayesSearchCV
    >>> from hptune.plot import ObjectiveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": (1e-2, 1e2, "log-uniform"), "gamma": (1e-3, 1e1, "log-uniform")}
    >>> search = BayesSearchCV(SVC(), space, n_iter=5, n_initial_points=3,
    ...                        cv=3, random_state=0).fit(X, y)
    >>> display = ObjectiveDisplay.from_search(search, n_points=10, n_samples=20)
    >>> display.axes_.shape
    (2, 2)
    """

    def __init__(self, names, axes_info, grids, pd_1d, pd_2d, samples, best_params):
        self.names = names
        self.axes_info = axes_info
        self.grids = grids
        self.pd_1d = pd_1d
        self.pd_2d = pd_2d
        self.samples = samples
        self.best_params = best_params

    @classmethod
    def from_search(
        cls,
        search,
        *,
        params=None,
        subspace=None,
        n_points=40,
        n_samples=250,
        random_state=0,
        ax=None,
    ):
        """Compute the partial dependence of a fitted search's surrogate and plot it.

        Parameters
        ----------
        search : fitted BayesSearchCV or EvolutionSearchCV, BayesOptimizer or OptimizeResult
            A ``BayesSearchCV``'s last Gaussian process is reused (refitted,
            on a copy, when the last batch came after it); for the others a
            Gaussian process is fitted here to the evaluated points.
        params : list of str, default=None
            Parameters to show; by default every parameter with more than
            one value.
        subspace : int, default=None
            Which sub-space of a conditional search (a list of dicts) to show.
        n_points : int, default=40
            Grid points per parameter (all values of a smaller discrete one).
        n_samples : int, default=250
            Points drawn from the priors that the other parameters are
            averaged over.
        random_state : int, RandomState instance or None, default=0
            Seed of those draws (and of the GP fit, when one is needed).
        ax : ndarray of matplotlib Axes of shape (n_params, n_params), default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ObjectiveDisplay
            The display, with the plot drawn.
        """
        caller = f"{cls.__name__}.from_search"
        check_matplotlib(caller)
        sur = surrogate_of(search, caller, subspace=subspace, random_state=random_state)
        shown = _shown(sur, params)
        base = base_points(sur.space, n_samples, random_state)
        grids, pd_1d, axes_info, blocks = [], [], [], []
        for i in shown:
            dim = sur.space.dimensions[i]
            block, values = grid(dim, n_points)
            blocks.append((sur.slices[i], block))
            grids.append(values)
            pd_1d.append(partial_dependence(sur.gp, base, [blocks[-1]]))
            observed = [p[sur.space.names[i]] for p in sur.params]
            axes_info.append(ParamAxis(sur.space.names[i], observed, dim))
        pd_2d = {
            (a, b): partial_dependence(sur.gp, base, [blocks[a], blocks[b]])
            for a in range(len(shown))
            for b in range(a)
        }
        names = [sur.space.names[i] for i in shown]
        display = cls(names, axes_info, grids, pd_1d, pd_2d, sur.params, sur.best_params)
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the panels.

        Parameters
        ----------
        ax : ndarray of matplotlib Axes of shape (n_params, n_params), default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ObjectiveDisplay
            Object that stores the computed values and the drawn artists.
        """
        n = len(self.names)
        axes = triangle_axes(ax, n, f"{type(self).__name__}.plot", right_labels=True)
        self.colorbar_ = None
        levels = self._levels()
        mappable = draw_triangle(
            axes, self.names, self._draw_1d, lambda ax, i, j: self._draw_2d(ax, i, j, levels)
        )
        self.axes_ = self.ax_ = axes
        self.figure_ = axes[0, 0].figure
        if mappable is not None:
            self.colorbar_ = corner_colorbar(axes, mappable, "Partial dependence (score)")
        return self

    def _levels(self):
        if not self.pd_2d:
            return None
        from matplotlib.ticker import MaxNLocator

        values = np.concatenate([v.ravel() for v in self.pd_2d.values()])
        lo, hi = float(values.min()), float(values.max())
        if hi - lo < 1e-12 * max(1.0, abs(hi)):  # a flat surface still needs 2 levels
            lo, hi = lo - 0.5, hi + 0.5
        # Round level boundaries, so that the colour bar reads 0.55, 0.60, ...
        return MaxNLocator(nbins=_N_LEVELS).tick_values(lo, hi)

    def _point(self, k, params):
        """Axis coordinate of parameter ``k`` of the dict ``params``."""
        return self.axes_info[k].positions([params[self.names[k]]])[0]

    def _grid_positions(self, k):
        return self.axes_info[k].positions(self.grids[k])

    def _draw_1d(self, ax, i):
        info = self.axes_info[i]
        x = self._grid_positions(i)
        if info.numeric:
            ax.plot(x, self.pd_1d[i], color="tab:blue", linewidth=2)
        else:
            ax.plot(x, self.pd_1d[i], color="tab:blue", marker="o", linestyle="none")
        if self.best_params is not None:
            ax.axvline(
                self._point(i, self.best_params), color="tab:red", linestyle="--", linewidth=1
            )
        info.format(ax, "x")
        label_right(ax, "Partial dependence")

    def _draw_2d(self, ax, i, j, levels):
        x, y, z = self._grid_positions(j), self._grid_positions(i), self.pd_2d[(i, j)]
        if self.axes_info[i].numeric and self.axes_info[j].numeric:
            mappable = ax.contourf(x, y, z, levels=levels, cmap="viridis")
        else:
            mappable = ax.pcolormesh(
                x, y, z, shading="nearest", cmap="viridis", vmin=levels[0], vmax=levels[-1]
            )
        xs = [self._point(j, p) for p in self.samples]
        ys = [self._point(i, p) for p in self.samples]
        ax.scatter(xs, ys, s=10, c="black", linewidths=0, label="evaluated")
        if self.best_params is not None:
            ax.scatter(
                [self._point(j, self.best_params)],
                [self._point(i, self.best_params)],
                s=120,
                c="tab:red",
                marker="*",
                edgecolors="white",
                linewidths=0.5,
                label="best",
            )
        self.axes_info[j].format(ax, "x")
        self.axes_info[i].format(ax, "y")
        return mappable


def _shown(sur, params):
    """Indices of the dimensions to show."""
    names = sur.space.names
    if params is None:
        return [i for i in sur.active if sur.space.dimensions[i].size > 1]
    check_params(params, names, "the space")
    return [names.index(p) for p in params]


def plot_objective(
    search, *, params=None, subspace=None, n_points=40, n_samples=250, random_state=0, ax=None
):
    """Plot the partial dependence of the surrogate's mean score.

    One panel per parameter (on the diagonal) and per pair of parameters,
    as in scikit-optimize's ``plot_objective``, computed from the Gaussian
    process of a fitted search. Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    search : fitted BayesSearchCV or EvolutionSearchCV, BayesOptimizer or OptimizeResult
        A ``BayesSearchCV``'s last Gaussian process is reused (refitted, on a
        copy, when the last batch came after it); for the others a Gaussian
        process is fitted here to the evaluated points.
    params : list of str, default=None
        Parameters to show; by default every parameter with more than one
        value.
    subspace : int, default=None
        Which sub-space of a conditional search (a list of dicts) to show.
    n_points : int, default=40
        Grid points per parameter (all values of a smaller discrete one).
    n_samples : int, default=250
        Points drawn from the priors that the other parameters are averaged
        over.
    random_state : int, RandomState instance or None, default=0
        Seed of those draws (and of the GP fit, when one is needed).
    ax : ndarray of matplotlib Axes of shape (n_params, n_params), default=None
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_params, n_params)
        The panels; those above the diagonal are hidden.

    See Also
    --------
    ObjectiveDisplay : The display object behind this function.
    plot_evaluations : Where the search sampled, without a model.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import BayesSearchCV
    >>> from hptune.plot import plot_objective
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": (1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]}
    >>> search = BayesSearchCV(SVC(), space, n_iter=5, n_initial_points=3,
    ...                        cv=3, random_state=0).fit(X, y)
    >>> axes = plot_objective(search, n_points=10, n_samples=20)
    >>> [ax.get_xlabel() for ax in axes[-1]]
    ['C', 'kernel']
    """
    display = ObjectiveDisplay.from_search(
        search,
        params=params,
        subspace=subspace,
        n_points=n_points,
        n_samples=n_samples,
        random_state=random_state,
        ax=ax,
    )
    return display.axes_
