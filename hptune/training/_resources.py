"""What one unit of training means for a given estimator: the resource.

scikit-learn has two ways to continue training a fitted model (see the
glossary): ``partial_fit`` learns from more data with fixed parameters, and
``warm_start`` refits on the same data from the previous solution after the
parameters changed. LightGBM and XGBoost have neither, but continue a fitted
booster (``init_model``, ``xgb_model``; :mod:`._boosting`). PBT needs one of
these; ``resolve_resource`` detects which
the (final step of the) estimator offers, lets ``resource`` choose when both
exist, and raises a clear error when neither does. A model is never silently
retrained from scratch. ``continued_resource`` answers the narrower question
of HyperbandSearchCV: can training that a given integer parameter counts
(trees, iterations, epochs) be continued?

A resource object trains the final estimator from ``done`` to ``target``
units (``train_to``; a PBT step is ``step_size`` units):

* ``PartialFitResource``: ``target - done`` calls of ``partial_fit`` on the
  fold's whole training set (one pass each);
* ``WarmStartResource``: one warm ``fit`` with the resource parameter grown.
  For ensembles (the fitted estimator has ``estimators_`` or
  ``n_trees_per_iteration_``) the parameter counts the members of the
  ensemble, and a warm fit only adds the missing ones, so it is set to the
  cumulative ``target``. Iterative solvers (MLP, logistic regression, SGD,
  ...) instead run up to that many iterations from the previous solution on
  every warm fit, so it is set to ``target - done``;
* ``BoosterResource``: one LightGBM or XGBoost ``fit`` of ``target - done``
  rounds continuing the previous booster.

A hyperparameter change must really act on a model that is already fitted.
scikit-learn estimators read most parameters afresh on every ``fit`` or
``partial_fit`` call, but a few cache them; ``adapt`` fixes those up after
``set_params``:

* ``MLPClassifier``/``MLPRegressor``: ``partial_fit`` keeps the optimiser it
  built on the first call, so a new ``learning_rate_init``, ``momentum``,
  ``beta_1``... would be silently ignored. They are copied onto the optimiser
  (keeping its state: velocities, Adam moments and the progress of the
  learning-rate schedule), and a change of ``solver`` rebuilds it.
* ``GradientBoostingClassifier``/``GradientBoostingRegressor``: predictions
  multiply *every* stage by the current ``learning_rate``, so a new rate
  would silently rescale the trees already grown. Their leaf values are
  rescaled so that past stages keep the contribution they were trained with.
"""

from sklearn.base import is_classifier
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import unique_labels

from ._boosting import BoosterResource, booster_library, booster_resource
from ._steps import StepResource, accepts, fit_call

__all__ = [
    "BoosterResource",
    "PartialFitResource",
    "WarmStartResource",
    "adapt",
    "check_search_space",
    "continued_resource",
    "final_step",
    "resolve_resource",
]

# resource="auto" with warm_start only: the first of these that is a parameter.
_AUTO_WARM_START_PARAMS = ("n_estimators", "max_iter")


# (MLP optimiser attribute, MLP parameter) pairs copied after set_params.
_OPTIMIZER_PARAMS = (
    ("momentum", "momentum"),
    ("nesterov", "nesterovs_momentum"),
    ("power_t", "power_t"),
    ("lr_schedule", "learning_rate"),
    ("beta_1", "beta_1"),
    ("beta_2", "beta_2"),
    ("epsilon", "epsilon"),
)


def _sync_mlp_optimizer(final, before):
    """Make new optimiser hyperparameters act on a fitted MLP (module docstring)."""
    optimizer = getattr(final, "_optimizer", None)
    if optimizer is None:
        return
    if before["solver"] != final.solver:
        del final._optimizer  # partial_fit builds the new solver's optimiser
        return
    old, new = optimizer.learning_rate_init, final.learning_rate_init
    if old != new:
        # Rescale the current rate rather than reset it, so that "invscaling"
        # and "adaptive" schedules keep their progress.
        optimizer.learning_rate = optimizer.learning_rate * new / old
        optimizer.learning_rate_init = new
    for attribute, param in _OPTIMIZER_PARAMS:
        if hasattr(optimizer, attribute):
            setattr(optimizer, attribute, getattr(final, param))


