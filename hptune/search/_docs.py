"""Docstring entries that mean the same in every search, written once.

A parameter or attribute that behaves the same in every search is described
here and spliced into each class docstring by :func:`fill_doc`, so the
searches cannot drift apart in what they promise. In a docstring, a line
holding only ``{name}`` is replaced by the entry ``name``, indented as that
line; ``<iteration>`` in an entry becomes the search's word for one round of
evaluations (batch, generation, step).
"""

import re
import textwrap

__all__ = ["fill_doc"]

_ENTRIES = {
    "estimator": """\
estimator : estimator object
    The estimator to tune; needs ``fit`` and a score (``scoring`` or its
    own ``score``).""",
    "scoring": """\
scoring : str, callable, list, tuple or dict, default=None
    As in ``GridSearchCV``. With several metrics, the search maximises
    the one named by ``refit`` (or the first, if ``refit`` is not a name).""",
    "objectives": """\
objectives : list of str, default=None
    Optimise several objectives at once instead of one score: scorer names
    of ``scoring`` (the keys of a multi-metric ``scoring``; ``"score"``
    for a single metric), maximised, and ``"fit_time"`` and
    ``"score_time"`` (the ``cv_results_`` means), minimised; at least two.
    The search then looks for the Pareto front (see ``pareto_front_``),
    and ``refit`` still chooses the model refitted: a metric name or a
    callable such as those of :mod:`hptune.selection`. Progress lines,
    callbacks and stopping rules follow the first objective. With a list
    of sub-spaces, only ``HyperbandSearchCV`` takes objectives. See
    :ref:`objectives`.""",
    "n_jobs": """\
n_jobs : int, default=None
    Number of jobs to run in parallel. ``None`` means 1 unless in a
    :obj:`joblib.parallel_backend` context. ``-1`` means using all
    processors. See :term:`Glossary <n_jobs>` for more details.""",
    "cv": """\
cv : int, cross-validation generator or an iterable, default=None
    Determines the cross-validation splitting strategy, as in
    ``GridSearchCV``. The splits are computed once per fit, so every
    candidate is scored on the same data even with a randomised splitter.
    See :term:`Glossary <cv>`.""",
    "verbose": """\
verbose : int, default=0
    0 prints nothing. 1 prints one line per <iteration>: how many were run
    and evaluated, the best score of the <iteration> and the best so far,
    and the time elapsed (next to scikit-learn's "Fitting ..." line). 2 and
    more add scikit-learn's line per fit.""",
    "pre_dispatch": """\
pre_dispatch : int or str, default="2*n_jobs"
    As in ``GridSearchCV``.""",
    "return_train_score": """\
return_train_score : bool, default=False
    As in ``GridSearchCV``.""",
    "callbacks": """\
callbacks : callable, list of callables or None, default=None
    Called after every <iteration> with an
    :class:`~hptune.strategies.OptimizeResult` (objects with an
    ``on_iteration(search, state)`` method are called through it);
    returning True stops the search. For example the stoppers of
    :mod:`hptune.callbacks`; see ``fit`` for the keys of the result.""",
    "max_time": """\
max_time : float, default=None
    Stop after the first <iteration> that ends later than this many seconds
    after the search started; everything evaluated is kept. With a
    ``checkpoint``, the next ``fit`` continues the search.""",
    "checkpoint": """\
checkpoint : str or path-like, default=None
    File in which the search saves its progress after every <iteration>:
    candidates, per-split scores and times, and the optimiser state, as
    plain data (an ``.npz`` file with a JSON header, never a pickle). It
    is replaced atomically, so after a crash or Ctrl-C it holds the last
    completed <iteration>. If the file exists, ``fit`` resumes from it: only
    the <iteration> in flight at the interruption is evaluated again, and the
    final ``cv_results_`` equal those of an uninterrupted search. A file
    written by another search (estimator, space, settings, data or CV
    splits) raises a :class:`~hptune.checkpoint.CheckpointError`. See
    :ref:`checkpoints`.""",
    "warm_start": """\
warm_start : bool, default=False
    When True, ``fit`` on the same data continues the previous fit of this
    search: ``search.set_params(n_iter=80).fit(X, y)`` after a fit with
    ``n_iter=50`` evaluates 30 more candidates, ``cv_results_`` holds all
    80 and the optimiser continues from its state (the Gaussian process
    sees all 80). Only the budget may change; other data, another space or
    other settings raise a :class:`~hptune.checkpoint.CheckpointError`
    before the first fit. With a ``checkpoint``, the search continues from
    the file. See :term:`Glossary <warm_start>` and :ref:`warm_starts`.""",
    "initial_points": """\
initial_points : list of dict, default=None
    Configurations evaluated first, before the search proposes its own
    (scikit-optimize's ``x0``, Optuna's ``enqueue_trial``), and told to
    the optimiser like any evaluation; they count towards the budget. Each
    must give a value inside the search space for every parameter of one
    sub-space. See :ref:`warm_starts`.""",
    "best_attributes": """\
best_estimator_ : estimator
    Estimator refitted on the whole data with the best parameters
    (when ``refit`` is not False).
best_score_ : float
    Mean cross-validated score of the best candidate.
best_params_ : dict
    Parameters of the best candidate.
refit_time_ : float
    Seconds spent refitting the best estimator.""",
    "pareto_attributes": """\
pareto_front_ : ndarray of shape (n_front,)
    With ``objectives``: indices into ``cv_results_`` of the candidates
    that no other candidate beats in every objective (the non-dominated
    ones, over the means), failed candidates never included; also the
    rows where the ``cv_results_`` column ``pareto_rank`` (the front of
    each candidate by non-dominated sorting, see
    :func:`hptune.selection.pareto_rank`) is 1.""",
    "tie_columns": """\
For every metric, ``pvalue_best_<metric>`` is the one-sided p-value of
"the candidate with the best ``mean_test_<metric>`` is better than this
one", by the corrected resampled t-test of Nadeau and Bengio on the
per-split scores (see :func:`hptune.selection.compare_to_best`): 1.0 for
the best itself, NaN for failed candidates and with a single split. A
candidate with a p-value above 0.05 is statistically tied with the
best; see :ref:`overfitting`.""",
    "fitted_attributes": """\
best_index_ : int
    Index of the best candidate in ``cv_results_``.
scorer_ : function or dict
    Scorer(s) used on the held-out data.
n_splits_ : int
    Number of cross-validation splits.
multimetric_ : bool
    Whether several metrics were evaluated.
classes_ : ndarray of shape (n_classes,)
    Class labels (classifiers with ``refit``).
n_features_in_ : int
    Number of features seen during fit (with ``refit``).
feature_names_in_ : ndarray of shape (n_features_in_,)
    Feature names seen during fit, when X has string column names.""",
    "fit_callback": """\
callback : callable, list of callables or None, default=None
    Callbacks in scikit-optimize's style, called after every <iteration> with an
    :class:`~hptune.strategies.OptimizeResult`; returning True stops
    the search. They run after those given in ``callbacks``. Besides
    skopt's keys (``x``, ``fun``, ``x_iters``, ``func_vals``), the result
    holds ``params``, ``scores`` and ``best_params``, ``iteration`` and
    ``n_evaluations`` (so far, including those restored from a
    checkpoint), ``elapsed`` (seconds since this ``fit`` started),
    ``best_score``, ``best_scores`` (the best score after each
    <iteration>) and ``cv_results`` (the results so far, in the
    ``cv_results_`` format). See :mod:`hptune.callbacks`.""",
}

_PLACEHOLDER = re.compile(r"^( *)\{(\w+)\}$", flags=re.MULTILINE)


def fill_doc(iteration):
    """Class or function decorator splicing the shared entries into ``__doc__``.

    Parameters
    ----------
    iteration : str
        The search's word for one round of evaluations, such as "batch".

    Returns
    -------
    decorator : callable
    """

    def fill(obj):
        def entry(match):
            text = _ENTRIES[match.group(2)].replace("<iteration>", iteration)
            return textwrap.indent(text, match.group(1))

        obj.__doc__ = _PLACEHOLDER.sub(entry, obj.__doc__)
        return obj

    return fill
