"""Stand-ins for scikit-optimize's and Optuna's public classes.

Neither package is a dependency of hptune nor installed for its tests, yet
users pass their objects unchanged. Each stand-in has the real class's name,
``__module__`` and public attributes, with the validation and adjustments of
its constructor, as in scikit-optimize 0.10.2 (``skopt/space/space.py``,
``skopt/callbacks.py``) and Optuna 5.1 (``optuna/distributions.py``). Their
``rvs`` raise: hptune must read the attributes, never sample.
"""

import decimal
import warnings

import numpy as np

SKOPT_SPACE = "skopt.space.space"
SKOPT_CALLBACKS = "skopt.callbacks"
OPTUNA = "optuna.distributions"


def _in_module(module):
    """Give a class the module name of the real one."""

    def decorate(cls):
        cls.__module__ = module
        return cls

    return decorate


# -- scikit-optimize: skopt.space.space --------------------------------------------
@_in_module(SKOPT_SPACE)
class Dimension:
    prior = None

    def rvs(self, n_samples=1, random_state=None):
        raise AssertionError("hptune must read a scikit-optimize dimension, not sample it")

    def transform(self, X):  # a method in skopt: the transform's name is transform_
        raise AssertionError("hptune must not call skopt's transform")

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        if isinstance(value, str) or value is None:
            self._name = value
        else:
            raise ValueError("Dimension's name must be either string or None.")

    def __contains__(self, point):
        return self.low <= point <= self.high

    def distance(self, a, b):
        if not (a in self and b in self):
            raise RuntimeError(f"Can only compute distance for values within the space, not {a} and {b}.")
        return abs(a - b)


class _SkoptBounded(Dimension):
    _dtypes = ()

    def __init__(self, low, high, prior="uniform", base=10, transform=None, name=None, dtype=None):
        if high <= low:
            raise ValueError(f"the lower bound {low} has to be less than the upper bound {high}")
        if prior not in ["uniform", "log-uniform"]:
            raise ValueError(f"prior should be 'uniform' or 'log-uniform' got {prior}")
        if prior == "log-uniform" and low * high <= 0:
            raise ValueError("search space should not contain 0 when using log-uniform prior")
        self.low, self.high, self.prior, self.base = low, high, prior, base
        self.log_base = np.log10(base)
        self.name, self.dtype = name, dtype
        if isinstance(dtype, str) and dtype not in self._dtypes:
            raise ValueError(f"dtype must be one of {self._dtypes}, got {dtype}")
        transform = "identity" if transform is None else transform
        if transform not in ["normalize", "identity"]:
            raise ValueError(f"transform should be 'normalize' or 'identity' got {transform}")
        self.transform_ = transform

    @property
    def bounds(self):
        return (self.low, self.high)

    @property
    def is_constant(self):
        return self.low == self.high

    def __repr__(self):
        return (
            f"{type(self).__name__}(low={self.low}, high={self.high}, prior='{self.prior}', "
            f"transform='{self.transform_}')"
        )


@_in_module(SKOPT_SPACE)
class Real(_SkoptBounded):
    _dtypes = ("float", "float16", "float32", "float64")

    def __init__(self, low, high, prior="uniform", base=10, transform=None, name=None, dtype=float):
        super().__init__(low, high, prior, base, transform, name, dtype)


@_in_module(SKOPT_SPACE)
class Integer(_SkoptBounded):
    _dtypes = ("int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")

    def __init__(self, low, high, prior="uniform", base=10, transform=None, name=None, dtype=np.int64):
        super().__init__(low, high, prior, base, transform, name, dtype)


