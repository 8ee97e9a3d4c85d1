"""The sample subsets of ``HyperbandSearchCV(resource="n_samples")``.

A rung with ``n_resources`` samples cuts each fold's training part to the
fraction ``n_resources / max_resources``; the held-out part is never cut.
The samples kept are a prefix of one fixed random order per fold (drawn
from the search's ``random_state``), so the subsets are nested, and, for
classifiers, the order starts with one sample of each class and then
interleaves the classes, so that every subset holds every class in about
its proportion. The kept samples keep their original order, and the full
resource is exactly the fold.
"""

import math

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.multiclass import type_of_target

from ._run import FixedSplits

__all__ = ["SampleSubsets", "class_labels", "min_samples"]


def class_labels(estimator, y):
    """The class labels to stratify the sample order by (None: no stratification).

    A column vector counts as 1-d, as scikit-learn's classifiers take it
    (with a warning), so that both give the same subsets.
    """
    if y is None or not is_classifier(estimator):
        return None
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1 or type_of_target(labels) not in ("binary", "multiclass"):
        return None
    return labels


def min_samples(labels, splits, min_resources, auto_value, max_resources):
    """The resolved ``min_resources_``, after checking the first rung's folds.

    Each fold's first rung must hold every class of the fold's training
    part (classifiers) or 2 samples (others), which the sample order
    guarantees once it has that many samples.

    Parameters
    ----------
    labels : ndarray or None
        From :func:`class_labels`.
    splits : list of (train, test)
    min_resources : int or "auto"
        The user's ``min_resources``.
    auto_value : int
        What ``"auto"`` gives before this check.
    max_resources : int

    Returns
    -------
    min_resources_ : int
    """
    needed = [2 if labels is None else len(np.unique(labels[train])) for train, _ in splits]
    smallest = max(math.ceil(k * max_resources / len(train)) for k, (train, _) in zip(needed, splits))
    if min_resources == "auto":
        return min(max_resources, max(auto_value, smallest))
    for j, (k, (train, _)) in enumerate(zip(needed, splits)):
        kept = n_kept(len(train), min_resources, max_resources)
        if kept < k:
            raise ValueError(
                f"min_resources={min_resources} leaves {kept} training samples of "
                f"fold {j} in the first rung (resource='n_samples' keeps "
                f"min_resources / max_resources = {min_resources}/{max_resources} of each "
                f"fold's {len(train)}), fewer than the {k} it needs "
                f"({'one per class' if labels is not None else 'to fit on'}); raise "
                f"min_resources to at least {smallest}."
            )
    return min_resources


class SampleSubsets:
    """The splits of each rung: nested (stratified) prefixes of one order per fold.

    Parameters
    ----------
    cv : FixedSplits
        The fit's splits.
    labels : ndarray or None
        From :func:`class_labels`.
    max_resources : int
    seed : int
        Seed of the orders.
    """

    def __init__(self, cv, labels, max_resources, seed):
        self.cv, self.max_resources = cv, max_resources
        rng = np.random.RandomState(seed)
        self.orders = []
        for train, _ in cv.splits:
            order = rng.permutation(len(train))
            if labels is not None:
                order = order[_interleaved(labels[train][order])]
            self.orders.append(order)
        self._at = {}

    def at(self, resource):
        """The splits of a rung with ``resource`` samples (the fit's for the full resource)."""
        if resource >= self.max_resources:
            return self.cv
        if resource not in self._at:
            self._at[resource] = FixedSplits([
                (np.sort(train[order[: n_kept(len(train), resource, self.max_resources)]]), test)
                for (train, test), order in zip(self.cv.splits, self.orders)
            ])
        return self._at[resource]


def n_kept(n_train, resource, max_resources):
    """Training samples a fold keeps at ``resource`` (of ``max_resources``) samples."""
    return max(1, int(round(n_train * resource / max_resources)))


def _interleaved(labels):
    """An order of ``labels`` whose every prefix holds the classes in proportion.

    Sample ``j`` of a class of ``n_c`` comes at the position ``(j + 0.5) / n_c``
    of the order, and the first sample of every class comes first, so any
    prefix of at least ``n_classes`` samples holds every class.
    """
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    rank = np.empty(len(labels))
    for c in range(len(counts)):
        rank[inverse == c] = np.arange(counts[c])
    key = np.where(rank == 0, -1.0, (rank + 0.5) / counts[inverse])
    return np.argsort(key, kind="stable")
