"""Argument checks for the numpy-only core, in scikit-learn's message template.

The ``*SearchCV`` classes validate their parameters with scikit-learn's
constraints; the optimisers, the PBT scheduler, ``minimize`` and the stoppers
must not import scikit-learn, so they use these checks, which word their
messages the same way: "The 'n_calls' parameter of minimize must be an int in
the range [1, inf). Got 0 instead."
"""

import math
import numbers

__all__ = ["check_choice", "check_int", "check_real"]


def _is_real(value):
    # bool is a number to Python, but True as a count or a rate is a mistake.
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(owner, name, value, low):
    """Return ``value`` if it is an int >= ``low``; raise a ValueError otherwise."""
    if not (isinstance(value, numbers.Integral) and _is_real(value) and value >= low):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be an int in the range [{low}, inf). "
            f"Got {value!r} instead."
        )
    return int(value)


def check_real(owner, name, value, low=-math.inf, high=math.inf, *, closed="both"):
    """Return ``value`` if it is a number in the interval; raise a ValueError otherwise.

    ``closed`` is "both", "left", "right" or "neither", as in scikit-learn's
    ``Interval``; infinite bounds are always open.
    """
    left, right = closed in ("both", "left"), closed in ("both", "right")
    ok = _is_real(value) and not math.isnan(value)
    if ok:
        ok = (value >= low if left else value > low) and (value <= high if right else value < high)
    if not ok:
        bracket = "[" if left and math.isfinite(low) else "("
        closing = "]" if right and math.isfinite(high) else ")"
        interval = f" in the range {bracket}{_bound(low)}, {_bound(high)}{closing}"
        if not (math.isfinite(low) or math.isfinite(high)):
            interval = ""
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a number{interval}. Got {value!r} instead."
        )
    return value


def _bound(x):
    return "inf" if x == math.inf else "-inf" if x == -math.inf else repr(x)


def check_choice(owner, name, value, options):
    """Return ``value`` if it is one of ``options``; raise a ValueError otherwise."""
    if not (isinstance(value, str) and value in options):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be one of {list(options)}. "
            f"Got {value!r} instead."
        )
    return value
