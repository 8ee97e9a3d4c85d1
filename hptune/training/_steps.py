"""What every resource shares: calling ``fit``/``partial_fit``, and steps as units of the resource."""

import inspect
import warnings

from sklearn.exceptions import ConvergenceWarning

__all__ = ["StepResource", "accepts", "fit_call"]


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


class StepResource:
    """Base of the resources: a step is ``step_size`` units, trained by ``train_to``.

    Subclasses set ``step_size`` and implement ``train_to(final, X, y,
    fit_params, done, target)``; ``prepare`` and ``finish`` leave the
    estimator as it is unless a subclass has something to switch.
    """

    def prepare(self, final):
        """Configure a fresh final estimator (nothing to do here)."""
        return final

    def train(self, final, X, y, fit_params, step):
        """Train ``final`` by one step (``step`` steps done) on ``(X, y)``."""
        return self.train_to(final, X, y, fit_params, step * self.step_size, (step + 1) * self.step_size)

    def finish(self, final):
        """Undo what :meth:`prepare` configured on a trained model (nothing here)."""
        return final
