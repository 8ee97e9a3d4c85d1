"""Parameter importance from the surrogate of a fitted search."""

import numpy as np

from ._base import check_matplotlib, get_axes
from ._surrogate import base_points, grid, mean_prediction, surrogate_of

__all__ = ["ImportanceDisplay", "plot_importance"]

_METHODS = {
    "variance": "share of the GP mean's variance explained by each parameter alone",
    "lengthscale": "GP relevance 1 / length-scale, normalised to sum to 1",
}


def importances(sur, method, *, n_points=32, n_samples=250, random_state=0):
    """Importance of each active dimension of a :class:`Surrogate`.

    ``"variance"``: the first-order (main-effect) share of the variance of
    the GP mean ``m`` over the priors, ``S_i = Var[PD_i(x_i)] / Var[m(x)]``,
    that is the first-order Sobol index of ``m`` (Sobol, 2001; the
    functional ANOVA of Hutter et al., 2014, applied to a GP instead of a
    random forest). For dimension ``i``, ``M[k, n] = m(x_k, z_{n, -i})`` is
    evaluated on the prior's ``n_points`` quantiles ``x_k`` and ``N =
    n_samples`` prior draws ``z_n``; then ``PD_i(x_k)`` is the row mean of
    ``M``, ``Var[m]`` is the variance of all of ``M``, and the variance of the
    row means is corrected for the Monte Carlo noise of averaging over ``N``
    draws (minus the mean within-row variance over ``N``, clipped at 0).
    Each share lies in [0, 1]; ``1 - sum(S_i)`` is left to interactions (up
    to sampling error).

    ``"lengthscale"``: automatic relevance determination, ``1 / l`` for the
    shortest length-scale ``l`` among a dimension's encoded columns (one per
    category of a Categorical), normalised to sum to 1.

    Returns
    -------
    indices : list of int
        The active dimensions.
    values : ndarray of shape (n_active,)
        Their importances.
    """
    active = sur.active
    if method == "lengthscale":
        lengthscales = sur.gp.lengthscales_
        # A ScaledGaussianProcess (the two-objective strategy's shrunk
        # one-hot columns) has them in scaled units: back to encodings.
        scale = getattr(sur.gp, "input_scale", None)
        if scale is not None:
            lengthscales = lengthscales / scale
        relevance = np.array([1.0 / lengthscales[sur.slices[i]].min() for i in active])
        return active, relevance / relevance.sum()
    base = base_points(sur.space, n_samples, random_state)
    values = np.zeros(len(active))
    for k, i in enumerate(active):
        block, _ = grid(sur.space.dimensions[i], n_points, quantiles=True)
        M = _prediction_matrix(sur, base, i, block)
        total = M.var()
        # A flat surrogate (all scores equal) explains nothing; avoid 0 / 0.
        if total > 0:
            noise = M.var(axis=1, ddof=1).mean() / M.shape[1] if M.shape[1] > 1 else 0.0
            values[k] = min(1.0, max(0.0, M.mean(axis=1).var() - noise) / total)
    return active, values


def _prediction_matrix(sur, base, i, block):
    """``M[k, n] = m(x_k, z_{n, -i})``, shape (n_grid, N)."""
    Z = np.repeat(base[None, :, :], len(block), axis=0)
    Z[:, :, sur.slices[i]] = block[:, None, :]
    return mean_prediction(sur.gp, Z.reshape(-1, base.shape[1])).reshape(len(block), len(base))