def _rescale_gb_stages(final, before):
    """Keep the contribution of grown stages when ``learning_rate`` changes.

    Gradient boosting predicts ``init + learning_rate * sum_m tree_m(x)`` with
    the *current* rate, so going from rate ``a`` to ``b`` multiplies the past
    stages' leaf values by ``a / b``.
    """
    old, new = before["learning_rate"], final.learning_rate
    if old == new or not hasattr(final, "estimators_"):
        return
    for tree in final.estimators_.ravel():
        tree.tree_.value[...] *= old / new


_ADAPTERS = (
    ((MLPClassifier, MLPRegressor), _sync_mlp_optimizer),
    ((GradientBoostingClassifier, GradientBoostingRegressor), _rescale_gb_stages),
)


def adapt(final, before):
    """Make parameters just set on a fitted ``final`` take effect.

    ``before`` holds ``final.get_params(deep=False)`` from before ``set_params``.
    """
    for classes, adapter in _ADAPTERS:
        if isinstance(final, classes):
            adapter(final, before)
    return final


def final_step(estimator):
    """Split a Pipeline into its leading steps and its final estimator.

    Returns
    -------
    pre_steps : list of (str, estimator)
        The steps before the final one (empty for a plain estimator).
    prefix : str
        Prefix of the final estimator's parameters in ``estimator.get_params()``
        (``"clf__"`` for a Pipeline whose last step is named ``clf``, else "").
    final : estimator
        The estimator that learns incrementally.
    """
    if isinstance(estimator, Pipeline):
        name, final = estimator.steps[-1]
        return list(estimator.steps[:-1]), f"{name}__", final
    return [], "", estimator


class PartialFitResource(StepResource):
    """One step is ``step_size`` ``partial_fit`` passes over the training data.

    Parameters
    ----------
    step_size : int
        Passes per step.
    classes : ndarray or None
        All class labels, passed on the first ``partial_fit`` call of
        classifiers whose ``partial_fit`` accepts ``classes``.
    """

    name = "partial_fit"

    def __init__(self, step_size, classes=None):
        self.step_size = step_size
        self.classes = classes

    def train_to(self, final, X, y, fit_params, done, target):
        """Train ``final``, trained for ``done`` passes (0: fresh), to ``target`` passes."""
        for i in range(done, target):
            kwargs = dict(fit_params)
            if i == 0 and self.classes is not None:
                if accepts(final.partial_fit, "classes"):
                    kwargs["classes"] = self.classes
            fit_call(final.partial_fit, X, y, kwargs)
        return final


def _counts_members(final):
    """True for fitted ensembles, whose warm fits only add missing members."""
    return hasattr(final, "estimators_") or hasattr(final, "n_trees_per_iteration_")


class WarmStartResource(StepResource):
    """One step is a warm ``fit`` after growing the parameter ``param``.

    Parameters
    ----------
    param : str
        Name of the resource parameter of the final estimator (without the
        Pipeline prefix), e.g. ``"n_estimators"``.
    step_size : int
        Units of ``param`` per step.
    warm_start : bool, default=False
        The user's ``warm_start``, restored by :meth:`finish`.
    """

    def __init__(self, param, step_size, warm_start=False):
        self.param = param
        self.step_size = step_size
        self.warm_start = warm_start
        self.name = param

    def prepare(self, final):
        """Switch warm starting on: every step continues from the last."""
        return final.set_params(warm_start=True)

    def train_to(self, final, X, y, fit_params, done, target):
        """Train ``final``, trained to ``done`` units (0: fresh), to ``target`` units."""
        total = done > 0 and _counts_members(final)
        final.set_params(**{self.param: target if total else target - done})
        fit_call(final.fit, X, y, dict(fit_params))
        return final

    def finish(self, final):
        """Restore the user's ``warm_start`` on a trained model."""
        return final.set_params(warm_start=self.warm_start)


