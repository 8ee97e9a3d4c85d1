"""scikit-optimize dimensions and Optuna distributions, read without importing either.

Users arrive with working scikit-optimize or Optuna code and change only the
import, so their space objects must keep their meaning here. Neither package
is a dependency, so objects are recognised by their class: a class of the
object's MRO must be defined in the package (its module is ``skopt`` or
``skopt.*``, ``optuna`` or ``optuna.*``) and bear one of the names below; a
subclass defined elsewhere is recognised through its parent. Only documented
public attributes are read:

* scikit-optimize 0.9 and 0.10: ``Real`` and ``Integer`` (``low``, ``high``,
  ``prior``, ``base``, ``transform_``, ``name``, ``dtype``) and
  ``Categorical`` (``categories``, ``prior``, ``transform_``, ``name``).
* Optuna 3 to 5: ``FloatDistribution`` and ``IntDistribution`` (``low``,
  ``high``, ``log``, ``step``) and ``CategoricalDistribution``
  (``choices``); Optuna 2 to 5: the deprecated ``UniformDistribution``,
  ``LogUniformDistribution``, ``DiscreteUniformDistribution`` (``q``),
  ``IntUniformDistribution`` and ``IntLogUniformDistribution``, whose class
  name fixes ``log`` (they had no ``log`` attribute before Optuna 3).

A stepped Optuna range is a finite ordered set of values, so it becomes an
``Ordinal`` of exactly those values; a range with a single value is a constant.
"""

import numbers
from decimal import Decimal

from ._choices import Categorical, Ordinal
from ._dimensions import Integer, Real
from ._values import check_no_nan

__all__ = ["from_foreign"]

_VERSIONS = {"skopt": "scikit-optimize 0.9 and 0.10", "optuna": "Optuna 2 to 5"}
_SKOPT = ("Real", "Integer", "Categorical")
# Optuna class -> (integral, log fixed by the class or None to read ``log``).
_OPTUNA = {
    "FloatDistribution": (False, None),
    "IntDistribution": (True, None),
    "UniformDistribution": (False, False),
    "LogUniformDistribution": (False, True),
    "DiscreteUniformDistribution": (False, False),
    "IntUniformDistribution": (True, False),
    "IntLogUniformDistribution": (True, True),
    "CategoricalDistribution": (None, None),
}


def _foreign_class(obj):
    """``(package, class name)`` of the first skopt or Optuna class of ``obj``'s MRO."""
    for cls in type(obj).__mro__:
        package = getattr(cls, "__module__", "").split(".")[0]
        if (package == "skopt" and cls.__name__ in _SKOPT) or (
            package == "optuna" and cls.__name__ in _OPTUNA
        ):
            return package, cls.__name__
    return None


def from_foreign(obj, name):
    """Convert a scikit-optimize dimension or an Optuna distribution.

    Parameters
    ----------
    obj : object
        The parameter's specification.
    name : str or None
        The parameter's name.

    Returns
    -------
    dimension : Dimension or None
        None when ``obj`` is neither.
    """
    found = _foreign_class(obj)
    if found is None:
        return None
    package, cls_name = found
    convert = _from_skopt if package == "skopt" else _from_optuna
    try:
        return convert(obj, cls_name, name)
    except AttributeError as err:  # a version whose attributes differ
        versions = _VERSIONS[package]
        raise TypeError(
            f"this {package} {cls_name} has no attribute {err.name!r}; hptune reads "
            f"the attributes of {versions}. Give the equivalent hptune.space dimension."
        ) from err


def _skopt_transform(dim):
    # skopt stores the transform's name in transform_; transform is a method.
    transform = getattr(dim, "transform_", None)
    return transform if isinstance(transform, str) else None


def _from_skopt(dim, cls_name, name):
    name = getattr(dim, "name", None) or name
    transform = _skopt_transform(dim)
    if cls_name == "Categorical":
        values = list(dim.categories)
        check_no_nan(values, "categories")
        prior = getattr(dim, "prior", None)
        return Categorical(values, prior=prior, name=name, transform=transform)
    cls, default_dtype = (Integer, "int64") if cls_name == "Integer" else (Real, float)
    return cls(
        dim.low,
        dim.high,
        prior=dim.prior,
        name=name,
        base=getattr(dim, "base", 10),
        transform=transform,
        dtype=getattr(dim, "dtype", default_dtype),
    )


def _from_optuna(dist, cls_name, name):
    integral, log = _OPTUNA[cls_name]
    if cls_name == "CategoricalDistribution":
        check_no_nan(list(dist.choices), "choices")
        return Categorical(list(dist.choices), name=name)
    log = bool(getattr(dist, "log", False)) if log is None else log
    step = getattr(dist, "q", None) if cls_name == "DiscreteUniformDistribution" else None
    step = getattr(dist, "step", None) if step is None else step
    stepped = step is not None and not (integral and step == 1)
    low, high = dist.low, dist.high
    if low > high:
        raise ValueError(f"{cls_name} needs low <= high. Got low={low!r} and high={high!r}.")
    if stepped:
        _check_step(cls_name, step, log, integral)
    elif low < high:
        cls = Integer if integral else Real
        return cls(low, high, prior="log-uniform" if log else "uniform", name=name)
    values = _grid(low, high, step, integral) if stepped else [low]
    return Ordinal(values, name=name) if len(values) > 1 else Categorical(values, name=name)


def _check_step(cls_name, step, log, integral):
    if log:
        raise ValueError(
            f"{cls_name} with log=True and step={step!r} is not supported, as in Optuna: "
            "drop step for a log-uniform range, or log for a stepped one."
        )
    ok = isinstance(step, numbers.Real) and not isinstance(step, bool) and step > 0
    if not ok or (integral and step != int(step)):
        kind = "a positive int" if integral else "a positive number or None"
        raise ValueError(f"{cls_name} step must be {kind}. Got {step!r} instead.")


def _grid(low, high, step, integral):
    """The values ``low + k * step`` up to ``high``.

    Like Optuna, a ``high`` that the steps do not reach is left out.
    """
    if integral:
        return list(range(int(low), int(high) + 1, int(step)))
    # Decimal arithmetic gives the values as written: 0.1 + 2 * 0.1 is 0.3,
    # not 0.30000000000000004.
    d_low, d_step = Decimal(str(low)), Decimal(str(step))
    n_steps = int((Decimal(str(high)) - d_low) // d_step)
    return [float(d_low + k * d_step) for k in range(n_steps + 1)]
