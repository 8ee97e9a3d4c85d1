"""Drop-in replacements with other libraries' signatures, for migrating code.

Only the import changes: ``from optuna_integration import OptunaSearchCV``
becomes ``from hptune.compat import OptunaSearchCV``, and the rest of the
code (Optuna distributions, ``n_trials``, ``timeout``) runs as it is, on
hptune's :class:`~hptune.BayesSearchCV`.
"""

from ._optuna import OptunaSearchCV

__all__ = ["OptunaSearchCV"]