class ImportanceDisplay:
    """Parameter importance, as horizontal bars, from a fitted search's surrogate.

    Two methods, both stated on the plot: ``"variance"`` (default), the share
    of the variance of the Gaussian process's mean score that each parameter
    explains on its own (a first-order Sobol index, as in fANOVA), and
    ``"lengthscale"``, the GP's relevance ``1 / length-scale``. Importances
    are of the surrogate, so they are as good as the model of the score:
    trust them after enough evaluations.

    Use :meth:`from_search` (or :func:`plot_importance`) to build it from a
    fitted search; the constructor takes precomputed values.

    Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    names : list of str
        Parameter names.
    importances : ndarray of shape (n_params,)
        Importance of each parameter.
    method : {"variance", "lengthscale"}
        How the importances were computed.

    Attributes
    ----------
    bars_ : matplotlib BarContainer
        The bars, one per parameter, most important at the top.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    plot_importance : Draw the plot in one call.
    ObjectiveDisplay : The partial dependence behind the variance method.

    References
    ----------
    .. [1] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical
       models and their Monte Carlo estimates", Mathematics and Computers in
       Simulation 55, 2001.
    .. [2] F. Hutter, H. Hoos and K. Leyton-Brown, "An Efficient Approach for
       Assessing Hyperparameter Importance", ICML 2014.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import BayesSearchCV
    >>> from hptune.plot import ImportanceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": (1e-2, 1e2, "log-uniform"), "gamma": (1e-3, 1e1, "log-uniform")}
    >>> search = BayesSearchCV(SVC(), space, n_iter=5, n_initial_points=3,
    ...                        cv=3, random_state=0).fit(X, y)
    >>> display = ImportanceDisplay.from_search(search, method="lengthscale")
    >>> sorted(display.names), round(float(display.importances.sum()), 6)
    (['C', 'gamma'], 1.0)
    """

    def __init__(self, names, importances, method):
        self.names = names
        self.importances = importances
        self.method = method

    @classmethod
    def from_search(
        cls,
        search,
        *,
        method="variance",
        subspace=None,
        n_points=32,
        n_samples=250,
        random_state=0,
        ax=None,
    ):
        """Compute parameter importances from a fitted search's surrogate and plot them.

        Parameters
        ----------
        search : fitted BayesSearchCV or EvolutionSearchCV, BayesOptimizer or OptimizeResult
            A ``BayesSearchCV``'s last Gaussian process is reused (refitted,
            on a copy, when the last batch came after it); for the others a
            Gaussian process is fitted here to the evaluated points.
        method : {"variance", "lengthscale"}, default="variance"
            ``"variance"``: share of the variance of the GP mean over the
            priors explained by each parameter alone (first-order Sobol
            index; the remainder is interactions). ``"lengthscale"``: the
            GP's relevance ``1 / length-scale`` (the shortest among a
            categorical's one-hot columns), normalised to sum to 1.
        subspace : int, default=None
            Which sub-space of a conditional search (a list of dicts) to show.
        n_points : int, default=32
            Prior quantiles per parameter for the variance method.
        n_samples : int, default=250
            Prior draws averaged over by the variance method.
        random_state : int, RandomState instance or None, default=0
            Seed of those draws (and of the GP fit, when one is needed).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ImportanceDisplay
            The display, with the plot drawn.
        """
        caller = f"{cls.__name__}.from_search"
        if method not in _METHODS:
            raise ValueError(f"method must be one of {sorted(_METHODS)}. Got {method!r} instead.")
        check_matplotlib(caller)
        sur = surrogate_of(search, caller, subspace=subspace, random_state=random_state)
        indices, values = importances(
            sur, method, n_points=n_points, n_samples=n_samples, random_state=random_state
        )
        names = [sur.space.names[i] for i in indices]
        return cls(names, values, method).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        display : ImportanceDisplay
            Object that stores the computed values and the drawn artists.
        """
        n = len(self.names)
        ax = get_axes(ax, f"{type(self).__name__}.plot", figsize=(6.0, 1.0 + 0.45 * n))
        order = np.argsort(self.importances)  # barh draws bottom-up: largest on top
        self.bars_ = ax.barh(
            np.arange(n), np.asarray(self.importances)[order], color="tab:blue", alpha=0.85
        )
        ax.set_yticks(np.arange(n), [self.names[k] for k in order])
        if self.method == "variance":
            ax.set_xlabel("Share of the variance of the GP mean score")
            explained = min(1.0, float(np.sum(self.importances)))
            ax.set_title(
                f"Importance: main effects ({explained:.0%} of the variance; "
                "the rest is interactions)",
                fontsize="medium",
            )
        else:
            ax.set_xlabel("Relevance 1 / length-scale (sums to 1)")
            ax.set_title("Importance: GP length-scales", fontsize="medium")
        ax.set_xlim(0, max(1.0, float(np.max(self.importances)) * 1.05) if n else 1.0)
        ax.grid(True, axis="x", alpha=0.3)
        self.ax_, self.figure_ = ax, ax.figure
        return self


def plot_importance(
    search, *, method="variance", subspace=None, n_points=32, n_samples=250, random_state=0, ax=None
):
    """Plot parameter importance from a fitted search's surrogate.

    The method is stated on the plot: ``"variance"`` (the share of the
    variance of the Gaussian process's mean score that each parameter
    explains alone) or ``"lengthscale"`` (the GP's relevance
    ``1 / length-scale``). Read more in the :ref:`User Guide <plotting>`.

    Parameters
    ----------
    search : fitted BayesSearchCV or EvolutionSearchCV, BayesOptimizer or OptimizeResult
        A ``BayesSearchCV``'s last Gaussian process is reused (refitted, on a
        copy, when the last batch came after it); for the others a Gaussian
        process is fitted here to the evaluated points.
    method : {"variance", "lengthscale"}, default="variance"
        ``"variance"``: share of the variance of the GP mean over the priors
        explained by each parameter alone (first-order Sobol index; the
        remainder is interactions). ``"lengthscale"``: the GP's relevance
        ``1 / length-scale`` (the shortest among a categorical's one-hot
        columns), normalised to sum to 1.
    subspace : int, default=None
        Which sub-space of a conditional search (a list of dicts) to show.
    n_points : int, default=32
        Prior quantiles per parameter for the variance method.
    n_samples : int, default=250
        Prior draws averaged over by the variance method.
    random_state : int, RandomState instance or None, default=0
        Seed of those draws (and of the GP fit, when one is needed).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib Axes
        The Axes with the plot.

    See Also
    --------
    ImportanceDisplay : The display object behind this function.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hptune import BayesSearchCV
    >>> from hptune.plot import plot_importance
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": (1e-2, 1e2, "log-uniform"), "gamma": (1e-3, 1e1, "log-uniform")}
    >>> search = BayesSearchCV(SVC(), space, n_iter=5, n_initial_points=3,
    ...                        cv=3, random_state=0).fit(X, y)
    >>> ax = plot_importance(search, n_samples=50)
    >>> ax.get_xlabel()
    'Share of the variance of the GP mean score'
    """
    display = ImportanceDisplay.from_search(
        search,
        method=method,
        subspace=subspace,
        n_points=n_points,
        n_samples=n_samples,
        random_state=random_state,
        ax=ax,
    )
    return display.ax_
