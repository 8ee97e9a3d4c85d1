"""The population of an evolutionary search, generation by generation."""

import numpy as np

from ._base import (
    check_matplotlib,
    column_axes,
    param_axes,
    results_of,
    score_key,
    score_norm,
    score_scatter,
    tied_with_best,
    varying_params,
)
from ._convergence import best_so_far

__all__ = ["PopulationDisplay", "plot_population"]

# Half-width of the horizontal spread of one generation's points, in
# generations: enough to separate them, short of the neighbouring generation.
_SPREAD = 0.3


def _spread(generations):
    """x coordinates: the generation, spread evenly within each generation."""
    x = np.asarray(generations, dtype=float).copy()
    for g in np.unique(generations):
        idx = np.flatnonzero(generations == g)
        if len(idx) > 1:
            x[idx] += np.linspace(-_SPREAD, _SPREAD, len(idx))
    return x


class PopulationDisplay:
    """The candidates of each generation of an evolutionary search.

    The top panel shows every candidate's score against its generation,
    with the best score so far and each generation's median; one panel per
    parameter below shows where each generation sampled, coloured by score,
    so that the population's drift and narrowing can be seen. Candidates
    statistically tied with the best (p-value above 5% in
    ``pvalue_best_<metric>``) are outlined in red.

    Use :meth:`from_search` (or :func:`plot_population`) to build it from a
    fitted ``EvolutionSearchCV``; the constructor takes precomputed values.

    Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    generations : ndarray of shape (n_candidates,)
        Generation of each candidate.
    scores : ndarray of shape (n_candidates,)
        Score of each candidate (NaN for failures).
    names : list of str
        Parameters shown, one panel each.
    values : list of list
        Values of each parameter per candidate (None where not set).
    axes_info : list of ParamAxis
        How each parameter's values are placed on an axis.
    score_name : str, default="mean_test_score"
        The ``cv_results_`` column of ``scores``.
    ties : ndarray of shape (n_candidates,) of bool, default=None
        Candidates tied with the best, outlined in red; None outlines none.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (1 + n_params,)
        The score panel, then one panel per parameter.
    ax_ : ndarray of matplotlib Axes
        Same as ``axes_``.
    figure_ : matplotlib Figure
        Figure containing the plot.
    best_line_ : matplotlib Line2D
        The best score so far, per generation.
    median_line_ : matplotlib Line2D
        Each generation's median score.
    colorbar_ : matplotlib Colorbar
        The colour scale of the scores, shared by the parameter panels.

    See Also
    --------
    plot_population : Draw the plot in one call.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import EvolutionSearchCV
    >>> from hptune.plot import PopulationDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                            population_size=4, n_generations=3, cv=3,
    ...                            random_state=0).fit(X, y)
    >>> display = PopulationDisplay.from_search(search)
    >>> len(display.axes_), display.axes_[-1].get_xlabel()
    (2, 'Generation')
    """

    def __init__(
        self, generations, scores, names, values, axes_info, *, score_name="mean_test_score",
        ties=None,
    ):
        self.generations = generations
        self.scores = scores
        self.names = names
        self.values = values
        self.axes_info = axes_info
        self.score_name = score_name
        self.ties = ties

    @classmethod
    def from_search(cls, search, *, params=None, metric=None, ax=None):
        """Plot the generations of a fitted ``EvolutionSearchCV`` (or of its ``cv_results_``).

        Parameters
        ----------
        search : fitted EvolutionSearchCV or ``cv_results_`` dict
            Needs the ``generation`` column of ``cv_results_``.
        params : list of str, default=None
            Parameters to show, one panel each; by default every parameter
            that takes more than one value. Pass ``[]`` for the score panel
            alone.
        metric : str, default=None
            Scorer name of a multi-metric search; by default the ``refit``
            metric, or ``"score"``.
        ax : ndarray of matplotlib Axes of shape (1 + n_params,), default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : PopulationDisplay
            The display, with the plot drawn.
        """
        caller = f"{cls.__name__}.from_search"
        check_matplotlib(caller)
        results = results_of(search, caller)
        if "generation" not in results:
            raise ValueError(
                f"{caller} needs the 'generation' column of an EvolutionSearchCV's "
                f"cv_results_; the results given have none (got {type(search).__name__})."
            )
        key = score_key(results, metric, search=search)
        if params is None:
            params = varying_params(results)
        values, axes_info = param_axes(search, results, params)
        generations = np.asarray(results["generation"], dtype=int)
        scores = np.asarray(results[key], dtype=float)
        display = cls(
            generations, scores, list(params), values, axes_info, score_name=key,
            ties=tied_with_best(results, key),
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
        display : PopulationDisplay
            Object that stores the computed values and the drawn artists.
        """
        n = 1 + len(self.names)
        axes = column_axes(ax, n, f"{type(self).__name__}.plot", figsize=(6.5, 2.0 + 1.6 * n))
        x = _spread(self.generations)
        norm = score_norm(self.scores)
        ax0 = axes[0]
        mappable = score_scatter(
            ax0, x, self.scores, self.scores, norm, ties=self.ties, s=20, label="candidates"
        )
        gens = np.unique(self.generations)
        best = _running_best(self.generations, self.scores, gens)
        median = np.array([_nanmedian(self.scores[self.generations == g]) for g in gens])
        (self.best_line_,) = ax0.plot(
            gens, best, color="black", linewidth=2, drawstyle="steps-post", label="best so far"
        )
        (self.median_line_,) = ax0.plot(
            gens,
            median,
            color="tab:orange",
            linestyle="--",
            marker="o",
            markersize=3,
            label="generation median",
        )
        ax0.set_ylabel(self.score_name)
        ax0.legend(loc="best", fontsize="small")
        for ax, info, values in zip(axes[1:], self.axes_info, self.values):
            score_scatter(ax, x, info.positions(values), self.scores, norm, ties=self.ties, s=20)
            info.format(ax, "y")
            ax.set_ylabel(info.name)
        for ax in axes:
            ax.grid(True, alpha=0.3)
        axes[-1].set_xlabel("Generation")
        axes[-1].set_xticks(gens)
        self.axes_ = self.ax_ = axes
        self.figure_ = axes[0].figure
        self.colorbar_ = self.figure_.colorbar(
            mappable, ax=list(axes), shrink=0.8, label=self.score_name
        )
        return self


def _nanmedian(y):
    y = y[np.isfinite(y)]
    return float(np.median(y)) if len(y) else np.nan


def _running_best(generations, scores, gens):
    # Failures count as -inf so that a NaN does not hide its generation's other scores.
    y = np.where(np.isnan(scores), -np.inf, scores)
    return best_so_far([y[generations == g].max() for g in gens])


def plot_population(search, *, params=None, metric=None, ax=None):
    """Plot the candidates of each generation of an evolutionary search.

    The top panel shows every candidate's score against its generation, with
    the best score so far and each generation's median; one panel per
    parameter shows where each generation sampled, coloured by score. Read
    more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    search : fitted EvolutionSearchCV or ``cv_results_`` dict
        Needs the ``generation`` column of ``cv_results_``.
    params : list of str, default=None
        Parameters to show, one panel each; by default every parameter that
        takes more than one value. Pass ``[]`` for the score panel alone.
    metric : str, default=None
        Scorer name of a multi-metric search; by default the ``refit``
        metric, or ``"score"``.
    ax : ndarray of matplotlib Axes of shape (1 + n_params,), default=None
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (1 + n_params,)
        The score panel, then one panel per parameter.

    See Also
    --------
    PopulationDisplay : The display object behind this function.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import EvolutionSearchCV
    >>> from hptune.plot import plot_population
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                            population_size=4, n_generations=3, cv=3,
    ...                            random_state=0).fit(X, y)
    >>> axes = plot_population(search, params=[])
    >>> len(axes[0].collections[0].get_offsets())
    12
    """
    return PopulationDisplay.from_search(search, params=params, metric=metric, ax=ax).axes_
