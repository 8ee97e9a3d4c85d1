"""Continued boosting for LightGBM's and XGBoost's scikit-learn estimators.

Neither library has ``warm_start`` or ``partial_fit``, but both continue a
fitted booster: ``fit(X, y, init_model=booster)`` (LightGBM) and
``fit(X, y, xgb_model=booster)`` (XGBoost) add ``n_estimators`` boosting
rounds to the given booster, and the fitted model holds the old and the new
trees. So training from ``done`` to ``target`` rounds is one such fit with
``n_estimators=target - done``.

The libraries stay optional: an estimator is recognised by the module its
class (or a base class, for a user's subclass) comes from and by the keyword
its ``fit`` takes, without importing either library here.

With the same data and seed and without row or column subsampling, a
continued model predicts as a model fitted from scratch with ``target``
rounds (identical predictions with LightGBM 4.7 and XGBoost 3.2; the tests
check them to 1e-10): the new rounds start from the old booster's raw scores, which
are the scores a from-scratch fit has at that round, and the histograms are
built from the same data. It differs where boosting itself is not
incremental: with subsampling (``subsample`` below 1, ``colsample_*``,
``feature_fraction``...) the continued rounds draw other random subsets, and
with DART (LightGBM's ``boosting_type="dart"``, XGBoost's ``booster="dart"``
with ``rate_drop > 0``) the trees of earlier fits are no longer dropped.
With early stopping (XGBoost's ``early_stopping_rounds``, LightGBM's
``early_stopping`` callback) every continued fit stops on its own; that is
not made to match a from-scratch fit.
Random forests cannot be continued at all: LightGBM's
``boosting_type="rf"`` refuses an initial model, and XGBoost's
``XGBRFClassifier``/``XGBRFRegressor`` grow all their trees in one round.
"""

from sklearn.base import clone

from ._steps import StepResource, accepts, fit_call

__all__ = ["BoosterResource", "booster_library", "booster_resource"]

# Library (top-level module name) -> keyword of ``fit`` taking the booster to continue.
_CONTINUE_KEYWORD = {"lightgbm": "init_model", "xgboost": "xgb_model"}

# Library -> the parameter choosing the kind of booster (gbdt, rf, dart...):
# a continued booster cannot change kind, so it cannot be searched.
_KIND_PARAM = {"lightgbm": "boosting_type", "xgboost": "booster"}

# LightGBM's names of its random forest mode, which refuses an initial model.
_LIGHTGBM_FORESTS = ("rf", "random_forest")


def booster_library(final):
    """The library whose booster ``final`` continues, or None.

    Parameters
    ----------
    final : estimator
        The final estimator (not a Pipeline).

    Returns
    -------
    library : {"lightgbm", "xgboost"} or None
        None unless ``final`` is (or derives from) a scikit-learn estimator of
        LightGBM or XGBoost with an ``n_estimators`` parameter and a ``fit``
        that takes the library's booster keyword.
    """
    for cls in type(final).__mro__:
        library = cls.__module__.partition(".")[0]
        if library in _CONTINUE_KEYWORD:
            break
    else:
        return None
    if "n_estimators" not in final.get_params() or not hasattr(final, "fit"):
        return None
    return library if accepts(final.fit, _CONTINUE_KEYWORD[library]) else None


def _check_continuable(final, library):
    """Raise a ValueError saying why ``final`` is a forest that cannot continue."""
    if library == "lightgbm" and final.get_params().get("boosting_type") in _LIGHTGBM_FORESTS:
        raise ValueError(
            f"{type(final).__name__} with boosting_type={final.boosting_type!r} is a random "
            "forest, which LightGBM cannot continue from a fitted model (init_model); use "
            "boosting_type='gbdt'"
        )
    if library == "xgboost" and hasattr(final, "get_num_boosting_rounds"):
        # XGBoost's random forests take n_estimators as the trees of a single
        # round; continuing them would boost a second forest on the first.
        if clone(final).set_params(n_estimators=2).get_num_boosting_rounds() != 2:
            raise ValueError(
                f"{type(final).__name__} grows all its n_estimators trees in one boosting "
                "round, so a fitted model cannot be continued (xgb_model); use XGBClassifier "
                "or XGBRegressor"
            )


def booster_resource(final, step_size):
    """How to continue the boosting of ``final`` by ``n_estimators``, or None.

    Parameters
    ----------
    final : estimator
        The final estimator (not a Pipeline).
    step_size : int
        Boosting rounds per step.

    Returns
    -------
    resource : BoosterResource or None
        None when ``final`` is not a LightGBM or XGBoost estimator
        (:func:`booster_library`).

    Raises
    ------
    ValueError
        For a random forest of either library, which cannot be continued.
    """
    library = booster_library(final)
    if library is None:
        return None
    _check_continuable(final, library)
    return BoosterResource(library, step_size)


class BoosterResource(StepResource):
    """One unit is one boosting round, added to the booster fitted so far.

    Used for LightGBM's and XGBoost's scikit-learn estimators (module
    docstring): a fit with ``n_estimators=target - done`` continues the
    previous fit's booster through LightGBM's ``init_model`` or XGBoost's
    ``xgb_model``. After every fit ``n_estimators`` is set back to the
    rounds the model holds, so the trained model reads as one fitted from
    scratch with that many rounds (``get_params`` and ``clone`` included).

    Parameters
    ----------
    library : {"lightgbm", "xgboost"}
        From :func:`booster_library`.
    step_size : int
        Boosting rounds per step.

    Attributes
    ----------
    kind_param : str
        The parameter choosing the kind of booster (``"boosting_type"`` or
        ``"booster"``), which a search may not vary: a continued booster
        keeps its kind.
    """

    # The resource parameter: PBT reports it and search spaces must not name it.
    param = name = "n_estimators"

    def __init__(self, library, step_size):
        self.library = library
        self.step_size = step_size
        self.kind_param = _KIND_PARAM[library]

    def train_to(self, final, X, y, fit_params, done, target):
        """Train ``final``, boosted for ``done`` rounds (0: fresh), to ``target`` rounds."""
        kwargs = dict(fit_params)
        if done > 0:
            # The fitted booster already holds the trees of a user's own
            # init_model / xgb_model passed to the first fit, so it replaces it.
            booster = final.booster_ if self.library == "lightgbm" else final.get_booster()
            kwargs[_CONTINUE_KEYWORD[self.library]] = booster
        final.set_params(n_estimators=target - done)
        try:
            fit_call(final.fit, X, y, kwargs)
        finally:
            final.set_params(n_estimators=target)
        return final
