"""Checks of the values that define a dimension, shared by dimensions and conversion.

scikit-optimize's ``Real`` and ``Integer`` take ``base``, ``transform`` and
``dtype`` besides their bounds and prior, so code written for them runs
unchanged. ``base`` and ``transform`` do not change what hptune searches: a
log-uniform prior is the same distribution in every base, and hptune always
encodes in the unit cube. ``dtype`` changes the type of the returned values,
with scikit-optimize's rule: Python ``float`` and ``int`` (or the strings
``"float"``, ``"int"``) give Python numbers, any other numpy type gives numpy
scalars of that type.
"""

import math
import numbers

import numpy as np

__all__ = ["ValueType", "check_base", "check_name", "check_no_nan", "check_transform"]

# scikit-optimize's transforms only choose its own internal encoding.
BOUNDED_TRANSFORMS = (None, "identity", "normalize")
CATEGORICAL_TRANSFORMS = (None, "onehot", "string", "identity", "label", "normalize")


def check_base(cls_name, base):
    """Validate a logarithm base: a finite number > 0 other than 1."""
    ok = isinstance(base, numbers.Real) and not isinstance(base, bool)
    if not (ok and math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(
            f"{cls_name} base must be a positive number other than 1 (the base of the "
            f"logarithm of a log-uniform prior). Got {base!r} instead."
        )


def check_transform(cls_name, transform, allowed):
    """Validate scikit-optimize's ``transform`` name (no effect in hptune)."""
    if transform not in allowed:
        names = ", ".join(repr(t) for t in allowed if t is not None)
        raise ValueError(
            f"{cls_name} transform must be None or one of {names}. Got {transform!r} instead."
        )


def check_name(cls_name, name):
    """A dimension's name is a str or None, as in scikit-optimize."""
    if name is not None and not isinstance(name, str):
        hint = ""
        if cls_name in ("Real", "Integer") and isinstance(name, numbers.Number):
            # skopt's 4th positional argument is base; here it is name.
            hint = (
                " In scikit-optimize the fourth positional argument is base; here "
                f"base, transform and dtype are keyword-only: write {cls_name}(low, "
                f"high, prior, base={name!r})."
            )
        raise TypeError(f"{cls_name} name must be a str or None. Got {name!r} instead.{hint}")


def check_no_nan(values, what="list"):
    """Raise when a list of values holds a NaN number.

    NaN never equals itself, so a search cannot find such a value again, and
    a NaN hyperparameter makes the fits fail or silently means "missing".
    """
    for i, v in enumerate(values):
        if isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isnan(v):
            raise ValueError(
                f"the value at position {i} of the {what} {values!r} is NaN, which no "
                "search can use: NaN never equals itself, and a NaN hyperparameter makes "
                "the fits fail or silently means 'missing'. Remove it; where NaN is a "
                "meaningful value (as SimpleImputer's missing_values), list it in an "
                "explicit hptune.space.Categorical."
            )


class ValueType:
    """The type of a bounded dimension's values: Python numbers or a numpy type.

    Parameters
    ----------
    cls_name : str
        Name of the dimension class, for messages.
    dtype : type, str or numpy dtype
        As in scikit-optimize: ``float`` or ``"float"`` (``int`` or ``"int"``)
        for Python numbers, or a numpy floating (integer) type.
    integral : bool
        True for an ``Integer``.
    """

    def __init__(self, cls_name, dtype, integral):
        kinds, python = ("iu", int) if integral else ("f", float)
        self.python = dtype is python or (isinstance(dtype, str) and dtype == python.__name__)
        try:
            # np.dtype(None) is float64: refuse None rather than guess.
            self.numpy = None if dtype is None else np.dtype(dtype)
        except TypeError:
            self.numpy = None
        if self.numpy is None or self.numpy.kind not in kinds:
            python = python.__name__
            example = "'int32'" if integral else "'float32'"
            raise ValueError(
                f"{cls_name} dtype must be {python} or a numpy {python} type such as "
                f"{example}. Got {dtype!r} instead."
            )
        self.cls_name = cls_name
        self.label = python.__name__ if self.python else self.numpy.name

    def check_bounds(self, low, high):
        """Raise when the bounds do not fit the type or hold none of its values."""
        if self.python:
            return
        info = np.iinfo(self.numpy) if self.numpy.kind in "iu" else np.finfo(self.numpy)
        # Compared as Python numbers: numpy would cast the bound to the narrow type.
        number = int if self.numpy.kind in "iu" else float
        lowest, highest = number(info.min), number(info.max)
        if not (lowest <= low and high <= highest):
            raise ValueError(
                f"{self.cls_name} bounds [{low!r}, {high!r}] do not fit in dtype "
                f"{self.label!r}, whose range is [{lowest}, {highest}]; use a wider dtype."
            )
        if self.numpy.kind == "f" and not low <= float(self.cast([low], low, high)[0]) <= high:
            raise ValueError(
                f"{self.cls_name} bounds [{low!r}, {high!r}] hold no value of dtype "
                f"{self.label!r}, being closer than its precision; widen the bounds or "
                "use a wider dtype."
            )

    def cast(self, x, low, high):
        """Values ``x`` (floats in ``[low, high]``) as a list of the dimension's type.

        Rounding to a narrower float type can step outside the bounds by one
        unit in the last place; such values move one step back inside, so
        that every value returned is a value of the dimension.
        """
        x = np.asarray(x, dtype=float)
        if self.python:
            return [int(v) for v in x] if self.numpy.kind in "iu" else [float(v) for v in x]
        v = x.astype(self.numpy)
        if self.numpy.kind == "f":
            down, up = self.numpy.type(-np.inf), self.numpy.type(np.inf)
            v = np.where(v.astype(float) > high, np.nextafter(v, down), v)
            v = np.where(v.astype(float) < low, np.nextafter(v, up), v)
        return list(v)