@_in_module(SKOPT_SPACE)
class Categorical(Dimension):
    def __init__(self, categories, prior=None, transform=None, name=None):
        self.categories = tuple(categories)
        self.name = name
        transform = "onehot" if transform is None else transform
        if transform not in ["identity", "onehot", "string", "normalize", "label"]:
            raise ValueError(f"Expected transform to be 'identity', 'string','label' or 'onehot' got {transform}")
        self.transform_ = transform
        self.prior = prior
        n = len(self.categories)
        self.prior_ = np.tile(1.0 / n, n) if prior is None else prior

    @property
    def bounds(self):
        return self.categories

    @property
    def is_constant(self):
        return len(self.categories) <= 1

    def __contains__(self, point):
        return point in self.categories

    def distance(self, a, b):
        if not (a in self and b in self):
            raise RuntimeError(f"Can only compute distance for values within the space, not {a} and {b}.")
        return 1 if a != b else 0

    def __repr__(self):
        return f"Categorical(categories={self.categories}, prior={self.prior})"


# -- scikit-optimize: skopt.callbacks ------------------------------------------------
@_in_module(SKOPT_CALLBACKS)
class EarlyStopper:
    def __call__(self, result):
        return self._criterion(result)


@_in_module(SKOPT_CALLBACKS)
class DeltaXStopper(EarlyStopper):
    """skopt's rule: the last two points are closer than delta in ``result.space``."""

    def __init__(self, delta):
        self.delta = delta

    def _criterion(self, result):
        if len(result.x_iters) >= 2:
            return result.space.distance(result.x_iters[-2], result.x_iters[-1]) < self.delta
        return None


@_in_module(SKOPT_CALLBACKS)
class DeltaYStopper(EarlyStopper):
    """skopt's rule: the ``n_best`` smallest ``func_vals`` lie within delta."""

    def __init__(self, delta, n_best=5):
        self.delta, self.n_best = delta, n_best

    def _criterion(self, result):
        if len(result.func_vals) >= self.n_best:
            func_vals = np.sort(result.func_vals)
            return func_vals[self.n_best - 1] - func_vals[0] < self.delta
        return None


@_in_module(SKOPT_CALLBACKS)
class HollowIterationsStopper(EarlyStopper):
    """skopt's rule: the running minimum fell by at most threshold in n_iterations."""

    def __init__(self, n_iterations, threshold=0):
        self.n_iterations, self.threshold = n_iterations, abs(threshold)

    def _criterion(self, result):
        if len(result.func_vals) <= self.n_iterations:
            return False
        cummin = np.minimum.accumulate(result.func_vals)
        return cummin[-self.n_iterations - 1] - cummin[-1] <= self.threshold


@_in_module(SKOPT_CALLBACKS)
class ThresholdStopper(EarlyStopper):
    """skopt's rule: some objective value is at or below threshold."""

    def __init__(self, threshold):
        self.threshold = threshold

    def _criterion(self, result):
        return np.any([val <= self.threshold for val in result.func_vals])


# -- Optuna: optuna.distributions ------------------------------------------------------
def _deprecated(cls):
    """Optuna's deprecated_class: a FutureWarning on construction."""
    init = cls.__init__

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{cls.__name__} has been deprecated in v3.0.0.", FutureWarning, stacklevel=2)
        init(self, *args, **kwargs)

    cls.__init__ = __init__
    return cls


