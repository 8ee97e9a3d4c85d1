"""Warning classes raised by hptune.

Each warning has its own class so that users can filter one kind precisely
(``warnings.filterwarnings("ignore", category=NumericalWarning)``) instead of
silencing everything.
"""

__all__ = [
    "HptuneWarning",
    "NumericalWarning",
    "SearchSpaceWarning",
    "ExhaustedSpaceWarning",
    "RefitWarning",
]


class HptuneWarning(UserWarning):
    """Base class of every warning hptune emits.

    Examples
    --------
    >>> from hptune.exceptions import HptuneWarning
    >>> issubclass(HptuneWarning, UserWarning)
    True
    """


class NumericalWarning(HptuneWarning):
    """A numerical safeguard was triggered (jitter, clipping, fallback).

    Examples
    --------
    >>> from hptune.exceptions import NumericalWarning, HptuneWarning
    >>> issubclass(NumericalWarning, HptuneWarning)
    True
    """


class SearchSpaceWarning(HptuneWarning):
    """A search space was accepted but behaves differently than it may look.

    Examples
    --------
    >>> from hptune.exceptions import SearchSpaceWarning, HptuneWarning
    >>> issubclass(SearchSpaceWarning, HptuneWarning)
    True
    """


class ExhaustedSpaceWarning(HptuneWarning):
    """Every distinct point of a finite search space has been proposed.

    Examples
    --------
    >>> from hptune.exceptions import ExhaustedSpaceWarning, HptuneWarning
    >>> issubclass(ExhaustedSpaceWarning, HptuneWarning)
    True
    """


class RefitWarning(HptuneWarning):
    """The refitted ``best_estimator_`` looks far worse than its CV scores.

    Emitted by :class:`~hptune.PBTSearchCV` when the best member's schedule,
    replayed on the whole training data, gives a model that scores worse on
    that very data than the member scored on its held-out folds, typically
    because training diverged (a learning rate at the edge of stability
    behaves differently with more samples per epoch).

    Examples
    --------
    >>> from hptune.exceptions import RefitWarning, HptuneWarning
    >>> issubclass(RefitWarning, HptuneWarning)
    True
    """
