"""Helpers shared by the displays: the lazy matplotlib import, inputs, axes and layouts.

Every display reads what a fitted search recorded (``cv_results_``,
``strategy_``, ``history_``, ``pbt_history_``) and never refits anything the
search already did. Parameter values are placed on an axis by
:class:`ParamAxis`: numbers at their value (log scale for log-uniform
dimensions), anything else (strings, estimators, None) at positions
0, 1, 2, ... labelled with a short text. Two layouts recur: a column of
panels sharing x (score, then one panel per parameter) and a lower triangle
of panels per parameter and pair, with the parameters on the diagonal.
"""

import numbers

import numpy as np

from ..selection import compare_to_best
from ..space._conditional import ConditionalSpace, choice_index

__all__ = [
    "INSTALL_HINT",
    "ParamAxis",
    "best_index",
    "check_matplotlib",
    "check_params",
    "column_axes",
    "corner_colorbar",
    "draw_triangle",
    "get_axes",
    "get_axes_grid",
    "label_right",
    "param_axes",
    "param_names",
    "param_values",
    "results_of",
    "score_cmap",
    "score_key",
    "score_norm",
    "score_scatter",
    "tied_with_best",
    "triangle_axes",
    "varying_params",
]

INSTALL_HINT = 'pip install "hptune[plots]"'

# A candidate whose p-value against the best is above this level is drawn as
# tied with it: the usual 5% significance level.
TIE_LEVEL = 0.05
# Outline of the candidates tied with the best: thick, in the colour of the
# best candidate's star, so that they read as "as good as the best".
_TIE_EDGE, _TIE_WIDTH, _EDGE_WIDTH = "tab:red", 1.6, 0.3

# Category labels longer than this are cut, so that tick labels stay readable.
_MAX_LABEL = 16


def check_matplotlib(caller):
    """Import ``matplotlib.pyplot``, or raise an ImportError naming the extra.

    Parameters
    ----------
    caller : str
        Name of the function or class that needs matplotlib, for the message.

    Returns
    -------
    plt : module
        ``matplotlib.pyplot``.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it with "
            f"hptune's plots extra: {INSTALL_HINT}"
        ) from err
    return plt


def get_axes(ax, caller, figsize=None):
    """The given Axes, or a new figure's single Axes."""
    plt = check_matplotlib(caller)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def get_axes_grid(ax, shape, caller, figsize=None, **subplots_kw):
    """An ndarray of Axes of ``shape``: the given ones or a new figure's."""
    plt = check_matplotlib(caller)
    if ax is None:
        _, axes = plt.subplots(*shape, squeeze=False, figsize=figsize, **subplots_kw)
        return axes.reshape(shape)
    axes = np.asarray(ax, dtype=object)
    if axes.size != int(np.prod(shape)):
        raise ValueError(
            f"{caller} draws {int(np.prod(shape))} panels in a grid of shape {shape}; "
            f"ax holds {axes.size} Axes. Pass ax=None for a new figure."
        )
    return axes.reshape(shape)


def column_axes(ax, n, caller, figsize):
    """A column of ``n`` Axes sharing x: the given ones or a new figure's."""
    return get_axes_grid(
        ax, (n, 1), caller, figsize=figsize, sharex=True, layout="constrained"
    ).ravel()


def triangle_axes(ax, n, caller, *, right_labels):
    """The (n, n) Axes of a lower-triangular plot: the given ones or a new figure's.

    ``right_labels`` says whether diagonal panels label their y axis on the
    right (:func:`label_right`), which a new figure then makes room for.
    """
    axes = get_axes_grid(ax, (n, n), caller, figsize=(2.2 * n + 1.8, 2.2 * n + 1.0))
    if ax is None and right_labels:
        axes[0, 0].figure.subplots_adjust(left=0.12, right=0.86, wspace=0.45, hspace=0.25)
    return axes


def results_of(obj, caller):
    """``cv_results_`` of a fitted search, or ``obj`` itself when it is one.

    Parameters
    ----------
    obj : fitted search or dict
        A fitted ``*SearchCV`` (hptune's or scikit-learn's) or its
        ``cv_results_``.
    caller : str
        Name of the caller, for error messages.

    Returns
    -------
    results : dict
    """
    if isinstance(obj, dict) and "params" in obj:
        return obj
    if hasattr(obj, "cv_results_"):
        return obj.cv_results_
    if hasattr(obj, "get_params") and hasattr(obj, "fit"):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(
            f"This {type(obj).__name__} instance is not fitted yet. Call 'fit' before "
            f"passing it to {caller}."
        )
    raise TypeError(
        f"{caller} expects a fitted search or its cv_results_ dict. Got {type(obj).__name__}."
    )