def _name(estimator):
    return type(estimator).__name__


def _warm_start_resource(prefix, final, resource, step_size):
    params = final.get_params()
    param = resource[len(prefix) :] if resource.startswith(prefix) else None
    if param not in params:
        hint = f" Did you mean {prefix + resource!r}?" if prefix and resource in params else ""
        where = f"the final step {prefix[:-2]!r} ({_name(final)})" if prefix else _name(final)
        raise ValueError(
            f"resource={resource!r} is neither 'partial_fit' nor a parameter of {where}.{hint}"
        )
    if param == "n_estimators":
        boosting = booster_resource(final, step_size)
        if boosting is not None:
            return boosting
    if "warm_start" not in params:
        raise ValueError(
            f"resource={resource!r} grows a parameter between warm-started fits, but "
            f"{_name(final)} has no warm_start parameter. Use resource='partial_fit' if it "
            "has partial_fit, an estimator with warm_start, or LightGBM's or XGBoost's "
            "estimators with resource='n_estimators'."
        )
    return WarmStartResource(param, step_size, warm_start=params["warm_start"])


def resolve_resource(estimator, resource, step_size, y):
    """Choose how the estimator trains by one step.

    Parameters
    ----------
    estimator : estimator or Pipeline
        The estimator given to the search.
    resource : str
        ``"auto"``, ``"partial_fit"`` or the name of a parameter of the final
        estimator, with the Pipeline prefix (``"clf__n_estimators"``).
    step_size : int
        Units of the resource per step.
    y : array-like or None
        The target, whose labels classifiers need for ``partial_fit``.

    Returns
    -------
    resource : PartialFitResource, WarmStartResource or BoosterResource
    """
    _, prefix, final = final_step(estimator)
    if final is None or final == "passthrough" or not hasattr(final, "fit"):
        raise ValueError(
            f"The final step of the Pipeline must be an estimator. Got {final!r}."
        )
    has_partial_fit = hasattr(final, "partial_fit")
    has_warm_start = "warm_start" in final.get_params()
    if resource == "auto":
        if has_partial_fit:
            resource = "partial_fit"
        elif booster_library(final) is not None:
            resource = prefix + "n_estimators"
        else:
            names = [n for n in _AUTO_WARM_START_PARAMS if n in final.get_params()]
            if not (has_warm_start and names):
                raise ValueError(
                    f"PBTSearchCV needs an estimator that continues training: "
                    f"{_name(final)} has neither partial_fit nor a warm_start parameter with "
                    f"n_estimators or max_iter, and is not a LightGBM or XGBoost estimator. "
                    f"Use an estimator with partial_fit (such as SGDClassifier or "
                    f"MLPClassifier), or pass resource=<parameter name> for one with "
                    f"warm_start (such as RandomForestClassifier and n_estimators)."
                )
            resource = prefix + names[0]
    if resource == "partial_fit":
        if not has_partial_fit:
            raise ValueError(
                f"resource='partial_fit' needs a final estimator with partial_fit, but "
                f"{_name(final)} has none (with these parameters). Pass "
                "resource=<parameter name> to grow a parameter with warm_start instead."
            )
        classes = unique_labels(y) if is_classifier(final) and y is not None else None
        return PartialFitResource(step_size, classes)
    return _warm_start_resource(prefix, final, resource, step_size)