def _adjust_float_high(low, high, step):
    d_high, d_low, d_step = (decimal.Decimal(str(v)) for v in (high, low, step))
    if (d_high - d_low) % d_step != decimal.Decimal(0):
        old_high = high
        high = float(((d_high - d_low) // d_step) * d_step + d_low)
        warnings.warn(
            f"The distribution is specified by [{low}, {old_high}] and {step=}, but the range "
            f"is not divisible by `step`. It will be replaced with [{low}, {high}].",
            stacklevel=2,
        )
    return high


def _adjust_int_high(low, high, step):
    if (high - low) % step != 0:
        old_high, high = high, (high - low) // step * step + low
        warnings.warn(
            f"The distribution is specified by [{low}, {old_high}] and {step=}, but the range "
            f"is not divisible by `step`. It will be replaced with [{low}, {high}].",
            stacklevel=2,
        )
    return high


@_in_module(OPTUNA)
class BaseDistribution:
    def to_external_repr(self, param_value_in_internal_repr):
        return param_value_in_internal_repr

    def _asdict(self):
        return self.__dict__

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self):
        return hash((self.__class__,) + tuple(sorted(self.__dict__.items())))

    def __repr__(self):
        kwargs = ", ".join(f"{k}={v}" for k, v in sorted(self._asdict().items()))
        return f"{self.__class__.__name__}({kwargs})"


@_in_module(OPTUNA)
class FloatDistribution(BaseDistribution):
    def __init__(self, low, high, log=False, step=None):
        if log and step is not None:
            raise ValueError("The parameter `step` is not supported when `log` is true.")
        if low > high:
            raise ValueError(f"`low <= high` must hold, but got ({low=}, {high=}).")
        if log and low <= 0.0:
            raise ValueError(f"`low > 0` must hold for `log=True`, but got ({low=}, {high=}).")
        if step is not None and step <= 0:
            raise ValueError(f"`step > 0` must hold, but got {step=}.")
        self.step = None
        if step is not None:
            high = _adjust_float_high(low, high, step)
            self.step = float(step)
        self.low, self.high, self.log = float(low), float(high), log

    def single(self):
        if self.step is None:
            return self.low == self.high
        return self.low == self.high or (self.high - self.low) < self.step


@_deprecated
@_in_module(OPTUNA)
class UniformDistribution(FloatDistribution):
    def __init__(self, low, high):
        super().__init__(low=low, high=high, log=False, step=None)


@_deprecated
@_in_module(OPTUNA)
class LogUniformDistribution(FloatDistribution):
    def __init__(self, low, high):
        super().__init__(low=low, high=high, log=True, step=None)


@_deprecated
@_in_module(OPTUNA)
class DiscreteUniformDistribution(FloatDistribution):
    def __init__(self, low, high, q):
        super().__init__(low=low, high=high, step=q)

    @property
    def q(self):
        return self.step


@_in_module(OPTUNA)
class IntDistribution(BaseDistribution):
    def __init__(self, low, high, log=False, step=1):
        if log and step != 1:
            raise ValueError(
                "Samplers and other components in Optuna only accept step is 1 when `log` argument is True."
            )
        if low > high:
            raise ValueError(f"`low <= high` must hold, but got ({low=}, {high=}).")
        if log and low < 1:
            raise ValueError(f"`low >= 1` must hold for `log=True`, but got ({low=}, {high=}).")
        if step <= 0:
            raise ValueError(f"`step > 0` must hold, but got {step=}.")
        self.log, self.step, self.low = log, int(step), int(low)
        self.high = _adjust_int_high(self.low, int(high), self.step)

    def single(self):
        return self.low == self.high or (not self.log and (self.high - self.low) < self.step)


@_deprecated
@_in_module(OPTUNA)
class IntUniformDistribution(IntDistribution):
    def __init__(self, low, high, step=1):
        super().__init__(low=low, high=high, log=False, step=step)


@_deprecated
@_in_module(OPTUNA)
class IntLogUniformDistribution(IntDistribution):
    def __init__(self, low, high, step=1):
        super().__init__(low=low, high=high, log=True, step=step)


@_in_module(OPTUNA)
class CategoricalDistribution(BaseDistribution):
    def __init__(self, choices):
        if len(choices) == 0:
            raise ValueError("The `choices` must contain one or more elements.")
        self.choices = tuple(choices)

    def single(self):
        return len(self.choices) == 1


@_in_module(OPTUNA)
class LogUniformDistributionV2:
    """Optuna 2's LogUniformDistribution: no ``log`` attribute, no shared parent."""

    def __init__(self, low, high):
        self.low, self.high = low, high


LogUniformDistributionV2.__name__ = LogUniformDistributionV2.__qualname__ = "LogUniformDistribution"