def score_key(results, metric=None, search=None):
    """The ``mean_test_*`` column to plot.

    ``metric`` names a scorer of a multi-metric search; otherwise the search's
    ``refit`` metric when it is a name, else ``mean_test_score``, else the
    first ``mean_test_*`` column.
    """
    if metric is not None:
        key = f"mean_test_{metric}"
        if key not in results:
            available = sorted(
                k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
            )
            raise ValueError(f"metric={metric!r} is not in cv_results_; available: {available}.")
        return key
    if "mean_test_score" in results:
        return "mean_test_score"
    refit = getattr(search, "refit", None)
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    keys = [k for k in results if k.startswith("mean_test_")]
    if not keys:
        raise ValueError("The results have no mean_test_* column to plot.")
    return keys[0]


def param_names(results):
    """Names of the searched parameters, in ``cv_results_`` column order."""
    return [k[len("param_") :] for k in results if k.startswith("param_")]


def param_values(results, name):
    """Values of parameter ``name`` per candidate; None where it is not set."""
    column = results[f"param_{name}"]
    mask = np.ma.getmaskarray(column)
    data = np.ma.getdata(column)
    return [None if m else v for v, m in zip(data, mask)]


def varying_params(results):
    """Names of the parameters that take more than one value (None aside) in ``results``."""
    return [
        name
        for name in param_names(results)
        if len({repr(v) for v in param_values(results, name) if v is not None}) > 1
    ]


def check_params(params, names, where):
    """Raise a ValueError naming the ``params`` not in ``names``, which ``where`` has."""
    unknown = [p for p in params if p not in names]
    if unknown:
        raise ValueError(f"Unknown parameters {unknown}; {where} has {names}.")


def best_index(scores):
    """Index of the highest finite score, or None when no score is finite."""
    finite = np.isfinite(scores)
    if not finite.any():
        return None
    return int(np.flatnonzero(finite)[np.argmax(scores[finite])])


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _label(value):
    """A short tick label: the class name for estimators, else ``str``."""
    text = type(value).__name__ if hasattr(value, "get_params") else str(value)
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _make_room(ax, labels, side, extent):
    """Widen the ``side`` margin of a figure without a layout engine so that labels fit.

    Only for the outer panels on that side; a figure with a layout engine
    (constrained layout) makes room by itself. ``extent`` is the share of a
    label's length that lies across the margin (1 for horizontal labels,
    sin(40 degrees) for slanted ones).
    """
    figure = ax.figure
    if figure.get_layout_engine() is not None or not labels:
        return
    margin = getattr(figure.subplotpars, side)
    box = ax.get_position()
    if abs((box.x0 if side == "left" else box.y0) - margin) > 1e-6:
        return
    # About 0.6 em per character of 10 pt tick labels, plus the axis label.
    inches = 0.6 * 10 / 72.0 * max(len(t) for t in labels) * extent + 0.45
    needed = inches / (figure.get_figwidth() if side == "left" else figure.get_figheight())
    if needed > margin:
        figure.subplots_adjust(**{side: min(needed, 0.4)})


def _distinct(categories):
    """Tick labels of ``categories``, numbered where two would read the same."""
    labels = [_label(c) for c in categories]
    for text in {t for t in labels if labels.count(t) > 1}:
        where = [i for i, t in enumerate(labels) if t == text]
        for n, i in enumerate(where, start=1):
            labels[i] = f"{text[: _MAX_LABEL - 3]} ({n})"
    return labels