def check_search_space(estimator, names, resource, owner="PBTSearchCV"):
    """Check that the searched parameters can change during training.

    The names are known to be parameters of the estimator (checked for every
    search before this).

    Parameters
    ----------
    estimator : estimator or Pipeline
    names : iterable of str
        Parameter names of the search space(s).
    resource : PartialFitResource, WarmStartResource or BoosterResource
    owner : str, default="PBTSearchCV"
        The search, named in the messages.
    """
    _, prefix, final = final_step(estimator)
    for name in names:
        if prefix and not name.startswith(prefix):
            raise ValueError(
                f"search_spaces names {name!r}, which is not a parameter of the final step "
                f"{prefix[:-2]!r}. {owner} fits the steps before it once per fold and shares "
                "them between the models it trains, so only the final estimator's parameters "
                "can be searched."
            )
        local = name[len(prefix) :]
        if local == "warm_start":
            raise ValueError(
                f"search_spaces names {name!r}; {owner} sets warm_start itself, so it "
                "cannot be searched."
            )
        if isinstance(resource, BoosterResource) and local == resource.kind_param:
            raise ValueError(
                f"search_spaces names {name!r}, the kind of booster, which a continued "
                f"booster cannot change (a random forest cannot be continued at all); "
                f"remove it from search_spaces or fix it in the estimator."
            )
        if isinstance(resource, (WarmStartResource, BoosterResource)) and local == resource.param:
            raise ValueError(
                f"search_spaces names {name!r}, which is the resource grown at every step; "
                "remove it from search_spaces."
            )


def continued_resource(estimator, param, y):
    """How to continue training that the integer parameter ``param`` counts.

    A promoted candidate of a multi-fidelity search goes on from the model of
    its previous rung only where that gives the model a from-scratch fit with
    the larger value would give (up to the solver's restarts):

    * ``max_iter`` of a final estimator with ``partial_fit`` (SGD, MLP,
      Perceptron...): one ``partial_fit`` pass per iteration, which keeps the
      learning-rate schedule and the optimiser's state. A warm ``fit`` would
      restart them, so ``partial_fit`` comes first.
    * ``n_estimators`` or ``max_iter`` of a final estimator with
      ``warm_start`` (forests, gradient boosting, HistGradientBoosting,
      logistic regression...): a warm ``fit`` adds the missing trees or runs
      the extra iterations from the previous solution.
    * ``n_estimators`` of LightGBM's and XGBoost's scikit-learn estimators
      (``LGBMClassifier``, ``XGBRegressor``...): a ``fit`` continuing the
      previous booster (``init_model``, ``xgb_model``) adds the missing
      boosting rounds (:class:`BoosterResource`, whose module says when the
      result is not exactly a from-scratch fit's).

    Any other parameter (``max_depth``, ``n_components``...) changes the
    model rather than its training time, so it is never continued.

    Parameters
    ----------
    estimator : estimator or Pipeline
        The estimator given to the search.
    param : str
        The resource parameter, with its Pipeline prefix (``"clf__max_iter"``).
    y : array-like or None
        The target, whose labels classifiers need for ``partial_fit``.

    Returns
    -------
    resource : PartialFitResource, WarmStartResource or BoosterResource
        With ``step_size=1``: a unit of resource is one unit of ``param``.

    Raises
    ------
    ValueError
        Saying why training cannot be continued.
    """
    _, prefix, final = final_step(estimator)
    where = f"the final step {prefix[:-2]!r} ({_name(final)})" if prefix else _name(final)
    local = param[len(prefix) :] if param.startswith(prefix) else None
    if final is None or final == "passthrough" or local not in final.get_params():
        raise ValueError(f"{param!r} is not a parameter of {where}, whose training is continued")
    if local not in _AUTO_WARM_START_PARAMS:
        raise ValueError(
            f"{param!r} is not a count of trees or iterations (n_estimators or max_iter) that "
            f"training can continue"
        )
    if local == "max_iter" and hasattr(final, "partial_fit"):
        classes = unique_labels(y) if is_classifier(final) and y is not None else None
        return PartialFitResource(1, classes)
    if local == "n_estimators":
        boosting = booster_resource(final, 1)
        if boosting is not None:
            return boosting
    params = final.get_params()
    if "warm_start" not in params:
        raise ValueError(
            f"{where} has no warm_start parameter (nor partial_fit with max_iter, nor "
            "LightGBM's init_model or XGBoost's xgb_model with n_estimators) to continue a "
            "fitted model"
        )
    return WarmStartResource(local, 1, warm_start=params["warm_start"])
