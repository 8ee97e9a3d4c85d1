"""Calling an estimator's ``fit`` or ``partial_fit`` the same way for every resource."""

import inspect
import warnings

from sklearn.exceptions import ConvergenceWarning

__all__ = ["accepts", "fit_call"]


def fit_call(method, X, y, kwargs):
    """Call ``fit`` or ``partial_fit``, tolerating only ConvergenceWarning."""
    with warnings.catch_warnings():
        # A step stops training on purpose before convergence: an iterative
        # solver warning that it reached its iteration limit is expected here.
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        if y is None:
            method(X, **kwargs)
        else:
            method(X, y, **kwargs)


def accepts(method, name):
    """Whether ``method`` takes the keyword ``name``, by name or through ``**kwargs``.

    A wrapper written ``partial_fit(self, X, y, **kwargs)`` (one that counts or
    logs calls, say) passes ``classes`` on to the estimator it wraps.
    """
    parameters = inspect.signature(method).parameters.values()
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)