class ParamAxis:
    """How the values of one parameter are placed on a plot axis.

    Parameters
    ----------
    name : str
        Parameter name (the axis label).
    values : list
        Observed values; None marks "not set" (another sub-space).
    dimension : Dimension, default=None
        The parameter's dimension, when known: it gives the scale
        (log-uniform) and the order of categories.
    """

    def __init__(self, name, values, dimension=None):
        self.name = name
        present = [v for v in values if v is not None]
        categories = getattr(dimension, "categories", None)
        self.numeric = bool(present) and all(_is_number(v) for v in present)
        if categories is not None and not all(_is_number(c) for c in categories):
            self.numeric = False
        if self.numeric:
            self.categories = None
            self.integral = all(isinstance(v, numbers.Integral) for v in present)
            self._range = (min(present), max(present))
            prior = getattr(dimension, "prior", None)
            if isinstance(prior, str):
                self.log = prior == "log-uniform"
            else:
                # No prior to go by (cv_results_ alone, Ordinal lists): a positive
                # range over two decades reads better on a log scale.
                x = np.asarray(present, dtype=float)
                self.log = bool(len(x) and x.min() > 0 and x.max() / x.min() >= 100)
        else:
            self.log, self.integral, self._range = False, False, None
            self.categories = list(categories) if categories is not None else []
            for v in present:
                if self._index(v) is None:
                    self.categories.append(v)

    def _index(self, value):
        # One category for the same choice in several sub-spaces (a new
        # StandardScaler() in every dict is one scaler).
        return choice_index(self.categories, value)

    def positions(self, values):
        """Axis coordinates of ``values`` (NaN where a value is None)."""
        if self.numeric:
            return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        out = np.full(len(values), np.nan)
        for k, v in enumerate(values):
            if v is not None:
                i = self._index(v)
                out[k] = np.nan if i is None else i
        return out

    @property
    def n_categories(self):
        return 0 if self.categories is None else len(self.categories)

    def limits(self):
        """Axis limits that show every observed value with a 5% margin."""
        if not self.numeric:
            return (-0.5, self.n_categories - 0.5)
        lo, hi = (float(v) for v in self._range)
        if self.log and lo > 0:
            pad = 0.05 * (np.log10(hi) - np.log10(lo)) or 0.1
            return (lo / 10**pad, hi * 10**pad)
        pad = 0.05 * (hi - lo) or 0.5
        return (lo - pad, hi + pad)

    def format(self, ax, which, *, set_limits=False):
        """Apply the scale, ticks and (optionally) limits to the ``which`` ("x" or "y") axis."""
        axis = ax.xaxis if which == "x" else ax.yaxis
        set_scale = ax.set_xscale if which == "x" else ax.set_yscale
        set_lim = ax.set_xlim if which == "x" else ax.set_ylim
        if self.numeric:
            set_scale("log" if self.log else "linear")
            if self.integral and not self.log:
                from matplotlib.ticker import MaxNLocator

                axis.set_major_locator(MaxNLocator(integer=True))
            if set_limits:
                set_lim(*self.limits())
            return
        positions = np.arange(self.n_categories)
        labels = _distinct(self.categories)
        if which == "x":
            # Slanted labels anchored at their tick: long names neither
            # overlap their neighbours nor drift away from their tick.
            slant = len(labels) > 1 and max(len(t) for t in labels) > 6
            ax.set_xticks(positions, labels, rotation=40 if slant else 0,
                          ha="right" if slant else "center", rotation_mode="anchor")
            if slant:
                _make_room(ax, labels, "bottom", 0.65)
        else:
            ax.set_yticks(positions, labels)
            _make_room(ax, labels, "left", 1.0)
        set_lim(*self.limits())


def _dimensions_of(search):
    """Dimension of each parameter name, merged over sub-spaces when there are several."""
    strategy = getattr(search, "strategy_", None)
    if isinstance(getattr(strategy, "space", None), ConditionalSpace):
        return strategy.space.dimensions()
    subs = getattr(strategy, "strategies", [strategy] if strategy is not None else [])
    dims = {}
    for sub in subs:
        for name, dim in sub.space:
            dims.setdefault(name, dim)
    return dims


def param_axes(search, results, names):
    """Values per candidate of each parameter of ``names``, and their :class:`ParamAxis`.

    The dimensions of an hptune search give the axes their scale; a
    ``cv_results_`` dict or a scikit-learn search has none to give.
    """
    dims = _dimensions_of(search)
    values = [param_values(results, n) for n in names]
    return values, [ParamAxis(n, v, dims.get(n)) for n, v in zip(names, values)]


def score_cmap():
    """The colour map of scores: viridis, failed (NaN) scores in light grey."""
    import matplotlib

    return matplotlib.colormaps["viridis"].with_extremes(bad="lightgrey")


def corner_colorbar(axes, mappable, label):
    """A colour bar in the empty top-right cell of a lower-triangular grid.

    With a single panel the colour bar takes space from it as usual.
    """
    figure = axes[0, 0].figure
    n = axes.shape[0]
    if n == 1:
        colorbar = figure.colorbar(mappable, ax=axes[0, 0])
    else:
        # Clear of the diagonal panels' right-hand tick labels.
        cell = axes[0, n - 1].get_position()
        cax = figure.add_axes(
            [cell.x0 + 0.55 * cell.width, cell.y0, 0.08 * cell.width, cell.height]
        )
        colorbar = figure.colorbar(mappable, cax=cax)
    colorbar.set_label(label)
    return colorbar


def score_norm(scores):
    """Colour normalisation from the lowest to the highest finite score."""
    from matplotlib.colors import Normalize

    finite = scores[np.isfinite(scores)]
    if not len(finite):
        return Normalize(0, 1)
    return Normalize(finite.min(), finite.max())


def score_scatter(ax, x, y, scores, norm, ties=None, **kwargs):
    """Points coloured by score on the :func:`score_cmap`, outlined in black.

    Points where the boolean array ``ties`` is True (candidates tied with the
    best, :func:`tied_with_best`) get a thick red outline instead.
    """
    from matplotlib.colors import to_rgba_array

    edges, widths = "black", _EDGE_WIDTH
    if ties is not None and np.any(ties):
        ties = np.asarray(ties, dtype=bool)
        edges = to_rgba_array(np.where(ties, _TIE_EDGE, "black").tolist())
        widths = np.where(ties, _TIE_WIDTH, _EDGE_WIDTH)
    return ax.scatter(
        x, y, c=scores, cmap=score_cmap(), norm=norm, edgecolors=edges, linewidths=widths, **kwargs
    )


def tied_with_best(results, key):
    """Which candidates are statistically tied with the best on the metric of ``key``.

    Tied means a p-value above 5% in the ``pvalue_best_<metric>`` column of
    hptune's searches, or, for other searches with at least two splits, of
    :func:`~hptune.selection.compare_to_best` (splits taken as k folds).
    The best candidate itself is not counted as a tie.

    Parameters
    ----------
    results : dict
        A ``cv_results_`` dict.
    key : str
        Its ``mean_test_<metric>`` column.

    Returns
    -------
    ties : ndarray of shape (n_candidates,) of bool
        All False when no p-value can be computed (a single split).
    """
    metric = key[len("mean_test_") :]
    p_values = results.get(f"pvalue_best_{metric}")
    if p_values is None:
        try:
            p_values = compare_to_best(results, metric=metric)
        except ValueError:  # one split, or no per-split columns: no test possible
            return np.zeros(len(results[key]), dtype=bool)
    ties = np.asarray(p_values, dtype=float) > TIE_LEVEL
    best = best_index(np.asarray(results[key], dtype=float))
    if best is not None:
        ties[best] = False
    return ties


def label_right(ax, label):
    """Put the y ticks and ``label`` of a diagonal panel on the right, clear of its row."""
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.set_ylabel(label)


def draw_triangle(axes, names, diagonal, below):
    """Draw a lower triangle of panels, hide the others and label the outer edges.

    ``diagonal(ax, i)`` draws parameter ``i`` alone; ``below(ax, i, j)`` draws
    the pair (``i`` on y, ``j`` on x) and returns its mappable. Returns the
    last mappable (None with a single parameter).
    """
    n = len(names)
    mappable = None
    for i in range(n):
        for j in range(n):
            if i < j:
                axes[i, j].set_visible(False)
                continue
            if i == j:
                diagonal(axes[i, i], i)
            else:
                mappable = below(axes[i, j], i, j)
            _label_edges(axes[i, j], i, j, n, names)
    return mappable


def _label_edges(ax, i, j, n, names):
    """Axis labels on the bottom row and left column only; inner panels share them."""
    if i == n - 1:
        ax.set_xlabel(names[j])
    else:
        ax.tick_params(labelbottom=False)
    if j == 0 and i > 0:
        ax.set_ylabel(names[i])
    elif i != j:
        ax.tick_params(labelleft=False)
